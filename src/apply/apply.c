#include "apply/apply.h"

#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/xml.h"
#include "model/dns.h"
#include "policy/model.h"
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
	char *dns;        /* a service's generated DNS name (CNAME values) */
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
	int64_t t0;       /* when the apply began */
	size_t cur;       /* the step under way, when cur_open */
	bool cur_open;
	bool cur_held;    /* a request of it was kept in by dry-run */
	char *missing;    /* the last unresolved reference: request bodies
			   * are freed before the skip is reported */
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

/* --- steps: one per call sequence, reported as it starts and ends ------- */

static size_t new_step(executor *x, const tr_change *c, const char *verb)
{
	tr_apply_result *res = x->res;
	tr_apply_step *st;

	res->steps = tr_grow(res->steps, &res->step_cap, res->step_count + 1,
			     sizeof(*res->steps));
	st = &res->steps[res->step_count];
	memset(st, 0, sizeof(*st));
	st->change = c;
	st->verb = verb;
	st->status = TR_STEP_STARTED;
	st->start_ms = now_ms(x) - x->t0;
	return res->step_count++;
}

static void step_end(executor *x, tr_step_status status, const char *detail);

/* Opens the step of a change; step_end closes it. */
static void step_begin(executor *x, const tr_change *c, const char *verb)
{
	if (x->cur_open)
		step_end(x, x->cur_held ? TR_STEP_NOT_SENT : TR_STEP_DONE, NULL);
	x->cur = new_step(x, c, verb);
	x->cur_open = true;
	x->cur_held = false;
	progress(x, "%s %s ...", verb, c->address);
	if (x->opts->event)
		x->opts->event(x->opts->ctx, &x->res->steps[x->cur]);
}

static void end_step(executor *x, size_t i, tr_step_status status,
		     const char *detail)
{
	tr_apply_step *st = &x->res->steps[i];
	const char *verb = st->verb, *address = st->change->address;

	st->status = status;
	st->duration_ms = now_ms(x) - x->t0 - st->start_ms;
	tr_free(st->detail);
	st->detail = detail ? tr_strdup(detail) : NULL;
	switch (status) {
	case TR_STEP_DONE:
		progress(x, "%s %s: done (%s%s%lld ms)", verb, address,
			 detail ? detail : "", detail ? ", " : "",
			 (long long)st->duration_ms);
		break;
	case TR_STEP_FAILED:
		progress(x, "%s %s: failed: %s", verb, address,
			 detail ? detail : "");
		break;
	case TR_STEP_SKIPPED:
		progress(x, "%s %s: skipped: %s", verb, address,
			 detail ? detail : "");
		break;
	case TR_STEP_NOT_SENT:
		progress(x, "%s %s: not sent (dry-run)", verb, address);
		break;
	default:
		break;
	}
	if (x->opts->event)
		x->opts->event(x->opts->ctx, st);
}

/* Closes the step under way (no-op when none is). */
static void step_end(executor *x, tr_step_status status, const char *detail)
{
	if (!x->cur_open)
		return;
	x->cur_open = false;
	end_step(x, x->cur, status, detail);
}

/* A step that is not tried: `why` says what it lacks. */
static void step_skip(executor *x, const tr_change *c, const char *verb,
		      const char *why)
{
	end_step(x, new_step(x, c, verb), TR_STEP_SKIPPED, why);
}

/* A step left open by an early exit ends as what happened so far. */
static void step_close(executor *x)
{
	step_end(x, x->cur_held ? TR_STEP_NOT_SENT : TR_STEP_DONE, NULL);
}

const char *tr_step_status_name(tr_step_status status)
{
	switch (status) {
	case TR_STEP_STARTED: return "started";
	case TR_STEP_DONE: return "done";
	case TR_STEP_FAILED: return "failed";
	case TR_STEP_SKIPPED: return "skipped";
	case TR_STEP_NOT_SENT: return "not-sent";
	}
	return "?";
}

void tr_apply_result_dispose(tr_apply_result *res)
{
	for (size_t i = 0; i < res->step_count; i++)
		tr_free(res->steps[i].detail);
	tr_free(res->steps);
	memset(res, 0, sizeof(*res));
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

/* A service's DNS name, for the CNAMEs that point at it. */
static void learn_dns(executor *x, const char *address, const cJSON *name)
{
	known *k = find_known(x, address);

	if (!k)
		return;
	tr_free(k->dns);
	k->dns = cJSON_IsString(name) ? tr_strdup(name->valuestring) : NULL;
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
			tr_free(x->missing);
			x->missing = tr_strdup(target);
			*missing = x->missing;
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

static void skip_missing(executor *x, const tr_change *c, const char *verb,
			 const char *missing)
{
	tr_buf why = TR_BUF_INIT(TR_MAX_LINE_BYTES);

	if (tr_buf_printf(&why, "%s has no id", missing) < 0)
		tr_buf_clear(&why);
	step_skip(x, c, verb, tr_buf_cstr(&why));
	tr_buf_dispose(&why);
}

/* The change failed: the step under way (or a new one) says so. */
static void failed(executor *x, const tr_change *c, const char *what,
		   const tr_aws_error *err)
{
	tr_buf msg = TR_BUF_INIT(TR_MAX_LINE_BYTES);

	if (err && tr_aws_error_render(&msg, err) < 0)
		tr_buf_clear(&msg);
	tr_diag_add(x->diag, TR_SEV_ERROR, "apply.failed", c->source_file,
		    c->source_line, 0, NULL, "%s %s failed: %s", what,
		    c->address, err ? tr_buf_cstr(&msg) : "see above");
	if (!x->cur_open) {
		x->cur = new_step(x, c, what);
		x->cur_open = true;
	}
	step_end(x, TR_STEP_FAILED, err ? tr_buf_cstr(&msg) : NULL);
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
	int error;

	tr_aws_error_init(&err);
	error = build_labels(x, &lb, k, c->after, NULL, &missing);
	if (!error)
		body = create_body(x, c, k, &missing, token, &error);
	if (error) {
		skip_missing(x, c, "create", missing ? missing : "a parent");
		x->res->skipped++;
		mark(x, c->address, ST_SKIPPED);
		goto done;
	}
	step_begin(x, c, "create");
	error = send(x, k->create_op, &lb, body, &reply, &err);
	if (error == TR_EREFUSED) {
		/* dry-run: stand-in ids let dependants show their steps */
		tr_buf fake = TR_BUF_INIT(TR_MAX_PATH_BYTES);
		if (tr_buf_printf(&fake, "(%s)", c->address) == 0) {
			cJSON *name = cJSON_CreateString(fake.ptr);
			learn(x, c->address, fake.ptr, fake.ptr);
			learn_dns(x, c->address, name);
			cJSON_Delete(name);
		}
		tr_buf_dispose(&fake);
		x->res->refused++;
		mark(x, c->address, ST_DONE);
		step_end(x, TR_STEP_NOT_SENT, NULL);
		goto done;
	}
	if (error < 0) {
		failed(x, c, "create", &err);
		goto done;
	}
	/* Without an id nothing can hang on it, and "done" would be a lie.
	 * If AWS did create it, the next run finds it by its client token. */
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(reply, "id"))) {
		static const char why[] = "the reply is not JSON with an \"id\"";
		err.kind = TR_AWS_ERR_CLIENT;
		err.rc = TR_EINVALID;
		err.service = "vpc-lattice";
		err.operation = k->create_op;
		tr_aws_error_set_message(&err, why, sizeof(why) - 1);
		failed(x, c, "create", &err);
		goto done;
	}
	learn(x, c->address,
	      cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(reply, "id")),
	      cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(reply, "arn")));
	learn_dns(x, c->address, tr_model_attr(reply, "dnsEntry.domainName"));
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
	step_end(x, TR_STEP_DONE,
		 find_known(x, c->address)->id ? find_known(x, c->address)->id
					       : "no id");
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
	bool fields = false, held = false;
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
		skip_missing(x, c, "update", missing ? missing : c->address);
		x->res->skipped++;
		mark(x, c->address, ST_SKIPPED);
		goto done;
	}
	step_begin(x, c, "update");
	if (fields && k->update_op) {
		text = cJSON_PrintUnformatted(body);
		error = send(x, k->update_op, &lb, text, NULL, &err);
		if (error == TR_EREFUSED) {
			x->res->refused++;
			held = true;
		} else if (error < 0) {
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
		if (error == TR_EREFUSED) {
			x->res->refused++;
			held = true;
		} else if (error < 0) {
			failed(x, c, "tag", &err);
			goto done;
		}
	}
	x->res->done++;
	mark(x, c->address, ST_DONE);
	step_end(x, held ? TR_STEP_NOT_SENT : TR_STEP_DONE, NULL);
done:
	cJSON_free(text);
	cJSON_Delete(body);
	cJSON_Delete(lb.holder);
	tr_aws_error_dispose(&err);
}

