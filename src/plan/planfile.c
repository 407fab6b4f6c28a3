/*
 * Saved plans (docs/plan-file.md). The writer records the plan's changes
 * with what they were computed from; the reader trusts nothing in the file
 * (it crosses an artefact store or a pull request) and checks every field
 * before apply acts on it; the check compares fingerprints of what the plan
 * depends on with what AWS holds now.
 *
 * Everything here is written over the kinds table: a new kind needs no code.
 */
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan.h"
#include "util/alloc.h"
#include "util/limits.h"
#include "util/redact.h"
#include "util/str.h"
#include "util/strmap.h"

/* --- canonical JSON and fingerprints ------------------------------------ */

static int compare_keys(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;

	return strcmp(x->string, y->string);
}

/* Sorts the keys of every object, recursively, in place. */
static void canonicalize(cJSON *v, int depth)
{
	cJSON *child, **items;
	size_t n = 0, i = 0;

	if (!v || depth > (int)TR_MAX_PLANFILE_DEPTH)
		return;
	for (child = v->child; child; child = child->next) {
		canonicalize(child, depth + 1);
		n++;
	}
	if (!cJSON_IsObject(v) || n < 2)
		return;
	items = tr_calloc(n, sizeof(*items));
	for (child = v->child; child; child = child->next)
		items[i++] = child;
	qsort(items, n, sizeof(*items), compare_keys);
	for (i = 0; i < n; i++) {
		items[i]->prev = i ? items[i - 1] : items[n - 1];
		items[i]->next = i + 1 < n ? items[i + 1] : NULL;
	}
	v->child = items[0];
	tr_free(items);
}

static int sha256_hex(char out[72], const char *data, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int rc = TR_ERROR;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) == 1 &&
	    mdlen == 32) {
		memcpy(out, "sha256:", 7);
		for (unsigned int i = 0; i < mdlen; i++)
			snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
		rc = 0;
	}
	return rc;
}

/* The object a fingerprint is the hash of. Values are copied. */
static cJSON *fingerprint_doc(const char *type, const char *address,
			      const char *id, const char *arn,
			      const cJSON *attrs, const cJSON *tags)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "type", type);
	cJSON_AddStringToObject(o, "address", address);
	if (id)
		cJSON_AddStringToObject(o, "id", id);
	if (arn)
		cJSON_AddStringToObject(o, "arn", arn);
	cJSON_AddItemToObject(o, "attributes",
			      attrs ? cJSON_Duplicate(attrs, true)
				    : cJSON_CreateObject());
	cJSON_AddItemToObject(o, "tags", tags ? cJSON_Duplicate(tags, true)
					      : cJSON_CreateObject());
	return o;
}

static int fingerprint_of(char out[72], cJSON *doc)
{
	char *text;
	int rc;

	canonicalize(doc, 0);
	text = cJSON_PrintUnformatted(doc);
	rc = text ? sha256_hex(out, text, strlen(text)) : TR_ERROR;
	cJSON_free(text);
	return rc;
}

int tr_plan_fingerprint(char out[72], const tr_resource *r)
{
	cJSON *doc = fingerprint_doc(tr_kind_get(r->kind)->name, r->address,
				     r->id, r->arn, r->attrs, r->tags);
	int rc = fingerprint_of(out, doc);

	cJSON_Delete(doc);
	return rc;
}

/* --- init and dispose ---------------------------------------------------- */

void tr_plan_file_init(tr_plan_file *pf)
{
	memset(pf, 0, sizeof(*pf));
	tr_plan_init(&pf->plan);
	tr_model_init(&pf->desired);
}

void tr_plan_file_dispose(tr_plan_file *pf)
{
	tr_plan_file_info *i = &pf->info;

	tr_free(i->trellis_version);
	tr_free(i->repo);
	tr_free(i->ref);
	tr_free(i->path);
	tr_free(i->account);
	tr_free(i->region);
	tr_free(i->owner);
	tr_free(i->config_file);
	tr_free(i->config_text);
	tr_free(i->signature_kind);
	tr_free(i->signer);
	tr_free(i->signer_key);
	for (size_t d = 0; d < pf->dep_count; d++) {
		tr_free(pf->deps[d].address);
		cJSON_Delete(pf->deps[d].resource);
	}
	tr_free(pf->deps);
	tr_plan_dispose(&pf->plan);
	tr_model_dispose(&pf->desired);
	tr_plan_file_init(pf);
}

/* The kind named by an address "<kind>.<key>", or NULL. */
static const tr_kind_spec *kind_of_address(const char *address)
{
	const char *dot = strchr(address, '.');
	char kind[64];

	if (!dot || dot == address || (size_t)(dot - address) >= sizeof(kind) ||
	    !dot[1])
		return NULL;
	memcpy(kind, address, (size_t)(dot - address));
	kind[dot - address] = '\0';
	return tr_kind_by_name(kind);
}

/* --- writer -------------------------------------------------------------- */

static bool is_action(tr_action a)
{
	return a == TR_ACTION_CREATE || a == TR_ACTION_UPDATE ||
	       a == TR_ACTION_REPLACE || a == TR_ACTION_DELETE;
}

/* Adds every "ref:" target in v to the list (no duplicates). */
static void collect_refs(cJSON *list, tr_strmap *seen, const cJSON *v,
			 int depth)
{
	const char *target = tr_model_ref_target(v);
	const cJSON *child;

	if (depth > (int)TR_MAX_PLANFILE_DEPTH)
		return;
	if (target) {
		/* Only what can be an address: anything else is a value. */
		if (strlen(target) <= TR_MAX_PATH_BYTES &&
		    kind_of_address(target) && !tr_strmap_get(seen, target)) {
			tr_strmap_put(seen, target, (void *)target);
			cJSON_AddItemToArray(list, cJSON_CreateString(target));
		}
		return;
	}
	cJSON_ArrayForEach(child, v) collect_refs(list, seen, child, depth + 1);
}

/* What an action depends on: its own address (absent for a create) and
 * everything its states refer to, in this order. Empty for the rest. */
