/*
 * Opening a source and reading a tree from it. Three shapes:
 *
 *   local folder, no ref   files as they are on disk; HEAD and `dirty`
 *                          reported when the folder is in a work tree
 *   local folder + ref     blobs of that commit's tree, no checkout
 *   remote                 fetched into a bare repository (private temp
 *                          folder or cache), then blobs of the commit's tree
 */
#include "source/source.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source/internal.h"
#include "util/alloc.h"
#include "util/errors.h"
#include "util/fs.h"
#include "util/limits.h"
#include "util/str.h"

struct tr_source {
	tr_source__url url;      /* scheme LOCAL for folders */
	char *ref;               /* ref given at open, or NULL */
	char *path;              /* cleaned subfolder, "" = all */
	char *display;           /* redacted repo or folder for messages */
	char *root;              /* local: realpath of the folder */
	char *prefix;            /* local work tree: folder below workdir */
	char *tmp_dir;           /* private temp folder to remove, or NULL */
	git_repository *repo;    /* NULL for a plain folder */
	tr_source_limits limits;
	tr_redactor redactor;
};

/* ------------------------------------------------------------------ */
/* Folders                                                            */
/* ------------------------------------------------------------------ */

static int mkdir_p(const char *path, mode_t mode)
{
	tr_buf b = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	int error = 0;

	if (tr_buf_puts(&b, path) < 0) {
		error = -1;
		goto done;
	}
	for (size_t i = 1; i <= b.len; i++) {
		if (b.ptr[i] != '/' && b.ptr[i] != '\0')
			continue;
		b.ptr[i] = '\0';
		if (mkdir(b.ptr, mode) < 0 && errno != EEXIST) {
			error = -1;
			goto done;
		}
		if (i < b.len)
			b.ptr[i] = '/';
	}
done:
	tr_buf_dispose(&b);
	return error;
}

/* ------------------------------------------------------------------ */
/* Refs                                                               */
/* ------------------------------------------------------------------ */

static int is_hex(const char *s)
{
	size_t n = strlen(s);

	if (n < 4 || n > GIT_OID_HEXSZ)
		return 0;
	return strspn(s, "0123456789abcdefABCDEF") == n;
}

static int peel_to_commit(git_commit **out, git_repository *repo,
			  const char *spec)
{
	git_object *obj = NULL, *peeled = NULL;
	int error = -1;

	*out = NULL;
	if (git_revparse_single(&obj, repo, spec) < 0)
		goto done;
	if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) < 0)
		goto done;
	*out = (git_commit *)peeled;
	peeled = NULL;
	error = 0;
done:
	git_object_free(obj);
	git_object_free(peeled);
	return error;
}

/*
 * Remote: a branch is refs/remotes/origin/<name> (the fetch keeps those
 * current; local branches would go stale), then a tag, then whatever
 * revparse takes (full ref names, commit ids).
 * Local: revparse's own order (branch, tag, remote-tracking, id).
 */
static int resolve_ref(git_commit **out, tr_source *src, const char *ref)
{
	tr_buf spec = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	int remote = src->url.scheme != TR_SCHEME_LOCAL;
	int error = TR_ENOTFOUND;

	*out = NULL;
	if (!ref) {
		static const char *const defaults[] = {
			"refs/remotes/origin/HEAD", "refs/remotes/origin/main",
			"refs/remotes/origin/master"};

		if (!remote)
			return peel_to_commit(out, src->repo, "HEAD") < 0
				       ? TR_ENOTFOUND
				       : 0;
		for (size_t i = 0; i < 3; i++)
			if (peel_to_commit(out, src->repo, defaults[i]) == 0)
				return 0;
		return TR_ENOTFOUND;
	}
	/* Revision syntax (a..b, ^{}, @{}, :path) is not a ref: refuse it so
	 * a typo cannot select something unexpected. */
	if (strpbrk(ref, ":^~@{}?*[\\ ") || *ref == '-' || !*ref)
		return TR_ENOTFOUND;
	if (remote) {
		static const char *const forms[] = {"refs/remotes/origin/",
						    "refs/tags/"};

		for (size_t i = 0; i < 2; i++) {
			tr_buf_clear(&spec);
			if (tr_buf_puts(&spec, forms[i]) < 0 ||
			    tr_buf_puts(&spec, ref) < 0)
				goto done;
			if (peel_to_commit(out, src->repo, tr_buf_cstr(&spec)) == 0) {
				error = 0;
				goto done;
			}
		}
		if (!tr_str_has_prefix(ref, "refs/") && !is_hex(ref))
			goto done;
	}
	if (peel_to_commit(out, src->repo, ref) == 0)
		error = 0;
done:
	tr_buf_dispose(&spec);
	return error;
}

