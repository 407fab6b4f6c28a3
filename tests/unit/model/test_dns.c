/* model/dns and config's zone choice: names as Route 53 returns them, the
 * ownership TXT record written and read back, and which zone holds a name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "config/config.h"
#include "model/dns.h"
#include "util/limits.h"

static void normalises_names(void **state)
{
	static const struct {
		const char *in, *out;
		int rc;
	} cases[] = {
		{"datastore.lattice.io", "datastore.lattice.io", 0},
		{"Datastore.Lattice.IO.", "datastore.lattice.io", 0},
		{"\\052.lattice.io.", "*.lattice.io", 0},      /* octal escape */
		{"a\\055b.io", "a-b.io", 0},
		{"bad\\9.io", NULL, TR_EINVALID},              /* not octal */
		{"cut\\05", NULL, TR_EINVALID},                /* no overread */
		{"zero\\000.io", NULL, TR_EINVALID},
		{".", "", 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tr_buf out = TR_BUF_INIT(TR_DNS_MAX_NAME_BYTES + 1);

		assert_int_equal(tr_dns_normalize(&out, cases[i].in),
				 cases[i].rc);
		if (cases[i].out)
			assert_string_equal(tr_buf_cstr(&out), cases[i].out);
		tr_buf_dispose(&out);
	}
}

static void refuses_names_past_the_cap(void **state)
{
	char name[TR_DNS_MAX_NAME_BYTES + 3];
	tr_buf out = TR_BUF_INIT(TR_DNS_MAX_NAME_BYTES + 1);

	(void)state;
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(tr_dns_normalize(&out, name), TR_ETOOLARGE);
	name[TR_DNS_MAX_NAME_BYTES] = '\0';
	assert_int_equal(tr_dns_normalize(&out, name), 0);
	tr_buf_dispose(&out);
}

static void names_the_owner_record_like_external_dns(void **state)
{
	tr_buf out = TR_BUF_INIT(TR_DNS_MAX_NAME_BYTES + 16);

	(void)state;
	assert_int_equal(tr_dns_owner_name(&out, "Datastore.Lattice.io."), 0);
	assert_string_equal(tr_buf_cstr(&out), "cname-datastore.lattice.io");
	tr_buf_dispose(&out);
}

static void writes_and_reads_the_owner_record(void **state)
{
	tr_buf v = TR_BUF_INIT(TR_DNS_MAX_VALUE_BYTES + 1);
	tr_buf owner = TR_BUF_INIT(TR_DNS_MAX_VALUE_BYTES + 1);
	tr_buf source = TR_BUF_INIT(TR_DNS_MAX_VALUE_BYTES + 1);

	(void)state;
	assert_int_equal(tr_dns_owner_value(&v, "platform-demo",
					    "clusters/b/route.yaml"),
			 0);
	assert_string_equal(tr_buf_cstr(&v),
			    "\"heritage=trellis,trellis/owner=platform-demo,"
			    "trellis/source=clusters/b/route.yaml\"");
	assert_int_equal(tr_dns_owner_parse(&owner, &source, v.ptr), 0);
	assert_string_equal(tr_buf_cstr(&owner), "platform-demo");
	assert_string_equal(tr_buf_cstr(&source), "clusters/b/route.yaml");

	/* Quotes, commas, '=' and spaces cannot break the record. */
	assert_int_equal(tr_dns_owner_value(&v, "team \"a\",x=1",
					    "dir with, comma/r\\.yaml"),
			 0);
	assert_null(strchr(v.ptr + 1, '\\'));
	assert_int_equal(tr_dns_owner_parse(&owner, &source, v.ptr), 0);
	assert_string_equal(tr_buf_cstr(&owner), "team \"a\",x=1");
	assert_string_equal(tr_buf_cstr(&source), "dir with, comma/r\\.yaml");
	tr_buf_dispose(&v);
	tr_buf_dispose(&owner);
	tr_buf_dispose(&source);
}

