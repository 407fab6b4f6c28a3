#include <string.h>

#include "cli/load.h"
#include "model/model.h"
#include "util/alloc.h"
#include "util/limits.h"
#include "validate/validate.h"

/* One config's desired model as the render document; NULL on problems
 * (in diag). */
static cJSON *render_unit(tr_cli *cli, tr_cli_loaded *loaded, tr_diag *diag)
{
	tr_validate_stats stats;
	tr_validate_options vopts = {cli->args.allow_unsupported, NULL};
	tr_model model;
	cJSON *doc = NULL;

	tr_model_init(&model);
	(void)tr_validate_repo(&stats, &loaded->repo, &vopts, diag);
	if (tr_diag_failed(diag, cli->args.allow_unsupported))
		goto done;
	(void)tr_model_build_desired(&model, &loaded->repo, diag);
	if (tr_diag_failed(diag, cli->args.allow_unsupported))
		goto done;
	doc = tr_model_to_json(&model);
	cJSON_AddStringToObject(doc, "format_version", "1");
	if (loaded->tree.commit[0])
		cJSON_AddStringToObject(doc, "commit", loaded->tree.commit);
	else
		cJSON_AddNullToObject(doc, "commit");
	if (loaded->repo.config.region)
		cJSON_AddStringToObject(doc, "region",
					loaded->repo.config.region);
	if (loaded->repo.config.owner)
		cJSON_AddStringToObject(doc, "owner", loaded->repo.config.owner);
done:
	tr_model_dispose(&model);
	return doc;
}

/* Several configs: a JSON array of their documents, each with "config"
 * (the file); nothing when any config has problems. */
static int render_units(tr_cli *cli, size_t n)
{
	tr_cli_loaded *units = tr_calloc(n, sizeof(*units));
	tr_diag *diags = tr_calloc(n, sizeof(*diags));
	cJSON *list = cJSON_CreateArray();
	char *text = NULL;
	bool failed = false;
	int rc = TR_EXIT_ERROR;

	for (size_t i = 0; i < n; i++)
		tr_diag_init(&diags[i]);
	failed = tr_cli_load_units(units, n, cli, diags) < 0;
	for (size_t i = 0; i < n && !failed; i++) {
		cJSON *doc = render_unit(cli, &units[i], &diags[i]);

		if (!doc) {
			failed = true;
			break;
		}
		cJSON_AddStringToObject(doc, "config",
					tr_cli_unit_name(&units[i]));
		cJSON_AddItemToArray(list, doc);
	}
	if (!failed && (text = cJSON_Print(list)) != NULL) {
		tr_cli_printf(cli, cli->out, "%s\n", text);
		rc = TR_EXIT_OK;
	}
	for (size_t i = 0; i < n; i++) {
		char heading[TR_MAX_PATH_BYTES + 64];

		snprintf(heading, sizeof(heading), "trellis: config %zu/%zu: %s\n",
			 i + 1, n, tr_cli_unit_name(&units[i]));
		tr_cli_print_diags(cli, &diags[i], heading);
		tr_cli_loaded_dispose(&units[i]);
		tr_diag_dispose(&diags[i]);
	}
	cJSON_free(text);
	cJSON_Delete(list);
	tr_free(units);
	tr_free(diags);
	return rc;
}

int tr_cmd_render(tr_cli *cli)
{
	tr_diag diag;
	tr_cli_loaded loaded;
	tr_validate_stats stats;
	tr_validate_options vopts = {cli->args.allow_unsupported, NULL};
	tr_model model;
	cJSON *doc = NULL;
	char *text = NULL;
	int rc = TR_EXIT_ERROR;

	if (tr_cli_unit_count(&cli->args) > 1)
		return render_units(cli, tr_cli_unit_count(&cli->args));
	tr_diag_init(&diag);
	tr_model_init(&model);
	if (tr_cli_load(&loaded, cli, &diag) < 0)
		goto done;
	(void)tr_validate_repo(&stats, &loaded.repo, &vopts, &diag);
	if (tr_diag_failed(&diag, cli->args.allow_unsupported))
		goto done;
	(void)tr_model_build_desired(&model, &loaded.repo, &diag);
	if (tr_diag_failed(&diag, cli->args.allow_unsupported))
		goto done;
	doc = tr_model_to_json(&model);
	cJSON_AddStringToObject(doc, "format_version", "1");
	if (loaded.tree.commit[0])
		cJSON_AddStringToObject(doc, "commit", loaded.tree.commit);
	else
		cJSON_AddNullToObject(doc, "commit");
	if (loaded.repo.config.region)
		cJSON_AddStringToObject(doc, "region", loaded.repo.config.region);
	if (loaded.repo.config.owner)
		cJSON_AddStringToObject(doc, "owner", loaded.repo.config.owner);
	text = cJSON_Print(doc);
	if (text) {
		tr_cli_printf(cli, cli->out, "%s\n", text);
		rc = TR_EXIT_OK;
	}
done:
	tr_cli_print_diags(cli, &diag, NULL);
	cJSON_free(text);
	cJSON_Delete(doc);
	tr_model_dispose(&model);
	tr_cli_loaded_dispose(&loaded);
	tr_diag_dispose(&diag);
	return rc;
}