/* --- rule priorities ----------------------------------------------------
 * Rules of one listener that change priority are updated in one
 * BatchUpdateRule: AWS checks priorities against the state after the whole
 * batch, so two rules can swap priorities, which one UpdateRule after the
 * other cannot (the first would collide with the second). */

static bool priority_moves(const tr_change *c)
{
	return !cJSON_Compare(tr_model_attr(c->after, "priority"),
			      tr_model_attr(c->before, "priority"), true);
}

static const char *listener_of(const tr_change *c)
{
	return tr_model_ref_target(tr_model_attr(c->after, "listenerIdentifier"));
}

/* The fields of one rule in the batch, refs resolved; NULL when it cannot
 * be sent (*missing names what has no id). */
static cJSON *rule_entry(executor *x, const tr_change *c, const char **missing)
{
	const tr_kind_spec *k = tr_kind_get(c->kind);
	known *self = find_known(x, c->address);
	cJSON *o;

	if (!self || !self->id) {
		*missing = c->address;
		return NULL;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "ruleIdentifier", self->id);
	for (const tr_field_spec *f = k->fields; f->name; f++) {
		const cJSON *want = tr_model_attr(c->after, f->name);

		if ((f->mode != TR_FIELD_MUTABLE && f->mode != TR_FIELD_OPTIONAL) ||
		    !want || cJSON_Compare(want, tr_model_attr(c->before, f->name),
					   true))
			continue;
		cJSON_AddItemToObject(o, last_segment(f->name),
				      cJSON_Duplicate(want, true));
	}
	if (resolve_refs(x, o, missing) < 0) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static void do_rule_batch(executor *x, const tr_change **cs, size_t n)
{
	const tr_kind_spec *k = tr_kind_get(TR_KIND_RULE);
	size_t *steps = tr_calloc(n, sizeof(*steps));
	cJSON *body = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(body, "rules");
	cJSON *reply = NULL;
	const cJSON *bad;
	labels lb = {{0}, 0, NULL};
	const char *missing = NULL;
	char *text = NULL;
	tr_aws_error err;
	int error;

	tr_aws_error_init(&err);
	for (size_t i = 0; i < n; i++) {
		cJSON *e = rule_entry(x, cs[i], &missing);
		if (!e)
			break;
		cJSON_AddItemToArray(list, e);
	}
	if (missing || build_labels(x, &lb, k, cs[0]->after, NULL, &missing) < 0) {
		for (size_t i = 0; i < n; i++) {
			skip_missing(x, cs[i], "update",
				     missing ? missing : cs[i]->address);
			x->res->skipped++;
			mark(x, cs[i]->address, ST_SKIPPED);
		}
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		steps[i] = new_step(x, cs[i], "update");
		progress(x, "update %s ... (priorities of %zu rules in one "
			    "BatchUpdateRule)", cs[i]->address, n);
		if (x->opts->event)
			x->opts->event(x->opts->ctx, &x->res->steps[steps[i]]);
	}
	text = cJSON_PrintUnformatted(body);
	error = send(x, "BatchUpdateRule", &lb, text, &reply, &err);
	if (error == TR_EREFUSED) {
		x->res->refused++;
		for (size_t i = 0; i < n; i++) {
			x->res->done++;
			mark(x, cs[i]->address, ST_DONE);
			end_step(x, steps[i], TR_STEP_NOT_SENT, NULL);
		}
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		const char *id = find_known(x, cs[i]->address)->id;
		const char *why = NULL;

		if (error < 0) {
			x->cur = steps[i];
			x->cur_open = true;
			failed(x, cs[i], "update", &err);
			continue;
		}
		cJSON_ArrayForEach(bad, cJSON_GetObjectItemCaseSensitive(
						reply, "unsuccessful"))
		{
			if (tr_str_eq(cJSON_GetStringValue(
					      cJSON_GetObjectItemCaseSensitive(
						      bad, "ruleIdentifier")),
				      id))
				why = cJSON_GetStringValue(
					cJSON_GetObjectItemCaseSensitive(
						bad, "failureMessage"));
		}
		if (why) {
			tr_diag_add(x->diag, TR_SEV_ERROR, "apply.failed",
				    cs[i]->source_file, cs[i]->source_line, 0,
				    NULL, "update %s failed: %s",
				    cs[i]->address, why ? why : "no reply");
			x->res->failed++;
			mark(x, cs[i]->address, ST_FAILED);
			end_step(x, steps[i], TR_STEP_FAILED, why);
			continue;
		}
		x->res->done++;
		mark(x, cs[i]->address, ST_DONE);
		end_step(x, steps[i], TR_STEP_DONE, NULL);
	}
done:
	cJSON_free(text);
	cJSON_Delete(reply);
	cJSON_Delete(body);
	cJSON_Delete(lb.holder);
	tr_free(steps);
	tr_aws_error_dispose(&err);
}

/* Batches the rule updates of each listener where a priority moves and
 * more than one rule changes; marks them in `handled`. */
static void batch_rule_updates(executor *x, const tr_plan *plan,
			       bool *handled)
{
	const tr_change **group = tr_calloc(plan->count + 1, sizeof(*group));

	for (size_t i = 0; i < plan->count; i++) {
		const tr_change *c = &plan->changes[i];
		const char *listener = listener_of(c);
		size_t n = 0;
		bool moves = false;

		if (handled[i] || c->kind != TR_KIND_RULE ||
		    c->action != TR_ACTION_UPDATE || !listener)
			continue;
		for (size_t j = i; j < plan->count; j++) {
			const tr_change *d = &plan->changes[j];
			if (!handled[j] && d->kind == TR_KIND_RULE &&
			    d->action == TR_ACTION_UPDATE &&
			    tr_str_eq(listener_of(d), listener)) {
				group[n++] = d;
				moves |= priority_moves(d);
			}
		}
		if (n < 2 || !moves)
			continue;
		for (size_t j = i; j < plan->count; j++)
			for (size_t g = 0; g < n; g++)
				if (&plan->changes[j] == group[g])
					handled[j] = true;
		do_rule_batch(x, group, n);
	}
	tr_free(group);
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
	int error;

	tr_aws_error_init(&err);
	if (!self || !self->id ||
	    build_labels(x, &lb, k, c->before, self->id, &missing) < 0) {
		skip_missing(x, c, "delete", missing ? missing : c->address);
		x->res->skipped++;
		mark(x, c->address, ST_SKIPPED);
		goto done;
	}
	step_begin(x, c, "delete");
	error = send(x, k->delete_op, &lb, NULL, NULL, &err);
	if (error == TR_EREFUSED) {
		x->res->refused++;
		step_end(x, TR_STEP_NOT_SENT, NULL);
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
	step_end(x, TR_STEP_DONE, NULL);
done:
	cJSON_Delete(lb.holder);
	tr_aws_error_dispose(&err);
}

/* --- IAM roles and auth policies --------------------------------------- */

static const char *known_arn(void *ctx, const char *address)
{
	known *k = find_known(ctx, address);

	if (!k || k->st == ST_FAILED || k->st == ST_SKIPPED)
		return NULL;
	return k->arn;
}

static void skip(executor *x, const tr_change *c, const char *what,
		 const char *why)
{
	step_skip(x, c, what, why);
	x->res->skipped++;
	mark(x, c->address, ST_SKIPPED);
}

/* The desired attributes with every policy reference filled in from the
 * ARNs known now (what this run created included); NULL, after skipping
 * the change, when one is still unknown. */
static cJSON *filled_after(executor *x, const tr_change *c, const char *what)
{
	cJSON *a = cJSON_Duplicate(c->after, true);
	tr_policy_fill_result res;
	int rc = tr_policy_fill(a, known_arn, x, NULL, &res);

	if (rc < 0 || res.after_apply) {
		tr_buf why = TR_BUF_INIT(TR_MAX_LINE_BYTES);
		if (tr_buf_printf(&why, "%s",
				  rc == TR_ENOTFOUND ? res.unresolved
				  : rc < 0 ? "a policy is not JSON"
					   : "a resource its policy names has "
					     "no ARN") < 0)
			tr_buf_clear(&why);
		if (rc == TR_ENOTFOUND && tr_buf_puts(&why, " cannot be "
							    "resolved") < 0)
			tr_buf_clear(&why);
		skip(x, c, what, tr_buf_cstr(&why));
		tr_buf_dispose(&why);
		cJSON_Delete(a);
		return NULL;
	}
	return a;
}

/* The text sent for a policy value (tr_free). */
static char *policy_text(const cJSON *v)
{
	char *printed, *copy;

	if (cJSON_IsString(v))
		return tr_strdup(v->valuestring);
	printed = cJSON_PrintUnformatted(v);
	copy = tr_strdup(printed ? printed : "");
	cJSON_free(printed);
	return copy;
}

/* Outcome of one write: 1 refused by dry-run, 0 sent, <0 failed (the
 * change is marked failed). */
static int wrote(executor *x, const tr_change *c, const char *what,
		 int error, const tr_aws_error *err)
{
	if (error == TR_EREFUSED) {
		x->res->refused++;
		x->cur_held = true;
		return 1;
	}
	if (error < 0) {
		failed(x, c, what, err);
		return error;
	}
	return 0;
}

static void do_auth_policy(executor *x, const tr_change *c, bool remove)
{
	const tr_kind_spec *k = tr_kind_get(c->kind);
	const char *what = remove ? "delete" : "put";
	const char *missing = NULL;
	labels lb = {{0}, 0, NULL};
	cJSON *after = NULL, *body = NULL;
	char *text = NULL;
	tr_aws_error err;
	int error;

	tr_aws_error_init(&err);
	if (build_labels(x, &lb, k, remove ? c->before : c->after, NULL,
			 &missing) < 0) {
		skip(x, c, what, "its service network or service has no id");
		goto done;
	}
	if (!remove) {
		if (!(after = filled_after(x, c, what)))
			goto done;
		char *p = policy_text(
			cJSON_GetObjectItemCaseSensitive(after, "policy"));

		body = cJSON_CreateObject();
		cJSON_AddStringToObject(body, "policy", p);
		tr_free(p);
		text = cJSON_PrintUnformatted(body);
	}
	step_begin(x, c, what);
	error = send(x, remove ? k->delete_op : k->create_op, &lb, text, NULL,
		     &err);
	if (remove && error == TR_ENOTFOUND)
		error = 0; /* already gone with its target */
	if (wrote(x, c, what, error, &err) != 0)
		goto done;
	if (!remove || c->action == TR_ACTION_DELETE) {
		learn(x, c->address, lb.v[0], NULL);
		x->res->done++;
		mark(x, c->address, ST_DONE);
	}
	step_end(x, TR_STEP_DONE, NULL);
done:
	cJSON_free(text);
	cJSON_Delete(body);
	cJSON_Delete(after);
	cJSON_Delete(lb.holder);
	tr_aws_error_dispose(&err);
}

/* One IAM call; the reply's XML in *reply when asked for. */
static int send_iam(executor *x, const char *op, const tr_aws_param *params,
		    size_t n, xmlDoc **reply, tr_aws_error *err)
{
	tr_aws_call call = {TR_AWS_IAM, op, NULL, 0, params, n, NULL, 0};
	tr_aws_response resp;
	int error;

	tr_aws_response_init(&resp);
	tr_aws_error_clear(err);
	error = tr_aws_client_call(&resp, x->client, &call, err);
	if (reply) {
		*reply = NULL;
		if (error == 0 &&
		    tr_aws_xml_parse(reply, resp.body.ptr, resp.body.len) < 0)
			*reply = NULL;
	}
	tr_aws_response_dispose(&resp);
	return error;
}

/* Parameters of a query call, their strings owned by `hold`. */
typedef struct qparams {
	tr_aws_param v[2 * 64 + 8];
	size_t n;
	cJSON *hold;
} qparams;

static void qp_add(qparams *q, const char *name, const char *value)
{
	cJSON *n, *v;

	if (q->n >= sizeof(q->v) / sizeof(q->v[0]) || !value)
		return;
	if (!q->hold)
		q->hold = cJSON_CreateArray();
	n = cJSON_CreateString(name);
	v = cJSON_CreateString(value);
	cJSON_AddItemToArray(q->hold, n);
	cJSON_AddItemToArray(q->hold, v);
	q->v[q->n++] = (tr_aws_param){n->valuestring, v->valuestring};
}

static void qp_addf(qparams *q, const char *value, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void qp_addf(qparams *q, const char *value, const char *fmt, ...)
{
	char name[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	qp_add(q, name, value);
}

static void qp_number(qparams *q, const char *name, const cJSON *v)
{
	char num[32];

	if (!cJSON_IsNumber(v))
		return;
	snprintf(num, sizeof(num), "%lld", (long long)v->valuedouble);
	qp_add(q, name, num);
}

static void qp_reset(qparams *q)
{
	cJSON_Delete(q->hold);
	q->hold = NULL;
	q->n = 0;
}

/* Tags the desired attributes declare, as Tags.member.N. */
static void qp_tags(qparams *q, const cJSON *after, const char *prefix)
{
	const cJSON *t;
	size_t i = 1;

	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(after, "tags"))
	{
		qp_addf(q, t->string, "%s.member.%zu.Key", prefix, i);
		qp_addf(q, cJSON_GetStringValue(t), "%s.member.%zu.Value",
			prefix, i);
		i++;
	}
}

static int put_inline(executor *x, const tr_change *c, const char *role,
		      const cJSON *pol, tr_aws_error *err)
{
	qparams q = {0};
	char *text = policy_text(pol);
	int error;

	qp_add(&q, "RoleName", role);
	qp_add(&q, "PolicyName", pol->string);
	qp_add(&q, "PolicyDocument", text);
	progress(x, "put %s inline policy %s ...", c->address, pol->string);
	error = send_iam(x, "PutRolePolicy", q.v, q.n, NULL, err);
	tr_free(text);
	qp_reset(&q);
	return error;
}

static int delete_inline(executor *x, const tr_change *c, const char *role,
			 const char *name, tr_aws_error *err)
{
	qparams q = {0};
	int error;

	qp_add(&q, "RoleName", role);
	qp_add(&q, "PolicyName", name);
	progress(x, "delete %s inline policy %s ...", c->address, name);
	error = send_iam(x, "DeleteRolePolicy", q.v, q.n, NULL, err);
	qp_reset(&q);
	return error == TR_ENOTFOUND ? 0 : error;
}

static bool differs(const cJSON *after, const cJSON *before, const char *key)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(after, key);

	return a && !cJSON_Compare(a, cJSON_GetObjectItemCaseSensitive(before,
								       key),
				   true);
}

static void role_delete(executor *x, const tr_change *c)
{
	const char *role = c->id ? c->id : c->name;
	const cJSON *pol;
	tr_aws_error err;
	qparams q = {0};
	int error = 0, w = 0;

	tr_aws_error_init(&err);
	step_begin(x, c, "delete");
	/* IAM refuses to delete a role that still has inline policies. */
	cJSON_ArrayForEach(pol, cJSON_GetObjectItemCaseSensitive(
					c->before, "inlinePolicies"))
	{
		error = delete_inline(x, c, role, pol->string, &err);
		if ((w = wrote(x, c, "delete", error, &err)) < 0)
			goto done;
	}
	qp_add(&q, "RoleName", role);
	error = send_iam(x, "DeleteRole", q.v, q.n, NULL, &err);
	if (error == TR_ENOTFOUND)
		error = 0;
	if ((w = wrote(x, c, "delete", error, &err)) != 0)
		goto done;
	if (c->action == TR_ACTION_DELETE) {
		x->res->done++;
		mark(x, c->address, ST_DONE);
	}
	step_end(x, TR_STEP_DONE, NULL);
done:
	qp_reset(&q);
	tr_aws_error_dispose(&err);
}

static void role_create(executor *x, const tr_change *c)
{
	const char *role = c->name;
	cJSON *after = filled_after(x, c, "create");
	const cJSON *pol;
	xmlDoc *reply = NULL;
	char *trust = NULL, *arn = NULL;
	tr_aws_error err;
	qparams q = {0};
	int error;

	tr_aws_error_init(&err);
	if (!after)
		goto done;
	trust = policy_text(cJSON_GetObjectItemCaseSensitive(
		after, "assumeRolePolicyDocument"));
	qp_add(&q, "RoleName", role);
	qp_add(&q, "AssumeRolePolicyDocument", trust);
	qp_add(&q, "Description",
	       cJSON_GetStringValue(
		       cJSON_GetObjectItemCaseSensitive(after, "description")));
	qp_number(&q, "MaxSessionDuration",
		  cJSON_GetObjectItemCaseSensitive(after, "maxSessionDuration"));
	qp_tags(&q, after, "Tags");
	step_begin(x, c, "create");
	error = send_iam(x, "CreateRole", q.v, q.n, &reply, &err);
	if (error == TR_EREFUSED) {
		tr_buf fake = TR_BUF_INIT(TR_MAX_PATH_BYTES);
		if (tr_buf_printf(&fake, "(%s)", c->address) == 0)
			learn(x, c->address, role, fake.ptr);
		tr_buf_dispose(&fake);
		x->res->refused++;
		x->cur_held = true;
	} else if (error < 0) {
		failed(x, c, "create", &err);
		goto done;
	} else {
		arn = reply ? tr_aws_xml_text_dup(xmlDocGetRootElement(reply),
						  "CreateRoleResult/Role/Arn")
			    : NULL;
		learn(x, c->address, role, arn);
	}
	cJSON_ArrayForEach(pol,
			   cJSON_GetObjectItemCaseSensitive(after, "inlinePolicies"))
	{
		error = put_inline(x, c, role, pol, &err);
		if (wrote(x, c, "create", error, &err) < 0)
			goto done;
	}
	x->res->done++;
	mark(x, c->address, ST_DONE);
	step_end(x, x->cur_held ? TR_STEP_NOT_SENT : TR_STEP_DONE,
		 x->cur_held ? NULL : arn ? arn : role);
done:
	tr_free(arn);
	tr_free(trust);
	xmlFreeDoc(reply);
	qp_reset(&q);
	cJSON_Delete(after);
	tr_aws_error_dispose(&err);
}

static void role_update(executor *x, const tr_change *c)
{
	const char *role = c->id ? c->id : c->name;
	cJSON *after = filled_after(x, c, "update");
	const cJSON *pol, *have, *key;
	tr_aws_error err;
	qparams q = {0};
	char *text = NULL;
	int error = 0;

	tr_aws_error_init(&err);
	if (!after)
		goto done;
	step_begin(x, c, "update");
	if (differs(after, c->before, "assumeRolePolicyDocument")) {
		text = policy_text(cJSON_GetObjectItemCaseSensitive(
			after, "assumeRolePolicyDocument"));
		qp_add(&q, "RoleName", role);
		qp_add(&q, "PolicyDocument", text);
		error = send_iam(x, "UpdateAssumeRolePolicy", q.v, q.n, NULL,
				 &err);
		qp_reset(&q);
		if (wrote(x, c, "update", error, &err) < 0)
			goto done;
	}
	if (differs(after, c->before, "description") ||
	    differs(after, c->before, "maxSessionDuration")) {
		qp_add(&q, "RoleName", role);
		qp_add(&q, "Description",
		       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
			       after, "description")));
		qp_number(&q, "MaxSessionDuration",
			  cJSON_GetObjectItemCaseSensitive(
				  after, "maxSessionDuration"));
		error = send_iam(x, "UpdateRole", q.v, q.n, NULL, &err);
		qp_reset(&q);
		if (wrote(x, c, "update", error, &err) < 0)
			goto done;
	}
	have = cJSON_GetObjectItemCaseSensitive(c->before, "inlinePolicies");
	cJSON_ArrayForEach(pol,
			   cJSON_GetObjectItemCaseSensitive(after, "inlinePolicies"))
	{
		if (cJSON_Compare(pol,
				  cJSON_GetObjectItemCaseSensitive(have,
								   pol->string),
				  true))
			continue;
		error = put_inline(x, c, role, pol, &err);
		if (wrote(x, c, "update", error, &err) < 0)
			goto done;
	}
	cJSON_ArrayForEach(pol, have)
	{
		if (cJSON_GetObjectItemCaseSensitive(
			    cJSON_GetObjectItemCaseSensitive(after,
							     "inlinePolicies"),
			    pol->string))
			continue;
		error = delete_inline(x, c, role, pol->string, &err);
		if (wrote(x, c, "update", error, &err) < 0)
			goto done;
	}
	if (tags_differ(c)) {
		qp_add(&q, "RoleName", role);
		qp_tags(&q, after, "Tags");
		error = send_iam(x, "TagRole", q.v, q.n, NULL, &err);
		qp_reset(&q);
		if (wrote(x, c, "tag", error, &err) < 0)
			goto done;
	}
	{
		size_t i = 1;
		const cJSON *want =
			cJSON_GetObjectItemCaseSensitive(after, "tags");
		cJSON_ArrayForEach(key, cJSON_GetObjectItemCaseSensitive(
						c->before, "tagKeys"))
		{
			if (!cJSON_IsString(key) ||
			    cJSON_GetObjectItemCaseSensitive(want,
							     key->valuestring))
				continue;
			if (i == 1)
				qp_add(&q, "RoleName", role);
			qp_addf(&q, key->valuestring, "TagKeys.member.%zu",
				i++);
		}
		if (i > 1) {
			error = send_iam(x, "UntagRole", q.v, q.n, NULL, &err);
			qp_reset(&q);
			if (wrote(x, c, "untag", error, &err) < 0)
				goto done;
		}
	}
	x->res->done++;
	mark(x, c->address, ST_DONE);
	step_close(x);
done:
	tr_free(text);
	qp_reset(&q);
	cJSON_Delete(after);
	tr_aws_error_dispose(&err);
}