static cJSON *dependencies_of(const char *address, tr_action action,
			      const cJSON *before, const cJSON *after)
{
	cJSON *on = cJSON_CreateArray();
	tr_strmap seen;

	if (!is_action(action))
		return on;
	tr_strmap_init(&seen);
	tr_strmap_put(&seen, address, (void *)address);
	cJSON_AddItemToArray(on, cJSON_CreateString(address));
	collect_refs(on, &seen, after, 0);
	collect_refs(on, &seen, before, 0);
	tr_strmap_dispose(&seen);
	return on;
}

static cJSON *str_or_null(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static cJSON *change_json(const tr_change *c, tr_strmap *deps, cJSON *dep_list)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *paths, *on;
	const cJSON *d;

	cJSON_AddStringToObject(o, "address", c->address);
	cJSON_AddStringToObject(o, "type", tr_kind_get(c->kind)->name);
	cJSON_AddStringToObject(o, "action", tr_action_name(c->action));
	cJSON_AddItemToObject(o, "name", str_or_null(c->name));
	cJSON_AddItemToObject(o, "id", str_or_null(c->id));
	cJSON_AddItemToObject(o, "before", c->before
						   ? cJSON_Duplicate(c->before, true)
						   : cJSON_CreateNull());
	cJSON_AddItemToObject(o, "after", c->after
						  ? cJSON_Duplicate(c->after, true)
						  : cJSON_CreateNull());
	paths = cJSON_AddArrayToObject(o, "replace_paths");
	for (size_t j = 0; j < c->replace_count; j++)
		cJSON_AddItemToArray(paths,
				     cJSON_CreateString(c->replace_paths[j]));
	cJSON_AddItemToObject(o, "reason", str_or_null(c->reason));
	if (c->source_file) {
		cJSON *src = cJSON_AddObjectToObject(o, "source");
		cJSON_AddStringToObject(src, "file", c->source_file);
		cJSON_AddNumberToObject(src, "line", c->source_line);
	} else {
		cJSON_AddNullToObject(o, "source");
	}
	cJSON_AddBoolToObject(o, "tags_unknown", c->tags_unknown);
	on = dependencies_of(c->address, c->action, c->before, c->after);
	cJSON_ArrayForEach(d, on)
	{
		if (!tr_strmap_get(deps, d->valuestring)) {
			tr_strmap_put(deps, d->valuestring, (void *)1);
			cJSON_AddItemToArray(dep_list,
					     cJSON_CreateString(d->valuestring));
		}
	}
	cJSON_AddItemToObject(o, "depends_on", on);
	return o;
}

static cJSON *observed_json(tr_model *observed, const char *address)
{
	const tr_resource *r = tr_model_find(observed, address);
	cJSON *o = cJSON_CreateObject();
	const tr_kind_spec *k;
	char fp[72];
	cJSON *res;

	cJSON_AddStringToObject(o, "address", address);
	if (!r) {
		const char *dot = strchr(address, '.');
		tr_buf kind = TR_BUF_INIT(TR_MAX_PATH_BYTES);

		k = dot && tr_buf_put(&kind, address,
				      (size_t)(dot - address)) == 0
			    ? tr_kind_by_name(kind.ptr)
			    : NULL;
		tr_buf_dispose(&kind);
		cJSON_AddItemToObject(o, "type", str_or_null(k ? k->name : NULL));
		cJSON_AddStringToObject(o, "fingerprint", TR_FINGERPRINT_ABSENT);
		cJSON_AddNullToObject(o, "resource");
		return o;
	}
	cJSON_AddStringToObject(o, "type", tr_kind_get(r->kind)->name);
	if (tr_plan_fingerprint(fp, r) < 0) {
		cJSON_Delete(o);
		return NULL;
	}
	cJSON_AddStringToObject(o, "fingerprint", fp);
	res = cJSON_AddObjectToObject(o, "resource");
	cJSON_AddItemToObject(res, "id", str_or_null(r->id));
	cJSON_AddItemToObject(res, "arn", str_or_null(r->arn));
	cJSON_AddItemToObject(res, "attributes", cJSON_Duplicate(r->attrs, true));
	cJSON_AddItemToObject(res, "tags", cJSON_Duplicate(r->tags, true));
	return o;
}

