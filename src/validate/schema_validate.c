/*
 * Validating a node tree against a compiled schema. Every failing keyword
 * adds one diagnostic at the node it is about, worded like the Kubernetes
 * API server; branches of anyOf/oneOf/not/if/contains are tried quietly
 * (counting, not reporting) and only the verdict, plus the closest branch's
 * own problems, is reported.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/str.h"
#include "validate/schema_internal.h"

typedef struct vctx {
	const tr_schema *schema;
	const char *file;  /* of the document: nodes carry positions only */
	tr_diag *diag;
	unsigned quiet;  /* > 0 while trying a branch: count, do not report */
	size_t errors;
	/* Errors weighted for picking the closest failing branch of an
	 * anyOf/oneOf: a branch refused by enum, const or not was the wrong
	 * branch (a discriminator said so); one refused by a format or a
	 * bound was the right branch with a bad value. */
	size_t weight;
	tr_buf path;
	unsigned depth;
	pcre2_match_data *md;
} vctx;

#define VALUE_CAP (TR_SCHEMA_MAX_VALUE_BYTES + 16)

static bool validate(vctx *v, const sn *s, const tr_node *n);

/* ---- small helpers ------------------------------------------------------ */

static const sn *deref(const sn *s)
{
	/* A chain of pure $refs; a cycle of them is cut by the hop cap and
	 * then stops at a node that accepts everything. */
	for (unsigned hops = 0; s->ref && hops < 64; hops++)
		s = s->ref;
	return s;
}

static const char *path_of(const vctx *v)
{
	return tr_buf_cstr(&v->path);
}

/* "spec.port in body" or "body" for the document itself. */
static const char *in_body_sep(const vctx *v)
{
	return v->path.len ? " in body" : "body";
}

__attribute__((format(printf, 4, 5))) static void
report(vctx *v, const tr_node *at, const char *rule, const char *fmt, ...)
{
	va_list ap;

	v->errors++;
	v->weight += strcmp(rule, "schema.enum") == 0 ||
				     strcmp(rule, "schema.const") == 0 ||
				     strcmp(rule, "schema.not") == 0
			     ? 1000
			     : 1;
	if (v->quiet || !v->diag)
		return;
	va_start(ap, fmt);
	tr_diag_vadd(v->diag, TR_SEV_ERROR, rule, v->file, at->line, at->col,
		     path_of(v), fmt, ap);
	va_end(ap);
}

static bool simple_key(const char *key)
{
	if (!*key)
		return false;
	for (const char *p = key; *p; p++) {
		char ch = *p;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' ||
		      ch == '$'))
			return false;
	}
	return true;
}

static size_t push_key(vctx *v, const char *key)
{
	size_t mark = v->path.len;
	int rc;

	if (simple_key(key))
		rc = tr_buf_printf(&v->path, "%s%s", mark ? "." : "", key);
	else
		rc = tr_buf_printf(&v->path, "[%s]", key);
	if (rc < 0)
		tr_buf_truncate(&v->path, mark); /* over the cap: stay at parent */
	return mark;
}

static size_t push_index(vctx *v, size_t i)
{
	size_t mark = v->path.len;

	if (tr_buf_printf(&v->path, "[%zu]", i) < 0)
		tr_buf_truncate(&v->path, mark);
	return mark;
}

static void pop(vctx *v, size_t mark)
{
	tr_buf_truncate(&v->path, mark);
}

/* A map key as a string node, for the checks that take a node: its
 * position in messages, propertyNames. */
static const tr_node *key_node(tr_node *out, const tr_node_pair *p)
{
	memset(out, 0, sizeof(*out));
	out->type = TR_NODE_STRING;
	out->line = p->line;
	out->col = p->col;
	out->text = p->key;
	out->text_len = (uint32_t)strlen(p->key);
	return out;
}

/* Go-like quoting of a string for messages, cut at the cap. */
static void quote_string(char *out, size_t cap, const char *s, size_t len)
{
	size_t o = 0;

	out[o++] = '"';
	for (size_t i = 0; i < len && o + 8 < cap; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\') {
			out[o++] = '\\';
			out[o++] = (char)ch;
		} else if (ch == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else if (ch == '\t') {
			out[o++] = '\\';
			out[o++] = 't';
		} else if (ch < 0x20 || ch == 0x7f) {
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", ch);
		} else {
			out[o++] = (char)ch;
		}
		if (i + 1 < len && o + 8 >= cap) {
			out[o++] = '.';
			out[o++] = '.';
			out[o++] = '.';
		}
	}
	out[o++] = '"';
	out[o] = '\0';
}

