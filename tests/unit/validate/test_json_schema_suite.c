/*
 * Runs the official JSON-Schema-Test-Suite (draft 7, Debian package
 * json-schema-test-suite) against the schema engine: every case of every
 * file listed as supported must pass. What is not run is listed below with
 * the reason; nothing is skipped silently.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag/diag.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "validate/schema.h"

#ifndef TR_JSON_SCHEMA_SUITE_DIR
#define TR_JSON_SCHEMA_SUITE_DIR "/usr/share/json-schema-test-suite/tests/draft7"
#endif

typedef struct suite_file {
	const char *file;
	/* Compile leniently: the file's schemas carry keywords that are not
	 * keywords (ref.json puts "tilda~field" at the root to point into) or
	 * siblings of $ref that draft 7 ignores. */
	bool lenient;
	bool unknown_formats;
	/* Groups (by description) this engine does not support, with why. */
	const char *skip[4];
	const char *why;
} suite_file;

static const suite_file supported[] = {
	{"additionalItems.json", false, false, {0}, NULL},
	{"additionalProperties.json", false, false, {0}, NULL},
	{"allOf.json", false, false, {0}, NULL},
	{"anyOf.json", false, false, {0}, NULL},
	{"boolean_schema.json", false, false, {0}, NULL},
	{"const.json", false, false, {0}, NULL},
	{"contains.json", false, false, {0}, NULL},
	{"default.json", false, false, {0}, NULL},
	{"dependencies.json", false, false, {0}, NULL},
	{"enum.json", false, false, {0}, NULL},
	{"exclusiveMaximum.json", false, false, {0}, NULL},
	{"exclusiveMinimum.json", false, false, {0}, NULL},
	{"if-then-else.json", false, false, {0}, NULL},
	{"items.json", false, false, {0}, NULL},
	{"maxItems.json", false, false, {0}, NULL},
	{"maxLength.json", false, false, {0}, NULL},
	{"maxProperties.json", false, false, {0}, NULL},
	{"maximum.json", false, false, {0}, NULL},
	{"minItems.json", false, false, {0}, NULL},
	{"minLength.json", false, false, {0}, NULL},
	{"minProperties.json", false, false, {0}, NULL},
	{"minimum.json", false, false, {0}, NULL},
	{"multipleOf.json", false, false, {0}, NULL},
	{"not.json", false, false, {0}, NULL},
	{"oneOf.json", false, false, {0}, NULL},
	{"pattern.json", false, false, {0}, NULL},
	{"patternProperties.json", false, false, {0}, NULL},
	{"properties.json", false, false, {0}, NULL},
	{"propertyNames.json", false, false, {0}, NULL},
	{"ref.json", true, false,
	 {"remote ref, containing refs itself",
	  "Recursive references between schemas"},
	 "remote references and $id-relative references are not supported "
	 "(only local JSON pointers)"},
	{"required.json", false, false, {0}, NULL},
	{"type.json", false, false, {0}, NULL},
	{"uniqueItems.json", false, false, {0}, NULL},
	/* Numbers beyond int64 become doubles; the file's cases hold. */
	{"optional/bignum.json", false, false, {0}, NULL},
	{"optional/zeroTerminatedFloats.json", false, false, {0}, NULL},
	{"optional/format/hostname.json", false, false, {0}, NULL},
	{"optional/format/ipv4.json", false, false, {0}, NULL},
	{"optional/format/ipv6.json", false, false, {0}, NULL},
};

/* Not run at all, and why. */
static const struct {
	const char *file;
	const char *why;
} unsupported[] = {
	{"definitions.json", "validates against the remote draft-07 metaschema"},
	{"refRemote.json", "remote references (http://localhost:1234/...)"},
	{"optional/content.json", "contentMediaType/contentEncoding"},
	{"optional/ecmascript-regex.json",
	 "format \"regex\" (is a string an ECMA-262 regex) is not supported"},
	{"optional/format/date.json", "format not supported"},
	{"optional/format/date-time.json", "format not supported"},
	{"optional/format/email.json", "format not supported"},
	{"optional/format/idn-email.json", "format not supported"},
	{"optional/format/idn-hostname.json", "format not supported"},
	{"optional/format/iri.json", "format not supported"},
	{"optional/format/iri-reference.json", "format not supported"},
	{"optional/format/json-pointer.json", "format not supported"},
	{"optional/format/regex.json", "format not supported"},
	{"optional/format/relative-json-pointer.json", "format not supported"},
	{"optional/format/time.json", "format not supported"},
	{"optional/format/uri.json", "format not supported"},
	{"optional/format/uri-reference.json", "format not supported"},
	{"optional/format/uri-template.json", "format not supported"},
};

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		data = tr_malloc((size_t)len + 1);
		if (fread(data, 1, (size_t)len, f) != (size_t)len) {
			tr_free(data);
			data = NULL;
		} else {
			data[len] = '\0';
		}
	}
	fclose(f);
	return data;
}

static bool skipped(const suite_file *sf, const char *desc)
{
	for (size_t i = 0; i < 4 && sf->skip[i]; i++)
		if (strcmp(sf->skip[i], desc) == 0)
			return true;
	return false;
}

