/*
 * The schema engine on real manifests: one invalid manifest per
 * keyword-level rule, each asserting the file, line, column, field path,
 * rule id and message of the one diagnostic it must produce; defaults;
 * compile-time strictness of schemas; the embedded set.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "diag/diag.h"
#include "manifest/manifest.h"
#include "util/buf.h"
#include "validate/schema.h"

static tr_schema_set *schemas;

static int setup(void **state)
{
	tr_diag diag;
	(void)state;

	tr_diag_init(&diag);
	if (tr_schema_set_new(&schemas, &diag) < 0) {
		for (size_t i = 0; i < diag.count; i++)
			print_error("%s: %s: %s\n", diag.entries[i].file,
				    diag.entries[i].path ? diag.entries[i].path : "",
				    diag.entries[i].message);
		tr_diag_dispose(&diag);
		return -1;
	}
	tr_diag_dispose(&diag);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tr_schema_set_free(schemas);
	return 0;
}

/* Loads `yaml` as t.yaml and runs defaults + validation against the schema
 * of its apiVersion/kind, or the config schema when config is set. */
static const tr_node *check(tr_manifest_set *set, const char *yaml,
			    bool config, tr_diag *diag)
{
	const tr_node *root = NULL, *out = NULL;
	const tr_schema *schema;
	tr_diag load;

	tr_diag_init(&load);
	if (config) {
		assert_int_equal(tr_manifest_load_plain(&root, set, "t.yaml", yaml,
							strlen(yaml), &load),
				 0);
		schema = tr_schema_set_config(schemas);
	} else {
		assert_int_equal(tr_manifest_load(set, "t.yaml", yaml, strlen(yaml),
						  &load),
				 0);
		assert_int_equal(set->count, 1);
		root = set->docs[0].root;
		schema = tr_schema_set_lookup(schemas, set->docs[0].api_version,
					      set->docs[0].kind);
	}
	for (size_t i = 0; i < load.count; i++)
		print_error("load: %s\n", load.entries[i].message);
	assert_int_equal(load.count, 0);
	tr_diag_dispose(&load);
	assert_non_null(schema);
	(void)tr_schema_check(&out, schema, "t.yaml", root, &set->arena, diag);
	return out;
}

static void print_diag(const tr_diag *diag)
{
	for (size_t i = 0; i < diag->count; i++) {
		const tr_diag_entry *e = &diag->entries[i];
		print_error("  %s:%u:%u [%s] %s: %s\n", e->file ? e->file : "-",
			    e->line, e->col, e->rule, e->path ? e->path : "-",
			    e->message);
	}
}

typedef struct bad_case {
	const char *name;
	bool config;
	const char *yaml;
	uint32_t line, col;
	const char *path;
	const char *rule;
	const char *message;
} bad_case;

#define GATEWAY_HEAD                                                          \
	"apiVersion: gateway.networking.k8s.io/v1\n"                          \
	"kind: Gateway\n"                                                     \
	"metadata:\n"                                                         \
	"  name: gw\n"                                                        \
	"spec:\n"                                                             \
	"  gatewayClassName: amazon-vpc-lattice\n"
/* HTTPRoute header: 5 lines, spec: on line 5. */
#define ROUTE_HEAD                                                            \
	"apiVersion: gateway.networking.k8s.io/v1\n"                          \
	"kind: HTTPRoute\n"                                                   \
	"metadata:\n"                                                         \
	"  name: r\n"                                                         \
	"spec:\n"
#define CONFIG_HEAD                                                           \
	"version: 1\n"                                                        \
	"region: us-west-2\n"                                                 \
	"owner: platform-prod\n"

