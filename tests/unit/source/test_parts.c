/* The module's pure parts, table-driven: URL splitting, path cleaning,
 * libgit2 message scrubbing, known_hosts matching and base64. */
#include "fixture.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "source/internal.h"
#include "util/errors.h"

static void urls_are_split_and_secrets_kept_out(void **state)
{
	static const struct {
		const char *in;
		int scheme;
		const char *clean, *display, *user, *password, *host;
		int port;
	} cases[] = {
		{"https://user:s3cr%40t@git.example.com/org/repo.git",
		 TR_SCHEME_HTTPS, "https://git.example.com/org/repo.git",
		 "https://user:***@git.example.com/org/repo.git", "user",
		 "s3cr@t", "git.example.com", 0},
		{"https://ghp_TOKEN@github.com:8443/o/r", TR_SCHEME_HTTPS,
		 "https://github.com:8443/o/r", "https://***@github.com:8443/o/r",
		 "ghp_TOKEN", NULL, "github.com", 8443},
		{"http://[::1]:8080/r.git", TR_SCHEME_HTTP,
		 "http://[::1]:8080/r.git", "http://[::1]:8080/r.git", NULL, NULL,
		 "::1", 8080},
		{"ssh://git:pw@host.example:2222/srv/r.git", TR_SCHEME_SSH,
		 "ssh://git@host.example:2222/srv/r.git",
		 "ssh://git:***@host.example:2222/srv/r.git", "git", "pw",
		 "host.example", 2222},
		{"ssh://host/r.git", TR_SCHEME_SSH, "ssh://host/r.git",
		 "ssh://host/r.git", NULL, NULL, "host", 0},
		{"git@github.com:org/repo.git", TR_SCHEME_SSH,
		 "git@github.com:org/repo.git", "git@github.com:org/repo.git",
		 "git", NULL, "github.com", 0},
		{"github.com:org/repo.git", TR_SCHEME_SSH,
		 "github.com:org/repo.git", "github.com:org/repo.git", NULL, NULL,
		 "github.com", 0},
		{"file:///srv/git/r.git", TR_SCHEME_FILE, "file:///srv/git/r.git",
		 "file:///srv/git/r.git", NULL, NULL, NULL, 0},
		{"git://example.com/r.git", TR_SCHEME_GIT, "git://example.com/r.git",
		 "git://example.com/r.git", NULL, NULL, "example.com", 0},
		{"./clusters", TR_SCHEME_LOCAL, NULL, NULL, NULL, NULL, NULL, 0},
		{"/abs/dir:with/colon", TR_SCHEME_LOCAL, NULL, NULL, NULL, NULL,
		 NULL, 0},
		{"C:/windows", TR_SCHEME_LOCAL, NULL, NULL, NULL, NULL, NULL, 0},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tr_source__url u;

		assert_int_equal(tr_source__url_parse(&u, cases[i].in), 0);
		assert_int_equal(u.scheme, cases[i].scheme);
		if (cases[i].scheme != TR_SCHEME_LOCAL) {
			assert_string_equal(u.clean, cases[i].clean);
			assert_string_equal(u.display, cases[i].display);
		}
#define OPT_STR(field)                                                   \
	do {                                                             \
		if (cases[i].field)                                      \
			assert_string_equal(u.field, cases[i].field);    \
		else                                                     \
			assert_null(u.field);                            \
	} while (0)
		OPT_STR(user);
		OPT_STR(password);
		OPT_STR(host);
#undef OPT_STR
		assert_int_equal(u.port, cases[i].port);
		tr_source__url_dispose(&u);
	}
}

static void bad_urls_are_refused(void **state)
{
	static const char *const bad[] = {
		"ftp://example.com/r.git", "https://host:99999/r.git",
		"https://host:12ab/r.git", "https://[::1/r.git"};
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tr_source__url u;

		assert_true(tr_source__url_parse(&u, bad[i]) < 0);
		assert_null(u.clean);
	}
}

