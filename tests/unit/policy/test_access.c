/*
 * The offline access check over small repositories: which service network
 * a call goes through, each layer's verdict and the reason, explicit
 * denies, managed policies, and the errors that stop an answer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/access.h"
#include "repo/repo.h"
#include "source/source.h"
#include "util/alloc.h"

#define CONFIG                                                              \
	"version: 1\nregion: eu-west-1\nowner: t\nclusters:\n"              \
	"  - {name: a, path: a, vpcId: vpc-0000000a}\n"                     \
	"  - {name: b, path: b, vpcId: vpc-0000000b}\n"
#define GW(name)                                                            \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"         \
	"metadata: {name: " name "}\nspec:\n  gatewayClassName: lattice\n"  \
	"  listeners: [{name: http, protocol: HTTP, port: 8080, "           \
	"allowedRoutes: {namespaces: {from: All}}}]\n---\n"
#define ROUTE(name, gw)                                                     \
	"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"       \
	"metadata: {name: " name ", namespace: apps}\nspec:\n"              \
	"  parentRefs: [{name: " gw ", namespace: default}]\n"              \
	"  rules: [{backendRefs: [{name: s, port: 80}]}]\n---\n"
#define AUTH(name, kind, target, policy)                                    \
	"apiVersion: application-networking.k8s.aws/v1alpha1\n"             \
	"kind: IAMAuthPolicy\nmetadata: {name: " name ", namespace: apps}\n" \
	"spec:\n  targetRef: {group: gateway.networking.k8s.io, kind: " kind \
	", name: " target "}\n  policy: '" policy "'\n---\n"
#define ROLE(name, inline_policy, extra)                                    \
	"apiVersion: iam.services.k8s.aws/v1alpha1\nkind: Role\n"           \
	"metadata: {name: " name "-k8s, namespace: apps}\nspec:\n"          \
	"  name: " name "\n  inlinePolicies:\n    p: '" inline_policy "'\n"  \
	extra "---\n"
#define POLICY(st) "{\"Version\":\"2012-10-17\",\"Statement\":[" st "]}"
#define INVOKE "\"Action\":\"vpc-lattice-svcs:Invoke\""
#define ALLOW_ALL POLICY("{\"Effect\":\"Allow\",\"Principal\":\"*\"," INVOKE \
			 ",\"Resource\":\"*\"}")
#define IDENTITY_ALL POLICY("{\"Effect\":\"Allow\"," INVOKE ",\"Resource\":\"*\"}")

typedef struct run {
	tr_source_tree tree;
	tr_repo repo;
	tr_diag diag;
	tr_policy_access_result result;
	int rc;
} run;

static int file_cmp(const void *a, const void *b)
{
	return strcmp(((const tr_source_file *)a)->path,
		      ((const tr_source_file *)b)->path);
}

static void run_query(run *r, const char *a_yaml, const char *b_yaml,
		      const tr_policy_access_query *q)
{
	const char *files[] = {"trellis.yaml", CONFIG, "a/m.yaml", a_yaml,
			       "b/m.yaml", b_yaml};
	tr_repo_options ropts = {0};

	memset(r, 0, sizeof(*r));
	tr_diag_init(&r->diag);
	r->tree.files = tr_calloc(3, sizeof(*r->tree.files));
	for (size_t i = 0; i < 3; i++) {
		r->tree.files[i].path = tr_strdup(files[2 * i]);
		r->tree.files[i].data = tr_strdup(files[2 * i + 1]);
		r->tree.files[i].len = strlen(files[2 * i + 1]);
	}
	r->tree.count = 3;
	qsort(r->tree.files, 3, sizeof(*r->tree.files), file_cmp);
	assert_int_equal(tr_repo_load(&r->repo, &r->tree, &ropts, &r->diag), 0);
	assert_int_equal(r->diag.count, 0);
	r->rc = tr_policy_access_explain(&r->result, &r->repo, q, &r->diag);
}

static void run_dispose(run *r)
{
	tr_policy_access_dispose(&r->result);
	tr_repo_dispose(&r->repo);
	tr_source_tree_dispose(&r->tree);
	tr_diag_dispose(&r->diag);
}

static const char *key(const run *r, const char *name)
{
	for (size_t i = 0; i < r->result.request.key_count; i++)
		if (strcmp(r->result.keys[i].key, name) == 0)
			return r->result.keys[i].value;
	return NULL;
}

static const tr_policy_access_query from_a = {"a", "client", "apps/data",
					      NULL, NULL, "/x"};

/* The request: ARNs with the config's region, the placeholder account and
 * ids, the listener's port, the role's ARN; references filled alike. */