static void fmt_number(char *out, size_t cap, double d)
{
	snprintf(out, cap, "%.15g", d);
	if (strtod(out, NULL) != d)
		snprintf(out, cap, "%.17g", d);
}

/* The value as a message shows it: strings quoted, numbers bare. */
static void show_value(char *out, size_t cap, const tr_node *n)
{
	switch (n->type) {
	case TR_NODE_STRING:
		quote_string(out, cap, n->text ? n->text : "", n->text_len);
		break;
	case TR_NODE_INT:
		snprintf(out, cap, "%lld", (long long)n->as.integer);
		break;
	case TR_NODE_FLOAT:
		fmt_number(out, cap, n->as.number);
		break;
	case TR_NODE_BOOL:
		snprintf(out, cap, "%s", n->as.boolean ? "true" : "false");
		break;
	case TR_NODE_NULL:
		snprintf(out, cap, "null");
		break;
	case TR_NODE_MAP:
		snprintf(out, cap, "\"object\"");
		break;
	case TR_NODE_SEQ:
		snprintf(out, cap, "\"array\"");
		break;
	}
}

/* Compact JSON of a node for Duplicate value messages. */
static void json_of(tr_buf *out, const tr_node *n)
{
	char tmp[VALUE_CAP];
	int rc = 0;

	switch (n->type) {
	case TR_NODE_MAP:
		rc |= tr_buf_putc(out, '{');
		for (size_t i = 0; i < n->count; i++) {
			const char *k = n->u.pairs[i].key;
			quote_string(tmp, sizeof(tmp), k, strlen(k));
			rc |= tr_buf_printf(out, "%s%s:", i ? "," : "", tmp);
			json_of(out, n->u.pairs[i].value);
		}
		rc |= tr_buf_putc(out, '}');
		break;
	case TR_NODE_SEQ:
		rc |= tr_buf_putc(out, '[');
		for (size_t i = 0; i < n->count; i++) {
			if (i)
				rc |= tr_buf_putc(out, ',');
			json_of(out, n->u.items[i]);
		}
		rc |= tr_buf_putc(out, ']');
		break;
	default:
		show_value(tmp, sizeof(tmp), n);
		rc |= tr_buf_puts(out, tmp);
		break;
	}
	(void)rc; /* a message cut at its cap is still a message */
}

static double num_of(const tr_node *n)
{
	return n->type == TR_NODE_INT ? (double)n->as.integer : n->as.number;
}

static bool is_number(const tr_node *n)
{
	return n->type == TR_NODE_INT || n->type == TR_NODE_FLOAT;
}

static bool is_integral(const tr_node *n)
{
	return n->type == TR_NODE_INT ||
	       (n->type == TR_NODE_FLOAT && isfinite(n->as.number) &&
		floor(n->as.number) == n->as.number);
}

/* Compares a number node with a bound without losing int64 precision. */
static int cmp_bound(const tr_node *n, double bound)
{
	if (n->type == TR_NODE_INT && floor(bound) == bound &&
	    bound >= -9223372036854775808.0 && bound < 9223372036854775808.0) {
		int64_t b = (int64_t)bound;
		return n->as.integer < b ? -1 : n->as.integer > b;
	}
	double d = num_of(n);
	return d < bound ? -1 : d > bound;
}

bool tr_schema__node_equal(const tr_node *a, const tr_node *b)
{
	if (is_number(a) && is_number(b)) {
		if (a->type == TR_NODE_INT && b->type == TR_NODE_INT)
			return a->as.integer == b->as.integer;
		return num_of(a) == num_of(b);
	}
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case TR_NODE_NULL:
		return true;
	case TR_NODE_BOOL:
		return a->as.boolean == b->as.boolean;
	case TR_NODE_STRING:
		return a->text_len == b->text_len &&
		       memcmp(a->text, b->text, a->text_len) == 0;
	case TR_NODE_SEQ:
		if (a->count != b->count)
			return false;
		for (size_t i = 0; i < a->count; i++)
			if (!tr_schema__node_equal(a->u.items[i], b->u.items[i]))
				return false;
		return true;
	case TR_NODE_MAP:
		if (a->count != b->count)
			return false;
		for (size_t i = 0; i < a->count; i++) {
			const tr_node *bv = tr_node_get(b, a->u.pairs[i].key);
			if (!bv || !tr_schema__node_equal(a->u.pairs[i].value, bv))
				return false;
		}
		return true;
	default:
		return false;
	}
}

