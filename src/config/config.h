/*
 * trellis.yaml (DESIGN.md §3): the region, the owner tag, the clusters and
 * where their manifests live, DNS zones and deletion safety. Without a
 * config file the whole folder is one cluster named "default" with no VPC.
 */
#ifndef TR_CONFIG_CONFIG_H
#define TR_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag/diag.h"
#include "manifest/manifest.h"

#define TR_CONFIG_FILE_NAME "trellis.yaml"
#define TR_CONFIG_DEFAULT_MAX_DELETES 10

typedef struct tr_config_cluster {
	const char *name;
	const char *path;        /* relative to the config's folder; "" = all */
	const char *vpc_id;      /* NULL without a config file */
	const char *oidc_issuer;
	bool in_cluster;
	const char *kubeconfig;
	const char *context;
	const tr_node *node;     /* for diagnostics; NULL for "default" */
} tr_config_cluster;

typedef struct tr_config_dns {
	const char *zone_id;
	const char *domain;
	const tr_node *node;
} tr_config_dns;

/* verify: (docs/signing.md) may only narrow the operator's trust root. */
typedef struct tr_config_verify {
	bool present;
	const char *since;           /* mode all-since: REF; NULL = head */
	const char *keys;            /* relative to the config's folder */
	const char *allowed_signers; /* relative to the config's folder */
	const tr_node *node;
} tr_config_verify;

typedef struct tr_config {
	bool present;            /* a config file was read */
	const char *file;        /* its display path */
	const char *region;
	const char *owner;
	tr_config_cluster *clusters;
	size_t cluster_count;
	tr_config_dns *dns;
	size_t dns_count;
	bool prune;
	int64_t max_deletes;
	tr_config_verify verify;
	const tr_node *root;
} tr_config;

/* The config of a folder without trellis.yaml: one cluster "default". */
void tr_config_init_default(tr_config *cfg, tr_arena *arena);

/*
 * Reads the config from its parsed YAML. Strings stay in the manifest set's
 * arena; arrays are allocated there too, so there is nothing to dispose.
 * Problems the schema cannot see (nested cluster paths) go to diag; the
 * schema check is validation's. TR_EINVALID only when the root is not an
 * object, so nothing can be read.
 */
int tr_config_parse(tr_config *cfg, tr_arena *arena, const char *file,
		    const tr_node *root, tr_diag *diag);

/* The configured zone for a DNS name: the longest `domain` that is the
 * name itself or a parent of it (case-insensitive, a trailing dot ignored),
 * as Route 53 picks among nested zones. NULL when none matches. */
const tr_config_dns *tr_config_dns_for(const tr_config *cfg, const char *name);

/* Index of the cluster whose path holds `rel_path` (longest match), or -1. */
int tr_config_cluster_for(const tr_config *cfg, const char *rel_path);

#endif
