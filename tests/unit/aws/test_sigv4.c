/*
 * SigV4 against the official test suites (tests/data/sigv4-suite): every v4
 * case of aws-c-auth in both header and pre-signed-query form, and every
 * case of the classic suite; canonical request, string to sign and
 * signature are each compared byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "aws/sigv4.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/limits.h"

#define SUITE_V4 TR_TEST_DATA_DIR "/sigv4-suite/aws-c-auth/aws-signing-test-suite/v4"
#define SUITE_CLASSIC TR_TEST_DATA_DIR "/sigv4-suite/botocore/aws4_testsuite"
#define SUITE_TIME 1440938160 /* 2015-08-30T12:36:00Z */

static int read_file(tr_buf *out, const char *path)
{
	FILE *f = fopen(path, "rb");
	char chunk[4096];
	size_t n;
	int error = 0;

	if (!f)
		return TR_ENOTFOUND;
	while (error == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		error = tr_buf_put(out, chunk, n);
	fclose(f);
	return error;
}

/* A request parsed from the suite's raw HTTP text. */
typedef struct parsed {
	char *method;
	char *path;
	char *query;
	tr_sigv4_header headers[32];
	size_t header_count;
	char *body;
	size_t body_len;
} parsed;

static void parsed_dispose(parsed *p)
{
	tr_free(p->method);
	tr_free(p->path);
	tr_free(p->query);
	for (size_t i = 0; i < p->header_count; i++) {
		tr_free((char *)p->headers[i].name);
		tr_free((char *)p->headers[i].value);
	}
	tr_free(p->body);
	memset(p, 0, sizeof(*p));
}

static void parse_request(parsed *out, const char *text)
{
	const char *eol = strchr(text, '\n');
	const char *line_end = eol ? eol : text + strlen(text);
	const char *sp = memchr(text, ' ', (size_t)(line_end - text));
	const char *uri, *uri_end, *q, *p;

	memset(out, 0, sizeof(*out));
	assert_non_null(sp);
	out->method = tr_strndup(text, (size_t)(sp - text));
	/* The URI may hold a raw space (get-space): it ends at " HTTP/". */
	uri = sp + 1;
	uri_end = line_end;
	for (const char *s = line_end; s > uri; s--)
		if (strncmp(s, " HTTP/", 6) == 0) {
			uri_end = s;
			break;
		}
	q = memchr(uri, '?', (size_t)(uri_end - uri));
	out->path = tr_strndup(uri, (size_t)((q ? q : uri_end) - uri));
	out->query = q ? tr_strndup(q + 1, (size_t)(uri_end - q - 1))
		       : tr_strdup("");
	p = eol ? eol + 1 : line_end;
	while (*p && *p != '\n') {
		const char *end = strchr(p, '\n');
		const char *colon;
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if ((*p == ' ' || *p == '\t') && out->header_count) {
			/* A folded line continues the previous value. */
			tr_sigv4_header *h = &out->headers[out->header_count - 1];
			tr_buf v = TR_BUF_INIT(1 << 16);
			assert_int_equal(tr_buf_printf(&v, "%s\n", h->value), 0);
			assert_int_equal(tr_buf_put(&v, p, len), 0);
			tr_free((char *)h->value);
			h->value = tr_buf_detach(&v);
		} else {
			colon = memchr(p, ':', len);
			assert_non_null(colon);
			assert_true(out->header_count < 32);
			out->headers[out->header_count].name =
				tr_strndup(p, (size_t)(colon - p));
			out->headers[out->header_count].value = tr_strndup(
				colon + 1, len - (size_t)(colon + 1 - p));
			out->header_count++;
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	if (*p == '\n')
		p++;
	out->body_len = strlen(p);
	out->body = tr_strdup(p);
}

static bool same(const char *what, const char *name, const char *want,
		 const char *got)
{
	if (strcmp(want, got) == 0)
		return true;
	print_message("%s: %s differs\n--- want\n%s\n--- got\n%s\n", name,
		      what, want, got);
	return false;
}

static void trim_newline(tr_buf *b)
{
	while (b->len && (b->ptr[b->len - 1] == '\n' ||
			  b->ptr[b->len - 1] == '\r'))
		tr_buf_truncate(b, b->len - 1);
}

static bool case_file(tr_buf *out, const char *dir, const char *name,
		      const char *file)
{
	char path[2 * TR_MAX_PATH_BYTES];

	tr_buf_clear(out);
	snprintf(path, sizeof(path), "%s/%s/%s", dir, name, file);
	if (read_file(out, path) != 0)
		return false;
	return true;
}

static bool run_v4_case(const char *name, bool presign)
{
	tr_buf ctx = TR_BUF_INIT(1 << 16), req = TR_BUF_INIT(1 << 16);
	tr_buf want = TR_BUF_INIT(1 << 16);
	tr_sigv4_result res;
	tr_sigv4_params params = {0};
	parsed pr;
	cJSON *json, *creds, *item;
	bool ok = true;
	const char *mode = presign ? "query" : "header";
	char file[64];

	tr_sigv4_result_init(&res);
	assert_true(case_file(&ctx, SUITE_V4, name, "context.json"));
	assert_true(case_file(&req, SUITE_V4, name, "request.txt"));
	json = cJSON_Parse(tr_buf_cstr(&ctx));
	assert_non_null(json);
	creds = cJSON_GetObjectItemCaseSensitive(json, "credentials");
	params.access_key_id = cJSON_GetObjectItemCaseSensitive(creds, "access_key_id")->valuestring;
	params.secret_access_key = cJSON_GetObjectItemCaseSensitive(creds, "secret_access_key")->valuestring;
	item = cJSON_GetObjectItemCaseSensitive(creds, "token");
	params.session_token = cJSON_IsString(item) ? item->valuestring : NULL;
	params.region = cJSON_GetObjectItemCaseSensitive(json, "region")->valuestring;
	params.service = cJSON_GetObjectItemCaseSensitive(json, "service")->valuestring;
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(json, "timestamp")->valuestring,
			    "2015-08-30T12:36:00Z");
	params.time = SUITE_TIME;
	params.normalize_path = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(json, "normalize"));
	params.sign_body = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(json, "sign_body"));
	params.omit_session_token = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(json, "omit_session_token"));
	item = cJSON_GetObjectItemCaseSensitive(json, "expiration_in_seconds");
	params.expires_in = cJSON_IsNumber(item) ? (int64_t)item->valuedouble : 0;

	parse_request(&pr, tr_buf_cstr(&req));
	{
		tr_sigv4_request r = {pr.method, pr.path, pr.query, pr.headers,
				      pr.header_count, pr.body, pr.body_len};
		assert_int_equal(presign ? tr_sigv4_presign(&res, &r, &params)
					 : tr_sigv4_sign(&res, &r, &params),
				 0);
	}
	snprintf(file, sizeof(file), "%s-canonical-request.txt", mode);
	assert_true(case_file(&want, SUITE_V4, name, file));
	ok &= same(file, name, tr_buf_cstr(&want), tr_buf_cstr(&res.canonical_request));
	snprintf(file, sizeof(file), "%s-string-to-sign.txt", mode);
	assert_true(case_file(&want, SUITE_V4, name, file));
	ok &= same(file, name, tr_buf_cstr(&want), tr_buf_cstr(&res.string_to_sign));
	snprintf(file, sizeof(file), "%s-signature.txt", mode);
	assert_true(case_file(&want, SUITE_V4, name, file));
	trim_newline(&want);
	ok &= same(file, name, tr_buf_cstr(&want), res.signature);
	if (presign) {
		/* The pre-signed URL carries the signature it was made with. */
		tr_buf sig = TR_BUF_INIT(128);
		assert_int_equal(tr_buf_printf(&sig, "X-Amz-Signature=%s", res.signature), 0);
		ok &= strstr(tr_buf_cstr(&res.query), tr_buf_cstr(&sig)) != NULL;
		tr_buf_dispose(&sig);
	}

	parsed_dispose(&pr);
	cJSON_Delete(json);
	tr_sigv4_result_dispose(&res);
	tr_buf_dispose(&ctx);
	tr_buf_dispose(&req);
	tr_buf_dispose(&want);
	return ok;
}

