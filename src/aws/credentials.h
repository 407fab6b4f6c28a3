/*
 * Where the AWS keys come from, in the SDKs' order:
 *
 *   1. environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN
 *   2. the profile (AWS_PROFILE, else "default") of ~/.aws/credentials and
 *      ~/.aws/config (AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE): static
 *      keys, role_arn + source_profile (STS AssumeRole signed with the
 *      source), role_arn + web_identity_token_file
 *   3. web identity from the environment: AWS_ROLE_ARN +
 *      AWS_WEB_IDENTITY_TOKEN_FILE (+ AWS_ROLE_SESSION_NAME), STS
 *      AssumeRoleWithWebIdentity, unsigned; the token file is read again on
 *      every refresh because it rotates
 *   4. container: AWS_CONTAINER_CREDENTIALS_FULL_URI (loopback, EKS Pod
 *      Identity address or https) or _RELATIVE_URI (169.254.170.2), with
 *      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE / _TOKEN
 *   5. IMDSv2 (AWS_EC2_METADATA_SERVICE_ENDPOINT, AWS_EC2_METADATA_DISABLED)
 *      with short time-outs
 *
 * Temporary credentials are refreshed TR_AWS_CREDS_REFRESH_MS before they
 * expire, by the injected clock. Every secret seen is added to the client's
 * redactor; none is ever put in an error or a log line.
 */
#ifndef TR_AWS_CREDENTIALS_H
#define TR_AWS_CREDENTIALS_H

#include <stdint.h>

#include "aws/client.h"
#include "aws/error.h"

#define TR_AWS_CREDS_REFRESH_MS (5 * 60 * 1000)

typedef struct tr_aws_credentials {
	char *access_key_id;
	char *secret_access_key;
	char *session_token;   /* NULL for long-term keys */
	int64_t expires_at_ms; /* 0: does not expire */
	const char *source;    /* static: "environment", "profile", ... */
} tr_aws_credentials;

void tr_aws_credentials_init(tr_aws_credentials *c);
void tr_aws_credentials_dispose(tr_aws_credentials *c);

typedef struct tr_aws_creds tr_aws_creds;

/* A chain bound to a client (for its environment, clock and transport). */
void tr_aws_creds_new(tr_aws_creds **out, tr_aws_client *client);
void tr_aws_creds_free(tr_aws_creds *p);

/* Current credentials, resolved or refreshed as needed; borrowed until the
 * next call. TR_EAUTH when no source has any. */
TR_MUST_CHECK int tr_aws_creds_get(const tr_aws_credentials **out,
				   tr_aws_creds *p,
				   tr_aws_error *err);

/* Forgets cached credentials so the next get resolves again (after an
 * ExpiredToken reply). */
void tr_aws_creds_invalidate(tr_aws_creds *p);

typedef struct tr_aws_identity {
	char account[32];
	char arn[2048];
	char user_id[256];
} tr_aws_identity;

/* STS GetCallerIdentity: who the credentials belong to. */
TR_MUST_CHECK int tr_aws_whoami(tr_aws_identity *out, tr_aws_client *c,
				tr_aws_error *err);

#endif
