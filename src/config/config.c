#include "config/config.h"

#include <string.h>

#include "util/buf.h"
#include "util/str.h"

void tr_config_init_default(tr_config *cfg, tr_arena *arena)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->clusters = tr_arena_alloc(arena, sizeof(*cfg->clusters));
	cfg->clusters[0].name = "default";
	cfg->clusters[0].path = "";
	cfg->cluster_count = 1;
	cfg->max_deletes = TR_CONFIG_DEFAULT_MAX_DELETES;
}

typedef struct reader {
	const char *file;
	tr_diag *diag;
	bool failed;
} reader;

static void problem(reader *r, const tr_node *at, const char *path,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void problem(reader *r, const tr_node *at, const char *path,
		    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tr_diag_vadd(r->diag, TR_SEV_ERROR, "config.invalid", r->file,
		     at ? at->line : 1, at ? at->col : 1, path, fmt, ap);
	va_end(ap);
	r->failed = true;
}

/* A string field; required ones report "Required value" when missing. */
static const char *string_field(reader *r, const tr_node *map,
				const char *key, const char *path,
				bool required)
{
	const tr_node *v = tr_node_get(map, key);

	if (!v || v->type == TR_NODE_NULL) {
		if (required)
			problem(r, map, path, "Required value");
		return NULL;
	}
	if (v->type != TR_NODE_STRING) {
		problem(r, v, path, "Invalid value: %s: must be a string%s",
			tr_node_type_name(v->type),
			v->plain ? " (quote it)" : "");
		return NULL;
	}
	if (!*v->text && required)
		problem(r, v, path, "Required value: must not be empty");
	return v->text;
}

/* Relative, '/'-separated, no "..", no leading '/'; "." means the root.
 * Returns the normalised path without a trailing '/'. */
static const char *clean_path(reader *r, tr_arena *arena, const tr_node *v,
			      const char *text, const char *path)
{
	size_t len = strlen(text);
	const char *seg = text;

	if (text[0] == '/') {
		problem(r, v, path, "Invalid value: \"%s\": must be relative to "
			"the config file's folder", text);
		return NULL;
	}
	while (*seg) {
		size_t n = strcspn(seg, "/");
		if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			problem(r, v, path, "Invalid value: \"%s\": must not "
				"leave the repository (\"..\")", text);
			return NULL;
		}
		seg += n;
		if (*seg == '/')
			seg++;
	}
	while (len > 0 && text[len - 1] == '/')
		len--;
	if (len == 1 && text[0] == '.')
		len = 0;
	if (len >= 2 && text[0] == '.' && text[1] == '/') {
		text += 2;
		len -= 2;
	}
	return tr_arena_strndup(arena, text, len);
}

static bool paths_overlap(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	const char *shorter = la <= lb ? a : b, *longer = la <= lb ? b : a;
	size_t ls = la <= lb ? la : lb;

	if (ls == 0)
		return true;
	return strncmp(shorter, longer, ls) == 0 &&
	       (longer[ls] == '\0' || longer[ls] == '/');
}

static void read_clusters(reader *r, tr_config *cfg, tr_arena *arena,
			  const tr_node *list)
{
	tr_buf path = TR_BUF_INIT(256);

	if (!list) {
		problem(r, cfg->root, "clusters", "Required value: at least one "
			"cluster");
		return;
	}
	if (list->type != TR_NODE_SEQ || list->count == 0) {
		problem(r, list, "clusters", "Invalid value: must be a "
			"non-empty list of clusters");
		return;
	}
	cfg->clusters = tr_arena_alloc(arena, list->count *
					      sizeof(*cfg->clusters));
	for (size_t i = 0; i < list->count; i++) {
		const tr_node *item = list->u.items[i];
		tr_config_cluster *c = &cfg->clusters[cfg->cluster_count];
		const tr_node *flag;
		const char *raw_path;

		tr_buf_clear(&path);
		if (tr_buf_printf(&path, "clusters[%zu]", i) < 0)
			break;
		if (item->type != TR_NODE_MAP) {
			problem(r, item, path.ptr, "Invalid value: must be an "
				"object");
			continue;
		}
		c->node = item;
		c->name = string_field(r, item, "name", path.ptr, true);
		raw_path = string_field(r, item, "path", path.ptr, true);
		if (raw_path)
			c->path = clean_path(r, arena, tr_node_get(item, "path"),
					     raw_path, path.ptr);
		c->vpc_id = string_field(r, item, "vpcId", path.ptr, false);
		c->oidc_issuer = string_field(r, item, "oidcIssuer", path.ptr,
					      false);
		c->kubeconfig = string_field(r, item, "kubeconfig", path.ptr,
					     false);
		c->context = string_field(r, item, "context", path.ptr, false);
		flag = tr_node_get(item, "inCluster");
		c->in_cluster = flag && flag->type == TR_NODE_BOOL &&
				flag->as.boolean;
		if (!c->name || !c->path)
			continue;
		for (size_t j = 0; j < cfg->cluster_count; j++) {
			const tr_config_cluster *o = &cfg->clusters[j];
			if (strcmp(o->name, c->name) == 0)
				problem(r, tr_node_get(item, "name"), path.ptr,
					"Duplicate value: cluster name \"%s\" "
					"is already used at line %u",
					c->name, o->node->line);
			else if (paths_overlap(o->path, c->path))
				problem(r, tr_node_get(item, "path"), path.ptr,
					"Invalid value: \"%s\": overlaps the "
					"path \"%s\" of cluster \"%s\"; each "
					"manifest must belong to one cluster",
					c->path, o->path, o->name);
		}
		cfg->cluster_count++;
	}
	tr_buf_dispose(&path);
}

