/*
 * Shared between the files of the source module only. Names carry a double
 * underscore (as libgit2 does for its internals) so a reader sees at the
 * call site that these are not public API.
 */
#ifndef TR_SOURCE_INTERNAL_H
#define TR_SOURCE_INTERNAL_H

#include <git2.h>
#include <stddef.h>

#include "diag/diag.h"
#include "source/source.h"
#include "util/buf.h"
#include "util/redact.h"

/* ---- collecting files under caps (walk.c) ---- */

typedef struct tr_source__collect {
	tr_source_limits lim;   /* resolved: no zero fields */
	tr_diag *diag;
	tr_source_file *files;
	size_t count;
	size_t cap;
	size_t bytes;
} tr_source__collect;

void tr_source__limits_resolve(tr_source_limits *out,
			       const tr_source_limits *in);

/* True for *.yaml, *.yml, *.json. */
int tr_source__is_manifest_name(const char *name);

/*
 * Normalises a user-given subfolder: strips "./" and repeated or trailing
 * '/', refuses absolute paths and ".." (TR_EINVALID). NULL or "" gives "".
 */
int tr_source__clean_path(tr_buf *out, const char *path);

/*
 * Walks the folder `root` (an absolute path without symbolic links) from
 * its subfolder `start` ("" = root). Paths are reported relative to root.
 */
int tr_source__walk_disk(tr_source__collect *c, const char *root,
			 const char *start);

/*
 * Walks `base` (the tree that counts as the root) from its subfolder
 * `start` ("" = base), reading blobs from `repo`.
 */
int tr_source__walk_tree(tr_source__collect *c, git_repository *repo,
			 git_tree *base, const char *start);

/* Moves the collected files into `out`, sorted. */
void tr_source__collect_finish(tr_source__collect *c, tr_source_tree *out);
void tr_source__collect_dispose(tr_source__collect *c);

/* ---- remotes (remote.c) ---- */

enum tr_source__scheme {
	TR_SCHEME_LOCAL = 0,  /* not a URL: a local folder */
	TR_SCHEME_FILE,
	TR_SCHEME_HTTP,
	TR_SCHEME_HTTPS,
	TR_SCHEME_SSH,        /* ssh:// and scp-like user@host:path */
	TR_SCHEME_GIT
};

typedef struct tr_source__url {
	int scheme;
	char *clean;      /* what libgit2 gets: no password, no token */
	char *display;    /* the original, redacted */
	char *user;       /* decoded userinfo user, or NULL */
	char *password;   /* decoded userinfo password, or NULL (secret) */
	char *host;       /* NULL for file:// */
	int port;         /* 0 = the scheme's default */
} tr_source__url;

/* Classifies and splits `repo`. A non-URL gives scheme TR_SCHEME_LOCAL. */
int tr_source__url_parse(tr_source__url *out, const char *repo);
void tr_source__url_dispose(tr_source__url *url);

/*
 * Fetches every branch (as refs/remotes/origin/<name>), every tag and the
 * remote HEAD into the bare repository at `dir`, creating it when missing.
 * *reused tells whether an existing repository was updated.
 */
int tr_source__fetch(git_repository **out, int *reused, const char *dir,
		     const tr_source__url *url, const tr_source_options *opts,
		     const tr_redactor *redactor, tr_diag *diag);

/* Appends libgit2's last error message, one line, URLs redacted and known
 * secrets scrubbed. */
void tr_source__git_error(tr_buf *out, const tr_redactor *redactor);

/* Adds an error diagnostic whose message is scrubbed of secrets. */
void tr_source__fail(tr_diag *diag, const tr_redactor *redactor,
		     const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* ---- known_hosts (known_hosts.c) ---- */

enum tr_source__hostkey_result {
	TR_HOSTKEY_MATCH = 0,
	TR_HOSTKEY_UNKNOWN,   /* no line for this host */
	TR_HOSTKEY_MISMATCH,  /* lines for this host, none with this key */
	TR_HOSTKEY_REVOKED    /* the key is marked @revoked */
};

/*
 * Looks `key` (the raw SSH wire-format public key blob) up for `host` and
 * `port` (0 or 22 = default) in the text of a known_hosts file. Plain and
 * hashed (|1|salt|hash) host names, patterns with '*' and '?', negated
 * patterns and @revoked are understood; @cert-authority lines are skipped.
 */
int tr_source__known_hosts_check(const char *text, size_t len,
				 const char *host, int port,
				 const unsigned char *key, size_t key_len);

/* Standard base64 without line breaks; -1 on bad input. */
int tr_source__base64_decode(tr_buf *out, const char *in, size_t len);
int tr_source__base64_encode(tr_buf *out, const unsigned char *in,
			     size_t len, int pad);

#endif