int tr_plan_file_write(tr_buf *out, const tr_plan *plan, tr_model *observed,
		       const tr_plan_file_info *info)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *o, *changes, *deps = cJSON_CreateArray(), *obs;
	const cJSON *d;
	tr_buf repo = TR_BUF_INIT(TR_MAX_PATH_BYTES * 4);
	tr_strmap dep_set;
	char digest[72];
	char *text = NULL;
	int error = TR_ERROR;

	tr_strmap_init(&dep_set);
	tr_model_sort(observed);
	if (sha256_hex(digest, info->config_text ? info->config_text : "",
		       info->config_text ? info->config_len : 0) < 0 ||
	    (info->repo && tr_redact_url(&repo, info->repo) < 0))
		goto done;
	cJSON_AddStringToObject(root, "format", TR_PLAN_FILE_FORMAT);
	cJSON_AddNumberToObject(root, "format_version", TR_PLAN_FILE_VERSION);
	cJSON_AddStringToObject(root, "trellis_version", info->trellis_version);
	o = cJSON_AddObjectToObject(root, "source");
	cJSON_AddItemToObject(o, "repo", str_or_null(info->repo ? repo.ptr
								: NULL));
	cJSON_AddItemToObject(o, "ref", str_or_null(info->ref));
	cJSON_AddItemToObject(o, "path", str_or_null(info->path));
	cJSON_AddStringToObject(o, "commit", plan->commit);
	if (info->signer_key) {
		cJSON *v = cJSON_AddObjectToObject(o, "verified");

		cJSON_AddStringToObject(v, "kind", info->signature_kind);
		cJSON_AddStringToObject(v, "signer",
					info->signer ? info->signer : "");
		cJSON_AddStringToObject(v, "key", info->signer_key);
	} else {
		cJSON_AddNullToObject(o, "verified");
	}
	o = cJSON_AddObjectToObject(root, "config");
	cJSON_AddStringToObject(o, "file", info->config_file);
	cJSON_AddStringToObject(o, "digest", digest);
	cJSON_AddItemToObject(o, "text",
			      cJSON_CreateString(info->config_text
							 ? info->config_text
							 : ""));
	o = cJSON_AddObjectToObject(root, "target");
	cJSON_AddStringToObject(o, "account", info->account);
	cJSON_AddStringToObject(o, "region", info->region);
	cJSON_AddStringToObject(o, "owner", info->owner);
	o = cJSON_AddObjectToObject(root, "options");
	cJSON_AddBoolToObject(o, "prune", info->prune);
	cJSON_AddBoolToObject(o, "adopt", info->adopt);
	cJSON_AddBoolToObject(o, "allow_delete_all", info->allow_delete_all);
	cJSON_AddNumberToObject(o, "max_deletes", (double)info->max_deletes);
	o = cJSON_AddObjectToObject(root, "summary");
	cJSON_AddNumberToObject(o, "create", (double)plan->summary.create);
	cJSON_AddNumberToObject(o, "update", (double)plan->summary.update);
	cJSON_AddNumberToObject(o, "replace", (double)plan->summary.replace);
	cJSON_AddNumberToObject(o, "delete", (double)plan->summary.remove);
	cJSON_AddNumberToObject(o, "no_op", (double)plan->summary.no_op);
	cJSON_AddNumberToObject(o, "skipped_delete",
				(double)plan->summary.skipped_deletes);
	changes = cJSON_AddArrayToObject(root, "changes");
	for (size_t i = 0; i < plan->count; i++)
		cJSON_AddItemToArray(changes, change_json(&plan->changes[i],
							  &dep_set, deps));
	obs = cJSON_AddArrayToObject(root, "observed");
	cJSON_ArrayForEach(d, deps)
	{
		cJSON *entry = observed_json(observed, d->valuestring);
		if (!entry)
			goto done;
		cJSON_AddItemToArray(obs, entry);
	}
	text = cJSON_Print(root);
	if (!text)
		goto done;
	error = tr_buf_puts(out, text);
	if (!error)
		error = tr_buf_putc(out, '\n');
done:
	cJSON_free(text);
	cJSON_Delete(root);
	cJSON_Delete(deps);
	tr_strmap_dispose(&dep_set);
	tr_buf_dispose(&repo);
	return error;
}

/* --- reader -------------------------------------------------------------- */

typedef struct reader {
	const char *file;
	tr_diag *diag;
	int error;
	tr_buf path;       /* field path of the value being read */
} reader;

static void bad(reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void bad(reader *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tr_diag_vadd(r->diag, TR_SEV_ERROR, "planfile.invalid", r->file, 0, 0,
		     r->path.len ? r->path.ptr : NULL, fmt, ap);
	va_end(ap);
	r->error = TR_EINVALID;
}

/* Field paths: push a key or an index, pop back to a saved length. */
static size_t push_key(reader *r, const char *key)
{
	size_t mark = r->path.len;

	if (tr_buf_printf(&r->path, "%s%s", mark ? "." : "", key) < 0)
		tr_buf_truncate(&r->path, mark);
	return mark;
}

static size_t push_index(reader *r, size_t i)
{
	size_t mark = r->path.len;

	if (tr_buf_printf(&r->path, "[%zu]", i) < 0)
		tr_buf_truncate(&r->path, mark);
	return mark;
}

static void pop(reader *r, size_t mark)
{
	tr_buf_truncate(&r->path, mark);
}

static const char *type_name(const cJSON *v)
{
	if (!v || cJSON_IsNull(v))
		return "null";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsArray(v))
		return "an array";
	return "an object";
}

/* Every key of `obj` must be one of `allowed` (NULL-terminated), once. */
static void only_keys(reader *r, const cJSON *obj, const char *const *allowed)
{
	const cJSON *item, *other;

	cJSON_ArrayForEach(item, obj)
	{
		const char *const *a;

		for (a = allowed; *a && strcmp(*a, item->string) != 0; a++)
			;
		if (!*a) {
			size_t m = push_key(r, item->string);
			bad(r, "unknown field: a plan file has no \"%s\" here",
			    item->string);
			pop(r, m);
			continue;
		}
		for (other = item->next; other; other = other->next)
			if (strcmp(other->string, item->string) == 0) {
				size_t m = push_key(r, item->string);
				bad(r, "the field appears twice");
				pop(r, m);
				break;
			}
	}
}

/* The value of a field, which must have the type `want` (cJSON_* flags);
 * `nullable` also accepts null or a missing field (returns NULL). */
static const cJSON *field(reader *r, const cJSON *obj, const char *key,
			  int want, bool nullable)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	size_t m;

	if ((!v || cJSON_IsNull(v)) && nullable)
		return NULL;
	if (v && (v->type & 0xFF) == want)
		return v;
	m = push_key(r, key);
	if (!v)
		bad(r, "missing");
	else
		bad(r, "must be %s, not %s",
		    want == cJSON_String   ? "a string"
		    : want == cJSON_Number ? "a number"
		    : want == cJSON_Array  ? "an array"
		    : want == cJSON_Object ? "an object"
					   : "a boolean",
		    type_name(v));
	pop(r, m);
	return NULL;
}

static bool is_bool(const cJSON *v)
{
	return cJSON_IsBool(v);
}

static bool flag(reader *r, const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	size_t m;

	if (is_bool(v))
		return cJSON_IsTrue(v);
	m = push_key(r, key);
	if (v)
		bad(r, "must be true or false, not %s", type_name(v));
	else
		bad(r, "missing");
	pop(r, m);
	return false;
}

/* A string field with a length cap and no control characters. */
static const char *text(reader *r, const cJSON *obj, const char *key,
			bool nullable, size_t max)
{
	const cJSON *v = field(r, obj, key, cJSON_String, nullable);
	size_t m, n;

	bool ok = true;

	if (!v)
		return NULL;
	n = strlen(v->valuestring);
	m = push_key(r, key);
	if (n > max) {
		bad(r, "longer than %zu bytes", max);
		ok = false;
	} else if (!nullable && n == 0) {
		bad(r, "must not be empty");
		ok = false;
	}
	for (size_t i = 0; i < n && ok; i++)
		if ((unsigned char)v->valuestring[i] < 0x20) {
			bad(r, "contains a control character");
			ok = false;
		}
	pop(r, m);
	return ok ? v->valuestring : NULL;
}

