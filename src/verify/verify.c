/*
 * The trust root and the dispatch between OpenPGP and SSH signatures.
 */
#include "verify/verify.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/alloc.h"
#include "util/fs.h"
#include "util/limits.h"
#include "verify/internal.h"

#define PGP_ARMOR "-----BEGIN PGP SIGNATURE-----"
#define SSH_ARMOR "-----BEGIN SSH SIGNATURE-----"

static const char *const status_names[TR_VERIFY_STATUS_COUNT] = {
	"good", "unsigned", "bad signature", "unknown key", "expired key",
	"revoked key", "signer not allowed"};

const char *tr_verify_status_name(tr_verify_status status)
{
	return (unsigned)status < TR_VERIFY_STATUS_COUNT ? status_names[status]
							 : "?";
}

const char *tr_verify_kind_name(tr_verify_kind kind)
{
	switch (kind) {
	case TR_SIG_OPENPGP: return "OpenPGP";
	case TR_SIG_SSH: return "SSH";
	case TR_SIG_OTHER: return "unsupported";
	default: return "none";
	}
}

void tr_verify_result_init(tr_verify_result *res)
{
	memset(res, 0, sizeof(*res));
	tr_buf_init(&res->signer, TR_MAX_LINE_BYTES);
	tr_buf_init(&res->key, TR_MAX_LINE_BYTES);
	tr_buf_init(&res->reason, TR_MAX_MESSAGE_BYTES);
}

void tr_verify_result_dispose(tr_verify_result *res)
{
	tr_buf_dispose(&res->signer);
	tr_buf_dispose(&res->key);
	tr_buf_dispose(&res->reason);
}

