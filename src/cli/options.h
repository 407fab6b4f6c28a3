/*
 * The one table of commands and options. The parser, `--help` and the man
 * page are all generated from it, so they cannot disagree.
 */
#ifndef TR_CLI_OPTIONS_H
#define TR_CLI_OPTIONS_H

#include "cli/cli.h"

#define CMD_BIT(c) (1u << (c))
#define CMDS_SOURCE                                                         \
	(CMD_BIT(TR_CMD_VALIDATE) | CMD_BIT(TR_CMD_PLAN) |                 \
	 CMD_BIT(TR_CMD_APPLY) | CMD_BIT(TR_CMD_RENDER) | CMD_BIT(TR_CMD_DIFF) | \
	 CMD_BIT(TR_CMD_EXPLAIN_ACCESS))
#define CMDS_ALL 0xffffffffu

typedef enum tr_opt_id {
	OPT_HELP = 'h',
	OPT_VERBOSE = 'v',
	OPT_REPO = 256,
	OPT_REF,
	OPT_PATH,
	OPT_CONFIG,
	OPT_CACHE_DIR,
	OPT_CA_FILE,
	OPT_SSH_KEY,
	OPT_KNOWN_HOSTS,
	OPT_FORMAT,
	OPT_COLOR,
	OPT_DEBUG,
	OPT_OUT,
	OPT_PLAN,
	OPT_FROM,
	OPT_TO,
	OPT_DETAILED_EXITCODE,
	OPT_DRY_RUN,
	OPT_PRUNE,
	OPT_MAX_DELETES,
	OPT_ALLOW_UNSUPPORTED,
	OPT_SUMMARY,
	OPT_ADOPT,
	OPT_ALLOW_DELETE_ALL,
	OPT_REPORT,
	OPT_LOG_FORMAT,
	OPT_FROM_CLUSTER,
	OPT_ROLE,
	OPT_TO_ROUTE,
	OPT_ACCOUNT,
	OPT_METHOD,
	OPT_REQUEST_PATH,
	OPT_VERIFY_KEYS,
	OPT_ALLOWED_SIGNERS,
	OPT_REQUIRE_SIGNED,
	OPT_SHARD
} tr_opt_id;

typedef struct tr_opt_spec {
	const char *name;  /* long name without "--" */
	int id;
	const char *arg;   /* argument placeholder, NULL for flags */
	unsigned commands; /* CMD_BIT mask of commands that accept it */
	const char *help;
} tr_opt_spec;

typedef struct tr_cmd_spec {
	tr_cli_command cmd;
	const char *name;
	const char *synopsis; /* after "trellis NAME " */
	const char *summary;  /* one line */
	const char *details;  /* paragraphs, may be NULL */
	const char *formats;  /* accepted --format values, "|"-separated */
	int built;            /* 0: says "not built yet" and exits 1 */
} tr_cmd_spec;

/* A name and its meaning: exit codes, environment variables. */
typedef struct tr_doc_item {
	const char *name;
	const char *text;
} tr_doc_item;

extern const tr_opt_spec tr_cli_options[];
extern const tr_cmd_spec tr_cli_commands[];
extern const tr_doc_item tr_cli_exit_codes[];
extern const tr_doc_item tr_cli_environment[];

const tr_cmd_spec *tr_cli_command_spec(tr_cli_command cmd);

#endif
