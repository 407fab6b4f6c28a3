/*
 * The read cache: Get replies of VPC Lattice services, listeners, rules and
 * target groups, each kept with the lastUpdatedAt it had. The List call
 * that finds a resource gives its lastUpdatedAt too; when that is the
 * cached one, the resource has not changed since and its Get is skipped.
 * Every change moves lastUpdatedAt, so a changed resource is always read
 * again. A reply is kept only once it has settled (its lastUpdatedAt at
 * least TR_READ_CACHE_SETTLE_MS before the read, and no status but
 * ACTIVE), so a second change in the same instant as the cached one, or a
 * resource still moving to ACTIVE, is not taken from the cache.
 *
 * It also remembers where an owned service or network had no auth policy
 * (GetAuthPolicy, empty) at a given lastUpdatedAt of that resource.
 *
 * One file per account, region and endpoint, under <dir>/aws-reads/:
 * versioned JSON, written whole to a temporary file and renamed, bounded
 * in size and entries. A file that cannot be read, is corrupt, is for
 * another account or another version is ignored with a warning: never an
 * error, and never trusted. Only the entries this run read or confirmed
 * are written back, so those of vanished resources drop out. Replies hold
 * no secret (names, ids, ARNs, match rules, health checks).
 */
#include "observe/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/limits.h"
#include "util/str.h"
#include "util/strmap.h"

#define CACHE_FORMAT "trellis-aws-read-cache"
#define CACHE_VERSION 1
#define CACHE_SUBDIR "aws-reads"

struct tr_observe_cache {
	char *path;         /* the cache file; NULL when there is none */
	char *dir;          /* <dir>/aws-reads */
	char *account;
	char *region;
	char *endpoint;
	int64_t now_ms;
	cJSON *loaded;      /* the file's entries (array), or NULL */
	tr_strmap index;    /* "op arn" -> entry of `loaded` */
	cJSON *kept;        /* entries for the next run (array) */
	tr_strmap kept_keys;
	size_t nkept;
	tr_observe_cache_stats stats;
};

static const char *const cached_ops[] = {
	"GetService", "GetListener", "GetRule", "GetTargetGroup", "GetAuthPolicy",
};

static bool cached_op(const char *op)
{
	for (size_t i = 0; i < sizeof(cached_ops) / sizeof(cached_ops[0]); i++)
		if (tr_str_eq(op, cached_ops[i]))
			return true;
	return false;
}

static const char *jstr(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int tr_observe__parse_time_ms(int64_t *out, const char *s)
{
	int y, mo, d, h, mi, sec, n = 0;
	int64_t ms = 0, scale = 100;

	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi,
			 &sec, &n) != 6 || n != 19 || mo < 1 || mo > 12 ||
	    d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || h < 0 ||
	    mi < 0 || sec < 0)
		return TR_EINVALID;
	s += n;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++) {
			ms += (*s - '0') * scale;
			scale /= 10;
		}
	}
	if (strcmp(s, "Z") != 0 && strcmp(s, "+00:00") != 0)
		return TR_EINVALID;
	*out = ((days_from_civil(y, (unsigned)mo, (unsigned)d) * 24 + h) * 60 +
		mi) * 60000 + (int64_t)sec * 1000 + ms;
	return 0;
}

static int key_of(tr_buf *out, const char *op, const char *arn)
{
	return tr_buf_printf(out, "%s %s", op, arn);
}

/* mkdir -p, private: --cache-dir may name a folder not made yet (the
 * source stage makes it only for remote repositories). */
static int make_dirs(const char *path)
{
	tr_buf b = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	int error = 0;

	if (tr_buf_puts(&b, path) < 0)
		error = TR_ETOOLARGE;
	for (size_t i = 1; error == 0 && i <= b.len; i++) {
		if (b.ptr[i] != '/' && b.ptr[i] != '\0')
			continue;
		b.ptr[i] = '\0';
		if (mkdir(b.ptr, 0700) < 0 && errno != EEXIST)
			error = TR_EIO;
		if (i < b.len)
			b.ptr[i] = '/';
	}
	tr_buf_dispose(&b);
	return error;
}

static void warn(tr_diag *diag, const char *path, const char *why)
{
	tr_diag_add(diag, TR_SEV_WARNING, "aws.cache", path, 0, 0, NULL,
		    "the AWS read cache is not used: %s; every resource is "
		    "read from AWS, and the cache is written anew",
		    why);
}

/* <dir>/aws-reads/<sha256 of account, region and endpoint>.json */
static int cache_path(tr_buf *out, const char *dir, const char *account,
		      const char *region, const char *endpoint)
{
	tr_buf id = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	int error;

	if ((error = tr_buf_printf(&id, "%s\n%s\n%s", account, region,
				   endpoint)) < 0)
		goto done;
	if (EVP_Digest(id.ptr, id.len, md, &mdlen, EVP_sha256(), NULL) != 1) {
		error = TR_ERROR;
		goto done;
	}
	error = tr_buf_printf(out, "%s/" CACHE_SUBDIR "/", dir);
	for (unsigned i = 0; i < mdlen && error == 0; i++)
		error = tr_buf_printf(out, "%02x", md[i]);
	if (error == 0)
		error = tr_buf_puts(out, ".json");
done:
	tr_buf_dispose(&id);
	return error;
}

