/*
 * The CEL-equivalent rules: for each rule one invalid manifest (asserting
 * the diagnostic's position, path, rule id and message) and a valid twin
 * that differs only in what the rule is about. Then the Gateway API's own
 * invalid examples: every one must be refused by schema or rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "diag/diag.h"
#include "manifest/manifest.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "validate/rules.h"
#include "validate/schema.h"
#include "validate/validate.h"

static tr_schema_set *schemas;

static int setup(void **state)
{
	tr_diag diag;
	int rc;
	(void)state;

	tr_diag_init(&diag);
	rc = tr_schema_set_new(&schemas, &diag);
	tr_diag_dispose(&diag);
	return rc;
}

static int teardown(void **state)
{
	(void)state;
	tr_schema_set_free(schemas);
	return 0;
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

/* Schema (must pass) then rules, over every document of `yaml`. */
static void check(const char *file, const char *yaml, size_t len,
		  tr_diag *schema_diag, tr_diag *rules_diag)
{
	tr_manifest_set set;
	tr_diag load;

	tr_manifest_set_init(&set);
	tr_diag_init(&load);
	(void)tr_manifest_load(&set, file, yaml, len, &load);
	if (load.count)
		print_diag(&load);
	assert_int_equal(load.count, 0);
	for (size_t i = 0; i < set.count; i++) {
		const tr_manifest_doc *d = &set.docs[i];
		const tr_schema *s = tr_schema_set_lookup(schemas, d->api_version,
							  d->kind);
		const tr_node *out = NULL;
		assert_non_null(s);
		if (tr_schema_check(&out, s, d->file, d->root, &set.arena,
				    schema_diag) == 0)
			(void)tr_rules_check(d->api_version, d->kind, d->file,
					     out, rules_diag);
	}
	tr_diag_dispose(&load);
	tr_manifest_set_dispose(&set);
}

typedef struct rule_case {
	const char *name;
	const char *bad;
	const char *good;
	size_t count; /* diagnostics the bad manifest produces */
	uint32_t line, col;
	const char *path;
	const char *rule;
	const char *message;
} rule_case;

/* The one rule trellis relaxes to a warning (see rules.h). */
static tr_severity severity_of(const rule_case *c)
{
	return strcmp(c->rule, "gateway.listener-unique") == 0 ? TR_SEV_WARNING
								: TR_SEV_ERROR;
}

#define OBJ "Invalid value: \"object\": "
#define ARR "Invalid value: \"array\": "
#define STR "Invalid value: \"string\": "
#define GW "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n" \
	   "metadata:\n  name: gw\nspec:\n  gatewayClassName: c\n"
#define HR "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n" \
	   "metadata:\n  name: r\nspec:\n"
#define GR "apiVersion: gateway.networking.k8s.io/v1\nkind: GRPCRoute\n" \
	   "metadata:\n  name: r\nspec:\n"

