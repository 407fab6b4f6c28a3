/*
 * Client roles and auth policies in the desired model.
 *
 * A policy is kept three ways: its JSON value (what the diff compares, key
 * order and whitespace gone), the text as written under "templates" (at
 * the same path as the value), and under "references" what each ${...} in
 * it stands for: a literal (a cluster's VPC id), "ref:<address>" (the ARN
 * of a resource of this model, known once it exists) or null (the account,
 * known when the plan is made). src/policy/model.h fills them in.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "model/iam_internal.h"
#include "model/naming.h"
#include "policy/json.h"
#include "policy/refs.h"
#include "util/alloc.h"
#include "util/limits.h"
#include "util/str.h"

#define AWS_GROUP "application-networking.k8s.aws"
#define GATEWAY_GROUP "gateway.networking.k8s.io"

typedef struct iam_builder {
	tr_model *model;
	const tr_repo *repo;
	const tr_refs_index *idx;
	const char *owner;
	tr_diag *diag;
	/* the document and field being read, for messages */
	const tr_manifest_doc *doc;
	const tr_node *at;
	const char *field;
	cJSON *references;
	bool failed;
} iam_builder;

static const char *doc_ns(const tr_manifest_doc *d)
{
	return d->namespace_ && *d->namespace_ ? d->namespace_ : "default";
}

int tr_model__route_service_name(tr_buf *out, const tr_manifest_doc *route)
{
	const char *override = tr_node_get_str(
		tr_node_get(tr_node_get(route->root, "metadata"), "annotations"),
		TR_ANNOTATION_SERVICE_NAME);

	if (override)
		return tr_buf_puts(out, override);
	return tr_naming_service(out, route->name ? route->name : "",
				 doc_ns(route));
}