/* --- member sets (targets) ------------------------------------------- */

static const char *jstr_or(const cJSON *o, const char *key,
			   const char *fallback)
{
	const char *v = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(o, key));

	return v ? v : fallback;
}

/* Sends `members` to `op` in batches of the kind's batch_max. A member the
 * service refuses (the "unsuccessful" list) fails the action too. */
static int send_members(executor *x, const tr_change *c, const char *op,
			const labels *lb, const cJSON *members,
			tr_aws_error *err, bool *refused)
{
	const tr_set_spec *set = tr_kind_set(c->kind);
	int total = cJSON_GetArraySize(members);
	int error = 0;

	for (int start = 0; start < total && !error;
	     start += (int)set->batch_max) {
		cJSON *body = cJSON_CreateObject();
		cJSON *list = cJSON_AddArrayToObject(body, set->field);
		cJSON *reply = NULL;
		const cJSON *bad;
		char *text;

		for (int i = start;
		     i < total && i < start + (int)set->batch_max; i++)
			cJSON_AddItemToArray(
				list, cJSON_Duplicate(
					      cJSON_GetArrayItem(members, i), true));
		text = cJSON_PrintUnformatted(body);
		tr_aws_error_clear(err);
		error = send(x, op, lb, text, &reply, err);
		if (error == TR_EREFUSED) {
			*refused = true;
			error = 0;
		}
		bad = cJSON_GetArrayItem(
			cJSON_GetObjectItemCaseSensitive(reply, "unsuccessful"), 0);
		if (!error && bad) {
			tr_buf msg = TR_BUF_INIT(TR_MAX_LINE_BYTES);
			if (tr_buf_printf(&msg, "%s %s:%d: %s",
					  jstr_or(bad, "failureCode", "refused"),
					  jstr_or(bad, "id", "?"),
					  (int)cJSON_GetNumberValue(
						  cJSON_GetObjectItemCaseSensitive(
							  bad, "port")),
					  jstr_or(bad, "failureMessage", "")) == 0)
				tr_aws_error_set_message(err, msg.ptr, msg.len);
			err->kind = TR_AWS_ERR_SERVICE;
			tr_buf_dispose(&msg);
			error = TR_EINVALID;
		}
		cJSON_Delete(reply);
		cJSON_free(text);
		cJSON_Delete(body);
	}
	return error;
}

