/*
 * The AWS client against a loopback fake server: wire format of the four
 * protocols, signing as sent, endpoints and regions, typed errors, standard
 * retries with back-off and Retry-After, the retry budget, rate limits,
 * connection reuse, pagination and the dry-run gate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <unistd.h>

#include "aws/client.h"
#include "aws/sigv4.h"
#include "aws/xml.h"
#include "util/alloc.h"
#include "util/limits.h"

#include "fake_server.h"

#define AKID "AKIDEXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

static fake_server srv;

typedef struct fixture {
	test_rt t;
	tr_aws_runtime rt;
	tr_aws_config cfg;
	tr_aws_client *c;
	tr_aws_response resp;
	tr_aws_error err;
} fixture;

static fixture *fx_new(void)
{
	fixture *f = tr_calloc(1, sizeof(*f));

	f->rt = rt_make(&f->t);
	f->t.random = UINT64_C(1) << 63; /* random_unit() == 0.5 */
	rt_setenv(&f->t, "AWS_ACCESS_KEY_ID", AKID);
	rt_setenv(&f->t, "AWS_SECRET_ACCESS_KEY", SECRET);
	rt_setenv(&f->t, "AWS_REGION", "us-west-2");
	rt_setenv(&f->t, "AWS_ENDPOINT_URL", srv.url);
	rt_setenv(&f->t, "AWS_EC2_METADATA_DISABLED", "true");
	rt_setenv(&f->t, "HOME", "/nonexistent");
	tr_aws_response_init(&f->resp);
	tr_aws_error_init(&f->err);
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

static int setup(void **state)
{
	(void)state;
	fake_start(&srv);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_stop(&srv);
	return 0;
}

/* Resets the recorded requests and the script between tests. */
static void reset(const fake_reply *replies, size_t n)
{
	pthread_mutex_lock(&srv.mu);
	for (size_t i = 0; i < srv.nreqs; i++)
		free(srv.reqs[i].body);
	srv.nreqs = 0;
	srv.handler = NULL;
	pthread_mutex_unlock(&srv.mu);
	fake_script(&srv, replies, n);
}

/* Recomputes the signature from what actually reached the server. */
static void assert_signed_as_sent(const fake_request *r, const char *region,
				  const char *service, const char *token)
{
	char host[256], date[32], ctype[256], target[256], auth[1024], tok[4096];
	tr_sigv4_header h[4];
	size_t n = 0;
	char path[8192];
	const char *q = strchr(r->target, '?');
	tr_sigv4_result res;
	tr_sigv4_params p = {AKID, SECRET, token, region, service, 0, false,
			     false, false, 0};
	struct tm tm;

	assert_non_null(fake_header(r, "Host", host, sizeof(host)));
	assert_non_null(fake_header(r, "X-Amz-Date", date, sizeof(date)));
	assert_non_null(fake_header(r, "Authorization", auth, sizeof(auth)));
	if (token) {
		assert_non_null(fake_header(r, "X-Amz-Security-Token", tok, sizeof(tok)));
		assert_string_equal(tok, token);
	}
	h[n++] = (tr_sigv4_header){"host", host};
	if (fake_header(r, "Content-Type", ctype, sizeof(ctype)))
		h[n++] = (tr_sigv4_header){"content-type", ctype};
	if (fake_header(r, "X-Amz-Target", target, sizeof(target)))
		h[n++] = (tr_sigv4_header){"x-amz-target", target};
	snprintf(path, sizeof(path), "%.*s",
		 (int)(q ? (size_t)(q - r->target) : strlen(r->target)), r->target);
	memset(&tm, 0, sizeof(tm));
	assert_int_equal(sscanf(date, "%4d%2d%2dT%2d%2d%2dZ", &tm.tm_year, &tm.tm_mon,
				&tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec), 6);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	p.time = (int64_t)timegm(&tm);
	tr_sigv4_result_init(&res);
	{
		tr_sigv4_request rq = {r->method, path, q ? q + 1 : "", h, n,
				       r->body, r->body_len};
		assert_int_equal(tr_sigv4_sign(&res, &rq, &p), 0);
	}
	assert_string_equal(auth, tr_buf_cstr(&res.authorization));
	tr_sigv4_result_dispose(&res);
}

static void rest_json_call_with_arn_label(void **state)
{
	static const fake_reply ok[] = {{200, "x-amzn-RequestId: req-1\r\n",
					 "{\"tags\":{}}", false}};
	const char *labels[] = {"arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-0123456789abcdef0"};
	tr_aws_call call = {TR_AWS_LATTICE, "ListTagsForResource", labels, 1,
			    NULL, 0, NULL, 0};
	fixture *f = fx_new();
	char v[256];
	(void)state;

	reset(ok, 1);
	rt_setenv(&f->t, "AWS_SESSION_TOKEN", "SESSION-TOKEN-VALUE");
	fx_client(f);
	assert_int_equal(tr_aws_client_call(&f->resp, f->c, &call, &f->err), 0);
	assert_int_equal(f->resp.status, 200);
	assert_string_equal(tr_buf_cstr(&f->resp.body), "{\"tags\":{}}");
	assert_string_equal(f->resp.request_id, "req-1");
	assert_int_equal(fake_count(&srv), 1);
	assert_string_equal(srv.reqs[0].method, "GET");
	assert_string_equal(srv.reqs[0].target,
		"/tags/arn%3Aaws%3Avpc-lattice%3Aus-west-2%3A111122223333%3Aservice%2Fsvc-0123456789abcdef0");
	assert_non_null(fake_header(&srv.reqs[0], "Authorization", v, sizeof(v)));
	assert_non_null(strstr(v, "/us-west-2/vpc-lattice/aws4_request"));
	assert_signed_as_sent(&srv.reqs[0], "us-west-2", "vpc-lattice",
			      "SESSION-TOKEN-VALUE");
	fx_free(f);
}

