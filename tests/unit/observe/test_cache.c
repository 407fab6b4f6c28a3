/* observe/cache: the AWS read cache. Replies come back only at the
 * lastUpdatedAt they were kept with; only settled replies are kept; a
 * corrupt, foreign, other-version or oversized file is a warning and an
 * empty cache; entries not seen in a run drop out; files are written
 * whole, private, with no temporary file left behind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "observe/internal.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/limits.h"

#define ACCOUNT "123456789012"
#define REGION "us-west-2"
#define ENDPOINT "https://vpc-lattice.us-west-2.amazonaws.com"
#define NOW_MS 1795702849203LL /* 2026-11-26T14:20:49.203Z */
#define RULE_ARN "arn:aws:vpc-lattice:us-west-2:123456789012:service/svc-1/listener/listener-1/rule/rule-1"
#define OLD "2026-11-26T14:20:40.000Z" /* 9.2 s before NOW_MS: settled */

static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/trellis-cache-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	(void)state;
	return tr_fs_remove_tree(dir);
}

static cJSON *rule_reply(const char *updated, const char *priority_json)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "{\"arn\":\"" RULE_ARN "\",\"id\":\"rule-1\",\"name\":\"x-r1\","
		 "\"priority\":%s,\"lastUpdatedAt\":\"%s\"}",
		 priority_json, updated);
	return cJSON_Parse(text);
}

static tr_observe_cache *open_at(const char *account, int64_t now,
				 tr_diag *diag)
{
	tr_observe_cache *c = NULL;

	assert_int_equal(tr_observe_cache_open(&c, dir, account, REGION,
					       ENDPOINT, now, diag),
			 0);
	assert_non_null(c);
	return c;
}

/* The one cache file of ACCOUNT (its name is a hash). */
static void cache_file(tr_buf *out)
{
	tr_buf sub = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	DIR *d;
	struct dirent *e;

	assert_int_equal(tr_buf_printf(&sub, "%s/aws-reads", dir), 0);
	d = opendir(sub.ptr);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strstr(e->d_name, ".json"))
			assert_int_equal(tr_buf_printf(out, "%s/%s", sub.ptr,
						       e->d_name),
					 0);
	closedir(d);
	tr_buf_dispose(&sub);
	assert_true(out->len > 0);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void parses_times(void **state)
{
	static const struct {
		const char *text;
		int64_t ms;
		int rc;
	} cases[] = {
		{"1970-01-01T00:00:00Z", 0, 0},
		{"2026-11-26T14:20:49.203Z", NOW_MS, 0},
		{"2000-02-29T12:00:00.5Z", 951825600500LL, 0},
		{"1969-12-31T23:59:59Z", -1000, 0},
		{"2026-11-26T14:20:49.203+00:00", NOW_MS, 0},
		{"2026-11-26T14:20:49.203", 0, TR_EINVALID}, /* no zone */
		{"2026-11-26 14:20:49Z", 0, TR_EINVALID},
		{"2026-13-26T14:20:49Z", 0, TR_EINVALID},
		{"26-11-26T14:20:49Z", 0, TR_EINVALID},
		{"", 0, TR_EINVALID},
		{NULL, 0, TR_EINVALID},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t ms = 0;
		assert_int_equal(tr_observe__parse_time_ms(&ms, cases[i].text),
				 cases[i].rc);
		if (cases[i].rc == 0)
			assert_int_equal(ms, cases[i].ms);
	}
}

