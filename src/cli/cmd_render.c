#include <string.h>

#include "cli/load.h"
#include "model/model.h"
#include "util/limits.h"
#include "validate/validate.h"

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