/* Phase 1 removes (deletions, the old half of replacements); phase 2 adds,
 * then removes what an update drops: new targets serve before old ones
 * drain. */
static void do_members(executor *x, const tr_change *c, int phase)
{
	const tr_set_spec *set = tr_kind_set(c->kind);
	const tr_kind_spec *k = tr_kind_get(c->kind);
	const cJSON *attrs = phase == 1 ? c->before : c->after;
	const char *missing = NULL;
	labels lb = {{0}, 0, NULL};
	tr_aws_error err;
	bool refused = false;
	const char *verb = phase == 1 ? "deregister" : "register";
	int error;
	size_t nadd = phase == 2 ? (size_t)cJSON_GetArraySize(c->added) : 0;
	size_t nremove = phase == 1 || c->action == TR_ACTION_UPDATE
				 ? (size_t)cJSON_GetArraySize(c->removed)
				 : 0;

	tr_aws_error_init(&err);
	if (nadd + nremove == 0)
		goto done;
	if (build_labels(x, &lb, k, attrs, NULL, &missing) < 0) {
		skip_missing(x, c, nadd ? "register" : "deregister",
			     missing ? missing : "the parent");
		x->res->skipped++;
		mark(x, c->address, ST_SKIPPED);
		goto done;
	}
	step_begin(x, c, verb);
	progress(x, "%s %s: %zu to %s, %zu to %s", verb, c->address, nadd,
		 set->add_op, nremove, set->remove_op);
	error = send_members(x, c, set->add_op, &lb,
			     phase == 2 ? c->added : NULL, &err, &refused);
	if (!error && nremove)
		error = send_members(x, c, set->remove_op, &lb, c->removed,
				     &err, &refused);
	if (error < 0) {
		failed(x, c, verb, &err);
		goto done;
	}
	if (refused) {
		x->res->refused++;
		x->cur_held = true;
		step_close(x);
		goto done;
	}
	if (phase == 2 || c->action == TR_ACTION_DELETE) {
		x->res->done++;
		mark(x, c->address, ST_DONE);
	}
	step_end(x, TR_STEP_DONE, NULL);
done:
	cJSON_Delete(lb.holder);
	tr_aws_error_dispose(&err);
}

