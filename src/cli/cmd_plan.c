/*
 * trellis plan and trellis apply: the desired model from the manifests,
 * the observed model from AWS, the changes between them, and (apply)
 * carrying them out. plan builds its AWS client in dry-run mode: it cannot
 * change anything, whatever a bug might ask.
 */
#include <string.h>

#include "apply/apply.h"
#include "cli/load.h"
#include "model/model.h"
#include "observe/observe.h"
#include "plan/plan.h"
#include "policy/model.h"
#include "util/limits.h"
#include "validate/validate.h"

typedef struct planned {
	tr_cli_loaded loaded;
	tr_model desired;
	tr_model observed;
	tr_plan plan;
	tr_aws_client *client;
} planned;

/* plan needs to know where in AWS: the config's region, owner, VPCs. */
static bool config_is_complete(const tr_config *cfg, tr_diag *diag)
{
	bool ok = true;

	if (!cfg->present) {
		tr_diag_add(diag, TR_SEV_ERROR, "plan.config", NULL, 0, 0, NULL,
			    "plan and apply need a trellis.yaml (region, owner, "
			    "clusters with vpcId) at --path or given with "
			    "--config");
		return false;
	}
	for (size_t i = 0; i < cfg->cluster_count; i++) {
		const tr_config_cluster *c = &cfg->clusters[i];
		if (c->vpc_id)
			continue;
		tr_diag_add(diag, TR_SEV_ERROR, "plan.config", cfg->file,
			    c->node ? c->node->line : 1,
			    c->node ? c->node->col : 1, NULL,
			    "clusters[%zu] (%s): plan and apply need its vpcId",
			    i, c->name);
		ok = false;
	}
	return ok && cfg->owner && cfg->region;
}

static void planned_init(planned *p)
{
	memset(p, 0, sizeof(*p));
	tr_model_init(&p->desired);
	tr_model_init(&p->observed);
	tr_plan_init(&p->plan);
}

static void planned_dispose(tr_cli *cli, planned *p)
{
	tr_plan_dispose(&p->plan);
	tr_model_dispose(&p->observed);
	tr_model_dispose(&p->desired);
	tr_cli_forget_aws(cli);
	tr_aws_client_free(p->client);
	tr_cli_loaded_dispose(&p->loaded);
}

/* Everything up to a checked plan. Problems go to diag; negative return. */
static int make_plan(planned *p, tr_cli *cli, bool writes_allowed,
		     tr_diag *diag)
{
	const tr_cli_args *a = &cli->args;
	tr_validate_stats stats;
	tr_validate_options vopts = {a->allow_unsupported, NULL};
	tr_observe_options oopts = {NULL, 0};
	tr_observe_stats ostats = {0};
	tr_plan_options popts = {NULL, false, false};
	tr_aws_identity id;
	tr_aws_error err;
	tr_buf msg = TR_BUF_INIT(TR_MAX_LINE_BYTES);
	const tr_config *cfg;
	int64_t max_deletes;
	size_t deletes;
	int rc = TR_ERROR;

	tr_aws_error_init(&err);
	if (tr_cli_load(&p->loaded, cli, diag) < 0)
		goto done;
	(void)tr_validate_repo(&stats, &p->loaded.repo, &vopts, diag);
	cfg = &p->loaded.repo.config;
	if (tr_diag_failed(diag, a->allow_unsupported) ||
	    !config_is_complete(cfg, diag))
		goto done;
	(void)tr_model_build_desired(&p->desired, &p->loaded.repo, diag);
	if (tr_diag_failed(diag, a->allow_unsupported))
		goto done;
	if (tr_cli_aws_client(&p->client, cli, cfg->region, !writes_allowed,
			      diag) < 0)
		goto done;
	if (tr_aws_whoami(&id, p->client, &err) < 0) {
		if (tr_aws_error_render(&msg, &err) == 0)
			tr_diag_add(diag, TR_SEV_ERROR, "aws.identity", NULL, 0,
				    0, NULL, "%s", msg.ptr);
		goto done;
	}
	tr_cli_printf(cli, cli->err, "trellis: %s as %s (account %s, region "
				     "%s)\n",
		      a->command == TR_CMD_APPLY ? "applying" : "planning",
		      id.arn, id.account, tr_aws_client_region(p->client));
	oopts.owner = cfg->owner;
	if (tr_observe(&p->observed, &ostats, p->client, &p->desired, cfg,
		       &oopts, diag) < 0)
		goto done;
	/* Policies name ARNs: those of what exists are known now. */
	if (tr_policy_resolve_model(&p->desired, &p->observed, id.account,
				    diag) < 0)
		goto done;
	popts.owner = cfg->owner;
	popts.prune = a->prune || cfg->prune;
	popts.adopt = a->adopt;
	if (tr_plan_compute(&p->plan, &p->desired, &p->observed, &popts,
			    diag) < 0)
		goto done;
	memcpy(p->plan.commit, p->loaded.tree.commit, sizeof(p->plan.commit));
	p->plan.api_calls = ostats.requests + 1; /* + GetCallerIdentity */
	max_deletes = a->max_deletes >= 0 ? a->max_deletes : cfg->max_deletes;
	deletes = p->plan.summary.remove + p->plan.summary.replace;
	if ((int64_t)deletes > max_deletes) {
		tr_diag_add(diag, TR_SEV_ERROR, "plan.max-deletes", NULL, 0, 0,
			    NULL,
			    "the plan deletes %zu resource%s (replacements "
			    "included), more than maxDeletes %lld; raise "
			    "--max-deletes if this is intended",
			    deletes, deletes == 1 ? "" : "s",
			    (long long)max_deletes);
		goto done;
	}
	rc = 0;
done:
	tr_buf_dispose(&msg);
	tr_aws_error_dispose(&err);
	return rc;
}