/* ------------------------------------------------------------------ */
/* Open                                                               */
/* ------------------------------------------------------------------ */

static int open_local(tr_source *src, const tr_source_options *opts,
		      tr_diag *diag)
{
	const char *folder = opts->repo ? opts->repo : ".";
	struct stat st;
	char *workdir_real = NULL;
	tr_buf err = TR_BUF_INIT(TR_MAX_MESSAGE_BYTES);
	int error = 0;

	if (stat(folder, &st) < 0 || !S_ISDIR(st.st_mode)) {
		int missing = stat(folder, &st) < 0;

		tr_source__fail(diag, &src->redactor, "source.repo-not-found",
				"repository folder '%s' %s", src->display,
				missing ? "does not exist" : "is not a folder");
		error = TR_ENOTFOUND;
		goto done;
	}
	src->root = realpath(folder, NULL);
	if (!src->root) {
		tr_source__fail(diag, &src->redactor, "source.repo-not-found",
				"cannot resolve repository folder '%s': %s",
				src->display, strerror(errno));
		error = TR_ENOTFOUND;
		goto done;
	}
	error = git_repository_open_ext(&src->repo, src->root, 0, NULL);
	if (error == GIT_ENOTFOUND) {
		src->prefix = tr_strdup(""); /* a plain folder */
		error = 0;
		goto done;
	}
	if (error < 0) {
		int owner = error == GIT_EOWNER;

		tr_source__git_error(&err, &src->redactor);
		tr_source__fail(diag, &src->redactor, "source.io",
				"cannot open repository at '%s': %s%s",
				src->display, tr_buf_cstr(&err),
				owner ? " (run as its owner, or list it in "
					"safe.directory of the global git "
					"config)"
				      : "");
		error = TR_EIO;
		goto done;
	}
	if (git_repository_is_bare(src->repo)) {
		src->prefix = tr_strdup("");
		goto done;
	}
	workdir_real = realpath(git_repository_workdir(src->repo), NULL);
	if (!workdir_real) {
		error = TR_EIO;
		tr_source__fail(diag, &src->redactor, "source.io",
				"cannot resolve the work tree of '%s'",
				src->display);
		goto done;
	}
	/* The folder may sit below the work tree's top: reads from a commit
	 * then start at that subfolder of the commit's tree. */
	{
		size_t n = strlen(workdir_real);

		if (strncmp(src->root, workdir_real, n) == 0 &&
		    src->root[n] == '/')
			src->prefix = tr_strdup(src->root + n + 1);
		else
			src->prefix = tr_strdup("");
	}
done:
	free(workdir_real); /* realpath allocates with malloc */
	tr_buf_dispose(&err);
	return error;
}

/* <cache_dir>/<sha1 of the redacted URL>.git: the key never holds a secret,
 * and the same URL with another token shares the cache. */
static int cache_path(tr_buf *out, const char *cache_dir, const char *display)
{
	git_oid id;
	char hex[GIT_OID_HEXSZ + 1];

	if (git_odb_hash(&id, display, strlen(display), GIT_OBJECT_BLOB) < 0)
		return TR_ERROR;
	git_oid_tostr(hex, sizeof(hex), &id);
	return tr_buf_printf(out, "%s/%s.git", cache_dir, hex);
}

