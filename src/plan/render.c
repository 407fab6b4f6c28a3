/*
 * Plan renderers: text in Terraform's idiom (+ ~ - -/+), the JSON plan
 * documented in docs/plan-format.md, and markdown for pull-request comments.
 */
#include <stdio.h>
#include <string.h>

#include "plan/plan.h"
#include "util/alloc.h"
#include "util/limits.h"

#define PLAN_FORMAT_VERSION "1"

/* --- attribute flattening ------------------------------------------------ */

typedef struct leaf {
	char *path;
	char *value;  /* rendered */
} leaf;

typedef struct leaves {
	leaf *items;
	size_t count;
	size_t cap;
} leaves;

static void leaves_dispose(leaves *l)
{
	for (size_t i = 0; i < l->count; i++) {
		tr_free(l->items[i].path);
		tr_free(l->items[i].value);
	}
	tr_free(l->items);
}

/* Values as a reader expects them: strings quoted, references as the
 * address and attribute they stand for, the rest as compact JSON. */
static char *render_value(const cJSON *v, tr_kind kind, const char *path)
{
	char field[128];
	size_t n = strcspn(path, ".[");
	const char *target = tr_model_ref_target(v);
	tr_buf b = TR_BUF_INIT(TR_MAX_LINE_BYTES);
	char *json;

	if (target) {
		snprintf(field, sizeof(field), "%.*s", (int)n, path);
		if (tr_buf_printf(&b, "%s.%s", target,
				  tr_kind_ref_attr(kind, field)) < 0)
			tr_buf_clear(&b);
		return tr_buf_detach(&b);
	}
	json = cJSON_PrintUnformatted(v);
	if (json) {
		if (tr_buf_puts(&b, json) < 0)
			tr_buf_clear(&b);
		cJSON_free(json);
	}
	return tr_buf_detach(&b);
}

static void flatten(leaves *out, const cJSON *v, tr_buf *path, int depth,
		    tr_kind kind)
{
	size_t mark = path->len;
	const cJSON *child;
	size_t index = 0;

	if (depth > (int)TR_MAX_YAML_DEPTH)
		return;
	if ((cJSON_IsObject(v) || cJSON_IsArray(v)) && v->child) {
		cJSON_ArrayForEach(child, v)
		{
			int error = cJSON_IsArray(v)
					    ? tr_buf_printf(path, "[%zu]", index)
					    : tr_buf_printf(path, "%s%s",
							    mark ? "." : "",
							    child->string);
			if (!error)
				flatten(out, child, path, depth + 1, kind);
			tr_buf_truncate(path, mark);
			index++;
		}
		return;
	}
	/* An empty object or list says nothing a reader needs: no leaf. */
	if (!mark || ((cJSON_IsObject(v) || cJSON_IsArray(v)) && !v->child))
		return;
	out->items = tr_grow(out->items, &out->cap, out->count + 1,
			     sizeof(*out->items));
	out->items[out->count].path = tr_strdup(path->ptr);
	out->items[out->count].value = render_value(v, kind, path->ptr);
	out->count++;
}

/* Computed fields the desired side carries (a policy's templates and
 * references) are apply's working data, not something to review: the
 * filled-in policy is shown instead. */
static void flatten_root(leaves *out, const cJSON *v, const tr_change *c)
{
	tr_buf path = TR_BUF_INIT(TR_MAX_LINE_BYTES);
	cJSON *shown = v ? cJSON_Duplicate(v, true) : NULL;
	const cJSON *f;

	cJSON_ArrayForEach(f, c->after)
	{
		if (tr_kind_field_mode(c->kind, f->string) == TR_FIELD_COMPUTED)
			cJSON_DeleteItemFromObjectCaseSensitive(shown, f->string);
	}
	if (shown)
		flatten(out, shown, &path, 0, c->kind);
	cJSON_Delete(shown);
	tr_buf_dispose(&path);
}

static const leaf *find_leaf(const leaves *l, const char *path)
{
	for (size_t i = 0; i < l->count; i++)
		if (strcmp(l->items[i].path, path) == 0)
			return &l->items[i];
	return NULL;
}

