/* Which documents validation reads, ignores or refuses by their kind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "repo/repo.h"
#include "source/source.h"
#include "util/alloc.h"
#include "validate/validate.h"

typedef struct kcase {
	const char *name;
	const char *yaml;
	const char *rule;    /* the one error expected; NULL: none */
	unsigned line, col;
	const char *fragment; /* in its message */
} kcase;

static const kcase cases[] = {
	{"Cyrillic a in a managed kind",
	 "apiVersion: gateway.networking.k8s.io/v1\n"
	 "kind: G\xd0\xb0teway\n"
	 "metadata: {name: eks-lattice}\n",
	 "manifest.kind-not-ascii", 2, 7,
	 "kind: Invalid value: \"G\xd0\xb0teway\": character 2 is U+0430, "
	 "not ASCII; a kind is an ASCII name, so this one names no object "
	 "(did you mean Gateway?)"},
	{"Greek omicron in a core kind",
	 "apiVersion: v1\nkind: Serv\xce\xbf" "ceAccount\nmetadata: {name: x}\n",
	 "manifest.kind-not-ascii", 2, 7,
	 "character 5 is U+03BF"},
	{"a non-ASCII kind far from any trellis reads",
	 "apiVersion: example.com/v1\nkind: \xe2\x9c\x93\nmetadata: {name: x}\n",
	 "manifest.kind-not-ascii", 2, 7,
	 "character 1 is U+2713, not ASCII; a kind is an ASCII name, so this "
	 "one names no object"},
	{"an ASCII kind trellis does not manage is still only ignored",
	 "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", NULL, 0, 0,
	 NULL},
};

static void kinds_are_ascii(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const kcase *k = &cases[i];
		tr_source_file file = {.path = tr_strdup("case.yaml"),
				       .data = tr_strdup(k->yaml),
				       .len = strlen(k->yaml)};
		tr_source_tree tree = {.files = &file, .count = 1};
		tr_repo_options ropts = {0};
		tr_validate_options vopts = {false};
		tr_validate_stats stats;
		tr_repo repo;
		tr_diag diag;
		size_t errors = 0;

		print_message("case: %s\n", k->name);
		tr_diag_init(&diag);
		assert_int_equal(tr_repo_load(&repo, &tree, &ropts, &diag), 0);
		assert_int_equal(
			tr_validate_repo(&stats, &repo, &vopts, &diag), 0);
		for (size_t j = 0; j < diag.count; j++) {
			const tr_diag_entry *e = &diag.entries[j];
			if (e->severity != TR_SEV_ERROR)
				continue;
			errors++;
			assert_non_null(k->rule);
			assert_string_equal(e->rule, k->rule);
			assert_string_equal(e->file, "case.yaml");
			assert_int_equal(e->line, k->line);
			assert_int_equal(e->col, k->col);
			assert_string_equal(e->path, "kind");
			assert_non_null(strstr(e->message, k->fragment));
		}
		assert_int_equal(errors, k->rule ? 1 : 0);
		tr_repo_dispose(&repo);
		tr_diag_dispose(&diag);
		tr_free(file.path);
		tr_free(file.data);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kinds_are_ascii),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
