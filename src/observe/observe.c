#include "observe/observe.h"
#include "observe/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "observe/iam_internal.h"
#include "policy/json.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/str.h"
#include "util/strmap.h"

#define PAGE_SIZE "100"

typedef struct id_entry {
	char *id;
	char *address;
} id_entry;

typedef struct reader {
	tr_aws_client *client;
	tr_model *out;
	tr_model *desired;
	const tr_config *cfg;
	const char *owner;
	unsigned parallel;
	tr_diag *diag;
	int error;
	id_entry *ids;   /* AWS id -> address, for references */
	size_t nids;
	size_t ids_cap;
	bool ids_sorted;
	char *last_failure; /* parallel reads failing alike say it once */
	tr_observe_owned_tags owned; /* bulk tags of the owner's resources */
	tr_observe_cache *cache;     /* NULL: no read cache */
	tr_strmap updated;           /* ARN -> lastUpdatedAt (owned copy) of
				      * services and networks, for the cache */
} reader;

/* --- helpers ---------------------------------------------------------- */

static void aws_failed(reader *r, const tr_aws_error *err)
{
	tr_buf msg = TR_BUF_INIT(TR_MAX_LINE_BYTES);

	if (tr_aws_error_render(&msg, err) < 0)
		tr_buf_clear(&msg);
	if (!r->last_failure || strcmp(r->last_failure, tr_buf_cstr(&msg))) {
		tr_diag_add(r->diag, TR_SEV_ERROR, "aws.read", NULL, 0, 0, NULL,
			    "reading the current state failed: %s; no plan "
			    "is made from a partial view",
			    tr_buf_cstr(&msg));
		tr_free(r->last_failure);
		r->last_failure = tr_strdup(tr_buf_cstr(&msg));
	}
	tr_buf_dispose(&msg);
	if (!r->error)
		r->error = err->rc ? err->rc : TR_ERROR;
}

static void remember_id(reader *r, const char *id, const char *address)
{
	if (!id)
		return;
	r->ids = tr_grow(r->ids, &r->ids_cap, r->nids + 1, sizeof(*r->ids));
	r->ids[r->nids].id = tr_strdup(id);
	r->ids[r->nids].address = tr_strdup(address);
	r->nids++;
	r->ids_sorted = false;
}

static int compare_ids(const void *a, const void *b)
{
	return strcmp(((const id_entry *)a)->id, ((const id_entry *)b)->id);
}

/* "ref:<address>" for a known id (or ARN), else the id itself: a foreign
 * target group stays visible as what it is. */
static cJSON *ref_for_id(reader *r, const char *id)
{
	id_entry key = {(char *)id, NULL};
	const id_entry *hit;

	if (!id)
		return cJSON_CreateNull();
	if (!r->ids_sorted) {
		if (r->nids > 1)
			qsort(r->ids, r->nids, sizeof(*r->ids), compare_ids);
		r->ids_sorted = true;
	}
	hit = r->nids ? bsearch(&key, r->ids, r->nids, sizeof(*r->ids),
				compare_ids)
		      : NULL;
	return hit ? tr_model_ref(hit->address) : cJSON_CreateString(id);
}

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static cJSON *jdup(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return v ? cJSON_Duplicate(v, true) : NULL;
}

static void put(cJSON *o, const char *key, cJSON *v)
{
	if (v)
		cJSON_AddItemToObject(o, key, v);
}

/* Is "<kind>.<name>" declared? */
static bool desired_has(reader *r, const char *kind, const char *name)
{
	tr_buf a = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	bool found;

	found = name && tr_buf_printf(&a, "%s.%s", kind, name) == 0 &&
		tr_model_find(r->desired, a.ptr) != NULL;
	tr_buf_dispose(&a);
	return found;
}

typedef struct page_acc {
	const char *op;
	cJSON *items;
	int error;
	char why[160]; /* what was wrong with the reply, for the user */
} page_acc;

/* A List reply must be {"items": [{"id": "...", "arn": "..."}, ...]}: a
 * hostile or broken endpoint gets a clear error, not a plan built on a
 * half-read account. ListTargets items have no ARN. */
static const char *bad_item(const page_acc *acc, const cJSON *item)
{
	const cJSON *arn = cJSON_GetObjectItemCaseSensitive(item, "arn");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(item, "name");

	if (!cJSON_IsObject(item))
		return "holds an item that is not an object";
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(item, "id")))
		return "holds an item without a string \"id\"";
	if (arn ? !cJSON_IsString(arn) : strcmp(acc->op, "ListTargets") != 0)
		return "holds an item without a string \"arn\"";
	if (name && !cJSON_IsString(name))
		return "holds an item whose \"name\" is not a string";
	return NULL;
}

static int on_page(void *ctx, const tr_aws_response *page)
{
	page_acc *acc = ctx;
	cJSON *doc = cJSON_ParseWithLength(page->body.ptr, page->body.len);
	cJSON *items = cJSON_GetObjectItemCaseSensitive(doc, "items");
	cJSON *item;
	const char *why = NULL;

	if (!doc)
		why = page->body.len ? "is not JSON" : "is empty";
	else if (!cJSON_IsArray(items))
		why = "has no \"items\" list";
	for (item = why ? NULL : items->child; item && !why; item = item->next)
		why = bad_item(acc, item);
	if (why) {
		snprintf(acc->why, sizeof(acc->why), "the reply %s (%zu bytes)",
			 why, page->body.len);
		cJSON_Delete(doc);
		acc->error = TR_EINVALID;
		return TR_EINVALID;
	}
	while ((item = cJSON_DetachItemFromArray(items, 0)) != NULL)
		cJSON_AddItemToArray(acc->items, item);
	cJSON_Delete(doc);
	return 0;
}

