/*
 * The command line: the only part of trellis that reads argv and the
 * environment, prints, and picks exit codes (DESIGN.md §2).
 */
#ifndef TR_CLI_CLI_H
#define TR_CLI_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "aws/client.h"
#include "aws/credentials.h"
#include "diag/diag.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/redact.h"

enum {
	TR_EXIT_OK = 0,
	TR_EXIT_ERROR = 1,
	TR_EXIT_CHANGES = 2, /* plan --detailed-exitcode: changes pending */
	TR_EXIT_USAGE = 64
};

typedef enum tr_cli_command {
	TR_CMD_NONE = 0,
	TR_CMD_VALIDATE,
	TR_CMD_PLAN,
	TR_CMD_APPLY,
	TR_CMD_RENDER,
	TR_CMD_DIFF,
	TR_CMD_VERSION,
	TR_CMD_WHOAMI,
	TR_CMD_EXPLAIN_ACCESS,
	TR_CMD_HELP,
	TR_CMD_COUNT
} tr_cli_command;

typedef struct tr_cli_args {
	tr_cli_command command;
	bool help;
	const char *help_doc; /* help --man: "man"; --completion SHELL: SHELL */
	bool verbose;
	bool debug;
	/* SOURCE */
	const char *repo;
	const char *ref;
	const char *path;        /* the first --path (one config: the only) */
	const char *config;      /* the first --config */
	/* Every --path and --config, in order (plan, apply, validate and
	 * render take several: one config, a "unit", per pair). */
	const char *paths[TR_MAX_UNITS];
	const char *configs[TR_MAX_UNITS];
	size_t path_count;
	size_t config_count;
	const char *cache_dir;
	const char *ca_file;
	const char *ssh_key;
	const char *known_hosts;
	/* commit signatures (trust root) */
	const char *verify_keys;
	const char *allowed_signers;
	bool require_signed;
	/* output */
	const char *format;
	const char *color;
	/* plan / apply / diff */
	const char *out;
	const char *plan_file;
	const char *from;
	const char *to;
	bool detailed_exitcode;
	bool dry_run;
	bool prune;
	bool allow_unsupported;
	bool summary;
	bool adopt;
	int64_t max_deletes; /* -1 = from the config */
	bool allow_delete_all;
	const char *report;      /* apply: JSON report file */
	const char *log_format;  /* text (default) or json */
	/* --shard INDEX/COUNT (or TRELLIS_SHARD); shard_count 0: unsharded */
	uint32_t shard_index;
	uint32_t shard_count;
	/* explain-access */
	const char *from_cluster;
	const char *role;
	const char *to_route;
	const char *account;
	const char *method;
	const char *request_path;
} tr_cli_args;

/* What a plan or apply run did, for the summary line main prints last
 * (docs/operations.md). */
typedef struct tr_cli_run {
	bool recorded;
	size_t units;           /* configs run (several --path/--config) */
	size_t errors, warnings;
	size_t create, update, replace, remove;
	size_t done, failed, skipped;
	char commit[41];
} tr_cli_run;

/* What a command needs from the process: streams and the secret scrubber.
 * Everything printed goes through tr_cli_print so secrets never leak. */
typedef struct tr_cli {
	FILE *out;
	FILE *err;
	tr_redactor redactor;
	tr_cli_args args;
	const char *argv0;
	tr_buf known_hosts_default; /* ~/.ssh/known_hosts, built once */
	tr_aws_runtime aws_runtime;
	tr_aws_client *aws;   /* while one exists: its secrets are scrubbed */
	tr_cli_run run;
} tr_cli;

/* Parses argv; on bad usage prints a one-line reason and a hint to err and
 * returns TR_EXIT_USAGE, else 0. */
int tr_cli_parse(tr_cli *cli, int argc, char **argv);

/* How many configs (units) the run has: the larger of the --path and
 * --config counts, at least 1; unit i's --path and --config (NULL when
 * not given). */
size_t tr_cli_unit_count(const tr_cli_args *a);
const char *tr_cli_unit_path(const tr_cli_args *a, size_t i);
const char *tr_cli_unit_config(const tr_cli_args *a, size_t i);

const char *tr_cli_command_name(tr_cli_command cmd);

/* Writes buf to the stream after scrubbing secrets. */
void tr_cli_write(tr_cli *cli, FILE *stream, tr_buf *buf);
void tr_cli_printf(tr_cli *cli, FILE *stream, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The one summary line of a plan or apply run, text or JSON after
 * --log-format (output.c). */
void tr_cli_print_summary(tr_cli *cli, int exit_code, int64_t duration_ms);

/* Help text, generated from one table (help.c). */
void tr_cli_help(tr_buf *out, tr_cli_command cmd);
/* The man page and the bash completion, from the same table (docs.c). */
int tr_cli_man(tr_buf *out);
int tr_cli_completion_bash(tr_buf *out);

int tr_cmd_validate(tr_cli *cli);
int tr_cmd_version(tr_cli *cli);
int tr_cmd_render(tr_cli *cli);
int tr_cmd_diff(tr_cli *cli);
int tr_cmd_plan(tr_cli *cli);
int tr_cmd_apply(tr_cli *cli);
int tr_cmd_not_built(tr_cli *cli);
int tr_cmd_whoami(tr_cli *cli);
int tr_cmd_explain_access(tr_cli *cli);

/* An AWS client for this run (environment, --debug log, dry-run gate).
 * The caller frees it; call tr_cli_forget_aws first. */
int tr_cli_aws_client(tr_aws_client **out, tr_cli *cli, const char *region,
		      bool dry_run, tr_diag *diag);
void tr_cli_forget_aws(tr_cli *cli);

/* The desired targets from each cluster's Kubernetes API (trellis.yaml
 * inCluster or kubeconfig); warnings for clusters without access or out
 * of reach, errors (negative) for a refused token or a bad kubeconfig. */
struct tr_model;
struct tr_config;
int tr_cli_kube_targets(tr_cli *cli, struct tr_model *desired,
			const struct tr_config *cfg, tr_diag *diag);

#endif
