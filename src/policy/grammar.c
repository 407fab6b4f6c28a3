/* The IAM policy grammar (grammar.h): one walk over the cJSON tree. */
#define _XOPEN_SOURCE 700 /* strptime */
#include "policy/grammar.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/errors.h"
#include "util/limits.h"
#include "util/str.h"

#define AUTH_GROUP "application-networking.k8s.aws"
#define IAM_GROUP "iam.services.k8s.aws"

typedef struct jpath {
	char s[TR_MAX_FIELD_PATH_BYTES];
} jpath;

typedef struct gctx {
	tr_diag *diag;
	const tr_policy_site *site;
	tr_policy_type type;
	size_t errors;
} gctx;

typedef struct op_row {
	const char *name;
	tr_policy_family family;
	tr_policy_test test;
	bool negated;
} op_row;

static const op_row op_table[] = {
	{"StringEquals", TR_POLICY_FAMILY_STRING, TR_POLICY_TEST_EQUALS, false},
	{"StringNotEquals", TR_POLICY_FAMILY_STRING, TR_POLICY_TEST_EQUALS, true},
	{"StringEqualsIgnoreCase", TR_POLICY_FAMILY_STRING,
	 TR_POLICY_TEST_EQUALS_NOCASE, false},
	{"StringNotEqualsIgnoreCase", TR_POLICY_FAMILY_STRING,
	 TR_POLICY_TEST_EQUALS_NOCASE, true},
	{"StringLike", TR_POLICY_FAMILY_STRING, TR_POLICY_TEST_LIKE, false},
	{"StringNotLike", TR_POLICY_FAMILY_STRING, TR_POLICY_TEST_LIKE, true},
	{"NumericEquals", TR_POLICY_FAMILY_NUMERIC, TR_POLICY_TEST_EQUALS, false},
	{"NumericNotEquals", TR_POLICY_FAMILY_NUMERIC, TR_POLICY_TEST_EQUALS,
	 true},
	{"NumericLessThan", TR_POLICY_FAMILY_NUMERIC, TR_POLICY_TEST_LT, false},
	{"NumericLessThanEquals", TR_POLICY_FAMILY_NUMERIC, TR_POLICY_TEST_LE,
	 false},
	{"NumericGreaterThan", TR_POLICY_FAMILY_NUMERIC, TR_POLICY_TEST_GT,
	 false},
	{"NumericGreaterThanEquals", TR_POLICY_FAMILY_NUMERIC, TR_POLICY_TEST_GE,
	 false},
	{"DateEquals", TR_POLICY_FAMILY_DATE, TR_POLICY_TEST_EQUALS, false},
	{"DateNotEquals", TR_POLICY_FAMILY_DATE, TR_POLICY_TEST_EQUALS, true},
	{"DateLessThan", TR_POLICY_FAMILY_DATE, TR_POLICY_TEST_LT, false},
	{"DateLessThanEquals", TR_POLICY_FAMILY_DATE, TR_POLICY_TEST_LE, false},
	{"DateGreaterThan", TR_POLICY_FAMILY_DATE, TR_POLICY_TEST_GT, false},
	{"DateGreaterThanEquals", TR_POLICY_FAMILY_DATE, TR_POLICY_TEST_GE,
	 false},
	{"Bool", TR_POLICY_FAMILY_BOOL, TR_POLICY_TEST_EQUALS_NOCASE, false},
	{"BinaryEquals", TR_POLICY_FAMILY_BINARY, TR_POLICY_TEST_EQUALS, false},
	{"IpAddress", TR_POLICY_FAMILY_IP, TR_POLICY_TEST_IP, false},
	{"NotIpAddress", TR_POLICY_FAMILY_IP, TR_POLICY_TEST_IP, true},
	{"ArnEquals", TR_POLICY_FAMILY_ARN, TR_POLICY_TEST_LIKE, false},
	{"ArnLike", TR_POLICY_FAMILY_ARN, TR_POLICY_TEST_LIKE, false},
	{"ArnNotEquals", TR_POLICY_FAMILY_ARN, TR_POLICY_TEST_LIKE, true},
	{"ArnNotLike", TR_POLICY_FAMILY_ARN, TR_POLICY_TEST_LIKE, true},
	{"Null", TR_POLICY_FAMILY_NULL, TR_POLICY_TEST_NULL, false},
};

#define SET_ANY "ForAnyValue:"
#define SET_ALL "ForAllValues:"
#define IF_EXISTS "IfExists"

int tr_policy_op_parse(tr_policy_op *out, const char *name)
{
	char base[64];
	size_t len;

	memset(out, 0, sizeof(*out));
	if (tr_str_has_prefix(name, SET_ANY)) {
		out->set = TR_POLICY_SET_ANY;
		name += strlen(SET_ANY);
	} else if (tr_str_has_prefix(name, SET_ALL)) {
		out->set = TR_POLICY_SET_ALL;
		name += strlen(SET_ALL);
	}
	len = strlen(name);
	if (len >= sizeof(base))
		return TR_EINVALID;
	memcpy(base, name, len + 1);
	if (len > strlen(IF_EXISTS) && tr_str_has_suffix(base, IF_EXISTS)) {
		out->if_exists = true;
		base[len - strlen(IF_EXISTS)] = '\0';
	}
	for (size_t i = 0; i < sizeof(op_table) / sizeof(op_table[0]); i++) {
		const op_row *r = &op_table[i];
		if (strcmp(r->name, base) != 0)
			continue;
		/* AWS: IfExists goes on any operator except Null. */
		if (r->family == TR_POLICY_FAMILY_NULL && out->if_exists)
			return TR_EINVALID;
		out->base = r->name;
		out->family = r->family;
		out->test = r->test;
		out->negated = r->negated;
		return 0;
	}
	return TR_EINVALID;
}

