/* The YAML loader's guards, each with the exact position it reports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "manifest/manifest.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/limits.h"

typedef struct fixture {
	tr_manifest_set set;
	tr_diag diag;
	int rc;
} fixture;

static int setup(void **state)
{
	fixture *f = tr_calloc(1, sizeof(*f));
	tr_manifest_set_init(&f->set);
	tr_diag_init(&f->diag);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	tr_manifest_set_dispose(&f->set);
	tr_diag_dispose(&f->diag);
	tr_free(f);
	return 0;
}

static void load(fixture *f, const char *text, size_t len)
{
	f->rc = tr_manifest_load(&f->set, "dir/file.yaml", text, len,
				 &f->diag);
}

#define LOAD(f, s) load((f), (s), sizeof(s) - 1)

/* Asserts the only diagnostic has this rule, line, column and contains
 * the message fragment. */
static void expect_one(const fixture *f, const char *rule, uint32_t line,
		       uint32_t col, const char *fragment)
{
	const tr_diag_entry *e;

	if (f->diag.count != 1) {
		for (size_t i = 0; i < f->diag.count; i++)
			print_message("diag: %u:%u %s %s\n",
				      f->diag.entries[i].line,
				      f->diag.entries[i].col,
				      f->diag.entries[i].rule,
				      f->diag.entries[i].message);
	}
	assert_int_equal(f->diag.count, 1);
	e = &f->diag.entries[0];
	assert_string_equal(e->rule, rule);
	assert_string_equal(e->file, "dir/file.yaml");
	assert_int_equal(e->line, line);
	assert_int_equal(e->col, col);
	if (!strstr(e->message, fragment))
		fail_msg("message \"%s\" lacks \"%s\"", e->message, fragment);
	assert_int_equal(e->severity, TR_SEV_ERROR);
	assert_int_not_equal(f->rc, 0);
}

static void loads_multi_document_stream(void **state)
{
	fixture *f = *state;
	const tr_manifest_doc *d;

	LOAD(f, "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n"
		"  namespace: apps\n---\n---\n"
		"apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"
		"metadata: {name: gw}\n...\n");
	assert_int_equal(f->rc, 0);
	assert_int_equal(f->diag.count, 0);
	assert_int_equal(f->set.count, 2);
	d = &f->set.docs[0];
	assert_string_equal(d->kind, "Service");
	assert_string_equal(d->name, "a");
	assert_string_equal(d->namespace_, "apps");
	assert_int_equal(d->index, 0);
	d = &f->set.docs[1];
	assert_string_equal(d->api_version, "gateway.networking.k8s.io/v1");
	assert_string_equal(d->name, "gw");
	assert_null(d->namespace_);
	assert_int_equal(d->index, 2); /* the empty document still counts */
	assert_int_equal(d->root->line, 8);
	assert_int_equal(d->root->col, 1);
}

static void keeps_positions_of_nested_nodes(void **state)
{
	fixture *f = *state;
	const tr_node *spec, *rules, *port;

	LOAD(f, "apiVersion: v1\nkind: Service\nspec:\n  ports:\n"
		"    - port: 80\n      name: \"http\"\n");
	assert_int_equal(f->rc, 0);
	spec = tr_node_get(f->set.docs[0].root, "spec");
	rules = tr_node_get(spec, "ports");
	assert_non_null(rules);
	assert_int_equal(rules->type, TR_NODE_SEQ);
	assert_int_equal(rules->count, 1);
	port = tr_node_get(rules->u.items[0], "port");
	assert_int_equal(port->type, TR_NODE_INT);
	assert_int_equal(port->as.integer, 80);
	assert_int_equal(port->line, 5);
	assert_int_equal(port->col, 13);
	assert_false(tr_node_get(rules->u.items[0], "name")->plain);
}