static int open_remote(tr_source *src, const tr_source_options *opts,
		       tr_diag *diag)
{
	tr_buf dir = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	int reused = 0, error = 0;

	if (opts->cache_dir) {
		if (mkdir_p(opts->cache_dir, 0700) < 0) {
			tr_source__fail(diag, &src->redactor, "source.cache",
					"cannot create cache folder '%s': %s",
					opts->cache_dir, strerror(errno));
			error = TR_EIO;
			goto done;
		}
		if (cache_path(&dir, opts->cache_dir, src->display) < 0) {
			tr_source__fail(diag, &src->redactor, "source.cache",
					"cache folder path '%s' is too long",
					opts->cache_dir);
			error = TR_ETOOLARGE;
			goto done;
		}
	} else {
		const char *base = opts->tmp_dir ? opts->tmp_dir : "/tmp";

		/* mkdtemp creates the folder with mode 0700. */
		if (tr_buf_printf(&dir, "%s/trellis-XXXXXX", base) < 0 ||
		    !mkdtemp(dir.ptr)) {
			tr_source__fail(diag, &src->redactor, "source.cache",
					"cannot create a temporary folder in "
					"'%s': %s", base, strerror(errno));
			error = TR_EIO;
			goto done;
		}
		src->tmp_dir = tr_strdup(tr_buf_cstr(&dir));
		if (tr_buf_puts(&dir, "/repo.git") < 0) {
			tr_source__fail(diag, &src->redactor, "source.cache",
					"temporary folder path '%s' is too long",
					base);
			error = TR_ETOOLARGE;
			goto done;
		}
	}
	error = tr_source__fetch(&src->repo, &reused, tr_buf_cstr(&dir),
				 &src->url, opts, &src->redactor, diag);
	src->prefix = tr_strdup("");
done:
	tr_buf_dispose(&dir);
	return error;
}

