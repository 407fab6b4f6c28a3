/* The IAM half of the desired model: auth policies and client roles, and
 * their policies filled in from references (src/policy/model.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "policy/model.h"
#include "util/alloc.h"

#include "../repo_fixture.h"

static void article_repo(repo_fixture *f, int w1, int w2)
{
	repo_fixture_article(f, w1, w2, "datastore.lattice.io", true);
}


static const char *CONFIG_OIDC =
	"version: 1\nregion: us-west-2\nowner: team-x\nclusters:\n"
	"  - {name: cluster-a, path: a, vpcId: vpc-0a1b2c3d4e5f60001,\n"
	"     oidcIssuer: 'https://oidc.eks.us-west-2.amazonaws.com/id/AAA'}\n"
	"  - {name: cluster-b, path: b, vpcId: vpc-0a1b2c3d4e5f60002}\n";

static const char *AUTH =
	"apiVersion: application-networking.k8s.aws/v1alpha1\nkind: IAMAuthPolicy\n"
	"metadata: {name: datastore-auth, namespace: apps}\n"
	"spec:\n  targetRef: {group: gateway.networking.k8s.io, kind: HTTPRoute, name: datastore}\n"
	"  policy: |\n"
	"    {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\",\n"
	"     \"Principal\": {\"AWS\": \"${role:client.arn}\"}, \"Action\": \"vpc-lattice-svcs:Invoke\",\n"
	"     \"Resource\": \"${service:apps/datastore.arn}/*\",\n"
	"     \"Condition\": {\"StringEquals\": {\"vpc-lattice-svcs:SourceVpc\": \"${cluster:cluster-a.vpcId}\"}}}]}\n"
	"---\napiVersion: application-networking.k8s.aws/v1alpha1\nkind: IAMAuthPolicy\n"
	"metadata: {name: network-auth}\n"
	"spec:\n  targetRef: {group: gateway.networking.k8s.io, kind: Gateway, name: eks-lattice-network}\n"
	"  policy: '{\"Statement\": [{\"Principal\": {\"AWS\": \"arn:aws:iam::${account}:root\"}, "
	"\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}], \"Version\": \"2012-10-17\"}'\n";

static const char *ROLE =
	"apiVersion: iam.services.k8s.aws/v1alpha1\nkind: Role\n"
	"metadata: {name: client, namespace: apps}\n"
	"spec:\n  name: client\n  description: the client\n  maxSessionDuration: 7200\n"
	"  assumeRolePolicyDocument: '{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", "
	"\"Principal\": {\"Federated\": \"arn:aws:iam::${account}:oidc-provider/${cluster:cluster-a.oidcProvider}\"}, "
	"\"Action\": \"sts:AssumeRoleWithWebIdentity\", \"Condition\": {\"StringEquals\": "
	"{\"${cluster:cluster-a.oidcProvider}:sub\": \"system:serviceaccount:apps:client\"}}}]}'\n"
	"  inlinePolicies:\n    invoke: '{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", "
	"\"Action\": \"vpc-lattice-svcs:Invoke\", \"Resource\": \"${service:apps/datastore.arn}/*\"}]}'\n"
	"  tags: [{key: zeta, value: z}, {key: app, value: client}]\n";

static tr_resource *find(repo_fixture *f, const char *address)
{
	tr_resource *r = tr_model_find(&f->model, address);

	if (!r)
		fail_msg("no resource %s", address);
	return r;
}

static const char *str_at(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static void auth_policies_switch_their_targets_to_iam(void **state)
{
	repo_fixture *f = *state;
	const tr_resource *svc, *sn, *pol;
	const cJSON *refs;
	char *text;

	article_repo(f, 50, 50);
	tr_free(f->tree.files[0].data);
	f->tree.files[0].data = tr_strdup(CONFIG_OIDC);
	f->tree.files[0].len = strlen(CONFIG_OIDC);
	repo_fixture_add(f, "b/auth.yaml", AUTH);
	repo_fixture_add(f, "a/role.yaml", ROLE);
	repo_fixture_build(f);
	assert_int_equal(tr_diag_count(&f->diag, TR_SEV_ERROR), 0);
	svc = find(f, "service.datastore-apps");
	assert_string_equal(str_at(svc->attrs, "authType"), "AWS_IAM");
	sn = find(f, "service_network.eks-lattice-network");
	assert_string_equal(str_at(sn->attrs, "authType"), "AWS_IAM");

	pol = find(f, "auth_policy.service/datastore-apps");
	assert_string_equal(pol->parent, "service.datastore-apps");
	assert_string_equal(str_at(pol->attrs, "resourceIdentifier"),
			    "ref:service.datastore-apps");
	refs = cJSON_GetObjectItemCaseSensitive(pol->attrs, "references");
	assert_string_equal(str_at(refs, "${service:apps/datastore.arn}"),
			    "ref:service.datastore-apps");
	assert_string_equal(str_at(refs, "${role:client.arn}"), "ref:iam_role.client");
	assert_string_equal(str_at(refs, "${cluster:cluster-a.vpcId}"),
			    "vpc-0a1b2c3d4e5f60001");
	/* the value has its keys sorted: written in any order, it compares equal */
	text = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(pol->attrs, "policy"));
	assert_non_null(strstr(text, "{\"Statement\":[{\"Action\":"));
	cJSON_free(text);

	pol = find(f, "auth_policy.service_network/eks-lattice-network");
	refs = cJSON_GetObjectItemCaseSensitive(pol->attrs, "references");
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(refs, "${account}")));
}

