/*
 * tr_kube_targets_from_slices: which endpoints become targets (ready and
 * not terminating, the slice port named like the Service port, the target
 * group's IP family), sorted and de-duplicated; and tr_kube_resolve_targets
 * without Kubernetes access (a warning, no targets).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kube/kube.h"

#define V4(ports, eps) \
	"{\"addressType\":\"IPv4\",\"ports\":" ports ",\"endpoints\":" eps "}"
#define V6(ports, eps) \
	"{\"addressType\":\"IPv6\",\"ports\":" ports ",\"endpoints\":" eps "}"
#define HTTP "[{\"name\":\"http\",\"port\":8080,\"protocol\":\"TCP\"}]"
#define UNNAMED "[{\"port\":3000}]"
#define EP(ip) "{\"addresses\":[\"" ip "\"]}"
#define EPC(ip, cond) "{\"addresses\":[\"" ip "\"],\"conditions\":" cond "}"

typedef struct case_ {
	const char *what;
	const char *slices;   /* JSON array */
	const char *port_name;
	const char *ip_type;
	const char *want;     /* "ip:port ip:port", "" for none */
	size_t other_family;
} case_;

static const case_ CASES[] = {
	{"unnamed port", "[" V4(UNNAMED, "[" EP("10.0.0.2") "," EP("10.0.0.1") "]") "]",
	 "", "IPV4", "10.0.0.1:3000 10.0.0.2:3000", 0},
	{"named target port: the slice's port of that name",
	 "[" V4("[{\"name\":\"metrics\",\"port\":9090},{\"name\":\"http\",\"port\":8080}]",
		"[" EP("10.0.0.1") "]") "]",
	 "http", "IPV4", "10.0.0.1:8080", 0},
	{"named port absent from the slice: nothing",
	 "[" V4(HTTP, "[" EP("10.0.0.1") "]") "]", "grpc", "IPV4", "", 0},
	{"unnamed Service port does not match a named slice port",
	 "[" V4(HTTP, "[" EP("10.0.0.1") "]") "]", "", "IPV4", "", 0},
	{"port out of range ignored",
	 "[" V4("[{\"port\":70000}]", "[" EP("10.0.0.1") "]") "]", "", "IPV4",
	 "", 0},
	{"not ready and terminating are left out, unknown ready counts",
	 "[" V4(UNNAMED, "[" EPC("10.0.0.1", "{\"ready\":true}") ","
			 EPC("10.0.0.2", "{\"ready\":false}") ","
			 EPC("10.0.0.3", "{\"ready\":true,\"terminating\":true}") ","
			 EPC("10.0.0.4", "{}") ","
			 EPC("10.0.0.5", "{\"serving\":true,\"terminating\":false}") "]") "]",
	 "", "IPV4", "10.0.0.1:3000 10.0.0.4:3000 10.0.0.5:3000", 0},
	{"an address in two slices counts once",
	 "[" V4(UNNAMED, "[" EP("10.0.0.7") "," EP("10.0.0.1") "]") ","
	     V4(UNNAMED, "[" EP("10.0.0.7") "]") "]",
	 "", "IPV4", "10.0.0.1:3000 10.0.0.7:3000", 0},
	{"an address in three slices counts once",
	 "[" V4(UNNAMED, "[" EP("10.0.0.1") "]") ","
	     V4(UNNAMED, "[" EP("10.0.0.1") "," EP("10.0.0.2") "]") ","
	     V4(UNNAMED, "[" EP("10.0.0.1") "]") "]",
	 "", "IPV4", "10.0.0.1:3000 10.0.0.2:3000", 0},
	{"same address, different port in two slices: both",
	 "[" V4(UNNAMED, "[" EP("10.0.0.1") "]") ","
	     V4("[{\"port\":3001}]", "[" EP("10.0.0.1") "]") "]",
	 "", "IPV4", "10.0.0.1:3000 10.0.0.1:3001", 0},
	{"dual-stack, IPv4 group: IPv6 endpoints counted, not kept",
	 "[" V4(UNNAMED, "[" EP("10.0.0.1") "]") ","
	     V6(UNNAMED, "[" EP("fd00::1") "," EP("fd00::2") ","
			 EPC("fd00::3", "{\"ready\":false}") "]") "]",
	 "", "IPV4", "10.0.0.1:3000", 2},
	{"IPv6 group keeps IPv6 endpoints",
	 "[" V6(HTTP, "[" EP("fd00::b") "," EP("fd00::a") "]") ","
	     V4(HTTP, "[" EP("10.0.0.1") "]") "]",
	 "http", "IPV6", "fd00::a:8080 fd00::b:8080", 1},
	{"IPv6-only Service, IPv4 group: no targets, all counted",
	 "[" V6(UNNAMED, "[" EP("fd00::1") "]") "]", "", "IPV4", "", 1},
	{"FQDN slices are neither family",
	 "[{\"addressType\":\"FQDN\",\"ports\":" UNNAMED ",\"endpoints\":["
	 EP("db.example") "]}]",
	 "", "IPV4", "", 0},
	{"malformed endpoints are skipped",
	 "[" V4(UNNAMED, "[{\"addresses\":[]},{\"addresses\":[7]},{},"
			 EP("10.0.0.9") "]") ", 3, {\"endpoints\": 4}]",
	 "", "IPV4", "10.0.0.9:3000", 0},
	{"no slices", "[]", "", "IPV4", "", 0},
};

