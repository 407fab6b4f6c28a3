/*
 * SSH signatures (git's gpg.format=ssh): checked by ssh-keygen -Y, as git
 * does, run with an argv (no shell) and a minimal environment. The
 * signature, the payload and ssh-keygen's replies pass through files in
 * our private temp folder, so no pipe can deadlock.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/fs.h"
#include "util/limits.h"
#include "verify/internal.h"

typedef struct run_result {
	int status;  /* exit code, or -1 when it could not run */
	tr_buf out;
	tr_buf err;
} run_result;

/* Runs argv with stdin from `in` (NULL = /dev/null) and collects stdout
 * and stderr. Returns -1 only when the program could not be started. */
static int run(run_result *res, tr_verify *v, char *const argv[],
	       const char *in)
{
	static char *const envp[] = {"LC_ALL=C", NULL};
	posix_spawn_file_actions_t fa;
	tr_buf out_path = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	tr_buf err_path = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	pid_t pid;
	int status, error = -1;

	res->status = -1;
	if (tr_verify__scratch(&out_path, v, "stdout") < 0 ||
	    tr_verify__scratch(&err_path, v, "stderr") < 0)
		goto done;
	if (posix_spawn_file_actions_init(&fa) != 0)
		goto done;
	if (posix_spawn_file_actions_addopen(&fa, 0, in ? in : "/dev/null",
					     O_RDONLY, 0) != 0 ||
	    posix_spawn_file_actions_addopen(&fa, 1, out_path.ptr,
					     O_WRONLY | O_CREAT | O_EXCL,
					     0600) != 0 ||
	    posix_spawn_file_actions_addopen(&fa, 2, err_path.ptr,
					     O_WRONLY | O_CREAT | O_EXCL,
					     0600) != 0 ||
	    posix_spawnp(&pid, argv[0], &fa, NULL, argv, envp) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		goto done;
	}
	posix_spawn_file_actions_destroy(&fa);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			goto done;
	/* posix_spawnp reports a missing program as exit 127. */
	if (!WIFEXITED(status) || WEXITSTATUS(status) == 127)
		goto done;
	res->status = WEXITSTATUS(status);
	(void)tr_fs_read_file(&res->out, out_path.ptr, TR_MAX_TOOL_OUTPUT_BYTES);
	(void)tr_fs_read_file(&res->err, err_path.ptr, TR_MAX_TOOL_OUTPUT_BYTES);
	error = 0;
done:
	if (out_path.len)
		(void)unlink(out_path.ptr);
	if (err_path.len)
		(void)unlink(err_path.ptr);
	tr_buf_dispose(&out_path);
	tr_buf_dispose(&err_path);
	return error;
}

static void run_init(run_result *r)
{
	r->status = -1;
	tr_buf_init(&r->out, TR_MAX_TOOL_OUTPUT_BYTES);
	tr_buf_init(&r->err, TR_MAX_TOOL_OUTPUT_BYTES);
}

static void run_dispose(run_result *r)
{
	tr_buf_dispose(&r->out);
	tr_buf_dispose(&r->err);
}

/* The line of ssh-keygen's stderr that holds `word` (its verdict comes
 * before a generic "No principal matched."), else its first line. */
static void line_with(tr_buf *out, const tr_buf *text, const char *word)
{
	const char *t = tr_buf_cstr(text), *at = strstr(t, word), *start;

	start = at ? at : t;
	while (start > t && start[-1] != '\n')
		start--;
	if (tr_buf_put(out, start, strcspn(start, "\r\n")) < 0)
		tr_buf_clear(out);
}

static int rd_u32(const unsigned char **p, const unsigned char *end,
		  uint32_t *out)
{
	if (end - *p < 4)
		return -1;
	*out = (uint32_t)(*p)[0] << 24 | (uint32_t)(*p)[1] << 16 |
	       (uint32_t)(*p)[2] << 8 | (uint32_t)(*p)[3];
	*p += 4;
	return 0;
}

/*
 * The armored blob is "SSHSIG", version, then the signer's public key as
 * an SSH string (PROTOCOL.sshsig); its fingerprint is what ssh-keygen
 * prints: SHA256 in base64 without padding.
 */