size_t tr_schema__codepoints(const tr_node *str)
{
	size_t n = 0;

	for (size_t i = 0; i < str->text_len; i++)
		if (((unsigned char)str->text[i] & 0xC0) != 0x80)
			n++;
	return n;
}

/* 1 match, 0 no match, negative when the regex engine gave up. */
static int regex_search(vctx *v, pcre2_code *re, const char *s, size_t len)
{
	int rc;

	if (!re)
		return 1;
	rc = pcre2_match(re, (PCRE2_SPTR)s, len, 0, 0, v->md,
			 v->schema->match_ctx);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	return -1;
}

/* Tries a subschema without reporting; *weight gets its errors' weight. */
static bool try_quietly(vctx *v, const sn *s, const tr_node *n,
			size_t *weight)
{
	size_t before = v->errors, wbefore = v->weight;
	bool ok;

	v->quiet++;
	ok = validate(v, s, n);
	v->quiet--;
	if (weight)
		*weight = v->weight - wbefore;
	v->errors = before;
	v->weight = wbefore;
	return ok;
}

/* ---- type --------------------------------------------------------------- */

static bool type_ok(unsigned types, const tr_node *n)
{
	switch (n->type) {
	case TR_NODE_NULL:
		return types & SN_NULL;
	case TR_NODE_BOOL:
		return types & SN_BOOL;
	case TR_NODE_INT:
		return types & (SN_INT | SN_NUM);
	case TR_NODE_FLOAT:
		return (types & SN_NUM) || ((types & SN_INT) && is_integral(n));
	case TR_NODE_STRING:
		return types & SN_STR;
	case TR_NODE_MAP:
		return types & SN_OBJ;
	case TR_NODE_SEQ:
		return types & SN_ARR;
	}
	return false;
}

static void type_names(char *out, size_t cap, unsigned types)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {{SN_STR, "string"}, {SN_NUM, "number"}, {SN_INT, "integer"},
		     {SN_BOOL, "boolean"}, {SN_OBJ, "object"}, {SN_ARR, "array"},
		     {SN_NULL, "null"}};
	size_t o = 0;

	out[0] = '\0';
	if (types & SN_NUM)
		types &= ~(unsigned)SN_INT; /* "number" already says it */
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(types & names[i].bit))
			continue;
		int w = snprintf(out + o, cap - o, "%s%s", o ? " or " : "",
				 names[i].name);
		if (w < 0 || (size_t)w >= cap - o)
			break;
		o += (size_t)w;
	}
}

static bool looks_numeric_or_bool(const char *s)
{
	static const char *const words[] = {"true", "false", "yes", "no",
					    "on", "off", NULL};
	char *end = NULL;

	if (!s || !*s)
		return false;
	for (size_t i = 0; words[i]; i++)
		if (strcmp(words[i], s) == 0)
			return true;
	(void)strtod(s, &end);
	return end && *end == '\0';
}

/* A hint for the YAML mistakes behind most type errors, appended to out
 * (a message cut at the buffer's cap is still a message). */
static void type_hint(tr_buf *out, const tr_node *n, unsigned types)
{
	int rc = 0;

	if ((types & SN_STR) && n->plain && n->text && *n->text &&
	    (n->type == TR_NODE_BOOL || n->type == TR_NODE_INT ||
	     n->type == TR_NODE_FLOAT || n->type == TR_NODE_NULL)) {
		rc |= tr_buf_printf(out, " (YAML 1.1 reads the unquoted %.64s as ",
				    n->text);
		if (n->type == TR_NODE_BOOL)
			rc |= tr_buf_printf(out, "the boolean %s",
					    n->as.boolean ? "true" : "false");
		else if (n->type == TR_NODE_INT)
			rc |= tr_buf_printf(out, "the integer %lld",
					    (long long)n->as.integer);
		else if (n->type == TR_NODE_FLOAT)
			rc |= tr_buf_puts(out, "a number");
		else
			rc |= tr_buf_puts(out, "null");
		rc |= tr_buf_printf(out, "; quote it: \"%.64s\")", n->text);
	} else if ((types & (SN_INT | SN_NUM | SN_BOOL)) &&
		   n->type == TR_NODE_STRING && !n->plain &&
		   looks_numeric_or_bool(n->text)) {
		rc |= tr_buf_puts(out, " (the value is quoted, so it is a string; "
				       "write it without quotes)");
	}
	(void)rc;
}

