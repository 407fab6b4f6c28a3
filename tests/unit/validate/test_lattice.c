/* VPC Lattice's own limits (lattice.*): one invalid repository per rule,
 * each with its valid twin. */
#include "cases.h"

#include "util/buf.h"
#include "model/naming.h"
#include "validate/lattice.h"

#define ROUTE_NAMED(name, meta)                                            \
	"apiVersion: gateway.networking.k8s.io/v1\n"                       \
	"kind: HTTPRoute\n"                                                \
	"metadata:\n"                                                      \
	"  name: " name "\n"                                               \
	"  namespace: apps\n" meta "spec:\n"                               \
	"  parentRefs:\n"                                                  \
	"  - name: net\n"                                                  \
	"    namespace: infra\n"                                           \
	"    sectionName: http\n"

#define HTTPROUTE_QUOTA_HEAD                                               \
	"apiVersion: gateway.networking.k8s.io/v1\n"                       \
	"kind: HTTPRoute\n"                                                \
	"metadata: {name: r, namespace: apps}\n"                           \
	"spec:\n"                                                          \
	"  hostnames: [r.example.com]\n"                                   \
	"  parentRefs:\n"                                                  \
	"  - {name: net, namespace: infra, sectionName: http}\n"           \
	"  - {name: net, namespace: infra, sectionName: https}\n"

#define PRIORITY(i, v)                                                     \
	"    application-networking.k8s.aws/rule-" #i "-priority: \"" v "\"\n"

#define TWO_RULES                                                          \
	"  rules:\n"                                                       \
	"  - backendRefs: [{name: svc-a, port: 80}]\n"                     \
	"    matches: [{path: {value: /a}}]\n"                             \
	"  - backendRefs: [{name: svc-a, port: 80}] #<\n"

#define GRPC_ROUTE(section, pmark, match)                                         \
	"apiVersion: gateway.networking.k8s.io/v1\n"                       \
	"kind: GRPCRoute\n"                                                \
	"metadata: {name: grpc, namespace: apps}\n"                        \
	"spec:\n"                                                          \
	"  hostnames: [grpc.example.com]\n"                                \
	"  parentRefs:\n"                                                  \
	"  - name: net" pmark "\n"                                         \
	"    namespace: infra\n"                                           \
	"    sectionName: " section "\n"                                   \
	"  rules:\n"                                                       \
	"  - backendRefs: [{name: svc-a, port: 80}]\n"                     \
	"    matches:\n"                                                   \
	"    - method: " match "\n"

#define GATEWAY2(listener)                                                 \
	"apiVersion: gateway.networking.k8s.io/v1\n"                       \
	"kind: Gateway\n"                                                  \
	"metadata: {name: edge, namespace: infra}\n"                       \
	"spec:\n"                                                          \
	"  gatewayClassName: amazon-vpc-lattice\n"                         \
	"  listeners:\n" listener

#define SERVICE(name, spec)                                                \
	"apiVersion: v1\n"                                                 \
	"kind: Service\n"                                                  \
	"metadata: {name: " name ", namespace: apps}\n"                    \
	"spec: " spec "\n"                                                 \
	"---\n"

#define OVERRIDE(v)                                                        \
	"  annotations:\n"                                                 \
	"    application-networking.k8s.aws/service-name-override: " v "\n"

