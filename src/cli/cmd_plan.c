/*
 * trellis plan: the desired model from the manifests, the observed model
 * from AWS, and the changes between them. The AWS client is built in
 * dry-run mode: plan cannot change anything, whatever a bug might ask.
 */
#include <string.h>

#include "cli/load.h"
#include "model/model.h"
#include "observe/observe.h"
#include "plan/plan.h"
#include "util/limits.h"
#include "validate/validate.h"

static void print_diags(tr_cli *cli, tr_diag *diag)
{
	tr_diag_render_options ropts = {TR_DIAG_TEXT, cli->args.verbose,
					cli->args.allow_unsupported};
	tr_buf out = TR_BUF_INIT(TR_MAX_OUTPUT_BYTES);

	tr_diag_sort(diag);
	if (tr_diag_render(&out, diag, &ropts) == 0)
		tr_cli_write(cli, cli->err, &out);
	tr_buf_dispose(&out);
}

/* plan needs to know where in AWS: the config's region, owner, VPCs. */
static bool config_is_complete(const tr_config *cfg, tr_diag *diag)
{
	bool ok = true;

	if (!cfg->present) {
		tr_diag_add(diag, TR_SEV_ERROR, "plan.config", NULL, 0, 0, NULL,
			    "plan needs a trellis.yaml (region, owner, clusters "
			    "with vpcId) at --path or given with --config");
		return false;
	}
	for (size_t i = 0; i < cfg->cluster_count; i++) {
		const tr_config_cluster *c = &cfg->clusters[i];
		if (c->vpc_id)
			continue;
		tr_diag_add(diag, TR_SEV_ERROR, "plan.config", cfg->file,
			    c->node ? c->node->line : 1,
			    c->node ? c->node->col : 1, NULL,
			    "clusters[%zu] (%s): plan needs its vpcId", i,
			    c->name);
		ok = false;
	}
	return ok && cfg->owner && cfg->region;
}

int tr_cmd_plan(tr_cli *cli)
{
	const tr_cli_args *a = &cli->args;
	tr_diag diag;
	tr_cli_loaded loaded;
	tr_validate_stats stats;
	tr_validate_options vopts = {a->allow_unsupported, NULL};
	tr_model desired, observed;
	tr_aws_client *client = NULL;
	tr_aws_identity id;
	tr_aws_error err;
	tr_observe_options oopts = {NULL, 0};
	tr_observe_stats ostats = {0};
	tr_plan plan;
	tr_plan_options popts = {NULL, false, false};
	tr_plan_render_options ropts = {0};
	tr_buf out = TR_BUF_INIT(TR_MAX_OUTPUT_BYTES);
	int64_t max_deletes;
	int rc = TR_EXIT_ERROR;

	tr_diag_init(&diag);
	tr_model_init(&desired);
	tr_model_init(&observed);
	tr_plan_init(&plan);
	tr_aws_error_init(&err);
	if (a->out) {
		tr_diag_add(&diag, TR_SEV_ERROR, "plan.out", NULL, 0, 0, NULL,
			    "--out (saved plans) is not built yet in this "
			    "version of trellis");
		memset(&loaded, 0, sizeof(loaded));
		goto done;
	}
	if (tr_cli_load(&loaded, cli, &diag) < 0)
		goto done;
	(void)tr_validate_repo(&stats, &loaded.repo, &vopts, &diag);
	if (tr_diag_failed(&diag, a->allow_unsupported) ||
	    !config_is_complete(&loaded.repo.config, &diag))
		goto done;
	(void)tr_model_build_desired(&desired, &loaded.repo, &diag);
	if (tr_diag_failed(&diag, a->allow_unsupported))
		goto done;
	if (tr_cli_aws_client(&client, cli, loaded.repo.config.region, true,
			      &diag) < 0)
		goto done;
	if (tr_aws_whoami(&id, client, &err) < 0) {
		if (tr_aws_error_render(&out, &err) == 0)
			tr_diag_add(&diag, TR_SEV_ERROR, "aws.identity", NULL, 0,
				    0, NULL, "%s", out.ptr);
		goto done;
	}
	tr_cli_printf(cli, cli->err, "trellis: planning as %s (account %s, "
				     "region %s)\n",
		      id.arn, id.account, tr_aws_client_region(client));
	oopts.owner = loaded.repo.config.owner;
	if (tr_observe(&observed, &ostats, client, &desired,
		       &loaded.repo.config, &oopts, &diag) < 0)
		goto done;
	popts.owner = loaded.repo.config.owner;
	popts.prune = a->prune || loaded.repo.config.prune;
	if (tr_plan_compute(&plan, &desired, &observed, &popts, &diag) < 0)
		goto done;
	memcpy(plan.commit, loaded.tree.commit, sizeof(plan.commit));
	plan.api_calls = ostats.requests + 1; /* + GetCallerIdentity */
	max_deletes = a->max_deletes >= 0 ? a->max_deletes
					  : loaded.repo.config.max_deletes;
	if ((int64_t)plan.summary.remove + (int64_t)plan.summary.replace >
	    max_deletes) {
		tr_diag_add(&diag, TR_SEV_ERROR, "plan.max-deletes", NULL, 0, 0,
			    NULL,
			    "the plan deletes %zu resource%s (replacements "
			    "included), more than maxDeletes %lld; raise "
			    "--max-deletes if this is intended",
			    plan.summary.remove + plan.summary.replace,
			    plan.summary.remove + plan.summary.replace == 1
				    ? ""
				    : "s",
			    (long long)max_deletes);
	}
	ropts.format = tr_cli_plan_format(a->format);
	ropts.color = ropts.format == TR_PLAN_TEXT &&
		      tr_cli_use_color(cli, cli->out);
	ropts.max_bytes = 65000;
	ropts.summary_only = cli->args.summary;
	tr_buf_clear(&out);
	if (tr_plan_render(&out, &plan, &ropts) < 0)
		goto done;
	tr_cli_write(cli, cli->out, &out);
	if (tr_diag_failed(&diag, a->allow_unsupported))
		goto done;
	rc = a->detailed_exitcode && tr_plan_has_changes(&plan)
		     ? TR_EXIT_CHANGES
		     : TR_EXIT_OK;
done:
	print_diags(cli, &diag);
	tr_buf_dispose(&out);
	tr_plan_dispose(&plan);
	tr_model_dispose(&observed);
	tr_model_dispose(&desired);
	tr_aws_error_dispose(&err);
	tr_cli_forget_aws(cli);
	tr_aws_client_free(client);
	tr_cli_loaded_dispose(&loaded);
	tr_diag_dispose(&diag);
	return rc;
}