/* Paths ---------------------------------------------------------------- */

static bool plain_key(const char *key)
{
	if (!*key)
		return false;
	for (const char *p = key; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			return false;
	return true;
}

/* A key that is not a plain word (aws:PrincipalArn) goes in brackets so
 * the path stays readable and unambiguous. */
static void path_key(jpath *out, const jpath *parent, const char *key)
{
	jpath tmp;

	int n;

	/* A path longer than the cap is cut; it still locates the field. */
	if (plain_key(key))
		n = snprintf(tmp.s, sizeof(tmp.s), "%s%s%s", parent->s,
			     parent->s[0] ? "." : "", key);
	else
		n = snprintf(tmp.s, sizeof(tmp.s), "%s[\"%s\"]", parent->s,
			     key);
	if (n < 0)
		tmp.s[0] = '\0'; /* an output error: no path, not garbage */
	memcpy(out, &tmp, sizeof(tmp));
}

static void path_index(jpath *out, const jpath *parent, size_t i)
{
	jpath tmp;

	int n = snprintf(tmp.s, sizeof(tmp.s), "%s[%zu]", parent->s, i);

	if (n < 0)
		tmp.s[0] = '\0'; /* an output error: no path, not garbage */
	memcpy(out, &tmp, sizeof(tmp));
}

/* Reporting ------------------------------------------------------------ */

static void report(gctx *g, tr_severity sev, const char *rule,
		   const jpath *p, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void report(gctx *g, tr_severity sev, const char *rule,
		   const jpath *p, const char *fmt, ...)
{
	va_list ap;

	if (sev == TR_SEV_ERROR)
		g->errors++;
	va_start(ap, fmt);
	tr_diag_vadd(g->diag, sev, rule, g->site->file, g->site->line,
		     g->site->col, p->s, fmt, ap);
	va_end(ap);
}

static const char *json_type(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsNull(v))
		return "null";
	if (cJSON_IsArray(v))
		return "an array";
	return "an object";
}

static bool has_ref(const char *s)
{
	return strstr(s, "${") != NULL;
}

/* Duplicate keys: cJSON keeps both, AWS would not say which one it used. */
static void check_dupes(gctx *g, const cJSON *obj, const jpath *p)
{
	for (const cJSON *a = obj->child; a; a = a->next)
		for (const cJSON *b = obj->child; b != a; b = b->next)
			if (strcmp(a->string, b->string) == 0) {
				jpath kp;
				path_key(&kp, p, a->string);
				report(g, TR_SEV_ERROR, "policy.duplicate-key",
				       &kp,
				       "duplicate key \"%s\": a policy names "
				       "each element once",
				       a->string);
				break;
			}
}

/* An element name trellis does not know, with the likely intended one. */
static void unknown_element(gctx *g, const jpath *p, const char *name,
			    const char *where, const char *const *known)
{
	const char *best = NULL;
	size_t best_dist = 3;
	bool case_only = false;
	jpath kp;

	for (size_t i = 0; known[i]; i++) {
		size_t d;
		if (strcasecmp(name, known[i]) == 0) {
			best = known[i];
			case_only = true;
			break;
		}
		d = tr_str_distance(name, known[i], best_dist);
		if (d < best_dist) {
			best_dist = d;
			best = known[i];
		}
	}
	path_key(&kp, p, name);
	report(g, TR_SEV_ERROR, "policy.element", &kp,
	       "unknown element \"%s\" %s%s%s%s%s", name, where,
	       best ? "; " : "",
	       case_only ? "element names are case-sensitive: " : "",
	       best ? "did you mean " : "", best ? best : "");
}

/* Calls fn on each string of a string-or-array-of-strings value. */
typedef void (*string_fn)(gctx *g, const char *s, const jpath *p,
			  const char *element);

static void each_string(gctx *g, const cJSON *v, const jpath *p,
			const char *element, string_fn fn)
{
	if (cJSON_IsString(v)) {
		fn(g, v->valuestring, p, element);
		return;
	}
	if (!cJSON_IsArray(v)) {
		report(g, TR_SEV_ERROR, "policy.type", p,
		       "%s must be a string or an array of strings, not %s",
		       element, json_type(v));
		return;
	}
	if (!v->child) {
		report(g, TR_SEV_ERROR, "policy.empty", p,
		       "%s must not be an empty array", element);
		return;
	}
	size_t i = 0;
	for (const cJSON *it = v->child; it; it = it->next, i++) {
		jpath ip;
		path_index(&ip, p, i);
		if (!cJSON_IsString(it))
			report(g, TR_SEV_ERROR, "policy.type", &ip,
			       "%s values must be strings, not %s", element,
			       json_type(it));
		else
			fn(g, it->valuestring, &ip, element);
	}
}

/* ARNs ----------------------------------------------------------------- */

typedef struct arn_parts {
	const char *part[6]; /* arn, partition, service, region, account, rest */
	size_t len[6];
} arn_parts;

/* Splits arn:partition:service:region:account:resource; false when it has
 * fewer than six parts. The resource keeps any further colons. */
static bool arn_split(arn_parts *out, const char *s)
{
	const char *p = s;

	for (int i = 0; i < 5; i++) {
		const char *c = strchr(p, ':');
		if (!c)
			return false;
		out->part[i] = p;
		out->len[i] = (size_t)(c - p);
		p = c + 1;
	}
	out->part[5] = p;
	out->len[5] = strlen(p);
	return out->len[0] == 3 && memcmp(out->part[0], "arn", 3) == 0;
}

static bool part_is(const arn_parts *a, int i, const char *s)
{
	return a->len[i] == strlen(s) && memcmp(a->part[i], s, a->len[i]) == 0;
}

static bool is_account_n(const char *s, size_t len)
{
	if (len != 12)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

static bool is_account(const char *s)
{
	return is_account_n(s, strlen(s));
}

/* Elements ------------------------------------------------------------- */

#define QUOTED(s) (int)TR_POLICY_MAX_QUOTED_BYTES, (s)

static void check_version(gctx *g, const cJSON *v, const jpath *p)
{
	if (!cJSON_IsString(v)) {
		report(g, TR_SEV_ERROR, "policy.version", p,
		       "Version must be a string, not %s", json_type(v));
		return;
	}
	if (strcmp(v->valuestring, "2012-10-17") != 0 &&
	    strcmp(v->valuestring, "2008-10-17") != 0)
		report(g, TR_SEV_ERROR, "policy.version", p,
		       "unsupported Version \"%.*s\": IAM knows \"2012-10-17\" "
		       "(current) and \"2008-10-17\"",
		       QUOTED(v->valuestring));
}

static void check_aws_principal(gctx *g, const char *s, const jpath *p,
				const char *element)
{
	arn_parts a;

	(void)element;
	if (strcmp(s, "*") == 0 || is_account(s) || has_ref(s))
		return;
	if (arn_split(&a, s) &&
	    (part_is(&a, 2, "iam") || part_is(&a, 2, "sts")) &&
	    a.len[3] == 0 && is_account_n(a.part[4], a.len[4]) && a.len[5] > 0)
		return;
	report(g, TR_SEV_ERROR, "policy.principal", p,
	       "invalid AWS principal \"%.*s\": expected \"*\", a 12-digit "
	       "account id or an IAM ARN such as "
	       "arn:aws:iam::123456789012:role/name",
	       QUOTED(s));
}

static void check_service_principal(gctx *g, const char *s, const jpath *p,
				    const char *element)
{
	(void)element;
	if (has_ref(s) || tr_str_has_suffix(s, ".amazonaws.com") ||
	    tr_str_has_suffix(s, ".amazonaws.com.cn"))
		return;
	report(g, TR_SEV_ERROR, "policy.principal", p,
	       "invalid Service principal \"%.*s\": expected a service name "
	       "such as ec2.amazonaws.com",
	       QUOTED(s));
}

static void check_nonempty(gctx *g, const char *s, const jpath *p,
			   const char *element)
{
	if (!*s)
		report(g, TR_SEV_ERROR, "policy.empty", p,
		       "%s values must not be empty", element);
}

static void check_federated_principal(gctx *g, const char *s,
				      const jpath *p, const char *element)
{
	arn_parts a;

	if (!*s || has_ref(s)) {
		check_nonempty(g, s, p, element);
		return;
	}
	if (tr_str_has_prefix(s, "arn:")) {
		if (arn_split(&a, s) && part_is(&a, 2, "iam") &&
		    (tr_str_has_prefix(a.part[5], "oidc-provider/") ||
		     tr_str_has_prefix(a.part[5], "saml-provider/")))
			return;
		report(g, TR_SEV_ERROR, "policy.principal", p,
		       "invalid Federated principal \"%.*s\": expected an IAM "
		       "oidc-provider/ or saml-provider/ ARN, or an identity "
		       "provider's domain",
		       QUOTED(s));
	}
}

static const char *const principal_keys[] = {"AWS", "Service", "Federated",
					     "CanonicalUser", NULL};

static void check_principal(gctx *g, const cJSON *v, const jpath *p,
			    const char *element)
{
	if (cJSON_IsString(v)) {
		if (strcmp(v->valuestring, "*") != 0)
			report(g, TR_SEV_ERROR, "policy.principal", p,
			       "%s must be \"*\" or an object such as "
			       "{\"AWS\": \"arn:aws:iam::123456789012:role/"
			       "name\"}, not the string \"%.*s\"",
			       element, QUOTED(v->valuestring));
		return;
	}
	if (!cJSON_IsObject(v)) {
		report(g, TR_SEV_ERROR, "policy.type", p,
		       "%s must be \"*\" or an object, not %s", element,
		       json_type(v));
		return;
	}
	if (!v->child) {
		report(g, TR_SEV_ERROR, "policy.empty", p,
		       "%s must name at least one principal", element);
		return;
	}
	check_dupes(g, v, p);
	for (const cJSON *k = v->child; k; k = k->next) {
		jpath kp;
		path_key(&kp, p, k->string);
		if (strcmp(k->string, "AWS") == 0)
			each_string(g, k, &kp, "AWS", check_aws_principal);
		else if (strcmp(k->string, "Service") == 0)
			each_string(g, k, &kp, "Service",
				    check_service_principal);
		else if (strcmp(k->string, "Federated") == 0)
			each_string(g, k, &kp, "Federated",
				    check_federated_principal);
		else if (strcmp(k->string, "CanonicalUser") == 0)
			each_string(g, k, &kp, "CanonicalUser", check_nonempty);
		else
			unknown_element(g, p, k->string,
					"in a principal (AWS, Service, "
					"Federated, CanonicalUser)",
					principal_keys);
	}
}

static void check_action(gctx *g, const char *s, const jpath *p,
			 const char *element)
{
	const char *colon = strchr(s, ':');
	bool ok = colon && colon > s && colon[1];

	if (strcmp(s, "*") == 0)
		return;
	for (const char *c = s; ok && c < colon; c++)
		ok = isalnum((unsigned char)*c) || *c == '-'; /* any case */
	for (const char *c = colon ? colon + 1 : s; ok && *c; c++)
		ok = isalnum((unsigned char)*c) || *c == '*' || *c == '?';
	if (!ok) {
		report(g, TR_SEV_ERROR, "policy.action", p,
		       "invalid %s \"%.*s\": expected \"*\" or service:action "
		       "such as vpc-lattice-svcs:Invoke (wildcards * and ? "
		       "allowed in the action)",
		       element, QUOTED(s));
		return;
	}
	if (strcmp(element, "Action") != 0)
		return;
	/* Valid, but a statement for another service never decides
	 * anything in this kind of policy. */
	if (g->type == TR_POLICY_AUTH &&
	    strncasecmp(s, "vpc-lattice-svcs:", 17) != 0)
		report(g, TR_SEV_WARNING, "policy.action-service", p,
		       "\"%.*s\" is not a vpc-lattice-svcs action: VPC Lattice "
		       "evaluates auth policies only for vpc-lattice-svcs "
		       "requests, so this never matches",
		       QUOTED(s));
	if (g->type == TR_POLICY_TRUST && strncasecmp(s, "sts:", 4) != 0)
		report(g, TR_SEV_WARNING, "policy.action-service", p,
		       "\"%.*s\" is not an sts action: a trust policy only "
		       "decides who may assume the role",
		       QUOTED(s));
}

static void check_resource(gctx *g, const char *s, const jpath *p,
			   const char *element)
{
	arn_parts a;

	if (strcmp(s, "*") == 0 || tr_str_has_prefix(s, "${"))
		return;
	if (!arn_split(&a, s)) {
		report(g, TR_SEV_ERROR, "policy.resource", p,
		       "invalid %s \"%.*s\": expected \"*\" or an ARN "
		       "(arn:partition:service:region:account:resource)",
		       element, QUOTED(s));
		return;
	}
	if (g->type == TR_POLICY_AUTH && strcmp(element, "Resource") == 0 &&
	    !part_is(&a, 2, "vpc-lattice") && !part_is(&a, 2, "*") &&
	    !has_ref(s))
		report(g, TR_SEV_WARNING, "policy.resource-service", p,
		       "\"%.*s\" is not a VPC Lattice ARN: an auth policy's "
		       "requests are for vpc-lattice services, so this never "
		       "matches",
		       QUOTED(s));
}

/* Conditions ----------------------------------------------------------- */

static const char *const operator_names[] = {
	"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase",
	"StringNotEqualsIgnoreCase", "StringLike", "StringNotLike",
	"NumericEquals", "NumericNotEquals", "NumericLessThan",
	"NumericLessThanEquals", "NumericGreaterThan",
	"NumericGreaterThanEquals", "DateEquals", "DateNotEquals",
	"DateLessThan", "DateLessThanEquals", "DateGreaterThan",
	"DateGreaterThanEquals", "Bool", "BinaryEquals", "IpAddress",
	"NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike",
	"Null", NULL};

static bool is_number_text(const char *s)
{
	char *end = NULL;

	if (!*s || isspace((unsigned char)*s))
		return false;
	(void)strtod(s, &end);
	return end && *end == '\0';
}

/* Seconds east of UTC from "hh:mm" after a sign; false when malformed. */
static bool zone_offset(int64_t *out, const char *p, int sign)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(p, "%H:%M", &tm);
	if (!end || *end)
		return false;
	*out = sign * ((int64_t)tm.tm_hour * 3600 + (int64_t)tm.tm_min * 60);
	return true;
}

int tr_policy_date_parse(int64_t *out, const char *s)
{
	struct tm tm;
	const char *p;
	int64_t offset = 0;

	if (*s && strspn(s, "0123456789") == strlen(s))
		return tr_str_to_i64(out, s, 0, INT64_MAX / 2);
	memset(&tm, 0, sizeof(tm));
	p = strptime(s, "%Y-%m-%d", &tm);
	if (!p || p - s != 10)
		return TR_EINVALID;
	if (*p) {
		if (*p != 'T' || !(p = strptime(p + 1, "%H:%M", &tm)))
			return TR_EINVALID;
		if (*p == ':' && !(p = strptime(p + 1, "%S", &tm)))
			return TR_EINVALID;
		if (*p == '.') {
			size_t n = strspn(p + 1, "0123456789");
			if (!n)
				return TR_EINVALID;
			p += 1 + n; /* IAM compares whole seconds */
		}
		if (*p == 'Z')
			p++;
		else if ((*p == '+' || *p == '-') &&
			 zone_offset(&offset, p + 1, *p == '+' ? 1 : -1))
			p += strlen(p);
		if (*p)
			return TR_EINVALID;
	}
	*out = (int64_t)timegm(&tm) - offset;
	return 0;
}

int tr_policy_cidr_parse(tr_policy_cidr *out, const char *s)
{
	char addr[64];
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	int64_t bits;
	int max;

	memset(out, 0, sizeof(*out));
	if (len == 0 || len >= sizeof(addr))
		return TR_EINVALID;
	memcpy(addr, s, len);
	addr[len] = '\0';
	if (inet_pton(AF_INET, addr, out->addr) == 1) {
		out->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, out->addr) == 1) {
		out->family = AF_INET6;
		max = 128;
	} else {
		return TR_EINVALID;
	}
	bits = max;
	if (slash && tr_str_to_i64(&bits, slash + 1, 0, max) < 0)
		return TR_EINVALID;
	out->bits = (int)bits;
	return 0;
}