int tr_source_open(tr_source **out, const tr_source_options *opts,
		   tr_diag *diag)
{
	tr_source *src = tr_calloc(1, sizeof(*src));
	tr_buf path = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	const char *repo = opts->repo ? opts->repo : ".";
	int error;

	*out = NULL;
	tr_redactor_init(&src->redactor);
	tr_redactor_add(&src->redactor, opts->password);
	tr_redactor_add(&src->redactor, opts->ssh_key_passphrase);
	tr_source__limits_resolve(&src->limits, opts->limits);

	error = tr_source__url_parse(&src->url, repo);
	if (error < 0) {
		tr_buf shown = TR_BUF_INIT(TR_MAX_PATH_BYTES);

		if (tr_redact_url(&shown, repo) < 0)
			tr_buf_clear(&shown);
		tr_source__fail(diag, &src->redactor, "source.unreachable",
				"'%s' is not a supported repository URL "
				"(https://, ssh://, file://, user@host:path "
				"or a folder)", tr_buf_cstr(&shown));
		tr_buf_dispose(&shown);
		error = TR_EINVALID;
		goto done;
	}
	/* "host:path" is scp-like for git too, but an existing folder of that
	 * name is what the user means. */
	if (src->url.scheme == TR_SCHEME_SSH && !strstr(repo, "://")) {
		struct stat st;

		if (stat(repo, &st) == 0 && S_ISDIR(st.st_mode)) {
			tr_source__url_dispose(&src->url);
			src->url.scheme = TR_SCHEME_LOCAL;
		}
	}
	tr_redactor_add(&src->redactor, src->url.password);
	if (opts->proxy) {
		tr_source__url proxy;

		if (tr_source__url_parse(&proxy, opts->proxy) == 0) {
			tr_redactor_add(&src->redactor, proxy.password);
			tr_source__url_dispose(&proxy);
		}
	}
	/* https://TOKEN@host: the lone userinfo is the token. */
	if ((src->url.scheme == TR_SCHEME_HTTPS ||
	     src->url.scheme == TR_SCHEME_HTTP) && !src->url.password)
		tr_redactor_add(&src->redactor, src->url.user);
	src->display = tr_strdup(src->url.display ? src->url.display : repo);

	if (tr_source__clean_path(&path, opts->path) < 0) {
		tr_source__fail(diag, &src->redactor, "source.path-escape",
				"path '%s' must be relative to the repository "
				"and must not contain '..' or hidden folders",
				opts->path);
		error = TR_EINVALID;
		goto done;
	}
	src->path = tr_buf_detach(&path);
	src->ref = opts->ref ? tr_strdup(opts->ref) : NULL;

	if (src->url.scheme == TR_SCHEME_LOCAL)
		error = open_local(src, opts, diag);
	else
		error = open_remote(src, opts, diag);
	if (error < 0)
		goto done;

	/* A ref that does not exist fails now, not after a long read. */
	if (src->ref) {
		git_commit *commit = NULL;

		if (!src->repo) {
			tr_source__fail(diag, &src->redactor,
					"source.ref-not-found",
					"ref '%s' given but '%s' is not a git "
					"repository", src->ref, src->display);
			error = TR_ENOTFOUND;
			goto done;
		}
		if (resolve_ref(&commit, src, src->ref) < 0) {
			tr_source__fail(diag, &src->redactor,
					"source.ref-not-found",
					"ref '%s' not found in %s (no branch, "
					"tag or commit of that name)",
					src->ref, src->display);
			error = TR_ENOTFOUND;
			goto done;
		}
		git_commit_free(commit);
	}
	*out = src;
	src = NULL;
done:
	tr_buf_dispose(&path);
	tr_source_free(src);
	return error;
}

/* ------------------------------------------------------------------ */
/* Read                                                               */
/* ------------------------------------------------------------------ */

static int path_error(tr_source *src, tr_diag *diag, int error)
{
	if (error == TR_ENOTFOUND)
		tr_source__fail(diag, &src->redactor, "source.path-not-found",
				"path '%s' is not a folder in %s", src->path,
				src->display);
	return error;
}

static int work_tree_state(tr_source_tree *out, tr_source *src)
{
	git_status_options so;
	git_status_list *list = NULL;
	git_oid head;

	git_status_options_init(&so, GIT_STATUS_OPTIONS_VERSION);
	if (git_reference_name_to_id(&head, src->repo, "HEAD") == 0)
		git_oid_tostr(out->commit, sizeof(out->commit), &head);
	so.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	so.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED |
		   GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	if (git_status_list_new(&list, src->repo, &so) < 0)
		return TR_EIO;
	out->dirty = git_status_list_entrycount(list) > 0;
	git_status_list_free(list);
	return 0;
}

static int read_disk(tr_source_tree *out, tr_source *src,
		     tr_source__collect *c, tr_diag *diag)
{
	int error;

	if (src->repo && work_tree_state(out, src) < 0) {
		tr_buf err = TR_BUF_INIT(TR_MAX_MESSAGE_BYTES);

		tr_source__git_error(&err, &src->redactor);
		tr_source__fail(diag, &src->redactor, "source.io",
				"cannot read the status of '%s': %s",
				src->display, tr_buf_cstr(&err));
		tr_buf_dispose(&err);
		return TR_EIO;
	}
	error = tr_source__walk_disk(c, src->root, src->path);
	return path_error(src, diag, error);
}

