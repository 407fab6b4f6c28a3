/*
 * trellis plan and trellis apply: the desired model from the manifests,
 * the observed model from AWS, the changes between them, and (apply)
 * carrying them out. plan builds its AWS client in dry-run mode: it cannot
 * change anything, whatever a bug might ask.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apply/apply.h"
#include "cli/load.h"
#include "model/model.h"
#include "observe/observe.h"
#include "plan/plan.h"
#include "policy/model.h"
#include "util/alloc.h"
#include "util/limits.h"
#include "util/str.h"
#include "util/strmap.h"
#include "validate/validate.h"

typedef struct planned {
	tr_cli_loaded loaded;
	tr_model desired;
	tr_model observed;
	tr_plan plan;
	tr_aws_client *client;
	tr_aws_identity id;
	tr_plan_file saved;    /* apply --plan: the file read */
	size_t deletes;        /* deletions, replacements included */
	size_t left_out;       /* --shard: changes waiting for another shard */
	int64_t max_deletes;
} planned;

static bool log_json(const tr_cli *cli)
{
	return cli->args.log_format &&
	       strcmp(cli->args.log_format, "json") == 0;
}

/* One JSON object on one line (--log-format json). Takes `o`. */
static void log_object(tr_cli *cli, FILE *stream, cJSON *o)
{
	char *text = cJSON_PrintUnformatted(o);

	if (text)
		tr_cli_printf(cli, stream, "%s\n", text);
	cJSON_free(text);
	cJSON_Delete(o);
}

/* {"index": I, "count": N} of --shard. */
static cJSON *shard_json(const tr_cli *cli)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "index", cli->args.shard_index);
	cJSON_AddNumberToObject(o, "count", cli->args.shard_count);
	return o;
}

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
	tr_plan_file_init(&p->saved);
}

static void planned_dispose(tr_cli *cli, planned *p)
{
	tr_plan_dispose(&p->plan);
	tr_plan_file_dispose(&p->saved);
	tr_model_dispose(&p->observed);
	tr_model_dispose(&p->desired);
	tr_cli_forget_aws(cli);
	tr_aws_client_free(p->client);
	tr_cli_loaded_dispose(&p->loaded);
}

/* The AWS client for the config's region, and who it acts as. */
static int connect(planned *p, tr_cli *cli, const char *region,
		   bool writes_allowed, tr_diag *diag)
{
	const char *doing = cli->args.command == TR_CMD_APPLY ? "applying"
							      : "planning";
	tr_aws_error err;
	tr_buf msg = TR_BUF_INIT(TR_MAX_LINE_BYTES);
	int rc = TR_ERROR;

	tr_aws_error_init(&err);
	if (tr_cli_aws_client(&p->client, cli, region, !writes_allowed,
			      diag) < 0)
		goto done;
	if (tr_aws_whoami(&p->id, p->client, &err) < 0) {
		if (tr_aws_error_render(&msg, &err) == 0)
			tr_diag_add(diag, TR_SEV_ERROR, "aws.identity", NULL, 0,
				    0, NULL, "%s", msg.ptr);
		goto done;
	}
	if (log_json(cli)) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "event", doing);
		cJSON_AddStringToObject(o, "caller", p->id.arn);
		cJSON_AddStringToObject(o, "account", p->id.account);
		cJSON_AddStringToObject(o, "region",
					tr_aws_client_region(p->client));
		if (cli->args.shard_count)
			cJSON_AddItemToObject(o, "shard", shard_json(cli));
		log_object(cli, cli->err, o);
	} else {
		char shard[48] = "";

		if (cli->args.shard_count)
			snprintf(shard, sizeof(shard), ", shard %u/%u",
				 cli->args.shard_index, cli->args.shard_count);
		tr_cli_printf(cli, cli->err,
			      "trellis: %s as %s (account %s, region %s%s)\n",
			      doing, p->id.arn, p->id.account,
			      tr_aws_client_region(p->client), shard);
	}
	rc = 0;
done:
	tr_buf_dispose(&msg);
	tr_aws_error_dispose(&err);
	return rc;
}

/*
 * Reads AWS through the read cache under --cache-dir (TRELLIS_CACHE_DIR)
 * when one is given: one file per account, region and VPC Lattice
 * endpoint. The cache is written back only after a complete read.
 */
