/* util/str: the first non-ASCII code point, which look-alike messages name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/str.h"

static void finds_the_first_non_ascii_code_point(void **state)
{
	static const struct {
		const char *s;
		bool found;
		uint32_t cp;
		size_t pos;
	} cases[] = {
		{"", false, 0, 0},
		{"Gateway", false, 0, 0},
		{"G\xd0\xb0teway", true, 0x430, 2},             /* Cyrillic а */
		{"\xce\xbf", true, 0x3bf, 1},                   /* Greek ο */
		{"ab\xe2\x80\x8b", true, 0x200b, 3},            /* zero width space */
		{"x\xf0\x9d\x90\x9a", true, 0x1d41a, 2},        /* mathematical a */
		{"\xc3\xa9\xd0\xb0", true, 0xe9, 1},            /* the first one */
		{"a\xd0", true, 0x10, 2},                       /* cut: no overread */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t cp = 0;
		size_t pos = 0;

		assert_int_equal(tr_str_first_non_ascii(&cp, &pos, cases[i].s),
				 cases[i].found);
		if (!cases[i].found)
			continue;
		assert_int_equal(cp, cases[i].cp);
		assert_int_equal(pos, cases[i].pos);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(finds_the_first_non_ascii_code_point),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
