#include "policy/refs.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/str.h"

/* Namespaces trellis owns inside ${...}, and what each accepts. */
typedef struct ref_namespace {
	const char *name;
	const char *attrs[3];
	tr_policy_ref_kind kinds[3];
	size_t nattrs;
} ref_namespace;

static const ref_namespace namespaces[] = {
	{ "service", { "arn" }, { TR_POLICY_REF_SERVICE_ARN }, 1 },
	{ "servicenetwork", { "arn" }, { TR_POLICY_REF_SERVICENETWORK_ARN }, 1 },
	{ "cluster",
	  { "vpcId", "oidcProvider", "oidcIssuer" },
	  { TR_POLICY_REF_CLUSTER_VPC_ID, TR_POLICY_REF_CLUSTER_OIDC_PROVIDER,
	    TR_POLICY_REF_CLUSTER_OIDC_ISSUER },
	  3 },
	{ "role", { "arn" }, { TR_POLICY_REF_ROLE_ARN }, 1 },
};

/* Bare words; IAM itself only has ${*}, ${?} and ${$} without a colon. */
static const char *const bare_words[] = { "account", "region" };

/* A ${...} longer than this is not one of ours; stop looking for its "}". */
#define REF_MAX_TEXT (TR_POLICY_MAX_REF_NAME_BYTES + 64u)

const char *tr_policy_ref_kind_name(tr_policy_ref_kind kind)
{
	switch (kind) {
	case TR_POLICY_REF_SERVICE_ARN: return "service";
	case TR_POLICY_REF_SERVICENETWORK_ARN: return "servicenetwork";
	case TR_POLICY_REF_CLUSTER_VPC_ID:
	case TR_POLICY_REF_CLUSTER_OIDC_PROVIDER:
	case TR_POLICY_REF_CLUSTER_OIDC_ISSUER: return "cluster";
	case TR_POLICY_REF_ROLE_ARN: return "role";
	case TR_POLICY_REF_ACCOUNT: return "account";
	case TR_POLICY_REF_REGION: return "region";
	}
	return "reference";
}

const char *tr_policy_oidc_provider(const char *issuer)
{
	if (!issuer)
		return "";
	if (tr_str_has_prefix(issuer, "https://"))
		return issuer + 8;
	if (tr_str_has_prefix(issuer, "http://"))
		return issuer + 7;
	return issuer;
}

static void lowercase_copy(char *dst, size_t cap, const char *src, size_t n)
{
	size_t i;

	if (n >= cap)
		n = cap - 1;
	for (i = 0; i < n; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[n] = '\0';
}

/* The namespace or bare word ns (n bytes) is one of ours written with a
 * typo or the wrong case: returns ours, else NULL. */
static const char *near_miss(const char *ns, size_t n)
{
	char low[32];
	size_t i;

	if (n == 0 || n >= sizeof(low))
		return NULL;
	lowercase_copy(low, sizeof(low), ns, n);
	for (i = 0; i < sizeof(namespaces) / sizeof(namespaces[0]); i++)
		if (tr_str_distance(low, namespaces[i].name, 3) <= 2)
			return namespaces[i].name;
	for (i = 0; i < sizeof(bare_words) / sizeof(bare_words[0]); i++)
		if (tr_str_distance(low, bare_words[i], 3) <= 2)
			return bare_words[i];
	return NULL;
}

static const ref_namespace *find_namespace(const char *ns, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(namespaces) / sizeof(namespaces[0]); i++)
		if (strlen(namespaces[i].name) == n &&
		    memcmp(namespaces[i].name, ns, n) == 0)
			return &namespaces[i];
	return NULL;
}

static bool name_char_ok(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.' ||
	       c == '+' || c == '=' || c == ',' || c == '@';
}

static int syntax_error(tr_policy_ref_error *err, size_t offset, uint32_t line,
			uint32_t col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int syntax_error(tr_policy_ref_error *err, size_t offset, uint32_t line,
			uint32_t col, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		err->offset = offset;
		err->line = line;
		err->col = col;
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
		va_end(ap);
	}
	return TR_EINVALID;
}