static size_t list_cases(char names[][256], size_t max, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		char path[2 * TR_MAX_PATH_BYTES];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		assert_true(n < max);
		snprintf(names[n++], 256, "%s", e->d_name);
	}
	closedir(d);
	return n;
}

static void aws_c_auth_v4_suite(void **state)
{
	char names[64][256];
	size_t n = list_cases(names, 64, SUITE_V4);
	size_t failed = 0;
	(void)state;

	assert_int_equal(n, 38);
	for (size_t i = 0; i < n; i++) {
		if (!run_v4_case(names[i], false))
			failed++;
		if (!run_v4_case(names[i], true))
			failed++;
	}
	assert_int_equal(failed, 0);
}

/* Classic suite: <dir>/<case>/<case>.{req,creq,sts,authz}, with two nested
 * groups. Every request carries its own X-Amz-Date (and token, when one is
 * signed), so no session token is passed to the signer. */
static bool run_classic_case(const char *dir, const char *name)
{
	tr_buf req = TR_BUF_INIT(1 << 16), want = TR_BUF_INIT(1 << 16);
	tr_sigv4_result res;
	tr_sigv4_params params = {0};
	parsed pr;
	char file[256];
	bool ok = true;

	tr_sigv4_result_init(&res);
	snprintf(file, sizeof(file), "%s.req", name);
	assert_true(case_file(&req, dir, name, file));
	params.access_key_id = "AKIDEXAMPLE";
	params.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
	params.region = "us-east-1";
	params.service = "service";
	params.time = SUITE_TIME;
	params.normalize_path = true;
	/* The one case whose .req leaves the token for the signer to add. */
	if (strcmp(name, "get-vanilla-with-session-token") == 0)
		params.session_token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
	parse_request(&pr, tr_buf_cstr(&req));
	{
		tr_sigv4_request r = {pr.method, pr.path, pr.query, pr.headers,
				      pr.header_count, pr.body, pr.body_len};
		assert_int_equal(tr_sigv4_sign(&res, &r, &params), 0);
	}
	snprintf(file, sizeof(file), "%s.creq", name);
	assert_true(case_file(&want, dir, name, file));
	ok &= same(file, name, tr_buf_cstr(&want), tr_buf_cstr(&res.canonical_request));
	snprintf(file, sizeof(file), "%s.sts", name);
	assert_true(case_file(&want, dir, name, file));
	ok &= same(file, name, tr_buf_cstr(&want), tr_buf_cstr(&res.string_to_sign));
	snprintf(file, sizeof(file), "%s.authz", name);
	assert_true(case_file(&want, dir, name, file));
	trim_newline(&want);
	ok &= same(file, name, tr_buf_cstr(&want), tr_buf_cstr(&res.authorization));
	parsed_dispose(&pr);
	tr_sigv4_result_dispose(&res);
	tr_buf_dispose(&req);
	tr_buf_dispose(&want);
	return ok;
}