static bool integer(reader *r, const cJSON *obj, const char *key,
		    int64_t min, int64_t max, int64_t *out)
{
	const cJSON *v = field(r, obj, key, cJSON_Number, false);
	size_t m;

	if (!v)
		return false;
	if (v->valuedouble >= (double)min && v->valuedouble <= (double)max &&
	    v->valuedouble == (double)(int64_t)v->valuedouble) {
		*out = (int64_t)v->valuedouble;
		return true;
	}
	m = push_key(r, key);
	bad(r, "must be a whole number from %lld to %lld",
	    (long long)min, (long long)max);
	pop(r, m);
	return false;
}

static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[n] == '\0';
}

static bool is_digest(const char *s)
{
	return s && strncmp(s, "sha256:", 7) == 0 && strlen(s) == 71 &&
	       is_hex(s + 7, 64);
}

static char *dup_or_null(const char *s)
{
	return s ? tr_strdup(s) : NULL;
}

/* Depth of nested arrays and objects. */
static int depth_of(const cJSON *v, int depth)
{
	int max = depth;
	const cJSON *child;

	if (depth > (int)TR_MAX_PLANFILE_DEPTH)
		return depth;
	for (child = v ? v->child : NULL; child; child = child->next) {
		int d = depth_of(child, depth + 1);
		if (d > max)
			max = d;
		if (max > (int)TR_MAX_PLANFILE_DEPTH)
			break;
	}
	return max;
}

/* Tags: an object of strings. */
static void check_tags(reader *r, const cJSON *tags)
{
	const cJSON *t;

	cJSON_ArrayForEach(t, tags)
	{
		if (!cJSON_IsString(t)) {
			size_t m = push_key(r, t->string);
			bad(r, "a tag value must be a string, not %s",
			    type_name(t));
			pop(r, m);
		}
	}
}

/* A resource state as the plan shows it: attributes plus "tags". */
static void check_state(reader *r, const cJSON *state)
{
	const cJSON *tags = field(r, state, "tags", cJSON_Object, false);

	if (tags) {
		size_t m = push_key(r, "tags");
		check_tags(r, tags);
		pop(r, m);
	}
}

/* An address and its type, which must agree. */
static const tr_kind_spec *address_and_type(reader *r, const cJSON *o,
					    const char **address)
{
	const char *type = text(r, o, "type", false, 64);
	const tr_kind_spec *k = type ? tr_kind_by_name(type) : NULL;
	size_t m;

	*address = text(r, o, "address", false, TR_MAX_PATH_BYTES);
	if (type && !k) {
		m = push_key(r, "type");
		bad(r, "\"%s\" is not a resource type of this trellis", type);
		pop(r, m);
		return NULL;
	}
	if (!*address || !k)
		return NULL;
	if (kind_of_address(*address) != k) {
		m = push_key(r, "address");
		bad(r, "\"%s\" is not an address of type %s (%s.<name>)",
		    *address, k->name, k->name);
		pop(r, m);
		return NULL;
	}
	return k;
}

static bool action_by_name(tr_action *out, const char *name)
{
	for (int a = 0; a < TR_ACTION_COUNT; a++)
		if (strcmp(tr_action_name((tr_action)a), name) == 0) {
			*out = (tr_action)a;
			return true;
		}
	return false;
}

