/* The desired model of small repositories, checked resource by resource. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "model/naming.h"
#include "util/alloc.h"

#include "../repo_fixture.h"

static void article_repo(repo_fixture *f, int w1, int w2)
{
	repo_fixture_article(f, w1, w2, "datastore.lattice.io", true);
}

static const cJSON *attr(const tr_resource *r, const char *path)
{
	const cJSON *v = r->attrs;
	char key[64];

	while (v && *path) {
		size_t n = strcspn(path, ".");
		snprintf(key, sizeof(key), "%.*s", (int)n, path);
		v = cJSON_GetObjectItemCaseSensitive(v, key);
		path += n + (path[n] == '.');
	}
	return v;
}

static void the_article_scenario(void **state)
{
	static const char *const expected[] = {
		"service_network.eks-lattice-network",
		"sn_vpc_association.eks-lattice-network/cluster-a",
		"sn_vpc_association.eks-lattice-network/cluster-b",
		"target_group.datastore-v1-svc-apps-cluster-b-datastore-apps",
		"target_group.datastore-v2-svc-apps-cluster-b-datastore-apps",
		"targets.datastore-v1-svc-apps-cluster-b-datastore-apps",
		"targets.datastore-v2-svc-apps-cluster-b-datastore-apps",
		"service.datastore-apps",
		"sn_service_association.datastore-apps/eks-lattice-network",
		"listener.datastore-apps/http-80",
		"rule.datastore-apps/http-80/1",
		"rule.datastore-apps/http-80/2",
	};
	repo_fixture *f = *state;
	tr_resource *r;
	const cJSON *groups;

	article_repo(f, 50, 50);
	repo_fixture_build(f);
	assert_int_equal(tr_diag_count(&f->diag, TR_SEV_ERROR), 0);
	assert_int_equal(f->model.count, sizeof(expected) / sizeof(*expected));
	for (size_t i = 0; i < f->model.count; i++)
		assert_string_equal(f->model.resources[i].address, expected[i]);

	r = tr_model_find(&f->model, "service.datastore-apps");
	assert_string_equal(attr(r, "customDomainName")->valuestring,
			    "datastore.lattice.io");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(r->tags,
							     TR_TAG_OWNER)
				    ->valuestring,
			    "team-x");
	assert_string_equal(r->source_file, "b/route.yaml");

	r = tr_model_find(&f->model, "rule.datastore-apps/http-80/2");
	assert_int_equal(attr(r, "priority")->valueint, 2);
	assert_string_equal(
		attr(r, "match.httpMatch.pathMatch.match.prefix")->valuestring,
		"/summary");
	groups = attr(r, "action.forward.targetGroups");
	assert_int_equal(cJSON_GetArraySize(groups), 2);
	assert_string_equal(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(groups, 1),
						 "targetGroupIdentifier")
			->valuestring,
		"ref:target_group.datastore-v2-svc-apps-cluster-b-datastore-apps");
	assert_int_equal(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(groups, 1),
						 "weight")
			->valueint,
		50);

	r = tr_model_find(&f->model,
			  "target_group.datastore-v1-svc-apps-cluster-b-datastore-apps");
	assert_int_equal(attr(r, "config.port")->valueint, 3000);
	assert_string_equal(attr(r, "config.vpcIdentifier")->valuestring,
			    "vpc-0a1b2c3d4e5f60002");
	r = tr_model_find(&f->model,
			  "sn_vpc_association.eks-lattice-network/cluster-a");
	assert_string_equal(attr(r, "vpcIdentifier")->valuestring,
			    "vpc-0a1b2c3d4e5f60001");
	assert_string_equal(r->parent, "service_network.eks-lattice-network");
}

static void weights_change_only_one_rule(void **state)
{
	repo_fixture *f = *state;
	repo_fixture other;
	size_t differing = 0;

	article_repo(f, 50, 50);
	repo_fixture_build(f);
	repo_fixture_init(&other);
	article_repo(&other, 90, 10);
	repo_fixture_build(&other);
	assert_int_equal(f->model.count, other.model.count);
	for (size_t i = 0; i < f->model.count; i++) {
		assert_string_equal(f->model.resources[i].address,
				    other.model.resources[i].address);
		if (!cJSON_Compare(f->model.resources[i].attrs,
				   other.model.resources[i].attrs, true)) {
			differing++;
			assert_string_equal(other.model.resources[i].address,
					    "rule.datastore-apps/http-80/2");
		}
	}
	assert_int_equal(differing, 1);
	repo_fixture_dispose(&other);
}

static void service_names_follow_the_controller(void **state)
{
	tr_buf b = TR_BUF_INIT(128);
	(void)state;

	assert_int_equal(tr_naming_service(&b, "rates", "default"), 0);
	assert_string_equal(b.ptr, "rates-default");
	tr_buf_clear(&b);
	/* 20 + 18 characters, trailing '-' of a cut trimmed */
	assert_int_equal(tr_naming_service(&b, "a-very-long-route-na-me",
					   "namespace-that-is-long"),
			 0);
	assert_string_equal(b.ptr, "a-very-long-route-na-namespace-that-is");
	tr_buf_clear(&b);
	assert_int_equal(tr_naming_sanitize(&b, "--Cluster_A..b--", 64), 0);
	assert_string_equal(b.ptr, "cluster-a-b");
	tr_buf_dispose(&b);
}