/* --- Route 53 change batches ------------------------------------------- */

#define R53_NS "https://route53.amazonaws.com/doc/2013-04-01/"

/* Appends one <Change> with a record set of one or more values. */
static void xml_change(xmlNode *changes, const char *action, const char *name,
		       const char *type, double ttl, const cJSON *values)
{
	xmlNode *ch = xmlNewChild(changes, NULL, BAD_CAST "Change", NULL);
	xmlNode *set, *rrs;
	char num[32];
	const cJSON *v;

	xmlNewTextChild(ch, NULL, BAD_CAST "Action", BAD_CAST action);
	set = xmlNewChild(ch, NULL, BAD_CAST "ResourceRecordSet", NULL);
	xmlNewTextChild(set, NULL, BAD_CAST "Name", BAD_CAST name);
	xmlNewTextChild(set, NULL, BAD_CAST "Type", BAD_CAST type);
	snprintf(num, sizeof(num), "%.0f", ttl);
	xmlNewTextChild(set, NULL, BAD_CAST "TTL", BAD_CAST num);
	rrs = xmlNewChild(set, NULL, BAD_CAST "ResourceRecords", NULL);
	cJSON_ArrayForEach(v, values)
	{
		xmlNode *rr = xmlNewChild(rrs, NULL, BAD_CAST "ResourceRecord",
					  NULL);
		xmlNewTextChild(rr, NULL, BAD_CAST "Value",
				BAD_CAST cJSON_GetStringValue(v));
	}
}

