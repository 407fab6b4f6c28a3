/* Local folders: plain folders, work trees (disk and commit reads), path
 * selection, hidden folders, symbolic links and every cap. */
#include "fixture.h"

#include "util/errors.h"
#include "util/limits.h"

static void open_dir(tr_source **out, fx *f, const char *rel,
		     const char *ref, const char *path)
{
	static char repo[1024];
	tr_source_options o = {0};

	fx_path(repo, sizeof(repo), f, rel);
	o.repo = repo;
	o.ref = ref;
	o.path = path;
	assert_int_equal(tr_source_open(out, &o, &f->diag), 0);
}

static void layout(fx *f, const char *rel)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/clusters/a/gw.yaml", rel);
	fx_write(f, p, "kind: Gateway\n");
	snprintf(p, sizeof(p), "%s/clusters/a/route.yml", rel);
	fx_write(f, p, "kind: HTTPRoute\n");
	snprintf(p, sizeof(p), "%s/clusters/b/policy.json", rel);
	fx_write(f, p, "{\"kind\":\"IAMAuthPolicy\"}\n");
	snprintf(p, sizeof(p), "%s/README.md", rel);
	fx_write(f, p, "not a manifest\n");
	snprintf(p, sizeof(p), "%s/trellis.yaml", rel);
	fx_write(f, p, "version: 1\n");
	snprintf(p, sizeof(p), "%s/.github/workflows/ci.yml", rel);
	fx_write(f, p, "on: push\n");
	snprintf(p, sizeof(p), "%s/clusters/.hidden/x.yaml", rel);
	fx_write(f, p, "kind: Secret\n");
	snprintf(p, sizeof(p), "%s/clusters/a/.pre-commit.yaml", rel);
	fx_write(f, p, "repos: []\n");
}

static const char *const all_paths[] = {
	"clusters/a/gw.yaml", "clusters/a/route.yml", "clusters/b/policy.json",
	"trellis.yaml"};

static void plain_folder_reads_manifests_sorted(void **state)
{
	fx *f = *state;
	tr_source *src = NULL;
	tr_source_tree t;

	layout(f, "plain");
	open_dir(&src, f, "plain", NULL, NULL);
	assert_int_equal(tr_source_read(&t, src, NULL, &f->diag), 0);
	fx_expect_paths(&t, all_paths, 4);
	assert_string_equal(fx_file(&t, "clusters/a/gw.yaml")->data,
			    "kind: Gateway\n");
	assert_int_equal(fx_file(&t, "trellis.yaml")->len, 11);
	assert_string_equal(t.commit, "");
	assert_int_equal(t.dirty, 0);
	assert_int_equal(f->diag.count, 0);
	assert_non_null(strstr(tr_source_display(src), "plain"));
	tr_source_tree_dispose(&t);
	tr_source_free(src);
}

static void work_tree_reports_head_and_dirty(void **state)
{
	fx *f = *state;
	tr_source *src = NULL;
	tr_source_tree t;
	char head[41];

	layout(f, "wt");
	fx_git(f, "wt", "init -q");
	fx_commit(f, "wt", "first", head);
	open_dir(&src, f, "wt", NULL, NULL);
	assert_int_equal(tr_source_read(&t, src, NULL, &f->diag), 0);
	fx_expect_paths(&t, all_paths, 4);
	assert_string_equal(t.commit, head);
	assert_int_equal(t.dirty, 0);
	tr_source_tree_dispose(&t);

	/* An edit shows on disk and marks the tree dirty. */
	fx_write(f, "wt/clusters/a/gw.yaml", "kind: Gateway # edited\n");
	assert_int_equal(tr_source_read(&t, src, NULL, &f->diag), 0);
	assert_string_equal(fx_file(&t, "clusters/a/gw.yaml")->data,
			    "kind: Gateway # edited\n");
	assert_string_equal(t.commit, head);
	assert_int_equal(t.dirty, 1);
	tr_source_tree_dispose(&t);
	tr_source_free(src);
	assert_int_equal(f->diag.count, 0);
}