static void colliding_service_names_are_an_error(void **state)
{
	repo_fixture *f = *state;

	article_repo(f, 50, 50);
	/* The same route name and namespace in cluster A's folder. */
	repo_fixture_add(f, "a/route.yaml", f->tree.files[f->tree.count - 1].data);
	repo_fixture_add(f, "a/services.yaml", FIXTURE_SERVICES);
	repo_fixture_build(f);
	assert_int_equal(tr_diag_count(&f->diag, TR_SEV_ERROR), 1);
	assert_string_equal(f->diag.entries[0].rule, "model.service-name");
	assert_string_equal(f->diag.entries[0].file, "b/route.yaml");
	assert_non_null(strstr(f->diag.entries[0].message,
			       "already taken by the route in a/route.yaml:1"));
}

static void one_service_network_per_vpc(void **state)
{
	repo_fixture *f = *state;

	article_repo(f, 50, 50);
	repo_fixture_add(f, "a/other-gateway.yaml",
		 "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"
		 "metadata: {name: second-network}\n"
		 "spec: {gatewayClassName: amazon-vpc-lattice, listeners: "
		 "[{name: http, protocol: HTTP, port: 80}]}\n");
	repo_fixture_build(f);
	assert_int_equal(tr_diag_count(&f->diag, TR_SEV_ERROR), 1);
	assert_string_equal(f->diag.entries[0].rule,
			    "lattice.one-network-per-vpc");
	assert_non_null(strstr(f->diag.entries[0].message,
			       "VPC vpc-0a1b2c3d4e5f60001 would join"));
}