int tr_verify__ssh_fingerprint(tr_buf *out, tr_buf *key_type,
			       const char *sig, size_t sig_len)
{
	tr_buf b64 = TR_BUF_INIT(TR_MAX_SIGNATURE_BYTES);
	unsigned char *raw = NULL, digest[EVP_MAX_MD_SIZE];
	char text[4 * EVP_MAX_MD_SIZE];
	const unsigned char *p, *end, *key;
	unsigned int dlen = 0;
	uint32_t version, klen, tlen;
	size_t pad = 0, n;
	const char *body, *stop;
	int len, error = -1;

	body = memchr(sig, '\n', sig_len);
	stop = body ? strstr(body, "-----END SSH SIGNATURE-----") : NULL;
	if (!body || !stop || (size_t)(stop - sig) > sig_len)
		goto done;
	for (const char *c = body; c < stop; c++)
		if (*c != '\n' && *c != '\r' && *c != ' ' &&
		    tr_buf_putc(&b64, *c) < 0)
			goto done;
	if (b64.len == 0 || b64.len % 4)
		goto done;
	pad = (b64.ptr[b64.len - 1] == '=') + (b64.ptr[b64.len - 2] == '=');
	raw = tr_malloc(b64.len / 4 * 3 + 1);
	len = EVP_DecodeBlock(raw, (const unsigned char *)b64.ptr, (int)b64.len);
	if (len < 0 || (size_t)len < pad)
		goto done;
	n = (size_t)len - pad;
	p = raw;
	end = raw + n;
	if (n < 6 || memcmp(p, "SSHSIG", 6) != 0)
		goto done;
	p += 6;
	if (rd_u32(&p, end, &version) < 0 || rd_u32(&p, end, &klen) < 0 ||
	    (size_t)(end - p) < klen || klen < 4)
		goto done;
	key = p;
	if (EVP_Digest(key, klen, digest, &dlen, EVP_sha256(), NULL) != 1)
		goto done;
	len = EVP_EncodeBlock((unsigned char *)text, digest, (int)dlen);
	while (len > 0 && text[len - 1] == '=')
		len--;
	tr_buf_clear(out);
	if (tr_buf_puts(out, "SHA256:") < 0 ||
	    tr_buf_put(out, text, (size_t)len) < 0)
		goto done;
	if (key_type) {
		const unsigned char *q = key;

		if (rd_u32(&q, key + klen, &tlen) == 0 &&
		    (size_t)(key + klen - q) >= tlen &&
		    tr_buf_put(key_type, q, tlen) < 0)
			tr_buf_clear(key_type);
	}
	error = 0;
done:
	tr_free(raw);
	tr_buf_dispose(&b64);
	return error;
}

static int write_scratch(tr_buf *path, tr_verify *v, const char *what,
			 const char *data, size_t len)
{
	if (tr_verify__scratch(path, v, what) < 0)
		return TR_EIO;
	return tr_fs_write_file(path->ptr, data, len);
}

/* The first principal ssh-keygen -Y find-principals prints. */
static int first_principal(tr_buf *out, const tr_buf *text)
{
	size_t n = strcspn(text->ptr ? text->ptr : "", ",\n");

	tr_buf_clear(out);
	return n ? tr_buf_put(out, text->ptr, n) : -1;
}