static void read_dns(reader *r, tr_config *cfg, tr_arena *arena,
		     const tr_node *list)
{
	tr_buf path = TR_BUF_INIT(256);

	if (!list || list->type == TR_NODE_NULL)
		return;
	if (list->type != TR_NODE_SEQ) {
		problem(r, list, "dns", "Invalid value: must be a list");
		return;
	}
	cfg->dns = tr_arena_alloc(arena, list->count * sizeof(*cfg->dns));
	for (size_t i = 0; i < list->count; i++) {
		const tr_node *item = list->u.items[i];
		tr_config_dns *d = &cfg->dns[cfg->dns_count];

		tr_buf_clear(&path);
		if (tr_buf_printf(&path, "dns[%zu]", i) < 0)
			break;
		if (item->type != TR_NODE_MAP) {
			problem(r, item, path.ptr, "Invalid value: must be an "
				"object");
			continue;
		}
		d->node = item;
		d->zone_id = string_field(r, item, "zoneId", path.ptr, true);
		d->domain = string_field(r, item, "domain", path.ptr, true);
		if (d->zone_id && d->domain)
			cfg->dns_count++;
	}
	tr_buf_dispose(&path);
}

int tr_config_parse(tr_config *cfg, tr_arena *arena, const char *file,
		    const tr_node *root, tr_diag *diag)
{
	reader r = {file, diag, false};
	const tr_node *v;

	memset(cfg, 0, sizeof(*cfg));
	cfg->present = true;
	cfg->file = file;
	cfg->root = root;
	cfg->max_deletes = TR_CONFIG_DEFAULT_MAX_DELETES;
	if (!root || root->type != TR_NODE_MAP) {
		problem(&r, root, NULL, "the config file must be an object "
			"with version, region, owner and clusters");
		return TR_EINVALID;
	}
	v = tr_node_get(root, "version");
	if (!v)
		problem(&r, root, "version", "Required value: use version: 1");
	else if (v->type != TR_NODE_INT || v->as.integer != 1)
		problem(&r, v, "version", "Unsupported value: \"%s\": "
			"supported values: 1", v->text ? v->text : "");
	cfg->region = string_field(&r, root, "region", "region", true);
	cfg->owner = string_field(&r, root, "owner", "owner", true);
	v = tr_node_get(root, "prune");
	if (v && v->type == TR_NODE_BOOL)
		cfg->prune = v->as.boolean;
	v = tr_node_get(root, "maxDeletes");
	if (v && v->type == TR_NODE_INT)
		cfg->max_deletes = v->as.integer;
	read_clusters(&r, cfg, arena, tr_node_get(root, "clusters"));
	read_dns(&r, cfg, arena, tr_node_get(root, "dns"));
	return r.failed ? TR_EINVALID : 0;
}

int tr_config_cluster_for(const tr_config *cfg, const char *rel_path)
{
	int best = -1;
	size_t best_len = 0;

	for (size_t i = 0; i < cfg->cluster_count; i++) {
		const char *p = cfg->clusters[i].path;
		size_t n = strlen(p);

		if (n == 0 || (strncmp(rel_path, p, n) == 0 &&
			       rel_path[n] == '/')) {
			if (best < 0 || n > best_len) {
				best = (int)i;
				best_len = n;
			}
		}
	}
	return best;
}