/* The top-level attribute of a flattened path ("config" of
 * "config.port"); false when it does not fit. */
static bool top_key(const char *path, char *key, size_t cap)
{
	size_t n = strcspn(path, ".[");

	if (n >= cap)
		return false;
	memcpy(key, path, n);
	key[n] = '\0';
	return true;
}

static bool forces_replacement(const tr_change *c, const char *path)
{
	for (size_t i = 0; i < c->replace_count; i++) {
		size_t n = strlen(c->replace_paths[i]);
		if (strncmp(path, c->replace_paths[i], n) == 0 &&
		    (path[n] == '\0' || path[n] == '.' || path[n] == '['))
			return true;
	}
	return false;
}

/* Is `key` (or a nested path under it) a field of the kind? */
static bool kind_lists(tr_kind kind, const char *key)
{
	size_t n = strlen(key);

	for (const tr_field_spec *f = tr_kind_get(kind)->fields; f->name; f++)
		if (strncmp(f->name, key, n) == 0 &&
		    (f->name[n] == '\0' || f->name[n] == '.'))
			return true;
	return false;
}

/* --- text ----------------------------------------------------------------- */

typedef struct palette {
	const char *green, *yellow, *red, *bold, *reset;
} palette;

static const char *verb(tr_action a)
{
	switch (a) {
	case TR_ACTION_CREATE:
		return "will be created";
	case TR_ACTION_UPDATE:
		return "will be updated in place";
	case TR_ACTION_REPLACE:
		return "must be replaced";
	case TR_ACTION_DELETE:
		return "will be destroyed";
	case TR_ACTION_DELETE_SKIPPED:
		return "would be destroyed, but prune is disabled";
	default:
		return "is up to date";
	}
}

static const char *symbol(tr_action a)
{
	switch (a) {
	case TR_ACTION_CREATE:
		return "+";
	case TR_ACTION_UPDATE:
		return "~";
	case TR_ACTION_REPLACE:
		return "-/+";
	case TR_ACTION_DELETE:
		return "-";
	default:
		return " ";
	}
}

static const char *color_of(const palette *p, tr_action a)
{
	switch (a) {
	case TR_ACTION_CREATE:
		return p->green;
	case TR_ACTION_UPDATE:
	case TR_ACTION_REPLACE:
		return p->yellow;
	case TR_ACTION_DELETE:
		return p->red;
	default:
		return "";
	}
}

/* "10.0.2.11:8090": a member as people write it. */
static int put_member(tr_buf *out, const cJSON *m)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "id");
	const cJSON *port = cJSON_GetObjectItemCaseSensitive(m, "port");
	const char *text = cJSON_GetStringValue(id);
	bool v6 = text && strchr(text, ':');

	if (!text)
		return tr_buf_puts(out, "?");
	if (cJSON_IsNumber(port))
		return tr_buf_printf(out, "%s%s%s:%d", v6 ? "[" : "", text,
				     v6 ? "]" : "", port->valueint);
	return tr_buf_puts(out, text);
}

/* One line a member, marked with `sign` in `color`. */
static int put_members(tr_buf *out, const cJSON *members, char sign,
		       const char *color, const char *reset)
{
	const cJSON *m;
	int error = 0;

	cJSON_ArrayForEach(m, members)
	{
		if (!error)
			error = tr_buf_printf(out, "      %s%c%s ", color, sign,
					      reset);
		if (!error)
			error = put_member(out, m);
		if (!error)
			error = tr_buf_putc(out, '\n');
	}
	return error;
}

