/*
 * Everything in src/aws/ that reads outside input, fed seeded garbage and
 * mutated samples: error replies of each protocol, XML, the shared config
 * files, and requests to sign. Nothing may crash, leak or read out of
 * bounds (the sanitizers watch); results just have to be 0 or a TR_E* code.
 * A stand-in until the fuzz harnesses exist; the seed makes it exact.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "aws/error.h"
#include "aws/profile.h"
#include "aws/sigv4.h"
#include "aws/xml.h"
#include "util/alloc.h"

#define ROUNDS 3000

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static const char *const samples[] = {
	"<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type>"
	"<Code>NoSuchEntity</Code><Message>m</Message></Error><RequestId>r</RequestId></ErrorResponse>",
	"<ErrorResponse><Error><Code>InvalidChangeBatch</Code><Messages><Message>a</Message>"
	"</Messages></Error></ErrorResponse>",
	"{\"__type\":\"com.amazonaws#ValidationException\",\"message\":\"bad\",\"fieldList\":[]}",
	"{\"code\":\"x\",\"Message\":\"y\"}",
	"[default]\naws_access_key_id = A\naws_secret_access_key = B\n[profile p]\nrole_arn = r\n",
	"<a><b><c>text</c></b></a>",
};

/* A sample with a few bytes flipped, cut or repeated; or pure noise. */
static size_t make_input(char *buf, size_t cap)
{
	size_t len;

	if (next() % 4 == 0) {
		len = (size_t)(next() % cap);
		for (size_t i = 0; i < len; i++)
			buf[i] = (char)next();
		return len;
	}
	{
		const char *s = samples[next() % (sizeof(samples) / sizeof(samples[0]))];
		len = strlen(s);
		memcpy(buf, s, len);
	}
	for (unsigned k = (unsigned)(next() % 6); k > 0 && len; k--) {
		size_t at = (size_t)(next() % len);
		switch (next() % 3) {
		case 0:
			buf[at] = (char)next();
			break;
		case 1:
			len = at;
			break;
		default:
			if (len + 8 < cap) {
				memmove(buf + at + 8, buf + at, len - at);
				memcpy(buf + at, "<x>&amp;", 8);
				len += 8;
			}
			break;
		}
	}
	return len;
}

static void parsers_survive_garbage(void **state)
{
	char *buf = tr_malloc(4096);
	(void)state;

	for (int round = 0; round < ROUNDS; round++) {
		size_t len = make_input(buf, 4096);
		char *copy = tr_strndup(buf, len); /* NUL-terminated view */
		tr_aws_error e;
		tr_aws_profiles p;
		xmlDoc *doc = NULL;
		int rc;

		for (int proto = TR_AWS_REST_JSON; proto <= TR_AWS_QUERY; proto++) {
			tr_aws_error_init(&e);
			tr_aws_error_parse(&e, (tr_aws_protocol)proto, 400,
					   (round & 1) ? copy : NULL, copy, buf, len);
			tr_aws_error_classify(&e);
			assert_true(e.rc <= 0);
			assert_true(strlen(e.code) < sizeof(e.code));
			tr_aws_error_dispose(&e);
		}
		rc = tr_aws_xml_parse(&doc, buf, len);
		assert_true(rc == 0 || rc == TR_EINVALID || rc == TR_ETOOLARGE);
		if (doc) {
			char text[64];
			(void)tr_aws_xml_text(text, sizeof(text), xmlDocGetRootElement(doc), "Error/Code");
			xmlFreeDoc(doc);
		}
		tr_aws_profiles_init(&p);
		rc = tr_aws_profiles_parse(&p, buf, len, round & 1);
		assert_true(rc == 0 || rc == TR_ETOOLARGE);
		(void)tr_aws_profiles_get(&p, "default", "region");
		tr_aws_profiles_dispose(&p);
		tr_free(copy);
	}
	tr_free(buf);
}

static void signer_survives_garbage(void **state)
{
	tr_sigv4_result res;
	(void)state;

	tr_sigv4_result_init(&res);
	for (int round = 0; round < ROUNDS; round++) {
		char path[256], query[256], value[256];
		tr_sigv4_header h[2] = {{"Host", "h"}, {"X-Test", value}};
		tr_sigv4_params p = {"AKID", "SECRET", (round & 1) ? "TOKEN" : NULL,
				     "us-east-1", "svc", (int64_t)(next() % 4000000000u),
				     (round & 2) != 0, (round & 4) != 0, false, 900};
		tr_sigv4_request r = {"GET", path, query, h, 2, query, 0};
		int rc;

		for (size_t i = 0; i < 255; i++) {
			path[i] = (char)(next() % 255 + 1);
			query[i] = "a=b&%%2Fz= +"[next() % 12];
			value[i] = (char)(next() % 255 + 1);
		}
		path[next() % 256 % 255] = '\0';
		path[255] = query[255] = value[255] = '\0';
		query[next() % 255] = '\0';
		value[next() % 255] = '\0';
		r.body_len = next() % 8;
		rc = (round & 8) ? tr_sigv4_presign(&res, &r, &p) : tr_sigv4_sign(&res, &r, &p);
		assert_true(rc == 0 || rc == TR_ETOOLARGE);
		if (rc == 0)
			assert_int_equal(strlen(res.signature), 64);
	}
	tr_sigv4_result_dispose(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parsers_survive_garbage),
		cmocka_unit_test(signer_survives_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
