#include "apply/apply.h"

#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/str.h"
#include "util/strmap.h"

#define DEFAULT_WAIT_MS (10 * 60 * 1000)

typedef enum state {
	ST_PENDING = 0,
	ST_DONE,
	ST_FAILED,
	ST_SKIPPED
} state;

typedef struct known {
	char *address;
	char *id;
	char *arn;
	state st;
} known;

typedef struct executor {
	tr_aws_client *client;
	const tr_plan *plan;
	const tr_apply_options *opts;
	tr_diag *diag;
	tr_apply_result *res;
	known **ids;      /* owned entries, in learning order */
	size_t nids;
	size_t cap;
	tr_strmap by_address;
	bool dry_run_seen;
} executor;

/* --- time and progress ------------------------------------------------- */

static int64_t now_ms(const executor *x)
{
	struct timespec ts;

	if (x->opts->now_ms)
		return x->opts->now_ms(x->opts->ctx);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(const executor *x, int64_t ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

	if (x->opts->sleep_ms)
		x->opts->sleep_ms(x->opts->ctx, ms);
	else
		nanosleep(&ts, NULL);
}

static void progress(const executor *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void progress(const executor *x, const char *fmt, ...)
{
	tr_buf line = TR_BUF_INIT(TR_MAX_LINE_BYTES);
	va_list ap;

	if (!x->opts->progress)
		return;
	va_start(ap, fmt);
	if (tr_buf_vprintf(&line, fmt, ap) == 0)
		x->opts->progress(x->opts->ctx, line.ptr);
	va_end(ap);
	tr_buf_dispose(&line);
}

/* --- ids of resources, known and learnt -------------------------------- */

static known *find_known(executor *x, const char *address)
{
	return tr_strmap_get(&x->by_address, address);
}

static known *learn(executor *x, const char *address, const char *id,
		    const char *arn)
{
	known *k = find_known(x, address);

	if (!k) {
		x->ids = tr_grow(x->ids, &x->cap, x->nids + 1, sizeof(*x->ids));
		k = tr_calloc(1, sizeof(*k));
		x->ids[x->nids++] = k;
		k->address = tr_strdup(address);
		tr_strmap_put(&x->by_address, address, k);
	}
	tr_free(k->id);
	tr_free(k->arn);
	k->id = id ? tr_strdup(id) : NULL;
	k->arn = arn ? tr_strdup(arn) : NULL;
	return k;
}

static void mark(executor *x, const char *address, state st)
{
	known *k = find_known(x, address);

	if (!k)
		k = learn(x, address, NULL, NULL);
	k->st = st;
}

/* --- request bodies ---------------------------------------------------- */

/* Replaces every "ref:<address>" by that resource's id. Fails (naming the
 * address in *missing) when the id is not known: it was not created. */
static int resolve_refs(executor *x, cJSON *v, const char **missing)
{
	cJSON *child;
	const char *target = tr_model_ref_target(v);

	if (target) {
		known *k = find_known(x, target);
		if (!k || !k->id || k->st == ST_FAILED || k->st == ST_SKIPPED) {
			*missing = target;
			return TR_ENOTFOUND;
		}
		cJSON_SetValuestring(v, k->id);
		return 0;
	}
	cJSON_ArrayForEach(child, v)
	{
		int error = resolve_refs(x, child, missing);
		if (error)
			return error;
	}
	return 0;
}

static bool is_label(const tr_kind_spec *k, const char *field)
{
	for (const char *const *l = k->labels; *l; l++)
		if (strcmp(*l, field) == 0)
			return true;
	return false;
}

static const char *last_segment(const char *path)
{
	const char *dot = strrchr(path, '.');

	return dot ? dot + 1 : path;
}


/* The path labels of a request: the kind's label attributes (resolved),
 * then optionally the resource's own id. */
typedef struct labels {
	const char *v[4];
	size_t n;
	cJSON *holder; /* owns resolved values */
} labels;

static int build_labels(executor *x, labels *out, const tr_kind_spec *k,
			const cJSON *attrs, const char *own_id,
			const char **missing)
{
	out->n = 0;
	out->holder = cJSON_CreateArray();
	for (const char *const *l = k->labels; *l && out->n < 3; l++) {
		cJSON *v = cJSON_Duplicate(
			cJSON_GetObjectItemCaseSensitive(attrs, *l), true);
		int error;

		if (!v)
			return TR_EINVALID;
		cJSON_AddItemToArray(out->holder, v);
		if ((error = resolve_refs(x, v, missing)) < 0)
			return error;
		if (!cJSON_IsString(v))
			return TR_EINVALID;
		out->v[out->n++] = v->valuestring;
	}
	if (own_id)
		out->v[out->n++] = own_id;
	return 0;
}

/* A stable token for a create: owner, commit, address and the request
 * itself, so a retry or a re-run of the same commit sends the same token
 * (AWS returns the same resource, never a second one), while a different
 * request, a later commit re-creating a deleted resource, or the
 * replacement of a resource gets a new one. */
static void client_token(char out[65], const char *owner, const char *commit,
			 const char *address, const char *body,
			 const char *replaced_id)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	out[0] = '\0';
	if (!ctx)
		return;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, owner, strlen(owner) + 1) == 1 &&
	    EVP_DigestUpdate(ctx, commit, strlen(commit) + 1) == 1 &&
	    EVP_DigestUpdate(ctx, address, strlen(address) + 1) == 1 &&
	    EVP_DigestUpdate(ctx, body, strlen(body) + 1) == 1 &&
	    (!replaced_id ||
	     EVP_DigestUpdate(ctx, replaced_id, strlen(replaced_id)) == 1) &&
	    EVP_DigestFinal_ex(ctx, md, &len) == 1) {
		for (unsigned int i = 0; i < len && i < 32; i++)
			snprintf(out + 2 * i, 3, "%02x", md[i]);
	}
	EVP_MD_CTX_free(ctx);
}