static void resolves_scalars_like_kubernetes(void **state)
{
	static const struct {
		const char *text;
		tr_node_type type;
		int64_t integer;
	} cases[] = {
		{"yes", TR_NODE_BOOL, 1},   {"Off", TR_NODE_BOOL, 0},
		{"y", TR_NODE_BOOL, 1},     {"true", TR_NODE_BOOL, 1},
		{"~", TR_NODE_NULL, 0},     {"null", TR_NODE_NULL, 0},
		{"", TR_NODE_NULL, 0},      {"42", TR_NODE_INT, 42},
		{"-7", TR_NODE_INT, -7},    {"0777", TR_NODE_INT, 511},
		{"0x1F", TR_NODE_INT, 31},  {"1_000", TR_NODE_INT, 1000},
		{"0b101", TR_NODE_INT, 5},  {"1.5", TR_NODE_FLOAT, 0},
		{"1e3", TR_NODE_FLOAT, 0},  {".inf", TR_NODE_FLOAT, 0},
		{"09", TR_NODE_FLOAT, 0}, /* go-yaml: bad octal, then float */  {"1.2.3", TR_NODE_STRING, 0},
		{"'yes'", TR_NODE_STRING, 0}, {"\"42\"", TR_NODE_STRING, 0},
		{"!!str 42", TR_NODE_STRING, 0}, {"!!int \"12\"", TR_NODE_INT, 12},
		{"99999999999999999999", TR_NODE_FLOAT, 0},
		{"v1", TR_NODE_STRING, 0},
	};
	fixture *f = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tr_buf b = TR_BUF_INIT(256);
		const tr_node *v;

		assert_int_equal(tr_buf_printf(&b, "apiVersion: v1\nkind: X\n"
						   "v: %s\n",
					       cases[i].text),
				 0);
		f->set.count = 0;
		load(f, b.ptr, b.len);
		assert_int_equal(f->diag.count, 0);
		v = tr_node_get(f->set.docs[0].root, "v");
		if (v->type != cases[i].type)
			fail_msg("%s resolved to %s", cases[i].text,
				 tr_node_type_name(v->type));
		if (v->type == TR_NODE_INT)
			assert_int_equal(v->as.integer, cases[i].integer);
		if (v->type == TR_NODE_BOOL)
			assert_int_equal(v->as.boolean, cases[i].integer);
		tr_buf_dispose(&b);
	}
}

/* Keys are a text and a position in the pair (node.h), texts are shared
 * across files, and key equality still compares every byte. */
static void keeps_keys_as_shared_texts_with_positions(void **state)
{
	static const char other[] =
		"apiVersion: v1\nkind: Service\nmetadata: {name: b}\n";
	fixture *f = *state;
	const tr_node *a, *b, *m;

	LOAD(f, "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n"
		"  80: http\n  \"k\\0a\": 1\n  \"k\\0b\": 2\n"
		"  &anchored label: x\n  copy: *anchored\n"
		"  &port 8080: y\n  p: *port\n");
	assert_int_equal(f->diag.count, 0);
	(void)tr_manifest_load(&f->set, "dir/other.yaml", other,
			       sizeof(other) - 1, &f->diag);
	assert_int_equal(f->diag.count, 0);
	assert_int_equal(f->set.count, 2);
	a = f->set.docs[0].root;
	b = f->set.docs[1].root;
	assert_ptr_equal(a->u.pairs[2].key, b->u.pairs[2].key);
	assert_string_equal(a->u.pairs[2].key, "metadata");
	assert_int_equal(a->u.pairs[2].line, 3);
	assert_int_equal(a->u.pairs[2].col, 1);
	/* Values are shared too: one "Service" for both documents. */
	assert_ptr_equal(f->set.docs[0].kind, f->set.docs[1].kind);
	m = tr_node_get(a, "metadata");
	assert_int_equal(m->count, 8);
	assert_string_equal(m->u.pairs[1].key, "80"); /* a plain 80: is a name */
	assert_int_equal(m->u.pairs[1].line, 5);
	assert_int_equal(m->u.pairs[1].col, 3);
	/* Keys equal up to a NUL byte are different keys, not duplicates. */
	assert_ptr_not_equal(m->u.pairs[2].key, m->u.pairs[3].key);
	assert_int_equal(m->u.pairs[3].line, 7);
	/* An anchored key is still a key, and its alias a string value. */
	assert_string_equal(m->u.pairs[4].key, "label");
	assert_int_equal(m->u.pairs[4].col, 3);
	assert_string_equal(tr_node_get_str(m, "copy"), "label");
	assert_int_equal(tr_node_get(m, "copy")->line, 8);
	assert_int_equal(tr_node_get(m, "copy")->col, 3);
	/* The key is the text "8080"; its alias, a value, is the integer. */
	assert_string_equal(m->u.pairs[6].key, "8080");
	assert_int_equal(tr_node_get(m, "p")->type, TR_NODE_INT);
	assert_int_equal(tr_node_get(m, "p")->as.integer, 8080);
}

