/*
 * Shards: which of COUNT runs owns each resource (plan.h explains the
 * partition), and the checks that keep shards from stepping on each
 * other. Every shard computes the same map from the same commit, so the
 * shards are disjoint and together cover every resource.
 */
#include <stdint.h>
#include <string.h>

#include "plan/plan.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/str.h"

/* Parent chains are short (rule -> listener -> service): a longer one is
 * a cycle in bad input, and the resource becomes shared. */
#define MAX_GROUP_DEPTH 16

#define SERVICE_PREFIX "service."
#define TARGET_GROUP_PREFIX "target_group."

void tr_plan_shard_map_init(tr_shard_map *m)
{
	memset(m, 0, sizeof(*m));
	tr_strmap_init(&m->by_address);
}

void tr_plan_shard_map_dispose(tr_shard_map *m)
{
	for (size_t i = 0; i < m->n; i++) {
		tr_free(m->entries[i].address);
		tr_free(m->entries[i].group);
	}
	tr_free(m->entries);
	tr_strmap_dispose(&m->by_address);
	tr_plan_shard_map_init(m);
}

uint32_t tr_plan_shard_of_group(const char *group, uint32_t count)
{
	uint64_t h = 14695981039346656037ull; /* FNV-1a, 64 bits */

	if (count <= 1 || !group || !*group)
		return 0;
	for (const unsigned char *p = (const unsigned char *)group; *p; p++) {
		h ^= *p;
		h *= 1099511628211ull;
	}
	return (uint32_t)(h % count);
}

const tr_shard_entry *tr_plan_shard_entry(const tr_shard_map *m,
					  const char *address)
{
	uintptr_t i = (uintptr_t)tr_strmap_get(&m->by_address, address);

	return i ? &m->entries[i - 1] : NULL;
}

uint32_t tr_plan_shard_of(const tr_shard_map *m, const char *address)
{
	const tr_shard_entry *e = tr_plan_shard_entry(m, address);

	return e ? e->shard : 0;
}

/* --- building the map ---------------------------------------------------- */

typedef struct refs {
	const char **items; /* borrowed from the attributes */
	size_t n, cap;
} refs;

static void collect_refs(refs *out, const cJSON *v, size_t depth)
{
	const char *target = tr_model_ref_target(v);
	const cJSON *child;

	if (target) {
		out->items = tr_grow(out->items, &out->cap, out->n + 1,
				     sizeof(*out->items));
		out->items[out->n++] = target;
		return;
	}
	if (depth >= TR_MAX_YAML_DEPTH)
		return;
	cJSON_ArrayForEach(child, v)
		collect_refs(out, child, depth + 1);
}

typedef struct builder {
	tr_shard_map *m;
	tr_model *desired;
	tr_model *observed;
	/* target group address -> group of the rules forwarding to it
	 * (borrowed entry strings), or `conflict` when rules of several
	 * groups do; desired rules first, observed ones for the rest */
	tr_strmap tg_desired;
	tr_strmap tg_observed;
	char conflict;
} builder;

static const tr_resource *lookup(builder *b, const char *address)
{
	const tr_resource *r = tr_model_find(b->desired, address);

	return r ? r : tr_model_find(b->observed, address);
}

static const char *remember(builder *b, const char *address,
			    const char *group)
{
	tr_shard_map *m = b->m;
	tr_shard_entry *e;

	m->entries = tr_grow(m->entries, &m->cap, m->n + 1,
			     sizeof(*m->entries));
	e = &m->entries[m->n++];
	e->address = tr_strdup(address);
	e->group = tr_strdup(group);
	e->shard = tr_plan_shard_of_group(group, m->count);
	tr_strmap_put(&m->by_address, address, (void *)(uintptr_t)m->n);
	return e->group;
}

static const char *group_of(builder *b, const char *address, int depth);

/* The one group that `groups` name apart from the shared one, or the
 * shared group when they name none or several. */