/* Every item of a paginated Lattice List call; NULL on failure. */
static cJSON *list_all(reader *r, const char *op, const char *const *labels,
		       size_t nlabels, const char *filter_name,
		       const char *filter_value)
{
	tr_aws_param params[2] = {{"maxResults", PAGE_SIZE}, {NULL, NULL}};
	tr_aws_call call = {TR_AWS_LATTICE, op, labels, nlabels, params, 1,
			    NULL, 0};
	page_acc acc = {op, cJSON_CreateArray(), 0, ""};
	tr_aws_error err;

	if (filter_name) {
		params[1].name = filter_name;
		params[1].value = filter_value;
		call.param_count = 2;
	}
	tr_aws_error_init(&err);
	if (tr_aws_client_paginate(r->client, &call, on_page, &acc, &err) < 0) {
		if (acc.error)
			tr_diag_add(r->diag, TR_SEV_ERROR, "aws.read", NULL, 0,
				    0, NULL, "reading the current state failed: "
				    "vpc-lattice %s: %s; no plan is made "
				    "from a partial view", op, acc.why);
		else
			aws_failed(r, &err);
		if (!r->error)
			r->error = TR_EINVALID;
		cJSON_Delete(acc.items);
		acc.items = NULL;
	}
	tr_aws_error_dispose(&err);
	return acc.items;
}

/* One read per label set, in parallel; replies[i] is the parsed body or
 * NULL (on failure the reader records the error). A 404 is "gone" and
 * not an error: the resource disappeared between list and get. */
typedef struct batch_call {
	const char *labels[3];
	size_t nlabels;
} batch_call;

/* What the readers take from a reply of get_many: an object, and from a
 * resource's Get its string "id" and "arn" (children are listed by the id)
 * and "name" (the address), which every such Get has but the VPC
 * association's; else why the reply is refused. */
static const char *bad_get_reply(const char *op, const cJSON *reply)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(reply, "name");

	if (!cJSON_IsObject(reply))
		return "is not a JSON object";
	if (strncmp(op, "Get", 3) != 0 || strcmp(op, "GetAuthPolicy") == 0)
		return NULL;
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(reply, "id")))
		return "has no string \"id\"";
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(reply, "arn")))
		return "has no string \"arn\"";
	if (name ? !cJSON_IsString(name)
		 : strcmp(op, "GetServiceNetworkVpcAssociation") != 0)
		return "has no string \"name\"";
	return NULL;
}

static cJSON **get_many(reader *r, const char *op, const batch_call *bc,
			size_t n)
{
	tr_aws_call *calls = tr_calloc(n + 1, sizeof(*calls));
	tr_aws_response *outs = tr_calloc(n + 1, sizeof(*outs));
	tr_aws_error *errs = tr_calloc(n + 1, sizeof(*errs));
	cJSON **replies = tr_calloc(n + 1, sizeof(*replies));

	for (size_t i = 0; i < n; i++) {
		calls[i] = (tr_aws_call){TR_AWS_LATTICE, op, bc[i].labels,
					 bc[i].nlabels, NULL, 0, NULL, 0};
		tr_aws_response_init(&outs[i]);
		tr_aws_error_init(&errs[i]);
	}
	/* Failures are read per call from errs below. */
	if (n && tr_aws_client_call_many(outs, errs, r->client, calls, n,
					 r->parallel) < 0 &&
	    r->error == 0) {
		bool any = false;
		for (size_t i = 0; i < n; i++)
			any |= errs[i].kind != TR_AWS_ERR_NONE;
		if (!any)
			r->error = TR_ERROR;
	}
	for (size_t i = 0; i < n; i++) {
		if (errs[i].kind == TR_AWS_ERR_NONE) {
			replies[i] = cJSON_ParseWithLength(outs[i].body.ptr,
							   outs[i].body.len);
			const char *why = replies[i]
				? bad_get_reply(op, replies[i])
				: "is not JSON";

			if (why) {
				tr_diag_add(r->diag, TR_SEV_ERROR, "aws.read",
					    NULL, 0, 0, NULL,
					    "vpc-lattice %s: the reply %s "
					    "(%zu bytes)",
					    op, why, outs[i].body.len);
				cJSON_Delete(replies[i]);
				replies[i] = NULL;
				r->error = TR_EINVALID;
			}
		} else if (errs[i].rc != TR_ENOTFOUND) {
			aws_failed(r, &errs[i]);
		}
		tr_aws_response_dispose(&outs[i]);
		tr_aws_error_dispose(&errs[i]);
	}
	tr_free(calls);
	tr_free(outs);
	tr_free(errs);
	return replies;
}

/*
 * Get replies for List summaries: from the read cache when a summary's
 * lastUpdatedAt is the one cached and its status, if it has one, is
 * ACTIVE (as a cached reply's always is), else read in parallel and
 * offered to the cache.
 */
static cJSON **get_cached(reader *r, const char *op, const batch_call *bc,
			  const cJSON *const *summaries, size_t n)
{
	batch_call *miss = tr_calloc(n + 1, sizeof(*miss));
	size_t *slot = tr_calloc(n + 1, sizeof(*slot));
	cJSON **replies = tr_calloc(n + 1, sizeof(*replies));
	cJSON **read;
	size_t nm = 0;

	for (size_t i = 0; i < n; i++) {
		const char *status = jstr(summaries[i], "status");
		const cJSON *hit = NULL;

		if (!status || strcmp(status, "ACTIVE") == 0)
			hit = tr_observe__cache_get(
				r->cache, op, jstr(summaries[i], "arn"),
				jstr(summaries[i], "lastUpdatedAt"));
		if (hit) {
			replies[i] = cJSON_Duplicate(hit, true);
			continue;
		}
		miss[nm] = bc[i];
		slot[nm++] = i;
	}
	read = get_many(r, op, miss, nm);
	for (size_t k = 0; k < nm; k++) {
		replies[slot[k]] = read[k];
		if (read[k] && !r->error)
			tr_observe__cache_put(r->cache, op,
					      jstr(read[k], "arn"), read[k]);
	}
	tr_free(read);
	tr_free(slot);
	tr_free(miss);
	return replies;
}