static int observe(planned *p, tr_cli *cli, tr_model *desired,
		   const tr_config *cfg, tr_observe_options *oopts,
		   tr_observe_stats *ostats, tr_diag *diag)
{
	const char *dir = cli->args.cache_dir ? cli->args.cache_dir
					      : getenv("TRELLIS_CACHE_DIR");
	tr_observe_cache *cache = NULL;
	tr_buf url = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	const char *signing_region = NULL;
	struct timespec now;
	int rc;

	if (dir && *dir &&
	    tr_aws_client_endpoint(&url, &signing_region, p->client,
				   TR_AWS_LATTICE) == 0 &&
	    clock_gettime(CLOCK_REALTIME, &now) == 0)
		(void)tr_observe_cache_open(
			&cache, dir, p->id.account,
			tr_aws_client_region(p->client), url.ptr,
			(int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000,
			diag);
	oopts->cache = cache;
	rc = tr_observe(&p->observed, ostats, p->client, desired, cfg, oopts,
			diag);
	if (rc == 0)
		tr_observe_cache_save(cache, diag);
	tr_observe_cache_free(cache);
	oopts->cache = NULL;
	tr_buf_dispose(&url);
	return rc;
}

/* Does any owned resource stay? Existing resources appear as no-ops,
 * updates or replacements; deletions are the rest. */
static bool keeps_something(const tr_plan *plan)
{
	const tr_plan_summary *s = &plan->summary;

	return s->no_op || s->update || s->replace;
}

/* The deletion limits, on a computed plan (a shard's: on the whole plan,
 * so that every shard refuses alike). */
static int check_deletes(planned *p, const tr_plan *plan, int64_t max_deletes,
			 bool allow_delete_all, tr_diag *diag)
{
	int rc = 0;

	p->max_deletes = max_deletes;
	p->deletes = plan->summary.remove + plan->summary.replace;
	if ((int64_t)p->deletes > max_deletes) {
		tr_diag_add(diag, TR_SEV_ERROR, "plan.max-deletes", NULL, 0, 0,
			    NULL,
			    "the plan deletes %zu resource%s (replacements "
			    "included), more than maxDeletes %lld; raise "
			    "--max-deletes if this is intended",
			    p->deletes, p->deletes == 1 ? "" : "s",
			    (long long)max_deletes);
		rc = TR_EREFUSED;
	}
	if (plan->summary.remove && !keeps_something(plan) &&
	    !allow_delete_all) {
		tr_diag_add(diag, TR_SEV_ERROR, "plan.delete-all", NULL, 0, 0,
			    NULL,
			    "the plan deletes every resource this owner has "
			    "(%zu) and keeps none: an emptied folder or a "
			    "mistyped --path looks exactly like this; run with "
			    "--allow-delete-all if it is intended",
			    plan->summary.remove);
		rc = TR_EREFUSED;
	}
	return rc;
}

typedef struct shard_keep {
	const tr_shard_map *map;
	uint32_t index;
} shard_keep;

static bool keep_shard(void *ctx, const char *address)
{
	const shard_keep *k = ctx;

	return tr_plan_shard_of(k->map, address) == k->index;
}

/* --shard: this shard's part of the plan, checked against the whole plan,
 * which every shard computes alike from the same commit. */
static int make_shard_plan(planned *p, tr_cli *cli, tr_plan_options *popts,
			   int64_t max_deletes, tr_diag *diag)
{
	const tr_cli_args *a = &cli->args;
	tr_shard_map map;
	tr_plan whole;
	tr_diag scratch;
	shard_keep keep;
	size_t api_calls = p->plan.api_calls;
	int rc = 0;

	tr_plan_shard_map_init(&map);
	tr_plan_init(&whole);
	tr_diag_init(&scratch);
	(void)tr_plan_shard_map_build(&map, &p->desired, &p->observed,
				      a->shard_count);
	/* Problems of other shards' resources are theirs to report. */
	(void)tr_plan_compute(&whole, &p->desired, &p->observed, popts,
			      &scratch);
	keep.map = &map;
	keep.index = a->shard_index;
	popts->keep = keep_shard;
	popts->keep_ctx = &keep;
	if (tr_plan_compute(&p->plan, &p->desired, &p->observed, popts,
			    diag) < 0)
		rc = TR_ERROR;
	if (tr_plan_shard_check(&p->left_out, &p->plan, &whole, &map,
				a->shard_index, &p->desired, &p->observed,
				diag) < 0)
		rc = TR_ERROR;
	memcpy(p->plan.commit, p->loaded.tree.commit, sizeof(p->plan.commit));
	p->plan.api_calls = api_calls;
	if (check_deletes(p, &whole, max_deletes, a->allow_delete_all,
			  diag) < 0)
		rc = TR_EREFUSED;
	tr_diag_dispose(&scratch);
	tr_plan_dispose(&whole);
	tr_plan_shard_map_dispose(&map);
	return rc;
}

/* A loaded config up to its desired model: validation, the config's
 * AWS settings, the targets from Kubernetes. No AWS request. */
static int prepare(planned *p, tr_cli *cli, tr_diag *diag)
{
	const tr_cli_args *a = &cli->args;
	tr_validate_stats stats;
	tr_validate_options vopts = {a->allow_unsupported, NULL};
	const tr_config *cfg;

	(void)tr_validate_repo(&stats, &p->loaded.repo, &vopts, diag);
	cfg = &p->loaded.repo.config;
	if (tr_diag_failed(diag, a->allow_unsupported) ||
	    !config_is_complete(cfg, diag))
		return TR_ERROR;
	(void)tr_model_build_desired(&p->desired, &p->loaded.repo, diag);
	if (tr_diag_failed(diag, a->allow_unsupported))
		return TR_ERROR;
	/* Targets before AWS: a refused token stops the run early. */
	if (tr_cli_kube_targets(cli, &p->desired, cfg, diag) < 0 ||
	    tr_diag_failed(diag, a->allow_unsupported))
		return TR_ERROR;
	return 0;
}

/* A prepared config's plan against what AWS holds, checked. */
static int plan_against_aws(planned *p, tr_cli *cli, bool writes_allowed,
			    tr_diag *diag)
{
	const tr_cli_args *a = &cli->args;
	tr_observe_options oopts = {NULL, 0, 0, NULL};
	tr_observe_stats ostats = {0};
	tr_plan_options popts = {NULL, false, false, NULL, NULL};
	const tr_config *cfg = &p->loaded.repo.config;

	if (connect(p, cli, cfg->region, writes_allowed, diag) < 0)
		return TR_ERROR;
	oopts.owner = cfg->owner;
	oopts.now_s = (int64_t)time(NULL); /* certificate expiry */
	if (observe(p, cli, &p->desired, cfg, &oopts, &ostats, diag) < 0)
		return TR_ERROR;
	/* Policies name ARNs: those of what exists are known now. */
	if (tr_policy_resolve_model(&p->desired, &p->observed, p->id.account,
				    diag) < 0)
		return TR_ERROR;
	popts.owner = cfg->owner;
	popts.prune = a->prune || cfg->prune;
	popts.adopt = a->adopt;
	p->plan.api_calls = ostats.requests + 1; /* + GetCallerIdentity */
	if (a->shard_count)
		return make_shard_plan(p, cli, &popts,
				       a->max_deletes >= 0 ? a->max_deletes
							   : cfg->max_deletes,
				       diag);
	if (tr_plan_compute(&p->plan, &p->desired, &p->observed, &popts,
			    diag) < 0)
		return TR_ERROR;
	memcpy(p->plan.commit, p->loaded.tree.commit, sizeof(p->plan.commit));
	return check_deletes(p, &p->plan,
			     a->max_deletes >= 0 ? a->max_deletes
						 : cfg->max_deletes,
			     a->allow_delete_all, diag);
}

/* Everything up to a checked plan. Problems go to diag; negative return. */
static int make_plan(planned *p, tr_cli *cli, bool writes_allowed,
		     tr_diag *diag)
{
	if (tr_cli_load(&p->loaded, cli, diag) < 0 ||
	    prepare(p, cli, diag) < 0)
		return TR_ERROR;
	return plan_against_aws(p, cli, writes_allowed, diag);
}

/*
 * apply --plan with a trust root: the plan's commit must be the one that
 * was verified when the plan was made, and must verify now, fetched again
 * from the plan's repository (the file alone could claim anything).
 */
static int verify_saved_plan(planned *p, tr_cli *cli, const tr_config *cfg,
			     tr_diag *diag)
{
	const tr_plan_file_info *info = &p->saved.info;
	const char *file = cli->args.plan_file;
	tr_cli_trust *t = &p->loaded.trust;
	tr_source_options opts;
	int error;

	if ((error = tr_cli_trust_open(t, cli, true, diag)) < 0 || !t->wanted)
		return error;
	if (!p->saved.plan.commit[0] || !info->signer_key) {
		tr_diag_add(diag, TR_SEV_ERROR, "verify.plan", file, 0, 0,
			    "source", "%s", !p->saved.plan.commit[0]
			    ? "the plan was not made from a git commit: there "
			      "is no signature to check"
			    : "the plan was made without signature "
			      "verification: make it again with --verify-keys "
			      "or --allowed-signers");
		return TR_EREFUSED;
	}
	tr_cli_source_options(&opts, cli);
	opts.repo = info->repo;
	opts.ref = NULL;
	opts.path = info->path;
	if ((error = tr_source_open(&p->loaded.source, &opts, diag)) < 0 ||
	    (error = tr_cli_trust_check(t, cli, p->loaded.source,
					p->saved.plan.commit, diag)) < 0)
		return error;
	if (strcmp(t->result.key.ptr ? t->result.key.ptr : "",
		   info->signer_key) != 0) {
		tr_diag_add(diag, TR_SEV_ERROR, "verify.plan", file, 0, 0,
			    "source.verified.key",
			    "the plan says commit %s was signed with key %s, "
			    "but it is signed with %s",
			    p->saved.plan.commit, info->signer_key,
			    tr_buf_cstr(&t->result.key));
		return TR_EREFUSED;
	}
	return tr_cli_trust_policy(t, cli, p->loaded.source, cfg, info->path,
				   diag);
}

/* apply --plan: the saved plan, checked against the account as it is now.
 * The repository is not read again: the file carries the config and the
 * desired state of every resource. */
static int load_saved_plan(planned *p, tr_cli *cli, bool writes_allowed,
			   tr_diag *diag)
{
	const char *file = cli->args.plan_file;
	const tr_plan_file_info *info = &p->saved.info;
	tr_validate_stats stats;
	tr_validate_options vopts = {false, NULL};
	tr_observe_options oopts = {NULL, 0, 0, NULL};
	tr_observe_stats ostats = {0};
	const tr_config *cfg;
	char *data = NULL;
	size_t len = 0;
	int rc = TR_ERROR;

	if (tr_cli_read_file(&data, &len, file, TR_MAX_PLANFILE_BYTES,
			     "planfile.unreadable", "plan file", diag) < 0 ||
	    tr_plan_file_read(&p->saved, file, data, len, diag) < 0)
		goto done;
	if (tr_cli_load_config_text(&p->loaded, info->config_file,
				    info->config_text, info->config_len,
				    diag) < 0)
		goto done;
	(void)tr_validate_repo(&stats, &p->loaded.repo, &vopts, diag);
	cfg = &p->loaded.repo.config;
	if (tr_diag_failed(diag, false) || !config_is_complete(cfg, diag))
		goto done;
	if (verify_saved_plan(p, cli, cfg, diag) < 0)
		goto done;
	if (!tr_str_eq(cfg->owner, info->owner) ||
	    !tr_str_eq(cfg->region, info->region)) {
		tr_diag_add(diag, TR_SEV_ERROR, "planfile.invalid", file, 0, 0,
			    "target",
			    "owner \"%s\" and region \"%s\" differ from the "
			    "config the plan carries (\"%s\", \"%s\")",
			    info->owner, info->region,
			    cfg->owner ? cfg->owner : "",
			    cfg->region ? cfg->region : "");
		goto done;
	}
	if (connect(p, cli, cfg->region, writes_allowed, diag) < 0)
		goto done;
	if (!tr_str_eq(p->id.account, info->account)) {
		tr_diag_add(diag, TR_SEV_ERROR, "plan.account", file, 0, 0,
			    "target.account",
			    "the plan was made for account %s; these "
			    "credentials are for account %s",
			    info->account, p->id.account);
		goto done;
	}
	oopts.owner = cfg->owner;
	if (observe(p, cli, &p->saved.desired, cfg, &oopts, &ostats, diag) < 0)
		goto done;
	if (tr_plan_file_check(&p->saved, &p->observed, diag) < 0) {
		tr_diag_add(diag, TR_SEV_ERROR, "plan.stale", file, 0, 0, NULL,
			    "the saved plan is stale: AWS changed since `trellis "
			    "plan --out` (listed above); nothing was applied. "
			    "Make a new plan");
		goto done;
	}
	/* The saved changes are the plan; nothing is recomputed. */
	p->plan = p->saved.plan;
	tr_plan_init(&p->saved.plan);
	p->plan.api_calls = ostats.requests + 1;
	p->deletes = p->plan.summary.remove + p->plan.summary.replace;
	p->max_deletes = info->max_deletes;
	rc = 0;
done:
	tr_free(data);
	return rc;
}

/* plan --out: the saved plan, written whole or not at all. */
static int save_plan(planned *p, tr_cli *cli, tr_diag *diag)
{
	const tr_cli_args *a = &cli->args;
	const tr_config *cfg = &p->loaded.repo.config;
	tr_plan_file_info info;
	tr_buf out = TR_BUF_INIT(TR_MAX_PLANFILE_BYTES);
	tr_buf tmp = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	FILE *fp = NULL;
	int rc = TR_ERROR;

	memset(&info, 0, sizeof(info));
	info.trellis_version = (char *)TRELLIS_VERSION;
	info.repo = (char *)a->repo;
	info.ref = (char *)a->ref;
	info.path = (char *)a->path;
	info.account = p->id.account;
	info.region = (char *)cfg->region;
	info.owner = (char *)cfg->owner;
	info.config_file = (char *)cfg->file;
	info.config_text = (char *)p->loaded.repo.config_text;
	info.config_len = p->loaded.repo.config_len;
	info.prune = a->prune || cfg->prune;
	info.adopt = a->adopt;
	info.allow_delete_all = a->allow_delete_all;
	info.max_deletes = p->max_deletes;
	if (p->loaded.trust.checked &&
	    p->loaded.trust.result.status == TR_VERIFY_GOOD) {
		const tr_verify_result *v = &p->loaded.trust.result;

		info.signature_kind = (char *)tr_verify_kind_name(v->kind);
		info.signer = v->signer.ptr ? v->signer.ptr : "";
		info.signer_key = v->key.ptr ? v->key.ptr : "";
	}
	if (tr_plan_file_write(&out, &p->plan, &p->observed, &info) < 0 ||
	    tr_redactor_scrub(&cli->redactor, &out) < 0 ||
	    (cli->aws && tr_redactor_scrub(tr_aws_client_redactor(cli->aws),
					   &out) < 0) ||
	    tr_buf_printf(&tmp, "%s.tmp", a->out) < 0) {
		tr_diag_add(diag, TR_SEV_ERROR, "plan.out", a->out, 0, 0, NULL,
			    "the plan is too large to save");
		goto done;
	}
	fp = fopen(tmp.ptr, "wb");
	if (!fp || fwrite(out.ptr, 1, out.len, fp) != out.len ||
	    fclose(fp) != 0 || rename(tmp.ptr, a->out) != 0) {
		if (fp)
			remove(tmp.ptr);
		tr_diag_add(diag, TR_SEV_ERROR, "plan.out", a->out, 0, 0, NULL,
			    "cannot write the plan file");
		goto done;
	}
	tr_cli_printf(cli, cli->err, "trellis: plan saved to %s; apply it "
				     "with `trellis apply --plan %s`\n",
		      a->out, a->out);
	rc = 0;
done:
	tr_buf_dispose(&out);
	tr_buf_dispose(&tmp);
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

static cJSON *summary_json(const tr_plan *plan)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "create", (double)plan->summary.create);
	cJSON_AddNumberToObject(o, "update", (double)plan->summary.update);
	cJSON_AddNumberToObject(o, "replace", (double)plan->summary.replace);
	cJSON_AddNumberToObject(o, "delete", (double)plan->summary.remove);
	cJSON_AddNumberToObject(o, "no_op", (double)plan->summary.no_op);
	return o;
}

