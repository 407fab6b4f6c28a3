/*
 * OpenPGP signatures through GPGME, with a GnuPG home of our own: a fresh
 * folder into which only the operator's trusted keys are imported. Being
 * in that keyring is what "trusted" means here, so GnuPG's web of trust
 * (key validity) is not consulted; expiry and revocation still are.
 */
#include <string.h>
#include <sys/stat.h>

#include "util/alloc.h"
#include "util/fs.h"
#include "util/limits.h"
#include "verify/internal.h"

/* No agent, no key servers, no trust database questions. */
static const char gpg_conf[] = "no-autostart\n"
			       "no-auto-key-retrieve\n"
			       "trust-model always\n";

static void gpg_error_text(tr_buf *out, gpgme_error_t err)
{
	char text[256];

	if (gpgme_strerror_r(err, text, sizeof(text)) != 0)
		text[0] = '\0';
	if (tr_buf_puts(out, text) < 0)
		tr_buf_clear(out);
}

int tr_verify__gpg_open(tr_verify *v, const char *gpg, tr_diag *diag)
{
	tr_buf path = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	tr_buf why = TR_BUF_INIT(TR_MAX_MESSAGE_BYTES);
	gpgme_error_t err;
	int error = TR_EIO;

	/* GPGME wants its version check before anything else; it is
	 * idempotent and thread-safe after the first call. */
	gpgme_check_version(NULL);
	if (tr_buf_printf(&path, "%s/gnupg", v->dir) < 0 ||
	    mkdir(path.ptr, 0700) < 0)
		goto done;
	v->gnupg_home = tr_strdup(path.ptr);
	if (tr_buf_puts(&path, "/gpg.conf") < 0 ||
	    tr_fs_write_file(path.ptr, gpg_conf, sizeof(gpg_conf) - 1) < 0)
		goto done;
	if ((err = gpgme_new(&v->gpg)) ||
	    (err = gpgme_set_protocol(v->gpg, GPGME_PROTOCOL_OpenPGP)) ||
	    (err = gpgme_ctx_set_engine_info(v->gpg, GPGME_PROTOCOL_OpenPGP,
					     gpg, v->gnupg_home))) {
		gpg_error_text(&why, err);
		goto done;
	}
	gpgme_set_offline(v->gpg, 1);
	error = 0;
done:
	if (error)
		tr_diag_add(diag, TR_SEV_ERROR, "verify.io", NULL, 0, 0, NULL,
			    "cannot set up a private GnuPG home for the "
			    "trusted keys%s%s (is gpg installed?)",
			    why.len ? ": " : "", tr_buf_cstr(&why));
	tr_buf_dispose(&path);
	tr_buf_dispose(&why);
	return error;
}

int tr_verify__gpg_import(tr_verify *v, const char *data, size_t len,
			  const char *shown, size_t *count, tr_diag *diag)
{
	tr_buf why = TR_BUF_INIT(TR_MAX_MESSAGE_BYTES);
	gpgme_data_t d = NULL;
	gpgme_import_result_t imported;
	gpgme_error_t err;
	int error = 0;

	*count = 0;
	if ((err = gpgme_data_new_from_mem(&d, data, len, 0)) ||
	    (err = gpgme_op_import(v->gpg, d))) {
		gpg_error_text(&why, err);
		if (gpgme_err_code(err) != GPG_ERR_NO_DATA) {
			tr_diag_add(diag, TR_SEV_ERROR, "verify.io", shown, 0,
				    0, NULL, "GnuPG cannot import the trusted "
				    "keys: %s", tr_buf_cstr(&why));
			error = TR_EIO;
		}
		goto done;
	}
	imported = gpgme_op_import_result(v->gpg);
	if (imported)
		*count = (size_t)(imported->imported + imported->unchanged);
done:
	gpgme_data_release(d);
	tr_buf_dispose(&why);
	return error;
}

static void describe_key(tr_verify_result *out, tr_verify *v, const char *fpr)
{
	gpgme_key_t key = NULL;

	tr_buf_clear(&out->key);
	if (gpgme_get_key(v->gpg, fpr, &key, 0) == 0 && key) {
		if (tr_buf_puts(&out->key, key->fpr) < 0)
			tr_buf_clear(&out->key);
		if (key->uids && key->uids->uid &&
		    tr_buf_puts(&out->signer, key->uids->uid) < 0)
			tr_buf_clear(&out->signer);
		gpgme_key_unref(key);
		return;
	}
	if (fpr && tr_buf_puts(&out->key, fpr) < 0)
		tr_buf_clear(&out->key);
}

