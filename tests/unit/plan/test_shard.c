/* Shards (--shard INDEX/COUNT): the partition of a many-route repository
 * is disjoint, covering, keeps each service's resources together, does not
 * depend on the order of the input, and the per-shard plans add up to the
 * whole plan; the checks between shards. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "plan/plan.h"
#include "util/alloc.h"
#include "util/arena.h"
#include "util/buf.h"
#include "validate/schema.h"

#include "../repo_fixture.h"

#define ROUTES 40

typedef repo_fixture world;

static const char *GATEWAY =
	"apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\n"
	"metadata: {name: amazon-vpc-lattice}\n"
	"spec: {controllerName: application-networking.k8s.aws/gateway-api-controller}\n"
	"---\napiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"
	"metadata: {name: net}\n"
	"spec:\n  gatewayClassName: amazon-vpc-lattice\n  listeners:\n"
	"    - {name: http, protocol: HTTP, port: 80}\n";

/* One route with two rules, its two backends and a custom domain. */
static void route_text(tr_buf *out, int i)
{
	assert_int_equal(
		tr_buf_printf(
			out,
			"apiVersion: gateway.networking.k8s.io/v1\n"
			"kind: HTTPRoute\nmetadata: {name: r%02d, namespace: apps}\n"
			"spec:\n  hostnames: [r%02d.lattice.io]\n"
			"  parentRefs: [{name: net, sectionName: http}]\n"
			"  rules:\n"
			"    - matches: [{path: {type: PathPrefix, value: /a}}]\n"
			"      backendRefs: [{name: s%02d-a, port: 80}]\n"
			"    - backendRefs: [{name: s%02d-b, port: 80}]\n"
			"---\napiVersion: v1\nkind: Service\n"
			"metadata: {name: s%02d-a, namespace: apps}\n"
			"spec: {ports: [{port: 80}]}\n"
			"---\napiVersion: v1\nkind: Service\n"
			"metadata: {name: s%02d-b, namespace: apps}\n"
			"spec: {ports: [{port: 80}]}\n",
			i, i, i, i, i, i),
		0);
}

/* `reversed`: the same manifests, files and documents in the other order. */
static void load_world(world *w, bool reversed, int skip_route)
{
	tr_repo_options opts = {0};
	tr_buf text = TR_BUF_INIT(1u << 20);
	char path[64];

	repo_fixture_init(w);
	if (!reversed)
		repo_fixture_add(w, "c/gateway.yaml", GATEWAY);
	for (int k = 0; k < ROUTES; k++) {
		int i = reversed ? ROUTES - 1 - k : k;

		if (i == skip_route)
			continue;
		tr_buf_clear(&text);
		route_text(&text, i);
		snprintf(path, sizeof(path), "c/%s%02d.yaml",
			 reversed ? "z" : "a", i);
		repo_fixture_add(w, path, text.ptr);
	}
	if (reversed)
		repo_fixture_add(w, "c/gateway.yaml", GATEWAY);
	repo_fixture_add(
		w, "trellis.yaml",
		"version: 1\nregion: us-west-2\nowner: team-x\nclusters:\n"
		"  - {name: c, path: c, vpcId: vpc-0a1b2c3d4e5f60001}\n"
		"dns:\n  - {zoneId: Z0123456789ABCDEFGHIJ, domain: lattice.io}\n");
	assert_int_equal(tr_repo_load(&w->repo, &w->tree, &opts, &w->diag), 0);
	assert_int_equal(tr_model_build_desired(&w->model, &w->repo, &w->diag),
			 0);
	assert_int_equal(tr_diag_count(&w->diag, TR_SEV_ERROR), 0);
	tr_buf_dispose(&text);
}

/* The service a resource belongs with, from its address alone:
 * "listener.r07-apps/http-80" -> "service.r07-apps". */
