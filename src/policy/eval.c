/* Policy evaluation for one request (eval.h). */
#include "policy/eval.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/errors.h"
#include "util/limits.h"
#include "util/str.h"

#define LIST_MAX 3 /* values quoted in a reason before "..." */

bool tr_policy_wildcard_match(const char *pattern, const char *s,
			      bool ignore_case)
{
	const char *star = NULL, *resume = NULL;

	/* Greedy with one backtrack point: linear in practice, never
	 * exponential, whatever the pattern. */
	while (*s) {
		char pc = *pattern, sc = *s;
		if (ignore_case) {
			pc = (char)tolower((unsigned char)pc);
			sc = (char)tolower((unsigned char)sc);
		}
		if (*pattern == '*') {
			star = pattern++;
			resume = s;
		} else if (*pattern && (*pattern == '?' || pc == sc)) {
			pattern++;
			s++;
		} else if (star) {
			pattern = star + 1;
			s = ++resume;
		} else {
			return false;
		}
	}
	while (*pattern == '*')
		pattern++;
	return *pattern == '\0';
}

typedef struct ectx {
	const tr_policy_request *req;
	tr_policy_type type;
	tr_buf why;
} ectx;

static void because(ectx *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void because(ectx *e, const char *fmt, ...)
{
	va_list ap;

	if (e->why.len)
		return; /* the first reason is the one that decided */
	va_start(ap, fmt);
	/* A reason cut at its cap still says what failed. */
	if (tr_buf_vprintf(&e->why, fmt, ap) < 0)
		tr_buf_truncate(&e->why, e->why.len);
	va_end(ap);
}

/* A condition value as the string IAM compares. */
static const char *value_text(const cJSON *v, char *tmp, size_t cap)
{
	if (cJSON_IsString(v))
		return v->valuestring;
	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v) ? "true" : "false";
	if (cJSON_IsNumber(v)) {
		snprintf(tmp, cap, "%.17g", v->valuedouble);
		return tmp;
	}
	return NULL;
}

/* The values of a string-or-array element, quoted, for a reason. */
static void list_values(tr_buf *out, const cJSON *v)
{
	size_t n = 0;
	const cJSON *it = cJSON_IsArray(v) ? v->child : v;
	char tmp[64];
	int rc = 0;

	/* A list cut at the buffer's cap still helps. */
	for (; it && rc == 0; it = cJSON_IsArray(v) ? it->next : NULL, n++) {
		const char *s = value_text(it, tmp, sizeof(tmp));
		if (n == LIST_MAX) {
			rc = tr_buf_puts(out, ", ...");
			break;
		}
		if (s)
			rc = tr_buf_printf(out, "%s\"%s\"", n ? ", " : "", s);
	}
}

static bool is_account(const char *s)
{
	if (strlen(s) != 12)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* "arn:aws:iam::123456789012:root" names the whole account. */
static bool root_of(const char *v, const char *account)
{
	const char *p = v;

	if (!tr_str_has_prefix(p, "arn:"))
		return false;
	for (int i = 0; i < 4; i++) {
		p = strchr(p, ':');
		if (!p)
			return false;
		p++;
	}
	return strncmp(p, account, 12) == 0 && strcmp(p + 12, ":root") == 0 &&
	       strstr(v, ":iam::") != NULL;
}

static bool aws_principal_match(const char *v, const tr_policy_request *r)
{
	if (strcmp(v, "*") == 0)
		return true;
	if (is_account(v))
		return r->principal_account &&
		       strcmp(v, r->principal_account) == 0;
	if (r->principal_account && root_of(v, r->principal_account))
		return true;
	return r->principal_arn && strcmp(v, r->principal_arn) == 0;
}

static bool principal_match(const cJSON *p, const tr_policy_request *r)
{
	if (cJSON_IsString(p))
		return strcmp(p->valuestring, "*") == 0;
	for (const cJSON *k = p ? p->child : NULL; k; k = k->next) {
		/* The caller is an IAM role: Service, Federated and
		 * CanonicalUser principals never name it. */
		if (strcmp(k->string, "AWS") != 0)
			continue;
		if (cJSON_IsString(k) && aws_principal_match(k->valuestring, r))
			return true;
		for (const cJSON *it = cJSON_IsArray(k) ? k->child : NULL; it;
		     it = it->next)
			if (cJSON_IsString(it) &&
			    aws_principal_match(it->valuestring, r))
				return true;
	}
	return false;
}

/* Any string of a string-or-array element matches s. */
static bool any_match(const cJSON *v, const char *s, bool ignore_case)
{
	if (cJSON_IsString(v))
		return tr_policy_wildcard_match(v->valuestring, s, ignore_case);
	for (const cJSON *it = cJSON_IsArray(v) ? v->child : NULL; it;
	     it = it->next)
		if (cJSON_IsString(it) &&
		    tr_policy_wildcard_match(it->valuestring, s, ignore_case))
			return true;
	return false;
}

static bool check_principal(ectx *e, const cJSON *st)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(st, "Principal");
	const cJSON *np = cJSON_GetObjectItemCaseSensitive(st, "NotPrincipal");
	const char *who = e->req->principal_arn ? e->req->principal_arn
						: "(anonymous)";

	if (e->type == TR_POLICY_IDENTITY)
		return true;
	if (p && !principal_match(p, e->req)) {
		because(e, "Principal: the caller %s is not named", who);
		return false;
	}
	if (np && principal_match(np, e->req)) {
		because(e, "NotPrincipal: names the caller %s", who);
		return false;
	}
	if (!p && !np) {
		because(e, "no Principal");
		return false;
	}
	return true;
}