static void work_tree_with_ref_reads_the_commit(void **state)
{
	fx *f = *state;
	tr_source *src = NULL;
	tr_source_tree t;
	char v1[41], v2[41], abbrev[8];

	layout(f, "wt");
	fx_git(f, "wt", "init -q");
	fx_commit(f, "wt", "first", v1);
	fx_git(f, "wt", "tag -a v1 -m v1");
	fx_git(f, "wt", "branch old");
	fx_write(f, "wt/clusters/a/gw.yaml", "kind: Gateway # v2\n");
	fx_write(f, "wt/clusters/c/new.yaml", "kind: Service\n");
	fx_commit(f, "wt", "second", v2);
	/* Uncommitted changes must not leak into a commit read. */
	fx_write(f, "wt/clusters/a/gw.yaml", "kind: Gateway # dirty\n");

	static const struct {
		const char *ref;
		const char *commit_of;
		const char *gw;
	} cases[] = {
		{"v1", "v1", "kind: Gateway\n"},
		{"old", "v1", "kind: Gateway\n"},
		{"main", "v2", "kind: Gateway # v2\n"},
		{"HEAD", "v2", "kind: Gateway # v2\n"},
		{"refs/tags/v1", "v1", "kind: Gateway\n"},
		{NULL /* full sha of v1 */, "v1", "kind: Gateway\n"},
		{"" /* abbreviated sha of v1 */, "v1", "kind: Gateway\n"},
	};
	memcpy(abbrev, v1, 7);
	abbrev[7] = '\0';
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *ref = cases[i].ref ? cases[i].ref : v1;
		const char *want = strcmp(cases[i].commit_of, "v1") == 0 ? v1 : v2;

		if (ref[0] == '\0')
			ref = abbrev;
		open_dir(&src, f, "wt", ref, NULL);
		assert_int_equal(tr_source_read(&t, src, NULL, &f->diag), 0);
		assert_string_equal(t.commit, want);
		assert_int_equal(t.dirty, 0);
		assert_string_equal(fx_file(&t, "clusters/a/gw.yaml")->data,
				    cases[i].gw);
		assert_int_equal(t.count, want == v1 ? 4 : 5);
		tr_source_tree_dispose(&t);
		/* A read-time ref overrides the one given at open. */
		assert_int_equal(tr_source_read(&t, src, "main", &f->diag), 0);
		assert_string_equal(t.commit, v2);
		tr_source_tree_dispose(&t);
		tr_source_free(src);
	}
	assert_int_equal(f->diag.count, 0);
}

static void path_selects_a_subfolder(void **state)
{
	fx *f = *state;
	static const char *const want[] = {"clusters/a/gw.yaml",
					   "clusters/a/route.yml"};
	static const char *const spellings[] = {"clusters/a", "./clusters/a/",
						"clusters//a"};
	tr_source *src = NULL;
	tr_source_tree t;

	layout(f, "wt");
	fx_git(f, "wt", "init -q");
	fx_commit(f, "wt", "first", NULL);
	for (size_t i = 0; i < 3; i++) {
		/* from disk, then from the commit */
		open_dir(&src, f, "wt", NULL, spellings[i]);
		assert_int_equal(tr_source_read(&t, src, NULL, &f->diag), 0);
		fx_expect_paths(&t, want, 2);
		tr_source_tree_dispose(&t);
		assert_int_equal(tr_source_read(&t, src, "main", &f->diag), 0);
		fx_expect_paths(&t, want, 2);
		tr_source_tree_dispose(&t);
		tr_source_free(src);
	}
	assert_int_equal(f->diag.count, 0);
}

static void folder_below_work_tree_top_is_the_root(void **state)
{
	fx *f = *state;
	static const char *const want[] = {"a/gw.yaml", "a/route.yml",
					   "b/policy.json"};
	tr_source *src = NULL;
	tr_source_tree t;

	layout(f, "wt");
	fx_git(f, "wt", "init -q");
	fx_commit(f, "wt", "first", NULL);
	open_dir(&src, f, "wt/clusters", NULL, NULL);
	assert_int_equal(tr_source_read(&t, src, NULL, &f->diag), 0);
	fx_expect_paths(&t, want, 3);
	tr_source_tree_dispose(&t);
	assert_int_equal(tr_source_read(&t, src, "main", &f->diag), 0);
	fx_expect_paths(&t, want, 3);
	tr_source_tree_dispose(&t);
	tr_source_free(src);
}