static const char *single_group(const char *const *groups, size_t n)
{
	const char *one = NULL;

	for (size_t i = 0; i < n; i++) {
		if (!*groups[i])
			continue;
		if (one && strcmp(one, groups[i]) != 0)
			return TR_SHARD_SHARED;
		one = groups[i];
	}
	return one ? one : TR_SHARD_SHARED;
}

/* A role or a record: the group of what it names, when that is one. */
static const char *group_by_refs(builder *b, const tr_resource *r, int depth)
{
	refs found = {NULL, 0, 0};
	const char **groups;
	const char *g;

	collect_refs(&found, r->attrs, 0);
	groups = tr_calloc(found.n + 1, sizeof(*groups));
	for (size_t i = 0; i < found.n; i++)
		groups[i] = strcmp(found.items[i], r->address) == 0
				    ? TR_SHARD_SHARED
				    : group_of(b, found.items[i], depth + 1);
	g = single_group(groups, found.n);
	tr_free(groups);
	tr_free(found.items);
	return g;
}

/* A target group without a rule forwarding to it (its service is being
 * removed): its name ends with "-<service name>" (model/naming.h); the
 * longest known service name that fits wins. */
static const char *group_by_name(builder *b, const char *address)
{
	const char *name = address + strlen(TARGET_GROUP_PREFIX);
	size_t nlen = strlen(name), best_len = 0;
	const char *best = NULL;
	tr_model *models[2] = {b->desired, b->observed};

	for (size_t k = 0; k < 2; k++) {
		for (size_t i = 0; i < models[k]->count; i++) {
			const tr_resource *r = &models[k]->resources[i];
			const char *svc;
			size_t slen;

			if (r->kind != TR_KIND_SERVICE)
				continue;
			svc = r->address + strlen(SERVICE_PREFIX);
			slen = strlen(svc);
			if (slen + 1 > nlen || slen <= best_len ||
			    name[nlen - slen - 1] != '-' ||
			    strcmp(name + nlen - slen, svc) != 0)
				continue;
			best = r->address;
			best_len = slen;
		}
	}
	return best ? group_of(b, best, 1) : TR_SHARD_SHARED;
}

static const char *group_of_target_group(builder *b, const char *address)
{
	const char *g = tr_strmap_get(&b->tg_desired, address);

	if (!g)
		g = tr_strmap_get(&b->tg_observed, address);
	if (g == &b->conflict)
		return TR_SHARD_SHARED;
	return g ? g : group_by_name(b, address);
}

static const char *group_of(builder *b, const char *address, int depth)
{
	const tr_shard_entry *e = tr_plan_shard_entry(b->m, address);
	const tr_resource *r;
	const char *g = TR_SHARD_SHARED;

	if (e)
		return e->group;
	r = lookup(b, address);
	if (!r || depth > MAX_GROUP_DEPTH)
		return TR_SHARD_SHARED; /* named, but in neither model */
	switch (r->kind) {
	case TR_KIND_SERVICE:
		g = r->address;
		break;
	case TR_KIND_SERVICE_NETWORK:
	case TR_KIND_SN_VPC_ASSOCIATION:
		g = TR_SHARD_SHARED;
		break;
	case TR_KIND_TARGET_GROUP:
		g = group_of_target_group(b, address);
		break;
	default:
		if (r->parent)
			g = group_of(b, r->parent, depth + 1);
		else
			g = group_by_refs(b, r, depth);
		break;
	}
	/* A recursive call may have remembered it meanwhile. */
	e = tr_plan_shard_entry(b->m, address);
	return e ? e->group : remember(b, address, g);
}

