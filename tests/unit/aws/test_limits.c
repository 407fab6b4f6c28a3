/*
 * Every cap of src/aws/ in src/util/limits.h, at its edge: attempts,
 * back-off, pages, URL, error text, credentials, token files, headers and
 * batch width. (Request and reply bodies, XML depth, query parameters,
 * Retry-After, config files and profile hops are tested where they live.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aws/client.h"
#include "aws/sigv4.h"
#include "util/alloc.h"
#include "util/limits.h"

#include "fake_server.h"

static fake_server srv;
static char tmpdir[128];

typedef struct fixture {
	test_rt t;
	tr_aws_runtime rt;
	tr_aws_config cfg;
	tr_aws_client *c;
	tr_aws_response resp;
	tr_aws_error err;
} fixture;

static fixture *fx_new(fake_handler h, const fake_reply *script, size_t n)
{
	fixture *f = tr_calloc(1, sizeof(*f));

	f->rt = rt_make(&f->t);
	f->t.random = UINT64_C(1) << 63;
	rt_setenv(&f->t, "AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
	rt_setenv(&f->t, "AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
	rt_setenv(&f->t, "AWS_REGION", "us-west-2");
	rt_setenv(&f->t, "AWS_ENDPOINT_URL", srv.url);
	rt_setenv(&f->t, "AWS_EC2_METADATA_DISABLED", "true");
	tr_aws_response_init(&f->resp);
	tr_aws_error_init(&f->err);
	pthread_mutex_lock(&srv.mu);
	for (size_t i = 0; i < srv.nreqs; i++)
		free(srv.reqs[i].body);
	srv.nreqs = 0;
	srv.handler = h;
	pthread_mutex_unlock(&srv.mu);
	fake_script(&srv, script, n);
	return f;
}

static void fx_client(fixture *f)
{
	assert_int_equal(tr_aws_client_new(&f->c, &f->cfg, &f->rt), 0);
}

static void fx_free(fixture *f)
{
	tr_aws_client_free(f->c);
	tr_aws_response_dispose(&f->resp);
	tr_aws_error_dispose(&f->err);
	tr_free(f);
}

static int get_service(fixture *f)
{
	const char *labels[] = {"svc-1"};
	tr_aws_call call = {TR_AWS_LATTICE, "GetService", labels, 1, NULL, 0, NULL, 0};

	return tr_aws_client_call(&f->resp, f->c, &call, &f->err);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/trellis-limits-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	fake_start(&srv);
	return 0;
}

static int teardown(void **state)
{
	char path[256];
	(void)state;

	fake_stop(&srv);
	snprintf(path, sizeof(path), "%s/token", tmpdir);
	unlink(path);
	rmdir(tmpdir);
	return 0;
}

static void attempts_are_capped(void **state)
{
	static const fake_reply down[] = {{503, "", "{}", false}};
	fixture *f = fx_new(NULL, down, 1);
	(void)state;

	f->cfg.max_attempts = 50;
	fx_client(f);
	assert_int_equal(get_service(f), TR_ERROR);
	assert_int_equal(fake_count(&srv), TR_AWS_MAX_ATTEMPTS);
	assert_int_equal(f->err.attempts, TR_AWS_MAX_ATTEMPTS);
	fx_free(f);
}

static void backoff_is_capped(void **state)
{
	static const fake_reply down[] = {{503, "", "{}", false}};
	fixture *f = fx_new(NULL, down, 1);
	(void)state;

	f->t.random = UINT64_MAX; /* the largest jitter */
	f->cfg.max_attempts = TR_AWS_MAX_ATTEMPTS;
	fx_client(f);
	assert_int_equal(get_service(f), TR_ERROR);
	assert_int_equal(f->t.nsleeps, TR_AWS_MAX_ATTEMPTS - 1);
	for (size_t i = 0; i < f->t.nsleeps; i++) {
		int64_t full = (int64_t)1000 << i;
		if (full > TR_AWS_MAX_BACKOFF_MS)
			full = TR_AWS_MAX_BACKOFF_MS;
		assert_true(f->t.sleeps[i] <= full);
		assert_true(f->t.sleeps[i] >= full - 1);
	}
	fx_free(f);
}