/* --- calls ------------------------------------------------------------- */

/* Sends one call; reply body parsed into *reply (may be NULL). */
static int send(executor *x, const char *op, const labels *lb,
		const char *body, cJSON **reply, tr_aws_error *err)
{
	tr_aws_call call = {TR_AWS_LATTICE, op, lb ? lb->v : NULL,
			    lb ? lb->n : 0, NULL, 0, body,
			    body ? strlen(body) : 0};
	tr_aws_response resp;
	int error;

	tr_aws_response_init(&resp);
	error = tr_aws_client_call(&resp, x->client, &call, err);
	if (reply)
		*reply = error == 0 && resp.body.len
				 ? cJSON_ParseWithLength(resp.body.ptr,
							 resp.body.len)
				 : NULL;
	tr_aws_response_dispose(&resp);
	return error;
}

static void failed(executor *x, const tr_change *c, const char *what,
		   const tr_aws_error *err)
{
	tr_buf msg = TR_BUF_INIT(TR_MAX_LINE_BYTES);

	if (err && tr_aws_error_render(&msg, err) < 0)
		tr_buf_clear(&msg);
	tr_diag_add(x->diag, TR_SEV_ERROR, "apply.failed", c->source_file,
		    c->source_line, 0, NULL, "%s %s failed: %s", what,
		    c->address, err ? tr_buf_cstr(&msg) : "see above");
	progress(x, "%s %s: failed: %s", what, c->address,
		 err ? tr_buf_cstr(&msg) : "");
	tr_buf_dispose(&msg);
	x->res->failed++;
	mark(x, c->address, ST_FAILED);
}

static bool ends_with(const char *s, const char *suffix)
{
	return s && tr_str_has_suffix(s, suffix);
}

/* Polls the resource until its status leaves *_IN_PROGRESS (want_gone:
 * until it is not found). Back-off from 100 ms to 5 s. */
