/*
 * Known-valid manifests must pass the schemas and the rules: every document of the
 * Gateway API's standard examples (applied upstream against the standard
 * CRDs), the AWS controller's examples and the seed sample, for every kind
 * trellis has a schema for. Documents of other kinds are counted and
 * printed, and must be of a kind listed here, so nothing is skipped
 * silently.
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
#include <sys/stat.h>

#include "diag/diag.h"
#include "manifest/manifest.h"
#include "util/alloc.h"
#include "validate/schema.h"
#include "validate/validate.h"

/* Kinds trellis has no schema for (it does not manage them). */
static const char *const unmanaged_kinds[] = {
	"Namespace", "TLSRoute", "TCPRoute", "UDPRoute", "BackendTLSPolicy",
	"ListenerSet", "Deployment", "Secret", "Ingress", "ConfigMap", NULL};

typedef struct tally {
	size_t files, docs, checked, unmanaged, errors, warnings;
} tally;

static tr_schema_set *schemas;

static int setup(void **state)
{
	tr_diag diag;
	(void)state;

	tr_diag_init(&diag);
	int rc = tr_schema_set_new(&schemas, &diag);
	tr_diag_dispose(&diag);
	return rc;
}

static int teardown(void **state)
{
	(void)state;
	tr_schema_set_free(schemas);
	return 0;
}

static bool is_unmanaged(const char *kind)
{
	for (size_t i = 0; unmanaged_kinds[i]; i++)
		if (strcmp(unmanaged_kinds[i], kind) == 0)
			return true;
	return false;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	assert_int_equal(fseek(f, 0, SEEK_SET), 0);
	data = tr_malloc((size_t)n + 1);
	assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
	data[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return data;
}

static void check_file(const char *path, const char *shown, tally *t)
{
	tr_manifest_set set;
	tr_diag diag;
	size_t len;
	char *data = slurp(path, &len);

	tr_manifest_set_init(&set);
	tr_diag_init(&diag);
	if (tr_manifest_load(&set, shown, data, len, &diag) < 0)
		fail_msg("%s does not load", shown);
	t->files++;
	for (size_t i = 0; i < set.count; i++) {
		const tr_manifest_doc *d = &set.docs[i];
		const tr_schema *s = tr_schema_set_lookup(schemas, d->api_version,
							  d->kind);
		const tr_node *out;
		t->docs++;
		if (!s) {
			if (!is_unmanaged(d->kind))
				fail_msg("%s: no schema for %s %s", shown,
					 d->api_version, d->kind);
			t->unmanaged++;
			continue;
		}
		t->checked++;
		/* schema, defaults, then the CEL-equivalent rules */
		(void)tr_validate_document(&out, schemas, d, &set.arena, &diag);
	}
	for (size_t i = 0; i < diag.count; i++) {
		const tr_diag_entry *e = &diag.entries[i];
		print_error("%s:%u:%u: %s: %s: %s\n", e->file, e->line, e->col,
			    tr_severity_name(e->severity), e->path ? e->path : "-",
			    e->message);
		if (e->severity == TR_SEV_ERROR)
			t->errors++;
		else
			t->warnings++;
	}
	tr_diag_dispose(&diag);
	tr_manifest_set_dispose(&set);
	tr_free(data);
}

static void walk(const char *dir, const char *shown, tally *t)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t count = 0, cap = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		names = tr_grow(names, &cap, count + 1, sizeof(*names));
		names[count++] = tr_strdup(e->d_name);
	}
	closedir(d);
	for (size_t i = 0; i < count; i++) {
		char path[2048], sub[2048];
		struct stat st;
		size_t n = strlen(names[i]);
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		snprintf(sub, sizeof(sub), "%s/%s", shown, names[i]);
		assert_int_equal(stat(path, &st), 0);
		if (S_ISDIR(st.st_mode))
			walk(path, sub, t);
		else if ((n > 5 && strcmp(names[i] + n - 5, ".yaml") == 0) ||
			 (n > 4 && strcmp(names[i] + n - 4, ".yml") == 0))
			check_file(path, sub, t);
		tr_free(names[i]);
	}
	tr_free(names);
}

static void run_folder(const char *folder, size_t min_checked, size_t warnings)
{
	char dir[1024];
	tally t = {0};

	snprintf(dir, sizeof(dir), "%s/%s", TR_TEST_DATA_DIR, folder);
	walk(dir, folder, &t);
	print_message("%s: %zu files, %zu documents: %zu validated, %zu of "
		      "unmanaged kinds, %zu errors, %zu warnings\n",
		      folder, t.files, t.docs, t.checked, t.unmanaged, t.errors,
		      t.warnings);
	assert_int_equal(t.errors, 0);
	assert_int_equal(t.warnings, warnings);
	assert_true(t.checked >= min_checked);
}

static void gateway_api_standard_examples_are_valid(void **state)
{
	(void)state;
	run_folder("gateway-api-examples/standard", 80, 0);
}

static void aws_controller_examples_are_valid(void **state)
{
	(void)state;
	run_folder("aws-gateway-controller-examples", 40, 0);
}

static void seed_sample_is_valid(void **state)
{
	(void)state;
	/* the blog's Gateway: two HTTPS:443 listeners (see rules.h) */
	run_folder("seed-sample", 8, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gateway_api_standard_examples_are_valid),
		cmocka_unit_test(aws_controller_examples_are_valid),
		cmocka_unit_test(seed_sample_is_valid),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
