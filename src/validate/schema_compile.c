/*
 * Compiling a JSON schema (cJSON) into the tree of `sn` that validation
 * walks. Every keyword is checked here, once, so validation never meets a
 * malformed schema; a keyword we do not know is an error unless the caller
 * asked for leniency (the test-suite runner).
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/str.h"
#include "validate/schema_internal.h"

typedef struct memo_entry {
	const cJSON *json;
	sn *node;
} memo_entry;

typedef struct compiler {
	tr_schema *schema;
	const cJSON *root;
	const tr_schema_options *opts;
	tr_diag *diag;
	int errors;
	memo_entry *memo;
	size_t nmemo, capmemo;
	/* Open-addressing index over memo by JSON pointer: slot = memo
	 * position + 1, 0 = empty. Keeps compiling linear in schema size. */
	size_t *index;
	size_t index_cap; /* a power of two */
	bool capped;      /* TR_SCHEMA_MAX_NODES reached and reported */
} compiler;

/* Keywords that only annotate. */
static const char *const annotation_keywords[] = {
	"$schema", "$id", "$comment", "title", "description", "examples",
	"definitions", "x-kubernetes-map-type", NULL};

static const char *const keywords[] = {
	"type", "enum", "const", "default", "properties", "required",
	"additionalProperties", "patternProperties", "propertyNames",
	"minProperties", "maxProperties", "dependencies", "items",
	"additionalItems", "contains", "minItems", "maxItems", "uniqueItems",
	"minLength", "maxLength", "pattern", "format", "minimum", "maximum",
	"exclusiveMinimum", "exclusiveMaximum", "multipleOf", "allOf", "anyOf",
	"oneOf", "not", "if", "then", "else", "$ref",
	"x-kubernetes-list-type", "x-kubernetes-list-map-keys",
	"x-trellis-unique-properties", "x-trellis-message", NULL};

__attribute__((format(printf, 3, 4))) static void
cerr(compiler *c, const char *where, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tr_diag_add(c->diag, TR_SEV_ERROR, "schema.compile", c->schema->name,
		    0, 0, where, "%s", msg);
	c->errors++;
}

static bool in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

static const char *closest(const char *const *list, const char *s)
{
	for (size_t i = 0; list[i]; i++)
		if (tr_str_distance(list[i], s, 3) <= 2)
			return list[i];
	return NULL;
}

static char *child_where(compiler *c, const char *where, const char *a,
			 const char *b)
{
	tr_buf buf = TR_BUF_INIT(TR_SCHEMA_MAX_PATH_BYTES);
	char *out;

	/* A path cut by the cap is still a useful pointer for a message. */
	if (tr_buf_printf(&buf, "%s/%s", where, a) < 0 ||
	    (b && tr_buf_printf(&buf, "/%s", b) < 0)) {
	}
	out = tr_arena_strdup(&c->schema->arena, tr_buf_cstr(&buf));
	tr_buf_dispose(&buf);
	return out;
}

/* ---- cJSON to tr_node --------------------------------------------------- */