static void rejects_duplicate_keys_with_nul_bytes(void **state)
{
	fixture *f = *state;

	LOAD(f, "apiVersion: v1\nkind: X\n\"k\\0a\": 1\n\"k\\0a\": 2\n");
	expect_one(f, "yaml.duplicate-key", 4, 1, "already defined at line 3");
}

static void rejects_duplicate_keys_with_both_lines(void **state)
{
	fixture *f = *state;

	LOAD(f, "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n"
		"  labels: {}\n  name: b\n");
	expect_one(f, "yaml.duplicate-key", 6, 3,
		   "mapping key \"name\" already defined at line 4");
	assert_int_equal(f->set.count, 0);
}

static void rejects_duplicate_keys_in_large_maps(void **state)
{
	fixture *f = *state;
	tr_buf b = TR_BUF_INIT(1 << 20);

	assert_int_equal(tr_buf_puts(&b, "apiVersion: v1\nkind: X\ndata:\n"), 0);
	for (int i = 0; i < 500; i++)
		assert_int_equal(tr_buf_printf(&b, "  k%d: v\n", i), 0);
	assert_int_equal(tr_buf_puts(&b, "  k17: again\n"), 0);
	load(f, b.ptr, b.len);
	expect_one(f, "yaml.duplicate-key", 504, 3,
		   "\"k17\" already defined at line 21");
	tr_buf_dispose(&b);
}

static void stops_the_billion_laughs_fast(void **state)
{
	fixture *f = *state;
	const char *bomb =
		"apiVersion: v1\nkind: X\n"
		"a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
		"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
		"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
		"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
		"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
		"f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
		"g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
		"h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
		"i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
	clock_t start = clock();

	load(f, bomb, strlen(bomb));
	/* The budget runs out at the second *e in f's list (each *e is 66,430 nodes). */
	expect_one(f, "yaml.too-large", 8, 11, "more than 200000 nodes");
	assert_int_equal(f->set.count, 0);
	/* A generous bound: the point is "not exponential". */
	assert_true((double)(clock() - start) / CLOCKS_PER_SEC < 1.0);
	assert_true(f->set.arena.used < 4u * 1024 * 1024);
}

static void rejects_self_referencing_alias(void **state)
{
	fixture *f = *state;

	LOAD(f, "apiVersion: v1\nkind: X\na: &a [1, *a]\n");
	expect_one(f, "yaml.alias", 3, 11, "contains it");
}

static void accepts_bounded_aliases(void **state)
{
	fixture *f = *state;
	const tr_node *b;

	LOAD(f, "apiVersion: v1\nkind: X\na: &x {p: 1}\nb: *x\n");
	assert_int_equal(f->diag.count, 0);
	b = tr_node_get(f->set.docs[0].root, "b");
	assert_int_equal(b->type, TR_NODE_MAP);
	assert_int_equal(tr_node_get(b, "p")->as.integer, 1);
}

