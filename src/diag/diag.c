#include "diag/diag.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/limits.h"

void tr_diag_init(tr_diag *diag)
{
	memset(diag, 0, sizeof(*diag));
}

void tr_diag_dispose(tr_diag *diag)
{
	for (size_t i = 0; i < diag->count; i++) {
		tr_diag_entry *e = &diag->entries[i];
		tr_free(e->rule);
		tr_free(e->file);
		tr_free(e->path);
		tr_free(e->message);
	}
	tr_free(diag->entries);
	tr_diag_init(diag);
}

void tr_diag_vadd(tr_diag *diag, tr_severity sev, const char *rule,
		  const char *file, uint32_t line, uint32_t col,
		  const char *path, const char *fmt, va_list ap)
{
	tr_buf msg = TR_BUF_INIT(TR_MAX_MESSAGE_BYTES);
	tr_diag_entry *e;

	diag->counts[sev]++;
	if (diag->count >= TR_MAX_DIAGNOSTICS) {
		diag->dropped++;
		return;
	}
	/* An over-long message is cut, not lost. */
	if (tr_buf_vprintf(&msg, fmt, ap) < 0) {
		tr_buf_clear(&msg);
		if (tr_buf_puts(&msg, "(message too long)") < 0)
			tr_buf_clear(&msg);
	}
	diag->entries = tr_grow(diag->entries, &diag->cap, diag->count + 1,
				sizeof(*diag->entries));
	e = &diag->entries[diag->count];
	e->severity = sev;
	e->rule = tr_strdup(rule ? rule : "general");
	e->file = file ? tr_strdup(file) : NULL;
	e->line = line;
	e->col = col;
	e->path = path && *path ? tr_strdup(path) : NULL;
	e->message = tr_buf_detach(&msg);
	e->seq = diag->count;
	diag->count++;
}

void tr_diag_add(tr_diag *diag, tr_severity sev, const char *rule,
		 const char *file, uint32_t line, uint32_t col,
		 const char *path, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tr_diag_vadd(diag, sev, rule, file, line, col, path, fmt, ap);
	va_end(ap);
}

size_t tr_diag_count(const tr_diag *diag, tr_severity sev)
{
	return diag->counts[sev];
}

bool tr_diag_failed(const tr_diag *diag, bool allow_unsupported)
{
	return diag->counts[TR_SEV_ERROR] > 0 ||
	       (!allow_unsupported && diag->counts[TR_SEV_UNSUPPORTED] > 0);
}