static const vcase cases[] = {
	/* What Lattice cannot express: unsupported, named by feature. */
	{"regex-path",
	 ROUTE "  rules:\n  - backendRefs: [{name: svc-a, port: 80}]\n"
	       "    matches:\n"
	       "    - path: {type: RegularExpression, value: /a.*} #<\n",
	 ROUTE "  rules:\n  - backendRefs: [{name: svc-a, port: 80}]\n"
	       "    matches:\n    - path: {type: PathPrefix, value: /a}\n",
	 "lattice.unsupported.regex-path", TR_SEV_UNSUPPORTED,
	 "spec.rules[0].matches[0].path.type",
	 "RegularExpression path match: VPC Lattice matches paths by exact "
	 "value or prefix only",
	 0},
	{"query-params",
	 ROUTE "  rules:\n  - backendRefs: [{name: svc-a, port: 80}]\n"
	       "    matches:\n"
	       "    - queryParams: [{name: q, value: v}] #<\n",
	 ROUTE "  rules:\n  - backendRefs: [{name: svc-a, port: 80}]\n"
	       "    matches:\n    - headers: [{name: q, value: v}]\n",
	 "lattice.unsupported.query-params", TR_SEV_UNSUPPORTED,
	 "spec.rules[0].matches[0].queryParams",
	 "query parameter matches: VPC Lattice rules cannot match", 0},
	{"multiple-matches",
	 ROUTE "  rules:\n  - backendRefs: [{name: svc-a, port: 80}]\n"
	       "    matches:\n    - path: {value: /a}\n"
	       "    - path: {value: /b} #<\n",
	 ROUTE "  rules:\n  - backendRefs: [{name: svc-a, port: 80}]\n"
	       "    matches:\n    - path: {value: /a}\n"
	       "  - backendRefs: [{name: svc-a, port: 80}]\n"
	       "    matches:\n    - path: {value: /b}\n",
	 "lattice.unsupported.multiple-matches", TR_SEV_UNSUPPORTED,
	 "spec.rules[0].matches[1]",
	 "more than one match per rule: a VPC Lattice rule has one match", 0},
	{"header-count",
	 ROUTE "  rules:\n  - backendRefs: [{name: svc-a, port: 80}]\n"
	       "    matches:\n    - headers:\n"
	       "      - {name: h1, value: v}\n      - {name: h2, value: v}\n"
	       "      - {name: h3, value: v}\n      - {name: h4, value: v}\n"
	       "      - {name: h5, value: v}\n"
	       "      - {name: h6, value: v} #<\n",
	 ROUTE "  rules:\n  - backendRefs: [{name: svc-a, port: 80}]\n"
	       "    matches:\n    - headers:\n"
	       "      - {name: h1, value: v}\n      - {name: h2, value: v}\n"
	       "      - {name: h3, value: v}\n      - {name: h4, value: v}\n"
	       "      - {name: h5, value: v}\n",
	 "lattice.unsupported.header-count", TR_SEV_UNSUPPORTED,
	 "spec.rules[0].matches[0].headers[5]",
	 "more than 5 header matches: VPC Lattice rules match at most 5 "
	 "headers; this match has 6",
	 0},
	{"regex-header",
	 ROUTE "  rules:\n  - backendRefs: [{name: svc-a, port: 80}]\n"
	       "    matches:\n    - headers:\n"
	       "      - {name: h1, type: RegularExpression, value: v.*} #<\n",
	 ROUTE "  rules:\n  - backendRefs: [{name: svc-a, port: 80}]\n"
	       "    matches:\n    - headers:\n"
	       "      - {name: h1, type: Exact, value: v}\n",
	 "lattice.unsupported.regex-header", TR_SEV_UNSUPPORTED,
	 "spec.rules[0].matches[0].headers[0].type",
	 "RegularExpression header match: ", 0},
	{"backend-filter",
	 ROUTE "  rules:\n  - backendRefs:\n    - name: svc-a\n"
	       "      port: 80\n      filters:\n"
	       "      - type: RequestHeaderModifier #<\n"
	       "        requestHeaderModifier: {set: [{name: a, value: b}]}\n",
	 ROUTE RULE_TO_A, "lattice.unsupported.filter.request-header-modifier",
	 TR_SEV_UNSUPPORTED, "spec.rules[0].backendRefs[0].filters[0].type",
	 "RequestHeaderModifier filter: VPC Lattice rules only match and "
	 "forward",
	 0},
	{"timeouts",
	 ROUTE RULE_TO_A "    timeouts: {request: 10s} #<\n", ROUTE RULE_TO_A,
	 "lattice.unsupported.timeouts", TR_SEV_UNSUPPORTED,
	 "spec.rules[0].timeouts",
	 "timeouts: VPC Lattice has no per-rule request timeouts", 0},
	{"session-persistence",
	 ROUTE RULE_TO_A "    sessionPersistence: {sessionName: s} #<\n",
	 ROUTE RULE_TO_A, "lattice.unsupported.session-persistence",
	 TR_SEV_UNSUPPORTED, "spec.rules[0].sessionPersistence",
	 "session persistence: ", 0},
	{"retry",
	 ROUTE RULE_TO_A "    retry: {attempts: 2} #<\n", ROUTE RULE_TO_A,
	 "lattice.unsupported.retry", TR_SEV_UNSUPPORTED,
	 "spec.rules[0].retry", "retries: ", 0},
	{"extra-hostnames",
	 ROUTE "  hostnames:\n  - a.example.com\n  - b.example.com #<\n"
	       RULE_TO_A,
	 ROUTE "  hostnames:\n  - a.example.com\n" RULE_TO_A,
	 "lattice.unsupported.extra-hostnames", TR_SEV_UNSUPPORTED,
	 "spec.hostnames[1]",
	 "hostnames beyond the first: a VPC Lattice service has one custom "
	 "domain (a.example.com)",
	 0},
	{"tls-passthrough",
	 GATEWAY2("  - name: tls\n    protocol: TLS #<\n    port: 443\n"
		  "    tls: {mode: Passthrough}\n"),
	 GATEWAY2("  - name: http\n    protocol: HTTP\n    port: 80\n"),
	 "lattice.unsupported.tls-passthrough", TR_SEV_UNSUPPORTED,
	 "spec.listeners[0].protocol",
	 "TLS passthrough: VPC Lattice passes TLS through only for TLSRoutes",
	 0},
	{"gateway-addresses",
	 GATEWAY2("  - name: http\n    protocol: HTTP\n    port: 80\n"
		  "  addresses:\n  - {type: IPAddress, value: 10.0.0.1} #<\n"),
	 GATEWAY2("  - name: http\n    protocol: HTTP\n    port: 80\n"),
	 "lattice.unsupported.gateway-addresses", TR_SEV_UNSUPPORTED,
	 "spec.addresses",
	 "Gateway addresses: a VPC Lattice service network has no addresses",
	 0},
	{"listener-protocol",
	 GATEWAY2("  - name: tcp\n    protocol: TCP #<\n    port: 5432\n"),
	 GATEWAY2("  - name: http\n    protocol: HTTP\n    port: 5432\n"),
	 "lattice.unsupported.listener-protocol", TR_SEV_UNSUPPORTED,
	 "spec.listeners[0].protocol",
	 "TCP listeners: VPC Lattice services listen on HTTP, HTTPS or TLS "
	 "passthrough only",
	 0},
	{"grpc-listener", GRPC_ROUTE("http", " #<", "{service: pkg.Svc}"),
	 GRPC_ROUTE("https", "", "{service: pkg.Svc}"),
	 "lattice.unsupported.grpc-listener", TR_SEV_UNSUPPORTED,
	 "spec.parentRefs[0]",
	 "GRPCRoute on a HTTP listener: VPC Lattice serves gRPC on HTTPS "
	 "listeners only",
	 0},
	{"regex-grpc-method",
	 GRPC_ROUTE("https", "", "{type: RegularExpression, service: pkg.Svc, "
				 "method: Get.*} #<"),
	 GRPC_ROUTE("https", "", "{service: pkg.Svc, method: Get}"),
	 "lattice.unsupported.regex-grpc-method", TR_SEV_UNSUPPORTED,
	 "spec.rules[0].matches[0].method.type",
	 "RegularExpression gRPC method match: ", 0},
	{"grpc-method-without-service",
	 GRPC_ROUTE("https", "", "{method: Get} #<"),
	 GRPC_ROUTE("https", "", "{service: pkg.Svc, method: Get}"),
	 "lattice.unsupported.grpc-method-without-service",
	 TR_SEV_UNSUPPORTED, "spec.rules[0].matches[0].method.method",
	 "gRPC method match without service: ", 0},
	{"parent-kind",
	 ROUTE "  - group: \"\"\n    kind: Service #<\n    name: svc-a\n"
	       RULE_TO_A,
	 ROUTE RULE_TO_A, "lattice.unsupported.parent-kind", TR_SEV_UNSUPPORTED,
	 "spec.parentRefs[1].kind",
	 "Service parents: VPC Lattice services attach to service networks",
	 0},
	{"backend-kind",
	 ROUTE "  rules:\n  - backendRefs:\n"
	       "    - {group: example.com, kind: Bucket, name: b} #<\n",
	 ROUTE RULE_TO_A, "lattice.unsupported.backend-kind",
	 TR_SEV_UNSUPPORTED, "spec.rules[0].backendRefs[0].kind",
	 "example.com/Bucket backends: VPC Lattice target groups are built "
	 "from Services and ServiceImports only",
	 0},
	{"external-name",
	 SERVICE("ext", "{type: ExternalName, externalName: db.example.com, "
			"ports: [{port: 80}]}")
	 ROUTE "  rules:\n  - backendRefs:\n    - {name: ext, port: 80} #<\n",
	 SERVICE("ext", "{type: ClusterIP, ports: [{port: 80}]}")
	 ROUTE "  rules:\n  - backendRefs:\n    - {name: ext, port: 80}\n",
	 "lattice.unsupported.external-name", TR_SEV_UNSUPPORTED,
	 "spec.rules[0].backendRefs[0].name",
	 "ExternalName Service backends: ", 0},
	{"dual-stack",
	 SERVICE("ds", "{ipFamilies: [IPv4, IPv6], ports: [{port: 80}]}")
	 ROUTE "  rules:\n  - backendRefs:\n    - {name: ds, port: 80} #<\n",
	 SERVICE("ds", "{ipFamilies: [IPv6], ports: [{port: 80}]}")
	 ROUTE "  rules:\n  - backendRefs:\n    - {name: ds, port: 80}\n",
	 "lattice.unsupported.dual-stack", TR_SEV_UNSUPPORTED,
	 "spec.rules[0].backendRefs[0].name", "dual-stack Service backends: ",
	 0},

	/* What Lattice would refuse: errors. */
	{"service-name",
	 "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"
	 "metadata:\n  name: my.route #<\n  namespace: apps\n"
	 "spec:\n  parentRefs: [{name: net, namespace: infra, "
	 "sectionName: http}]\n" RULE_TO_A,
	 ROUTE_NAMED("my-route", "") RULE_TO_A, "lattice.service-name",
	 TR_SEV_ERROR, "metadata.name",
	 "the VPC Lattice service name \"my.route-apps\" (route name cut to "
	 "20 characters, '-', namespace cut to 18, as the AWS controller names "
	 "it) is refused by Lattice: only lower-case letters, digits and '-' "
	 "are allowed",
	 0},
	{"service-name-override",
	 "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"
	 "metadata:\n  name: r\n  namespace: apps\n  annotations:\n"
	 "    application-networking.k8s.aws/service-name-override: svc-x #<\n"
	 "spec:\n  parentRefs: [{name: net, namespace: infra, "
	 "sectionName: http}]\n" RULE_TO_A,
	 ROUTE_NAMED("r", OVERRIDE("x-svc")) RULE_TO_A, "lattice.service-name",
	 TR_SEV_ERROR,
	 "metadata.annotations[application-networking.k8s.aws/"
	 "service-name-override]",
	 "VPC Lattice refuses the service name \"svc-x\": that prefix is "
	 "reserved",
	 0},
	{"service-name-conflict",
	 ROUTE_NAMED("averyveryverylongname-one", "") RULE_TO_A "---\n"
	 "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"
	 "metadata:\n  name: averyveryverylongname-two #<\n  namespace: apps\n"
	 "spec:\n  parentRefs: [{name: net, namespace: infra, "
	 "sectionName: http}]\n" RULE_TO_A,
	 ROUTE_NAMED("averyveryverylongname-one", "") RULE_TO_A "---\n"
	 ROUTE_NAMED("averyveryverylongname-two", OVERRIDE("two-apps"))
	 RULE_TO_A,
	 "lattice.service-name-conflict", TR_SEV_ERROR, "metadata.name",
	 "both become VPC Lattice service \"averyveryverylongnam-apps\"", 0},
	{"listener-name",
	 "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"
	 "metadata:\n  name: listener-x #<\n  namespace: apps\n"
	 "spec:\n  parentRefs: [{name: net, namespace: infra, "
	 "sectionName: http}]\n" RULE_TO_A,
	 ROUTE_NAMED("listen-x", "") RULE_TO_A, "lattice.listener-name",
	 TR_SEV_ERROR, "metadata.name",
	 "the VPC Lattice listener name \"listener-x-apps-80-http\"", 0},
	{"weight",
	 ROUTE "  rules:\n  - backendRefs:\n    - name: svc-a\n      port: 80\n"
	       "      weight: 1000 #<\n",
	 ROUTE "  rules:\n  - backendRefs:\n    - name: svc-a\n      port: 80\n"
	       "      weight: 999\n",
	 "lattice.weight", TR_SEV_ERROR, "spec.rules[0].backendRefs[0].weight",
	 "weight 1000 is outside VPC Lattice's range 0 to 999", 0},
	{"rule-priority-range",
	 ROUTE_NAMED("r", "  annotations:\n" PRIORITY(0, "100")) TWO_RULES,
	 ROUTE_NAMED("r", "  annotations:\n" PRIORITY(0, "99")) TWO_RULES,
	 "lattice.rule-priority", TR_SEV_ERROR, "spec.rules[1]",
	 "rule 1 gets priority 101; VPC Lattice rule priorities for a route "
	 "run from 1 to 100",
	 0},
	{"rule-priority-duplicate",
	 "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"
	 "metadata:\n  name: r\n  namespace: apps\n  annotations:\n"
	 PRIORITY(0, "5")
	 "    application-networking.k8s.aws/rule-1-priority: \"5\" #<\n"
	 "spec:\n  parentRefs: [{name: net, namespace: infra, "
	 "sectionName: http}]\n"
	 "  rules:\n  - backendRefs: [{name: svc-a, port: 80}]\n"
	 "    matches: [{path: {value: /a}}]\n"
	 "  - backendRefs: [{name: svc-a, port: 80}]\n",
	 ROUTE_NAMED("r", "  annotations:\n" PRIORITY(0, "5") PRIORITY(1, "6"))
	 TWO_RULES,
	 "lattice.rule-priority", TR_SEV_ERROR,
	 "metadata.annotations[application-networking.k8s.aws/"
	 "rule-1-priority]",
	 "rules 0 and 1 both get priority 5", 0},
	{"rule-priority-not-a-number",
	 "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"
	 "metadata:\n  name: r\n  namespace: apps\n  annotations:\n"
	 "    application-networking.k8s.aws/rule-0-priority: high #<\n"
	 "spec:\n  parentRefs: [{name: net, namespace: infra, "
	 "sectionName: http}]\n" RULE_TO_A,
	 ROUTE_NAMED("r", "  annotations:\n" PRIORITY(0, "1")) RULE_TO_A,
	 "lattice.rule-priority", TR_SEV_WARNING,
	 "metadata.annotations[application-networking.k8s.aws/"
	 "rule-0-priority]",
	 "rule priority is not an integer; the AWS controller ignores it and "
	 "uses 1",
	 0},
	{"custom-domain",
	 ROUTE "  hostnames:\n  - ab #<\n" RULE_TO_A,
	 ROUTE "  hostnames:\n  - ab.io\n" RULE_TO_A, "lattice.custom-domain",
	 TR_SEV_ERROR, "spec.hostnames[0]",
	 "custom domain \"ab\" has 2 characters; VPC Lattice accepts 3 to 255",
	 0},
	{"certificate-arn",
	 GATEWAY2("  - name: https\n    protocol: HTTPS\n    port: 443\n"
		  "    tls:\n      options:\n"
		  "        application-networking.k8s.aws/certificate-arn: "
		  "arn:aws:acm:us-west-2:1234:certificate/abc #<\n"),
	 GATEWAY2("  - name: https\n    protocol: HTTPS\n    port: 443\n"
		  "    tls:\n      options:\n"
		  "        application-networking.k8s.aws/certificate-arn: "
		  "arn:aws:acm:us-west-2:123456789012:certificate/abc\n"),
	 "lattice.certificate-arn", TR_SEV_ERROR,
	 "spec.listeners[0].tls.options[application-networking.k8s.aws/"
	 "certificate-arn]",
	 "certificate ARN \"arn:aws:acm:us-west-2:1234:certificate/abc\" is "
	 "not an ACM certificate ARN: the account id is not 12 digits",
	 0},
	{"service-network-name",
	 "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"
	 "metadata:\n  name: my.net #<\n  namespace: infra\n"
	 "spec:\n  gatewayClassName: amazon-vpc-lattice\n"
	 "  listeners: [{name: http, protocol: HTTP, port: 80}]\n",
	 "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"
	 "metadata:\n  name: my-net\n  namespace: infra\n"
	 "spec:\n  gatewayClassName: amazon-vpc-lattice\n"
	 "  listeners: [{name: http, protocol: HTTP, port: 80}]\n",
	 "lattice.service-network-name", TR_SEV_ERROR, "metadata.name",
	 "Gateway my.net names the VPC Lattice service network \"my.net\", "
	 "which Lattice refuses",
	 0},

	/* Over the default quotas: warnings. */
	{"listeners-per-service",
	 HTTPROUTE_QUOTA_HEAD
	 "  - {name: net, namespace: infra, sectionName: https-nocert} #<\n"
	 RULE_TO_A,
	 HTTPROUTE_QUOTA_HEAD RULE_TO_A, "lattice.quota.listeners-per-service",
	 TR_SEV_WARNING, "spec.parentRefs[2]",
	 "HTTPRoute apps/r needs more than 2 listeners (ports) on its VPC "
	 "Lattice service",
	 0},
};