static void rejects_deep_nesting_fast(void **state)
{
	fixture *f = *state;
	size_t depth = 10000;
	char *text = tr_malloc(2 * depth + 64);
	size_t n = 0;

	n += (size_t)snprintf(text, 64, "apiVersion: v1\nkind: X\nv: ");
	for (size_t i = 0; i < depth; i++)
		text[n++] = '[';
	for (size_t i = 0; i < depth; i++)
		text[n++] = ']';
	text[n++] = '\n';
	load(f, text, n);
	/* The root map is level 1, so the 64th '[' is one too many. */
	expect_one(f, "yaml.too-deep", 3, 4 + TR_MAX_YAML_DEPTH - 1,
		   "deeper than 64");
	tr_free(text);
}

static void rejects_invalid_utf8_with_position(void **state)
{
	fixture *f = *state;

	LOAD(f, "apiVersion: v1\nkind: X\nname: ab\xff\n");
	expect_one(f, "yaml.encoding", 3, 9, "UTF-8");
}

static void rejects_nul_bytes(void **state)
{
	fixture *f = *state;

	LOAD(f, "apiVersion: v1\nkind: X\nna\0me: a\n");
	expect_one(f, "yaml.encoding", 3, 3, "0x00");
}

static void rejects_tab_indentation_with_hint(void **state)
{
	fixture *f = *state;

	LOAD(f, "apiVersion: v1\nkind: X\nspec:\n\tname: a\n");
	assert_int_equal(f->diag.count, 1);
	assert_string_equal(f->diag.entries[0].rule, "yaml.syntax");
	assert_int_equal(f->diag.entries[0].line, 4);
	assert_int_equal(f->diag.entries[0].col, 1);
	assert_non_null(strstr(f->diag.entries[0].message, "tabs"));
}

static void rejects_non_mapping_documents(void **state)
{
	fixture *f = *state;

	LOAD(f, "---\n- a\n- b\n");
	expect_one(f, "manifest.not-an-object", 2, 1,
		   "document is an array");
}

static void rejects_missing_kind_and_api_version(void **state)
{
	fixture *f = *state;

	LOAD(f, "metadata:\n  name: x\n");
	assert_int_equal(f->diag.count, 2);
	assert_string_equal(f->diag.entries[0].rule, "manifest.api-version");
	assert_string_equal(f->diag.entries[1].rule, "manifest.kind");
	assert_int_equal(f->diag.entries[1].line, 1);
	assert_int_equal(f->set.count, 0);
}

static void rejects_non_string_kind(void **state)
{
	fixture *f = *state;

	LOAD(f, "apiVersion: v1\nkind: [a]\n");
	expect_one(f, "manifest.kind", 2, 7, "must be a string");
}

static void accepts_empty_files(void **state)
{
	fixture *f = *state;

	LOAD(f, "");
	assert_int_equal(f->rc, 0);
	LOAD(f, "# only a comment\n---\n");
	assert_int_equal(f->rc, 0);
	assert_int_equal(f->diag.count, 0);
	assert_int_equal(f->set.count, 0);
}

static void handles_crlf_and_bom(void **state)
{
	fixture *f = *state;
	const tr_node *name;

	LOAD(f, "\xEF\xBB\xBF"
		"apiVersion: v1\r\nkind: X\r\nmetadata:\r\n  name: crlf\r\n");
	assert_int_equal(f->diag.count, 0);
	name = tr_node_get(tr_node_get(f->set.docs[0].root, "metadata"),
			   "name");
	assert_string_equal(name->text, "crlf");
	assert_int_equal(name->line, 4);
	assert_int_equal(name->col, 9);
	LOAD(f, "apiVersion: v1\r\nkind: X\r\nkind: Y\r\n");
	expect_one(f, "yaml.duplicate-key", 3, 1, "already defined at line 2");
}

static void rejects_merge_keys_and_foreign_tags(void **state)
{
	fixture *f = *state;

	LOAD(f, "apiVersion: v1\nkind: X\nbase: &b {a: 1}\nspec:\n"
		"  <<: *b\n");
	expect_one(f, "yaml.merge-key", 5, 3, "merge keys");
	tr_diag_dispose(&f->diag);
	tr_diag_init(&f->diag);
	LOAD(f, "apiVersion: v1\nkind: X\nv: !custom x\n");
	expect_one(f, "yaml.tag", 3, 4, "tag !custom");
}

