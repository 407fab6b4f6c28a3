#include "aws/credentials.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "aws/internal.h"
#include "aws/sigv4.h"
#include "aws/xml.h"
#include "util/alloc.h"
#include "util/limits.h"
#include "util/str.h"

#define IMDS_DEFAULT "http://169.254.169.254"
#define CONTAINER_HOST "http://169.254.170.2"

struct tr_aws_creds {
	tr_aws_client *client;
	tr_aws_credentials cur;
	bool have;
};

void tr_aws_credentials_init(tr_aws_credentials *c)
{
	memset(c, 0, sizeof(*c));
}

static void wipe_free(char *s)
{
	if (s) {
		/* Secrets do not linger in freed memory. */
		volatile char *p = s;
		while (*p)
			*p++ = '\0';
	}
	tr_free(s);
}

void tr_aws_credentials_dispose(tr_aws_credentials *c)
{
	tr_free(c->access_key_id);
	wipe_free(c->secret_access_key);
	wipe_free(c->session_token);
	tr_aws_credentials_init(c);
}

void tr_aws_creds_new(tr_aws_creds **out, tr_aws_client *client)
{
	tr_aws_creds *p = tr_calloc(1, sizeof(*p));

	p->client = client;
	*out = p;
}

void tr_aws_creds_free(tr_aws_creds *p)
{
	if (!p)
		return;
	tr_aws_credentials_dispose(&p->cur);
	tr_free(p);
}

void tr_aws_creds_invalidate(tr_aws_creds *p)
{
	tr_aws_credentials_dispose(&p->cur);
	p->have = false;
}

/* ---- helpers ------------------------------------------------------------ */

static int fail(tr_aws_client *c, tr_aws_error *err, int rc, const char *what,
		const char *msg)
{
	tr_buf m = TR_BUF_INIT(TR_AWS_MAX_ERROR_TEXT_BYTES);

	(void)c;
	tr_aws_error_dispose(err);
	err->kind = TR_AWS_ERR_CREDENTIALS;
	err->rc = rc;
	err->service = "credentials";
	err->operation = what;
	if (tr_buf_puts(&m, msg) == 0 &&
	    tr_redactor_scrub(tr_aws_client_redactor(c), &m) == 0)
		tr_aws_error_set_message(err, m.ptr, m.len);
	tr_buf_dispose(&m);
	return rc;
}

static bool valid_secret(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > TR_AWS_MAX_CREDENTIAL_BYTES)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return false; /* would break or forge a header */
	return true;
}

static int set_creds(tr_aws_client *c, tr_aws_credentials *out,
		     const char *akid, const char *secret, const char *token,
		     int64_t expires, const char *source, tr_aws_error *err)
{
	if (!valid_secret(akid) || !valid_secret(secret) ||
	    (token && *token && !valid_secret(token)))
		return fail(c, err, TR_EAUTH, source,
			    "credentials are malformed (empty, too long or "
			    "with spaces or control characters)");
	tr_aws_client_add_secret(c, secret);
	if (token && *token)
		tr_aws_client_add_secret(c, token);
	out->access_key_id = tr_strdup(akid);
	out->secret_access_key = tr_strdup(secret);
	out->session_token = token && *token ? tr_strdup(token) : NULL;
	out->expires_at_ms = expires;
	out->source = source;
	return 0;
}

/* "2014-10-24T23:00:23Z", optionally with fractional seconds. */
static int parse_time_ms(int64_t *out, const char *s)
{
	struct tm tm;
	int y, mo, d, h, mi, sec, n = 0;

	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi,
			 &sec, &n) != 6 || n == 0)
		return TR_EINVALID;
	s += n;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			;
	if (strcmp(s, "Z") != 0 && strcmp(s, "+00:00") != 0)
		return TR_EINVALID;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = (int64_t)timegm(&tm) * 1000;
	return 0;
}