static void keeps_settled_replies_at_their_time(void **state)
{
	tr_diag diag;
	tr_observe_cache *c;
	tr_observe_cache_stats st;
	cJSON *settled = rule_reply(OLD, "1");
	cJSON *fresh = rule_reply("2026-11-26T14:20:48.000Z", "2");
	cJSON *moving = cJSON_Parse(
		"{\"arn\":\"arn:aws:vpc-lattice:us-west-2:123456789012:service/"
		"svc-2\",\"status\":\"CREATE_IN_PROGRESS\",\"lastUpdatedAt\":\"" OLD
		"\"}");
	cJSON *svc = cJSON_Parse(
		"{\"arn\":\"arn:aws:vpc-lattice:us-west-2:123456789012:service/"
		"svc-1\",\"status\":\"ACTIVE\",\"lastUpdatedAt\":\"" OLD "\"}");
	const cJSON *hit;
	tr_buf path = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	struct stat sb;

	(void)state;
	tr_diag_init(&diag);
	c = open_at(ACCOUNT, NOW_MS, &diag);
	assert_int_equal(diag.count, 0); /* no file yet: nothing to say */
	assert_null(tr_observe__cache_get(c, "GetRule", RULE_ARN, OLD));
	tr_observe__cache_put(c, "GetRule", RULE_ARN, settled);
	/* Changed under 2 s ago: a second change in that instant could
	 * share the timestamp, so it is not kept. */
	tr_observe__cache_put(c, "GetRule", "arn:x:rule-2", fresh);
	tr_observe__cache_put(
		c, "GetService",
		cJSON_GetStringValue(cJSON_GetObjectItem(moving, "arn")), moving);
	tr_observe__cache_put(c, "GetService",
			      cJSON_GetStringValue(cJSON_GetObjectItem(svc, "arn")),
			      svc);
	/* Never other operations. */
	tr_observe__cache_put(c, "ListTagsForResource", "arn:x:y", settled);
	tr_observe_cache_stats_get(c, &st);
	assert_int_equal(st.stored, 2);
	tr_observe_cache_save(c, &diag);
	tr_observe_cache_free(c);
	assert_int_equal(diag.count, 0);

	cache_file(&path);
	assert_int_equal(stat(path.ptr, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);

	c = open_at(ACCOUNT, NOW_MS + 60000, &diag);
	assert_int_equal(diag.count, 0);
	hit = tr_observe__cache_get(c, "GetRule", RULE_ARN, OLD);
	assert_non_null(hit);
	assert_true(cJSON_Compare(hit, settled, true));
	/* Another lastUpdatedAt: the rule changed, read it again. */
	assert_null(tr_observe__cache_get(c, "GetRule", RULE_ARN,
					  "2026-11-26T14:20:41.000Z"));
	assert_null(tr_observe__cache_get(c, "GetListener", RULE_ARN, OLD));
	assert_null(tr_observe__cache_get(c, "GetRule", "arn:x:rule-2",
					  "2026-11-26T14:20:48.000Z"));
	tr_observe_cache_stats_get(c, &st);
	assert_int_equal(st.hits, 1);
	assert_int_equal(st.misses, 3);
	/* Only the rule was seen: the service drops out on saving. */
	tr_observe_cache_save(c, &diag);
	tr_observe_cache_free(c);
	c = open_at(ACCOUNT, NOW_MS + 60000, &diag);
	assert_non_null(tr_observe__cache_get(c, "GetRule", RULE_ARN, OLD));
	assert_null(tr_observe__cache_get(c, "GetService",
					  "arn:aws:vpc-lattice:us-west-2:"
					  "123456789012:service/svc-1",
					  OLD));
	tr_observe_cache_free(c);
	assert_int_equal(diag.count, 0);

	tr_buf_dispose(&path);
	cJSON_Delete(settled);
	cJSON_Delete(fresh);
	cJSON_Delete(moving);
	cJSON_Delete(svc);
	tr_diag_dispose(&diag);
}

/* Each unusable file: a warning naming it, and a cache that holds
 * nothing (never trusted), written anew on saving. */
static void ignores_unusable_files(void **state)
{
	static const struct {
		const char *text; /* NULL: the valid file, edited below */
		const char *from, *to;
		const char *why;
	} cases[] = {
		{"not json", NULL, NULL, "it is not JSON"},
		{"[]", NULL, NULL, "it is not a trellis read cache"},
		{NULL, "\"version\":1", "\"version\":2", "another format version"},
		{NULL, "\"account\":\"" ACCOUNT "\"", "\"account\":\"999999999999\"",
		 "for another account, region or endpoint"},
		{NULL, "\"endpoint\":\"https://", "\"endpoint\":\"http://",
		 "for another account, region or endpoint"},
		{NULL, "\"op\":\"GetRule\"", "\"op\":\"GetRolePolicy\"",
		 "an entry is malformed"},
		{NULL, "\"arn\":\"" RULE_ARN "\",\"id\"",
		 "\"arn\":\"arn:other\",\"id\"", "an entry is malformed"},
		{NULL, "\"priority\":1,\"lastUpdatedAt\":\"" OLD "\"",
		 "\"priority\":1,\"lastUpdatedAt\":\"2026-11-26T14:20:41.000Z\"",
		 "an entry is malformed"},
	};
	tr_buf path = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	tr_buf valid = TR_BUF_INIT(TR_MAX_READ_CACHE_BYTES);
	cJSON *reply = rule_reply(OLD, "1");
	tr_diag diag;
	tr_observe_cache *c;

	(void)state;
	tr_diag_init(&diag);
	c = open_at(ACCOUNT, NOW_MS, &diag);
	tr_observe__cache_put(c, "GetRule", RULE_ARN, reply);
	tr_observe_cache_save(c, &diag);
	tr_observe_cache_free(c);
	cache_file(&path);
	assert_int_equal(tr_fs_read_file(&valid, path.ptr,
					 TR_MAX_READ_CACHE_BYTES),
			 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tr_buf text = TR_BUF_INIT(TR_MAX_READ_CACHE_BYTES);
		const char *at;

		if (cases[i].text) {
			assert_int_equal(tr_buf_puts(&text, cases[i].text), 0);
		} else {
			at = strstr(valid.ptr, cases[i].from);
			assert_non_null(at);
			assert_int_equal(tr_buf_put(&text, valid.ptr,
						    (size_t)(at - valid.ptr)),
					 0);
			assert_int_equal(tr_buf_puts(&text, cases[i].to), 0);
			assert_int_equal(tr_buf_puts(&text,
						     at + strlen(cases[i].from)),
					 0);
		}
		write_text(path.ptr, text.ptr);
		tr_diag_dispose(&diag);
		tr_diag_init(&diag);
		c = open_at(ACCOUNT, NOW_MS, &diag);
		assert_int_equal(diag.count, 1);
		assert_int_equal(diag.entries[0].severity, TR_SEV_WARNING);
		assert_string_equal(diag.entries[0].rule, "aws.cache");
		assert_string_equal(diag.entries[0].file, path.ptr);
		assert_non_null(strstr(diag.entries[0].message, cases[i].why));
		assert_null(tr_observe__cache_get(c, "GetRule", RULE_ARN, OLD));
		tr_observe_cache_free(c);
		tr_buf_dispose(&text);
	}
	/* Restored, it is used again. */
	write_text(path.ptr, valid.ptr);
	tr_diag_dispose(&diag);
	tr_diag_init(&diag);
	c = open_at(ACCOUNT, NOW_MS, &diag);
	assert_int_equal(diag.count, 0);
	assert_non_null(tr_observe__cache_get(c, "GetRule", RULE_ARN, OLD));
	tr_observe_cache_free(c);

	tr_buf_dispose(&path);
	tr_buf_dispose(&valid);
	cJSON_Delete(reply);
	tr_diag_dispose(&diag);
}

/* TR_MAX_READ_CACHE_BYTES: a larger file is not read. */
static void caps_the_file_size(void **state)
{
	tr_buf path = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	cJSON *reply = rule_reply(OLD, "1");
	tr_diag diag;
	tr_observe_cache *c;
	FILE *f;

	(void)state;
	tr_diag_init(&diag);
	c = open_at(ACCOUNT, NOW_MS, &diag);
	tr_observe__cache_put(c, "GetRule", RULE_ARN, reply);
	tr_observe_cache_save(c, &diag);
	tr_observe_cache_free(c);
	cache_file(&path);
	f = fopen(path.ptr, "r+");
	assert_non_null(f);
	/* Valid JSON up front, padded past the cap with NUL bytes. */
	assert_int_equal(ftruncate(fileno(f), TR_MAX_READ_CACHE_BYTES + 1), 0);
	fclose(f);
	c = open_at(ACCOUNT, NOW_MS, &diag);
	assert_int_equal(diag.count, 1);
	assert_non_null(strstr(diag.entries[0].message, "larger than the cap"));
	assert_null(tr_observe__cache_get(c, "GetRule", RULE_ARN, OLD));
	tr_observe_cache_free(c);
	tr_buf_dispose(&path);
	cJSON_Delete(reply);
	tr_diag_dispose(&diag);
}

/* TR_MAX_READ_CACHE_ENTRIES: replies past it are not kept. */
static void caps_the_entries(void **state)
{
	tr_diag diag;
	tr_observe_cache *c;
	tr_observe_cache_stats st;
	cJSON *reply = rule_reply(OLD, "1");

	(void)state;
	tr_diag_init(&diag);
	c = open_at(ACCOUNT, NOW_MS, &diag);
	for (unsigned i = 0; i <= TR_MAX_READ_CACHE_ENTRIES; i++) {
		char arn[64];
		snprintf(arn, sizeof(arn), "arn:x:rule-%u", i);
		tr_observe__cache_put(c, "GetRule", arn, reply);
	}
	tr_observe_cache_stats_get(c, &st);
	assert_int_equal(st.stored, TR_MAX_READ_CACHE_ENTRIES);
	tr_observe_cache_free(c); /* not saved: only the count matters */
	cJSON_Delete(reply);
	tr_diag_dispose(&diag);
}

/* Saving where it cannot write: a warning, and no file left behind. */
static void warns_when_it_cannot_write(void **state)
{
	tr_buf sub = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	cJSON *reply = rule_reply(OLD, "1");
	tr_diag diag;
	tr_observe_cache *c;

	(void)state;
	tr_diag_init(&diag);
	assert_int_equal(tr_buf_printf(&sub, "%s/aws-reads", dir), 0);
	(void)tr_fs_remove_tree(sub.ptr);
	write_text(sub.ptr, "a file where the folder goes");
	c = open_at(ACCOUNT, NOW_MS, &diag);
	tr_observe__cache_put(c, "GetRule", RULE_ARN, reply);
	tr_observe_cache_save(c, &diag);
	tr_observe_cache_free(c);
	assert_int_equal(tr_diag_count(&diag, TR_SEV_WARNING), 1);
	assert_non_null(strstr(diag.entries[diag.count - 1].message,
			       "could not be written"));
	assert_int_equal(tr_diag_count(&diag, TR_SEV_ERROR), 0);
	tr_buf_dispose(&sub);
	cJSON_Delete(reply);
	tr_diag_dispose(&diag);
}

/* --cache-dir may name folders that do not exist yet: they are made,
 * private. */
static void makes_missing_folders(void **state)
{
	tr_buf nested = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	tr_buf sub = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	cJSON *reply = rule_reply(OLD, "1");
	tr_diag diag;
	tr_observe_cache *c = NULL;
	struct stat sb;

	(void)state;
	tr_diag_init(&diag);
	assert_int_equal(tr_buf_printf(&nested, "%s/a/b", dir), 0);
	assert_int_equal(tr_observe_cache_open(&c, nested.ptr, ACCOUNT, REGION,
					       ENDPOINT, NOW_MS, &diag),
			 0);
	tr_observe__cache_put(c, "GetRule", RULE_ARN, reply);
	tr_observe_cache_save(c, &diag);
	tr_observe_cache_free(c);
	assert_int_equal(diag.count, 0);
	assert_int_equal(tr_buf_printf(&sub, "%s/aws-reads", nested.ptr), 0);
	assert_int_equal(stat(sub.ptr, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(sb.st_mode & 0777, 0700);
	c = open_at(ACCOUNT, NOW_MS, &diag); /* another folder: nothing */
	assert_null(tr_observe__cache_get(c, "GetRule", RULE_ARN, OLD));
	tr_observe_cache_free(c);
	tr_buf_dispose(&nested);
	tr_buf_dispose(&sub);
	cJSON_Delete(reply);
	tr_diag_dispose(&diag);
}

/* Without a folder the cache holds nothing and writes nothing. */
static void no_folder_no_cache(void **state)
{
	tr_diag diag;
	tr_observe_cache *c = NULL;
	cJSON *reply = rule_reply(OLD, "1");

	(void)state;
	tr_diag_init(&diag);
	assert_int_equal(tr_observe_cache_open(&c, NULL, ACCOUNT, REGION,
					       ENDPOINT, NOW_MS, &diag),
			 0);
	tr_observe__cache_put(c, "GetRule", RULE_ARN, reply);
	assert_null(tr_observe__cache_get(c, "GetRule", RULE_ARN, OLD));
	tr_observe_cache_save(c, &diag);
	tr_observe_cache_free(c);
	assert_null(tr_observe__cache_get(NULL, "GetRule", RULE_ARN, OLD));
	assert_int_equal(diag.count, 0);
	cJSON_Delete(reply);
	tr_diag_dispose(&diag);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_times),
		cmocka_unit_test_setup_teardown(keeps_settled_replies_at_their_time,
						make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(ignores_unusable_files, make_dir,
						remove_dir),
		cmocka_unit_test_setup_teardown(caps_the_file_size, make_dir,
						remove_dir),
		cmocka_unit_test_setup_teardown(caps_the_entries, make_dir,
						remove_dir),
		cmocka_unit_test_setup_teardown(warns_when_it_cannot_write,
						make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(makes_missing_folders, make_dir,
						remove_dir),
		cmocka_unit_test(no_folder_no_cache),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