static const bad_case bad_cases[] = {
	{"type: quoted number", false,
	 GATEWAY_HEAD "  listeners:\n"
		      "  - name: http\n"
		      "    protocol: HTTP\n"
		      "    port: \"80\"\n",
	 10, 11, "spec.listeners[0].port", "schema.type",
	 "Invalid value: \"string\": spec.listeners[0].port in body must be of "
	 "type integer: \"80\" (the value is quoted, so it is a string; write it "
	 "without quotes)"},
	{"type: YAML 1.1 boolean", false,
	 ROUTE_HEAD "  hostnames: [a.example.com]\n"
		    "  rules:\n"
		    "  - matches:\n"
		    "    - headers:\n"
		    "      - name: x-canary\n"
		    "        value: yes\n",
	 11, 16, "spec.rules[0].matches[0].headers[0].value", "schema.type",
	 "Invalid value: \"boolean\": spec.rules[0].matches[0].headers[0].value "
	 "in body must be of type string: true (YAML 1.1 reads the unquoted yes "
	 "as the boolean true; quote it: \"yes\")"},
	{"type: YAML 1.1 octal", false,
	 "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n"
	 "  annotations:\n    mode: 0777\n",
	 6, 11, "metadata.annotations.mode", "schema.type",
	 "Invalid value: \"integer\": metadata.annotations.mode in body must be "
	 "of type string: 511 (YAML 1.1 reads the unquoted 0777 as the integer "
	 "511; quote it: \"0777\")"},
	{"enum", false,
	 ROUTE_HEAD "  rules:\n"
		    "  - matches:\n"
		    "    - path:\n"
		    "        type: Prefix\n"
		    "        value: /\n",
	 9, 15, "spec.rules[0].matches[0].path.type", "schema.enum",
	 "Unsupported value: \"Prefix\": supported values: \"Exact\", "
	 "\"PathPrefix\", \"RegularExpression\""},
	{"enum with a hint", false,
	 ROUTE_HEAD "  rules:\n"
		    "  - matches:\n"
		    "    - path:\n"
		    "        type: pathPrefix\n",
	 9, 15, "spec.rules[0].matches[0].path.type", "schema.enum",
	 "Unsupported value: \"pathPrefix\": supported values: \"Exact\", "
	 "\"PathPrefix\", \"RegularExpression\" (did you mean \"PathPrefix\"?)"},
	{"required", false,
	 GATEWAY_HEAD "  listeners:\n"
		      "  - name: http\n"
		      "    protocol: HTTP\n",
	 8, 5, "spec.listeners[0].port", "schema.required", "Required value"},
	{"required at the root", false,
	 "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"
	 "metadata:\n  namespace: apps\nspec: {}\n",
	 4, 3, "metadata.name", "schema.required", "Required value"},
	{"unknown field with a hint", false,
	 ROUTE_HEAD "  hostname: [a.example.com]\n",
	 6, 3, "spec.hostname", "schema.unknown-field",
	 "unknown field \"spec.hostname\" (did you mean \"hostnames\"?)"},
	{"unknown field", false,
	 ROUTE_HEAD "  retry:\n    attempts: 2\n",
	 6, 3, "spec.retry", "schema.unknown-field",
	 "unknown field \"spec.retry\""},
	{"pattern", false,
	 ROUTE_HEAD "  hostnames: [Api.example.com]\n",
	 6, 15, "spec.hostnames[0]", "schema.pattern",
	 "Invalid value: \"Api.example.com\": spec.hostnames[0] in body should "
	 "match '^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*"
	 "[a-z0-9])?)*$'"},
	{"minLength", false,
	 ROUTE_HEAD "  rules:\n"
		    "  - backendRefs:\n"
		    "    - name: \"\"\n"
		    "      port: 80\n",
	 8, 13, "spec.rules[0].backendRefs[0].name", "schema.min-length",
	 "Invalid value: \"\": spec.rules[0].backendRefs[0].name in body should "
	 "be at least 1 chars long"},
	{"maxLength in code points", false,
	 "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n"
	 "  labels:\n"
	 "    team: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	 6, 11, "metadata.labels.team", "schema.max-length",
	 "Too long: may not be more than 63 characters"},
	{"maximum", false,
	 GATEWAY_HEAD "  listeners:\n"
		      "  - name: http\n"
		      "    protocol: HTTP\n"
		      "    port: 70000\n",
	 10, 11, "spec.listeners[0].port", "schema.maximum",
	 "Invalid value: 70000: spec.listeners[0].port in body must be less "
	 "than or equal to 65535"},
	{"minimum", false,
	 GATEWAY_HEAD "  listeners:\n"
		      "  - name: http\n"
		      "    protocol: HTTP\n"
		      "    port: 0\n",
	 10, 11, "spec.listeners[0].port", "schema.minimum",
	 "Invalid value: 0: spec.listeners[0].port in body must be greater "
	 "than or equal to 1"},
	{"maxItems", false,
	 ROUTE_HEAD "  hostnames: [a.x, b.x, c.x, d.x, e.x, f.x, g.x, h.x, i.x,"
		    " j.x, k.x, l.x, m.x, n.x, o.x, p.x, q.x]\n",
	 6, 14, "spec.hostnames", "schema.max-items",
	 "Too many: 17: must have at most 16 items"},
	{"minItems", false, GATEWAY_HEAD "  listeners: []\n", 7, 14,
	 "spec.listeners", "schema.min-items",
	 "Invalid value: 0: spec.listeners in body should have at least 1 items"},
	{"list-type map", false,
	 GATEWAY_HEAD "  listeners:\n"
		      "  - name: http\n"
		      "    protocol: HTTP\n"
		      "    port: 80\n"
		      "  - name: http\n"
		      "    protocol: HTTP\n"
		      "    port: 8080\n",
	 11, 5, "spec.listeners[1]", "schema.list-map",
	 "Duplicate value: {\"name\":\"http\"}"},
	{"list-type set", false,
	 ROUTE_HEAD "  rules:\n"
		    "  - filters:\n"
		    "    - type: RequestHeaderModifier\n"
		    "      requestHeaderModifier:\n"
		    "        remove: [x-a, x-b, x-a]\n",
	 10, 28, "spec.rules[0].filters[0].requestHeaderModifier.remove[2]",
	 "schema.list-set", "Duplicate value: \"x-a\""},
	{"format int32", false,
	 ROUTE_HEAD "  rules:\n"
		    "  - filters:\n"
		    "    - type: CORS\n"
		    "      cors:\n"
		    "        maxAge: 4294967296\n",
	 10, 17, "spec.rules[0].filters[0].cors.maxAge", "schema.format",
	 "Invalid value: 4294967296: spec.rules[0].filters[0].cors.maxAge in "
	 "body must be of type int32: \"4294967296\""},
	{"maxProperties", false,
	 GATEWAY_HEAD "  infrastructure:\n"
		      "    labels: {a: x, b: x, c: x, d: x, e: x, f: x, g: x, "
		      "h: x, i: x}\n"
		      "  listeners:\n"
		      "  - name: http\n"
		      "    protocol: HTTP\n"
		      "    port: 80\n",
	 8, 13, "spec.infrastructure.labels", "schema.max-properties",
	 "Too many: 9: must have at most 8 items"},
	{"propertyNames", false,
	 "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n"
	 "  annotations:\n    \"bad key\": x\n",
	 6, 5, "metadata.annotations[bad key]", "schema.pattern",
	 "Invalid value: \"bad key\": metadata.annotations[bad key] in body "
	 "should match '^(?:(?=[^/]{1,253}/)[a-z0-9](?:[-a-z0-9]*[a-z0-9])?"
	 "(?:\\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9](?:"
	 "[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$'"},
	{"anyOf with its own message", false,
	 "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n"
	 "  ports:\n  - port: 80\n    targetPort: Web_Port\n",
	 8, 17, "spec.ports[0].targetPort", "schema.rule",
	 "Invalid value: must be a port number between 1 and 65535 or a port "
	 "name (an IANA service name: at most 15 lowercase letters, digits and "
	 "'-', with a letter)"},
	{"oneOf and format ipv4/ipv6", false,
	 GATEWAY_HEAD "  addresses:\n"
		      "  - type: IPAddress\n"
		      "    value: 1.2.3.4:8080\n"
		      "  listeners:\n"
		      "  - name: http\n"
		      "    protocol: HTTP\n"
		      "    port: 80\n",
	 8, 5, "spec.addresses[0]", "schema.one-of",
	 "Invalid value: \"object\": spec.addresses[0] in body must validate "
	 "one and only one schema (oneOf). Found none valid"},
	{"const", true, "version: 2\nregion: us-west-2\nowner: o\n"
			"clusters:\n- name: a\n  path: a\n  vpcId: vpc-0a1b2c3d\n",
	 1, 10, "version", "schema.const",
	 "Unsupported value: 2: supported values: 1"},
	{"not (exclusive fields)", true,
	 CONFIG_HEAD "clusters:\n"
		     "- name: a\n"
		     "  path: clusters/a\n"
		     "  vpcId: vpc-0a1b2c3d4e5f60001\n"
		     "  inCluster: true\n"
		     "  kubeconfig: ~/.kube/config\n",
	 5, 3, "clusters[0]", "schema.rule",
	 "Forbidden: inCluster and kubeconfig are mutually exclusive: a "
	 "cluster is reached one way"},
	{"dependencies", true,
	 CONFIG_HEAD "clusters:\n"
		     "- name: a\n"
		     "  path: clusters/a\n"
		     "  vpcId: vpc-0a1b2c3d4e5f60001\n"
		     "  context: b\n",
	 5, 3, "clusters[0].kubeconfig", "schema.required",
	 "Required value: required when \"context\" is set"},
	{"unique properties", true,
	 CONFIG_HEAD "clusters:\n"
		     "- name: a\n"
		     "  path: clusters/x\n"
		     "  vpcId: vpc-0a1b2c3d4e5f60001\n"
		     "- name: b\n"
		     "  path: clusters/x\n"
		     "  vpcId: vpc-0a1b2c3d4e5f60002\n",
	 9, 9, "clusters[1].path", "schema.unique",
	 "Duplicate value: \"clusters/x\""},
	{"relative path", true,
	 CONFIG_HEAD "clusters:\n"
		     "- name: a\n"
		     "  path: clusters/../../etc\n"
		     "  vpcId: vpc-0a1b2c3d4e5f60001\n",
	 6, 9, "clusters[0].path", "schema.rule",
	 "Invalid value: must be a relative path inside the repository: no "
	 "leading \"/\", no \"..\" segment, no \"\\\""},
	{"owner tag charset", true,
	 "version: 1\nregion: us-west-2\nowner: \"team#1\"\n"
	 "clusters:\n- name: a\n  path: a\n  vpcId: vpc-0a1b2c3d\n",
	 3, 8, "owner", "schema.pattern",
	 "Invalid value: \"team#1\": owner in body should match "
	 "'^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+$'"},
	{"config unknown field", true,
	 CONFIG_HEAD "clusters:\n"
		     "- name: a\n"
		     "  path: a\n"
		     "  vpcId: vpc-0a1b2c3d4e5f60001\n"
		     "  oidcissuer: https://oidc.example.com/id/X\n",
	 8, 3, "clusters[0].oidcissuer", "schema.unknown-field",
	 "unknown field \"clusters[0].oidcissuer\" (did you mean "
	 "\"oidcIssuer\"?)"},
};

