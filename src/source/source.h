/*
 * Where manifests come from: a local folder (a git work tree or a plain
 * folder) or a git remote fetched with libgit2. The result is a list of
 * manifest files (*.yaml, *.yml, *.json; hidden files and folders skipped)
 * with their bytes, read either from the file system or straight from a
 * commit's tree.
 *
 * Paths in the result are relative to the repository root (for a local
 * folder: the folder given as `repo`) and use '/', so diagnostics can name
 * them and CI annotations can point at them.
 *
 * The module never reads the environment: everything that a user would
 * normally set there (credentials, known_hosts, temp folder) comes in the
 * options. Only libssh2 itself consults SSH_AUTH_SOCK for the agent, and
 * libgit2 HOME for its global config. Proposed mapping for the CLI:
 *
 *   username            TRELLIS_GIT_USERNAME (the module uses
 *                       "x-access-token" when only a password is set)
 *   password            TRELLIS_GIT_PASSWORD, else TRELLIS_GIT_TOKEN
 *   ssh_key             TRELLIS_GIT_SSH_KEY
 *   ssh_key_passphrase  TRELLIS_GIT_SSH_PASSPHRASE
 *   ssh_known_hosts     TRELLIS_GIT_KNOWN_HOSTS, else ~/.ssh/known_hosts
 *   ca_file             TRELLIS_GIT_CA_FILE
 *   proxy               HTTPS_PROXY / https_proxy
 *   cache_dir           --cache-dir or TRELLIS_CACHE_DIR
 *   tmp_dir             TMPDIR
 *
 * Every secret read there should also go to the CLI's tr_redactor.
 *
 * Diagnostic rules (all "error" unless noted):
 *   source.repo-not-found   local folder missing or not a folder
 *   source.path-not-found   `path` is not a folder of the tree
 *   source.path-escape      `path` is absolute, climbs with "..", or
 *                           names a hidden folder
 *   source.ref-not-found    branch, tag or commit unknown
 *   source.unreachable      remote cannot be reached or is not a repository
 *   source.auth-failed      credentials missing or refused
 *   source.host-key         SSH host key unknown, mismatching or revoked
 *   source.tls              HTTPS certificate not trusted, CA file unusable
 *   source.cache            cache or temp folder cannot be used
 *   source.io               a file or object cannot be read
 *   source.symlink-escape   a link under `path` points outside the tree
 *                           or into a hidden folder (.git/config...)
 *   source.symlink-loop     (warning) a link leads back into its own folder
 *   source.symlink-broken   (warning) a link whose target does not exist
 *   source.file-too-large   one file over the per-file cap (file skipped)
 *   source.tree-too-large   too many files or bytes in total (call fails)
 *   source.tree-too-deep    folders nested deeper than the cap (call fails)
 *   source.path-too-long    a path over TR_MAX_PATH_BYTES (call fails)
 *   source.submodule        (warning) submodules are not followed
 *   source.special-file     (warning) a fifo/device with a manifest name
 */
#ifndef TR_SOURCE_SOURCE_H
#define TR_SOURCE_SOURCE_H

#include <stddef.h>

#include "diag/diag.h"

/* Caps on one read; 0 in a field means the value from util/limits.h.
 * Tests lower them; production passes NULL. */
typedef struct tr_source_limits {
	size_t max_file_bytes;  /* TR_MAX_FILE_BYTES */
	size_t max_tree_bytes;  /* TR_MAX_TREE_BYTES */
	size_t max_tree_files;  /* TR_MAX_TREE_FILES */
	size_t max_tree_depth;  /* TR_MAX_TREE_DEPTH */
} tr_source_limits;

/* The strings need only live until tr_source_open returns. */
typedef struct tr_source_options {
	const char *repo;        /* URL or local path; NULL means "." */
	const char *ref;         /* branch, tag or commit; NULL = default */
	const char *path;        /* subfolder to read; NULL = whole tree */
	const char *cache_dir;   /* keep clones here and only fetch later */
	const char *tmp_dir;     /* where private clones go; NULL = /tmp */
	const char *ca_file;     /* CA bundle for HTTPS remotes (replaces the
				  * default bundle for the whole process) */
	const char *proxy;       /* HTTP(S) proxy URL; NULL = direct */
	const char *username;    /* HTTPS basic auth user; SSH user when the
				  * URL has none (default "git") */
	const char *password;    /* HTTPS password or token (secret) */
	const char *ssh_key;     /* private key file; NULL = ssh-agent */
	const char *ssh_key_passphrase;   /* secret */
	const char *ssh_known_hosts;      /* required for ssh remotes */
	const tr_source_limits *limits;   /* NULL = util/limits.h */
} tr_source_options;

