/* The diff and its renderers, on the article's scenario. */
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
#include "validate/schema.h"

#include "../repo_fixture.h"

typedef repo_fixture world;

/* The article's repository with the canary weights and domain given. */
static void load_world(world *w, int w1, int w2, const char *domain,
		       bool with_route)
{
	repo_fixture_init(w);
	repo_fixture_article(w, w1, w2, domain, with_route);
	repo_fixture_build(w);
	assert_int_equal(tr_diag_count(&w->diag, TR_SEV_ERROR), 0);
}

static void world_dispose(world *w)
{
	repo_fixture_dispose(w);
}

static tr_plan_options OPTS = {"team-x", false, false, NULL, NULL};

static const tr_change *change(const tr_plan *p, const char *address)
{
	for (size_t i = 0; i < p->count; i++)
		if (strcmp(p->changes[i].address, address) == 0)
			return &p->changes[i];
	fail_msg("no change for %s", address);
	return NULL;
}

static void from_empty_everything_is_created(void **state)
{
	world w;
	tr_model empty;
	tr_plan plan;
	tr_diag diag;
	(void)state;

	load_world(&w, 50, 50, "datastore.lattice.io", true);
	tr_model_init(&empty);
	tr_plan_init(&plan);
	tr_diag_init(&diag);
	assert_int_equal(tr_plan_compute(&plan, &w.model, &empty, &OPTS, &diag), 0);
	assert_int_equal(plan.summary.create, 10);
	assert_int_equal(plan.summary.update + plan.summary.replace +
				 plan.summary.remove,
			 0);
	/* Parents before children. */
	assert_string_equal(plan.changes[0].address,
			    "service_network.eks-lattice-network");
	assert_string_equal(plan.changes[9].address,
			    "rule.datastore-apps/http-80/2");
	assert_true(tr_plan_has_changes(&plan));
	tr_plan_dispose(&plan);
	tr_diag_dispose(&diag);
	tr_model_dispose(&empty);
	world_dispose(&w);
}

static void applied_state_plans_no_changes(void **state)
{
	world w;
	tr_model observed;
	tr_plan plan;
	tr_diag diag;
	(void)state;

	load_world(&w, 50, 50, "datastore.lattice.io", true);
	repo_fixture_as_observed(&observed, &w.model, true);
	tr_plan_init(&plan);
	tr_diag_init(&diag);
	assert_int_equal(tr_plan_compute(&plan, &w.model, &observed, &OPTS,
					 &diag),
			 0);
	assert_false(tr_plan_has_changes(&plan));
	assert_int_equal(plan.summary.no_op, 10);
	tr_plan_dispose(&plan);
	tr_diag_dispose(&diag);
	tr_model_dispose(&observed);
	world_dispose(&w);
}

static void canary_shift_updates_one_rule(void **state)
{
	world before, after;
	tr_model observed;
	tr_plan plan;
	tr_diag diag;
	(void)state;

	load_world(&before, 50, 50, "datastore.lattice.io", true);
	load_world(&after, 90, 10, "datastore.lattice.io", true);
	repo_fixture_as_observed(&observed, &before.model, true);
	tr_plan_init(&plan);
	tr_diag_init(&diag);
	assert_int_equal(tr_plan_compute(&plan, &after.model, &observed, &OPTS,
					 &diag),
			 0);
	assert_int_equal(plan.summary.update, 1);
	assert_int_equal(plan.summary.create + plan.summary.replace +
				 plan.summary.remove,
			 0);
	assert_int_equal(change(&plan, "rule.datastore-apps/http-80/2")->action,
			 TR_ACTION_UPDATE);
	tr_plan_dispose(&plan);
	tr_diag_dispose(&diag);
	tr_model_dispose(&observed);
	world_dispose(&before);
	world_dispose(&after);
}

