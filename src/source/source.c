/* Interim local-folder reader; replaced by the libgit2-backed module. */
#include "source/source.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/str.h"

struct tr_source {
	char *root;
	char *path;
};

int tr_source_open(tr_source **out, const tr_source_options *opts,
		   tr_diag *diag)
{
	tr_source *src;
	struct stat st;
	const char *repo = opts->repo ? opts->repo : ".";

	*out = NULL;
	if (stat(repo, &st) != 0 || !S_ISDIR(st.st_mode)) {
		tr_diag_add(diag, TR_SEV_ERROR, "source.unreachable", NULL, 0, 0,
			    NULL, "%s: not a folder", repo);
		return TR_ENOTFOUND;
	}
	src = tr_calloc(1, sizeof(*src));
	src->root = tr_strdup(repo);
	src->path = tr_strdup(opts->path ? opts->path : "");
	*out = src;
	return 0;
}

static int cmp_files(const void *a, const void *b)
{
	return strcmp(((const tr_source_file *)a)->path,
		      ((const tr_source_file *)b)->path);
}

static int walk(tr_source_tree *out, size_t *cap, const char *root,
		const char *rel, tr_diag *diag)
{
	tr_buf full = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	DIR *dir;
	struct dirent *de;
	int error = 0;

	if ((error = tr_buf_printf(&full, "%s/%s", root, rel)) < 0)
		return error;
	dir = opendir(full.ptr);
	if (!dir) {
		tr_buf_dispose(&full);
		return 0;
	}
	while ((de = readdir(dir)) != NULL && !error) {
		tr_buf child = TR_BUF_INIT(TR_MAX_PATH_BYTES);
		tr_buf fpath = TR_BUF_INIT(TR_MAX_PATH_BYTES);
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		error = tr_buf_printf(&child, "%s%s%s", rel, *rel ? "/" : "",
				      de->d_name);
		if (!error)
			error = tr_buf_printf(&fpath, "%s/%s", root, child.ptr);
		if (!error && stat(fpath.ptr, &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				error = walk(out, cap, root, child.ptr, diag);
			} else if (tr_str_has_suffix(de->d_name, ".yaml") ||
				   tr_str_has_suffix(de->d_name, ".yml") ||
				   tr_str_has_suffix(de->d_name, ".json")) {
				FILE *fp = fopen(fpath.ptr, "rb");
				tr_source_file *f;
				if (fp) {
					out->files = tr_grow(out->files, cap,
							     out->count + 1,
							     sizeof(*out->files));
					f = &out->files[out->count++];
					f->path = tr_strdup(child.ptr);
					f->len = (size_t)st.st_size;
					f->data = tr_malloc(f->len + 1);
					f->len = fread(f->data, 1, f->len, fp);
					f->data[f->len] = '\0';
					fclose(fp);
				}
			}
		}
		tr_buf_dispose(&child);
		tr_buf_dispose(&fpath);
	}
	closedir(dir);
	tr_buf_dispose(&full);
	return error;
}

int tr_source_read(tr_source_tree *out, tr_source *src, const char *ref,
		   tr_diag *diag)
{
	size_t cap = 0;
	int error;

	(void)ref;
	memset(out, 0, sizeof(*out));
	error = walk(out, &cap, src->root, src->path, diag);
	if (out->count > 1)
		qsort(out->files, out->count, sizeof(*out->files), cmp_files);
	return error;
}

const char *tr_source_display(const tr_source *src)
{
	return src->root;
}

void tr_source_tree_dispose(tr_source_tree *tree)
{
	for (size_t i = 0; i < tree->count; i++) {
		tr_free(tree->files[i].path);
		tr_free(tree->files[i].data);
	}
	tr_free(tree->files);
	memset(tree, 0, sizeof(*tree));
}

void tr_source_free(tr_source *src)
{
	if (!src)
		return;
	tr_free(src->root);
	tr_free(src->path);
	tr_free(src);
}
