/*
 * The AWS client: every request trellis makes to AWS leaves through here.
 *
 * A call names an operation of the table in service.h; the client builds the
 * wire request for that service's protocol, resolves the endpoint and
 * region (SDK environment conventions), signs it with the credentials chain,
 * applies the per-service rate limit, sends it on a kept-alive connection,
 * retries like the SDKs' "standard" mode and turns failures into one
 * tr_aws_error. In dry-run mode a mutating operation is refused at the one
 * function that performs requests, whatever the caller asked.
 *
 * The client never reads the process environment, the clock or randomness
 * itself: main hands them in through tr_aws_runtime (libcurl is told the
 * proxy explicitly, so it does not read the environment either). A client
 * is used from one thread at a time.
 *
 * Environment read (through tr_aws_runtime.getenv): AWS_REGION,
 * AWS_DEFAULT_REGION, AWS_PROFILE, AWS_DEFAULT_PROFILE, AWS_CONFIG_FILE,
 * AWS_SHARED_CREDENTIALS_FILE, HOME, AWS_ENDPOINT_URL(_<SERVICE>),
 * AWS_STS_REGIONAL_ENDPOINTS, AWS_CA_BUNDLE, HTTPS_PROXY, https_proxy,
 * http_proxy, ALL_PROXY, NO_PROXY, and the credential variables listed in
 * credentials.h.
 */
#ifndef TR_AWS_CLIENT_H
#define TR_AWS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/error.h"
#include "aws/service.h"
#include "util/buf.h"
#include "util/errors.h"
#include "util/redact.h"

typedef struct tr_aws_client tr_aws_client;

/* One reply of the test transport below; borrowed from the transport's
 * ctx until its next call. headers: "Name: value" lines, as received. */
typedef struct tr_aws_transport_reply {
	long status;
	const char *headers;
	size_t headers_len;
	const char *body;
	size_t body_len;
} tr_aws_transport_reply;

typedef struct tr_aws_runtime {
	/* Environment lookup (main passes a getenv wrapper); NULL means an
	 * empty environment. Returned strings are borrowed. */
	const char *(*getenv)(void *ctx, const char *name);
	/* Wall clock in ms since the epoch; NULL: the system clock. */
	int64_t (*now_ms)(void *ctx);
	/* NULL: really sleeps. */
	void (*sleep_ms)(void *ctx, int64_t ms);
	/* Uniform 64-bit random values; NULL: OpenSSL's RAND_bytes. */
	uint64_t (*random)(void *ctx);
	/* Debug log: one line per attempt, no secrets. May be NULL. */
	void (*log)(void *ctx, const char *line);
	/* Told about every call the dry-run gate refused. May be NULL. */
	void (*refused)(void *ctx, const char *service, const char *operation,
			const char *method, const char *path);
	void *ctx;
	/* Test-only transport, for the observe fuzz target (AWS replies
	 * without a server); main never sets it. When set, no request reaches
	 * the network: every attempt, past the dry-run gate and signed, is
	 * handed here (call_many then runs its calls one after another), and
	 * the reply goes through the same header, size cap, error, retry and
	 * paging handling as libcurl's. Negative: the connection failed. */
	int (*transport)(void *ctx, const char *service, const char *operation,
			 const char *method, const char *url, const char *body,
			 size_t body_len, tr_aws_transport_reply *reply);
} tr_aws_runtime;

typedef struct tr_aws_config {
	const char *region;       /* trellis.yaml's; used after env and profile */
	bool dry_run;             /* refuse every mutating operation */
	unsigned max_attempts;    /* 0: 3, as the SDKs; at most TR_AWS_MAX_ATTEMPTS */
	long timeout_ms;          /* one attempt; 0: 30 s */
	long connect_timeout_ms;  /* 0: 5 s */
	unsigned retry_quota;     /* standard-mode retry budget; 0: 500 */
	/* Requests per second per service; 0: the service default (Route 53
	 * 5/s, others unlimited). */
	unsigned rate_per_sec[TR_AWS_SERVICE_COUNT];
	const char *user_agent;   /* NULL: "trellis" */
	/* IMDS and container endpoints get short time-outs (default 1 s). */
	long metadata_timeout_ms;
} tr_aws_config;

