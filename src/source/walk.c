/*
 * The two tree walks: a folder on disk and a commit's tree in the object
 * database. They share one set of rules, so both live here:
 *
 *   - names starting with '.' (files and folders) are skipped: CI configs
 *     like .gitlab-ci.yml are not manifests, and .git must never be read;
 *   - a symbolic link is resolved inside the tree: leaving it is an error
 *     on the link, a link back into a folder being walked is a loop;
 *   - every cap is checked before memory is spent.
 *
 * Each walk tracks two paths per folder: `shown` (how the user reaches it,
 * links included: what diagnostics and results name) and `real` (where it
 * actually is, which is what links resolve against and loops compare).
 */
#include "source/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/limits.h"
#include "util/str.h"

/* One folder on the way down from the start, for loop detection. */
typedef struct frame {
	const char *real;
	const struct frame *up;
} frame;

void tr_source__limits_resolve(tr_source_limits *out,
			       const tr_source_limits *in)
{
	out->max_file_bytes = in && in->max_file_bytes ? in->max_file_bytes
						       : TR_MAX_FILE_BYTES;
	out->max_tree_bytes = in && in->max_tree_bytes ? in->max_tree_bytes
						       : TR_MAX_TREE_BYTES;
	out->max_tree_files = in && in->max_tree_files ? in->max_tree_files
						       : TR_MAX_TREE_FILES;
	out->max_tree_depth = in && in->max_tree_depth ? in->max_tree_depth
						       : TR_MAX_TREE_DEPTH;
}

int tr_source__is_manifest_name(const char *name)
{
	return tr_str_has_suffix(name, ".yaml") ||
	       tr_str_has_suffix(name, ".yml") ||
	       tr_str_has_suffix(name, ".json");
}

int tr_source__clean_path(tr_buf *out, const char *path)
{
	const char *p = path ? path : "";
	int error;

	tr_buf_clear(out);
	if (*p == '/')
		return TR_EINVALID;
	while (*p) {
		size_t n = strcspn(p, "/");

		/* "..", and hidden folders, which are never read. */
		if (n > 1 && p[0] == '.')
			return TR_EINVALID;
		if (n > 0 && !(n == 1 && p[0] == '.')) {
			if (out->len && (error = tr_buf_putc(out, '/')) < 0)
				return error;
			if ((error = tr_buf_put(out, p, n)) < 0)
				return error;
		}
		p += n;
		while (*p == '/')
			p++;
	}
	return 0;
}

/* Joins dir and name with '/' ("" + name = name); TR_ETOOLARGE past the
 * path cap. */
static int join(tr_buf *out, const char *dir, const char *name)
{
	tr_buf_clear(out);
	if (*dir && (tr_buf_puts(out, dir) < 0 || tr_buf_putc(out, '/') < 0))
		return TR_ETOOLARGE;
	return tr_buf_puts(out, name);
}