static int render(tr_cli *cli, const tr_plan *plan)
{
	tr_plan_render_options ropts = {0};
	tr_buf out = TR_BUF_INIT(TR_MAX_OUTPUT_BYTES);
	int error;

	ropts.format = tr_cli_plan_format(cli->args.format);
	ropts.color = ropts.format == TR_PLAN_TEXT &&
		      tr_cli_use_color(cli, cli->out);
	ropts.max_bytes = 65000;
	ropts.summary_only = cli->args.summary;
	error = tr_plan_render(&out, plan, &ropts);
	if (!error)
		tr_cli_write(cli, cli->out, &out);
	tr_buf_dispose(&out);
	return error;
}

int tr_cmd_plan(tr_cli *cli)
{
	const tr_cli_args *a = &cli->args;
	tr_diag diag;
	planned p;
	int rc = TR_EXIT_ERROR;

	tr_diag_init(&diag);
	planned_init(&p);
	if (a->out) {
		tr_diag_add(&diag, TR_SEV_ERROR, "plan.out", NULL, 0, 0, NULL,
			    "--out (saved plans) is not built yet in this "
			    "version of trellis");
		goto done;
	}
	if (make_plan(&p, cli, false, &diag) < 0 || render(cli, &p.plan) < 0)
		goto done;
	rc = a->detailed_exitcode && tr_plan_has_changes(&p.plan)
		     ? TR_EXIT_CHANGES
		     : TR_EXIT_OK;
done:
	tr_cli_print_diags(cli, &diag, NULL);
	planned_dispose(cli, &p);
	tr_diag_dispose(&diag);
	return rc;
}

/* Progress goes with the plan on stdout, unless stdout carries a JSON or
 * markdown document that must stay whole. */
static FILE *progress_stream(const tr_cli *cli)
{
	return cli->args.format && strcmp(cli->args.format, "text") != 0
		       ? cli->err
		       : cli->out;
}

static void apply_progress(void *ctx, const char *line)
{
	tr_cli *cli = ctx;

	tr_cli_printf(cli, progress_stream(cli), "%s%s\n",
		      cli->args.dry_run ? "dry-run: " : "", line);
}

int tr_cmd_apply(tr_cli *cli)
{
	const tr_cli_args *a = &cli->args;
	tr_diag diag;
	planned p;
	tr_apply_options aopts;
	tr_apply_result res;
	int rc = TR_EXIT_ERROR;

	tr_diag_init(&diag);
	planned_init(&p);
	if (a->plan_file) {
		tr_diag_add(&diag, TR_SEV_ERROR, "apply.plan", NULL, 0, 0, NULL,
			    "--plan (saved plans) is not built yet in this "
			    "version of trellis");
		goto done;
	}
	/* --dry-run: the client refuses every write at the one place
	 * requests leave the program. */
	if (make_plan(&p, cli, !a->dry_run, &diag) < 0 ||
	    render(cli, &p.plan) < 0)
		goto done;
	if (!tr_plan_has_changes(&p.plan)) {
		rc = TR_EXIT_OK;
		goto done;
	}
	memset(&aopts, 0, sizeof(aopts));
	aopts.owner = p.loaded.repo.config.owner;
	aopts.progress = apply_progress;
	aopts.ctx = cli;
	tr_cli_printf(cli, progress_stream(cli), "\n");
	rc = tr_apply(&res, p.client, &p.plan, &p.observed, &aopts, &diag) < 0
		     ? TR_EXIT_ERROR
		     : TR_EXIT_OK;
	if (a->dry_run)
		tr_cli_printf(cli, progress_stream(cli),
			      "Dry run: %zu request%s not sent; nothing was "
			      "changed.\n",
			      res.refused, res.refused == 1 ? "" : "s");
	else
		tr_cli_printf(cli, progress_stream(cli),
			      "Apply %s: %zu done, %zu failed, %zu skipped.\n",
			      rc == TR_EXIT_OK ? "complete" : "incomplete",
			      res.done, res.failed, res.skipped);
done:
	tr_cli_print_diags(cli, &diag, NULL);
	planned_dispose(cli, &p);
	tr_diag_dispose(&diag);
	return rc;
}