/* ---- keyword groups ----------------------------------------------------- */

/* The one supported string a wrong string most likely meant: the same
 * letters in another case (http for HTTP), or one edit away. */
static const char *enum_hint(const sn *s, const tr_node *n)
{
	const char *found = NULL;

	if (n->type != TR_NODE_STRING || !n->text)
		return NULL;
	for (size_t i = 0; i < s->nenum; i++) {
		const tr_node *e = s->enum_values[i];
		if (e->type == TR_NODE_STRING && strcasecmp(e->text, n->text) == 0)
			return e->text;
	}
	for (size_t i = 0; i < s->nenum; i++) {
		const tr_node *e = s->enum_values[i];
		if (e->type != TR_NODE_STRING ||
		    tr_str_distance(e->text, n->text, 2) > 1)
			continue;
		if (found)
			return NULL; /* ambiguous: no hint */
		found = e->text;
	}
	return found;
}

static void check_enum(vctx *v, const sn *s, const tr_node *n)
{
	const char *hint;
	char val[VALUE_CAP];
	tr_buf list = TR_BUF_INIT(TR_MAX_MESSAGE_BYTES / 2);

	for (size_t i = 0; i < s->nenum; i++)
		if (tr_schema__node_equal(n, s->enum_values[i]))
			return;
	for (size_t i = 0; i < s->nenum; i++) {
		if (i && tr_buf_puts(&list, ", ") < 0)
			break;
		json_of(&list, s->enum_values[i]);
	}
	show_value(val, sizeof(val), n);
	hint = enum_hint(s, n);
	if (hint)
		report(v, n, "schema.enum",
		       "Unsupported value: %s: supported values: %s (did you mean "
		       "\"%s\"?)",
		       val, tr_buf_cstr(&list), hint);
	else
		report(v, n, "schema.enum",
		       "Unsupported value: %s: supported values: %s", val,
		       tr_buf_cstr(&list));
	tr_buf_dispose(&list);
}

static void check_const(vctx *v, const sn *s, const tr_node *n)
{
	char val[VALUE_CAP];
	tr_buf want = TR_BUF_INIT(TR_MAX_MESSAGE_BYTES / 2);

	if (tr_schema__node_equal(n, s->const_value))
		return;
	json_of(&want, s->const_value);
	show_value(val, sizeof(val), n);
	report(v, n, "schema.const", "Unsupported value: %s: supported values: %s",
	       val, tr_buf_cstr(&want));
	tr_buf_dispose(&want);
}

static void check_number(vctx *v, const sn *s, const tr_node *n)
{
	char val[VALUE_CAP], bound[64];

	show_value(val, sizeof(val), n);
	if (s->has_min && cmp_bound(n, s->min) < 0) {
		fmt_number(bound, sizeof(bound), s->min);
		report(v, n, "schema.minimum",
		       "Invalid value: %s: %s%s must be greater than or equal to %s",
		       val, path_of(v), in_body_sep(v), bound);
	}
	if (s->has_max && cmp_bound(n, s->max) > 0) {
		fmt_number(bound, sizeof(bound), s->max);
		report(v, n, "schema.maximum",
		       "Invalid value: %s: %s%s must be less than or equal to %s",
		       val, path_of(v), in_body_sep(v), bound);
	}
	if (s->has_xmin && cmp_bound(n, s->xmin) <= 0) {
		fmt_number(bound, sizeof(bound), s->xmin);
		report(v, n, "schema.minimum",
		       "Invalid value: %s: %s%s must be greater than %s", val,
		       path_of(v), in_body_sep(v), bound);
	}
	if (s->has_xmax && cmp_bound(n, s->xmax) >= 0) {
		fmt_number(bound, sizeof(bound), s->xmax);
		report(v, n, "schema.maximum",
		       "Invalid value: %s: %s%s must be less than %s", val,
		       path_of(v), in_body_sep(v), bound);
	}
	if (s->has_mult) {
		bool ok;
		if (n->type == TR_NODE_INT && floor(s->mult) == s->mult &&
		    s->mult < 9e18) {
			ok = n->as.integer % (int64_t)s->mult == 0;
		} else {
			double q = num_of(n) / s->mult;
			ok = isfinite(q) &&
			     fabs(q - round(q)) <= 1e-9 * fmax(1.0, fabs(q));
		}
		if (!ok) {
			fmt_number(bound, sizeof(bound), s->mult);
			report(v, n, "schema.multiple-of",
			       "Invalid value: %s: %s%s should be a multiple of %s",
			       val, path_of(v), in_body_sep(v), bound);
		}
	}
	if (s->format == SN_FMT_INT32 || s->format == SN_FMT_INT64) {
		double lo = s->format == SN_FMT_INT32 ? -2147483648.0
						      : -9223372036854775808.0;
		double hi = s->format == SN_FMT_INT32 ? 2147483647.0
						      : 9223372036854775807.0;
		bool ok = is_integral(n) && cmp_bound(n, lo) >= 0 &&
			  (n->type == TR_NODE_INT ? cmp_bound(n, hi) <= 0
						  : num_of(n) < hi);
		if (!ok)
			report(v, n, "schema.format",
			       "Invalid value: %s: %s%s must be of type %s: \"%s\"",
			       val, path_of(v), in_body_sep(v),
			       s->format == SN_FMT_INT32 ? "int32" : "int64",
			       n->text ? n->text : val);
	}
}