static void paths_are_cleaned_or_refused(void **state)
{
	static const struct {
		const char *in, *out;
		int rc;
	} cases[] = {
		{NULL, "", 0},
		{"", "", 0},
		{".", "", 0},
		{"./", "", 0},
		{"clusters/a", "clusters/a", 0},
		{"./clusters//a/./", "clusters/a", 0},
		{"a..b/c", "a..b/c", 0},
		{"..", NULL, TR_EINVALID},
		{"a/../b", NULL, TR_EINVALID},
		{"/etc", NULL, TR_EINVALID},
		{".git", NULL, TR_EINVALID},
		{"a/.b/c", NULL, TR_EINVALID},
		{"a/b./c", "a/b./c", 0},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tr_buf b = TR_BUF_INIT(4096);

		assert_int_equal(tr_source__clean_path(&b, cases[i].in),
				 cases[i].rc);
		if (cases[i].out)
			assert_string_equal(tr_buf_cstr(&b), cases[i].out);
		tr_buf_dispose(&b);
	}
}

static void manifest_names(void **state)
{
	(void)state;
	assert_true(tr_source__is_manifest_name("a.yaml"));
	assert_true(tr_source__is_manifest_name("a.yml"));
	assert_true(tr_source__is_manifest_name("a.json"));
	assert_false(tr_source__is_manifest_name("a.yaml.bak"));
	assert_false(tr_source__is_manifest_name("yaml"));
	assert_false(tr_source__is_manifest_name("a.txt"));
}

static void git_messages_lose_urls_secrets_and_newlines(void **state)
{
	tr_redactor r;
	tr_buf out = TR_BUF_INIT(4096);
	(void)state;

	tr_redactor_init(&r);
	tr_redactor_add(&r, "hunter22");
	git_error_set_str(GIT_ERROR_NET,
			  "failed to connect to "
			  "https://bob:tok3n-XYZ@h.example/r.git: refused\n"
			  "retry with ssh://me:pw1234@h/r or give hunter22.");
	tr_source__git_error(&out, &r);
	assert_string_equal(tr_buf_cstr(&out),
			    "failed to connect to "
			    "https://bob:***@h.example/r.git: refused "
			    "retry with ssh://me:***@h/r or give ***");
	tr_buf_dispose(&out);
	tr_redactor_dispose(&r);
}

static void fail_scrubs_its_message(void **state)
{
	tr_redactor r;
	tr_diag d;
	(void)state;

	tr_redactor_init(&r);
	tr_diag_init(&d);
	tr_redactor_add(&r, "SECRET-CANARY");
	tr_source__fail(&d, &r, "source.unreachable", "x %s y",
			"SECRET-CANARY");
	assert_int_equal(d.count, 1);
	assert_string_equal(d.entries[0].message, "x *** y");
	assert_string_equal(d.entries[0].rule, "source.unreachable");
	tr_diag_dispose(&d);
	tr_redactor_dispose(&r);
}

static void base64_round_trips(void **state)
{
	static const struct {
		const char *raw, *padded, *bare;
	} cases[] = {
		{"", "", ""},
		{"f", "Zg==", "Zg"},
		{"fo", "Zm8=", "Zm8"},
		{"foo", "Zm9v", "Zm9v"},
		{"foob", "Zm9vYg==", "Zm9vYg"},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tr_buf b = TR_BUF_INIT(64);
		size_t n = strlen(cases[i].raw);

		assert_int_equal(tr_source__base64_encode(
					 &b, (const unsigned char *)cases[i].raw,
					 n, 1), 0);
		assert_string_equal(tr_buf_cstr(&b), cases[i].padded);
		tr_buf_clear(&b);
		assert_int_equal(tr_source__base64_encode(
					 &b, (const unsigned char *)cases[i].raw,
					 n, 0), 0);
		assert_string_equal(tr_buf_cstr(&b), cases[i].bare);
		tr_buf_clear(&b);
		assert_int_equal(tr_source__base64_decode(
					 &b, cases[i].padded,
					 strlen(cases[i].padded)), 0);
		assert_int_equal(b.len, n);
		assert_memory_equal(b.ptr ? b.ptr : "", cases[i].raw, n);
		tr_buf_dispose(&b);
	}
	{
		tr_buf b = TR_BUF_INIT(64);

		assert_int_equal(tr_source__base64_decode(&b, "Zm$v", 4), -1);
		tr_buf_dispose(&b);
	}
}