/* True when `dir` is `path` or one of its ancestors ("" is the root). */
static int is_ancestor_or_self(const char *dir, const char *path)
{
	size_t n = strlen(dir);

	if (n == 0)
		return 1;
	return strncmp(dir, path, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static int on_stack(const frame *f, const char *real)
{
	for (; f; f = f->up)
		if (is_ancestor_or_self(real, f->real))
			return 1;
	return 0;
}

static int path_too_long(tr_source__collect *c, const char *dir,
			 const char *name)
{
	tr_diag_add(c->diag, TR_SEV_ERROR, "source.path-too-long",
		    *dir ? dir : NULL, 0, 0, NULL,
		    "path of '%.64s...' is longer than the cap of %u bytes",
		    name, TR_MAX_PATH_BYTES);
	return TR_ETOOLARGE;
}

static int too_deep(tr_source__collect *c, const char *shown)
{
	tr_diag_add(c->diag, TR_SEV_ERROR, "source.tree-too-deep", shown, 0,
		    0, NULL, "folders nest deeper than the cap of %zu levels",
		    c->lim.max_tree_depth);
	return TR_ETOOLARGE;
}

/* Checks the per-file cap; 1 when the file must be skipped. */
static int file_over_cap(tr_source__collect *c, const char *shown,
			 size_t size)
{
	if (size <= c->lim.max_file_bytes)
		return 0;
	tr_diag_add(c->diag, TR_SEV_ERROR, "source.file-too-large", shown, 0,
		    0, NULL,
		    "file is %zu bytes, over the cap of %zu bytes; skipped",
		    size, c->lim.max_file_bytes);
	return 1;
}

/* Takes ownership of data (len bytes plus a NUL). */
static int add_file(tr_source__collect *c, const char *shown, char *data,
		    size_t len)
{
	tr_source_file *f;

	if (c->count >= c->lim.max_tree_files) {
		tr_diag_add(c->diag, TR_SEV_ERROR, "source.tree-too-large",
			    NULL, 0, 0, NULL,
			    "more than %zu manifest files (at '%s')",
			    c->lim.max_tree_files, shown);
		tr_free(data);
		return TR_ETOOLARGE;
	}
	if (len > c->lim.max_tree_bytes - c->bytes) {
		tr_diag_add(c->diag, TR_SEV_ERROR, "source.tree-too-large",
			    NULL, 0, 0, NULL,
			    "manifest files total more than %zu bytes (at '%s')",
			    c->lim.max_tree_bytes, shown);
		tr_free(data);
		return TR_ETOOLARGE;
	}
	c->files = tr_grow(c->files, &c->cap, c->count + 1, sizeof(*c->files));
	f = &c->files[c->count++];
	f->path = tr_strdup(shown);
	f->data = data;
	f->len = len;
	c->bytes += len;
	return 0;
}

static int compare_files(const void *a, const void *b)
{
	return strcmp(((const tr_source_file *)a)->path,
		      ((const tr_source_file *)b)->path);
}

void tr_source__collect_finish(tr_source__collect *c, tr_source_tree *out)
{
	if (c->count > 1)
		qsort(c->files, c->count, sizeof(*c->files), compare_files);
	out->files = c->files;
	out->count = c->count;
	out->bytes = c->bytes;
	c->files = NULL;
	c->count = c->cap = c->bytes = 0;
}

void tr_source__collect_dispose(tr_source__collect *c)
{
	for (size_t i = 0; i < c->count; i++) {
		tr_free(c->files[i].path);
		tr_free(c->files[i].data);
	}
	tr_free(c->files);
	c->files = NULL;
	c->count = c->cap = c->bytes = 0;
}

static void symlink_escape(tr_source__collect *c, const char *shown,
			   const char *target)
{
	tr_diag_add(c->diag, TR_SEV_ERROR, "source.symlink-escape", shown, 0,
		    0, NULL,
		    "symbolic link to '%s' leaves the repository; refused",
		    target);
}

/* Links into hidden folders are refused like links out of the tree: a
 * pull request could otherwise point "x.yaml" at .git/config, whose
 * credentials (CI checkouts keep tokens there) would then be quoted in
 * diagnostics. */
static int has_hidden_component(const char *rel)
{
	const char *p = rel;

	while (*p) {
		if (*p == '.')
			return 1;
		p += strcspn(p, "/");
		while (*p == '/')
			p++;
	}
	return 0;
}

static void symlink_hidden(tr_source__collect *c, const char *shown,
			   const char *target)
{
	tr_diag_add(c->diag, TR_SEV_ERROR, "source.symlink-escape", shown, 0,
		    0, NULL,
		    "symbolic link to '%s' points into a hidden folder; "
		    "refused", target);
}

static void symlink_loop(tr_source__collect *c, const char *shown,
			 const char *target)
{
	tr_diag_add(c->diag, TR_SEV_WARNING, "source.symlink-loop", shown, 0,
		    0, NULL,
		    "symbolic link to '%s' leads back into a folder being read; "
		    "not followed", target);
}

static void symlink_broken(tr_source__collect *c, const char *shown,
			   const char *target)
{
	tr_diag_add(c->diag, TR_SEV_WARNING, "source.symlink-broken", shown, 0,
		    0, NULL, "symbolic link to '%s' has no target; skipped",
		    target);
}

/*
 * Resolves a link target lexically against the folder `dir` (relative to
 * the base tree). Fails (-1) when it is absolute or climbs above the base.
 */
static int resolve_lexically(tr_buf *out, const char *dir, const char *target)
{
	tr_buf joined = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	const char *p;
	int error = -1;

	tr_buf_clear(out);
	if (target[0] == '/' || join(&joined, dir, target) < 0)
		goto done;
	p = tr_buf_cstr(&joined);
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *slash;

			if (out->len == 0)
				goto done; /* above the base */
			slash = strrchr(out->ptr, '/');
			tr_buf_truncate(out, slash ? (size_t)(slash - out->ptr)
						   : 0);
		} else if (n > 0 && !(n == 1 && p[0] == '.')) {
			if ((out->len && tr_buf_putc(out, '/') < 0) ||
			    tr_buf_put(out, p, n) < 0)
				goto done;
		}
		p += n;
		while (*p == '/')
			p++;
	}
	error = 0;
done:
	tr_buf_dispose(&joined);
	return error;
}

