/*
 * The diff: desired against observed, field by field, as the kinds table
 * says each field can change. Absent, null, [] and {} are the same value,
 * so a field AWS echoes back empty never shows as a change.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/str.h"

void tr_plan_init(tr_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
}

void tr_plan_change_dispose(tr_change *c)
{
	tr_free(c->address);
	tr_free(c->name);
	cJSON_Delete(c->before);
	cJSON_Delete(c->after);
	for (size_t i = 0; i < c->replace_count; i++)
		tr_free(c->replace_paths[i]);
	tr_free(c->replace_paths);
	tr_free(c->reason);
	tr_free(c->id);
	tr_free(c->source_file);
	cJSON_Delete(c->added);
	cJSON_Delete(c->removed);
}

void tr_plan_dispose(tr_plan *plan)
{
	for (size_t i = 0; i < plan->count; i++)
		tr_plan_change_dispose(&plan->changes[i]);
	tr_free(plan->changes);
	tr_free(plan->from_commit);
	tr_plan_init(plan);
}

const char *tr_action_name(tr_action action)
{
	static const char *const names[TR_ACTION_COUNT] = {
		"no-op", "create", "update", "replace", "delete",
		"delete-skipped"};

	return action < TR_ACTION_COUNT ? names[action] : "?";
}

bool tr_plan_has_changes(const tr_plan *plan)
{
	const tr_plan_summary *s = &plan->summary;

	return s->create || s->update || s->replace || s->remove ||
	       s->members_added || s->members_removed;
}


static bool is_empty(const cJSON *v)
{
	return !v || cJSON_IsNull(v) ||
	       ((cJSON_IsArray(v) || cJSON_IsObject(v)) && !v->child);
}

/* Drops nulls and empty lists and objects, recursively, so that a field
 * AWS echoes back empty equals one the manifests leave out. */
static void strip_empty(cJSON *v, int depth)
{
	cJSON *child, *next;

	if (depth > (int)TR_MAX_YAML_DEPTH)
		return;
	for (child = v ? v->child : NULL; child; child = next) {
		next = child->next;
		strip_empty(child, depth + 1);
		if (cJSON_IsObject(v) && is_empty(child))
			cJSON_Delete(cJSON_DetachItemViaPointer(v, child));
	}
}

static bool same_value(const cJSON *a, const cJSON *b)
{
	cJSON *ca, *cb;
	bool same;

	if (is_empty(a) || is_empty(b))
		return is_empty(a) && is_empty(b);
	if (cJSON_Compare(a, b, true))
		return true;
	ca = cJSON_Duplicate(a, true);
	cb = cJSON_Duplicate(b, true);
	strip_empty(ca, 0);
	strip_empty(cb, 0);
	same = cJSON_Compare(ca, cb, true);
	cJSON_Delete(ca);
	cJSON_Delete(cb);
	return same;
}

/* Resource as the plan shows it: attributes plus tags. */
static cJSON *snapshot(const tr_resource *r)
{
	cJSON *o = cJSON_Duplicate(r->attrs, true);

	cJSON_AddItemToObject(o, "tags", cJSON_Duplicate(r->tags, true));
	return o;
}

static tr_change *add_change(tr_plan *plan, tr_action action,
			     const tr_resource *desired,
			     const tr_resource *observed)
{
	const tr_resource *r = desired ? desired : observed;
	tr_change *c;

	plan->changes = tr_grow(plan->changes, &plan->cap, plan->count + 1,
				sizeof(*plan->changes));
	c = &plan->changes[plan->count++];
	memset(c, 0, sizeof(*c));
	c->action = action;
	c->kind = r->kind;
	c->address = tr_strdup(r->address);
	c->name = r->name ? tr_strdup(r->name) : NULL;
	c->before = observed ? snapshot(observed) : NULL;
	c->after = desired ? snapshot(desired) : NULL;
	c->id = observed && observed->id ? tr_strdup(observed->id) : NULL;
	c->tags_unknown = observed && observed->tags_inherited;
	if (desired && desired->source_file) {
		c->source_file = tr_strdup(desired->source_file);
		c->source_line = desired->source_line;
	}
	return c;
}

