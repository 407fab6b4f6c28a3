/* observe/certs: ACM's name matching, as certificate discovery and the
 * coverage check use it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "observe/internal.h"

static void wildcards_cover_one_label(void **state)
{
	static const struct {
		const char *pattern, *domain;
		bool covers;
	} cases[] = {
		{"datastore.lattice.io", "datastore.lattice.io", true},
		{"DataStore.Lattice.IO", "datastore.lattice.io", true},
		{"*.lattice.io", "datastore.lattice.io", true},
		{"*.lattice.io", "lattice.io", false},          /* not the apex */
		{"*.lattice.io", "a.b.lattice.io", false},      /* one label only */
		{"*.io", "datastore.lattice.io", false},
		{"*.lattice.io", ".lattice.io", false},         /* empty label */
		{"other.lattice.io", "datastore.lattice.io", false},
		{"*lattice.io", "xlattice.io", false},          /* not a wildcard */
		{NULL, "datastore.lattice.io", false},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(tr_observe__cert_covers(cases[i].pattern,
							 cases[i].domain),
				 cases[i].covers);
}

static void matches_names_and_alternative_names(void **state)
{
	static const struct {
		const char *cert;
		int match;
	} cases[] = {
		{"{\"DomainName\":\"datastore.lattice.io\"}", 2},
		{"{\"DomainName\":\"*.lattice.io\"}", 1},
		{"{\"DomainName\":\"x.io\",\"SubjectAlternativeNames\":"
		 "[\"x.io\",\"*.lattice.io\"]}", 1},
		/* an exact SAN beats the wildcard main name */
		{"{\"DomainName\":\"*.lattice.io\",\"SubjectAlternativeNames\":"
		 "[\"*.lattice.io\",\"datastore.lattice.io\"]}", 2},
		/* ListCertificates' summaries name the SANs differently */
		{"{\"DomainName\":\"x.io\",\"SubjectAlternativeNameSummaries\":"
		 "[\"datastore.lattice.io\"]}", 2},
		{"{\"DomainName\":\"x.io\",\"SubjectAlternativeNames\":"
		 "[\"a.b.lattice.io\"]}", 0},
		{"{}", 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cJSON *cert = cJSON_Parse(cases[i].cert);

		assert_non_null(cert);
		assert_int_equal(tr_observe__cert_match(cert,
							"datastore.lattice.io"),
				 cases[i].match);
		cJSON_Delete(cert);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(wildcards_cover_one_label),
		cmocka_unit_test(matches_names_and_alternative_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