static void rest_json_body_and_query(void **state)
{
	static const fake_reply ok[] = {{201, "", "{\"id\":\"svc-1\"}", false}};
	tr_aws_param q[] = {{"maxResults", "10"}, {"nextToken", "a+b/c="}};
	tr_aws_call create = {TR_AWS_LATTICE, "CreateService", NULL, 0, NULL, 0,
			      "{\"name\":\"web\"}", 14};
	tr_aws_call list = {TR_AWS_LATTICE, "ListServices", NULL, 0, q, 2, NULL, 0};
	fixture *f = fx_new();
	char v[256];
	(void)state;

	reset(ok, 1);
	fx_client(f);
	assert_int_equal(tr_aws_client_call(&f->resp, f->c, &create, &f->err), 0);
	assert_int_equal(f->resp.status, 201);
	assert_string_equal(srv.reqs[0].method, "POST");
	assert_string_equal(srv.reqs[0].target, "/services");
	assert_string_equal(srv.reqs[0].body, "{\"name\":\"web\"}");
	assert_string_equal(fake_header(&srv.reqs[0], "Content-Type", v, sizeof(v)),
			    "application/json");
	assert_signed_as_sent(&srv.reqs[0], "us-west-2", "vpc-lattice", NULL);
	assert_int_equal(tr_aws_client_call(&f->resp, f->c, &list, &f->err), 0);
	assert_string_equal(srv.reqs[1].target,
			    "/services?maxResults=10&nextToken=a%2Bb%2Fc%3D");
	assert_signed_as_sent(&srv.reqs[1], "us-west-2", "vpc-lattice", NULL);
	fx_free(f);
}

static void query_protocol_iam_is_global(void **state)
{
	static const fake_reply ok[] = {{200, "", "<GetRoleResponse/>", false}};
	tr_aws_param p[] = {{"RoleName", "my role"}};
	tr_aws_call call = {TR_AWS_IAM, "GetRole", NULL, 0, p, 1, NULL, 0};
	fixture *f = fx_new();
	char v[256];
	(void)state;

	reset(ok, 1);
	fx_client(f);
	assert_int_equal(tr_aws_client_call(&f->resp, f->c, &call, &f->err), 0);
	assert_string_equal(srv.reqs[0].method, "POST");
	assert_string_equal(srv.reqs[0].target, "/");
	assert_string_equal(srv.reqs[0].body,
			    "Action=GetRole&Version=2010-05-08&RoleName=my%20role");
	assert_string_equal(fake_header(&srv.reqs[0], "Content-Type", v, sizeof(v)),
			    "application/x-www-form-urlencoded; charset=utf-8");
	/* IAM is global: signed for us-east-1 whatever AWS_REGION says. */
	assert_signed_as_sent(&srv.reqs[0], "us-east-1", "iam", NULL);
	fx_free(f);
}

static void json_protocol_acm(void **state)
{
	static const fake_reply ok[] = {{200, "", "{}", false}};
	tr_aws_call call = {TR_AWS_ACM, "DescribeCertificate", NULL, 0, NULL, 0,
			    "{\"CertificateArn\":\"arn:aws:acm:us-west-2:1:certificate/x\"}", 57};
	tr_aws_call empty = {TR_AWS_ACM, "ListCertificates", NULL, 0, NULL, 0, NULL, 0};
	fixture *f = fx_new();
	char v[256];
	(void)state;

	reset(ok, 1);
	fx_client(f);
	assert_int_equal(tr_aws_client_call(&f->resp, f->c, &call, &f->err), 0);
	assert_string_equal(fake_header(&srv.reqs[0], "X-Amz-Target", v, sizeof(v)),
			    "CertificateManager.DescribeCertificate");
	assert_string_equal(fake_header(&srv.reqs[0], "Content-Type", v, sizeof(v)),
			    "application/x-amz-json-1.1");
	assert_signed_as_sent(&srv.reqs[0], "us-west-2", "acm", NULL);
	assert_int_equal(tr_aws_client_call(&f->resp, f->c, &empty, &f->err), 0);
	assert_string_equal(srv.reqs[1].body, "{}");
	fx_free(f);
}

static void rest_xml_route53_strips_id_prefix(void **state)
{
	static const fake_reply ok[] = {{200, "", "<GetChangeResponse/>", false}};
	const char *labels[] = {"/change/C2682N5HXP0BZ4"};
	tr_aws_call call = {TR_AWS_ROUTE53, "GetChange", labels, 1, NULL, 0, NULL, 0};
	fixture *f = fx_new();
	(void)state;

	reset(ok, 1);
	fx_client(f);
	assert_int_equal(tr_aws_client_call(&f->resp, f->c, &call, &f->err), 0);
	assert_string_equal(srv.reqs[0].target, "/2013-04-01/change/C2682N5HXP0BZ4");
	assert_signed_as_sent(&srv.reqs[0], "us-east-1", "route53", NULL);
	fx_free(f);
}

static void bad_calls_are_refused_locally(void **state)
{
	tr_aws_call unknown = {TR_AWS_LATTICE, "DeleteEverything", NULL, 0, NULL, 0, NULL, 0};
	tr_aws_call missing = {TR_AWS_LATTICE, "GetService", NULL, 0, NULL, 0, NULL, 0};
	fixture *f = fx_new();
	(void)state;

	reset(NULL, 0);
	fx_client(f);
	assert_int_equal(tr_aws_client_call(&f->resp, f->c, &unknown, &f->err), TR_EREFUSED);
	assert_int_equal(tr_aws_client_call(&f->resp, f->c, &missing, &f->err), TR_EINVALID);
	assert_int_equal(f->err.kind, TR_AWS_ERR_CLIENT);
	assert_int_equal(fake_count(&srv), 0);
	fx_free(f);
}