/* What the summary line reports (main prints it after the command);
 * several configs add up. */
static void record_run(tr_cli *cli, const planned *p,
		       const tr_apply_result *res, const tr_diag *diag)
{
	tr_cli_run *r = &cli->run;

	r->recorded = true;
	r->units++;
	r->errors += tr_diag_count(diag, TR_SEV_ERROR);
	r->warnings += tr_diag_count(diag, TR_SEV_WARNING);
	r->create += p->plan.summary.create;
	r->update += p->plan.summary.update;
	r->replace += p->plan.summary.replace;
	r->remove += p->plan.summary.remove;
	if (res) {
		r->done += res->done;
		r->failed += res->failed;
		r->skipped += res->skipped;
	}
	if (p->plan.commit[0] || p->loaded.tree.commit[0]) {
		memcpy(r->commit,
		       p->plan.commit[0] ? p->plan.commit
					 : p->loaded.tree.commit,
		       sizeof(r->commit));
		r->commit[sizeof(r->commit) - 1] = '\0';
	}
}

static int run_units(tr_cli *cli);

int tr_cmd_plan(tr_cli *cli)
{
	const tr_cli_args *a = &cli->args;
	tr_diag diag;
	planned p;
	int rc = TR_EXIT_ERROR;

	if (tr_cli_unit_count(a) > 1)
		return run_units(cli);
	tr_diag_init(&diag);
	planned_init(&p);
	if (make_plan(&p, cli, false, &diag) < 0 || render(cli, &p.plan) < 0)
		goto done;
	if (a->out && save_plan(&p, cli, &diag) < 0)
		goto done;
	if (log_json(cli)) {
		cJSON *o = summary_json(&p.plan);
		cJSON_AddStringToObject(o, "event", "planned");
		cJSON_AddNumberToObject(o, "api_calls",
					(double)p.plan.api_calls);
		log_object(cli, cli->err, o);
	}
	/* A shard's changes that wait for another shard fail the run. */
	rc = p.left_out ? TR_EXIT_ERROR
	     : a->detailed_exitcode && tr_plan_has_changes(&p.plan)
		     ? TR_EXIT_CHANGES
		     : TR_EXIT_OK;
done:
	tr_cli_print_diags(cli, &diag, NULL);
	record_run(cli, &p, NULL, &diag);
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

	if (log_json(cli))
		return; /* the events say it as JSON */
	tr_cli_printf(cli, progress_stream(cli), "%s%s\n",
		      cli->args.dry_run ? "dry-run: " : "", line);
}