static void rejects_oversized_scalars_and_files(void **state)
{
	fixture *f = *state;
	size_t n = TR_MAX_SCALAR_BYTES + 10;
	char *text = tr_malloc(n + 32);
	size_t len = (size_t)snprintf(text, 32, "apiVersion: v1\nv: ");

	memset(text + len, 'x', n);
	len += n;
	load(f, text, len);
	expect_one(f, "yaml.too-large", 2, 4, "scalar of");
	tr_free(text);
	tr_diag_dispose(&f->diag);
	tr_diag_init(&f->diag);
	load(f, "", TR_MAX_FILE_BYTES + 1); /* size is checked before reading */
	expect_one(f, "source.too-large", 1, 1, "larger than");
}

static void reports_syntax_errors_at_the_problem(void **state)
{
	fixture *f = *state;

	LOAD(f, "apiVersion: v1\nkind: X\nspec: {a: 1\nnext: 2\n");
	assert_int_equal(f->diag.count, 1);
	assert_string_equal(f->diag.entries[0].rule, "yaml.syntax");
	assert_int_equal(f->diag.entries[0].line, 4);
}

static void loads_json_files(void **state)
{
	fixture *f = *state;

	LOAD(f, "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Service\",\n"
		"  \"metadata\": {\"name\": \"s\"}\n}\n");
	assert_int_equal(f->diag.count, 0);
	assert_string_equal(f->set.docs[0].name, "s");
	LOAD(f, "{\"apiVersion\": \"v1\", \"kind\": \"X\", \"kind\": \"Y\"}");
	expect_one(f, "yaml.duplicate-key", 1, 35, "\"kind\" already defined");
}

/* A .json file is read as JSON (cJSON decides): what YAML would forgive is
 * an error at the character where cJSON stopped, with the usual mistake
 * named. */