static const char *jstr(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static double jnum(const cJSON *o, const char *key, double fallback)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : fallback;
}

/* Deletes repeat what Route 53 holds, value for value (observe kept it in
 * `records`), or Route 53 refuses them. */
static int add_deletes(xmlNode *changes, const tr_change *c)
{
	const cJSON *rec;
	int n = 0;

	cJSON_ArrayForEach(rec, cJSON_GetObjectItemCaseSensitive(c->before,
								 "records"))
	{
		const cJSON *values = cJSON_GetObjectItemCaseSensitive(rec,
								       "values");
		if (!jstr(rec, "name") || !jstr(rec, "type") ||
		    !cJSON_GetArraySize(values))
			continue; /* an alias: not ours to write */
		xml_change(changes, "DELETE", jstr(rec, "name"),
			   jstr(rec, "type"), jnum(rec, "ttl", TR_DNS_TTL),
			   values);
		n++;
	}
	return n;
}

/* The CNAME (CREATE when new, so a record that appeared since the plan
 * fails the batch instead of being overwritten; UPSERT when ours) and its
 * ownership TXT. *missing names a target with no DNS name yet. */
static int add_writes(executor *x, xmlNode *changes, const tr_change *c,
		      const char **missing)
{
	const cJSON *value = cJSON_GetObjectItemCaseSensitive(c->after, "value");
	const char *target = tr_model_ref_target(value);
	const cJSON *tags = cJSON_GetObjectItemCaseSensitive(c->after, "tags");
	const char *name = jstr(c->after, "name");
	tr_buf owner_name = TR_BUF_INIT(TR_DNS_MAX_NAME_BYTES + 16);
	tr_buf txt = TR_BUF_INIT(TR_DNS_MAX_VALUE_BYTES + 1);
	cJSON *values = cJSON_CreateArray();
	const char *dns = cJSON_GetStringValue(value);
	int error;

	if (target) {
		known *k = find_known(x, target);
		dns = k && k->dns && k->st != ST_FAILED && k->st != ST_SKIPPED
			      ? k->dns
			      : NULL;
		if (!dns)
			*missing = target;
	}
	if (!dns || !name) {
		error = TR_ENOTFOUND;
		goto done;
	}
	if ((error = tr_dns_owner_name(&owner_name, name)) < 0 ||
	    (error = tr_dns_owner_value(
		     &txt, jstr(tags, TR_TAG_OWNER),
		     jstr(tags, TR_TAG_SOURCE))) < 0)
		goto done;
	cJSON_AddItemToArray(values, cJSON_CreateString(dns));
	xml_change(changes,
		   c->action == TR_ACTION_UPDATE ? "UPSERT" : "CREATE", name,
		   jstr(c->after, "type") ? jstr(c->after, "type") : "CNAME",
		   jnum(c->after, "ttl", TR_DNS_TTL), values);
	cJSON_Delete(values);
	values = cJSON_CreateArray();
	cJSON_AddItemToArray(values, cJSON_CreateString(txt.ptr));
	xml_change(changes, "UPSERT", owner_name.ptr, "TXT",
		   jnum(c->after, "ttl", TR_DNS_TTL), values);
done:
	cJSON_Delete(values);
	tr_buf_dispose(&owner_name);
	tr_buf_dispose(&txt);
	return error;
}

/* One Route 53 call; the reply's ChangeInfo/Id (without "/change/") in
 * change_id when asked. */