/* Members to add and remove, one per line; the unchanged ones counted. */
static int text_set_change(tr_buf *out, const tr_change *c, const palette *p)
{
	const tr_set_spec *set = tr_kind_set(c->kind);
	const cJSON *after = c->after ? cJSON_GetObjectItemCaseSensitive(
						c->after, set->field)
				      : NULL;
	const cJSON *parent = c->after
				      ? cJSON_GetObjectItemCaseSensitive(
						c->after,
						tr_kind_get(c->kind)->labels[0])
				      : NULL;
	size_t added = (size_t)cJSON_GetArraySize(c->added);
	size_t removed = (size_t)cJSON_GetArraySize(c->removed);
	size_t kept = (size_t)cJSON_GetArraySize(after) - added;
	int error;

	if (!parent && c->before)
		parent = cJSON_GetObjectItemCaseSensitive(
			c->before, tr_kind_get(c->kind)->labels[0]);
	error = tr_buf_printf(out, "  %s# %s%s: %zu %s%s to register, %zu to "
				   "deregister\n",
			      p->bold, c->address, p->reset, added, set->member,
			      added == 1 ? "" : "s", removed);
	if (!error && c->reason)
		error = tr_buf_printf(out, "  # (%s)\n", c->reason);
	if (!error && c->source_file)
		error = tr_buf_printf(out, "  # from %s:%u\n", c->source_file,
				      c->source_line);
	if (!error)
		error = tr_buf_printf(out, "  %s%s%s %s \"%s\" {\n",
				      color_of(p, c->action), symbol(c->action),
				      p->reset, tr_kind_get(c->kind)->name,
				      tr_model_ref_target(parent)
					      ? tr_model_ref_target(parent)
					      : c->address);
	if (!error)
		error = put_members(out, c->added, '+', p->green, p->reset);
	if (!error)
		error = put_members(out, c->removed, '-', p->red, p->reset);
	if (!error && after && kept && c->action == TR_ACTION_UPDATE)
		error = tr_buf_printf(out, "        # (%zu unchanged %s%s "
					   "hidden)\n",
				      kept, set->member, kept == 1 ? "" : "s");
	if (!error)
		error = tr_buf_puts(out, "    }\n\n");
	return error;
}

