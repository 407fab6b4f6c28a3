#include <string.h>

#include "cli/options.h"

/* Wraps `text` at 78 columns with `indent` spaces on each line. */
static int put_wrapped(tr_buf *out, const char *text, size_t indent,
		       size_t first_col)
{
	size_t col = first_col;
	int error = 0;

	while (*text && !error) {
		size_t word = strcspn(text, " ");
		if (col > indent && col + 1 + word > 78) {
			error = tr_buf_putc(out, '\n');
			for (size_t i = 0; i < indent && !error; i++)
				error = tr_buf_putc(out, ' ');
			col = indent;
		} else if (col > indent) {
			error = tr_buf_putc(out, ' ');
			col++;
		}
		if (!error)
			error = tr_buf_put(out, text, word);
		col += word;
		text += word;
		while (*text == ' ')
			text++;
	}
	if (!error)
		error = tr_buf_putc(out, '\n');
	return error;
}

static int put_options(tr_buf *out, unsigned mask, bool source_only,
		       bool exclude_source)
{
	int error = 0;

	for (const tr_opt_spec *o = tr_cli_options; o->name && !error; o++) {
		char head[64];
		size_t n;
		bool is_source = o->commands == CMDS_SOURCE;

		if (!(o->commands & mask))
			continue;
		if ((source_only && !is_source) ||
		    (exclude_source && is_source))
			continue;
		n = (size_t)snprintf(head, sizeof(head), "  --%s%s%s", o->name,
				     o->arg ? " " : "", o->arg ? o->arg : "");
		error = tr_buf_puts(out, head);
		if (!error && n >= 26)
			error = tr_buf_puts(out, "\n                          ");
		else
			for (size_t i = n; i < 26 && !error; i++)
				error = tr_buf_putc(out, ' ');
		if (!error)
			error = put_wrapped(out, o->help, 26, 26);
	}
	return error;
}

/* "Exit codes: 0 success (...); 1 ..." from the table the man page uses. */
static int exit_codes(tr_buf *out)
{
	tr_buf line = TR_BUF_INIT(1024);
	int error = tr_buf_puts(&line, "Exit codes:");

	for (const tr_doc_item *e = tr_cli_exit_codes; e->name && !error; e++)
		error = tr_buf_printf(&line, " %s %s%s", e->name, e->text,
				      e[1].name ? ";" : ".");
	if (!error)
		error = tr_buf_putc(out, '\n');
	if (!error)
		error = put_wrapped(out, line.ptr, 0, 0);
	tr_buf_dispose(&line);
	return error;
}

static int general_help(tr_buf *out)
{
	int error = tr_buf_puts(
		out,
		"trellis: run Amazon VPC Lattice from git.\n\n"
		"Reads Kubernetes Gateway API manifests from a git repository, "
		"validates them,\nplans the VPC Lattice, Route 53, ACM and IAM "
		"changes they need, and applies\nthem idempotently.\n\n"
		"Usage: trellis COMMAND [OPTIONS]\n\nCommands:\n");

	for (const tr_cmd_spec *c = tr_cli_commands; c->name && !error; c++)
		error = tr_buf_printf(out, "  %-16s%s%s\n", c->name, c->summary,
				      c->built ? "" : " (not built yet)");
	if (!error)
		error = tr_buf_puts(out, "\nSOURCE options (validate, plan, "
					 "apply, render, diff, "
					 "explain-access):\n");
	if (!error)
		error = put_options(out, CMDS_SOURCE, true, false);
	if (!error)
		error = exit_codes(out);
	if (!error)
		error = tr_buf_puts(
			out,
			"\nGit credentials: TRELLIS_GIT_USERNAME and "
			"TRELLIS_GIT_PASSWORD (or TRELLIS_GIT_TOKEN)\nfor HTTPS; "
			"ssh-agent, TRELLIS_GIT_SSH_KEY or --ssh-key for SSH. "
			"They are never printed.\n\n"
			"Run 'trellis COMMAND --help' for a command's options.\n");
	return error;
}

void tr_cli_help(tr_buf *out, tr_cli_command cmd)
{
	const tr_cmd_spec *c = tr_cli_command_spec(cmd);
	int error;

	if (!c) {
		if (general_help(out) < 0)
			tr_buf_clear(out);
		return;
	}
	error = tr_buf_printf(out, "Usage: trellis %s %s\n\n", c->name,
			      c->synopsis);
	if (!error)
		error = put_wrapped(out, c->summary, 0, 0);
	if (!error && c->details) {
		error = tr_buf_putc(out, '\n');
		if (!error)
			error = put_wrapped(out, c->details, 0, 0);
	}
	if (!error && !c->built)
		error = tr_buf_puts(out, "\nThis command is not built yet in "
					 "this version of trellis.\n");
	if (!error && (CMD_BIT(cmd) & CMDS_SOURCE)) {
		error = tr_buf_puts(out, "\nSOURCE:\n");
		if (!error)
			error = put_options(out, CMDS_SOURCE, true, false);
	}
	if (!error)
		error = tr_buf_puts(out, "\nOptions:\n");
	if (!error)
		error = put_options(out, CMD_BIT(cmd), false, true);
	if (!error && c->formats)
		error = tr_buf_printf(out, "\nFormats: %s\n", c->formats);
	if (error)
		tr_buf_clear(out);
}