static void new_domain_replaces_the_service_and_its_children(void **state)
{
	world before, after;
	tr_model observed;
	tr_plan plan;
	tr_diag diag;
	const tr_change *svc;
	(void)state;

	load_world(&before, 50, 50, "datastore.lattice.io", true);
	load_world(&after, 50, 50, "store.lattice.io", true);
	repo_fixture_as_observed(&observed, &before.model, true);
	tr_plan_init(&plan);
	tr_diag_init(&diag);
	assert_int_equal(tr_plan_compute(&plan, &after.model, &observed, &OPTS,
					 &diag),
			 0);
	svc = change(&plan, "service.datastore-apps");
	assert_int_equal(svc->action, TR_ACTION_REPLACE);
	assert_int_equal(svc->replace_count, 1);
	assert_string_equal(svc->replace_paths[0], "customDomainName");
	/* Everything that hangs on the service is replaced with it. */
	assert_int_equal(change(&plan, "listener.datastore-apps/http-80")->action,
			 TR_ACTION_REPLACE);
	assert_int_equal(change(&plan, "rule.datastore-apps/http-80/1")->action,
			 TR_ACTION_REPLACE);
	assert_int_equal(change(&plan,
				"sn_service_association.datastore-apps/"
				"eks-lattice-network")
				 ->action,
			 TR_ACTION_REPLACE);
	assert_string_equal(change(&plan, "listener.datastore-apps/http-80")->reason,
			    "service.datastore-apps is replaced");
	/* The target groups and the network are not touched. */
	assert_int_equal(plan.summary.replace, 5);
	assert_int_equal(plan.summary.no_op, 5);
	tr_plan_dispose(&plan);
	tr_diag_dispose(&diag);
	tr_model_dispose(&observed);
	world_dispose(&before);
	world_dispose(&after);
}

static void foreign_owner_is_an_error_not_an_update(void **state)
{
	world w;
	tr_model observed;
	tr_plan plan;
	tr_diag diag;
	tr_resource *svc;
	(void)state;

	load_world(&w, 50, 50, "datastore.lattice.io", true);
	repo_fixture_as_observed(&observed, &w.model, true);
	svc = tr_model_find(&observed, "service.datastore-apps");
	tr_resource_set_tag(svc, TR_TAG_OWNER, "someone-else");
	tr_plan_init(&plan);
	tr_diag_init(&diag);
	assert_int_equal(tr_plan_compute(&plan, &w.model, &observed, &OPTS,
					 &diag),
			 TR_ECONFLICT);
	assert_int_equal(diag.count, 1);
	assert_string_equal(diag.entries[0].rule, "plan.foreign-owner");
	assert_string_equal(diag.entries[0].file, "b/route.yaml");
	assert_non_null(strstr(diag.entries[0].message,
			       "owned by \"someone-else\""));
	for (size_t i = 0; i < plan.count; i++)
		assert_string_not_equal(plan.changes[i].address,
					"service.datastore-apps");
	tr_plan_dispose(&plan);
	tr_diag_dispose(&diag);
	tr_model_dispose(&observed);
	world_dispose(&w);
}

static void untagged_resources_need_adopt(void **state)
{
	world w;
	tr_model observed;
	tr_plan plan;
	tr_diag diag;
	tr_plan_options adopt = {"team-x", false, true, NULL, NULL};
	tr_resource *sn;
	(void)state;

	load_world(&w, 50, 50, "datastore.lattice.io", true);
	repo_fixture_as_observed(&observed, &w.model, true);
	sn = tr_model_find(&observed, "service_network.eks-lattice-network");
	cJSON_DeleteItemFromObjectCaseSensitive(sn->tags, TR_TAG_OWNER);
	tr_plan_init(&plan);
	tr_diag_init(&diag);
	assert_int_equal(tr_plan_compute(&plan, &w.model, &observed, &OPTS,
					 &diag),
			 TR_ECONFLICT);
	assert_string_equal(diag.entries[0].rule, "plan.unowned");
	assert_non_null(strstr(diag.entries[0].message, "--adopt"));
	tr_plan_dispose(&plan);
	tr_plan_init(&plan);
	assert_int_equal(tr_plan_compute(&plan, &w.model, &observed, &adopt,
					 &diag),
			 0);
	assert_int_equal(
		change(&plan, "service_network.eks-lattice-network")->action,
		TR_ACTION_UPDATE);
	tr_plan_dispose(&plan);
	tr_diag_dispose(&diag);
	tr_model_dispose(&observed);
	world_dispose(&w);
}

