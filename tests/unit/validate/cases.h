/*
 * Table-driven validation cases shared by the refs and lattice tests.
 *
 * A case is a small repository (the shared base plus one case file) that
 * must produce exactly the expected diagnostic among the rules under test
 * ("refs.*" and "lattice.*"), and a valid twin that must produce none.
 * The expected line is the line of the case file that carries the marker
 * "#<" (a YAML comment), so the tables stay readable when cases change.
 */
#ifndef TR_TEST_VALIDATE_CASES_H
#define TR_TEST_VALIDATE_CASES_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repo/repo.h"
#include "source/source.h"
#include "util/alloc.h"
#include "util/str.h"
#include "validate/validate.h"

#define CASE_FILE "clusters/a/case.yaml"

/* Everything a case builds on: one Lattice Gateway with listeners for each
 * attachment rule, and Services in three namespaces. */
#define BASE_YAML                                                          \
	"apiVersion: gateway.networking.k8s.io/v1\n"                       \
	"kind: GatewayClass\n"                                             \
	"metadata:\n"                                                      \
	"  name: amazon-vpc-lattice\n"                                     \
	"spec:\n"                                                          \
	"  controllerName: "                                               \
	"application-networking.k8s.aws/gateway-api-controller\n"          \
	"---\n"                                                            \
	"apiVersion: gateway.networking.k8s.io/v1\n"                       \
	"kind: Gateway\n"                                                  \
	"metadata:\n"                                                      \
	"  name: net\n"                                                     \
	"  namespace: infra\n"                                             \
	"spec:\n"                                                          \
	"  gatewayClassName: amazon-vpc-lattice\n"                         \
	"  listeners:\n"                                                   \
	"  - name: http\n"                                                 \
	"    protocol: HTTP\n"                                             \
	"    port: 80\n"                                                   \
	"    allowedRoutes: {namespaces: {from: All}}\n"                   \
	"  - name: https\n"                                                \
	"    protocol: HTTPS\n"                                            \
	"    port: 443\n"                                                  \
	"    allowedRoutes: {namespaces: {from: All}}\n"                   \
	"    tls:\n"                                                       \
	"      mode: Terminate\n"                                          \
	"      options:\n"                                                 \
	"        application-networking.k8s.aws/certificate-arn: "         \
	"arn:aws:acm:us-west-2:123456789012:certificate/"                  \
	"0a1b2c3d-aaaa-bbbb-cccc-0123456789ab\n"                           \
	"  - name: same\n"                                                 \
	"    protocol: HTTP\n"                                             \
	"    port: 8080\n"                                                 \
	"  - name: sel\n"                                                  \
	"    protocol: HTTP\n"                                             \
	"    port: 8081\n"                                                 \
	"    allowedRoutes:\n"                                             \
	"      namespaces:\n"                                              \
	"        from: Selector\n"                                         \
	"        selector: {matchLabels: {team: a}}\n"                     \
	"  - name: grpc-only\n"                                            \
	"    protocol: HTTPS\n"                                            \
	"    port: 8443\n"                                                 \
	"    allowedRoutes:\n"                                             \
	"      namespaces: {from: All}\n"                                  \
	"      kinds: [{kind: GRPCRoute}]\n"                               \
	"  - name: https-nocert\n"                                         \
	"    protocol: HTTPS\n"                                            \
	"    port: 9443\n"                                                 \
	"    allowedRoutes: {namespaces: {from: All}}\n"                   \
	"    tls:\n"                                                       \
	"      certificateRefs: [{name: unused}]\n"                        \
	"---\n"                                                            \
	"apiVersion: v1\n"                                                 \
	"kind: Service\n"                                                  \
	"metadata: {name: svc-a, namespace: apps}\n"                       \
	"spec:\n"                                                          \
	"  ports: [{port: 80, targetPort: 3000}]\n"                        \
	"---\n"                                                            \
	"apiVersion: v1\n"                                                 \
	"kind: Service\n"                                                  \
	"metadata: {name: svc-b, namespace: apps}\n"                       \
	"spec:\n"                                                          \
	"  ports: [{port: 8080}]\n"                                        \
	"---\n"                                                            \
	"apiVersion: v1\n"                                                 \
	"kind: Service\n"                                                  \
	"metadata: {name: svc-s, namespace: shared}\n"                     \
	"spec:\n"                                                          \
	"  ports: [{port: 80}]\n"

/* An HTTPRoute apps/r attached to listener `section` of infra/net. */
#define ROUTE_ON(section)                                                  \
	"apiVersion: gateway.networking.k8s.io/v1\n"                       \
	"kind: HTTPRoute\n"                                                \
	"metadata:\n"                                                      \
	"  name: r\n"                                                      \
	"  namespace: apps\n"                                              \
	"spec:\n"                                                          \
	"  parentRefs:\n"                                                  \
	"  - name: net\n"                                                   \
	"    namespace: infra\n"                                           \
	"    sectionName: " section "\n"

#define ROUTE ROUTE_ON("http")

/* One rule sending to apps/svc-a:80, for routes whose rules don't matter. */
#define RULE_TO_A                                                          \
	"  rules:\n"                                                       \
	"  - backendRefs:\n"                                               \
	"    - {name: svc-a, port: 80}\n"

