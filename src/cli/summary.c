/*
 * The last line of every plan and apply run, on standard error, for
 * log-based alerting (docs/operations.md): one fixed prefix, then
 * key=value pairs in a fixed order, or one JSON object with
 * --log-format json. Its keys only ever grow; alerts may match on them.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char *result_name(int exit_code)
{
	switch (exit_code) {
	case TR_EXIT_OK:
		return "ok";
	case TR_EXIT_CHANGES:
		return "changes";
	case TR_EXIT_USAGE:
		return "usage";
	default:
		return "failed";
	}
}

void tr_cli_print_summary(tr_cli *cli, int exit_code, int64_t duration_ms)
{
	const tr_cli_run *r = &cli->run;
	const char *cmd = tr_cli_command_name(cli->args.command);
	const char *commit = r->commit[0] ? r->commit : "-";
	char shard[32] = "-";
	size_t configs = r->units ? r->units : tr_cli_unit_count(&cli->args);
	cJSON *o;
	char *text;

	if (cli->args.shard_count)
		snprintf(shard, sizeof(shard), "%u/%u", cli->args.shard_index,
			 cli->args.shard_count);

	if (!cli->args.log_format || strcmp(cli->args.log_format, "json") != 0) {
		tr_cli_printf(cli, cli->err,
			      "trellis-summary: command=%s result=%s exit=%d "
			      "errors=%zu warnings=%zu create=%zu update=%zu "
			      "replace=%zu delete=%zu done=%zu failed=%zu "
			      "skipped=%zu duration_ms=%lld commit=%s "
			      "shard=%s configs=%zu\n",
			      cmd, result_name(exit_code), exit_code, r->errors,
			      r->warnings, r->create, r->update, r->replace,
			      r->remove, r->done, r->failed, r->skipped,
			      (long long)duration_ms, commit, shard, configs);
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "event", "summary");
	cJSON_AddStringToObject(o, "command", cmd);
	cJSON_AddStringToObject(o, "result", result_name(exit_code));
	cJSON_AddNumberToObject(o, "exit", exit_code);
	cJSON_AddNumberToObject(o, "errors", (double)r->errors);
	cJSON_AddNumberToObject(o, "warnings", (double)r->warnings);
	cJSON_AddNumberToObject(o, "create", (double)r->create);
	cJSON_AddNumberToObject(o, "update", (double)r->update);
	cJSON_AddNumberToObject(o, "replace", (double)r->replace);
	cJSON_AddNumberToObject(o, "delete", (double)r->remove);
	cJSON_AddNumberToObject(o, "done", (double)r->done);
	cJSON_AddNumberToObject(o, "failed", (double)r->failed);
	cJSON_AddNumberToObject(o, "skipped", (double)r->skipped);
	cJSON_AddNumberToObject(o, "duration_ms", (double)duration_ms);
	if (r->commit[0])
		cJSON_AddStringToObject(o, "commit", r->commit);
	else
		cJSON_AddNullToObject(o, "commit");
	if (cli->args.shard_count)
		cJSON_AddStringToObject(o, "shard", shard);
	else
		cJSON_AddNullToObject(o, "shard");
	cJSON_AddNumberToObject(o, "configs", (double)configs);
	text = cJSON_PrintUnformatted(o);
	if (text)
		tr_cli_printf(cli, cli->err, "%s\n", text);
	cJSON_free(text);
	cJSON_Delete(o);
}