static void read_info(reader *r, tr_plan_file *pf, const cJSON *root)
{
	static const char *const top[] = {
		"format", "format_version", "trellis_version", "source",
		"config", "target", "options", "summary", "changes", "observed",
		NULL};
	static const char *const source_keys[] = {"repo", "ref", "path",
						  "commit", "verified", NULL};
	static const char *const verified_keys[] = {"kind", "signer", "key",
						    NULL};
	static const char *const config_keys[] = {"file", "digest", "text",
						  NULL};
	static const char *const target_keys[] = {"account", "region", "owner",
						  NULL};
	static const char *const option_keys[] = {
		"prune", "adopt", "allow_delete_all", "max_deletes", NULL};
	tr_plan_file_info *info = &pf->info;
	const cJSON *o, *v;
	const char *s;
	int64_t version = 0;
	size_t m;
	char digest[72];

	only_keys(r, root, top);
	s = text(r, root, "format", false, 64);
	if (s && strcmp(s, TR_PLAN_FILE_FORMAT) != 0) {
		m = push_key(r, "format");
		bad(r, "\"%s\": this is not a trellis plan file (`trellis plan "
		       "--out` writes one)", s);
		pop(r, m);
	}
	if (integer(r, root, "format_version", 1, 1000000, &version) &&
	    version != TR_PLAN_FILE_VERSION) {
		m = push_key(r, "format_version");
		bad(r, "version %lld; this trellis reads version %d: make the "
		       "plan again with this trellis",
		    (long long)version, TR_PLAN_FILE_VERSION);
		pop(r, m);
	}
	info->trellis_version = dup_or_null(text(r, root, "trellis_version",
						 false, 64));
	if ((o = field(r, root, "source", cJSON_Object, false)) != NULL) {
		m = push_key(r, "source");
		only_keys(r, o, source_keys);
		info->repo = dup_or_null(text(r, o, "repo", true,
					      TR_MAX_PATH_BYTES * 2));
		info->ref = dup_or_null(text(r, o, "ref", true,
					     TR_MAX_PATH_BYTES));
		info->path = dup_or_null(text(r, o, "path", true,
					      TR_MAX_PATH_BYTES));
		s = text(r, o, "commit", true, 40);
		if (s && *s && (strlen(s) != 40 || !is_hex(s, 40))) {
			size_t m2 = push_key(r, "commit");
			bad(r, "must be a 40-digit lowercase hex commit id, or "
			       "empty for files not read from git");
			pop(r, m2);
		} else if (s) {
			memcpy(pf->plan.commit, s, strlen(s) + 1);
		}
		if ((v = field(r, o, "verified", cJSON_Object, true)) != NULL) {
			size_t m2 = push_key(r, "verified");

			only_keys(r, v, verified_keys);
			info->signature_kind = dup_or_null(text(r, v, "kind",
								false, 16));
			info->signer = dup_or_null(text(r, v, "signer", true,
							TR_MAX_LINE_BYTES));
			info->signer_key = dup_or_null(text(r, v, "key", false,
							    256));
			if (info->signature_kind &&
			    strcmp(info->signature_kind, "OpenPGP") != 0 &&
			    strcmp(info->signature_kind, "SSH") != 0) {
				size_t m3 = push_key(r, "kind");
				bad(r, "must be \"OpenPGP\" or \"SSH\"");
				pop(r, m3);
			}
			pop(r, m2);
		}
		pop(r, m);
	}
	if ((o = field(r, root, "config", cJSON_Object, false)) != NULL) {
		const cJSON *t;
		m = push_key(r, "config");
		only_keys(r, o, config_keys);
		info->config_file = dup_or_null(text(r, o, "file", false,
						     TR_MAX_PATH_BYTES));
		s = text(r, o, "digest", false, 71);
		t = field(r, o, "text", cJSON_String, false);
		if (t && strlen(t->valuestring) > TR_MAX_FILE_BYTES) {
			size_t m2 = push_key(r, "text");
			bad(r, "longer than %u bytes", TR_MAX_FILE_BYTES);
			pop(r, m2);
			t = NULL;
		}
		if (s && !is_digest(s)) {
			size_t m2 = push_key(r, "digest");
			bad(r, "must be \"sha256:\" and 64 lowercase hex digits");
			pop(r, m2);
		} else if (s && t) {
			info->config_len = strlen(t->valuestring);
			info->config_text = tr_strdup(t->valuestring);
			memcpy(info->config_digest, s, 72);
			if (sha256_hex(digest, info->config_text,
				       info->config_len) < 0 ||
			    strcmp(digest, s) != 0)
				bad(r, "the digest does not match the config "
				       "text: the file was edited after "
				       "`trellis plan --out` wrote it");
		}
		pop(r, m);
	}
	if ((o = field(r, root, "target", cJSON_Object, false)) != NULL) {
		m = push_key(r, "target");
		only_keys(r, o, target_keys);
		info->account = dup_or_null(text(r, o, "account", false, 64));
		info->region = dup_or_null(text(r, o, "region", false, 64));
		info->owner = dup_or_null(text(r, o, "owner", false, 256));
		pop(r, m);
	}
	if ((o = field(r, root, "options", cJSON_Object, false)) != NULL) {
		m = push_key(r, "options");
		only_keys(r, o, option_keys);
		info->prune = flag(r, o, "prune");
		info->adopt = flag(r, o, "adopt");
		info->allow_delete_all = flag(r, o, "allow_delete_all");
		(void)integer(r, o, "max_deletes", 0, 1000000,
			      &info->max_deletes);
		pop(r, m);
	}
}

/* One change; added to the plan (and, when it has a desired state, to the
 * desired model) only when every field is right. */
