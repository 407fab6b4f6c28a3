/* aws/client: the test transport (tr_aws_runtime.transport) that the
 * observe fuzz target answers through: every attempt reaches it, after
 * the dry-run gate, and its replies take the client's normal path
 * (headers, errors, retries, call_many). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/client.h"

typedef struct hook {
	const char *status_body[8][3]; /* status, headers, body */
	size_t count, next;
	char seen[8][64];            /* "operation url-path" */
	int64_t now_ms, slept_ms;
} hook;

static const char *env(void *ctx, const char *name)
{
	(void)ctx;
	if (strcmp(name, "AWS_ACCESS_KEY_ID") == 0)
		return "AKIDTRANSPORTTEST000";
	if (strcmp(name, "AWS_SECRET_ACCESS_KEY") == 0)
		return "transport-test-secret";
	if (strcmp(name, "AWS_REGION") == 0)
		return "us-west-2";
	return NULL;
}

static int64_t now(void *ctx)
{
	return ((hook *)ctx)->now_ms;
}

static void sleep_ms(void *ctx, int64_t ms)
{
	((hook *)ctx)->now_ms += ms;
	((hook *)ctx)->slept_ms += ms;
}

static uint64_t rnd(void *ctx)
{
	(void)ctx;
	return UINT64_C(1) << 63; /* half the back-off */
}

static int transport(void *ctx, const char *service, const char *operation,
		     const char *method, const char *url, const char *body,
		     size_t body_len, tr_aws_transport_reply *reply)
{
	hook *h = ctx;
	const char *path = strstr(url, ".com");
	size_t i = h->next++;

	(void)service;
	(void)method;
	(void)body;
	(void)body_len;
	if (i < 8)
		snprintf(h->seen[i], sizeof(h->seen[i]), "%s %s", operation,
			 path ? path + 4 : url);
	if (i >= h->count || !h->status_body[i][0])
		return -1;
	reply->status = strtol(h->status_body[i][0], NULL, 10);
	reply->headers = h->status_body[i][1];
	reply->headers_len = reply->headers ? strlen(reply->headers) : 0;
	reply->body = h->status_body[i][2];
	reply->body_len = strlen(reply->body);
	return 0;
}

static tr_aws_client *client_for(hook *h, tr_aws_runtime *rt, bool dry_run)
{
	tr_aws_config cfg = {0};
	tr_aws_client *c = NULL;

	*rt = (tr_aws_runtime){env, now, sleep_ms, rnd, NULL, NULL, h,
			       transport};
	h->now_ms = 1795708800000LL;
	cfg.max_attempts = 2;
	cfg.dry_run = dry_run;
	assert_int_equal(tr_aws_client_new(&c, &cfg, rt), 0);
	return c;
}

static void a_call_takes_the_reply_and_its_headers(void **state)
{
	hook h = {{{"200", "x-amzn-RequestId: req-1\r\n", "{\"items\":[]}"}},
		  1, 0, {""}, 0, 0};
	tr_aws_runtime rt;
	tr_aws_client *c = client_for(&h, &rt, false);
	tr_aws_call call = {TR_AWS_LATTICE, "ListServiceNetworks", NULL, 0,
			    NULL, 0, NULL, 0};
	tr_aws_response out;
	tr_aws_error err;
	tr_aws_stats st;

	(void)state;
	tr_aws_response_init(&out);
	tr_aws_error_init(&err);
	assert_int_equal(tr_aws_client_call(&out, c, &call, &err), 0);
	assert_int_equal(out.status, 200);
	assert_string_equal(out.request_id, "req-1");
	assert_int_equal(out.body.len, strlen("{\"items\":[]}"));
	assert_memory_equal(out.body.ptr, "{\"items\":[]}", out.body.len);
	assert_string_equal(h.seen[0], "ListServiceNetworks /servicenetworks");
	tr_aws_client_stats(c, &st);
	assert_int_equal(st.requests, 1);
	tr_aws_response_dispose(&out);
	tr_aws_error_dispose(&err);
	tr_aws_client_free(c);
}

