/*
 * IAM roles in the observed model. IAM has no tag filter on ListRoles, so
 * every role's tags are read (GetRole, in parallel) to find the ones we
 * own; only those and the declared ones are read deeper (inline policies).
 * Policy documents come back URL-encoded; they are decoded and kept as JSON
 * values, so the diff compares them by meaning.
 */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "aws/xml.h"
#include "observe/iam_internal.h"
#include "policy/json.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/str.h"

typedef struct role_reader {
	tr_aws_client *client;
	tr_model *out;
	tr_model *desired;
	const char *owner;
	unsigned parallel;
	tr_diag *diag;
	int error;
} role_reader;

static void failed(role_reader *r, const tr_aws_error *err, const char *what)
{
	tr_buf msg = TR_BUF_INIT(TR_MAX_LINE_BYTES);

	if (!err || tr_aws_error_render(&msg, err) < 0)
		tr_buf_clear(&msg);
	tr_diag_add(r->diag, TR_SEV_ERROR, "aws.read", NULL, 0, 0, NULL,
		    "reading the current state failed: %s%s%s; no plan is "
		    "made from a partial view",
		    what, msg.len ? ": " : "", tr_buf_cstr(&msg));
	tr_buf_dispose(&msg);
	if (!r->error)
		r->error = err && err->rc ? err->rc : TR_ERROR;
}

/* A URL-encoded policy document as a JSON value with sorted keys; NULL
 * when it is not JSON (then it shows, and differs, as its text). */
static cJSON *policy_json(const char *encoded)
{
	int len = 0;
	char *text = curl_easy_unescape(NULL, encoded, 0, &len);
	char *canon = NULL;
	cJSON *v = NULL;

	if (!text)
		return cJSON_CreateString(encoded);
	if (tr_policy_json_normalise(&canon, text, (size_t)len) == 0)
		v = cJSON_Parse(canon);
	if (!v)
		v = cJSON_CreateString(text);
	tr_free(canon);
	curl_free(text);
	return v;
}

typedef struct names {
	char **v;
	size_t n, cap;
} names;

static void names_add(names *l, char *s)
{
	l->v = tr_grow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = s;
}

static void names_dispose(names *l)
{
	for (size_t i = 0; i < l->n; i++)
		tr_free(l->v[i]);
	tr_free(l->v);
}

/* Collects <member> texts at `path` of each page. */
typedef struct page_names {
	names *into;
	const char *list;   /* "ListRolesResult/Roles" */
	const char *field;  /* "RoleName", or NULL for the member's text */
} page_names;

static int on_names_page(void *ctx, const tr_aws_response *page)
{
	page_names *p = ctx;
	xmlDoc *doc = NULL;
	xmlNode *list, *m;

	if (tr_aws_xml_parse(&doc, page->body.ptr, page->body.len) < 0)
		return TR_EINVALID;
	list = tr_aws_xml_path(xmlDocGetRootElement(doc), p->list);
	for (m = list ? list->children : NULL; m; m = m->next) {
		char *s;
		if (m->type != XML_ELEMENT_NODE)
			continue;
		s = p->field ? tr_aws_xml_text_dup(m, p->field)
			     : (char *)xmlNodeGetContent(m);
		if (s && !p->field) {
			char *copy = tr_strdup(s);
			xmlFree(s);
			s = copy;
		}
		if (s)
			names_add(p->into, s);
	}
	xmlFreeDoc(doc);
	return 0;
}

static int list_names(role_reader *r, names *out, const char *op,
		      const char *role, const char *list, const char *field)
{
	tr_aws_param params[2] = {{"MaxItems", "1000"}, {"RoleName", role}};
	tr_aws_call call = {TR_AWS_IAM, op, NULL, 0, params, role ? 2 : 1,
			    NULL, 0};
	page_names p = {out, list, field};
	tr_aws_error err;
	int rc;

	tr_aws_error_init(&err);
	rc = tr_aws_client_paginate(r->client, &call, on_names_page, &p, &err);
	if (rc < 0)
		failed(r, err.kind == TR_AWS_ERR_NONE ? NULL : &err, op);
	tr_aws_error_dispose(&err);
	return rc;
}

/* One read-only IAM call per role (or per role and policy) in parallel;
 * replies[i] is the parsed XML, or NULL when the entity is gone. */
