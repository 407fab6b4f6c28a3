/*
 * The caps of the saved-plan reader (src/util/limits.h), each at its
 * boundary: a plan file comes from outside (an artefact store, a pull
 * request), so its size, its number of changes and observed resources and
 * the nesting of its values are bounded, and the refusal names the file
 * and the field. The start is a real plan (`trellis plan --out` on the
 * example, one rule update) from the fuzz corpus.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "diag/diag.h"
#include "plan/plan.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/limits.h"

/* The real plan, parsed. */
static cJSON *saved_plan(void)
{
	const char *src = getenv("TRELLIS_SOURCE_DIR");
	tr_buf data = TR_BUF_INIT(1 << 20);
	char path[1024];
	cJSON *doc;

	assert_non_null(src);
	snprintf(path, sizeof(path),
		 "%s/tests/fuzz/corpus/planfile/update-rule.json", src);
	assert_int_equal(tr_fs_read_file(&data, path, 1 << 20), 0);
	doc = cJSON_ParseWithLength(data.ptr, data.len);
	assert_non_null(doc);
	tr_buf_dispose(&data);
	return doc;
}

/* Reads `text` (len bytes) as plan.json; returns the number of errors and
 * whether one of them says `message` (at field `path`, when given). */
static size_t read_plan(const char *text, size_t len, const char *message,
			const char *path, bool *said)
{
	tr_plan_file pf;
	tr_diag diag;
	size_t errors;

	tr_diag_init(&diag);
	(void)tr_plan_file_read(&pf, "plan.json", text, len, &diag);
	*said = false;
	for (size_t i = 0; i < diag.count; i++) {
		const tr_diag_entry *e = &diag.entries[i];

		assert_string_equal(e->file, "plan.json");
		if (strstr(e->message, message) &&
		    (!path || (e->path && strcmp(e->path, path) == 0)))
			*said = true;
	}
	errors = tr_diag_count(&diag, TR_SEV_ERROR);
	tr_plan_file_dispose(&pf);
	tr_diag_dispose(&diag);
	return errors;
}

static size_t read_doc(const cJSON *doc, const char *message,
		       const char *path, bool *said)
{
	char *text = cJSON_PrintUnformatted(doc);
	size_t errors;

	assert_non_null(text);
	errors = read_plan(text, strlen(text), message, path, said);
	cJSON_free(text);
	return errors;
}

static void the_start_is_a_good_plan(void **state)
{
	cJSON *doc = saved_plan();
	bool said;

	(void)state;
	assert_int_equal(read_doc(doc, "", NULL, &said), 0);
	cJSON_Delete(doc);
}

/* 128 MiB is read; one byte more is refused before parsing. */
static void size(void **state)
{
	size_t len = TR_MAX_PLANFILE_BYTES + 1;
	char *text = tr_malloc(len);
	bool said;

	(void)state;
	memset(text, ' ', len);
	memcpy(text + len - 3, "{}\n", 3);
	assert_true(read_plan(text, len, "larger than", NULL, &said) > 0);
	assert_true(said);
	/* at the cap: past the size check, refused for what it holds */
	assert_true(read_plan(text + 1, len - 1, "larger than", NULL, &said) >
		    0);
	assert_false(said);
	tr_free(text);
}

static void fill(cJSON *doc, const char *key, size_t n)
{
	cJSON *list = cJSON_CreateArray();

	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(list, cJSON_CreateNull());
	assert_true(cJSON_ReplaceItemInObjectCaseSensitive(doc, key, list));
}

/* A million changes (or observed resources) are read; one more is not. */
static void counts(void **state)
{
	static const char *const keys[] = {"changes", "observed"};
	bool said;

	(void)state;
	for (size_t k = 0; k < 2; k++) {
		cJSON *doc = saved_plan();

		fill(doc, keys[k], TR_MAX_PLANFILE_CHANGES + 1);
		assert_true(read_doc(doc, "more than 1000000 changes", NULL,
				     &said) > 0);
		assert_true(said);
		fill(doc, keys[k], TR_MAX_PLANFILE_CHANGES);
		/* each null is an error of its own, but not the count */
		assert_true(read_doc(doc, "more than 1000000 changes", NULL,
				     &said) > 0);
		assert_false(said);
		cJSON_Delete(doc);
	}
}

/* A value inside a change nested `levels` arrays deep. */
static cJSON *nested(size_t levels)
{
	cJSON *v = cJSON_CreateNumber(1);

	for (size_t i = 0; i < levels; i++) {
		cJSON *a = cJSON_CreateArray();

		cJSON_AddItemToArray(a, v);
		v = a;
	}
	return v;
}

/* Values nested 32 levels below a change's `after` are read; 33 are not. */
static void depth(void **state)
{
	bool said;

	(void)state;
	for (size_t levels = 30; levels <= 33; levels++) {
		cJSON *doc = saved_plan();
		cJSON *change = cJSON_GetArrayItem(
			cJSON_GetObjectItemCaseSensitive(doc, "changes"), 0);
		cJSON *after = cJSON_GetObjectItemCaseSensitive(change, "after");

		assert_non_null(after);
		/* `after` is level 0; the number ends at level levels + 1 */
		cJSON_AddItemToObject(after, "deep", nested(levels));
		(void)read_doc(doc, "nested deeper than 32 levels",
			       "changes[0]", &said);
		if (levels + 1 > TR_MAX_PLANFILE_DEPTH)
			assert_true(said);
		else
			assert_false(said);
		cJSON_Delete(doc);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_start_is_a_good_plan),
		cmocka_unit_test(size),
		cmocka_unit_test(counts),
		cmocka_unit_test(depth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
