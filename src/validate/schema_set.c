/*
 * The set of embedded schemas: compiled once per run, looked up by the
 * (apiVersion, kind) each schema declares as `const` at its root.
 */
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "validate/schema_blobs.h"
#include "validate/schema_internal.h"

#define CONFIG_SCHEMA_NAME "config.schema.json"

struct tr_schema_set {
	tr_schema **schemas;
	size_t count;
	const tr_schema *config;
};

int tr_schema_set_new(tr_schema_set **out, tr_diag *diag)
{
	tr_schema_set *set = tr_calloc(1, sizeof(*set));
	int rc = 0;

	*out = NULL;
	set->schemas = tr_calloc(tr_schema_blob_count + 1, sizeof(*set->schemas));
	for (size_t i = 0; i < tr_schema_blob_count; i++) {
		const tr_schema_blob *b = &tr_schema_blobs[i];
		tr_schema *s = NULL;
		if (tr_schema_compile(&s, b->name, (const char *)b->data, b->len,
				      NULL, diag) < 0) {
			rc = TR_EINVALID;
			continue;
		}
		if (strcmp(b->name, CONFIG_SCHEMA_NAME) == 0) {
			set->config = s;
		} else if (!s->api_version || !s->kind) {
			tr_diag_add(diag, TR_SEV_ERROR, "schema.compile", b->name, 0,
				    0, NULL,
				    "a kind's schema must declare apiVersion and "
				    "kind as const at its root");
			rc = TR_EINVALID;
		} else if (tr_schema_set_lookup(set, s->api_version, s->kind)) {
			tr_diag_add(diag, TR_SEV_ERROR, "schema.compile", b->name, 0,
				    0, NULL, "a second schema for %s %s",
				    s->api_version, s->kind);
			rc = TR_EINVALID;
		}
		set->schemas[set->count++] = s;
	}
	if (rc < 0) {
		tr_schema_set_free(set);
		return rc;
	}
	*out = set;
	return 0;
}

void tr_schema_set_free(tr_schema_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->count; i++)
		tr_schema_free(set->schemas[i]);
	tr_free(set->schemas);
	tr_free(set);
}

const tr_schema *tr_schema_set_lookup(const tr_schema_set *set,
				      const char *api_version,
				      const char *kind)
{
	if (!api_version || !kind)
		return NULL;
	for (size_t i = 0; i < set->count; i++) {
		const tr_schema *s = set->schemas[i];
		if (s->api_version && s->kind &&
		    strcmp(s->api_version, api_version) == 0 &&
		    strcmp(s->kind, kind) == 0)
			return s;
	}
	return NULL;
}

const tr_schema *tr_schema_set_config(const tr_schema_set *set)
{
	return set->config;
}

size_t tr_schema_set_count(const tr_schema_set *set)
{
	return set->count;
}

int tr_schema_set_api_versions(tr_buf *out, const tr_schema_set *set,
			       const char *kind)
{
	size_t n = 0;

	for (size_t i = 0; i < set->count; i++) {
		const tr_schema *s = set->schemas[i];
		if (!s->kind || !kind || strcmp(s->kind, kind) != 0)
			continue;
		if (tr_buf_printf(out, "%s\"%s\"", n++ ? ", " : "",
				  s->api_version) < 0)
			return TR_ETOOLARGE;
	}
	return 0;
}