static const rule_case cases[] = {
	{"tls on an HTTP listener",
	 GW "  listeners:\n  - name: a\n    protocol: HTTP\n    port: 80\n"
	    "    tls:\n      options: {k: v}\n",
	 GW "  listeners:\n  - name: a\n    protocol: HTTP\n    port: 80\n",
	 1, 12, 7, "spec.listeners[0].tls", "gateway.listener-tls",
	 OBJ "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']"},
	{"HTTPS must terminate",
	 GW "  listeners:\n  - name: a\n    protocol: HTTPS\n    port: 443\n"
	    "    tls:\n      mode: Passthrough\n",
	 GW "  listeners:\n  - name: a\n    protocol: HTTPS\n    port: 443\n"
	    "    tls:\n      mode: Terminate\n      certificateRefs: [{name: c}]\n",
	 1, 12, 13, "spec.listeners[0].tls.mode", "gateway.listener-tls",
	 STR "tls mode must be Terminate for protocol HTTPS"},
	{"TLS needs a mode",
	 GW "  listeners:\n  - name: a\n    protocol: TLS\n    port: 443\n",
	 GW "  listeners:\n  - name: a\n    protocol: TLS\n    port: 443\n"
	    "    tls:\n      mode: Passthrough\n",
	 1, 8, 5, "spec.listeners[0]", "gateway.listener-tls",
	 OBJ "tls mode must be set for protocol TLS"},
	{"no hostname on TCP",
	 GW "  listeners:\n  - name: a\n    protocol: TCP\n    port: 9000\n"
	    "    hostname: a.example.com\n",
	 GW "  listeners:\n  - name: a\n    protocol: TCP\n    port: 9000\n",
	 1, 11, 15, "spec.listeners[0].hostname", "gateway.listener-hostname",
	 STR "hostname must not be specified for protocols ['TCP', 'UDP']"},
	{"Terminate needs certificates",
	 GW "  listeners:\n  - name: a\n    protocol: HTTPS\n    port: 443\n"
	    "    tls: {}\n",
	 GW "  listeners:\n  - name: a\n    protocol: HTTPS\n    port: 443\n"
	    "    tls:\n      options:\n        application-networking.k8s.aws/"
	    "certificate-arn: arn:aws:acm:us-west-2:1:certificate/x\n",
	 1, 11, 10, "spec.listeners[0].tls", "gateway.listener-tls",
	 OBJ "certificateRefs or options must be specified when mode is Terminate"},
	{"listener port, protocol and hostname unique",
	 GW "  listeners:\n  - name: a\n    protocol: HTTP\n    port: 80\n"
	    "  - name: b\n    protocol: HTTP\n    port: 80\n",
	 GW "  listeners:\n  - name: a\n    protocol: HTTP\n    port: 80\n"
	    "  - name: b\n    protocol: HTTP\n    port: 80\n"
	    "    hostname: b.example.com\n",
	 1, 11, 5, "spec.listeners[1]", "gateway.listener-unique",
	 "Combination of port, protocol and hostname must be unique for each "
	 "listener: the Gateway API CRDs refuse this Gateway; trellis accepts "
	 "it, as VPC Lattice keys a service's listeners by port and these share "
	 "one"},
	{"IP addresses unique",
	 GW "  addresses:\n  - value: 10.0.0.1\n  - value: 10.0.0.1\n"
	    "  listeners:\n  - name: a\n    protocol: HTTP\n    port: 80\n",
	 GW "  addresses:\n  - value: 10.0.0.1\n  - value: 10.0.0.2\n"
	    "  listeners:\n  - name: a\n    protocol: HTTP\n    port: 80\n",
	 1, 9, 5, "spec.addresses[1]", "gateway.address-unique",
	 OBJ "IPAddress values must be unique"},
	{"Hostname address characters",
	 GW "  addresses:\n  - type: Hostname\n    value: foo.com:80\n"
	    "  listeners:\n  - name: a\n    protocol: HTTP\n    port: 80\n",
	 GW "  addresses:\n  - type: Hostname\n    value: foo.com\n"
	    "  listeners:\n  - name: a\n    protocol: HTTP\n    port: 80\n",
	 1, 9, 12, "spec.addresses[0].value", "gateway.address",
	 STR "Hostname value must be empty or contain only valid characters "
	 "(matching ^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*"
	 "[a-z0-9])?)*$)"},
	{"infrastructure label keys",
	 GW "  infrastructure:\n    labels: {\"-x\": v}\n"
	    "  listeners:\n  - name: a\n    protocol: HTTP\n    port: 80\n",
	 GW "  infrastructure:\n    labels: {x: v}\n"
	    "  listeners:\n  - name: a\n    protocol: HTTP\n    port: 80\n",
	 1, 8, 13, "spec.infrastructure.labels", "gateway.infrastructure",
	 OBJ "Label keys must be in the form of an optional DNS subdomain prefix "
	 "followed by a required name segment of up to 63 characters."},
	{"filter field must match its type",
	 HR "  rules:\n  - filters:\n    - type: RequestHeaderModifier\n"
	    "      requestRedirect: {port: 443}\n",
	 HR "  rules:\n  - filters:\n    - type: RequestRedirect\n"
	    "      requestRedirect: {port: 443}\n",
	 2, 9, 24, "spec.rules[0].filters[0].requestRedirect", "httproute.filter",
	 OBJ "filter.requestRedirect must be nil if the filter.type is not "
	 "RequestRedirect"},
	{"filter of a type needs its field",
	 HR "  rules:\n  - filters:\n    - type: URLRewrite\n",
	 HR "  rules:\n  - filters:\n    - type: URLRewrite\n"
	    "      urlRewrite: {hostname: b.example.com}\n",
	 1, 8, 7, "spec.rules[0].filters[0]", "httproute.filter",
	 OBJ "filter.urlRewrite must be specified for URLRewrite filter.type"},
	{"filter repeated",
	 HR "  rules:\n  - filters:\n"
	    "    - type: RequestHeaderModifier\n"
	    "      requestHeaderModifier: {remove: [a]}\n"
	    "    - type: RequestHeaderModifier\n"
	    "      requestHeaderModifier: {remove: [b]}\n",
	 HR "  rules:\n  - filters:\n"
	    "    - type: RequestHeaderModifier\n"
	    "      requestHeaderModifier: {remove: [a, b]}\n",
	 1, 10, 7, "spec.rules[0].filters[1]", "httproute.filter-repeated",
	 OBJ "RequestHeaderModifier filter cannot be repeated"},
	{"redirect and rewrite",
	 HR "  rules:\n  - filters:\n"
	    "    - type: RequestRedirect\n      requestRedirect: {port: 443}\n"
	    "    - type: URLRewrite\n      urlRewrite: {hostname: b.x}\n",
	 HR "  rules:\n  - filters:\n"
	    "    - type: RequestRedirect\n      requestRedirect: {port: 443}\n",
	 1, 8, 5, "spec.rules[0].filters", "httproute.filter",
	 ARR "May specify either httpRouteFilterRequestRedirect or "
	 "httpRouteFilterRequestRewrite, but not both"},
	{"redirect with backendRefs",
	 HR "  rules:\n  - filters:\n"
	    "    - type: RequestRedirect\n      requestRedirect: {port: 443}\n"
	    "    backendRefs:\n    - {name: s, port: 80}\n",
	 HR "  rules:\n  - filters:\n"
	    "    - type: RequestRedirect\n      requestRedirect: {port: 443}\n",
	 1, 7, 5, "spec.rules[0]", "httproute.redirect-backends",
	 OBJ "RequestRedirect filter must not be used together with backendRefs"},
	{"replacePrefixMatch needs one PathPrefix match",
	 HR "  rules:\n  - matches:\n    - path: {type: Exact, value: /a}\n"
	    "    filters:\n    - type: URLRewrite\n      urlRewrite:\n"
	    "        path: {type: ReplacePrefixMatch, replacePrefixMatch: /b}\n",
	 HR "  rules:\n  - matches:\n    - path: {type: PathPrefix, value: /a}\n"
	    "    filters:\n    - type: URLRewrite\n      urlRewrite:\n"
	    "        path: {type: ReplacePrefixMatch, replacePrefixMatch: /b}\n",
	 1, 7, 5, "spec.rules[0]", "httproute.replace-prefix",
	 OBJ "When using URLRewrite filter with path.replacePrefixMatch, exactly "
	 "one PathPrefix match must be specified"},
	{"Service backend needs a port",
	 HR "  rules:\n  - backendRefs:\n    - name: s\n",
	 HR "  rules:\n  - backendRefs:\n    - name: s\n      port: 80\n",
	 1, 8, 7, "spec.rules[0].backendRefs[0]", "httproute.backend-port",
	 OBJ "Must have port for Service reference"},
	{"mirror percent or fraction",
	 HR "  rules:\n  - filters:\n    - type: RequestMirror\n"
	    "      requestMirror:\n        backendRef: {name: m, port: 80}\n"
	    "        percent: 10\n        fraction: {numerator: 1}\n",
	 HR "  rules:\n  - filters:\n    - type: RequestMirror\n"
	    "      requestMirror:\n        backendRef: {name: m, port: 80}\n"
	    "        percent: 10\n",
	 1, 10, 9, "spec.rules[0].filters[0].requestMirror", "httproute.mirror",
	 OBJ "Only one of percent or fraction may be specified in "
	 "HTTPRequestMirrorFilter"},
	{"mirror fraction",
	 HR "  rules:\n  - filters:\n    - type: RequestMirror\n"
	    "      requestMirror:\n        backendRef: {name: m, port: 80}\n"
	    "        fraction: {numerator: 200}\n",
	 HR "  rules:\n  - filters:\n    - type: RequestMirror\n"
	    "      requestMirror:\n        backendRef: {name: m, port: 80}\n"
	    "        fraction: {numerator: 20}\n",
	 1, 11, 19, "spec.rules[0].filters[0].requestMirror.fraction",
	 "httproute.mirror", OBJ "numerator must be less than or equal to denominator"},
	{"path modifier type",
	 HR "  rules:\n  - filters:\n    - type: URLRewrite\n      urlRewrite:\n"
	    "        path: {type: ReplaceFullPath, replacePrefixMatch: /b}\n",
	 HR "  rules:\n  - filters:\n    - type: URLRewrite\n      urlRewrite:\n"
	    "        path: {type: ReplaceFullPath, replaceFullPath: /b}\n",
	 2, 10, 15, "spec.rules[0].filters[0].urlRewrite.path",
	 "httproute.path-modifier",
	 OBJ "replaceFullPath must be specified when type is set to "
	 "'ReplaceFullPath'"},
	{"path value is absolute",
	 HR "  rules:\n  - matches:\n    - path: {type: Exact, value: a}\n",
	 HR "  rules:\n  - matches:\n    - path: {type: Exact, value: /a}\n",
	 1, 8, 13, "spec.rules[0].matches[0].path", "httproute.path",
	 OBJ "value must be an absolute path and start with '/' when type one of "
	 "['Exact', 'PathPrefix']"},
	{"path value without //",
	 HR "  rules:\n  - matches:\n    - path: {value: /a//b}\n",
	 HR "  rules:\n  - matches:\n    - path: {value: /a/b}\n",
	 1, 8, 13, "spec.rules[0].matches[0].path", "httproute.path",
	 OBJ "must not contain '//' when type one of ['Exact', 'PathPrefix']"},
	{"path value characters",
	 HR "  rules:\n  - matches:\n    - path: {value: \"/a b\"}\n",
	 HR "  rules:\n  - matches:\n    - path: {value: \"/a%20b\"}\n",
	 1, 8, 13, "spec.rules[0].matches[0].path", "httproute.path",
	 OBJ "must only contain valid characters (matching "
	 "^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$) for types "
	 "['Exact', 'PathPrefix']"},
	{"timeouts",
	 HR "  rules:\n  - timeouts: {request: 5s, backendRequest: 1m}\n",
	 HR "  rules:\n  - timeouts: {request: 0s, backendRequest: 1m}\n",
	 1, 7, 15, "spec.rules[0].timeouts", "httproute.timeouts",
	 OBJ "backendRequest timeout cannot be longer than request timeout"},
	{"parentRefs sectionName specified",
	 HR "  parentRefs:\n  - name: gw\n  - name: gw\n    sectionName: http\n",
	 HR "  parentRefs:\n  - name: gw\n    sectionName: https\n"
	    "  - name: gw\n    sectionName: http\n",
	 1, 8, 5, "spec.parentRefs[1]", "httproute.parent-refs",
	 OBJ "sectionName must be specified when parentRefs includes 2 or more "
	 "references to the same parent"},
	{"parentRefs sectionName unique",
	 HR "  parentRefs:\n  - name: gw\n    port: 80\n  - name: gw\n    port: 443\n",
	 HR "  parentRefs:\n  - name: gw\n    port: 80\n  - name: gw\n"
	    "    namespace: other\n    port: 443\n",
	 1, 9, 5, "spec.parentRefs[1]", "httproute.parent-refs",
	 OBJ "sectionName must be unique when parentRefs includes 2 or more "
	 "references to the same parent"},
	{"CORS star alone",
	 HR "  rules:\n  - filters:\n    - type: CORS\n"
	    "      cors:\n        allowOrigins: ['*', 'https://a.example.com']\n",
	 HR "  rules:\n  - filters:\n    - type: CORS\n"
	    "      cors:\n        allowOrigins: ['*']\n",
	 1, 10, 23, "spec.rules[0].filters[0].cors.allowOrigins", "httproute.cors",
	 ARR "AllowOrigins cannot contain '*' alongside other origins"},
	{"gRPC method needs service or method",
	 GR "  rules:\n  - matches:\n    - method: {type: Exact}\n",
	 GR "  rules:\n  - matches:\n    - method: {type: Exact, service: a.B}\n",
	 1, 8, 15, "spec.rules[0].matches[0].method", "grpcroute.method",
	 OBJ "One or both of 'service' or 'method' must be specified"},
	{"gRPC service characters",
	 GR "  rules:\n  - matches:\n    - method: {service: a/b}\n",
	 GR "  rules:\n  - matches:\n    - method: {service: .a_1.B}\n",
	 1, 8, 15, "spec.rules[0].matches[0].method", "grpcroute.method",
	 OBJ "service must only contain valid characters (matching "
	 "^(?i)\\.?[a-z_][a-z_0-9]*(\\.[a-z_][a-z_0-9]*)*$)"},
	{"gRPC method characters",
	 GR "  rules:\n  - matches:\n    - method: {method: Get-Thing}\n",
	 GR "  rules:\n  - matches:\n    - method: {method: GetThing}\n",
	 1, 8, 15, "spec.rules[0].matches[0].method", "grpcroute.method",
	 OBJ "method must only contain valid characters (matching "
	 "^[A-Za-z_][A-Za-z_0-9]*$)"},
	{"gRPC filter repeated",
	 GR "  rules:\n  - filters:\n"
	    "    - type: ResponseHeaderModifier\n"
	    "      responseHeaderModifier: {remove: [a]}\n"
	    "    - type: ResponseHeaderModifier\n"
	    "      responseHeaderModifier: {remove: [b]}\n",
	 GR "  rules:\n  - filters:\n"
	    "    - type: ResponseHeaderModifier\n"
	    "      responseHeaderModifier: {remove: [a]}\n"
	    "    - type: RequestHeaderModifier\n"
	    "      requestHeaderModifier: {remove: [b]}\n",
	 1, 10, 7, "spec.rules[0].filters[1]", "grpcroute.filter-repeated",
	 OBJ "ResponseHeaderModifier filter cannot be repeated"},
	{"gRPC Service backend needs a port",
	 GR "  rules:\n  - backendRefs:\n    - name: s\n",
	 GR "  rules:\n  - backendRefs:\n    - name: s\n      port: 50051\n",
	 1, 8, 7, "spec.rules[0].backendRefs[0]", "grpcroute.backend-port",
	 OBJ "Must have port for Service reference"},
};