static bool service_of(char *out, size_t n, const tr_resource *r)
{
	const char *key = strchr(r->address, '.') + 1;
	const char *svc;

	switch (r->kind) {
	case TR_KIND_SERVICE:
	case TR_KIND_LISTENER:
	case TR_KIND_RULE:
	case TR_KIND_SN_SERVICE_ASSOCIATION:
		snprintf(out, n, "service.%.*s", (int)strcspn(key, "/"), key);
		return true;
	case TR_KIND_TARGET_GROUP:
	case TR_KIND_TARGETS:
		/* s07-a-apps-c-r07-apps */
		svc = strstr(key, "-c-");
		assert_non_null(svc);
		snprintf(out, n, "service.%s", svc + 3);
		return true;
	case TR_KIND_DNS_RECORD:
		snprintf(out, n, "service.%.3s-apps", key);
		return true;
	default:
		return false;
	}
}

static void test_known_shards(void **state)
{
	(void)state;
	/* Pinned: a changed hash would move every service to another
	 * shard (harmless, ownership is not per shard, but not silent).
	 * Computed with an independent FNV-1a (tests/e2e/test_shard.sh). */
	assert_int_equal(tr_plan_shard_of_group("service.datastore-apps", 3), 1);
	assert_int_equal(tr_plan_shard_of_group("service.orders-apps", 3), 0);
	assert_int_equal(tr_plan_shard_of_group("service.users-apps", 3), 2);
	assert_int_equal(tr_plan_shard_of_group("service.search-apps", 2), 1);
	assert_int_equal(tr_plan_shard_of_group(TR_SHARD_SHARED, 3), 0);
	assert_int_equal(tr_plan_shard_of_group("service.users-apps", 1), 0);
}

static void test_partition(void **state)
{
	static const uint32_t counts[] = {1, 2, 3, 7, 40};
	world w;

	(void)state;
	load_world(&w, false, -1);
	for (size_t c = 0; c < sizeof(counts) / sizeof(*counts); c++) {
		tr_shard_map map;
		tr_model observed;
		size_t per_shard[40] = {0};
		uint32_t n = counts[c];

		tr_model_init(&observed);
		tr_plan_shard_map_init(&map);
		assert_int_equal(tr_plan_shard_map_build(&map, &w.model,
							 &observed, n),
				 0);
		assert_int_equal(map.n, w.model.count);
		for (size_t i = 0; i < w.model.count; i++) {
			const tr_resource *r = &w.model.resources[i];
			const tr_shard_entry *e =
				tr_plan_shard_entry(&map, r->address);
			char svc[256];

			assert_non_null(e);
			assert_true(e->shard < n);
			per_shard[e->shard]++;
			if (service_of(svc, sizeof(svc), r)) {
				assert_string_equal(e->group, svc);
				assert_int_equal(e->shard,
						 tr_plan_shard_of(&map, svc));
			} else {
				/* service network, VPC association */
				assert_string_equal(e->group, TR_SHARD_SHARED);
				assert_int_equal(e->shard, 0);
			}
		}
		if (n == 3)
			for (uint32_t s = 0; s < n; s++)
				assert_true(per_shard[s] >= 10);
		tr_plan_shard_map_dispose(&map);
		tr_model_dispose(&observed);
	}
	repo_fixture_dispose(&w);
}