static int text_change(tr_buf *out, const tr_change *c, const palette *p)
{
	const tr_kind_spec *k = tr_kind_get(c->kind);
	leaves before = {0}, after = {0};
	size_t width = 0, hidden = 0;
	int error;

	if (tr_kind_set(c->kind))
		return text_set_change(out, c, p);
	flatten_root(&before, c->before, c);
	flatten_root(&after, c->after, c);
	error = tr_buf_printf(out, "  %s# %s%s %s\n", p->bold, c->address,
			      p->reset, verb(c->action));
	if (!error && c->reason)
		error = tr_buf_printf(out, "  # (%s)\n", c->reason);
	if (!error && c->source_file)
		error = tr_buf_printf(out, "  # from %s:%u\n", c->source_file,
				      c->source_line);
	if (!error)
		error = tr_buf_printf(out, "  %s%s%s %s \"%s\" {\n",
				      color_of(p, c->action), symbol(c->action),
				      p->reset, k->name,
				      c->name ? c->name : c->address);
	for (size_t i = 0; i < after.count; i++)
		if (strlen(after.items[i].path) > width)
			width = strlen(after.items[i].path);
	for (size_t i = 0; i < before.count; i++)
		if (strlen(before.items[i].path) > width)
			width = strlen(before.items[i].path);
	if (width > 40)
		width = 40;

	if (c->action == TR_ACTION_CREATE) {
		for (size_t i = 0; i < after.count && !error; i++)
			error = tr_buf_printf(out, "      %s+%s %-*s = %s\n",
					      p->green, p->reset, (int)width,
					      after.items[i].path,
					      after.items[i].value);
		if (!error)
			error = tr_buf_printf(out, "      %s+%s %-*s = (known "
						   "after apply)\n",
					      p->green, p->reset, (int)width,
					      "id");
	} else if (c->action == TR_ACTION_DELETE ||
		   c->action == TR_ACTION_DELETE_SKIPPED) {
		const char *mark = c->action == TR_ACTION_DELETE ? "-" : " ";
		for (size_t i = 0; i < before.count && !error; i++)
			error = tr_buf_printf(out, "      %s%s%s %-*s = %s\n",
					      c->action == TR_ACTION_DELETE
						      ? p->red
						      : "",
					      mark, p->reset, (int)width,
					      before.items[i].path,
					      before.items[i].value);
	} else {
		for (size_t i = 0; i < after.count && !error; i++) {
			const leaf *a = &after.items[i];
			const leaf *b = find_leaf(&before, a->path);

			if (c->tags_unknown && strncmp(a->path, "tags.", 5) == 0)
				continue;
			const char *note = forces_replacement(c, a->path)
						   ? " # forces replacement"
						   : "";
			if (b && strcmp(a->value, b->value) == 0) {
				hidden++;
				continue;
			}
			if (b)
				error = tr_buf_printf(
					out, "      %s~%s %-*s = %s -> %s%s\n",
					p->yellow, p->reset, (int)width, a->path,
					b->value, a->value, note);
			else
				error = tr_buf_printf(
					out, "      %s+%s %-*s = %s%s\n", p->green,
					p->reset, (int)width, a->path, a->value,
					note);
		}
		for (size_t i = 0; i < before.count && !error; i++) {
			const leaf *b = &before.items[i];
			char key[128];

			/* Only attributes we declare: AWS echoes more (ids,
			 * statuses) and tags others added stay theirs. */
			if (find_leaf(&after, b->path) ||
			    strncmp(b->path, "tags.", 5) == 0 ||
			    !top_key(b->path, key, sizeof(key)) ||
			    tr_kind_field_mode(c->kind, key) ==
				    TR_FIELD_COMPUTED ||
			    (!cJSON_GetObjectItemCaseSensitive(c->after, key) &&
			     !kind_lists(c->kind, key)))
				continue;
			error = tr_buf_printf(out, "      %s-%s %-*s = %s%s\n",
					      p->red, p->reset, (int)width,
					      b->path, b->value,
					      forces_replacement(c, b->path)
						      ? " # forces replacement"
						      : "");
		}
		if (!error && c->action == TR_ACTION_REPLACE)
			error = tr_buf_printf(out, "      %s+%s %-*s = (known "
						   "after apply)\n",
					      p->green, p->reset, (int)width,
					      "id");
		if (!error && hidden)
			error = tr_buf_printf(out, "        # (%zu unchanged "
						   "attribute%s hidden)\n",
					      hidden, hidden == 1 ? "" : "s");
	}
	if (!error)
		error = tr_buf_puts(out, "    }\n\n");
	leaves_dispose(&before);
	leaves_dispose(&after);
	return error;
}

int tr_plan_summary_line(tr_buf *out, const tr_plan *plan)
{
	const tr_plan_summary *s = &plan->summary;
	int error;

	if (!tr_plan_has_changes(plan))
		return tr_buf_printf(out, "No changes. The AWS resources match "
					  "the manifests%s.\n",
				     s->skipped_deletes ? " (apart from "
							  "deletions that prune "
							  "would make)"
							: "");
	error = tr_buf_printf(out, "Plan: %zu to add, %zu to change, %zu to "
				   "replace, %zu to destroy",
			      s->create, s->update, s->replace, s->remove);
	if (!error && (s->members_added || s->members_removed))
		error = tr_buf_printf(out, "; %zu target%s to register, %zu "
					   "to deregister",
				      s->members_added,
				      s->members_added == 1 ? "" : "s",
				      s->members_removed);
	return error ? error : tr_buf_puts(out, ".\n");
}

/* A plan of one of several configs names it first, and a shard's plan
 * says so: the other shards hold the rest. */
static int shard_line(tr_buf *out, const tr_plan *plan)
{
	int error = 0;

	if (plan->config_count)
		error = tr_buf_printf(out, "%s== Config %u/%u: %s ==\n",
				      plan->config_index ? "\n" : "",
				      plan->config_index + 1,
				      plan->config_count,
				      plan->config_name ? plan->config_name
							: "");
	if (!error && plan->shard_count)
		error = tr_buf_printf(out, "Shard %u/%u: only the resources "
					   "of this shard; the other shards "
					   "plan the rest.\n",
				      plan->shard_index, plan->shard_count);
	return error;
}