static bool is_date_text(const char *s)
{
	int64_t t;

	return tr_policy_date_parse(&t, s) == 0;
}

static bool is_ip_text(const char *s)
{
	tr_policy_cidr c;

	return tr_policy_cidr_parse(&c, s) == 0;
}

static bool is_base64_text(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n % 4 != 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!isalnum(c) && c != '+' && c != '/' &&
		    !(c == '=' && i >= n - 2))
			return false;
	}
	return true;
}

static bool is_bool_text(const char *s)
{
	return strcasecmp(s, "true") == 0 || strcasecmp(s, "false") == 0;
}

static void check_condition_value(gctx *g, const tr_policy_op *op,
				  const char *opname, const cJSON *v,
				  const jpath *p)
{
	const char *s = cJSON_IsString(v) ? v->valuestring : NULL;
	const char *want = NULL;

	if (!cJSON_IsString(v) && !cJSON_IsNumber(v) && !cJSON_IsBool(v)) {
		report(g, TR_SEV_ERROR, "policy.condition-value", p,
		       "%s values must be strings, numbers or booleans, "
		       "not %s",
		       opname, json_type(v));
		return;
	}
	if (s && has_ref(s))
		return; /* known after resolution */
	switch (op->family) {
	case TR_POLICY_FAMILY_NUMERIC:
		if (s && !is_number_text(s))
			want = "a number";
		else if (cJSON_IsBool(v))
			want = "a number";
		break;
	case TR_POLICY_FAMILY_DATE:
		if ((s && !is_date_text(s)) || cJSON_IsBool(v))
			want = "a date (ISO 8601 such as 2026-01-31T12:00:00Z, "
			       "or epoch seconds)";
		break;
	case TR_POLICY_FAMILY_BOOL:
	case TR_POLICY_FAMILY_NULL:
		if ((s && !is_bool_text(s)) || cJSON_IsNumber(v))
			want = "true or false";
		break;
	case TR_POLICY_FAMILY_IP:
		if (!s || !is_ip_text(s))
			want = "an IP address or CIDR block such as "
			       "10.0.0.0/16";
		break;
	case TR_POLICY_FAMILY_ARN:
		if (!s || (!tr_str_has_prefix(s, "arn:") &&
			   strspn(s, "*?") != strlen(s)))
			want = "an ARN (arn:partition:service:region:account:"
			       "resource, wildcards allowed)";
		break;
	case TR_POLICY_FAMILY_BINARY:
		if (!s || !is_base64_text(s))
			want = "base64 text";
		break;
	case TR_POLICY_FAMILY_STRING:
		break;
	}
	if (!want)
		return;
	if (s)
		report(g, TR_SEV_ERROR, "policy.condition-value", p,
		       "%s needs %s, not \"%.*s\"", opname, want, QUOTED(s));
	else
		report(g, TR_SEV_ERROR, "policy.condition-value", p,
		       "%s needs %s, not %s", opname, want, json_type(v));
}