static void each_rule_with_its_valid_twin(void **state)
{
	size_t failures = 0;
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const rule_case *c = &cases[i];
		tr_diag sd, rd;
		char want[1024];
		size_t found = 0;

		snprintf(want, sizeof(want), "%s", c->message);
		tr_diag_init(&sd);
		tr_diag_init(&rd);
		check("bad.yaml", c->bad, strlen(c->bad), &sd, &rd);
		if (sd.count)
			print_diag(&sd);
		assert_int_equal(sd.count, 0);
		for (size_t j = 0; j < rd.count; j++) {
			const tr_diag_entry *e = &rd.entries[j];
			if (e->line == c->line && e->col == c->col && e->path &&
			    strcmp(e->path, c->path) == 0 &&
			    strcmp(e->rule, c->rule) == 0 &&
			    strcmp(e->message, want) == 0 &&
			    e->severity == severity_of(c))
				found++;
		}
		if (found != 1 || rd.count != c->count) {
			print_error("case \"%s\": want bad.yaml:%u:%u [%s] %s: %s "
				    "(%zu in all), got:\n",
				    c->name, c->line, c->col, c->rule, c->path, want,
				    c->count);
			print_diag(&rd);
			failures++;
		}
		tr_diag_dispose(&sd);
		tr_diag_dispose(&rd);

		tr_diag_init(&sd);
		tr_diag_init(&rd);
		check("good.yaml", c->good, strlen(c->good), &sd, &rd);
		if (sd.count || rd.count) {
			print_error("twin of \"%s\" is not valid:\n", c->name);
			print_diag(&sd);
			print_diag(&rd);
			failures++;
		}
		tr_diag_dispose(&sd);
		tr_diag_dispose(&rd);
	}
	assert_int_equal(failures, 0);
}