static int r53_call(executor *x, const char *op, const char *label,
		    const char *body, char **change_id, tr_aws_error *err)
{
	tr_aws_call call = {TR_AWS_ROUTE53, op, &label, 1, NULL, 0, body,
			    body ? strlen(body) : 0};
	tr_aws_response resp;
	xmlDoc *doc = NULL;
	int error;

	tr_aws_response_init(&resp);
	error = tr_aws_client_call(&resp, x->client, &call, err);
	if (error == 0 && change_id) {
		char *id = NULL, *status = NULL;
		if (tr_aws_xml_parse(&doc, resp.body.ptr, resp.body.len) == 0) {
			id = tr_aws_xml_text_dup(xmlDocGetRootElement(doc),
						 "ChangeInfo/Id");
			status = tr_aws_xml_text_dup(
				xmlDocGetRootElement(doc), "ChangeInfo/Status");
		}
		if (!id) {
			static const char msg[] = "the reply has no ChangeInfo";
			tr_aws_error_set_message(err, msg, sizeof(msg) - 1);
			err->kind = TR_AWS_ERR_SERVICE;
			error = TR_EINVALID;
		} else {
			const char *slash = strrchr(id, '/');
			/* INSYNC already: nothing to wait for. */
			*change_id = tr_str_eq(status, "INSYNC")
					     ? NULL
					     : tr_strdup(slash ? slash + 1 : id);
		}
		tr_free(id);
		tr_free(status);
	}
	xmlFreeDoc(doc);
	tr_aws_response_dispose(&resp);
	return error;
}

/* GetChange until INSYNC, as the SDKs' ResourceRecordSetsChanged waiter
 * (which polls every 30 s; we back off from 100 ms to 5 s). */
static int wait_insync(executor *x, const char *change_id, tr_aws_error *err)
{
	int64_t deadline = now_ms(x) + (x->opts->wait_timeout_ms
						? x->opts->wait_timeout_ms
						: DEFAULT_WAIT_MS);
	int64_t delay = 100;

	while (change_id) {
		char *next = NULL;
		int error;

		tr_aws_error_clear(err);
		if ((error = r53_call(x, "GetChange", change_id, NULL, &next,
				      err)) < 0)
			return error;
		if (!next)
			return 0;
		tr_free(next);
		if (now_ms(x) > deadline) {
			static const char msg[] = "timed out waiting for "
						  "Route 53 (INSYNC)";
			tr_aws_error_set_message(err, msg, sizeof(msg) - 1);
			err->kind = TR_AWS_ERR_TRANSPORT;
			return TR_EIO;
		}
		sleep_ms(x, delay);
		delay = delay * 3 / 2 > 5000 ? 5000 : delay * 3 / 2;
	}
	return 0;
}

static bool in_phase(const tr_change *c, bool deleting)
{
	if (deleting)
		return c->action == TR_ACTION_DELETE ||
		       c->action == TR_ACTION_REPLACE;
	return c->action == TR_ACTION_CREATE || c->action == TR_ACTION_UPDATE ||
	       c->action == TR_ACTION_REPLACE;
}

static const char *zone_of(const tr_change *c, bool deleting)
{
	return jstr(deleting ? c->before : c->after, "hostedZoneId");
}

/* The verb of a change in this phase, as steps and progress name it. */
static const char *batch_verb(const tr_change *c, bool deleting)
{
	if (deleting)
		return "delete";
	return c->action == TR_ACTION_UPDATE ? "update" : "create";
}

/* Opens a step of a batch; several are open at once, beside the
 * executor's current one, and end together with the batch. */
static size_t batch_step(executor *x, const tr_change *c, const char *verb)
{
	size_t i = new_step(x, c, verb);

	progress(x, "%s %s ...", verb, c->address);
	if (x->opts->event)
		x->opts->event(x->opts->ctx, &x->res->steps[i]);
	return i;
}

/* Sends one zone's changes of this phase as one atomic batch and waits
 * until Route 53 has them everywhere. */
static void do_zone_batch(executor *x, tr_kind kind, const char *zone,
			  bool deleting)
{
	const tr_plan *plan = x->plan;
	xmlDoc *doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNode *root = xmlNewNode(NULL, BAD_CAST "ChangeResourceRecordSetsRequest");
	xmlNode *batch, *changes;
	const tr_change **in = tr_calloc(plan->count + 1, sizeof(*in));
	size_t *steps = tr_calloc(plan->count + 1, sizeof(*steps));
	size_t n = 0;
	xmlChar *body = NULL;
	int body_len = 0;
	char *change_id = NULL;
	char comment[128];
	tr_buf msg = TR_BUF_INIT(TR_MAX_LINE_BYTES);
	tr_aws_error err;
	int error;

	tr_aws_error_init(&err);
	if (x->cur_open)
		step_close(x);
	xmlSetNs(root, xmlNewNs(root, BAD_CAST R53_NS, NULL));
	xmlDocSetRootElement(doc, root);
	batch = xmlNewChild(root, NULL, BAD_CAST "ChangeBatch", NULL);
	snprintf(comment, sizeof(comment), "trellis %s at %.12s",
		 x->opts->owner ? x->opts->owner : "", plan->commit);
	xmlNewTextChild(batch, NULL, BAD_CAST "Comment", BAD_CAST comment);
	changes = xmlNewChild(batch, NULL, BAD_CAST "Changes", NULL);
	for (size_t i = 0; i < plan->count; i++) {
		const tr_change *c = &plan->changes[i];
		const char *missing = NULL;
		const char *verb = batch_verb(c, deleting);

		if (c->kind != kind || !in_phase(c, deleting) ||
		    !tr_str_eq(zone_of(c, deleting), zone))
			continue;
		if (deleting) {
			if (add_deletes(changes, c) == 0 &&
			    c->action == TR_ACTION_DELETE) {
				/* nothing Route 53 holds is left to delete */
				end_step(x, batch_step(x, c, verb),
					 TR_STEP_DONE, NULL);
				x->res->done++;
				mark(x, c->address, ST_DONE);
				continue;
			}
		} else if (add_writes(x, changes, c, &missing) < 0) {
			tr_buf why = TR_BUF_INIT(TR_MAX_LINE_BYTES);
			if (tr_buf_printf(&why, "%s has no DNS name",
					  missing ? missing : "its target") < 0)
				tr_buf_clear(&why);
			step_skip(x, c, verb, tr_buf_cstr(&why));
			tr_buf_dispose(&why);
			x->res->skipped++;
			mark(x, c->address, ST_SKIPPED);
			continue;
		}
		steps[n] = batch_step(x, c, verb);
		in[n++] = c;
	}
	if (n == 0)
		goto done;
	xmlDocDumpFormatMemoryEnc(doc, &body, &body_len, "UTF-8", 0);
	error = body ? r53_call(x, "ChangeResourceRecordSets", zone,
				(const char *)body, &change_id, &err)
		     : TR_ERROR;
	if (error == TR_EREFUSED) {
		x->res->refused++;
		for (size_t i = 0; i < n; i++) {
			end_step(x, steps[i], TR_STEP_NOT_SENT, NULL);
			if (!deleting || in[i]->action == TR_ACTION_DELETE)
				mark(x, in[i]->address, ST_DONE);
		}
		goto done;
	}
	if (error == 0)
		error = wait_insync(x, change_id, &err);
	if (error < 0 && tr_aws_error_render(&msg, &err) < 0)
		tr_buf_clear(&msg);
	for (size_t i = 0; i < n; i++) {
		const tr_change *c = in[i];
		tr_buf id = TR_BUF_INIT(TR_MAX_PATH_BYTES);

		if (error < 0) {
			/* The batch is atomic: every change in it failed. */
			tr_diag_add(x->diag, TR_SEV_ERROR, "apply.failed",
				    c->source_file, c->source_line, 0, NULL,
				    "%s %s failed: %s", batch_verb(c, deleting),
				    c->address, tr_buf_cstr(&msg));
			end_step(x, steps[i], TR_STEP_FAILED, tr_buf_cstr(&msg));
			x->res->failed++;
			mark(x, c->address, ST_FAILED);
			continue;
		}
		if (!deleting &&
		    tr_buf_printf(&id, "%s/%s/%s", zone, jstr(c->after, "name"),
				  jstr(c->after, "type")) < 0)
			tr_buf_clear(&id);
		end_step(x, steps[i], TR_STEP_DONE,
			 deleting ? NULL : tr_buf_cstr(&id));
		tr_buf_dispose(&id);
		if (!deleting || c->action == TR_ACTION_DELETE) {
			x->res->done++;
			mark(x, c->address, ST_DONE);
		}
	}
done:
	xmlFree(body);
	xmlFreeDoc(doc);
	tr_free(change_id);
	tr_free(in);
	tr_free(steps);
	tr_buf_dispose(&msg);
	tr_aws_error_dispose(&err);
}

