#include <stdarg.h>

#include "cli/cli.h"
#include "util/limits.h"

void tr_cli_write(tr_cli *cli, FILE *stream, tr_buf *buf)
{
	if (tr_redactor_scrub(&cli->redactor, buf) < 0)
		return;
	if (cli->aws &&
	    tr_redactor_scrub(tr_aws_client_redactor(cli->aws), buf) < 0)
		return;
	if (buf->len)
		fwrite(buf->ptr, 1, buf->len, stream);
	fflush(stream);
}

void tr_cli_printf(tr_cli *cli, FILE *stream, const char *fmt, ...)
{
	tr_buf buf = TR_BUF_INIT(TR_MAX_OUTPUT_BYTES);
	va_list ap;

	va_start(ap, fmt);
	if (tr_buf_vprintf(&buf, fmt, ap) == 0)
		tr_cli_write(cli, stream, &buf);
	va_end(ap);
	tr_buf_dispose(&buf);
}