static int read_commit(tr_source_tree *out, tr_source *src, const char *ref,
		       tr_source__collect *c, tr_diag *diag)
{
	git_commit *commit = NULL;
	git_tree *tree = NULL, *base = NULL;
	git_tree_entry *entry = NULL;
	tr_buf err = TR_BUF_INIT(TR_MAX_MESSAGE_BYTES);
	int error;

	if ((error = resolve_ref(&commit, src, ref)) < 0) {
		if (ref)
			tr_source__fail(diag, &src->redactor,
					"source.ref-not-found",
					"ref '%s' not found in %s (no branch, "
					"tag or commit of that name)",
					ref, src->display);
		else
			tr_source__fail(diag, &src->redactor,
					"source.ref-not-found",
					"%s has no default branch (empty "
					"repository?); give a ref",
					src->display);
		goto done;
	}
	git_oid_tostr(out->commit, sizeof(out->commit), git_commit_id(commit));
	if (git_commit_tree(&tree, commit) < 0) {
		tr_source__git_error(&err, &src->redactor);
		tr_source__fail(diag, &src->redactor, "source.io",
				"cannot read the tree of commit %s: %s",
				out->commit, tr_buf_cstr(&err));
		error = TR_EIO;
		goto done;
	}
	/* A folder below the work tree's top is the root of what we read. */
	if (*src->prefix) {
		if (git_tree_entry_bypath(&entry, tree, src->prefix) < 0 ||
		    git_tree_entry_filemode(entry) != GIT_FILEMODE_TREE ||
		    git_tree_lookup(&base, src->repo,
				    git_tree_entry_id(entry)) < 0) {
			tr_source__fail(diag, &src->redactor,
					"source.path-not-found",
					"folder '%s' does not exist at commit "
					"%s", src->prefix, out->commit);
			error = TR_ENOTFOUND;
			goto done;
		}
	}
	error = tr_source__walk_tree(c, src->repo, base ? base : tree,
				     src->path);
	error = path_error(src, diag, error);
done:
	git_tree_entry_free(entry);
	git_tree_free(base);
	git_tree_free(tree);
	git_commit_free(commit);
	tr_buf_dispose(&err);
	return error;
}

int tr_source_read(tr_source_tree *out, tr_source *src, const char *ref,
		   tr_diag *diag)
{
	tr_source__collect c;
	int error;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.lim = src->limits;
	c.diag = diag;
	if (!ref)
		ref = src->ref;
	if (src->url.scheme == TR_SCHEME_LOCAL && !ref && src->root &&
	    (!src->repo || !git_repository_is_bare(src->repo)))
		error = read_disk(out, src, &c, diag);
	else if (!src->repo) {
		tr_source__fail(diag, &src->redactor, "source.ref-not-found",
				"ref '%s' given but '%s' is not a git "
				"repository", ref, src->display);
		error = TR_ENOTFOUND;
	} else
		error = read_commit(out, src, ref, &c, diag);
	if (error < 0) {
		tr_source__collect_dispose(&c);
		return error;
	}
	tr_source__collect_finish(&c, out);
	return 0;
}

const char *tr_source_display(const tr_source *src)
{
	return src->display;
}

void tr_source_tree_dispose(tr_source_tree *tree)
{
	if (!tree)
		return;
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
	git_repository_free(src->repo);
	if (src->tmp_dir)
		(void)tr_fs_remove_tree(src->tmp_dir);
	tr_source__url_dispose(&src->url);
	tr_redactor_dispose(&src->redactor);
	tr_free(src->tmp_dir);
	tr_free(src->ref);
	tr_free(src->path);
	tr_free(src->display);
	free(src->root); /* realpath allocates with malloc */
	tr_free(src->prefix);
	tr_free(src);
}

void tr_source_tree_drop_data(tr_source_tree *tree)
{
	for (size_t i = 0; i < tree->count; i++) {
		tr_free(tree->files[i].data);
		tree->files[i].data = NULL;
		tree->files[i].len = 0;
	}
}

/* ------------------------------------------------------------------ */
/* Commits and signatures                                             */
/* ------------------------------------------------------------------ */