static void each_rule_has_a_failing_case_and_a_valid_twin(void **state)
{
	(void)state;
	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* Cases whose text is generated: long lists and long values. */
typedef struct gen {
	tr_buf bad, good;
} gen;

static void gen_init(gen *g, const char *head)
{
	tr_buf_init(&g->bad, 1u << 20);
	tr_buf_init(&g->good, 1u << 20);
	assert_int_equal(tr_buf_puts(&g->bad, head), 0);
	assert_int_equal(tr_buf_puts(&g->good, head), 0);
}

static void gen_both(gen *g, const char *text)
{
	assert_int_equal(tr_buf_puts(&g->bad, text), 0);
	assert_int_equal(tr_buf_puts(&g->good, text), 0);
}

static void gen_run(gen *g, vcase c)
{
	c.bad = tr_buf_cstr(&g->bad);
	c.good = tr_buf_cstr(&g->good);
	run_cases(&c, 1);
	tr_buf_dispose(&g->bad);
	tr_buf_dispose(&g->good);
}

/* Each filter type the AWS controller ignores is one unsupported feature. */
static void every_filter_type_is_unsupported(void **state)
{
	static const char *const types[][2] = {
		{"RequestHeaderModifier", "request-header-modifier"},
		{"ResponseHeaderModifier", "response-header-modifier"},
		{"RequestRedirect", "request-redirect"},
		{"URLRewrite", "url-rewrite"},
		{"RequestMirror", "request-mirror"},
		{"ExtensionRef", "extension-ref"},
		{"CORS", "cors"},
		{"ExternalAuth", "external-auth"},
	};
	char rule[128], fragment[128];

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		gen g;
		vcase c = {types[i][0], NULL, NULL, rule, TR_SEV_UNSUPPORTED,
			   "spec.rules[0].filters[0].type", fragment, 0};

		snprintf(rule, sizeof(rule), "lattice.unsupported.filter.%s",
			 types[i][1]);
		snprintf(fragment, sizeof(fragment),
			 "%s filter: VPC Lattice rules only match and forward",
			 types[i][0]);
		gen_init(&g, ROUTE RULE_TO_A);
		assert_int_equal(tr_buf_printf(&g.bad,
					       "    filters:\n    - type: %s #<\n",
					       types[i][0]),
				 0);
		gen_run(&g, c);
	}
}