static bool check_pair(ectx *e, const cJSON *st, const char *name,
		       const char *not_name, const char *value,
		       bool ignore_case)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(st, name);
	const cJSON *nv = cJSON_GetObjectItemCaseSensitive(st, not_name);
	tr_buf list = TR_BUF_INIT(TR_MAX_LIST_TEXT_BYTES);
	bool ok = true;

	if (v && !any_match(v, value, ignore_case)) {
		list_values(&list, v);
		because(e, "%s: %s matches none of %s", name, value,
			tr_buf_cstr(&list));
		ok = false;
	} else if (nv && any_match(nv, value, ignore_case)) {
		list_values(&list, nv);
		because(e, "%s: %s matches %s", not_name, value,
			tr_buf_cstr(&list));
		ok = false;
	}
	tr_buf_dispose(&list);
	return ok;
}

/* Conditions ----------------------------------------------------------- */

static int compare3(double a, double b)
{
	return a < b ? -1 : a > b ? 1 : 0;
}

static bool ordered(tr_policy_test t, int cmp)
{
	switch (t) {
	case TR_POLICY_TEST_EQUALS:
		return cmp == 0;
	case TR_POLICY_TEST_LT:
		return cmp < 0;
	case TR_POLICY_TEST_LE:
		return cmp <= 0;
	case TR_POLICY_TEST_GT:
		return cmp > 0;
	case TR_POLICY_TEST_GE:
		return cmp >= 0;
	default:
		return false;
	}
}

static bool number_of(double *out, const char *s)
{
	char *end = NULL;

	if (!*s)
		return false;
	*out = strtod(s, &end);
	return end && *end == '\0';
}

static bool in_cidr(const char *ip, const char *cidr)
{
	tr_policy_cidr a, net;

	if (tr_policy_cidr_parse(&a, ip) < 0 ||
	    tr_policy_cidr_parse(&net, cidr) < 0 || a.family != net.family)
		return false;
	for (int bit = 0; bit < net.bits; bit++) {
		unsigned char mask = (unsigned char)(0x80u >> (bit % 8));
		if ((a.addr[bit / 8] & mask) != (net.addr[bit / 8] & mask))
			return false;
	}
	return true;
}

/* The positive test of one request value against one policy value. */
static bool test_one(const tr_policy_op *op, const char *have,
		     const char *want)
{
	double a, b;
	int64_t ta, tb;

	switch (op->family) {
	case TR_POLICY_FAMILY_NUMERIC:
		return number_of(&a, have) && number_of(&b, want) &&
		       ordered(op->test, compare3(a, b));
	case TR_POLICY_FAMILY_DATE:
		return tr_policy_date_parse(&ta, have) == 0 &&
		       tr_policy_date_parse(&tb, want) == 0 &&
		       ordered(op->test, compare3((double)ta, (double)tb));
	case TR_POLICY_FAMILY_IP:
		return in_cidr(have, want);
	case TR_POLICY_FAMILY_BOOL:
		return strcasecmp(have, want) == 0;
	default:
		break;
	}
	switch (op->test) {
	case TR_POLICY_TEST_EQUALS:
		return strcmp(have, want) == 0;
	case TR_POLICY_TEST_EQUALS_NOCASE:
		return strcasecmp(have, want) == 0;
	case TR_POLICY_TEST_LIKE:
		return tr_policy_wildcard_match(want, have, false);
	default:
		return false;
	}
}

/* One request value against the policy's values: any of them (positive
 * operators) or none of them (the Not forms). */
static bool test_value(const tr_policy_op *op, const char *have,
		       const cJSON *values)
{
	char tmp[64];
	bool any = false;
	const cJSON *it = cJSON_IsArray(values) ? values->child : values;

	for (; it && !any; it = cJSON_IsArray(values) ? it->next : NULL) {
		const char *want = value_text(it, tmp, sizeof(tmp));
		any = want && test_one(op, have, want);
	}
	return op->negated ? !any : any;
}

static size_t key_values(const tr_policy_request *r, const char *key,
			 const char **out, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < r->key_count; i++)
		if (strcasecmp(r->keys[i].key, key) == 0) {
			if (n < cap)
				out[n] = r->keys[i].value;
			n++;
		}
	return n < cap ? n : cap;
}

#define MAX_KEY_VALUES 64