/* 16 rules of 9 matches: 144 > 128. */
static void match_budget_of_a_route(void **state)
{
	tr_buf bad = TR_BUF_INIT(1 << 20), good = TR_BUF_INIT(1 << 20);
	tr_diag sd, rd;
	(void)state;

	assert_int_equal(tr_buf_puts(&bad, HR "  rules:\n"), 0);
	assert_int_equal(tr_buf_puts(&good, HR "  rules:\n"), 0);
	for (int r = 0; r < 16; r++) {
		assert_int_equal(tr_buf_puts(&bad, "  - matches:\n"), 0);
		assert_int_equal(tr_buf_puts(&good, "  - matches:\n"), 0);
		for (int m = 0; m < 9; m++) {
			assert_int_equal(tr_buf_printf(&bad,
						       "    - path: {value: /r%dm%d}\n",
						       r, m),
					 0);
			if (m < 8)
				assert_int_equal(tr_buf_printf(&good,
							       "    - path: {value: "
							       "/r%dm%d}\n",
							       r, m),
						 0);
		}
	}
	tr_diag_init(&sd);
	tr_diag_init(&rd);
	check("bad.yaml", bad.ptr, bad.len, &sd, &rd);
	assert_int_equal(sd.count, 0);
	if (rd.count != 1)
		print_diag(&rd);
	assert_int_equal(rd.count, 1);
	assert_string_equal(rd.entries[0].rule, "httproute.match-count");
	assert_string_equal(rd.entries[0].path, "spec.rules");
	assert_int_equal(rd.entries[0].line, 7);
	tr_diag_dispose(&sd);
	tr_diag_dispose(&rd);
	tr_diag_init(&sd);
	tr_diag_init(&rd);
	check("good.yaml", good.ptr, good.len, &sd, &rd);
	assert_int_equal(sd.count + rd.count, 0);
	tr_diag_dispose(&sd);
	tr_diag_dispose(&rd);
	tr_buf_dispose(&bad);
	tr_buf_dispose(&good);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	assert_int_equal(fseek(f, 0, SEEK_SET), 0);
	data = tr_malloc((size_t)n + 1);
	assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
	data[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return data;
}

/* Every upstream invalid example is refused, each document of it. */
static void upstream_invalid_examples_are_refused(void **state)
{
	static const char *const kinds[] = {"gateway", "gatewayclass",
					    "httproute", "referencegrant"};
	size_t files = 0;
	(void)state;

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		char dir[1024];
		DIR *d;
		struct dirent *e;
		snprintf(dir, sizeof(dir), "%s/gateway-api-invalid-examples/standard/%s",
			 TR_TEST_DATA_DIR, kinds[k]);
		d = opendir(dir);
		assert_non_null(d);
		while ((e = readdir(d))) {
			char path[2048];
			size_t len;
			char *data;
			tr_diag sd, rd;
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			data = slurp(path, &len);
			tr_diag_init(&sd);
			tr_diag_init(&rd);
			check(e->d_name, data, len, &sd, &rd);
			print_message("%-16s %-44s schema %zu, rules %zu%s%s\n",
				      kinds[k], e->d_name, sd.count, rd.count,
				      sd.count + rd.count ? ": " : "",
				      sd.count ? sd.entries[0].message
				      : rd.count ? rd.entries[0].message
						 : "");
			if (sd.count + rd.count == 0)
				fail_msg("%s/%s is accepted", kinds[k], e->d_name);
			tr_diag_dispose(&sd);
			tr_diag_dispose(&rd);
			tr_free(data);
			files++;
		}
		closedir(d);
	}
	assert_int_equal(files, 30);
}