typedef struct tr_source_file {
	char *path;  /* repository-relative, '/'-separated */
	char *data;  /* NUL-terminated copy of the bytes */
	size_t len;
} tr_source_file;

typedef struct tr_source_tree {
	tr_source_file *files;  /* sorted by path (strcmp order) */
	size_t count;
	size_t bytes;           /* sum of len */
	char commit[41];        /* hex id of the commit read, "" for plain folders */
	int dirty;              /* read from a work tree with local changes */
} tr_source_tree;

typedef struct tr_source tr_source;

/*
 * Opens the source: for a remote, fetches it into a private temporary
 * folder (mode 0700, removed by tr_source_free) or into `cache_dir`, where
 * later runs only fetch what changed; for a local path, opens it. The ref
 * given in the options is resolved here so a missing ref fails early.
 * Fatal problems (unreachable remote, bad credentials, unknown ref) are one
 * diagnostic with rule "source.*" and a negative return (TR_ENOTFOUND,
 * TR_EAUTH, TR_EIO, TR_EINVALID). Secrets never appear in diagnostics.
 * On failure *out is NULL.
 */
int tr_source_open(tr_source **out, const tr_source_options *opts,
		   tr_diag *diag);

/*
 * Reads the manifest files at `ref` (NULL = the ref given at open, or for a
 * local folder without a ref its files as they are on disk) under the
 * options' path. Per-file problems (symlink leaving the tree, file over the
 * size cap) are diagnostics on that file and the file is skipped: the call
 * still returns 0, so check tr_diag_failed. Caps on the whole tree, a
 * missing path or ref fail the call. `out` is always initialised, and must
 * be disposed even on failure.
 */
int tr_source_read(tr_source_tree *out, tr_source *src, const char *ref,
		   tr_diag *diag);

/*
 * Commit signatures (the verify module checks them): the commit `ref`
 * names, resolved once so that what is verified is what is read (pass the
 * id back to tr_source_read). NULL ref: the ref given at open, else the
 * remote's default branch, or HEAD of a local work tree. A plain folder
 * has no commit: TR_ENOTFOUND with rule "source.not-a-commit".
 */
int tr_source_resolve(char out[41], tr_source *src, const char *ref,
		      tr_diag *diag);

/*
 * The signature of `commit` (40 hex) and the exact bytes it signs, as
 * libgit2's git_commit_extract_signature gives them: the commit object
 * without its gpgsig header. An unsigned commit leaves `sig` empty and
 * fills `payload` with the whole object. A corrupt object fails (libgit2
 * checks every object's hash as it reads it).
 */
int tr_source_signature(tr_buf *sig, tr_buf *payload, tr_source *src,
			const char *commit, tr_diag *diag);

/*
 * Commits reachable from `commit` and not from `since` (a ref), newest
 * first, as 40-hex strings in one allocation (*out, free with tr_free).
 * `since` must be an ancestor of `commit` (TR_EINVALID otherwise, rule
 * "verify.since"); more than TR_MAX_VERIFY_COMMITS is TR_ETOOLARGE.
 */
int tr_source_commits_since(char (**out)[41], size_t *count, tr_source *src,
			    const char *commit, const char *since,
			    tr_diag *diag);

/*
 * Appends to `out` the blob at `path` (repository-relative) in `commit`,
 * or every blob directly inside that folder (sorted, hidden ones skipped),
 * each followed by a newline. TR_ENOTFOUND (no diagnostic) when missing.
 */
int tr_source_read_path(tr_buf *out, tr_source *src, const char *commit,
			const char *path);

/* The remote or path with credentials redacted, for messages. Borrowed. */
const char *tr_source_display(const tr_source *src);

void tr_source_tree_dispose(tr_source_tree *tree);
/* Frees the files' bytes but keeps their paths: once the manifests are
 * parsed (the node trees hold copies) the bytes are dead weight. */
void tr_source_tree_drop_data(tr_source_tree *tree);
void tr_source_free(tr_source *src);

#endif
