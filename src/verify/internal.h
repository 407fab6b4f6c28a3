/* Shared between the files of the verify module only. */
#ifndef TR_VERIFY_INTERNAL_H
#define TR_VERIFY_INTERNAL_H

#include <gpgme.h>

#include "verify/verify.h"

struct tr_verify {
	char *dir;               /* private temp folder, removed at free */
	char *gnupg_home;        /* dir/gnupg, or NULL without OpenPGP keys */
	gpgme_ctx_t gpg;         /* NULL without OpenPGP keys */
	char *allowed_signers;   /* operator's file, or NULL */
	const char *ssh_keygen;  /* program name or path (static or opts) */
	char *ssh_keygen_owned;
	unsigned seq;            /* names of scratch files */
};

/* ---- OpenPGP (gpg.c) ---- */

/* Creates the GnuPG home (empty keyring) and the GPGME context. */
int tr_verify__gpg_open(tr_verify *v, const char *gpg, tr_diag *diag);
/* Imports one key file (armored or binary); one file at a time because
 * GnuPG reads a stream as all armored or all binary. *count gets the keys
 * it now holds from this file. */
int tr_verify__gpg_import(tr_verify *v, const char *data, size_t len,
			  const char *shown, size_t *count, tr_diag *diag);
int tr_verify__gpg_check(tr_verify_result *out, tr_verify *v,
			 const char *sig, size_t sig_len, const char *payload,
			 size_t payload_len);
/* 1 when res->key (a primary fingerprint) is among `keys`, else 0. */
int tr_verify__gpg_listed(tr_verify *v, const tr_verify_result *res,
			  const char *keys, size_t keys_len);
void tr_verify__gpg_close(tr_verify *v);

/* ---- SSH (ssh.c) ---- */

int tr_verify__ssh_check(tr_verify_result *out, tr_verify *v,
			 const char *sig, size_t sig_len, const char *payload,
			 size_t payload_len);
/* 1 when the signer of `sig` is in the allowed-signers text, else 0;
 * negative when ssh-keygen could not run. */
int tr_verify__ssh_listed(tr_verify *v, const char *sig, size_t sig_len,
			  const char *allowed, size_t allowed_len);
/* "SHA256:..." of the key inside an SSH signature; -1 when malformed. */
int tr_verify__ssh_fingerprint(tr_buf *out, tr_buf *key_type,
			       const char *sig, size_t sig_len);

/* A fresh scratch file name in v->dir ("<dir>/<seq>-<what>"). */
int tr_verify__scratch(tr_buf *out, tr_verify *v, const char *what);

#endif