static xmlDoc **call_each(role_reader *r, const char *op,
			  tr_aws_param (*params)[2], size_t nparams, size_t n)
{
	tr_aws_call *calls = tr_calloc(n + 1, sizeof(*calls));
	tr_aws_response *outs = tr_calloc(n + 1, sizeof(*outs));
	tr_aws_error *errs = tr_calloc(n + 1, sizeof(*errs));
	xmlDoc **docs = tr_calloc(n + 1, sizeof(*docs));

	for (size_t i = 0; i < n; i++) {
		calls[i] = (tr_aws_call){TR_AWS_IAM, op, NULL, 0, params[i],
					 nparams, NULL, 0};
		tr_aws_response_init(&outs[i]);
		tr_aws_error_init(&errs[i]);
	}
	/* Failures are read per call from errs below. */
	if (n && tr_aws_client_call_many(outs, errs, r->client, calls, n,
					 r->parallel) < 0 &&
	    !r->error) {
		bool any = false;
		for (size_t i = 0; i < n; i++)
			any |= errs[i].kind != TR_AWS_ERR_NONE;
		if (!any)
			r->error = TR_ERROR;
	}
	for (size_t i = 0; i < n; i++) {
		if (errs[i].kind == TR_AWS_ERR_NONE) {
			if (tr_aws_xml_parse(&docs[i], outs[i].body.ptr,
					     outs[i].body.len) < 0) {
				failed(r, NULL, op);
				docs[i] = NULL;
			}
		} else if (errs[i].rc != TR_ENOTFOUND) {
			failed(r, &errs[i], op);
		}
		tr_aws_response_dispose(&outs[i]);
		tr_aws_error_dispose(&errs[i]);
	}
	tr_free(calls);
	tr_free(outs);
	tr_free(errs);
	return docs;
}

static void free_docs(xmlDoc **docs, size_t n)
{
	for (size_t i = 0; docs && i < n; i++)
		xmlFreeDoc(docs[i]);
	tr_free(docs);
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The role as a resource (without inline policies); NULL when not ours
 * nor declared. */
static tr_resource *role_resource(role_reader *r, const xmlNode *role)
{
	char *name = tr_aws_xml_text_dup(role, "RoleName");
	char *arn = tr_aws_xml_text_dup(role, "Arn");
	char *desc = tr_aws_xml_text_dup(role, "Description");
	char *secs = tr_aws_xml_text_dup(role, "MaxSessionDuration");
	char *trust = tr_aws_xml_text_dup(role, "AssumeRolePolicyDocument");
	xmlNode *tags = tr_aws_xml_child(role, "Tags"), *m;
	tr_buf addr = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	const char **keys = NULL;
	size_t nkeys = 0, cap = 0;
	cJSON *attrs = NULL, *tagobj = cJSON_CreateObject(), *list;
	const char *owner;
	tr_resource *res = NULL;
	int64_t n;

	for (m = tags ? tags->children : NULL; m; m = m->next) {
		char *k, *v;
		if (m->type != XML_ELEMENT_NODE)
			continue;
		k = tr_aws_xml_text_dup(m, "Key");
		v = tr_aws_xml_text_dup(m, "Value");
		if (k)
			cJSON_AddStringToObject(tagobj, k, v ? v : "");
		tr_free(k);
		tr_free(v);
	}
	owner = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(tagobj, TR_TAG_OWNER));
	if (!name || tr_buf_printf(&addr, "iam_role.%s", name) < 0 ||
	    (!tr_str_eq(owner, r->owner) && !tr_model_find(r->desired, addr.ptr)))
		goto done;
	attrs = cJSON_CreateObject();
	cJSON_AddStringToObject(attrs, "name", name);
	if (desc)
		cJSON_AddStringToObject(attrs, "description", desc);
	if (secs && tr_str_to_i64(&n, secs, 0, INT64_MAX) == 0)
		cJSON_AddNumberToObject(attrs, "maxSessionDuration", (double)n);
	if (trust)
		cJSON_AddItemToObject(attrs, "assumeRolePolicyDocument",
				      policy_json(trust));
	{
		const cJSON *t;
		cJSON_ArrayForEach(t, tagobj)
		{
			keys = tr_grow(keys, &cap, nkeys + 1, sizeof(*keys));
			keys[nkeys++] = t->string;
		}
	}
	if (nkeys > 1)
		qsort(keys, nkeys, sizeof(*keys), compare_strings);
	list = cJSON_AddArrayToObject(attrs, "tagKeys");
	for (size_t i = 0; i < nkeys; i++)
		cJSON_AddItemToArray(list, cJSON_CreateString(keys[i]));
	res = tr_model_add(r->out, TR_KIND_IAM_ROLE, attrs, "%s", name);
	if (!res)
		goto done;
	cJSON_Delete(res->tags);
	res->tags = tagobj;
	tagobj = NULL;
	res->id = tr_strdup(name); /* IAM calls name roles by name */
	res->arn = arn ? tr_strdup(arn) : NULL;
done:
	tr_buf_dispose(&addr);
	cJSON_Delete(tagobj);
	tr_free(keys);
	tr_free(name);
	tr_free(arn);
	tr_free(desc);
	tr_free(secs);
	tr_free(trust);
	return res;
}

