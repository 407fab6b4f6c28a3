#include <string.h>

#include "cli/load.h"
#include "util/alloc.h"
#include "util/limits.h"
#include "validate/validate.h"

static tr_diag_format parse_format(const char *f)
{
	if (f && strcmp(f, "json") == 0)
		return TR_DIAG_JSON;
	if (f && strcmp(f, "github") == 0)
		return TR_DIAG_GITHUB;
	return TR_DIAG_TEXT;
}

static size_t count_errors(const tr_diag *diag, bool allow_unsupported)
{
	return tr_diag_count(diag, TR_SEV_ERROR) +
	       (allow_unsupported ? 0
				  : tr_diag_count(diag, TR_SEV_UNSUPPORTED));
}

static size_t count_warnings(const tr_diag *diag, bool allow_unsupported)
{
	return tr_diag_count(diag, TR_SEV_WARNING) +
	       (allow_unsupported ? tr_diag_count(diag, TR_SEV_UNSUPPORTED)
				  : 0);
}

/*
 * Several configs (--path / --config more than once): each is validated;
 * the problems of all of them are rendered together (each names its
 * file), then one summary line per config, named.
 */
static int validate_units(tr_cli *cli, size_t n)
{
	const tr_cli_args *a = &cli->args;
	tr_cli_loaded *units = tr_calloc(n, sizeof(*units));
	tr_diag *diags = tr_calloc(n, sizeof(*diags));
	tr_validate_stats *stats = tr_calloc(n, sizeof(*stats));
	tr_validate_options vopts = {a->allow_unsupported, NULL};
	tr_diag_render_options ropts = {parse_format(a->format), a->verbose,
					a->allow_unsupported};
	tr_buf out = TR_BUF_INIT(TR_MAX_OUTPUT_BYTES);
	tr_diag all;
	bool failed = false;

	tr_diag_init(&all);
	for (size_t i = 0; i < n; i++)
		tr_diag_init(&diags[i]);
	(void)tr_cli_load_units(units, n, cli, diags);
	for (size_t i = 0; i < n; i++) {
		if (units[i].repo_loaded)
			(void)tr_validate_repo(&stats[i], &units[i].repo,
					       &vopts, &diags[i]);
		failed |= tr_diag_failed(&diags[i], a->allow_unsupported);
		for (size_t k = 0; k < diags[i].count; k++) {
			const tr_diag_entry *e = &diags[i].entries[k];

			tr_diag_add(&all, e->severity, e->rule, e->file,
				    e->line, e->col, e->path, "%s", e->message);
		}
	}
	tr_diag_sort(&all);
	if (tr_diag_render(&out, &all, &ropts) < 0)
		tr_buf_clear(&out);
	tr_cli_write(cli, cli->out, &out);
	for (size_t i = 0; i < n; i++) {
		size_t errors = count_errors(&diags[i], a->allow_unsupported);
		size_t warnings = count_warnings(&diags[i], a->allow_unsupported);

		tr_buf_clear(&out);
		if (tr_buf_printf(&out, "%s: %s: %zu document%s in %zu file%s%s"
				  "%s%s: %zu error%s, %zu warning%s\n",
				  tr_cli_unit_name(&units[i]),
				  tr_diag_failed(&diags[i], a->allow_unsupported)
					  ? "invalid"
					  : "valid",
				  stats[i].documents,
				  stats[i].documents == 1 ? "" : "s",
				  units[i].repo.files_read,
				  units[i].repo.files_read == 1 ? "" : "s",
				  units[i].tree.commit[0] ? " at commit " : "",
				  units[i].tree.commit,
				  units[i].tree.dirty ? " (with local changes)"
						      : "",
				  errors, errors == 1 ? "" : "s", warnings,
				  warnings == 1 ? "" : "s") == 0)
			tr_cli_write(cli, ropts.format == TR_DIAG_JSON
						  ? cli->err
						  : cli->out,
				     &out);
	}
	tr_buf_dispose(&out);
	for (size_t i = 0; i < n; i++) {
		tr_cli_loaded_dispose(&units[i]);
		tr_diag_dispose(&diags[i]);
	}
	tr_diag_dispose(&all);
	tr_free(units);
	tr_free(diags);
	tr_free(stats);
	return failed ? TR_EXIT_ERROR : TR_EXIT_OK;
}

int tr_cmd_validate(tr_cli *cli)
{
	const tr_cli_args *a = &cli->args;
	tr_diag diag;
	tr_cli_loaded loaded;
	tr_validate_stats stats = {0};
	tr_validate_options vopts = {a->allow_unsupported, NULL};
	tr_diag_render_options ropts = {parse_format(a->format), a->verbose,
					a->allow_unsupported};
	tr_buf out = TR_BUF_INIT(TR_MAX_OUTPUT_BYTES);
	bool failed;
	size_t errors, warnings;

	if (tr_cli_unit_count(a) > 1)
		return validate_units(cli, tr_cli_unit_count(a));
	tr_diag_init(&diag);
	if (tr_cli_load(&loaded, cli, &diag) == 0)
		(void)tr_validate_repo(&stats, &loaded.repo, &vopts, &diag);
	tr_diag_sort(&diag);
	failed = tr_diag_failed(&diag, a->allow_unsupported);
	errors = tr_diag_count(&diag, TR_SEV_ERROR) +
		 (a->allow_unsupported ? 0
				       : tr_diag_count(&diag, TR_SEV_UNSUPPORTED));
	warnings = tr_diag_count(&diag, TR_SEV_WARNING) +
		   (a->allow_unsupported ? tr_diag_count(&diag, TR_SEV_UNSUPPORTED)
					 : 0);
	if (tr_diag_render(&out, &diag, &ropts) < 0)
		tr_buf_clear(&out);
	tr_cli_write(cli, cli->out, &out);
	tr_buf_clear(&out);
	/* The summary is for people; JSON output stays pure on stdout. */
	if (tr_buf_printf(&out, "%s: %zu document%s in %zu file%s%s%s%s: "
			  "%zu error%s, %zu warning%s%s\n",
			  failed ? "invalid" : "valid", stats.documents,
			  stats.documents == 1 ? "" : "s",
			  loaded.repo.files_read,
			  loaded.repo.files_read == 1 ? "" : "s",
			  loaded.tree.commit[0] ? " at commit " : "",
			  loaded.tree.commit,
			  loaded.tree.dirty ? " (with local changes)" : "",
			  errors, errors == 1 ? "" : "s", warnings,
			  warnings == 1 ? "" : "s",
			  stats.ignored ? " (some documents ignored: "
					  "--verbose lists them)"
					: "") == 0)
		tr_cli_write(cli, ropts.format == TR_DIAG_JSON ? cli->err
							       : cli->out,
			     &out);
	tr_buf_dispose(&out);
	tr_cli_loaded_dispose(&loaded);
	tr_diag_dispose(&diag);
	return failed ? TR_EXIT_ERROR : TR_EXIT_OK;
}
