/* Interned strings (util/intern.h) and the arena they live in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdalign.h>
#include <stdio.h>
#include <string.h>

#include "util/arena.h"
#include "util/intern.h"

static void equal_texts_share_one_copy(void **state)
{
	tr_arena arena;
	tr_intern t;
	char buf[8] = "name";
	const char *a, *b, *c, *empty;
	(void)state;

	tr_arena_init(&arena);
	tr_intern_init(&t);
	a = tr_intern_get(&t, &arena, "name", 4);
	b = tr_intern_get(&t, &arena, buf, 4);
	c = tr_intern_get(&t, &arena, "namespace", 4); /* a prefix: "name" */
	empty = tr_intern_get(&t, &arena, "", 0);
	assert_ptr_equal(a, b);
	assert_ptr_equal(a, c);
	assert_ptr_not_equal(a, buf); /* a copy, not the caller's bytes */
	assert_string_equal(a, "name");
	assert_ptr_not_equal(a, tr_intern_get(&t, &arena, "namespace", 9));
	assert_string_equal(empty, "");
	assert_ptr_equal(empty, tr_intern_get(&t, &arena, "", 0));
	assert_int_equal(t.count, 3);
	tr_intern_dispose(&t);
	tr_arena_dispose(&arena);
}

static void texts_differing_after_a_nul_byte_differ(void **state)
{
	tr_arena arena;
	tr_intern t;
	const char *a, *b;
	(void)state;

	tr_arena_init(&arena);
	tr_intern_init(&t);
	a = tr_intern_get(&t, &arena, "k\0a", 3);
	b = tr_intern_get(&t, &arena, "k\0b", 3);
	assert_ptr_not_equal(a, b);
	assert_int_equal(memcmp(a, "k\0a", 4), 0); /* NUL-terminated too */
	assert_ptr_equal(a, tr_intern_get(&t, &arena, "k\0a", 3));
	assert_ptr_not_equal(a, tr_intern_get(&t, &arena, "k", 1));
	tr_intern_dispose(&t);
	tr_arena_dispose(&arena);
}

static void grows_and_keeps_every_pointer(void **state)
{
	enum { N = 30000 };
	static const char *first[N];
	tr_arena arena;
	tr_intern t;
	char s[32];
	(void)state;

	tr_arena_init(&arena);
	tr_intern_init(&t);
	for (int i = 0; i < N; i++) {
		int len = snprintf(s, sizeof(s), "route-%d", i);
		first[i] = tr_intern_get(&t, &arena, s, (size_t)len);
	}
	assert_int_equal(t.count, N);
	for (int i = 0; i < N; i++) {
		int len = snprintf(s, sizeof(s), "route-%d", i);
		assert_ptr_equal(tr_intern_get(&t, &arena, s, (size_t)len),
				 first[i]);
		assert_string_equal(first[i], s);
	}
	assert_int_equal(t.count, N);
	tr_intern_dispose(&t);
	tr_arena_dispose(&arena);
}

static void strings_pack_and_allocations_stay_aligned(void **state)
{
	tr_arena arena;
	const char *a, *b;
	unsigned char *p;
	(void)state;

	tr_arena_init(&arena);
	a = tr_arena_strndup(&arena, "abc", 3);
	b = tr_arena_strndup(&arena, "de", 2);
	/* Strings take the bytes they need, not a 16-byte slot each. */
	assert_ptr_equal(b, a + 4);
	assert_string_equal(a, "abc");
	assert_string_equal(b, "de");
	p = tr_arena_alloc(&arena, 24);
	assert_int_equal((uintptr_t)p % alignof(max_align_t), 0);
	for (size_t i = 0; i < 24; i++)
		assert_int_equal(p[i], 0);
	/* Larger than a block, then small ones again. */
	p = tr_arena_alloc(&arena, 200 * 1024);
	assert_int_equal((uintptr_t)p % alignof(max_align_t), 0);
	p[200 * 1024 - 1] = 1;
	a = tr_arena_strndup(&arena, "x", 1);
	assert_string_equal(a, "x");
	tr_arena_dispose(&arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(equal_texts_share_one_copy),
		cmocka_unit_test(texts_differing_after_a_nul_byte_differ),
		cmocka_unit_test(grows_and_keeps_every_pointer),
		cmocka_unit_test(strings_pack_and_allocations_stay_aligned),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
