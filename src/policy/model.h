/*
 * Policies of the model (auth policies, role trust and inline policies)
 * filled in from their templates: see model/desired_iam.c for the three
 * attributes ("templates", "references", and the JSON value itself).
 *
 * Plan time fills them against the observed model, so that a policy that
 * names an existing service compares equal to what AWS holds; apply fills
 * them again with the ARNs of what it has just created.
 */
#ifndef TR_POLICY_MODEL_H
#define TR_POLICY_MODEL_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "diag/diag.h"
#include "model/model.h"
#include "util/limits.h"

#define TR_POLICY_AFTER_APPLY_TEXT "(known after apply)"

/* The ARN of the resource at a model address; NULL when it does not exist
 * (yet). */
typedef const char *(*tr_policy_arn_fn)(void *ctx, const char *address);

typedef struct tr_policy_fill_result {
	size_t after_apply; /* references to resources without an ARN yet */
	/* the first reference nothing resolves, as written ("" when none) */
	char unresolved[TR_POLICY_MAX_REF_NAME_BYTES + 64];
} tr_policy_fill_result;

/*
 * Writes the value of every template of attrs (the templates' paths) with
 * its references resolved. A reference to a resource whose ARN is unknown
 * is written as after_apply_text; with after_apply_text NULL the values
 * are left as they were and res->after_apply says why. Returns 0,
 * TR_ENOTFOUND for a reference nothing resolves (res->unresolved), or
 * TR_EINVALID when a filled template is not JSON.
 */
int tr_policy_fill(cJSON *attrs, tr_policy_arn_fn arn, void *ctx,
		   const char *after_apply_text, tr_policy_fill_result *res);

/*
 * Plan time: records the account in every policy's references, then fills
 * each policy of the desired model against the observed one. A reference
 * that cannot be resolved is an error in diag, at the resource's source.
 */
int tr_policy_resolve_model(tr_model *desired, tr_model *observed,
			    const char *account, tr_diag *diag);

#endif