static void add_replace_path(tr_change *c, const char *path)
{
	c->replace_paths = tr_realloc(c->replace_paths,
				      (c->replace_count + 1) *
					      sizeof(*c->replace_paths));
	c->replace_paths[c->replace_count++] = tr_strdup(path);
}

static void set_reason(tr_change *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_reason(tr_change *c, const char *fmt, ...)
{
	tr_buf b = TR_BUF_INIT(1024);
	va_list ap;

	va_start(ap, fmt);
	if (tr_buf_vprintf(&b, fmt, ap) == 0) {
		tr_free(c->reason);
		c->reason = tr_buf_detach(&b);
	}
	va_end(ap);
	tr_buf_dispose(&b);
}

/* Compares one desired/observed pair; returns the action and records the
 * fields that force replacement. */
static tr_action compare(tr_change *c, const tr_resource *d,
			 const tr_resource *o)
{
	const tr_kind_spec *k = tr_kind_get(d->kind);
	tr_action action = TR_ACTION_NOOP;
	const cJSON *item, *ours;

	/* Fields the kind describes, at their (possibly nested) paths. */
	for (const tr_field_spec *f = k->fields; f->name; f++) {
		if (f->mode == TR_FIELD_COMPUTED)
			continue;
		if (f->mode == TR_FIELD_OPTIONAL &&
		    is_empty(tr_model_attr(d->attrs, f->name)))
			continue;
		if (same_value(tr_model_attr(d->attrs, f->name),
			       tr_model_attr(o->attrs, f->name)))
			continue;
		if (f->mode == TR_FIELD_REPLACE) {
			action = TR_ACTION_REPLACE;
			add_replace_path(c, f->name);
		} else if (action == TR_ACTION_NOOP) {
			action = TR_ACTION_UPDATE;
		}
	}
	/* Desired attributes the table does not list are mutable. */
	cJSON_ArrayForEach(item, d->attrs)
	{
		bool listed = false;
		size_t n = strlen(item->string);

		for (const tr_field_spec *f = k->fields; f->name && !listed; f++)
			listed = strncmp(f->name, item->string, n) == 0 &&
				 (f->name[n] == '\0' || f->name[n] == '.');
		if (!listed &&
		    !same_value(item, cJSON_GetObjectItemCaseSensitive(
					      o->attrs, item->string)) &&
		    action == TR_ACTION_NOOP)
			action = TR_ACTION_UPDATE;
	}
	/* Our tags; tags others added are left alone. Children owned
	 * through their parent were not read: they were set at creation. */
	ours = o->tags_inherited ? NULL : d->tags;
	cJSON_ArrayForEach(item, ours)
	{
		if (!same_value(item, cJSON_GetObjectItemCaseSensitive(
					      o->tags, item->string)) &&
		    action == TR_ACTION_NOOP)
			action = TR_ACTION_UPDATE;
	}
	return action;
}

static const char *owner_of(const tr_resource *r)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(r->tags, TR_TAG_OWNER);

	return cJSON_IsString(t) ? t->valuestring : NULL;
}

/* Does this attribute tree refer to `address`? Sets *mode to the mode of
 * the top-level field holding the reference. */
static bool refers_to(const tr_resource *r, const char *address,
		      tr_field_mode *mode)
{
	const cJSON *stack[TR_MAX_YAML_DEPTH];
	size_t depth = 0;
	const cJSON *field;

	cJSON_ArrayForEach(field, r->attrs)
	{
		stack[0] = field;
		depth = 1;
		while (depth) {
			const cJSON *v = stack[--depth];
			const char *target = tr_model_ref_target(v);
			const cJSON *child;

			if (target && strcmp(target, address) == 0) {
				*mode = tr_kind_field_mode(r->kind,
							   field->string);
				return true;
			}
			cJSON_ArrayForEach(child, v)
			{
				if (depth < TR_MAX_YAML_DEPTH)
					stack[depth++] = child;
			}
		}
	}
	return false;
}

