/*
 * What VPC Lattice itself can hold, checked before any call is made:
 *
 *   - features Lattice cannot express (regex matches, query parameters,
 *     filters, timeouts, extra hostnames, ...) are TR_SEV_UNSUPPORTED with
 *     rule ids "lattice.unsupported.<feature>"; each message starts with the
 *     feature's name, so the plan can drop the feature with a note when
 *     --allow-unsupported turns these into warnings;
 *   - values Lattice would refuse (names after the AWS controller's naming
 *     rule, weights, backends per rule, rule priorities, custom domain and
 *     certificate ARN syntax) are errors, "lattice.<what>";
 *   - counts over the default service quotas, which an account can raise,
 *     are warnings, "lattice.quota.<quota>".
 *
 * Facts: notes/aws-gateway-controller.md §2-§4, §11; notes/aws-apis.md §2.3,
 * §2.6.
 */
#ifndef TR_VALIDATE_LATTICE_H
#define TR_VALIDATE_LATTICE_H

#include <stddef.h>

#include "diag/diag.h"
#include "util/buf.h"
#include "validate/refs.h"

/* Lattice limits (API model and default quotas). */
#define TR_LATTICE_SERVICE_NAME_MIN      3
#define TR_LATTICE_SERVICE_NAME_MAX      40
#define TR_LATTICE_NETWORK_NAME_MAX      63
#define TR_LATTICE_LISTENER_NAME_MAX     63
#define TR_LATTICE_TARGET_GROUP_NAME_MAX 128
#define TR_LATTICE_MAX_WEIGHT            999
#define TR_LATTICE_MAX_TARGET_GROUPS_PER_ACTION 10
#define TR_LATTICE_MAX_HEADER_MATCHES    5
#define TR_LATTICE_MAX_HEADER_NAME       100
#define TR_LATTICE_MAX_HEADER_VALUE      200
#define TR_LATTICE_MAX_PATH              200
#define TR_LATTICE_MAX_RULE_PRIORITY     100 /* the controller's range */
#define TR_LATTICE_CUSTOM_DOMAIN_MIN     3
#define TR_LATTICE_CUSTOM_DOMAIN_MAX     255
#define TR_LATTICE_CERT_ARN_MAX          2048
#define TR_LATTICE_QUOTA_LISTENERS_PER_SERVICE 2
#define TR_LATTICE_QUOTA_RULES_PER_LISTENER    10
#define TR_LATTICE_QUOTA_TARGET_GROUPS_PER_SERVICE 10

#define TR_LATTICE_SERVICE_NAME_OVERRIDE \
	"application-networking.k8s.aws/service-name-override"

/*
 * Why `name` is not a valid Lattice resource name of min..max characters
 * that must not start with `reserved` (NULL: no reserved prefix), or NULL
 * when it is valid. The reason is a static string.
 */
const char *tr_lattice_name_problem(const char *name, size_t min, size_t max,
				    const char *reserved);

/* Runs every Lattice rule over the index's Gateways and routes. */
int tr_lattice_check(const tr_refs_index *idx, tr_diag *diag);

#endif