static void policies_shape_target_groups_and_associations(void **state)
{
	repo_fixture *f = *state;
	tr_resource *r;

	article_repo(f, 50, 50);
	repo_fixture_add(f, "b/policies.yaml",
		 "apiVersion: application-networking.k8s.aws/v1alpha1\n"
		 "kind: TargetGroupPolicy\nmetadata: {name: tgp, namespace: apps}\n"
		 "spec:\n  targetRef: {group: \"\", kind: Service, name: datastore-v2-svc}\n"
		 "  protocol: HTTPS\n  protocolVersion: HTTP2\n"
		 "  healthCheck: {enabled: true, path: /healthz}\n---\n"
		 "apiVersion: application-networking.k8s.aws/v1alpha1\n"
		 "kind: VpcAssociationPolicy\nmetadata: {name: vap}\n"
		 "spec:\n  targetRef: {group: gateway.networking.k8s.io, kind: "
		 "Gateway, name: eks-lattice-network}\n"
		 "  securityGroupIds: [sg-0123456789abcdef0]\n");
	repo_fixture_build(f);
	assert_int_equal(tr_diag_count(&f->diag, TR_SEV_ERROR), 0);
	r = tr_model_find(&f->model,
			  "target_group.datastore-v2-svc-apps-cluster-b-datastore-apps");
	assert_string_equal(attr(r, "config.protocol")->valuestring, "HTTPS");
	assert_string_equal(attr(r, "config.protocolVersion")->valuestring,
			    "HTTP2");
	assert_string_equal(attr(r, "config.healthCheck.path")->valuestring,
			    "/healthz");
	r = tr_model_find(&f->model,
			  "sn_vpc_association.eks-lattice-network/cluster-b");
	assert_string_equal(
		cJSON_GetArrayItem(attr(r, "securityGroupIds"), 0)->valuestring,
		"sg-0123456789abcdef0");
	assert_string_equal(r->source_file, "b/policies.yaml");
	/* Cluster A has no policy: no security groups there. */
	r = tr_model_find(&f->model,
			  "sn_vpc_association.eks-lattice-network/cluster-a");
	assert_null(attr(r, "securityGroupIds"));
}

static void grpc_routes_match_service_and_method(void **state)
{
	repo_fixture *f = *state;
	tr_resource *r;

	repo_fixture_add(f, "trellis.yaml", FIXTURE_CONFIG);
	repo_fixture_add(f, "b/empty.yaml", "# nothing in cluster b\n");
	repo_fixture_add(f, "a/gw.yaml",
		 "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\n"
		 "metadata: {name: lattice}\n"
		 "spec: {controllerName: application-networking.k8s.aws/gateway-api-controller}\n"
		 "---\napiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"
		 "metadata: {name: net, namespace: infra}\n"
		 "spec:\n  gatewayClassName: lattice\n  listeners:\n"
		 "    - {name: https, protocol: HTTPS, port: 443, tls: {mode: "
		 "Terminate, options: {application-networking.k8s.aws/"
		 "certificate-arn: \"arn:aws:acm:us-west-2:123456789012:"
		 "certificate/abc\"}}}\n"
		 "    - {name: http, protocol: HTTP, port: 80}\n");
	repo_fixture_add(f, "a/grpc.yaml",
		 "apiVersion: gateway.networking.k8s.io/v1\nkind: GRPCRoute\n"
		 "metadata: {name: greeter}\n"
		 "spec:\n  parentRefs: [{name: net}]\n  rules:\n"
		 "    - matches: [{method: {service: helloworld.Greeter, method: SayHello}}]\n"
		 "      backendRefs: [{name: greeter, port: 50051}]\n"
		 "---\napiVersion: v1\nkind: Service\nmetadata: {name: greeter}\n"
		 "spec: {ports: [{port: 50051}]}\n");
	repo_fixture_build(f);
	assert_int_equal(tr_diag_count(&f->diag, TR_SEV_ERROR), 0);
	/* The parentRef has no namespace and the Gateway is in infra: it
	 * still resolves (DESIGN.md §4). Only the HTTPS listener carries
	 * gRPC. */
	assert_null(tr_model_find(&f->model, "listener.greeter-default/http-80"));
	r = tr_model_find(&f->model, "rule.greeter-default/https-443/1");
	assert_non_null(r);
	assert_string_equal(attr(r, "match.httpMatch.method")->valuestring,
			    "POST");
	assert_string_equal(
		attr(r, "match.httpMatch.pathMatch.match.exact")->valuestring,
		"/helloworld.Greeter/SayHello");
	/* No hostname, no custom domain: VPC Lattice serves HTTPS with its
	 * own certificate and refuses an ARN, so the listener's is not
	 * used (validation notes it). */
	r = tr_model_find(&f->model, "service.greeter-default");
	assert_null(attr(r, "customDomainName"));
	assert_null(attr(r, "certificateArn"));
	r = tr_model_find(&f->model,
			  "target_group.greeter-default-cluster-a-greeter-default");
	assert_string_equal(attr(r, "config.protocolVersion")->valuestring,
			    "GRPC");
	assert_int_equal(attr(r, "config.port")->valueint, 50051);
}

