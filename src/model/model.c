#include "model/model.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/limits.h"

void tr_model_init(tr_model *model)
{
	memset(model, 0, sizeof(*model));
}

static void resource_dispose(tr_resource *r)
{
	tr_free(r->address);
	tr_free(r->parent);
	tr_free(r->name);
	cJSON_Delete(r->attrs);
	cJSON_Delete(r->tags);
	tr_free(r->source_file);
	tr_free(r->id);
	tr_free(r->arn);
	tr_free(r->status);
}

void tr_model_dispose(tr_model *model)
{
	for (size_t i = 0; i < model->count; i++)
		resource_dispose(&model->resources[i]);
	tr_free(model->resources);
	tr_free(model->index);
	tr_model_init(model);
}

static int compare_resources(const void *pa, const void *pb)
{
	const tr_resource *a = pa, *b = pb;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return strcmp(a->address, b->address);
}

static size_t hash_address(const char *s)
{
	size_t h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

/* The address index maps addresses to positions; it is rebuilt when the
 * array grows past half the index or is reordered. */
static void rebuild_index(tr_model *model)
{
	size_t cap = 64;

	while (cap < model->count * 2 + 2)
		cap *= 2;
	tr_free(model->index);
	model->index = tr_calloc(cap, sizeof(*model->index));
	model->index_cap = cap;
	for (size_t i = 0; i < model->count; i++) {
		size_t slot = hash_address(model->resources[i].address) &
			      (cap - 1);
		while (model->index[slot])
			slot = (slot + 1) & (cap - 1);
		model->index[slot] = i + 1;
	}
}

void tr_model_sort(tr_model *model)
{
	if (model->sorted)
		return;
	if (model->count > 1)
		qsort(model->resources, model->count, sizeof(*model->resources),
		      compare_resources);
	rebuild_index(model);
	model->sorted = true;
}

tr_resource *tr_model_find(tr_model *model, const char *address)
{
	size_t slot;

	if (!model->index_cap)
		return NULL;
	slot = hash_address(address) & (model->index_cap - 1);
	while (model->index[slot]) {
		tr_resource *r = &model->resources[model->index[slot] - 1];
		if (strcmp(r->address, address) == 0)
			return r;
		slot = (slot + 1) & (model->index_cap - 1);
	}
	return NULL;
}

tr_resource *tr_model_add(tr_model *model, tr_kind kind, cJSON *attrs,
			  const char *fmt, ...)
{
	tr_buf key = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	tr_resource *r;
	va_list ap;
	int error;

	error = tr_buf_printf(&key, "%s.", tr_kind_get(kind)->name);
	va_start(ap, fmt);
	if (!error)
		error = tr_buf_vprintf(&key, fmt, ap);
	va_end(ap);
	if (error || tr_model_find(model, key.ptr)) {
		tr_buf_dispose(&key);
		cJSON_Delete(attrs);
		return NULL;
	}
	model->resources = tr_grow(model->resources, &model->cap,
				   model->count + 1, sizeof(*model->resources));
	r = &model->resources[model->count++];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->address = tr_buf_detach(&key);
	r->attrs = attrs ? attrs : cJSON_CreateObject();
	r->tags = cJSON_CreateObject();
	if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(r->attrs, "name")))
		r->name = tr_strdup(
			cJSON_GetObjectItemCaseSensitive(r->attrs, "name")
				->valuestring);
	model->sorted = false;
	if (model->count * 2 > model->index_cap) {
		rebuild_index(model);
	} else {
		size_t slot = hash_address(r->address) &
			      (model->index_cap - 1);
		while (model->index[slot])
			slot = (slot + 1) & (model->index_cap - 1);
		model->index[slot] = model->count;
	}
	return r;
}

void tr_resource_set_tag(tr_resource *res, const char *key, const char *value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(res->tags, key);
	cJSON_AddStringToObject(res->tags, key, value);
}

void tr_resource_set_parent(tr_resource *res, const char *address)
{
	tr_free(res->parent);
	res->parent = address ? tr_strdup(address) : NULL;
}

void tr_resource_set_source(tr_resource *res, const char *file, uint32_t line)
{
	tr_free(res->source_file);
	res->source_file = file ? tr_strdup(file) : NULL;
	res->source_line = line;
}

cJSON *tr_model_ref(const char *address)
{
	tr_buf b = TR_BUF_INIT(TR_MAX_PATH_BYTES + 8);
	cJSON *s;

	if (tr_buf_printf(&b, TR_MODEL_REF_PREFIX "%s", address) < 0) {
		tr_buf_dispose(&b);
		return cJSON_CreateNull();
	}
	s = cJSON_CreateString(b.ptr);
	tr_buf_dispose(&b);
	return s;
}

const char *tr_model_ref_target(const cJSON *value)
{
	const size_t n = sizeof(TR_MODEL_REF_PREFIX) - 1;

	if (!cJSON_IsString(value) ||
	    strncmp(value->valuestring, TR_MODEL_REF_PREFIX, n) != 0)
		return NULL;
	return value->valuestring + n;
}

cJSON *tr_model_to_json(tr_model *model)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(root, "resources");

	tr_model_sort(model);
	for (size_t i = 0; i < model->count; i++) {
		const tr_resource *r = &model->resources[i];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "address", r->address);
		cJSON_AddStringToObject(o, "type", tr_kind_get(r->kind)->name);
		if (r->parent)
			cJSON_AddStringToObject(o, "parent", r->parent);
		cJSON_AddItemToObject(o, "attributes",
				      cJSON_Duplicate(r->attrs, true));
		cJSON_AddItemToObject(o, "tags", cJSON_Duplicate(r->tags, true));
		if (r->source_file) {
			cJSON *src = cJSON_AddObjectToObject(o, "source");
			cJSON_AddStringToObject(src, "file", r->source_file);
			cJSON_AddNumberToObject(src, "line", r->source_line);
		}
		if (r->id)
			cJSON_AddStringToObject(o, "id", r->id);
		if (r->arn)
			cJSON_AddStringToObject(o, "arn", r->arn);
		if (r->status)
			cJSON_AddStringToObject(o, "status", r->status);
		cJSON_AddItemToArray(list, o);
	}
	return root;
}

const cJSON *tr_model_attr(const cJSON *attrs, const char *path)
{
	char key[128];

	while (attrs && *path) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		attrs = cJSON_GetObjectItemCaseSensitive(attrs, key);
		path += n + (path[n] == '.');
	}
	return attrs;
}