static void roles_carry_their_policies_and_tags(void **state)
{
	repo_fixture *f = *state;
	const tr_resource *r;
	const cJSON *keys, *refs;

	article_repo(f, 50, 50);
	tr_free(f->tree.files[0].data);
	f->tree.files[0].data = tr_strdup(CONFIG_OIDC);
	f->tree.files[0].len = strlen(CONFIG_OIDC);
	repo_fixture_add(f, "a/role.yaml", ROLE);
	repo_fixture_build(f);
	assert_int_equal(tr_diag_count(&f->diag, TR_SEV_ERROR), 0);
	r = find(f, "iam_role.client");
	assert_string_equal(r->name, "client");
	assert_string_equal(str_at(r->attrs, "description"), "the client");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(r->attrs, "maxSessionDuration")->valuedouble,
			 7200);
	assert_non_null(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(r->attrs, "inlinePolicies"), "invoke"));
	assert_non_null(str_at(cJSON_GetObjectItemCaseSensitive(
				       cJSON_GetObjectItemCaseSensitive(r->attrs, "templates"),
				       "inlinePolicies"),
			       "invoke"));
	refs = cJSON_GetObjectItemCaseSensitive(r->attrs, "references");
	assert_string_equal(str_at(refs, "${cluster:cluster-a.oidcProvider}"),
			    "oidc.eks.us-west-2.amazonaws.com/id/AAA");
	/* tag keys sorted, ours included: a key dropped later is untagged */
	keys = cJSON_GetObjectItemCaseSensitive(r->attrs, "tagKeys");
	assert_int_equal(cJSON_GetArraySize(keys), 4);
	assert_string_equal(cJSON_GetArrayItem(keys, 0)->valuestring, "app");
	assert_string_equal(cJSON_GetArrayItem(keys, 1)->valuestring, "trellis/owner");
	assert_string_equal(cJSON_GetArrayItem(keys, 2)->valuestring, "trellis/source");
	assert_string_equal(cJSON_GetArrayItem(keys, 3)->valuestring, "zeta");
	assert_string_equal(str_at(r->tags, "app"), "client");
	assert_string_equal(str_at(r->tags, TR_TAG_OWNER), "team-x");
}