static const tr_node *from_json(tr_arena *arena, const cJSON *j,
				unsigned depth)
{
	tr_node *n = tr_arena_alloc(arena, sizeof(*n));
	char num[64];

	if (depth > TR_SCHEMA_MAX_DEPTH) {
		n->type = TR_NODE_NULL;
		return n;
	}
	if (cJSON_IsBool(j)) {
		n->type = TR_NODE_BOOL;
		n->as.boolean = cJSON_IsTrue(j);
		n->text = n->as.boolean ? "true" : "false";
	} else if (cJSON_IsNumber(j)) {
		double d = j->valuedouble;
		/* Integral values inside int64 become integers, like a YAML
		 * loader would read them. */
		if (isfinite(d) && floor(d) == d && d >= -9223372036854775808.0 &&
		    d < 9223372036854775808.0) {
			n->type = TR_NODE_INT;
			n->as.integer = (int64_t)d;
			snprintf(num, sizeof(num), "%lld", (long long)n->as.integer);
		} else {
			n->type = TR_NODE_FLOAT;
			n->as.number = d;
			snprintf(num, sizeof(num), "%.17g", d);
		}
		n->text = tr_arena_strdup(arena, num);
	} else if (cJSON_IsString(j)) {
		n->type = TR_NODE_STRING;
		n->text = tr_arena_strdup(arena, j->valuestring);
	} else if (cJSON_IsArray(j)) {
		size_t count = (size_t)cJSON_GetArraySize(j), i = 0;
		const cJSON *item;
		n->type = TR_NODE_SEQ;
		n->count = (uint32_t)count;
		n->u.items = tr_arena_alloc(arena, (count ? count : 1) *
							   sizeof(tr_node *));
		cJSON_ArrayForEach(item, j)
			n->u.items[i++] =
				(tr_node *)from_json(arena, item, depth + 1);
	} else if (cJSON_IsObject(j)) {
		size_t count = (size_t)cJSON_GetArraySize(j), i = 0;
		const cJSON *item;
		n->type = TR_NODE_MAP;
		n->count = (uint32_t)count;
		n->u.pairs = tr_arena_alloc(arena, (count ? count : 1) *
							   sizeof(tr_node_pair));
		cJSON_ArrayForEach(item, j) {
			n->u.pairs[i].key = tr_arena_strdup(arena, item->string);
			n->u.pairs[i].value =
				(tr_node *)from_json(arena, item, depth + 1);
			i++;
		}
	} else {
		n->type = TR_NODE_NULL;
		n->text = "null";
	}
	if (n->text)
		n->text_len = (uint32_t)strlen(n->text);
	return n;
}

const tr_node *tr_schema_node_from_json(tr_arena *arena, const void *json)
{
	return from_json(arena, json, 0);
}

tr_node *tr_schema__clone_at(tr_arena *arena, const tr_node *tmpl,
			     const tr_node *at)
{
	tr_node *n = tr_arena_alloc(arena, sizeof(*n));

	*n = *tmpl;
	n->line = at->line;
	n->col = at->col;
	n->plain = false;
	if (tmpl->text)
		n->text = tr_arena_strndup(arena, tmpl->text, tmpl->text_len);
	if (tmpl->type == TR_NODE_SEQ) {
		n->u.items = tr_arena_alloc(arena, (tmpl->count ? tmpl->count : 1) *
							   sizeof(tr_node *));
		for (size_t i = 0; i < tmpl->count; i++)
			n->u.items[i] = tr_schema__clone_at(arena, tmpl->u.items[i], at);
	} else if (tmpl->type == TR_NODE_MAP) {
		n->u.pairs = tr_arena_alloc(arena, (tmpl->count ? tmpl->count : 1) *
							   sizeof(tr_node_pair));
		for (size_t i = 0; i < tmpl->count; i++) {
			n->u.pairs[i].key =
				tr_arena_strdup(arena, tmpl->u.pairs[i].key);
			n->u.pairs[i].value =
				tr_schema__clone_at(arena, tmpl->u.pairs[i].value, at);
			n->u.pairs[i].line = at->line;
			n->u.pairs[i].col = at->col;
		}
	}
	return n;
}

/* ---- JSON pointers ------------------------------------------------------ */

/* Resolves a local reference ("#", "#/definitions/x", with ~0 ~1 and %XX
 * escapes) against the document root; NULL when it does not resolve. */
static const cJSON *resolve_pointer(const cJSON *root, const char *ref)
{
	const cJSON *cur = root;
	const char *p;
	char token[512];

	if (ref[0] != '#')
		return NULL;
	p = ref + 1;
	if (*p == '\0')
		return root;
	if (*p != '/')
		return NULL;
	while (*p == '/') {
		size_t n = 0;
		p++;
		while (*p && *p != '/') {
			char ch = *p++;
			if (ch == '~' && (*p == '0' || *p == '1')) {
				ch = *p == '0' ? '~' : '/';
				p++;
			} else if (ch == '%' && p[0] && p[1]) {
				char hex[3] = {p[0], p[1], 0};
				char *end = NULL;
				long v = strtol(hex, &end, 16);
				if (end != hex + 2)
					return NULL;
				ch = (char)v;
				p += 2;
			}
			if (n + 1 >= sizeof(token))
				return NULL;
			token[n++] = ch;
		}
		token[n] = '\0';
		if (cJSON_IsArray(cur)) {
			int64_t idx;
			if (tr_str_to_i64(&idx, token, 0, INT32_MAX) < 0)
				return NULL;
			cur = cJSON_GetArrayItem(cur, (int)idx);
		} else if (cJSON_IsObject(cur)) {
			cur = cJSON_GetObjectItemCaseSensitive(cur, token);
		} else {
			return NULL;
		}
		if (!cur)
			return NULL;
	}
	return cur;
}