static void endpoints_and_regions(void **state)
{
	static const struct {
		tr_aws_service svc;
		const char *override_env, *override, *sts_mode;
		const char *url, *region;
	} cases[] = {
		{TR_AWS_LATTICE, NULL, NULL, NULL, "https://vpc-lattice.eu-west-1.amazonaws.com", "eu-west-1"},
		{TR_AWS_ROUTE53, NULL, NULL, NULL, "https://route53.amazonaws.com", "us-east-1"},
		{TR_AWS_IAM, NULL, NULL, NULL, "https://iam.amazonaws.com", "us-east-1"},
		{TR_AWS_ACM, NULL, NULL, NULL, "https://acm.eu-west-1.amazonaws.com", "eu-west-1"},
		{TR_AWS_STS, NULL, NULL, NULL, "https://sts.eu-west-1.amazonaws.com", "eu-west-1"},
		{TR_AWS_STS, NULL, NULL, "legacy", "https://sts.amazonaws.com", "us-east-1"},
		{TR_AWS_LATTICE, "AWS_ENDPOINT_URL_VPC_LATTICE", "http://127.0.0.1:4566/", NULL, "http://127.0.0.1:4566", "eu-west-1"},
		{TR_AWS_ROUTE53, "AWS_ENDPOINT_URL_ROUTE_53", "http://localhost:1", NULL, "http://localhost:1", "us-east-1"},
		{TR_AWS_ACM, "AWS_ENDPOINT_URL", "http://emu:9", NULL, "http://emu:9", "eu-west-1"},
		{TR_AWS_IAM, "AWS_ENDPOINT_URL_IAM", "https://iam.example", NULL, "https://iam.example", "us-east-1"},
		{TR_AWS_STS, "AWS_ENDPOINT_URL_STS", "http://sts.local", NULL, "http://sts.local", "eu-west-1"},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fixture *f = fx_new();
		tr_buf url = TR_BUF_INIT(1024);
		const char *region = NULL;

		f->t.nenv = 0;
		rt_setenv(&f->t, "AWS_DEFAULT_REGION", "eu-west-1");
		if (cases[i].override_env)
			rt_setenv(&f->t, cases[i].override_env, cases[i].override);
		if (cases[i].sts_mode)
			rt_setenv(&f->t, "AWS_STS_REGIONAL_ENDPOINTS", cases[i].sts_mode);
		fx_client(f);
		assert_int_equal(tr_aws_client_endpoint(&url, &region, f->c, cases[i].svc), 0);
		assert_string_equal(tr_buf_cstr(&url), cases[i].url);
		assert_string_equal(region, cases[i].region);
		tr_buf_dispose(&url);
		fx_free(f);
	}
}

static void region_precedence(void **state)
{
	fixture *f = fx_new();
	tr_buf url = TR_BUF_INIT(1024);
	const char *region;
	(void)state;

	f->t.nenv = 0;
	f->cfg.region = "ap-south-1";
	fx_client(f);
	assert_string_equal(tr_aws_client_region(f->c), "ap-south-1");
	tr_aws_client_free(f->c);
	rt_setenv(&f->t, "AWS_DEFAULT_REGION", "eu-west-1");
	fx_client(f);
	assert_string_equal(tr_aws_client_region(f->c), "eu-west-1");
	tr_aws_client_free(f->c);
	rt_setenv(&f->t, "AWS_REGION", "us-west-2");
	fx_client(f);
	assert_string_equal(tr_aws_client_region(f->c), "us-west-2");
	tr_aws_client_free(f->c);
	/* No region at all: regional services cannot be called. */
	f->t.nenv = 0;
	f->cfg.region = NULL;
	fx_client(f);
	assert_null(tr_aws_client_region(f->c));
	assert_int_equal(tr_aws_client_endpoint(&url, &region, f->c, TR_AWS_LATTICE), TR_EINVALID);
	tr_buf_dispose(&url);
	fx_free(f);
}

static void service_errors_are_typed(void **state)
{
	static const struct {
		tr_aws_service svc;
		const char *op;
		fake_reply reply;
		int rc;
		const char *code, *message, *request_id;
	} cases[] = {
		{TR_AWS_LATTICE, "GetService",
		 {404, "X-Amzn-ErrorType: ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.mobilelattice/\r\nx-amzn-RequestId: r-404\r\n",
		  "{\"message\":\"Service svc-1 not found\",\"resourceId\":\"svc-1\",\"resourceType\":\"SERVICE\"}", false},
		 TR_ENOTFOUND, "ResourceNotFoundException", "Service svc-1 not found", "r-404"},
		{TR_AWS_LATTICE, "GetService",
		 {409, "", "{\"code\":\"ConflictException\",\"message\":\"busy\"}", false},
		 TR_ECONFLICT, "ConflictException", "busy", ""},
		{TR_AWS_ACM, "DescribeCertificate",
		 {400, "x-amzn-RequestId: r-acm\r\n",
		  "{\"__type\":\"com.amazonaws.certificatemanager#ResourceNotFoundException\",\"message\":\"no cert\"}", false},
		 TR_ENOTFOUND, "ResourceNotFoundException", "no cert", "r-acm"},
		{TR_AWS_IAM, "GetRole",
		 {404, "", "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The role with name x cannot be found.</Message></Error><RequestId>r-iam</RequestId></ErrorResponse>", false},
		 TR_ENOTFOUND, "NoSuchEntity", "The role with name x cannot be found.", "r-iam"},
		{TR_AWS_IAM, "GetRole",
		 {403, "", "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>bad sig</Message></Error><RequestId>r2</RequestId></ErrorResponse>", false},
		 TR_EAUTH, "SignatureDoesNotMatch", "bad sig", "r2"},
		{TR_AWS_ROUTE53, "GetChange",
		 {400, "", "<ErrorResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Error><Type>Sender</Type><Code>InvalidChangeBatch</Code><Messages><Message>Tried to create resource record set x but it already exists</Message></Messages></Error><RequestId>r53</RequestId></ErrorResponse>", false},
		 TR_EINVALID, "InvalidChangeBatch", "Tried to create resource record set x but it already exists", "r53"},
		{TR_AWS_LATTICE, "GetService",
		 {400, "X-Amzn-ErrorType: ValidationException\r\n", "{\"message\":\"bad\\nline\",\"reason\":\"fieldValidationFailed\"}", false},
		 TR_EINVALID, "ValidationException", "bad line", ""},
		{TR_AWS_LATTICE, "GetService",
		 {418, "", "not json", false}, TR_ERROR, "", NULL, ""},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fixture *f = fx_new();
		const char *labels[] = {"/change/C1"};
		tr_aws_call call = {cases[i].svc, cases[i].op, labels, 1, NULL, 0, NULL, 0};
		tr_buf text = TR_BUF_INIT(4096);

		if (cases[i].svc != TR_AWS_LATTICE && cases[i].svc != TR_AWS_ROUTE53)
			call.label_count = 0;
		reset(&cases[i].reply, 1);
		fx_client(f);
		assert_int_equal(tr_aws_client_call(&f->resp, f->c, &call, &f->err), cases[i].rc);
		assert_int_equal(f->err.rc, cases[i].rc);
		assert_int_equal(f->err.kind, TR_AWS_ERR_SERVICE);
		assert_int_equal(f->err.http_status, cases[i].reply.status);
		assert_string_equal(f->err.code, cases[i].code);
		if (cases[i].message)
			assert_string_equal(f->err.message, cases[i].message);
		assert_string_equal(f->err.request_id, cases[i].request_id);
		assert_false(f->err.retryable);
		assert_int_equal(fake_count(&srv), 1); /* not retried */
		assert_int_equal(tr_aws_error_render(&text, &f->err), 0);
		assert_non_null(strstr(tr_buf_cstr(&text), cases[i].op));
		assert_null(strchr(tr_buf_cstr(&text), '\n'));
		tr_buf_dispose(&text);
		fx_free(f);
	}
}

