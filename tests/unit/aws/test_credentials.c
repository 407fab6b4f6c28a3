/*
 * The credentials chain against a loopback fake STS / IMDS / container
 * agent: SDK order, profiles (static keys, source_profile role chains, web
 * identity files), IRSA with token rotation and refresh on the injected
 * clock, container and IMDSv2 sources, whoami, and canary secrets planted in
 * every source that must never show up in errors or debug lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include "aws/client.h"
#include "aws/credentials.h"
#include "aws/profile.h"
#include "util/alloc.h"
#include "util/limits.h"

#include "fake_server.h"

static fake_server srv;
static char tmpdir[256];

/* What the fake services answer and saw. */
static struct {
	const char *echo;   /* non-NULL: every service call fails echoing it */
	int expire_next;    /* Lattice calls to answer with ExpiredTokenException */
	int sts_calls;
	int imds_calls;
	int container_calls;
	char last_web_token[256];
	bool web_call_signed;
} hs;

#define STS_CREDS(op)                                                          \
	"<" op "Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><" op \
	"Result><Credentials><AccessKeyId>ASIAROLEKEY</AccessKeyId>"              \
	"<SecretAccessKey>ROLE-SECRET-VALUE</SecretAccessKey>"                     \
	"<SessionToken>ROLE-SESSION-TOKEN</SessionToken>"                         \
	"<Expiration>2015-08-30T13:36:00Z</Expiration></Credentials></" op        \
	"Result></" op "Response>"

static const char *param(const fake_request *r, const char *name, char *out,
			 size_t cap)
{
	char key[64];
	const char *p;
	size_t n;

	snprintf(key, sizeof(key), "%s=", name);
	p = strstr(r->body, key);
	if (!p)
		return NULL;
	p += strlen(key);
	n = strcspn(p, "&");
	snprintf(out, cap, "%.*s", (int)n, p);
	return out;
}

static void handler(fake_server *s, const fake_request *r, fake_reply *out)
{
	static char body[4096];
	char v[1024];

	(void)s;
	out->status = 200;
	out->headers = "";
	if (hs.echo) {
		snprintf(body, sizeof(body),
			 "<ErrorResponse><Error><Code>InvalidIdentityToken</Code>"
			 "<Message>rejected: %s</Message></Error><RequestId>rid</RequestId></ErrorResponse>",
			 hs.echo);
		if (strncmp(r->target, "/services", 9) == 0)
			snprintf(body, sizeof(body),
				 "{\"message\":\"denied: %s\"}", hs.echo);
		out->status = 400;
		out->body = body;
		if (strncmp(r->target, "/latest", 7) == 0 ||
		    strncmp(r->target, "/container", 10) == 0) {
			out->status = 200;
			goto metadata;
		}
		return;
	}
metadata:
	if (strcmp(r->target, "/latest/api/token") == 0) {
		hs.imds_calls++;
		if (strcmp(r->method, "PUT") != 0 ||
		    !fake_header(r, "X-aws-ec2-metadata-token-ttl-seconds", v, sizeof(v))) {
			out->status = 400;
			out->body = "";
			return;
		}
		out->body = "CANARY-IMDS-SESSION";
		return;
	}
	if (strncmp(r->target, "/latest/meta-data/iam/security-credentials/", 43) == 0) {
		hs.imds_calls++;
		if (!fake_header(r, "X-aws-ec2-metadata-token", v, sizeof(v)) ||
		    strcmp(v, "CANARY-IMDS-SESSION") != 0) {
			out->status = 401;
			out->body = "";
			return;
		}
		if (strcmp(r->target + 43, "") == 0)
			out->body = "node-role\n";
		else
			out->body = "{\"Code\":\"Success\",\"AccessKeyId\":\"ASIAIMDSKEY\","
				    "\"SecretAccessKey\":\"CANARY-IMDS-SECRET\",\"Token\":"
				    "\"CANARY-IMDS-TOKEN\",\"Expiration\":\"2015-08-30T18:36:00Z\"}";
		return;
	}
	if (strcmp(r->target, "/container-creds") == 0) {
		hs.container_calls++;
		if (!fake_header(r, "Authorization", v, sizeof(v)) ||
		    strcmp(v, "CANARY-CONTAINER-AUTH") != 0) {
			out->status = 401;
			out->body = "";
			return;
		}
		out->body = "{\"AccessKeyId\":\"ASIAPODKEY\",\"SecretAccessKey\":"
			    "\"CANARY-POD-SECRET\",\"Token\":\"CANARY-POD-TOKEN\","
			    "\"Expiration\":\"2015-08-30T18:36:00.000Z\"}";
		return;
	}
	if (hs.echo)
		return;
	if (strcmp(r->target, "/") == 0 && param(r, "Action", v, sizeof(v))) {
		hs.sts_calls++;
		if (strcmp(v, "AssumeRoleWithWebIdentity") == 0) {
			hs.web_call_signed = fake_header(r, "Authorization", v, sizeof(v)) != NULL;
			param(r, "WebIdentityToken", hs.last_web_token,
			      sizeof(hs.last_web_token));
			out->body = STS_CREDS("AssumeRoleWithWebIdentity");
		} else if (strcmp(v, "AssumeRole") == 0) {
			out->body = STS_CREDS("AssumeRole");
		} else if (strcmp(v, "GetCallerIdentity") == 0) {
			out->body = "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
				    "<GetCallerIdentityResult><Arn>arn:aws:sts::111122223333:assumed-role/deploy/s</Arn>"
				    "<UserId>AROAEXAMPLE:s</UserId><Account>111122223333</Account>"
				    "</GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId>"
				    "</ResponseMetadata></GetCallerIdentityResponse>";
		} else {
			out->status = 400;
			out->body = "<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>";
		}
		return;
	}
	if (hs.expire_next > 0) {
		hs.expire_next--;
		out->status = 400;
		out->headers = "X-Amzn-ErrorType: ExpiredTokenException\r\n";
		out->body = "{\"message\":\"The security token included in the request is expired\"}";
		return;
	}
	out->body = "{}";
}