/* Every zone with changes of this kind in this phase, each once, in plan
 * order. */
static void do_batches(executor *x, tr_kind kind, bool deleting)
{
	const tr_plan *plan = x->plan;

	for (size_t i = 0; i < plan->count; i++) {
		const tr_change *c = &plan->changes[i];
		const char *zone = zone_of(c, deleting);
		bool seen = false;

		if (c->kind != kind || !in_phase(c, deleting) || !zone)
			continue;
		for (size_t j = 0; j < i && !seen; j++) {
			const tr_change *p = &plan->changes[j];
			seen = p->kind == kind && in_phase(p, deleting) &&
			       tr_str_eq(zone_of(p, deleting), zone);
		}
		if (!seen)
			do_zone_batch(x, kind, zone, deleting);
	}
}

/* Kinds with their own executor: phase 1 removes, phase 2 writes. Returns
 * false for the kinds the generic code carries out. */
static bool do_special(executor *x, const tr_change *c, int phase)
{
	bool removes = c->action == TR_ACTION_DELETE ||
		       c->action == TR_ACTION_REPLACE;
	bool writes = c->action == TR_ACTION_CREATE ||
		      c->action == TR_ACTION_REPLACE ||
		      c->action == TR_ACTION_UPDATE;

	if (c->kind == TR_KIND_AUTH_POLICY) {
		if (phase == 1 && removes)
			do_auth_policy(x, c, true);
		else if (phase == 2 && writes)
			do_auth_policy(x, c, false);
		step_close(x);
		return true;
	}
	if (tr_kind_get(c->kind)->batched)
		return true; /* the whole kind at once: do_batches */
	if (c->kind == TR_KIND_IAM_ROLE) {
		if (phase == 1 && removes)
			role_delete(x, c);
		else if (phase == 2 && (c->action == TR_ACTION_CREATE ||
					c->action == TR_ACTION_REPLACE))
			role_create(x, c);
		else if (phase == 2 && c->action == TR_ACTION_UPDATE)
			role_update(x, c);
		step_close(x);
		return true;
	}
	if (tr_kind_set(c->kind)) {
		if ((phase == 1 && removes) || (phase == 2 && writes))
			do_members(x, c, phase);
		step_close(x);
		return true;
	}
	return false;
}

int tr_apply(tr_apply_result *out, tr_aws_client *client, const tr_plan *plan,
	     const tr_model *observed, const tr_apply_options *opts,
	     tr_diag *diag)
{
	executor x;
	bool *handled;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&x, 0, sizeof(x));
	x.client = client;
	x.plan = plan;
	x.opts = opts;
	x.diag = diag;
	x.res = out;
	x.t0 = now_ms(&x);
	for (size_t i = 0; i < observed->count; i++) {
		const tr_resource *r = &observed->resources[i];
		known *k = learn(&x, r->address, r->id, r->arn);
		k->st = ST_DONE;
		learn_dns(&x, r->address,
			  tr_model_attr(r->attrs, "dnsEntry.domainName"));
	}
	/* Phase 1: deletions, children first (reverse kind order). */
	for (int kind = TR_KIND_COUNT - 1; kind >= 0; kind--) {
		if (tr_kind_get((tr_kind)kind)->batched)
			do_batches(&x, (tr_kind)kind, true);
		for (size_t i = 0; i < plan->count; i++) {
			const tr_change *c = &plan->changes[i];
			if ((int)c->kind != kind || do_special(&x, c, 1))
				continue;
			if (c->action == TR_ACTION_DELETE ||
			    c->action == TR_ACTION_REPLACE)
				do_delete(&x, c);
		}
	}
	/* Phase 2: creations and updates, parents first; within a kind,
	 * updates first, so a rule moving away frees its priority for a new
	 * one. */
	handled = tr_calloc(plan->count + 1, sizeof(*handled));
	for (int kind = 0; kind < TR_KIND_COUNT; kind++) {
		if (tr_kind_get((tr_kind)kind)->batched)
			do_batches(&x, (tr_kind)kind, false);
		if (kind == TR_KIND_RULE)
			batch_rule_updates(&x, plan, handled);
		for (size_t i = 0; i < plan->count; i++) {
			const tr_change *c = &plan->changes[i];
			if ((int)c->kind != kind || handled[i] ||
			    c->action != TR_ACTION_UPDATE || do_special(&x, c, 2))
				continue;
			do_update(&x, c);
		}
		for (size_t i = 0; i < plan->count; i++) {
			const tr_change *c = &plan->changes[i];
			if ((int)c->kind != kind ||
			    (c->action != TR_ACTION_CREATE &&
			     c->action != TR_ACTION_REPLACE) ||
			    do_special(&x, c, 2))
				continue;
			{
				known *k = find_known(&x, c->address);
				if (k && c->action == TR_ACTION_REPLACE) {
					tr_free(k->id);
					k->id = NULL;
				}
				do_create(&x, c);
			}
		}
	}
	tr_free(handled);
	rc = out->failed || out->skipped ? TR_ERROR : 0;
	out->duration_ms = now_ms(&x) - x.t0;
	for (size_t i = 0; i < x.nids; i++) {
		tr_free(x.ids[i]->address);
		tr_free(x.ids[i]->id);
		tr_free(x.ids[i]->arn);
		tr_free(x.ids[i]->dns);
		tr_free(x.ids[i]);
	}
	tr_free(x.ids);
	tr_free(x.missing);
	tr_strmap_dispose(&x.by_address);
	return rc;
}