static void each_rule_reports_one_precise_problem(void **state)
{
	(void)state;

	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const bad_case *c = &bad_cases[i];
		tr_manifest_set set;
		tr_diag diag;
		size_t found = 0, required_extra = 0;

		tr_manifest_set_init(&set);
		tr_diag_init(&diag);
		check(&set, c->yaml, c->config, &diag);
		for (size_t j = 0; j < diag.count; j++) {
			const tr_diag_entry *e = &diag.entries[j];
			if (e->path && strcmp(e->path, c->path) == 0 &&
			    strcmp(e->rule, c->rule) == 0 &&
			    strcmp(e->message, c->message) == 0 &&
			    strcmp(e->file, "t.yaml") == 0 && e->line == c->line &&
			    e->col == c->col)
				found++;
			/* A failing branch of oneOf reports why it failed. */
			else if (strcmp(c->rule, "schema.one-of") == 0)
				required_extra++;
		}
		if (found != 1 || diag.count != 1 + required_extra) {
			print_error("case \"%s\": want %s:%u:%u [%s] %s: %s, got:\n",
				    c->name, "t.yaml", c->line, c->col, c->rule,
				    c->path, c->message);
			print_diag(&diag);
			fail_msg("case \"%s\"", c->name);
		}
		tr_diag_dispose(&diag);
		tr_manifest_set_dispose(&set);
	}
}