static void check_string(vctx *v, const sn *s, const tr_node *n)
{
	char val[VALUE_CAP];
	const char *text = n->text ? n->text : "";
	size_t len;

	show_value(val, sizeof(val), n);
	if (s->min_len >= 0 || s->max_len >= 0) {
		len = tr_schema__codepoints(n);
		if (s->max_len >= 0 && len > (size_t)s->max_len)
			report(v, n, "schema.max-length",
			       "Too long: may not be more than %lld characters",
			       (long long)s->max_len);
		if (s->min_len >= 0 && len < (size_t)s->min_len)
			report(v, n, "schema.min-length",
			       "Invalid value: %s: %s%s should be at least %lld "
			       "chars long",
			       val, path_of(v), in_body_sep(v),
			       (long long)s->min_len);
	}
	if (s->re) {
		int m = regex_search(v, s->re, text, n->text_len);
		if (m == 0)
			report(v, n, "schema.pattern",
			       "Invalid value: %s: %s%s should match '%s'", val,
			       path_of(v), in_body_sep(v), s->pattern);
		else if (m < 0)
			report(v, n, "schema.pattern",
			       "Invalid value: %s: %s%s could not be matched "
			       "against '%s' within the regex budget",
			       val, path_of(v), in_body_sep(v), s->pattern);
	}
	if (s->format == SN_FMT_IPV4 || s->format == SN_FMT_IPV6 ||
	    s->format == SN_FMT_HOSTNAME) {
		bool ok;
		const char *name;
		if (s->format == SN_FMT_IPV4) {
			ok = tr_schema__is_ipv4(text, n->text_len);
			name = "ipv4";
		} else if (s->format == SN_FMT_IPV6) {
			ok = tr_schema__is_ipv6(text, n->text_len);
			name = "ipv6";
		} else {
			ok = tr_schema__is_hostname(text, n->text_len);
			name = "hostname";
		}
		if (!ok)
			report(v, n, "schema.format",
			       "Invalid value: %s: %s%s must be of type %s: %s", val,
			       path_of(v), in_body_sep(v), name, val);
	}
}

static const sn_prop *find_prop(const sn *s, const char *name)
{
	for (size_t i = 0; i < s->nprops; i++)
		if (strcmp(s->props[i].name, name) == 0)
			return &s->props[i];
	return NULL;
}

static void unknown_field(vctx *v, const sn *s, const tr_node *key)
{
	const char *name = key->text;
	const char *hint = NULL;

	for (size_t i = 0; i < s->nprops && !hint; i++)
		if (tr_str_distance(s->props[i].name, name, 2) <= 1)
			hint = s->props[i].name;
	if (hint)
		report(v, key, "schema.unknown-field",
		       "unknown field \"%s\" (did you mean \"%s\"?)", path_of(v),
		       hint);
	else
		report(v, key, "schema.unknown-field", "unknown field \"%s\"",
		       path_of(v));
}

