#include "validate/refs.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/str.h"
#include "validate/validate.h"

/* ------------------------------------------------------------------ */
/* Reading helpers shared by the rules below                          */

static const char *group_of(tr_arena *arena, const char *api_version)
{
	const char *slash = strchr(api_version, '/');

	if (!slash)
		return ""; /* "v1": the core group */
	return tr_arena_strndup(arena, api_version,
				(size_t)(slash - api_version));
}

static bool kind_is_cluster_scoped(const char *kind)
{
	return strcmp(kind, "GatewayClass") == 0 ||
	       strcmp(kind, "ServiceNetwork") == 0 ||
	       strcmp(kind, "Namespace") == 0 ||
	       strcmp(kind, "ClusterRole") == 0 ||
	       strcmp(kind, "ClusterRoleBinding") == 0 ||
	       strcmp(kind, "CustomResourceDefinition") == 0;
}

static bool is_route_kind(const char *kind)
{
	return strcmp(kind, "HTTPRoute") == 0 || strcmp(kind, "GRPCRoute") == 0;
}

/* String at map[key], or `dflt` when the key is absent or not a string. */

static const tr_node *get_seq(const tr_node *map, const char *key)
{
	const tr_node *n = tr_node_get(map, key);
	return n && n->type == TR_NODE_SEQ ? n : NULL;
}

static const tr_node *spec_of(const tr_refs_object *o)
{
	return tr_node_get(o->doc->root, "spec");
}

static const tr_node *annotation(const tr_refs_object *o, const char *key)
{
	return tr_node_get(
		tr_node_get(tr_node_get(o->doc->root, "metadata"),
			    "annotations"),
		key);
}

static const char *cluster_name(const tr_refs_index *idx, int cluster)
{
	const tr_config *cfg = &idx->repo->config;

	if (cluster < 0 || (size_t)cluster >= cfg->cluster_count)
		return "(none)";
	return cfg->clusters[cluster].name;
}

/* Reports at `at` (or the document's start) with a field path built from
 * a printf format; the path is cut at TR_MAX_FIELD_PATH_BYTES. */
