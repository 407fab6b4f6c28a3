#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/redact.h"
#include "util/str.h"

static void buf_respects_its_cap(void **state)
{
	tr_buf b = TR_BUF_INIT(8);
	(void)state;

	assert_int_equal(tr_buf_puts(&b, "abcd"), 0);
	assert_int_equal(tr_buf_printf(&b, "%d", 1234), 0);
	assert_string_equal(tr_buf_cstr(&b), "abcd1234");
	assert_int_equal(tr_buf_putc(&b, 'x'), TR_ETOOLARGE);
	assert_string_equal(tr_buf_cstr(&b), "abcd1234");
	tr_buf_dispose(&b);
}

static void buf_detach_leaves_empty(void **state)
{
	tr_buf b = TR_BUF_INIT(64);
	char *s;
	(void)state;

	assert_string_equal(tr_buf_cstr(&b), "");
	assert_int_equal(tr_buf_puts(&b, "hello"), 0);
	s = tr_buf_detach(&b);
	assert_string_equal(s, "hello");
	assert_int_equal(b.len, 0);
	tr_free(s);
	tr_buf_dispose(&b);
}

static void redact_url_hides_userinfo_secrets(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"https://user:s3cret@example.com/org/repo.git",
		 "https://user:***@example.com/org/repo.git"},
		{"https://ghp_token123@example.com/r.git",
		 "https://***@example.com/r.git"},
		{"https://example.com/r.git", "https://example.com/r.git"},
		{"git@github.com:org/repo.git", "git@github.com:org/repo.git"},
		{"https://u:p@ss@host/x@y", "https://u:***@host/x@y"},
		{"/local/path", "/local/path"},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tr_buf b = TR_BUF_INIT(1024);
		assert_int_equal(tr_redact_url(&b, cases[i].in), 0);
		assert_string_equal(tr_buf_cstr(&b), cases[i].out);
		tr_buf_dispose(&b);
	}
}

static void redactor_scrubs_every_occurrence(void **state)
{
	tr_redactor r;
	tr_buf b = TR_BUF_INIT(1024);
	(void)state;

	tr_redactor_init(&r);
	tr_redactor_add(&r, "SECRETVALUE");
	tr_redactor_add(&r, "abc"); /* too short to be a secret: ignored */
	assert_int_equal(tr_buf_puts(&b, "x SECRETVALUE y SECRETVALUEabc"), 0);
	assert_int_equal(tr_redactor_scrub(&r, &b), 0);
	assert_string_equal(tr_buf_cstr(&b), "x *** y ***abc");
	tr_redactor_dispose(&r);
	tr_buf_dispose(&b);
}

static void str_distance_and_integers(void **state)
{
	int64_t v = 0;
	(void)state;

	assert_int_equal(tr_str_distance("hostname", "hostnames", 3), 1);
	assert_int_equal(tr_str_distance("kind", "knid", 3), 2);
	assert_int_equal(tr_str_distance("a", "abcdef", 3), 3);
	assert_int_equal(tr_str_to_i64(&v, "42", 0, 100), 0);
	assert_int_equal(v, 42);
	assert_int_equal(tr_str_to_i64(&v, "42x", 0, 100), TR_EINVALID);
	assert_int_equal(tr_str_to_i64(&v, "101", 0, 100), TR_EINVALID);
	assert_int_equal(tr_str_to_i64(&v, "", 0, 100), TR_EINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buf_respects_its_cap),
		cmocka_unit_test(buf_detach_leaves_empty),
		cmocka_unit_test(redact_url_hides_userinfo_secrets),
		cmocka_unit_test(redactor_scrubs_every_occurrence),
		cmocka_unit_test(str_distance_and_integers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
