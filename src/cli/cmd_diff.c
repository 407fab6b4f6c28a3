/*
 * trellis diff --from REF --to REF: the plan between the desired models of
 * two commits, with no AWS access at all (the pull-request-from-a-fork
 * case). The base commit's model stands in for what AWS holds.
 */
#include <string.h>
#include <unistd.h>

#include "cli/load.h"
#include "model/model.h"
#include "plan/plan.h"
#include "util/alloc.h"
#include "util/limits.h"
#include "validate/validate.h"

typedef struct side {
	tr_source_tree tree;
	tr_repo repo;
	tr_model model;
	bool loaded;
} side;

static int load_side(side *s, tr_cli *cli, tr_source *src, const char *ref,
		     tr_diag *diag)
{
	tr_repo_options ropts = {0};
	tr_validate_stats stats;
	tr_validate_options vopts = {cli->args.allow_unsupported, NULL};
	int error;

	tr_model_init(&s->model);
	if ((error = tr_source_read(&s->tree, src, ref, diag)) < 0)
		return error;
	ropts.base = cli->args.path;
	if ((error = tr_repo_load(&s->repo, &s->tree, &ropts, diag)) < 0)
		return error;
	s->loaded = true;
	tr_source_tree_drop_data(&s->tree);
	(void)tr_validate_repo(&stats, &s->repo, &vopts, diag);
	return tr_model_build_desired(&s->model, &s->repo, diag);
}

static void side_dispose(side *s)
{
	tr_model_dispose(&s->model);
	if (s->loaded)
		tr_repo_dispose(&s->repo);
	tr_source_tree_dispose(&s->tree);
}

tr_plan_format tr_cli_plan_format(const char *name)
{
	if (name && strcmp(name, "json") == 0)
		return TR_PLAN_JSON;
	if (name && strcmp(name, "markdown") == 0)
		return TR_PLAN_MARKDOWN;
	return TR_PLAN_TEXT;
}

bool tr_cli_use_color(const tr_cli *cli, FILE *stream)
{
	const char *c = cli->args.color;

	if (c && strcmp(c, "always") == 0)
		return true;
	if (c && strcmp(c, "never") == 0)
		return false;
	return isatty(fileno(stream)) != 0;
}

int tr_cmd_diff(tr_cli *cli)
{
	tr_source_options sopts;
	tr_source *src = NULL;
	side from, to;
	tr_diag diag_from, diag_to;
	tr_plan plan;
	tr_cli_trust trust;
	tr_plan_options popts = {0};
	tr_plan_render_options ropts = {0};
	tr_buf out = TR_BUF_INIT(TR_MAX_OUTPUT_BYTES);
	int rc = TR_EXIT_ERROR;

	memset(&from, 0, sizeof(from));
	memset(&to, 0, sizeof(to));
	tr_diag_init(&diag_from);
	tr_diag_init(&diag_to);
	tr_plan_init(&plan);
	tr_cli_trust_init(&trust);
	tr_cli_source_options(&sopts, cli);
	sopts.ref = NULL; /* both sides are named by --from and --to */
	if (tr_cli_trust_open(&trust, cli, false, &diag_to) < 0 ||
	    tr_source_open(&src, &sopts, &diag_to) < 0)
		goto done;
	/* The signature that matters is the proposed change's (--to). */
	if (tr_cli_trust_check(&trust, cli, src, cli->args.to, &diag_to) < 0)
		goto done;
	(void)load_side(&to, cli, src,
			trust.enforce && trust.checked ? trust.commit
						       : cli->args.to,
			&diag_to);
	if (to.loaded && tr_cli_trust_policy(&trust, cli, src,
					     &to.repo.config, cli->args.path,
					     &diag_to) < 0)
		goto done;
	if (tr_diag_failed(&diag_to, cli->args.allow_unsupported))
		goto done;
	if (load_side(&from, cli, src, cli->args.from, &diag_from) < 0 &&
	    !from.loaded) {
		/* Not readable at all (no such ref): that is an error. */
		tr_cli_print_diags(cli, &diag_from, NULL);
		goto done;
	}
	if (tr_diag_failed(&diag_from, cli->args.allow_unsupported)) {
		/* The base is already merged: its problems are not this
		 * change's, but its model may be incomplete. */
		tr_cli_print_diags(cli, &diag_from,
			    "trellis: warning: the --from commit has problems; "
			    "the diff compares with what of it could be "
			    "read:\n");
		tr_diag_dispose(&diag_from);
		tr_diag_init(&diag_from);
	}
	popts.owner = to.repo.config.owner ? to.repo.config.owner
					   : "(no owner)";
	popts.prune = cli->args.prune || to.repo.config.prune;
	/* The base model is tagged with its own owner; an owner change in
	 * the config is a change of every resource, which is what it is. */
	if (tr_plan_compute(&plan, &to.model, &from.model, &popts, &diag_to) < 0)
		goto done;
	memcpy(plan.commit, to.tree.commit, sizeof(plan.commit));
	if (from.tree.commit[0])
		plan.from_commit = tr_strdup(from.tree.commit);
	ropts.format = tr_cli_plan_format(cli->args.format);
	ropts.color = ropts.format == TR_PLAN_TEXT &&
		      tr_cli_use_color(cli, cli->out);
	ropts.max_bytes = 65000;
	ropts.summary_only = cli->args.summary;
	if (tr_plan_render(&out, &plan, &ropts) == 0) {
		tr_cli_write(cli, cli->out, &out);
		rc = TR_EXIT_OK;
	}
done:
	tr_cli_print_diags(cli, &diag_to, NULL);
	tr_buf_dispose(&out);
	tr_plan_dispose(&plan);
	side_dispose(&from);
	side_dispose(&to);
	tr_source_free(src);
	tr_cli_trust_dispose(&trust);
	tr_diag_dispose(&diag_from);
	tr_diag_dispose(&diag_to);
	return rc;
}
