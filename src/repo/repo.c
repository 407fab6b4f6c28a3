#include "repo/repo.h"

#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/str.h"

/* The path of `file` relative to base, or NULL when it is outside. */
static const char *relative_to(const char *file, const char *base)
{
	size_t n = strlen(base);

	if (n == 0)
		return file;
	if (strncmp(file, base, n) == 0 && file[n] == '/')
		return file + n + 1;
	return NULL;
}

static int load_config(tr_repo *repo, const tr_source_tree *tree,
		       const tr_repo_options *opts, const char *base,
		       tr_diag *diag)
{
	tr_buf name = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	const char *file = NULL, *data = NULL;
	size_t len = 0;
	const tr_node *root = NULL;
	int error = 0;

	if (opts->config_data) {
		file = opts->config_file ? opts->config_file : "config";
		data = opts->config_data;
		len = opts->config_len;
	} else {
		if ((error = tr_buf_printf(&name, "%s%s%s", base,
					   *base ? "/" : "",
					   TR_CONFIG_FILE_NAME)) < 0)
			goto done;
		for (size_t i = 0; i < tree->count; i++) {
			if (strcmp(tree->files[i].path, name.ptr) == 0) {
				file = tree->files[i].path;
				data = tree->files[i].data;
				len = tree->files[i].len;
				break;
			}
		}
	}
	if (!file) {
		tr_config_init_default(&repo->config, &repo->set.arena);
		goto done;
	}
	file = tr_arena_strdup(&repo->set.arena, file);
	repo->config_text = tr_arena_strndup(&repo->set.arena, data, len);
	repo->config_len = len;
	if ((error = tr_manifest_load_plain(&root, &repo->set, file, data, len,
					    diag)) < 0)
		goto done;
	error = tr_config_parse(&repo->config, &repo->set.arena, file, root,
				diag);
done:
	tr_buf_dispose(&name);
	return error;
}

/* A cluster folder without manifests is almost always a typo in the config,
 * and planning it would delete what the cluster had. */
static void check_cluster_paths(const tr_repo *repo, const bool *seen,
				tr_diag *diag)
{
	const tr_config *cfg = &repo->config;

	if (!cfg->present)
		return;
	for (size_t i = 0; i < cfg->cluster_count; i++) {
		const tr_config_cluster *c = &cfg->clusters[i];
		const tr_node *at = tr_node_get(c->node, "path");

		if (seen[i])
			continue;
		tr_diag_add(diag, TR_SEV_ERROR, "config.cluster-path",
			    cfg->file, at ? at->line : 1, at ? at->col : 1,
			    NULL,
			    "clusters[%zu].path: \"%s\" holds no manifest files "
			    "(*.yaml, *.yml, *.json): the folder is missing or "
			    "empty",
			    i, c->path);
	}
}

int tr_repo_load(tr_repo *repo, const tr_source_tree *tree,
		 const tr_repo_options *opts, tr_diag *diag)
{
	const char *base;
	bool *seen = NULL;
	size_t cap = 0;
	int error;

	memset(repo, 0, sizeof(*repo));
	tr_manifest_set_init(&repo->set);
	memcpy(repo->commit, tree->commit, sizeof(repo->commit));
	base = opts->base ? opts->base : "";
	while (*base == '/')
		base++;
	if ((error = load_config(repo, tree, opts, base, diag)) < 0)
		return error;
	if (opts->config_only)
		return 0;
	seen = tr_calloc(repo->config.cluster_count, sizeof(*seen));
	for (size_t i = 0; i < tree->count; i++) {
		const tr_source_file *f = &tree->files[i];
		const char *rel = relative_to(f->path, base);
		size_t before = repo->set.count;
		int cluster;

		if (!rel)
			continue;
		if (strcmp(rel, TR_CONFIG_FILE_NAME) == 0 &&
		    !opts->config_data)
			continue;
		cluster = tr_config_cluster_for(&repo->config, rel);
		if (cluster < 0) {
			tr_diag_add(diag, TR_SEV_NOTE, "repo.outside-clusters",
				    f->path, 0, 0, NULL,
				    "not under any cluster path of %s; not read",
				    repo->config.file);
			continue;
		}
		seen[cluster] = true;
		repo->files_read++;
		(void)tr_manifest_load(&repo->set, f->path, f->data, f->len,
				       diag);
		repo->doc_cluster = tr_grow(repo->doc_cluster, &cap,
					    repo->set.count ? repo->set.count : 1,
					    sizeof(*repo->doc_cluster));
		for (size_t d = before; d < repo->set.count; d++)
			repo->doc_cluster[d] = cluster;
	}
	check_cluster_paths(repo, seen, diag);
	tr_free(seen);
	return 0;
}

void tr_repo_dispose(tr_repo *repo)
{
	tr_manifest_set_dispose(&repo->set);
	tr_free(repo->doc_cluster);
	repo->doc_cluster = NULL;
}