static void retries_transient_errors_with_backoff(void **state)
{
	static const fake_reply script[] = {
		{503, "", "{\"message\":\"unavailable\"}", false},
		{500, "X-Amzn-ErrorType: InternalServerException\r\n", "{}", false},
		{200, "", "{}", false}};
	const char *labels[] = {"svc-1"};
	tr_aws_call call = {TR_AWS_LATTICE, "GetService", labels, 1, NULL, 0, NULL, 0};
	fixture *f = fx_new();
	tr_aws_stats st;
	(void)state;

	reset(script, 3);
	fx_client(f);
	assert_int_equal(tr_aws_client_call(&f->resp, f->c, &call, &f->err), 0);
	assert_int_equal(f->resp.attempts, 3);
	assert_int_equal(fake_count(&srv), 3);
	/* random 0.5 * 1 s, then 0.5 * 2 s. */
	assert_int_equal(f->t.nsleeps, 2);
	assert_int_equal(f->t.sleeps[0], 500);
	assert_int_equal(f->t.sleeps[1], 1000);
	tr_aws_client_stats(f->c, &st);
	assert_int_equal(st.retries, 2);
	assert_int_equal(st.retry_quota_left, 500 - 10 + 5);
	/* One debug line per attempt, without secrets. */
	assert_int_equal(f->t.nlog, 3);
	assert_string_equal(f->t.log[0], "aws: GET vpc-lattice GetService status=503 attempt=1 ms=0");
	assert_string_equal(f->t.log[2], "aws: GET vpc-lattice GetService status=200 attempt=3 ms=0");
	fx_free(f);
}

static void throttling_honours_retry_after_with_a_cap(void **state)
{
	static const fake_reply script[] = {
		{429, "X-Amzn-ErrorType: ThrottlingException\r\nRetry-After: 3\r\n", "{\"message\":\"Rate exceeded\"}", false},
		{429, "X-Amzn-ErrorType: ThrottlingException\r\nRetry-After: 3600\r\n", "{}", false},
		{429, "X-Amzn-ErrorType: ThrottlingException\r\n", "{}", false}};
	const char *labels[] = {"svc-1"};
	tr_aws_call call = {TR_AWS_LATTICE, "GetService", labels, 1, NULL, 0, NULL, 0};
	fixture *f = fx_new();
	tr_buf text = TR_BUF_INIT(1024);
	(void)state;

	reset(script, 3);
	fx_client(f);
	assert_int_equal(tr_aws_client_call(&f->resp, f->c, &call, &f->err), TR_ETHROTTLED);
	assert_true(f->err.throttling);
	assert_true(f->err.retryable);
	assert_int_equal(f->err.attempts, 3);
	assert_int_equal(fake_count(&srv), 3);
	assert_int_equal(f->t.nsleeps, 2);
	assert_int_equal(f->t.sleeps[0], 3000);
	assert_int_equal(f->t.sleeps[1], TR_AWS_MAX_RETRY_AFTER_MS);
	assert_int_equal(tr_aws_error_render(&text, &f->err), 0);
	assert_string_equal(tr_buf_cstr(&text),
			    "vpc-lattice GetService: ThrottlingException (HTTP 429) after 3 attempts");
	tr_buf_dispose(&text);
	fx_free(f);
}

static void retry_budget_stops_retries(void **state)
{
	static const fake_reply script[] = {{503, "", "{}", false}};
	const char *labels[] = {"svc-1"};
	tr_aws_call call = {TR_AWS_LATTICE, "GetService", labels, 1, NULL, 0, NULL, 0};
	fixture *f = fx_new();
	(void)state;

	reset(script, 1);
	f->cfg.retry_quota = 7; /* room for one retry (cost 5) */
	f->cfg.max_attempts = 5;
	fx_client(f);
	assert_int_equal(tr_aws_client_call(&f->resp, f->c, &call, &f->err), TR_ERROR);
	assert_int_equal(fake_count(&srv), 2);
	assert_int_equal(f->err.attempts, 2);
	reset(script, 1);
	assert_int_equal(tr_aws_client_call(&f->resp, f->c, &call, &f->err), TR_ERROR);
	assert_int_equal(fake_count(&srv), 1); /* budget spent: fail fast */
	fx_free(f);
}

static void transport_failures_are_retried_then_reported(void **state)
{
	const char *labels[] = {"svc-1"};
	tr_aws_call call = {TR_AWS_LATTICE, "GetService", labels, 1, NULL, 0, NULL, 0};
	fixture *f = fx_new();
	(void)state;

	/* Port 1 on loopback: nothing listens there. */
	rt_setenv(&f->t, "AWS_ENDPOINT_URL", "http://127.0.0.1:1");
	fx_client(f);
	assert_int_equal(tr_aws_client_call(&f->resp, f->c, &call, &f->err), TR_EIO);
	assert_int_equal(f->err.kind, TR_AWS_ERR_TRANSPORT);
	assert_int_equal(f->err.attempts, 3);
	assert_non_null(f->err.message);
	fx_free(f);
}