/* Checks the name part of a reference; NULL when fine, else why not. */
static const char *check_name(tr_policy_ref_kind kind, const char *name,
			      size_t n)
{
	const char *slash = memchr(name, '/', n);
	size_t i;

	if (n == 0)
		return "has no name";
	if (n > TR_POLICY_MAX_REF_NAME_BYTES)
		return "has a name longer than 253 bytes";
	if (kind == TR_POLICY_REF_SERVICE_ARN) {
		if (!slash || slash == name || slash == name + n - 1)
			return "must name the route as NAMESPACE/ROUTE";
		if (memchr(slash + 1, '/', (size_t)(name + n - slash - 1)))
			return "must name the route as NAMESPACE/ROUTE (one '/')";
	} else if (slash) {
		return "has a '/' in its name";
	}
	for (i = 0; i < n; i++)
		if (name[i] != '/' && !name_char_ok(name[i]))
			return "has a character that no Kubernetes or IAM name "
			       "holds";
	return NULL;
}

/* Parses the body of one ${...} (between the braces). Returns 1 with *ref
 * filled when it is ours, 0 when it belongs to IAM, TR_EINVALID when it is
 * ours but malformed. */
static int parse_body(tr_policy_ref *ref, const char *body, size_t n,
		      tr_policy_ref_error *err)
{
	const char *colon = memchr(body, ':', n);
	const ref_namespace *ns;
	const char *dot, *attr, *why, *guess;
	size_t nslen, restlen, attrlen, namelen, i;
	const char *rest;

	if (!colon) {
		if (n == 7 && memcmp(body, "account", 7) == 0) {
			ref->kind = TR_POLICY_REF_ACCOUNT;
			ref->name[0] = '\0';
			return 1;
		}
		if (n == 6 && memcmp(body, "region", 6) == 0) {
			ref->kind = TR_POLICY_REF_REGION;
			ref->name[0] = '\0';
			return 1;
		}
		guess = near_miss(body, n);
		if (guess)
			return syntax_error(err, ref->offset, ref->line, ref->col,
					    "unknown reference %.*s (did you "
					    "mean ${%s%s}?)",
					    (int)ref->len, ref->text, guess,
					    strcmp(guess, "account") &&
							    strcmp(guess, "region")
						    ? ":NAME.arn"
						    : "");
		return 0;
	}
	nslen = (size_t)(colon - body);
	ns = find_namespace(body, nslen);
	if (!ns) {
		guess = near_miss(body, nslen);
		if (guess && !(nslen == 3 && memcmp(body, "aws", 3) == 0))
			return syntax_error(err, ref->offset, ref->line, ref->col,
					    "unknown reference namespace "
					    "\"%.*s\" in %.*s (did you mean "
					    "%s?)",
					    (int)nslen, body, (int)ref->len,
					    ref->text, guess);
		return 0;
	}
	rest = colon + 1;
	restlen = n - nslen - 1;
	dot = NULL;
	for (i = restlen; i > 0; i--)
		if (rest[i - 1] == '.') {
			dot = rest + i - 1;
			break;
		}
	if (!dot)
		return syntax_error(err, ref->offset, ref->line, ref->col,
				    "reference %.*s has no attribute (write "
				    "${%s:NAME.%s})",
				    (int)ref->len, ref->text, ns->name,
				    ns->attrs[0]);
	attr = dot + 1;
	attrlen = (size_t)(rest + restlen - attr);
	namelen = (size_t)(dot - rest);
	for (i = 0; i < ns->nattrs; i++)
		if (strlen(ns->attrs[i]) == attrlen &&
		    memcmp(ns->attrs[i], attr, attrlen) == 0)
			break;
	if (i == ns->nattrs) {
		char list[64] = "";
		size_t j, used = 0;

		for (j = 0; j < ns->nattrs; j++)
			used += (size_t)snprintf(list + used, sizeof(list) - used,
						 "%s%s", j ? ", " : "",
						 ns->attrs[j]);
		return syntax_error(err, ref->offset, ref->line, ref->col,
				    "reference %.*s has an unknown attribute "
				    "\"%.*s\" (a %s has: %s)",
				    (int)ref->len, ref->text, (int)attrlen, attr,
				    ns->name, list);
	}
	ref->kind = ns->kinds[i];
	why = check_name(ref->kind, rest, namelen);
	if (why)
		return syntax_error(err, ref->offset, ref->line, ref->col,
				    "reference %.*s %s", (int)ref->len,
				    ref->text, why);
	memcpy(ref->name, rest, namelen);
	ref->name[namelen] = '\0';
	return 1;
}

