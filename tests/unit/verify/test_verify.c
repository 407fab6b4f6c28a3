/*
 * Commit signatures, module by module: the trust root (src/verify/verify.c),
 * OpenPGP through GPGME (gpg.c) and SSH through ssh-keygen -Y (ssh.c), on
 * keys and signatures that the real gpg and ssh-keygen make for each run
 * (make-keys.sh). The e2e test test_signed_commits checks the same through
 * git and the binary; this one pins the module's own answers: status,
 * kind, signer, key and reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag/diag.h"
#include "util/buf.h"
#include "util/fs.h"
#include "verify/verify.h"

static char scratch[512];  /* keys, signatures, the payload */
static char tmp_dir[600];  /* where tr_verify makes its private folders */

static char *path_of(const char *name)
{
	static char p[4][700];
	static unsigned next;
	char *out = p[next++ % 4];

	snprintf(out, sizeof(p[0]), "%s/%s", scratch, name);
	return out;
}

/* A file the keys script made, whole; the test fails when it is missing. */
static void read_made(tr_buf *out, const char *name)
{
	tr_buf_clear(out);
	if (tr_fs_read_file(out, path_of(name), 1 << 20) < 0)
		fail_msg("make-keys.sh did not make %s", name);
}

static int make_keys(void **state)
{
	const char *src = getenv("TRELLIS_SOURCE_DIR");
	const char *tmp = getenv("TMPDIR");
	char cmd[1400];

	(void)state;
	snprintf(scratch, sizeof(scratch), "%s/trellis-test-verify-XXXXXX",
		 tmp ? tmp : "/tmp");
	if (!src || !mkdtemp(scratch)) {
		fprintf(stderr, "test_verify: no TRELLIS_SOURCE_DIR or scratch\n");
		return -1;
	}
	snprintf(tmp_dir, sizeof(tmp_dir), "%s/tmp", scratch);
	snprintf(cmd, sizeof(cmd),
		 "bash '%s/tests/unit/verify/make-keys.sh' '%s' && mkdir '%s'",
		 src, scratch, tmp_dir);
	/* A missing gpg or ssh-keygen is a failure (ci/install-deps has
	 * them), never a skip. */
	return system(cmd) == 0 ? 0 : -1;
}

static int remove_keys(void **state)
{
	(void)state;
	(void)tr_fs_remove_tree(scratch);
	return 0;
}

