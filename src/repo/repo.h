/*
 * A loaded manifest repository: the config file and every manifest document
 * of a source tree, each document assigned to its cluster. This is what the
 * validation and model stages read; nothing below it sees files or YAML
 * text again.
 */
#ifndef TR_REPO_REPO_H
#define TR_REPO_REPO_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "diag/diag.h"
#include "manifest/manifest.h"
#include "source/source.h"

typedef struct tr_repo {
	tr_manifest_set set;    /* owns every node and string below */
	tr_config config;
	int *doc_cluster;       /* cluster index of set.docs[i] */
	size_t files_read;
	char commit[41];        /* "" when not from git */
	const char *config_text; /* the config file's bytes (saved plans
				  * carry them); NULL without one */
	size_t config_len;
} tr_repo;

typedef struct tr_repo_options {
	const char *base;            /* --path: folder of trellis.yaml; NULL = root */
	const char *config_file;     /* --config: display name of an outside file */
	const char *config_data;     /* its bytes (NULL: look in the tree) */
	size_t config_len;
	bool config_only;            /* read the config, no manifests */
} tr_repo_options;

/*
 * Loads the config (from the options or <base>/trellis.yaml in the tree) and
 * every manifest under the clusters' paths. All problems go to diag; the
 * return is negative only when nothing sensible could be loaded (the config
 * itself is broken). Dispose with tr_repo_dispose even on failure.
 */
int tr_repo_load(tr_repo *repo, const tr_source_tree *tree,
		 const tr_repo_options *opts, tr_diag *diag);
void tr_repo_dispose(tr_repo *repo);

#endif
