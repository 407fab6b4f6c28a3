/* Cross-reference rules (refs.*): one invalid repository per rule, each
 * with its valid twin; then the cases that need several clusters. */
#include "cases.h"

#define HTTPROUTE_HEAD                                                     \
	"apiVersion: gateway.networking.k8s.io/v1\n"                       \
	"kind: HTTPRoute\n"                                                \
	"metadata:\n"                                                      \
	"  name: r\n"                                                      \
	"  namespace: apps\n"                                              \
	"spec:\n"                                                          \
	"  parentRefs:\n"

#define NAMESPACE_APPS(team)                                               \
	"apiVersion: v1\n"                                                 \
	"kind: Namespace\n"                                                \
	"metadata:\n"                                                      \
	"  name: apps\n"                                                   \
	"  labels: {team: " team "}\n"                                     \
	"---\n"

#define POLICY(kind, ns)                                                   \
	"apiVersion: application-networking.k8s.aws/v1alpha1\n"            \
	"kind: " kind "\n"                                                 \
	"metadata: {name: p, namespace: " ns "}\n"                         \
	"spec:\n"                                                          \
	"  targetRef:\n"

#define GRANT(from_ns)                                                     \
	"---\n"                                                            \
	"apiVersion: gateway.networking.k8s.io/v1beta1\n"                  \
	"kind: ReferenceGrant\n"                                           \
	"metadata: {name: g, namespace: shared}\n"                         \
	"spec:\n"                                                          \
	"  from:\n"                                                        \
	"  - {group: gateway.networking.k8s.io, kind: HTTPRoute, "         \
	"namespace: " from_ns "}\n"                                        \
	"  to:\n"                                                          \
	"  - {group: \"\", kind: Service}\n"

#define OTHER_GW(ns)                                                       \
	"apiVersion: gateway.networking.k8s.io/v1\n"                       \
	"kind: Gateway\n"                                                  \
	"metadata: {name: net, namespace: " ns "}\n"                        \
	"spec:\n"                                                          \
	"  gatewayClassName: amazon-vpc-lattice\n"                         \
	"  listeners:\n"                                                   \
	"  - name: http\n"                                                 \
	"    protocol: HTTP\n"                                             \
	"    port: 80\n"                                                   \
	"    allowedRoutes: {namespaces: {from: All}}\n"                   \
	"---\n"

#define HOSTNAME_GW                                                        \
	"apiVersion: gateway.networking.k8s.io/v1\n"                       \
	"kind: Gateway\n"                                                  \
	"metadata: {name: edge, namespace: infra}\n"                       \
	"spec:\n"                                                          \
	"  gatewayClassName: amazon-vpc-lattice\n"                         \
	"  listeners:\n"                                                   \
	"  - name: web\n"                                                  \
	"    protocol: HTTP\n"                                             \
	"    port: 80\n"                                                   \
	"    hostname: \"*.example.com\"\n"                               \
	"    allowedRoutes: {namespaces: {from: All}}\n"                   \
	"---\n"

