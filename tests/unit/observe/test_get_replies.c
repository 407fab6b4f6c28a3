/* observe: a VPC Lattice Get reply without the fields the readers build on
 * (id, arn, name) is a clear error naming the operation and the field, not
 * a call built with a missing label (found by fuzz_observe:
 * tests/fuzz/regressions/observe/get-reply-without-id). Replies come
 * through the AWS client's test transport. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "observe/observe.h"

#define SN_ARN "arn:aws:vpc-lattice:us-west-2:123456789012:servicenetwork/sn-1"

typedef struct replies {
	const char *get_reply; /* GetServiceNetwork's body */
	unsigned gets;
} replies;

static const char *env(void *ctx, const char *name)
{
	(void)ctx;
	if (strcmp(name, "AWS_ACCESS_KEY_ID") == 0)
		return "AKIDOBSERVETEST00000";
	if (strcmp(name, "AWS_SECRET_ACCESS_KEY") == 0)
		return "observe-test-secret";
	if (strcmp(name, "AWS_REGION") == 0)
		return "us-west-2";
	return NULL;
}

static int64_t now(void *ctx)
{
	(void)ctx;
	return 1795708800000LL;
}

static void no_sleep(void *ctx, int64_t ms)
{
	(void)ctx;
	(void)ms;
}

static void answer(tr_aws_transport_reply *reply, long status,
		   const char *body)
{
	reply->status = status;
	reply->body = body;
	reply->body_len = strlen(body);
}

/* One owned service network; everything else is empty. */
static int transport(void *ctx, const char *service, const char *op,
		     const char *method, const char *url, const char *body,
		     size_t body_len, tr_aws_transport_reply *reply)
{
	replies *r = ctx;

	(void)service;
	(void)method;
	(void)url;
	(void)body;
	(void)body_len;
	if (strcmp(op, "GetResources") == 0)
		answer(reply, 200, "{\"ResourceTagMappingList\":[{\"ResourceARN\":\""
		       SN_ARN "\",\"Tags\":[{\"Key\":\"trellis/owner\","
		       "\"Value\":\"team-x\"}]}]}");
	else if (strcmp(op, "ListServiceNetworks") == 0)
		answer(reply, 200, "{\"items\":[{\"id\":\"sn-1\",\"arn\":\""
		       SN_ARN "\",\"name\":\"net\"}]}");
	else if (strcmp(op, "GetServiceNetwork") == 0) {
		r->gets++;
		answer(reply, 200, r->get_reply);
	} else if (strcmp(op, "ListRoles") == 0)
		answer(reply, 200, "<ListRolesResponse><ListRolesResult><Roles/>"
		       "<IsTruncated>false</IsTruncated></ListRolesResult>"
		       "</ListRolesResponse>");
	else if (strncmp(op, "List", 4) == 0)
		answer(reply, 200, "{\"items\":[]}");
	else
		answer(reply, 404, "{\"message\":\"not found\"}");
	return 0;
}

/* Observes with the given GetServiceNetwork reply; the diagnostics'
 * messages joined in `msgs`. */
static int observe_with(const char *get_reply, char *msgs, size_t cap,
			tr_model *observed)
{
	replies r = {get_reply, 0};
	tr_aws_runtime rt = {env, now, no_sleep, NULL, NULL, NULL, &r,
			     transport};
	tr_aws_config acfg = {0};
	tr_aws_client *client = NULL;
	tr_observe_options opts = {"team-x", 4, 0, NULL};
	tr_config cfg;
	tr_model desired;
	tr_diag diag;
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	acfg.max_attempts = 1;
	acfg.dry_run = true;
	assert_int_equal(tr_aws_client_new(&client, &acfg, &rt), 0);
	tr_model_init(&desired);
	tr_diag_init(&diag);
	rc = tr_observe(observed, NULL, client, &desired, &cfg, &opts, &diag);
	msgs[0] = '\0';
	for (size_t i = 0; i < diag.count; i++) {
		size_t len = strlen(msgs);
		snprintf(msgs + len, cap - len, "%s\n", diag.entries[i].message);
	}
	assert_int_equal(r.gets, 1);
	tr_diag_dispose(&diag);
	tr_model_dispose(&desired);
	tr_aws_client_free(client);
	return rc;
}

static void a_complete_reply_is_read(void **state)
{
	char msgs[2048];
	tr_model observed;

	(void)state;
	assert_int_equal(observe_with("{\"id\":\"sn-1\",\"arn\":\"" SN_ARN
				      "\",\"name\":\"net\",\"authType\":\"NONE\"}",
				      msgs, sizeof(msgs), &observed), 0);
	assert_non_null(tr_model_find(&observed, "service_network.net"));
	tr_model_dispose(&observed);
}

static void missing_fields_are_named(void **state)
{
	static const struct {
		const char *reply, *want;
	} cases[] = {
		/* what a hostile endpoint sent: a list where the Get was */
		{"{\"items\":[{\"id\":\"snva-1\"}]}",
		 "vpc-lattice GetServiceNetwork: the reply has no string \"id\""},
		{"{\"id\":\"sn-1\",\"name\":\"net\"}",
		 "vpc-lattice GetServiceNetwork: the reply has no string \"arn\""},
		{"{\"id\":\"sn-1\",\"arn\":\"" SN_ARN "\",\"name\":7}",
		 "vpc-lattice GetServiceNetwork: the reply has no string \"name\""},
		{"[1,2]",
		 "vpc-lattice GetServiceNetwork: the reply is not a JSON object (5 bytes)"},
		{"{\"id\":",
		 "vpc-lattice GetServiceNetwork: the reply is not JSON (6 bytes)"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char msgs[2048];
		tr_model observed;

		assert_true(observe_with(cases[i].reply, msgs, sizeof(msgs),
					 &observed) < 0);
		if (!strstr(msgs, cases[i].want))
			fail_msg("case %zu: want \"%s\" in:\n%s", i,
				 cases[i].want, msgs);
		assert_null(strstr(msgs, "bad call"));
		tr_model_dispose(&observed);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_complete_reply_is_read),
		cmocka_unit_test(missing_fields_are_named),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