static void missing_path_is_one_clear_error(void **state)
{
	fx *f = *state;
	tr_source *src = NULL;
	tr_source_tree t;

	layout(f, "wt");
	fx_git(f, "wt", "init -q");
	fx_commit(f, "wt", "first", NULL);
	open_dir(&src, f, "wt", NULL, "clusters/zzz");
	assert_int_equal(tr_source_read(&t, src, NULL, &f->diag), TR_ENOTFOUND);
	assert_int_equal(t.count, 0);
	tr_source_tree_dispose(&t);
	fx_expect_diag(&f->diag, "source.path-not-found", NULL, "clusters/zzz");
	assert_int_equal(tr_source_read(&t, src, "main", &f->diag), TR_ENOTFOUND);
	tr_source_tree_dispose(&t);
	assert_int_equal(f->diag.count, 2);
	tr_source_free(src);

	/* A file is not a folder either. */
	open_dir(&src, f, "wt", NULL, "trellis.yaml");
	assert_int_equal(tr_source_read(&t, src, NULL, &f->diag), TR_ENOTFOUND);
	tr_source_tree_dispose(&t);
	tr_source_free(src);
}

static void path_may_not_climb_or_be_absolute(void **state)
{
	fx *f = *state;
	static const char *const bad[] = {"../etc", "clusters/../../x", "/etc",
					  ".git", "clusters/.hidden"};
	char repo[1024];

	layout(f, "plain");
	fx_path(repo, sizeof(repo), f, "plain");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tr_source_options o = {0};
		tr_source *src = (tr_source *)1;

		o.repo = repo;
		o.path = bad[i];
		assert_int_equal(tr_source_open(&src, &o, &f->diag), TR_EINVALID);
		assert_null(src);
		fx_expect_diag(&f->diag, "source.path-escape", NULL, bad[i]);
	}
}

static void missing_ref_and_missing_folder_fail(void **state)
{
	fx *f = *state;
	tr_source_options o = {0};
	tr_source *src = NULL;
	char repo[1024];

	layout(f, "wt");
	fx_git(f, "wt", "init -q");
	fx_commit(f, "wt", "first", NULL);
	fx_path(repo, sizeof(repo), f, "wt");
	o.repo = repo;
	o.ref = "no-such-branch";
	assert_int_equal(tr_source_open(&src, &o, &f->diag), TR_ENOTFOUND);
	assert_null(src);
	fx_expect_diag(&f->diag, "source.ref-not-found", NULL, "no-such-branch");

	/* Revision syntax is not a ref. */
	o.ref = "main~1";
	assert_int_equal(tr_source_open(&src, &o, &f->diag), TR_ENOTFOUND);

	/* A ref on a plain folder cannot be honoured. */
	fx_path(repo, sizeof(repo), f, "wt/../plainx");
	fx_sh("mkdir -p '%s'", repo);
	o.ref = "main";
	assert_int_equal(tr_source_open(&src, &o, &f->diag), TR_ENOTFOUND);
	fx_expect_diag(&f->diag, "source.ref-not-found", NULL,
		       "not a git repository");

	fx_path(repo, sizeof(repo), f, "nowhere");
	o.repo = repo;
	o.ref = NULL;
	assert_int_equal(tr_source_open(&src, &o, &f->diag), TR_ENOTFOUND);
	fx_expect_diag(&f->diag, "source.repo-not-found", NULL,
		       "does not exist");
}