static void removed_route_deletes_only_under_prune(void **state)
{
	world before, after;
	tr_model observed;
	tr_plan plan;
	tr_diag diag;
	tr_plan_options prune = {"team-x", true, false, NULL, NULL};
	tr_resource *foreign;
	(void)state;

	load_world(&before, 50, 50, "datastore.lattice.io", true);
	load_world(&after, 50, 50, "datastore.lattice.io", false);
	repo_fixture_as_observed(&observed, &before.model, true);
	/* Someone else's service in the same account is never touched. */
	foreign = tr_model_add(&observed, TR_KIND_SERVICE, NULL, "%s", "theirs");
	tr_resource_set_tag(foreign, TR_TAG_OWNER, "other-team");
	tr_plan_init(&plan);
	tr_diag_init(&diag);
	assert_int_equal(tr_plan_compute(&plan, &after.model, &observed, &OPTS,
					 &diag),
			 0);
	assert_false(tr_plan_has_changes(&plan));
	assert_int_equal(plan.summary.skipped_deletes, 7);
	tr_plan_dispose(&plan);

	tr_plan_init(&plan);
	assert_int_equal(tr_plan_compute(&plan, &after.model, &observed, &prune,
					 &diag),
			 0);
	assert_int_equal(plan.summary.remove, 7);
	/* Children first: rules, listeners, associations, service, groups. */
	assert_string_equal(plan.changes[0].address,
			    "rule.datastore-apps/http-80/1");
	assert_string_equal(plan.changes[2].address,
			    "listener.datastore-apps/http-80");
	assert_string_equal(plan.changes[4].address, "service.datastore-apps");
	assert_int_equal(plan.changes[6].kind, TR_KIND_TARGET_GROUP);
	for (size_t i = 0; i < plan.count; i++)
		assert_string_not_equal(plan.changes[i].address,
					"service.theirs");
	tr_plan_dispose(&plan);
	tr_diag_dispose(&diag);
	tr_model_dispose(&observed);
	world_dispose(&before);
	world_dispose(&after);
}

/* Golden files: TRELLIS_UPDATE_GOLDEN=1 rewrites them. */
static void check_golden(const char *name, const char *text)
{
	char path[1024];
	FILE *fp;
	char *want;
	long n;

	snprintf(path, sizeof(path), "%s/plan-golden/%s", TR_TEST_DATA_DIR,
		 name);
	if (getenv("TRELLIS_UPDATE_GOLDEN")) {
		fp = fopen(path, "wb");
		assert_non_null(fp);
		fputs(text, fp);
		fclose(fp);
	}
	fp = fopen(path, "rb");
	if (!fp)
		fail_msg("missing golden file %s", path);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	want = tr_malloc((size_t)n + 1);
	want[fread(want, 1, (size_t)n, fp)] = '\0';
	fclose(fp);
	if (strcmp(want, text) != 0)
		fail_msg("%s differs from the golden file:\n%s", name, text);
	tr_free(want);
}