static void render(const cJSON *targets, char *out, size_t cap)
{
	const cJSON *t;
	size_t used = 0;

	out[0] = '\0';
	cJSON_ArrayForEach(t, targets)
	{
		int n = snprintf(out + used, cap - used, "%s%s:%d",
				 used ? " " : "",
				 cJSON_GetObjectItem(t, "id")->valuestring,
				 cJSON_GetObjectItem(t, "port")->valueint);
		assert_true(n > 0 && (size_t)n < cap - used);
		used += (size_t)n;
	}
}

static void test_selection(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
		const case_ *c = &CASES[i];
		cJSON *slices = cJSON_Parse(c->slices);
		tr_kube_port_pick pick = {c->port_name, c->ip_type};
		size_t other = 99;
		cJSON *targets;
		char got[512];

		if (!slices)
			fail_msg("%s: test JSON does not parse", c->what);
		targets = tr_kube_targets_from_slices(slices, &pick, &other);
		assert_non_null(targets);
		render(targets, got, sizeof(got));
		if (strcmp(got, c->want) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"", c->what, got,
				 c->want);
		if (other != c->other_family)
			fail_msg("%s: other family %zu, want %zu", c->what,
				 other, c->other_family);
		cJSON_Delete(targets);
		cJSON_Delete(slices);
	}
}

/* Not an array at all (the list reader checks, but stay safe). */
static void test_not_a_list(void **state)
{
	cJSON *obj = cJSON_Parse("{\"items\": []}");
	tr_kube_port_pick pick = {"", "IPV4"};
	size_t other = 5;
	cJSON *t = tr_kube_targets_from_slices(obj, &pick, &other);

	(void)state;
	assert_int_equal(cJSON_GetArraySize(t), 0);
	assert_int_equal(other, 0);
	cJSON_Delete(t);
	cJSON_Delete(obj);
}

/* Without a client for the cluster: one warning, targets left unknown. */
static void test_resolve_without_access(void **state)
{
	tr_model m;
	tr_diag diag;
	tr_kube_client *clients[1] = {NULL};
	const char *names[1] = {"cluster-a"};
	int rc;

	(void)state;
	tr_model_init(&m);
	tr_diag_init(&diag);
	for (int i = 0; i < 2; i++) {
		cJSON *attrs = cJSON_Parse(
			"{\"endpoints\":{\"cluster\":\"cluster-a\","
			"\"namespace\":\"apps\",\"service\":\"web\"}}");
		char addr[32];

		snprintf(addr, sizeof(addr), "targets.web-%d", i);
		assert_non_null(tr_model_add(&m, TR_KIND_TARGETS, attrs, "%s", addr));
	}
	rc = tr_kube_resolve_targets(&m, clients, names, 1, &diag);
	assert_int_equal(rc, 0);
	assert_int_equal(diag.count, 1); /* said once per cluster */
	assert_string_equal(diag.entries[0].rule, "kube.no-access");
	assert_int_equal(diag.entries[0].severity, TR_SEV_WARNING);
	for (size_t i = 0; i < m.count; i++)
		assert_null(cJSON_GetObjectItem(m.resources[i].attrs,
						"targets"));
	tr_diag_dispose(&diag);
	tr_model_dispose(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_selection),
		cmocka_unit_test(test_not_a_list),
		cmocka_unit_test(test_resolve_without_access),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