static void route53_is_rate_limited(void **state)
{
	static const fake_reply ok[] = {{200, "", "<GetChangeResponse/>", false}};
	const char *labels[] = {"C1"};
	tr_aws_call call = {TR_AWS_ROUTE53, "GetChange", labels, 1, NULL, 0, NULL, 0};
	tr_aws_call lattice = {TR_AWS_LATTICE, "GetService", labels, 1, NULL, 0, NULL, 0};
	fixture *f = fx_new();
	(void)state;

	reset(ok, 1);
	fx_client(f);
	for (int i = 0; i < 6; i++)
		assert_int_equal(tr_aws_client_call(&f->resp, f->c, &call, &f->err), 0);
	/* 5 per second: five 200 ms waits for six calls in frozen time. */
	assert_int_equal(f->t.slept_ms, 1000);
	for (int i = 0; i < 6; i++)
		assert_int_equal(tr_aws_client_call(&f->resp, f->c, &lattice, &f->err), 0);
	assert_int_equal(f->t.slept_ms, 1000); /* Lattice is not limited */
	fx_free(f);
}

static void connections_are_reused(void **state)
{
	static const fake_reply ok[] = {{200, "", "{}", false}};
	const char *labels[] = {"svc-1"};
	tr_aws_call call = {TR_AWS_LATTICE, "GetService", labels, 1, NULL, 0, NULL, 0};
	fixture *f = fx_new();
	int before;
	(void)state;

	reset(ok, 1);
	fx_client(f);
	pthread_mutex_lock(&srv.mu);
	before = srv.connections;
	pthread_mutex_unlock(&srv.mu);
	for (int i = 0; i < 5; i++)
		assert_int_equal(tr_aws_client_call(&f->resp, f->c, &call, &f->err), 0);
	pthread_mutex_lock(&srv.mu);
	assert_int_equal(srv.connections - before, 1);
	pthread_mutex_unlock(&srv.mu);
	fx_free(f);
}

/* Every mutating operation of the table, in dry-run, is refused before it
 * reaches the server; every read still goes through. */
static void dry_run_gate_blocks_every_mutation(void **state)
{
	static const fake_reply ok[] = {{200, "", "{}", false}};
	const char *labels[] = {"a1", "b2", "c3", "d4"};
	size_t count, mutating = 0, reads = 0;
	const tr_aws_op *ops = tr_aws_op_table(&count);
	fixture *f = fx_new();
	tr_aws_stats st;
	(void)state;

	reset(ok, 1);
	f->cfg.dry_run = true;
	fx_client(f);
	for (size_t i = 0; i < count; i++) {
		tr_aws_call call = {ops[i].service, ops[i].name, labels, 0, NULL, 0,
				    "{}", 2};
		size_t before = fake_count(&srv);
		int rc;

		for (const char *p = ops[i].path; (p = strchr(p, '{')) != NULL; p++)
			call.label_count++;
		rc = tr_aws_client_call(&f->resp, f->c, &call, &f->err);
		if (ops[i].mutating) {
			mutating++;
			assert_int_equal(rc, TR_EREFUSED);
			assert_int_equal(f->err.kind, TR_AWS_ERR_REFUSED);
			assert_int_equal(fake_count(&srv), before);
			/* The report says which resource: the path with its
			 * labels, not the operation's template. */
			assert_null(strchr(f->t.refused_path, '{'));
			assert_int_equal(strncmp(f->t.refused_path, ops[i].path,
						 strcspn(ops[i].path, "{")), 0);
			if (call.label_count)
				assert_non_null(strstr(f->t.refused_path, "a1"));
		} else if (!ops[i].unsigned_call) {
			reads++;
			assert_int_equal(rc, 0);
			assert_int_equal(fake_count(&srv), before + 1);
		}
	}
	assert_true(mutating > 40);
	assert_true(reads > 20);
	assert_int_equal(f->t.refused, mutating);
	tr_aws_client_stats(f->c, &st);
	assert_int_equal(st.refused, mutating);
	/* A POST that only reads (ListTargets) is not mistaken for a write. */
	assert_false(tr_aws_op_find(TR_AWS_LATTICE, "ListTargets")->mutating);
	assert_true(tr_aws_op_find(TR_AWS_LATTICE, "TagResource")->mutating);
	fx_free(f);
}

typedef struct pages {
	size_t n;
	char bodies[8][256];
} pages;

static int collect(void *ctx, const tr_aws_response *page)
{
	pages *p = ctx;

	snprintf(p->bodies[p->n++], 256, "%s", tr_buf_cstr(&page->body));
	return 0;
}