static int wait_for(executor *x, const tr_change *c, const labels *lb,
		    bool want_gone, tr_aws_error *err)
{
	const tr_kind_spec *k = tr_kind_get(c->kind);
	int64_t deadline = now_ms(x) + (x->opts->wait_timeout_ms
						? x->opts->wait_timeout_ms
						: DEFAULT_WAIT_MS);
	int64_t delay = 100;

	for (;;) {
		cJSON *reply = NULL;
		const char *status;
		int error;

		tr_aws_error_clear(err);
		error = send(x, k->get_op, lb, NULL, &reply, err);
		if (want_gone && error == TR_ENOTFOUND) {
			cJSON_Delete(reply);
			return 0;
		}
		if (error < 0) {
			cJSON_Delete(reply);
			return error;
		}
		status = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(reply, "status"));
		if (!want_gone && !ends_with(status, "_IN_PROGRESS")) {
			bool bad = ends_with(status, "FAILED");
			cJSON_Delete(reply);
			if (bad) {
				tr_aws_error_set_message(err, status,
							 strlen(status));
				err->kind = TR_AWS_ERR_SERVICE;
				return TR_ERROR;
			}
			return 0;
		}
		cJSON_Delete(reply);
		if (now_ms(x) > deadline) {
			static const char msg[] = "timed out waiting for AWS";
			tr_aws_error_set_message(err, msg, sizeof(msg) - 1);
			err->kind = TR_AWS_ERR_TRANSPORT;
			return TR_EIO;
		}
		sleep_ms(x, delay);
		delay = delay * 3 / 2 > 5000 ? 5000 : delay * 3 / 2;
	}
}

/* JSON body of the attributes for a create: everything but path labels and
 * values AWS computes, plus tags and the client token. */
static char *create_body(executor *x, const tr_change *c,
			 const tr_kind_spec *k, const char **missing,
			 char token_out[65], int *error)
{
	cJSON *body = cJSON_CreateObject();
	const cJSON *item;
	char *text = NULL, *unsigned_text;
	known *old = find_known(x, c->address);

	*error = 0;
	cJSON_ArrayForEach(item, c->after)
	{
		if (strcmp(item->string, "tags") == 0 ||
		    is_label(k, item->string) ||
		    tr_kind_field_mode(c->kind, item->string) ==
			    TR_FIELD_COMPUTED)
			continue;
		if (cJSON_IsArray(item) && !item->child)
			continue; /* Lattice lists have a minimum of one */
		cJSON_AddItemToObject(body, item->string,
				      cJSON_Duplicate(item, true));
	}
	if ((*error = resolve_refs(x, body, missing)) < 0)
		goto done;
	unsigned_text = cJSON_PrintUnformatted(body);
	client_token(token_out, x->opts->owner, x->plan->commit, c->address,
		     unsigned_text ? unsigned_text : "",
		     c->action == TR_ACTION_REPLACE && old ? c->id : NULL);
	cJSON_free(unsigned_text);
	cJSON_AddItemToObject(body, "tags",
			      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(
						      c->after, "tags"),
					      true));
	cJSON_AddStringToObject(body, "clientToken", token_out);
	text = cJSON_PrintUnformatted(body);
done:
	cJSON_Delete(body);
	return text;
}

static void do_create(executor *x, const tr_change *c)
{
	const tr_kind_spec *k = tr_kind_get(c->kind);
	const char *missing = NULL;
	labels lb = {{0}, 0, NULL};
	tr_aws_error err;
	char token[65];
	char *body = NULL;
	cJSON *reply = NULL;
	int64_t start = now_ms(x);
	int error;

	tr_aws_error_init(&err);
	error = build_labels(x, &lb, k, c->after, NULL, &missing);
	if (!error)
		body = create_body(x, c, k, &missing, token, &error);
	if (error) {
		progress(x, "create %s: skipped: %s has no id", c->address,
			 missing ? missing : "a parent");
		x->res->skipped++;
		mark(x, c->address, ST_SKIPPED);
		goto done;
	}
	progress(x, "create %s ...", c->address);
	error = send(x, k->create_op, &lb, body, &reply, &err);
	if (error == TR_EREFUSED) {
		/* dry-run: stand-in ids let dependants show their steps */
		tr_buf fake = TR_BUF_INIT(TR_MAX_PATH_BYTES);
		if (tr_buf_printf(&fake, "(%s)", c->address) == 0)
			learn(x, c->address, fake.ptr, fake.ptr);
		tr_buf_dispose(&fake);
		x->res->refused++;
		mark(x, c->address, ST_DONE);
		goto done;
	}
	if (error < 0) {
		failed(x, c, "create", &err);
		goto done;
	}
	learn(x, c->address,
	      cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(reply, "id")),
	      cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(reply, "arn")));
	if (ends_with(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
			      reply, "status")),
		      "_IN_PROGRESS")) {
		labels self = {{0}, 0, NULL};
		const char *m = NULL;
		known *kn = find_known(x, c->address);

		if (build_labels(x, &self, k, c->after, kn->id, &m) ==
			    0 &&
		    (error = wait_for(x, c, &self, false, &err)) < 0) {
			cJSON_Delete(self.holder);
			failed(x, c, "create", &err);
			goto done;
		}
		cJSON_Delete(self.holder);
	}
	x->res->done++;
	mark(x, c->address, ST_DONE);
	progress(x, "create %s: done (%s, %lld ms)", c->address,
		 find_known(x, c->address)->id
			 ? find_known(x, c->address)->id
			 : "no id",
		 (long long)(now_ms(x) - start));