/* The TLS variant of the article (examples/): the route attaches to the
 * HTTP and the HTTPS listener; its service gets the custom domain, the
 * HTTPS listener's certificate, and the same rules on both listeners. */
static void https_and_http_listeners_share_the_rules(void **state)
{
	static const char *const gateway =
		"apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\n"
		"metadata: {name: amazon-vpc-lattice}\n"
		"spec: {controllerName: application-networking.k8s.aws/gateway-api-controller}\n"
		"---\napiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"
		"metadata: {name: eks-lattice-network}\n"
		"spec:\n  gatewayClassName: amazon-vpc-lattice\n  listeners:\n"
		"    - {name: http, protocol: HTTP, port: 80, allowedRoutes: "
		"{namespaces: {from: All}}}\n"
		"    - name: tls-with-custom-domain\n      protocol: HTTPS\n"
		"      port: 443\n      allowedRoutes: {namespaces: {from: All}}\n"
		"      tls:\n        mode: Terminate\n        options:\n"
		"          application-networking.k8s.aws/certificate-arn: "
		"arn:aws:acm:us-west-2:123456789012:certificate/"
		"3f6c1a2e-8d4b-4e7a-9c05-1b2d3e4f5a60\n";
	repo_fixture *f = *state;
	const tr_resource *r;

	repo_fixture_add(f, "trellis.yaml", FIXTURE_CONFIG);
	repo_fixture_add(f, "a/gateway.yaml", gateway);
	repo_fixture_add(f, "b/gateway.yaml", gateway);
	repo_fixture_add(f, "b/services.yaml", FIXTURE_SERVICES);
	repo_fixture_add(f, "b/route.yaml",
		 "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"
		 "metadata: {name: datastore, namespace: apps}\n"
		 "spec:\n  hostnames: [datastore.lattice.io]\n"
		 "  parentRefs:\n"
		 "    - {name: eks-lattice-network, namespace: default, "
		 "sectionName: http}\n"
		 "    - {name: eks-lattice-network, namespace: default, "
		 "sectionName: tls-with-custom-domain}\n"
		 "  rules:\n"
		 "    - matches: [{path: {type: PathPrefix, value: /popular}}]\n"
		 "      backendRefs: [{name: datastore-v1-svc, port: 80}]\n"
		 "    - matches: [{path: {type: PathPrefix, value: /summary}}]\n"
		 "      backendRefs:\n"
		 "        - {name: datastore-v1-svc, port: 80, weight: 90}\n"
		 "        - {name: datastore-v2-svc, port: 80, weight: 10}\n");
	repo_fixture_build(f);
	assert_int_equal(tr_diag_count(&f->diag, TR_SEV_ERROR), 0);
	r = tr_model_find(&f->model, "service.datastore-apps");
	assert_string_equal(attr(r, "customDomainName")->valuestring,
			    "datastore.lattice.io");
	assert_string_equal(attr(r, "certificateArn")->valuestring,
			    "arn:aws:acm:us-west-2:123456789012:certificate/"
			    "3f6c1a2e-8d4b-4e7a-9c05-1b2d3e4f5a60");
	r = tr_model_find(&f->model, "listener.datastore-apps/http-80");
	assert_string_equal(attr(r, "protocol")->valuestring, "HTTP");
	r = tr_model_find(&f->model, "listener.datastore-apps/https-443");
	assert_string_equal(attr(r, "protocol")->valuestring, "HTTPS");
	assert_int_equal(attr(r, "port")->valueint, 443);
	assert_string_equal(attr(r, "name")->valuestring,
			    "datastore-apps-443-https");
	for (int i = 0; i < 2; i++) {
		const char *addr = i ? "rule.datastore-apps/https-443/2"
				     : "rule.datastore-apps/http-80/2";
		const cJSON *groups;

		r = tr_model_find(&f->model, addr);
		assert_non_null(r);
		assert_string_equal(attr(r, "name")->valuestring,
				    "datastore-apps-r2");
		assert_string_equal(
			attr(r, "listenerIdentifier")->valuestring,
			i ? "ref:listener.datastore-apps/https-443"
			  : "ref:listener.datastore-apps/http-80");
		groups = attr(r, "action.forward.targetGroups");
		assert_int_equal(cJSON_GetObjectItemCaseSensitive(
					 cJSON_GetArrayItem(groups, 0), "weight")
					 ->valueint,
				 90);
	}
	assert_non_null(
		tr_model_find(&f->model, "rule.datastore-apps/https-443/1"));
	assert_null(tr_model_find(&f->model, "rule.datastore-apps/https-443/3"));
}