/* ---- keyword readers ---------------------------------------------------- */

static sn *compile(compiler *c, const cJSON *j, const char *where);

static bool read_count(compiler *c, const cJSON *v, const char *where,
		       const char *kw, int64_t *out)
{
	double d;

	if (!cJSON_IsNumber(v) || (d = v->valuedouble) < 0 || floor(d) != d ||
	    d > 9e15) {
		cerr(c, where, "%s must be a non-negative integer", kw);
		return false;
	}
	*out = (int64_t)d;
	return true;
}

static bool read_number(compiler *c, const cJSON *v, const char *where,
			const char *kw, double *out)
{
	if (!cJSON_IsNumber(v)) {
		cerr(c, where, "%s must be a number", kw);
		return false;
	}
	*out = v->valuedouble;
	return true;
}

static const char **read_string_array(compiler *c, const cJSON *v,
				      const char *where, const char *kw,
				      size_t *count)
{
	const char **out;
	const cJSON *item;
	size_t i = 0;

	*count = 0;
	if (!cJSON_IsArray(v)) {
		cerr(c, where, "%s must be an array of strings", kw);
		return NULL;
	}
	out = tr_arena_alloc(&c->schema->arena,
			     ((size_t)cJSON_GetArraySize(v) + 1) * sizeof(*out));
	cJSON_ArrayForEach(item, v) {
		if (!cJSON_IsString(item)) {
			cerr(c, where, "%s must be an array of strings", kw);
			return NULL;
		}
		out[i++] = tr_arena_strdup(&c->schema->arena, item->valuestring);
	}
	*count = i;
	return out;
}

static sn **read_schema_array(compiler *c, const cJSON *v, const char *where,
			      const char *kw, size_t *count)
{
	sn **out;
	const cJSON *item;
	size_t i = 0;
	char idx[32];

	*count = 0;
	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0) {
		cerr(c, where, "%s must be a non-empty array of schemas", kw);
		return NULL;
	}
	out = tr_arena_alloc(&c->schema->arena,
			     (size_t)cJSON_GetArraySize(v) * sizeof(*out));
	cJSON_ArrayForEach(item, v) {
		snprintf(idx, sizeof(idx), "%zu", i);
		out[i++] = compile(c, item, child_where(c, where, kw, idx));
	}
	*count = i;
	return out;
}

static unsigned type_bit(const char *name)
{
	static const struct {
		const char *name;
		unsigned bit;
	} types[] = {{"null", SN_NULL},    {"boolean", SN_BOOL},
		     {"integer", SN_INT},  {"number", SN_NUM | SN_INT},
		     {"string", SN_STR},   {"object", SN_OBJ},
		     {"array", SN_ARR}};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(types[i].name, name) == 0)
			return types[i].bit;
	return 0;
}

static void read_type(compiler *c, sn *s, const cJSON *v, const char *where)
{
	const cJSON *item;

	if (cJSON_IsString(v)) {
		s->types = type_bit(v->valuestring);
		if (!s->types)
			cerr(c, where, "unknown type \"%s\"", v->valuestring);
		return;
	}
	if (!cJSON_IsArray(v)) {
		cerr(c, where, "type must be a string or an array of strings");
		return;
	}
	cJSON_ArrayForEach(item, v) {
		unsigned bit = cJSON_IsString(item) ? type_bit(item->valuestring) : 0;
		if (!bit) {
			cerr(c, where, "type lists an unknown type");
			return;
		}
		s->types |= bit;
	}
}