static void read_change(reader *r, tr_plan_file *pf, const cJSON *o,
			tr_strmap *addresses)
{
	static const char *const keys[] = {
		"address", "type", "action", "name", "id", "before", "after",
		"replace_paths", "reason", "source", "tags_unknown",
		"depends_on", NULL};
	const tr_kind_spec *k;
	const char *address = NULL, *action_s, *name, *id, *reason;
	const char *src_file = NULL;
	int64_t src_line = 0;
	tr_action action = TR_ACTION_NOOP;
	const cJSON *before, *after, *paths, *src, *on, *p;
	bool tags_unknown, want_before, want_after;
	int before_errors = r->error;
	tr_change *c;
	size_t m;

	r->error = 0;
	if (!cJSON_IsObject(o)) {
		bad(r, "must be an object, not %s", type_name(o));
		goto done;
	}
	only_keys(r, o, keys);
	k = address_and_type(r, o, &address);
	action_s = text(r, o, "action", false, 32);
	if (action_s && !action_by_name(&action, action_s)) {
		m = push_key(r, "action");
		bad(r, "\"%s\" is not an action (create, update, replace, "
		       "delete, no-op, delete-skipped)", action_s);
		pop(r, m);
	}
	name = text(r, o, "name", true, TR_MAX_PATH_BYTES);
	id = text(r, o, "id", true, TR_MAX_PATH_BYTES);
	reason = text(r, o, "reason", true, TR_MAX_LINE_BYTES);
	tags_unknown = flag(r, o, "tags_unknown");
	before = field(r, o, "before", cJSON_Object, true);
	after = field(r, o, "after", cJSON_Object, true);
	paths = field(r, o, "replace_paths", cJSON_Array, false);
	on = field(r, o, "depends_on", cJSON_Array, false);
	if ((src = field(r, o, "source", cJSON_Object, true)) != NULL) {
		static const char *const src_keys[] = {"file", "line", NULL};
		m = push_key(r, "source");
		only_keys(r, src, src_keys);
		src_file = text(r, src, "file", false, TR_MAX_PATH_BYTES);
		(void)integer(r, src, "line", 0, UINT32_MAX, &src_line);
		pop(r, m);
	}
	if (r->error || !k)
		goto done;
	want_before = action != TR_ACTION_CREATE;
	want_after = action != TR_ACTION_DELETE &&
		     action != TR_ACTION_DELETE_SKIPPED;
	if (want_before != (before != NULL) || want_after != (after != NULL)) {
		bad(r, "a %s needs %s", tr_action_name(action),
		    want_before && want_after ? "both before and after"
		    : want_before		? "before and no after"
						: "after and no before");
		goto done;
	}
	if (depth_of(before, 0) > (int)TR_MAX_PLANFILE_DEPTH ||
	    depth_of(after, 0) > (int)TR_MAX_PLANFILE_DEPTH) {
		bad(r, "nested deeper than %u levels", TR_MAX_PLANFILE_DEPTH);
		goto done;
	}
	if (before) {
		m = push_key(r, "before");
		check_state(r, before);
		pop(r, m);
	}
	if (after) {
		m = push_key(r, "after");
		check_state(r, after);
		pop(r, m);
	}
	m = push_key(r, "replace_paths");
	if (cJSON_GetArraySize(paths) > 64)
		bad(r, "more than 64 entries");
	cJSON_ArrayForEach(p, paths)
	{
		if (!cJSON_IsString(p) || !*p->valuestring ||
		    strlen(p->valuestring) > TR_MAX_FIELD_PATH_BYTES) {
			bad(r, "entries must be attribute paths (strings)");
			break;
		}
	}
	if (!r->error && cJSON_GetArraySize(paths) && action != TR_ACTION_REPLACE)
		bad(r, "only a replace has attributes that force it");
	pop(r, m);
	m = push_key(r, "depends_on");
	if (cJSON_GetArraySize(on) > 4096)
		bad(r, "more than 4096 entries");
	cJSON_ArrayForEach(p, on)
	{
		if (!cJSON_IsString(p) || !kind_of_address(p->valuestring) ||
		    strlen(p->valuestring) > TR_MAX_PATH_BYTES) {
			bad(r, "entries must be resource addresses");
			break;
		}
	}
	if (!r->error && is_action(action) &&
	    !(on && on->child && cJSON_IsString(on->child) &&
	      strcmp(on->child->valuestring, address) == 0))
		bad(r, "an action depends on its own address first (\"%s\"); "
		       "without it the plan could not tell that it is stale",
		    address);
	if (!r->error && !is_action(action) && cJSON_GetArraySize(on))
		bad(r, "only actions have dependencies; a %s has none",
		    tr_action_name(action));
	if (!r->error) {
		/* Exactly what the writer records, so no reference can
		 * escape the staleness check. */
		cJSON *want = dependencies_of(address, action, before, after);
		if (!cJSON_Compare(want, on, true))
			bad(r, "must list the change's own address, then every "
			       "resource its after and before states refer to");
		cJSON_Delete(want);
	}
	pop(r, m);
	if (r->error)
		goto done;
	if (tr_strmap_get(addresses, address)) {
		m = push_key(r, "address");
		bad(r, "\"%s\" appears in two changes", address);
		pop(r, m);
		goto done;
	}
	pf->plan.changes = tr_grow(pf->plan.changes, &pf->plan.cap,
				   pf->plan.count + 1,
				   sizeof(*pf->plan.changes));
	c = &pf->plan.changes[pf->plan.count++];
	memset(c, 0, sizeof(*c));
	c->action = action;
	c->kind = k->kind;
	c->address = tr_strdup(address);
	tr_strmap_put(addresses, address, c->address);
	c->name = dup_or_null(name);
	c->id = dup_or_null(id);
	c->reason = dup_or_null(reason);
	c->before = before ? cJSON_Duplicate(before, true) : NULL;
	c->after = after ? cJSON_Duplicate(after, true) : NULL;
	c->tags_unknown = tags_unknown;
	c->source_file = dup_or_null(src_file);
	c->source_line = (uint32_t)src_line;
	cJSON_ArrayForEach(p, paths)
	{
		c->replace_paths = tr_realloc(c->replace_paths,
					      (c->replace_count + 1) *
						      sizeof(*c->replace_paths));
		c->replace_paths[c->replace_count++] = tr_strdup(p->valuestring);
	}
	if (tr_kind_set(c->kind)) {
		/* Targets: counted as members, not resources. */
		tr_plan_set_members(c);
		pf->plan.summary.members_added +=
			(size_t)cJSON_GetArraySize(c->added);
		pf->plan.summary.members_removed +=
			(size_t)cJSON_GetArraySize(c->removed);
	} else switch (action) {
	case TR_ACTION_CREATE: pf->plan.summary.create++; break;
	case TR_ACTION_UPDATE: pf->plan.summary.update++; break;
	case TR_ACTION_REPLACE: pf->plan.summary.replace++; break;
	case TR_ACTION_DELETE: pf->plan.summary.remove++; break;
	case TR_ACTION_DELETE_SKIPPED: pf->plan.summary.skipped_deletes++; break;
	default: pf->plan.summary.no_op++; break;
	}
	if (after) {
		/* The desired model bounds the re-observation as it did when
		 * the plan was made. */
		cJSON *attrs = cJSON_Duplicate(after, true);
		cJSON *tags = cJSON_DetachItemFromObjectCaseSensitive(attrs,
								      "tags");
		tr_resource *res = tr_model_add(&pf->desired, k->kind, attrs,
						"%s",
						address + strlen(k->name) + 1);
		if (res) {
			cJSON_Delete(res->tags);
			res->tags = tags;
			tags = NULL;
			tr_resource_set_source(res, src_file,
					       (uint32_t)src_line);
		}
		cJSON_Delete(tags);
	}
done:
	if (!r->error)
		r->error = before_errors;
}