static int render_text(tr_buf *out, const tr_plan *plan,
		       const tr_plan_render_options *opts)
{
	static const palette plain = {"", "", "", "", ""};
	static const palette ansi = {"\033[32m", "\033[33m", "\033[31m",
				     "\033[1m", "\033[0m"};
	const palette *p = opts->color ? &ansi : &plain;
	int error = shard_line(out, plan);

	if (!error)
		error = tr_plan_summary_line(out, plan);

	if (!error && plan->summary.skipped_deletes)
		error = tr_buf_printf(out, "%zu owned resource%s would be "
					   "destroyed with --prune (or prune: "
					   "true).\n",
				      plan->summary.skipped_deletes,
				      plan->summary.skipped_deletes == 1 ? ""
									 : "s");
	if (error || opts->summary_only)
		return error;
	if (tr_plan_has_changes(plan) || plan->summary.skipped_deletes)
		error = tr_buf_puts(out, "\ntrellis will perform the following "
					 "actions:\n\n");
	for (size_t i = 0; i < plan->count && !error; i++) {
		if (plan->changes[i].action == TR_ACTION_NOOP)
			continue;
		error = text_change(out, &plan->changes[i], p);
	}
	if (!error && (tr_plan_has_changes(plan) ||
		       plan->summary.skipped_deletes))
		error = tr_plan_summary_line(out, plan);
	return error;
}

/* --- JSON ----------------------------------------------------------------- */

static cJSON *actions_of(tr_action a)
{
	cJSON *list = cJSON_CreateArray();

	switch (a) {
	case TR_ACTION_CREATE:
		cJSON_AddItemToArray(list, cJSON_CreateString("create"));
		break;
	case TR_ACTION_UPDATE:
		cJSON_AddItemToArray(list, cJSON_CreateString("update"));
		break;
	case TR_ACTION_REPLACE:
		cJSON_AddItemToArray(list, cJSON_CreateString("delete"));
		cJSON_AddItemToArray(list, cJSON_CreateString("create"));
		break;
	case TR_ACTION_DELETE:
		cJSON_AddItemToArray(list, cJSON_CreateString("delete"));
		break;
	default:
		cJSON_AddItemToArray(list, cJSON_CreateString("no-op"));
		break;
	}
	return list;
}