static void unserved_version_is_refused_like_kubectl(void **state)
{
	static const char yaml[] =
		"apiVersion: gateway.networking.k8s.io/v1alpha2\n"
		"kind: HTTPRoute\nmetadata:\n  name: r\nspec: {}\n";
	tr_manifest_set set;
	tr_diag diag;
	const tr_node *out = NULL;
	(void)state;

	tr_manifest_set_init(&set);
	tr_diag_init(&diag);
	assert_int_equal(tr_manifest_load(&set, "v.yaml", yaml, strlen(yaml),
					  &diag),
			 0);
	assert_int_equal(tr_validate_document(&out, schemas, &set.docs[0],
					      &set.arena, &diag),
			 TR_EINVALID);
	assert_int_equal(diag.count, 1);
	assert_string_equal(diag.entries[0].rule, "schema.version");
	assert_string_equal(diag.entries[0].path, "apiVersion");
	assert_string_equal(diag.entries[0].message,
			    "no matches for kind \"HTTPRoute\" in version "
			    "\"gateway.networking.k8s.io/v1alpha2\" (trellis reads "
			    "\"gateway.networking.k8s.io/v1\", "
			    "\"gateway.networking.k8s.io/v1beta1\")");
	assert_int_equal(diag.entries[0].line, 1);
	assert_int_equal(diag.entries[0].col, 13);
	assert_ptr_equal(out, set.docs[0].root);
	tr_diag_dispose(&diag);
	tr_manifest_set_dispose(&set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_rule_with_its_valid_twin),
		cmocka_unit_test(match_budget_of_a_route),
		cmocka_unit_test(upstream_invalid_examples_are_refused),
		cmocka_unit_test(unserved_version_is_refused_like_kubectl),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