static void renders_match_golden_files(void **state)
{
	world before, after;
	tr_model observed;
	tr_plan plan;
	tr_diag diag;
	tr_plan_options prune = {"team-x", true, false, NULL, NULL};
	static const struct {
		const char *file;
		tr_plan_render_options opts;
	} formats[] = {
		{"replace.txt", {TR_PLAN_TEXT, false, false, 0}},
		{"replace.json", {TR_PLAN_JSON, false, false, 0}},
		{"replace.md", {TR_PLAN_MARKDOWN, false, false, 65000}},
		{"replace-summary.txt", {TR_PLAN_TEXT, false, true, 0}},
		{"replace-small.md", {TR_PLAN_MARKDOWN, false, false, 1200}},
	};
	(void)state;

	load_world(&before, 50, 50, "datastore.lattice.io", true);
	load_world(&after, 90, 10, "store.lattice.io", true);
	repo_fixture_as_observed(&observed, &before.model, true);
	tr_model_add(&observed, TR_KIND_TARGET_GROUP, NULL, "%s", "old-tg");
	tr_resource_set_tag(tr_model_find(&observed, "target_group.old-tg"),
			    TR_TAG_OWNER, "team-x");
	tr_plan_init(&plan);
	tr_diag_init(&diag);
	memcpy(plan.commit, "0123456789abcdef0123456789abcdef01234567", 41);
	assert_int_equal(tr_plan_compute(&plan, &after.model, &observed, &prune,
					 &diag),
			 0);
	for (size_t i = 0; i < sizeof(formats) / sizeof(*formats); i++) {
		tr_buf out = TR_BUF_INIT(1 << 20);
		assert_int_equal(tr_plan_render(&out, &plan, &formats[i].opts), 0);
		if (formats[i].opts.format == TR_PLAN_MARKDOWN)
			assert_true(out.len <= formats[i].opts.max_bytes);
		check_golden(formats[i].file, out.ptr);
		tr_buf_dispose(&out);
	}
	tr_plan_dispose(&plan);
	tr_diag_dispose(&diag);
	tr_model_dispose(&observed);
	world_dispose(&before);
	world_dispose(&after);
}

/* Every JSON plan trellis renders validates against docs/plan.schema.json,
 * the schema the documentation promises tools. */
static void json_plans_follow_the_documented_schema(void **state)
{
	static const char *const plans[] = {"replace.json"};
	tr_schema *schema = NULL;
	tr_diag diag;
	size_t len;
	char *text = repo_fixture_read_file(TR_TEST_DATA_DIR
					    "/../../docs/plan.schema.json",
					    &len);
	(void)state;

	tr_diag_init(&diag);
	assert_int_equal(tr_schema_compile(&schema, "plan.schema.json", text,
					   len, NULL, &diag),
			 0);
	tr_free(text);
	for (size_t i = 0; i < sizeof(plans) / sizeof(*plans); i++) {
		char path[1024];
		tr_arena arena;
		cJSON *doc;
		const tr_node *root;

		snprintf(path, sizeof(path), "%s/plan-golden/%s",
			 TR_TEST_DATA_DIR, plans[i]);
		text = repo_fixture_read_file(path, &len);
		doc = cJSON_ParseWithLength(text, len);
		assert_non_null(doc);
		tr_arena_init(&arena);
		root = tr_schema_node_from_json(&arena, doc);
		assert_int_equal(tr_schema_validate(schema, plans[i], root, "",
						    &diag), 0);
		/* And a plan that breaks the schema is caught. */
		cJSON_ReplaceItemInObjectCaseSensitive(
			doc, "format_version", cJSON_CreateString("2"));
		root = tr_schema_node_from_json(&arena, doc);
		assert_false(tr_schema_accepts(schema, root));
		tr_arena_dispose(&arena);
		cJSON_Delete(doc);
		tr_free(text);
	}
	assert_int_equal(tr_diag_count(&diag, TR_SEV_ERROR), 0);
	tr_schema_free(schema);
	tr_diag_dispose(&diag);
}


static const tr_change *find_change(const tr_plan *p, const char *address)
{
	for (size_t i = 0; i < p->count; i++)
		if (strcmp(p->changes[i].address, address) == 0)
			return &p->changes[i];
	return NULL;
}