static void report(tr_diag *diag, tr_severity sev, const char *rule,
		   const tr_refs_object *o, const tr_node *at,
		   const char *path, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static void report(tr_diag *diag, tr_severity sev, const char *rule,
		   const tr_refs_object *o, const tr_node *at,
		   const char *path, const char *fmt, ...)
{
	va_list ap;

	if (!diag)
		return;
	if (!at)
		at = o->doc->root;
	va_start(ap, fmt);
	tr_diag_vadd(diag, sev, rule, o->doc->file, at->line, at->col, path,
		     fmt, ap);
	va_end(ap);
}

/* Best-effort text for a message: on reaching the cap the text is cut. */
static void text(tr_buf *buf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void text(tr_buf *buf, const char *fmt, ...)
{
	va_list ap;
	size_t before = buf->len;

	va_start(ap, fmt);
	if (tr_buf_vprintf(buf, fmt, ap) < 0)
		tr_buf_truncate(buf, before);
	va_end(ap);
}

/* Appends ", "-separated items to a capped list; overflow ends in "...". */
static void list_add(tr_buf *list, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void list_add(tr_buf *list, const char *fmt, ...)
{
	va_list ap;
	size_t before = list->len;
	int rc = 0;

	if (list->len && rc == 0)
		rc = tr_buf_puts(list, ", ");
	va_start(ap, fmt);
	if (rc == 0)
		rc = tr_buf_vprintf(list, fmt, ap);
	va_end(ap);
	if (rc < 0) {
		tr_buf_truncate(list, before);
		if (!tr_str_has_suffix(tr_buf_cstr(list), "..."))
			text(list, ", ...");
	}
}

static const char *list_or_none(const tr_buf *list)
{
	return list->len ? tr_buf_cstr(list) : "none";
}

/* ------------------------------------------------------------------ */
/* The index                                                          */

/* FNV-1a over the cluster index, the kind and the name. */
static size_t identity_hash(int cluster, const char *kind, const char *name)
{
	uint64_t h = 14695981039346656037u;

	h = (h ^ (uint64_t)(unsigned)cluster) * 1099511628211u;
	for (const char *p = kind; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211u;
	h = (h ^ 0xffu) * 1099511628211u; /* "ab"+"c" is not "a"+"bc" */
	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211u;
	return (size_t)h;
}

int tr_refs_index_build(tr_refs_index *out, const tr_repo *repo)
{
	const tr_manifest_set *set = &repo->set;

	memset(out, 0, sizeof(*out));
	tr_arena_init(&out->arena);
	out->repo = repo;
	if (set->count == 0)
		return 0;
	out->objects = tr_calloc(set->count, sizeof(*out->objects));
	for (size_t i = 0; i < set->count; i++) {
		const tr_manifest_doc *d = &set->docs[i];
		tr_refs_object *o = &out->objects[out->count++];

		o->doc = d;
		o->cluster = repo->doc_cluster ? repo->doc_cluster[i] : 0;
		o->group = group_of(&out->arena, d->api_version);
		o->kind = d->kind;
		o->name = d->name ? d->name : "";
		o->managed = tr_validate_kind_is_managed(d->api_version,
							 d->kind) ||
			     (strcmp(d->kind, "Namespace") == 0 &&
			      *o->group == '\0');
		if (!kind_is_cluster_scoped(d->kind))
			o->namespace_ = d->namespace_ && *d->namespace_
						? d->namespace_
						: "default";
	}
	/* Lookups by identity are hashed: a linear scan per backendRef made
	 * validation quadratic in the number of documents. */
	out->nbuckets = 1;
	while (out->nbuckets < out->count * 2)
		out->nbuckets *= 2;
	out->buckets = tr_calloc(out->nbuckets, sizeof(*out->buckets));
	out->next = tr_calloc(out->count, sizeof(*out->next));
	for (size_t i = out->count; i-- > 0;) {
		const tr_refs_object *o = &out->objects[i];
		size_t h;

		if (!o->managed)
			continue;
		h = identity_hash(o->cluster, o->kind, o->name) &
		    (out->nbuckets - 1);
		out->next[i] = out->buckets[h];
		out->buckets[h] = i + 1;
	}
	return 0;
}

void tr_refs_index_dispose(tr_refs_index *idx)
{
	if (!idx)
		return;
	tr_free(idx->objects);
	tr_free(idx->buckets);
	tr_free(idx->next);
	idx->objects = NULL;
	idx->buckets = NULL;
	idx->next = NULL;
	idx->nbuckets = 0;
	idx->count = 0;
	tr_arena_dispose(&idx->arena);
}

const tr_refs_object *tr_refs_find(const tr_refs_index *idx,
				   const tr_refs_object *after, int cluster,
				   const char *kind, const char *namespace_,
				   const char *name)
{
	size_t start = after ? (size_t)(after - idx->objects) + 1 : 0;

	if (!idx->buckets)
		return NULL; /* no documents */
	for (size_t j = idx->buckets[identity_hash(cluster, kind, name) &
				     (idx->nbuckets - 1)];
	     j; j = idx->next[j - 1]) {
		const size_t i = j - 1;
		const tr_refs_object *o = &idx->objects[i];

		if (i < start)
			continue; /* chains are in document order */
		if (!o->managed || o->cluster != cluster ||
		    strcmp(o->kind, kind) != 0 || strcmp(o->name, name) != 0)
			continue;
		if (namespace_ && !tr_str_eq(o->namespace_, namespace_))
			continue;
		return o;
	}
	return NULL;
}

/* The first object of this identity in any cluster other than `cluster`. */
static const tr_refs_object *find_elsewhere(const tr_refs_index *idx,
					    int cluster, const char *kind,
					    const char *namespace_,
					    const char *name)
{
	for (size_t i = 0; i < idx->count; i++) {
		const tr_refs_object *o = &idx->objects[i];

		if (o->managed && o->cluster != cluster &&
		    strcmp(o->kind, kind) == 0 &&
		    strcmp(o->name, name) == 0 &&
		    tr_str_eq(o->namespace_, namespace_))
			return o;
	}
	return NULL;
}

/* "; did you mean <name>?" for the closest name of that kind in the
 * namespace, when one is a typo away; "" otherwise. Borrowed from buf. */
static const char *suggest(tr_buf *buf, const tr_refs_index *idx,
			   int cluster, const char *kind, const char *ns,
			   const char *name)
{
	const size_t cap = 3;
	size_t best = cap;
	const tr_refs_object *hit = NULL;
	uint32_t cp, cp2;
	size_t pos, pos2;

	tr_buf_clear(buf);
	for (size_t i = 0; i < idx->count; i++) {
		const tr_refs_object *o = &idx->objects[i];
		size_t d;

		if (!o->managed || o->cluster != cluster ||
		    strcmp(o->kind, kind) != 0 || !tr_str_eq(o->namespace_, ns))
			continue;
		d = tr_str_distance(o->name, name, cap);
		if (d < best) {
			best = d;
			hit = o;
		}
	}
	if (hit && tr_str_first_non_ascii(&cp, &pos, name) &&
	    !tr_str_first_non_ascii(&cp2, &pos2, hit->name))
		/* The two names look the same on screen ("eks-lаttice" with a
		 * Cyrillic а): say where they differ. */
		text(buf,
		     "; did you mean %s? (character %zu of %s is U+%04X, not "
		     "ASCII)",
		     hit->name, pos, name, (unsigned)cp);
	else if (hit)
		text(buf, "; did you mean %s?", hit->name);
	return tr_buf_cstr(buf);
}

static const tr_refs_object *gateway_class(const tr_refs_index *idx,
					   const tr_refs_object *gw)
{
	const char *cls = tr_node_get_str(spec_of(gw), "gatewayClassName");

	if (!cls)
		return NULL;
	return tr_refs_find(idx, NULL, gw->cluster, "GatewayClass", NULL, cls);
}

static bool class_is_lattice(const tr_refs_object *cls)
{
	return tr_str_eq(tr_node_get_str(spec_of(cls), "controllerName"),
			 TR_REFS_LATTICE_CONTROLLER);
}

bool tr_refs_gateway_is_lattice(const tr_refs_index *idx,
				const tr_refs_object *gateway)
{
	const tr_refs_object *cls = gateway_class(idx, gateway);
	return !cls || class_is_lattice(cls);
}

/* ------------------------------------------------------------------ */
/* Route -> Gateway -> listener                                       */

/* How a Gateway name was found for a reference. */
typedef struct gateway_lookup {
	const tr_refs_object *first; /* first definition; NULL: not found */
	const char *namespace_;      /* where it was found */
	bool fallback;               /* found outside the expected namespace */
	size_t other_namespaces;     /* namespaces holding that name, when
				      * the expected one has none */
	char others[TR_MAX_LIST_TEXT_BYTES];
} gateway_lookup;

/*
 * Finds Gateway `name` in `ns`; when absent and the namespace was only
 * implied (`explicit_ns` false), in the one other namespace of the cluster
 * that has a Gateway of that name. DESIGN.md §4: the article applies its
 * Gateway without a namespace and its routes in `apps`.
 */
static void find_gateway(gateway_lookup *out, const tr_refs_index *idx,
			 int cluster, const char *ns, bool explicit_ns,
			 const char *name)
{
	tr_buf others = TR_BUF_INIT(sizeof(out->others) - 1);
	const tr_refs_object *o;

	memset(out, 0, sizeof(*out));
	out->first = tr_refs_find(idx, NULL, cluster, "Gateway", ns, name);
	out->namespace_ = ns;
	if (out->first || explicit_ns)
		goto done;
	for (o = tr_refs_find(idx, NULL, cluster, "Gateway", NULL, name); o;
	     o = tr_refs_find(idx, o, cluster, "Gateway", NULL, name)) {
		bool seen = false;

		for (const tr_refs_object *p = idx->objects; p < o; p++)
			if (p->managed && p->cluster == cluster &&
			    strcmp(p->kind, "Gateway") == 0 &&
			    strcmp(p->name, name) == 0 &&
			    tr_str_eq(p->namespace_, o->namespace_))
				seen = true;
		if (seen)
			continue;
		out->other_namespaces++;
		list_add(&others, "%s", o->namespace_);
		if (out->other_namespaces == 1) {
			out->first = o;
			out->namespace_ = o->namespace_;
		}
	}
	if (out->other_namespaces == 1)
		out->fallback = true;
	else
		out->first = NULL;
	if (others.len)
		memcpy(out->others, others.ptr, others.len + 1);
done:
	tr_buf_dispose(&others);
}

static const char *listener_protocol(const tr_node *listener)
{
	return tr_node_get_str_or(listener, "protocol", "");
}

/* Whether the listener's kinds admit the route; else why not in `why`. */
static bool kinds_admit(const tr_node *listener, const tr_refs_object *route,
			tr_buf *why)
{
	const tr_node *kinds =
		get_seq(tr_node_get(listener, "allowedRoutes"), "kinds");
	const char *proto = listener_protocol(listener);
	tr_buf list = TR_BUF_INIT(TR_MAX_LIST_TEXT_BYTES);
	bool ok = false;

	if (kinds && kinds->count) {
		for (size_t i = 0; i < kinds->count; i++) {
			const tr_node *k = kinds->u.items[i];
			const char *kind = tr_node_get_str_or(k, "kind", "");
			const char *group =
				tr_node_get_str_or(k, "group", TR_REFS_GATEWAY_GROUP);

			list_add(&list, "%s", kind);
			if (strcmp(kind, route->kind) == 0 &&
			    strcmp(group, route->group) == 0)
				ok = true;
		}
		if (!ok)
			text(why,
					    "its allowedRoutes.kinds are %s",
					    tr_buf_cstr(&list));
		goto done;
	}
	/* Without kinds, the protocol decides (Gateway API core support). */
	if (strcmp(proto, "HTTP") == 0 || strcmp(proto, "HTTPS") == 0)
		ok = true;
	else
		text(why, "protocol %s does not carry %s",
				    proto, route->kind);
done:
	tr_buf_dispose(&list);
	return ok;
}

/* Gateway API hostname intersection: equal, or one is a "*." wildcard
 * whose suffix the other ends with (at least one more label). */
static bool hostnames_meet(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (strcmp(a, b) == 0)
		return true;
	if (tr_str_has_prefix(a, "*.") && lb > la - 1 &&
	    strcmp(b + lb - (la - 1), a + 1) == 0)
		return true;
	if (tr_str_has_prefix(b, "*.") && la > lb - 1 &&
	    strcmp(a + la - (lb - 1), b + 1) == 0)
		return true;
	return false;
}

/* Whether the listener's hostname admits one of the route's hostnames
 * (either side unset admits everything). */
static bool hostname_admits(const tr_node *listener,
			    const tr_refs_object *route, tr_buf *why)
{
	const char *lh = tr_node_get_str(listener, "hostname");
	const tr_node *hosts = get_seq(spec_of(route), "hostnames");

	if (!lh || !hosts || hosts->count == 0)
		return true;
	for (size_t i = 0; i < hosts->count; i++) {
		const char *h = tr_node_str(hosts->u.items[i]);
		if (h && hostnames_meet(lh, h))
			return true;
	}
	text(why, "its hostname %s matches none of the route's hostnames",
	     lh);
	return false;
}

/* A namespace's label value: the Namespace manifest's labels plus the
 * kubernetes.io/metadata.name label every namespace carries. *known is
 * false when the repo has no Namespace manifest to answer from. */
static const char *namespace_label(const tr_refs_index *idx, int cluster,
				   const char *ns, const char *key,
				   bool *known)
{
	const tr_refs_object *nso;

	*known = true;
	if (strcmp(key, "kubernetes.io/metadata.name") == 0)
		return ns;
	nso = tr_refs_find(idx, NULL, cluster, "Namespace", NULL, ns);
	if (!nso) {
		*known = false;
		return NULL;
	}
	return tr_node_get_str(
		tr_node_get(tr_node_get(nso->doc->root, "metadata"), "labels"),
		key);
}

static bool in_values(const tr_node *values, const char *v)
{
	if (!values || values->type != TR_NODE_SEQ || !v)
		return false;
	for (size_t i = 0; i < values->count; i++)
		if (tr_str_eq(tr_node_str(values->u.items[i]), v))
			return true;
	return false;
}

/* Evaluates a label selector on a namespace. *known is false when a label
 * it needs cannot be read from the repo. */
static bool selector_matches(const tr_refs_index *idx, int cluster,
			     const char *ns, const tr_node *selector,
			     bool *known)
{
	const tr_node *labels = tr_node_get(selector, "matchLabels");
	const tr_node *exprs = get_seq(selector, "matchExpressions");
	bool k;

	*known = true;
	if (labels && labels->type == TR_NODE_MAP) {
		for (size_t i = 0; i < labels->count; i++) {
			const char *key = labels->u.pairs[i].key;
			const char *want = tr_node_str(labels->u.pairs[i].value);
			const char *have =
				namespace_label(idx, cluster, ns, key, &k);

			if (!k) {
				*known = false;
				return true;
			}
			if (!tr_str_eq(have, want))
				return false;
		}
	}
	for (size_t i = 0; exprs && i < exprs->count; i++) {
		const tr_node *e = exprs->u.items[i];
		const char *key = tr_node_get_str_or(e, "key", "");
		const char *op = tr_node_get_str_or(e, "operator", "");
		const char *have = namespace_label(idx, cluster, ns, key, &k);
		const tr_node *values = tr_node_get(e, "values");
		bool ok;

		if (!k) {
			*known = false;
			return true;
		}
		if (strcmp(op, "In") == 0)
			ok = in_values(values, have);
		else if (strcmp(op, "NotIn") == 0)
			ok = !in_values(values, have);
		else if (strcmp(op, "Exists") == 0)
			ok = have != NULL;
		else if (strcmp(op, "DoesNotExist") == 0)
			ok = have == NULL;
		else
			ok = false;
		if (!ok)
			return false;
	}
	return true;
}

/* Whether the listener's namespaces admit the route. `gw_ns` is where the
 * Gateway counts as living (the route's own namespace after a fallback). */
static bool namespaces_admit(const tr_refs_index *idx,
			     const tr_node *listener,
			     const tr_refs_object *route, const char *gw_ns,
			     bool *unknown, tr_buf *why)
{
	const tr_node *nss =
		tr_node_get(tr_node_get(listener, "allowedRoutes"),
			    "namespaces");
	const char *from = tr_node_get_str_or(nss, "from", "Same");
	bool known = true;
	bool ok;

	*unknown = false;
	if (strcmp(from, "All") == 0)
		return true;
	if (strcmp(from, "Selector") == 0) {
		ok = selector_matches(idx, route->cluster, route->namespace_,
				      tr_node_get(nss, "selector"), &known);
		if (!known)
			*unknown = true;
		if (!ok)
			text(
				why,
				"namespace %s does not match its "
				"allowedRoutes.namespaces.selector",
				route->namespace_);
		return ok;
	}
	ok = tr_str_eq(route->namespace_, gw_ns);
	if (!ok)
		text(why,
				    "it admits routes from namespace %s only "
				    "(allowedRoutes.namespaces.from: Same)",
				    gw_ns);
	return ok;
}

static void route_add(tr_refs_route *r, size_t parent,
		      const tr_node *parent_ref, const tr_refs_object *gw,
		      const tr_node *listener, size_t listener_index)
{
	tr_refs_attachment *a;

	r->items = tr_grow(r->items, &r->cap, r->count + 1, sizeof(*r->items));
	a = &r->items[r->count++];
	a->parent = parent;
	a->parent_ref = parent_ref;
	a->gateway = gw;
	a->listener = listener;
	a->listener_index = listener_index;
}

/* Matches one parentRef against every definition of its Gateway. */
static void attach_parent(tr_refs_route *r, const tr_refs_index *idx,
			  const tr_refs_object *route, size_t pi,
			  const tr_node *pref, const gateway_lookup *gl,
			  tr_diag *diag)
{
	const char *section = tr_node_get_str(pref, "sectionName");
	const char *name = tr_node_get_str(pref, "name");
	int64_t port = 0;
	bool has_port = tr_node_get_int(pref, "port", &port);
	bool section_seen = false, port_seen = false, unknown_sel = false;
	size_t before = r->count;
	tr_buf names = TR_BUF_INIT(TR_MAX_LIST_TEXT_BYTES);
	tr_buf ports = TR_BUF_INIT(TR_MAX_LIST_TEXT_BYTES);
	tr_buf why = TR_BUF_INIT(TR_MAX_MESSAGE_BYTES / 2);
	char path[TR_MAX_FIELD_PATH_BYTES];
	const char *gw_ns = gl->fallback ? route->namespace_ : gl->namespace_;

	for (const tr_refs_object *gw = gl->first; gw;
	     gw = tr_refs_find(idx, gw, route->cluster, "Gateway",
			       gl->namespace_, name)) {
		const tr_node *ls = get_seq(spec_of(gw), "listeners");

		for (size_t li = 0; ls && li < ls->count; li++) {
			const tr_node *l = ls->u.items[li];
			const char *lname = tr_node_get_str_or(l, "name", "");
			int64_t lport = 0;
			bool unknown = false;
			tr_buf reason = TR_BUF_INIT(TR_MAX_MESSAGE_BYTES / 4);

			(void)tr_node_get_int(l, "port", &lport);
			list_add(&names, "%s", lname);
			if (section && strcmp(section, lname) != 0)
				goto next;
			section_seen = true;
			list_add(&ports, "%lld", (long long)lport);
			if (has_port && lport != port)
				goto next;
			port_seen = true;
			if (!namespaces_admit(idx, l, route, gw_ns, &unknown,
					      &reason) ||
			    !kinds_admit(l, route, &reason) ||
			    !hostname_admits(l, route, &reason)) {
				if (why.len == 0)
					text(
						&why, "listener %s: %s", lname,
						tr_buf_cstr(&reason));
				goto next;
			}
			if (unknown)
				unknown_sel = true;
			route_add(r, pi, pref, gw, l, li);
		next:
			tr_buf_dispose(&reason);
		}
	}
	if (section && !section_seen) {
		tr_str_format(path, sizeof(path),
			      "spec.parentRefs[%zu].sectionName", pi);
		report(diag, TR_SEV_ERROR, "refs.parent-section", route,
		       tr_node_get(pref, "sectionName"), path,
		       "Gateway %s/%s has no listener named %s (its listeners: "
		       "%s)",
		       gl->namespace_, name, section, list_or_none(&names));
	} else if (has_port && !port_seen) {
		tr_str_format(path, sizeof(path), "spec.parentRefs[%zu].port",
			      pi);
		report(diag, TR_SEV_ERROR, "refs.parent-port", route,
		       tr_node_get(pref, "port"), path,
		       "no listener%s%s of Gateway %s/%s has port %lld "
		       "(listener ports: %s)",
		       section ? " named " : "", section ? section : "",
		       gl->namespace_, name, (long long)port,
		       list_or_none(&ports));
	} else if (r->count == before) {
		tr_str_format(path, sizeof(path), "spec.parentRefs[%zu]", pi);
		report(diag, TR_SEV_ERROR, "refs.parent-not-allowed", route,
		       pref, path,
		       "Gateway %s/%s does not admit %s %s/%s: %s",
		       gl->namespace_, name, route->kind, route->namespace_,
		       route->name, why.len ? tr_buf_cstr(&why)
					    : "it has no listeners");
	} else if (unknown_sel) {
		tr_str_format(path, sizeof(path), "spec.parentRefs[%zu]", pi);
		report(diag, TR_SEV_WARNING, "refs.parent-selector-unknown",
		       route, pref, path,
		       "cannot tell whether namespace %s matches the "
		       "allowedRoutes.namespaces.selector of Gateway %s/%s: "
		       "the repository has no Namespace manifest for it with "
		       "the labels the selector reads; assumed to match",
		       route->namespace_, gl->namespace_, name);
	}
	tr_buf_dispose(&names);
	tr_buf_dispose(&ports);
	tr_buf_dispose(&why);
}

int tr_refs_route_resolve(tr_refs_route *out, const tr_refs_index *idx,
			  const tr_refs_object *route, tr_diag *diag)
{
	const tr_node *prefs = get_seq(spec_of(route), "parentRefs");
	char path[TR_MAX_FIELD_PATH_BYTES];

	memset(out, 0, sizeof(*out));
	for (size_t pi = 0; prefs && pi < prefs->count; pi++) {
		const tr_node *pref = prefs->u.items[pi];
		const char *group =
			tr_node_get_str_or(pref, "group", TR_REFS_GATEWAY_GROUP);
		const char *kind = tr_node_get_str_or(pref, "kind", "Gateway");
		const char *name = tr_node_get_str(pref, "name");
		const char *ns = tr_node_get_str(pref, "namespace");
		gateway_lookup gl;

		/* Other parent kinds are a Lattice limitation: lattice.c. */
		if (strcmp(group, TR_REFS_GATEWAY_GROUP) != 0 ||
		    strcmp(kind, "Gateway") != 0 || !name)
			continue;
		find_gateway(&gl, idx, route->cluster,
			     ns ? ns : route->namespace_, ns != NULL, name);
		tr_str_format(path, sizeof(path), "spec.parentRefs[%zu].name",
			      pi);
		if (!gl.first && gl.other_namespaces > 1) {
			report(diag, TR_SEV_ERROR, "refs.parent-ambiguous",
			       route, tr_node_get(pref, "name"), path,
			       "no Gateway %s in namespace %s, and several in "
			       "other namespaces of cluster %s (%s): set "
			       "parentRefs[%zu].namespace",
			       name, route->namespace_,
			       cluster_name(idx, route->cluster), gl.others,
			       pi);
			continue;
		}
		if (!gl.first) {
			const tr_refs_object *far = find_elsewhere(
				idx, route->cluster, "Gateway",
				ns ? ns : route->namespace_, name);

			tr_buf hint = TR_BUF_INIT(TR_MAX_LIST_TEXT_BYTES);

			report(diag, TR_SEV_ERROR, "refs.parent-not-found",
			       route, tr_node_get(pref, "name"), path,
			       "Gateway %s/%s is not in cluster %s%s%s%s%s",
			       ns ? ns : route->namespace_, name,
			       cluster_name(idx, route->cluster),
			       far ? " (it is defined for cluster " : "",
			       far ? cluster_name(idx, far->cluster) : "",
			       far ? "; a route attaches to Gateways of its "
				     "own cluster)"
				   : "",
			       far || !diag
				       ? ""
				       : suggest(&hint, idx, route->cluster,
						 "Gateway",
						 ns ? ns : route->namespace_,
						 name));
			tr_buf_dispose(&hint);
			continue;
		}
		out->parents_found++;
		if (gl.fallback)
			report(diag, TR_SEV_WARNING, "refs.parent-namespace",
			       route, tr_node_get(pref, "name"), path,
			       "Gateway API looks for a parentRef without "
			       "namespace in the route's namespace (%s), which "
			       "has no Gateway %s; trellis uses %s/%s, the only "
			       "Gateway of that name in cluster %s, as if it "
			       "were applied in %s: set parentRefs[%zu]."
			       "namespace: %s to say so",
			       route->namespace_, name, gl.namespace_, name,
			       cluster_name(idx, route->cluster),
			       route->namespace_, pi, gl.namespace_);
		if (!tr_refs_gateway_is_lattice(idx, gl.first))
			continue; /* reported once on the Gateway */
		out->parents_lattice++;
		attach_parent(out, idx, route, pi, pref, &gl, diag);
	}
	return 0;
}

void tr_refs_route_dispose(tr_refs_route *route)
{
	if (!route)
		return;
	tr_free(route->items);
	memset(route, 0, sizeof(*route));
}

bool tr_refs_route_is_managed(const tr_refs_route *route)
{
	return route->parents_found == 0 || route->parents_lattice > 0;
}

/* ------------------------------------------------------------------ */
/* Route -> backends                                                  */

/* A ReferenceGrant in `to_ns` that lets `from` refer to kind/name there. */
static bool grant_allows(const tr_refs_index *idx, const tr_refs_object *from,
			 const char *to_ns, const char *to_group,
			 const char *to_kind, const char *to_name)
{
	for (size_t i = 0; i < idx->count; i++) {
		const tr_refs_object *g = &idx->objects[i];
		const tr_node *froms, *tos;
		bool from_ok = false;

		if (!g->managed || g->cluster != from->cluster ||
		    strcmp(g->kind, "ReferenceGrant") != 0 ||
		    !tr_str_eq(g->namespace_, to_ns))
			continue;
		froms = get_seq(spec_of(g), "from");
		tos = get_seq(spec_of(g), "to");
		for (size_t f = 0; froms && f < froms->count; f++) {
			const tr_node *e = froms->u.items[f];

			if (tr_str_eq(tr_node_get_str(e, "group"),
				      from->group) &&
			    tr_str_eq(tr_node_get_str(e, "kind"), from->kind) &&
			    tr_str_eq(tr_node_get_str(e, "namespace"),
				      from->namespace_))
				from_ok = true;
		}
		if (!from_ok)
			continue;
		for (size_t t = 0; tos && t < tos->count; t++) {
			const tr_node *e = tos->u.items[t];
			const char *name = tr_node_get_str(e, "name");

			if (tr_str_eq(tr_node_get_str_or(e, "group", ""), to_group) &&
			    tr_str_eq(tr_node_get_str(e, "kind"), to_kind) &&
			    (!name || !*name || strcmp(name, to_name) == 0))
				return true;
		}
	}
	return false;
}

static void check_service_port(const tr_refs_index *idx,
			       const tr_refs_object *route,
			       const tr_refs_object *svc, const tr_node *bref,
			       const char *path, tr_diag *diag)
{
	const tr_node *pnode = tr_node_get(bref, "port");
	int64_t port, target_of = -1;
	tr_buf have = TR_BUF_INIT(TR_MAX_LIST_TEXT_BYTES);
	tr_buf hint = TR_BUF_INIT(TR_MAX_LIST_TEXT_BYTES);
	bool found = false;

	if (!tr_node_get_int(bref, "port", &port))
		return; /* the schema requires it for Services */
	for (const tr_refs_object *s = svc; s && !found;
	     s = tr_refs_find(idx, s, svc->cluster, "Service", svc->namespace_,
			      svc->name)) {
		const tr_node *ports = get_seq(spec_of(s), "ports");

		for (size_t i = 0; ports && i < ports->count; i++) {
			int64_t p, t;

			if (!tr_node_get_int(ports->u.items[i], "port", &p))
				continue;
			if (p == port)
				found = true;
			if (tr_node_get_int(ports->u.items[i], "targetPort", &t) &&
			    t == port && target_of < 0)
				target_of = p;
			list_add(&have, "%lld", (long long)p);
		}
	}
	if (target_of >= 0)
		text(&hint,
		     "; %lld is the targetPort of Service port %lld, and a "
		     "backendRef names the Service port",
		     (long long)port, (long long)target_of);
	if (!found)
		report(diag, TR_SEV_WARNING, "refs.backend-port", route, pnode,
		       path,
		       "Service %s/%s has no port %lld (its ports: %s)%s",
		       svc->namespace_, svc->name, (long long)port,
		       list_or_none(&have), tr_buf_cstr(&hint));
	tr_buf_dispose(&have);
	tr_buf_dispose(&hint);
}

static void check_backend(const tr_refs_index *idx,
			  const tr_refs_object *route, size_t ri, size_t bi,
			  const tr_node *bref, tr_diag *diag)
{
	const char *group = tr_node_get_str_or(bref, "group", "");
	const char *kind = tr_node_get_str_or(bref, "kind", "Service");
	const char *name = tr_node_get_str(bref, "name");
	const char *ns_given = tr_node_get_str(bref, "namespace");
	const char *ns = ns_given ? ns_given : route->namespace_;
	const tr_refs_object *target;
	char path[TR_MAX_FIELD_PATH_BYTES];

	if (!name)
		return;
	if (!(strcmp(kind, "Service") == 0 && *group == '\0') &&
	    strcmp(kind, "ServiceImport") != 0)
		return; /* other kinds: lattice.unsupported.backend-kind */
	target = tr_refs_find(idx, NULL, route->cluster, kind, ns, name);
	tr_str_format(path, sizeof(path),
		      "spec.rules[%zu].backendRefs[%zu].name", ri, bi);
	if (!target) {
		const tr_refs_object *far =
			find_elsewhere(idx, route->cluster, kind, ns, name);

		tr_buf hint = TR_BUF_INIT(TR_MAX_LIST_TEXT_BYTES);

		report(diag, TR_SEV_ERROR, "refs.backend-not-found", route,
		       tr_node_get(bref, "name"), path,
		       "%s %s/%s is not in cluster %s%s%s%s%s", kind, ns, name,
		       cluster_name(idx, route->cluster),
		       far ? " (it is defined for cluster " : "",
		       far ? cluster_name(idx, far->cluster) : "",
		       far ? "; export it there with a ServiceExport and "
			     "refer to a ServiceImport here)"
			   : "",
		       far ? "" : suggest(&hint, idx, route->cluster, kind, ns,
					  name));
		tr_buf_dispose(&hint);
		return;
	}
	if (strcmp(kind, "Service") == 0) {
		tr_str_format(path, sizeof(path),
			      "spec.rules[%zu].backendRefs[%zu].port", ri, bi);
		check_service_port(idx, route, target, bref, path, diag);
	} else {
		bool exported = false;

		for (size_t i = 0; i < idx->count && !exported; i++) {
			const tr_refs_object *o = &idx->objects[i];
			exported = o->managed &&
				   strcmp(o->kind, "ServiceExport") == 0 &&
				   strcmp(o->name, name) == 0 &&
				   tr_str_eq(o->namespace_, ns);
		}
		if (!exported)
			report(diag, TR_SEV_WARNING, "refs.import-not-exported",
			       route, tr_node_get(bref, "name"), path,
			       "no cluster of the repository has a "
			       "ServiceExport %s/%s for this ServiceImport; "
			       "it must be exported from outside the "
			       "repository",
			       ns, name);
	}
	if (strcmp(ns, route->namespace_) != 0 &&
	    !grant_allows(idx, route, ns, group, kind, name)) {
		tr_str_format(path, sizeof(path),
			      "spec.rules[%zu].backendRefs[%zu].namespace", ri,
			      bi);
		report(diag, TR_SEV_ERROR, "refs.reference-grant", route,
		       tr_node_get(bref, "namespace"), path,
		       "%s %s/%s refers to %s %s/%s in another namespace: "
		       "Gateway API requires a ReferenceGrant in namespace %s "
		       "whose from has group %s, kind %s, namespace %s and "
		       "whose to has kind %s; there is none",
		       route->kind, route->namespace_, route->name, kind, ns,
		       name, ns, route->group, route->kind,
		       route->namespace_, kind);
	}
}

/* A route without a hostname has no custom domain: VPC Lattice serves its
 * HTTPS listeners with the certificate it manages for the generated
 * domain, and refuses a certificate ARN on such a service, so the
 * listener's ARN does not apply to it. Legitimate on a shared Gateway
 * (other routes have hostnames), hence a note. */
static void note_unused_certificate(const tr_refs_object *route,
				    const tr_refs_route *r, tr_diag *diag)
{
	const tr_refs_object *first_gw = r->items[0].gateway;
	char path[64];

	for (size_t i = 0; i < r->count; i++) {
		const tr_refs_attachment *a = &r->items[i];
		const char *arn = tr_node_get_str(
			tr_node_get(tr_node_get(a->listener, "tls"), "options"),
			TR_REFS_CERT_ARN_OPTION);

		if (a->gateway != first_gw || !arn ||
		    strcmp(listener_protocol(a->listener), "HTTPS") != 0)
			continue;
		tr_str_format(path, sizeof(path), "spec.parentRefs[%zu]", a->parent);
		report(diag, TR_SEV_NOTE, "refs.certificate-unused", route,
		       a->parent_ref, path,
		       "%s %s/%s has no hostname, so its VPC Lattice service "
		       "has no custom domain: HTTPS listener %s of Gateway "
		       "%s/%s serves it with the certificate VPC Lattice "
		       "manages for the generated domain, not with %s",
		       route->kind, route->namespace_, route->name,
		       tr_node_get_str_or(a->listener, "name", "?"),
		       a->gateway->namespace_, a->gateway->name, arn);
		return;
	}
}

/* Custom domains on HTTPS listeners need a certificate: named in the
 * listener's TLS options, or found in ACM at plan time. Like the AWS
 * controller, the first Terminate listener of the first Gateway decides. */
static void check_certificate(const tr_refs_object *route,
			      const tr_refs_route *r, tr_diag *diag)
{
	const tr_node *hosts = get_seq(spec_of(route), "hostnames");
	const tr_refs_object *first_gw;
	const char *host;

	if (r->count == 0)
		return;
	if (!hosts || hosts->count == 0) {
		note_unused_certificate(route, r, diag);
		return;
	}
	host = tr_node_str(hosts->u.items[0]);
	first_gw = r->items[0].gateway;
	for (size_t i = 0; i < r->count; i++) {
		const tr_refs_attachment *a = &r->items[i];
		const tr_node *tls = tr_node_get(a->listener, "tls");

		if (a->gateway != first_gw ||
		    strcmp(listener_protocol(a->listener), "HTTPS") != 0 ||
		    strcmp(tr_node_get_str_or(tls, "mode", "Terminate"), "Terminate") !=
			    0)
			continue;
		if (tr_node_get_str(tr_node_get(tls, "options"),
				    TR_REFS_CERT_ARN_OPTION))
			return;
	}
	for (size_t i = 0; i < r->count; i++) {
		const tr_refs_attachment *a = &r->items[i];

		if (a->gateway != first_gw ||
		    strcmp(listener_protocol(a->listener), "HTTPS") != 0)
			continue;
		report(diag, TR_SEV_WARNING, "refs.certificate-lookup", route,
		       hosts->u.items[0], "spec.hostnames[0]",
		       "custom domain %s is served on HTTPS listener %s of "
		       "Gateway %s/%s, whose tls.options has no %s: trellis "
		       "will look for an issued ACM certificate covering %s "
		       "when it plans",
		       host ? host : "?",
		       tr_node_get_str_or(a->listener, "name", "?"),
		       a->gateway->namespace_, a->gateway->name,
		       TR_REFS_CERT_ARN_OPTION, host ? host : "it");
		return;
	}
}

static void check_route(const tr_refs_index *idx, const tr_refs_object *route,
			tr_diag *diag)
{
	tr_refs_route r;
	const tr_node *rules;

	(void)tr_refs_route_resolve(&r, idx, route, diag);
	if (!tr_refs_route_is_managed(&r)) {
		report(diag, TR_SEV_NOTE, "refs.route-ignored", route,
		       tr_node_get(spec_of(route), "parentRefs"),
		       "spec.parentRefs",
		       "%s %s/%s is attached only to Gateways of other "
		       "controllers; trellis ignores it",
		       route->kind, route->namespace_, route->name);
		goto done;
	}
	rules = get_seq(spec_of(route), "rules");
	for (size_t ri = 0; rules && ri < rules->count; ri++) {
		const tr_node *brefs =
			get_seq(rules->u.items[ri], "backendRefs");

		for (size_t bi = 0; brefs && bi < brefs->count; bi++)
			check_backend(idx, route, ri, bi, brefs->u.items[bi],
				      diag);
	}
	check_certificate(route, &r, diag);
done:
	tr_refs_route_dispose(&r);
}

/* ------------------------------------------------------------------ */
/* Gateways, policies, exports, duplicates                            */

static void check_gateway(const tr_refs_index *idx, const tr_refs_object *gw,
			  tr_diag *diag)
{
	const tr_node *cls_node = tr_node_get(spec_of(gw), "gatewayClassName");
	const char *cls_name = tr_node_str(cls_node);
	const tr_refs_object *cls;

	if (!cls_name)
		return;
	cls = gateway_class(idx, gw);
	if (!cls) {
		report(diag, TR_SEV_WARNING, "refs.gateway-class-not-found", gw,
		       cls_node, "spec.gatewayClassName",
		       "GatewayClass %s is not in the repository for cluster "
		       "%s; trellis assumes its controllerName is %s",
		       cls_name, cluster_name(idx, gw->cluster),
		       TR_REFS_LATTICE_CONTROLLER);
		return;
	}
	if (!class_is_lattice(cls))
		report(diag, TR_SEV_NOTE, "refs.gateway-ignored", gw, cls_node,
		       "spec.gatewayClassName",
		       "GatewayClass %s has controllerName %s, not %s: trellis "
		       "ignores Gateway %s/%s",
		       cls_name,
		       tr_node_get_str_or(spec_of(cls), "controllerName", "(none)"),
		       TR_REFS_LATTICE_CONTROLLER, gw->namespace_, gw->name);
}

typedef struct policy_target {
	const char *group;
	const char *kind;
} policy_target;

typedef struct policy_rule {
	const char *kind;
	bool cross_namespace; /* the controller reads targetRef.namespace */
	bool exclusive;       /* one policy of this kind per target */
	policy_target targets[3];
} policy_rule;

/* Access logs may have one subscription per destination type, so several
 * AccessLogPolicies per target are fine; the others hold one setting. */
static const policy_rule policy_rules[] = {
	{"TargetGroupPolicy", false, true,
	 {{"", "Service"}, {TR_REFS_AWS_GROUP, "ServiceExport"}, {0, 0}}},
	{"VpcAssociationPolicy", false, true,
	 {{TR_REFS_GATEWAY_GROUP, "Gateway"}, {0, 0}, {0, 0}}},
	{"IAMAuthPolicy", true, true,
	 {{TR_REFS_GATEWAY_GROUP, "Gateway"},
	  {TR_REFS_GATEWAY_GROUP, "HTTPRoute"},
	  {TR_REFS_GATEWAY_GROUP, "GRPCRoute"}}},
	{"AccessLogPolicy", false, false,
	 {{TR_REFS_GATEWAY_GROUP, "Gateway"},
	  {TR_REFS_GATEWAY_GROUP, "HTTPRoute"},
	  {TR_REFS_GATEWAY_GROUP, "GRPCRoute"}}},
};

/* The object a policy's spec.targetRef names, without reporting. */
static const tr_refs_object *policy_target_of(const tr_refs_index *idx,
					      const tr_refs_object *pol)
{
	const tr_node *tref = tr_node_get(spec_of(pol), "targetRef");
	const char *kind = tr_node_get_str(tref, "kind");
	const char *name = tr_node_get_str(tref, "name");
	const char *ns_given = tr_node_get_str(tref, "namespace");
	const char *ns = ns_given ? ns_given : pol->namespace_;
	gateway_lookup gl;

	if (!kind || !name)
		return NULL;
	if (strcmp(kind, "Gateway") != 0)
		return tr_refs_find(idx, NULL, pol->cluster, kind, ns, name);
	find_gateway(&gl, idx, pol->cluster, ns, ns_given != NULL, name);
	return gl.first;
}

static bool same_identity(const tr_refs_object *a, const tr_refs_object *b)
{
	return a->cluster == b->cluster && strcmp(a->kind, b->kind) == 0 &&
	       tr_str_eq(a->namespace_, b->namespace_) &&
	       strcmp(a->name, b->name) == 0;
}

/* Two policies of one kind on one target: the AWS controller applies the
 * oldest and marks the other Conflicted; a repository has no creation
 * order, so the outcome would depend on apply order. */
static void check_policy_conflict(const tr_refs_index *idx,
				  const tr_refs_object *pol,
				  const tr_refs_object *target,
				  const tr_node *at, const char *path,
				  tr_diag *diag)
{
	for (const tr_refs_object *p = idx->objects; p < pol; p++) {
		const tr_refs_object *t;

		if (!p->managed || p->cluster != pol->cluster ||
		    strcmp(p->kind, pol->kind) != 0 || same_identity(p, pol))
			continue;
		t = policy_target_of(idx, p);
		if (!t || !same_identity(t, target))
			continue;
		report(diag, TR_SEV_ERROR, "refs.policy-conflict", pol, at, path,
		       "%s %s/%s targets %s %s/%s, like %s %s/%s (%s:%u); the "
		       "AWS controller applies only the older one, and a "
		       "repository has no creation order: merge them",
		       pol->kind, pol->namespace_, pol->name, target->kind,
		       target->namespace_, target->name, p->kind,
		       p->namespace_, p->name, p->doc->file,
		       p->doc->root->line);
		return;
	}
}

static void check_target_ref(const tr_refs_index *idx,
			     const tr_refs_object *pol, const policy_rule *rule,
			     const tr_node *tref, const char *base,
			     tr_diag *diag)
{
	const char *kind = tr_node_get_str(tref, "kind");
	const char *name = tr_node_get_str(tref, "name");
	const char *ns_given = tr_node_get_str(tref, "namespace");
	const char *ns = ns_given ? ns_given : pol->namespace_;
	const char *group = NULL;
	tr_buf allowed = TR_BUF_INIT(TR_MAX_LIST_TEXT_BYTES);
	tr_buf hint = TR_BUF_INIT(TR_MAX_LIST_TEXT_BYTES);
	char path[TR_MAX_FIELD_PATH_BYTES];
	const tr_refs_object *found = NULL;
	gateway_lookup gl;

	if (!kind || !name)
		goto done; /* required fields: the schema reports them */
	for (size_t i = 0; i < 3 && rule->targets[i].kind; i++) {
		list_add(&allowed, "%s", rule->targets[i].kind);
		if (strcmp(rule->targets[i].kind, kind) == 0)
			group = rule->targets[i].group;
	}
	tr_str_format(path, sizeof(path), "%s.kind", base);
	if (!group) {
		report(diag, TR_SEV_ERROR, "refs.target-kind", pol,
		       tr_node_get(tref, "kind"), path,
		       "a %s targets %s, not %s", pol->kind,
		       tr_buf_cstr(&allowed), kind);
		goto done;
	}
	if (!tr_str_eq(tr_node_get_str_or(tref, "group", group), group)) {
		tr_str_format(path, sizeof(path), "%s.group", base);
		report(diag, TR_SEV_ERROR, "refs.target-kind", pol,
		       tr_node_get(tref, "group"), path,
		       "a %s target of kind %s has group \"%s\", not \"%s\"",
		       pol->kind, kind, group,
		       tr_node_get_str_or(tref, "group", ""));
		goto done;
	}
	if (!rule->cross_namespace && strcmp(ns, pol->namespace_) != 0) {
		tr_str_format(path, sizeof(path), "%s.namespace", base);
		report(diag, TR_SEV_ERROR, "refs.target-namespace", pol,
		       tr_node_get(tref, "namespace"), path,
		       "a %s applies only to targets in its own namespace "
		       "(%s), not %s",
		       pol->kind, pol->namespace_, ns);
		goto done;
	}
	tr_str_format(path, sizeof(path), "%s.name", base);
	if (strcmp(kind, "Gateway") == 0) {
		find_gateway(&gl, idx, pol->cluster, ns, ns_given != NULL,
			     name);
		found = gl.first;
		if (found && gl.fallback)
			report(diag, TR_SEV_WARNING, "refs.target-namespace",
			       pol, tr_node_get(tref, "name"), path,
			       "no Gateway %s in namespace %s; trellis uses "
			       "%s/%s, the only Gateway of that name in "
			       "cluster %s",
			       name, ns, gl.namespace_, name,
			       cluster_name(idx, pol->cluster));
	} else {
		found = tr_refs_find(idx, NULL, pol->cluster, kind, ns, name);
	}
	if (!found)
		report(diag, TR_SEV_ERROR, "refs.target-not-found", pol,
		       tr_node_get(tref, "name"), path,
		       "%s %s/%s is not in cluster %s%s", kind, ns, name,
		       cluster_name(idx, pol->cluster),
		       suggest(&hint, idx, pol->cluster, kind, ns, name));
	else if (rule->exclusive)
		check_policy_conflict(idx, pol, found, tr_node_get(tref, "name"),
				      path, diag);
done:
	tr_buf_dispose(&allowed);
	tr_buf_dispose(&hint);
}

static void check_policy(const tr_refs_index *idx, const tr_refs_object *pol,
			 const policy_rule *rule, tr_diag *diag)
{
	const tr_node *spec = spec_of(pol);
	const tr_node *one = tr_node_get(spec, "targetRef");
	const tr_node *many = get_seq(spec, "targetRefs");
	char base[TR_MAX_FIELD_PATH_BYTES];

	if (one && one->type == TR_NODE_MAP)
		check_target_ref(idx, pol, rule, one, "spec.targetRef", diag);
	for (size_t i = 0; many && i < many->count; i++) {
		tr_str_format(base, sizeof(base), "spec.targetRefs[%zu]", i);
		check_target_ref(idx, pol, rule, many->u.items[i], base, diag);
	}
}

static void check_export(const tr_refs_index *idx, const tr_refs_object *exp,
			 tr_diag *diag)
{
	const tr_node *ann =
		annotation(exp, "application-networking.k8s.aws/service-name");
	const char *svc = tr_node_str(ann) ? tr_node_str(ann) : exp->name;

	if (tr_refs_find(idx, NULL, exp->cluster, "Service", exp->namespace_,
			 svc))
		return;
	report(diag, TR_SEV_ERROR, "refs.export-service-not-found", exp,
	       ann ? ann : tr_node_get(tr_node_get(exp->doc->root, "metadata"),
				       "name"),
	       ann ? "metadata.annotations[application-networking.k8s.aws/"
		     "service-name]"
		   : "metadata.name",
	       "ServiceExport %s/%s exports Service %s/%s, which is not in "
	       "cluster %s",
	       exp->namespace_, exp->name, exp->namespace_, svc,
	       cluster_name(idx, exp->cluster));
}

static void check_duplicate(const tr_refs_index *idx, const tr_refs_object *o,
			    tr_diag *diag)
{
	const tr_refs_object *p;

	if (!*o->name || !o->managed)
		return;
	/* The first object of this identity; o itself when it is the first.
	 * (A cluster-scoped kind has no namespace, so NULL matches.) */
	p = tr_refs_find(idx, NULL, o->cluster, o->kind, o->namespace_,
			 o->name);
	if (p && p < o) {
		report(diag, TR_SEV_WARNING, "refs.duplicate", o,
		       tr_node_get(tr_node_get(o->doc->root, "metadata"),
				   "name"),
		       "metadata.name",
		       "%s %s%s%s is also defined at %s:%u for cluster %s; "
		       "only one object of that name can exist, and "
		       "references are checked against both",
		       o->kind, o->namespace_ ? o->namespace_ : "",
		       o->namespace_ ? "/" : "", o->name, p->doc->file,
		       p->doc->root->line, cluster_name(idx, o->cluster));
	}
}

int tr_refs_check(const tr_refs_index *idx, tr_diag *diag)
{
	for (size_t i = 0; i < idx->count; i++) {
		const tr_refs_object *o = &idx->objects[i];

		if (!o->managed)
			continue;
		check_duplicate(idx, o, diag);
		if (is_route_kind(o->kind)) {
			check_route(idx, o, diag);
		} else if (strcmp(o->kind, "Gateway") == 0) {
			check_gateway(idx, o, diag);
		} else if (strcmp(o->kind, "ServiceExport") == 0) {
			check_export(idx, o, diag);
		} else {
			for (size_t p = 0; p < sizeof(policy_rules) /
						       sizeof(policy_rules[0]);
			     p++)
				if (strcmp(o->kind, policy_rules[p].kind) == 0)
					check_policy(idx, o, &policy_rules[p],
						     diag);
		}
	}
	return 0;
}
