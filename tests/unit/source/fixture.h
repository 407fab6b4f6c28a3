/*
 * Helpers for the source tests: a scratch folder per test, files, and the
 * git CLI to build repositories the way users do. Test code only: it may
 * use system() and the environment.
 */
#ifndef TR_TEST_SOURCE_FIXTURE_H
#define TR_TEST_SOURCE_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag/diag.h"
#include "source/source.h"
#include "util/buf.h"

typedef struct fx {
	char dir[256];   /* scratch folder, removed at teardown */
	tr_diag diag;
} fx;

static __attribute__((unused)) void fx_path(char *out, size_t n, const fx *f, const char *rel)
{
	int w = snprintf(out, n, "%s/%s", f->dir, rel);
	assert_true(w > 0 && (size_t)w < n);
}

/* Runs a shell command built printf-style; fails the test on non-zero. */
static __attribute__((unused)) void fx_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static __attribute__((unused)) void fx_sh(const char *fmt, ...)
{
	char cmd[16384];
	va_list ap;
	int w, rc;

	va_start(ap, fmt);
	w = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_true(w > 0 && (size_t)w < sizeof(cmd));
	rc = system(cmd);
	if (rc != 0)
		fail_msg("command failed (%d): %s", rc, cmd);
}

/* Output of a command, trailing newline stripped. */
static __attribute__((unused)) void fx_capture(char *out, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static __attribute__((unused)) void fx_capture(char *out, size_t n, const char *fmt, ...)
{
	char cmd[16384];
	va_list ap;
	FILE *p;
	size_t len;
	int w;

	va_start(ap, fmt);
	w = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_true(w > 0 && (size_t)w < sizeof(cmd));
	p = popen(cmd, "r");
	assert_non_null(p);
	len = fread(out, 1, n - 1, p);
	out[len] = '\0';
	while (len && (out[len - 1] == '\n' || out[len - 1] == '\r'))
		out[--len] = '\0';
	assert_int_equal(pclose(p), 0);
}

static __attribute__((unused)) void fx_write(const fx *f, const char *rel, const char *content)
{
	char path[1024];
	FILE *fp;

	fx_path(path, sizeof(path), f, rel);
	fx_sh("mkdir -p \"$(dirname '%s')\"", path);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(content, 1, strlen(content), fp),
			 strlen(content));
	assert_int_equal(fclose(fp), 0);
}

static __attribute__((unused)) void fx_symlink(const fx *f, const char *rel, const char *target)
{
	char path[1024];

	fx_path(path, sizeof(path), f, rel);
	fx_sh("mkdir -p \"$(dirname '%s')\"", path);
	assert_int_equal(symlink(target, path), 0);
}

/* git with a fixed identity and no user or system config. */
#define FX_GIT "git -c user.name=trellis -c user.email=t@example.com " \
	       "-c init.defaultBranch=main -c advice.detachedHead=false "  \
	       "-c core.symlinks=true -c protocol.file.allow=always "

static __attribute__((unused)) void fx_git(const fx *f, const char *rel, const char *args)
{
	char path[1024];

	fx_path(path, sizeof(path), f, rel);
	fx_sh(FX_GIT "-C '%s' %s >/dev/null 2>&1", path, args);
}

/* Commits everything in the work tree at rel; returns the id in out. */
static __attribute__((unused)) void fx_commit(const fx *f, const char *rel, const char *msg,
		      char out[41])
{
	char path[1024];

	fx_path(path, sizeof(path), f, rel);
	fx_sh(FX_GIT "-C '%s' add -A && " FX_GIT
	      "-C '%s' commit -q --allow-empty -m '%s'", path, path, msg);
	if (out)
		fx_capture(out, 41, "git -C '%s' rev-parse HEAD", path);
}

static char *fx_render(const tr_diag *diag);

static __attribute__((unused)) int fx_setup(void **state)
{
	fx *f = calloc(1, sizeof(*f));
	char tmpl[] = "/tmp/trellis-test-source-XXXXXX";

	assert_non_null(f);
	assert_non_null(mkdtemp(tmpl));
	snprintf(f->dir, sizeof(f->dir), "%s", tmpl);
	tr_diag_init(&f->diag);
	/* Keep the developer's git config out of the fixtures. */
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
	setenv("GIT_TERMINAL_PROMPT", "0", 1);
	*state = f;
	return 0;
}

static __attribute__((unused)) int fx_teardown(void **state)
{
	fx *f = *state;

	/* TR_TEST_SHOW_DIAGS=1 prints what users would see, for review. */
	if (getenv("TR_TEST_SHOW_DIAGS") && f->diag.count) {
		char *text = fx_render(&f->diag);

		print_message("%s", text);
		free(text);
	}
	fx_sh("rm -rf '%s'", f->dir);
	tr_diag_dispose(&f->diag);
	free(f);
	return 0;
}

static __attribute__((unused)) int fx_group_setup(void **state)
{
	(void)state;
	return git_libgit2_init() > 0 ? 0 : -1;
}

static __attribute__((unused)) int fx_group_teardown(void **state)
{
	(void)state;
	git_libgit2_shutdown();
	return 0;
}

/* The diagnostics rendered as text, the way a user sees them. */
static __attribute__((unused)) char *fx_render(const tr_diag *diag)
{
	tr_buf out = TR_BUF_INIT(1 << 20);
	tr_diag_render_options ro = {TR_DIAG_TEXT, true, false};

	assert_int_equal(tr_diag_render(&out, diag, &ro), 0);
	return tr_buf_detach(&out);
}

/* Asserts one diagnostic with `rule` exists (on `file` when non-NULL)
 * whose message contains `needle` (when non-NULL). */
static __attribute__((unused)) void fx_expect_diag(const tr_diag *diag, const char *rule,
			   const char *file, const char *needle)
{
	for (size_t i = 0; i < diag->count; i++) {
		const tr_diag_entry *e = &diag->entries[i];

		if (strcmp(e->rule, rule) != 0)
			continue;
		if (file && (!e->file || strcmp(e->file, file) != 0))
			continue;
		if (needle && !strstr(e->message, needle))
			continue;
		assert_null(strchr(e->message, '\n'));
		return;
	}
	{
		char *text = fx_render(diag);

		print_error("no diagnostic %s on %s with '%s'; got:\n%s\n",
			    rule, file ? file : "(run)", needle ? needle : "",
			    text);
		free(text);
		fail();
	}
}

static __attribute__((unused)) void fx_expect_paths(const tr_source_tree *t, const char *const *paths,
			    size_t n)
{
	if (t->count != n) {
		for (size_t i = 0; i < t->count; i++)
			print_message("got %s\n", t->files[i].path);
	}
	assert_int_equal(t->count, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(t->files[i].path, paths[i]);
}

static __attribute__((unused)) const tr_source_file *fx_file(const tr_source_tree *t, const char *p)
{
	for (size_t i = 0; i < t->count; i++)
		if (strcmp(t->files[i].path, p) == 0)
			return &t->files[i];
	fail_msg("no file %s in the tree", p);
	return NULL;
}

#endif
