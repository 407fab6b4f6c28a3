/*
 * Commit signatures: is this commit signed by someone the operator trusts?
 *
 * The trust root is given by the operator (command line or environment,
 * never the repository): OpenPGP public keys (a file or a folder of files,
 * armored or binary) and/or an SSH allowed-signers file (the format of
 * ssh-keygen(1) ALLOWED SIGNERS). tr_verify_new imports the OpenPGP keys
 * into a private, temporary GnuPG home (mode 0700, removed by
 * tr_verify_free): the user's own keyring is never read. SSH signatures are
 * checked by running ssh-keygen -Y (argv, no shell) as `git verify-commit`
 * does with gpg.format=ssh, at the current time: a key whose valid-before
 * has passed no longer signs anything.
 *
 * The module checks bytes: the signature and the exact payload it covers
 * (for a commit, the object without its gpgsig header, as libgit2's
 * git_commit_extract_signature returns it). Any change to the commit after
 * signing (its tree, parents, message) makes the signature bad.
 *
 * A repository may narrow the trust root (tr_verify_narrow): keys or
 * allowed signers it lists there are the only ones accepted for that
 * folder. It can never widen it.
 */
#ifndef TR_VERIFY_VERIFY_H
#define TR_VERIFY_VERIFY_H

#include <stddef.h>

#include "diag/diag.h"
#include "util/buf.h"

typedef enum tr_verify_status {
	TR_VERIFY_GOOD = 0,     /* a trusted key signed exactly this payload */
	TR_VERIFY_UNSIGNED,     /* no signature at all */
	TR_VERIFY_BAD,          /* the signature does not match the payload
				 * (tampered, or not a signature) */
	TR_VERIFY_UNKNOWN_KEY,  /* signed by a key outside the trust root */
	TR_VERIFY_EXPIRED,      /* the key (or the signature) has expired */
	TR_VERIFY_REVOKED,      /* the key has been revoked */
	TR_VERIFY_NOT_ALLOWED,  /* trusted, but not for this folder */
	TR_VERIFY_STATUS_COUNT
} tr_verify_status;

typedef enum tr_verify_kind {
	TR_SIG_NONE = 0,
	TR_SIG_OPENPGP,
	TR_SIG_SSH,
	TR_SIG_OTHER            /* x509 or unknown armor: never trusted */
} tr_verify_kind;

typedef struct tr_verify_result {
	tr_verify_status status;
	tr_verify_kind kind;
	tr_buf signer;   /* "Alice <a@example.com>" or an SSH principal; may
			  * be empty when the key is unknown */
	tr_buf key;      /* OpenPGP fingerprint or SSH SHA256:... */
	tr_buf reason;   /* one line for people, why it is not good */
} tr_verify_result;

typedef struct tr_verify_options {
	const char *keys;             /* OpenPGP public keys: file or folder */
	const char *allowed_signers;  /* SSH allowed-signers file */
	const char *tmp_dir;          /* NULL = /tmp */
	const char *gpg;              /* gpg program; NULL = GPGME's default */
	const char *ssh_keygen;       /* NULL = "ssh-keygen" (searched in PATH) */
} tr_verify_options;

typedef struct tr_verify tr_verify;

/*
 * Loads the trust root. At least one of keys and allowed_signers must be
 * set. Unreadable files, files that hold no key, and a folder without key
 * files are diagnostics with rule "verify.trust-root" and TR_EINVALID;
 * a broken GnuPG or temp folder is TR_EIO. On failure *out is NULL.
 */
int tr_verify_new(tr_verify **out, const tr_verify_options *opts,
		  tr_diag *diag);

void tr_verify_result_init(tr_verify_result *res);
void tr_verify_result_dispose(tr_verify_result *res);

/*
 * Checks `sig` (NULL or empty = unsigned) over `payload`. The outcome is
 * in out->status; the return is negative only when the check itself could
 * not run (GnuPG or ssh-keygen missing or failing: TR_EIO, reason set).
 */
int tr_verify_check(tr_verify_result *out, tr_verify *v, const char *sig,
		    size_t sig_len, const char *payload, size_t payload_len);

/*
 * Narrows a GOOD result of tr_verify_check on the same `sig`: `keys`
 * (OpenPGP key files, concatenated) and `allowed_signers` (allowed-signers
 * text) are all the repository accepts for `where` (a folder, named in the
 * reason). When either is given, a signer found in neither becomes
 * TR_VERIFY_NOT_ALLOWED: an SSH signer with only `keys` given is not
 * allowed, and the reverse. Both NULL: nothing to narrow. Other statuses
 * are left alone. Negative only when the check could not run.
 */
int tr_verify_narrow(tr_verify_result *res, tr_verify *v, const char *sig,
		     size_t sig_len, const char *keys, size_t keys_len,
		     const char *allowed_signers, size_t allowed_len,
		     const char *where);

/* "good", "unsigned", "bad signature", "unknown key", ... */
const char *tr_verify_status_name(tr_verify_status status);
const char *tr_verify_kind_name(tr_verify_kind kind);

void tr_verify_free(tr_verify *v);

#endif