static void request_and_references(void **state)
{
	run r;
	(void)state;

	run_query(&r, GW("net") ROLE("client", IDENTITY_ALL, ""),
		  GW("net") ROUTE("data", "net")
			  AUTH("svc", "HTTPRoute", "data",
			       POLICY("{\"Effect\":\"Allow\",\"Principal\":{"
				      "\"AWS\":\"${role:client.arn}\"}," INVOKE
				      ",\"Resource\":\"${service:apps/data.arn}"
				      "/*\",\"Condition\":{\"ArnEquals\":{"
				      "\"vpc-lattice-svcs:ServiceNetworkArn\":"
				      "\"${servicenetwork:net.arn}\"}}}")),
		  &from_a);
	assert_int_equal(r.rc, 0);
	assert_true(r.result.allowed);
	assert_string_equal(r.result.request.principal_arn,
			    "arn:aws:iam::123456789012:role/client");
	assert_string_equal(r.result.request.resource,
			    "arn:aws:vpc-lattice:eu-west-1:123456789012:service/"
			    "svc-data-apps/x");
	assert_string_equal(key(&r, "vpc-lattice-svcs:SourceVpc"), "vpc-0000000a");
	assert_string_equal(key(&r, "vpc-lattice-svcs:Port"), "8080");
	assert_string_equal(key(&r, "vpc-lattice-svcs:ServiceNetworkArn"),
			    "arn:aws:vpc-lattice:eu-west-1:123456789012:"
			    "servicenetwork/sn-net");
	assert_int_equal(r.result.layer_count, 3);
	assert_false(r.result.layers[0].enforced); /* no policy on the network */
	assert_true(r.result.layers[1].enforced);
	assert_true(r.result.layers[2].enforced);
	assert_int_equal(r.result.layers[1].verdict, TR_POLICY_ALLOW);
	run_dispose(&r);
}

/* A route whose Gateway the caller's cluster does not declare. */
static void unreachable_service(void **state)
{
	run r;
	(void)state;

	run_query(&r, GW("net") ROLE("client", IDENTITY_ALL, ""),
		  GW("net") GW("other") ROUTE("data", "other"), &from_a);
	assert_int_equal(r.rc, 0);
	assert_false(r.result.allowed);
	assert_int_equal(r.result.layer_count, 0);
	assert_non_null(strstr(r.result.reason,
			       "cluster a declares no service network that "
			       "service data-apps is in"));
	run_dispose(&r);
}

/* An explicit Deny on the network wins over allows everywhere else. */
static void explicit_deny_on_the_network(void **state)
{
	run r;
	cJSON *doc;
	char *text;
	(void)state;

	run_query(&r,
		  GW("net") ROLE("client", IDENTITY_ALL, "")
			  AUTH("sn", "Gateway", "net",
			       POLICY("{\"Effect\":\"Allow\",\"Principal\":\"*\","
				      INVOKE ",\"Resource\":\"*\"},{\"Sid\":"
				      "\"NoA\",\"Effect\":\"Deny\",\"Principal\":"
				      "\"*\"," INVOKE ",\"Resource\":\"*\","
				      "\"Condition\":{\"StringEquals\":{"
				      "\"vpc-lattice-svcs:SourceVpc\":"
				      "\"${cluster:a.vpcId}\"}}}")),
		  GW("net") ROUTE("data", "net") AUTH("svc", "HTTPRoute", "data",
						       ALLOW_ALL),
		  &from_a);
	assert_int_equal(r.rc, 0);
	assert_false(r.result.allowed);
	assert_string_equal(r.result.reason, "an explicit Deny in the policies "
					     "of service network net");
	assert_int_equal(r.result.layers[0].verdict, TR_POLICY_EXPLICIT_DENY);
	assert_true(r.result.layers[0].docs[0].decision.statements[1].matched);
	doc = tr_policy_access_to_json(&r.result);
	text = cJSON_PrintUnformatted(doc);
	assert_non_null(strstr(text, "\"allowed\":false"));
	assert_non_null(strstr(text, "\"verdict\":\"explicit-deny\""));
	assert_non_null(strstr(text, "\"sid\":\"NoA\""));
	cJSON_free(text);
	cJSON_Delete(doc);
	run_dispose(&r);
}