static void backends_per_rule_are_capped_at_10(void **state)
{
	gen g;

	(void)state;
	gen_init(&g, ROUTE "  rules:\n  - backendRefs:\n");
	for (int i = 0; i < 10; i++)
		gen_both(&g, "    - {name: svc-a, port: 80, weight: 1}\n");
	assert_int_equal(
		tr_buf_puts(&g.bad,
			    "    - {name: svc-a, port: 80, weight: 1} #<\n"),
		0);
	gen_run(&g, (vcase){"backend-count", NULL, NULL,
			    "lattice.backend-count", TR_SEV_ERROR,
			    "spec.rules[0].backendRefs[10]",
			    "rule 0 has 11 backends; a VPC Lattice rule "
			    "forwards to at most 10 target groups",
			    0});
}

static void rules_per_listener_over_the_quota_warn(void **state)
{
	gen g;

	(void)state;
	gen_init(&g, ROUTE "  rules:\n");
	for (int i = 0; i < 10; i++)
		gen_both(&g, "  - backendRefs: [{name: svc-a, port: 80}]\n");
	assert_int_equal(
		tr_buf_puts(&g.bad,
			    "  - backendRefs: [{name: svc-a, port: 80}] #<\n"),
		0);
	gen_run(&g, (vcase){"rules-per-listener", NULL, NULL,
			    "lattice.quota.rules-per-listener", TR_SEV_WARNING,
			    "spec.rules",
			    "HTTPRoute apps/r has 11 rules: over the default "
			    "quota of 10 rules per VPC Lattice listener",
			    0});
}