static void fail(iam_builder *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fail(iam_builder *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tr_diag_vadd(b->diag, TR_SEV_ERROR, "model.policy-reference",
		     b->doc->file, b->at ? b->at->line : b->doc->root->line,
		     b->at ? b->at->col : b->doc->root->col, b->field, fmt, ap);
	va_end(ap);
	b->failed = true;
}

/* The address of the service a route ${service:NS/ROUTE.arn} names, in
 * any cluster; "" (with a reason) when there is none. */
static void service_of_route(tr_buf *addr, iam_builder *b, const char *name)
{
	const char *slash = strchr(name, '/');
	char ns[TR_POLICY_MAX_REF_NAME_BYTES + 1];
	const char *kinds[] = {"HTTPRoute", "GRPCRoute"};
	bool seen = false;

	if (!slash || (size_t)(slash - name) >= sizeof(ns))
		return;
	memcpy(ns, name, (size_t)(slash - name));
	ns[slash - name] = '\0';
	for (size_t c = 0; c < b->repo->config.cluster_count; c++)
		for (size_t k = 0; k < 2; k++) {
			const tr_refs_object *o = tr_refs_find(
				b->idx, NULL, (int)c, kinds[k], ns, slash + 1);
			tr_buf svc = TR_BUF_INIT(TR_MAX_PATH_BYTES);

			if (!o)
				continue;
			seen = true;
			tr_buf_clear(addr);
			if (tr_model__route_service_name(&svc, o->doc) == 0 &&
			    tr_buf_printf(addr, "service.%s", svc.ptr) == 0 &&
			    tr_model_find(b->model, addr->ptr)) {
				tr_buf_dispose(&svc);
				return;
			}
			tr_buf_clear(addr);
			tr_buf_dispose(&svc);
		}
	if (seen)
		fail(b, "%s names route %s, which makes no VPC Lattice service "
			"(it attaches to no VPC Lattice Gateway listener)",
		     b->field, name);
	else
		fail(b, "%s names route %s, which is not in the repository",
		     b->field, name);
}

static const tr_config_cluster *cluster_named(const iam_builder *b,
					      const char *name)
{
	for (size_t i = 0; i < b->repo->config.cluster_count; i++)
		if (tr_str_eq(b->repo->config.clusters[i].name, name))
			return &b->repo->config.clusters[i];
	return NULL;
}

/* Roles are built in document order: one may name a later one. */
static bool role_declared(const iam_builder *b, const char *name)
{
	for (size_t i = 0; i < b->idx->count; i++) {
		const tr_manifest_doc *d = b->idx->objects[i].doc;
		if (tr_manifest_doc_is(d, TR_MODEL_ROLE_GROUP, "Role") &&
		    tr_str_eq(tr_node_get_str(tr_node_get(d->root, "spec"),
					      "name"),
			      name))
			return true;
	}
	return false;
}

/* What one reference stands for, into b->references. */
static int visit_ref(void *ctx, const tr_policy_ref *ref)
{
	iam_builder *b = ctx;
	tr_buf key = TR_BUF_INIT(TR_POLICY_MAX_REF_NAME_BYTES + 64);
	tr_buf addr = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	const tr_config_cluster *c;
	cJSON *value = NULL;
	const char *v = NULL;

	if (tr_buf_put(&key, ref->text, ref->len) < 0 ||
	    cJSON_GetObjectItemCaseSensitive(b->references, key.ptr))
		goto done;
	switch (ref->kind) {
	case TR_POLICY_REF_SERVICE_ARN:
		service_of_route(&addr, b, ref->name);
		if (addr.len)
			value = tr_model_ref(addr.ptr);
		break;
	case TR_POLICY_REF_SERVICENETWORK_ARN:
	case TR_POLICY_REF_ROLE_ARN:
		if (tr_buf_printf(&addr, "%s.%s",
				  ref->kind == TR_POLICY_REF_ROLE_ARN
					  ? "iam_role"
					  : "service_network",
				  ref->name) < 0)
			break;
		if (ref->kind == TR_POLICY_REF_ROLE_ARN
			    ? role_declared(b, ref->name)
			    : tr_model_find(b->model, addr.ptr) != NULL)
			value = tr_model_ref(addr.ptr);
		else
			fail(b, "%s names %s %s, which is not declared (%s)",
			     b->field,
			     ref->kind == TR_POLICY_REF_ROLE_ARN
				     ? "IAM role"
				     : "service network",
			     ref->name,
			     ref->kind == TR_POLICY_REF_ROLE_ARN
				     ? "a Role of iam.services.k8s.aws with "
				       "that spec.name"
				     : "a Gateway of that name");
		break;
	case TR_POLICY_REF_CLUSTER_VPC_ID:
	case TR_POLICY_REF_CLUSTER_OIDC_PROVIDER:
	case TR_POLICY_REF_CLUSTER_OIDC_ISSUER:
		c = cluster_named(b, ref->name);
		if (c && ref->kind == TR_POLICY_REF_CLUSTER_VPC_ID)
			v = c->vpc_id;
		else if (c && ref->kind == TR_POLICY_REF_CLUSTER_OIDC_ISSUER)
			v = c->oidc_issuer;
		else if (c && c->oidc_issuer)
			v = tr_policy_oidc_provider(c->oidc_issuer);
		if (v)
			value = cJSON_CreateString(v);
		else
			fail(b, "%s: %.*s cannot be resolved: %s", b->field,
			     (int)ref->len, ref->text,
			     !c ? "no cluster of that name in the config"
			     : ref->kind == TR_POLICY_REF_CLUSTER_VPC_ID
				     ? "the cluster has no vpcId in the config"
				     : "the cluster has no oidcIssuer in the "
				       "config");
		break;
	case TR_POLICY_REF_REGION:
		value = b->repo->config.region
				? cJSON_CreateString(b->repo->config.region)
				: cJSON_CreateNull();
		break;
	case TR_POLICY_REF_ACCOUNT:
		value = cJSON_CreateNull(); /* known when the plan is made */
		break;
	}
	if (value)
		cJSON_AddItemToObject(b->references, key.ptr, value);
done:
	tr_buf_dispose(&key);
	tr_buf_dispose(&addr);
	return 0;
}

/* A policy text as a JSON value (keys sorted); its references are
 * recorded. NULL after reporting why not. */
static cJSON *policy_value(iam_builder *b, const tr_node *n)
{
	tr_policy_ref_error err;
	char *canon = NULL;
	cJSON *v = NULL;
	int rc;

	b->at = n;
	if (!n || n->type != TR_NODE_STRING)
		return NULL; /* the schema has reported it */
	rc = tr_policy_refs_scan(n->text, n->text_len, visit_ref, b, &err);
	if (rc < 0) {
		fail(b, "%s: %s", b->field, err.message);
		return NULL;
	}
	rc = tr_policy_json_normalise(&canon, n->text, n->text_len);
	if (rc < 0) {
		fail(b, "%s is not a JSON policy document", b->field);
		return NULL;
	}
	v = cJSON_Parse(canon);
	tr_free(canon);
	return v;
}

static void add_template(cJSON *templates, const char *sub, const char *key,
			 const tr_node *n)
{
	cJSON *dst = templates;

	if (sub) {
		dst = cJSON_GetObjectItemCaseSensitive(templates, sub);
		if (!dst)
			dst = cJSON_AddObjectToObject(templates, sub);
	}
	cJSON_AddItemToObject(dst, key, cJSON_CreateString(n->text));
}

static void tag(iam_builder *b, tr_resource *r)
{
	tr_resource_set_tag(r, TR_TAG_OWNER, b->owner);
	tr_resource_set_tag(r, TR_TAG_SOURCE, b->doc->file);
	tr_resource_set_source(r, b->doc->file, b->doc->root->line);
}

/* --- roles ------------------------------------------------------------- */

/* Into a sorted array of strings (as observe lists a role's tag keys). */
static void add_sorted(cJSON *list, const char *s)
{
	cJSON *at, *item = cJSON_CreateString(s);
	int index = 0;

	cJSON_ArrayForEach(at, list)
	{
		if (strcmp(at->valuestring, s) > 0) {
			cJSON_InsertItemInArray(list, index, item);
			return;
		}
		index++;
	}
	cJSON_AddItemToArray(list, item);
}

static void build_role(iam_builder *b, const tr_manifest_doc *d)
{
	const tr_node *spec = tr_node_get(d->root, "spec");
	const char *name = tr_node_get_str(spec, "name");
	const tr_node *inl = tr_node_get(spec, "inlinePolicies");
	const tr_node *tags = tr_node_get(spec, "tags");
	const tr_node *n;
	cJSON *attrs, *templates, *keys, *v;
	tr_resource *r;
	int64_t secs;

	if (!name)
		return; /* the schema has reported it */
	b->doc = d;
	b->failed = false;
	attrs = cJSON_CreateObject();
	templates = cJSON_CreateObject();
	b->references = cJSON_CreateObject();
	cJSON_AddStringToObject(attrs, "name", name);
	if ((n = tr_node_get(spec, "description")) && tr_node_str(n))
		cJSON_AddStringToObject(attrs, "description", n->text);
	if (tr_node_get_int(spec, "maxSessionDuration", &secs))
		cJSON_AddNumberToObject(attrs, "maxSessionDuration",
					(double)secs);
	b->field = "spec.assumeRolePolicyDocument";
	n = tr_node_get(spec, "assumeRolePolicyDocument");
	if ((v = policy_value(b, n)) != NULL) {
		cJSON_AddItemToObject(attrs, "assumeRolePolicyDocument", v);
		add_template(templates, NULL, "assumeRolePolicyDocument", n);
	}
	if (inl && inl->type == TR_NODE_MAP) {
		cJSON *pols = cJSON_AddObjectToObject(attrs, "inlinePolicies");
		for (size_t i = 0; i < inl->count; i++) {
			const tr_node_pair *p = &inl->u.pairs[i];
			char field[TR_MAX_FIELD_PATH_BYTES];

			snprintf(field, sizeof(field), "spec.inlinePolicies.%s",
				 p->key);
			b->field = field;
			if ((v = policy_value(b, p->value)) != NULL) {
				cJSON_AddItemToObject(pols, p->key, v);
				add_template(templates, "inlinePolicies",
					     p->key, p->value);
			}
		}
	}
	/* Every tag key on the role, ours or declared: one that is dropped
	 * from the manifest is removed (UntagRole). */
	keys = cJSON_AddArrayToObject(attrs, "tagKeys");
	add_sorted(keys, TR_TAG_OWNER);
	add_sorted(keys, TR_TAG_SOURCE);
	for (size_t i = 0; tags && tags->type == TR_NODE_SEQ && i < tags->count;
	     i++) {
		const char *k = tr_node_get_str(tags->u.items[i], "key");
		if (k && strcmp(k, TR_TAG_OWNER) && strcmp(k, TR_TAG_SOURCE))
			add_sorted(keys, k);
	}
	cJSON_AddItemToObject(attrs, "templates", templates);
	cJSON_AddItemToObject(attrs, "references", b->references);
	b->references = NULL;
	if (b->failed) {
		cJSON_Delete(attrs);
		return;
	}
	r = tr_model_add(b->model, TR_KIND_IAM_ROLE, attrs, "%s", name);
	if (!r) {
		const tr_resource *o = NULL;
		tr_buf a = TR_BUF_INIT(TR_MAX_PATH_BYTES);
		if (tr_buf_printf(&a, "iam_role.%s", name) == 0)
			o = tr_model_find(b->model, a.ptr);
		tr_diag_add(b->diag, TR_SEV_ERROR, "model.role-name", d->file,
			    d->root->line, d->root->col, "spec.name",
			    "IAM role %s is also declared in %s:%u; a role "
			    "name is unique in the account",
			    name, o ? o->source_file : "?",
			    o ? o->source_line : 0);
		tr_buf_dispose(&a);
		return;
	}
	tag(b, r);
	for (size_t i = 0; tags && tags->type == TR_NODE_SEQ && i < tags->count;
	     i++) {
		const char *k = tr_node_get_str(tags->u.items[i], "key");
		const char *val = tr_node_get_str(tags->u.items[i], "value");
		if (k && strcmp(k, TR_TAG_OWNER) && strcmp(k, TR_TAG_SOURCE))
			tr_resource_set_tag(r, k, val ? val : "");
	}
}

/* --- auth policies ----------------------------------------------------- */

/* The address of what an IAMAuthPolicy targets, or "" after a note. */
static void policy_target(tr_buf *addr, iam_builder *b,
			  const tr_refs_object *pol)
{
	const tr_node *tref = tr_node_get(tr_node_get(pol->doc->root, "spec"),
					  "targetRef");
	const char *kind = tr_node_get_str(tref, "kind");
	const char *name = tr_node_get_str(tref, "name");
	const char *ns = tr_node_get_str(tref, "namespace");
	tr_buf svc = TR_BUF_INIT(TR_MAX_PATH_BYTES);

	tr_buf_clear(addr);
	if (!kind || !name)
		goto done;
	if (strcmp(kind, "Gateway") == 0) {
		if (tr_buf_printf(addr, "service_network.%s", name) < 0)
			tr_buf_clear(addr);
	} else {
		const tr_refs_object *route = tr_refs_find(
			b->idx, NULL, pol->cluster, kind,
			ns ? ns : pol->namespace_, name);
		if (route &&
		    (tr_model__route_service_name(&svc, route->doc) < 0 ||
		     tr_buf_printf(addr, "service.%s", svc.ptr) < 0))
			tr_buf_clear(addr);
	}
	if (addr->len && tr_model_find(b->model, addr->ptr))
		goto done;
	tr_diag_add(b->diag, TR_SEV_ERROR, "model.auth-policy-target",
		    pol->doc->file, tref ? tref->line : pol->doc->root->line,
		    tref ? tref->col : 1, "spec.targetRef",
		    "IAMAuthPolicy %s/%s targets %s %s, which makes no VPC "
		    "Lattice %s (it attaches to no VPC Lattice Gateway)",
		    pol->namespace_, pol->name, kind, name,
		    strcmp(kind, "Gateway") == 0 ? "service network"
						 : "service");
	tr_buf_clear(addr);
done:
	tr_buf_dispose(&svc);
}

static void build_auth_policy(iam_builder *b, const tr_refs_object *pol)
{
	const tr_node *n = tr_node_get(tr_node_get(pol->doc->root, "spec"),
				       "policy");
	tr_buf target = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	tr_resource *t, *r;
	cJSON *attrs = NULL, *v, *templates;
	const char *slash;

	b->doc = pol->doc;
	b->failed = false;
	b->field = "spec.policy";
	policy_target(&target, b, pol);
	if (!target.len)
		goto done;
	b->references = cJSON_CreateObject();
	v = policy_value(b, n);
	if (!v || b->failed) {
		cJSON_Delete(v);
		cJSON_Delete(b->references);
		b->references = NULL;
		goto done;
	}
	attrs = cJSON_CreateObject();
	cJSON_AddItemToObject(attrs, "resourceIdentifier",
			      tr_model_ref(target.ptr));
	cJSON_AddItemToObject(attrs, "policy", v);
	templates = cJSON_AddObjectToObject(attrs, "templates");
	add_template(templates, NULL, "policy", n);
	cJSON_AddItemToObject(attrs, "references", b->references);
	b->references = NULL;
	/* The target enforces the policy only with auth type AWS_IAM. */
	t = tr_model_find(b->model, target.ptr);
	if (t)
		cJSON_ReplaceItemInObjectCaseSensitive(
			t->attrs, "authType", cJSON_CreateString("AWS_IAM"));
	/* "service_network.x" -> "service_network/x" */
	slash = strchr(target.ptr, '.');
	r = tr_model_add(b->model, TR_KIND_AUTH_POLICY, attrs, "%.*s/%s",
			 (int)(slash - target.ptr), target.ptr, slash + 1);
	if (!r) {
		tr_buf a = TR_BUF_INIT(TR_MAX_PATH_BYTES);
		const tr_resource *o = NULL;

		if (tr_buf_printf(&a, "auth_policy.%.*s/%s",
				  (int)(slash - target.ptr), target.ptr,
				  slash + 1) == 0)
			o = tr_model_find(b->model, a.ptr);
		/* The same Gateway in two clusters may carry the same
		 * policy; two different ones cannot both hold. */
		if (!o || !tr_policy_json_equal(
				  cJSON_GetObjectItemCaseSensitive(
					  o->attrs, "templates")
					  ->child->valuestring,
				  n->text))
			tr_diag_add(b->diag, TR_SEV_ERROR,
				    "model.auth-policy-conflict",
				    pol->doc->file, n->line, n->col,
				    "spec.policy",
				    "%s gets a different auth policy from %s:%u; "
				    "a service network or service has one",
				    target.ptr, o ? o->source_file : "?",
				    o ? o->source_line : 0);
		tr_buf_dispose(&a);
		goto done;
	}
	tr_resource_set_parent(r, target.ptr);
	tag(b, r);
	tr_resource_set_source(r, pol->doc->file, pol->doc->root->line);
done:
	tr_buf_dispose(&target);
}

void tr_model__build_iam(tr_model *model, const tr_repo *repo,
			 const tr_refs_index *idx, const char *owner,
			 tr_diag *diag)
{
	iam_builder b;

	memset(&b, 0, sizeof(b));
	b.model = model;
	b.repo = repo;
	b.idx = idx;
	b.owner = owner;
	b.diag = diag;
	/* Roles first: auth policies may name them. */
	for (size_t i = 0; i < idx->count; i++)
		if (tr_manifest_doc_is(idx->objects[i].doc, TR_MODEL_ROLE_GROUP,
				       "Role"))
			build_role(&b, idx->objects[i].doc);
	for (size_t i = 0; i < idx->count; i++)
		if (tr_manifest_doc_is(idx->objects[i].doc, AWS_GROUP,
				       "IAMAuthPolicy") &&
		    idx->objects[i].doc->name)
			build_auth_policy(&b, &idx->objects[i]);
}
