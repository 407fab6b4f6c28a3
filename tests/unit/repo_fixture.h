/*
 * A repository in memory for the model and plan tests: files added as a
 * source tree would hand them over, loaded and turned into the desired
 * model, and the article's scenario (two clusters, the Gateway in both,
 * the datastore route with its canary in cluster B) as the usual start.
 * Test code, shared by tests/unit/model and tests/unit/plan.
 */
#ifndef TR_TEST_REPO_FIXTURE_H
#define TR_TEST_REPO_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/fs.h"

typedef struct repo_fixture {
	tr_source_tree tree;
	tr_repo repo;
	tr_model model;
	tr_diag diag;
} repo_fixture;

static const char *const FIXTURE_CONFIG =
	"version: 1\nregion: us-west-2\nowner: team-x\nclusters:\n"
	"  - {name: cluster-a, path: a, vpcId: vpc-0a1b2c3d4e5f60001}\n"
	"  - {name: cluster-b, path: b, vpcId: vpc-0a1b2c3d4e5f60002}\n";

static const char *const FIXTURE_GATEWAY =
	"apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\n"
	"metadata: {name: amazon-vpc-lattice}\n"
	"spec: {controllerName: application-networking.k8s.aws/gateway-api-controller}\n"
	"---\napiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"
	"metadata: {name: eks-lattice-network}\n"
	"spec:\n  gatewayClassName: amazon-vpc-lattice\n  listeners:\n"
	"    - {name: http, protocol: HTTP, port: 80}\n";

static const char *const FIXTURE_SERVICES =
	"apiVersion: v1\nkind: Service\nmetadata: {name: datastore-v1-svc, namespace: apps}\n"
	"spec: {ports: [{port: 80, targetPort: 3000}]}\n---\n"
	"apiVersion: v1\nkind: Service\nmetadata: {name: datastore-v2-svc, namespace: apps}\n"
	"spec: {ports: [{port: 80, targetPort: 3000}]}\n";

static inline void repo_fixture_init(repo_fixture *f)
{
	memset(f, 0, sizeof(*f));
	tr_diag_init(&f->diag);
	tr_model_init(&f->model);
}

static inline void repo_fixture_dispose(repo_fixture *f)
{
	tr_model_dispose(&f->model);
	tr_repo_dispose(&f->repo);
	tr_source_tree_dispose(&f->tree);
	tr_diag_dispose(&f->diag);
}

/* cmocka group-less setup and teardown: *state is a fresh repo_fixture. */
static inline int repo_fixture_setup(void **state)
{
	repo_fixture *f = tr_calloc(1, sizeof(*f));

	repo_fixture_init(f);
	*state = f;
	return 0;
}

static inline int repo_fixture_teardown(void **state)
{
	repo_fixture_dispose(*state);
	tr_free(*state);
	return 0;
}

static inline void repo_fixture_add(repo_fixture *f, const char *path,
				    const char *text)
{
	tr_source_file *file;

	f->tree.files = tr_realloc(f->tree.files,
				   (f->tree.count + 1) * sizeof(*f->tree.files));
	file = &f->tree.files[f->tree.count++];
	file->path = tr_strdup(path);
	file->data = tr_strdup(text);
	file->len = strlen(text);
}

static inline int repo_fixture_by_path(const void *a, const void *b)
{
	return strcmp(((const tr_source_file *)a)->path,
		      ((const tr_source_file *)b)->path);
}

/* Loads the files as a source tree would hand them over (sorted by path)
 * and builds the desired model; both steps must succeed. */
static inline void repo_fixture_build(repo_fixture *f)
{
	tr_repo_options opts = {0};

	qsort(f->tree.files, f->tree.count, sizeof(*f->tree.files),
	      repo_fixture_by_path);
	assert_int_equal(tr_repo_load(&f->repo, &f->tree, &opts, &f->diag), 0);
	assert_int_equal(tr_model_build_desired(&f->model, &f->repo, &f->diag),
			 0);
}

/* The article's repository: the canary weights and the route's domain
 * given; without the route when with_route is false (a deleted file). */
static inline void repo_fixture_article(repo_fixture *f, int w1, int w2,
					const char *domain, bool with_route)
{
	char route[2048];

	snprintf(route, sizeof(route),
		 "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"
		 "metadata: {name: datastore, namespace: apps}\n"
		 "spec:\n  hostnames: [%s]\n"
		 "  parentRefs: [{name: eks-lattice-network, sectionName: http}]\n"
		 "  rules:\n"
		 "    - matches: [{path: {type: PathPrefix, value: /popular}}]\n"
		 "      backendRefs: [{name: datastore-v1-svc, port: 80}]\n"
		 "    - matches: [{path: {type: PathPrefix, value: /summary}}]\n"
		 "      backendRefs:\n"
		 "        - {name: datastore-v1-svc, port: 80, weight: %d}\n"
		 "        - {name: datastore-v2-svc, port: 80, weight: %d}\n",
		 domain, w1, w2);
	repo_fixture_add(f, "trellis.yaml", FIXTURE_CONFIG);
	repo_fixture_add(f, "a/gateway.yaml", FIXTURE_GATEWAY);
	repo_fixture_add(f, "b/gateway.yaml", FIXTURE_GATEWAY);
	repo_fixture_add(f, "b/services.yaml", FIXTURE_SERVICES);
	if (with_route)
		repo_fixture_add(f, "b/route.yaml", route);
}

/* A whole file of the source tree (a schema, a golden plan); the test fails
 * when it cannot be read. tr_free the result. */
static inline char *repo_fixture_read_file(const char *path, size_t *len)
{
	tr_buf data = TR_BUF_INIT(64u << 20);

	if (tr_fs_read_file(&data, path, 64u << 20) < 0)
		fail_msg("cannot read %s", path);
	*len = data.len;
	return tr_buf_detach(&data);
}

/* What AWS would hold after applying `m`: the same resources with ids
 * ("id-0000", ...) and their tags and parents. `settled`: without the
 * member sets (targets) and with status ACTIVE, as the plan tests want. */
static inline void repo_fixture_as_observed(tr_model *out, tr_model *m,
					    bool settled)
{
	size_t n = 0;

	tr_model_init(out);
	tr_model_sort(m);
	for (size_t i = 0; i < m->count; i++) {
		const tr_resource *r = &m->resources[i];
		tr_resource *o;
		char id[64];

		if (settled && tr_kind_set(r->kind))
			continue; /* targets: tests of their own */
		o = tr_model_add(out, r->kind, cJSON_Duplicate(r->attrs, true),
				 "%s", strchr(r->address, '.') + 1);
		assert_non_null(o);
		cJSON_Delete(o->tags);
		o->tags = cJSON_Duplicate(r->tags, true);
		snprintf(id, sizeof(id), "id-%04zu", n++);
		o->id = tr_strdup(id);
		if (settled)
			cJSON_AddStringToObject(o->attrs, "status", "ACTIVE");
		if (r->parent)
			tr_resource_set_parent(o, r->parent);
	}
	tr_model_sort(out);
}

#endif