static void remember_updated(reader *r, const cJSON *reply)
{
	const char *arn = jstr(reply, "arn");
	const char *at = jstr(reply, "lastUpdatedAt");

	if (arn && at && !tr_strmap_get(&r->updated, arn))
		tr_strmap_put(&r->updated, arn, tr_strdup(at));
}

static void free_replies(cJSON **replies, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cJSON_Delete(replies[i]);
	tr_free(replies);
}

/* Tags of each ARN ({"tags": {...}}, as ListTagsForResource answers):
 * from the owner's bulk set when the ARN is in it, else read on its own,
 * in parallel. Only what is not ours (or not indexed yet) costs a read. */
static cJSON **tags_of(reader *r, const char *const *arns, size_t n)
{
	batch_call *bc = tr_calloc(n + 1, sizeof(*bc));
	size_t *slot = tr_calloc(n + 1, sizeof(*slot));
	cJSON **replies = tr_calloc(n + 1, sizeof(*replies));
	cJSON **read;
	size_t nr = 0;

	for (size_t i = 0; i < n; i++) {
		const cJSON *t = tr_observe__owned_tags_get(&r->owned, arns[i]);

		if (t) {
			replies[i] = cJSON_CreateObject();
			cJSON_AddItemToObject(replies[i], "tags",
					      cJSON_Duplicate(t, true));
			continue;
		}
		bc[nr].labels[0] = arns[i];
		bc[nr].nlabels = 1;
		slot[nr++] = i;
	}
	read = get_many(r, "ListTagsForResource", bc, nr);
	for (size_t k = 0; k < nr; k++)
		replies[slot[k]] = read[k];
	tr_free(read);
	tr_free(slot);
	tr_free(bc);
	return replies;
}

static const char *owner_in(const cJSON *tag_reply)
{
	return jstr(cJSON_GetObjectItemCaseSensitive(tag_reply, "tags"),
		    TR_TAG_OWNER);
}

static tr_resource *add(reader *r, tr_kind kind, cJSON *attrs,
			const cJSON *summary, const char *key)
{
	tr_resource *res = tr_model_add(r->out, kind, attrs, "%s", key);

	if (!res)
		return NULL; /* two AWS objects at one address: keep the first */
	res->id = jstr(summary, "id") ? tr_strdup(jstr(summary, "id")) : NULL;
	res->arn = jstr(summary, "arn") ? tr_strdup(jstr(summary, "arn")) : NULL;
	res->status = jstr(summary, "status") ? tr_strdup(jstr(summary, "status"))
					      : NULL;
	remember_id(r, res->id, res->address);
	remember_id(r, res->arn, res->address);
	return res;
}

static void set_tags(tr_resource *res, const cJSON *tag_reply)
{
	const cJSON *tags = cJSON_GetObjectItemCaseSensitive(tag_reply, "tags");

	if (cJSON_IsObject(tags)) {
		cJSON_Delete(res->tags);
		res->tags = cJSON_Duplicate(tags, true);
	}
}

static void inherit_owner(tr_resource *res, const char *owner)
{
	if (owner)
		tr_resource_set_tag(res, TR_TAG_OWNER, owner);
	res->tags_inherited = true;
}

static const char *cluster_of_vpc(const reader *r, const char *vpc)
{
	for (size_t i = 0; vpc && i < r->cfg->cluster_count; i++)
		if (tr_str_eq(r->cfg->clusters[i].vpc_id, vpc))
			return r->cfg->clusters[i].name;
	return vpc;
}

/* --- service networks and their VPC associations ----------------------- */

typedef struct kept {
	const cJSON *item;
	const char *owner;
} kept;

static void read_networks(reader *r, cJSON *networks, cJSON **sn_list_out)
{
	size_t n = (size_t)cJSON_GetArraySize(networks);
	const char **arns = tr_calloc(n + 1, sizeof(*arns));
	cJSON **tags;
	batch_call *bc = tr_calloc(n + 1, sizeof(*bc));
	cJSON **gets;
	size_t i = 0, nk = 0;
	const cJSON *item;
	kept *keep = tr_calloc(n + 1, sizeof(*keep));

	*sn_list_out = cJSON_CreateArray();
	cJSON_ArrayForEach(item, networks) arns[i++] = jstr(item, "arn");
	tags = tags_of(r, arns, n);
	i = 0;
	cJSON_ArrayForEach(item, networks)
	{
		const char *owner = owner_in(tags[i]);
		/* Ours, or declared (the plan decides whether that is a
		 * collision with someone else's). */
		if (tr_str_eq(owner, r->owner) ||
		    desired_has(r, "service_network", jstr(item, "name"))) {
			keep[nk].item = item;
			keep[nk].owner = owner;
			bc[nk].labels[0] = jstr(item, "id");
			bc[nk].nlabels = 1;
			nk++;
		}
		i++;
	}
	gets = get_many(r, "GetServiceNetwork", bc, nk);
	for (size_t k = 0; k < nk; k++) {
		cJSON *attrs;
		tr_resource *res;
		size_t t;

		if (!gets[k])
			continue;
		remember_updated(r, gets[k]);
		attrs = cJSON_CreateObject();
		put(attrs, "name", jdup(gets[k], "name"));
		put(attrs, "authType", jdup(gets[k], "authType"));
		res = add(r, TR_KIND_SERVICE_NETWORK, attrs, gets[k],
			  jstr(gets[k], "name"));
		if (!res)
			continue;
		for (t = 0; t < n && arns[t] != jstr(keep[k].item, "arn"); t++)
			;
		if (t < n)
			set_tags(res, tags[t]);
		cJSON_AddItemToArray(*sn_list_out,
				     cJSON_Duplicate(gets[k], true));
	}
	free_replies(gets, nk);
	free_replies(tags, n);
	tr_free(bc);
	tr_free(arns);
	tr_free(keep);
}