static void target_groups_over_the_quota_warn(void **state)
{
	gen g;

	(void)state;
	gen_init(&g, "");
	for (int i = 0; i < 11; i++) {
		assert_int_equal(tr_buf_printf(&g.bad,
					       SERVICE("s%d", "{ports: [{port: 80}]}"),
					       i),
				 0);
		assert_int_equal(tr_buf_printf(&g.good,
					       SERVICE("s%d", "{ports: [{port: 80}]}"),
					       i),
				 0);
	}
	gen_both(&g, ROUTE "  rules:\n");
	for (int i = 0; i < 10; i++) {
		assert_int_equal(tr_buf_printf(&g.bad,
					       "  - backendRefs: [{name: s%d, "
					       "port: 80}]\n",
					       i),
				 0);
		assert_int_equal(tr_buf_printf(&g.good,
					       "  - backendRefs: [{name: s%d, "
					       "port: 80}]\n",
					       i),
				 0);
	}
	assert_int_equal(tr_buf_puts(&g.bad, "  - backendRefs: [{name: s10, "
					    "port: 80}] #<\n"),
			 0);
	gen_run(&g, (vcase){"target-groups-per-service", NULL, NULL,
			    "lattice.quota.target-groups-per-service",
			    TR_SEV_WARNING, "spec.rules[10].backendRefs[0].name",
			    "HTTPRoute apps/r sends to more than 10 Services",
			    2 /* and 11 rules: the rules quota too */});
}