static const vcase cases[] = {
	{"parent-not-found",
	 HTTPROUTE_HEAD "  - name: nope #<\n    namespace: infra\n" RULE_TO_A,
	 ROUTE RULE_TO_A, "refs.parent-not-found", TR_SEV_ERROR, "spec.parentRefs[0].name",
	 "Gateway infra/nope is not in cluster default", 0},
	{"parent-not-found-lookalike",
	 HTTPROUTE_HEAD "  - name: n\xd0\xb5t #<\n    namespace: infra\n" RULE_TO_A,
	 ROUTE RULE_TO_A, "refs.parent-not-found", TR_SEV_ERROR, "spec.parentRefs[0].name",
	 "Gateway infra/n\xd0\xb5t is not in cluster default; did you mean net? "
	 "(character 2 of n\xd0\xb5t is U+0435, not ASCII)", 0},
	{"parent-section",
	 HTTPROUTE_HEAD "  - name: net\n    namespace: infra\n"
			"    sectionName: web #<\n" RULE_TO_A,
	 ROUTE RULE_TO_A, "refs.parent-section", TR_SEV_ERROR,
	 "spec.parentRefs[0].sectionName",
	 "Gateway infra/net has no listener named web (its listeners: http, "
	 "https, same, sel, grpc-only, https-nocert)",
	 0},
	{"parent-port",
	 HTTPROUTE_HEAD "  - name: net\n    namespace: infra\n"
			"    sectionName: http\n    port: 8080 #<\n" RULE_TO_A,
	 HTTPROUTE_HEAD "  - name: net\n    namespace: infra\n"
			"    sectionName: http\n    port: 80\n" RULE_TO_A,
	 "refs.parent-port", TR_SEV_ERROR, "spec.parentRefs[0].port",
	 "no listener named http of Gateway infra/net has port 8080 (listener "
	 "ports: 80)",
	 0},
	{"parent-not-allowed-same",
	 HTTPROUTE_HEAD "  - name: net #<\n    namespace: infra\n"
			"    sectionName: same\n" RULE_TO_A,
	 ROUTE RULE_TO_A, "refs.parent-not-allowed", TR_SEV_ERROR,
	 "spec.parentRefs[0]",
	 "Gateway infra/net does not admit HTTPRoute apps/r: listener same: it "
	 "admits routes from namespace infra only "
	 "(allowedRoutes.namespaces.from: Same)",
	 0},
	{"parent-not-allowed-kinds",
	 HTTPROUTE_HEAD "  - name: net #<\n    namespace: infra\n"
			"    sectionName: grpc-only\n" RULE_TO_A,
	 ROUTE_ON("https") "  hostnames: [r.example.com]\n" RULE_TO_A,
	 "refs.parent-not-allowed", TR_SEV_ERROR,
	 "spec.parentRefs[0]",
	 "listener grpc-only: its allowedRoutes.kinds are GRPCRoute", 0},
	{"parent-not-allowed-selector",
	 NAMESPACE_APPS("b") HTTPROUTE_HEAD
	 "  - name: net #<\n    namespace: infra\n    sectionName: sel\n"
	 RULE_TO_A,
	 NAMESPACE_APPS("a") ROUTE_ON("sel") RULE_TO_A,
	 "refs.parent-not-allowed", TR_SEV_ERROR, "spec.parentRefs[0]",
	 "namespace apps does not match its allowedRoutes.namespaces.selector",
	 0},
	{"parent-not-allowed-hostname",
	 HOSTNAME_GW HTTPROUTE_HEAD "  - name: edge #<\n    namespace: infra\n"
	 "  hostnames: [api.other.com]\n" RULE_TO_A,
	 HOSTNAME_GW HTTPROUTE_HEAD "  - name: edge\n    namespace: infra\n"
	 "  hostnames: [api.example.com]\n" RULE_TO_A,
	 "refs.parent-not-allowed", TR_SEV_ERROR, "spec.parentRefs[0]",
	 "listener web: its hostname *.example.com matches none of the "
	 "route's hostnames",
	 0},
	{"parent-selector-unknown",
	 HTTPROUTE_HEAD "  - name: net #<\n    namespace: infra\n"
			"    sectionName: sel\n" RULE_TO_A,
	 NAMESPACE_APPS("a") ROUTE_ON("sel") RULE_TO_A,
	 "refs.parent-selector-unknown", TR_SEV_WARNING, "spec.parentRefs[0]",
	 "the repository has no Namespace manifest for it", 0},
	{"parent-namespace-fallback",
	 HTTPROUTE_HEAD "  - name: net #<\n    sectionName: http\n" RULE_TO_A,
	 ROUTE RULE_TO_A, "refs.parent-namespace", TR_SEV_WARNING,
	 "spec.parentRefs[0].name",
	 "Gateway API looks for a parentRef without namespace in the route's "
	 "namespace (apps), which has no Gateway net; trellis uses infra/net",
	 0},
	{"parent-ambiguous",
	 OTHER_GW("edge") HTTPROUTE_HEAD
	 "  - name: net #<\n    sectionName: http\n" RULE_TO_A,
	 OTHER_GW("edge") ROUTE RULE_TO_A, "refs.parent-ambiguous",
	 TR_SEV_ERROR, "spec.parentRefs[0].name",
	 "no Gateway net in namespace apps, and several in other namespaces of "
	 "cluster default (infra, edge)",
	 0},
	{"backend-not-found",
	 ROUTE "  rules:\n  - backendRefs:\n    - name: svc-z #<\n"
	       "      port: 80\n",
	 ROUTE RULE_TO_A, "refs.backend-not-found", TR_SEV_ERROR,
	 "spec.rules[0].backendRefs[0].name",
	 "Service apps/svc-z is not in cluster default", 0},
	{"backend-port",
	 ROUTE "  rules:\n  - backendRefs:\n    - name: svc-a\n"
	       "      port: 3000 #<\n",
	 ROUTE RULE_TO_A, "refs.backend-port", TR_SEV_WARNING,
	 "spec.rules[0].backendRefs[0].port",
	 "Service apps/svc-a has no port 3000 (its ports: 80); 3000 is the "
	 "targetPort of Service port 80",
	 0},
	{"reference-grant",
	 ROUTE "  rules:\n  - backendRefs:\n    - name: svc-s\n"
	       "      namespace: shared #<\n      port: 80\n" GRANT("other"),
	 ROUTE "  rules:\n  - backendRefs:\n    - name: svc-s\n"
	       "      namespace: shared\n      port: 80\n" GRANT("apps"),
	 "refs.reference-grant", TR_SEV_ERROR,
	 "spec.rules[0].backendRefs[0].namespace",
	 "requires a ReferenceGrant in namespace shared", 0},
	{"import-not-exported",
	 "apiVersion: application-networking.k8s.aws/v1alpha1\n"
	 "kind: ServiceImport\n"
	 "metadata: {name: imp, namespace: apps}\n"
	 "spec: {type: ClusterSetIP, ports: [{port: 80}]}\n"
	 "---\n" ROUTE "  rules:\n  - backendRefs:\n"
	 "    - name: imp #<\n      kind: ServiceImport\n",
	 "apiVersion: application-networking.k8s.aws/v1alpha1\n"
	 "kind: ServiceImport\n"
	 "metadata: {name: svc-a, namespace: apps}\n"
	 "spec: {type: ClusterSetIP, ports: [{port: 80}]}\n"
	 "---\n"
	 "apiVersion: application-networking.k8s.aws/v1alpha1\n"
	 "kind: ServiceExport\n"
	 "metadata: {name: svc-a, namespace: apps}\n"
	 "---\n" ROUTE "  rules:\n  - backendRefs:\n"
	 "    - name: svc-a\n      kind: ServiceImport\n",
	 "refs.import-not-exported", TR_SEV_WARNING,
	 "spec.rules[0].backendRefs[0].name",
	 "no cluster of the repository has a ServiceExport apps/imp", 0},
	{"export-service-not-found",
	 "apiVersion: application-networking.k8s.aws/v1alpha1\n"
	 "kind: ServiceExport\n"
	 "metadata:\n  name: svc-z #<\n  namespace: apps\n",
	 "apiVersion: application-networking.k8s.aws/v1alpha1\n"
	 "kind: ServiceExport\n"
	 "metadata:\n  name: svc-a\n  namespace: apps\n",
	 "refs.export-service-not-found", TR_SEV_ERROR, "metadata.name",
	 "exports Service apps/svc-z, which is not in cluster default", 0},
	{"target-not-found",
	 POLICY("IAMAuthPolicy", "infra")
	 "    group: gateway.networking.k8s.io\n    kind: Gateway\n"
	 "    name: nope #<\n  policy: '{}'\n",
	 POLICY("IAMAuthPolicy", "infra")
	 "    group: gateway.networking.k8s.io\n    kind: Gateway\n"
	 "    name: net\n  policy: '{}'\n",
	 "refs.target-not-found", TR_SEV_ERROR, "spec.targetRef.name",
	 "Gateway infra/nope is not in cluster default", 0},
	{"target-route-not-found",
	 POLICY("AccessLogPolicy", "apps")
	 "    group: gateway.networking.k8s.io\n    kind: HTTPRoute\n"
	 "    name: r2 #<\n  destinationArn: arn:aws:s3:::logs\n",
	 POLICY("AccessLogPolicy", "apps")
	 "    group: gateway.networking.k8s.io\n    kind: HTTPRoute\n"
	 "    name: r\n  destinationArn: arn:aws:s3:::logs\n"
	 "---\n" ROUTE RULE_TO_A,
	 "refs.target-not-found", TR_SEV_ERROR, "spec.targetRef.name",
	 "HTTPRoute apps/r2 is not in cluster default", 0},
	{"policy-conflict",
	 POLICY("TargetGroupPolicy", "apps")
	 "    group: \"\"\n    kind: Service\n    name: svc-a\n"
	 "  protocol: HTTP\n"
	 "---\n"
	 "apiVersion: application-networking.k8s.aws/v1alpha1\n"
	 "kind: TargetGroupPolicy\n"
	 "metadata: {name: p2, namespace: apps}\n"
	 "spec:\n  targetRef:\n"
	 "    group: \"\"\n    kind: Service\n    name: svc-a #<\n"
	 "  protocol: HTTPS\n",
	 POLICY("TargetGroupPolicy", "apps")
	 "    group: \"\"\n    kind: Service\n    name: svc-a\n"
	 "  protocol: HTTP\n"
	 "---\n"
	 "apiVersion: application-networking.k8s.aws/v1alpha1\n"
	 "kind: TargetGroupPolicy\n"
	 "metadata: {name: p2, namespace: apps}\n"
	 "spec:\n  targetRef:\n"
	 "    group: \"\"\n    kind: Service\n    name: svc-b\n"
	 "  protocol: HTTPS\n",
	 "refs.policy-conflict", TR_SEV_ERROR, "spec.targetRef.name",
	 "TargetGroupPolicy apps/p2 targets Service apps/svc-a, like "
	 "TargetGroupPolicy apps/p (clusters/a/case.yaml:1)",
	 0},
	{"target-kind",
	 POLICY("TargetGroupPolicy", "infra")
	 "    group: gateway.networking.k8s.io\n    kind: Gateway #<\n"
	 "    name: net\n",
	 POLICY("TargetGroupPolicy", "apps")
	 "    group: \"\"\n    kind: Service\n    name: svc-a\n",
	 "refs.target-kind", TR_SEV_ERROR, "spec.targetRef.kind",
	 "a TargetGroupPolicy targets Service, ServiceExport, not Gateway", 0},
	{"target-namespace",
	 POLICY("VpcAssociationPolicy", "apps")
	 "    group: gateway.networking.k8s.io\n    kind: Gateway\n"
	 "    name: net\n    namespace: infra #<\n",
	 POLICY("VpcAssociationPolicy", "infra")
	 "    group: gateway.networking.k8s.io\n    kind: Gateway\n"
	 "    name: net\n",
	 "refs.target-namespace", TR_SEV_ERROR, "spec.targetRef.namespace",
	 "a VpcAssociationPolicy applies only to targets in its own namespace "
	 "(apps), not infra",
	 0},
	{"gateway-class-not-found",
	 "apiVersion: gateway.networking.k8s.io/v1\n"
	 "kind: Gateway\n"
	 "metadata: {name: gw2, namespace: infra}\n"
	 "spec:\n  gatewayClassName: lattice #<\n"
	 "  listeners: [{name: http, protocol: HTTP, port: 80}]\n",
	 "apiVersion: gateway.networking.k8s.io/v1\n"
	 "kind: Gateway\n"
	 "metadata: {name: gw2, namespace: infra}\n"
	 "spec:\n  gatewayClassName: amazon-vpc-lattice\n"
	 "  listeners: [{name: http, protocol: HTTP, port: 80}]\n",
	 "refs.gateway-class-not-found", TR_SEV_WARNING,
	 "spec.gatewayClassName",
	 "GatewayClass lattice is not in the repository for cluster default", 0},
	{"gateway-ignored",
	 "apiVersion: gateway.networking.k8s.io/v1\n"
	 "kind: GatewayClass\n"
	 "metadata: {name: istio}\n"
	 "spec: {controllerName: istio.io/gateway-controller}\n"
	 "---\n"
	 "apiVersion: gateway.networking.k8s.io/v1\n"
	 "kind: Gateway\n"
	 "metadata: {name: mesh, namespace: apps}\n"
	 "spec:\n  gatewayClassName: istio #<\n"
	 "  listeners: [{name: http, protocol: HTTP, port: 80}]\n"
	 "---\n" HTTPROUTE_HEAD "  - name: mesh\n" RULE_TO_A
	 "    - {name: svc-z, port: 80}\n",
	 ROUTE RULE_TO_A, "refs.gateway-ignored", TR_SEV_NOTE,
	 "spec.gatewayClassName",
	 "GatewayClass istio has controllerName istio.io/gateway-controller, "
	 "not application-networking.k8s.aws/gateway-api-controller: trellis "
	 "ignores Gateway apps/mesh",
	 2 /* and refs.route-ignored; svc-z is not checked */},
	{"certificate-lookup",
	 ROUTE_ON("https-nocert") "  hostnames:\n  - api.example.com #<\n"
		RULE_TO_A,
	 ROUTE_ON("https") "  hostnames:\n  - api.example.com\n" RULE_TO_A,
	 "refs.certificate-lookup", TR_SEV_WARNING, "spec.hostnames[0]",
	 "custom domain api.example.com is served on HTTPS listener "
	 "https-nocert of Gateway infra/net, whose tls.options has no "
	 "application-networking.k8s.aws/certificate-arn: trellis will look "
	 "for an issued ACM certificate",
	 0},
	{"certificate-unused",
	 HTTPROUTE_HEAD "  - name: net #<\n    namespace: infra\n"
			"    sectionName: https\n" RULE_TO_A,
	 ROUTE_ON("https") "  hostnames:\n  - api.example.com\n" RULE_TO_A,
	 "refs.certificate-unused", TR_SEV_NOTE, "spec.parentRefs[0]",
	 "HTTPRoute apps/r has no hostname, so its VPC Lattice service has no "
	 "custom domain: HTTPS listener https of Gateway infra/net serves it "
	 "with the certificate VPC Lattice manages for the generated domain, "
	 "not with arn:aws:acm:us-west-2:123456789012:certificate/"
	 "0a1b2c3d-aaaa-bbbb-cccc-0123456789ab",
	 0},
	{"duplicate",
	 "apiVersion: v1\nkind: Service\n"
	 "metadata: {name: svc-a, namespace: apps} #<\n"
	 "spec: {ports: [{port: 80}]}\n",
	 "apiVersion: v1\nkind: Service\n"
	 "metadata: {name: svc-c, namespace: apps}\n"
	 "spec: {ports: [{port: 80}]}\n",
	 "refs.duplicate", TR_SEV_WARNING, "metadata.name",
	 "Service apps/svc-a is also defined at clusters/a/base.yaml:", 0},
};