static void read_vpc_associations(reader *r, const cJSON *sn)
{
	const char *sn_name = jstr(sn, "name");
	cJSON *items = list_all(r, "ListServiceNetworkVpcAssociations", NULL, 0,
				"serviceNetworkIdentifier", jstr(sn, "id"));
	size_t n = (size_t)cJSON_GetArraySize(items);
	batch_call *bc = tr_calloc(n + 1, sizeof(*bc));
	const char **arns = tr_calloc(n + 1, sizeof(*arns));
	cJSON **gets, **tags;
	const cJSON *item;
	size_t i = 0;
	tr_buf sn_addr = TR_BUF_INIT(TR_MAX_PATH_BYTES);

	if (!items)
		goto done;
	if (tr_buf_printf(&sn_addr, "service_network.%s", sn_name) < 0)
		goto done;
	cJSON_ArrayForEach(item, items)
	{
		bc[i].labels[0] = jstr(item, "id");
		bc[i].nlabels = 1;
		arns[i] = jstr(item, "arn");
		i++;
	}
	gets = get_many(r, "GetServiceNetworkVpcAssociation", bc, n);
	tags = tags_of(r, arns, n);
	for (i = 0; i < n; i++) {
		cJSON *attrs;
		tr_resource *res;
		tr_buf key = TR_BUF_INIT(TR_MAX_PATH_BYTES);

		if (!gets[i] ||
		    tr_buf_printf(&key, "%s/%s", sn_name,
				  cluster_of_vpc(r, jstr(gets[i],
							 "vpcId"))) < 0) {
			tr_buf_dispose(&key);
			continue;
		}
		attrs = cJSON_CreateObject();
		cJSON_AddItemToObject(attrs, "serviceNetworkIdentifier",
				      tr_model_ref(sn_addr.ptr));
		put(attrs, "vpcIdentifier", jdup(gets[i], "vpcId"));
		put(attrs, "securityGroupIds", jdup(gets[i], "securityGroupIds"));
		res = add(r, TR_KIND_SN_VPC_ASSOCIATION, attrs, gets[i], key.ptr);
		if (res) {
			tr_resource_set_parent(res, sn_addr.ptr);
			set_tags(res, tags[i]);
		}
		tr_buf_dispose(&key);
	}
	free_replies(gets, n);
	free_replies(tags, n);
done:
	tr_buf_dispose(&sn_addr);
	tr_free(bc);
	tr_free(arns);
	cJSON_Delete(items);
}

/* --- target groups ----------------------------------------------------- */

static bool in_cluster_vpc(const reader *r, const char *vpc)
{
	for (size_t i = 0; vpc && i < r->cfg->cluster_count; i++)
		if (tr_str_eq(r->cfg->clusters[i].vpc_id, vpc))
			return true;
	return false;
}

static void read_target_groups(reader *r)
{
	cJSON *items = list_all(r, "ListTargetGroups", NULL, 0, NULL, NULL);
	size_t n = (size_t)cJSON_GetArraySize(items), nk = 0;
	batch_call *bc = tr_calloc(n + 1, sizeof(*bc));
	const char **arns = tr_calloc(n + 1, sizeof(*arns));
	const cJSON **sums = tr_calloc(n + 1, sizeof(*sums));
	cJSON **gets, **tags;
	const cJSON *item;

	if (!items)
		goto done;
	cJSON_ArrayForEach(item, items)
	{
		if (!desired_has(r, "target_group", jstr(item, "name")) &&
		    !in_cluster_vpc(r, jstr(item, "vpcIdentifier")))
			continue;
		bc[nk].labels[0] = jstr(item, "id");
		bc[nk].nlabels = 1;
		arns[nk] = jstr(item, "arn");
		sums[nk] = item;
		nk++;
	}
	gets = get_cached(r, "GetTargetGroup", bc, sums, nk);
	tags = tags_of(r, arns, nk);
	for (size_t i = 0; i < nk; i++) {
		cJSON *attrs, *config;
		const cJSON *c;
		tr_resource *res;

		if (!gets[i])
			continue;
		c = cJSON_GetObjectItemCaseSensitive(gets[i], "config");
		attrs = cJSON_CreateObject();
		put(attrs, "name", jdup(gets[i], "name"));
		put(attrs, "type", jdup(gets[i], "type"));
		config = cJSON_AddObjectToObject(attrs, "config");
		put(config, "port", jdup(c, "port"));
		put(config, "protocol", jdup(c, "protocol"));
		put(config, "protocolVersion", jdup(c, "protocolVersion"));
		put(config, "vpcIdentifier", jdup(c, "vpcIdentifier"));
		put(config, "ipAddressType", jdup(c, "ipAddressType"));
		put(config, "healthCheck", jdup(c, "healthCheck"));
		res = add(r, TR_KIND_TARGET_GROUP, attrs, gets[i],
			  jstr(gets[i], "name"));
		if (res)
			set_tags(res, tags[i]);
	}
	free_replies(gets, nk);
	free_replies(tags, nk);
done:
	tr_free(bc);
	tr_free(arns);
	tr_free(sums);
	cJSON_Delete(items);
}

/* Targets of our target groups whose desired targets are known (or that
 * are not declared any more, so pruning empties them first). DRAINING
 * targets are leaving already: they are not part of the set. */
static int compare_members(const void *pa, const void *pb)
{
	const cJSON *a = *(const cJSON *const *)pa, *b = *(const cJSON *const *)pb;
	int c = strcmp(jstr(a, "id") ? jstr(a, "id") : "",
		       jstr(b, "id") ? jstr(b, "id") : "");
	double pa_ = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(a, "port"));
	double pb_ = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(b, "port"));

	return c ? c : (pa_ < pb_ ? -1 : pa_ > pb_);
}

