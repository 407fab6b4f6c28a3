/* Remotes over file:// (the same fetch code as https and ssh, without a
 * server): refs, paths, the private temp folder and the cache. */
#include "fixture.h"

#include <dirent.h>

#include "util/errors.h"

typedef struct origin {
	char url[1100];
	char v1[41];
	char v2[41];
	char feature[41];
} origin;

/* An origin with main (v1 then v2), tag v1 (annotated), tag light
 * (lightweight, on v2) and branch feature (one commit on v1). */
static void make_origin(fx *f, origin *o)
{
	char path[1024];

	fx_write(f, "work/clusters/a/gw.yaml", "kind: Gateway # v1\n");
	fx_write(f, "work/clusters/b/route.yaml", "kind: HTTPRoute\n");
	fx_git(f, "work", "init -q");
	fx_commit(f, "work", "v1", o->v1);
	fx_git(f, "work", "tag -a v1 -m release");
	fx_git(f, "work", "checkout -q -b feature");
	fx_write(f, "work/clusters/a/gw.yaml", "kind: Gateway # feature\n");
	fx_commit(f, "work", "feature", o->feature);
	fx_git(f, "work", "checkout -q main");
	fx_write(f, "work/clusters/a/gw.yaml", "kind: Gateway # v2\n");
	fx_commit(f, "work", "v2", o->v2);
	fx_git(f, "work", "tag light");
	fx_path(path, sizeof(path), f, "origin.git");
	fx_sh(FX_GIT "clone -q --bare '%s/work' '%s'", f->dir, path);
	snprintf(o->url, sizeof(o->url), "file://%s", path);
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void file_url_resolves_branches_tags_and_ids(void **state)
{
	fx *f = *state;
	origin o;
	char tmp[1024], abbrev[10];
	tr_source_options opts = {0};

	make_origin(f, &o);
	fx_path(tmp, sizeof(tmp), f, "tmp");
	fx_sh("mkdir -p '%s'", tmp);
	memcpy(abbrev, o.feature, 9);
	abbrev[9] = '\0';

	const struct {
		const char *ref;
		const char *commit;
		const char *gw;
	} cases[] = {
		{NULL, o.v2, "kind: Gateway # v2\n"},
		{"main", o.v2, "kind: Gateway # v2\n"},
		{"feature", o.feature, "kind: Gateway # feature\n"},
		{"v1", o.v1, "kind: Gateway # v1\n"},
		{"light", o.v2, "kind: Gateway # v2\n"},
		{"refs/tags/v1", o.v1, "kind: Gateway # v1\n"},
		{o.v1, o.v1, "kind: Gateway # v1\n"},
		{abbrev, o.feature, "kind: Gateway # feature\n"},
		{"refs/pull/7/head", o.feature, "kind: Gateway # feature\n"},
	};
	/* A pull request head, outside refs/heads. */
	fx_sh("git -C '%s/origin.git' update-ref refs/pull/7/head %s", f->dir,
	      o.feature);
	opts.repo = o.url;
	opts.tmp_dir = tmp;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		static const char *const want[] = {"clusters/a/gw.yaml",
						   "clusters/b/route.yaml"};
		tr_source *src = NULL;
		tr_source_tree t;

		opts.ref = cases[i].ref;
		assert_int_equal(tr_source_open(&src, &opts, &f->diag), 0);
		/* The private clone lives in tmp, in a folder only we use. */
		assert_int_equal(count_entries(tmp), 1);
		assert_string_equal(tr_source_display(src), o.url);
		assert_int_equal(tr_source_read(&t, src, NULL, &f->diag), 0);
		fx_expect_paths(&t, want, 2);
		assert_string_equal(t.commit, cases[i].commit);
		assert_string_equal(fx_file(&t, "clusters/a/gw.yaml")->data,
				    cases[i].gw);
		assert_int_equal(t.dirty, 0);
		tr_source_tree_dispose(&t);
		tr_source_free(src);
		assert_int_equal(count_entries(tmp), 0);
	}
	assert_int_equal(f->diag.count, 0);
}

static void private_clone_folder_is_0700(void **state)
{
	fx *f = *state;
	origin o;
	char tmp[1024], sub[1400];
	tr_source_options opts = {0};
	tr_source *src = NULL;
	struct stat st;
	DIR *d;
	struct dirent *e;

	make_origin(f, &o);
	fx_path(tmp, sizeof(tmp), f, "tmp");
	fx_sh("mkdir -p '%s'", tmp);
	opts.repo = o.url;
	opts.tmp_dir = tmp;
	assert_int_equal(tr_source_open(&src, &opts, &f->diag), 0);
	d = opendir(tmp);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", tmp, e->d_name);
		assert_int_equal(stat(sub, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0700);
	}
	closedir(d);
	tr_source_free(src);
	assert_int_equal(count_entries(tmp), 0);
}