static pcre2_code *compile_regex(compiler *c, const char *source,
				 const char *where)
{
	int errcode = 0;
	PCRE2_SIZE erroff = 0;
	pcre2_code *re;
	tr_schema *schema = c->schema;

	/* RE2 and ECMAScript read `$` as the very end of the input; PCRE
	 * would also match before a final newline without DOLLAR_ENDONLY. */
	re = pcre2_compile((PCRE2_SPTR)source, PCRE2_ZERO_TERMINATED,
			   PCRE2_UTF | PCRE2_DOLLAR_ENDONLY, &errcode, &erroff,
			   schema->compile_ctx);
	if (!re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		cerr(c, where, "invalid pattern '%s' at offset %zu: %s", source,
		     (size_t)erroff, (const char *)msg);
		return NULL;
	}
	schema->regexes = tr_grow(schema->regexes, &schema->capregexes,
				  schema->nregexes + 1, sizeof(*schema->regexes));
	schema->regexes[schema->nregexes++] = re;
	return re;
}

static void read_format(compiler *c, sn *s, const cJSON *v, const char *where)
{
	static const struct {
		const char *name;
		sn_format fmt;
	} formats[] = {{"int32", SN_FMT_INT32},
		       {"int64", SN_FMT_INT64},
		       {"ipv4", SN_FMT_IPV4},
		       {"ipv6", SN_FMT_IPV6},
		       {"hostname", SN_FMT_HOSTNAME}};

	if (!cJSON_IsString(v)) {
		cerr(c, where, "format must be a string");
		return;
	}
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (strcmp(formats[i].name, v->valuestring) == 0) {
			s->format = formats[i].fmt;
			return;
		}
	}
	if (!c->opts->allow_unknown_formats)
		cerr(c, where, "unsupported format \"%s\"", v->valuestring);
}

static void read_properties(compiler *c, sn *s, const cJSON *v,
			    const char *where)
{
	const cJSON *item;
	size_t i = 0;

	if (!cJSON_IsObject(v)) {
		cerr(c, where, "properties must be an object");
		return;
	}
	s->props = tr_arena_alloc(&c->schema->arena,
				  ((size_t)cJSON_GetArraySize(v) + 1) *
					  sizeof(*s->props));
	cJSON_ArrayForEach(item, v) {
		s->props[i].name = tr_arena_strdup(&c->schema->arena, item->string);
		s->props[i].schema =
			compile(c, item, child_where(c, where, "properties",
						     item->string));
		i++;
	}
	s->nprops = i;
}

static void read_pattern_properties(compiler *c, sn *s, const cJSON *v,
				    const char *where)
{
	const cJSON *item;
	size_t i = 0;

	if (!cJSON_IsObject(v)) {
		cerr(c, where, "patternProperties must be an object");
		return;
	}
	s->pattern_props = tr_arena_alloc(&c->schema->arena,
					  ((size_t)cJSON_GetArraySize(v) + 1) *
						  sizeof(*s->pattern_props));
	cJSON_ArrayForEach(item, v) {
		sn_pattern_prop *pp = &s->pattern_props[i++];
		pp->source = tr_arena_strdup(&c->schema->arena, item->string);
		pp->re = compile_regex(c, item->string, where);
		pp->schema = compile(c, item, child_where(c, where,
							  "patternProperties",
							  item->string));
	}
	s->npattern_props = i;
}

static void read_dependencies(compiler *c, sn *s, const cJSON *v,
			      const char *where)
{
	const cJSON *item;
	size_t i = 0;

	if (!cJSON_IsObject(v)) {
		cerr(c, where, "dependencies must be an object");
		return;
	}
	s->deps = tr_arena_alloc(&c->schema->arena,
				 ((size_t)cJSON_GetArraySize(v) + 1) *
					 sizeof(*s->deps));
	cJSON_ArrayForEach(item, v) {
		sn_dependency *d = &s->deps[i++];
		d->name = tr_arena_strdup(&c->schema->arena, item->string);
		if (cJSON_IsArray(item))
			d->required = read_string_array(c, item, where,
							"dependencies",
							&d->nrequired);
		else
			d->schema = compile(c, item,
					    child_where(c, where, "dependencies",
							item->string));
	}
	s->ndeps = i;
}