/* The same link layout on disk and committed: both walks agree. */
static void links(fx *f, const char *rel)
{
	char p[512];

#define L(name, target)                                               \
	do {                                                          \
		snprintf(p, sizeof(p), "%s/%s", rel, name);           \
		fx_symlink(f, p, target);                             \
	} while (0)
	L("clusters/a/passwd.yaml", "/etc/passwd");
	L("clusters/a/up.yaml", "../../../outside.yaml");
	L("clusters/a/outdir", "../../..");
	L("clusters/a/alias.yaml", "gw.yaml");
	L("clusters/a/chain.yaml", "alias.yaml");
	L("clusters/linked", "b");
	L("clusters/a/self", "..");
	L("clusters/a/dangling.yaml", "nothing-here.yaml");
	L("clusters/a/gitconfig.yaml", "../../.git/config");
	L("clusters/a/hidden.yaml", "../.hidden/x.yaml");
#undef L
}

static void check_links(fx *f, const tr_source_tree *t)
{
	static const char *const want[] = {
		"clusters/a/alias.yaml", "clusters/a/chain.yaml",
		"clusters/a/gw.yaml",    "clusters/a/route.yml",
		"clusters/b/policy.json", "clusters/linked/policy.json",
		"trellis.yaml"};

	fx_expect_paths(t, want, 7);
	assert_string_equal(fx_file(t, "clusters/a/alias.yaml")->data,
			    "kind: Gateway\n");
	assert_string_equal(fx_file(t, "clusters/a/chain.yaml")->data,
			    "kind: Gateway\n");
	fx_expect_diag(&f->diag, "source.symlink-escape",
		       "clusters/a/passwd.yaml", "/etc/passwd");
	fx_expect_diag(&f->diag, "source.symlink-escape", "clusters/a/up.yaml",
		       "leaves the repository");
	fx_expect_diag(&f->diag, "source.symlink-escape", "clusters/a/outdir",
		       NULL);
	fx_expect_diag(&f->diag, "source.symlink-loop", "clusters/a/self",
		       NULL);
	fx_expect_diag(&f->diag, "source.symlink-broken",
		       "clusters/a/dangling.yaml", NULL);
	fx_expect_diag(&f->diag, "source.symlink-escape",
		       "clusters/a/gitconfig.yaml", "hidden folder");
	fx_expect_diag(&f->diag, "source.symlink-escape",
		       "clusters/a/hidden.yaml", "hidden folder");
	assert_true(tr_diag_failed(&f->diag, false));
}

static void symlinks_inside_followed_escapes_refused(void **state)
{
	fx *f = *state;
	tr_source *src = NULL;
	tr_source_tree t;

	fx_write(f, "outside.yaml", "kind: Secret\n");
	layout(f, "wt");
	links(f, "wt");
	fx_git(f, "wt", "init -q");
	fx_commit(f, "wt", "links", NULL);

	open_dir(&src, f, "wt", NULL, NULL);
	assert_int_equal(tr_source_read(&t, src, NULL, &f->diag), 0);
	check_links(f, &t);
	tr_source_tree_dispose(&t);
	tr_diag_dispose(&f->diag);
	tr_diag_init(&f->diag);

	assert_int_equal(tr_source_read(&t, src, "main", &f->diag), 0);
	check_links(f, &t);
	tr_source_tree_dispose(&t);
	tr_source_free(src);
}

static void selected_path_through_a_link(void **state)
{
	fx *f = *state;
	static const char *const want[] = {"clusters/linked/policy.json"};
	tr_source *src = NULL;
	tr_source_tree t;

	layout(f, "wt");
	fx_symlink(f, "wt/clusters/linked", "b");
	fx_symlink(f, "wt/clusters/away", "../..");
	fx_git(f, "wt", "init -q");
	fx_commit(f, "wt", "links", NULL);
	open_dir(&src, f, "wt", NULL, "clusters/linked");
	assert_int_equal(tr_source_read(&t, src, NULL, &f->diag), 0);
	fx_expect_paths(&t, want, 1);
	tr_source_tree_dispose(&t);
	assert_int_equal(tr_source_read(&t, src, "main", &f->diag), 0);
	fx_expect_paths(&t, want, 1);
	tr_source_tree_dispose(&t);
	tr_source_free(src);

	open_dir(&src, f, "wt", NULL, "clusters/away");
	assert_int_equal(tr_source_read(&t, src, NULL, &f->diag), TR_EINVALID);
	tr_source_tree_dispose(&t);
	fx_expect_diag(&f->diag, "source.symlink-escape", "clusters/away", NULL);
	assert_int_equal(tr_source_read(&t, src, "main", &f->diag), TR_EINVALID);
	tr_source_tree_dispose(&t);
	tr_source_free(src);
}