static void apply_event(void *ctx, const tr_apply_step *st)
{
	tr_cli *cli = ctx;
	cJSON *o;

	if (!log_json(cli))
		return;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "event", st->status == TR_STEP_STARTED
						    ? "start"
						    : "end");
	cJSON_AddStringToObject(o, "step", st->verb);
	cJSON_AddStringToObject(o, "address", st->change->address);
	cJSON_AddStringToObject(o, "type", tr_kind_get(st->change->kind)->name);
	cJSON_AddStringToObject(o, "action", tr_action_name(st->change->action));
	cJSON_AddBoolToObject(o, "dry_run", cli->args.dry_run);
	cJSON_AddNumberToObject(o, "elapsed_ms", (double)st->start_ms);
	if (st->status != TR_STEP_STARTED) {
		cJSON_AddStringToObject(o, "status",
					tr_step_status_name(st->status));
		cJSON_AddNumberToObject(o, "duration_ms",
					(double)st->duration_ms);
		if (st->detail)
			cJSON_AddStringToObject(o, st->status == TR_STEP_DONE
							   ? "id"
						   : st->status == TR_STEP_FAILED
							   ? "error"
							   : "reason",
						st->detail);
	}
	log_object(cli, progress_stream(cli), o);
}

/* --report FILE: what the run did, for CI artefacts. Written in every case
 * once the command line was understood, failures before apply included. */