static void long_paths_and_headers_are_refused(void **state)
{
	char path[256], name[128];
	gen g;

	(void)state;
	memset(path, 'a', sizeof(path));
	path[0] = '/';
	memset(name, 'h', sizeof(name));

	gen_init(&g, ROUTE RULE_TO_A "    matches:\n");
	assert_int_equal(tr_buf_printf(&g.bad, "    - path: {value: %.*s} #<\n",
				       201, path),
			 0);
	assert_int_equal(tr_buf_printf(&g.good, "    - path: {value: %.*s}\n",
				       200, path),
			 0);
	gen_run(&g, (vcase){"path-length", NULL, NULL, "lattice.path-length",
			    TR_SEV_ERROR, "spec.rules[0].matches[0].path.value",
			    "path has 201 characters; VPC Lattice path matches "
			    "take at most 200",
			    0});

	gen_init(&g, ROUTE RULE_TO_A "    matches:\n    - headers:\n");
	assert_int_equal(tr_buf_printf(&g.bad,
				       "      - {name: %.*s, value: v} #<\n",
				       101, name),
			 0);
	assert_int_equal(tr_buf_printf(&g.good,
				       "      - {name: %.*s, value: v}\n", 100,
				       name),
			 0);
	gen_run(&g, (vcase){"header-length", NULL, NULL,
			    "lattice.header-length", TR_SEV_ERROR,
			    "spec.rules[0].matches[0].headers[0]",
			    "header match too long for VPC Lattice", 0});
}