static void paginates_every_style(void **state)
{
	static const fake_reply lattice[] = {
		{200, "", "{\"items\":[1],\"nextToken\":\"tok/1+\"}", false},
		{200, "", "{\"items\":[2],\"nextToken\":\"tok2\"}", false},
		{200, "", "{\"items\":[3]}", false}};
	static const fake_reply acm[] = {
		{200, "", "{\"CertificateSummaryList\":[],\"NextToken\":\"n1\"}", false},
		{200, "", "{\"CertificateSummaryList\":[]}", false}};
	static const fake_reply iam[] = {
		{200, "", "<ListRolesResponse><ListRolesResult><Roles/><IsTruncated>true</IsTruncated><Marker>m1</Marker></ListRolesResult></ListRolesResponse>", false},
		{200, "", "<ListRolesResponse><ListRolesResult><Roles/><IsTruncated>false</IsTruncated></ListRolesResult></ListRolesResponse>", false}};
	static const fake_reply r53[] = {
		{200, "", "<ListResourceRecordSetsResponse><ResourceRecordSets/><IsTruncated>true</IsTruncated><NextRecordName>b.example.com.</NextRecordName><NextRecordType>CNAME</NextRecordType><MaxItems>1</MaxItems></ListResourceRecordSetsResponse>", false},
		{200, "", "<ListResourceRecordSetsResponse><ResourceRecordSets/><IsTruncated>false</IsTruncated><MaxItems>1</MaxItems></ListResourceRecordSetsResponse>", false}};
	static const fake_reply loop[] = {{200, "", "{\"items\":[],\"nextToken\":\"same\"}", false}};
	tr_aws_param lq[] = {{"maxResults", "1"}};
	tr_aws_param rq[] = {{"maxitems", "1"}};
	const char *zone[] = {"/hostedzone/Z1"};
	tr_aws_call lc = {TR_AWS_LATTICE, "ListServices", NULL, 0, lq, 1, NULL, 0};
	tr_aws_call ac = {TR_AWS_ACM, "ListCertificates", NULL, 0, NULL, 0,
			  "{\"MaxItems\":1}", 14};
	tr_aws_call ic = {TR_AWS_IAM, "ListRoles", NULL, 0, NULL, 0, NULL, 0};
	tr_aws_call rc = {TR_AWS_ROUTE53, "ListResourceRecordSets", zone, 1, rq, 1, NULL, 0};
	tr_aws_call single = {TR_AWS_LATTICE, "GetService", zone, 1, NULL, 0, NULL, 0};
	fixture *f = fx_new();
	pages p;
	(void)state;

	fx_client(f);
	memset(&p, 0, sizeof(p));
	reset(lattice, 3);
	assert_int_equal(tr_aws_client_paginate(f->c, &lc, collect, &p, &f->err), 0);
	assert_int_equal(p.n, 3);
	assert_string_equal(srv.reqs[0].target, "/services?maxResults=1");
	assert_string_equal(srv.reqs[1].target, "/services?maxResults=1&nextToken=tok%2F1%2B");
	assert_string_equal(srv.reqs[2].target, "/services?maxResults=1&nextToken=tok2");

	memset(&p, 0, sizeof(p));
	reset(acm, 2);
	assert_int_equal(tr_aws_client_paginate(f->c, &ac, collect, &p, &f->err), 0);
	assert_int_equal(p.n, 2);
	assert_string_equal(srv.reqs[1].body, "{\"MaxItems\":1,\"NextToken\":\"n1\"}");

	memset(&p, 0, sizeof(p));
	reset(iam, 2);
	assert_int_equal(tr_aws_client_paginate(f->c, &ic, collect, &p, &f->err), 0);
	assert_int_equal(p.n, 2);
	assert_string_equal(srv.reqs[1].body, "Action=ListRoles&Version=2010-05-08&Marker=m1");

	memset(&p, 0, sizeof(p));
	reset(r53, 2);
	assert_int_equal(tr_aws_client_paginate(f->c, &rc, collect, &p, &f->err), 0);
	assert_int_equal(p.n, 2);
	assert_string_equal(srv.reqs[0].target, "/2013-04-01/hostedzone/Z1/rrset?maxitems=1");
	assert_string_equal(srv.reqs[1].target,
			    "/2013-04-01/hostedzone/Z1/rrset?maxitems=1&name=b.example.com.&type=CNAME");

	memset(&p, 0, sizeof(p));
	reset(loop, 1);
	assert_int_equal(tr_aws_client_paginate(f->c, &lc, collect, &p, &f->err), TR_ECONFLICT);
	assert_int_equal(p.n, 2);

	assert_int_equal(tr_aws_client_paginate(f->c, &single, collect, &p, &f->err), TR_EINVALID);
	fx_free(f);
}

static void xml_parser_refuses_doctype_and_depth(void **state)
{
	const char *ent = "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>";
	const char *ext = "<?xml version=\"1.0\"?><!DOCTYPE a SYSTEM \"http://127.0.0.1:1/x.dtd\"><a/>";
	tr_buf deep = TR_BUF_INIT(1 << 16);
	xmlDoc *doc = NULL;
	char text[8];
	(void)state;

	assert_int_equal(tr_aws_xml_parse(&doc, ent, strlen(ent)), TR_EINVALID);
	assert_int_equal(tr_aws_xml_parse(&doc, ext, strlen(ext)), TR_EINVALID);
	assert_int_equal(tr_aws_xml_parse(&doc, "<a><b>", 6), TR_EINVALID);
	assert_int_equal(tr_aws_xml_parse(&doc, "", 0), TR_EINVALID);
	for (unsigned i = 0; i <= TR_AWS_MAX_XML_DEPTH; i++)
		assert_int_equal(tr_buf_puts(&deep, "<a>"), 0);
	for (unsigned i = 0; i <= TR_AWS_MAX_XML_DEPTH; i++)
		assert_int_equal(tr_buf_puts(&deep, "</a>"), 0);
	assert_int_equal(tr_aws_xml_parse(&doc, deep.ptr, deep.len), TR_ETOOLARGE);
	tr_buf_truncate(&deep, 0);
	for (unsigned i = 0; i < TR_AWS_MAX_XML_DEPTH; i++)
		assert_int_equal(tr_buf_puts(&deep, "<a>"), 0);
	for (unsigned i = 0; i < TR_AWS_MAX_XML_DEPTH; i++)
		assert_int_equal(tr_buf_puts(&deep, "</a>"), 0);
	assert_int_equal(tr_aws_xml_parse(&doc, deep.ptr, deep.len), 0);
	xmlFreeDoc(doc);
	assert_int_equal(tr_aws_xml_parse(&doc, "<r xmlns=\"urn:x\"><A><B>hello world</B></A></r>", 47), 0);
	assert_int_equal(tr_aws_xml_text(text, sizeof(text), xmlDocGetRootElement(doc), "A/B"), TR_ETOOLARGE);
	assert_string_equal(text, "hello w");
	assert_int_equal(tr_aws_xml_text(text, sizeof(text), xmlDocGetRootElement(doc), "A/C"), TR_ENOTFOUND);
	xmlFreeDoc(doc);
	tr_buf_dispose(&deep);
}

/* Found by fuzz_aws_xml: a body libxml2 guesses is UCS-4 but cannot
 * convert made it print "encoding error" to stderr, past XML_PARSE_NOERROR.
 * A reply must never write to the user's terminal. */