static int write_report(tr_cli *cli, const planned *p,
			const tr_apply_result *res, bool applied, int exit_status,
			const tr_diag *diag)
{
	const tr_cli_args *a = &cli->args;
	cJSON *root = cJSON_CreateObject();
	cJSON *o, *list;
	tr_buf out = TR_BUF_INIT(TR_MAX_REPORT_BYTES);
	char *text = NULL;
	FILE *fp = NULL;
	int rc = TR_ERROR;

	cJSON_AddNumberToObject(root, "format_version", 1);
	cJSON_AddStringToObject(root, "command", "apply");
	cJSON_AddStringToObject(root, "mode", a->dry_run ? "dry-run"
					      : a->plan_file ? "plan-file"
							     : "apply");
	cJSON_AddStringToObject(root, "trellis_version", TRELLIS_VERSION);
	if (a->plan_file)
		cJSON_AddStringToObject(root, "plan_file", a->plan_file);
	cJSON_AddStringToObject(root, "commit", p->plan.commit);
	cJSON_AddStringToObject(root, "account", p->id.account);
	if (a->shard_count)
		cJSON_AddItemToObject(root, "shard", shard_json(cli));
	else
		cJSON_AddNullToObject(root, "shard");
	cJSON_AddNumberToObject(root, "exit_status", exit_status);
	cJSON_AddBoolToObject(root, "applied", applied);
	cJSON_AddItemToObject(root, "plan", summary_json(&p->plan));
	o = cJSON_AddObjectToObject(root, "counts");
	cJSON_AddNumberToObject(o, "done", (double)res->done);
	cJSON_AddNumberToObject(o, "failed", (double)res->failed);
	cJSON_AddNumberToObject(o, "skipped", (double)res->skipped);
	cJSON_AddNumberToObject(o, "not_sent", (double)res->refused);
	cJSON_AddNumberToObject(root, "duration_ms", (double)res->duration_ms);
	list = cJSON_AddArrayToObject(root, "actions");
	for (size_t i = 0; i < res->step_count; i++) {
		const tr_apply_step *st = &res->steps[i];
		cJSON *s = cJSON_CreateObject();

		cJSON_AddStringToObject(s, "address", st->change->address);
		cJSON_AddStringToObject(s, "type",
					tr_kind_get(st->change->kind)->name);
		cJSON_AddStringToObject(s, "action",
					tr_action_name(st->change->action));
		cJSON_AddStringToObject(s, "step", st->verb);
		cJSON_AddStringToObject(s, "status",
					tr_step_status_name(st->status));
		if (st->status == TR_STEP_FAILED)
			cJSON_AddStringToObject(s, "error", st->detail
								    ? st->detail
								    : "");
		else
			cJSON_AddNullToObject(s, "error");
		if (st->status == TR_STEP_DONE && st->detail)
			cJSON_AddStringToObject(s, "id", st->detail);
		if (st->status == TR_STEP_SKIPPED && st->detail)
			cJSON_AddStringToObject(s, "reason", st->detail);
		cJSON_AddNumberToObject(s, "started_ms", (double)st->start_ms);
		cJSON_AddNumberToObject(s, "duration_ms",
					(double)st->duration_ms);
		cJSON_AddItemToArray(list, s);
	}
	list = cJSON_AddArrayToObject(root, "errors");
	for (size_t i = 0; i < diag->count; i++) {
		const tr_diag_entry *e = &diag->entries[i];
		cJSON *d;

		if (e->severity != TR_SEV_ERROR)
			continue;
		d = cJSON_CreateObject();
		cJSON_AddStringToObject(d, "rule", e->rule);
		if (e->file)
			cJSON_AddStringToObject(d, "file", e->file);
		if (e->line)
			cJSON_AddNumberToObject(d, "line", e->line);
		if (e->path)
			cJSON_AddStringToObject(d, "path", e->path);
		cJSON_AddStringToObject(d, "message", e->message);
		cJSON_AddItemToArray(list, d);
	}
	text = cJSON_Print(root);
	if (!text || tr_buf_puts(&out, text) < 0 || tr_buf_putc(&out, '\n') < 0 ||
	    tr_redactor_scrub(&cli->redactor, &out) < 0 ||
	    (cli->aws && tr_redactor_scrub(tr_aws_client_redactor(cli->aws),
					   &out) < 0))
		goto done;
	fp = fopen(a->report, "wb");
	if (!fp)
		goto done;
	if (fwrite(out.ptr, 1, out.len, fp) != out.len) {
		fclose(fp);
		goto done;
	}
	rc = fclose(fp) == 0 ? 0 : TR_EIO;
done:
	if (rc < 0)
		tr_cli_printf(cli, cli->err,
			      "%s: error: cannot write the report [apply.report]\n",
			      a->report);
	cJSON_free(text);
	cJSON_Delete(root);
	tr_buf_dispose(&out);
	return rc;
}