static bool condition_key(ectx *e, const tr_policy_op *op, const char *opname,
			  const char *key, const cJSON *values)
{
	const char *have[MAX_KEY_VALUES];
	size_t n = key_values(e->req, key, have, MAX_KEY_VALUES);
	tr_buf list = TR_BUF_INIT(TR_MAX_LIST_TEXT_BYTES);
	bool ok;

	if (op->family == TR_POLICY_FAMILY_NULL) {
		/* Null: true asks for an absent key, false for a present one. */
		char tmp[64];
		bool want_absent = false;
		const cJSON *it = cJSON_IsArray(values) ? values->child : values;
		for (; it; it = cJSON_IsArray(values) ? it->next : NULL) {
			const char *v = value_text(it, tmp, sizeof(tmp));
			if (v && strcasecmp(v, "true") == 0)
				want_absent = true;
		}
		ok = want_absent ? n == 0 : n > 0;
		if (!ok)
			because(e, "Condition Null %s: the request %s it", key,
				n ? "has" : "does not have");
		return ok;
	}
	if (n == 0) {
		/* AWS: an absent key fails the positive operators and
		 * satisfies the Not forms, IfExists and ForAllValues. */
		ok = op->if_exists || op->set == TR_POLICY_SET_ALL ||
		     (op->negated && op->set == TR_POLICY_SET_NONE);
		if (!ok)
			because(e, "Condition %s %s: the request has no %s",
				opname, key, key);
		return ok;
	}
	if (op->set == TR_POLICY_SET_ALL) {
		ok = true;
		for (size_t i = 0; i < n && ok; i++)
			ok = test_value(op, have[i], values);
	} else {
		ok = false;
		for (size_t i = 0; i < n && !ok; i++)
			ok = test_value(op, have[i], values);
	}
	if (!ok) {
		list_values(&list, values);
		because(e, "Condition %s %s: the request has \"%s\"%s, the "
			   "policy wants %s%s",
			opname, key, have[0], n > 1 ? " (and more)" : "",
			op->negated ? "none of " : "", tr_buf_cstr(&list));
	}
	tr_buf_dispose(&list);
	return ok;
}

static bool check_condition(ectx *e, const cJSON *st)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(st, "Condition");

	for (const cJSON *ov = c ? c->child : NULL; ov; ov = ov->next) {
		tr_policy_op op;
		if (tr_policy_op_parse(&op, ov->string) < 0) {
			because(e, "Condition: unknown operator %s", ov->string);
			return false;
		}
		for (const cJSON *k = ov->child; k; k = k->next)
			if (!condition_key(e, &op, ov->string, k->string, k))
				return false;
	}
	return true;
}

/* Statements ----------------------------------------------------------- */

static int eval_statement(tr_policy_statement_result *out, ectx *e,
			  const cJSON *st, size_t index)
{
	const char *effect = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(st, "Effect"));
	const char *sid = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(st, "Sid"));

	memset(out, 0, sizeof(*out));
	out->index = index;
	out->sid = sid ? tr_strdup(sid) : NULL;
	if (!cJSON_IsObject(st) || !effect)
		return TR_EINVALID;
	out->deny = strcmp(effect, "Deny") == 0;
	tr_buf_clear(&e->why);
	out->matched = check_principal(e, st) &&
		       check_pair(e, st, "Action", "NotAction", e->req->action,
				  true) &&
		       (e->type == TR_POLICY_TRUST ||
			check_pair(e, st, "Resource", "NotResource",
				   e->req->resource, false)) &&
		       check_condition(e, st);
	if (!out->matched)
		out->why = tr_strdup(tr_buf_cstr(&e->why));
	return 0;
}

int tr_policy_eval(tr_policy_decision *out, const cJSON *policy,
		   tr_policy_type type, const tr_policy_request *req)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(policy, "Statement");
	ectx e = {req, type, TR_BUF_INIT(TR_MAX_MESSAGE_BYTES)};
	bool allow = false, deny = false;
	size_t n, i = 0;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(policy) || !list)
		return TR_EINVALID;
	n = cJSON_IsArray(list) ? (size_t)cJSON_GetArraySize(list) : 1;
	out->statements = tr_calloc(n ? n : 1, sizeof(*out->statements));
	for (const cJSON *st = cJSON_IsArray(list) ? list->child : list;
	     st && i < n; st = cJSON_IsArray(list) ? st->next : NULL, i++) {
		tr_policy_statement_result *r = &out->statements[i];
		out->count++;
		if (eval_statement(r, &e, st, i) < 0) {
			rc = TR_EINVALID;
			goto done;
		}
		if (r->matched && r->deny)
			deny = true;
		else if (r->matched)
			allow = true;
	}
	out->verdict = deny ? TR_POLICY_EXPLICIT_DENY
			    : allow ? TR_POLICY_ALLOW : TR_POLICY_IMPLICIT_DENY;
done:
	tr_buf_dispose(&e.why);
	return rc;
}

void tr_policy_decision_dispose(tr_policy_decision *d)
{
	for (size_t i = 0; d && i < d->count; i++) {
		tr_free(d->statements[i].sid);
		tr_free(d->statements[i].why);
	}
	if (d) {
		tr_free(d->statements);
		memset(d, 0, sizeof(*d));
	}
}
