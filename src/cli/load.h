#ifndef TR_CLI_LOAD_H
#define TR_CLI_LOAD_H

#include "cli/cli.h"
#include "plan/plan.h"
#include "repo/repo.h"
#include "source/source.h"

typedef struct tr_cli_loaded {
	tr_source *source;
	tr_source_tree tree;
	tr_repo repo;
	bool repo_loaded;
	char *config_data;
	size_t config_len;
} tr_cli_loaded;

/* Fills source options from the arguments and the environment (git
 * credentials), registering every secret with the redactor. */
void tr_cli_source_options(tr_source_options *o, tr_cli *cli);

/* Opens the source, reads the tree and loads the repository. Problems go to
 * diag; dispose `out` in every case. */
int tr_cli_load(tr_cli_loaded *out, tr_cli *cli, tr_diag *diag);
void tr_cli_loaded_dispose(tr_cli_loaded *l);

/* A repository of only a config file, from its bytes (a saved plan's). */
int tr_cli_load_config_text(tr_cli_loaded *out, const char *file,
			    const char *text, size_t len, tr_diag *diag);

/* Reads a whole regular file of at most `max` bytes; `what` names it in
 * the error ("plan file"). */
int tr_cli_read_file(char **out, size_t *len, const char *path, size_t max,
		     const char *rule, const char *what, tr_diag *diag);

/* Sorts and prints diagnostics as text on stderr (stdout carries the
 * command's own output), after `heading` when there are any. */
void tr_cli_print_diags(tr_cli *cli, tr_diag *diag, const char *heading);

/* --format value of plan-like commands. */
tr_plan_format tr_cli_plan_format(const char *name);
/* Colours on `stream`: --color always|never, or auto (a terminal). */
bool tr_cli_use_color(const tr_cli *cli, FILE *stream);

#endif