/* apply's part after the plan is printed: carries it out and says how it
 * went. *applied: tr_apply ran. */
static int carry_out(tr_cli *cli, planned *p, tr_apply_result *res,
		     bool *applied, tr_diag *diag)
{
	const tr_cli_args *a = &cli->args;
	tr_apply_options aopts;
	int rc;

	if (!tr_plan_has_changes(&p->plan))
		return TR_EXIT_OK;
	memset(&aopts, 0, sizeof(aopts));
	aopts.owner = p->loaded.repo.config.owner;
	aopts.progress = apply_progress;
	aopts.event = apply_event;
	aopts.ctx = cli;
	if (!log_json(cli))
		tr_cli_printf(cli, progress_stream(cli), "\n");
	*applied = true;
	rc = tr_apply(res, p->client, &p->plan, &p->observed, &aopts, diag) < 0
		     ? TR_EXIT_ERROR
		     : TR_EXIT_OK;
	if (log_json(cli)) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "event", "applied");
		cJSON_AddBoolToObject(o, "dry_run", a->dry_run);
		cJSON_AddBoolToObject(o, "complete", rc == TR_EXIT_OK);
		cJSON_AddNumberToObject(o, "done", (double)res->done);
		cJSON_AddNumberToObject(o, "failed", (double)res->failed);
		cJSON_AddNumberToObject(o, "skipped", (double)res->skipped);
		cJSON_AddNumberToObject(o, "not_sent", (double)res->refused);
		cJSON_AddNumberToObject(o, "duration_ms",
					(double)res->duration_ms);
		log_object(cli, progress_stream(cli), o);
	} else if (a->dry_run)
		tr_cli_printf(cli, progress_stream(cli),
			      "Dry run: %zu request%s not sent; nothing was "
			      "changed.\n",
			      res->refused, res->refused == 1 ? "" : "s");
	else
		tr_cli_printf(cli, progress_stream(cli),
			      "Apply %s: %zu done, %zu failed, %zu skipped.\n",
			      rc == TR_EXIT_OK ? "complete" : "incomplete",
			      res->done, res->failed, res->skipped);
	return rc;
}