/* ------------------------------------------------------------------ */
/* Disk                                                               */
/* ------------------------------------------------------------------ */

typedef struct disk_walk {
	tr_source__collect *c;
	const char *root;
	size_t root_len;
} disk_walk;

static int disk_read_file(disk_walk *w, const char *abs, const char *shown)
{
	struct stat st;
	char *data = NULL;
	size_t len = 0;
	int fd = -1, error = 0;

	fd = open(abs, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		tr_diag_add(w->c->diag, TR_SEV_ERROR, "source.io", shown, 0, 0,
			    NULL, "cannot read: %s", strerror(errno));
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		tr_diag_add(w->c->diag, TR_SEV_WARNING, "source.special-file",
			    shown, 0, 0, NULL,
			    "not a regular file; skipped");
		goto done;
	}
	if (file_over_cap(w->c, shown, (size_t)st.st_size))
		goto done;
	/* One byte more than the cap catches a file that grew since fstat. */
	data = tr_malloc((size_t)st.st_size + 2);
	for (;;) {
		ssize_t n = read(fd, data + len, (size_t)st.st_size + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			tr_diag_add(w->c->diag, TR_SEV_ERROR, "source.io", shown,
				    0, 0, NULL, "cannot read: %s",
				    strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > (size_t)st.st_size) {
			tr_diag_add(w->c->diag, TR_SEV_ERROR, "source.io", shown,
				    0, 0, NULL,
				    "file changed while being read; skipped");
			goto done;
		}
	}
	data[len] = '\0';
	error = add_file(w->c, shown, data, len);
	data = NULL;
done:
	tr_free(data);
	if (fd >= 0)
		close(fd);
	return error;
}

static int disk_walk_dir(disk_walk *w, const char *real, const char *shown,
			 size_t depth, const frame *up);

/* Resolves a link; fills real_out (relative to root) and st. 1 = skip. */
static int disk_resolve_link(disk_walk *w, const char *abs, const char *dir,
			     const char *shown, tr_buf *real_out,
			     struct stat *st)
{
	char target[TR_MAX_PATH_BYTES];
	char *resolved = NULL;
	ssize_t n;
	int skip = 1;

	n = readlink(abs, target, sizeof(target) - 1);
	if (n < 0) {
		tr_diag_add(w->c->diag, TR_SEV_ERROR, "source.io", shown, 0, 0,
			    NULL, "cannot read link: %s", strerror(errno));
		return 1;
	}
	target[n] = '\0';
	resolved = realpath(abs, NULL);
	if (!resolved) {
		/* A dangling link that points outside is still an escape:
		 * the verdict must not depend on what exists out there. */
		if (resolve_lexically(real_out, dir, target) < 0)
			symlink_escape(w->c, shown, target);
		else
			symlink_broken(w->c, shown, target);
		goto done;
	}
	if (strncmp(resolved, w->root, w->root_len) != 0 ||
	    (resolved[w->root_len] != '\0' && resolved[w->root_len] != '/')) {
		symlink_escape(w->c, shown, target);
		goto done;
	}
	if (stat(resolved, st) < 0) {
		symlink_broken(w->c, shown, target);
		goto done;
	}
	tr_buf_clear(real_out);
	if (resolved[w->root_len] == '/' &&
	    tr_buf_puts(real_out, resolved + w->root_len + 1) < 0)
		goto done;
	if (has_hidden_component(tr_buf_cstr(real_out))) {
		symlink_hidden(w->c, shown, target);
		goto done;
	}
	skip = 0;
done:
	free(resolved); /* realpath allocates with malloc */
	return skip;
}

static int disk_walk_dir(disk_walk *w, const char *real, const char *shown,
			 size_t depth, const frame *up)
{
	tr_buf abs = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	tr_buf child_real = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	tr_buf child_shown = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	frame here = {real, up};
	struct dirent **names = NULL;
	int n = -1, error = 0;

	if (depth > w->c->lim.max_tree_depth)
		return too_deep(w->c, shown);
	if (join(&abs, w->root, real) < 0) {
		error = path_too_long(w->c, shown, real);
		goto done;
	}
	/* scandir sorts, so diagnostics come out in a stable order too. */
	n = scandir(tr_buf_cstr(&abs), &names, NULL, alphasort);
	if (n < 0) {
		tr_diag_add(w->c->diag, TR_SEV_ERROR, "source.io",
			    *shown ? shown : NULL, 0, 0, NULL,
			    "cannot list folder: %s", strerror(errno));
		error = TR_EIO;
		goto done;
	}
	for (int i = 0; i < n && error == 0; i++) {
		const char *name = names[i]->d_name;
		struct stat st;
		int linked = 0;

		if (name[0] == '.')
			continue;
		if (join(&child_shown, shown, name) < 0 ||
		    join(&child_real, real, name) < 0 ||
		    join(&abs, w->root, tr_buf_cstr(&child_real)) < 0) {
			error = path_too_long(w->c, shown, name);
			break;
		}
		if (lstat(tr_buf_cstr(&abs), &st) < 0)
			continue; /* vanished since scandir */
		if (S_ISLNK(st.st_mode)) {
			if (disk_resolve_link(w, tr_buf_cstr(&abs), real,
					      tr_buf_cstr(&child_shown),
					      &child_real, &st))
				continue;
			linked = 1;
		}
		if (S_ISDIR(st.st_mode)) {
			if (linked && on_stack(&here, tr_buf_cstr(&child_real))) {
				symlink_loop(w->c, tr_buf_cstr(&child_shown),
					     tr_buf_cstr(&child_real));
				continue;
			}
			error = disk_walk_dir(w, tr_buf_cstr(&child_real),
					      tr_buf_cstr(&child_shown),
					      depth + 1, &here);
		} else if (tr_source__is_manifest_name(name)) {
			if (join(&abs, w->root, tr_buf_cstr(&child_real)) < 0) {
				error = path_too_long(w->c, shown, name);
				break;
			}
			error = disk_read_file(w, tr_buf_cstr(&abs),
					       tr_buf_cstr(&child_shown));
		}
	}
done:
	for (int i = 0; i < n; i++)
		free(names[i]); /* scandir allocates with malloc */
	free(names);
	tr_buf_dispose(&abs);
	tr_buf_dispose(&child_real);
	tr_buf_dispose(&child_shown);
	return error;
}

int tr_source__walk_disk(tr_source__collect *c, const char *root,
			 const char *start)
{
	disk_walk w = {c, root, strlen(root)};
	tr_buf abs = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	tr_buf real = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	struct stat st;
	int error = 0;

	if (w.root_len > 1 && root[w.root_len - 1] == '/')
		w.root_len--;
	if (join(&abs, root, start) < 0) {
		error = path_too_long(c, "", start);
		goto done;
	}
	if (*start && lstat(tr_buf_cstr(&abs), &st) == 0 &&
	    S_ISLNK(st.st_mode)) {
		/* The selected path may itself be a link inside the tree. */
		const char *slash = strrchr(start, '/');
		tr_buf dir = TR_BUF_INIT(TR_MAX_PATH_BYTES);
		int skip;

		if (tr_buf_put(&dir, start,
			       slash ? (size_t)(slash - start) : 0) < 0) {
			tr_buf_dispose(&dir);
			error = path_too_long(c, "", start);
			goto done;
		}
		skip = disk_resolve_link(&w, tr_buf_cstr(&abs),
					 tr_buf_cstr(&dir), start, &real, &st);
		tr_buf_dispose(&dir);
		if (skip) {
			error = TR_EINVALID;
			goto done;
		}
	} else if (tr_buf_puts(&real, start) < 0 ||
		   stat(tr_buf_cstr(&abs), &st) < 0) {
		st.st_mode = 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		error = TR_ENOTFOUND;
		goto done;
	}
	error = disk_walk_dir(&w, tr_buf_cstr(&real), start, 0, NULL);
done:
	tr_buf_dispose(&abs);
	tr_buf_dispose(&real);
	return error;
}

/* ------------------------------------------------------------------ */
/* Git tree                                                           */
/* ------------------------------------------------------------------ */

typedef struct tree_walk {
	tr_source__collect *c;
	git_repository *repo;
	git_tree *base;
} tree_walk;

static int read_link_blob(tree_walk *w, const git_oid *id, tr_buf *out)
{
	git_blob *blob = NULL;
	int error = -1;

	tr_buf_clear(out);
	if (git_blob_lookup(&blob, w->repo, id) < 0)
		return -1;
	if (git_blob_rawsize(blob) < TR_MAX_PATH_BYTES &&
	    tr_buf_put(out, git_blob_rawcontent(blob),
		       (size_t)git_blob_rawsize(blob)) == 0)
		error = 0;
	git_blob_free(blob);
	return error;
}

enum { LINK_OK = 0, LINK_SKIP = 1 };

/*
 * Follows the link entry `entry` found in folder `dir` (real path) until
 * it names something that is not a link. On LINK_OK, *out holds an owned
 * entry for the target (NULL when the target is the base tree itself) and
 * `real` its path.
 */
static int tree_resolve_link(tree_walk *w, const char *dir,
			     const git_tree_entry *entry, const char *shown,
			     git_tree_entry **out, tr_buf *real)
{
	tr_buf target = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	tr_buf first = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	tr_buf cur_dir = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	git_tree_entry *cur = NULL;
	const git_oid *id = git_tree_entry_id(entry);
	int result = LINK_SKIP;

	*out = NULL;
	if (tr_buf_puts(&cur_dir, dir) < 0)
		goto done;
	for (unsigned hop = 0;; hop++) {
		if (hop >= TR_MAX_SYMLINK_HOPS) {
			symlink_loop(w->c, shown, tr_buf_cstr(&first));
			goto done;
		}
		if (read_link_blob(w, id, &target) < 0) {
			tr_diag_add(w->c->diag, TR_SEV_ERROR, "source.io", shown,
				    0, 0, NULL, "cannot read link target");
			goto done;
		}
		if (hop == 0 && tr_buf_puts(&first, tr_buf_cstr(&target)) < 0)
			goto done;
		if (resolve_lexically(real, tr_buf_cstr(&cur_dir),
				      tr_buf_cstr(&target)) < 0) {
			symlink_escape(w->c, shown, tr_buf_cstr(&first));
			goto done;
		}
		if (has_hidden_component(tr_buf_cstr(real))) {
			symlink_hidden(w->c, shown, tr_buf_cstr(&first));
			goto done;
		}
		git_tree_entry_free(cur);
		cur = NULL;
		if (real->len == 0) {
			result = LINK_OK; /* the base tree itself */
			goto done;
		}
		if (git_tree_entry_bypath(&cur, w->base, tr_buf_cstr(real)) < 0) {
			symlink_broken(w->c, shown, tr_buf_cstr(&first));
			goto done;
		}
		if (git_tree_entry_filemode(cur) != GIT_FILEMODE_LINK)
			break;
		/* A link to a link: the next target is relative to where
		 * this one lives. */
		{
			const char *slash = strrchr(tr_buf_cstr(real), '/');
			size_t n = slash ? (size_t)(slash - real->ptr) : 0;

			tr_buf_clear(&cur_dir);
			if (tr_buf_put(&cur_dir, real->ptr, n) < 0)
				goto done;
		}
		id = git_tree_entry_id(cur);
	}
	*out = cur;
	cur = NULL;
	result = LINK_OK;
done:
	git_tree_entry_free(cur);
	tr_buf_dispose(&target);
	tr_buf_dispose(&first);
	tr_buf_dispose(&cur_dir);
	return result;
}

static int tree_read_blob(tree_walk *w, const git_oid *id, const char *shown)
{
	git_blob *blob = NULL;
	char *data;
	size_t len;
	int error = 0;

	if (git_blob_lookup(&blob, w->repo, id) < 0) {
		tr_diag_add(w->c->diag, TR_SEV_ERROR, "source.io", shown, 0, 0,
			    NULL, "cannot read blob from the repository");
		return 0;
	}
	len = (size_t)git_blob_rawsize(blob);
	if (!file_over_cap(w->c, shown, len)) {
		data = tr_malloc(len + 1);
		memcpy(data, git_blob_rawcontent(blob), len);
		data[len] = '\0';
		error = add_file(w->c, shown, data, len);
	}
	git_blob_free(blob);
	return error;
}

static int tree_walk_dir(tree_walk *w, const git_tree *tree, const char *real,
			 const char *shown, size_t depth, const frame *up)
{
	tr_buf child_real = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	tr_buf child_shown = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	frame here = {real, up};
	size_t count = git_tree_entrycount(tree);
	int error = 0;

	if (depth > w->c->lim.max_tree_depth)
		return too_deep(w->c, shown);
	for (size_t i = 0; i < count && error == 0; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		const char *name = git_tree_entry_name(e);
		git_tree_entry *target = NULL;
		git_filemode_t mode = git_tree_entry_filemode(e);
		const git_oid *id = git_tree_entry_id(e);

		if (name[0] == '.')
			continue;
		if (join(&child_shown, shown, name) < 0 ||
		    join(&child_real, real, name) < 0) {
			error = path_too_long(w->c, shown, name);
			break;
		}
		if (mode == GIT_FILEMODE_LINK) {
			if (tree_resolve_link(w, real, e,
					      tr_buf_cstr(&child_shown),
					      &target, &child_real) != LINK_OK)
				continue;
			mode = target ? git_tree_entry_filemode(target)
				      : GIT_FILEMODE_TREE;
			id = target ? git_tree_entry_id(target)
				    : git_tree_id(w->base);
			if (mode == GIT_FILEMODE_TREE &&
			    on_stack(&here, tr_buf_cstr(&child_real))) {
				symlink_loop(w->c, tr_buf_cstr(&child_shown),
					     tr_buf_cstr(&child_real));
				git_tree_entry_free(target);
				continue;
			}
		}
		if (mode == GIT_FILEMODE_TREE) {
			git_tree *sub = NULL;

			if (git_tree_lookup(&sub, w->repo, id) < 0) {
				tr_diag_add(w->c->diag, TR_SEV_ERROR,
					    "source.io",
					    tr_buf_cstr(&child_shown), 0, 0,
					    NULL, "cannot read folder from "
					    "the repository");
				error = TR_EIO;
			} else {
				error = tree_walk_dir(w, sub,
						      tr_buf_cstr(&child_real),
						      tr_buf_cstr(&child_shown),
						      depth + 1, &here);
			}
			git_tree_free(sub);
		} else if (mode == GIT_FILEMODE_COMMIT) {
			tr_diag_add(w->c->diag, TR_SEV_WARNING,
				    "source.submodule",
				    tr_buf_cstr(&child_shown), 0, 0, NULL,
				    "submodules are not read; skipped");
		} else if ((mode == GIT_FILEMODE_BLOB ||
			    mode == GIT_FILEMODE_BLOB_EXECUTABLE) &&
			   tr_source__is_manifest_name(name)) {
			error = tree_read_blob(w, id, tr_buf_cstr(&child_shown));
		}
		git_tree_entry_free(target);
	}
	tr_buf_dispose(&child_real);
	tr_buf_dispose(&child_shown);
	return error;
}

int tr_source__walk_tree(tr_source__collect *c, git_repository *repo,
			 git_tree *base, const char *start)
{
	tree_walk w = {c, repo, base};
	tr_buf real = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	git_tree_entry *entry = NULL;
	git_tree_entry *target = NULL;
	git_tree *tree = NULL;
	const git_oid *id;
	int error = 0;

	if (!*start) {
		error = tree_walk_dir(&w, base, "", "", 0, NULL);
		goto done;
	}
	if (git_tree_entry_bypath(&entry, base, start) < 0) {
		error = TR_ENOTFOUND;
		goto done;
	}
	id = git_tree_entry_id(entry);
	if (tr_buf_puts(&real, start) < 0) {
		error = path_too_long(c, "", start);
		goto done;
	}
	if (git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK) {
		const char *slash = strrchr(start, '/');
		tr_buf dir = TR_BUF_INIT(TR_MAX_PATH_BYTES);

		if (tr_buf_put(&dir, start,
			       slash ? (size_t)(slash - start) : 0) < 0 ||
		    tree_resolve_link(&w, tr_buf_cstr(&dir), entry, start,
				      &target, &real) != LINK_OK) {
			tr_buf_dispose(&dir);
			error = TR_EINVALID;
			goto done;
		}
		tr_buf_dispose(&dir);
		if (target && git_tree_entry_filemode(target) != GIT_FILEMODE_TREE) {
			error = TR_ENOTFOUND;
			goto done;
		}
		id = target ? git_tree_entry_id(target) : git_tree_id(base);
	} else if (git_tree_entry_filemode(entry) != GIT_FILEMODE_TREE) {
		error = TR_ENOTFOUND;
		goto done;
	}
	if (git_tree_lookup(&tree, repo, id) < 0) {
		error = TR_EIO;
		goto done;
	}
	error = tree_walk_dir(&w, tree, tr_buf_cstr(&real), start, 0, NULL);
done:
	git_tree_free(tree);
	git_tree_entry_free(entry);
	git_tree_entry_free(target);
	tr_buf_dispose(&real);
	return error;
}
