/* The process side of the AWS client: environment, clock, debug log. */
#include <stdlib.h>
#include <string.h>

#include "cli/load.h"
#include "util/str.h"
#include "util/limits.h"

static const char *env_lookup(void *ctx, const char *name)
{
	(void)ctx;
	return getenv(name);
}

static void debug_log(void *ctx, const char *line)
{
	tr_cli *cli = ctx;

	if (cli->args.debug)
		tr_cli_printf(cli, cli->err, "debug: %s\n", line);
}

static void refused_log(void *ctx, const char *service, const char *operation,
			const char *method, const char *path)
{
	tr_cli *cli = ctx;

	tr_cli_printf(cli, cli->err, "dry-run: not sent: %s %s (%s %s)\n",
		      service, operation, method, path);
}

int tr_cli_aws_client(tr_aws_client **out, tr_cli *cli, const char *region,
		      bool dry_run, tr_diag *diag)
{
	tr_aws_config cfg;
	const char *v;
	int error;

	memset(&cli->aws_runtime, 0, sizeof(cli->aws_runtime));
	cli->aws_runtime.getenv = env_lookup;
	cli->aws_runtime.log = debug_log;
	cli->aws_runtime.refused = refused_log;
	cli->aws_runtime.ctx = cli;
	memset(&cfg, 0, sizeof(cfg));
	cfg.region = region;
	cfg.dry_run = dry_run;
	cfg.user_agent = "trellis/" TRELLIS_VERSION;
	/* The SDKs' setting for retries, honoured the same way. */
	if ((v = getenv("AWS_MAX_ATTEMPTS")) != NULL && *v) {
		int64_t n;
		if (tr_str_to_i64(&n, v, 1, TR_AWS_MAX_ATTEMPTS) < 0) {
			tr_diag_add(diag, TR_SEV_ERROR, "aws.client", NULL, 0,
				    0, NULL,
				    "AWS_MAX_ATTEMPTS must be a whole number "
				    "from 1 to %u, not '%s'",
				    TR_AWS_MAX_ATTEMPTS, v);
			return TR_EINVALID;
		}
		cfg.max_attempts = (unsigned)n;
	}
	if ((error = tr_aws_client_new(out, &cfg, &cli->aws_runtime)) < 0) {
		tr_diag_add(diag, TR_SEV_ERROR, "aws.client", NULL, 0, 0, NULL,
			    "cannot set up the AWS client (region, endpoints "
			    "or credentials settings are invalid)");
		return error;
	}
	cli->aws = *out;
	return 0;
}

/* Scrubs with what the AWS client has seen too (keys, session tokens). */
void tr_cli_forget_aws(tr_cli *cli)
{
	cli->aws = NULL;
}

int tr_cmd_whoami(tr_cli *cli)
{
	tr_aws_client *client = NULL;
	tr_aws_identity id;
	tr_aws_error err;
	tr_diag diag;
	tr_buf msg = TR_BUF_INIT(TR_MAX_LINE_BYTES);
	int rc = TR_EXIT_ERROR;

	tr_diag_init(&diag);
	tr_aws_error_init(&err);
	if (tr_cli_aws_client(&client, cli, NULL, false, &diag) < 0) {
		tr_cli_print_diags(cli, &diag, NULL);
		goto done;
	}
	if (tr_aws_whoami(&id, client, &err) < 0) {
		if (tr_aws_error_render(&msg, &err) == 0)
			tr_cli_printf(cli, cli->err, "trellis: %s\n", msg.ptr);
		goto done;
	}
	tr_cli_printf(cli, cli->out,
		      "account: %s\narn: %s\nregion: %s\n", id.account, id.arn,
		      tr_aws_client_region(client) ? tr_aws_client_region(client)
						   : "(none)");
	rc = TR_EXIT_OK;
done:
	tr_buf_dispose(&msg);
	tr_aws_error_dispose(&err);
	tr_cli_forget_aws(cli);
	tr_aws_client_free(client);
	tr_diag_dispose(&diag);
	return rc;
}