int tr_cmd_apply(tr_cli *cli)
{
	const tr_cli_args *a = &cli->args;
	tr_diag diag;
	planned p;
	tr_apply_result res;
	bool applied = false;
	int rc = TR_EXIT_ERROR;

	if (tr_cli_unit_count(a) > 1)
		return run_units(cli);
	tr_diag_init(&diag);
	planned_init(&p);
	memset(&res, 0, sizeof(res));
	/* --dry-run: the client refuses every write at the one place
	 * requests leave the program. */
	if ((a->plan_file ? load_saved_plan(&p, cli, !a->dry_run, &diag)
			  : make_plan(&p, cli, !a->dry_run, &diag)) < 0 ||
	    render(cli, &p.plan) < 0)
		goto done;
	rc = carry_out(cli, &p, &res, &applied, &diag);
	if (p.left_out)
		rc = TR_EXIT_ERROR; /* waiting for another shard */
done:
	if (a->report && write_report(cli, &p, &res, applied, rc, &diag) < 0)
		rc = TR_EXIT_ERROR;
	tr_cli_print_diags(cli, &diag, NULL);
	record_run(cli, &p, &res, &diag);
	tr_apply_result_dispose(&res);
	planned_dispose(cli, &p);
	tr_diag_dispose(&diag);
	return rc;
}

/* --- several configs in one run ------------------------------------------ */

/* What two configs run with the same credentials (one account) must not
 * share: an owner in one region (each would take the other's resources
 * for its own, and prune them), or a named AWS resource (it has one
 * owner). IAM roles and Route 53 records are global. */
static int check_disjoint(planned *ps, size_t n, tr_diag *diag)
{
	tr_strmap claims;
	tr_buf key = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			const tr_config *a = &ps[i].loaded.repo.config;
			const tr_config *b = &ps[j].loaded.repo.config;
			const tr_node *at = tr_node_get(b->root, "owner");

			if (!tr_str_eq(a->owner, b->owner) ||
			    !tr_str_eq(a->region, b->region))
				continue;
			tr_diag_add(diag, TR_SEV_ERROR, "config.same-owner",
				    b->file, at ? at->line : 1,
				    at ? at->col : 1, "owner",
				    "%s and %s both use owner \"%s\" in "
				    "region %s: each would take the other's "
				    "resources for its own (and --prune would "
				    "delete them); give each config its own "
				    "owner",
				    tr_cli_unit_name(&ps[i].loaded),
				    tr_cli_unit_name(&ps[j].loaded), b->owner,
				    b->region);
			rc = TR_ECONFLICT;
		}
	tr_strmap_init(&claims);
	for (size_t i = 0; i < n; i++) {
		tr_model *m = &ps[i].desired;

		for (size_t k = 0; k < m->count; k++) {
			const tr_resource *r = &m->resources[k];
			bool global = r->kind == TR_KIND_IAM_ROLE ||
				      r->kind == TR_KIND_DNS_RECORD;
			uintptr_t other;
			const tr_resource *o;

			if (r->parent || (!tr_kind_get(r->kind)->has_name &&
					  !global))
				continue;
			tr_buf_clear(&key);
			if (tr_buf_printf(&key, "%s|%s",
					  global ? "global"
						 : ps[i].loaded.repo.config
							   .region,
					  r->address) < 0)
				continue;
			other = (uintptr_t)tr_strmap_get(&claims, key.ptr);
			if (!other) {
				tr_strmap_put(&claims, key.ptr,
					      (void *)(uintptr_t)(i + 1));
				continue;
			}
			if (other == i + 1)
				continue;
			o = tr_model_find(&ps[other - 1].desired, r->address);
			tr_diag_add(diag, TR_SEV_ERROR, "config.same-resource",
				    r->source_file, r->source_line, 0, NULL,
				    "%s \"%s\" is declared by %s and by %s (%s:%u):"
				    " both would own it in this account (one "
				    "run, one set of credentials), and an AWS "
				    "resource has one owner; rename one, or "
				    "run the configs with different credentials",
				    tr_kind_get(r->kind)->title,
				    r->name ? r->name : r->address,
				    tr_cli_unit_name(&ps[i].loaded),
				    tr_cli_unit_name(&ps[other - 1].loaded),
				    o && o->source_file ? o->source_file : "?",
				    o ? o->source_line : 0);
			rc = TR_ECONFLICT;
		}
	}
	tr_strmap_dispose(&claims);
	tr_buf_dispose(&key);
	return rc;
}

