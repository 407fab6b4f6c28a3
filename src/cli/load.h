#ifndef TR_CLI_LOAD_H
#define TR_CLI_LOAD_H

#include "cli/cli.h"
#include "plan/plan.h"
#include "repo/repo.h"
#include "source/source.h"
#include "verify/verify.h"

/*
 * Commit signatures for one run (trust.c). The trust root comes from the
 * command line or the environment only; trellis.yaml may narrow it.
 */
typedef struct tr_cli_trust {
	tr_verify *verify;        /* NULL: no trust root given */
	bool wanted;              /* a trust root or --require-signed */
	bool enforce;             /* anything but good fails the run */
	bool checked;             /* `commit` was checked */
	char commit[41];
	tr_verify_result result;  /* of `commit` */
	tr_buf sig;               /* its signature, for narrowing */
} tr_cli_trust;

void tr_cli_trust_init(tr_cli_trust *t);
void tr_cli_trust_dispose(tr_cli_trust *t);
/* Reads the trust root; `enforce` is the command's default (plan, apply)
 * and --require-signed turns it on for the others. */
int tr_cli_trust_open(tr_cli_trust *t, tr_cli *cli, bool enforce,
		      tr_diag *diag);
/* Resolves `ref` (NULL = the source's) to a commit and checks it. Fails
 * (negative) when enforcing and the signature is not good. */
int tr_cli_trust_check(tr_cli_trust *t, tr_cli *cli, tr_source *src,
		       const char *ref, tr_diag *diag);
/* The config's verify: narrowing and mode all-since; then reports.
 * `base` is the folder of trellis.yaml in the repository (--path). */
int tr_cli_trust_policy(tr_cli_trust *t, tr_cli *cli, tr_source *src,
			const tr_config *cfg, const char *base, tr_diag *diag);

typedef struct tr_cli_loaded {
	tr_source *source;
	tr_source_tree tree;
	tr_repo repo;
	bool repo_loaded;
	char *config_data;
	size_t config_len;
	tr_cli_trust trust;
	char *name;             /* the config file, for headings */
} tr_cli_loaded;

/* Fills source options from the arguments and the environment (git
 * credentials), registering every secret with the redactor. */
void tr_cli_source_options(tr_source_options *o, tr_cli *cli);

/* Opens the source, reads the tree and loads the repository. Problems go to
 * diag; dispose `out` in every case. */
int tr_cli_load(tr_cli_loaded *out, tr_cli *cli, tr_diag *diag);
void tr_cli_loaded_dispose(tr_cli_loaded *l);

/*
 * Several configs in one run (--path / --config more than once): the
 * source is read once, so every config sees the same commit, then each
 * config i (tr_cli_unit_path / _config) is loaded into units[i], its
 * problems into diags[i] (the source's into diags[0]). units[0] owns the
 * source and the signature check. Dispose every unit in every case.
 */
int tr_cli_load_units(tr_cli_loaded *units, size_t n, tr_cli *cli,
		      tr_diag *diags);
/* The config file a unit read, for headings ("trellis.yaml" without one). */
const char *tr_cli_unit_name(const tr_cli_loaded *unit);

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