static void read_dependency(reader *r, tr_plan_file *pf, const cJSON *o,
			    tr_strmap *seen)
{
	static const char *const keys[] = {"address", "type", "fingerprint",
					   "resource", NULL};
	static const char *const res_keys[] = {"id", "arn", "attributes",
					       "tags", NULL};
	const tr_kind_spec *k;
	const char *address = NULL, *fp, *id = NULL, *arn = NULL;
	const cJSON *res, *attrs = NULL, *tags = NULL;
	tr_plan_dependency *d;
	int before_errors = r->error;
	size_t m;

	r->error = 0;
	if (!cJSON_IsObject(o)) {
		bad(r, "must be an object, not %s", type_name(o));
		goto done;
	}
	only_keys(r, o, keys);
	k = address_and_type(r, o, &address);
	fp = text(r, o, "fingerprint", false, 71);
	res = field(r, o, "resource", cJSON_Object, true);
	if (r->error || !k)
		goto done;
	if (strcmp(fp, TR_FINGERPRINT_ABSENT) == 0) {
		if (res) {
			bad(r, "an absent resource has no resource state");
			goto done;
		}
	} else if (!is_digest(fp)) {
		m = push_key(r, "fingerprint");
		bad(r, "must be \"absent\" or \"sha256:\" and 64 lowercase "
		       "hex digits");
		pop(r, m);
		goto done;
	} else if (!res) {
		m = push_key(r, "resource");
		bad(r, "missing: a fingerprint is the hash of the resource");
		pop(r, m);
		goto done;
	} else {
		char again[72];
		cJSON *doc;

		m = push_key(r, "resource");
		only_keys(r, res, res_keys);
		id = text(r, res, "id", true, TR_MAX_PATH_BYTES);
		arn = text(r, res, "arn", true, TR_MAX_PATH_BYTES);
		attrs = field(r, res, "attributes", cJSON_Object, false);
		tags = field(r, res, "tags", cJSON_Object, false);
		if (tags) {
			size_t m2 = push_key(r, "tags");
			check_tags(r, tags);
			pop(r, m2);
		}
		if (!r->error && depth_of(attrs, 0) > (int)TR_MAX_PLANFILE_DEPTH)
			bad(r, "nested deeper than %u levels",
			    TR_MAX_PLANFILE_DEPTH);
		pop(r, m);
		if (r->error)
			goto done;
		doc = fingerprint_doc(k->name, address, id, arn, attrs, tags);
		if (fingerprint_of(again, doc) < 0 || strcmp(again, fp) != 0) {
			m = push_key(r, "fingerprint");
			bad(r, "does not match the resource recorded with it: "
			       "the file was edited after `trellis plan --out` "
			       "wrote it");
			pop(r, m);
		}
		cJSON_Delete(doc);
		if (r->error)
			goto done;
	}
	if (tr_strmap_get(seen, address)) {
		m = push_key(r, "address");
		bad(r, "\"%s\" is recorded twice", address);
		pop(r, m);
		goto done;
	}
	pf->deps = tr_realloc(pf->deps, (pf->dep_count + 1) * sizeof(*pf->deps));
	d = &pf->deps[pf->dep_count++];
	memset(d, 0, sizeof(*d));
	d->address = tr_strdup(address);
	tr_strmap_put(seen, address, d->address);
	d->kind = k->kind;
	memcpy(d->fingerprint, fp, strlen(fp) + 1);
	if (res)
		d->resource = cJSON_Duplicate(res, true);
done:
	if (!r->error)
		r->error = before_errors;
}

/* Every dependency of every change is recorded, and every reference in a
 * desired state names a resource of the plan. */
static void cross_check(reader *r, tr_plan_file *pf, const cJSON *changes,
			tr_strmap *deps)
{
	size_t i = 0;
	const cJSON *o;

	cJSON_ArrayForEach(o, changes)
	{
		const cJSON *on = cJSON_GetObjectItemCaseSensitive(o,
								   "depends_on");
		const cJSON *p;
		size_t m = push_index(r, i++);

		cJSON_ArrayForEach(p, on)
		{
			if (cJSON_IsString(p) && !tr_strmap_get(deps,
								p->valuestring)) {
				size_t m2 = push_key(r, "depends_on");
				bad(r, "\"%s\" has no entry in observed[]",
				    p->valuestring);
				pop(r, m2);
			}
		}
		pop(r, m);
	}
	for (size_t c = 0; c < pf->plan.count; c++) {
		tr_buf at = TR_BUF_INIT(TR_MAX_PATH_BYTES);
		cJSON *refs = cJSON_CreateArray();
		tr_strmap seen;
		const cJSON *t;

		tr_strmap_init(&seen);
		collect_refs(refs, &seen, pf->plan.changes[c].after, 0);
		cJSON_ArrayForEach(t, refs)
		{
			if (!tr_model_find(&pf->desired, t->valuestring)) {
				tr_diag_add(r->diag, TR_SEV_ERROR,
					    "planfile.invalid", r->file, 0, 0,
					    NULL,
					    "change %s refers to %s, which the "
					    "plan does not declare",
					    pf->plan.changes[c].address,
					    t->valuestring);
				r->error = TR_EINVALID;
			}
		}
		cJSON_Delete(refs);
		tr_strmap_dispose(&seen);
		tr_buf_dispose(&at);
	}
}

static void check_summary(reader *r, const tr_plan_file *pf,
			  const cJSON *root)
{
	static const char *const keys[] = {"create", "update", "replace",
					   "delete", "no_op", "skipped_delete",
					   NULL};
	const tr_plan_summary *s = &pf->plan.summary;
	const size_t counts[] = {s->create, s->update, s->replace,
				 s->remove, s->no_op, s->skipped_deletes};
	const cJSON *o = field(r, root, "summary", cJSON_Object, false);
	size_t m;

	if (!o)
		return;
	m = push_key(r, "summary");
	only_keys(r, o, keys);
	for (size_t i = 0; keys[i]; i++) {
		int64_t n = 0;
		if (integer(r, o, keys[i], 0, INT64_C(1) << 40, &n) &&
		    (size_t)n != counts[i]) {
			size_t m2 = push_key(r, keys[i]);
			bad(r, "%lld, but changes[] holds %zu", (long long)n,
			    counts[i]);
			pop(r, m2);
		}
	}
	pop(r, m);
}