static void test_stable_across_order(void **state)
{
	world a, b;
	tr_model none;
	tr_shard_map ma, mb;

	(void)state;
	load_world(&a, false, -1);
	load_world(&b, true, -1);
	tr_model_init(&none);
	tr_plan_shard_map_init(&ma);
	tr_plan_shard_map_init(&mb);
	assert_int_equal(a.model.count, b.model.count);
	tr_plan_shard_map_build(&ma, &a.model, &none, 3);
	tr_plan_shard_map_build(&mb, &b.model, &none, 3);
	for (size_t i = 0; i < a.model.count; i++) {
		const char *addr = a.model.resources[i].address;
		assert_non_null(tr_plan_shard_entry(&mb, addr));
		assert_int_equal(tr_plan_shard_of(&ma, addr),
				 tr_plan_shard_of(&mb, addr));
	}
	/* Built again: the same. */
	tr_plan_shard_map_build(&mb, &a.model, &none, 3);
	for (size_t i = 0; i < a.model.count; i++) {
		const char *addr = a.model.resources[i].address;
		assert_int_equal(tr_plan_shard_of(&ma, addr),
				 tr_plan_shard_of(&mb, addr));
	}
	tr_plan_shard_map_dispose(&ma);
	tr_plan_shard_map_dispose(&mb);
	tr_model_dispose(&none);
	repo_fixture_dispose(&a);
	repo_fixture_dispose(&b);
}

/* A shard's JSON plan says which shard, as docs/plan.schema.json has it. */
static void check_json(const tr_plan *part, uint32_t s)
{
	tr_schema *schema = NULL;
	tr_diag diag;
	tr_arena arena;
	size_t len;
	char *text = repo_fixture_read_file(TR_TEST_DATA_DIR
					    "/../../docs/plan.schema.json",
					    &len);
	cJSON *doc = tr_plan_to_json(part);
	const cJSON *shard = cJSON_GetObjectItemCaseSensitive(doc, "shard");
	const cJSON *config = cJSON_GetObjectItemCaseSensitive(doc, "config");

	tr_diag_init(&diag);
	assert_int_equal(tr_schema_compile(&schema, "plan.schema.json", text,
					   len, NULL, &diag),
			 0);
	assert_non_null(shard);
	assert_int_equal(cJSON_GetObjectItem(shard, "index")->valueint, s);
	assert_int_equal(cJSON_GetObjectItem(shard, "count")->valueint, 3);
	/* One of several configs in the run (as run_units marks it). */
	assert_non_null(config);
	assert_string_equal(cJSON_GetObjectItem(config, "file")->valuestring,
			    "teams/a/trellis.yaml");
	assert_int_equal(cJSON_GetObjectItem(config, "count")->valueint, 2);
	tr_arena_init(&arena);
	assert_int_equal(tr_schema_validate(schema, "shard plan",
					    tr_schema_node_from_json(&arena,
								     doc),
					    "", &diag),
			 0);
	assert_int_equal(tr_diag_count(&diag, TR_SEV_ERROR), 0);
	tr_arena_dispose(&arena);
	cJSON_Delete(doc);
	tr_free(text);
	tr_schema_free(schema);
	tr_diag_dispose(&diag);
}

static bool keep_index(void *ctx, const char *address)
{
	void **k = ctx;

	return tr_plan_shard_of(k[0], address) == *(uint32_t *)k[1];
}

/* A removed route (only observed) is pruned by its service's shard, its
 * target groups included; the shards' plans are disjoint and add up to
 * the whole plan. */