int tr_verify__ssh_check(tr_verify_result *out, tr_verify *v,
			 const char *sig, size_t sig_len, const char *payload,
			 size_t payload_len)
{
	tr_buf sig_path = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	tr_buf data_path = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	run_result r;
	int error = TR_EIO;

	run_init(&r);
	if (write_scratch(&sig_path, v, "sig", sig, sig_len) < 0 ||
	    write_scratch(&data_path, v, "payload", payload, payload_len) < 0) {
		if (tr_buf_puts(&out->reason, "cannot write scratch files") < 0)
			tr_buf_clear(&out->reason);
		goto done;
	}
	{
		char *argv[] = {(char *)v->ssh_keygen, "-Y", "find-principals",
				"-f", v->allowed_signers, "-s", sig_path.ptr,
				NULL};

		if (run(&r, v, argv, NULL) < 0)
			goto cannot_run;
	}
	if (r.status != 0) {
		/* ssh-keygen says why on stderr: an expired entry, a key it
		 * cannot parse (a bad signature), or no match. */
		const char *e = tr_buf_cstr(&r.err);

		if (strstr(e, "expired") || strstr(e, "not yet valid"))
			out->status = TR_VERIFY_EXPIRED;
		else if (strstr(e, "Couldn't parse") || strstr(e, "invalid format"))
			out->status = TR_VERIFY_BAD;
		else
			out->status = TR_VERIFY_UNKNOWN_KEY;
		if (out->status == TR_VERIFY_UNKNOWN_KEY) {
			if (tr_buf_puts(&out->reason, "signed by an SSH key "
					"that is not in the allowed signers") < 0)
				tr_buf_clear(&out->reason);
		} else {
			line_with(&out->reason, &r.err,
				  out->status == TR_VERIFY_EXPIRED ? "valid"
								   : "parse");
		}
		error = 0;
		goto done;
	}
	if (first_principal(&out->signer, &r.out) < 0) {
		out->status = TR_VERIFY_UNKNOWN_KEY;
		if (tr_buf_puts(&out->reason, "no principal for the key") < 0)
			tr_buf_clear(&out->reason);
		error = 0;
		goto done;
	}
	run_dispose(&r);
	run_init(&r);
	{
		char *argv[] = {(char *)v->ssh_keygen, "-Y", "verify", "-f",
				v->allowed_signers, "-I", out->signer.ptr,
				"-n", "git", "-s", sig_path.ptr, NULL};

		if (run(&r, v, argv, data_path.ptr) < 0)
			goto cannot_run;
	}
	if (r.status == 0) {
		out->status = TR_VERIFY_GOOD;
	} else {
		const char *e = tr_buf_cstr(&r.err);

		out->status = strstr(e, "expired") ? TR_VERIFY_EXPIRED
						   : TR_VERIFY_BAD;
		if (tr_buf_puts(&out->reason, out->status == TR_VERIFY_BAD
				? "the signature does not match the commit "
				  "(changed after signing?): "
				: "") < 0)
			tr_buf_clear(&out->reason);
		/* "Signature verification failed: incorrect signature" is
		 * the useful line; "Could not verify signature." follows. */
		if (tr_buf_put(&out->reason, e, strcspn(e, "\n")) < 0)
			tr_buf_clear(&out->reason);
	}
	error = 0;
	goto done;
cannot_run:
	tr_buf_clear(&out->reason);
	if (tr_buf_printf(&out->reason, "cannot run '%s' (openssh-client) to "
			  "check an SSH signature", v->ssh_keygen) < 0)
		tr_buf_clear(&out->reason);
done:
	if (sig_path.len)
		(void)unlink(sig_path.ptr);
	if (data_path.len)
		(void)unlink(data_path.ptr);
	tr_buf_dispose(&sig_path);
	tr_buf_dispose(&data_path);
	run_dispose(&r);
	return error;
}

int tr_verify__ssh_listed(tr_verify *v, const char *sig, size_t sig_len,
			  const char *allowed, size_t allowed_len)
{
	tr_buf sig_path = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	tr_buf list_path = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	run_result r;
	int listed = -1;

	run_init(&r);
	if (write_scratch(&sig_path, v, "sig", sig, sig_len) < 0 ||
	    write_scratch(&list_path, v, "allowed", allowed, allowed_len) < 0)
		goto done;
	{
		char *argv[] = {(char *)v->ssh_keygen, "-Y", "find-principals",
				"-f", list_path.ptr, "-s", sig_path.ptr, NULL};

		if (run(&r, v, argv, NULL) < 0)
			goto done;
	}
	listed = r.status == 0;
done:
	if (sig_path.len)
		(void)unlink(sig_path.ptr);
	if (list_path.len)
		(void)unlink(list_path.ptr);
	tr_buf_dispose(&sig_path);
	tr_buf_dispose(&list_path);
	run_dispose(&r);
	return listed;
}