done:
	cJSON_Delete(reply);
	cJSON_Delete(lb.holder);
	cJSON_free(body);
	tr_aws_error_dispose(&err);
}

static bool tags_differ(const tr_change *c)
{
	const cJSON *want = cJSON_GetObjectItemCaseSensitive(c->after, "tags");
	const cJSON *have = cJSON_GetObjectItemCaseSensitive(c->before, "tags");
	const cJSON *t;

	cJSON_ArrayForEach(t, want)
	{
		if (!cJSON_Compare(t, cJSON_GetObjectItemCaseSensitive(
					      have, t->string),
				   true))
			return true;
	}
	return false;
}

static void do_update(executor *x, const tr_change *c)
{
	const tr_kind_spec *k = tr_kind_get(c->kind);
	known *self = find_known(x, c->address);
	const char *missing = NULL;
	labels lb = {{0}, 0, NULL};
	tr_aws_error err;
	cJSON *body = cJSON_CreateObject();
	char *text = NULL;
	bool fields = false;
	int64_t start = now_ms(x);
	int error = 0;

	tr_aws_error_init(&err);
	/* The whole desired value of every mutable field that differs:
	 * sending it twice changes nothing. */
	for (const tr_field_spec *f = k->fields; f->name; f++) {
		const cJSON *want = tr_model_attr(c->after, f->name);
		const cJSON *have = tr_model_attr(c->before, f->name);

		if (f->mode != TR_FIELD_MUTABLE && f->mode != TR_FIELD_OPTIONAL)
			continue;
		if (!want || cJSON_Compare(want, have, true))
			continue;
		cJSON_AddItemToObject(body, last_segment(f->name),
				      cJSON_Duplicate(want, true));
		fields = true;
	}
	if (!self || !self->id ||
	    (error = build_labels(x, &lb, k, c->after, self->id, &missing)) < 0 ||
	    (error = resolve_refs(x, body, &missing)) < 0) {
		progress(x, "update %s: skipped: %s has no id", c->address,
			 missing ? missing : c->address);
		x->res->skipped++;
		mark(x, c->address, ST_SKIPPED);
		goto done;
	}
	progress(x, "update %s ...", c->address);
	if (fields && k->update_op) {
		text = cJSON_PrintUnformatted(body);
		error = send(x, k->update_op, &lb, text, NULL, &err);
		if (error == TR_EREFUSED)
			x->res->refused++;
		else if (error < 0) {
			failed(x, c, "update", &err);
			goto done;
		}
	}
	if (!c->tags_unknown && tags_differ(c) && self->arn) {
		labels arn = {{self->arn}, 1, NULL};
		cJSON *tags = cJSON_CreateObject();
		char *ttext;

		cJSON_AddItemToObject(tags, "tags",
				      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(
							      c->after, "tags"),
						      true));
		ttext = cJSON_PrintUnformatted(tags);
		tr_aws_error_clear(&err);
		error = send(x, "TagResource", &arn, ttext, NULL, &err);
		cJSON_free(ttext);
		cJSON_Delete(tags);
		if (error == TR_EREFUSED)
			x->res->refused++;
		else if (error < 0) {
			failed(x, c, "tag", &err);
			goto done;
		}
	}
	x->res->done++;
	mark(x, c->address, ST_DONE);
	progress(x, "update %s: done (%lld ms)", c->address,
		 (long long)(now_ms(x) - start));