/* Hands out a new nextToken forever. */
static void endless_pages(fake_server *s, const fake_request *r, fake_reply *out)
{
	static char body[128];
	static unsigned n;

	(void)s;
	(void)r;
	snprintf(body, sizeof(body), "{\"items\":[],\"nextToken\":\"t%u\"}", n++);
	out->status = 200;
	out->headers = "";
	out->body = body;
}

static int count_page(void *ctx, const tr_aws_response *page)
{
	(void)page;
	(*(unsigned *)ctx)++;
	return 0;
}

static void pages_are_capped(void **state)
{
	fixture *f = fx_new(endless_pages, NULL, 0);
	tr_aws_call list = {TR_AWS_LATTICE, "ListServices", NULL, 0, NULL, 0, NULL, 0};
	unsigned pages = 0;
	(void)state;

	fx_client(f);
	assert_int_equal(tr_aws_client_paginate(f->c, &list, count_page, &pages, &f->err),
			 TR_ETOOLARGE);
	assert_int_equal(pages, TR_AWS_MAX_PAGES);
	fx_free(f);
}

static void url_is_capped(void **state)
{
	static const fake_reply ok[] = {{200, "", "{}", false}};
	fixture *f = fx_new(NULL, ok, 1);
	char *label = tr_malloc(TR_AWS_MAX_URL_BYTES + 1);
	const char *labels[] = {label};
	tr_aws_call call = {TR_AWS_LATTICE, "GetService", labels, 1, NULL, 0, NULL, 0};
	(void)state;

	memset(label, 'a', TR_AWS_MAX_URL_BYTES);
	label[TR_AWS_MAX_URL_BYTES] = '\0';
	fx_client(f);
	assert_int_equal(tr_aws_client_call(&f->resp, f->c, &call, &f->err), TR_ETOOLARGE);
	assert_int_equal(fake_count(&srv), 0);
	label[1000] = '\0';
	assert_int_equal(tr_aws_client_call(&f->resp, f->c, &call, &f->err), 0);
	tr_free(label);
	fx_free(f);
}

static void error_text_is_capped(void **state)
{
	static char body[8192];
	static fake_reply bad[] = {{400, "X-Amzn-ErrorType: ValidationException\r\n", body, false}};
	fixture *f;
	(void)state;

	snprintf(body, sizeof(body), "{\"message\":\"%0*d\"}", 5000, 7);
	f = fx_new(NULL, bad, 1);
	fx_client(f);
	assert_int_equal(get_service(f), TR_EINVALID);
	assert_int_equal(strlen(f->err.message), TR_AWS_MAX_ERROR_TEXT_BYTES);
	fx_free(f);
}

static void credentials_are_capped(void **state)
{
	static const fake_reply ok[] = {{200, "", "{}", false}};
	char *secret = tr_malloc(TR_AWS_MAX_CREDENTIAL_BYTES + 2);
	fixture *f = fx_new(NULL, ok, 1);
	(void)state;

	memset(secret, 's', TR_AWS_MAX_CREDENTIAL_BYTES + 1);
	secret[TR_AWS_MAX_CREDENTIAL_BYTES + 1] = '\0';
	rt_setenv(&f->t, "AWS_SECRET_ACCESS_KEY", secret);
	fx_client(f);
	assert_int_equal(get_service(f), TR_EAUTH);
	assert_int_equal(fake_count(&srv), 0);
	tr_aws_client_free(f->c);
	secret[TR_AWS_MAX_CREDENTIAL_BYTES] = '\0';
	fx_client(f);
	assert_int_equal(get_service(f), 0);
	tr_free(secret);
	fx_free(f);
}