static void xml_parser_never_prints(void **state)
{
	static const char ucs4[] = "<\0\0\0\0\0\0\0a\0\0\0";
	FILE *capture = tmpfile();
	xmlDoc *doc = NULL;
	int saved;
	(void)state;

	assert_non_null(capture);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(capture), STDERR_FILENO) >= 0);
	if (tr_aws_xml_parse(&doc, ucs4, sizeof(ucs4) - 1) == 0)
		xmlFreeDoc(doc);
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	assert_int_equal(lseek(fileno(capture), 0, SEEK_END), 0);
	fclose(capture);
}

static void oversized_requests_and_replies_are_refused(void **state)
{
	static fake_reply script[1] = {{200, "", NULL, false}};
	const char *labels[] = {"svc-1"};
	tr_aws_call call = {TR_AWS_LATTICE, "GetService", labels, 1, NULL, 0, NULL, 0};
	fixture *f = fx_new();
	char *big;
	(void)state;

	big = tr_malloc(TR_AWS_MAX_RESPONSE_BYTES + 2);
	memset(big, ' ', TR_AWS_MAX_RESPONSE_BYTES + 1);
	big[TR_AWS_MAX_RESPONSE_BYTES + 1] = '\0';
	fx_client(f);
	/* A request body over its cap never leaves. */
	reset(NULL, 0);
	call.body = big;
	call.body_len = TR_AWS_MAX_REQUEST_BYTES + 1;
	assert_int_equal(tr_aws_client_call(&f->resp, f->c, &call, &f->err), TR_ETOOLARGE);
	assert_int_equal(fake_count(&srv), 0);
	/* A reply over its cap is cut off, reported, and not retried. */
	call.body = NULL;
	call.body_len = 0;
	script[0].body = big;
	reset(script, 1);
	assert_int_equal(tr_aws_client_call(&f->resp, f->c, &call, &f->err), TR_ETOOLARGE);
	assert_int_equal(fake_count(&srv), 1);
	/* One byte less fits. */
	big[TR_AWS_MAX_RESPONSE_BYTES] = '\0';
	assert_int_equal(tr_aws_client_call(&f->resp, f->c, &call, &f->err), 0);
	assert_int_equal(f->resp.body.len, TR_AWS_MAX_RESPONSE_BYTES);
	tr_free(big);
	fx_free(f);
}

static void clock_skew_is_learnt_from_the_reply(void **state)
{
	/* The fake clock says 2015-08-30T12:36:00Z; the server an hour on. */
	static const fake_reply script[] = {
		{403, "X-Amzn-ErrorType: InvalidSignatureException\r\n"
		      "Date: Sun, 30 Aug 2015 13:36:00 GMT\r\n",
		 "{\"message\":\"Signature expired\"}", false},
		{200, "", "{}", false}};
	const char *labels[] = {"svc-1"};
	tr_aws_call call = {TR_AWS_LATTICE, "GetService", labels, 1, NULL, 0, NULL, 0};
	fixture *f = fx_new();
	char date[32];
	(void)state;

	reset(script, 2);
	fx_client(f);
	assert_int_equal(tr_aws_client_call(&f->resp, f->c, &call, &f->err), 0);
	assert_int_equal(fake_count(&srv), 2);
	assert_string_equal(fake_header(&srv.reqs[0], "X-Amz-Date", date, sizeof(date)),
			    "20150830T123600Z");
	assert_string_equal(fake_header(&srv.reqs[1], "X-Amz-Date", date, sizeof(date)),
			    "20150830T133600Z");
	assert_int_equal(f->t.nsleeps, 0); /* no back-off for this */
	/* Later calls keep the correction. */
	assert_int_equal(tr_aws_client_call(&f->resp, f->c, &call, &f->err), 0);
	assert_string_equal(fake_header(&srv.reqs[2], "X-Amz-Date", date, sizeof(date)),
			    "20150830T133600Z");
	/* A signature error with a sane Date is not retried. */
	reset(script, 1);
	tr_aws_client_free(f->c);
	fx_client(f);
	f->t.now_ms += 3600 * 1000 - 60 * 1000;
	assert_int_equal(tr_aws_client_call(&f->resp, f->c, &call, &f->err), TR_EAUTH);
	assert_int_equal(fake_count(&srv), 1);
	fx_free(f);
}

static int flaky_seen;

/* Echoes the request target; "/services/flaky" fails once first. */
static void echo_handler(fake_server *s, const fake_request *r, fake_reply *out)
{
	static char bodies[FAKE_MAX_REQUESTS][256];
	static size_t next;
	char *b = bodies[next++ % FAKE_MAX_REQUESTS];

	(void)s;
	out->headers = "";
	if (strcmp(r->target, "/services/flaky") == 0 && flaky_seen++ == 0) {
		out->status = 503;
		out->body = "{}";
		return;
	}
	snprintf(b, 256, "{\"target\":\"%.200s\"}", r->target);
	out->status = 200;
	out->body = b;
}

static void call_many_runs_reads_concurrently(void **state)
{
	enum { N = 12 };
	char ids[N][32];
	const char *labels[N][1];
	tr_aws_call calls[N];
	tr_aws_response outs[N];
	tr_aws_error errs[N];
	fixture *f = fx_new();
	int before;
	tr_aws_stats st;
	(void)state;

	reset(NULL, 0);
	flaky_seen = 0;
	pthread_mutex_lock(&srv.mu);
	srv.handler = echo_handler;
	before = srv.connections;
	pthread_mutex_unlock(&srv.mu);
	fx_client(f);
	for (int i = 0; i < N; i++) {
		snprintf(ids[i], sizeof(ids[i]), i == 5 ? "flaky" : "svc-%d", i);
		labels[i][0] = ids[i];
		calls[i] = (tr_aws_call){TR_AWS_LATTICE, "GetService", labels[i], 1,
					 NULL, 0, NULL, 0};
		tr_aws_response_init(&outs[i]);
		tr_aws_error_init(&errs[i]);
	}
	/* One write in the batch: refused, never sent; the reads still run. */
	calls[7] = (tr_aws_call){TR_AWS_LATTICE, "DeleteService", labels[7], 1,
				 NULL, 0, NULL, 0};
	assert_int_equal(tr_aws_client_call_many(outs, errs, f->c, calls, N, 4),
			 TR_EREFUSED);
	for (int i = 0; i < N; i++) {
		char want[128];

		if (i == 7) {
			assert_int_equal(errs[i].rc, TR_EREFUSED);
			continue;
		}
		snprintf(want, sizeof(want), "{\"target\":\"/services/%s\"}", ids[i]);
		assert_int_equal(errs[i].rc, 0);
		assert_string_equal(tr_buf_cstr(&outs[i].body), want);
		assert_int_equal(outs[i].attempts, i == 5 ? 2 : 1);
	}
	assert_int_equal(fake_count(&srv), N); /* 11 reads + 1 retry */
	for (size_t i = 0; i < fake_count(&srv); i++)
		assert_null(strstr(srv.reqs[i].target, "/services/svc-7"));
	pthread_mutex_lock(&srv.mu);
	/* Several connections in flight, never more than the bound. */
	assert_true(srv.connections - before > 1);
	assert_true(srv.connections - before <= 4);
	pthread_mutex_unlock(&srv.mu);
	tr_aws_client_stats(f->c, &st);
	assert_int_equal(st.retries, 1);
	assert_int_equal(f->t.nsleeps, 1);
	assert_int_equal(f->t.sleeps[0], 500);
	for (int i = 0; i < N; i++) {
		tr_aws_response_dispose(&outs[i]);
		tr_aws_error_dispose(&errs[i]);
	}
	fx_free(f);
}