static void check_condition_key(gctx *g, const char *key, const jpath *p)
{
	const char *colon = strchr(key, ':');

	if (has_ref(key) || (colon && colon > key && colon[1]))
		return;
	report(g, TR_SEV_ERROR, "policy.condition-key", p,
	       "invalid condition key \"%.*s\": expected service:name such as "
	       "aws:PrincipalArn or vpc-lattice-svcs:SourceVpc",
	       QUOTED(key));
}

static void check_operator(gctx *g, const cJSON *ov, const jpath *cond)
{
	tr_policy_op op;
	jpath pp, *p = &pp;

	path_key(p, cond, ov->string);
	if (tr_policy_op_parse(&op, ov->string) < 0) {
		const char *name = ov->string;
		if (tr_str_has_prefix(name, SET_ANY))
			name += strlen(SET_ANY);
		else if (tr_str_has_prefix(name, SET_ALL))
			name += strlen(SET_ALL);
		if (strcmp(name, "NullIfExists") == 0)
			report(g, TR_SEV_ERROR, "policy.operator", p,
			       "Null cannot take IfExists: it already tests "
			       "whether the key exists");
		else
			unknown_element(g, cond, ov->string,
					"as a condition operator (String*, "
					"Numeric*, Date*, Bool, BinaryEquals, "
					"IpAddress, NotIpAddress, Arn*, Null, "
					"optionally ...IfExists and "
					"ForAllValues:/ForAnyValue:)",
					operator_names);
		return;
	}
	if (!cJSON_IsObject(ov)) {
		report(g, TR_SEV_ERROR, "policy.type", p,
		       "%s must be an object of condition keys and values, "
		       "not %s",
		       ov->string, json_type(ov));
		return;
	}
	if (!ov->child) {
		report(g, TR_SEV_ERROR, "policy.empty", p,
		       "%s must test at least one condition key", ov->string);
		return;
	}
	check_dupes(g, ov, p);
	for (const cJSON *k = ov->child; k; k = k->next) {
		jpath kp;
		path_key(&kp, p, k->string);
		check_condition_key(g, k->string, &kp);
		if (cJSON_IsArray(k)) {
			size_t i = 0;
			if (!k->child)
				report(g, TR_SEV_ERROR, "policy.empty", &kp,
				       "a condition needs at least one value");
			for (const cJSON *it = k->child; it;
			     it = it->next, i++) {
				jpath ip;
				path_index(&ip, &kp, i);
				check_condition_value(g, &op, ov->string, it,
						      &ip);
			}
		} else {
			check_condition_value(g, &op, ov->string, k, &kp);
		}
	}
}

