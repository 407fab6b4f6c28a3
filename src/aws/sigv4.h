/*
 * AWS Signature Version 4 (AWS4-HMAC-SHA256) for every service trellis calls.
 *
 * The request is described as it will go on the wire: the path exactly as
 * sent (already percent-encoded), the raw query string, and every header the
 * caller wants signed. The signer adds what SigV4 itself needs (x-amz-date,
 * x-amz-security-token, optionally x-amz-content-sha256) to the canonical
 * form and reports the values so the transport sends the same bytes.
 *
 * Non-S3 rules throughout: the path is percent-encoded a second time, so
 * "/tags/arn%3Aaws..." is signed as "/tags/arn%253Aaws...".
 */
#ifndef TR_AWS_SIGV4_H
#define TR_AWS_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/errors.h"

typedef struct tr_sigv4_header {
	const char *name;
	const char *value;
} tr_sigv4_header;

typedef struct tr_sigv4_request {
	const char *method;
	const char *path;   /* as sent; "" means "/" */
	const char *query;  /* without '?'; NULL or "" when none */
	const tr_sigv4_header *headers; /* must include Host */
	size_t header_count;
	const void *body;
	size_t body_len;
} tr_sigv4_request;

typedef struct tr_sigv4_params {
	const char *access_key_id;
	const char *secret_access_key;
	const char *session_token; /* NULL for long-term keys */
	const char *region;
	const char *service;
	int64_t time;             /* seconds since the epoch, UTC */
	bool normalize_path;      /* drop "." and ".." segments and empty ones */
	bool sign_body;           /* add and sign x-amz-content-sha256 */
	bool omit_session_token;  /* token sent but not signed (suite cases) */
	int64_t expires_in;       /* pre-signed URLs: X-Amz-Expires seconds */
} tr_sigv4_params;

typedef struct tr_sigv4_result {
	tr_buf canonical_request;
	tr_buf string_to_sign;
	tr_buf signed_headers;     /* "host;x-amz-date" */
	tr_buf authorization;      /* header mode: the Authorization value */
	tr_buf query;              /* pre-sign mode: the final query string */
	char signature[65];        /* lower hex */
	char payload_hash[65];     /* lower hex SHA-256 of the body */
	char amz_date[17];         /* 20150830T123600Z */
} tr_sigv4_result;

void tr_sigv4_result_init(tr_sigv4_result *out);
void tr_sigv4_result_dispose(tr_sigv4_result *out);

/* Signs for the Authorization header. The caller then sends X-Amz-Date
 * (out->amz_date), X-Amz-Security-Token when a token is set, and
 * X-Amz-Content-Sha256 when params->sign_body. */
TR_MUST_CHECK int tr_sigv4_sign(tr_sigv4_result *out,
				const tr_sigv4_request *req,
				const tr_sigv4_params *params);

/* Signs as a pre-signed URL: out->query is the request's query with the
 * X-Amz-* parameters and X-Amz-Signature appended. */
TR_MUST_CHECK int tr_sigv4_presign(tr_sigv4_result *out,
				   const tr_sigv4_request *req,
				   const tr_sigv4_params *params);

/* Percent-encodes with the RFC 3986 unreserved set (A-Za-z0-9-._~), upper
 * hex; when keep_slash, '/' is left as is. */
TR_MUST_CHECK int tr_sigv4_uri_encode(tr_buf *out, const char *s, size_t len,
				      bool keep_slash);

/* Lower-hex SHA-256 of data into out[65]. */
void tr_sigv4_sha256_hex(char out[65], const void *data, size_t len);

/* 20150830T123600Z for a time in seconds since the epoch (UTC). */
void tr_sigv4_amz_date(char out[17], int64_t time);

/* True for headers SigV4 must not sign because proxies or the transport
 * may change them (user-agent, connection, expect, ...); as botocore. */
bool tr_sigv4_header_is_unsigned(const char *name);

#endif