/* The oneOf case also says which format the value missed, at the value. */
static void one_of_explains_the_closest_branch(void **state)
{
	tr_manifest_set set;
	tr_diag diag;
	bool ipv4 = false;
	(void)state;

	tr_manifest_set_init(&set);
	tr_diag_init(&diag);
	check(&set,
	      GATEWAY_HEAD "  addresses:\n"
			   "  - type: IPAddress\n"
			   "    value: 1.2.3.4:8080\n"
			   "  listeners:\n"
			   "  - name: http\n"
			   "    protocol: HTTP\n"
			   "    port: 80\n",
	      false, &diag);
	for (size_t i = 0; i < diag.count; i++) {
		const tr_diag_entry *e = &diag.entries[i];
		if (e->path && strcmp(e->path, "spec.addresses[0].value") == 0 &&
		    e->line == 9 && e->col == 12 &&
		    strstr(e->message, "must be of type ipv4: \"1.2.3.4:8080\""))
			ipv4 = true;
	}
	if (!ipv4)
		print_diag(&diag);
	assert_true(ipv4);
	tr_diag_dispose(&diag);
	tr_manifest_set_dispose(&set);
}

static void every_error_is_collected(void **state)
{
	tr_manifest_set set;
	tr_diag diag;
	(void)state;

	tr_manifest_set_init(&set);
	tr_diag_init(&diag);
	check(&set,
	      GATEWAY_HEAD "  listners: []\n"
			   "  addresses:\n"
			   "  - type: Hostname\n"
			   "    value: 5\n",
	      false, &diag);
	/* unknown listners, required listeners, value type */
	if (diag.count != 3)
		print_diag(&diag);
	assert_int_equal(diag.count, 3);
	tr_diag_dispose(&diag);
	tr_manifest_set_dispose(&set);
}

