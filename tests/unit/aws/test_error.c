/*
 * Error replies of every protocol become the same typed value, classified
 * as the SDKs' "standard" retry mode does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "aws/error.h"

static void replies_are_parsed_and_classified(void **state)
{
	static const struct {
		tr_aws_protocol proto;
		long status;
		const char *type_header, *body;
		const char *code;
		int rc;
		bool retryable, throttling;
	} cases[] = {
		/* rest-json: header first (suffix cut), then body fields */
		{TR_AWS_REST_JSON, 429, "ThrottlingException:http://internal/", "{}", "ThrottlingException", TR_ETHROTTLED, true, true},
		{TR_AWS_REST_JSON, 404, NULL, "{\"__type\":\"aws#ResourceNotFoundException\"}", "ResourceNotFoundException", TR_ENOTFOUND, false, false},
		{TR_AWS_REST_JSON, 402, "ServiceQuotaExceededException", "{}", "ServiceQuotaExceededException", TR_ERROR, false, false},
		{TR_AWS_REST_JSON, 500, "InternalServerException", "{}", "InternalServerException", TR_ERROR, true, false},
		{TR_AWS_REST_JSON, 403, "AccessDeniedException", "{}", "AccessDeniedException", TR_EAUTH, false, false},
		{TR_AWS_REST_JSON, 503, NULL, "<html>busy</html>", "", TR_ERROR, true, false},
		/* json 1.1 */
		{TR_AWS_JSON_1_1, 400, NULL, "{\"__type\":\"com.amazonaws.acm#LimitExceededException\",\"message\":\"m\"}", "LimitExceededException", TR_ETHROTTLED, true, true},
		{TR_AWS_JSON_1_1, 400, NULL, "{\"__type\":\"InvalidArnException\"}", "InvalidArnException", TR_EINVALID, false, false},
		{TR_AWS_JSON_1_1, 400, NULL, "{\"__type\":\"RequestInProgressException\"}", "RequestInProgressException", TR_ERROR, false, false},
		/* query */
		{TR_AWS_QUERY, 409, NULL, "<ErrorResponse><Error><Code>EntityAlreadyExists</Code></Error></ErrorResponse>", "EntityAlreadyExists", TR_ECONFLICT, false, false},
		{TR_AWS_QUERY, 400, NULL, "<ErrorResponse><Error><Code>Throttling</Code></Error></ErrorResponse>", "Throttling", TR_ETHROTTLED, true, true},
		{TR_AWS_QUERY, 400, NULL, "<ErrorResponse><Error><Code>IDPCommunicationError</Code></Error></ErrorResponse>", "IDPCommunicationError", TR_ERROR, true, false},
		{TR_AWS_QUERY, 400, NULL, "<ErrorResponse><Error><Code>ExpiredToken</Code></Error></ErrorResponse>", "ExpiredToken", TR_EAUTH, false, false},
		{TR_AWS_QUERY, 500, NULL, "<ErrorResponse><Error><Code>ServiceFailure</Code></Error></ErrorResponse>", "ServiceFailure", TR_ERROR, true, false},
		/* rest-xml */
		{TR_AWS_REST_XML, 400, NULL, "<ErrorResponse><Error><Code>PriorRequestNotComplete</Code></Error></ErrorResponse>", "PriorRequestNotComplete", TR_ETHROTTLED, true, true},
		{TR_AWS_REST_XML, 404, NULL, "<ErrorResponse><Error><Code>NoSuchHostedZone</Code></Error></ErrorResponse>", "NoSuchHostedZone", TR_ENOTFOUND, false, false},
		{TR_AWS_REST_XML, 400, NULL, "<Error><Code>InvalidInput</Code></Error>", "InvalidInput", TR_EINVALID, false, false},
		{TR_AWS_REST_XML, 502, NULL, "not xml", "", TR_ERROR, true, false},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tr_aws_error e;

		tr_aws_error_init(&e);
		tr_aws_error_parse(&e, cases[i].proto, cases[i].status,
				   cases[i].type_header, NULL, cases[i].body,
				   strlen(cases[i].body));
		tr_aws_error_classify(&e);
		if (strcmp(e.code, cases[i].code) || e.rc != cases[i].rc ||
		    e.retryable != cases[i].retryable ||
		    e.throttling != cases[i].throttling)
			fail_msg("case %zu: code %s rc %d retryable %d throttling %d",
				 i, e.code, e.rc, e.retryable, e.throttling);
		assert_int_equal(e.kind, TR_AWS_ERR_SERVICE);
		assert_int_equal(e.http_status, cases[i].status);
		tr_aws_error_dispose(&e);
	}
}