static void each_rule_has_a_failing_case_and_a_valid_twin(void **state)
{
	(void)state;
	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static const char two_clusters[] =
	"version: 1\n"
	"region: us-west-2\n"
	"owner: test\n"
	"clusters:\n"
	"  - name: a\n"
	"    path: clusters/a\n"
	"    vpcId: vpc-0a1b2c3d4e5f60001\n"
	"  - name: b\n"
	"    path: clusters/b\n"
	"    vpcId: vpc-0a1b2c3d4e5f60002\n";

/* References never leave the cluster folder; the message says where the
 * object is, which is the article's cross-cluster mistake. */
static void references_stay_in_their_cluster(void **state)
{
	const char *files[] = {
		"trellis.yaml", two_clusters,
		"clusters/a/base.yaml", BASE_YAML,
		"clusters/b/base.yaml", BASE_YAML,
		"clusters/b/data.yaml",
		"apiVersion: v1\nkind: Service\n"
		"metadata: {name: datastore, namespace: apps}\n"
		"spec: {ports: [{port: 80}]}\n",
		CASE_FILE,
		ROUTE "  rules:\n  - backendRefs:\n"
		      "    - name: datastore #<\n      port: 80\n",
		NULL};
	vrun r;
	const tr_diag_entry *e = NULL;

	(void)state;
	vrun_files(&r, files);
	if (tested_count(&r, true) != 1) {
		vrun_print(&r);
		fail();
	}
	for (size_t i = 0; i < r.diag.count; i++)
		if (tested_rule(&r.diag.entries[i]))
			e = &r.diag.entries[i];
	assert_non_null(e);
	assert_string_equal(e->rule, "refs.backend-not-found");
	assert_string_equal(e->file, CASE_FILE);
	assert_int_equal(e->line, marker_line(files[9]));
	assert_string_equal(e->path, "spec.rules[0].backendRefs[0].name");
	assert_non_null(strstr(e->message,
			       "Service apps/datastore is not in cluster a (it "
			       "is defined for cluster b; export it there with "
			       "a ServiceExport and refer to a ServiceImport "
			       "here)"));
	vrun_dispose(&r);
}

/* The seed sample's layout: Gateway without namespace, routes in apps,
 * backendRefs to port 3000 of Services that expose 80. Warnings only. */
static void seed_sample_layout_warns_only(void **state)
{
	const char *files[] = {
		"gateway.yaml",
		"apiVersion: gateway.networking.k8s.io/v1beta1\n"
		"kind: GatewayClass\n"
		"metadata:\n  name: amazon-vpc-lattice\n"
		"spec:\n  controllerName: "
		"application-networking.k8s.aws/gateway-api-controller\n"
		"---\n"
		"apiVersion: gateway.networking.k8s.io/v1beta1\n"
		"kind: Gateway\n"
		"metadata:\n  name: eks-lattice-network\n"
		"spec:\n  gatewayClassName: amazon-vpc-lattice\n"
		"  listeners:\n  - name: http\n    protocol: HTTP\n"
		"    port: 80\n"
		"    allowedRoutes:\n      namespaces:\n        from: All\n",
		"route.yaml",
		"apiVersion: gateway.networking.k8s.io/v1beta1\n"
		"kind: HTTPRoute\n"
		"metadata:\n  name: datastore\n  namespace: apps\n"
		"spec:\n  hostnames:\n  - datastore.sarathy.io\n"
		"  parentRefs:\n  - name: eks-lattice-network\n"
		"    sectionName: http\n"
		"  rules:\n  - backendRefs:\n    - name: datastore-v1-svc\n"
		"      kind: Service\n      port: 3000\n"
		"      namespace: apps\n"
		"    matches:\n    - path:\n        type: PathPrefix\n"
		"        value: /popular\n",
		"svc.yaml",
		"apiVersion: v1\nkind: Service\n"
		"metadata:\n  name: datastore-v1-svc\n  namespace: apps\n"
		"spec:\n  ports:\n  - port: 80\n    protocol: TCP\n"
		"    targetPort: 3000\n",
		NULL};
	vrun r;
	bool port = false, fallback = false;

	(void)state;
	vrun_files(&r, files);
	assert_false(tr_diag_failed(&r.diag, false));
	for (size_t i = 0; i < r.diag.count; i++) {
		const tr_diag_entry *e = &r.diag.entries[i];

		if (strcmp(e->rule, "refs.backend-port") == 0) {
			port = true;
			assert_string_equal(e->file, "route.yaml");
			assert_int_equal(e->line, 16);
			assert_string_equal(e->path,
					    "spec.rules[0].backendRefs[0].port");
			assert_non_null(strstr(e->message, "its ports: 80"));
		}
		if (strcmp(e->rule, "refs.parent-namespace") == 0)
			fallback = true;
	}
	assert_true(port);
	assert_true(fallback);
	assert_int_equal(tested_count(&r, true), 2);
	vrun_dispose(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_rule_has_a_failing_case_and_a_valid_twin),
		cmocka_unit_test(references_stay_in_their_cluster),
		cmocka_unit_test(seed_sample_layout_warns_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
