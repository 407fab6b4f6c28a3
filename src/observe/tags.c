/*
 * The owner's VPC Lattice resources and their tags in bulk: one
 * Resource Groups Tagging API GetResources walk (100 resources a page)
 * instead of a ListTagsForResource per service, target group, network and
 * VPC association. The set only spares reads: a resource missing from it
 * (the tagging index lags behind creations, or the call is not allowed)
 * still gets its own tag read, so nothing is taken for someone else's
 * because the index did not list it.
 */
#include "observe/internal.h"

#include <stdio.h>
#include <string.h>

#include "model/model.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/limits.h"

#define TAGGING_PAGE_SIZE 100

typedef struct walk {
	tr_observe_owned_tags *out;
	char why[160];
} walk;

/* {"Tags": [{"Key", "Value"}, ...]} -> {"key": "value", ...}; NULL when
 * the list is not that shape. */
static cJSON *tags_object(const cJSON *list)
{
	cJSON *obj;
	const cJSON *t;

	if (!cJSON_IsArray(list))
		return NULL;
	obj = cJSON_CreateObject();
	cJSON_ArrayForEach(t, list)
	{
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(t, "Key");
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(t, "Value");

		if (!cJSON_IsString(k) || (v && !cJSON_IsString(v))) {
			cJSON_Delete(obj);
			return NULL;
		}
		cJSON_DeleteItemFromObjectCaseSensitive(obj, k->valuestring);
		cJSON_AddStringToObject(obj, k->valuestring,
					v ? v->valuestring : "");
	}
	return obj;
}

static int on_page(void *ctx, const tr_aws_response *page)
{
	walk *w = ctx;
	cJSON *doc = cJSON_ParseWithLength(page->body.ptr, page->body.len);
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(
		doc, "ResourceTagMappingList");
	const cJSON *m;
	const char *why = NULL;

	if (!doc)
		why = "is not JSON";
	else if (!cJSON_IsArray(list))
		why = "has no \"ResourceTagMappingList\" list";
	for (m = why ? NULL : list->child; m; m = m->next) {
		const cJSON *arn = cJSON_GetObjectItemCaseSensitive(
			m, "ResourceARN");
		cJSON *tags;

		if (!cJSON_IsString(arn) || !*arn->valuestring) {
			why = "holds an entry without a \"ResourceARN\"";
			break;
		}
		if (!(tags = tags_object(cJSON_GetObjectItemCaseSensitive(
			      m, "Tags")))) {
			why = "holds an entry whose \"Tags\" are not "
			      "[{\"Key\", \"Value\"}]";
			break;
		}
		if (w->out->count >= TR_MAX_ITEMS_PER_COLLECTION) {
			cJSON_Delete(tags);
			why = "lists more resources than trellis reads";
			break;
		}
		tr_observe__owned_tags_put(w->out, arn->valuestring, tags);
	}
	cJSON_Delete(doc);
	if (why) {
		snprintf(w->why, sizeof(w->why), "the reply %s (%zu bytes)",
			 why, page->body.len);
		return TR_EINVALID;
	}
	return 0;
}

void tr_observe__owned_tags_init(tr_observe_owned_tags *t)
{
	memset(t, 0, sizeof(*t));
	tr_strmap_init(&t->by_arn);
}

void tr_observe__owned_tags_put(tr_observe_owned_tags *t, const char *arn,
				cJSON *tags)
{
	cJSON *old = tr_strmap_get(&t->by_arn, arn);

	if (old)
		cJSON_Delete(old);
	else
		t->count++;
	tr_strmap_put(&t->by_arn, arn, tags);
}

const cJSON *tr_observe__owned_tags_get(const tr_observe_owned_tags *t,
					const char *arn)
{
	return arn && t->loaded ? tr_strmap_get(&t->by_arn, arn) : NULL;
}

void tr_observe__owned_tags_dispose(tr_observe_owned_tags *t)
{
	for (size_t i = 0; i < t->by_arn.cap; i++)
		if (t->by_arn.slots[i].key)
			cJSON_Delete(t->by_arn.slots[i].value);
	tr_strmap_dispose(&t->by_arn);
	memset(t, 0, sizeof(*t));
}

int tr_observe__owned_tags_read(tr_observe_owned_tags *out,
				tr_aws_client *client, const char *owner,
				tr_diag *diag)
{
	static const char *const types[] = {
		"vpc-lattice:servicenetwork",
		"vpc-lattice:servicenetworkvpcassociation",
		"vpc-lattice:service",
		"vpc-lattice:targetgroup",
	};
	cJSON *body = cJSON_CreateObject();
	cJSON *filter, *values, *tlist;
	char *text = NULL;
	walk w = {out, ""};
	tr_aws_error err;
	int error;

	filter = cJSON_CreateObject();
	cJSON_AddStringToObject(filter, "Key", TR_TAG_OWNER);
	values = cJSON_AddArrayToObject(filter, "Values");
	cJSON_AddItemToArray(values, cJSON_CreateString(owner));
	cJSON_AddItemToArray(cJSON_AddArrayToObject(body, "TagFilters"),
			     filter);
	tlist = cJSON_AddArrayToObject(body, "ResourceTypeFilters");
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		cJSON_AddItemToArray(tlist, cJSON_CreateString(types[i]));
	cJSON_AddNumberToObject(body, "ResourcesPerPage", TAGGING_PAGE_SIZE);
	text = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);

	tr_aws_error_init(&err);
	{
		tr_aws_call call = {TR_AWS_TAGGING, "GetResources", NULL, 0,
				    NULL, 0, text, strlen(text)};
		error = tr_aws_client_paginate(client, &call, on_page, &w,
					       &err);
	}
	if (error < 0) {
		tr_buf msg = TR_BUF_INIT(TR_MAX_LINE_BYTES);

		if (w.why[0] ? tr_buf_printf(&msg, "tagging GetResources: %s",
					     w.why) < 0
			     : tr_aws_error_render(&msg, &err) < 0)
			tr_buf_clear(&msg);
		/* Not fatal: every resource gets its own tag read instead,
		 * as before the bulk read existed. */
		tr_diag_add(diag, TR_SEV_WARNING, "aws.tags", NULL, 0, 0, NULL,
			    "reading the owner's tags in bulk failed (%s); "
			    "tags are read one resource at a time instead. "
			    "Allow tag:GetResources to spare those requests",
			    tr_buf_cstr(&msg));
		tr_buf_dispose(&msg);
		tr_observe__owned_tags_dispose(out);
		tr_observe__owned_tags_init(out);
	} else {
		out->loaded = true;
	}
	tr_aws_error_dispose(&err);
	cJSON_free(text);
	return 0;
}
