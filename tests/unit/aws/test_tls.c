/*
 * Certificate verification is always on: an HTTPS endpoint with a
 * certificate nobody vouches for is refused, AWS_CA_BUNDLE makes it
 * trusted, and the host name must still match. Uses tls_server.py and the
 * openssl command; a missing tool fails the tests (ci/install-deps
 * installs both).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include "aws/client.h"
#include "util/alloc.h"

#define SERVER_SCRIPT TR_TEST_DATA_DIR "/../unit/aws/tls_server.py"

static char dir[128], cert[256], key[256];
static pid_t server = -1;
static int port;
static const char *env[8][2];

static const char *lookup(void *ctx, const char *name)
{
	(void)ctx;
	for (size_t i = 0; i < 8 && env[i][0]; i++)
		if (strcmp(env[i][0], name) == 0)
			return env[i][1];
	return NULL;
}

static int run(const char *const argv[])
{
	pid_t pid = fork();
	int status = 0;

	if (pid == 0) {
		int null = open("/dev/null", 1);
		dup2(null, 1);
		dup2(null, 2);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int setup(void **state)
{
	char line[32];
	size_t len = 0;
	int fds[2];
	(void)state;

	snprintf(dir, sizeof(dir), "/tmp/trellis-tls-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	{
		const char *const argv[] = {
			"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
			"-keyout", key, "-out", cert, "-days", "1", "-subj",
			"/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", NULL};
		if (run(argv) != 0) {
			/* A missing tool fails the test: ci/install-deps
			 * installs openssl and python3. */
			fprintf(stderr, "test_tls: openssl could not make a "
					"certificate\n");
			return -1;
		}
	}
	if (pipe(fds) != 0)
		return -1;
	server = fork();
	if (server == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execlp("python3", "python3", SERVER_SCRIPT, cert, key, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while (len < sizeof(line) - 1) {
		struct pollfd pf = {fds[0], POLLIN, 0};
		if (poll(&pf, 1, 20000) <= 0 || read(fds[0], line + len, 1) != 1 ||
		    line[len] == '\n')
			break;
		len++;
	}
	line[len] = '\0';
	close(fds[0]);
	port = (int)strtol(line, NULL, 10);
	if (port <= 0) {
		kill(server, SIGTERM);
		waitpid(server, NULL, 0);
		server = -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (server > 0) {
		kill(server, SIGTERM);
		waitpid(server, NULL, 0);
	}
	unlink(cert);
	unlink(key);
	rmdir(dir);
	return 0;
}

static int call_with(const char *host, const char *bundle, tr_aws_error *err)
{
	static const tr_aws_runtime rt = {lookup, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
	char url[128];
	const char *labels[] = {"svc-1"};
	tr_aws_call call = {TR_AWS_LATTICE, "GetService", labels, 1, NULL, 0, NULL, 0};
	tr_aws_config cfg = {0};
	tr_aws_client *c = NULL;
	tr_aws_response r;
	int rc;

	snprintf(url, sizeof(url), "https://%s:%d", host, port);
	memset(env, 0, sizeof(env));
	env[0][0] = "AWS_ACCESS_KEY_ID", env[0][1] = "AKIDEXAMPLE";
	env[1][0] = "AWS_SECRET_ACCESS_KEY", env[1][1] = "SECRETSECRET";
	env[2][0] = "AWS_REGION", env[2][1] = "us-west-2";
	env[3][0] = "AWS_ENDPOINT_URL", env[3][1] = url;
	env[4][0] = "AWS_CA_BUNDLE", env[4][1] = bundle;
	cfg.max_attempts = 1;
	assert_int_equal(tr_aws_client_new(&c, &cfg, &rt), 0);
	tr_aws_response_init(&r);
	rc = tr_aws_client_call(&r, c, &call, err);
	tr_aws_response_dispose(&r);
	tr_aws_client_free(c);
	return rc;
}

static void untrusted_certificates_are_refused(void **state)
{
	tr_aws_error err;
	(void)state;

	if (server <= 0)
		fail_msg("the TLS test server did not start");
	tr_aws_error_init(&err);
	/* The system store does not know this certificate. */
	assert_int_equal(call_with("127.0.0.1", "/etc/ssl/certs/ca-certificates.crt", &err), TR_EIO);
	assert_int_equal(err.kind, TR_AWS_ERR_TRANSPORT);
	assert_non_null(strstr(err.message, "certificate"));
	tr_aws_error_dispose(&err);
}

static void ca_bundle_is_honoured(void **state)
{
	tr_aws_error err;
	(void)state;

	if (server <= 0)
		fail_msg("the TLS test server did not start");
	tr_aws_error_init(&err);
	assert_int_equal(call_with("127.0.0.1", cert, &err), 0);
	tr_aws_error_dispose(&err);
}

static void host_names_are_checked(void **state)
{
	tr_aws_error err;
	(void)state;

	if (server <= 0)
		fail_msg("the TLS test server did not start");
	tr_aws_error_init(&err);
	/* Trusted certificate, wrong name: localhost is not in its SANs. */
	assert_int_equal(call_with("localhost", cert, &err), TR_EIO);
	tr_aws_error_dispose(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(untrusted_certificates_are_refused),
		cmocka_unit_test(ca_bundle_is_honoured),
		cmocka_unit_test(host_names_are_checked),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