static void every_kind_renders_on_one_line(void **state)
{
	tr_aws_error e;
	tr_buf b = TR_BUF_INIT(1024);
	(void)state;

	tr_aws_error_init(&e);
	e.service = "iam";
	e.operation = "GetRole";
	{
		const char *body = "<ErrorResponse><Error><Code>NoSuchEntity</Code>"
				   "<Message>no\nrole</Message></Error>"
				   "<RequestId>rid-1</RequestId></ErrorResponse>";
		tr_aws_error_parse(&e, TR_AWS_QUERY, 404, NULL, NULL, body,
				   strlen(body));
	}
	tr_aws_error_classify(&e);
	assert_int_equal(tr_aws_error_render(&b, &e), 0);
	assert_string_equal(tr_buf_cstr(&b),
			    "iam GetRole: NoSuchEntity (HTTP 404): no role [request id rid-1]");
	tr_buf_clear(&b);
	tr_aws_error_dispose(&e);
	e.service = "vpc-lattice";
	e.operation = "DeleteService";
	e.kind = TR_AWS_ERR_REFUSED;
	assert_int_equal(tr_aws_error_render(&b, &e), 0);
	assert_string_equal(tr_buf_cstr(&b), "vpc-lattice DeleteService: refused: dry-run");
	tr_buf_clear(&b);
	e.kind = TR_AWS_ERR_TRANSPORT;
	e.attempts = 3;
	tr_aws_error_set_message(&e, "Couldn't connect to server", 26);
	assert_int_equal(tr_aws_error_render(&b, &e), 0);
	assert_string_equal(tr_buf_cstr(&b),
			    "vpc-lattice DeleteService: request failed: Couldn't connect to server after 3 attempts");
	tr_aws_error_dispose(&e);
	tr_buf_dispose(&b);
}

/* A reply that could not be read has no status to show, and a redirect
 * says why it ended there. */
static void unreadable_replies_and_redirects_render_plainly(void **state)
{
	tr_aws_error e;
	tr_buf b = TR_BUF_INIT(1024);
	(void)state;

	tr_aws_error_init(&e);
	e.service = "sts";
	e.operation = "GetCallerIdentity";
	e.kind = TR_AWS_ERR_SERVICE;
	tr_aws_error_set_message(&e, "unreadable reply", 16);
	assert_int_equal(tr_aws_error_render(&b, &e), 0);
	assert_string_equal(tr_buf_cstr(&b),
			    "sts GetCallerIdentity: bad reply: unreadable reply");
	tr_buf_clear(&b);
	tr_aws_error_dispose(&e);

	tr_aws_error_init(&e);
	e.service = "vpc-lattice";
	e.operation = "ListServices";
	tr_aws_error_parse(&e, TR_AWS_REST_JSON, 307, NULL, "rid-2", "", 0);
	tr_aws_error_classify(&e);
	assert_int_equal(tr_aws_error_render(&b, &e), 0);
	assert_string_equal(tr_buf_cstr(&b),
			    "vpc-lattice ListServices: error (HTTP 307): the "
			    "endpoint answered with a redirect, which trellis "
			    "never follows [request id rid-2]");
	tr_aws_error_dispose(&e);
	tr_buf_dispose(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(replies_are_parsed_and_classified),
		cmocka_unit_test(every_kind_renders_on_one_line),
		cmocka_unit_test(unreadable_replies_and_redirects_render_plainly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