int tr_source_resolve(char out[41], tr_source *src, const char *ref,
		      tr_diag *diag)
{
	git_commit *commit = NULL;

	out[0] = '\0';
	if (!ref)
		ref = src->ref;
	if (!src->repo) {
		tr_source__fail(diag, &src->redactor, "source.not-a-commit",
				"'%s' is not a git repository: there is no "
				"commit whose signature could be checked",
				src->display);
		return TR_ENOTFOUND;
	}
	if (resolve_ref(&commit, src, ref) < 0) {
		tr_source__fail(diag, &src->redactor, "source.ref-not-found",
				"ref '%s' not found in %s (no branch, tag or "
				"commit of that name)",
				ref ? ref : "HEAD", src->display);
		return TR_ENOTFOUND;
	}
	git_oid_tostr(out, 41, git_commit_id(commit));
	git_commit_free(commit);
	return 0;
}

int tr_source_signature(tr_buf *sig, tr_buf *payload, tr_source *src,
			const char *commit, tr_diag *diag)
{
	git_buf gsig = GIT_BUF_INIT, gdata = GIT_BUF_INIT;
	git_odb *odb = NULL;
	git_odb_object *obj = NULL;
	git_oid id;
	tr_buf err = TR_BUF_INIT(TR_MAX_MESSAGE_BYTES);
	int rc, error = TR_EIO;

	if (git_oid_fromstr(&id, commit) < 0)
		goto fail;
	rc = git_commit_extract_signature(&gsig, &gdata, src->repo, &id, NULL);
	if (rc == 0) {
		if (gsig.size > TR_MAX_SIGNATURE_BYTES ||
		    gdata.size > TR_MAX_COMMIT_BYTES) {
			tr_source__fail(diag, &src->redactor, "source.io",
					"commit %s is too large to verify",
					commit);
			error = TR_ETOOLARGE;
			goto done;
		}
		if (tr_buf_put(sig, gsig.ptr, gsig.size) < 0 ||
		    tr_buf_put(payload, gdata.ptr, gdata.size) < 0)
			goto fail;
		error = 0;
		goto done;
	}
	if (rc != GIT_ENOTFOUND)
		goto fail;
	/* Unsigned, or not a commit object that libgit2 could parse: read
	 * it raw to tell which. */
	if (git_repository_odb(&odb, src->repo) < 0 ||
	    git_odb_read(&obj, odb, &id) < 0 ||
	    git_odb_object_type(obj) != GIT_OBJECT_COMMIT)
		goto fail;
	if (git_odb_object_size(obj) > TR_MAX_COMMIT_BYTES ||
	    tr_buf_put(payload, git_odb_object_data(obj),
		       git_odb_object_size(obj)) < 0)
		goto fail;
	error = 0;
	goto done;
fail:
	tr_source__git_error(&err, &src->redactor);
	tr_source__fail(diag, &src->redactor, "source.io",
			"cannot read commit %s to check its signature: %s",
			commit, tr_buf_cstr(&err));
done:
	git_odb_object_free(obj);
	git_odb_free(odb);
	git_buf_dispose(&gsig);
	git_buf_dispose(&gdata);
	tr_buf_dispose(&err);
	return error;
}

