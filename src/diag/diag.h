/*
 * Diagnostics: every problem found in the input, collected (never just the
 * first), each with file, line, column, field path, severity and rule id, and
 * rendered in one of three formats:
 *
 *   text    file:line:col: error: spec.rules[0].matches: message
 *   json    [{"file":..,"line":..,"column":..,"path":..,"severity":..,
 *             "rule":..,"message":..}]
 *   github  ::error file=..,line=..,col=..,title=rule::path: message
 */
#ifndef TR_DIAG_DIAG_H
#define TR_DIAG_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

typedef enum tr_severity {
	TR_SEV_ERROR = 0,       /* the input would be rejected */
	TR_SEV_UNSUPPORTED = 1, /* valid, but VPC Lattice cannot express it */
	TR_SEV_WARNING = 2,
	TR_SEV_NOTE = 3         /* shown only with --verbose */
} tr_severity;

typedef enum tr_diag_format {
	TR_DIAG_TEXT = 0,
	TR_DIAG_JSON,
	TR_DIAG_GITHUB
} tr_diag_format;

typedef struct tr_diag_entry {
	tr_severity severity;
	char *rule;    /* stable id, e.g. "yaml.duplicate-key" */
	char *file;    /* repository-relative path, or NULL for run-level problems */
	uint32_t line; /* 1-based; 0 when not tied to a line */
	uint32_t col;  /* 1-based; 0 when not tied to a column */
	char *path;    /* field path like spec.rules[0].matches, or NULL */
	char *message;
	size_t seq;    /* insertion order, keeps sorting stable */
} tr_diag_entry;

typedef struct tr_diag {
	tr_diag_entry *entries;
	size_t count;
	size_t cap;
	size_t dropped;   /* entries beyond TR_MAX_DIAGNOSTICS */
	size_t counts[4]; /* per severity, including dropped ones */
} tr_diag;

void tr_diag_init(tr_diag *diag);
void tr_diag_dispose(tr_diag *diag);

/* Records one problem. file, path may be NULL; the strings are copied. */
void tr_diag_add(tr_diag *diag, tr_severity sev, const char *rule,
		 const char *file, uint32_t line, uint32_t col,
		 const char *path, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));
void tr_diag_vadd(tr_diag *diag, tr_severity sev, const char *rule,
		  const char *file, uint32_t line, uint32_t col,
		  const char *path, const char *fmt, va_list ap)
	__attribute__((format(printf, 8, 0)));

size_t tr_diag_count(const tr_diag *diag, tr_severity sev);
/* True when the run must fail: any error, or an unsupported finding unless
 * unsupported findings are allowed (then they count as warnings). */
bool tr_diag_failed(const tr_diag *diag, bool allow_unsupported);

/* Sorts by file (run-level first), line, column, then insertion order. */
void tr_diag_sort(tr_diag *diag);

typedef struct tr_diag_render_options {
	tr_diag_format format;
	bool include_notes;     /* --verbose */
	bool allow_unsupported; /* render unsupported as warnings */
} tr_diag_render_options;

/* Appends the rendered diagnostics to out. */
int tr_diag_render(tr_buf *out, const tr_diag *diag,
		   const tr_diag_render_options *opts);

const char *tr_severity_name(tr_severity sev);

#endif