int tr_verify__scratch(tr_buf *out, tr_verify *v, const char *what)
{
	tr_buf_clear(out);
	return tr_buf_printf(out, "%s/%u-%s", v->dir, ++v->seq, what);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Imports one key file; a file without any key is an error, so that a
 * typo in the trust root cannot silently trust nothing. */
static int import_file(tr_verify *v, const char *path, tr_diag *diag)
{
	tr_buf data = TR_BUF_INIT(TR_MAX_KEY_FILE_BYTES);
	size_t count = 0;
	int error = tr_fs_read_file(&data, path, TR_MAX_KEY_FILE_BYTES);

	if (error < 0) {
		tr_diag_add(diag, TR_SEV_ERROR, "verify.trust-root", path, 0, 0,
			    NULL, "%s", error == TR_ETOOLARGE
					       ? "key file too large"
					       : "cannot read the key file");
		error = TR_EINVALID;
		goto done;
	}
	if ((error = tr_verify__gpg_import(v, data.ptr ? data.ptr : "",
					   data.len, path, &count, diag)) < 0)
		goto done;
	if (count == 0) {
		tr_diag_add(diag, TR_SEV_ERROR, "verify.trust-root", path, 0, 0,
			    NULL, "holds no OpenPGP public key that GnuPG can "
			    "import");
		error = TR_EINVALID;
	}
done:
	tr_buf_dispose(&data);
	return error;
}

/* A key file, or every visible regular file of a folder (sorted, not
 * recursive). */
static int import_keys(tr_verify *v, const char *path, tr_diag *diag)
{
	struct stat st;
	DIR *dir = NULL;
	struct dirent *e;
	char **names = NULL;
	size_t count = 0, cap = 0, files = 0;
	tr_buf file = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	int error = 0;

	if (stat(path, &st) < 0) {
		tr_diag_add(diag, TR_SEV_ERROR, "verify.trust-root", path, 0, 0,
			    NULL, "cannot read the trusted keys: %s",
			    strerror(errno));
		return TR_EINVALID;
	}
	if (!S_ISDIR(st.st_mode))
		return import_file(v, path, diag);
	if (!(dir = opendir(path))) {
		tr_diag_add(diag, TR_SEV_ERROR, "verify.trust-root", path, 0, 0,
			    NULL, "cannot read the key folder: %s",
			    strerror(errno));
		return TR_EINVALID;
	}
	while ((e = readdir(dir)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (count == TR_MAX_KEY_FILES) {
			tr_diag_add(diag, TR_SEV_ERROR, "verify.trust-root",
				    path, 0, 0, NULL, "more than %u files in "
				    "the key folder", TR_MAX_KEY_FILES);
			error = TR_EINVALID;
			goto done;
		}
		names = tr_grow(names, &cap, count + 1, sizeof(*names));
		names[count++] = tr_strdup(e->d_name);
	}
	if (count > 1) /* names is NULL for an empty folder */
		qsort(names, count, sizeof(*names), by_name);
	for (size_t i = 0; i < count; i++) {
		tr_buf_clear(&file);
		if (tr_buf_printf(&file, "%s/%s", path, names[i]) < 0 ||
		    stat(file.ptr, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if ((error = import_file(v, file.ptr, diag)) < 0)
			goto done;
		files++;
	}
	if (files == 0) {
		tr_diag_add(diag, TR_SEV_ERROR, "verify.trust-root", path, 0, 0,
			    NULL, "the key folder holds no key file");
		error = TR_EINVALID;
	}
done:
	for (size_t i = 0; i < count; i++)
		tr_free(names[i]);
	tr_free(names);
	if (dir)
		closedir(dir);
	tr_buf_dispose(&file);
	return error;
}

int tr_verify_new(tr_verify **out, const tr_verify_options *opts,
		  tr_diag *diag)
{
	tr_verify *v = tr_calloc(1, sizeof(*v));
	tr_buf path = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	tr_buf signers = TR_BUF_INIT(TR_MAX_KEY_FILE_BYTES);
	const char *base = opts->tmp_dir ? opts->tmp_dir : "/tmp";
	int error = 0;

	*out = NULL;
	if (!opts->keys && !opts->allowed_signers) {
		tr_diag_add(diag, TR_SEV_ERROR, "verify.trust-root", NULL, 0, 0,
			    NULL, "signature verification needs trusted keys "
			    "(--verify-keys) or allowed signers "
			    "(--allowed-signers)");
		error = TR_EINVALID;
		goto done;
	}
	if (opts->allowed_signers) {
		error = tr_fs_read_file(&signers, opts->allowed_signers,
					TR_MAX_KEY_FILE_BYTES);
		if (error < 0 || !strstr(tr_buf_cstr(&signers), "ssh-")) {
			tr_diag_add(diag, TR_SEV_ERROR, "verify.trust-root",
				    opts->allowed_signers, 0, 0, NULL, "%s",
				    error < 0 ? "cannot read the allowed "
						"signers file"
					      : "the allowed signers file "
						"lists no SSH key");
			error = TR_EINVALID;
			goto done;
		}
		v->allowed_signers = tr_strdup(opts->allowed_signers);
	}
	/* mkdtemp creates the folder with mode 0700: GnuPG wants its home
	 * private, and scratch files hold what we check. */
	if (tr_buf_printf(&path, "%s/trellis-verify-XXXXXX", base) < 0 ||
	    !mkdtemp(path.ptr)) {
		tr_diag_add(diag, TR_SEV_ERROR, "verify.io", NULL, 0, 0, NULL,
			    "cannot create a temporary folder in '%s': %s",
			    base, strerror(errno));
		error = TR_EIO;
		goto done;
	}
	v->dir = tr_strdup(path.ptr);
	if (opts->keys &&
	    ((error = tr_verify__gpg_open(v, opts->gpg, diag)) < 0 ||
	     (error = import_keys(v, opts->keys, diag)) < 0))
		goto done;
	v->ssh_keygen = opts->ssh_keygen ? opts->ssh_keygen : "ssh-keygen";
	if (opts->ssh_keygen)
		v->ssh_keygen = v->ssh_keygen_owned = tr_strdup(opts->ssh_keygen);
	*out = v;
	v = NULL;
done:
	tr_buf_dispose(&path);
	tr_buf_dispose(&signers);
	tr_verify_free(v);
	return error;
}

static tr_verify_kind kind_of(const char *sig, size_t len)
{
	if (len >= strlen(PGP_ARMOR) && memcmp(sig, PGP_ARMOR, strlen(PGP_ARMOR)) == 0)
		return TR_SIG_OPENPGP;
	if (len >= strlen(SSH_ARMOR) && memcmp(sig, SSH_ARMOR, strlen(SSH_ARMOR)) == 0)
		return TR_SIG_SSH;
	return TR_SIG_OTHER;
}

static void set_reason(tr_verify_result *out, tr_verify_status status,
		       const char *reason)
{
	out->status = status;
	tr_buf_clear(&out->reason);
	if (tr_buf_puts(&out->reason, reason) < 0)
		tr_buf_clear(&out->reason);
}

int tr_verify_check(tr_verify_result *out, tr_verify *v, const char *sig,
		    size_t sig_len, const char *payload, size_t payload_len)
{
	tr_buf_clear(&out->signer);
	tr_buf_clear(&out->key);
	tr_buf_clear(&out->reason);
	out->kind = TR_SIG_NONE;
	if (!sig || sig_len == 0) {
		set_reason(out, TR_VERIFY_UNSIGNED, "the commit is not signed");
		return 0;
	}
	if (sig_len > TR_MAX_SIGNATURE_BYTES) {
		out->kind = TR_SIG_OTHER;
		set_reason(out, TR_VERIFY_BAD, "the signature is too large");
		return 0;
	}
	out->kind = kind_of(sig, sig_len);
	switch (out->kind) {
	case TR_SIG_OPENPGP:
		if (!v->gpg) {
			set_reason(out, TR_VERIFY_UNKNOWN_KEY,
				   "an OpenPGP signature, but no OpenPGP key "
				   "is trusted (--verify-keys)");
			return 0;
		}
		return tr_verify__gpg_check(out, v, sig, sig_len, payload,
					    payload_len);
	case TR_SIG_SSH:
		(void)tr_verify__ssh_fingerprint(&out->key, NULL, sig, sig_len);
		if (!v->allowed_signers) {
			set_reason(out, TR_VERIFY_UNKNOWN_KEY,
				   "an SSH signature, but no SSH signer is "
				   "trusted (--allowed-signers)");
			return 0;
		}
		return tr_verify__ssh_check(out, v, sig, sig_len, payload,
					    payload_len);
	default:
		set_reason(out, TR_VERIFY_BAD,
			   "the signature is neither OpenPGP nor SSH (X.509 "
			   "signatures are not supported)");
		return 0;
	}
}

int tr_verify_narrow(tr_verify_result *res, tr_verify *v, const char *sig,
		     size_t sig_len, const char *keys, size_t keys_len,
		     const char *allowed_signers, size_t allowed_len,
		     const char *where)
{
	int listed = 0;

	if (res->status != TR_VERIFY_GOOD || (!keys && !allowed_signers))
		return 0;
	if (res->kind == TR_SIG_OPENPGP && keys)
		listed = tr_verify__gpg_listed(v, res, keys, keys_len);
	else if (res->kind == TR_SIG_SSH && allowed_signers)
		listed = tr_verify__ssh_listed(v, sig, sig_len,
					       allowed_signers, allowed_len);
	if (listed < 0) {
		set_reason(res, res->status, "ssh-keygen could not check the "
					     "repository's allowed signers");
		return TR_EIO;
	}
	if (listed)
		return 0;
	res->status = TR_VERIFY_NOT_ALLOWED;
	tr_buf_clear(&res->reason);
	if (tr_buf_printf(&res->reason, "the signer is trusted, but not "
			  "among those the trellis.yaml of '%s' allows (%s%s%s)",
			  where, keys ? "verify.keys" : "",
			  keys && allowed_signers ? ", " : "",
			  allowed_signers ? "verify.allowedSigners" : "") < 0)
		tr_buf_clear(&res->reason);
	return 0;
}

void tr_verify_free(tr_verify *v)
{
	if (!v)
		return;
	tr_verify__gpg_close(v);
	if (v->dir)
		(void)tr_fs_remove_tree(v->dir);
	tr_free(v->dir);
	tr_free(v->gnupg_home);
	tr_free(v->allowed_signers);
	tr_free(v->ssh_keygen_owned);
	tr_free(v);
}
