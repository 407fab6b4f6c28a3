/*
 * What the parts of src/aws/ share with each other and nobody else: the
 * credentials chain reaches the network, the environment and the clock only
 * through its client.
 */
#ifndef TR_AWS_INTERNAL_H
#define TR_AWS_INTERNAL_H

#include "aws/client.h"
#include "aws/credentials.h"
#include "aws/profile.h"

const char *tr_aws_client_env(const tr_aws_client *c, const char *name);
int64_t tr_aws_client_now(const tr_aws_client *c);
void tr_aws_client_add_secret(tr_aws_client *c, const char *secret);
const tr_aws_profiles *tr_aws_client_profiles(const tr_aws_client *c);
const char *tr_aws_client_profile_name(const tr_aws_client *c);

/* A call as it goes on the wire, before signing. */
typedef struct tr_aws_built {
	tr_buf path;               /* encoded, without the endpoint's base */
	tr_buf query;              /* encoded, without '?' */
	tr_buf body;
	const char *content_type;  /* NULL: none */
	char target[160];          /* X-Amz-Target, "" when none */
} tr_aws_built;

void tr_aws_built_init(tr_aws_built *b);
void tr_aws_built_dispose(tr_aws_built *b);
/* TR_EINVALID when labels or parameters do not fit the operation,
 * TR_ETOOLARGE past the caps. */
int tr_aws_request_build(tr_aws_built *b, const tr_aws_service_info *s,
			 const tr_aws_op *op, const tr_aws_call *call);

/* Fills err (kind, rc, message scrubbed of every known secret). */
void tr_aws_client_fail(tr_aws_client *c, tr_aws_error *err,
			tr_aws_error_kind kind, int rc, const char *msg);

/* "scheme://authority/base" -> authority (the Host header) and base path
 * (prefixed to every request path). */
int tr_aws_endpoint_split(const char *base, tr_buf *authority, tr_buf *prefix);
bool tr_aws_url_ok(const char *url); /* http:// or https:// */

/* A call signed with `creds` instead of the chain's, or unsigned when the
 * operation is marked so (creds may then be NULL). */
int tr_aws_client_call_as(tr_aws_response *out, tr_aws_client *c,
			  const tr_aws_call *call,
			  const tr_aws_credentials *creds, tr_aws_error *err);

/* A plain HTTP request to a metadata endpoint (IMDS, container agent):
 * short time-outs, no proxy, no retries beyond one, never signed. `what`
 * names it in logs and errors ("imds", "container"). */
int tr_aws_client_fetch(tr_aws_response *out, tr_aws_client *c,
			const char *what, const char *method, const char *url,
			const char *const *headers, size_t header_count,
			tr_aws_error *err);

#endif