done:
	cJSON_free(text);
	cJSON_Delete(body);
	cJSON_Delete(lb.holder);
	tr_aws_error_dispose(&err);
}

/* Deletes the existing resource of a change (a deletion, or the old half
 * of a replacement) and waits until it is gone. */
static void do_delete(executor *x, const tr_change *c)
{
	const tr_kind_spec *k = tr_kind_get(c->kind);
	known *self = find_known(x, c->address);
	const char *missing = NULL;
	labels lb = {{0}, 0, NULL};
	tr_aws_error err;
	int64_t start = now_ms(x);
	int error;

	tr_aws_error_init(&err);
	if (!self || !self->id ||
	    build_labels(x, &lb, k, c->before, self->id, &missing) < 0) {
		progress(x, "delete %s: skipped: %s has no id", c->address,
			 missing ? missing : c->address);
		x->res->skipped++;
		mark(x, c->address, ST_SKIPPED);
		goto done;
	}
	progress(x, "delete %s ...", c->address);
	error = send(x, k->delete_op, &lb, NULL, NULL, &err);
	if (error == TR_EREFUSED) {
		x->res->refused++;
		goto done;
	}
	if (error == TR_ENOTFOUND)
		error = 0; /* already gone: the goal is reached */
	else if (error == 0)
		error = wait_for(x, c, &lb, true, &err);
	if (error < 0) {
		failed(x, c, "delete", &err);
		goto done;
	}
	if (c->action == TR_ACTION_DELETE) {
		x->res->done++;
		mark(x, c->address, ST_DONE);
	}
	progress(x, "delete %s: done (%lld ms)", c->address,
		 (long long)(now_ms(x) - start));
done:
	cJSON_Delete(lb.holder);
	tr_aws_error_dispose(&err);
}

int tr_apply(tr_apply_result *out, tr_aws_client *client, const tr_plan *plan,
	     const tr_model *observed, const tr_apply_options *opts,
	     tr_diag *diag)
{
	executor x;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&x, 0, sizeof(x));
	x.client = client;
	x.plan = plan;
	x.opts = opts;
	x.diag = diag;
	x.res = out;
	for (size_t i = 0; i < observed->count; i++) {
		const tr_resource *r = &observed->resources[i];
		known *k = learn(&x, r->address, r->id, r->arn);
		k->st = ST_DONE;
	}
	/* Phase 1: deletions, children first (reverse kind order). */
	for (int kind = TR_KIND_COUNT - 1; kind >= 0; kind--)
		for (size_t i = 0; i < plan->count; i++) {
			const tr_change *c = &plan->changes[i];
			if ((int)c->kind == kind &&
			    (c->action == TR_ACTION_DELETE ||
			     c->action == TR_ACTION_REPLACE))
				do_delete(&x, c);
		}
	/* Phase 2: creations and updates, parents first. */
	for (int kind = 0; kind < TR_KIND_COUNT; kind++)
		for (size_t i = 0; i < plan->count; i++) {
			const tr_change *c = &plan->changes[i];
			if ((int)c->kind != kind)
				continue;
			if (c->action == TR_ACTION_CREATE ||
			    c->action == TR_ACTION_REPLACE) {
				known *k = find_known(&x, c->address);
				if (k && c->action == TR_ACTION_REPLACE) {
					tr_free(k->id);
					k->id = NULL;
				}
				do_create(&x, c);
			} else if (c->action == TR_ACTION_UPDATE) {
				do_update(&x, c);
			}
		}
	rc = out->failed || out->skipped ? TR_ERROR : 0;
	for (size_t i = 0; i < x.nids; i++) {
		tr_free(x.ids[i]->address);
		tr_free(x.ids[i]->id);
		tr_free(x.ids[i]->arn);
		tr_free(x.ids[i]);
	}
	tr_free(x.ids);
	tr_strmap_dispose(&x.by_address);
	return rc;
}