/* With IAM auth on the way, the role's own policies must allow too;
 * managed policies are named, not evaluated. */
static void identity_must_allow(void **state)
{
	run r;
	(void)state;

	run_query(&r,
		  GW("net") ROLE("client",
				 POLICY("{\"Effect\":\"Allow\",\"Action\":"
					"\"s3:*\",\"Resource\":\"*\"}"),
				 "  policies: [arn:aws:iam::aws:policy/X]\n"),
		  GW("net") ROUTE("data", "net") AUTH("svc", "HTTPRoute", "data",
						       ALLOW_ALL),
		  &from_a);
	assert_int_equal(r.rc, 0);
	assert_false(r.result.allowed);
	assert_string_equal(r.result.reason, "no statement in the identity "
					     "policies of role client allows it");
	assert_non_null(strstr(r.result.layers[2].docs[0].decision.statements[0].why,
			       "Action"));
	assert_int_equal(r.result.note_count, 3);
	assert_non_null(strstr(r.result.notes[2], "managed policy "
						  "arn:aws:iam::aws:policy/X"));
	run_dispose(&r);
}

/* Errors that stop the answer name what is missing. */
static void errors(void **state)
{
	static const struct {
		tr_policy_access_query q;
		const char *rule;
		const char *message;
	} bad[] = {
		{{"c", "client", "apps/data", NULL, NULL, NULL}, "access.cluster",
		 "no cluster named c in the config file"},
		{{"a", "nobody", "apps/data", NULL, NULL, NULL}, "access.role",
		 "no Role nobody (iam.services.k8s.aws) in the repository"},
		{{"a", "client", "data", NULL, NULL, NULL}, "access.route",
		 "no HTTPRoute or GRPCRoute default/data in the repository"},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		run r;
		run_query(&r, GW("net") ROLE("client", IDENTITY_ALL, ""),
			  GW("net") ROUTE("data", "net"), &bad[i].q);
		assert_int_equal(r.rc, TR_EINVALID);
		assert_int_equal(r.diag.count, 1);
		assert_string_equal(r.diag.entries[0].rule, bad[i].rule);
		assert_string_equal(r.diag.entries[0].message, bad[i].message);
		run_dispose(&r);
	}
}

/* A reference nothing resolves is an error at the policy, naming it
 * (validate reports it first; this is the check's own guard). */
static void unresolved_reference(void **state)
{
	run r;
	(void)state;

	run_query(&r, GW("net") ROLE("client", IDENTITY_ALL, ""),
		  GW("net") ROUTE("data", "net")
			  AUTH("svc", "HTTPRoute", "data",
			       POLICY("{\"Effect\":\"Allow\",\"Principal\":{"
				      "\"AWS\":\"${role:clent.arn}\"}," INVOKE
				      ",\"Resource\":\"*\"}")),
		  &from_a);
	assert_int_equal(r.rc, TR_ENOTFOUND);
	assert_int_equal(r.diag.count, 1);
	assert_string_equal(r.diag.entries[0].rule, "access.reference");
	assert_string_equal(r.diag.entries[0].file, "b/m.yaml");
	assert_string_equal(r.diag.entries[0].path, "spec.policy");
	assert_non_null(strstr(r.diag.entries[0].message,
			       "${role:clent.arn} (line 1 of the policy) names "
			       "no role"));
	run_dispose(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(request_and_references),
		cmocka_unit_test(unreachable_service),
		cmocka_unit_test(explicit_deny_on_the_network),
		cmocka_unit_test(identity_must_allow),
		cmocka_unit_test(errors),
		cmocka_unit_test(unresolved_reference),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