/* Walks "spec.rules.0.matches" (single-digit indexes) for assertions. */
static const tr_node *at(const tr_node *n, const char *path)
{
	char seg[64];

	while (n && *path) {
		size_t len = strcspn(path, ".");
		assert_true(len < sizeof(seg));
		memcpy(seg, path, len);
		seg[len] = '\0';
		path += len + (path[len] == '.');
		if (n->type == TR_NODE_SEQ) {
			size_t i = (size_t)(seg[0] - '0');
			n = i < n->count ? n->u.items[i] : NULL;
		} else {
			n = tr_node_get(n, seg);
		}
	}
	return n;
}

static void defaults_are_applied_before_validation(void **state)
{
	tr_manifest_set set;
	tr_diag diag;
	const tr_node *out, *n;
	(void)state;

	tr_manifest_set_init(&set);
	tr_diag_init(&diag);
	out = check(&set,
		    ROUTE_HEAD "  parentRefs:\n"
			       "  - name: gw\n"
			       "  hostnames:\n",
		    false, &diag);
	assert_int_equal(diag.count, 0);
	/* rules defaults to one catch-all rule, recursively defaulted */
	assert_string_equal(tr_node_str(at(out, "spec.rules.0.matches.0.path.type")),
			    "PathPrefix");
	assert_string_equal(tr_node_str(at(out, "spec.rules.0.matches.0.path.value")),
			    "/");
	/* parentRef group and kind */
	assert_string_equal(tr_node_str(at(out, "spec.parentRefs.0.group")),
			    "gateway.networking.k8s.io");
	assert_string_equal(tr_node_str(at(out, "spec.parentRefs.0.kind")),
			    "Gateway");
	/* a null field is pruned, as the API server does */
	assert_null(at(out, "spec.hostnames"));
	/* the input tree is untouched */
	assert_null(tr_node_get(tr_node_get(set.docs[0].root, "spec"), "rules"));
	/* an inserted default sits where the object that lacked it is */
	n = at(out, "spec.parentRefs.0.kind");
	assert_int_equal(n->line, 7);
	assert_int_equal(n->col, 5);
	tr_diag_dispose(&diag);
	tr_manifest_set_dispose(&set);
}

static void defaults_reach_backend_refs(void **state)
{
	tr_manifest_set set;
	tr_diag diag;
	const tr_node *out;
	(void)state;

	tr_manifest_set_init(&set);
	tr_diag_init(&diag);
	out = check(&set,
		    ROUTE_HEAD "  rules:\n"
			       "  - backendRefs:\n"
			       "    - name: svc\n"
			       "      port: 80\n",
		    false, &diag);
	assert_int_equal(diag.count, 0);
	assert_string_equal(tr_node_str(at(out, "spec.rules.0.backendRefs.0.group")),
			    "");
	assert_string_equal(tr_node_str(at(out, "spec.rules.0.backendRefs.0.kind")),
			    "Service");
	assert_int_equal(at(out, "spec.rules.0.backendRefs.0.weight")->as.integer, 1);
	assert_string_equal(tr_node_str(at(out, "spec.rules.0.matches.0.path.type")),
			    "PathPrefix");
	tr_diag_dispose(&diag);
	tr_manifest_set_dispose(&set);
}

static void config_defaults(void **state)
{
	tr_manifest_set set;
	tr_diag diag;
	const tr_node *out;
	(void)state;

	tr_manifest_set_init(&set);
	tr_diag_init(&diag);
	out = check(&set,
		    CONFIG_HEAD "clusters:\n"
				"- name: cluster-a\n"
				"  path: clusters/cluster-a\n"
				"  vpcId: vpc-0a1b2c3d4e5f60001\n"
				"  oidcIssuer: https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE\n"
				"  inCluster: true\n"
				"- name: cluster-b\n"
				"  path: clusters/cluster-b\n"
				"  vpcId: vpc-0a1b2c3d4e5f60002\n"
				"  kubeconfig: ~/.kube/config\n"
				"  context: cluster-b\n"
				"dns:\n"
				"  - zoneId: Z0123456789ABCDEFGHIJ\n"
				"    domain: lattice.example.com\n",
		    true, &diag);
	print_diag(&diag);
	assert_int_equal(diag.count, 0);
	assert_int_equal(tr_node_get(out, "prune")->type, TR_NODE_BOOL);
	assert_false(tr_node_get(out, "prune")->as.boolean);
	assert_int_equal(tr_node_get(out, "maxDeletes")->as.integer, 10);
	tr_diag_dispose(&diag);
	tr_manifest_set_dispose(&set);
}