static void a_policy_on_a_route_without_a_service_is_an_error(void **state)
{
	repo_fixture *f = *state;
	const char *lonely =
		"apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"
		"metadata: {name: lonely, namespace: apps}\n"
		"spec:\n  rules: [{backendRefs: [{name: datastore-v1-svc, port: 80}]}]\n"
		"---\napiVersion: application-networking.k8s.aws/v1alpha1\nkind: IAMAuthPolicy\n"
		"metadata: {name: a, namespace: apps}\n"
		"spec:\n  targetRef: {group: gateway.networking.k8s.io, kind: HTTPRoute, name: datastore}\n"
		"  policy: '{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"*\", "
		"\"Resource\": \"${service:apps/lonely.arn}\"}]}'\n";
	bool found = false;

	article_repo(f, 50, 50);
	repo_fixture_add(f, "b/lonely.yaml", lonely);
	repo_fixture_build(f);
	for (size_t i = 0; i < f->diag.count; i++)
		found |= f->diag.entries[i].severity == TR_SEV_ERROR &&
			 strstr(f->diag.entries[i].message,
				"names route apps/lonely, which makes no VPC Lattice service") &&
			 strcmp(f->diag.entries[i].file, "b/lonely.yaml") == 0;
	assert_true(found);
	assert_null(tr_model_find(&f->model, "auth_policy.service/datastore-apps"));
}

static void plans_fill_what_exists_and_apply_the_rest(void **state)
{
	repo_fixture *f = *state;
	tr_model observed;
	tr_resource *pol, *svc, *role;
	tr_diag diag;
	tr_policy_fill_result res;
	char *text;
	cJSON *copy;

	article_repo(f, 50, 50);
	tr_free(f->tree.files[0].data);
	f->tree.files[0].data = tr_strdup(CONFIG_OIDC);
	f->tree.files[0].len = strlen(CONFIG_OIDC);
	repo_fixture_add(f, "b/auth.yaml", AUTH);
	repo_fixture_add(f, "a/role.yaml", ROLE);
	repo_fixture_build(f);
	tr_model_init(&observed);
	tr_diag_init(&diag);
	/* the service exists, the role does not yet */
	svc = tr_model_add(&observed, TR_KIND_SERVICE, NULL, "datastore-apps");
	svc->arn = tr_strdup("arn:aws:vpc-lattice:us-west-2:123456789012:service/svc-1");
	assert_int_equal(tr_policy_resolve_model(&f->model, &observed, "123456789012", &diag), 0);
	pol = find(f, "auth_policy.service/datastore-apps");
	text = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(pol->attrs, "policy"));
	assert_non_null(strstr(text, "\"Resource\":\"arn:aws:vpc-lattice:us-west-2:123456789012:service/svc-1/*\""));
	assert_non_null(strstr(text, "\"AWS\":\"" TR_POLICY_AFTER_APPLY_TEXT "\""));
	cJSON_free(text);
	role = find(f, "iam_role.client");
	text = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(role->attrs, "assumeRolePolicyDocument"));
	assert_non_null(strstr(text, "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/AAA"));
	assert_non_null(strstr(text, "\"oidc.eks.us-west-2.amazonaws.com/id/AAA:sub\""));
	cJSON_free(text);

	/* apply: without a placeholder, an unknown ARN leaves the value alone */
	copy = cJSON_Duplicate(pol->attrs, true);
	assert_int_equal(tr_policy_fill(copy, NULL, NULL, NULL, &res), 0);
	assert_int_equal(res.after_apply, 2);
	cJSON_Delete(copy);

	/* a reference the references do not hold cannot be resolved */
	copy = cJSON_Duplicate(pol->attrs, true);
	cJSON_DeleteItemFromObjectCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(copy, "references"), "${cluster:cluster-a.vpcId}");
	assert_int_equal(tr_policy_fill(copy, NULL, NULL, "x", &res), TR_ENOTFOUND);
	assert_string_equal(res.unresolved, "${cluster:cluster-a.vpcId}");
	cJSON_Delete(copy);
	tr_model_dispose(&observed);
	tr_diag_dispose(&diag);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) \
	cmocka_unit_test_setup_teardown(fn, repo_fixture_setup, \
					repo_fixture_teardown)
		T(auth_policies_switch_their_targets_to_iam),
		T(roles_carry_their_policies_and_tags),
		T(a_policy_on_a_route_without_a_service_is_an_error),
		T(plans_fill_what_exists_and_apply_the_rest),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