static void file_over_the_cap_is_skipped_with_its_size(void **state)
{
	fx *f = *state;
	tr_source *src = NULL;
	tr_source_tree t;
	char path[1024], msg[128];
	static const char *const want[] = {"ok.yaml"};

	fx_write(f, "wt/ok.yaml", "a: 1\n");
	fx_path(path, sizeof(path), f, "wt/big.yaml");
	/* The real cap, one byte over. */
	fx_sh("head -c %u /dev/zero | tr '\\0' 'a' > '%s'",
	      TR_MAX_FILE_BYTES + 1, path);
	fx_path(path, sizeof(path), f, "wt/edge.yaml");
	fx_sh("head -c %u /dev/zero | tr '\\0' 'a' > '%s'", TR_MAX_FILE_BYTES,
	      path);
	fx_git(f, "wt", "init -q");
	fx_commit(f, "wt", "big", NULL);
	snprintf(msg, sizeof(msg), "%u bytes, over the cap of %u bytes",
		 TR_MAX_FILE_BYTES + 1, TR_MAX_FILE_BYTES);

	for (int from_commit = 0; from_commit < 2; from_commit++) {
		static const char *const both[] = {"edge.yaml", "ok.yaml"};

		open_dir(&src, f, "wt", from_commit ? "main" : NULL, NULL);
		assert_int_equal(tr_source_read(&t, src, NULL, &f->diag), 0);
		fx_expect_paths(&t, both, 2);
		assert_int_equal(fx_file(&t, "edge.yaml")->len,
				 TR_MAX_FILE_BYTES);
		fx_expect_diag(&f->diag, "source.file-too-large", "big.yaml",
			       msg);
		assert_int_equal(f->diag.count, 1);
		tr_source_tree_dispose(&t);
		tr_source_free(src);
		tr_diag_dispose(&f->diag);
		tr_diag_init(&f->diag);
	}
	(void)want;
}

