/*
 * Against real servers on loopback, started by git-servers.sh: HTTPS with
 * basic auth (lighttpd + git http-backend, a CA made at test time) and SSH
 * (sshd with its own host key and authorized_keys). Covers the diagnostics
 * users will meet: bad password, no credentials, untrusted certificate,
 * unknown or mismatching host key, refused key, unreachable port; and
 * checks that a secret in the URL never reaches any rendered diagnostic.
 */
#include "fixture.h"

#include <signal.h>

#include "util/errors.h"

#ifndef TR_TEST_DATA_DIR
#error "TR_TEST_DATA_DIR is set by tests/CMakeLists.txt"
#endif

/* tests/data may not exist; its parent, tests/, does. */
static void servers_script(char *out, size_t n)
{
	const char *data = TR_TEST_DATA_DIR;
	const char *slash = strrchr(data, '/');

	snprintf(out, n, "%.*s/unit/source/git-servers.sh",
		 (int)(slash ? slash - data : 0), data);
}

/*
 * libgit2 1.5.1's SSH transport never frees the libssh2 known_hosts list it
 * creates for each session (nor the git_str holding its path), and libssh2
 * 1.10 leaks the method list of a refused userauth. Those allocations all
 * happen under git_remote_connect_ext during an SSH connect; LeakSanitizer
 * is told to ignore them in this test binary only. Our own allocations in
 * the callbacks are freed before connect returns, and valgrind runs over
 * the same paths without this list.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	/* libgit2 has no frame pointers: the slow unwinder is needed for the
	 * stacks to reach git_remote_connect_ext. */
	return "fast_unwind_on_malloc=0";
}

const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libssh2.so\n"
	       "leak:git_remote_connect_ext\n";
}

typedef struct servers {
	char dir[256];
	char commit[64];
	char https_port[16], ssh_port[16];
	char user[64], password[64];
	char ca[512], other_ca[512];
	char ssh_user[64], ssh_key[512], stranger_key[512];
	char known_hosts[512], known_hosts_hashed[512], known_hosts_wrong[512];
	char known_hosts_other_port[512];
	char repo_path[512];
	char pids[256];
	char locked_key[512], locked_passphrase[64];
	char agent_sock[512], empty_agent_sock[512];
} servers;

static servers S;

static void env_get(const char *text, const char *key, char *out, size_t n)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			size_t len = strcspn(p + klen + 1, "\n");

			if (len >= n)
				fail_msg("%s too long", key);
			memcpy(out, p + klen + 1, len);
			out[len] = '\0';
			return;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	fail_msg("git-servers.sh wrote no %s", key);
}

