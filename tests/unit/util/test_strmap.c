#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "util/strmap.h"

static void puts_gets_and_replaces(void **state)
{
	tr_strmap m;
	int a = 1, b = 2;
	(void)state;

	tr_strmap_init(&m);
	assert_null(tr_strmap_get(&m, "x"));
	tr_strmap_put(&m, "x", &a);
	tr_strmap_put(&m, "", &b);
	assert_ptr_equal(tr_strmap_get(&m, "x"), &a);
	assert_ptr_equal(tr_strmap_get(&m, ""), &b);
	tr_strmap_put(&m, "x", &b);
	assert_ptr_equal(tr_strmap_get(&m, "x"), &b);
	assert_int_equal(m.count, 2);
	tr_strmap_dispose(&m);
}

static void grows_past_many_keys(void **state)
{
	static int values[20000];
	tr_strmap m;
	char key[32];
	(void)state;

	tr_strmap_init(&m);
	for (int i = 0; i < 20000; i++) {
		snprintf(key, sizeof(key), "svc-%d", i);
		tr_strmap_put(&m, key, &values[i]);
	}
	assert_int_equal(m.count, 20000);
	for (int i = 0; i < 20000; i++) {
		snprintf(key, sizeof(key), "svc-%d", i);
		assert_ptr_equal(tr_strmap_get(&m, key), &values[i]);
	}
	assert_null(tr_strmap_get(&m, "svc-20000"));
	tr_strmap_dispose(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(puts_gets_and_replaces),
		cmocka_unit_test(grows_past_many_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
