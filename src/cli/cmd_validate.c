#include <string.h>

#include "cli/load.h"
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