static void token_files_are_capped(void **state)
{
	static const fake_reply ok[] = {{200, "", "{}", false}};
	fixture *f = fx_new(NULL, ok, 1);
	char path[256];
	FILE *fp;
	(void)state;

	snprintf(path, sizeof(path), "%s/token", tmpdir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	for (size_t i = 0; i <= TR_AWS_MAX_TOKEN_FILE_BYTES; i++)
		fputc('t', fp);
	fclose(fp);
	rt_setenv(&f->t, "AWS_ACCESS_KEY_ID", NULL);
	rt_setenv(&f->t, "AWS_ROLE_ARN", "arn:aws:iam::1:role/x");
	rt_setenv(&f->t, "AWS_WEB_IDENTITY_TOKEN_FILE", path);
	fx_client(f);
	assert_int_equal(get_service(f), TR_EAUTH);
	assert_int_equal(fake_count(&srv), 0);
	assert_non_null(strstr(f->err.message, "too large"));
	fx_free(f);
}

static void signed_headers_are_capped(void **state)
{
	tr_sigv4_header h[TR_AWS_MAX_HEADERS + 1];
	char names[TR_AWS_MAX_HEADERS + 1][16];
	char *big = tr_malloc(TR_AWS_MAX_HEADER_BYTES + 2);
	tr_sigv4_params p = {"AKID", "SECRET", NULL, "us-east-1", "svc", 0, false,
			     false, false, 0};
	tr_sigv4_request r = {"GET", "/", NULL, h, 0, NULL, 0};
	tr_sigv4_result res;
	(void)state;

	for (size_t i = 0; i <= TR_AWS_MAX_HEADERS; i++) {
		snprintf(names[i], sizeof(names[i]), "x-h%zu", i);
		h[i] = (tr_sigv4_header){names[i], "v"};
	}
	tr_sigv4_result_init(&res);
	/* x-amz-date is added by the signer, so one slot is kept for it. */
	r.header_count = TR_AWS_MAX_HEADERS;
	assert_int_equal(tr_sigv4_sign(&res, &r, &p), TR_ETOOLARGE);
	r.header_count = TR_AWS_MAX_HEADERS - 1;
	assert_int_equal(tr_sigv4_sign(&res, &r, &p), 0);
	memset(big, 'v', TR_AWS_MAX_HEADER_BYTES + 1);
	big[TR_AWS_MAX_HEADER_BYTES + 1] = '\0';
	h[0].value = big;
	r.header_count = 1;
	assert_int_equal(tr_sigv4_sign(&res, &r, &p), TR_ETOOLARGE);
	big[TR_AWS_MAX_HEADER_BYTES] = '\0';
	assert_int_equal(tr_sigv4_sign(&res, &r, &p), 0);
	tr_sigv4_result_dispose(&res);
	tr_free(big);
}

static void batch_width_is_capped(void **state)
{
	enum { N = 40 };
	static const fake_reply ok[] = {{200, "", "{}", false}};
	const char *labels[] = {"svc-1"};
	tr_aws_call calls[N];
	tr_aws_response outs[N];
	tr_aws_error errs[N];
	fixture *f = fx_new(NULL, ok, 1);
	int before;
	(void)state;

	fx_client(f);
	for (int i = 0; i < N; i++) {
		calls[i] = (tr_aws_call){TR_AWS_LATTICE, "GetService", labels, 1, NULL, 0, NULL, 0};
		tr_aws_response_init(&outs[i]);
		tr_aws_error_init(&errs[i]);
	}
	pthread_mutex_lock(&srv.mu);
	before = srv.connections;
	pthread_mutex_unlock(&srv.mu);
	assert_int_equal(tr_aws_client_call_many(outs, errs, f->c, calls, N, 1000), 0);
	assert_int_equal(fake_count(&srv), N);
	pthread_mutex_lock(&srv.mu);
	assert_true(srv.connections - before <= (int)TR_AWS_MAX_PARALLEL);
	pthread_mutex_unlock(&srv.mu);
	for (int i = 0; i < N; i++) {
		tr_aws_response_dispose(&outs[i]);
		tr_aws_error_dispose(&errs[i]);
	}
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(attempts_are_capped),
		cmocka_unit_test(backoff_is_capped),
		cmocka_unit_test(pages_are_capped),
		cmocka_unit_test(url_is_capped),
		cmocka_unit_test(error_text_is_capped),
		cmocka_unit_test(credentials_are_capped),
		cmocka_unit_test(token_files_are_capped),
		cmocka_unit_test(signed_headers_are_capped),
		cmocka_unit_test(batch_width_is_capped),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