static void reads_json_files_strictly(void **state)
{
	static const struct {
		const char *text;
		uint32_t line, col; /* 0: valid */
		const char *fragment;
	} cases[] = {
		{"{\n  \"kind\": \"Service\",\n}\n", 3, 1,
		 "at '}': a trailing comma is not allowed in JSON"},
		{"{\"a\": [1, 2,]}", 1, 13, "at ']': a trailing comma"},
		{"{\"a\": 1", 1, 7, "the document ends too early"},
		{"{\"a\": 1 // c\n}", 1, 9, "at '/': JSON has no comments"},
		{"{a: 1}", 1, 3, "not valid JSON from here on"}, /* cJSON stops past the a */
		{"{\"a\" 1}", 1, 6, "at '1': not valid JSON"},
		{"{\"\xc3\xa9\": 'x'}", 1, 7,
		 "at ''': JSON strings take double quotes"},
		{"{} {}", 1, 4, "one JSON value per file"},
		{"\xef\xbb\xbf{\"apiVersion\": \"v1\", \"kind\": \"S\",\r\n"
		 " \"m\": [true, false, null, -1.5e+3, \"\\u00e9\\n\"]}\r\n",
		 0, 0, NULL},
		{"  \n", 0, 0, NULL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fixture *f = *state;
		const tr_diag_entry *e;
		int rc;

		tr_diag_dispose(&f->diag);
		tr_diag_init(&f->diag);
		print_message("case %zu: %s\n", i, cases[i].text);
		rc = tr_manifest_load(&f->set, "dir/file.json", cases[i].text,
				      strlen(cases[i].text), &f->diag);
		if (!cases[i].line) {
			assert_int_equal(rc, 0);
			assert_int_equal(f->diag.count, 0);
			continue;
		}
		assert_int_equal(rc, TR_EINVALID);
		assert_int_equal(f->diag.count, 1);
		e = &f->diag.entries[0];
		assert_string_equal(e->rule, "json.syntax");
		assert_string_equal(e->file, "dir/file.json");
		assert_int_equal(e->line, cases[i].line);
		assert_int_equal(e->col, cases[i].col);
		if (!strstr(e->message, cases[i].fragment))
			fail_msg("message \"%s\" lacks \"%s\"", e->message,
				 cases[i].fragment);
	}
}

static void notes_iam_policy_documents(void **state)
{
	fixture *f = *state;

	LOAD(f, "{\"Version\": \"2012-10-17\", \"Statement\": []}");
	assert_int_equal(f->rc, 0);
	assert_int_equal(f->set.count, 0);
	assert_int_equal(f->diag.count, 1);
	assert_int_equal(f->diag.entries[0].severity, TR_SEV_NOTE);
	assert_string_equal(f->diag.entries[0].rule, "manifest.iam-policy-file");
}

static void loads_plain_config_documents(void **state)
{
	fixture *f = *state;
	const tr_node *root = NULL;

	assert_int_equal(tr_manifest_load_plain(&root, &f->set, "trellis.yaml",
						"version: 1\nregion: x\n", 20,
						&f->diag),
			 0);
	assert_non_null(root);
	assert_int_equal(tr_node_get(root, "version")->as.integer, 1);
	assert_int_equal(tr_manifest_load_plain(&root, &f->set, "trellis.yaml",
						"a: 1\n---\nb: 2\n", 14,
						&f->diag),
			 TR_EINVALID);
	assert_null(root);
	assert_string_equal(f->diag.entries[0].rule, "config.documents");
	assert_int_equal(f->diag.entries[0].line, 3);
}

/* API groups match whole: "gateway.networking.k8s.io" is not a prefix
 * match for "gateway.networking.k8s.io.evil", and "" is the core group. */
static void matches_api_groups_whole(void **state)
{
	tr_manifest_doc d = {0};

	(void)state;
	assert_true(tr_manifest_group_is("gateway.networking.k8s.io/v1",
					 "gateway.networking.k8s.io"));
	assert_false(tr_manifest_group_is("gateway.networking.k8s.io.evil/v1",
					  "gateway.networking.k8s.io"));
	assert_false(tr_manifest_group_is("gateway.networking.k8s.io",
					  "gateway.networking.k8s.io"));
	assert_true(tr_manifest_group_is("v1", ""));
	assert_false(tr_manifest_group_is("apps/v1", ""));
	d.api_version = "iam.services.k8s.aws/v1alpha1";
	d.kind = "Role";
	assert_true(tr_manifest_doc_is(&d, "iam.services.k8s.aws", "Role"));
	assert_false(tr_manifest_doc_is(&d, "iam.services.k8s.aws", "Policy"));
	assert_false(tr_manifest_doc_is(&d, "services.k8s.aws", "Role"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(loads_multi_document_stream),
		T(keeps_positions_of_nested_nodes),
		T(resolves_scalars_like_kubernetes),
		T(keeps_keys_as_shared_texts_with_positions),
		T(rejects_duplicate_keys_with_nul_bytes),
		T(rejects_duplicate_keys_with_both_lines),
		T(rejects_duplicate_keys_in_large_maps),
		T(stops_the_billion_laughs_fast),
		T(rejects_self_referencing_alias),
		T(accepts_bounded_aliases),
		T(rejects_deep_nesting_fast),
		T(rejects_invalid_utf8_with_position),
		T(rejects_nul_bytes),
		T(rejects_tab_indentation_with_hint),
		T(rejects_non_mapping_documents),
		T(rejects_missing_kind_and_api_version),
		T(rejects_non_string_kind),
		T(accepts_empty_files),
		T(handles_crlf_and_bom),
		T(rejects_merge_keys_and_foreign_tags),
		T(rejects_oversized_scalars_and_files),
		T(reports_syntax_errors_at_the_problem),
		T(loads_json_files),
		T(reads_json_files_strictly),
		T(notes_iam_policy_documents),
		T(loads_plain_config_documents),
		T(matches_api_groups_whole),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