/* Which group's rules forward to each target group. */
static void index_forwards(builder *b, tr_model *model, tr_strmap *into)
{
	for (size_t i = 0; i < model->count; i++) {
		const tr_resource *r = &model->resources[i];
		refs found = {NULL, 0, 0};
		const char *g;

		if (r->kind != TR_KIND_RULE)
			continue;
		g = group_of(b, r->address, 0);
		collect_refs(&found, r->attrs, 0);
		for (size_t j = 0; j < found.n; j++) {
			const char *tg = found.items[j];
			const char *had;

			if (strncmp(tg, TARGET_GROUP_PREFIX,
				    strlen(TARGET_GROUP_PREFIX)) != 0)
				continue;
			had = tr_strmap_get(into, tg);
			if (!had)
				tr_strmap_put(into, tg, (void *)g);
			else if (had != &b->conflict && strcmp(had, g) != 0)
				tr_strmap_put(into, tg, &b->conflict);
		}
		tr_free(found.items);
	}
}

int tr_plan_shard_map_build(tr_shard_map *m, tr_model *desired,
			    tr_model *observed, uint32_t count)
{
	builder b;
	tr_model *models[2] = {desired, observed};

	tr_plan_shard_map_dispose(m);
	m->count = count ? count : 1;
	memset(&b, 0, sizeof(b));
	b.m = m;
	b.desired = desired;
	b.observed = observed;
	tr_strmap_init(&b.tg_desired);
	tr_strmap_init(&b.tg_observed);
	/* Sorted, so that the map does not depend on the order the
	 * manifests or AWS listed things in. */
	tr_model_sort(desired);
	tr_model_sort(observed);
	index_forwards(&b, desired, &b.tg_desired);
	index_forwards(&b, observed, &b.tg_observed);
	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; i < models[k]->count; i++)
			(void)group_of(&b, models[k]->resources[i].address, 0);
	tr_strmap_dispose(&b.tg_desired);
	tr_strmap_dispose(&b.tg_observed);
	return 0;
}

/* --- checking a shard's plan --------------------------------------------- */

static const tr_change *find_change(const tr_strmap *changes,
				    const char *address)
{
	return tr_strmap_get(changes, address);
}

/* Does r (its parent or a reference in its attributes) depend on
 * `address`? */
static bool depends_on(const tr_resource *r, const char *address)
{
	refs found = {NULL, 0, 0};
	bool yes = tr_str_eq(r->parent, address);

	collect_refs(&found, r->attrs, 0);
	for (size_t i = 0; i < found.n && !yes; i++)
		yes = strcmp(found.items[i], address) == 0;
	tr_free(found.items);
	return yes;
}

/* A resource of another shard that depends on `address`, or NULL. */
static const tr_resource *other_dependent(const tr_shard_map *m,
					  tr_model *model, const char *address,
					  uint32_t shard)
{
	for (size_t i = 0; i < model->count; i++) {
		const tr_resource *r = &model->resources[i];

		if (tr_plan_shard_of(m, r->address) != shard &&
		    depends_on(r, address))
			return r;
	}
	return NULL;
}

/*
 * What a change of this shard needs from other shards must exist. When it
 * does not, the change waits (an error naming the shard that owns what is
 * missing) and is left out, and so is whatever in this shard needs it in
 * turn (`waiting`: addresses left out); the rest of the shard goes ahead,
 * so that shards that need each other (a shared role naming services of
 * two shards) still get there in a few rounds. true: it waits.
 */