static void write_file(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char *tmp_path(char *buf, size_t cap, const char *name)
{
	snprintf(buf, cap, "%s/%s", tmpdir, name);
	return buf;
}

typedef struct fixture {
	test_rt t;
	tr_aws_runtime rt;
	tr_aws_config cfg;
	tr_aws_client *c;
	tr_aws_response resp;
	tr_aws_error err;
	char paths[4][512];
} fixture;

static fixture *fx_new(void)
{
	fixture *f = tr_calloc(1, sizeof(*f));

	f->rt = rt_make(&f->t);
	rt_setenv(&f->t, "AWS_REGION", "us-west-2");
	rt_setenv(&f->t, "AWS_ENDPOINT_URL", srv.url);
	rt_setenv(&f->t, "HOME", tmpdir); /* no .aws folder there */
	rt_setenv(&f->t, "AWS_EC2_METADATA_DISABLED", "true");
	tr_aws_response_init(&f->resp);
	tr_aws_error_init(&f->err);
	memset(&hs, 0, sizeof(hs));
	pthread_mutex_lock(&srv.mu);
	for (size_t i = 0; i < srv.nreqs; i++)
		free(srv.reqs[i].body);
	srv.nreqs = 0;
	srv.handler = handler;
	pthread_mutex_unlock(&srv.mu);
	return f;
}

static void fx_client(fixture *f)
{
	assert_int_equal(tr_aws_client_new(&f->c, &f->cfg, &f->rt), 0);
}

static void fx_free(fixture *f)
{
	tr_aws_client_free(f->c);
	tr_aws_response_dispose(&f->resp);
	tr_aws_error_dispose(&f->err);
	tr_free(f);
}

static int lattice_call(fixture *f)
{
	const char *labels[] = {"svc-1"};
	tr_aws_call call = {TR_AWS_LATTICE, "GetService", labels, 1, NULL, 0, NULL, 0};

	return tr_aws_client_call(&f->resp, f->c, &call, &f->err);
}

/* The Authorization header of the last request to `prefix`. */
static const char *last_auth(const char *prefix, char *out, size_t cap)
{
	for (size_t i = fake_count(&srv); i-- > 0;)
		if (strncmp(srv.reqs[i].target, prefix, strlen(prefix)) == 0)
			return fake_header(&srv.reqs[i], "Authorization", out, cap);
	return NULL;
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/trellis-aws-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	fake_start(&srv);
	return 0;
}

static int teardown(void **state)
{
	const char *files[] = {"credentials", "config", "token", "auth"};
	char path[512];
	(void)state;

	fake_stop(&srv);
	for (size_t i = 0; i < 4; i++)
		unlink(tmp_path(path, sizeof(path), files[i]));
	rmdir(tmpdir);
	return 0;
}

static void environment_comes_first(void **state)
{
	fixture *f = fx_new();
	char auth[1024];
	(void)state;

	write_file("credentials", "[default]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret\n");
	rt_setenv(&f->t, "AWS_SHARED_CREDENTIALS_FILE", tmp_path(f->paths[0], 512, "credentials"));
	rt_setenv(&f->t, "AWS_ACCESS_KEY_ID", "AKIDENV");
	rt_setenv(&f->t, "AWS_SECRET_ACCESS_KEY", "env-secret");
	fx_client(f);
	assert_int_equal(lattice_call(f), 0);
	assert_non_null(last_auth("/services", auth, sizeof(auth)));
	assert_non_null(strstr(auth, "Credential=AKIDENV/"));
	tr_aws_client_free(f->c);
	/* Without the environment's keys, the profile's are used. */
	rt_setenv(&f->t, "AWS_ACCESS_KEY_ID", NULL);
	fx_client(f);
	assert_int_equal(lattice_call(f), 0);
	assert_non_null(last_auth("/services", auth, sizeof(auth)));
	assert_non_null(strstr(auth, "Credential=AKIDPROFILE/"));
	fx_free(f);
}

static void named_profile_keys_and_region(void **state)
{
	fixture *f = fx_new();
	char auth[1024];
	(void)state;

	write_file("credentials",
		   "# comment\n[default]\naws_access_key_id=AKIDDEFAULT\naws_secret_access_key=x-secret\n"
		   "[dev]\naws_access_key_id = AKIDDEV  \r\naws_secret_access_key = dev-secret\n"
		   "aws_session_token = dev-token-value\n");
	write_file("config", "[default]\nregion = us-east-2\n[profile dev]\nregion = eu-central-1\n"
			     "s3 =\n  max_concurrent_requests = 20\n[sso-session x]\nregion = nowhere\n");
	rt_setenv(&f->t, "AWS_SHARED_CREDENTIALS_FILE", tmp_path(f->paths[0], 512, "credentials"));
	rt_setenv(&f->t, "AWS_CONFIG_FILE", tmp_path(f->paths[1], 512, "config"));
	rt_setenv(&f->t, "AWS_REGION", NULL);
	rt_setenv(&f->t, "AWS_PROFILE", "dev");
	fx_client(f);
	assert_string_equal(tr_aws_client_region(f->c), "eu-central-1");
	assert_int_equal(lattice_call(f), 0);
	assert_non_null(last_auth("/services", auth, sizeof(auth)));
	assert_non_null(strstr(auth, "Credential=AKIDDEV/"));
	assert_non_null(strstr(auth, "/eu-central-1/vpc-lattice/"));
	assert_non_null(strstr(auth, "x-amz-security-token"));
	tr_aws_client_free(f->c);
	/* A profile named explicitly must exist. */
	rt_setenv(&f->t, "AWS_PROFILE", "nope");
	rt_setenv(&f->t, "AWS_REGION", "us-west-2");
	fx_client(f);
	assert_int_equal(lattice_call(f), TR_EAUTH);
	assert_int_equal(f->err.kind, TR_AWS_ERR_CREDENTIALS);
	fx_free(f);
}

static void profile_role_with_source_profile(void **state)
{
	fixture *f = fx_new();
	char auth[1024], tok[256];
	(void)state;

	write_file("credentials", "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n");
	write_file("config", "[profile deploy]\nrole_arn = arn:aws:iam::111122223333:role/deploy\n"
			     "source_profile = base\nrole_session_name = trellis-test\n");
	rt_setenv(&f->t, "AWS_SHARED_CREDENTIALS_FILE", tmp_path(f->paths[0], 512, "credentials"));
	rt_setenv(&f->t, "AWS_CONFIG_FILE", tmp_path(f->paths[1], 512, "config"));
	rt_setenv(&f->t, "AWS_PROFILE", "deploy");
	fx_client(f);
	assert_int_equal(lattice_call(f), 0);
	assert_int_equal(hs.sts_calls, 1);
	/* AssumeRole is signed with the source profile's keys ... */
	assert_non_null(fake_header(&srv.reqs[0], "Authorization", auth, sizeof(auth)));
	assert_non_null(strstr(auth, "Credential=AKIDBASE/"));
	assert_non_null(strstr(auth, "/us-west-2/sts/aws4_request"));
	assert_non_null(strstr(srv.reqs[0].body, "RoleSessionName=trellis-test"));
	assert_non_null(strstr(srv.reqs[0].body, "RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fdeploy"));
	/* ... and the call with the role's. */
	assert_non_null(last_auth("/services", auth, sizeof(auth)));
	assert_non_null(strstr(auth, "Credential=ASIAROLEKEY/"));
	assert_string_equal(fake_header(&srv.reqs[1], "X-Amz-Security-Token", tok, sizeof(tok)),
			    "ROLE-SESSION-TOKEN");
	fx_free(f);
}

static void source_profile_loops_are_caught(void **state)
{
	fixture *f = fx_new();
	(void)state;

	write_file("config", "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
			     "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n");
	rt_setenv(&f->t, "AWS_CONFIG_FILE", tmp_path(f->paths[1], 512, "config"));
	rt_setenv(&f->t, "AWS_SHARED_CREDENTIALS_FILE", tmp_path(f->paths[0], 512, "missing"));
	rt_setenv(&f->t, "AWS_PROFILE", "a");
	fx_client(f);
	assert_int_equal(lattice_call(f), TR_EAUTH);
	assert_int_equal(hs.sts_calls, 0);
	fx_free(f);
}

static void web_identity_is_unsigned_and_rereads_the_token(void **state)
{
	fixture *f = fx_new();
	char auth[1024];
	(void)state;

	write_file("token", "eyJhbGciOiJSUzI1NiJ9.first-token.sig\n");
	rt_setenv(&f->t, "AWS_ROLE_ARN", "arn:aws:iam::111122223333:role/irsa");
	rt_setenv(&f->t, "AWS_WEB_IDENTITY_TOKEN_FILE", tmp_path(f->paths[2], 512, "token"));
	rt_setenv(&f->t, "AWS_ROLE_SESSION_NAME", "pod-1");
	fx_client(f);
	assert_int_equal(lattice_call(f), 0);
	assert_int_equal(hs.sts_calls, 1);
	assert_false(hs.web_call_signed);
	assert_string_equal(hs.last_web_token, "eyJhbGciOiJSUzI1NiJ9.first-token.sig");
	assert_non_null(strstr(srv.reqs[0].body, "RoleSessionName=pod-1"));
	assert_non_null(last_auth("/services", auth, sizeof(auth)));
	assert_non_null(strstr(auth, "Credential=ASIAROLEKEY/"));

	/* 50 minutes later: still valid, no new STS call. */
	f->t.now_ms += 50 * 60 * 1000;
	write_file("token", "eyJhbGciOiJSUzI1NiJ9.rotated-token.sig");
	assert_int_equal(lattice_call(f), 0);
	assert_int_equal(hs.sts_calls, 1);
	/* 56 minutes: inside the 5-minute window, refreshed with the new file. */
	f->t.now_ms += 6 * 60 * 1000;
	assert_int_equal(lattice_call(f), 0);
	assert_int_equal(hs.sts_calls, 2);
	assert_string_equal(hs.last_web_token, "eyJhbGciOiJSUzI1NiJ9.rotated-token.sig");
	fx_free(f);
}

static void web_identity_from_a_profile(void **state)
{
	fixture *f = fx_new();
	char cfg[1024];
	(void)state;

	write_file("token", "profile-web-token");
	snprintf(cfg, sizeof(cfg), "[profile irsa]\nrole_arn = arn:aws:iam::1:role/x\n"
		 "web_identity_token_file = %s/token\n", tmpdir);
	write_file("config", cfg);
	rt_setenv(&f->t, "AWS_CONFIG_FILE", tmp_path(f->paths[1], 512, "config"));
	rt_setenv(&f->t, "AWS_PROFILE", "irsa");
	fx_client(f);
	assert_int_equal(lattice_call(f), 0);
	assert_string_equal(hs.last_web_token, "profile-web-token");
	fx_free(f);
}

static void container_credentials(void **state)
{
	fixture *f = fx_new();
	char url[128], auth[1024];
	(void)state;

	write_file("auth", "CANARY-CONTAINER-AUTH\n");
	snprintf(url, sizeof(url), "%s/container-creds", srv.url);
	rt_setenv(&f->t, "AWS_CONTAINER_CREDENTIALS_FULL_URI", url);
	rt_setenv(&f->t, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", tmp_path(f->paths[3], 512, "auth"));
	fx_client(f);
	assert_int_equal(lattice_call(f), 0);
	assert_int_equal(hs.container_calls, 1);
	assert_non_null(last_auth("/services", auth, sizeof(auth)));
	assert_non_null(strstr(auth, "Credential=ASIAPODKEY/"));
	tr_aws_client_free(f->c);
	/* Plain http to anywhere but loopback or the agent is refused. */
	rt_setenv(&f->t, "AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds");
	fx_client(f);
	assert_int_equal(lattice_call(f), TR_EAUTH);
	assert_int_equal(hs.container_calls, 1);
	fx_free(f);
}

static void imds_v2_credentials(void **state)
{
	fixture *f = fx_new();
	char auth[1024];
	(void)state;

	rt_setenv(&f->t, "AWS_EC2_METADATA_DISABLED", NULL);
	rt_setenv(&f->t, "AWS_EC2_METADATA_SERVICE_ENDPOINT", srv.url);
	fx_client(f);
	assert_int_equal(lattice_call(f), 0);
	assert_int_equal(hs.imds_calls, 3);
	assert_string_equal(srv.reqs[0].method, "PUT");
	assert_string_equal(srv.reqs[2].target, "/latest/meta-data/iam/security-credentials/node-role");
	assert_non_null(last_auth("/services", auth, sizeof(auth)));
	assert_non_null(strstr(auth, "Credential=ASIAIMDSKEY/"));
	/* Cached until close to expiry (6 hours away). */
	f->t.now_ms += 60 * 60 * 1000;
	assert_int_equal(lattice_call(f), 0);
	assert_int_equal(hs.imds_calls, 3);
	tr_aws_client_free(f->c);
	/* Disabled: the chain ends without a request. */
	rt_setenv(&f->t, "AWS_EC2_METADATA_DISABLED", "true");
	fx_client(f);
	assert_int_equal(lattice_call(f), TR_EAUTH);
	assert_int_equal(hs.imds_calls, 3);
	fx_free(f);
}

static void imds_unreachable_fails_fast(void **state)
{
	fixture *f = fx_new();
	(void)state;

	rt_setenv(&f->t, "AWS_EC2_METADATA_DISABLED", NULL);
	rt_setenv(&f->t, "AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1");
	f->cfg.metadata_timeout_ms = 200;
	fx_client(f);
	assert_int_equal(lattice_call(f), TR_EAUTH);
	assert_int_equal(f->err.kind, TR_AWS_ERR_CREDENTIALS);
	fx_free(f);
}

static void whoami_reads_the_identity(void **state)
{
	fixture *f = fx_new();
	tr_aws_identity id;
	(void)state;

	rt_setenv(&f->t, "AWS_ACCESS_KEY_ID", "AKIDENV");
	rt_setenv(&f->t, "AWS_SECRET_ACCESS_KEY", "env-secret");
	fx_client(f);
	assert_int_equal(tr_aws_whoami(&id, f->c, &f->err), 0);
	assert_string_equal(id.account, "111122223333");
	assert_string_equal(id.arn, "arn:aws:sts::111122223333:assumed-role/deploy/s");
	assert_string_equal(id.user_id, "AROAEXAMPLE:s");
	fx_free(f);
}

static void dry_run_still_resolves_reads_only(void **state)
{
	fixture *f = fx_new();
	tr_aws_call create = {TR_AWS_LATTICE, "CreateServiceNetwork", NULL, 0, NULL, 0,
			      "{\"name\":\"sn\"}", 13};
	(void)state;

	rt_setenv(&f->t, "AWS_ROLE_ARN", "arn:aws:iam::1:role/irsa");
	rt_setenv(&f->t, "AWS_WEB_IDENTITY_TOKEN_FILE", tmp_path(f->paths[2], 512, "token"));
	write_file("token", "dry-run-token");
	f->cfg.dry_run = true;
	fx_client(f);
	/* Refused before credentials are even looked up. */
	assert_int_equal(tr_aws_client_call(&f->resp, f->c, &create, &f->err), TR_EREFUSED);
	assert_int_equal(fake_count(&srv), 0);
	/* Reads (and the STS exchange behind them) still work. */
	assert_int_equal(lattice_call(f), 0);
	assert_int_equal(hs.sts_calls, 1);
	fx_free(f);
}

static void profile_parser_rules(void **state)
{
	tr_aws_profiles p;
	const char *text =
		"[default]\nregion=us-east-1\n; c\n# c\n[profile  spaced ]\nKey = v1\n"
		"[not a profile]\nregion = x\n[profile dup]\na = 1\na = 2\n"
		"nested =\n  a = 9\n";
	(void)state;

	tr_aws_profiles_init(&p);
	assert_int_equal(tr_aws_profiles_parse(&p, text, strlen(text), 0), 0);
	assert_string_equal(tr_aws_profiles_get(&p, "default", "region"), "us-east-1");
	assert_string_equal(tr_aws_profiles_get(&p, "spaced", "key"), "v1");
	assert_null(tr_aws_profiles_get(&p, "not a profile", "region"));
	assert_string_equal(tr_aws_profiles_get(&p, "dup", "a"), "2");
	assert_string_equal(tr_aws_profiles_get(&p, "dup", "nested"), "");
	assert_int_equal(tr_aws_profiles_parse(&p, "[default]\nregion=from-creds\n", 27, 1), 0);
	assert_string_equal(tr_aws_profiles_get(&p, "default", "region"), "from-creds");
	tr_aws_profiles_dispose(&p);
}

static void config_file_cap(void **state)
{
	tr_aws_profiles p;
	char path[512];
	FILE *f;
	(void)state;

	tmp_path(path, sizeof(path), "config");
	f = fopen(path, "w");
	assert_non_null(f);
	for (size_t i = 0; i <= TR_AWS_MAX_CONFIG_FILE_BYTES / 16; i++)
		fputs("# padding......\n", f);
	fclose(f);
	tr_aws_profiles_init(&p);
	assert_int_equal(tr_aws_profiles_load(&p, NULL, path), TR_ETOOLARGE);
	tr_aws_profiles_dispose(&p);
	write_file("config", "");
}

/* ---- canaries ------------------------------------------------------------ */

static const char *const canaries[] = {
	"CANARY-ENV-SECRET", "CANARY-ENV-TOKEN", "CANARY-PROFILE-SECRET",
	"CANARY-PROFILE-TOKEN", "CANARY-WEB-IDENTITY-TOKEN", "CANARY-CONTAINER-AUTH",
	"CANARY-POD-SECRET", "CANARY-POD-TOKEN", "CANARY-IMDS-SESSION",
	"CANARY-IMDS-SECRET", "CANARY-IMDS-TOKEN",
};

static void assert_no_canary(const char *text)
{
	for (size_t i = 0; i < sizeof(canaries) / sizeof(canaries[0]); i++)
		if (strstr(text, canaries[i])) {
			print_message("leaked %s in: %s\n", canaries[i], text);
			fail();
		}
}

static void check_outputs(fixture *f)
{
	tr_buf text = TR_BUF_INIT(8192);

	assert_int_equal(tr_aws_error_render(&text, &f->err), 0);
	assert_no_canary(tr_buf_cstr(&text));
	if (f->err.message)
		assert_no_canary(f->err.message);
	for (size_t i = 0; i < f->t.nlog; i++)
		assert_no_canary(f->t.log[i]);
	tr_buf_dispose(&text);
}

static void canaries_never_leak(void **state)
{
	char echo[1024], cfg[1024], url[128];
	enum { ENV, PROFILE, WEB, CONTAINER, IMDS, N } src;
	(void)state;

	/* Every reply echoes the source's secrets back, as a hostile or buggy
	 * service might; the client must scrub each one it was handed. */
	static const char *const echoes[] = {
		"CANARY-ENV-SECRET CANARY-ENV-TOKEN",
		"CANARY-PROFILE-SECRET CANARY-PROFILE-TOKEN",
		"CANARY-WEB-IDENTITY-TOKEN",
		"CANARY-CONTAINER-AUTH CANARY-POD-SECRET CANARY-POD-TOKEN",
		"CANARY-IMDS-SESSION CANARY-IMDS-SECRET CANARY-IMDS-TOKEN",
	};
	for (src = ENV; src < N; src++) {
		fixture *f = fx_new();

		snprintf(echo, sizeof(echo), "%s", echoes[src]);
		hs.echo = echo;
		switch (src) {
		case ENV:
			rt_setenv(&f->t, "AWS_ACCESS_KEY_ID", "AKIDCANARY");
			rt_setenv(&f->t, "AWS_SECRET_ACCESS_KEY", "CANARY-ENV-SECRET");
			rt_setenv(&f->t, "AWS_SESSION_TOKEN", "CANARY-ENV-TOKEN");
			break;
		case PROFILE:
			write_file("credentials", "[default]\naws_access_key_id = AKIDCANARY\n"
				   "aws_secret_access_key = CANARY-PROFILE-SECRET\n"
				   "aws_session_token = CANARY-PROFILE-TOKEN\n");
			rt_setenv(&f->t, "AWS_SHARED_CREDENTIALS_FILE",
				  tmp_path(f->paths[0], 512, "credentials"));
			break;
		case WEB:
			write_file("token", "CANARY-WEB-IDENTITY-TOKEN");
			rt_setenv(&f->t, "AWS_ROLE_ARN", "arn:aws:iam::1:role/x");
			rt_setenv(&f->t, "AWS_WEB_IDENTITY_TOKEN_FILE", tmp_path(f->paths[2], 512, "token"));
			break;
		case CONTAINER:
			write_file("auth", "CANARY-CONTAINER-AUTH");
			snprintf(url, sizeof(url), "%s/container-creds", srv.url);
			rt_setenv(&f->t, "AWS_CONTAINER_CREDENTIALS_FULL_URI", url);
			rt_setenv(&f->t, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
				  tmp_path(f->paths[3], 512, "auth"));
			break;
		case IMDS:
			rt_setenv(&f->t, "AWS_EC2_METADATA_DISABLED", NULL);
			rt_setenv(&f->t, "AWS_EC2_METADATA_SERVICE_ENDPOINT", srv.url);
			break;
		default:
			break;
		}
		fx_client(f);
		assert_true(lattice_call(f) < 0);
		check_outputs(f);
		f->cfg.dry_run = false;
		{
			tr_aws_identity id;
			assert_true(tr_aws_whoami(&id, f->c, &f->err) < 0);
			check_outputs(f);
		}
		fx_free(f);
		write_file("credentials", "");
	}
	/* Malformed secrets are refused without being quoted. */
	{
		fixture *f = fx_new();
		rt_setenv(&f->t, "AWS_ACCESS_KEY_ID", "AKID");
		rt_setenv(&f->t, "AWS_SECRET_ACCESS_KEY", "CANARY-ENV-SECRET with spaces");
		fx_client(f);
		assert_int_equal(lattice_call(f), TR_EAUTH);
		check_outputs(f);
		fx_free(f);
	}
	snprintf(cfg, sizeof(cfg), "%s", "");
	write_file("config", cfg);
}

static void expired_token_refreshes_once(void **state)
{
	fixture *f = fx_new();
	(void)state;

	write_file("token", "token-a");
	rt_setenv(&f->t, "AWS_ROLE_ARN", "arn:aws:iam::1:role/irsa");
	rt_setenv(&f->t, "AWS_WEB_IDENTITY_TOKEN_FILE", tmp_path(f->paths[2], 512, "token"));
	fx_client(f);
	assert_int_equal(lattice_call(f), 0);
	assert_int_equal(hs.sts_calls, 1);
	/* The service says the token expired: new credentials, one retry. */
	write_file("token", "token-b");
	hs.expire_next = 1;
	assert_int_equal(lattice_call(f), 0);
	assert_int_equal(hs.sts_calls, 2);
	assert_string_equal(hs.last_web_token, "token-b");
	/* Twice in a row: reported, not looped on. */
	hs.expire_next = 2;
	assert_int_equal(lattice_call(f), TR_EAUTH);
	assert_string_equal(f->err.code, "ExpiredTokenException");
	assert_int_equal(hs.sts_calls, 3);
	fx_free(f);
}

static void source_profiles_chain_roles(void **state)
{
	fixture *f = fx_new();
	char auth[1024];
	(void)state;

	/* deploy -> (role) middle -> (keys) base: two AssumeRole calls, the
	 * second signed with what the first returned. */
	write_file("credentials", "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n");
	write_file("config", "[profile middle]\nrole_arn = arn:aws:iam::1:role/middle\nsource_profile = base\n"
			     "[profile deploy]\nrole_arn = arn:aws:iam::1:role/deploy\nsource_profile = middle\n");
	rt_setenv(&f->t, "AWS_SHARED_CREDENTIALS_FILE", tmp_path(f->paths[0], 512, "credentials"));
	rt_setenv(&f->t, "AWS_CONFIG_FILE", tmp_path(f->paths[1], 512, "config"));
	rt_setenv(&f->t, "AWS_PROFILE", "deploy");
	fx_client(f);
	assert_int_equal(lattice_call(f), 0);
	assert_int_equal(hs.sts_calls, 2);
	assert_non_null(strstr(srv.reqs[0].body, "role%2Fmiddle"));
	assert_non_null(fake_header(&srv.reqs[0], "Authorization", auth, sizeof(auth)));
	assert_non_null(strstr(auth, "Credential=AKIDBASE/"));
	assert_non_null(strstr(srv.reqs[1].body, "role%2Fdeploy"));
	assert_non_null(fake_header(&srv.reqs[1], "Authorization", auth, sizeof(auth)));
	assert_non_null(strstr(auth, "Credential=ASIAROLEKEY/"));
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(environment_comes_first),
		cmocka_unit_test(named_profile_keys_and_region),
		cmocka_unit_test(profile_role_with_source_profile),
		cmocka_unit_test(source_profiles_chain_roles),
		cmocka_unit_test(source_profile_loops_are_caught),
		cmocka_unit_test(web_identity_is_unsigned_and_rereads_the_token),
		cmocka_unit_test(web_identity_from_a_profile),
		cmocka_unit_test(container_credentials),
		cmocka_unit_test(imds_v2_credentials),
		cmocka_unit_test(imds_unreachable_fails_fast),
		cmocka_unit_test(expired_token_refreshes_once),
		cmocka_unit_test(whoami_reads_the_identity),
		cmocka_unit_test(dry_run_still_resolves_reads_only),
		cmocka_unit_test(profile_parser_rules),
		cmocka_unit_test(config_file_cap),
		cmocka_unit_test(canaries_never_leak),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