/* A replaced resource gets a new id: whatever names it in a field that is
 * set at creation is replaced too, and whatever names it in a mutable field
 * is updated. Kinds only refer to earlier kinds, so one pass in kind order
 * (the desired model's order) reaches the fixpoint. change_of[i] is the
 * change of desired resource i, or SIZE_MAX. */
static void propagate_replacements(tr_plan *plan, const tr_model *desired,
				   const size_t *change_of)
{
	size_t *replaced = NULL, nreplaced = 0, cap = 0;

	for (size_t i = 0; i < plan->count; i++)
		if (plan->changes[i].action == TR_ACTION_REPLACE) {
			replaced = tr_grow(replaced, &cap, nreplaced + 1,
					   sizeof(*replaced));
			replaced[nreplaced++] = i;
		}
	for (size_t i = 0; i < desired->count && nreplaced; i++) {
		const tr_resource *r = &desired->resources[i];
		tr_change *c;

		if (change_of[i] == SIZE_MAX)
			continue;
		c = &plan->changes[change_of[i]];
		if (c->action == TR_ACTION_CREATE ||
		    c->action == TR_ACTION_REPLACE)
			continue;
		for (size_t j = 0; j < nreplaced; j++) {
			const tr_change *p = &plan->changes[replaced[j]];
			tr_field_mode mode;

			if (!refers_to(r, p->address, &mode))
				continue;
			if (mode == TR_FIELD_REPLACE ||
			    tr_str_eq(r->parent, p->address)) {
				c->action = TR_ACTION_REPLACE;
				set_reason(c, "%s is replaced", p->address);
				replaced = tr_grow(replaced, &cap, nreplaced + 1,
						   sizeof(*replaced));
				replaced[nreplaced++] = change_of[i];
				break;
			}
			if (c->action == TR_ACTION_NOOP) {
				c->action = TR_ACTION_UPDATE;
				set_reason(c, "%s is replaced and gets a new id",
					   p->address);
			}
		}
	}
	tr_free(replaced);
}

/* Apply order: deletions children first, then replacements, creations and
 * updates parents first; no-ops and skipped deletions last. */
static int phase_of(const tr_change *c)
{
	switch (c->action) {
	case TR_ACTION_DELETE:
		return 0;
	case TR_ACTION_REPLACE:
	case TR_ACTION_CREATE:
	case TR_ACTION_UPDATE:
		return 1;
	default:
		return 2;
	}
}

static int compare_changes(const void *pa, const void *pb)
{
	const tr_change *a = pa, *b = pb;
	int pa_ = phase_of(a), pb_ = phase_of(b);

	if (pa_ != pb_)
		return pa_ < pb_ ? -1 : 1;
	if (a->kind != b->kind) {
		if (pa_ == 0)
			return a->kind > b->kind ? -1 : 1;
		return a->kind < b->kind ? -1 : 1;
	}
	return strcmp(a->address, b->address);
}

/* --- member sets (targets) ------------------------------------------- */

static bool same_member(const tr_set_spec *set, const cJSON *a,
			const cJSON *b)
{
	for (const char *const *k = set->key; *k; k++)
		if (!cJSON_Compare(cJSON_GetObjectItemCaseSensitive(a, *k),
				   cJSON_GetObjectItemCaseSensitive(b, *k),
				   true))
			return false;
	return true;
}

/* Members of `from` that `other` lacks, as a new array. Sets are small
 * (a target group holds at most a thousand targets): a scan is enough. */
static cJSON *members_missing(const tr_set_spec *set, const cJSON *from,
			      const cJSON *other)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *m, *o;

	cJSON_ArrayForEach(m, from)
	{
		bool found = false;

		cJSON_ArrayForEach(o, other)
		{
			if (same_member(set, m, o)) {
				found = true;
				break;
			}
		}
		if (!found)
			cJSON_AddItemToArray(out, cJSON_Duplicate(m, true));
	}
	return out;
}