static const tr_node **read_enum(compiler *c, const cJSON *v,
				 const char *where, size_t *count)
{
	const tr_node **out;
	const cJSON *item;
	size_t i = 0;

	*count = 0;
	if (!cJSON_IsArray(v)) {
		cerr(c, where, "enum must be an array");
		return NULL;
	}
	out = tr_arena_alloc(&c->schema->arena,
			     ((size_t)cJSON_GetArraySize(v) + 1) * sizeof(*out));
	cJSON_ArrayForEach(item, v)
		out[i++] = from_json(&c->schema->arena, item, 0);
	*count = i;
	return out;
}

static void read_list_type(compiler *c, sn *s, const cJSON *v,
			   const char *where)
{
	if (!cJSON_IsString(v)) {
		cerr(c, where, "x-kubernetes-list-type must be a string");
	} else if (strcmp(v->valuestring, "atomic") == 0) {
		s->list_type = SN_LIST_ATOMIC;
	} else if (strcmp(v->valuestring, "set") == 0) {
		s->list_type = SN_LIST_SET;
	} else if (strcmp(v->valuestring, "map") == 0) {
		s->list_type = SN_LIST_MAP;
	} else {
		cerr(c, where, "unknown x-kubernetes-list-type \"%s\"",
		     v->valuestring);
	}
}

/* ---- the compiler ------------------------------------------------------- */

static size_t memo_slot(const compiler *c, const cJSON *j)
{
	uintptr_t h = (uintptr_t)j;

	h ^= h >> 17;
	h *= (uintptr_t)0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 7) & (c->index_cap - 1);
}

static sn *memo_find(compiler *c, const cJSON *j)
{
	if (!c->index_cap)
		return NULL;
	for (size_t i = memo_slot(c, j);; i = (i + 1) & (c->index_cap - 1)) {
		size_t e = c->index[i];
		if (e == 0)
			return NULL;
		if (c->memo[e - 1].json == j)
			return c->memo[e - 1].node;
	}
}

static void memo_add(compiler *c, const cJSON *j, sn *s)
{
	if ((c->nmemo + 1) * 2 > c->index_cap) {
		size_t cap = c->index_cap ? c->index_cap * 2 : 256;
		tr_free(c->index);
		c->index = tr_calloc(cap, sizeof(*c->index));
		c->index_cap = cap;
		for (size_t k = 0; k < c->nmemo; k++) {
			size_t i = memo_slot(c, c->memo[k].json);
			while (c->index[i])
				i = (i + 1) & (cap - 1);
			c->index[i] = k + 1;
		}
	}
	c->memo = tr_grow(c->memo, &c->capmemo, c->nmemo + 1, sizeof(*c->memo));
	c->memo[c->nmemo].json = j;
	c->memo[c->nmemo].node = s;
	c->nmemo++;
	size_t i = memo_slot(c, j);
	while (c->index[i])
		i = (i + 1) & (c->index_cap - 1);
	c->index[i] = c->nmemo;
}