static int servers_start(void **state)
{
	char tmpl[] = "/tmp/trellis-test-servers-XXXXXX";
	char cmd[1400], text[8192], path[400], script[512];
	FILE *fp;
	size_t len;

	if (fx_group_setup(state) < 0)
		return -1;
	if (!mkdtemp(tmpl))
		return -1;
	snprintf(S.dir, sizeof(S.dir), "%s", tmpl);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
	servers_script(script, sizeof(script));
	snprintf(cmd, sizeof(cmd), "bash '%s' start '%s' %ld", script, S.dir,
		 (long)getpid());
	if (system(cmd) != 0) {
		fprintf(stderr, "FAIL: could not start the git servers (see "
				"above); nothing is skipped\n");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/env", S.dir);
	fp = fopen(path, "r");
	if (!fp)
		return -1;
	len = fread(text, 1, sizeof(text) - 1, fp);
	text[len] = '\0';
	fclose(fp);
	env_get(text, "COMMIT", S.commit, sizeof(S.commit));
	env_get(text, "HTTPS_PORT", S.https_port, sizeof(S.https_port));
	env_get(text, "HTTP_USER", S.user, sizeof(S.user));
	env_get(text, "HTTP_PASSWORD", S.password, sizeof(S.password));
	env_get(text, "CA", S.ca, sizeof(S.ca));
	env_get(text, "OTHER_CA", S.other_ca, sizeof(S.other_ca));
	env_get(text, "SSH_PORT", S.ssh_port, sizeof(S.ssh_port));
	env_get(text, "SSH_USER", S.ssh_user, sizeof(S.ssh_user));
	env_get(text, "SSH_KEY", S.ssh_key, sizeof(S.ssh_key));
	env_get(text, "STRANGER_KEY", S.stranger_key, sizeof(S.stranger_key));
	env_get(text, "KNOWN_HOSTS", S.known_hosts, sizeof(S.known_hosts));
	env_get(text, "KNOWN_HOSTS_HASHED", S.known_hosts_hashed,
		sizeof(S.known_hosts_hashed));
	env_get(text, "KNOWN_HOSTS_WRONG", S.known_hosts_wrong,
		sizeof(S.known_hosts_wrong));
	env_get(text, "KNOWN_HOSTS_OTHER_PORT", S.known_hosts_other_port,
		sizeof(S.known_hosts_other_port));
	env_get(text, "REPO_PATH", S.repo_path, sizeof(S.repo_path));
	env_get(text, "PIDS", S.pids, sizeof(S.pids));
	env_get(text, "LOCKED_KEY", S.locked_key, sizeof(S.locked_key));
	env_get(text, "LOCKED_PASSPHRASE", S.locked_passphrase,
		sizeof(S.locked_passphrase));
	env_get(text, "AGENT_SOCK", S.agent_sock, sizeof(S.agent_sock));
	env_get(text, "EMPTY_AGENT_SOCK", S.empty_agent_sock,
		sizeof(S.empty_agent_sock));
	return 0;
}

static int servers_stop(void **state)
{
	char cmd[1400], script[512];
	const char *p = S.pids;

	/* Stop the servers by their ids first: that needs neither the
	 * script nor the folder to still exist. */
	while (*p) {
		char *end;
		long pid = strtol(p, &end, 10);

		if (end == p)
			break;
		if (pid > 1)
			kill((pid_t)pid, SIGTERM);
		p = end;
	}
	if (S.dir[0]) {
		servers_script(script, sizeof(script));
		snprintf(cmd, sizeof(cmd), "bash '%s' stop '%s'; rm -rf '%s'",
			 script, S.dir, S.dir);
		if (system(cmd) != 0)
			fprintf(stderr, "warning: cleanup of %s failed\n", S.dir);
	}
	return fx_group_teardown(state);
}

static void https_url(char *out, size_t n, const char *userinfo)
{
	snprintf(out, n, "https://%s%s127.0.0.1:%s/git/origin.git",
		 userinfo ? userinfo : "", userinfo ? "@" : "", S.https_port);
}

static void ssh_url(char *out, size_t n)
{
	snprintf(out, n, "ssh://%s@127.0.0.1:%s%s", S.ssh_user, S.ssh_port,
		 S.repo_path);
}

/* Opens and reads; on success checks the tree is the served one. */
static int fetch(fx *f, const tr_source_options *o)
{
	tr_source *src = NULL;
	tr_source_tree t;
	int error;
	static const char *const want[] = {"clusters/a/gw.yaml",
					   "trellis.yaml"};

	error = tr_source_open(&src, o, &f->diag);
	if (error < 0) {
		assert_null(src);
		return error;
	}
	assert_int_equal(tr_source_read(&t, src, NULL, &f->diag), 0);
	fx_expect_paths(&t, want, 2);
	assert_string_equal(t.commit, S.commit);
	tr_source_tree_dispose(&t);
	tr_source_free(src);
	return 0;
}

static void assert_rendered_has_no(const fx *f, const char *secret)
{
	char *text = fx_render(&f->diag);

	if (strstr(text, secret))
		fail_msg("secret leaked into diagnostics:\n%s", text);
	free(text);
}

static void https_basic_auth_from_options(void **state)
{
	fx *f = *state;
	tr_source_options o = {0};
	char url[256], tmp[512];

	https_url(url, sizeof(url), NULL);
	fx_path(tmp, sizeof(tmp), f, "");
	o.repo = url;
	o.tmp_dir = tmp;
	o.ca_file = S.ca;
	o.username = S.user;
	o.password = S.password;
	o.ref = "v1";
	assert_int_equal(fetch(f, &o), 0);
	assert_int_equal(f->diag.count, 0);
}

static void https_credentials_from_the_url(void **state)
{
	fx *f = *state;
	tr_source_options o = {0};
	char url[256], userinfo[160], tmp[512];
	tr_source *src = NULL;

	snprintf(userinfo, sizeof(userinfo), "%s:%s", S.user, S.password);
	https_url(url, sizeof(url), userinfo);
	fx_path(tmp, sizeof(tmp), f, "");
	o.repo = url;
	o.tmp_dir = tmp;
	o.ca_file = S.ca;
	assert_int_equal(fetch(f, &o), 0);

	/* Every failure after the URL is known must keep it redacted. */
	o.ref = "no-such-tag";
	assert_int_equal(tr_source_open(&src, &o, &f->diag), TR_ENOTFOUND);
	fx_expect_diag(&f->diag, "source.ref-not-found", NULL,
		       "trellis:***@127.0.0.1");
	o.ref = NULL;
	o.path = "nope";
	assert_int_equal(tr_source_open(&src, &o, &f->diag), 0);
	{
		tr_source_tree t;

		assert_null(strstr(tr_source_display(src), S.password));
		assert_int_equal(tr_source_read(&t, src, NULL, &f->diag),
				 TR_ENOTFOUND);
		tr_source_tree_dispose(&t);
	}
	tr_source_free(src);
	assert_rendered_has_no(f, S.password);
}

static void https_display_is_redacted(void **state)
{
	fx *f = *state;
	tr_source_options o = {0};
	char url[256], userinfo[160], want[256], tmp[512];
	tr_source *src = NULL;

	snprintf(userinfo, sizeof(userinfo), "%s:%s", S.user, S.password);
	https_url(url, sizeof(url), userinfo);
	https_url(want, sizeof(want), "trellis:***");
	fx_path(tmp, sizeof(tmp), f, "");
	o.repo = url;
	o.tmp_dir = tmp;
	o.ca_file = S.ca;
	assert_int_equal(tr_source_open(&src, &o, &f->diag), 0);
	assert_string_equal(tr_source_display(src), want);
	tr_source_free(src);
}

static void https_wrong_password_fails_once_and_clearly(void **state)
{
	fx *f = *state;
	tr_source_options o = {0};
	char url[256], tmp[512];
	static const char canary[] = "SECRET-CANARY-wrong-9f3a";

	fx_path(tmp, sizeof(tmp), f, "");
	/* In the options ... */
	https_url(url, sizeof(url), NULL);
	o.repo = url;
	o.tmp_dir = tmp;
	o.ca_file = S.ca;
	o.username = S.user;
	o.password = canary;
	assert_int_equal(fetch(f, &o), TR_EAUTH);
	fx_expect_diag(&f->diag, "source.auth-failed", NULL,
		       "refused the credentials for user 'trellis'");
	/* ... and in the URL. */
	https_url(url, sizeof(url), "trellis:SECRET-CANARY-wrong-9f3a");
	o.username = o.password = NULL;
	assert_int_equal(fetch(f, &o), TR_EAUTH);
	/* A token alone in the userinfo is a secret too. */
	https_url(url, sizeof(url), "SECRET-CANARY-wrong-9f3a");
	assert_int_equal(fetch(f, &o), TR_EAUTH);
	assert_int_equal(f->diag.count, 3);
	assert_rendered_has_no(f, "CANARY");
}

static void https_token_without_user(void **state)
{
	fx *f = *state;
	tr_source_options o = {0};
	char url[256], tmp[512];

	fx_path(tmp, sizeof(tmp), f, "");
	https_url(url, sizeof(url), NULL);
	o.repo = url;
	o.tmp_dir = tmp;
	o.ca_file = S.ca;
	o.password = "SECRET-CANARY-token-0";
	/* The server knows no x-access-token user: refused, with the
	 * user named and the token hidden. */
	assert_int_equal(fetch(f, &o), TR_EAUTH);
	fx_expect_diag(&f->diag, "source.auth-failed", NULL,
		       "user 'x-access-token'");
	assert_rendered_has_no(f, "CANARY");
}

static void https_without_credentials_says_so(void **state)
{
	fx *f = *state;
	tr_source_options o = {0};
	char url[256], tmp[512];

	fx_path(tmp, sizeof(tmp), f, "");
	https_url(url, sizeof(url), NULL);
	o.repo = url;
	o.tmp_dir = tmp;
	o.ca_file = S.ca;
	assert_int_equal(fetch(f, &o), TR_EAUTH);
	fx_expect_diag(&f->diag, "source.auth-failed", NULL, "none were given");
}

static void https_untrusted_certificate_fails(void **state)
{
	fx *f = *state;
	tr_source_options o = {0};
	char url[256], userinfo[160], tmp[512];

	fx_path(tmp, sizeof(tmp), f, "");
	snprintf(userinfo, sizeof(userinfo), "%s:%s", S.user, S.password);
	https_url(url, sizeof(url), userinfo);
	o.repo = url;
	o.tmp_dir = tmp;
	o.ca_file = S.other_ca;
	assert_int_equal(fetch(f, &o), TR_EAUTH);
	fx_expect_diag(&f->diag, "source.tls", NULL, "not trusted");
	assert_rendered_has_no(f, S.password);

	o.ca_file = "/nonexistent/ca.pem";
	assert_true(fetch(f, &o) < 0);
	fx_expect_diag(&f->diag, "source.tls", NULL, "/nonexistent/ca.pem");
	assert_rendered_has_no(f, S.password);
}

static void unreachable_port_is_one_line(void **state)
{
	fx *f = *state;
	tr_source_options o = {0};
	char tmp[512];

	fx_path(tmp, sizeof(tmp), f, "");
	/* Port 1 on loopback: nothing listens there. */
	o.repo = "https://trellis:SECRET-CANARY-x1@127.0.0.1:1/git/origin.git";
	o.tmp_dir = tmp;
	o.ca_file = S.ca;
	assert_int_equal(fetch(f, &o), TR_EIO);
	fx_expect_diag(&f->diag, "source.unreachable", NULL,
		       "https://trellis:***@127.0.0.1:1/git/origin.git");
	/* A repository the server does not have. */
	{
		char url[256];

		snprintf(url, sizeof(url),
			 "https://trellis:%s@127.0.0.1:%s/git/missing.git",
			 S.password, S.https_port);
		o.repo = url;
		assert_true(fetch(f, &o) < 0);
		fx_expect_diag(&f->diag, "source.unreachable", NULL,
			       "missing.git");
	}
	assert_rendered_has_no(f, "CANARY");
}

static void ssh_with_key_and_known_hosts(void **state)
{
	fx *f = *state;
	tr_source_options o = {0};
	char url[768], tmp[512];

	fx_path(tmp, sizeof(tmp), f, "");
	ssh_url(url, sizeof(url));
	o.repo = url;
	o.tmp_dir = tmp;
	o.ssh_key = S.ssh_key;
	o.ssh_known_hosts = S.known_hosts;
	assert_int_equal(fetch(f, &o), 0);
	o.ssh_known_hosts = S.known_hosts_hashed;
	o.ref = "v1";
	assert_int_equal(fetch(f, &o), 0);
	assert_int_equal(f->diag.count, 0);
}

static void ssh_cache_reuse(void **state)
{
	fx *f = *state;
	tr_source_options o = {0};
	char url[768], cache[512];

	fx_path(cache, sizeof(cache), f, "cache");
	ssh_url(url, sizeof(url));
	o.repo = url;
	o.cache_dir = cache;
	o.ssh_key = S.ssh_key;
	o.ssh_known_hosts = S.known_hosts;
	assert_int_equal(fetch(f, &o), 0);
	assert_int_equal(fetch(f, &o), 0);
	assert_int_equal(f->diag.count, 0);
}

static void ssh_host_key_mismatch_and_unknown(void **state)
{
	fx *f = *state;
	tr_source_options o = {0};
	char url[768], tmp[512], empty[512];

	fx_path(tmp, sizeof(tmp), f, "");
	fx_write(f, "empty_known_hosts", "# nothing\n");
	fx_path(empty, sizeof(empty), f, "empty_known_hosts");
	ssh_url(url, sizeof(url));
	o.repo = url;
	o.tmp_dir = tmp;
	o.ssh_key = S.ssh_key;

	o.ssh_known_hosts = S.known_hosts_wrong;
	assert_int_equal(fetch(f, &o), TR_EAUTH);
	fx_expect_diag(&f->diag, "source.host-key", NULL, "does not match");
	fx_expect_diag(&f->diag, "source.host-key", NULL, "SHA256:");

	o.ssh_known_hosts = empty;
	assert_int_equal(fetch(f, &o), TR_EAUTH);
	fx_expect_diag(&f->diag, "source.host-key", NULL,
		       "is not in known_hosts");

	/* The key is known for another port of the same host only. */
	o.ssh_known_hosts = S.known_hosts_other_port;
	assert_int_equal(fetch(f, &o), TR_EAUTH);

	o.ssh_known_hosts = NULL;
	assert_int_equal(fetch(f, &o), TR_EAUTH);
	fx_expect_diag(&f->diag, "source.host-key", NULL,
		       "no known_hosts file given");
	assert_int_equal(f->diag.count, 4);
}

static void ssh_refused_key_fails_instead_of_looping(void **state)
{
	fx *f = *state;
	tr_source_options o = {0};
	char url[768], tmp[512];

	fx_path(tmp, sizeof(tmp), f, "");
	ssh_url(url, sizeof(url));
	o.repo = url;
	o.tmp_dir = tmp;
	o.ssh_known_hosts = S.known_hosts;
	o.ssh_key = S.stranger_key;
	assert_int_equal(fetch(f, &o), TR_EAUTH);
	fx_expect_diag(&f->diag, "source.auth-failed", NULL, "stranger_key");
	assert_int_equal(f->diag.count, 1);
}

static void ssh_key_with_passphrase(void **state)
{
	fx *f = *state;
	tr_source_options o = {0};
	char url[768], tmp[512];

	fx_path(tmp, sizeof(tmp), f, "");
	ssh_url(url, sizeof(url));
	o.repo = url;
	o.tmp_dir = tmp;
	o.ssh_known_hosts = S.known_hosts;
	o.ssh_key = S.locked_key;
	o.ssh_key_passphrase = S.locked_passphrase;
	assert_int_equal(fetch(f, &o), 0);
	assert_int_equal(f->diag.count, 0);

	o.ssh_key_passphrase = "not-the-SECRET-CANARY-pass";
	assert_int_equal(fetch(f, &o), TR_EAUTH);
	fx_expect_diag(&f->diag, "source.auth-failed", NULL, "locked_key");
	assert_rendered_has_no(f, "CANARY");
}

/*
 * The module never reads the environment, but libssh2 finds the agent
 * through SSH_AUTH_SOCK itself: the test sets it as a user's shell would.
 */
static void ssh_agent(void **state)
{
	fx *f = *state;
	tr_source_options o = {0};
	char url[768], tmp[512];
	const char *saved = getenv("SSH_AUTH_SOCK");
	char *restore = saved ? strdup(saved) : NULL;

	fx_path(tmp, sizeof(tmp), f, "");
	ssh_url(url, sizeof(url));
	o.repo = url;
	o.tmp_dir = tmp;
	o.ssh_known_hosts = S.known_hosts;
	setenv("SSH_AUTH_SOCK", S.agent_sock, 1);
	assert_int_equal(fetch(f, &o), 0);
	assert_int_equal(f->diag.count, 0);

	/* An agent without keys: refused once, then a clear failure. */
	setenv("SSH_AUTH_SOCK", S.empty_agent_sock, 1);
	assert_int_equal(fetch(f, &o), TR_EAUTH);
	fx_expect_diag(&f->diag, "source.auth-failed", NULL, "agent");

	/* No agent at all. */
	setenv("SSH_AUTH_SOCK", "/nonexistent/agent.sock", 1);
	assert_int_equal(fetch(f, &o), TR_EAUTH);
	assert_int_equal(f->diag.count, 2);
	if (restore)
		setenv("SSH_AUTH_SOCK", restore, 1);
	else
		unsetenv("SSH_AUTH_SOCK");
	free(restore);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
		T(https_basic_auth_from_options),
		T(https_credentials_from_the_url),
		T(https_display_is_redacted),
		T(https_wrong_password_fails_once_and_clearly),
		T(https_token_without_user),
		T(https_without_credentials_says_so),
		T(https_untrusted_certificate_fails),
		T(unreachable_port_is_one_line),
		T(ssh_with_key_and_known_hosts),
		T(ssh_cache_reuse),
		T(ssh_host_key_mismatch_and_unknown),
		T(ssh_refused_key_fails_instead_of_looping),
		T(ssh_key_with_passphrase),
		T(ssh_agent),
#undef T
	};

	return cmocka_run_group_tests(tests, servers_start, servers_stop);
}