static void run_file(const suite_file *sf, size_t *total_pass,
		     size_t *total_fail, size_t *total_skip)
{
	char path[1024];
	char *text;
	cJSON *groups;
	const cJSON *group;
	size_t pass = 0, fail = 0, skip = 0;
	tr_schema_options opts = {sf->lenient, sf->unknown_formats};

	snprintf(path, sizeof(path), "%s/%s", TR_JSON_SCHEMA_SUITE_DIR, sf->file);
	text = read_file(path);
	if (!text) {
		print_error("cannot read %s\n", path);
		fail_msg("missing test-suite file %s", sf->file);
	}
	groups = cJSON_Parse(text);
	assert_non_null(groups);
	cJSON_ArrayForEach(group, groups) {
		const char *desc = cJSON_GetObjectItemCaseSensitive(group,
								   "description")
					   ->valuestring;
		const cJSON *tests = cJSON_GetObjectItemCaseSensitive(group, "tests");
		const cJSON *t;
		char *schema_text;
		tr_schema *schema = NULL;
		tr_diag diag;

		if (skipped(sf, desc)) {
			skip += (size_t)cJSON_GetArraySize(tests);
			continue;
		}
		tr_diag_init(&diag);
		schema_text = cJSON_PrintUnformatted(
			cJSON_GetObjectItemCaseSensitive(group, "schema"));
		if (tr_schema_compile(&schema, sf->file, schema_text,
				      strlen(schema_text), &opts, &diag) < 0) {
			print_error("%s: \"%s\": schema does not compile: %s\n",
				    sf->file, desc,
				    diag.count ? diag.entries[0].message : "?");
			fail += (size_t)cJSON_GetArraySize(tests);
			free(schema_text);
			tr_diag_dispose(&diag);
			continue;
		}
		free(schema_text);
		cJSON_ArrayForEach(t, tests) {
			tr_arena arena;
			tr_diag loud;
			bool want = cJSON_IsTrue(
				cJSON_GetObjectItemCaseSensitive(t, "valid"));
			const tr_node *data;
			bool got;
			int rc;

			tr_arena_init(&arena);
			tr_diag_init(&loud);
			data = tr_schema_node_from_json(
				&arena, cJSON_GetObjectItemCaseSensitive(t, "data"));
			got = tr_schema_accepts(schema, data);
			/* The reporting pass must agree with the quiet one. */
			rc = tr_schema_validate(schema, "data.json", data, NULL,
						&loud);
			if (got == want && (rc == 0) == want &&
			    (loud.count == 0) == want) {
				pass++;
			} else {
				fail++;
				print_error("FAIL %s: \"%s\" / \"%s\": expected %s, "
					    "got %s (reported %zu)\n",
					    sf->file, desc,
					    cJSON_GetObjectItemCaseSensitive(
						    t, "description")
						    ->valuestring,
					    want ? "valid" : "invalid",
					    got ? "valid" : "invalid", loud.count);
			}
			tr_diag_dispose(&loud);
			tr_arena_dispose(&arena);
		}
		tr_schema_free(schema);
		tr_diag_dispose(&diag);
	}
	print_message("  %-34s %4zu passed %3zu failed %3zu skipped%s%s\n",
		      sf->file, pass, fail, skip, sf->why ? ": " : "",
		      sf->why ? sf->why : "");
	cJSON_Delete(groups);
	tr_free(text);
	*total_pass += pass;
	*total_fail += fail;
	*total_skip += skip;
}

static void draft7_supported_keywords_pass(void **state)
{
	size_t pass = 0, fail = 0, skip = 0;
	(void)state;

	print_message("JSON-Schema-Test-Suite draft 7 (%s)\n",
		      TR_JSON_SCHEMA_SUITE_DIR);
	for (size_t i = 0; i < sizeof(supported) / sizeof(supported[0]); i++)
		run_file(&supported[i], &pass, &fail, &skip);
	print_message("not run:\n");
	for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
		print_message("  %-34s %s\n", unsupported[i].file,
			      unsupported[i].why);
	print_message("total: %zu passed, %zu failed, %zu skipped (listed)\n",
		      pass, fail, skip);
	assert_int_equal(fail, 0);
	assert_true(pass >= 426);
}

static bool listed(const char *file)
{
	for (size_t j = 0; j < sizeof(supported) / sizeof(supported[0]); j++)
		if (strcmp(file, supported[j].file) == 0)
			return true;
	for (size_t j = 0; j < sizeof(unsupported) / sizeof(unsupported[0]); j++)
		if (strcmp(file, unsupported[j].file) == 0)
			return true;
	return false;
}

/* The lists above must cover the whole draft-7 folder: a file a newer
 * package adds must be sorted into one of them, not ignored. */
static void every_suite_file_is_listed(void **state)
{
	static const char *const dirs[] = {"", "optional/", "optional/format/"};
	size_t seen = 0;
	(void)state;

	for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		char path[1024], file[1024];
		DIR *dir;
		struct dirent *e;
		snprintf(path, sizeof(path), "%s/%s", TR_JSON_SCHEMA_SUITE_DIR,
			 dirs[d]);
		dir = opendir(path);
		assert_non_null(dir);
		while ((e = readdir(dir))) {
			size_t n = strlen(e->d_name);
			if (n < 5 || strcmp(e->d_name + n - 5, ".json") != 0)
				continue;
			snprintf(file, sizeof(file), "%s%s", dirs[d], e->d_name);
			if (!listed(file))
				fail_msg("%s is neither run nor listed as unsupported",
					 file);
			seen++;
		}
		closedir(dir);
	}
	assert_int_equal(seen, sizeof(supported) / sizeof(supported[0]) +
				       sizeof(unsupported) / sizeof(unsupported[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(draft7_supported_keywords_pass),
		cmocka_unit_test(every_suite_file_is_listed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
