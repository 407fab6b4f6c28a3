#include "validate/policy_refs.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "policy/refs.h"
#include "util/limits.h"
#include "util/str.h"

typedef struct policy_check {
	const tr_refs_index *idx;
	const tr_refs_object *obj;
	const tr_node *node; /* the policy's string node */
	const char *field;
	tr_diag *diag;
} policy_check;

/* Where line `line` (1-based) and column `col` of a policy text are in
 * the file: a block scalar (| or >) starts on the line after its key. */
static void place(const tr_node *n, uint32_t line, uint32_t col,
		  uint32_t *fline, uint32_t *fcol)
{
	bool block = !n->plain && n->text_len &&
		     n->text[n->text_len - 1] == '\n';

	*fline = n->line + (block ? line : line - 1);
	*fcol = block ? 0 : line == 1 ? n->col + col - (n->plain ? 1 : 0) : col;
}

static void report(policy_check *pc, const char *rule, uint32_t line,
		   uint32_t col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void report(policy_check *pc, const char *rule, uint32_t line,
		   uint32_t col, const char *fmt, ...)
{
	char msg[TR_MAX_MESSAGE_BYTES];
	uint32_t fl, fc;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	place(pc->node, line, col, &fl, &fc);
	tr_diag_add(pc->diag, TR_SEV_ERROR, rule, pc->obj->doc->file, fl, fc,
		    pc->field, "%s", msg);
}

static bool role_declared(const tr_refs_index *idx, const char *name)
{
	for (size_t i = 0; i < idx->count; i++) {
		const tr_manifest_doc *d = idx->objects[i].doc;
		if (tr_manifest_doc_is(d, "iam.services.k8s.aws", "Role") &&
		    tr_str_eq(tr_node_get_str(tr_node_get(d->root, "spec"),
					      "name"),
			      name))
			return true;
	}
	return false;
}

static bool kind_declared(const tr_refs_index *idx, const char *kind,
			  const char *ns, const char *name)
{
	const tr_config *cfg = &idx->repo->config;

	for (size_t c = 0; c < cfg->cluster_count; c++)
		if (tr_refs_find(idx, NULL, (int)c, kind, ns, name))
			return true;
	return false;
}

static const tr_config_cluster *cluster_named(const tr_refs_index *idx,
					      const char *name)
{
	const tr_config *cfg = &idx->repo->config;

	for (size_t i = 0; i < cfg->cluster_count; i++)
		if (tr_str_eq(cfg->clusters[i].name, name))
			return &cfg->clusters[i];
	return NULL;
}

static int check_ref(void *ctx, const tr_policy_ref *ref)
{
	policy_check *pc = ctx;
	const tr_config_cluster *c;
	const char *slash;
	char ns[TR_POLICY_MAX_REF_NAME_BYTES + 1];
	int len = (int)ref->len;

	switch (ref->kind) {
	case TR_POLICY_REF_SERVICE_ARN:
		slash = strchr(ref->name, '/');
		snprintf(ns, sizeof(ns), "%.*s", (int)(slash - ref->name),
			 ref->name);
		if (!kind_declared(pc->idx, "HTTPRoute", ns, slash + 1) &&
		    !kind_declared(pc->idx, "GRPCRoute", ns, slash + 1))
			report(pc, "policy.reference", ref->line, ref->col,
			       "policy reference %.*s names route %s, which "
			       "is not in the repository (no HTTPRoute or "
			       "GRPCRoute %s in namespace %s)",
			       len, ref->text, ref->name, slash + 1, ns);
		break;
	case TR_POLICY_REF_SERVICENETWORK_ARN:
		if (!kind_declared(pc->idx, "Gateway", NULL, ref->name))
			report(pc, "policy.reference", ref->line, ref->col,
			       "policy reference %.*s names service network "
			       "%s, but no Gateway has that name",
			       len, ref->text, ref->name);
		break;
	case TR_POLICY_REF_CLUSTER_VPC_ID:
	case TR_POLICY_REF_CLUSTER_OIDC_PROVIDER:
	case TR_POLICY_REF_CLUSTER_OIDC_ISSUER:
		c = cluster_named(pc->idx, ref->name);
		if (!c)
			report(pc, "policy.reference", ref->line, ref->col,
			       "policy reference %.*s names cluster %s, which "
			       "is not in the config's clusters",
			       len, ref->text, ref->name);
		else if (ref->kind == TR_POLICY_REF_CLUSTER_VPC_ID
				 ? !c->vpc_id
				 : !c->oidc_issuer)
			report(pc, "policy.reference", ref->line, ref->col,
			       "policy reference %.*s: cluster %s has no %s "
			       "in the config",
			       len, ref->text, ref->name,
			       ref->kind == TR_POLICY_REF_CLUSTER_VPC_ID
				       ? "vpcId"
				       : "oidcIssuer");
		break;
	case TR_POLICY_REF_ROLE_ARN:
		if (!role_declared(pc->idx, ref->name))
			report(pc, "policy.reference", ref->line, ref->col,
			       "policy reference %.*s names IAM role %s, but "
			       "no Role (iam.services.k8s.aws) has that "
			       "spec.name",
			       len, ref->text, ref->name);
		break;
	case TR_POLICY_REF_REGION:
		if (!pc->idx->repo->config.region)
			report(pc, "policy.reference", ref->line, ref->col,
			       "policy reference ${region} needs the region "
			       "in the config");
		break;
	case TR_POLICY_REF_ACCOUNT:
		break;
	}
	return 0;
}

static void check_text(policy_check *pc)
{
	const tr_node *n = pc->node;
	tr_policy_ref_error err;
	const char *end = NULL;
	cJSON *doc;
	int rc;

	if (!n || n->type != TR_NODE_STRING)
		return; /* the schema reports it */
	rc = tr_policy_refs_scan(n->text, n->text_len, check_ref, pc, &err);
	if (rc < 0)
		report(pc, "policy.reference", err.line, err.col, "%s",
		       err.message);
	doc = cJSON_ParseWithLengthOpts(n->text, n->text_len, &end, 0);
	if (doc) {
		while (end && end < n->text + n->text_len &&
		       strchr(" \t\r\n", *end))
			end++;
		if (end == n->text + n->text_len && cJSON_IsObject(doc)) {
			cJSON_Delete(doc);
			return;
		}
	}
	cJSON_Delete(doc);
	{
		uint32_t line = 1, col = 1;
		for (const char *p = n->text;
		     end && p < end && p < n->text + n->text_len; p++) {
			if (*p == '\n') {
				line++;
				col = 1;
			} else {
				col++;
			}
		}
		report(pc, "policy.json", line, col,
		       "the policy document is not a JSON object (the problem "
		       "is at line %u, column %u of the document)",
		       line, col);
	}
}

static void check_service_account(const tr_refs_index *idx,
				  const tr_refs_object *o, tr_diag *diag)
{
	const tr_node *ann = tr_node_get(
		tr_node_get(tr_node_get(o->doc->root, "metadata"), "annotations"),
		TR_ROLE_ARN_ANNOTATION);
	const char *arn = tr_node_str(ann);
	const char *name;

	if (!arn || !strstr(arn, ":role/"))
		return;
	name = strrchr(arn, '/') + 1;
	if (role_declared(idx, name))
		return;
	tr_diag_add(diag, TR_SEV_WARNING, "policy.role-undeclared",
		    o->doc->file, ann->line, ann->col,
		    "metadata.annotations[" TR_ROLE_ARN_ANNOTATION "]",
		    "ServiceAccount %s/%s uses IAM role %s, which no Role "
		    "(iam.services.k8s.aws) in the repository declares; "
		    "trellis does not manage it",
		    o->namespace_ ? o->namespace_ : "default", o->name, name);
}

int tr_validate_policy_refs(const tr_refs_index *idx, tr_diag *diag)
{
	for (size_t i = 0; i < idx->count; i++) {
		const tr_refs_object *o = &idx->objects[i];
		const tr_node *spec = tr_node_get(o->doc->root, "spec");
		policy_check pc = {idx, o, NULL, NULL, diag};

		if (tr_manifest_doc_is(o->doc, "application-networking.k8s.aws",
				       "IAMAuthPolicy")) {
			pc.node = tr_node_get(spec, "policy");
			pc.field = "spec.policy";
			check_text(&pc);
		} else if (tr_manifest_doc_is(o->doc, "iam.services.k8s.aws",
					      "Role")) {
			const tr_node *inl = tr_node_get(spec, "inlinePolicies");
			char field[TR_MAX_FIELD_PATH_BYTES];

			pc.node = tr_node_get(spec, "assumeRolePolicyDocument");
			pc.field = "spec.assumeRolePolicyDocument";
			check_text(&pc);
			for (size_t k = 0; inl && inl->type == TR_NODE_MAP &&
					   k < inl->count;
			     k++) {
				snprintf(field, sizeof(field),
					 "spec.inlinePolicies.%s",
					 inl->u.pairs[k].key);
				pc.node = inl->u.pairs[k].value;
				pc.field = field;
				check_text(&pc);
			}
		} else if (strcmp(o->doc->kind, "ServiceAccount") == 0 &&
			   strcmp(o->doc->api_version, "v1") == 0) {
			check_service_account(idx, o, diag);
		}
	}
	return 0;
}
