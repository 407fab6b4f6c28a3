/*
 * The access check behind `trellis explain-access`: may a role, calling
 * from one cluster's VPC, invoke the VPC Lattice service of a route? Answered
 * offline from the repository, as VPC Lattice decides it:
 *
 *   - the request goes through the service network that the caller's VPC
 *     is associated with and the service belongs to (a Gateway of the
 *     caller's cluster that is a parent of the route);
 *   - with auth type AWS_IAM (an IAMAuthPolicy targets it), the service
 *     network's auth policy must allow, and so must the service's;
 *   - when either checks IAM, the caller's identity policies (the inline
 *     policies of its ACK IAM Role) must allow too;
 *   - an explicit Deny anywhere wins.
 *
 * The request context: the role's ARN and tags, the cluster's vpcId, the
 * service and service network ARNs, the listener's port, the method and
 * path. Things that exist only after apply get placeholders, used alike in
 * the request and in the policies' references, so they compare as they
 * will in AWS: the account (TR_POLICY_ACCESS_ACCOUNT unless given), the
 * service id "svc-<service name>", the service network id
 * "sn-<network name>".
 */
#ifndef TR_POLICY_ACCESS_H
#define TR_POLICY_ACCESS_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag/diag.h"
#include "policy/eval.h"
#include "repo/repo.h"
#include "util/arena.h"

#define TR_POLICY_ACCESS_ACCOUNT "123456789012"
#define TR_POLICY_ACCESS_MAX_KEYS 64u /* request context entries */

typedef struct tr_policy_access_query {
	const char *from_cluster; /* a cluster of the config */
	const char *role;         /* the Role's metadata.name or spec.name */
	const char *to;           /* NAMESPACE/ROUTE (no slash: default) */
	const char *account;      /* NULL: TR_POLICY_ACCESS_ACCOUNT */
	const char *method;       /* NULL: GET */
	const char *path;         /* NULL: / */
} tr_policy_access_query;

typedef enum tr_policy_access_layer_kind {
	TR_POLICY_ACCESS_SERVICE_NETWORK = 0,
	TR_POLICY_ACCESS_SERVICE,
	TR_POLICY_ACCESS_IDENTITY
} tr_policy_access_layer_kind;

/* One policy document evaluated for the request. */
typedef struct tr_policy_access_doc {
	char *label;   /* "IAMAuthPolicy apps/datastore-auth", "inline policy x" */
	char *file;
	uint32_t line;
	tr_policy_decision decision;
} tr_policy_access_doc;

typedef struct tr_policy_access_layer {
	tr_policy_access_layer_kind kind;
	char *name;       /* the service network's, service's or role's name */
	bool enforced;    /* AWS_IAM, or (identity) IAM is checked at all */
	tr_policy_verdict verdict; /* all its documents together */
	tr_policy_access_doc *docs;
	size_t count;
} tr_policy_access_layer;

typedef struct tr_policy_access_result {
	bool allowed;
	char *reason;     /* one sentence */
	tr_policy_request request;
	tr_policy_context_key keys[TR_POLICY_ACCESS_MAX_KEYS];
	tr_arena arena;   /* the request's strings */
	tr_policy_access_layer layers[3];
	size_t layer_count;
	char **notes;     /* what could not be evaluated offline */
	size_t note_count;
} tr_policy_access_result;

/*
 * Answers the query over a loaded, validated repository. Problems that
 * stop the answer (an unknown cluster, route or role, a reference nothing
 * resolves) go to diag and return TR_EINVALID; "denied" is an answer, not
 * an error. Dispose `out` in every case.
 */
int tr_policy_access_explain(tr_policy_access_result *out,
			     const tr_repo *repo,
			     const tr_policy_access_query *q, tr_diag *diag);
void tr_policy_access_dispose(tr_policy_access_result *r);

/* The result as a JSON document (explain-access --format json). */
cJSON *tr_policy_access_to_json(const tr_policy_access_result *r);

const char *tr_policy_verdict_name(tr_policy_verdict v);

#endif