static void classic_suite(void **state)
{
	static const char *const groups[] = {"", "/normalize-path", "/post-sts-token"};
	size_t total = 0, failed = 0;
	(void)state;

	for (size_t g = 0; g < 3; g++) {
		char dir[TR_MAX_PATH_BYTES], names[64][256];
		size_t n;

		snprintf(dir, sizeof(dir), "%s%s", SUITE_CLASSIC, groups[g]);
		n = list_cases(names, 64, dir);
		for (size_t i = 0; i < n; i++) {
			char probe[3 * TR_MAX_PATH_BYTES];
			struct stat st;

			snprintf(probe, sizeof(probe), "%s/%s/%s.req", dir,
				 names[i], names[i]);
			if (stat(probe, &st) != 0)
				continue; /* a group folder, walked separately */
			total++;
			if (!run_classic_case(dir, names[i]))
				failed++;
		}
	}
	assert_int_equal(total, 34);
	assert_int_equal(failed, 0);
}

/* Lattice paths carry ARNs already encoded once; SigV4 encodes them again. */
static void arn_path_is_encoded_twice(void **state)
{
	tr_sigv4_header h[] = {{"Host", "127.0.0.1:4566"}};
	tr_sigv4_request r = {"GET", "/tags/arn%3Aaws%3Avpc-lattice%3Aus-west-2%3A111122223333%3Aservice%2Fsvc-0123456789abcdef0",
			      "maxResults=10&nextToken=a%2Bb%3D", h, 1, NULL, 0};
	tr_sigv4_params p = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
			     "TOKEN-VALUE", "us-west-2", "vpc-lattice", SUITE_TIME,
			     false, false, false, 0};
	tr_sigv4_result res;
	(void)state;

	tr_sigv4_result_init(&res);
	assert_int_equal(tr_sigv4_sign(&res, &r, &p), 0);
	assert_string_equal(tr_buf_cstr(&res.canonical_request),
		"GET\n"
		"/tags/arn%253Aaws%253Avpc-lattice%253Aus-west-2%253A111122223333%253Aservice%252Fsvc-0123456789abcdef0\n"
		"maxResults=10&nextToken=a%2Bb%3D\n"
		"host:127.0.0.1:4566\n"
		"x-amz-date:20150830T123600Z\n"
		"x-amz-security-token:TOKEN-VALUE\n"
		"\n"
		"host;x-amz-date;x-amz-security-token\n"
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_true(strstr(tr_buf_cstr(&res.authorization),
			   "Credential=AKIDEXAMPLE/20150830/us-west-2/vpc-lattice/aws4_request, "
			   "SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=") != NULL);
	/* The secret never appears in anything the signer returns. */
	assert_null(strstr(tr_buf_cstr(&res.authorization), p.secret_access_key));
	assert_null(strstr(tr_buf_cstr(&res.canonical_request), p.secret_access_key));
	tr_sigv4_result_dispose(&res);
}