static void read_inline_policies(role_reader *r, char **roles, size_t n)
{
	names *pols = tr_calloc(n + 1, sizeof(*pols));
	tr_aws_param(*params)[2] = NULL;
	size_t total = 0, k = 0;
	xmlDoc **docs = NULL;

	for (size_t i = 0; i < n && !r->error; i++) {
		(void)list_names(r, &pols[i], "ListRolePolicies", roles[i],
				 "ListRolePoliciesResult/PolicyNames", NULL);
		total += pols[i].n;
	}
	if (r->error)
		goto done;
	params = tr_calloc(total + 1, sizeof(*params));
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < pols[i].n; j++, k++) {
			params[k][0] = (tr_aws_param){"RoleName", roles[i]};
			params[k][1] = (tr_aws_param){"PolicyName", pols[i].v[j]};
		}
	docs = call_each(r, "GetRolePolicy", params, 2, total);
	k = 0;
	for (size_t i = 0; i < n; i++) {
		tr_buf addr = TR_BUF_INIT(TR_MAX_PATH_BYTES);
		tr_resource *res = NULL;
		cJSON *obj = NULL;

		if (tr_buf_printf(&addr, "iam_role.%s", roles[i]) == 0)
			res = tr_model_find(r->out, addr.ptr);
		if (res && pols[i].n)
			obj = cJSON_AddObjectToObject(res->attrs,
						      "inlinePolicies");
		for (size_t j = 0; j < pols[i].n; j++, k++) {
			char *doc = docs[k] ? tr_aws_xml_text_dup(
						      xmlDocGetRootElement(docs[k]),
						      "GetRolePolicyResult/"
						      "PolicyDocument")
					    : NULL;
			if (obj && doc)
				cJSON_AddItemToObject(obj, pols[i].v[j],
						      policy_json(doc));
			tr_free(doc);
		}
		tr_buf_dispose(&addr);
	}
done:
	free_docs(docs, total);
	tr_free(params);
	for (size_t i = 0; i < n; i++)
		names_dispose(&pols[i]);
	tr_free(pols);
}

int tr_observe__roles(tr_model *out, tr_aws_client *client,
		      tr_model *desired, const char *owner, unsigned parallel,
		      tr_diag *diag)
{
	role_reader r = {client, out, desired, owner, parallel, diag, 0};
	names all = {0};
	char **kept = NULL;
	size_t nkept = 0;
	tr_aws_param(*params)[2] = NULL;
	xmlDoc **docs = NULL;

	if (list_names(&r, &all, "ListRoles", NULL, "ListRolesResult/Roles",
		       "RoleName") < 0)
		goto done;
	params = tr_calloc(all.n + 1, sizeof(*params));
	for (size_t i = 0; i < all.n; i++)
		params[i][0] = (tr_aws_param){"RoleName", all.v[i]};
	/* GetRole, not ListRoles' items: only it carries the tags. */
	docs = call_each(&r, "GetRole", params, 1, all.n);
	kept = tr_calloc(all.n + 1, sizeof(*kept));
	for (size_t i = 0; i < all.n && !r.error; i++) {
		const xmlNode *role =
			docs[i] ? tr_aws_xml_path(xmlDocGetRootElement(docs[i]),
						  "GetRoleResult/Role")
				: NULL;
		if (role && role_resource(&r, role))
			kept[nkept++] = all.v[i];
	}
	if (!r.error && nkept)
		read_inline_policies(&r, kept, nkept);
done:
	free_docs(docs, all.n);
	tr_free(params);
	tr_free(kept);
	names_dispose(&all);
	return r.error;
}
