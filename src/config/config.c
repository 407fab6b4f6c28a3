#include "config/config.h"

#include <string.h>
#include <strings.h>

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

/* A string field, or NULL when missing or not a string: the config
 * schema reports those (validate), so the reader stays silent. */
static const char *string_field(const tr_node *map, const char *key)
{
	return tr_node_get_str(map, key);
}

/* Relative, '/'-separated, no "..", no leading '/'; "." means the root.
 * Returns the normalised path without a trailing '/'. */
static const char *clean_path(tr_arena *arena, const char *text)
{
	size_t len = strlen(text);
	const char *seg = text;

	if (text[0] == '/')
		return NULL; /* the schema reports it */
	while (*seg) {
		size_t n = strcspn(seg, "/");
		if (n == 2 && seg[0] == '.' && seg[1] == '.')
			return NULL; /* the schema reports it */
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
	tr_buf path_field = TR_BUF_INIT(256);

	if (!list || list->type != TR_NODE_SEQ || list->count == 0)
		return; /* the schema reports it */
	cfg->clusters = tr_arena_alloc(arena, list->count *
					      sizeof(*cfg->clusters));
	for (size_t i = 0; i < list->count; i++) {
		const tr_node *item = list->u.items[i];
		tr_config_cluster *c = &cfg->clusters[cfg->cluster_count];
		const tr_node *flag;
		const char *raw_path;

		tr_buf_clear(&path);
		tr_buf_clear(&path_field);
		if (tr_buf_printf(&path, "clusters[%zu]", i) < 0 ||
		    tr_buf_printf(&path_field, "clusters[%zu].path", i) < 0)
			break;
		if (item->type != TR_NODE_MAP)
			continue;
		c->node = item;
		c->name = string_field(item, "name");
		raw_path = string_field(item, "path");
		if (raw_path)
			c->path = clean_path(arena, raw_path);
		c->vpc_id = string_field(item, "vpcId");
		c->oidc_issuer = string_field(item, "oidcIssuer");
		c->kubeconfig = string_field(item, "kubeconfig");
		c->context = string_field(item, "context");
		flag = tr_node_get(item, "inCluster");
		c->in_cluster = flag && flag->type == TR_NODE_BOOL &&
				flag->as.boolean;
		if (!c->name || !c->path)
			continue;
		for (size_t j = 0; j < cfg->cluster_count; j++) {
			const tr_config_cluster *o = &cfg->clusters[j];
			/* Equal names and paths are the schema's to report
			 * (x-trellis-unique-properties); nested paths are not. */
			if (strcmp(o->path, c->path) != 0 &&
			    paths_overlap(o->path, c->path))
				problem(r, tr_node_get(item, "path"),
					tr_buf_cstr(&path_field),
					"Invalid value: \"%s\": overlaps the "
					"path \"%s\" of cluster \"%s\"; each "
					"manifest must belong to one cluster",
					c->path, o->path, o->name);
		}
		cfg->cluster_count++;
	}
	tr_buf_dispose(&path);
	tr_buf_dispose(&path_field);
}

static void read_dns(tr_config *cfg, tr_arena *arena, const tr_node *list)
{
	tr_buf path = TR_BUF_INIT(256);

	if (!list || list->type == TR_NODE_NULL)
		return;
	if (list->type != TR_NODE_SEQ)
		return; /* the schema reports it */
	cfg->dns = tr_arena_alloc(arena, list->count * sizeof(*cfg->dns));
	for (size_t i = 0; i < list->count; i++) {
		const tr_node *item = list->u.items[i];
		tr_config_dns *d = &cfg->dns[cfg->dns_count];

		tr_buf_clear(&path);
		if (tr_buf_printf(&path, "dns[%zu]", i) < 0)
			break;
		if (item->type != TR_NODE_MAP)
			continue;
		d->node = item;
		d->zone_id = string_field(item, "zoneId");
		d->domain = string_field(item, "domain");
		if (d->zone_id && d->domain)
			cfg->dns_count++;
	}
	tr_buf_dispose(&path);
}

static void read_verify(tr_config_verify *out, tr_arena *arena,
			const tr_node *map)
{
	const tr_node *mode;
	const char *text;

	if (!map || map->type != TR_NODE_MAP)
		return; /* the schema reports it */
	out->present = true;
	out->node = map;
	mode = tr_node_get(map, "mode");
	if (mode && mode->type == TR_NODE_MAP)
		out->since = string_field(mode, "all-since");
	if ((text = string_field(map, "keys")) != NULL)
		out->keys = clean_path(arena, text);
	if ((text = string_field(map, "allowedSigners")) != NULL)
		out->allowed_signers = clean_path(arena, text);
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
	cfg->region = string_field(root, "region");
	cfg->owner = string_field(root, "owner");
	v = tr_node_get(root, "prune");
	if (v && v->type == TR_NODE_BOOL)
		cfg->prune = v->as.boolean;
	v = tr_node_get(root, "maxDeletes");
	if (v && v->type == TR_NODE_INT)
		cfg->max_deletes = v->as.integer;
	read_clusters(&r, cfg, arena, tr_node_get(root, "clusters"));
	read_dns(cfg, arena, tr_node_get(root, "dns"));
	read_verify(&cfg->verify, arena, tr_node_get(root, "verify"));
	/* Problems inside are reported; the rest of the config is usable. */
	return 0;
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

/* Does `name` equal `domain` or end with "." + domain? Both compared
 * without a trailing dot and ignoring case. */
static bool in_domain(const char *name, const char *domain)
{
	size_t n = strlen(name), d = strlen(domain);

	if (n && name[n - 1] == '.')
		n--;
	if (d && domain[d - 1] == '.')
		d--;
	if (d == 0 || n < d || strncasecmp(name + n - d, domain, d) != 0)
		return false;
	return n == d || name[n - d - 1] == '.';
}

const tr_config_dns *tr_config_dns_for(const tr_config *cfg, const char *name)
{
	const tr_config_dns *best = NULL;

	for (size_t i = 0; name && i < cfg->dns_count; i++) {
		const tr_config_dns *d = &cfg->dns[i];
		if (in_domain(name, d->domain) &&
		    (!best || strlen(d->domain) > strlen(best->domain)))
			best = d;
	}
	return best;
}