static void set(tr_verify_result *out, tr_verify_status st, const char *why)
{
	out->status = st;
	tr_buf_clear(&out->reason);
	if (tr_buf_puts(&out->reason, why) < 0)
		tr_buf_clear(&out->reason);
}

int tr_verify__gpg_check(tr_verify_result *out, tr_verify *v,
			 const char *sig, size_t sig_len, const char *payload,
			 size_t payload_len)
{
	gpgme_data_t s = NULL, text = NULL;
	gpgme_verify_result_t vr;
	gpgme_signature_t one;
	gpgme_error_t err;
	int error = 0;

	if ((err = gpgme_data_new_from_mem(&s, sig, sig_len, 0)) ||
	    (err = gpgme_data_new_from_mem(&text, payload, payload_len, 0))) {
		error = TR_EIO;
		gpg_error_text(&out->reason, err);
		goto done;
	}
	err = gpgme_op_verify(v->gpg, s, text, NULL);
	vr = gpgme_op_verify_result(v->gpg);
	if (gpgme_err_code(err) == GPG_ERR_NO_DATA || gpgme_err_code(err) ==
	    GPG_ERR_BAD_DATA || (!err && (!vr || !vr->signatures))) {
		set(out, TR_VERIFY_BAD, "the OpenPGP signature is malformed");
		goto done;
	}
	if (err) {
		error = TR_EIO;
		tr_buf_clear(&out->reason);
		if (tr_buf_puts(&out->reason, "GnuPG could not verify: ") < 0)
			tr_buf_clear(&out->reason);
		gpg_error_text(&out->reason, err);
		goto done;
	}
	/* git writes one signature; a second one would be a signature over
	 * the same bytes that we would have to trust as well. */
	if (vr->signatures->next) {
		set(out, TR_VERIFY_BAD, "more than one OpenPGP signature");
		goto done;
	}
	one = vr->signatures;
	describe_key(out, v, one->fpr);
	switch (gpgme_err_code(one->status)) {
	case GPG_ERR_NO_ERROR:
		if (one->summary & GPGME_SIGSUM_KEY_REVOKED)
			set(out, TR_VERIFY_REVOKED, "the key has been revoked");
		else if (one->summary & (GPGME_SIGSUM_KEY_EXPIRED |
					 GPGME_SIGSUM_SIG_EXPIRED))
			set(out, TR_VERIFY_EXPIRED, "the key has expired");
		else
			set(out, TR_VERIFY_GOOD, "");
		break;
	case GPG_ERR_BAD_SIGNATURE:
		set(out, TR_VERIFY_BAD, "the signature does not match the "
					"commit (changed after signing?)");
		break;
	case GPG_ERR_NO_PUBKEY:
		tr_buf_clear(&out->signer);
		set(out, TR_VERIFY_UNKNOWN_KEY, "signed by a key that is not "
						"among the trusted keys");
		break;
	case GPG_ERR_KEY_EXPIRED:
		set(out, TR_VERIFY_EXPIRED, "the key has expired");
		break;
	case GPG_ERR_SIG_EXPIRED:
		set(out, TR_VERIFY_EXPIRED, "the signature has expired");
		break;
	case GPG_ERR_CERT_REVOKED:
		set(out, TR_VERIFY_REVOKED, "the key has been revoked");
		break;
	default:
		tr_buf_clear(&out->reason);
		out->status = TR_VERIFY_BAD;
		if (tr_buf_puts(&out->reason, "GnuPG rejects the signature: ") < 0)
			tr_buf_clear(&out->reason);
		gpg_error_text(&out->reason, one->status);
		break;
	}
done:
	gpgme_data_release(s);
	gpgme_data_release(text);
	return error;
}

int tr_verify__gpg_listed(tr_verify *v, const tr_verify_result *res,
			  const char *keys, size_t keys_len)
{
	gpgme_data_t data = NULL;
	gpgme_key_t key;
	int listed = 0;

	if (!res->key.len || gpgme_data_new_from_mem(&data, keys, keys_len, 0))
		return 0;
	/* Lists the keys in the data without importing them. */
	if (gpgme_op_keylist_from_data_start(v->gpg, data, 0) == 0) {
		while (gpgme_op_keylist_next(v->gpg, &key) == 0) {
			for (gpgme_subkey_t k = key->subkeys; k; k = k->next)
				if (k->fpr && strcmp(k->fpr, res->key.ptr) == 0)
					listed = 1;
			gpgme_key_unref(key);
		}
		gpgme_op_keylist_end(v->gpg);
	}
	gpgme_data_release(data);
	return listed;
}

void tr_verify__gpg_close(tr_verify *v)
{
	if (v->gpg)
		gpgme_release(v->gpg);
	v->gpg = NULL;
}