cJSON *tr_plan_to_json(const tr_plan *plan)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *summary, *changes;

	cJSON_AddStringToObject(root, "format_version", PLAN_FORMAT_VERSION);
	if (plan->commit[0])
		cJSON_AddStringToObject(root, "commit", plan->commit);
	else
		cJSON_AddNullToObject(root, "commit");
	if (plan->from_commit)
		cJSON_AddStringToObject(root, "from_commit", plan->from_commit);
	summary = cJSON_AddObjectToObject(root, "summary");
	cJSON_AddNumberToObject(summary, "create", (double)plan->summary.create);
	cJSON_AddNumberToObject(summary, "update", (double)plan->summary.update);
	cJSON_AddNumberToObject(summary, "replace",
				(double)plan->summary.replace);
	cJSON_AddNumberToObject(summary, "delete", (double)plan->summary.remove);
	cJSON_AddNumberToObject(summary, "no_op", (double)plan->summary.no_op);
	cJSON_AddNumberToObject(summary, "skipped_delete",
				(double)plan->summary.skipped_deletes);
	/* Only with targets to change: a plan without stays as it was. */
	if (plan->summary.members_added || plan->summary.members_removed) {
		cJSON_AddNumberToObject(summary, "register",
					(double)plan->summary.members_added);
		cJSON_AddNumberToObject(summary, "deregister",
					(double)plan->summary.members_removed);
	}
	if (plan->config_count) {
		cJSON *config = cJSON_AddObjectToObject(root, "config");
		cJSON_AddStringToObject(config, "file",
					plan->config_name ? plan->config_name
							  : "");
		cJSON_AddNumberToObject(config, "index", plan->config_index);
		cJSON_AddNumberToObject(config, "count", plan->config_count);
	}
	if (plan->shard_count) {
		cJSON *shard = cJSON_AddObjectToObject(root, "shard");
		cJSON_AddNumberToObject(shard, "index", plan->shard_index);
		cJSON_AddNumberToObject(shard, "count", plan->shard_count);
	}
	cJSON_AddBoolToObject(root, "changes", tr_plan_has_changes(plan));
	cJSON_AddNumberToObject(root, "api_calls", (double)plan->api_calls);
	changes = cJSON_AddArrayToObject(root, "resource_changes");
	for (size_t i = 0; i < plan->count; i++) {
		const tr_change *c = &plan->changes[i];
		cJSON *o = cJSON_CreateObject();
		cJSON *paths;

		cJSON_AddStringToObject(o, "address", c->address);
		cJSON_AddStringToObject(o, "type", tr_kind_get(c->kind)->name);
		if (c->name)
			cJSON_AddStringToObject(o, "name", c->name);
		cJSON_AddItemToObject(o, "actions", actions_of(c->action));
		cJSON_AddItemToObject(o, "before",
				      c->before ? cJSON_Duplicate(c->before, true)
						: cJSON_CreateNull());
		cJSON_AddItemToObject(o, "after",
				      c->after ? cJSON_Duplicate(c->after, true)
					       : cJSON_CreateNull());
		paths = cJSON_AddArrayToObject(o, "replace_paths");
		for (size_t j = 0; j < c->replace_count; j++)
			cJSON_AddItemToArray(paths, cJSON_CreateString(
							    c->replace_paths[j]));
		if (c->action == TR_ACTION_DELETE_SKIPPED)
			cJSON_AddStringToObject(o, "reason",
						"would delete: prune is disabled");
		else if (c->reason)
			cJSON_AddStringToObject(o, "reason", c->reason);
		else
			cJSON_AddNullToObject(o, "reason");
		if (c->id)
			cJSON_AddStringToObject(o, "id", c->id);
		if (c->added)
			cJSON_AddItemToObject(o, "register",
					      cJSON_Duplicate(c->added, true));
		if (c->removed)
			cJSON_AddItemToObject(o, "deregister",
					      cJSON_Duplicate(c->removed, true));
		if (c->source_file) {
			cJSON *src = cJSON_AddObjectToObject(o, "source");
			cJSON_AddStringToObject(src, "file", c->source_file);
			cJSON_AddNumberToObject(src, "line", c->source_line);
		}
		cJSON_AddItemToArray(changes, o);
	}
	return root;
}

static int render_json(tr_buf *out, const tr_plan *plan)
{
	cJSON *root = tr_plan_to_json(plan);
	char *text = cJSON_PrintUnformatted(root);
	int error = text ? tr_buf_puts(out, text) : TR_ERROR;

	if (!error)
		error = tr_buf_putc(out, '\n');
	cJSON_free(text);
	cJSON_Delete(root);
	return error;
}

/* --- markdown ------------------------------------------------------------- */

static int md_list(tr_buf *out, const tr_plan *plan, bool destructive)
{
	int error = 0;

	for (size_t i = 0; i < plan->count && !error; i++) {
		const tr_change *c = &plan->changes[i];
		bool is_destructive = c->action == TR_ACTION_DELETE ||
				      c->action == TR_ACTION_REPLACE;

		if (c->action == TR_ACTION_NOOP ||
		    is_destructive != destructive)
			continue;
		error = tr_buf_printf(out, "- `%s` %s", symbol(c->action),
				      c->address);
		if (!error && tr_kind_set(c->kind)) {
			error = tr_buf_printf(
				out, ": %d to register, %d to deregister\n",
				cJSON_GetArraySize(c->added),
				cJSON_GetArraySize(c->removed));
			continue;
		}
		if (!error && c->action == TR_ACTION_REPLACE &&
		    c->replace_count) {
			error = tr_buf_puts(out, " (");
			for (size_t j = 0; j < c->replace_count && !error; j++)
				error = tr_buf_printf(out, "%s`%s`",
						      j ? ", " : "",
						      c->replace_paths[j]);
			if (!error)
				error = tr_buf_puts(out, " forces replacement)");
		} else if (!error && c->reason) {
			error = tr_buf_printf(out, " (%s)", c->reason);
		}
		if (!error)
			error = tr_buf_printf(out, " %s\n", verb(c->action));
	}
	return error;
}