static void read_targets(reader *r)
{
	size_t n = 0;
	char **names = tr_calloc(r->out->count + 1, sizeof(*names));
	char **ids = tr_calloc(r->out->count + 1, sizeof(*ids));

	for (size_t i = 0; i < r->out->count; i++) {
		const tr_resource *tg = &r->out->resources[i];
		const cJSON *owner = cJSON_GetObjectItemCaseSensitive(
			tg->tags, TR_TAG_OWNER);
		tr_buf a = TR_BUF_INIT(TR_MAX_PATH_BYTES);
		const tr_resource *want;
		bool read;

		if (tg->kind != TR_KIND_TARGET_GROUP || !tg->id || !tg->name ||
		    !cJSON_IsString(owner) ||
		    !tr_str_eq(owner->valuestring, r->owner) ||
		    tr_buf_printf(&a, "targets.%s", tg->name) < 0) {
			tr_buf_dispose(&a);
			continue;
		}
		want = tr_model_find(r->desired, a.ptr);
		read = want ? cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(
				      want->attrs, "targets"))
			    : !desired_has(r, "target_group", tg->name);
		tr_buf_dispose(&a);
		if (!read)
			continue;
		names[n] = tr_strdup(tg->name);
		ids[n] = tr_strdup(tg->id);
		n++;
	}
	for (size_t i = 0; i < n && !r->error; i++) {
		const char *labels[1] = {ids[i]};
		cJSON *items = list_all(r, "ListTargets", labels, 1, NULL, NULL);
		cJSON *attrs, *list, *item;
		cJSON **sorted;
		size_t count = 0;
		tr_buf tg_addr = TR_BUF_INIT(TR_MAX_PATH_BYTES);
		tr_resource *res;

		if (!items)
			break;
		sorted = tr_calloc((size_t)cJSON_GetArraySize(items) + 1,
				   sizeof(*sorted));
		cJSON_ArrayForEach(item, items)
		{
			if (!tr_str_eq(jstr(item, "status"), "DRAINING") &&
			    jstr(item, "id"))
				sorted[count++] = item;
		}
		if (count > 1)
			qsort(sorted, count, sizeof(*sorted), compare_members);
		attrs = cJSON_CreateObject();
		if (tr_buf_printf(&tg_addr, "target_group.%s", names[i]) == 0)
			cJSON_AddItemToObject(attrs, "targetGroupIdentifier",
					      tr_model_ref(tg_addr.ptr));
		list = cJSON_AddArrayToObject(attrs, "targets");
		for (size_t k = 0; k < count; k++) {
			cJSON *m = cJSON_CreateObject();
			put(m, "id", jdup(sorted[k], "id"));
			put(m, "port", jdup(sorted[k], "port"));
			cJSON_AddItemToArray(list, m);
		}
		res = tr_model_add(r->out, TR_KIND_TARGETS, attrs, "%s", names[i]);
		if (res) {
			tr_resource_set_parent(res, tg_addr.ptr);
			inherit_owner(res, r->owner);
		}
		tr_free(sorted);
		tr_buf_dispose(&tg_addr);
		cJSON_Delete(items);
	}
	for (size_t i = 0; i < n; i++) {
		tr_free(names[i]);
		tr_free(ids[i]);
	}
	tr_free(names);
	tr_free(ids);
}

/* --- services and what hangs on them ----------------------------------- */

typedef struct service_ref {
	const char *id;
	const char *name;
	const char *owner;
	tr_buf addr;
} service_ref;


static void read_rules(reader *r, const service_ref *svc, const char *lid,
		       const char *laddr, const char *lkey)
{
	const char *labels[2] = {svc->id, lid};
	cJSON *items = list_all(r, "ListRules", labels, 2, NULL, NULL);
	size_t n = (size_t)cJSON_GetArraySize(items), nk = 0;
	batch_call *bc = tr_calloc(n + 1, sizeof(*bc));
	const cJSON **sums = tr_calloc(n + 1, sizeof(*sums));
	cJSON **gets;
	const cJSON *item;
	size_t prefix = strlen(svc->name);

	if (!items)
		goto done;
	cJSON_ArrayForEach(item, items)
	{
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(item,
								  "isDefault")))
			continue;
		bc[nk].labels[0] = svc->id;
		bc[nk].labels[1] = lid;
		bc[nk].labels[2] = jstr(item, "id");
		bc[nk].nlabels = 3;
		sums[nk] = item;
		nk++;
	}
	gets = get_cached(r, "GetRule", bc, sums, nk);
	for (size_t i = 0; i < nk; i++) {
		const char *name = gets[i] ? jstr(gets[i], "name") : NULL;
		cJSON *attrs, *action;
		const cJSON *groups, *g;
		tr_buf key = TR_BUF_INIT(TR_MAX_PATH_BYTES);
		tr_resource *res;
		int error;

		if (!name)
			continue;
		/* trellis names rules <service>-r<N>; others keep their
		 * name in the address (and are pruned as strangers). */
		if (strncmp(name, svc->name, prefix) == 0 &&
		    strncmp(name + prefix, "-r", 2) == 0)
			error = tr_buf_printf(&key, "%s/%s", lkey,
					      name + prefix + 2);
		else
			error = tr_buf_printf(&key, "%s/%s", lkey, name);
		if (error) {
			tr_buf_dispose(&key);
			continue;
		}
		attrs = cJSON_CreateObject();
		cJSON_AddItemToObject(attrs, "serviceIdentifier",
				      tr_model_ref(svc->addr.ptr));
		cJSON_AddItemToObject(attrs, "listenerIdentifier",
				      tr_model_ref(laddr));
		put(attrs, "name", jdup(gets[i], "name"));
		put(attrs, "priority", jdup(gets[i], "priority"));
		put(attrs, "match", jdup(gets[i], "match"));
		action = jdup(gets[i], "action");
		groups = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(action, "forward"),
			"targetGroups");
		cJSON_ArrayForEach(g, groups)
		{
			const char *tg = jstr(g, "targetGroupIdentifier");
			if (tg)
				cJSON_ReplaceItemInObjectCaseSensitive(
					(cJSON *)g, "targetGroupIdentifier",
					ref_for_id(r, tg));
		}
		put(attrs, "action", action);
		res = add(r, TR_KIND_RULE, attrs, gets[i], key.ptr);
		if (res) {
			tr_resource_set_parent(res, laddr);
			inherit_owner(res, svc->owner);
		}
		tr_buf_dispose(&key);
	}
	free_replies(gets, nk);
