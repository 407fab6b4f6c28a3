/*
 * Where manifests come from: a local folder (a git work tree or a plain
 * folder) or a git remote cloned with libgit2. The result is a list of
 * manifest files (*.yaml, *.yml, *.json; hidden folders skipped) with their
 * bytes, read either from the file system or straight from a commit's tree.
 *
 * Paths in the result are relative to the repository root and use '/', so
 * diagnostics can name them and CI annotations can point at them.
 */
#ifndef TR_SOURCE_SOURCE_H
#define TR_SOURCE_SOURCE_H

#include <stddef.h>

#include "diag/diag.h"

typedef struct tr_source_options {
	const char *repo;        /* URL or local path; NULL means "." */
	const char *ref;         /* branch, tag or commit; NULL = default */
	const char *path;        /* subfolder to read; NULL = whole tree */
	const char *cache_dir;   /* keep clones here and only fetch later */
	const char *tmp_dir;     /* where private clones go; NULL = $TMPDIR|/tmp */
	const char *ca_file;     /* extra CA bundle for HTTPS remotes */
	const char *username;    /* HTTPS basic auth (secret-free) */
	const char *password;    /* HTTPS password or token (secret) */
	const char *ssh_key;     /* private key file; NULL = ssh-agent */
	const char *ssh_key_passphrase;   /* secret */
	const char *ssh_known_hosts;      /* NULL = ~/.ssh/known_hosts */
} tr_source_options;

typedef struct tr_source_file {
	char *path;  /* repository-relative, '/'-separated */
	char *data;  /* NUL-terminated copy of the bytes */
	size_t len;
} tr_source_file;

typedef struct tr_source_tree {
	tr_source_file *files;  /* sorted by path */
	size_t count;
	char commit[41];        /* hex id of the commit read, "" for plain folders */
	int dirty;              /* read from a work tree with local changes */
} tr_source_tree;

typedef struct tr_source tr_source;

/*
 * Opens the source: for a remote, clones (or fetches into the cache);
 * for a local path, opens it. Fatal problems (unreachable remote, bad
 * credentials, unknown ref) are one diagnostic with rule "source.*" and a
 * negative return. Secrets never appear in diagnostics: URLs are redacted.
 */
int tr_source_open(tr_source **out, const tr_source_options *opts,
		   tr_diag *diag);

/*
 * Reads the manifest files at `ref` (NULL = the ref given at open, or for a
 * local folder without a ref its files as they are on disk) under the
 * options' path. Per-file problems (symlink leaving the tree, file over the
 * size cap) are diagnostics on that file and the file is skipped; caps on the
 * whole tree fail the call.
 */
int tr_source_read(tr_source_tree *out, tr_source *src, const char *ref,
		   tr_diag *diag);

/* The remote or path with credentials redacted, for messages. Borrowed. */
const char *tr_source_display(const tr_source *src);

void tr_source_tree_dispose(tr_source_tree *tree);
void tr_source_free(tr_source *src);

#endif