static int render_markdown(tr_buf *out, const tr_plan *plan,
			   const tr_plan_render_options *opts)
{
	tr_plan_render_options text_opts = {TR_PLAN_TEXT, false, false, 0};
	size_t start = out->len;
	size_t max = opts->max_bytes ? opts->max_bytes : 65000;
	int error;

	error = tr_buf_puts(out, "### trellis plan\n\n");
	if (!error && plan->commit[0])
		error = tr_buf_printf(out, "Commit `%.12s`%s%.12s%s\n\n",
				      plan->commit,
				      plan->from_commit ? " compared with `"
							: "",
				      plan->from_commit ? plan->from_commit : "",
				      plan->from_commit ? "`" : "");
	if (!error && plan->config_count)
		error = tr_buf_printf(out, "Config `%s` (%u/%u)\n\n",
				      plan->config_name ? plan->config_name
							: "",
				      plan->config_index + 1,
				      plan->config_count);
	if (!error && plan->shard_count)
		error = tr_buf_printf(out, "Shard %u/%u\n\n", plan->shard_index,
				      plan->shard_count);
	if (!error)
		error = tr_buf_puts(out, "**");
	if (!error)
		error = tr_plan_summary_line(out, plan);
	if (!error) {
		tr_buf_truncate(out, out->len - 1);
		error = tr_buf_puts(out, "**\n\n");
	}
	if (!error && (plan->summary.remove || plan->summary.replace)) {
		error = tr_buf_puts(out, "#### :warning: Deletions and "
					 "replacements\n\n");
		if (!error)
			error = md_list(out, plan, true);
		if (!error)
			error = tr_buf_putc(out, '\n');
	}
	if (!error && (plan->summary.create || plan->summary.update ||
		       plan->summary.members_added ||
		       plan->summary.members_removed)) {
		error = tr_buf_puts(out, "#### Creations and updates\n\n");
		if (!error)
			error = md_list(out, plan, false);
		if (!error)
			error = tr_buf_putc(out, '\n');
	}
	if (!error && plan->summary.skipped_deletes)
		error = tr_buf_printf(out, "%zu owned resource%s would be "
					   "destroyed with prune enabled.\n\n",
				      plan->summary.skipped_deletes,
				      plan->summary.skipped_deletes == 1 ? ""
									 : "s");
	if (!error && tr_plan_has_changes(plan)) {
		size_t mark = out->len;
		error = tr_buf_puts(out, "<details><summary>Full plan"
					 "</summary>\n\n```diff\n");
		if (!error)
			error = render_text(out, plan, &text_opts);
		if (!error)
			error = tr_buf_puts(out, "```\n\n</details>\n");
		/* GitHub refuses comments over 65,535 characters: keep the
		 * summary and lists, drop the details. */
		if (!error && out->len - start > max) {
			tr_buf_truncate(out, mark);
			error = tr_buf_puts(out, "_The full plan is too long "
						 "for a comment; it is in the "
						 "job's log._\n");
		}
	}
	if (!error && out->len - start > max) {
		tr_buf_truncate(out, start);
		error = tr_buf_puts(out, "### trellis plan\n\n**");
		if (!error)
			error = tr_plan_summary_line(out, plan);
		if (!error)
			error = tr_buf_puts(out, "**\n\nThe list of changes is "
						 "too long for a comment; it "
						 "is in the job's log.\n");
	}
	return error;
}

int tr_plan_render(tr_buf *out, const tr_plan *plan,
		   const tr_plan_render_options *opts)
{
	switch (opts->format) {
	case TR_PLAN_JSON:
		return render_json(out, plan);
	case TR_PLAN_MARKDOWN:
		return render_markdown(out, plan, opts);
	default:
		return render_text(out, plan, opts);
	}
}