done:
	tr_free(bc);
	tr_free(sums);
	cJSON_Delete(items);
}

static void read_listeners(reader *r, const service_ref *svc)
{
	const char *labels[1] = {svc->id};
	cJSON *items = list_all(r, "ListListeners", labels, 1, NULL, NULL);
	size_t n = (size_t)cJSON_GetArraySize(items), i = 0;
	batch_call *bc = tr_calloc(n + 1, sizeof(*bc));
	const cJSON **sums = tr_calloc(n + 1, sizeof(*sums));
	cJSON **gets;
	const cJSON *item;

	if (!items)
		goto done;
	cJSON_ArrayForEach(item, items)
	{
		bc[i].labels[0] = svc->id;
		bc[i].labels[1] = jstr(item, "id");
		bc[i].nlabels = 2;
		sums[i] = item;
		i++;
	}
	gets = get_cached(r, "GetListener", bc, sums, n);
	for (i = 0; i < n; i++) {
		const char *proto = gets[i] ? jstr(gets[i], "protocol") : NULL;
		const cJSON *port;
		tr_buf key = TR_BUF_INIT(TR_MAX_PATH_BYTES);
		tr_buf laddr = TR_BUF_INIT(TR_MAX_PATH_BYTES);
		cJSON *attrs;
		tr_resource *res;

		if (!proto)
			continue;
		port = cJSON_GetObjectItemCaseSensitive(gets[i], "port");
		if (tr_buf_printf(&key, "%s/%s-%d", svc->name,
				  strcmp(proto, "TLS_PASSTHROUGH") == 0 ? "tls"
				  : strcmp(proto, "HTTPS") == 0	     ? "https"
									     : "http",
				  cJSON_IsNumber(port) ? port->valueint : 0) < 0 ||
		    tr_buf_printf(&laddr, "listener.%s", key.ptr) < 0) {
			tr_buf_dispose(&key);
			tr_buf_dispose(&laddr);
			continue;
		}
		attrs = cJSON_CreateObject();
		cJSON_AddItemToObject(attrs, "serviceIdentifier",
				      tr_model_ref(svc->addr.ptr));
		put(attrs, "name", jdup(gets[i], "name"));
		put(attrs, "port", jdup(gets[i], "port"));
		put(attrs, "protocol", jdup(gets[i], "protocol"));
		put(attrs, "defaultAction", jdup(gets[i], "defaultAction"));
		res = add(r, TR_KIND_LISTENER, attrs, gets[i], key.ptr);
		if (res) {
			tr_resource_set_parent(res, svc->addr.ptr);
			inherit_owner(res, svc->owner);
			read_rules(r, svc, jstr(gets[i], "id"), laddr.ptr,
				   key.ptr);
		}
		tr_buf_dispose(&key);
		tr_buf_dispose(&laddr);
	}
	free_replies(gets, n);
done:
	tr_free(bc);
	tr_free(sums);
	cJSON_Delete(items);
}