static void test_plans_add_up(void **state)
{
	world full, less;
	tr_model observed;
	tr_shard_map map;
	tr_plan whole;
	tr_plan_options opts = {"team-x", true, false, NULL, NULL};
	size_t total = 0;
	char *owner_of_change[4096] = {0};

	(void)state;
	load_world(&full, false, -1);
	load_world(&less, false, 7); /* route r07 removed */
	repo_fixture_as_observed(&observed, &full.model, false);
	tr_plan_shard_map_init(&map);
	tr_plan_shard_map_build(&map, &less.model, &observed, 3);
	/* r07's resources exist only in AWS: still with their service. */
	assert_int_equal(tr_plan_shard_of(&map, "target_group.s07-a-apps-c-r07-apps"),
			 tr_plan_shard_of(&map, "service.r07-apps"));
	assert_int_equal(tr_plan_shard_of(&map, "dns_record.r07.lattice.io"),
			 tr_plan_shard_of(&map, "service.r07-apps"));
	assert_int_equal(tr_plan_shard_of(&map, "rule.r07-apps/http-80/1"),
			 tr_plan_shard_of(&map, "service.r07-apps"));
	tr_plan_init(&whole);
	assert_int_equal(tr_plan_compute(&whole, &less.model, &observed, &opts,
					 &less.diag),
			 0);
	assert_true(whole.summary.remove >= 8);
	assert_true(whole.count < 4096);
	for (uint32_t s = 0; s < 3; s++) {
		tr_plan part;
		tr_plan_options popts = opts;
		void *k[2] = {&map, &s};
		size_t left_out;

		popts.keep = keep_index;
		popts.keep_ctx = k;
		tr_plan_init(&part);
		assert_int_equal(tr_plan_compute(&part, &less.model, &observed,
						 &popts, &less.diag),
				 0);
		assert_int_equal(tr_plan_shard_check(&left_out, &part, &whole,
						     &map, s, &less.model,
						     &observed, &less.diag),
				 0);
		assert_int_equal(left_out, 0);
		assert_int_equal(part.shard_index, s);
		assert_int_equal(part.shard_count, 3);
		part.config_name = "teams/a/trellis.yaml";
		part.config_index = 1;
		part.config_count = 2;
		check_json(&part, s);
		for (size_t i = 0; i < part.count; i++) {
			const tr_change *c = &part.changes[i];
			bool found = false;

			assert_int_equal(tr_plan_shard_of(&map, c->address), s);
			for (size_t j = 0; j < whole.count; j++) {
				if (strcmp(whole.changes[j].address,
					   c->address) != 0)
					continue;
				assert_null(owner_of_change[j]); /* disjoint */
				owner_of_change[j] = c->address;
				assert_int_equal(whole.changes[j].action,
						 c->action);
				found = true;
			}
			assert_true(found);
			if (c->action == TR_ACTION_DELETE)
				assert_int_equal(
					s, tr_plan_shard_of(&map,
							    "service.r07-apps"));
		}
		total += part.count;
		/* Checked above; the pointers die with the part. */
		for (size_t j = 0; j < whole.count; j++)
			if (owner_of_change[j])
				owner_of_change[j] = (char *)"";
		tr_plan_dispose(&part);
	}
	assert_int_equal(total, whole.count); /* covering */
	assert_int_equal(tr_diag_count(&less.diag, TR_SEV_ERROR), 0);
	tr_plan_dispose(&whole);
	tr_plan_shard_map_dispose(&map);
	tr_model_dispose(&observed);
	repo_fixture_dispose(&full);
	repo_fixture_dispose(&less);
}

/* From empty, a service's shard needs the service network, shard 0's:
 * its associations are left out with an error naming shard 0, the rest
 * goes ahead; shard 0 itself is fine. A deletion that a resource of
 * another shard still uses waits, with a warning. */