static cJSON *members(const char *const *ids, size_t n, int port)
{
	cJSON *list = cJSON_CreateArray();

	for (size_t i = 0; i < n; i++) {
		cJSON *m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "id", ids[i]);
		cJSON_AddNumberToObject(m, "port", port);
		cJSON_AddItemToArray(list, m);
	}
	return list;
}

#define TARGETS_V1 "targets.datastore-v1-svc-apps-cluster-b-datastore-apps"
#define TARGETS_V2 "targets.datastore-v2-svc-apps-cluster-b-datastore-apps"

/* The observed targets of a target group, as observe reads them. */
static void observe_targets(tr_model *observed, const char *address,
			    cJSON *list)
{
	cJSON *attrs = cJSON_CreateObject();
	char tg[256];
	tr_resource *r;

	snprintf(tg, sizeof(tg), "target_group.%s",
		 address + strlen("targets."));
	cJSON_AddItemToObject(attrs, "targetGroupIdentifier", tr_model_ref(tg));
	cJSON_AddItemToObject(attrs, "targets", list);
	r = tr_model_add(observed, TR_KIND_TARGETS, attrs, "%s",
			 address + strlen("targets."));
	assert_non_null(r);
	tr_resource_set_parent(r, tg);
	tr_resource_set_tag(r, TR_TAG_OWNER, "team-x");
	r->tags_inherited = true;
}

static void targets_plan_registrations_and_deregistrations(void **state)
{
	static const char *const want1[] = {"10.0.2.11", "10.0.2.12"};
	static const char *const have1[] = {"10.0.2.12", "10.0.2.13"};
	static const char *const want_v2[] = {"10.0.3.1", "10.0.3.2"};
	world w;
	tr_model observed;
	tr_plan plan;
	tr_diag diag;
	tr_buf text = TR_BUF_INIT(1 << 20);
	tr_plan_render_options ro = {TR_PLAN_TEXT, false, false, 0};
	const tr_change *c;
	cJSON *doc;
	tr_resource *t;

	(void)state;
	load_world(&w, 50, 50, "datastore.lattice.io", true);
	/* Known desired targets for v1 and v2 ... */
	t = tr_model_find(&w.model, TARGETS_V1);
	assert_non_null(t);
	assert_null(cJSON_GetObjectItemCaseSensitive(t->attrs, "targets"));
	cJSON_AddItemToObject(t->attrs, "targets", members(want1, 2, 3000));
	repo_fixture_as_observed(&observed, &w.model, true);
	observe_targets(&observed, TARGETS_V1, members(have1, 2, 3000));
	/* ... v2's unknown (its cluster's API was not read): nothing planned
	 * even though AWS holds targets for it. */
	observe_targets(&observed, TARGETS_V2, members(want_v2, 2, 3000));
	tr_diag_init(&diag);
	tr_plan_init(&plan);
	assert_int_equal(tr_plan_compute(&plan, &w.model, &observed, &OPTS,
					 &diag),
			 0);
	assert_int_equal(plan.summary.members_added, 1);
	assert_int_equal(plan.summary.members_removed, 1);
	assert_int_equal(plan.summary.create + plan.summary.update +
				 plan.summary.replace + plan.summary.remove,
			 0);
	assert_true(tr_plan_has_changes(&plan));
	c = change(&plan, TARGETS_V1);
	assert_non_null(c);
	assert_int_equal(c->action, TR_ACTION_UPDATE);
	assert_int_equal(cJSON_GetArraySize(c->added), 1);
	assert_string_equal(cJSON_GetArrayItem(c->added, 0)->child->valuestring,
			    "10.0.2.11");
	assert_string_equal(
		cJSON_GetArrayItem(c->removed, 0)->child->valuestring,
		"10.0.2.13");
	assert_null(find_change(&plan, TARGETS_V2));
	assert_int_equal(tr_plan_render(&text, &plan, &ro), 0);
	assert_non_null(strstr(text.ptr, "Plan: 0 to add, 0 to change, 0 to "
					 "replace, 0 to destroy; 1 target to "
					 "register, 1 to deregister.\n"));
	assert_non_null(strstr(text.ptr, "      + 10.0.2.11:3000\n"));
	assert_non_null(strstr(text.ptr, "      - 10.0.2.13:3000\n"));
	assert_non_null(strstr(text.ptr, "# (1 unchanged target hidden)"));
	doc = tr_plan_to_json(&plan);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(
				 cJSON_GetObjectItemCaseSensitive(doc, "summary"),
				 "register")
				 ->valueint,
			 1);
	cJSON_Delete(doc);
	tr_buf_dispose(&text);
	tr_plan_dispose(&plan);
	tr_diag_dispose(&diag);
	tr_model_dispose(&observed);
	world_dispose(&w);
}

