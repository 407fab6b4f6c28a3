/* trellis explain-access: the offline access check (policy/access.h). */
#include <string.h>

#include "cli/load.h"
#include "policy/access.h"
#include "util/limits.h"
#include "validate/validate.h"

enum { EXIT_DENIED = 2 };

static int put_statement(tr_buf *out, const tr_policy_statement_result *s,
			 tr_policy_verdict verdict)
{
	/* '+' decided for, '-' decided against, ' ' did not match. */
	char mark = !s->matched ? ' '
		    : s->deny   ? '-'
				: (verdict == TR_POLICY_ALLOW ? '+' : ' ');

	return tr_buf_printf(out, "    %c Statement[%zu]%s%s%s %s: %s\n", mark,
			     s->index, s->sid ? " (" : "", s->sid ? s->sid : "",
			     s->sid ? ")" : "", s->deny ? "Deny" : "Allow",
			     s->matched ? "matches" : s->why);
}

static int put_layer(tr_buf *out, const tr_policy_access_layer *l)
{
	int rc;

	if (!l->enforced)
		return tr_buf_printf(
			out, "%s: not checked (%s)\n", l->name,
			l->kind == TR_POLICY_ACCESS_IDENTITY
				? "no IAM auth on the way"
				: "auth type NONE: no IAMAuthPolicy targets it");
	rc = tr_buf_printf(out, "%s: %s, %s\n", l->name,
			   l->kind == TR_POLICY_ACCESS_IDENTITY
				   ? "identity policies"
				   : "auth type AWS_IAM",
			   l->verdict == TR_POLICY_ALLOW ? "allows"
			   : l->verdict == TR_POLICY_EXPLICIT_DENY
				   ? "denies explicitly"
				   : "allows nothing here");
	if (rc == 0 && l->count == 0)
		rc = tr_buf_puts(out, "  (no policy declared)\n");
	for (size_t i = 0; rc == 0 && i < l->count; i++) {
		const tr_policy_access_doc *d = &l->docs[i];
		rc = tr_buf_printf(out, "  %s (%s:%u)\n", d->label, d->file,
				   d->line);
		for (size_t j = 0; rc == 0 && j < d->decision.count; j++)
			rc = put_statement(out, &d->decision.statements[j],
					   d->decision.verdict);
	}
	return rc;
}

static int render_text(tr_buf *out, const tr_cli_args *a,
		       const tr_policy_access_result *r)
{
	int rc;

	rc = tr_buf_printf(out, "%s: role %s from cluster %s %s %s: %s\n\n",
			   r->allowed ? "ALLOWED" : "DENIED", a->role,
			   a->from_cluster,
			   r->allowed ? "may invoke" : "may not invoke",
			   a->to_route, r->reason);
	if (rc == 0)
		rc = tr_buf_printf(out,
				   "request\n  principal  %s\n  action     %s\n"
				   "  resource   %s\n",
				   r->request.principal_arn,
				   r->request.action, r->request.resource);
	for (size_t i = 0; rc == 0 && i < r->request.key_count; i++)
		rc = tr_buf_printf(out, "  %-10s %s = %s\n",
				   i ? "" : "context", r->keys[i].key,
				   r->keys[i].value);
	for (size_t i = 0; rc == 0 && i < r->layer_count; i++)
		if ((rc = tr_buf_puts(out, "\n")) == 0)
			rc = put_layer(out, &r->layers[i]);
	if (rc == 0 && r->note_count)
		rc = tr_buf_puts(out, "\nnotes\n");
	for (size_t i = 0; rc == 0 && i < r->note_count; i++)
		rc = tr_buf_printf(out, "  - %s\n", r->notes[i]);
	return rc;
}

int tr_cmd_explain_access(tr_cli *cli)
{
	const tr_cli_args *a = &cli->args;
	tr_policy_access_query q = {a->from_cluster, a->role, a->to_route,
				    a->account, a->method, a->request_path};
	tr_validate_options vopts = {a->allow_unsupported, NULL};
	tr_policy_access_result result;
	tr_validate_stats stats;
	tr_cli_loaded loaded;
	tr_buf out = TR_BUF_INIT(TR_MAX_OUTPUT_BYTES);
	bool json = a->format && strcmp(a->format, "json") == 0;
	char *text = NULL;
	cJSON *doc = NULL;
	tr_diag diag;
	int rc = TR_EXIT_ERROR;

	tr_diag_init(&diag);
	memset(&result, 0, sizeof(result));
	if (tr_cli_load(&loaded, cli, &diag) < 0)
		goto done;
	(void)tr_validate_repo(&stats, &loaded.repo, &vopts, &diag);
	if (tr_diag_failed(&diag, a->allow_unsupported))
		goto done;
	if (!loaded.repo.config.present) {
		tr_diag_add(&diag, TR_SEV_ERROR, "access.config", NULL, 0, 0,
			    NULL,
			    "explain-access needs trellis.yaml: the clusters' "
			    "VPCs come from it");
		goto done;
	}
	if (tr_policy_access_explain(&result, &loaded.repo, &q, &diag) < 0)
		goto done;
	if (json) {
		doc = tr_policy_access_to_json(&result);
		text = cJSON_Print(doc);
		if (!text || tr_buf_printf(&out, "%s\n", text) < 0)
			goto done;
	} else if (render_text(&out, a, &result) < 0) {
		goto done;
	}
	tr_cli_write(cli, cli->out, &out);
	rc = result.allowed ? TR_EXIT_OK : EXIT_DENIED;
done:
	tr_cli_print_diags(cli, &diag, NULL);
	cJSON_free(text);
	cJSON_Delete(doc);
	tr_buf_dispose(&out);
	tr_policy_access_dispose(&result);
	tr_cli_loaded_dispose(&loaded);
	tr_diag_dispose(&diag);
	return rc;
}