static size_t entries_in(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* The trust root of the operator: alice and carol (OpenPGP), bob and old
 * (SSH). */
static tr_verify *trust_root(void)
{
	tr_verify_options opts = {0};
	tr_verify *v = NULL;
	tr_diag diag;

	tr_diag_init(&diag);
	opts.keys = path_of("trust");
	opts.allowed_signers = path_of("allowed_signers");
	opts.tmp_dir = tmp_dir;
	assert_int_equal(tr_verify_new(&v, &opts, &diag), 0);
	assert_int_equal(diag.count, 0);
	tr_diag_dispose(&diag);
	assert_non_null(v);
	return v;
}

/* Checks `sig_file` (NULL: unsigned) over the payload, or over the
 * payload with one character changed when `tamper`. */
static void check(tr_verify_result *res, tr_verify *v, const char *sig_file,
		  bool tamper)
{
	tr_buf sig = TR_BUF_INIT(1 << 20), payload = TR_BUF_INIT(1 << 20);

	read_made(&payload, "payload");
	if (tamper)
		payload.ptr[payload.len - 2] ^= 1;
	if (sig_file)
		read_made(&sig, sig_file);
	assert_int_equal(tr_verify_check(res, v, sig_file ? sig.ptr : NULL,
					 sig.len, payload.ptr, payload.len),
			 0);
	tr_buf_dispose(&sig);
	tr_buf_dispose(&payload);
}

static void expect_trust_root_error(const tr_verify_options *opts,
				    const char *file, const char *message)
{
	static char not_null;
	tr_verify *v = (tr_verify *)(void *)&not_null; /* must become NULL */
	tr_diag diag;

	tr_diag_init(&diag);
	assert_int_equal(tr_verify_new(&v, opts, &diag), TR_EINVALID);
	assert_null(v);
	assert_int_equal(diag.count, 1);
	assert_string_equal(diag.entries[0].rule, "verify.trust-root");
	if (file)
		assert_string_equal(diag.entries[0].file, file);
	else
		assert_null(diag.entries[0].file);
	assert_non_null(strstr(diag.entries[0].message, message));
	tr_diag_dispose(&diag);
	/* nothing is left behind by a trust root that failed to load */
	assert_int_equal(entries_in(tmp_dir), 0);
}

static void a_trust_root_must_hold_keys(void **state)
{
	tr_verify_options opts = {0};

	(void)state;
	opts.tmp_dir = tmp_dir;
	expect_trust_root_error(&opts, NULL, "--verify-keys");
	opts.keys = path_of("no-such-file.asc");
	expect_trust_root_error(&opts, path_of("no-such-file.asc"),
				"cannot read");
	opts.keys = path_of("payload"); /* a file, but no key in it */
	expect_trust_root_error(&opts, path_of("payload"), "");
	opts.keys = path_of("empty");
	expect_trust_root_error(&opts, path_of("empty"), "");
	opts.keys = NULL;
	opts.allowed_signers = path_of("payload");
	expect_trust_root_error(&opts, path_of("payload"), "lists no SSH key");
}

static void openpgp_good_bad_unknown_revoked(void **state)
{
	tr_verify *v = trust_root();
	tr_verify_result res;

	(void)state;
	tr_verify_result_init(&res);

	check(&res, v, "payload.alice.asc", false);
	assert_int_equal(res.status, TR_VERIFY_GOOD);
	assert_int_equal(res.kind, TR_SIG_OPENPGP);
	assert_non_null(strstr(tr_buf_cstr(&res.signer), "alice@example.com"));
	assert_int_equal(res.key.len, 40); /* a v4 fingerprint, hex */

	check(&res, v, "payload.alice.asc", true);
	assert_int_equal(res.status, TR_VERIFY_BAD);
	assert_true(res.reason.len > 0);

	check(&res, v, "payload.mallory.asc", false);
	assert_int_equal(res.status, TR_VERIFY_UNKNOWN_KEY);
	assert_int_equal(res.kind, TR_SIG_OPENPGP);

	check(&res, v, "payload.carol.asc", false);
	assert_int_equal(res.status, TR_VERIFY_REVOKED);

	tr_verify_result_dispose(&res);
	tr_verify_free(v);
}

static void ssh_good_bad_unknown_expired(void **state)
{
	tr_verify *v = trust_root();
	tr_verify_result res;

	(void)state;
	tr_verify_result_init(&res);

	check(&res, v, "payload.bob.sig", false);
	assert_int_equal(res.status, TR_VERIFY_GOOD);
	assert_int_equal(res.kind, TR_SIG_SSH);
	assert_string_equal(tr_buf_cstr(&res.signer), "bob@example.com");
	assert_memory_equal(tr_buf_cstr(&res.key), "SHA256:", 7);

	check(&res, v, "payload.bob.sig", true);
	assert_int_equal(res.status, TR_VERIFY_BAD);

	check(&res, v, "payload.sam.sig", false);
	assert_int_equal(res.status, TR_VERIFY_UNKNOWN_KEY);
	/* the key is named even when it is not trusted */
	assert_memory_equal(tr_buf_cstr(&res.key), "SHA256:", 7);

	check(&res, v, "payload.old.sig", false);
	assert_int_equal(res.status, TR_VERIFY_EXPIRED);

	tr_verify_result_dispose(&res);
	tr_verify_free(v);
}

static void unsigned_and_foreign_signatures(void **state)
{
	static const char x509[] = "-----BEGIN SIGNED MESSAGE-----\nMIIB\n"
				   "-----END SIGNED MESSAGE-----\n";
	tr_verify *v = trust_root();
	tr_verify_result res;

	(void)state;
	tr_verify_result_init(&res);
	check(&res, v, NULL, false);
	assert_int_equal(res.status, TR_VERIFY_UNSIGNED);
	assert_int_equal(res.kind, TR_SIG_NONE);

	assert_int_equal(tr_verify_check(&res, v, x509, sizeof(x509) - 1,
					 "payload", 7),
			 0);
	assert_int_equal(res.status, TR_VERIFY_BAD);
	assert_int_equal(res.kind, TR_SIG_OTHER);
	assert_non_null(strstr(tr_buf_cstr(&res.reason), "X.509"));
	tr_verify_result_dispose(&res);
	tr_verify_free(v);
}

/* A trust root of one kind only says so for a signature of the other. */
static void one_kind_of_trust_root(void **state)
{
	tr_verify_options opts = {0};
	tr_verify *v = NULL;
	tr_verify_result res;
	tr_diag diag;

	(void)state;
	tr_diag_init(&diag);
	tr_verify_result_init(&res);
	opts.allowed_signers = path_of("allowed_signers");
	opts.tmp_dir = tmp_dir;
	assert_int_equal(tr_verify_new(&v, &opts, &diag), 0);
	check(&res, v, "payload.alice.asc", false);
	assert_int_equal(res.status, TR_VERIFY_UNKNOWN_KEY);
	assert_non_null(strstr(tr_buf_cstr(&res.reason), "--verify-keys"));
	tr_verify_free(v);

	opts.allowed_signers = NULL;
	opts.keys = path_of("alice.asc"); /* one file, not a folder */
	assert_int_equal(tr_verify_new(&v, &opts, &diag), 0);
	check(&res, v, "payload.bob.sig", false);
	assert_int_equal(res.status, TR_VERIFY_UNKNOWN_KEY);
	assert_non_null(strstr(tr_buf_cstr(&res.reason), "--allowed-signers"));
	check(&res, v, "payload.alice.asc", false);
	assert_int_equal(res.status, TR_VERIFY_GOOD);
	tr_verify_free(v);
	assert_int_equal(diag.count, 0);
	tr_verify_result_dispose(&res);
	tr_diag_dispose(&diag);
}

/* A repository's trellis.yaml may narrow the operator's trust root, never
 * widen it. */
static void narrowing_by_the_repository(void **state)
{
	tr_verify *v = trust_root();
	tr_verify_result res;
	tr_buf sig = TR_BUF_INIT(1 << 20), keys = TR_BUF_INIT(1 << 20);
	tr_buf allowed = TR_BUF_INIT(1 << 20);

	(void)state;
	tr_verify_result_init(&res);
	read_made(&keys, "alice.asc");
	read_made(&allowed, "bob.allowed");

	/* alice is allowed by the folder's keys */
	read_made(&sig, "payload.alice.asc");
	check(&res, v, "payload.alice.asc", false);
	assert_int_equal(tr_verify_narrow(&res, v, sig.ptr, sig.len, keys.ptr,
					  keys.len, NULL, 0, "clusters/a"),
			 0);
	assert_int_equal(res.status, TR_VERIFY_GOOD);
	/* ... not by an allowed-signers list of SSH keys only */
	assert_int_equal(tr_verify_narrow(&res, v, sig.ptr, sig.len, NULL, 0,
					  allowed.ptr, allowed.len,
					  "clusters/a"),
			 0);
	assert_int_equal(res.status, TR_VERIFY_NOT_ALLOWED);
	assert_non_null(strstr(tr_buf_cstr(&res.reason), "'clusters/a'"));
	assert_non_null(strstr(tr_buf_cstr(&res.reason),
			       "verify.allowedSigners"));

	/* bob is allowed by the SSH list; nothing given: nothing narrowed */
	read_made(&sig, "payload.bob.sig");
	check(&res, v, "payload.bob.sig", false);
	assert_int_equal(tr_verify_narrow(&res, v, sig.ptr, sig.len, NULL, 0,
					  allowed.ptr, allowed.len, "b"),
			 0);
	assert_int_equal(res.status, TR_VERIFY_GOOD);
	assert_int_equal(tr_verify_narrow(&res, v, sig.ptr, sig.len, NULL, 0,
					  NULL, 0, "b"),
			 0);
	assert_int_equal(res.status, TR_VERIFY_GOOD);
	assert_int_equal(tr_verify_narrow(&res, v, sig.ptr, sig.len, keys.ptr,
					  keys.len, NULL, 0, "b"),
			 0);
	assert_int_equal(res.status, TR_VERIFY_NOT_ALLOWED);

	/* a signature that is not good stays what it was */
	read_made(&sig, "payload.sam.sig");
	check(&res, v, "payload.sam.sig", false);
	assert_int_equal(tr_verify_narrow(&res, v, sig.ptr, sig.len, NULL, 0,
					  allowed.ptr, allowed.len, "b"),
			 0);
	assert_int_equal(res.status, TR_VERIFY_UNKNOWN_KEY);

	tr_buf_dispose(&sig);
	tr_buf_dispose(&keys);
	tr_buf_dispose(&allowed);
	tr_verify_result_dispose(&res);
	tr_verify_free(v);
}

/* The private GnuPG home and scratch files go when the trust root goes. */
static void nothing_is_left_behind(void **state)
{
	tr_verify *v;
	tr_verify_result res;

	(void)state;
	assert_int_equal(entries_in(tmp_dir), 0);
	v = trust_root();
	assert_int_equal(entries_in(tmp_dir), 1);
	tr_verify_result_init(&res);
	check(&res, v, "payload.bob.sig", false);
	check(&res, v, "payload.alice.asc", false);
	tr_verify_result_dispose(&res);
	tr_verify_free(v);
	assert_int_equal(entries_in(tmp_dir), 0);
}

static void every_status_has_a_name(void **state)
{
	(void)state;
	for (int i = 0; i < TR_VERIFY_STATUS_COUNT; i++) {
		const char *name = tr_verify_status_name((tr_verify_status)i);

		assert_true(strlen(name) > 1);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(
				name, tr_verify_status_name((tr_verify_status)j));
	}
	assert_string_equal(tr_verify_status_name(TR_VERIFY_STATUS_COUNT), "?");
	assert_string_equal(tr_verify_kind_name(TR_SIG_SSH), "SSH");
	assert_string_equal(tr_verify_kind_name(TR_SIG_OPENPGP), "OpenPGP");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_trust_root_must_hold_keys),
		cmocka_unit_test(openpgp_good_bad_unknown_revoked),
		cmocka_unit_test(ssh_good_bad_unknown_expired),
		cmocka_unit_test(unsigned_and_foreign_signatures),
		cmocka_unit_test(one_kind_of_trust_root),
		cmocka_unit_test(narrowing_by_the_repository),
		cmocka_unit_test(nothing_is_left_behind),
		cmocka_unit_test(every_status_has_a_name),
	};

	return cmocka_run_group_tests(tests, make_keys, remove_keys);
}
