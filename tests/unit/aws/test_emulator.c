/*
 * The AWS client against the project's emulator (tests/emulator/run), which
 * checks every signature with an independent SigV4 implementation and speaks
 * the services' real protocols. Fails when the emulator cannot start
 * (TRELLIS_EMULATOR_RUN overrides where to find it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "aws/client.h"
#include "aws/credentials.h"
#include "util/alloc.h"
#include "emulator_proc.h"

static pid_t emu_pid = -1;
static char emu_url[256];

static bool wrong_secret;

static const char *emu_getenv(void *ctx, const char *name)
{
	(void)ctx;
	if (wrong_secret && strcmp(name, "AWS_SECRET_ACCESS_KEY") == 0)
		return "not-the-secret-the-emulator-knows";
	return emulator_env(emu_url, name);
}

static int start_emulator(void **state)
{
	(void)state;
	return emulator_start(&emu_pid, emu_url, sizeof(emu_url), "test_emulator");
}

static int stop_emulator(void **state)
{
	(void)state;
	emulator_stop(&emu_pid);
	return 0;
}

static tr_aws_client *client(bool dry_run)
{
	static const tr_aws_runtime rt = {emu_getenv, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
	tr_aws_config cfg = {0};
	tr_aws_client *c = NULL;

	cfg.dry_run = dry_run;
	assert_int_equal(tr_aws_client_new(&c, &cfg, &rt), 0);
	return c;
}

static size_t on_data(char *d, size_t s, size_t n, void *ud)
{
	tr_buf *b = ud;
	return tr_buf_put(b, d, s * n) == 0 ? s * n : 0;
}

/* How many API requests the emulator has recorded. */
static int recorded_requests(void)
{
	CURL *h = curl_easy_init();
	tr_buf body = TR_BUF_INIT(64 << 20);
	char url[320];
	cJSON *j, *reqs;
	int n = -1;

	snprintf(url, sizeof(url), "%s/_emulator/requests", emu_url);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	if (curl_easy_perform(h) == CURLE_OK &&
	    (j = cJSON_Parse(tr_buf_cstr(&body))) != NULL) {
		reqs = cJSON_GetObjectItemCaseSensitive(j, "requests");
		if (cJSON_IsArray(reqs))
			n = cJSON_GetArraySize(reqs);
		cJSON_Delete(j);
	}
	curl_easy_cleanup(h);
	tr_buf_dispose(&body);
	return n;
}

#define NEED_EMULATOR()               \
	do {                          \
		if (emu_pid <= 0)     \
			fail_msg("the emulator did not start"); \
	} while (0)

static void whoami_is_accepted(void **state)
{
	tr_aws_client *c;
	tr_aws_identity id;
	tr_aws_error err;
	(void)state;

	NEED_EMULATOR();
	c = client(false);
	tr_aws_error_init(&err);
	assert_int_equal(tr_aws_whoami(&id, c, &err), 0);
	assert_true(strlen(id.account) == 12);
	tr_aws_error_dispose(&err);
	tr_aws_client_free(c);
}

static void lattice_round_trip_with_arn_paths(void **state)
{
	tr_aws_client *c;
	tr_aws_response r;
	tr_aws_error err;
	cJSON *j;
	char arn[512];
	(void)state;

	NEED_EMULATOR();
	c = client(false);
	tr_aws_response_init(&r);
	tr_aws_error_init(&err);
	{
		const char *body = "{\"name\":\"trellis-sigv4-check\",\"clientToken\":\"t-1\"}";
		tr_aws_call call = {TR_AWS_LATTICE, "CreateServiceNetwork", NULL, 0,
				    NULL, 0, body, strlen(body)};
		int rc = tr_aws_client_call(&r, c, &call, &err);
		if (rc) {
			tr_buf t = TR_BUF_INIT(4096);
			assert_int_equal(tr_aws_error_render(&t, &err), 0);
			print_message("%s\n", tr_buf_cstr(&t));
			tr_buf_dispose(&t);
		}
		assert_int_equal(rc, 0);
	}
	j = cJSON_Parse(tr_buf_cstr(&r.body));
	assert_non_null(j);
	snprintf(arn, sizeof(arn), "%s",
		 cJSON_GetObjectItemCaseSensitive(j, "arn")->valuestring);
	cJSON_Delete(j);
	{
		/* ARN labels: encoded once on the wire, twice when signed. */
		const char *labels[] = {arn};
		const char *tags = "{\"tags\":{\"owner\":\"trellis\"}}";
		tr_aws_call tag = {TR_AWS_LATTICE, "TagResource", labels, 1, NULL, 0,
				   tags, strlen(tags)};
		tr_aws_call list = {TR_AWS_LATTICE, "ListTagsForResource", labels, 1,
				    NULL, 0, NULL, 0};
		tr_aws_call get = {TR_AWS_LATTICE, "GetServiceNetwork", labels, 1,
				   NULL, 0, NULL, 0};
		assert_int_equal(tr_aws_client_call(&r, c, &tag, &err), 0);
		assert_int_equal(tr_aws_client_call(&r, c, &list, &err), 0);
		assert_non_null(strstr(tr_buf_cstr(&r.body), "trellis"));
		assert_int_equal(tr_aws_client_call(&r, c, &get, &err), 0);
	}
	tr_aws_response_dispose(&r);
	tr_aws_error_dispose(&err);
	tr_aws_client_free(c);
}