static void routes_without_lattice_gateways_plan_nothing(void **state)
{
	repo_fixture *f = *state;

	repo_fixture_add(f, "route.yaml",
		 "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"
		 "metadata: {name: lonely}\nspec: {parentRefs: [{name: nowhere}]}\n");
	repo_fixture_build(f);
	assert_int_equal(f->model.count, 0);
	assert_int_equal(f->diag.count, 1);
	assert_string_equal(f->diag.entries[0].rule, "model.route-unattached");
	assert_int_equal(f->diag.entries[0].severity, TR_SEV_NOTE);
}

static void extra_matches_are_dropped_with_a_note(void **state)
{
	repo_fixture *f = *state;
	tr_resource *r;

	article_repo(f, 50, 50);
	repo_fixture_add(f, "b/route2.yaml",
		 "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"
		 "metadata: {name: two, namespace: apps}\n"
		 "spec:\n  parentRefs: [{name: eks-lattice-network}]\n  rules:\n"
		 "    - matches:\n        - path: {type: Exact, value: /a}\n"
		 "          headers: [{name: x-env, value: prod}]\n"
		 "          method: GET\n"
		 "        - path: {type: Exact, value: /b}\n"
		 "      backendRefs: [{name: missing-svc, port: 80}]\n");
	repo_fixture_build(f);
	assert_int_equal(tr_diag_count(&f->diag, TR_SEV_NOTE), 1);
	r = tr_model_find(&f->model, "rule.two-apps/http-80/1");
	assert_string_equal(
		attr(r, "match.httpMatch.pathMatch.match.exact")->valuestring,
		"/a");
	assert_string_equal(attr(r, "match.httpMatch.method")->valuestring,
			    "GET");
	assert_string_equal(
		cJSON_GetObjectItemCaseSensitive(
			cJSON_GetArrayItem(attr(r, "match.httpMatch.headerMatches"),
					   0),
			"name")
			->valuestring,
		"x-env");
	/* The backend does not exist: the controller's 500 answer. */
	assert_int_equal(attr(r, "action.fixedResponse.statusCode")->valueint,
			 500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) \
	cmocka_unit_test_setup_teardown(fn, repo_fixture_setup, \
					repo_fixture_teardown)
		T(the_article_scenario),
		T(weights_change_only_one_rule),
		T(service_names_follow_the_controller),
		T(colliding_service_names_are_an_error),
		T(one_service_network_per_vpc),
		T(policies_shape_target_groups_and_associations),
		T(grpc_routes_match_service_and_method),
		T(https_and_http_listeners_share_the_rules),
		T(routes_without_lattice_gateways_plan_nothing),
		T(extra_matches_are_dropped_with_a_note),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