static void check_condition(gctx *g, const cJSON *v, const jpath *p)
{
	if (!cJSON_IsObject(v)) {
		report(g, TR_SEV_ERROR, "policy.type", p,
		       "Condition must be an object of operators, not %s",
		       json_type(v));
		return;
	}
	check_dupes(g, v, p);
	for (const cJSON *ov = v->child; ov; ov = ov->next)
		check_operator(g, ov, p);
}

/* Statements ----------------------------------------------------------- */

static const char *const statement_keys[] = {
	"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
	"Resource", "NotResource", "Condition", NULL};

static const char *type_name(tr_policy_type type)
{
	switch (type) {
	case TR_POLICY_AUTH:
		return "an auth policy";
	case TR_POLICY_TRUST:
		return "a trust policy";
	case TR_POLICY_IDENTITY:
		return "an identity (inline) policy";
	}
	return "a policy";
}

static void check_sid(gctx *g, const cJSON *v, const jpath *p)
{
	if (!cJSON_IsString(v)) {
		report(g, TR_SEV_ERROR, "policy.sid", p,
		       "Sid must be a string, not %s", json_type(v));
		return;
	}
	/* IAM's own documents take only ASCII letters and digits. */
	if (g->type == TR_POLICY_AUTH)
		return;
	for (const char *c = v->valuestring; *c; c++)
		if (!isalnum((unsigned char)*c)) {
			report(g, TR_SEV_ERROR, "policy.sid", p,
			       "invalid Sid \"%.*s\": IAM takes only letters "
			       "A-Z, a-z and digits 0-9",
			       QUOTED(v->valuestring));
			return;
		}
}

