/*
 * Starting and stopping tests/emulator/run for a cmocka group: the tests
 * that talk to the emulator share this so they fail the same way when it
 * cannot start (a missing emulator is a failure, never a skip).
 * TRELLIS_EMULATOR_RUN overrides where the script is.
 */
#ifndef TR_TEST_EMULATOR_PROC_H
#define TR_TEST_EMULATOR_PROC_H

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* Starts the emulator on a free port; fills url ("http://127.0.0.1:PORT")
 * and *pid. -1 (with a line on stderr naming `who`) when it did not start. */
static inline int emulator_start(pid_t *pid, char *url, size_t url_cap,
				 const char *who)
{
	const char *run = getenv("TRELLIS_EMULATOR_RUN");
	const char *src = getenv("TRELLIS_SOURCE_DIR");
	char path[1024], line[256];
	size_t len = 0;
	int fds[2];

	*pid = -1;
	if (!run) {
		snprintf(path, sizeof(path), "%s/tests/emulator/run",
			 src ? src : TR_TEST_DATA_DIR "/../..");
		run = path;
	}
	if (access(run, X_OK) != 0) {
		fprintf(stderr, "%s: %s is missing\n", who, run);
		return -1;
	}
	if (pipe(fds) != 0)
		return -1;
	*pid = fork();
	if (*pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execl(run, run, "--port", "0", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	/* First line: "listening http://127.0.0.1:PORT" (npm may run first). */
	while (*pid > 0 && len < sizeof(line) - 1) {
		struct pollfd pf = {fds[0], POLLIN, 0};
		ssize_t n;

		if (poll(&pf, 1, 120000) <= 0)
			break;
		n = read(fds[0], line + len, 1);
		if (n <= 0 || line[len] == '\n')
			break;
		len++;
	}
	line[len] = '\0';
	close(fds[0]);
	if (strncmp(line, "listening ", 10) != 0) {
		fprintf(stderr, "%s: the emulator at %s did not start (first line: \"%s\")\n",
			who, run, line);
		if (*pid > 0) {
			kill(*pid, SIGTERM);
			waitpid(*pid, NULL, 0);
		}
		*pid = -1;
		return -1;
	}
	snprintf(url, url_cap, "%s", line + 10);
	return 0;
}

static inline void emulator_stop(pid_t *pid)
{
	if (*pid > 0) {
		kill(*pid, SIGTERM);
		waitpid(*pid, NULL, 0);
	}
	*pid = -1;
}

/* The environment a test's client sees (its tr_aws_runtime getenv): the
 * emulator's test credentials and endpoint `url`, nothing from the real
 * environment, so a developer's AWS settings never leak into a test. */
static inline const char *emulator_env(const char *url, const char *name)
{
	static const char *const fixed[][2] = {
		{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
		{"AWS_SECRET_ACCESS_KEY",
		 "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"},
		{"AWS_REGION", "us-west-2"},
		{"AWS_EC2_METADATA_DISABLED", "true"},
	};

	if (strcmp(name, "AWS_ENDPOINT_URL") == 0)
		return url;
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (strcmp(fixed[i][0], name) == 0)
			return fixed[i][1];
	return NULL;
}

#endif