static void check_object(vctx *v, const sn *s, const tr_node *n)
{
	size_t mark;

	for (size_t i = 0; i < s->nrequired; i++) {
		if (tr_node_get(n, s->required[i]))
			continue;
		mark = push_key(v, s->required[i]);
		report(v, n, "schema.required", "Required value");
		pop(v, mark);
	}
	for (size_t i = 0; i < n->count; i++) {
		tr_node key_tmp;
		const tr_node *key = key_node(&key_tmp, &n->u.pairs[i]);
		const tr_node *val = n->u.pairs[i].value;
		const char *name = key->text;
		const sn_prop *p = find_prop(s, name);
		bool matched = p != NULL;

		mark = push_key(v, name);
		if (p)
			validate(v, p->schema, val);
		for (size_t j = 0; j < s->npattern_props; j++) {
			int m = regex_search(v, s->pattern_props[j].re, name,
					     key->text_len);
			if (m < 0)
				report(v, key, "schema.pattern",
				       "field name could not be matched against "
				       "'%s' within the regex budget",
				       s->pattern_props[j].source);
			if (m > 0) {
				matched = true;
				validate(v, s->pattern_props[j].schema, val);
			}
		}
		if (!matched && s->additional) {
			const sn *a = deref(s->additional);
			if (a->never)
				unknown_field(v, s, key);
			else
				validate(v, s->additional, val);
		}
		if (s->property_names)
			validate(v, s->property_names, key);
		pop(v, mark);
	}
	if (s->max_props >= 0 && n->count > (size_t)s->max_props)
		report(v, n, "schema.max-properties",
		       "Too many: %zu: must have at most %lld items",
		       (size_t)n->count, (long long)s->max_props);
	if (s->min_props >= 0 && n->count < (size_t)s->min_props)
		report(v, n, "schema.min-properties",
		       "Invalid value: %zu: %s%s should have at least %lld "
		       "properties",
		       (size_t)n->count, path_of(v), in_body_sep(v),
		       (long long)s->min_props);
	for (size_t i = 0; i < s->ndeps; i++) {
		const sn_dependency *d = &s->deps[i];
		if (!tr_node_get(n, d->name))
			continue;
		if (d->schema)
			validate(v, d->schema, n);
		for (size_t j = 0; j < d->nrequired; j++) {
			if (tr_node_get(n, d->required[j]))
				continue;
			mark = push_key(v, d->required[j]);
			report(v, n, "schema.required",
			       "Required value: required when \"%s\" is set",
			       d->name);
			pop(v, mark);
		}
	}
}

static bool map_keys_equal(const sn *s, const tr_node *a, const tr_node *b)
{
	for (size_t k = 0; k < s->nmap_keys; k++) {
		const tr_node *x = tr_node_get(a, s->map_keys[k]);
		const tr_node *y = tr_node_get(b, s->map_keys[k]);
		if (!x && !y)
			continue;
		if (!x || !y || !tr_schema__node_equal(x, y))
			return false;
	}
	return true;
}

static void duplicate_map_item(vctx *v, const sn *s, const tr_node *item)
{
	tr_buf msg = TR_BUF_INIT(TR_MAX_MESSAGE_BYTES / 2);
	int rc = tr_buf_putc(&msg, '{');

	for (size_t k = 0; k < s->nmap_keys; k++) {
		const tr_node *x = tr_node_get(item, s->map_keys[k]);
		char key[VALUE_CAP];
		quote_string(key, sizeof(key), s->map_keys[k],
			     strlen(s->map_keys[k]));
		rc |= tr_buf_printf(&msg, "%s%s:", k ? "," : "", key);
		if (x)
			json_of(&msg, x);
		else
			rc |= tr_buf_puts(&msg, "null");
	}
	rc |= tr_buf_putc(&msg, '}');
	(void)rc;
	report(v, item, "schema.list-map", "Duplicate value: %s",
	       tr_buf_cstr(&msg));
	tr_buf_dispose(&msg);
}

/* x-trellis-unique-properties: each named property is unique on its own
 * across the items (cluster names, and separately cluster paths). */
static void check_unique_props(vctx *v, const sn *s, const tr_node *n)
{
	for (size_t k = 0; k < s->nunique_props; k++) {
		const char *prop = s->unique_props[k];
		for (size_t j = 1; j < n->count; j++) {
			const tr_node *b = tr_node_get(n->u.items[j], prop);
			if (!b)
				continue;
			for (size_t i = 0; i < j; i++) {
				const tr_node *a = tr_node_get(n->u.items[i], prop);
				if (!a || !tr_schema__node_equal(a, b))
					continue;
				char val[VALUE_CAP];
				size_t mark = push_index(v, j);
				size_t mark2 = push_key(v, prop);
				show_value(val, sizeof(val), b);
				report(v, b, "schema.unique", "Duplicate value: %s", val);
				pop(v, mark2);
				pop(v, mark);
				break;
			}
		}
	}
}