static const cJSON *members_of(const tr_set_spec *set, const tr_resource *r)
{
	const cJSON *v = r ? cJSON_GetObjectItemCaseSensitive(r->attrs,
							       set->field)
			   : NULL;

	return cJSON_IsArray(v) ? v : NULL;
}

void tr_plan_set_members(tr_change *c)
{
	const tr_set_spec *set = tr_kind_set(c->kind);
	const cJSON *after = c->after ? cJSON_GetObjectItemCaseSensitive(
						c->after, set->field)
				      : NULL;
	const cJSON *before = c->before ? cJSON_GetObjectItemCaseSensitive(
						  c->before, set->field)
					: NULL;
	bool all = c->action == TR_ACTION_CREATE ||
		   c->action == TR_ACTION_REPLACE ||
		   c->action == TR_ACTION_DELETE;

	cJSON_Delete(c->added);
	cJSON_Delete(c->removed);
	c->added = members_missing(set, after, all ? NULL : before);
	c->removed = members_missing(set, before, all ? NULL : after);
	if (c->action == TR_ACTION_DELETE) {
		cJSON_Delete(c->added);
		c->added = cJSON_CreateArray();
	}
	if (c->action == TR_ACTION_CREATE) {
		cJSON_Delete(c->removed);
		c->removed = cJSON_CreateArray();
	}
	if (c->action == TR_ACTION_NOOP || c->action == TR_ACTION_UPDATE)
		c->action = cJSON_GetArraySize(c->added) ||
					    cJSON_GetArraySize(c->removed)
				    ? TR_ACTION_UPDATE
				    : TR_ACTION_NOOP;
}

/* A desired member set without members is unknown (the cluster's API was
 * not read): nothing is planned for it. Returns false to skip it. */
static bool plan_set(tr_plan *out, const tr_resource *d,
		     const tr_resource *o, size_t *change_of)
{
	const tr_set_spec *set = tr_kind_set(d->kind);

	if (!members_of(set, d))
		return false;
	if (!o && cJSON_GetArraySize(members_of(set, d)) == 0)
		return false; /* a new, empty set: nothing to do */
	add_change(out, o ? TR_ACTION_UPDATE : TR_ACTION_CREATE, d, o);
	*change_of = out->count - 1;
	tr_plan_set_members(&out->changes[out->count - 1]);
	return true;
}

void tr_plan_summarize(tr_plan *plan)
{
	memset(&plan->summary, 0, sizeof(plan->summary));
	for (size_t i = 0; i < plan->count; i++) {
		tr_plan_summary *s = &plan->summary;
		if (tr_kind_set(plan->changes[i].kind)) {
			/* Members, not resources: counted as such. */
			s->members_added += (size_t)cJSON_GetArraySize(
				plan->changes[i].added);
			s->members_removed += (size_t)cJSON_GetArraySize(
				plan->changes[i].removed);
			if (plan->changes[i].action == TR_ACTION_NOOP)
				s->no_op++;
			continue;
		}
		switch (plan->changes[i].action) {
		case TR_ACTION_CREATE: s->create++; break;
		case TR_ACTION_UPDATE: s->update++; break;
		case TR_ACTION_REPLACE: s->replace++; break;
		case TR_ACTION_DELETE: s->remove++; break;
		case TR_ACTION_DELETE_SKIPPED: s->skipped_deletes++; break;
		default: s->no_op++; break;
		}
	}
}