/* One of a pair (Action/NotAction, ...): `required` reports when neither
 * is present; both at once is always an error. */
static const cJSON *pick_pair(gctx *g, const cJSON *st, const jpath *p,
			      const char *a, const char *b, bool required,
			      const char **which)
{
	const cJSON *va = cJSON_GetObjectItemCaseSensitive(st, a);
	const cJSON *vb = cJSON_GetObjectItemCaseSensitive(st, b);
	jpath kp;

	*which = va ? a : b;
	if (va && vb) {
		path_key(&kp, p, b);
		report(g, TR_SEV_ERROR, "policy.statement", &kp,
		       "a statement takes %s or %s, not both", a, b);
		return va;
	}
	if (!va && !vb && required) {
		path_key(&kp, p, a);
		report(g, TR_SEV_ERROR, "policy.statement", &kp,
		       "Required value: a statement of %s needs %s or %s",
		       type_name(g->type), a, b);
	}
	return va ? va : vb;
}

static void check_statement(gctx *g, const cJSON *st, const jpath *p)
{
	const cJSON *v, *effect;
	const char *which;
	jpath kp;

	if (!cJSON_IsObject(st)) {
		report(g, TR_SEV_ERROR, "policy.type", p,
		       "a statement must be an object, not %s", json_type(st));
		return;
	}
	check_dupes(g, st, p);
	for (const cJSON *k = st->child; k; k = k->next) {
		bool known = false;
		for (size_t i = 0; statement_keys[i]; i++)
			known = known || strcmp(k->string, statement_keys[i]) == 0;
		if (!known)
			unknown_element(g, p, k->string, "in a statement",
					statement_keys);
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(st, "Sid"))) {
		path_key(&kp, p, "Sid");
		check_sid(g, v, &kp);
	}
	path_key(&kp, p, "Effect");
	effect = cJSON_GetObjectItemCaseSensitive(st, "Effect");
	if (!effect)
		report(g, TR_SEV_ERROR, "policy.effect", &kp,
		       "Required value: a statement needs Effect "
		       "(\"Allow\" or \"Deny\")");
	else if (!cJSON_IsString(effect))
		report(g, TR_SEV_ERROR, "policy.effect", &kp,
		       "Effect must be \"Allow\" or \"Deny\", not %s",
		       json_type(effect));
	else if (strcmp(effect->valuestring, "Allow") != 0 &&
		 strcmp(effect->valuestring, "Deny") != 0)
		report(g, TR_SEV_ERROR, "policy.effect", &kp,
		       "Effect must be \"Allow\" or \"Deny\", not \"%.*s\"",
		       QUOTED(effect->valuestring));

	v = pick_pair(g, st, p, "Principal", "NotPrincipal",
		      g->type != TR_POLICY_IDENTITY, &which);
	if (v) {
		path_key(&kp, p, which);
		if (g->type == TR_POLICY_IDENTITY)
			report(g, TR_SEV_ERROR, "policy.principal", &kp,
			       "%s is not allowed in an identity policy: the "
			       "principal is the role it is attached to",
			       which);
		else if (g->type == TR_POLICY_TRUST &&
			 strcmp(which, "NotPrincipal") == 0)
			report(g, TR_SEV_ERROR, "policy.principal", &kp,
			       "NotPrincipal is not allowed in a role's trust "
			       "policy");
		else
			check_principal(g, v, &kp, which);
	}

	v = pick_pair(g, st, p, "Action", "NotAction", true, &which);
	if (v) {
		path_key(&kp, p, which);
		each_string(g, v, &kp, which, check_action);
	}

	v = pick_pair(g, st, p, "Resource", "NotResource",
		      g->type != TR_POLICY_TRUST, &which);
	if (v) {
		path_key(&kp, p, which);
		if (g->type == TR_POLICY_TRUST)
			report(g, TR_SEV_ERROR, "policy.resource", &kp,
			       "%s is not allowed in a role's trust policy: "
			       "the resource is the role itself",
			       which);
		else
			each_string(g, v, &kp, which, check_resource);
	}

	if ((v = cJSON_GetObjectItemCaseSensitive(st, "Condition"))) {
		path_key(&kp, p, "Condition");
		check_condition(g, v, &kp);
	}
}