static void other_protocols_are_accepted(void **state)
{
	tr_aws_client *c;
	tr_aws_response r;
	tr_aws_error err;
	tr_aws_param role[] = {{"RoleName", "does-not-exist"}};
	tr_aws_call iam = {TR_AWS_IAM, "GetRole", NULL, 0, role, 1, NULL, 0};
	tr_aws_call acm = {TR_AWS_ACM, "ListCertificates", NULL, 0, NULL, 0, NULL, 0};
	tr_aws_call r53 = {TR_AWS_ROUTE53, "ListHostedZones", NULL, 0, NULL, 0, NULL, 0};
	(void)state;

	NEED_EMULATOR();
	c = client(false);
	tr_aws_response_init(&r);
	tr_aws_error_init(&err);
	assert_int_equal(tr_aws_client_call(&r, c, &iam, &err), TR_ENOTFOUND);
	assert_string_equal(err.code, "NoSuchEntity");
	assert_int_equal(tr_aws_client_call(&r, c, &acm, &err), 0);
	assert_int_equal(tr_aws_client_call(&r, c, &r53, &err), 0);
	tr_aws_response_dispose(&r);
	tr_aws_error_dispose(&err);
	tr_aws_client_free(c);
}

static void dry_run_sends_nothing_mutating(void **state)
{
	tr_aws_client *c;
	tr_aws_response r;
	tr_aws_error err;
	const char *body = "{\"name\":\"never-created\"}";
	tr_aws_call create = {TR_AWS_LATTICE, "CreateServiceNetwork", NULL, 0, NULL,
			      0, body, strlen(body)};
	tr_aws_call list = {TR_AWS_LATTICE, "ListServiceNetworks", NULL, 0, NULL, 0,
			    NULL, 0};
	int before;
	(void)state;

	NEED_EMULATOR();
	c = client(true);
	tr_aws_response_init(&r);
	tr_aws_error_init(&err);
	before = recorded_requests();
	assert_true(before >= 0);
	assert_int_equal(tr_aws_client_call(&r, c, &create, &err), TR_EREFUSED);
	assert_int_equal(recorded_requests(), before);
	assert_int_equal(tr_aws_client_call(&r, c, &list, &err), 0);
	assert_int_equal(recorded_requests(), before + 1);
	assert_null(strstr(tr_buf_cstr(&r.body), "never-created"));
	tr_aws_response_dispose(&r);
	tr_aws_error_dispose(&err);
	tr_aws_client_free(c);
}

/* The positive tests mean something only if the emulator does check. */
static void a_wrong_signature_is_rejected(void **state)
{
	tr_aws_client *c;
	tr_aws_response r;
	tr_aws_error err;
	tr_aws_call list = {TR_AWS_LATTICE, "ListServiceNetworks", NULL, 0, NULL, 0,
			    NULL, 0};
	(void)state;

	NEED_EMULATOR();
	wrong_secret = true; /* read when the first call resolves credentials */
	c = client(false);
	tr_aws_response_init(&r);
	tr_aws_error_init(&err);
	assert_int_equal(tr_aws_client_call(&r, c, &list, &err), TR_EAUTH);
	wrong_secret = false;
	assert_int_equal(err.attempts, 1); /* not retried */
	tr_aws_response_dispose(&r);
	tr_aws_error_dispose(&err);
	tr_aws_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(whoami_is_accepted),
		cmocka_unit_test(a_wrong_signature_is_rejected),
		cmocka_unit_test(lattice_round_trip_with_arn_paths),
		cmocka_unit_test(other_protocols_are_accepted),
		cmocka_unit_test(dry_run_sends_nothing_mutating),
	};
	return cmocka_run_group_tests(tests, start_emulator, stop_emulator);
}