static void tree_caps_fail_the_read(void **state)
{
	fx *f = *state;
	tr_source_limits lim = {0};
	tr_source_options o = {0};
	tr_source *src = NULL;
	tr_source_tree t;
	char repo[1024];

	fx_write(f, "wt/a.yaml", "12345\n");
	fx_write(f, "wt/b.yaml", "12345\n");
	fx_write(f, "wt/c.yaml", "12345\n");
	fx_write(f, "wt/d1/d2/d3/deep.yaml", "x: 1\n");
	fx_git(f, "wt", "init -q");
	fx_commit(f, "wt", "caps", NULL);
	fx_path(repo, sizeof(repo), f, "wt");
	o.repo = repo;
	o.limits = &lim;

	static const struct {
		size_t files, bytes, depth, file;
		int rc;
		const char *rule, *needle;
	} cases[] = {
		{3, 0, 0, 0, TR_ETOOLARGE, "source.tree-too-large",
		 "more than 3 manifest files"},
		{4, 0, 0, 0, 0, NULL, NULL},
		{0, 20, 0, 0, TR_ETOOLARGE, "source.tree-too-large",
		 "more than 20 bytes"},
		{0, 23, 0, 0, 0, NULL, NULL},
		{0, 0, 2, 0, TR_ETOOLARGE, "source.tree-too-deep",
		 "deeper than the cap of 2"},
		{0, 0, 3, 0, 0, NULL, NULL},
		{0, 0, 0, 5, 0, "source.file-too-large",
		 "6 bytes, over the cap of 5 bytes"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		lim.max_tree_files = cases[i].files;
		lim.max_tree_bytes = cases[i].bytes;
		lim.max_tree_depth = cases[i].depth;
		lim.max_file_bytes = cases[i].file;
		for (int from_commit = 0; from_commit < 2; from_commit++) {
			o.ref = from_commit ? "main" : NULL;
			assert_int_equal(tr_source_open(&src, &o, &f->diag), 0);
			assert_int_equal(tr_source_read(&t, src, NULL, &f->diag),
					 cases[i].rc);
			if (cases[i].rule)
				fx_expect_diag(&f->diag, cases[i].rule, NULL,
					       cases[i].needle);
			else
				assert_int_equal(f->diag.count, 0);
			if (cases[i].rc < 0)
				assert_int_equal(t.count, 0);
			tr_source_tree_dispose(&t);
			tr_source_free(src);
			tr_diag_dispose(&f->diag);
			tr_diag_init(&f->diag);
		}
	}
}

static void long_paths_and_link_chains_in_a_commit(void **state)
{
	fx *f = *state;
	tr_source *src = NULL;
	tr_source_tree t;
	char wt[1024], longpath[6000];
	size_t n = 0;

	/* git has no path limit: build a 4.8 KB path straight into the index,
	 * no file system involved. */
	for (int i = 0; i < 40; i++) {
		memset(longpath + n, 'a' + (i % 26), 119);
		n += 119;
		longpath[n++] = '/';
	}
	memcpy(longpath + n, "x.yaml", 7);
	fx_write(f, "wt/ok.yaml", "a: 1\n");
	fx_git(f, "wt", "init -q");
	fx_path(wt, sizeof(wt), f, "wt");
	fx_sh("cd '%s' && blob=$(printf 'b: 2\\n' | git hash-object -w --stdin) && "
	      "git update-index --add --cacheinfo 100644,$blob,'%s'",
	      wt, longpath);
	fx_git(f, "wt", "add ok.yaml");
	fx_sh(FX_GIT "-C '%s' commit -q -m long", wt);

	open_dir(&src, f, "wt", "main", NULL);
	assert_int_equal(tr_source_read(&t, src, NULL, &f->diag), TR_ETOOLARGE);
	tr_source_tree_dispose(&t);
	fx_expect_diag(&f->diag, "source.path-too-long", NULL, "4096 bytes");
	tr_source_free(src);
	tr_diag_dispose(&f->diag);
	tr_diag_init(&f->diag);

	/* A chain of links longer than TR_MAX_SYMLINK_HOPS (8) stops. */
	fx_sh("rm -rf '%s'", wt);
	fx_write(f, "wt/gw.yaml", "kind: Gateway\n");
	fx_symlink(f, "wt/l9.yaml", "gw.yaml");
	for (int i = 8; i >= 0; i--) {
		char name[32], target[32];

		snprintf(name, sizeof(name), "wt/l%d.yaml", i);
		snprintf(target, sizeof(target), "l%d.yaml", i + 1);
		fx_symlink(f, name, target);
	}
	fx_git(f, "wt", "init -q");
	fx_commit(f, "wt", "chain", NULL);
	open_dir(&src, f, "wt", "main", NULL);
	assert_int_equal(tr_source_read(&t, src, NULL, &f->diag), 0);
	fx_expect_diag(&f->diag, "source.symlink-loop", "l0.yaml", NULL);
	fx_expect_diag(&f->diag, "source.symlink-loop", "l1.yaml", NULL);
	/* l2 needs 8 hops: still read. */
	assert_string_equal(fx_file(&t, "l2.yaml")->data, "kind: Gateway\n");
	assert_int_equal(f->diag.count, 2);
	tr_source_tree_dispose(&t);
	tr_source_free(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
		T(plain_folder_reads_manifests_sorted),
		T(work_tree_reports_head_and_dirty),
		T(work_tree_with_ref_reads_the_commit),
		T(path_selects_a_subfolder),
		T(folder_below_work_tree_top_is_the_root),
		T(missing_path_is_one_clear_error),
		T(path_may_not_climb_or_be_absolute),
		T(missing_ref_and_missing_folder_fail),
		T(symlinks_inside_followed_escapes_refused),
		T(selected_path_through_a_link),
		T(file_over_the_cap_is_skipped_with_its_size),
		T(tree_caps_fail_the_read),
		T(long_paths_and_link_chains_in_a_commit),
#undef T
	};

	return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