int tr_plan_file_read(tr_plan_file *out, const char *file, const char *data,
		      size_t len, tr_diag *diag)
{
	reader r = {file, diag, 0, TR_BUF_INIT(TR_MAX_PATH_BYTES * 2)};
	const char *stop = NULL;
	cJSON *root = NULL;
	const cJSON *changes, *observed, *o;
	tr_strmap addresses, deps;
	size_t i;

	tr_plan_file_init(out);
	tr_strmap_init(&addresses);
	tr_strmap_init(&deps);
	if (len > TR_MAX_PLANFILE_BYTES) {
		bad(&r, "the file is larger than %u bytes", TR_MAX_PLANFILE_BYTES);
		goto done;
	}
	root = cJSON_ParseWithLengthOpts(data, len, &stop, 0);
	if (!root || !cJSON_IsObject(root)) {
		uint32_t line = 1, col = 1;
		const char *at = root ? data : stop && stop >= data &&
						       stop <= data + len
						       ? stop
						       : data;

		for (const char *q = data; q < at; q++) {
			if (*q == '\n') {
				line++;
				col = 1;
			} else if (((unsigned char)*q & 0xc0) != 0x80) {
				col++;
			}
		}
		tr_diag_add(diag, TR_SEV_ERROR, "planfile.syntax", file, line,
			    col, NULL,
			    root ? "a plan file is a JSON object"
				 : "not valid JSON from here on (a plan file "
				   "is the JSON `trellis plan --out` writes)");
		r.error = TR_EINVALID;
		goto done;
	}
	for (; stop && stop < data + len; stop++)
		if (*stop != ' ' && *stop != '\n' && *stop != '\r' &&
		    *stop != '\t') {
			bad(&r, "text after the JSON document");
			goto done;
		}
	read_info(&r, out, root);
	if (r.error)
		goto done; /* a wrong format says so once, not per field */
	changes = field(&r, root, "changes", cJSON_Array, false);
	observed = field(&r, root, "observed", cJSON_Array, false);
	if (r.error)
		goto done;
	if ((size_t)cJSON_GetArraySize(changes) > TR_MAX_PLANFILE_CHANGES ||
	    (size_t)cJSON_GetArraySize(observed) > TR_MAX_PLANFILE_CHANGES) {
		bad(&r, "more than %u changes or observed resources",
		    TR_MAX_PLANFILE_CHANGES);
		goto done;
	}
	i = 0;
	cJSON_ArrayForEach(o, changes)
	{
		size_t m = push_key(&r, "changes");
		push_index(&r, i++);
		read_change(&r, out, o, &addresses);
		pop(&r, m);
	}
	i = 0;
	cJSON_ArrayForEach(o, observed)
	{
		size_t m = push_key(&r, "observed");
		push_index(&r, i++);
		read_dependency(&r, out, o, &deps);
		pop(&r, m);
	}
	if (r.error)
		goto done;
	{
		size_t m = push_key(&r, "changes");
		cross_check(&r, out, changes, &deps);
		pop(&r, m);
	}
	check_summary(&r, out, root);
	tr_model_sort(&out->desired);
done:
	cJSON_Delete(root);
	tr_strmap_dispose(&addresses);
	tr_strmap_dispose(&deps);
	tr_buf_dispose(&r.path);
	return r.error ? TR_EINVALID : 0;
}

/* --- staleness ----------------------------------------------------------- */

/* Names of the top-level keys whose values differ between two objects. */
static int differing_keys(tr_buf *out, const cJSON *a, const cJSON *b)
{
	const cJSON *item;
	int error = 0;
	size_t start = out->len;

	cJSON_ArrayForEach(item, a)
	{
		if (cJSON_Compare(item,
				  cJSON_GetObjectItemCaseSensitive(b, item->string),
				  true))
			continue;
		error = tr_buf_printf(out, "%s%s", out->len > start ? ", " : "",
				      item->string);
		if (error)
			return error;
	}
	cJSON_ArrayForEach(item, b)
	{
		if (cJSON_GetObjectItemCaseSensitive(a, item->string))
			continue;
		error = tr_buf_printf(out, "%s%s", out->len > start ? ", " : "",
				      item->string);
		if (error)
			return error;
	}
	return error;
}

/* How a present resource moved, in words. */
static int describe_change(tr_buf *out, const cJSON *was,
			   const tr_resource *now)
{
	const char *id = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(was, "id"));
	tr_buf attrs = TR_BUF_INIT(TR_MAX_LINE_BYTES);
	tr_buf tags = TR_BUF_INIT(TR_MAX_LINE_BYTES);
	int error;

	if (!tr_str_eq(id, now->id)) {
		error = tr_buf_printf(out, "replaced outside this plan (id %s, "
					   "now %s)",
				      id ? id : "none",
				      now->id ? now->id : "none");
		goto done;
	}
	error = differing_keys(&attrs, cJSON_GetObjectItemCaseSensitive(
					       was, "attributes"),
			       now->attrs);
	if (!error)
		error = differing_keys(&tags, cJSON_GetObjectItemCaseSensitive(
						      was, "tags"),
				       now->tags);
	if (!error)
		error = tr_buf_printf(
			out, "changed since the plan was made:%s%s%s%s%s",
			attrs.len ? " attributes " : "", tr_buf_cstr(&attrs),
			attrs.len && tags.len ? ";" : "",
			tags.len ? " tags " : "", tr_buf_cstr(&tags));
	if (!error && !attrs.len && !tags.len)
		error = tr_buf_puts(out, " its ARN");
done:
	tr_buf_dispose(&attrs);
	tr_buf_dispose(&tags);
	return error;
}

int tr_plan_file_check(const tr_plan_file *pf, tr_model *observed,
		       tr_diag *diag)
{
	int rc = 0;

	tr_model_sort(observed);
	for (size_t i = 0; i < pf->dep_count; i++) {
		const tr_plan_dependency *d = &pf->deps[i];
		const tr_resource *now = tr_model_find(observed, d->address);
		bool absent = strcmp(d->fingerprint, TR_FINGERPRINT_ABSENT) == 0;
		tr_buf how = TR_BUF_INIT(TR_MAX_LINE_BYTES);
		char fp[72];
		int error = 0;

		if (absent && !now)
			continue;
		if (absent) {
			error = tr_buf_printf(&how, "absent when the plan was "
						    "made, now exists (id %s)",
					      now->id ? now->id : "unknown");
		} else if (!now) {
			const char *id = cJSON_GetStringValue(
				cJSON_GetObjectItemCaseSensitive(d->resource,
								 "id"));
			error = tr_buf_printf(&how, "existed when the plan was "
						    "made (id %s), now gone",
					      id ? id : "unknown");
		} else {
			if (tr_plan_fingerprint(fp, now) < 0)
				error = TR_ERROR;
			else if (strcmp(fp, d->fingerprint) == 0) {
				tr_buf_dispose(&how);
				continue;
			} else
				error = describe_change(&how, d->resource, now);
		}
		tr_diag_add(diag, TR_SEV_ERROR, "plan.stale", NULL, 0, 0, NULL,
			    "%s: %s", d->address,
			    error ? "changed since the plan was made"
				  : tr_buf_cstr(&how));
		tr_buf_dispose(&how);
		rc = TR_ECONFLICT;
	}
	return rc;
}