static void call_many_keeps_rate_limits_and_the_gate(void **state)
{
	enum { N = 6 };
	const char *labels[] = {"C1"};
	tr_aws_call calls[N];
	tr_aws_response outs[N];
	tr_aws_error errs[N];
	fixture *f = fx_new();
	(void)state;

	reset(NULL, 0);
	pthread_mutex_lock(&srv.mu);
	srv.handler = echo_handler;
	pthread_mutex_unlock(&srv.mu);
	f->cfg.dry_run = true;
	fx_client(f);
	for (int i = 0; i < N; i++) {
		calls[i] = (tr_aws_call){TR_AWS_ROUTE53, "GetChange", labels, 1, NULL,
					 0, NULL, 0};
		tr_aws_response_init(&outs[i]);
		tr_aws_error_init(&errs[i]);
	}
	assert_int_equal(tr_aws_client_call_many(outs, errs, f->c, calls, N, 8), 0);
	/* Route 53's 5/s holds across a batch too (frozen clock). */
	assert_int_equal(f->t.slept_ms, 1000);
	assert_int_equal(fake_count(&srv), N);
	/* In dry-run, writes are refused by the gate as usual. */
	calls[0] = (tr_aws_call){TR_AWS_ROUTE53, "ChangeResourceRecordSets", labels,
				 1, NULL, 0, "<x/>", 4};
	assert_int_equal(tr_aws_client_call_many(outs, errs, f->c, calls, 1, 8),
			 TR_EREFUSED);
	assert_int_equal(errs[0].kind, TR_AWS_ERR_REFUSED);
	assert_int_equal(fake_count(&srv), N);
	for (int i = 0; i < N; i++) {
		tr_aws_response_dispose(&outs[i]);
		tr_aws_error_dispose(&errs[i]);
	}
	fx_free(f);
}

static void proxies_come_from_the_given_environment(void **state)
{
	static const fake_reply ok[] = {{200, "", "{}", false}};
	const char *labels[] = {"svc-1"};
	tr_aws_call call = {TR_AWS_LATTICE, "GetService", labels, 1, NULL, 0, NULL, 0};
	fixture *f = fx_new();
	char host[128];
	(void)state;

	reset(ok, 1);
	/* The fake server plays the proxy for a name that cannot resolve. */
	rt_setenv(&f->t, "AWS_ENDPOINT_URL", "http://vpc-lattice.example.invalid");
	rt_setenv(&f->t, "http_proxy", srv.url);
	fx_client(f);
	assert_int_equal(tr_aws_client_call(&f->resp, f->c, &call, &f->err), 0);
	assert_int_equal(fake_count(&srv), 1);
	assert_string_equal(srv.reqs[0].target, "http://vpc-lattice.example.invalid/services/svc-1");
	assert_string_equal(fake_header(&srv.reqs[0], "Host", host, sizeof(host)),
			    "vpc-lattice.example.invalid");
	tr_aws_client_free(f->c);
	/* NO_PROXY sends it direct (and the name does not resolve). */
	rt_setenv(&f->t, "NO_PROXY", ".example.invalid");
	f->cfg.max_attempts = 1;
	fx_client(f);
	assert_int_equal(tr_aws_client_call(&f->resp, f->c, &call, &f->err), TR_EIO);
	assert_int_equal(fake_count(&srv), 1);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rest_json_call_with_arn_label),
		cmocka_unit_test(rest_json_body_and_query),
		cmocka_unit_test(query_protocol_iam_is_global),
		cmocka_unit_test(json_protocol_acm),
		cmocka_unit_test(rest_xml_route53_strips_id_prefix),
		cmocka_unit_test(bad_calls_are_refused_locally),
		cmocka_unit_test(endpoints_and_regions),
		cmocka_unit_test(region_precedence),
		cmocka_unit_test(service_errors_are_typed),
		cmocka_unit_test(retries_transient_errors_with_backoff),
		cmocka_unit_test(throttling_honours_retry_after_with_a_cap),
		cmocka_unit_test(retry_budget_stops_retries),
		cmocka_unit_test(transport_failures_are_retried_then_reported),
		cmocka_unit_test(clock_skew_is_learnt_from_the_reply),
		cmocka_unit_test(route53_is_rate_limited),
		cmocka_unit_test(connections_are_reused),
		cmocka_unit_test(proxies_come_from_the_given_environment),
		cmocka_unit_test(dry_run_gate_blocks_every_mutation),
		cmocka_unit_test(paginates_every_style),
		cmocka_unit_test(call_many_runs_reads_concurrently),
		cmocka_unit_test(call_many_keeps_rate_limits_and_the_gate),
		cmocka_unit_test(xml_parser_refuses_doctype_and_depth),
		cmocka_unit_test(xml_parser_never_prints),
		cmocka_unit_test(oversized_requests_and_replies_are_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
