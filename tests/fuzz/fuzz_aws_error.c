/*
 * Fuzz target: reading an AWS error reply, for every protocol, as the
 * client does after a non-2xx answer: parse, classify, render.
 *
 * Input layout (no byte is wasted on a format a fuzzer must guess):
 *   byte 0        protocol (mod 4)
 *   byte 1        HTTP status: one of the statuses AWS sends, or, past
 *                 the table, 100 + the byte (any value in 100..355)
 *   line          X-Amzn-ErrorType header ("" means absent)
 *   line          request id header ("" means absent)
 *   rest          the body
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "aws/error.h"
#include "util/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const long STATUSES[] = {400, 403, 404, 409, 429, 500, 502, 503, 504};

/* The next '\n'-terminated field as a NUL-terminated copy (NULL when
 * empty); advances *p past it. */
static char *take_line(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t len = (size_t)((nl ? nl : end) - *p);
	char *s = len ? tr_strndup((const char *)*p, len) : NULL;

	*p = nl ? nl + 1 : end;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	tr_aws_protocol protocol;
	long status;
	char *type, *request_id, *body;
	size_t body_len;
	tr_aws_error err;
	tr_buf out = TR_BUF_INIT(4096);

	if (size < 2)
		return 0;
	protocol = (tr_aws_protocol)(p[0] % 4);
	status = p[1] < sizeof(STATUSES) / sizeof(STATUSES[0])
			 ? STATUSES[p[1]]
			 : 100 + (long)p[1];
	p += 2;
	type = take_line(&p, end);
	request_id = take_line(&p, end);
	/* A copy of exactly the body, so ASan sees any read past it. */
	body_len = (size_t)(end - p);
	body = tr_malloc(body_len ? body_len : 1);
	if (body_len)
		memcpy(body, p, body_len);

	tr_aws_error_init(&err);
	err.service = "fuzz";
	err.operation = "FuzzOperation";
	tr_aws_error_parse(&err, protocol, status, type, request_id, body,
			   body_len);
	tr_aws_error_classify(&err);
	(void)tr_aws_error_code_is_throttling(err.code);
	(void)tr_aws_error_code_is_transient(err.code);
	(void)tr_aws_error_render(&out, &err);

	tr_buf_dispose(&out);
	tr_aws_error_dispose(&err);
	tr_free(body);
	tr_free(request_id);
	tr_free(type);
	return 0;
}