/* Reads a small file whole, trimming surrounding whitespace. */
static int read_small_file(char **out, const char *path)
{
	tr_buf b = TR_BUF_INIT(TR_AWS_MAX_TOKEN_FILE_BYTES);
	char chunk[4096];
	size_t n, start = 0;
	FILE *f = fopen(path, "rb");
	int error = 0;

	*out = NULL;
	if (!f)
		return errno == ENOENT ? TR_ENOTFOUND : TR_EIO;
	while (error == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		error = tr_buf_put(&b, chunk, n);
	fclose(f);
	if (error == 0) {
		while (b.len && (b.ptr[b.len - 1] == '\n' || b.ptr[b.len - 1] == '\r' ||
				 b.ptr[b.len - 1] == ' ' || b.ptr[b.len - 1] == '\t'))
			tr_buf_truncate(&b, b.len - 1);
		while (start < b.len && (b.ptr[start] == ' ' || b.ptr[start] == '\t' ||
					 b.ptr[start] == '\n' || b.ptr[start] == '\r'))
			start++;
		*out = tr_strdup(tr_buf_cstr(&b) + start);
	}
	if (b.ptr)
		memset(b.ptr, 0, b.cap);
	tr_buf_dispose(&b);
	return error;
}

/* ---- STS role assumption --------------------------------------------------- */

static int sts_credentials(tr_aws_client *c, tr_aws_credentials *out,
			   const tr_aws_response *r, const char *result,
			   const char *source, tr_aws_error *err)
{
	xmlDoc *doc = NULL;
	xmlNode *cred;
	char *akid = NULL, *secret = NULL, *token = NULL, *exp = NULL;
	int64_t expires = 0;
	int error;

	if ((error = tr_aws_xml_parse(&doc, tr_buf_cstr(&r->body), r->body.len)) < 0) {
		error = fail(c, err, TR_EAUTH, source, "STS reply is not readable XML");
		goto done;
	}
	cred = tr_aws_xml_path(xmlDocGetRootElement(doc), result);
	cred = tr_aws_xml_child(cred, "Credentials");
	akid = tr_aws_xml_text_dup(cred, "AccessKeyId");
	secret = tr_aws_xml_text_dup(cred, "SecretAccessKey");
	token = tr_aws_xml_text_dup(cred, "SessionToken");
	exp = tr_aws_xml_text_dup(cred, "Expiration");
	if (!akid || !secret || !token || parse_time_ms(&expires, exp) < 0) {
		error = fail(c, err, TR_EAUTH, source,
			     "STS reply lacks credentials or their expiration");
		goto done;
	}
	error = set_creds(c, out, akid, secret, token, expires, source, err);
done:
	tr_free(akid);
	wipe_free(secret);
	wipe_free(token);
	tr_free(exp);
	if (doc)
		xmlFreeDoc(doc);
	return error;
}

static const char *session_name(tr_aws_client *c, const char *configured,
				char *buf, size_t cap)
{
	if (configured && *configured)
		return configured;
	snprintf(buf, cap, "trellis-%lld",
		 (long long)(tr_aws_client_now(c) / 1000));
	return buf;
}

static int web_identity(tr_aws_client *c, tr_aws_credentials *out,
			const char *role_arn, const char *token_file,
			const char *session, tr_aws_error *err)
{
	char *token = NULL;
	char name_buf[64];
	tr_aws_response r;
	tr_aws_param params[3];
	tr_aws_call call = {TR_AWS_STS, "AssumeRoleWithWebIdentity", NULL, 0,
			    params, 3, NULL, 0};
	int error;

	tr_aws_response_init(&r);
	/* Read on every refresh: the kubelet rotates the projected token. */
	if ((error = read_small_file(&token, token_file)) < 0) {
		error = fail(c, err, TR_EAUTH, "web-identity",
			     error == TR_ETOOLARGE
				     ? "web identity token file is too large"
				     : "web identity token file cannot be read");
		goto done;
	}
	if (!*token) {
		error = fail(c, err, TR_EAUTH, "web-identity",
			     "web identity token file is empty");
		goto done;
	}
	tr_aws_client_add_secret(c, token);
	params[0] = (tr_aws_param){"RoleArn", role_arn};
	params[1] = (tr_aws_param){"RoleSessionName",
				   session_name(c, session, name_buf, sizeof(name_buf))};
	params[2] = (tr_aws_param){"WebIdentityToken", token};
	if ((error = tr_aws_client_call_as(&r, c, &call, NULL, err)) < 0)
		goto done;
	error = sts_credentials(c, out, &r, "AssumeRoleWithWebIdentityResult",
				"web-identity", err);
done:
	wipe_free(token);
	tr_aws_response_dispose(&r);
	return error;
}

static int assume_role(tr_aws_client *c, tr_aws_credentials *out,
		       const tr_aws_credentials *source, const char *role_arn,
		       const char *session, const char *external_id,
		       tr_aws_error *err)
{
	char name_buf[64];
	tr_aws_response r;
	tr_aws_param params[3];
	size_t n = 0;
	tr_aws_call call = {TR_AWS_STS, "AssumeRole", NULL, 0, params, 0, NULL, 0};
	int error;

	tr_aws_response_init(&r);
	params[n++] = (tr_aws_param){"RoleArn", role_arn};
	params[n++] = (tr_aws_param){"RoleSessionName",
				     session_name(c, session, name_buf, sizeof(name_buf))};
	if (external_id)
		params[n++] = (tr_aws_param){"ExternalId", external_id};
	call.param_count = n;
	if ((error = tr_aws_client_call_as(&r, c, &call, source, err)) == 0)
		error = sts_credentials(c, out, &r, "AssumeRoleResult",
					"assume-role", err);
	tr_aws_response_dispose(&r);
	return error;
}

/* ---- container and instance metadata ----------------------------------------- */

static int creds_from_json(tr_aws_client *c, tr_aws_credentials *out,
			   const tr_aws_response *r, const char *source,
			   tr_aws_error *err)
{
	cJSON *j = cJSON_ParseWithLength(tr_buf_cstr(&r->body), r->body.len);
	const cJSON *akid = cJSON_GetObjectItemCaseSensitive(j, "AccessKeyId");
	const cJSON *secret = cJSON_GetObjectItemCaseSensitive(j, "SecretAccessKey");
	const cJSON *token = cJSON_GetObjectItemCaseSensitive(j, "Token");
	const cJSON *exp = cJSON_GetObjectItemCaseSensitive(j, "Expiration");
	int64_t expires = 0;
	int error;

	if (!cJSON_IsString(akid) || !cJSON_IsString(secret) ||
	    (token && !cJSON_IsString(token)) ||
	    (exp && (!cJSON_IsString(exp) ||
		     parse_time_ms(&expires, exp->valuestring) < 0)))
		error = fail(c, err, TR_EAUTH, source,
			     "credentials reply is not the expected JSON");
	else
		error = set_creds(c, out, akid->valuestring, secret->valuestring,
				  token ? token->valuestring : NULL, expires,
				  source, err);
	cJSON_Delete(j);
	return error;
}

/* Plain http is only trusted on the machine itself or the ECS / EKS Pod
 * Identity agent addresses, as the SDKs require. */
static bool container_url_allowed(const char *url)
{
	static const char *const hosts[] = {
		"127.", "localhost", "[::1]", "169.254.170.2", "169.254.170.23",
		"[fd00:ec2::23]"};
	const char *h;

	if (tr_str_has_prefix(url, "https://"))
		return true;
	if (!tr_str_has_prefix(url, "http://"))
		return false;
	h = url + 7;
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		size_t n = strlen(hosts[i]);
		if (strncmp(h, hosts[i], n) == 0 &&
		    (hosts[i][n - 1] == '.' || h[n] == '\0' || h[n] == ':' ||
		     h[n] == '/'))
			return true;
	}
	return false;
}