int tr_policy_refs_scan(const char *text, size_t len,
			tr_policy_ref_visit_fn visit, void *ctx,
			tr_policy_ref_error *err)
{
	tr_policy_ref ref;
	uint32_t line = 1, col = 1;
	size_t i = 0, count = 0;
	int rc;

	if (len > TR_POLICY_MAX_BYTES) {
		(void)syntax_error(err, 0, 1, 1,
				   "the policy is larger than %u bytes",
				   TR_POLICY_MAX_BYTES);
		return TR_ETOOLARGE;
	}
	while (i < len) {
		if (text[i] == '$' && i + 1 < len && text[i + 1] == '{') {
			size_t end = i + 2;

			while (end < len && text[end] != '}' &&
			       text[end] != '\n' && end - i < REF_MAX_TEXT)
				end++;
			memset(&ref, 0, sizeof(ref));
			ref.text = text + i;
			ref.offset = i;
			ref.line = line;
			ref.col = col;
			if (end >= len || text[end] != '}') {
				/* Unterminated: an error only when it starts
				 * like one of ours. */
				const char *b = text + i + 2;
				size_t n = end - i - 2, k;

				for (k = 0; k < n; k++)
					if (b[k] == ':' || b[k] == '.')
						break;
				ref.len = end - i;
				if (find_namespace(b, k) ||
				    (k < n && b[k] == '.' && near_miss(b, k)) ||
				    (n == k && near_miss(b, k)))
					return syntax_error(
						err, i, line, col,
						"reference %.*s has no closing "
						"'}'",
						(int)(ref.len > 80 ? 80 : ref.len),
						ref.text);
				i += 2;
				col += 2;
				continue;
			}
			ref.len = end - i + 1;
			rc = parse_body(&ref, text + i + 2, end - i - 2, err);
			if (rc < 0)
				return rc;
			if (rc == 1) {
				if (++count > TR_POLICY_MAX_REFS) {
					(void)syntax_error(
						err, i, line, col,
						"the policy has more than %u "
						"references",
						TR_POLICY_MAX_REFS);
					return TR_ETOOLARGE;
				}
				if (visit) {
					rc = visit(ctx, &ref);
					if (rc != 0)
						return rc;
				}
			}
			col += (uint32_t)(end + 1 - i);
			i = end + 1;
			continue;
		}
		if (text[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
		i++;
	}
	return 0;
}

static int put_json_escaped(tr_buf *out, const char *s)
{
	int rc = 0;

	for (; *s && rc == 0; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			rc = tr_buf_printf(out, "\\%c", c);
		else if (c < 0x20)
			rc = tr_buf_printf(out, "\\u%04x", c);
		else
			rc = tr_buf_putc(out, (char)c);
	}
	return rc;
}

typedef struct subst_state {
	tr_buf *out;
	const char *text;
	size_t copied; /* bytes of text already written */
	tr_policy_resolve_fn resolve;
	void *ctx;
	const char *after_apply_text;
	tr_policy_subst_result *res;
} subst_state;

static int subst_visit(void *ctx, const tr_policy_ref *ref)
{
	subst_state *st = ctx;
	const char *value = NULL;
	int rc;

	rc = tr_buf_put(st->out, st->text + st->copied,
			ref->offset - st->copied);
	if (rc < 0)
		return rc;
	st->copied = ref->offset + ref->len;
	switch (st->resolve(st->ctx, ref, &value)) {
	case TR_POLICY_RESOLVED:
		st->res->resolved++;
		return put_json_escaped(st->out, value ? value : "");
	case TR_POLICY_AFTER_APPLY:
		st->res->after_apply++;
		if (st->after_apply_text)
			return tr_buf_puts(st->out, st->after_apply_text);
		return tr_buf_put(st->out, ref->text, ref->len);
	case TR_POLICY_NOT_FOUND:
	default:
		if (st->res->not_found++ == 0)
			st->res->first_not_found = *ref;
		return tr_buf_put(st->out, ref->text, ref->len);
	}
}

int tr_policy_refs_substitute(tr_buf *out, const char *text, size_t len,
			      tr_policy_resolve_fn resolve, void *ctx,
			      const char *after_apply_text,
			      tr_policy_subst_result *res)
{
	subst_state st;
	int rc;

	memset(res, 0, sizeof(*res));
	st.out = out;
	st.text = text;
	st.copied = 0;
	st.resolve = resolve;
	st.ctx = ctx;
	st.after_apply_text = after_apply_text;
	st.res = res;
	rc = tr_policy_refs_scan(text, len, subst_visit, &st, &res->syntax);
	if (rc < 0)
		return rc;
	return tr_buf_put(out, text + st.copied, len - st.copied);
}