static void test_checks(void **state)
{
	world w;
	tr_model empty, observed;
	tr_shard_map map;
	tr_plan whole;
	tr_plan_options opts = {"team-x", true, false, NULL, NULL};
	uint32_t svc_shard, s0 = 0;
	void *k0[2];

	(void)state;
	load_world(&w, false, -1);
	tr_model_init(&empty);
	tr_plan_shard_map_init(&map);
	tr_plan_shard_map_build(&map, &w.model, &empty, 3);
	svc_shard = tr_plan_shard_of(&map, "service.r01-apps");
	tr_plan_init(&whole);
	assert_int_equal(tr_plan_compute(&whole, &w.model, &empty, &opts,
					 &w.diag),
			 0);
	for (uint32_t s = 0; s < 3; s++) {
		tr_plan part;
		tr_plan_options popts = opts;
		void *k[2] = {&map, &s};
		tr_diag diag;
		size_t left_out, before, services = 0;
		int rc;

		tr_diag_init(&diag);
		popts.keep = keep_index;
		popts.keep_ctx = k;
		tr_plan_init(&part);
		assert_int_equal(tr_plan_compute(&part, &w.model, &empty,
						 &popts, &diag),
				 0);
		before = part.count;
		rc = tr_plan_shard_check(&left_out, &part, &whole, &map, s,
					 &w.model, &empty, &diag);
		/* The shard goes ahead with what it can do. */
		assert_int_equal(rc, 0);
		assert_int_equal(part.count + left_out, before);
		if (s == 0) {
			assert_int_equal(left_out, 0);
			assert_int_equal(tr_diag_count(&diag, TR_SEV_ERROR), 0);
		} else {
			bool named = false;

			/* Each service's association with the network
			 * waits for shard 0; its service, listeners,
			 * rules and target groups do not. */
			assert_true(left_out >= 5);
			assert_int_equal(tr_diag_count(&diag, TR_SEV_ERROR),
					 left_out);
			for (size_t i = 0; i < diag.count; i++)
				named |= strstr(diag.entries[i].message,
						"needs service_network.net, "
						"owned by shard 0/3, not "
						"created yet") != NULL &&
					 strcmp(diag.entries[i].rule,
						"shard.dependency") == 0;
			assert_true(named);
			for (size_t i = 0; i < part.count; i++) {
				assert_int_not_equal(
					part.changes[i].kind,
					TR_KIND_SN_SERVICE_ASSOCIATION);
				if (part.changes[i].kind == TR_KIND_SERVICE)
					services++;
			}
			/* One association per service: all of them. */
			assert_int_equal(services, left_out);
		}
		tr_plan_dispose(&part);
		tr_diag_dispose(&diag);
	}
	tr_plan_dispose(&whole);

	/* Everything exists; the gateway is removed from the manifests but
	 * r01's association still uses the service network. */
	repo_fixture_as_observed(&observed, &w.model, false);
	for (size_t i = 0; i < w.model.count; i++)
		if (w.model.resources[i].kind == TR_KIND_SERVICE_NETWORK ||
		    w.model.resources[i].kind == TR_KIND_SN_VPC_ASSOCIATION) {
			tr_model desired;
			tr_plan part;
			tr_plan_options popts = opts;
			tr_diag diag;
			bool deferred = false;

			tr_model_init(&desired); /* all removed, say */
			tr_plan_init(&whole);
			tr_plan_init(&part);
			tr_diag_init(&diag);
			tr_plan_shard_map_build(&map, &desired, &observed, 3);
			assert_int_equal(tr_plan_compute(&whole, &desired,
							 &observed, &opts,
							 &diag),
					 0);
			k0[0] = &map;
			k0[1] = &s0;
			popts.keep = keep_index;
			popts.keep_ctx = k0;
			assert_int_equal(tr_plan_compute(&part, &desired,
							 &observed, &popts,
							 &diag),
					 0);
			assert_true(part.summary.remove >= 2);
			size_t left_out;

			assert_int_equal(tr_plan_shard_check(&left_out, &part,
							     &whole, &map, 0,
							     &desired, &observed,
							     &diag),
					 0);
			assert_int_equal(left_out, 0);
			/* The network waits for the services' associations
			 * (other shards); its VPC association (shard 0's)
			 * does not wait for anything. */
			for (size_t j = 0; j < part.count; j++)
				assert_int_not_equal(part.changes[j].kind,
						     TR_KIND_SERVICE_NETWORK);
			for (size_t j = 0; j < diag.count; j++)
				deferred |= strcmp(diag.entries[j].rule,
						   "shard.deferred") == 0 &&
					    diag.entries[j].severity ==
						    TR_SEV_WARNING;
			assert_true(deferred);
			tr_plan_dispose(&part);
			tr_plan_dispose(&whole);
			tr_diag_dispose(&diag);
			tr_model_dispose(&desired);
			break;
		}
	(void)svc_shard;
	tr_plan_shard_map_dispose(&map);
	tr_model_dispose(&observed);
	tr_model_dispose(&empty);
	repo_fixture_dispose(&w);
}