static bool waits(const tr_change *c, const tr_shard_map *m, uint32_t index,
		  tr_model *desired, tr_model *observed, tr_strmap *waiting,
		  tr_diag *diag)
{
	const tr_resource *d = tr_model_find(desired, c->address);
	refs found = {NULL, 0, 0};
	bool wait = false;

	if (!d)
		return false;
	collect_refs(&found, d->attrs, 0);
	for (size_t i = 0; i <= found.n && !wait; i++) {
		const char *need = i < found.n ? found.items[i] : d->parent;
		const char *behind;
		uint32_t owner;

		if (!need || tr_model_find(observed, need))
			continue;
		owner = tr_plan_shard_of(m, need);
		behind = tr_strmap_get(waiting, need);
		if (owner != index) {
			tr_diag_add(diag, TR_SEV_ERROR, "shard.dependency",
				    d->source_file, d->source_line, 0, NULL,
				    "%s needs %s, owned by shard %u/%u, not "
				    "created yet: left out of this run; run "
				    "shard %u first (a retry or the next run "
				    "of this shard then finds it)",
				    c->address, need, owner, m->count, owner);
			wait = true;
		} else if (behind) {
			tr_diag_add(diag, TR_SEV_ERROR, "shard.dependency",
				    d->source_file, d->source_line, 0, NULL,
				    "%s needs %s, which waits for %s: left out "
				    "of this run",
				    c->address, need, behind);
			wait = true;
		}
		if (wait)
			tr_strmap_put(waiting, c->address,
				      (void *)(behind ? behind : need));
	}
	tr_free(found.items);
	return wait;
}

int tr_plan_shard_check(size_t *left_out, tr_plan *plan,
			const tr_plan *whole, const tr_shard_map *m,
			uint32_t index, tr_model *desired, tr_model *observed,
			tr_diag *diag)
{
	tr_strmap changes, waiting;
	size_t kept = 0;
	int error = 0;

	*left_out = 0;
	tr_strmap_init(&changes);
	tr_strmap_init(&waiting);
	for (size_t i = 0; i < whole->count; i++)
		tr_strmap_put(&changes, whole->changes[i].address,
			      &whole->changes[i]);
	/* Every shard sees the same whole plan: each refuses alike. */
	for (size_t i = 0; i < whole->count; i++) {
		const tr_change *c = &whole->changes[i];
		const tr_resource *dep;

		if (c->action != TR_ACTION_REPLACE)
			continue;
		dep = other_dependent(m, desired, c->address,
				      tr_plan_shard_of(m, c->address));
		if (!dep)
			continue;
		tr_diag_add(diag, TR_SEV_ERROR, "shard.replace",
			    c->source_file, c->source_line, 0, NULL,
			    "%s is replaced, and %s (shard %u/%u) depends on "
			    "it: make this change with one run without "
			    "--shard",
			    c->address, dep->address,
			    tr_plan_shard_of(m, dep->address), m->count);
		error = TR_ECONFLICT;
	}
	for (size_t i = 0; i < plan->count; i++) {
		tr_change *c = &plan->changes[i];
		const tr_resource *user;

		/* In plan order: what a change needs comes before it. */
		if ((c->action == TR_ACTION_CREATE ||
		     c->action == TR_ACTION_UPDATE ||
		     c->action == TR_ACTION_REPLACE) &&
		    waits(c, m, index, desired, observed, &waiting, diag)) {
			(*left_out)++;
			tr_plan_change_dispose(c);
			continue;
		}
		if (c->action == TR_ACTION_DELETE &&
		    (user = other_dependent(m, observed, c->address,
					    index)) != NULL) {
			const tr_change *uc = find_change(&changes,
							  user->address);

			tr_diag_add(diag, TR_SEV_WARNING, "shard.deferred",
				    NULL, 0, 0, NULL,
				    "%s is not deleted in this run: %s (shard "
				    "%u/%u) still uses it%s",
				    c->address, user->address,
				    tr_plan_shard_of(m, user->address),
				    m->count,
				    uc && uc->action == TR_ACTION_DELETE
					    ? "; that shard deletes it, and "
					      "a later run of this one then "
					      "deletes this"
					    : "");
			tr_plan_change_dispose(c);
			continue;
		}
		if (kept != i)
			plan->changes[kept] = *c;
		kept++;
	}
	plan->count = kept;
	plan->shard_index = index;
	plan->shard_count = m->count;
	tr_plan_summarize(plan);
	tr_strmap_dispose(&changes);
	tr_strmap_dispose(&waiting);
	return error;
}