/* A hashed host field for `name` with a fixed salt. */
static void hashed(char *out, size_t n, const char *name)
{
	static const unsigned char salt[20] = "0123456789abcdefghij";
	unsigned char mac[20];
	unsigned int len = 0;
	tr_buf b = TR_BUF_INIT(256);

	assert_non_null(HMAC(EVP_sha1(), salt, 20, (const unsigned char *)name,
			     strlen(name), mac, &len));
	assert_int_equal(tr_buf_puts(&b, "|1|"), 0);
	assert_int_equal(tr_source__base64_encode(&b, salt, 20, 1), 0);
	assert_int_equal(tr_buf_putc(&b, '|'), 0);
	assert_int_equal(tr_source__base64_encode(&b, mac, len, 1), 0);
	snprintf(out, n, "%s", tr_buf_cstr(&b));
	tr_buf_dispose(&b);
}

static void known_hosts_matching(void **state)
{
	/* Two made-up key blobs; only their bytes matter here. */
	static const unsigned char key[] = "\0\0\0\x0bssh-ed25519-KEY-ONE";
	static const unsigned char other[] = "\0\0\0\x0bssh-ed25519-KEY-TWO";
	tr_buf k = TR_BUF_INIT(256), o = TR_BUF_INIT(256);
	char h22[128], h2222[128], text[2048];
	(void)state;

	assert_int_equal(tr_source__base64_encode(&k, key, sizeof(key) - 1, 1), 0);
	assert_int_equal(tr_source__base64_encode(&o, other, sizeof(other) - 1, 1), 0);
	hashed(h22, sizeof(h22), "git.example.com");
	hashed(h2222, sizeof(h2222), "[git.example.com]:2222");

	const struct {
		const char *fmt; /* %1$s = key, %2$s = other key */
		const char *host;
		int port;
		int want;
	} cases[] = {
		{"git.example.com ssh-ed25519 K\n", "git.example.com", 22, TR_HOSTKEY_MATCH},
		{"git.example.com ssh-ed25519 K\n", "git.example.com", 0, TR_HOSTKEY_MATCH},
		{"GIT.example.com ssh-ed25519 K c\r\n", "git.example.com", 0, TR_HOSTKEY_MATCH},
		{"a,git.example.com,b ssh-ed25519 K\n", "git.example.com", 22, TR_HOSTKEY_MATCH},
		{"*.example.com ssh-ed25519 K\n", "git.example.com", 22, TR_HOSTKEY_MATCH},
		{"git.example.co? ssh-ed25519 K\n", "git.example.com", 22, TR_HOSTKEY_MATCH},
		{"*.example.com,!git.example.com ssh-ed25519 K\n", "git.example.com", 22, TR_HOSTKEY_UNKNOWN},
		{"[git.example.com]:2222 ssh-ed25519 K\n", "git.example.com", 2222, TR_HOSTKEY_MATCH},
		{"[git.example.com]:2222 ssh-ed25519 K\n", "git.example.com", 22, TR_HOSTKEY_UNKNOWN},
		{"git.example.com ssh-ed25519 K\n", "git.example.com", 2222, TR_HOSTKEY_UNKNOWN},
		{"H22 ssh-ed25519 K\n", "git.example.com", 22, TR_HOSTKEY_MATCH},
		{"H2222 ssh-ed25519 K\n", "git.example.com", 2222, TR_HOSTKEY_MATCH},
		{"H22 ssh-ed25519 K\n", "other.example.com", 22, TR_HOSTKEY_UNKNOWN},
		{"git.example.com ssh-ed25519 O\n", "git.example.com", 22, TR_HOSTKEY_MISMATCH},
		{"git.example.com ssh-ed25519 O\ngit.example.com ssh-ed25519 K\n", "git.example.com", 22, TR_HOSTKEY_MATCH},
		{"@revoked git.example.com ssh-ed25519 K\ngit.example.com ssh-ed25519 K\n", "git.example.com", 22, TR_HOSTKEY_REVOKED},
		{"@cert-authority *.example.com ssh-ed25519 K\n", "git.example.com", 22, TR_HOSTKEY_UNKNOWN},
		{"# git.example.com ssh-ed25519 K\n\n   \n", "git.example.com", 22, TR_HOSTKEY_UNKNOWN},
		{"git.example.com ssh-ed25519\ngit.example.com\n", "git.example.com", 22, TR_HOSTKEY_UNKNOWN},
		{"git.example.com ssh-ed25519 !!notbase64!!\n", "git.example.com", 22, TR_HOSTKEY_UNKNOWN},
		{"", "git.example.com", 22, TR_HOSTKEY_UNKNOWN},
		{"g*t.*.c*m ssh-ed25519 K\n", "git.example.com", 22, TR_HOSTKEY_MATCH},
		{"*git*example*x ssh-ed25519 K\n", "git.example.com", 22, TR_HOSTKEY_UNKNOWN},
		{"*** ssh-ed25519 K\n", "git.example.com", 22, TR_HOSTKEY_MATCH},
		{"git.example.com* ssh-ed25519 K\n", "git.example.com", 22, TR_HOSTKEY_MATCH},
		/* Found by fuzz_source_url: many stars that cannot match took
		 * exponential time (a hang, from one line of known_hosts). */
		{"******************************x ssh-ed25519 K\n",
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.com", 22,
		 TR_HOSTKEY_UNKNOWN},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *p = cases[i].fmt;
		size_t n = 0;

		/* Expand K, O, H22, H2222 by hand (no format-nonliteral). */
		while (*p && n + 200 < sizeof(text)) {
			const char *rep = NULL;
			size_t skip = 1;

			if (strncmp(p, "H2222", 5) == 0)
				rep = h2222, skip = 5;
			else if (strncmp(p, "H22", 3) == 0)
				rep = h22, skip = 3;
			else if (*p == 'K' && (p[1] == '\n' || p[1] == ' '))
				rep = tr_buf_cstr(&k);
			else if (*p == 'O' && p[1] == '\n')
				rep = tr_buf_cstr(&o);
			if (rep) {
				n += (size_t)snprintf(text + n, sizeof(text) - n,
						      "%s", rep);
				p += skip;
			} else {
				text[n++] = *p++;
			}
		}
		text[n] = '\0';
		if (tr_source__known_hosts_check(text, n, cases[i].host,
						 cases[i].port, key,
						 sizeof(key) - 1) != cases[i].want)
			fail_msg("case %zu: %s", i, text);
	}
	tr_buf_dispose(&k);
	tr_buf_dispose(&o);
}

/* Found by fuzz_source_url: an empty key and a line whose key decodes to
 * nothing compared equal (memcmp of a NULL buffer, undefined behaviour).
 * No server key is empty; such a line must never count as a match. */
static void known_hosts_empty_key_never_matches(void **state)
{
	static const char text[] = "git.example.com ssh-ed25519 =\n";
	static const unsigned char key[] = "\0";
	(void)state;

	assert_int_equal(tr_source__known_hosts_check(text, sizeof(text) - 1,
						      "git.example.com", 22,
						      key, 0),
			 TR_HOSTKEY_MISMATCH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(urls_are_split_and_secrets_kept_out),
		cmocka_unit_test(bad_urls_are_refused),
		cmocka_unit_test(paths_are_cleaned_or_refused),
		cmocka_unit_test(manifest_names),
		cmocka_unit_test(git_messages_lose_urls_secrets_and_newlines),
		cmocka_unit_test(fail_scrubs_its_message),
		cmocka_unit_test(base64_round_trips),
		cmocka_unit_test(known_hosts_matching),
		cmocka_unit_test(known_hosts_empty_key_never_matches),
	};

	return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
