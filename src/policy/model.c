#include "policy/model.h"

#include <stdio.h>
#include <string.h>

#include "policy/json.h"
#include "policy/refs.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/limits.h"

typedef struct fill_ctx {
	const cJSON *references;
	tr_policy_arn_fn arn;
	void *arn_ctx;
	char key[TR_POLICY_MAX_REF_NAME_BYTES + 64];
} fill_ctx;

static tr_policy_resolution resolve(void *ctx, const tr_policy_ref *ref,
				    const char **value)
{
	fill_ctx *f = ctx;
	const cJSON *v;
	const char *target;

	if (ref->len >= sizeof(f->key))
		return TR_POLICY_NOT_FOUND;
	memcpy(f->key, ref->text, ref->len);
	f->key[ref->len] = '\0';
	v = cJSON_GetObjectItemCaseSensitive(f->references, f->key);
	if (!cJSON_IsString(v))
		return TR_POLICY_NOT_FOUND;
	target = tr_model_ref_target(v);
	if (!target) {
		*value = v->valuestring;
		return TR_POLICY_RESOLVED;
	}
	*value = f->arn ? f->arn(f->arn_ctx, target) : NULL;
	return *value ? TR_POLICY_RESOLVED : TR_POLICY_AFTER_APPLY;
}

/* Fills the templates under `templates` into `dst` (the same shape). */
static int fill_level(cJSON *dst, const cJSON *templates, fill_ctx *f,
		      const char *after_apply_text, tr_policy_fill_result *res,
		      int depth)
{
	const cJSON *t;
	int rc = 0;

	if (depth > 4)
		return TR_EINVALID;
	cJSON_ArrayForEach(t, templates)
	{
		tr_buf out = TR_BUF_INIT(TR_POLICY_MAX_BYTES);
		tr_policy_subst_result sr;
		char *canon = NULL;
		cJSON *value;

		if (cJSON_IsObject(t)) {
			cJSON *sub = cJSON_GetObjectItemCaseSensitive(dst,
								      t->string);
			if (!sub)
				sub = cJSON_AddObjectToObject(dst, t->string);
			rc = fill_level(sub, t, f, after_apply_text, res,
					depth + 1);
			if (rc < 0)
				return rc;
			continue;
		}
		if (!cJSON_IsString(t))
			continue;
		rc = tr_policy_refs_substitute(&out, t->valuestring,
					       strlen(t->valuestring), resolve,
					       f, after_apply_text, &sr);
		if (rc == 0 && sr.not_found) {
			snprintf(res->unresolved, sizeof(res->unresolved),
				 "%.*s", (int)sr.first_not_found.len,
				 sr.first_not_found.text);
			rc = TR_ENOTFOUND;
		}
		res->after_apply += sr.after_apply;
		if (rc == 0 && (after_apply_text || !sr.after_apply)) {
			rc = tr_policy_json_normalise(&canon, out.ptr ? out.ptr : "",
						      out.len);
			value = rc == 0 ? cJSON_Parse(canon) : NULL;
			if (value)
				cJSON_ReplaceItemInObjectCaseSensitive(
					dst, t->string, value);
			else if (rc == 0)
				rc = TR_EINVALID;
			tr_free(canon);
		}
		tr_buf_dispose(&out);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int tr_policy_fill(cJSON *attrs, tr_policy_arn_fn arn, void *ctx,
		   const char *after_apply_text, tr_policy_fill_result *res)
{
	fill_ctx f;

	memset(res, 0, sizeof(*res));
	memset(&f, 0, sizeof(f));
	f.references = cJSON_GetObjectItemCaseSensitive(attrs, "references");
	f.arn = arn;
	f.arn_ctx = ctx;
	return fill_level(attrs,
			  cJSON_GetObjectItemCaseSensitive(attrs, "templates"),
			  &f, after_apply_text, res, 0);
}

static const char *observed_arn(void *ctx, const char *address)
{
	tr_resource *r = tr_model_find(ctx, address);

	return r ? r->arn : NULL;
}

int tr_policy_resolve_model(tr_model *desired, tr_model *observed,
			    const char *account, tr_diag *diag)
{
	int error = 0;

	for (size_t i = 0; i < desired->count; i++) {
		tr_resource *r = &desired->resources[i];
		cJSON *refs = cJSON_GetObjectItemCaseSensitive(r->attrs,
							       "references");
		tr_policy_fill_result res;
		int rc;

		if (!cJSON_GetObjectItemCaseSensitive(r->attrs, "templates"))
			continue;
		if (account && cJSON_GetObjectItemCaseSensitive(refs,
								"${account}"))
			cJSON_ReplaceItemInObjectCaseSensitive(
				refs, "${account}", cJSON_CreateString(account));
		rc = tr_policy_fill(r->attrs, observed_arn, observed,
				    TR_POLICY_AFTER_APPLY_TEXT, &res);
		if (rc == TR_ENOTFOUND)
			tr_diag_add(diag, TR_SEV_ERROR, "plan.policy-reference",
				    r->source_file, r->source_line, 0, NULL,
				    "%s: the policy reference %s cannot be "
				    "resolved",
				    r->address, res.unresolved);
		else if (rc < 0)
			tr_diag_add(diag, TR_SEV_ERROR, "plan.policy-reference",
				    r->source_file, r->source_line, 0, NULL,
				    "%s: the policy is not JSON once its "
				    "references are filled in",
				    r->address);
		if (rc < 0)
			error = rc;
	}
	return error;
}