typedef struct tr_aws_param {
	const char *name;
	const char *value;
} tr_aws_param;

typedef struct tr_aws_call {
	tr_aws_service service;
	const char *operation;            /* a name from the operation table */
	const char *const *labels;        /* raw values for the path's {labels}, in order */
	size_t label_count;
	const tr_aws_param *params;       /* query string (rest), form fields (query) */
	size_t param_count;
	const char *body;                 /* JSON (rest-json, json 1.1) or XML */
	size_t body_len;
} tr_aws_call;

typedef struct tr_aws_response {
	long status;
	tr_buf body;              /* capped at TR_AWS_MAX_RESPONSE_BYTES */
	char request_id[128];
	unsigned attempts;
} tr_aws_response;

void tr_aws_response_init(tr_aws_response *r);
void tr_aws_response_dispose(tr_aws_response *r);

/* Copies what it needs from cfg; rt must outlive the client. Resolves the
 * region (AWS_REGION, AWS_DEFAULT_REGION, the profile's, cfg->region);
 * credentials are resolved on the first signed call. */
TR_MUST_CHECK int tr_aws_client_new(tr_aws_client **out,
				    const tr_aws_config *cfg,
				    const tr_aws_runtime *rt);
void tr_aws_client_free(tr_aws_client *c);

/* Sends one call (with retries). 0 on a 2xx reply, whose body is in out;
 * otherwise the TR_E* code, with details in err (always filled). */
TR_MUST_CHECK int tr_aws_client_call(tr_aws_response *out, tr_aws_client *c,
				     const tr_aws_call *call,
				     tr_aws_error *err);

/* Sends read-only calls concurrently, at most max_parallel at once (capped
 * at TR_AWS_MAX_PARALLEL) over one set of connections, each with the same
 * retries, rate limits and typed errors as tr_aws_client_call; results land
 * in outs[i] / errs[i] (initialised by the caller). A mutating operation in
 * the batch is refused (TR_EREFUSED): writes go one at a time. Returns 0
 * when all succeeded, else the first failed call's code (by position). */
TR_MUST_CHECK int tr_aws_client_call_many(tr_aws_response *outs,
					  tr_aws_error *errs,
					  tr_aws_client *c,
					  const tr_aws_call *calls, size_t n,
					  unsigned max_parallel);

/* Walks every page of a paginated List operation, handing each page's
 * reply to fn (return <0 from fn to stop with that code). The call's own
 * paging parameters are replaced page by page. */
typedef int (*tr_aws_page_fn)(void *ctx, const tr_aws_response *page);
TR_MUST_CHECK int tr_aws_client_paginate(tr_aws_client *c,
					 const tr_aws_call *call,
					 tr_aws_page_fn fn, void *ctx,
					 tr_aws_error *err);

/* The resolved region; NULL when none was found. */
const char *tr_aws_client_region(const tr_aws_client *c);

/* Endpoint base URL and signing region for a service, as resolved. */
TR_MUST_CHECK int tr_aws_client_endpoint(tr_buf *url,
					 const char **signing_region,
					 const tr_aws_client *c,
					 tr_aws_service service);

/* Every secret the client has seen (keys, tokens, web identity tokens):
 * anything printed about AWS should be scrubbed with it. */
const tr_redactor *tr_aws_client_redactor(const tr_aws_client *c);

/* Statistics for tests and benchmarks. */
typedef struct tr_aws_stats {
	unsigned requests;        /* attempts sent */
	unsigned refused;         /* calls refused by the dry-run gate */
	unsigned retries;
	unsigned retry_quota_left;
} tr_aws_stats;
void tr_aws_client_stats(const tr_aws_client *c, tr_aws_stats *out);

#endif
