/*
 * The plan: what apply will do, resource by resource, computed from the
 * desired model and the observed one (or, for `trellis diff`, two desired
 * models). What the plan shows is exactly what apply does.
 */
#ifndef TR_PLAN_PLAN_H
#define TR_PLAN_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "diag/diag.h"
#include "model/model.h"
#include "util/buf.h"

typedef enum tr_action {
	TR_ACTION_NOOP = 0,
	TR_ACTION_CREATE,
	TR_ACTION_UPDATE,
	TR_ACTION_REPLACE,
	TR_ACTION_DELETE,
	TR_ACTION_DELETE_SKIPPED, /* would delete, but prune is disabled */
	TR_ACTION_COUNT
} tr_action;

typedef struct tr_change {
	tr_action action;
	tr_kind kind;
	char *address;
	char *name;            /* AWS name, when the kind has one */
	cJSON *before;         /* observed attributes + tags, or NULL */
	cJSON *after;          /* desired attributes + tags, or NULL */
	char **replace_paths;  /* attributes that force replacement */
	size_t replace_count;
	char *reason;          /* why, in words: "parent service.x is replaced" */
	char *id;              /* AWS id of the existing resource */
	char *source_file;     /* manifest the desired resource came from */
	uint32_t source_line;
	bool tags_unknown;     /* AWS tags not read (owned through a parent):
				* neither shown nor changed in an update */
} tr_change;

typedef struct tr_plan_summary {
	size_t create, update, replace, remove, no_op, skipped_deletes;
} tr_plan_summary;

typedef struct tr_plan {
	tr_change *changes;    /* in apply order (see tr_plan_compute) */
	size_t count;
	size_t cap;
	tr_plan_summary summary;
	char commit[41];
	char *from_commit;     /* trellis diff: the base commit */
	size_t api_calls;      /* AWS requests made to observe */
} tr_plan;

typedef struct tr_plan_options {
	const char *owner;     /* only resources tagged with it are ours */
	bool prune;            /* plan deletions of owned, undeclared resources */
	bool adopt;            /* take over untagged resources of the same name */
} tr_plan_options;

void tr_plan_init(tr_plan *plan);
void tr_plan_dispose(tr_plan *plan);

/*
 * Compares desired with observed. Resources owned by someone else (or by
 * no one, unless adopt) that collide with desired ones are errors in diag.
 * Order: deletions children first, then creations and updates parents first,
 * a replacement as its delete and its create in those two phases.
 */
int tr_plan_compute(tr_plan *out, tr_model *desired, tr_model *observed,
		    const tr_plan_options *opts, tr_diag *diag);

bool tr_plan_has_changes(const tr_plan *plan);
const char *tr_action_name(tr_action action);

typedef enum tr_plan_format {
	TR_PLAN_TEXT = 0,
	TR_PLAN_JSON,
	TR_PLAN_MARKDOWN
} tr_plan_format;

typedef struct tr_plan_render_options {
	tr_plan_format format;
	bool color;          /* text: ANSI colours */
	bool summary_only;   /* text: the one-line summary alone */
	size_t max_bytes;    /* markdown: stay under this (GitHub: 65535) */
} tr_plan_render_options;

int tr_plan_render(tr_buf *out, const tr_plan *plan,
		   const tr_plan_render_options *opts);
/* The JSON plan document (docs/plan-format.md); caller frees. */
cJSON *tr_plan_to_json(const tr_plan *plan);
/* "Plan: 2 to add, 1 to change, 0 to replace, 0 to destroy." */
int tr_plan_summary_line(tr_buf *out, const tr_plan *plan);

#endif