static int compare_entries(const void *pa, const void *pb)
{
	const tr_diag_entry *a = pa, *b = pb;
	int c;

	if (!a->file != !b->file)
		return a->file ? 1 : -1;
	if (a->file && (c = strcmp(a->file, b->file)) != 0)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void tr_diag_sort(tr_diag *diag)
{
	if (diag->count > 1)
		qsort(diag->entries, diag->count, sizeof(*diag->entries),
		      compare_entries);
}

const char *tr_severity_name(tr_severity sev)
{
	switch (sev) {
	case TR_SEV_ERROR:
		return "error";
	case TR_SEV_UNSUPPORTED:
		return "unsupported";
	case TR_SEV_WARNING:
		return "warning";
	case TR_SEV_NOTE:
		return "note";
	}
	return "error";
}

static tr_severity shown_severity(const tr_diag_entry *e,
				  const tr_diag_render_options *opts)
{
	if (e->severity == TR_SEV_UNSUPPORTED && opts->allow_unsupported)
		return TR_SEV_WARNING;
	return e->severity;
}

static int render_text(tr_buf *out, const tr_diag_entry *e, tr_severity sev)
{
	int error = 0;

	if (e->file) {
		error = tr_buf_puts(out, e->file);
		if (!error && e->line)
			error = tr_buf_printf(out, ":%u", e->line);
		if (!error && e->line && e->col)
			error = tr_buf_printf(out, ":%u", e->col);
		if (!error)
			error = tr_buf_puts(out, ": ");
	} else {
		error = tr_buf_puts(out, "trellis: ");
	}
	if (!error)
		error = tr_buf_printf(out, "%s: ", tr_severity_name(sev));
	if (!error && e->path)
		error = tr_buf_printf(out, "%s: ", e->path);
	if (!error)
		error = tr_buf_printf(out, "%s [%s]\n", e->message, e->rule);
	return error;
}

/* GitHub workflow commands need %, CR and LF escaped in the message, and
 * additionally ',' and ':' in properties. */
static int put_github_escaped(tr_buf *out, const char *s, bool property)
{
	int error = 0;

	for (; *s && !error; s++) {
		switch (*s) {
		case '%':
			error = tr_buf_puts(out, "%25");
			break;
		case '\r':
			error = tr_buf_puts(out, "%0D");
			break;
		case '\n':
			error = tr_buf_puts(out, "%0A");
			break;
		case ':':
			error = property ? tr_buf_puts(out, "%3A")
					 : tr_buf_putc(out, *s);
			break;
		case ',':
			error = property ? tr_buf_puts(out, "%2C")
					 : tr_buf_putc(out, *s);
			break;
		default:
			error = tr_buf_putc(out, *s);
		}
	}
	return error;
}

static int render_github(tr_buf *out, const tr_diag_entry *e, tr_severity sev)
{
	const char *cmd = sev == TR_SEV_ERROR || sev == TR_SEV_UNSUPPORTED
				  ? "error"
			  : sev == TR_SEV_WARNING ? "warning"
						  : "notice";
	int error = tr_buf_printf(out, "::%s ", cmd);
	bool first = true;

	if (!error && e->file) {
		error = tr_buf_puts(out, "file=");
		if (!error)
			error = put_github_escaped(out, e->file, true);
		first = false;
		if (!error && e->line)
			error = tr_buf_printf(out, ",line=%u", e->line);
		if (!error && e->line && e->col)
			error = tr_buf_printf(out, ",col=%u", e->col);
	}
	if (!error)
		error = tr_buf_puts(out, first ? "title=" : ",title=");
	if (!error)
		error = put_github_escaped(out, e->rule, true);
	if (!error)
		error = tr_buf_puts(out, "::");
	if (!error && sev == TR_SEV_UNSUPPORTED)
		error = tr_buf_puts(out, "unsupported: ");
	if (!error && e->path) {
		error = put_github_escaped(out, e->path, false);
		if (!error)
			error = tr_buf_puts(out, ": ");
	}
	if (!error)
		error = put_github_escaped(out, e->message, false);
	if (!error)
		error = tr_buf_putc(out, '\n');
	return error;
}

static int render_json(tr_buf *out, const tr_diag *diag,
		       const tr_diag_render_options *opts)
{
	cJSON *arr = cJSON_CreateArray();
	char *text = NULL;
	int error = 0;

	for (size_t i = 0; i < diag->count; i++) {
		const tr_diag_entry *e = &diag->entries[i];
		tr_severity sev = shown_severity(e, opts);
		cJSON *o;

		if (sev == TR_SEV_NOTE && !opts->include_notes)
			continue;
		o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "file", e->file ? cJSON_CreateString(e->file)
							 : cJSON_CreateNull());
		cJSON_AddNumberToObject(o, "line", e->line);
		cJSON_AddNumberToObject(o, "column", e->col);
		cJSON_AddItemToObject(o, "path", e->path ? cJSON_CreateString(e->path)
							 : cJSON_CreateNull());
		cJSON_AddStringToObject(o, "severity", tr_severity_name(sev));
		cJSON_AddStringToObject(o, "rule", e->rule);
		cJSON_AddStringToObject(o, "message", e->message);
		cJSON_AddItemToArray(arr, o);
	}
	text = cJSON_PrintUnformatted(arr);
	if (!text)
		error = TR_ERROR;
	if (!error)
		error = tr_buf_puts(out, text);
	if (!error)
		error = tr_buf_putc(out, '\n');
	cJSON_free(text);
	cJSON_Delete(arr);
	return error;
}

int tr_diag_render(tr_buf *out, const tr_diag *diag,
		   const tr_diag_render_options *opts)
{
	int error = 0;

	if (opts->format == TR_DIAG_JSON)
		return render_json(out, diag, opts);
	for (size_t i = 0; i < diag->count && !error; i++) {
		const tr_diag_entry *e = &diag->entries[i];
		tr_severity sev = shown_severity(e, opts);

		if (sev == TR_SEV_NOTE && !opts->include_notes)
			continue;
		error = opts->format == TR_DIAG_GITHUB ? render_github(out, e, sev)
						       : render_text(out, e, sev);
	}
	if (!error && diag->dropped)
		error = tr_buf_printf(out,
				      "trellis: note: %zu more diagnostics not shown "
				      "(limit %u)\n",
				      diag->dropped, TR_MAX_DIAGNOSTICS);
	return error;
}