static int container(tr_aws_client *c, tr_aws_credentials *out,
		     tr_aws_error *err)
{
	const char *full = tr_aws_client_env(c, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
	const char *rel = tr_aws_client_env(c, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *token_file = tr_aws_client_env(c, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *token_env = tr_aws_client_env(c, "AWS_CONTAINER_AUTHORIZATION_TOKEN");
	tr_buf url = TR_BUF_INIT(TR_AWS_MAX_URL_BYTES);
	tr_buf auth = TR_BUF_INIT(TR_AWS_MAX_TOKEN_FILE_BYTES + 32);
	char *token = NULL;
	const char *hdr[1];
	size_t nh = 0;
	tr_aws_response r;
	int error;

	tr_aws_response_init(&r);
	if (rel)
		error = tr_buf_printf(&url, "%s%s", CONTAINER_HOST, rel);
	else
		error = tr_buf_puts(&url, full);
	if (error < 0 || !container_url_allowed(tr_buf_cstr(&url))) {
		error = fail(c, err, TR_EAUTH, "container",
			     "container credentials URI is not allowed (plain "
			     "http only to loopback or the agent addresses)");
		goto done;
	}
	if (token_file) {
		if ((error = read_small_file(&token, token_file)) < 0) {
			error = fail(c, err, TR_EAUTH, "container",
				     "container authorization token file cannot be read");
			goto done;
		}
	} else if (token_env) {
		token = tr_strdup(token_env);
	}
	if (token) {
		if (strpbrk(token, "\r\n")) {
			error = fail(c, err, TR_EAUTH, "container",
				     "container authorization token holds a newline");
			goto done;
		}
		tr_aws_client_add_secret(c, token);
		if ((error = tr_buf_printf(&auth, "Authorization: %s", token)) < 0)
			goto done;
		hdr[nh++] = tr_buf_cstr(&auth);
	}
	if ((error = tr_aws_client_fetch(&r, c, "container", "GET",
					 tr_buf_cstr(&url), hdr, nh, err)) < 0)
		goto done;
	error = creds_from_json(c, out, &r, "container", err);
done:
	wipe_free(token);
	if (auth.ptr)
		memset(auth.ptr, 0, auth.cap);
	tr_buf_dispose(&auth);
	tr_buf_dispose(&url);
	tr_aws_response_dispose(&r);
	return error;
}

static int imds(tr_aws_client *c, tr_aws_credentials *out, tr_aws_error *err)
{
	const char *base = tr_aws_client_env(c, "AWS_EC2_METADATA_SERVICE_ENDPOINT");
	tr_buf url = TR_BUF_INIT(TR_AWS_MAX_URL_BYTES);
	tr_buf hdr = TR_BUF_INIT(TR_AWS_MAX_HEADER_BYTES);
	const char *put_hdr[] = {"X-aws-ec2-metadata-token-ttl-seconds: 21600"};
	const char *get_hdr[1];
	char role[256];
	size_t blen;
	tr_aws_response r;
	int error;

	tr_aws_response_init(&r);
	if (!base)
		base = IMDS_DEFAULT;
	blen = strlen(base);
	while (blen && base[blen - 1] == '/')
		blen--;
	/* IMDSv2: a session token first (PUT), then the role, then its keys. */
	if ((error = tr_buf_printf(&url, "%.*s/latest/api/token", (int)blen, base)) < 0 ||
	    (error = tr_aws_client_fetch(&r, c, "imds", "PUT", tr_buf_cstr(&url),
					 put_hdr, 1, err)) < 0)
		goto done;
	if (!r.body.len || strpbrk(tr_buf_cstr(&r.body), "\r\n")) {
		error = fail(c, err, TR_EAUTH, "imds", "IMDS returned no usable token");
		goto done;
	}
	tr_aws_client_add_secret(c, tr_buf_cstr(&r.body));
	if ((error = tr_buf_printf(&hdr, "X-aws-ec2-metadata-token: %s",
				   tr_buf_cstr(&r.body))) < 0)
		goto done;
	get_hdr[0] = tr_buf_cstr(&hdr);
	tr_buf_clear(&url);
	if ((error = tr_buf_printf(&url, "%.*s/latest/meta-data/iam/security-credentials/",
				   (int)blen, base)) < 0 ||
	    (error = tr_aws_client_fetch(&r, c, "imds", "GET", tr_buf_cstr(&url),
					 get_hdr, 1, err)) < 0)
		goto done;
	{
		size_t n = strcspn(tr_buf_cstr(&r.body), "\r\n");
		if (n == 0 || n >= sizeof(role)) {
			error = fail(c, err, TR_EAUTH, "imds",
				     "no IAM role attached to the instance");
			goto done;
		}
		memcpy(role, r.body.ptr, n);
		role[n] = '\0';
	}
	tr_buf_clear(&url);
	if ((error = tr_buf_printf(&url, "%.*s/latest/meta-data/iam/security-credentials/",
				   (int)blen, base)) < 0 ||
	    (error = tr_sigv4_uri_encode(&url, role, strlen(role), false)) < 0 ||
	    (error = tr_aws_client_fetch(&r, c, "imds", "GET", tr_buf_cstr(&url),
					 get_hdr, 1, err)) < 0)
		goto done;
	error = creds_from_json(c, out, &r, "imds", err);
done:
	if (hdr.ptr)
		memset(hdr.ptr, 0, hdr.cap);
	tr_buf_dispose(&hdr);
	tr_buf_dispose(&url);
	tr_aws_response_dispose(&r);
	return error;
}

/* ---- the chain -------------------------------------------------------------- */

static int from_env(tr_aws_client *c, tr_aws_credentials *out, tr_aws_error *err)
{
	const char *akid = tr_aws_client_env(c, "AWS_ACCESS_KEY_ID");
	const char *secret = tr_aws_client_env(c, "AWS_SECRET_ACCESS_KEY");

	if (!akid || !secret)
		return TR_ENOTFOUND;
	return set_creds(c, out, akid, secret,
			 tr_aws_client_env(c, "AWS_SESSION_TOKEN"), 0,
			 "environment", err);
}

static int from_profile(tr_aws_client *c, tr_aws_credentials *out,
			const char *name, unsigned hops, tr_aws_error *err)
{
	const tr_aws_profiles *p = tr_aws_client_profiles(c);
	const char *role = tr_aws_profiles_get(p, name, "role_arn");
	const char *akid = tr_aws_profiles_get(p, name, "aws_access_key_id");
	const char *secret = tr_aws_profiles_get(p, name, "aws_secret_access_key");
	const char *session = tr_aws_profiles_get(p, name, "role_session_name");
	tr_aws_credentials src;
	int error;

	if (hops > TR_AWS_MAX_PROFILE_HOPS)
		return fail(c, err, TR_EAUTH, "profile",
			    "profile source_profile chain is too long or loops");
	if (!tr_aws_profiles_has(p, name))
		return TR_ENOTFOUND;
	/* A source profile's own static keys end the chain, unless it is a
	 * role itself (then it chains on, as botocore does). */
	if (hops > 0 && akid && secret && !role)
		return set_creds(c, out, akid, secret,
				 tr_aws_profiles_get(p, name, "aws_session_token"),
				 0, "profile", err);
	if (role) {
		const char *wif = tr_aws_profiles_get(p, name, "web_identity_token_file");
		const char *sp = tr_aws_profiles_get(p, name, "source_profile");
		const char *cs = tr_aws_profiles_get(p, name, "credential_source");

		if (wif)
			return web_identity(c, out, role, wif, session, err);
		tr_aws_credentials_init(&src);
		if (sp)
			error = tr_str_eq(sp, name) && akid && secret
					? set_creds(c, &src, akid, secret,
						    tr_aws_profiles_get(p, name, "aws_session_token"),
						    0, "profile", err)
					: from_profile(c, &src, sp, hops + 1, err);
		else if (tr_str_eq(cs, "Environment"))
			error = from_env(c, &src, err);
		else if (tr_str_eq(cs, "Ec2InstanceMetadata"))
			error = imds(c, &src, err);
		else if (tr_str_eq(cs, "EcsContainer"))
			error = container(c, &src, err);
		else
			error = fail(c, err, TR_EAUTH, "profile",
				     "profile has role_arn but no source_profile, "
				     "credential_source or web_identity_token_file");
		if (error == TR_ENOTFOUND)
			error = fail(c, err, TR_EAUTH, "profile",
				     "source profile has no credentials");
		if (error == 0)
			error = assume_role(c, out, &src, role, session,
					    tr_aws_profiles_get(p, name, "external_id"),
					    err);
		tr_aws_credentials_dispose(&src);
		return error;
	}
	if (akid && secret)
		return set_creds(c, out, akid, secret,
				 tr_aws_profiles_get(p, name, "aws_session_token"),
				 0, "profile", err);
	return TR_ENOTFOUND;
}

static int resolve(tr_aws_client *c, tr_aws_credentials *out, tr_aws_error *err)
{
	const char *profile = tr_aws_client_profile_name(c);
	bool explicit_profile = tr_aws_client_env(c, "AWS_PROFILE") ||
				tr_aws_client_env(c, "AWS_DEFAULT_PROFILE");
	const char *role = tr_aws_client_env(c, "AWS_ROLE_ARN");
	const char *wif = tr_aws_client_env(c, "AWS_WEB_IDENTITY_TOKEN_FILE");
	const char *disabled = tr_aws_client_env(c, "AWS_EC2_METADATA_DISABLED");
	int error;

	if ((error = from_env(c, out, err)) != TR_ENOTFOUND)
		return error;
	if ((error = from_profile(c, out, profile, 0, err)) != TR_ENOTFOUND)
		return error;
	if (explicit_profile &&
	    !tr_aws_profiles_has(tr_aws_client_profiles(c), profile))
		return fail(c, err, TR_EAUTH, "profile",
			    "the profile named by AWS_PROFILE does not exist");
	if (role && wif)
		return web_identity(c, out, role, wif,
				    tr_aws_client_env(c, "AWS_ROLE_SESSION_NAME"), err);
	if (tr_aws_client_env(c, "AWS_CONTAINER_CREDENTIALS_FULL_URI") ||
	    tr_aws_client_env(c, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"))
		return container(c, out, err);
	if (disabled && strcasecmp(disabled, "true") == 0)
		return fail(c, err, TR_EAUTH, "chain",
			    "no credentials found (environment, profile, web "
			    "identity, container; IMDS disabled)");
	if ((error = imds(c, out, err)) < 0)
		return fail(c, err, TR_EAUTH, "chain",
			    "no credentials found (environment, profile, web "
			    "identity, container, IMDS)");
	return 0;
}

int tr_aws_creds_get(const tr_aws_credentials **out, tr_aws_creds *p,
		     tr_aws_error *err)
{
	int64_t now = tr_aws_client_now(p->client);
	tr_aws_credentials fresh;
	int error;

	*out = NULL;
	if (p->have && (p->cur.expires_at_ms == 0 ||
			now < p->cur.expires_at_ms - TR_AWS_CREDS_REFRESH_MS)) {
		*out = &p->cur;
		return 0;
	}
	tr_aws_credentials_init(&fresh);
	error = resolve(p->client, &fresh, err);
	if (error < 0) {
		tr_aws_credentials_dispose(&fresh);
		/* A failed early refresh keeps what still works. */
		if (p->have && now < p->cur.expires_at_ms) {
			tr_aws_error_dispose(err);
			*out = &p->cur;
			return 0;
		}
		return error;
	}
	tr_aws_credentials_dispose(&p->cur);
	p->cur = fresh;
	p->have = true;
	*out = &p->cur;
	return 0;
}

int tr_aws_whoami(tr_aws_identity *out, tr_aws_client *c, tr_aws_error *err)
{
	tr_aws_call call = {TR_AWS_STS, "GetCallerIdentity", NULL, 0, NULL, 0,
			    NULL, 0};
	tr_aws_response r;
	xmlDoc *doc = NULL;
	xmlNode *res;
	int error;

	memset(out, 0, sizeof(*out));
	tr_aws_response_init(&r);
	if ((error = tr_aws_client_call(&r, c, &call, err)) < 0)
		goto done;
	if (tr_aws_xml_parse(&doc, tr_buf_cstr(&r.body), r.body.len) < 0 ||
	    !(res = tr_aws_xml_child(xmlDocGetRootElement(doc),
				     "GetCallerIdentityResult")) ||
	    tr_aws_xml_text(out->account, sizeof(out->account), res, "Account") < 0 ||
	    tr_aws_xml_text(out->arn, sizeof(out->arn), res, "Arn") < 0) {
		tr_aws_error_dispose(err);
		err->kind = TR_AWS_ERR_SERVICE;
		err->rc = error = TR_EINVALID;
		err->service = "sts";
		err->operation = "GetCallerIdentity";
		tr_aws_error_set_message(err, "unreadable GetCallerIdentity reply", 34);
		goto done;
	}
	(void)tr_aws_xml_text(out->user_id, sizeof(out->user_id), res, "UserId");
done:
	if (doc)
		xmlFreeDoc(doc);
	tr_aws_response_dispose(&r);
	return error;
}