/* The file's entries when the whole file is well formed and for this
 * account, region and endpoint; else NULL and why. */
static cJSON *check(cJSON *doc, const tr_observe_cache *c, const char **why)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, "version");
	cJSON *entries = cJSON_GetObjectItemCaseSensitive(doc, "entries");
	const cJSON *e;

	if (!cJSON_IsObject(doc) || !tr_str_eq(jstr(doc, "format"), CACHE_FORMAT)) {
		*why = "it is not a trellis read cache";
		return NULL;
	}
	if (!cJSON_IsNumber(v) || v->valuedouble != CACHE_VERSION) {
		*why = "it has another format version";
		return NULL;
	}
	if (!tr_str_eq(jstr(doc, "account"), c->account) ||
	    !tr_str_eq(jstr(doc, "region"), c->region) ||
	    !tr_str_eq(jstr(doc, "endpoint"), c->endpoint)) {
		*why = "it is for another account, region or endpoint";
		return NULL;
	}
	if (!cJSON_IsArray(entries) ||
	    (size_t)cJSON_GetArraySize(entries) > TR_MAX_READ_CACHE_ENTRIES) {
		*why = "its entries are not a list, or too many";
		return NULL;
	}
	cJSON_ArrayForEach(e, entries)
	{
		const cJSON *reply = cJSON_GetObjectItemCaseSensitive(e, "reply");
		const char *op = jstr(e, "op"), *arn = jstr(e, "arn");
		const char *at = jstr(e, "lastUpdatedAt");

		if (!cached_op(op) || !arn || !*arn || !at ||
		    !cJSON_IsObject(reply) ||
		    !tr_str_eq(jstr(reply, "lastUpdatedAt"), at) ||
		    (!tr_str_eq(op, "GetAuthPolicy") &&
		     !tr_str_eq(jstr(reply, "arn"), arn))) {
			*why = "an entry is malformed";
			return NULL;
		}
	}
	return cJSON_DetachItemFromObjectCaseSensitive(doc, "entries");
}

int tr_observe__cache_load_text(tr_observe_cache *c, const char *text,
				size_t len, const char **why)
{
	cJSON *doc;
	const cJSON *e;

	*why = NULL;
	if (c->loaded)
		return TR_EINVALID; /* one file per cache */
	if (len > TR_MAX_READ_CACHE_BYTES) {
		*why = "it is larger than the cap";
		return TR_ETOOLARGE;
	}
	if (!(doc = cJSON_ParseWithLength(text, len))) {
		*why = "it is not JSON";
		return TR_EINVALID;
	}
	c->loaded = check(doc, c, why);
	cJSON_Delete(doc);
	if (!c->loaded)
		return TR_EINVALID;
	cJSON_ArrayForEach(e, c->loaded)
	{
		tr_buf key = TR_BUF_INIT(TR_MAX_PATH_BYTES);

		if (key_of(&key, jstr(e, "op"), jstr(e, "arn")) == 0)
			tr_strmap_put(&c->index, key.ptr, (void *)e);
		tr_buf_dispose(&key);
	}
	return 0;
}

static void load(tr_observe_cache *c, tr_diag *diag)
{
	tr_buf text = TR_BUF_INIT(TR_MAX_READ_CACHE_BYTES);
	const char *why = NULL;
	int error;

	error = tr_fs_read_file(&text, c->path, TR_MAX_READ_CACHE_BYTES);
	if (error == TR_ENOTFOUND && access(c->path, F_OK) != 0)
		goto done; /* the first run: nothing to say */
	if (error == TR_ETOOLARGE)
		why = "it is larger than the cap";
	else if (error < 0)
		why = "it cannot be read";
	else
		(void)tr_observe__cache_load_text(c, text.ptr, text.len, &why);
	if (!c->loaded)
		warn(diag, c->path, why ? why : "it is unusable");
done:
	tr_buf_dispose(&text);
}

int tr_observe_cache_open(tr_observe_cache **out, const char *dir,
			  const char *account, const char *region,
			  const char *endpoint, int64_t now_ms, tr_diag *diag)
{
	tr_observe_cache *c = tr_calloc(1, sizeof(*c));
	tr_buf path = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	tr_buf sub = TR_BUF_INIT(TR_MAX_PATH_BYTES);

	c->account = tr_strdup(account ? account : "");
	c->region = tr_strdup(region ? region : "");
	c->endpoint = tr_strdup(endpoint ? endpoint : "");
	c->now_ms = now_ms;
	c->kept = cJSON_CreateArray();
	tr_strmap_init(&c->index);
	tr_strmap_init(&c->kept_keys);
	if (dir && *dir &&
	    cache_path(&path, dir, c->account, c->region, c->endpoint) == 0 &&
	    tr_buf_printf(&sub, "%s/" CACHE_SUBDIR, dir) == 0) {
		c->path = tr_buf_detach(&path);
		c->dir = tr_buf_detach(&sub);
		load(c, diag);
	}
	tr_buf_dispose(&path);
	tr_buf_dispose(&sub);
	*out = c;
	return 0;
}