static void read_services(reader *r, const cJSON *networks)
{
	tr_strmap associated;                    /* service ids */
	tr_strmap ours;                          /* id -> our service_ref */
	cJSON *assocs = cJSON_CreateArray();     /* SNSA items with sn name */
	cJSON *items = NULL;
	const cJSON *sn, *item;
	size_t n, nk = 0;
	batch_call *bc = NULL;
	const char **arns = NULL;
	const cJSON **sums = NULL;
	cJSON **gets = NULL, **tags = NULL;
	service_ref *svcs = NULL;

	tr_strmap_init(&associated);
	tr_strmap_init(&ours);
	cJSON_ArrayForEach(sn, networks)
	{
		cJSON *list = list_all(r, "ListServiceNetworkServiceAssociations",
				       NULL, 0, "serviceNetworkIdentifier",
				       jstr(sn, "id"));
		cJSON *a;

		if (!list)
			continue;
		cJSON_ArrayForEach(a, list)
		{
			if (jstr(a, "serviceId"))
				tr_strmap_put(&associated, jstr(a, "serviceId"),
					      a);
			cJSON_AddStringToObject(a, "_network", jstr(sn, "name"));
		}
		while ((a = cJSON_DetachItemFromArray(list, 0)) != NULL)
			cJSON_AddItemToArray(assocs, a);
		cJSON_Delete(list);
	}
	items = list_all(r, "ListServices", NULL, 0, NULL, NULL);
	if (!items)
		goto done;
	n = (size_t)cJSON_GetArraySize(items);
	bc = tr_calloc(n + 1, sizeof(*bc));
	arns = tr_calloc(n + 1, sizeof(*arns));
	sums = tr_calloc(n + 1, sizeof(*sums));
	svcs = tr_calloc(n + 1, sizeof(*svcs));
	cJSON_ArrayForEach(item, items)
	{
		if (!desired_has(r, "service", jstr(item, "name")) &&
		    !(jstr(item, "id") &&
		      tr_strmap_get(&associated, jstr(item, "id"))))
			continue;
		bc[nk].labels[0] = jstr(item, "id");
		bc[nk].nlabels = 1;
		arns[nk] = jstr(item, "arn");
		sums[nk] = item;
		nk++;
	}
	gets = get_cached(r, "GetService", bc, sums, nk);
	tags = tags_of(r, arns, nk);
	for (size_t i = 0; i < nk; i++) {
		service_ref *s = &svcs[i];
		cJSON *attrs;
		tr_resource *res;

		tr_buf_init(&s->addr, TR_MAX_PATH_BYTES);
		if (!gets[i])
			continue;
		s->id = jstr(gets[i], "id");
		s->name = jstr(gets[i], "name");
		s->owner = owner_in(tags[i]);
		remember_updated(r, gets[i]);
		attrs = cJSON_CreateObject();
		put(attrs, "name", jdup(gets[i], "name"));
		put(attrs, "customDomainName", jdup(gets[i], "customDomainName"));
		put(attrs, "certificateArn", jdup(gets[i], "certificateArn"));
		put(attrs, "authType", jdup(gets[i], "authType"));
		put(attrs, "dnsEntry", jdup(gets[i], "dnsEntry"));
		res = add(r, TR_KIND_SERVICE, attrs, gets[i], s->name);
		if (!res || !s->name || !s->id ||
		    tr_buf_printf(&s->addr, "service.%s", s->name) < 0)
			continue;
		set_tags(res, tags[i]);
		/* Only what is ours is read deeper: another owner's service
		 * is a collision the plan reports, not something to diff. */
		if (!tr_str_eq(s->owner, r->owner))
			s->id = NULL;
	}
	/* Associations of our services. */
	for (size_t i = 0; i < nk; i++)
		if (svcs[i].id)
			tr_strmap_put(&ours, svcs[i].id, &svcs[i]);
	cJSON_ArrayForEach(item, assocs)
	{
		const service_ref *s = jstr(item, "serviceId")
					       ? tr_strmap_get(&ours,
							       jstr(item, "serviceId"))
					       : NULL;
		tr_buf key = TR_BUF_INIT(TR_MAX_PATH_BYTES);
		tr_buf sn_addr = TR_BUF_INIT(TR_MAX_PATH_BYTES);
		cJSON *attrs;
		tr_resource *res;

		if (s && tr_buf_printf(&key, "%s/%s", s->name,
				       jstr(item, "_network")) == 0 &&
		    tr_buf_printf(&sn_addr, "service_network.%s",
				  jstr(item, "_network")) == 0) {
			attrs = cJSON_CreateObject();
			cJSON_AddItemToObject(attrs, "serviceIdentifier",
					      tr_model_ref(s->addr.ptr));
			cJSON_AddItemToObject(attrs, "serviceNetworkIdentifier",
					      tr_model_ref(sn_addr.ptr));
			res = add(r, TR_KIND_SN_SERVICE_ASSOCIATION, attrs, item,
				  key.ptr);
			if (res) {
				tr_resource_set_parent(res, s->addr.ptr);
				inherit_owner(res, s->owner);
			}
		}
		tr_buf_dispose(&key);
		tr_buf_dispose(&sn_addr);
	}
	for (size_t i = 0; i < nk; i++)
		if (svcs[i].id)
			read_listeners(r, &svcs[i]);
done:
	for (size_t i = 0; svcs && i < nk; i++)
		tr_buf_dispose(&svcs[i].addr);
	tr_free(svcs);
	free_replies(gets, nk);
	free_replies(tags, nk);
	tr_free(bc);
	tr_free(arns);
	tr_free(sums);
	cJSON_Delete(items);
	cJSON_Delete(assocs);
	tr_strmap_dispose(&associated);
	tr_strmap_dispose(&ours);
}

/* --- auth policies ------------------------------------------------------ */

/*
 * Whether an owned service or network may have an auth policy that is not
 * read: it must be read when the resource has, or should have, auth type
 * AWS_IAM, or a policy is declared for it. Otherwise too, since an
 * IAMAuthPolicy removed without --prune leaves its policy behind on an
 * auth type NONE resource, to be pruned later; but there the read cache
 * may say that the resource had no policy at its current lastUpdatedAt.
 * What that misses is only a policy put there by hand without touching
 * the resource, which VPC Lattice does not enforce under auth type NONE.
 */
static bool auth_policy_matters(reader *r, const tr_resource *t)
{
	const char *kind = tr_kind_get(t->kind)->name;
	tr_buf a = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	const tr_resource *want = NULL;
	bool read = tr_str_eq(cJSON_GetStringValue(
				      cJSON_GetObjectItemCaseSensitive(
					      t->attrs, "authType")),
			      "AWS_IAM");

	if (!read && tr_buf_printf(&a, "%s.%s", kind, t->name) == 0)
		want = tr_model_find(r->desired, a.ptr);
	if (want)
		read = tr_str_eq(cJSON_GetStringValue(
					 cJSON_GetObjectItemCaseSensitive(
						 want->attrs, "authType")),
				 "AWS_IAM");
	tr_buf_clear(&a);
	if (!read && tr_buf_printf(&a, "auth_policy.%s/%s", kind, t->name) == 0)
		read = tr_model_find(r->desired, a.ptr) != NULL;
	tr_buf_dispose(&a);
	return read;
}

/* The auth policy of each owned service network and service, one request
 * each, except where the read cache knows there is none (above). */
