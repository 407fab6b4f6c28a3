/*
 * Structural defaulting, as the API server does it before validation: an
 * absent property whose schema has a default gets a copy of it, recursively
 * (inside inserted defaults too), and a null property that cannot be null
 * is pruned first (and then defaulted when it has a default). The result is
 * a copy-on-write tree: untouched subtrees are shared with the input.
 */
#include <string.h>

#include "util/alloc.h"
#include "validate/schema_internal.h"

typedef struct dctx {
	tr_arena *arena;
	unsigned depth;
} dctx;

static const sn *deref(const sn *s)
{
	for (unsigned hops = 0; s->ref && hops < 64; hops++)
		s = s->ref;
	return s;
}

static bool accepts_null(const sn *s)
{
	s = deref(s);
	return s->types == 0 || (s->types & SN_NULL);
}

static const tr_node *apply(dctx *d, const sn *s, const tr_node *n);

static const sn_prop *find_prop(const sn *s, const char *name)
{
	for (size_t i = 0; i < s->nprops; i++)
		if (strcmp(s->props[i].name, name) == 0)
			return &s->props[i];
	return NULL;
}

static const tr_node *with_default(dctx *d, const sn *s, const tr_node *at)
{
	tr_node *copy = tr_schema__clone_at(d->arena, deref(s)->default_value, at);

	return apply(d, s, copy);
}

static const tr_node *apply_map(dctx *d, const sn *s, const tr_node *n)
{
	/* Built in scratch memory and copied to the arena only when the map
	 * changes: most maps do not, and the arena never gives memory back. */
	size_t cap = n->count + s->nprops, count = 0;
	tr_node_pair *pairs = tr_malloc((cap ? cap : 1) * sizeof(*pairs));
	bool changed = false;
	tr_node *out;

	for (size_t i = 0; i < n->count; i++) {
		const tr_node *val = n->u.pairs[i].value;
		const sn_prop *p = find_prop(s, n->u.pairs[i].key);
		const sn *sub = p ? p->schema : NULL;
		const tr_node *nv = val;

		if (!sub && s->additional && !deref(s->additional)->never)
			sub = s->additional;
		if (p && val->type == TR_NODE_NULL && !accepts_null(p->schema)) {
			changed = true;
			if (!deref(p->schema)->default_value)
				continue; /* pruned, like the API server */
			nv = with_default(d, p->schema, val);
		} else if (sub) {
			nv = apply(d, sub, val);
		}
		changed |= nv != val;
		pairs[count] = n->u.pairs[i];
		pairs[count].value = (tr_node *)nv;
		count++;
	}
	for (size_t i = 0; i < s->nprops; i++) {
		const sn_prop *p = &s->props[i];
		bool present = false;

		if (!deref(p->schema)->default_value)
			continue;
		for (size_t j = 0; j < count && !present; j++)
			present = strcmp(pairs[j].key, p->name) == 0;
		if (present)
			continue;
		/* The schema may be freed before the tree: copy the name. */
		pairs[count].key = tr_arena_strdup(d->arena, p->name);
		pairs[count].value = (tr_node *)with_default(d, p->schema, n);
		pairs[count].line = n->line;
		pairs[count].col = n->col;
		count++;
		changed = true;
	}
	if (!changed) {
		tr_free(pairs);
		return n;
	}
	out = tr_arena_alloc(d->arena, sizeof(*out));
	*out = *n;
	out->count = (uint32_t)count;
	out->u.pairs = tr_arena_alloc(d->arena,
				      (count ? count : 1) * sizeof(*pairs));
	memcpy(out->u.pairs, pairs, count * sizeof(*pairs));
	tr_free(pairs);
	return out;
}

static const tr_node *apply_seq(dctx *d, const sn *s, const tr_node *n)
{
	tr_node **items = NULL;
	tr_node *out;

	for (size_t i = 0; i < n->count; i++) {
		const sn *sub = s->items;
		const tr_node *nv;
		if (s->has_tuple)
			sub = i < s->ntuple ? s->tuple[i] : s->additional_items;
		if (!sub)
			continue;
		nv = apply(d, sub, n->u.items[i]);
		if (nv == n->u.items[i])
			continue;
		if (!items) {
			items = tr_arena_alloc(d->arena, n->count * sizeof(*items));
			memcpy(items, n->u.items, n->count * sizeof(*items));
		}
		items[i] = (tr_node *)nv;
	}
	if (!items)
		return n;
	out = tr_arena_alloc(d->arena, sizeof(*out));
	*out = *n;
	out->u.items = items;
	return out;
}

static const tr_node *apply(dctx *d, const sn *s, const tr_node *n)
{
	const tr_node *out = n;

	s = deref(s);
	if (s->may_default != 3 || d->depth >= TR_SCHEMA_MAX_DEPTH)
		return n;
	d->depth++;
	if (n->type == TR_NODE_MAP)
		out = apply_map(d, s, n);
	else if (n->type == TR_NODE_SEQ)
		out = apply_seq(d, s, n);
	d->depth--;
	return out;
}

void tr_schema_apply_defaults(const tr_node **out, const tr_schema *schema,
			      const tr_node *root, tr_arena *arena)
{
	dctx d = {arena, 0};

	*out = root ? apply(&d, schema->root, root) : root;
}

int tr_schema_check(const tr_node **out, const tr_schema *schema,
		    const char *file, const tr_node *root, tr_arena *arena,
		    tr_diag *diag)
{
	tr_schema_apply_defaults(out, schema, root, arena);
	return tr_schema_validate(schema, file, *out, NULL, diag);
}