static tr_resource *add(tr_model *m, tr_kind kind, const char *key,
			const char *parent, const char *ref1, const char *ref2)
{
	cJSON *attrs = cJSON_CreateObject();
	cJSON *refs = cJSON_AddArrayToObject(attrs, "refs");
	tr_resource *r;

	if (ref1)
		cJSON_AddItemToArray(refs, tr_model_ref(ref1));
	if (ref2)
		cJSON_AddItemToArray(refs, tr_model_ref(ref2));
	r = tr_model_add(m, kind, attrs, "%s", key);
	assert_non_null(r);
	tr_resource_set_tag(r, TR_TAG_OWNER, "team-x");
	if (parent)
		tr_resource_set_parent(r, parent);
	return r;
}

/* What waits, transitively: a role of service s's group that also names
 * the shared network (missing) waits, and so does s's auth policy, which
 * names the role; s itself goes ahead. */
static void test_waits_transitively(void **state)
{
	tr_model desired, empty;
	tr_shard_map map;
	tr_plan whole, part;
	tr_plan_options opts = {"team-x", false, false, NULL, NULL};
	tr_diag diag;
	uint32_t s;
	void *k[2] = {&map, &s};
	size_t left_out;
	bool transitive = false;

	(void)state;
	tr_model_init(&desired);
	tr_model_init(&empty);
	tr_diag_init(&diag);
	add(&desired, TR_KIND_SERVICE_NETWORK, "net", NULL, NULL, NULL);
	add(&desired, TR_KIND_SERVICE, "users-apps", NULL, NULL, NULL);
	add(&desired, TR_KIND_IAM_ROLE, "caller", NULL, "service.users-apps",
	    "service_network.net");
	add(&desired, TR_KIND_AUTH_POLICY, "service/users-apps",
	    "service.users-apps", "iam_role.caller", NULL);
	tr_plan_shard_map_init(&map);
	tr_plan_shard_map_build(&map, &desired, &empty, 3);
	s = tr_plan_shard_of(&map, "service.users-apps");
	assert_int_equal(s, 2);
	assert_int_equal(tr_plan_shard_of(&map, "iam_role.caller"), 2);
	assert_int_equal(tr_plan_shard_of(&map, "auth_policy.service/users-apps"),
			 2);
	tr_plan_init(&whole);
	tr_plan_init(&part);
	assert_int_equal(tr_plan_compute(&whole, &desired, &empty, &opts,
					 &diag),
			 0);
	opts.keep = keep_index;
	opts.keep_ctx = k;
	assert_int_equal(tr_plan_compute(&part, &desired, &empty, &opts,
					 &diag),
			 0);
	assert_int_equal(part.count, 3);
	assert_int_equal(tr_plan_shard_check(&left_out, &part, &whole, &map, s,
					     &desired, &empty, &diag),
			 0);
	assert_int_equal(left_out, 2);
	assert_int_equal(part.count, 1);
	assert_string_equal(part.changes[0].address, "service.users-apps");
	assert_int_equal(part.summary.create, 1);
	for (size_t i = 0; i < diag.count; i++)
		transitive |= strstr(diag.entries[i].message,
				     "auth_policy.service/users-apps needs "
				     "iam_role.caller, which waits for "
				     "service_network.net") != NULL;
	assert_true(transitive);
	tr_plan_dispose(&part);
	tr_plan_dispose(&whole);
	tr_plan_shard_map_dispose(&map);
	tr_model_dispose(&desired);
	tr_model_dispose(&empty);
	tr_diag_dispose(&diag);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_shards),
		cmocka_unit_test(test_partition),
		cmocka_unit_test(test_stable_across_order),
		cmocka_unit_test(test_plans_add_up),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_waits_transitively),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