static void read_auth_policies(reader *r)
{
	size_t n = r->out->count, nk = 0;
	batch_call *bc = tr_calloc(n + 1, sizeof(*bc));
	char **addrs = tr_calloc(n + 1, sizeof(*addrs));
	bool *matters = tr_calloc(n + 1, sizeof(*matters));
	const char **updated = tr_calloc(n + 1, sizeof(*updated));
	const char **arns = tr_calloc(n + 1, sizeof(*arns));
	cJSON **gets;

	for (size_t i = 0; i < n; i++) {
		const tr_resource *t = &r->out->resources[i];
		tr_buf a = TR_BUF_INIT(TR_MAX_PATH_BYTES);

		if ((t->kind != TR_KIND_SERVICE &&
		     t->kind != TR_KIND_SERVICE_NETWORK) ||
		    !t->id ||
		    !tr_str_eq(cJSON_GetStringValue(
				       cJSON_GetObjectItemCaseSensitive(
					       t->tags, TR_TAG_OWNER)),
			       r->owner) ||
		    tr_buf_printf(&a, "auth_policy.%s/%s",
				  tr_kind_get(t->kind)->name, t->name) < 0) {
			tr_buf_dispose(&a);
			continue;
		}
		matters[nk] = auth_policy_matters(r, t);
		updated[nk] = t->arn ? tr_strmap_get(&r->updated, t->arn) : NULL;
		if (!matters[nk] &&
		    tr_observe__cache_get(r->cache, "GetAuthPolicy", t->arn,
					  updated[nk])) {
			tr_buf_dispose(&a);
			continue;
		}
		bc[nk].labels[0] = t->id;
		bc[nk].nlabels = 1;
		arns[nk] = t->arn;
		addrs[nk++] = tr_buf_detach(&a);
		tr_buf_dispose(&a);
	}
	gets = get_many(r, "GetAuthPolicy", bc, nk);
	/* "No policy" is remembered where it may be skipped next time. */
	for (size_t i = 0; i < nk && !r->error; i++) {
		const char *text = jstr(gets[i], "policy");
		cJSON *none;

		if (matters[i] || !updated[i] || (text && *text))
			continue;
		none = cJSON_CreateObject();
		cJSON_AddStringToObject(none, "lastUpdatedAt", updated[i]);
		tr_observe__cache_put(r->cache, "GetAuthPolicy", arns[i], none);
		cJSON_Delete(none);
	}
	for (size_t i = 0; i < nk; i++) {
		const char *text = jstr(gets[i], "policy");
		const char *target = strchr(addrs[i], '.') + 1;
		tr_buf taddr = TR_BUF_INIT(TR_MAX_PATH_BYTES);
		char *canon = NULL;
		cJSON *attrs, *v = NULL;
		tr_resource *res;

		if (!text || !*text ||
		    tr_buf_put(&taddr, target, strcspn(target, "/")) < 0 ||
		    tr_buf_printf(&taddr, ".%s", strchr(target, '/') + 1) < 0) {
			tr_buf_dispose(&taddr);
			continue;
		}
		if (tr_policy_json_normalise(&canon, text, strlen(text)) == 0)
			v = cJSON_Parse(canon);
		tr_free(canon);
		attrs = cJSON_CreateObject();
		cJSON_AddItemToObject(attrs, "resourceIdentifier",
				      tr_model_ref(taddr.ptr));
		cJSON_AddItemToObject(attrs, "policy",
				      v ? v : cJSON_CreateString(text));
		res = tr_model_add(r->out, TR_KIND_AUTH_POLICY, attrs, "%s",
				   target);
		if (res) {
			const tr_resource *t = tr_model_find(r->out, taddr.ptr);
			tr_resource_set_parent(res, taddr.ptr);
			res->id = t && t->id ? tr_strdup(t->id) : NULL;
			inherit_owner(res, r->owner);
		}
		tr_buf_dispose(&taddr);
	}
	free_replies(gets, nk);
	for (size_t i = 0; i < nk; i++)
		tr_free(addrs[i]);
	tr_free(addrs);
	tr_free(matters);
	tr_free(updated);
	tr_free(arns);
	tr_free(bc);
}

int tr_observe(tr_model *out, tr_observe_stats *stats, tr_aws_client *client,
	       tr_model *desired, const tr_config *cfg,
	       const tr_observe_options *opts, tr_diag *diag)
{
	reader r;
	tr_aws_stats before, after;
	cJSON *networks = NULL, *kept_networks = NULL;

	memset(&r, 0, sizeof(r));
	r.client = client;
	r.out = out;
	r.desired = desired;
	r.cfg = cfg;
	r.owner = opts->owner;
	r.parallel = opts->max_parallel ? opts->max_parallel : 8;
	r.diag = diag;
	tr_model_init(out);
	tr_model_sort(desired);
	tr_observe__owned_tags_init(&r.owned);
	tr_strmap_init(&r.updated);
	r.cache = opts->cache;
	tr_aws_client_stats(client, &before);

	if (r.owner)
		(void)tr_observe__owned_tags_read(&r.owned, client, r.owner,
						  diag);

	networks = list_all(&r, "ListServiceNetworks", NULL, 0, NULL, NULL);
	if (networks)
		read_networks(&r, networks, &kept_networks);
	if (!r.error) {
		const cJSON *sn;
		cJSON_ArrayForEach(sn, kept_networks)
			read_vpc_associations(&r, sn);
	}
	/* Target groups first: rules refer to them by id. */
	if (!r.error)
		read_target_groups(&r);
	if (!r.error)
		read_targets(&r);
	if (!r.error)
		read_services(&r, kept_networks);
	if (!r.error)
		read_auth_policies(&r);
	if (!r.error)
		r.error = tr_observe__roles(out, client, desired, r.owner,
					    r.parallel, diag);
	if (!r.error && opts->now_s)
		r.error = tr_observe__certificates(desired, client, opts->now_s,
						   r.parallel, diag);
	/* CNAMEs point at services' DNS names: read after the services. */
	if (!r.error)
		r.error = tr_observe__dns_records(out, client, desired, cfg,
						  opts->owner, r.parallel,
						  diag);

	tr_aws_client_stats(client, &after);
	if (stats)
		stats->requests = after.requests - before.requests;
	for (size_t i = 0; i < r.nids; i++) {
		tr_free(r.ids[i].id);
		tr_free(r.ids[i].address);
	}
	tr_free(r.ids);
	tr_free(r.last_failure);
	tr_observe__owned_tags_dispose(&r.owned);
	for (size_t i = 0; i < r.updated.cap; i++)
		if (r.updated.slots[i].key)
			tr_free(r.updated.slots[i].value);
	tr_strmap_dispose(&r.updated);
	cJSON_Delete(networks);
	cJSON_Delete(kept_networks);
	tr_model_sort(out);
	return r.error;
}