static void check_array(vctx *v, const sn *s, const tr_node *n)
{
	size_t mark;

	for (size_t i = 0; i < n->count; i++) {
		const sn *sub = s->items;
		if (s->has_tuple)
			sub = i < s->ntuple ? s->tuple[i] : s->additional_items;
		if (!sub)
			continue;
		mark = push_index(v, i);
		validate(v, sub, n->u.items[i]);
		pop(v, mark);
	}
	if (s->contains) {
		bool found = false;
		for (size_t i = 0; i < n->count && !found; i++)
			found = try_quietly(v, s->contains, n->u.items[i], NULL);
		if (!found)
			report(v, n, "schema.contains",
			       "Invalid value: \"array\": %s%s must contain at least "
			       "one item matching the schema (contains)",
			       path_of(v), in_body_sep(v));
	}
	if (s->max_items >= 0 && n->count > (size_t)s->max_items)
		report(v, n, "schema.max-items",
		       "Too many: %zu: must have at most %lld items",
		       (size_t)n->count, (long long)s->max_items);
	if (s->min_items >= 0 && n->count < (size_t)s->min_items)
		report(v, n, "schema.min-items",
		       "Invalid value: %zu: %s%s should have at least %lld items",
		       (size_t)n->count, path_of(v), in_body_sep(v),
		       (long long)s->min_items);
	/* Quadratic, but every list that asks for uniqueness has maxItems in
	 * our schemas; reported once per duplicate, at the later item. */
	if (s->nunique_props)
		check_unique_props(v, s, n);
	if (s->unique_items || s->list_type == SN_LIST_SET ||
	    s->list_type == SN_LIST_MAP) {
		for (size_t j = 1; j < n->count; j++) {
			const tr_node *b = n->u.items[j];
			for (size_t i = 0; i < j; i++) {
				const tr_node *a = n->u.items[i];
				bool dup;
				if (s->list_type == SN_LIST_MAP && !s->unique_items)
					dup = a->type == TR_NODE_MAP &&
					      b->type == TR_NODE_MAP &&
					      map_keys_equal(s, a, b);
				else
					dup = tr_schema__node_equal(a, b);
				if (!dup)
					continue;
				mark = push_index(v, j);
				if (s->list_type == SN_LIST_MAP && !s->unique_items) {
					duplicate_map_item(v, s, b);
				} else {
					tr_buf val = TR_BUF_INIT(TR_MAX_MESSAGE_BYTES / 2);
					json_of(&val, b);
					report(v, b,
					       s->unique_items ? "schema.unique-items"
							       : "schema.list-set",
					       "Duplicate value: %s", tr_buf_cstr(&val));
					tr_buf_dispose(&val);
				}
				pop(v, mark);
				break;
			}
		}
	}
}

static void check_combinators(vctx *v, const sn *s, const tr_node *n)
{
	char val[VALUE_CAP];

	show_value(val, sizeof(val), n);
	for (size_t i = 0; i < s->nall_of; i++)
		validate(v, s->all_of[i], n);
	if (s->nany_of || s->none_of) {
		bool any = s->nany_of > 0;
		sn **branches = any ? s->any_of : s->one_of;
		size_t count = any ? s->nany_of : s->none_of;
		size_t valid = 0, best = 0, best_err = SIZE_MAX, nerr;
		for (size_t i = 0; i < count; i++) {
			if (try_quietly(v, branches[i], n, &nerr)) {
				valid++;
				if (any)
					break;
			} else if (nerr < best_err) {
				best_err = nerr;
				best = i;
			}
		}
		if (valid == 0) {
			/* The closest branch's problems say what to fix. */
			validate(v, branches[best], n);
			report(v, n, any ? "schema.any-of" : "schema.one-of",
			       "Invalid value: %s: %s%s must validate %s", val,
			       path_of(v), in_body_sep(v),
			       any ? "at least one schema (anyOf)"
				   : "one and only one schema (oneOf). Found none "
				     "valid");
		} else if (!any && valid > 1) {
			report(v, n, "schema.one-of",
			       "Invalid value: %s: %s%s must validate one and only "
			       "one schema (oneOf). Found %zu valid alternatives",
			       val, path_of(v), in_body_sep(v), valid);
		}
		if (any && s->none_of) {
			/* Both anyOf and oneOf on one schema: run oneOf too. */
			valid = 0;
			for (size_t i = 0; i < s->none_of; i++)
				valid += try_quietly(v, s->one_of[i], n, NULL);
			if (valid != 1)
				report(v, n, "schema.one-of",
				       "Invalid value: %s: %s%s must validate one "
				       "and only one schema (oneOf). Found %zu valid",
				       val, path_of(v), in_body_sep(v), valid);
		}
	}
	if (s->not_ && try_quietly(v, s->not_, n, NULL))
		report(v, n, "schema.not",
		       "Invalid value: %s: %s%s must not validate the schema (not)",
		       val, path_of(v), in_body_sep(v));
	if (s->if_) {
		if (try_quietly(v, s->if_, n, NULL)) {
			if (s->then_)
				validate(v, s->then_, n);
		} else if (s->else_) {
			validate(v, s->else_, n);
		}
	}
}