static void splits_long_values_into_255_byte_strings(void **state)
{
	char source[600];
	tr_buf v = TR_BUF_INIT(TR_DNS_MAX_VALUE_BYTES + 1);
	tr_buf owner = TR_BUF_INIT(TR_DNS_MAX_VALUE_BYTES + 1);
	tr_buf back = TR_BUF_INIT(TR_DNS_MAX_VALUE_BYTES + 1);
	const char *p;
	size_t strings = 0;

	(void)state;
	memset(source, 'f', sizeof(source) - 1);
	source[sizeof(source) - 1] = '\0';
	assert_int_equal(tr_dns_owner_value(&v, "o", source), 0);
	/* Each quoted string holds at most 255 bytes. */
	for (p = v.ptr; (p = strchr(p, '"')) != NULL; p++) {
		const char *end = strchr(p + 1, '"');
		assert_non_null(end);
		assert_true(end - p - 1 <= 255);
		strings++;
		p = end;
	}
	assert_int_equal(strings, 3);
	assert_int_equal(tr_dns_owner_parse(&owner, &back, v.ptr), 0);
	assert_string_equal(tr_buf_cstr(&back), source);
	tr_buf_dispose(&v);
	tr_buf_dispose(&owner);
	tr_buf_dispose(&back);
}

static void refuses_values_past_the_cap(void **state)
{
	char source[TR_DNS_MAX_VALUE_BYTES];
	tr_buf v = TR_BUF_INIT(TR_DNS_MAX_VALUE_BYTES + 1);

	(void)state;
	memset(source, 'f', sizeof(source) - 1);
	source[sizeof(source) - 1] = '\0';
	assert_int_equal(tr_dns_owner_value(&v, "o", source), TR_ETOOLARGE);
	tr_buf_dispose(&v);
}

static void tells_other_records_apart(void **state)
{
	static const struct {
		const char *value;
		int rc;
	} cases[] = {
		/* external-dns's own record: another heritage */
		{"\"heritage=external-dns,external-dns/owner=default\"",
		 TR_ENOTFOUND},
		{"\"v=spf1 -all\"", TR_ENOTFOUND},
		{"\"\"", TR_ENOTFOUND},
		{"heritage=trellis", TR_EINVALID},           /* unquoted */
		{"\"heritage=trellis", TR_EINVALID},         /* unterminated */
		{"\"heritage=trellis,trellis/owner=%4\"", TR_EINVALID},
		/* Route 53's octal escapes and several strings are read */
		{"\"heritage=trel\" \"lis,trellis/owner=\\141\"", 0},
	};
	tr_buf owner = TR_BUF_INIT(TR_DNS_MAX_VALUE_BYTES + 1);
	tr_buf source = TR_BUF_INIT(TR_DNS_MAX_VALUE_BYTES + 1);

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(tr_dns_owner_parse(&owner, &source,
						    cases[i].value),
				 cases[i].rc);
	assert_string_equal(tr_buf_cstr(&owner), "a");
	tr_buf_dispose(&owner);
	tr_buf_dispose(&source);
}

static void picks_the_longest_matching_zone(void **state)
{
	tr_config_dns zones[] = {
		{"ZPARENT", "lattice.io", NULL},
		{"ZCHILD", "prod.lattice.io", NULL},
		{"ZOTHER", "example.com", NULL},
	};
	tr_config cfg;
	static const struct {
		const char *name;
		const char *zone;
	} cases[] = {
		{"datastore.lattice.io", "ZPARENT"},
		{"api.prod.lattice.io", "ZCHILD"},
		{"API.Prod.Lattice.IO.", "ZCHILD"},   /* case, trailing dot */
		{"prod.lattice.io", "ZCHILD"},        /* the apex itself */
		{"xprod.lattice.io", "ZPARENT"},      /* labels, not suffixes */
		{"notlattice.io", NULL},
		{"lattice.io.evil.com", NULL},
		{"example.com", "ZOTHER"},
		{"io", NULL},
	};

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.dns = zones;
	cfg.dns_count = 3;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const tr_config_dns *z = tr_config_dns_for(&cfg, cases[i].name);
		if (!cases[i].zone)
			assert_null(z);
		else
			assert_string_equal(z->zone_id, cases[i].zone);
	}
	cfg.dns_count = 0;
	assert_null(tr_config_dns_for(&cfg, "datastore.lattice.io"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(normalises_names),
		cmocka_unit_test(refuses_names_past_the_cap),
		cmocka_unit_test(names_the_owner_record_like_external_dns),
		cmocka_unit_test(writes_and_reads_the_owner_record),
		cmocka_unit_test(splits_long_values_into_255_byte_strings),
		cmocka_unit_test(refuses_values_past_the_cap),
		cmocka_unit_test(tells_other_records_apart),
		cmocka_unit_test(picks_the_longest_matching_zone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