static void compile_keywords(compiler *c, sn *s, const cJSON *j,
			     const char *where)
{
	tr_arena *arena = &c->schema->arena;
	const cJSON *v;

	cJSON_ArrayForEach(v, j) {
		const char *kw = v->string;
		if (in_list(annotation_keywords, kw) || in_list(keywords, kw))
			continue;
		if (c->opts->allow_unknown_keywords)
			continue;
		const char *hint = closest(keywords, kw);
		if (hint)
			cerr(c, where, "unknown keyword \"%s\" (did you mean \"%s\"?)",
			     kw, hint);
		else
			cerr(c, where, "unknown keyword \"%s\"", kw);
	}

	if ((v = cJSON_GetObjectItemCaseSensitive(j, "definitions"))) {
		const cJSON *d;
		if (!cJSON_IsObject(v))
			cerr(c, where, "definitions must be an object");
		else
			cJSON_ArrayForEach(d, v)
				compile(c, d, child_where(c, where, "definitions",
							  d->string));
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "type")))
		read_type(c, s, v, where);
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "enum")))
		s->enum_values = read_enum(c, v, where, &s->nenum);
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "const")))
		s->const_value = from_json(arena, v, 0);
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "default")))
		s->default_value = from_json(arena, v, 0);
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "properties")))
		read_properties(c, s, v, where);
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "required")))
		s->required = read_string_array(c, v, where, "required",
						&s->nrequired);
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "additionalProperties")))
		s->additional = compile(c, v, child_where(c, where,
							  "additionalProperties",
							  NULL));
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "patternProperties")))
		read_pattern_properties(c, s, v, where);
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "propertyNames")))
		s->property_names = compile(c, v, child_where(c, where,
							      "propertyNames",
							      NULL));
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "minProperties")))
		read_count(c, v, where, "minProperties", &s->min_props);
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "maxProperties")))
		read_count(c, v, where, "maxProperties", &s->max_props);
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "dependencies")))
		read_dependencies(c, s, v, where);

	if ((v = cJSON_GetObjectItemCaseSensitive(j, "items"))) {
		if (cJSON_IsArray(v)) {
			const cJSON *item;
			size_t i = 0;
			char idx[32];
			s->has_tuple = true;
			s->tuple = tr_arena_alloc(arena,
						  ((size_t)cJSON_GetArraySize(v) + 1) *
							  sizeof(*s->tuple));
			cJSON_ArrayForEach(item, v) {
				snprintf(idx, sizeof(idx), "%zu", i);
				s->tuple[i++] = compile(
					c, item, child_where(c, where, "items", idx));
			}
			s->ntuple = i;
		} else {
			s->items = compile(c, v, child_where(c, where, "items", NULL));
		}
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "additionalItems")))
		s->additional_items = compile(c, v, child_where(c, where,
								"additionalItems",
								NULL));
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "contains")))
		s->contains = compile(c, v, child_where(c, where, "contains", NULL));
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "minItems")))
		read_count(c, v, where, "minItems", &s->min_items);
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "maxItems")))
		read_count(c, v, where, "maxItems", &s->max_items);
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "uniqueItems"))) {
		if (!cJSON_IsBool(v))
			cerr(c, where, "uniqueItems must be a boolean");
		s->unique_items = cJSON_IsTrue(v);
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "x-kubernetes-list-type")))
		read_list_type(c, s, v, where);
	if ((v = cJSON_GetObjectItemCaseSensitive(j,
						  "x-kubernetes-list-map-keys")))
		s->map_keys = read_string_array(c, v, where,
						"x-kubernetes-list-map-keys",
						&s->nmap_keys);
	if (s->list_type == SN_LIST_MAP && s->nmap_keys == 0)
		cerr(c, where, "x-kubernetes-list-type map needs "
			       "x-kubernetes-list-map-keys");

	if ((v = cJSON_GetObjectItemCaseSensitive(j,
						  "x-trellis-unique-properties")))
		s->unique_props = read_string_array(c, v, where,
						    "x-trellis-unique-properties",
						    &s->nunique_props);
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "x-trellis-message"))) {
		if (!cJSON_IsString(v))
			cerr(c, where, "x-trellis-message must be a string");
		else
			s->message = tr_arena_strdup(arena, v->valuestring);
	}

	if ((v = cJSON_GetObjectItemCaseSensitive(j, "minLength")))
		read_count(c, v, where, "minLength", &s->min_len);
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "maxLength")))
		read_count(c, v, where, "maxLength", &s->max_len);
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "pattern"))) {
		if (!cJSON_IsString(v)) {
			cerr(c, where, "pattern must be a string");
		} else {
			s->pattern = tr_arena_strdup(arena, v->valuestring);
			s->re = compile_regex(c, v->valuestring, where);
		}
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "format")))
		read_format(c, s, v, where);

	if ((v = cJSON_GetObjectItemCaseSensitive(j, "minimum")))
		s->has_min = read_number(c, v, where, "minimum", &s->min);
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "maximum")))
		s->has_max = read_number(c, v, where, "maximum", &s->max);
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "exclusiveMinimum")))
		s->has_xmin = read_number(c, v, where, "exclusiveMinimum", &s->xmin);
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "exclusiveMaximum")))
		s->has_xmax = read_number(c, v, where, "exclusiveMaximum", &s->xmax);
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "multipleOf"))) {
		s->has_mult = read_number(c, v, where, "multipleOf", &s->mult);
		if (s->has_mult && !(s->mult > 0)) {
			cerr(c, where, "multipleOf must be greater than 0");
			s->has_mult = false;
		}
	}

	if ((v = cJSON_GetObjectItemCaseSensitive(j, "allOf")))
		s->all_of = read_schema_array(c, v, where, "allOf", &s->nall_of);
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "anyOf")))
		s->any_of = read_schema_array(c, v, where, "anyOf", &s->nany_of);
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "oneOf")))
		s->one_of = read_schema_array(c, v, where, "oneOf", &s->none_of);
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "not")))
		s->not_ = compile(c, v, child_where(c, where, "not", NULL));
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "if")))
		s->if_ = compile(c, v, child_where(c, where, "if", NULL));
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "then")))
		s->then_ = compile(c, v, child_where(c, where, "then", NULL));
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "else")))
		s->else_ = compile(c, v, child_where(c, where, "else", NULL));
}