typedef struct vcase {
	const char *name;
	const char *bad;       /* the case file */
	const char *good;      /* its valid twin */
	const char *rule;      /* expected rule id */
	tr_severity severity;
	const char *path;      /* expected field path; NULL = none */
	const char *fragment;  /* expected in the message */
	size_t count;          /* diagnostics of the tested rules; 0 means 1 */
} vcase;

typedef struct vrun {
	tr_source_tree tree;
	tr_repo repo;
	tr_diag diag;
} vrun;

static int vfile_cmp(const void *a, const void *b)
{
	return strcmp(((const tr_source_file *)a)->path,
		      ((const tr_source_file *)b)->path);
}

/* Loads files (path, text pairs, NULL-terminated) the way `trellis
 * validate` does, and validates them. */
static void vrun_files(vrun *r, const char *const *files)
{
	tr_repo_options ropts = {0};
	tr_validate_options vopts = {false};
	tr_validate_stats stats;
	size_t n = 0, cap = 0;

	memset(r, 0, sizeof(*r));
	tr_diag_init(&r->diag);
	for (; files[2 * n]; n++) {
		tr_source_file *f;

		r->tree.files = tr_grow(r->tree.files, &cap, n + 1,
					sizeof(*r->tree.files));
		f = &r->tree.files[n];
		f->path = tr_strdup(files[2 * n]);
		f->data = tr_strdup(files[2 * n + 1]);
		f->len = strlen(f->data);
	}
	r->tree.count = n;
	qsort(r->tree.files, n, sizeof(*r->tree.files), vfile_cmp);
	assert_int_equal(tr_repo_load(&r->repo, &r->tree, &ropts, &r->diag), 0);
	assert_int_equal(tr_validate_repo(&stats, &r->repo, &vopts, &r->diag),
			 0);
}

static void vrun_dispose(vrun *r)
{
	tr_repo_dispose(&r->repo);
	tr_source_tree_dispose(&r->tree);
	tr_diag_dispose(&r->diag);
}

static bool tested_rule(const tr_diag_entry *e)
{
	return tr_str_has_prefix(e->rule, "refs.") ||
	       tr_str_has_prefix(e->rule, "lattice.");
}

static void vrun_print(const vrun *r)
{
	for (size_t i = 0; i < r->diag.count; i++) {
		const tr_diag_entry *e = &r->diag.entries[i];
		print_message("  %s:%u:%u %s %s [%s] %s\n",
			      e->file ? e->file : "-", e->line, e->col,
			      tr_severity_name(e->severity),
			      e->path ? e->path : "-", e->rule, e->message);
	}
}

/* Line (1-based) of the first "#<" marker in text, or 0. */
static uint32_t marker_line(const char *text)
{
	const char *m = strstr(text, "#<");
	uint32_t line = 1;

	if (!m)
		return 0;
	for (const char *p = text; p < m; p++)
		if (*p == '\n')
			line++;
	return line;
}

/* Counts the tested diagnostics; notes only when `notes`. */
static size_t tested_count(const vrun *r, bool notes)
{
	size_t n = 0;

	for (size_t i = 0; i < r->diag.count; i++) {
		const tr_diag_entry *e = &r->diag.entries[i];
		if (tested_rule(e) && (notes || e->severity != TR_SEV_NOTE))
			n++;
	}
	return n;
}

static void check_bad(const vcase *c, const char *const *files)
{
	vrun r;
	const tr_diag_entry *hit = NULL;
	uint32_t line = marker_line(c->bad);
	size_t want = c->count ? c->count : 1;

	vrun_files(&r, files);
	for (size_t i = 0; i < r.diag.count && !hit; i++)
		if (strcmp(r.diag.entries[i].rule, c->rule) == 0)
			hit = &r.diag.entries[i];
	if (!hit || tested_count(&r, c->severity == TR_SEV_NOTE) != want) {
		print_message("case %s: want %zu diagnostic(s), rule %s; got:\n",
			      c->name, want, c->rule);
		vrun_print(&r);
		fail();
	}
	if (strcmp(hit->file, CASE_FILE) != 0 || hit->line != line ||
	    hit->severity != c->severity || !tr_str_eq(hit->path, c->path) ||
	    !strstr(hit->message, c->fragment) || hit->col == 0) {
		print_message("case %s: want %s:%u %s path %s with \"%s\"; got:\n",
			      c->name, CASE_FILE, line,
			      tr_severity_name(c->severity),
			      c->path ? c->path : "-", c->fragment);
		vrun_print(&r);
		fail();
	}
	vrun_dispose(&r);
}

static void check_good(const vcase *c, const char *const *files)
{
	vrun r;

	vrun_files(&r, files);
	if (tested_count(&r, true) != 0) {
		print_message("case %s: the valid twin has diagnostics:\n",
			      c->name);
		vrun_print(&r);
		fail();
	}
	vrun_dispose(&r);
}

/* Runs every case of a table: the invalid repository, then its twin. */
static void run_cases(const vcase *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *bad[] = {"clusters/a/base.yaml", BASE_YAML,
				     CASE_FILE, cases[i].bad, NULL};
		const char *good[] = {"clusters/a/base.yaml", BASE_YAML,
				      CASE_FILE, cases[i].good, NULL};

		check_bad(&cases[i], bad);
		check_good(&cases[i], good);
	}
}

#endif
