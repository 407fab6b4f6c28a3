/*
 * trellis: one-shot GitOps for Amazon VPC Lattice. main wires the process
 * (library initialisation, streams, secret scrubbing) and dispatches to the
 * command; commands live in src/cli/, the pipeline stages in src/<stage>/.
 */
#include <curl/curl.h>
#include <git2.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "util/limits.h"

static int run_help(tr_cli *cli)
{
	tr_buf out = TR_BUF_INIT(TR_MAX_OUTPUT_BYTES);
	const char *doc = cli->args.help_doc;
	int rc = TR_EXIT_OK;

	if (doc && strcmp(doc, "man") == 0)
		rc = tr_cli_man(&out) < 0 ? TR_EXIT_ERROR : TR_EXIT_OK;
	else if (doc)
		rc = tr_cli_completion_bash(&out) < 0 ? TR_EXIT_ERROR
						      : TR_EXIT_OK;
	else
		tr_cli_help(&out, cli->args.command == TR_CMD_HELP
					  ? TR_CMD_NONE
					  : cli->args.command);
	if (rc == TR_EXIT_OK)
		tr_cli_write(cli, cli->out, &out);
	tr_buf_dispose(&out);
	return rc;
}

static int dispatch(tr_cli *cli)
{
	if (cli->args.command == TR_CMD_HELP || cli->args.help)
		return run_help(cli);
	switch (cli->args.command) {
	case TR_CMD_VALIDATE:
		return tr_cmd_validate(cli);
	case TR_CMD_APPLY:
		return tr_cmd_apply(cli);
	case TR_CMD_PLAN:
		return tr_cmd_plan(cli);
	case TR_CMD_DIFF:
		return tr_cmd_diff(cli);
	case TR_CMD_RENDER:
		return tr_cmd_render(cli);
	case TR_CMD_WHOAMI:
		return tr_cmd_whoami(cli);
	case TR_CMD_EXPLAIN_ACCESS:
		return tr_cmd_explain_access(cli);
	case TR_CMD_VERSION:
		return tr_cmd_version(cli);
	default:
		return tr_cmd_not_built(cli);
	}
}

static int64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* plan and apply are the runs a CronJob or CI step makes: they end with
 * the summary line alerting matches (docs/operations.md). */
static bool is_run(const tr_cli *cli)
{
	return !cli->args.help && (cli->args.command == TR_CMD_PLAN ||
				   cli->args.command == TR_CMD_APPLY);
}

int main(int argc, char **argv)
{
	int64_t start = monotonic_ms();
	tr_cli cli;
	int rc;

	memset(&cli, 0, sizeof(cli));
	cli.out = stdout;
	cli.err = stderr;
	cli.argv0 = argv[0];
	tr_redactor_init(&cli.redactor);
	tr_buf_init(&cli.known_hosts_default, TR_MAX_PATH_BYTES);
	rc = tr_cli_parse(&cli, argc, argv);
	if (rc != 0 && is_run(&cli))
		tr_cli_print_summary(&cli, rc, monotonic_ms() - start);
	if (rc == 0) {
		git_libgit2_init();
		curl_global_init(CURL_GLOBAL_DEFAULT);
		rc = dispatch(&cli);
		if (is_run(&cli))
			tr_cli_print_summary(&cli, rc, monotonic_ms() - start);
		curl_global_cleanup();
		git_libgit2_shutdown();
	}
	tr_redactor_dispose(&cli.redactor);
	tr_buf_dispose(&cli.known_hosts_default);
	return rc;
}