static void path_and_missing_things_on_a_remote(void **state)
{
	fx *f = *state;
	origin o;
	char tmp[1024], bad[1200];
	tr_source_options opts = {0};
	tr_source *src = NULL;
	tr_source_tree t;
	static const char *const want[] = {"clusters/b/route.yaml"};

	make_origin(f, &o);
	fx_path(tmp, sizeof(tmp), f, "tmp");
	fx_sh("mkdir -p '%s'", tmp);
	opts.repo = o.url;
	opts.tmp_dir = tmp;
	opts.ref = "v1";
	opts.path = "clusters/b";
	assert_int_equal(tr_source_open(&src, &opts, &f->diag), 0);
	assert_int_equal(tr_source_read(&t, src, NULL, &f->diag), 0);
	fx_expect_paths(&t, want, 1);
	tr_source_tree_dispose(&t);
	tr_source_free(src);

	opts.path = "clusters/nope";
	assert_int_equal(tr_source_open(&src, &opts, &f->diag), 0);
	assert_int_equal(tr_source_read(&t, src, NULL, &f->diag), TR_ENOTFOUND);
	tr_source_tree_dispose(&t);
	tr_source_free(src);
	fx_expect_diag(&f->diag, "source.path-not-found", NULL, "clusters/nope");

	opts.path = NULL;
	opts.ref = "v9";
	assert_int_equal(tr_source_open(&src, &opts, &f->diag), TR_ENOTFOUND);
	assert_null(src);
	fx_expect_diag(&f->diag, "source.ref-not-found", NULL, "'v9'");
	/* Failing open leaves nothing behind. */
	assert_int_equal(count_entries(tmp), 0);

	opts.ref = NULL;
	snprintf(bad, sizeof(bad), "file://%s/no-such-repo.git", f->dir);
	opts.repo = bad;
	assert_int_equal(tr_source_open(&src, &opts, &f->diag), TR_EIO);
	fx_expect_diag(&f->diag, "source.unreachable", NULL, "no-such-repo.git");
	assert_int_equal(count_entries(tmp), 0);

	opts.repo = "ftp://example.com/repo.git";
	assert_int_equal(tr_source_open(&src, &opts, &f->diag), TR_EINVALID);
	fx_expect_diag(&f->diag, "source.unreachable", NULL, "not a supported");
}

static void cache_is_reused_and_sees_new_commits(void **state)
{
	fx *f = *state;
	origin o;
	char cache[1024], marker[1200], v3[41];
	tr_source_options opts = {0};
	tr_source *src = NULL;
	tr_source_tree t;
	struct stat st;

	make_origin(f, &o);
	fx_path(cache, sizeof(cache), f, "cache/nested");
	opts.repo = o.url;
	opts.cache_dir = cache;

	assert_int_equal(tr_source_open(&src, &opts, &f->diag), 0);
	assert_int_equal(tr_source_read(&t, src, NULL, &f->diag), 0);
	assert_string_equal(t.commit, o.v2);
	tr_source_tree_dispose(&t);
	tr_source_free(src);
	/* The cache survives free, holds one bare repository, and is 0700. */
	assert_int_equal(count_entries(cache), 1);
	assert_int_equal(stat(cache, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	/* A marker inside the cached repository proves the second open
	 * fetches into it instead of cloning afresh. */
	fx_sh("touch \"$(ls -d '%s'/*.git)/trellis-marker\"", cache);
	fx_capture(marker, sizeof(marker), "ls -d '%s'/*.git/trellis-marker",
		   cache);

	/* Someone pushes; a tag moves; a branch is deleted. */
	fx_write(f, "work/clusters/a/gw.yaml", "kind: Gateway # v3\n");
	fx_commit(f, "work", "v3", v3);
	fx_git(f, "work", "push -q ../origin.git main");
	fx_git(f, "work", "tag -f light");
	fx_git(f, "work", "push -q -f ../origin.git light");
	fx_git(f, "work", "push -q ../origin.git :feature");

	assert_int_equal(tr_source_open(&src, &opts, &f->diag), 0);
	assert_int_equal(stat(marker, &st), 0);
	assert_int_equal(count_entries(cache), 1);
	assert_int_equal(tr_source_read(&t, src, NULL, &f->diag), 0);
	assert_string_equal(t.commit, v3);
	assert_string_equal(fx_file(&t, "clusters/a/gw.yaml")->data,
			    "kind: Gateway # v3\n");
	tr_source_tree_dispose(&t);
	assert_int_equal(tr_source_read(&t, src, "light", &f->diag), 0);
	assert_string_equal(t.commit, v3);
	tr_source_tree_dispose(&t);
	assert_int_equal(tr_source_read(&t, src, "v1", &f->diag), 0);
	assert_string_equal(t.commit, o.v1);
	tr_source_tree_dispose(&t);
	/* Pruned: a deleted branch does not linger in the cache. */
	assert_int_equal(tr_source_read(&t, src, "feature", &f->diag),
			 TR_ENOTFOUND);
	tr_source_tree_dispose(&t);
	tr_source_free(src);
	assert_int_equal(f->diag.count, 1);
	fx_expect_diag(&f->diag, "source.ref-not-found", NULL, "feature");
}

static void cache_key_ignores_secrets_and_config_has_no_url(void **state)
{
	fx *f = *state;
	origin o;
	char cache[1024], url[1200], out[4096];
	tr_source_options opts = {0};
	tr_source *src = NULL;

	make_origin(f, &o);
	fx_path(cache, sizeof(cache), f, "cache");
	opts.repo = o.url;
	opts.cache_dir = cache;
	assert_int_equal(tr_source_open(&src, &opts, &f->diag), 0);
	tr_source_free(src);
	fx_capture(out, sizeof(out), "cat '%s'/*.git/config", cache);
	assert_null(strstr(out, "origin.git"));
	(void)url;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
		T(file_url_resolves_branches_tags_and_ids),
		T(private_clone_folder_is_0700),
		T(path_and_missing_things_on_a_remote),
		T(cache_is_reused_and_sees_new_commits),
		T(cache_key_ignores_secrets_and_config_has_no_url),
#undef T
	};

	return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