/* The config of the repository's own example must stay valid. */
static void example_config_is_valid(void **state)
{
	char path[1024];
	FILE *f;
	char data[8192];
	size_t len;
	tr_manifest_set set;
	tr_diag diag;
	(void)state;

	snprintf(path, sizeof(path), "%s/../../examples/trellis.yaml",
		 TR_TEST_DATA_DIR);
	f = fopen(path, "rb");
	assert_non_null(f);
	len = fread(data, 1, sizeof(data) - 1, f);
	fclose(f);
	data[len] = '\0';
	tr_manifest_set_init(&set);
	tr_diag_init(&diag);
	check(&set, data, true, &diag);
	print_diag(&diag);
	assert_int_equal(diag.count, 0);
	tr_diag_dispose(&diag);
	tr_manifest_set_dispose(&set);
}

typedef struct compile_case {
	const char *json;
	const char *message; /* substring */
} compile_case;

static void schema_typos_fail_to_compile(void **state)
{
	static const compile_case cases[] = {
		{"{\"type\":\"object\",\"propertes\":{}}",
		 "unknown keyword \"propertes\" (did you mean \"properties\"?)"},
		{"{\"type\":\"strin\"}", "unknown type \"strin\""},
		{"{\"pattern\":\"([a-z\"}", "invalid pattern '([a-z'"},
		{"{\"$ref\":\"#/definitions/nope\"}", "does not resolve"},
		{"{\"$ref\":\"other.json#/x\"}", "does not resolve"},
		{"{\"definitions\":{\"a\":{}},\"properties\":{\"x\":"
		 "{\"$ref\":\"#/definitions/a\",\"default\":1}}}",
		 "keyword \"default\" beside $ref would be ignored"},
		{"{\"format\":\"ipv44\"}", "unsupported format \"ipv44\""},
		{"{\"minLength\":-1}", "minLength must be a non-negative integer"},
		{"{\"x-kubernetes-list-type\":\"map\"}",
		 "needs x-kubernetes-list-map-keys"},
		{"{\"definitions\":{\"a\":{\"tpye\":\"string\"}}}",
		 "unknown keyword \"tpye\""},
		{"[1,", "not valid JSON"},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tr_schema *s = NULL;
		tr_diag diag;
		bool found = false;

		tr_diag_init(&diag);
		assert_int_equal(tr_schema_compile(&s, "bad.json", cases[i].json,
						   strlen(cases[i].json), NULL,
						   &diag),
				 TR_EINVALID);
		assert_null(s);
		for (size_t j = 0; j < diag.count; j++) {
			assert_string_equal(diag.entries[j].rule, "schema.compile");
			assert_string_equal(diag.entries[j].file, "bad.json");
			found |= strstr(diag.entries[j].message, cases[i].message) != NULL;
		}
		if (!found) {
			print_diag(&diag);
			fail_msg("schema %s: no \"%s\"", cases[i].json, cases[i].message);
		}
		tr_diag_dispose(&diag);
	}
}

static void set_finds_every_kind(void **state)
{
	static const char *const kinds[][2] = {
		{"gateway.networking.k8s.io/v1", "GatewayClass"},
		{"gateway.networking.k8s.io/v1beta1", "GatewayClass"},
		{"gateway.networking.k8s.io/v1", "Gateway"},
		{"gateway.networking.k8s.io/v1beta1", "Gateway"},
		{"gateway.networking.k8s.io/v1", "HTTPRoute"},
		{"gateway.networking.k8s.io/v1beta1", "HTTPRoute"},
		{"gateway.networking.k8s.io/v1", "GRPCRoute"},
		{"gateway.networking.k8s.io/v1", "ReferenceGrant"},
		{"gateway.networking.k8s.io/v1beta1", "ReferenceGrant"},
		{"application-networking.k8s.aws/v1alpha1", "TargetGroupPolicy"},
		{"application-networking.k8s.aws/v1alpha1", "VpcAssociationPolicy"},
		{"application-networking.k8s.aws/v1alpha1", "IAMAuthPolicy"},
		{"application-networking.k8s.aws/v1alpha1", "AccessLogPolicy"},
		{"application-networking.k8s.aws/v1alpha1", "ServiceExport"},
		{"application-networking.k8s.aws/v1alpha1", "ServiceImport"},
		{"application-networking.k8s.aws/v1alpha1", "ServiceNetwork"},
		{"v1", "Service"},
		{"v1", "ServiceAccount"},
		{"iam.services.k8s.aws/v1alpha1", "Role"},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (!tr_schema_set_lookup(schemas, kinds[i][0], kinds[i][1]))
			fail_msg("no schema for %s %s", kinds[i][0], kinds[i][1]);
	}
	/* 19 kinds and the config */
	assert_int_equal(tr_schema_set_count(schemas), 20);
	assert_non_null(tr_schema_set_config(schemas));
	assert_null(tr_schema_set_lookup(schemas, "gateway.networking.k8s.io/v1beta1",
					 "GRPCRoute"));
	assert_null(tr_schema_set_lookup(schemas, "gateway.networking.k8s.io/v1",
					 "TLSRoute"));
	assert_null(tr_schema_set_lookup(schemas, "apps/v1", "Deployment"));
	assert_null(tr_schema_set_lookup(schemas, NULL, "Service"));
}