/* IAM wants Sids unique within one policy. */
static void check_sids_unique(gctx *g, const cJSON *list, const jpath *p)
{
	size_t i = 0;

	for (const cJSON *a = list->child; a; a = a->next, i++) {
		const char *sa = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(a, "Sid"));
		if (!sa || !*sa)
			continue;
		for (const cJSON *b = list->child; b != a; b = b->next) {
			const char *sb = cJSON_GetStringValue(
				cJSON_GetObjectItemCaseSensitive(b, "Sid"));
			if (sb && strcmp(sa, sb) == 0) {
				jpath ip, kp;
				path_index(&ip, p, i);
				path_key(&kp, &ip, "Sid");
				report(g, TR_SEV_ERROR, "policy.sid", &kp,
				       "duplicate Sid \"%.*s\": each statement "
				       "of a policy needs its own",
				       QUOTED(sa));
				break;
			}
		}
	}
}

static void check_statements(gctx *g, const cJSON *v, const jpath *p)
{
	size_t i = 0;

	if (cJSON_IsObject(v)) {
		check_statement(g, v, p);
		return;
	}
	if (!cJSON_IsArray(v)) {
		report(g, TR_SEV_ERROR, "policy.type", p,
		       "Statement must be an object or an array of objects, "
		       "not %s",
		       json_type(v));
		return;
	}
	if (!v->child) {
		report(g, TR_SEV_ERROR, "policy.empty", p,
		       "Statement must hold at least one statement");
		return;
	}
	for (const cJSON *st = v->child; st; st = st->next, i++) {
		jpath ip;
		path_index(&ip, p, i);
		check_statement(g, st, &ip);
	}
	check_sids_unique(g, v, p);
}

static const char *const top_keys[] = {"Version", "Id", "Statement", NULL};

static void check_root(gctx *g, const cJSON *root, const jpath *p)
{
	const cJSON *v;
	jpath kp;

	if (!cJSON_IsObject(root)) {
		report(g, TR_SEV_ERROR, "policy.type", p,
		       "a policy document must be a JSON object, not %s",
		       json_type(root));
		return;
	}
	check_dupes(g, root, p);
	for (const cJSON *k = root->child; k; k = k->next)
		if (strcmp(k->string, "Version") != 0 &&
		    strcmp(k->string, "Id") != 0 &&
		    strcmp(k->string, "Statement") != 0)
			unknown_element(g, p, k->string,
					"at the top of a policy", top_keys);
	path_key(&kp, p, "Version");
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "Version")))
		check_version(g, v, &kp);
	else
		report(g, TR_SEV_WARNING, "policy.version", &kp,
		       "no Version: AWS reads the policy as \"2008-10-17\", "
		       "where policy variables such as ${aws:username} are "
		       "plain text; write \"Version\": \"2012-10-17\"");
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "Id")) &&
	    !cJSON_IsString(v)) {
		path_key(&kp, p, "Id");
		report(g, TR_SEV_ERROR, "policy.type", &kp,
		       "Id must be a string, not %s", json_type(v));
	}
	path_key(&kp, p, "Statement");
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "Statement")))
		check_statements(g, v, &kp);
	else
		report(g, TR_SEV_ERROR, "policy.statement", &kp,
		       "Required value: a policy needs a Statement");
}

/* Parsing -------------------------------------------------------------- */

static bool json_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int tr_policy_parse(cJSON **out, const char *text, size_t len)
{
	const char *stop = NULL, *end = text + len;
	cJSON *doc;

	*out = NULL;
	doc = cJSON_ParseWithLengthOpts(text, len, &stop, 0);
	if (!doc)
		return TR_EINVALID;
	while (stop && stop < end && json_space(*stop))
		stop++;
	if ((stop && stop < end) || !cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		return TR_EINVALID;
	}
	*out = doc;
	return 0;
}

/* A syntax error, placed at its line and column inside the policy text
 * (the YAML position is the field's), with the usual mistake named. */
static void report_syntax(gctx *g, const char *text, size_t len,
			  const char *stop, bool trailing, const jpath *p)
{
	tr_json_syntax where;

	tr_manifest_json_syntax(text, len, text, stop,
				trailing ? "a policy is one JSON object; this "
					   "is more text after it"
					 : NULL,
				&where);
	report(g, TR_SEV_ERROR, "policy.json", p,
	       "the policy is not valid JSON (line %u, column %u of the "
	       "policy): %s",
	       where.line, where.col, where.why);
}

/* Sizes ---------------------------------------------------------------- */

size_t tr_policy_quota_chars(const char *text, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if ((c & 0xc0) != 0x80 && !json_space((char)c))
			n++;
	}
	return n;
}