int tr_plan_compute(tr_plan *out, tr_model *desired, tr_model *observed,
		    const tr_plan_options *opts, tr_diag *diag)
{
	int error = 0;
	size_t *change_of;

	tr_model_sort(desired);
	tr_model_sort(observed);
	change_of = tr_malloc((desired->count + 1) * sizeof(*change_of));
	for (size_t i = 0; i < desired->count; i++) {
		const tr_resource *d = &desired->resources[i];
		const tr_resource *o = tr_model_find(observed, d->address);
		const char *owner;
		tr_change *c;
		tr_action action;

		change_of[i] = SIZE_MAX;
		if (opts->keep && !opts->keep(opts->keep_ctx, d->address))
			continue; /* another shard's */
		if (tr_kind_set(d->kind)) {
			(void)plan_set(out, d, o, &change_of[i]);
			continue;
		}
		if (!o) {
			add_change(out, TR_ACTION_CREATE, d, NULL);
			change_of[i] = out->count - 1;
			continue;
		}
		owner = owner_of(o);
		if (owner == NULL && !tr_kind_get(d->kind)->adoptable) {
			tr_diag_add(diag, TR_SEV_ERROR, "plan.unowned",
				    d->source_file, d->source_line, 0, NULL,
				    "%s \"%s\" already exists in AWS (%s) "
				    "without trellis's ownership record; "
				    "trellis never changes it, even with "
				    "--adopt: remove it yourself or choose "
				    "another name",
				    tr_kind_get(d->kind)->title,
				    d->name ? d->name : d->address,
				    o->id ? o->id : d->address);
			error = TR_ECONFLICT;
			continue;
		}
		if (!tr_str_eq(owner, opts->owner) && !(owner == NULL &&
							opts->adopt)) {
			tr_diag_add(diag, TR_SEV_ERROR,
				    owner ? "plan.foreign-owner"
					  : "plan.unowned",
				    d->source_file, d->source_line, 0, NULL,
				    owner ? "%s \"%s\" (%s) already exists in "
					    "AWS and is owned by \"%s\" (tag "
					    TR_TAG_OWNER "), not by \"%s\"; "
					    "trellis never changes what others "
					    "own: rename yours or remove it"
					  : "%s \"%s\" (%s%s) already exists in "
					    "AWS without the " TR_TAG_OWNER
					    " tag; run with --adopt to take it "
					    "over, or rename yours",
				    tr_kind_get(d->kind)->title,
				    d->name ? d->name : d->address,
				    o->id ? o->id : d->address,
				    owner ? owner : "", owner ? opts->owner : "");
			error = TR_ECONFLICT;
			continue;
		}
		c = add_change(out, TR_ACTION_NOOP, d, o);
		change_of[i] = out->count - 1;
		action = compare(c, d, o);
		c->action = action;
		if (owner == NULL) {
			/* Adopting always writes at least the owner tag. */
			if (action == TR_ACTION_NOOP)
				c->action = TR_ACTION_UPDATE;
			set_reason(c, "adopted: the " TR_TAG_OWNER
				      " tag is added");
		}
	}
	for (size_t i = 0; i < observed->count; i++) {
		const tr_resource *o = &observed->resources[i];

		if (tr_model_find(desired, o->address) ||
		    !tr_str_eq(owner_of(o), opts->owner) ||
		    (opts->keep && !opts->keep(opts->keep_ctx, o->address)))
			continue;
		if (tr_kind_set(o->kind)) {
			/* Members of a kept parent are unknown when the
			 * desired set is missing; those of a pruned parent
			 * are removed first. */
			if ((o->parent && tr_model_find(desired, o->parent)) ||
			    !opts->prune ||
			    cJSON_GetArraySize(members_of(tr_kind_set(o->kind),
							  o)) == 0)
				continue;
			add_change(out, TR_ACTION_DELETE, NULL, o);
			tr_plan_set_members(&out->changes[out->count - 1]);
			continue;
		}
		add_change(out, opts->prune ? TR_ACTION_DELETE
					    : TR_ACTION_DELETE_SKIPPED,
			   NULL, o);
	}
	propagate_replacements(out, desired, change_of);
	tr_free(change_of);
	for (size_t i = 0; i < out->count; i++)
		if (tr_kind_set(out->changes[i].kind))
			tr_plan_set_members(&out->changes[i]);
	if (out->count > 1)
		qsort(out->changes, out->count, sizeof(*out->changes),
		      compare_changes);
	tr_plan_summarize(out);
	return error;
}