/* Takes `entry`; false when it is not kept (a duplicate, or the cap). */
static bool keep(tr_observe_cache *c, const char *key, cJSON *entry)
{
	if (tr_strmap_get(&c->kept_keys, key) ||
	    c->nkept >= TR_MAX_READ_CACHE_ENTRIES) {
		cJSON_Delete(entry);
		return false;
	}
	cJSON_AddItemToArray(c->kept, entry);
	tr_strmap_put(&c->kept_keys, key, entry);
	c->nkept++;
	return true;
}

const cJSON *tr_observe__cache_get(tr_observe_cache *c, const char *op,
				   const char *arn, const char *updated)
{
	tr_buf key = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	const cJSON *e = NULL;

	if (!c || !arn || !updated || key_of(&key, op, arn) < 0)
		goto done;
	e = tr_strmap_get(&c->index, key.ptr);
	if (e && !tr_str_eq(jstr(e, "lastUpdatedAt"), updated))
		e = NULL;
	if (e) {
		c->stats.hits++;
		(void)keep(c, key.ptr, cJSON_Duplicate(e, true));
	} else {
		c->stats.misses++;
	}
done:
	tr_buf_dispose(&key);
	return e ? cJSON_GetObjectItemCaseSensitive(e, "reply") : NULL;
}

void tr_observe__cache_put(tr_observe_cache *c, const char *op,
			   const char *arn, const cJSON *reply)
{
	tr_buf key = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	const char *at = jstr(reply, "lastUpdatedAt");
	const char *status = jstr(reply, "status");
	int64_t at_ms;
	cJSON *e;

	if (!c || !c->path || !arn || !*arn || !at || !cached_op(op) ||
	    (status && strcmp(status, "ACTIVE") != 0) ||
	    tr_observe__parse_time_ms(&at_ms, at) < 0 ||
	    c->now_ms - at_ms < TR_READ_CACHE_SETTLE_MS ||
	    key_of(&key, op, arn) < 0)
		goto done;
	e = cJSON_CreateObject();
	cJSON_AddStringToObject(e, "op", op);
	cJSON_AddStringToObject(e, "arn", arn);
	cJSON_AddStringToObject(e, "lastUpdatedAt", at);
	cJSON_AddItemToObject(e, "reply", cJSON_Duplicate(reply, true));
	if (keep(c, key.ptr, e))
		c->stats.stored++;
done:
	tr_buf_dispose(&key);
}

void tr_observe_cache_save(tr_observe_cache *c, tr_diag *diag)
{
	tr_buf tmp = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	cJSON *doc;
	char *text = NULL;
	size_t len;
	int fd = -1;
	bool ok = false;

	if (!c || !c->path)
		return;
	doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "format", CACHE_FORMAT);
	cJSON_AddNumberToObject(doc, "version", CACHE_VERSION);
	cJSON_AddStringToObject(doc, "account", c->account);
	cJSON_AddStringToObject(doc, "region", c->region);
	cJSON_AddStringToObject(doc, "endpoint", c->endpoint);
	cJSON_AddItemReferenceToObject(doc, "entries", c->kept);
	text = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	len = text ? strlen(text) : 0;
	if (!text || len > TR_MAX_READ_CACHE_BYTES)
		goto done; /* too large to keep: the next run reads AWS */
	if (make_dirs(c->dir) < 0 ||
	    tr_buf_printf(&tmp, "%s/.tmp-XXXXXX", c->dir) < 0 ||
	    (fd = mkstemp(tmp.ptr)) < 0)
		goto done;
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto done;
		off += (size_t)n;
	}
	if (close(fd) != 0) {
		fd = -1;
		goto done;
	}
	fd = -1;
	ok = rename(tmp.ptr, c->path) == 0;
done:
	if (fd >= 0)
		close(fd);
	if (!ok) {
		if (tmp.len)
			(void)unlink(tmp.ptr);
		tr_diag_add(diag, TR_SEV_WARNING, "aws.cache", c->path, 0, 0,
			    NULL,
			    "the AWS read cache could not be written; the next "
			    "run reads every resource from AWS");
	}
	cJSON_free(text);
	tr_buf_dispose(&tmp);
}

void tr_observe_cache_stats_get(const tr_observe_cache *c,
				tr_observe_cache_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (c)
		*out = c->stats;
}

void tr_observe_cache_free(tr_observe_cache *c)
{
	if (!c)
		return;
	tr_free(c->path);
	tr_free(c->dir);
	tr_free(c->account);
	tr_free(c->region);
	tr_free(c->endpoint);
	cJSON_Delete(c->loaded);
	cJSON_Delete(c->kept);
	tr_strmap_dispose(&c->index);
	tr_strmap_dispose(&c->kept_keys);
	tr_free(c);
}