static bool validate_keywords(vctx *v, const sn *s, const tr_node *n)
{
	size_t before = v->errors;

	if (v->depth >= TR_SCHEMA_MAX_DEPTH) {
		report(v, n, "schema.depth",
		       "the document or the schema nests deeper than %u levels",
		       TR_SCHEMA_MAX_DEPTH);
		return false;
	}
	v->depth++;
	s = deref(s);
	if (s->never) {
		report(v, n, "schema.forbidden", "Forbidden: may not be specified");
		goto done;
	}
	if (s->types && !type_ok(s->types, n)) {
		char want[96], val[VALUE_CAP];
		tr_buf hint = TR_BUF_INIT(256);
		type_names(want, sizeof(want), s->types);
		show_value(val, sizeof(val), n);
		type_hint(&hint, n, s->types);
		report(v, n, "schema.type",
		       "Invalid value: \"%s\": %s%s must be of type %s: %s%s",
		       tr_node_type_name(n->type), path_of(v), in_body_sep(v),
		       want, val, tr_buf_cstr(&hint));
		tr_buf_dispose(&hint);
		/* The other keywords would only repeat the type error. */
		goto done;
	}
	if (s->nenum)
		check_enum(v, s, n);
	if (s->const_value)
		check_const(v, s, n);
	if (is_number(n))
		check_number(v, s, n);
	else if (n->type == TR_NODE_STRING)
		check_string(v, s, n);
	else if (n->type == TR_NODE_MAP)
		check_object(v, s, n);
	else if (n->type == TR_NODE_SEQ)
		check_array(v, s, n);
	check_combinators(v, s, n);
done:
	v->depth--;
	return v->errors == before;
}

static bool validate(vctx *v, const sn *s, const tr_node *n)
{
	const sn *t = deref(s);
	size_t before;
	bool ok;

	if (!t->message)
		return validate_keywords(v, t, n);
	/* The schema words its own failure: one message instead of the
	 * keyword-level ones (a `not`, a path rule, an exclusive pair). */
	before = v->errors;
	size_t wbefore = v->weight;
	v->quiet++;
	ok = validate_keywords(v, t, n);
	v->quiet--;
	v->errors = before;
	v->weight = wbefore;
	if (!ok)
		report(v, n, "schema.rule", "%s", t->message);
	return ok;
}

static int run(const tr_schema *schema, const char *file,
	       const tr_node *root, const char *path, tr_diag *diag, bool quiet)
{
	vctx v;
	int rc;

	memset(&v, 0, sizeof(v));
	v.schema = schema;
	v.file = file;
	v.diag = diag;
	v.quiet = quiet ? 1 : 0;
	tr_buf_init(&v.path, TR_SCHEMA_MAX_PATH_BYTES);
	if (path && *path && tr_buf_puts(&v.path, path) < 0)
		tr_buf_clear(&v.path);
	v.md = pcre2_match_data_create(1, schema->gctx);
	validate(&v, schema->root, root);
	rc = v.errors ? TR_EINVALID : 0;
	pcre2_match_data_free(v.md);
	tr_buf_dispose(&v.path);
	return rc;
}

int tr_schema_validate(const tr_schema *schema, const char *file,
		       const tr_node *root, const char *path, tr_diag *diag)
{
	return run(schema, file, root, path, diag, false);
}

bool tr_schema_accepts(const tr_schema *schema, const tr_node *root)
{
	return run(schema, NULL, root, NULL, NULL, true) == 0;
}