/* The naming rule itself, against the controller's examples. */
static void service_names_follow_the_controller(void **state)
{
	static const struct {
		const char *route, *ns, *want;
	} rows[] = {
		{"rates", "default", "rates-default"},
		{"averyveryverylongname-one", "apps", "averyveryverylongnam-apps"},
		{"abcdefghijklmnopqrs-tail", "ns", "abcdefghijklmnopqrs-ns"},
		{"r", "a-very-long-namespace-name", "r-a-very-long-namesp"},
		{"r", "namespace-seventee-x", "r-namespace-seventee"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		tr_buf b = TR_BUF_INIT(256);

		assert_int_equal(tr_naming_service(&b, rows[i].route, rows[i].ns),
				 0);
		assert_string_equal(tr_buf_cstr(&b), rows[i].want);
		tr_buf_dispose(&b);
	}
	assert_null(tr_lattice_name_problem("rates-default", 3, 40, "svc-"));
	assert_non_null(tr_lattice_name_problem("ab", 3, 40, "svc-"));
	assert_non_null(tr_lattice_name_problem("a--b", 3, 40, "svc-"));
	assert_non_null(tr_lattice_name_problem("svc-abc", 3, 40, "svc-"));
	assert_non_null(tr_lattice_name_problem("Abc", 3, 40, "svc-"));
	assert_non_null(tr_lattice_name_problem("abc-", 3, 40, "svc-"));
}

/* A route or Gateway without a string metadata.name gets the schema's
 * error only: no Lattice name built from nothing ("-apps", "too short"). */
static void unnamed_objects_get_no_lattice_name_errors(void **state)
{
	static const char *const docs[] = {
		ROUTE_ON("http") RULE_TO_A,
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata: {namespace: apps}\n"
		"spec:\n"
		"  parentRefs: [{name: net, namespace: infra}]\n" RULE_TO_A,
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: HTTPRoute\n"
		"metadata: {name: [r], namespace: apps}\n"
		"spec:\n"
		"  parentRefs: [{name: net, namespace: infra}]\n" RULE_TO_A,
		"apiVersion: gateway.networking.k8s.io/v1\n"
		"kind: Gateway\n"
		"metadata: {name: {a: b}, namespace: infra}\n"
		"spec:\n"
		"  gatewayClassName: amazon-vpc-lattice\n"
		"  listeners: [{name: http, protocol: HTTP, port: 80}]\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		const char *files[] = {"clusters/a/base.yaml", BASE_YAML,
				       CASE_FILE, docs[i], NULL};
		size_t lattice = 0, schema = 0;
		vrun r;

		vrun_files(&r, files);
		for (size_t j = 0; j < r.diag.count; j++) {
			const tr_diag_entry *e = &r.diag.entries[j];
			if (tr_str_has_prefix(e->rule, "lattice.service"))
				lattice++;
			if (tr_str_has_prefix(e->rule, "schema."))
				schema++;
		}
		if (lattice || schema != (i ? 1u : 0u)) {
			print_message("case %zu\n", i);
			vrun_print(&r);
		}
		assert_int_equal(lattice, 0);
		assert_int_equal(schema, i ? 1 : 0);
		vrun_dispose(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_rule_has_a_failing_case_and_a_valid_twin),
		cmocka_unit_test(every_filter_type_is_unsupported),
		cmocka_unit_test(backends_per_rule_are_capped_at_10),
		cmocka_unit_test(rules_per_listener_over_the_quota_warn),
		cmocka_unit_test(target_groups_over_the_quota_warn),
		cmocka_unit_test(long_paths_and_headers_are_refused),
		cmocka_unit_test(service_names_follow_the_controller),
		cmocka_unit_test(unnamed_objects_get_no_lattice_name_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
