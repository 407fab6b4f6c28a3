/*
 * One typed value for everything that can go wrong with an AWS call: a
 * service error reply, a transport failure, a refusal by the dry-run gate or
 * missing credentials. Built from the reply of whichever protocol the
 * service speaks; never holds a secret (messages are scrubbed by the client
 * before they are stored).
 */
#ifndef TR_AWS_ERROR_H
#define TR_AWS_ERROR_H

#include <stdbool.h>
#include <stdint.h>

#include "aws/service.h"
#include "util/buf.h"
#include "util/errors.h"

typedef enum tr_aws_error_kind {
	TR_AWS_ERR_NONE = 0,
	TR_AWS_ERR_SERVICE,   /* the service answered with an error */
	TR_AWS_ERR_TRANSPORT, /* no usable reply: DNS, connect, TLS, time-out */
	TR_AWS_ERR_REFUSED,   /* dry-run gate */
	TR_AWS_ERR_CREDENTIALS,
	TR_AWS_ERR_CLIENT     /* bad call: unknown operation, caps */
} tr_aws_error_kind;

typedef struct tr_aws_error {
	tr_aws_error_kind kind;
	int rc;                 /* the TR_E* code the call returned */
	const char *service;    /* static strings from the service table */
	const char *operation;
	long http_status;       /* 0 without a reply */
	char code[128];         /* "ThrottlingException", "NoSuchEntity" */
	char request_id[128];
	char *message;          /* owned; capped at TR_AWS_MAX_ERROR_TEXT_BYTES */
	bool retryable;
	bool throttling;
	int64_t retry_after_ms; /* from Retry-After, -1 when absent */
	unsigned attempts;      /* how many times the request was sent */
} tr_aws_error;

void tr_aws_error_init(tr_aws_error *err);
void tr_aws_error_dispose(tr_aws_error *err);
/* Back to the empty state (keeps nothing). */
void tr_aws_error_clear(tr_aws_error *err);

void tr_aws_error_set_message(tr_aws_error *err, const char *msg, size_t len);

/* Reads code, message and request id from an error reply of `protocol`.
 * Headers used: X-Amzn-ErrorType, X-Amzn-RequestId / x-amz-request-id
 * (pass NULL when absent). Fills what it finds; never fails. */
void tr_aws_error_parse(tr_aws_error *err, tr_aws_protocol protocol,
			long http_status, const char *error_type_header,
			const char *request_id_header, const char *body,
			size_t body_len);

/* Sets retryable/throttling from status and code (SDK "standard" mode) and
 * rc from the code: TR_ENOTFOUND, TR_ECONFLICT, TR_EAUTH, TR_ETHROTTLED,
 * TR_EINVALID or TR_ERROR. */
void tr_aws_error_classify(tr_aws_error *err);

bool tr_aws_error_code_is_throttling(const char *code);
bool tr_aws_error_code_is_transient(const char *code);

/* One line: "vpc-lattice GetService: ResourceNotFoundException (HTTP 404):
 * message [request id ...]". */
int tr_aws_error_render(tr_buf *out, const tr_aws_error *err);

#endif