static void transport_headers_are_not_signed(void **state)
{
	tr_sigv4_header h[] = {{"Host", "h"}, {"User-Agent", "trellis/0.1"},
			       {"Expect", ""}, {"Content-Type", "application/json"},
			       {"X-Amz-Target", "CertificateManager.ListCertificates"}};
	tr_sigv4_request r = {"POST", "/", NULL, h, 5, "{}", 2};
	tr_sigv4_params p = {"AKID", "SECRETSECRET", NULL, "us-east-1", "acm",
			     SUITE_TIME, false, false, false, 0};
	tr_sigv4_result res;
	(void)state;

	tr_sigv4_result_init(&res);
	assert_int_equal(tr_sigv4_sign(&res, &r, &p), 0);
	assert_string_equal(tr_buf_cstr(&res.signed_headers),
			    "content-type;host;x-amz-date;x-amz-target");
	tr_sigv4_result_dispose(&res);
}

static void rejects_bad_input_and_respects_caps(void **state)
{
	tr_sigv4_header h[] = {{"Host", "h"}};
	tr_sigv4_request r = {"GET", "/", NULL, h, 1, NULL, 0};
	tr_sigv4_params p = {"AKID", "", NULL, "us-east-1", "svc", SUITE_TIME,
			     false, false, false, 0};
	tr_sigv4_result res;
	tr_buf q = TR_BUF_INIT(1 << 16);
	(void)state;

	tr_sigv4_result_init(&res);
	assert_int_equal(tr_sigv4_sign(&res, &r, &p), TR_EINVALID);
	p.secret_access_key = "SECRET";
	for (unsigned i = 0; i <= TR_AWS_MAX_QUERY_PARAMS; i++)
		assert_int_equal(tr_buf_printf(&q, "%sk%u=v", i ? "&" : "", i), 0);
	r.query = tr_buf_cstr(&q);
	assert_int_equal(tr_sigv4_sign(&res, &r, &p), TR_ETOOLARGE);
	tr_buf_truncate(&q, (size_t)(strrchr(q.ptr, '&') - q.ptr));
	assert_int_equal(tr_sigv4_sign(&res, &r, &p), 0);
	tr_sigv4_result_dispose(&res);
	tr_buf_dispose(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(aws_c_auth_v4_suite),
		cmocka_unit_test(classic_suite),
		cmocka_unit_test(arn_path_is_encoded_twice),
		cmocka_unit_test(transport_headers_are_not_signed),
		cmocka_unit_test(rejects_bad_input_and_respects_caps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