static void errors_are_parsed_and_retried(void **state)
{
	hook h = {{{"400", "x-amzn-ErrorType: ThrottlingException\r\n",
		    "{\"message\":\"Rate exceeded\"}"},
		   {"200", NULL, "{\"items\":[]}"},
		   {"404", "x-amzn-ErrorType: ResourceNotFoundException\r\n",
		    "{\"message\":\"no such service\"}"}},
		  3, 0, {""}, 0, 0};
	tr_aws_runtime rt;
	tr_aws_client *c = client_for(&h, &rt, false);
	tr_aws_call list = {TR_AWS_LATTICE, "ListServices", NULL, 0, NULL, 0,
			    NULL, 0};
	static const char *const id[] = {"svc-1"};
	tr_aws_call get = {TR_AWS_LATTICE, "GetService", id, 1, NULL, 0, NULL,
			   0};
	tr_aws_response out;
	tr_aws_error err;

	(void)state;
	tr_aws_response_init(&out);
	tr_aws_error_init(&err);
	/* Throttled once, answered on the second attempt after a back-off
	 * that the injected sleep took. */
	assert_int_equal(tr_aws_client_call(&out, c, &list, &err), 0);
	assert_int_equal(out.attempts, 2);
	assert_true(h.slept_ms > 0);
	/* A 404 is not retried and comes back typed. */
	assert_int_equal(tr_aws_client_call(&out, c, &get, &err),
			 TR_ENOTFOUND);
	assert_string_equal(err.code, "ResourceNotFoundException");
	assert_int_equal(h.next, 3);
	tr_aws_response_dispose(&out);
	tr_aws_error_dispose(&err);
	tr_aws_client_free(c);
}

static void call_many_runs_one_after_another(void **state)
{
	hook h = {{{"200", NULL, "{\"id\":\"svc-1\"}"},
		   {"200", NULL, "{\"id\":\"svc-2\"}"},
		   {"200", NULL, "{\"id\":\"svc-3\"}"}},
		  3, 0, {""}, 0, 0};
	tr_aws_runtime rt;
	tr_aws_client *c = client_for(&h, &rt, false);
	static const char *const ids[3][1] = {{"svc-1"}, {"svc-2"}, {"svc-3"}};
	tr_aws_call calls[3];
	tr_aws_response outs[3];
	tr_aws_error errs[3];

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		calls[i] = (tr_aws_call){TR_AWS_LATTICE, "GetService", ids[i],
					 1, NULL, 0, NULL, 0};
		tr_aws_response_init(&outs[i]);
		tr_aws_error_init(&errs[i]);
	}
	assert_int_equal(tr_aws_client_call_many(outs, errs, c, calls, 3, 8), 0);
	for (size_t i = 0; i < 3; i++) {
		char want[32];

		snprintf(want, sizeof(want), "{\"id\":\"svc-%zu\"}", i + 1);
		assert_int_equal(outs[i].body.len, strlen(want));
		assert_memory_equal(outs[i].body.ptr, want, outs[i].body.len);
		snprintf(want, sizeof(want), "GetService /services/svc-%zu", i + 1);
		assert_string_equal(h.seen[i], want);
		tr_aws_response_dispose(&outs[i]);
		tr_aws_error_dispose(&errs[i]);
	}
	tr_aws_client_free(c);
}

static void the_gate_and_failures_still_apply(void **state)
{
	hook h = {{{NULL, NULL, NULL}}, 0, 0, {""}, 0, 0};
	tr_aws_runtime rt;
	tr_aws_client *c = client_for(&h, &rt, true);
	tr_aws_call create = {TR_AWS_LATTICE, "CreateServiceNetwork", NULL, 0,
			      NULL, 0, "{\"name\":\"x\"}", 12};
	tr_aws_call list = {TR_AWS_LATTICE, "ListServices", NULL, 0, NULL, 0,
			    NULL, 0};
	tr_aws_response out;
	tr_aws_error err;

	(void)state;
	tr_aws_response_init(&out);
	tr_aws_error_init(&err);
	/* dry-run: the mutating call never reaches the transport */
	assert_int_equal(tr_aws_client_call(&out, c, &create, &err),
			 TR_EREFUSED);
	assert_int_equal(h.next, 0);
	/* a failed connection is a transport error, retried once */
	assert_int_equal(tr_aws_client_call(&out, c, &list, &err), TR_EIO);
	assert_int_equal(err.kind, TR_AWS_ERR_TRANSPORT);
	assert_int_equal(h.next, 2);
	tr_aws_response_dispose(&out);
	tr_aws_error_dispose(&err);
	tr_aws_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_call_takes_the_reply_and_its_headers),
		cmocka_unit_test(errors_are_parsed_and_retried),
		cmocka_unit_test(call_many_runs_one_after_another),
		cmocka_unit_test(the_gate_and_failures_still_apply),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