/* A new target group gets all its targets after it is created; a pruned
 * one is emptied before it is deleted. */
static void targets_follow_their_target_group(void **state)
{
	static const char *const want1[] = {"10.0.2.11", "10.0.2.12"};
	world w, gone;
	tr_model observed, empty;
	tr_plan plan;
	tr_diag diag;
	tr_plan_options prune = OPTS;
	const tr_change *c;
	tr_resource *t;

	(void)state;
	load_world(&w, 50, 50, "datastore.lattice.io", true);
	t = tr_model_find(&w.model, TARGETS_V1);
	cJSON_AddItemToObject(t->attrs, "targets", members(want1, 2, 3000));
	tr_model_init(&empty);
	tr_diag_init(&diag);
	tr_plan_init(&plan);
	assert_int_equal(tr_plan_compute(&plan, &w.model, &empty, &OPTS, &diag),
			 0);
	c = change(&plan, TARGETS_V1);
	assert_non_null(c);
	assert_int_equal(c->action, TR_ACTION_CREATE);
	assert_int_equal(cJSON_GetArraySize(c->added), 2);
	assert_int_equal(plan.summary.members_added, 2);
	tr_plan_dispose(&plan);

	/* The route removed, with prune: the targets go before the group. */
	repo_fixture_as_observed(&observed, &w.model, true);
	observe_targets(&observed, TARGETS_V1, members(want1, 2, 3000));
	load_world(&gone, 50, 50, "datastore.lattice.io", false);
	prune.prune = true;
	tr_plan_init(&plan);
	assert_int_equal(tr_plan_compute(&plan, &gone.model, &observed, &prune,
					 &diag),
			 0);
	c = change(&plan, TARGETS_V1);
	assert_non_null(c);
	assert_int_equal(c->action, TR_ACTION_DELETE);
	assert_int_equal(cJSON_GetArraySize(c->removed), 2);
	assert_int_equal(plan.summary.members_removed, 2);
	/* Without prune nothing happens to them. */
	tr_plan_dispose(&plan);
	tr_plan_init(&plan);
	assert_int_equal(tr_plan_compute(&plan, &gone.model, &observed, &OPTS,
					 &diag),
			 0);
	assert_null(find_change(&plan, TARGETS_V1));
	assert_int_equal(plan.summary.members_removed, 0);
	tr_plan_dispose(&plan);
	tr_diag_dispose(&diag);
	tr_model_dispose(&observed);
	tr_model_dispose(&empty);
	world_dispose(&gone);
	world_dispose(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(from_empty_everything_is_created),
		cmocka_unit_test(applied_state_plans_no_changes),
		cmocka_unit_test(canary_shift_updates_one_rule),
		cmocka_unit_test(new_domain_replaces_the_service_and_its_children),
		cmocka_unit_test(foreign_owner_is_an_error_not_an_update),
		cmocka_unit_test(untagged_resources_need_adopt),
		cmocka_unit_test(removed_route_deletes_only_under_prune),
		cmocka_unit_test(renders_match_golden_files),
		cmocka_unit_test(json_plans_follow_the_documented_schema),
		cmocka_unit_test(targets_plan_registrations_and_deregistrations),
		cmocka_unit_test(targets_follow_their_target_group),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