/* "trellis: config 1/2: a/trellis.yaml" on stderr, before what it says. */
static void unit_banner(tr_cli *cli, const planned *p, size_t i, size_t n)
{
	const tr_config *cfg = &p->loaded.repo.config;

	if (log_json(cli)) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "event", "config");
		cJSON_AddStringToObject(o, "config",
					tr_cli_unit_name(&p->loaded));
		cJSON_AddNumberToObject(o, "index", (double)i);
		cJSON_AddNumberToObject(o, "count", (double)n);
		log_object(cli, cli->err, o);
		return;
	}
	tr_cli_printf(cli, cli->err, "trellis: config %zu/%zu: %s%s%s%s%s%s\n",
		      i + 1, n, tr_cli_unit_name(&p->loaded),
		      cfg->owner ? " (owner " : "",
		      cfg->owner ? cfg->owner : "",
		      cfg->region ? ", region " : "",
		      cfg->region ? cfg->region : "", cfg->owner ? ")" : "");
}

/*
 * plan or apply with several configs (docs/operations.md): every config
 * is loaded from the one source, validated and translated first, and
 * checked against the others; any problem stops the run before any AWS
 * request. Then each config is planned (and applied) in turn, its output
 * under its own heading; a config that fails does not stop the next. The
 * exit code and the summary line add them up.
 */
static int run_units(tr_cli *cli)
{
	const tr_cli_args *a = &cli->args;
	bool apply = a->command == TR_CMD_APPLY;
	bool json = tr_cli_plan_format(a->format) == TR_PLAN_JSON;
	size_t n = tr_cli_unit_count(a);
	tr_cli_loaded *loaded = tr_calloc(n, sizeof(*loaded));
	planned *ps = tr_calloc(n, sizeof(*ps));
	tr_diag *diags = tr_calloc(n, sizeof(*diags));
	tr_diag cross;
	bool failed = false, changes = false, opened = false;
	int rc = TR_EXIT_OK;

	tr_diag_init(&cross);
	for (size_t i = 0; i < n; i++) {
		planned_init(&ps[i]);
		tr_diag_init(&diags[i]);
	}
	/* Every config is checked, so that one run reports all problems. */
	if (tr_cli_load_units(loaded, n, cli, diags) < 0)
		failed = true;
	for (size_t i = 0; i < n; i++) {
		ps[i].loaded = loaded[i]; /* moved */
		if (!ps[i].loaded.repo_loaded ||
		    prepare(&ps[i], cli, &diags[i]) < 0)
			failed = true;
	}
	tr_free(loaded);
	if (!failed && check_disjoint(ps, n, &cross) < 0)
		failed = true;
	if (failed) {
		for (size_t i = 0; i < n; i++) {
			char heading[TR_MAX_PATH_BYTES + 64];

			snprintf(heading, sizeof(heading),
				 "trellis: config %zu/%zu: %s\n", i + 1, n,
				 tr_cli_unit_name(&ps[i].loaded));
			tr_cli_print_diags(cli, &diags[i], heading);
			record_run(cli, &ps[i], NULL, &diags[i]);
		}
		tr_cli_print_diags(cli, &cross, NULL);
		cli->run.errors += tr_diag_count(&cross, TR_SEV_ERROR);
		tr_cli_printf(cli, cli->err,
			      "trellis: nothing was planned or applied: every "
			      "config must be valid first\n");
		rc = TR_EXIT_ERROR;
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		planned *p = &ps[i];
		tr_apply_result res;
		bool applied = false;
		int unit_rc = TR_EXIT_ERROR;

		memset(&res, 0, sizeof(res));
		p->plan.config_name = tr_cli_unit_name(&p->loaded);
		p->plan.config_index = (uint32_t)i;
		p->plan.config_count = (uint32_t)n;
		unit_banner(cli, p, i, n);
		if (plan_against_aws(p, cli, apply && !a->dry_run,
				     &diags[i]) == 0) {
			if (json)
				tr_cli_printf(cli, cli->out, "%s",
					      opened ? "," : "[");
			opened |= json;
			if (render(cli, &p->plan) == 0) {
				changes |= tr_plan_has_changes(&p->plan);
				unit_rc = apply ? carry_out(cli, p, &res,
							    &applied,
							    &diags[i])
						: TR_EXIT_OK;
				if (p->left_out)
					unit_rc = TR_EXIT_ERROR;
			}
		}
		if (!apply && unit_rc == TR_EXIT_OK && log_json(cli)) {
			cJSON *o = summary_json(&p->plan);
			cJSON_AddStringToObject(o, "event", "planned");
			cJSON_AddStringToObject(o, "config",
						p->plan.config_name);
			cJSON_AddNumberToObject(o, "api_calls",
						(double)p->plan.api_calls);
			log_object(cli, cli->err, o);
		}
		if (unit_rc != TR_EXIT_OK)
			rc = TR_EXIT_ERROR;
		tr_cli_print_diags(cli, &diags[i], NULL);
		record_run(cli, p, &res, &diags[i]);
		tr_apply_result_dispose(&res);
		/* The next config connects anew (its own region). */
		planned_dispose(cli, p);
		planned_init(p);
	}
	if (json)
		tr_cli_printf(cli, cli->out, "%s\n", opened ? "]" : "[]");
	if (rc == TR_EXIT_OK && !apply && a->detailed_exitcode && changes)
		rc = TR_EXIT_CHANGES;
done:
	for (size_t i = 0; i < n; i++) {
		planned_dispose(cli, &ps[i]);
		tr_diag_dispose(&diags[i]);
	}
	tr_diag_dispose(&cross);
	tr_free(ps);
	tr_free(diags);
	return rc;
}