static sn *compile(compiler *c, const cJSON *j, const char *where)
{
	sn *s = memo_find(c, j);
	const cJSON *ref;

	if (s)
		return s;
	s = tr_arena_alloc(&c->schema->arena, sizeof(*s));
	s->where = where;
	s->min_props = s->max_props = -1;
	s->min_items = s->max_items = -1;
	s->min_len = s->max_len = -1;
	if (c->nmemo >= TR_SCHEMA_MAX_NODES) {
		if (!c->capped)
			cerr(c, where, "too many subschemas (cap %u)",
			     TR_SCHEMA_MAX_NODES);
		c->capped = true;
		return s;
	}
	/* Registered before its children so that a $ref cycle finds it. */
	memo_add(c, j, s);

	if (cJSON_IsBool(j)) {
		s->never = cJSON_IsFalse(j);
		return s;
	}
	if (!cJSON_IsObject(j)) {
		cerr(c, where, "a schema must be an object or a boolean");
		return s;
	}
	ref = cJSON_GetObjectItemCaseSensitive(j, "$ref");
	if (ref) {
		const cJSON *target;
		if (!cJSON_IsString(ref)) {
			cerr(c, where, "$ref must be a string");
			return s;
		}
		target = resolve_pointer(c->root, ref->valuestring);
		if (!target) {
			cerr(c, where, "$ref \"%s\" does not resolve (only local "
				       "references like #/definitions/name are "
				       "supported)", ref->valuestring);
			return s;
		}
		/* Draft 7: keywords beside $ref are ignored. In our schemas
		 * that would hide a rule, so it is an error there. Definitions
		 * beside it are still compiled for their own typos. */
		if (!c->opts->allow_unknown_keywords) {
			const cJSON *sib;
			cJSON_ArrayForEach(sib, j) {
				if (strcmp(sib->string, "$ref") != 0 &&
				    !in_list(annotation_keywords, sib->string))
					cerr(c, where,
					     "keyword \"%s\" beside $ref would be "
					     "ignored; use allOf", sib->string);
			}
		}
		s->ref = compile(c, target, tr_arena_strdup(&c->schema->arena,
							    ref->valuestring));
		const cJSON *defs = cJSON_GetObjectItemCaseSensitive(j, "definitions");
		if (cJSON_IsObject(defs)) {
			const cJSON *d;
			cJSON_ArrayForEach(d, defs)
				compile(c, d, child_where(c, where, "definitions",
							  d->string));
		}
		return s;
	}
	compile_keywords(c, s, j, where);
	return s;
}

static bool has_default_below(const sn *s)
{
	const sn *t = s;

	for (unsigned hops = 0; t->ref && hops < 64; hops++)
		t = t->ref;
	return t->default_value || t->may_default == 3;
}

/* Marks (may_default = 3) every subschema under which defaulting can insert
 * something, so that defaulting skips the rest of a document. Iterated to a
 * fixed point because $ref cycles make a single recursive pass wrong. */