static bool accepts_string(const char *schema_json, const char *value)
{
	tr_schema *s = NULL;
	tr_diag diag;
	tr_node n;
	bool ok;

	memset(&n, 0, sizeof(n));
	n.type = TR_NODE_STRING;
	n.text = value;
	n.text_len = strlen(value);
	tr_diag_init(&diag);
	assert_int_equal(tr_schema_compile(&s, "p.json", schema_json,
					   strlen(schema_json), NULL, &diag),
			 0);
	ok = tr_schema_accepts(s, &n);
	tr_schema_free(s);
	tr_diag_dispose(&diag);
	return ok;
}

/* The Kubernetes reading of `pattern`: an unanchored RE2 search over
 * code points, where `$` is the end of the text only. */
static void patterns_read_like_re2(void **state)
{
	(void)state;
	/* unanchored: the Gateway address type pattern lets this through,
	 * as the API server does */
	assert_true(accepts_string("{\"pattern\":\"^Hostname|IPAddress|x$\"}",
				   "my-IPAddress-type"));
	assert_true(accepts_string("{\"pattern\":\"b\"}", "abc"));
	/* `$` does not match before a final newline (PCRE would) */
	assert_false(accepts_string("{\"pattern\":\"^abc$\"}", "abc\n"));
	/* UTF-8: `.` is one code point, lengths count code points */
	assert_true(accepts_string("{\"pattern\":\"^.$\"}", "\xc3\xa9"));
	assert_true(accepts_string("{\"maxLength\":3}", "\xc3\xa9\xc3\xa9\xc3\xa9"));
	assert_false(accepts_string("{\"maxLength\":3}",
				    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"));
	/* RE2/ECMA escapes the CRDs use inside brackets */
	assert_true(accepts_string("{\"pattern\":\"^[A-Za-z0-9!#$%&'*+\\\\-.^_\\\\x60|~]+$\"}",
				   "x-`~"));
}

static void regex_budget_is_enforced(void **state)
{
	/* Catastrophic backtracking: PCRE2 gives up, the value is reported
	 * instead of hanging the run. */
	static const char schema[] = "{\"pattern\":\"^(a+)+$\"}";
	char data[64];
	tr_schema *s = NULL;
	tr_diag diag;
	tr_node n;
	(void)state;

	memset(data, 'a', 40);
	data[40] = 'b';
	data[41] = '\0';
	memset(&n, 0, sizeof(n));
	n.type = TR_NODE_STRING;
	n.text = data;
	n.text_len = strlen(data);
	tr_diag_init(&diag);
	assert_int_equal(tr_schema_compile(&s, "re.json", schema, strlen(schema),
					   NULL, &diag),
			 0);
	assert_int_equal(tr_schema_validate(s, "t.yaml", &n, "x", &diag), TR_EINVALID);
	assert_int_equal(diag.count, 1);
	assert_non_null(strstr(diag.entries[0].message, "regex budget"));
	tr_schema_free(s);
	tr_diag_dispose(&diag);
}

static void path_cap_is_respected(void **state)
{
	/* A field path longer than TR_SCHEMA_MAX_PATH_BYTES stays at its
	 * parent instead of growing without bound. */
	static const char schema[] = "{\"additionalProperties\":{\"type\":\"string\"}}";
	char key[TR_SCHEMA_MAX_PATH_BYTES + 16];
	tr_schema *s = NULL;
	tr_diag diag;
	tr_node map, v;
	tr_node_pair pair;
	(void)state;

	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	memset(&map, 0, sizeof(map));
	memset(&v, 0, sizeof(v));
	memset(&pair, 0, sizeof(pair));
	v.type = TR_NODE_INT;
	v.text = "1";
	v.text_len = 1;
	pair.key = key;
	pair.value = &v;
	map.type = TR_NODE_MAP;
	map.count = 1;
	map.u.pairs = &pair;
	tr_diag_init(&diag);
	assert_int_equal(tr_schema_compile(&s, "p.json", schema, strlen(schema),
					   NULL, &diag),
			 0);
	assert_int_equal(tr_schema_validate(s, "t.yaml", &map, "spec", &diag), TR_EINVALID);
	assert_int_equal(diag.count, 1);
	assert_string_equal(diag.entries[0].path, "spec");
	tr_schema_free(s);
	tr_diag_dispose(&diag);
}

static void depth_cap_is_respected(void **state)
{
	/* A recursive schema over an instance nested deeper than
	 * TR_SCHEMA_MAX_DEPTH: one error, no stack exhaustion. */
	static const char schema[] = "{\"type\":\"array\",\"items\":{\"$ref\":\"#\"}}";
	enum { DEPTH = TR_SCHEMA_MAX_DEPTH + 8 };
	static tr_node nodes[DEPTH];
	static tr_node *items[DEPTH];
	tr_schema *s = NULL;
	tr_diag diag;
	(void)state;

	for (size_t i = 0; i < DEPTH; i++) {
		memset(&nodes[i], 0, sizeof(nodes[i]));
		nodes[i].type = TR_NODE_SEQ;
		nodes[i].line = (uint32_t)i + 1;
		nodes[i].col = 1;
		if (i + 1 < DEPTH) {
			items[i] = &nodes[i + 1];
			nodes[i].count = 1;
			nodes[i].u.items = &items[i];
		}
	}
	tr_diag_init(&diag);
	assert_int_equal(tr_schema_compile(&s, "d.json", schema, strlen(schema),
					   NULL, &diag),
			 0);
	assert_int_equal(tr_schema_validate(s, "t.yaml", &nodes[0], NULL, &diag), TR_EINVALID);
	assert_int_equal(diag.count, 1);
	assert_string_equal(diag.entries[0].rule, "schema.depth");
	assert_int_equal(diag.entries[0].line, TR_SCHEMA_MAX_DEPTH + 1);
	tr_schema_free(s);
	tr_diag_dispose(&diag);
}

static void subschema_cap_is_respected(void **state)
{
	/* TR_SCHEMA_MAX_NODES + 1 subschemas: refused once, quickly. */
	tr_buf json = TR_BUF_INIT(64u << 20);
	tr_schema *s = NULL;
	tr_diag diag;
	(void)state;

	assert_int_equal(tr_buf_puts(&json, "{\"properties\":{"), 0);
	for (unsigned i = 0; i < TR_SCHEMA_MAX_NODES; i++)
		assert_int_equal(tr_buf_printf(&json, "%s\"p%u\":{}", i ? "," : "",
					       i),
				 0);
	assert_int_equal(tr_buf_puts(&json, "}}"), 0);
	tr_diag_init(&diag);
	assert_int_equal(tr_schema_compile(&s, "n.json", json.ptr, json.len, NULL,
					   &diag),
			 TR_EINVALID);
	assert_int_equal(diag.count, 1);
	assert_non_null(strstr(diag.entries[0].message, "too many subschemas"));
	tr_diag_dispose(&diag);
	tr_buf_dispose(&json);
}

static void quoted_values_are_cut_at_their_cap(void **state)
{
	static const char schema[] = "{\"enum\":[\"a\"]}";
	char big[TR_SCHEMA_MAX_VALUE_BYTES * 4];
	tr_schema *s = NULL;
	tr_diag diag;
	tr_node n;
	const char *msg;
	(void)state;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memset(&n, 0, sizeof(n));
	n.type = TR_NODE_STRING;
	n.text = big;
	n.text_len = strlen(big);
	tr_diag_init(&diag);
	assert_int_equal(tr_schema_compile(&s, "e.json", schema, strlen(schema),
					   NULL, &diag),
			 0);
	assert_int_equal(tr_schema_validate(s, "t.yaml", &n, "x", &diag), TR_EINVALID);
	msg = diag.entries[0].message;
	assert_non_null(strstr(msg, "...\": supported values: \"a\""));
	assert_true(strlen(msg) < TR_SCHEMA_MAX_VALUE_BYTES + 64);
	tr_schema_free(s);
	tr_diag_dispose(&diag);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(set_finds_every_kind),
		cmocka_unit_test(each_rule_reports_one_precise_problem),
		cmocka_unit_test(one_of_explains_the_closest_branch),
		cmocka_unit_test(every_error_is_collected),
		cmocka_unit_test(defaults_are_applied_before_validation),
		cmocka_unit_test(defaults_reach_backend_refs),
		cmocka_unit_test(config_defaults),
		cmocka_unit_test(example_config_is_valid),
		cmocka_unit_test(schema_typos_fail_to_compile),
		cmocka_unit_test(patterns_read_like_re2),
		cmocka_unit_test(regex_budget_is_enforced),
		cmocka_unit_test(path_cap_is_respected),
		cmocka_unit_test(depth_cap_is_respected),
		cmocka_unit_test(subschema_cap_is_respected),
		cmocka_unit_test(quoted_values_are_cut_at_their_cap),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