static void check_size(gctx *g, const char *text, size_t len,
		       const cJSON *doc, const jpath *p)
{
	size_t n;

	if (g->type == TR_POLICY_AUTH) {
		/* VPC Lattice takes the policy without newlines; trellis
		 * sends it compact, so that is the size that counts. */
		char *compact = cJSON_PrintUnformatted(doc);
		n = compact ? strlen(compact) : len;
		cJSON_free(compact);
		if (n > TR_POLICY_AUTH_MAX_BYTES)
			report(g, TR_SEV_ERROR, "policy.size", p,
			       "the auth policy is %zu bytes without "
			       "whitespace, over VPC Lattice's %u-byte (10 KB) "
			       "limit",
			       n, TR_POLICY_AUTH_MAX_BYTES);
		return;
	}
	n = tr_policy_quota_chars(text, len);
	if (g->type == TR_POLICY_TRUST && n > TR_POLICY_TRUST_MAX_CHARS)
		report(g, TR_SEV_WARNING, "policy.size", p,
		       "the trust policy has %zu characters without "
		       "whitespace, over IAM's default quota of %u: CreateRole "
		       "fails unless the account's quota was raised",
		       n, TR_POLICY_TRUST_MAX_CHARS);
	if (g->type == TR_POLICY_IDENTITY && n > TR_POLICY_INLINE_MAX_CHARS)
		report(g, TR_SEV_ERROR, "policy.size", p,
		       "the inline policy has %zu characters without "
		       "whitespace, over IAM's %u for all inline policies of "
		       "a role",
		       n, TR_POLICY_INLINE_MAX_CHARS);
}

int tr_policy_check(const char *text, size_t len, tr_policy_type type,
		    const tr_policy_site *site, tr_diag *diag)
{
	gctx g = {diag, site, type, 0};
	const char *stop = NULL, *end = text + len, *p = text;
	jpath root;
	cJSON *doc;

	snprintf(root.s, sizeof(root.s), "%s", site->path ? site->path : "");
	while (p < end && json_space(*p))
		p++;
	if (p == end) {
		report(&g, TR_SEV_ERROR, "policy.json", &root,
		       "the policy is empty: expected a JSON object with "
		       "Version and Statement");
		return TR_EINVALID;
	}
	if (memchr(text, '\0', len)) {
		report(&g, TR_SEV_ERROR, "policy.json", &root,
		       "the policy holds a NUL character");
		return TR_EINVALID;
	}
	doc = cJSON_ParseWithLengthOpts(text, len, &stop, 0);
	if (!doc) {
		report_syntax(&g, text, len, stop, false, &root);
		return TR_EINVALID;
	}
	while (stop && stop < end && json_space(*stop))
		stop++;
	if (stop && stop < end) {
		report_syntax(&g, text, len, stop, true, &root);
		cJSON_Delete(doc);
		return TR_EINVALID;
	}
	check_root(&g, doc, &root);
	if (cJSON_IsObject(doc))
		check_size(&g, text, len, doc, &root);
	cJSON_Delete(doc);
	return g.errors ? TR_EINVALID : 0;
}

/* Documents ------------------------------------------------------------ */

static int check_node(const tr_manifest_doc *doc, const tr_node *n,
		      const char *path, tr_policy_type type, tr_diag *diag)
{
	tr_policy_site site = {doc->file, n->line, n->col, path};

	if (n->type != TR_NODE_STRING)
		return 0; /* the schema reports it */
	return tr_policy_check(n->text, n->text_len, type, &site, diag);
}

static int check_role(const tr_manifest_doc *doc, const tr_node *spec,
		      tr_diag *diag)
{
	const tr_node *trust = tr_node_get(spec, "assumeRolePolicyDocument");
	const tr_node *inl = tr_node_get(spec, "inlinePolicies");
	size_t total = 0;
	int rc = 0;

	if (trust && check_node(doc, trust, "spec.assumeRolePolicyDocument",
				TR_POLICY_TRUST, diag) < 0)
		rc = TR_EINVALID;
	if (!inl || inl->type != TR_NODE_MAP)
		return rc;
	for (size_t i = 0; i < inl->count; i++) {
		const char *k = inl->u.pairs[i].key;
		const tr_node *v = inl->u.pairs[i].value;
		jpath base, p;

		snprintf(base.s, sizeof(base.s), "spec.inlinePolicies");
		path_key(&p, &base, k);
		if (check_node(doc, v, p.s, TR_POLICY_IDENTITY, diag) < 0)
			rc = TR_EINVALID;
		if (v->type == TR_NODE_STRING)
			total += tr_policy_quota_chars(v->text, v->text_len);
	}
	if (inl->count > 1 && total > TR_POLICY_INLINE_MAX_CHARS) {
		tr_diag_add(diag, TR_SEV_ERROR, "policy.size", doc->file,
			    inl->line, inl->col, "spec.inlinePolicies",
			    "the inline policies have %zu characters without "
			    "whitespace together, over IAM's %u per role",
			    total, TR_POLICY_INLINE_MAX_CHARS);
		rc = TR_EINVALID;
	}
	return rc;
}

int tr_policy_check_document(const tr_manifest_doc *doc, const tr_node *root,
			     tr_diag *diag)
{
	const tr_node *spec = tr_node_get(root, "spec");
	const tr_node *n;

	if (!spec || spec->type != TR_NODE_MAP)
		return 0;
	if (tr_manifest_group_is(doc->api_version, AUTH_GROUP) &&
	    strcmp(doc->kind, "IAMAuthPolicy") == 0) {
		n = tr_node_get(spec, "policy");
		return n ? check_node(doc, n, "spec.policy", TR_POLICY_AUTH,
				      diag)
			 : 0;
	}
	if (tr_manifest_group_is(doc->api_version, IAM_GROUP) &&
	    strcmp(doc->kind, "Role") == 0)
		return check_role(doc, spec, diag);
	return 0;
}