static void mark_defaults(compiler *c)
{
	bool changed = true;

	for (size_t i = 0; i < c->nmemo; i++)
		c->memo[i].node->may_default = 2;
	while (changed) {
		changed = false;
		for (size_t i = 0; i < c->nmemo; i++) {
			sn *s = c->memo[i].node;
			bool yes = false;
			if (s->may_default == 3)
				continue;
			if (s->ref)
				yes = has_default_below(s->ref);
			for (size_t j = 0; j < s->nprops && !yes; j++)
				yes = has_default_below(s->props[j].schema);
			if (!yes && s->items)
				yes = has_default_below(s->items);
			for (size_t j = 0; j < s->ntuple && !yes; j++)
				yes = has_default_below(s->tuple[j]);
			if (!yes && s->additional_items)
				yes = has_default_below(s->additional_items);
			if (!yes && s->additional)
				yes = has_default_below(s->additional);
			if (yes) {
				s->may_default = 3;
				changed = true;
			}
		}
	}
}

/* PCRE2 allocates through our wrappers, so out-of-memory aborts like
 * everywhere else instead of surfacing as a NULL match block. */
static void *pcre_alloc(size_t size, void *data)
{
	(void)data;
	return tr_malloc(size);
}

static void pcre_free(void *ptr, void *data)
{
	(void)data;
	tr_free(ptr);
}

static const char *root_const(const cJSON *root, const char *prop)
{
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(root, "properties");
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(props, prop);
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(p, "const");

	return cJSON_IsString(k) ? k->valuestring : NULL;
}

int tr_schema_compile(tr_schema **out, const char *name, const char *json,
		      size_t len, const tr_schema_options *opts, tr_diag *diag)
{
	static const tr_schema_options strict = {false, false};
	compiler c;
	tr_schema *schema = NULL;
	cJSON *doc = NULL;
	const char *s;
	int rc = TR_EINVALID;

	memset(&c, 0, sizeof(c));
	*out = NULL;
	schema = tr_calloc(1, sizeof(*schema));
	tr_arena_init(&schema->arena);
	schema->name = tr_strdup(name ? name : "schema");
	/* PCRE2 allocates through util/alloc.h, compiling and matching. */
	schema->gctx = pcre2_general_context_create(pcre_alloc, pcre_free, NULL);
	schema->compile_ctx = pcre2_compile_context_create(schema->gctx);
	doc = cJSON_ParseWithLength(json, len);
	if (!doc) {
		tr_diag_add(diag, TR_SEV_ERROR, "schema.compile", schema->name, 0,
			    0, NULL, "schema is not valid JSON");
		goto done;
	}
	c.schema = schema;
	c.root = doc;
	c.opts = opts ? opts : &strict;
	c.diag = diag;
	schema->root = compile(&c, doc, "#");
	if (c.errors)
		goto done;
	mark_defaults(&c);
	if ((s = root_const(doc, "apiVersion")))
		schema->api_version = tr_arena_strdup(&schema->arena, s);
	if ((s = root_const(doc, "kind")))
		schema->kind = tr_arena_strdup(&schema->arena, s);
	schema->match_ctx = pcre2_match_context_create(schema->gctx);
	pcre2_set_match_limit(schema->match_ctx, TR_SCHEMA_REGEX_MATCH_LIMIT);
	pcre2_set_depth_limit(schema->match_ctx, TR_SCHEMA_REGEX_DEPTH_LIMIT);
	*out = schema;
	schema = NULL;
	rc = 0;
done:
	tr_free(c.memo);
	tr_free(c.index);
	cJSON_Delete(doc);
	tr_schema_free(schema);
	return rc;
}

void tr_schema_free(tr_schema *schema)
{
	if (!schema)
		return;
	for (size_t i = 0; i < schema->nregexes; i++)
		pcre2_code_free(schema->regexes[i]);
	tr_free(schema->regexes);
	pcre2_match_context_free(schema->match_ctx);
	pcre2_compile_context_free(schema->compile_ctx);
	pcre2_general_context_free(schema->gctx);
	tr_arena_dispose(&schema->arena);
	tr_free(schema->name);
	tr_free(schema);
}

const char *tr_schema_name(const tr_schema *schema)
{
	return schema->name;
}