int tr_source_commits_since(char (**out)[41], size_t *count, tr_source *src,
			    const char *commit, const char *since,
			    tr_diag *diag)
{
	git_revwalk *walk = NULL;
	git_commit *base = NULL;
	git_oid head, id;
	char (*list)[41] = NULL;
	size_t n = 0, cap = 0;
	int error = TR_EIO;

	*out = NULL;
	*count = 0;
	if (git_oid_fromstr(&head, commit) < 0)
		goto done;
	if (resolve_ref(&base, src, since) < 0) {
		tr_source__fail(diag, &src->redactor, "verify.since",
				"verify mode all-since: ref '%s' not found in "
				"%s", since, src->display);
		error = TR_ENOTFOUND;
		goto done;
	}
	if (!git_oid_equal(&head, git_commit_id(base)) &&
	    git_graph_descendant_of(src->repo, &head, git_commit_id(base)) != 1) {
		tr_source__fail(diag, &src->redactor, "verify.since",
				"verify mode all-since: '%s' is not an "
				"ancestor of commit %s, so the commits since "
				"it cannot be listed", since, commit);
		error = TR_EINVALID;
		goto done;
	}
	if (git_revwalk_new(&walk, src->repo) < 0 ||
	    git_revwalk_push(walk, &head) < 0 ||
	    git_revwalk_hide(walk, git_commit_id(base)) < 0)
		goto done;
	git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL);
	while (git_revwalk_next(&id, walk) == 0) {
		if (n == TR_MAX_VERIFY_COMMITS) {
			tr_source__fail(diag, &src->redactor, "verify.since",
					"verify mode all-since: more than %u "
					"commits since '%s'; move it forward",
					TR_MAX_VERIFY_COMMITS, since);
			error = TR_ETOOLARGE;
			goto done;
		}
		list = tr_grow(list, &cap, n + 1, sizeof(*list));
		git_oid_tostr(list[n++], 41, &id);
	}
	*out = list;
	*count = n;
	list = NULL;
	error = 0;
done:
	if (error == TR_EIO) {
		tr_buf err = TR_BUF_INIT(TR_MAX_MESSAGE_BYTES);

		tr_source__git_error(&err, &src->redactor);
		tr_source__fail(diag, &src->redactor, "source.io",
				"cannot list the commits since '%s': %s", since,
				tr_buf_cstr(&err));
		tr_buf_dispose(&err);
	}
	tr_free(list);
	git_revwalk_free(walk);
	git_commit_free(base);
	return error;
}

static int put_blob(tr_buf *out, git_repository *repo, const git_oid *id)
{
	git_blob *blob = NULL;
	int error = TR_EIO;

	if (git_blob_lookup(&blob, repo, id) < 0)
		return TR_EIO;
	if (git_blob_rawsize(blob) > TR_MAX_KEY_FILE_BYTES) {
		error = TR_ETOOLARGE;
		goto done;
	}
	error = tr_buf_put(out, git_blob_rawcontent(blob),
			   (size_t)git_blob_rawsize(blob));
	if (!error)
		error = tr_buf_putc(out, '\n');
done:
	git_blob_free(blob);
	return error;
}

int tr_source_read_path(tr_buf *out, tr_source *src, const char *commit,
			const char *path)
{
	git_commit *c = NULL;
	git_tree *tree = NULL, *sub = NULL;
	git_tree_entry *entry = NULL;
	git_oid id;
	int error = TR_ENOTFOUND;

	if (!src->repo || git_oid_fromstr(&id, commit) < 0 ||
	    git_commit_lookup(&c, src->repo, &id) < 0 ||
	    git_commit_tree(&tree, c) < 0)
		goto done;
	if (git_tree_entry_bypath(&entry, tree, path) < 0)
		goto done;
	if (git_tree_entry_type(entry) == GIT_OBJECT_BLOB) {
		error = put_blob(out, src->repo, git_tree_entry_id(entry));
		goto done;
	}
	if (git_tree_entry_type(entry) != GIT_OBJECT_TREE ||
	    git_tree_lookup(&sub, src->repo, git_tree_entry_id(entry)) < 0)
		goto done;
	error = 0;
	/* Tree entries are sorted by name already. */
	for (size_t i = 0; i < git_tree_entrycount(sub) && !error; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(sub, i);

		if (git_tree_entry_type(e) != GIT_OBJECT_BLOB ||
		    git_tree_entry_name(e)[0] == '.')
			continue;
		error = put_blob(out, src->repo, git_tree_entry_id(e));
	}
done:
	git_tree_entry_free(entry);
	git_tree_free(sub);
	git_tree_free(tree);
	git_commit_free(c);
	return error;
}
