/*
 * Policy references: symbolic names in an IAM policy text for values that
 * often exist only after apply (a service's ARN, a cluster's VPC id):
 *
 *   ${service:NAMESPACE/ROUTE.arn}     the Lattice service of a route
 *   ${servicenetwork:NAME.arn}         the service network of a Gateway
 *   ${cluster:NAME.vpcId}              from the config file
 *   ${cluster:NAME.oidcProvider}       issuer without https://, as IAM wants
 *   ${cluster:NAME.oidcIssuer}         the issuer URL from the config file
 *   ${role:NAME.arn}                   an IAM role declared with the Role kind
 *   ${account}  ${region}
 *
 * Everything else written ${...} is left alone: IAM policy variables such as
 * ${aws:username} or ${aws:PrincipalTag/team} are the policy's own business.
 * A ${...} that names one of our namespaces but is malformed (no attribute,
 * an unknown attribute, a namespace one typo away from ours) is an error,
 * so a mistake never reaches AWS as a literal string.
 *
 * The scanner and the substitution never look anything up themselves: the
 * caller's resolver knows the desired and observed models.
 */
#ifndef TR_POLICY_REFS_H
#define TR_POLICY_REFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/errors.h"
#include "util/limits.h"

typedef enum tr_policy_ref_kind {
	TR_POLICY_REF_SERVICE_ARN = 0,   /* name "NAMESPACE/ROUTE" */
	TR_POLICY_REF_SERVICENETWORK_ARN, /* name "NAME" (the Gateway's) */
	TR_POLICY_REF_CLUSTER_VPC_ID,     /* name: cluster in the config */
	TR_POLICY_REF_CLUSTER_OIDC_PROVIDER,
	TR_POLICY_REF_CLUSTER_OIDC_ISSUER,
	TR_POLICY_REF_ROLE_ARN,           /* name: the role's spec.name */
	TR_POLICY_REF_ACCOUNT,            /* name "" */
	TR_POLICY_REF_REGION              /* name "" */
} tr_policy_ref_kind;

/* One reference found in a policy text. */
typedef struct tr_policy_ref {
	tr_policy_ref_kind kind;
	const char *text;  /* borrowed: the whole "${...}" inside the policy */
	size_t len;        /* of text */
	size_t offset;     /* of "${" in the policy, in bytes */
	uint32_t line;     /* 1-based, within the policy text */
	uint32_t col;      /* 1-based, in bytes */
	/* NUL-terminated copy of the name part; "" for account and region. */
	char name[TR_POLICY_MAX_REF_NAME_BYTES + 1];
} tr_policy_ref;

/* A malformed reference: where, and why (a sentence without a full stop). */
typedef struct tr_policy_ref_error {
	size_t offset;
	uint32_t line;
	uint32_t col;
	char message[TR_MAX_MESSAGE_BYTES];
} tr_policy_ref_error;

/* Short display name of a reference, as written: "${service:apps/x.arn}"
 * is printed from ref->text; this names the kind ("service", "cluster",
 * ...) for messages. Never NULL. */
const char *tr_policy_ref_kind_name(tr_policy_ref_kind kind);

/* Called for each reference in order; a non-zero return stops the scan and
 * is returned by tr_policy_refs_scan. */
typedef int (*tr_policy_ref_visit_fn)(void *ctx, const tr_policy_ref *ref);

/*
 * Finds every reference in text (len bytes). Returns 0; TR_EINVALID with
 * *err filled for a malformed reference (err may be NULL); TR_ETOOLARGE past
 * TR_POLICY_MAX_BYTES or TR_POLICY_MAX_REFS; or the visitor's non-zero
 * return. visit may be NULL to only check the syntax.
 */
int tr_policy_refs_scan(const char *text, size_t len,
			tr_policy_ref_visit_fn visit, void *ctx,
			tr_policy_ref_error *err);

typedef enum tr_policy_resolution {
	TR_POLICY_RESOLVED = 0,    /* *value holds the value */
	TR_POLICY_AFTER_APPLY = 1, /* the target is still to be created */
	TR_POLICY_NOT_FOUND = 2    /* no such service, cluster, role, ... */
} tr_policy_resolution;

/* Resolves one reference. On TR_POLICY_RESOLVED *value is a borrowed string
 * that must stay valid until the resolver is called again or the
 * substitution returns. */
typedef tr_policy_resolution (*tr_policy_resolve_fn)(
	void *ctx, const tr_policy_ref *ref, const char **value);

typedef struct tr_policy_subst_result {
	size_t resolved;    /* references replaced by their value */
	size_t after_apply; /* references whose value is known after apply */
	/* the first reference the resolver did not find (valid when
	 * not_found > 0), as written, with its place in the policy text */
	size_t not_found;
	tr_policy_ref first_not_found;
	tr_policy_ref_error syntax; /* filled when TR_EINVALID is returned */
} tr_policy_subst_result;

/*
 * Appends text to out with every reference replaced: a resolved value is
 * written JSON-escaped (references live inside JSON strings); a reference
 * known after apply is written as after_apply_text, or kept verbatim when
 * after_apply_text is NULL (so a later run can still resolve it); a
 * reference not found is kept verbatim and counted. Returns 0 (check
 * res->not_found), TR_EINVALID for a malformed reference (res->syntax),
 * TR_ETOOLARGE past the caps or out's max.
 */
int tr_policy_refs_substitute(tr_buf *out, const char *text, size_t len,
			      tr_policy_resolve_fn resolve, void *ctx,
			      const char *after_apply_text,
			      tr_policy_subst_result *res);

/* The OIDC provider of an issuer URL: "https://oidc.eks.../id/X" becomes
 * "oidc.eks.../id/X" (IAM condition keys and provider ARNs use this form).
 * Borrowed pointer into issuer. */
const char *tr_policy_oidc_provider(const char *issuer);

#endif
