/*
 * HTTPRoute and GRPCRoute rules (CEL in the CRDs): filters (type and field
 * agree, no repeats, redirect vs rewrite vs backendRefs), Service backend
 * ports, path match values, path modifiers, request mirrors, CORS, timeouts,
 * the match budget of a route, parentRefs to the same parent, and gRPC
 * method matches.
 */
#include <stdio.h>
#include <string.h>

#include "validate/rules_internal.h"
#include "validate/schema_internal.h"

typedef struct filter_kind {
	const char *type;
	const char *field;
	bool once; /* "<Type> filter cannot be repeated" */
} filter_kind;

static const filter_kind http_filters[] = {
	{"CORS", "cors", true},
	{"RequestHeaderModifier", "requestHeaderModifier", true},
	{"ResponseHeaderModifier", "responseHeaderModifier", true},
	{"RequestMirror", "requestMirror", false},
	{"RequestRedirect", "requestRedirect", true},
	{"URLRewrite", "urlRewrite", true},
	{"ExtensionRef", "extensionRef", false},
	{NULL, NULL, false}};

static const filter_kind grpc_filters[] = {
	{"RequestHeaderModifier", "requestHeaderModifier", true},
	{"ResponseHeaderModifier", "responseHeaderModifier", true},
	{"RequestMirror", "requestMirror", false},
	{"ExtensionRef", "extensionRef", false},
	{NULL, NULL, false}};

typedef struct route {
	tr_rules_ctx *c;
	bool http;
	const char *kind; /* rule id prefix: "httproute" or "grpcroute" */
} route;

static void fail(route *r, const tr_node *n, const char *path, const char *id,
		 const char *message)
{
	char rule[64];

	snprintf(rule, sizeof(rule), "%s.%s", r->kind, id);
	tr_rules__fail(r->c, n, path, rule, message);
}

/* (size(self.group) == 0 && self.kind == 'Service') ? has(self.port) */
static void backend_port(route *r, const tr_node *ref, const char *path)
{
	if (!ref || ref->type != TR_NODE_MAP)
		return;
	if (tr_rules__size(tr_rules__get(ref, "group")) == 0 && tr_rules__str_is(ref, "kind", "Service") &&
	    !tr_rules__has(ref, "port"))
		fail(r, ref, path, "backend-port",
		     "Must have port for Service reference");
}

static void path_modifier(route *r, const tr_node *f, const char *fpath,
			  const char *field)
{
	const tr_node *p = tr_rules__get(tr_rules__get(f, field), "path");
	tr_rules_path pp;

	if (!p)
		return;
	tr_rules__path_key(&pp, fpath, field);
	tr_rules__path_key(&pp, pp.s, "path");
	if (tr_rules__str_is(p, "type", "ReplaceFullPath") && !tr_rules__has(p, "replaceFullPath"))
		fail(r, p, pp.s, "path-modifier",
		     "replaceFullPath must be specified when type is set to "
		     "'ReplaceFullPath'");
	if (tr_rules__has(p, "replaceFullPath") && !tr_rules__str_is(p, "type", "ReplaceFullPath"))
		fail(r, p, pp.s, "path-modifier",
		     "type must be 'ReplaceFullPath' when replaceFullPath is set");
	if (tr_rules__str_is(p, "type", "ReplacePrefixMatch") &&
	    !tr_rules__has(p, "replacePrefixMatch"))
		fail(r, p, pp.s, "path-modifier",
		     "replacePrefixMatch must be specified when type is set to "
		     "'ReplacePrefixMatch'");
	if (tr_rules__has(p, "replacePrefixMatch") &&
	    !tr_rules__str_is(p, "type", "ReplacePrefixMatch"))
		fail(r, p, pp.s, "path-modifier",
		     "type must be 'ReplacePrefixMatch' when replacePrefixMatch is "
		     "set");
}

static bool list_has_str(const tr_node *seq, const char *s)
{
	for (size_t i = 0; i < tr_rules__count(seq); i++) {
		const char *v = tr_node_str(tr_rules__item(seq, i));
		if (v && strcmp(v, s) == 0)
			return true;
	}
	return false;
}

static void cors(route *r, const tr_node *f, const char *fpath)
{
	static const struct {
		const char *field, *message;
	} stars[] = {
		{"allowHeaders",
		 "AllowHeaders cannot contain '*' alongside other methods"},
		{"allowMethods",
		 "AllowMethods cannot contain '*' alongside other methods"},
		{"allowOrigins",
		 "AllowOrigins cannot contain '*' alongside other origins"},
	};
	const tr_node *cr = tr_rules__get(f, "cors");
	tr_rules_path cp, lp;

	if (!cr)
		return;
	tr_rules__path_key(&cp, fpath, "cors");
	for (size_t i = 0; i < sizeof(stars) / sizeof(stars[0]); i++) {
		const tr_node *l = tr_rules__get(cr, stars[i].field);
		if (list_has_str(l, "*") && tr_rules__count(l) > 1) {
			tr_rules__path_key(&lp, cp.s, stars[i].field);
			fail(r, l, lp.s, "cors", stars[i].message);
		}
	}
}

static void mirror(route *r, const tr_node *f, const char *fpath)
{
	const tr_node *m = tr_rules__get(f, "requestMirror");
	const tr_node *frac;
	tr_rules_path mp, sub;

	if (!m)
		return;
	tr_rules__path_key(&mp, fpath, "requestMirror");
	tr_rules__path_key(&sub, mp.s, "backendRef");
	backend_port(r, tr_rules__get(m, "backendRef"), sub.s);
	if (tr_rules__has(m, "percent") && tr_rules__has(m, "fraction"))
		fail(r, m, mp.s, "mirror",
		     "Only one of percent or fraction may be specified in "
		     "HTTPRequestMirrorFilter");
	frac = tr_rules__get(m, "fraction");
	if (frac) {
		const tr_node *num = tr_rules__get(frac, "numerator");
		const tr_node *den = tr_rules__get(frac, "denominator");
		if (num && den && num->type == TR_NODE_INT &&
		    den->type == TR_NODE_INT && num->as.integer > den->as.integer) {
			tr_rules__path_key(&sub, mp.s, "fraction");
			fail(r, frac, sub.s, "mirror",
			     "numerator must be less than or equal to denominator");
		}
	}
}

static void filters(route *r, const tr_node *list, const char *path)
{
	const filter_kind *kinds = r->http ? http_filters : grpc_filters;
	bool redirect = false, rewrite = false;
	tr_rules_path fp, xp;
	char msg[160];

	for (size_t i = 0; i < tr_rules__count(list); i++) {
		const tr_node *f = tr_rules__item(list, i);
		const char *type = tr_rules__str(f, "type");
		tr_rules__path_index(&fp, path, i);
		for (size_t k = 0; kinds[k].type; k++) {
			bool has = tr_rules__has(f, kinds[k].field);
			bool is = strcmp(type, kinds[k].type) == 0;
			if (has && !is) {
				tr_rules__path_key(&xp, fp.s, kinds[k].field);
				snprintf(msg, sizeof(msg),
					 "filter.%s must be nil if the filter.type is "
					 "not %s",
					 kinds[k].field, kinds[k].type);
				fail(r, tr_rules__get(f, kinds[k].field), xp.s,
				     "filter", msg);
			} else if (!has && is) {
				snprintf(msg, sizeof(msg),
					 "filter.%s must be specified for %s "
					 "filter.type",
					 kinds[k].field, kinds[k].type);
				fail(r, f, fp.s, "filter", msg);
			}
			if (!is || !kinds[k].once)
				continue;
			for (size_t j = 0; j < i; j++) {
				if (tr_rules__str_is(tr_rules__item(list, j), "type", type)) {
					snprintf(msg, sizeof(msg),
						 "%s filter cannot be repeated", type);
					fail(r, f, fp.s, "filter-repeated", msg);
					break;
				}
			}
		}
		redirect |= strcmp(type, "RequestRedirect") == 0;
		rewrite |= strcmp(type, "URLRewrite") == 0;
		mirror(r, f, fp.s);
		if (r->http) {
			path_modifier(r, f, fp.s, "requestRedirect");
			path_modifier(r, f, fp.s, "urlRewrite");
			cors(r, f, fp.s);
		}
	}
	if (r->http && redirect && rewrite)
		fail(r, list, path, "filter",
		     "May specify either httpRouteFilterRequestRedirect or "
		     "httpRouteFilterRequestRewrite, but not both");
}

/* exists_one(f, has(f.<field>.path) && type == ReplacePrefixMatch && has(...)) */
static bool one_replace_prefix(const tr_node *list, const char *field)
{
	size_t n = 0;

	for (size_t i = 0; i < tr_rules__count(list); i++) {
		const tr_node *p = tr_rules__get(tr_rules__get(tr_rules__item(list, i), field), "path");
		if (p && tr_rules__str_is(p, "type", "ReplacePrefixMatch") &&
		    tr_rules__has(p, "replacePrefixMatch"))
			n++;
	}
	return n == 1;
}

static bool contains(const char *s, const char *needle)
{
	return strstr(s, needle) != NULL;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool hex(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
	       (ch >= 'A' && ch <= 'F');
}

/* ^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$ */
static bool path_chars(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		char ch = *s;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("-/._~!$&'()*+,;=:@", ch))
			continue;
		if (ch == '%' && hex(s[1]) && hex(s[2])) {
			s += 2;
			continue;
		}
		return false;
	}
	return true;
}

static void path_match(route *r, const tr_node *m, const char *mpath)
{
	static const struct {
		const char *needle;
		bool suffix;
		const char *message;
	} bans[] = {
		{"//", false, "must not contain '//' when type one of ['Exact', "
			      "'PathPrefix']"},
		{"/./", false, "must not contain '/./' when type one of ['Exact', "
			       "'PathPrefix']"},
		{"/../", false, "must not contain '/../' when type one of "
				"['Exact', 'PathPrefix']"},
		{"%2f", false, "must not contain '%2f' when type one of ['Exact', "
			       "'PathPrefix']"},
		{"%2F", false, "must not contain '%2F' when type one of ['Exact', "
			       "'PathPrefix']"},
		{"#", false, "must not contain '#' when type one of ['Exact', "
			     "'PathPrefix']"},
		{"/..", true, "must not end with '/..' when type one of ['Exact', "
			      "'PathPrefix']"},
		{"/.", true, "must not end with '/.' when type one of ['Exact', "
			     "'PathPrefix']"},
	};
	const tr_node *p = tr_rules__get(m, "path");
	const char *value;
	tr_rules_path pp;

	if (!p || !(tr_rules__str_is(p, "type", "Exact") || tr_rules__str_is(p, "type", "PathPrefix")))
		return;
	tr_rules__path_key(&pp, mpath, "path");
	value = tr_rules__str(p, "value");
	if (value[0] != '/')
		fail(r, p, pp.s, "path",
		     "value must be an absolute path and start with '/' when type "
		     "one of ['Exact', 'PathPrefix']");
	for (size_t i = 0; i < sizeof(bans) / sizeof(bans[0]); i++) {
		bool hit = bans[i].suffix ? ends_with(value, bans[i].needle)
					  : contains(value, bans[i].needle);
		if (hit)
			fail(r, p, pp.s, "path", bans[i].message);
	}
	if (!path_chars(value))
		fail(r, p, pp.s, "path",
		     "must only contain valid characters (matching "
		     "^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$) for "
		     "types ['Exact', 'PathPrefix']");
}

/* Gateway API durations, ^([0-9]{1,5}(h|m|s|ms)){1,4}$, in milliseconds;
 * -1 when the text is not one (the schema has reported it). */
static long long duration_ms(const char *s)
{
	long long total = 0;
	int parts = 0;

	while (*s) {
		long long v = 0;
		int digits = 0;
		while (*s >= '0' && *s <= '9' && digits < 6) {
			v = v * 10 + (*s++ - '0');
			digits++;
		}
		if (digits == 0 || digits > 5 || ++parts > 4)
			return -1;
		if (s[0] == 'm' && s[1] == 's') {
			total += v;
			s += 2;
		} else if (*s == 'h') {
			total += v * 3600000;
			s++;
		} else if (*s == 'm') {
			total += v * 60000;
			s++;
		} else if (*s == 's') {
			total += v * 1000;
			s++;
		} else {
			return -1;
		}
	}
	return parts ? total : -1;
}

static void timeouts(route *r, const tr_node *rule, const char *rpath_)
{
	const tr_node *t = tr_rules__get(rule, "timeouts");
	long long req, be;
	tr_rules_path tp;

	if (!t || !tr_rules__has(t, "request") || !tr_rules__has(t, "backendRequest"))
		return;
	req = duration_ms(tr_rules__str(t, "request"));
	be = duration_ms(tr_rules__str(t, "backendRequest"));
	if (req < 0 || be < 0)
		return;
	tr_rules__path_key(&tp, rpath_, "timeouts");
	if (req != 0 && be > req)
		fail(r, t, tp.s, "timeouts",
		     "backendRequest timeout cannot be longer than request timeout");
}

static bool ident_char(char ch, bool first, bool any_case)
{
	bool lower = ch >= 'a' && ch <= 'z';
	bool upper = ch >= 'A' && ch <= 'Z';

	if (ch == '_' || lower || (upper && any_case))
		return true;
	return !first && ch >= '0' && ch <= '9';
}

/* ^(?i)\.?[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*$ */
static bool grpc_service_ok(const char *s)
{
	if (*s == '.')
		s++;
	while (true) {
		if (!ident_char(*s, true, true))
			return false;
		s++;
		while (*s && *s != '.' && ident_char(*s, false, true))
			s++;
		if (*s == '\0')
			return true;
		if (*s != '.')
			return false;
		s++;
	}
}

/* ^[A-Za-z_][A-Za-z_0-9]*$ */
static bool grpc_method_ok(const char *s)
{
	if (!ident_char(*s, true, true))
		return false;
	for (s++; *s; s++)
		if (!ident_char(*s, false, true))
			return false;
	return true;
}

static void grpc_method(route *r, const tr_node *m, const char *mpath)
{
	const tr_node *meth = tr_rules__get(m, "method");
	bool exact;
	tr_rules_path pp;

	if (!meth)
		return;
	tr_rules__path_key(&pp, mpath, "method");
	exact = !tr_rules__has(meth, "type") || tr_rules__str_is(meth, "type", "Exact");
	if (tr_rules__has(meth, "type") && !tr_rules__has(meth, "service") && !tr_rules__has(meth, "method"))
		fail(r, meth, pp.s, "method",
		     "One or both of 'service' or 'method' must be specified");
	if (exact && tr_rules__has(meth, "service") &&
	    !grpc_service_ok(tr_rules__str(meth, "service")))
		fail(r, meth, pp.s, "method",
		     "service must only contain valid characters (matching "
		     "^(?i)\\.?[a-z_][a-z_0-9]*(\\.[a-z_][a-z_0-9]*)*$)");
	if (exact && tr_rules__has(meth, "method") && !grpc_method_ok(tr_rules__str(meth, "method")))
		fail(r, meth, pp.s, "method",
		     "method must only contain valid characters (matching "
		     "^[A-Za-z_][A-Za-z_0-9]*$)");
}

static bool one_path_prefix(const tr_node *rule)
{
	const tr_node *ms = tr_rules__get(rule, "matches");
	const tr_node *p = tr_rules__get(tr_rules__item(ms, 0), "path");

	return tr_rules__size(ms) == 1 && p && tr_rules__str_is(p, "type", "PathPrefix");
}

static void http_rule(route *r, const tr_node *rule, const char *path)
{
	const tr_node *fl = tr_rules__get(rule, "filters");
	const tr_node *bl = tr_rules__get(rule, "backendRefs");
	size_t in_backends = 0;

	if (tr_rules__size(bl) > 0) {
		for (size_t i = 0; i < tr_rules__count(fl); i++) {
			if (tr_rules__has(tr_rules__item(fl, i), "requestRedirect")) {
				fail(r, rule, path, "redirect-backends",
				     "RequestRedirect filter must not be used "
				     "together with backendRefs");
				break;
			}
		}
	}
	if (one_replace_prefix(fl, "requestRedirect") && !one_path_prefix(rule))
		fail(r, rule, path, "replace-prefix",
		     "When using RequestRedirect filter with "
		     "path.replacePrefixMatch, exactly one PathPrefix match must "
		     "be specified");
	if (one_replace_prefix(fl, "urlRewrite") && !one_path_prefix(rule))
		fail(r, rule, path, "replace-prefix",
		     "When using URLRewrite filter with path.replacePrefixMatch, "
		     "exactly one PathPrefix match must be specified");
	for (size_t i = 0; i < tr_rules__count(bl); i++)
		in_backends += one_replace_prefix(tr_rules__get(tr_rules__item(bl, i), "filters"),
						  "requestRedirect");
	if (in_backends == 1 && !one_path_prefix(rule))
		fail(r, rule, path, "replace-prefix",
		     "Within backendRefs, when using RequestRedirect filter with "
		     "path.replacePrefixMatch, exactly one PathPrefix match must "
		     "be specified");
	in_backends = 0;
	for (size_t i = 0; i < tr_rules__count(bl); i++)
		in_backends += one_replace_prefix(tr_rules__get(tr_rules__item(bl, i), "filters"),
						  "urlRewrite");
	if (in_backends == 1 && !one_path_prefix(rule))
		fail(r, rule, path, "replace-prefix",
		     "Within backendRefs, When using URLRewrite filter with "
		     "path.replacePrefixMatch, exactly one PathPrefix match must "
		     "be specified");
	timeouts(r, rule, path);
}

static void rules(route *r, const tr_node *spec)
{
	const tr_node *rl = tr_rules__get(spec, "rules");
	size_t matches = 0;
	tr_rules_path lp, ip, sub, item;

	tr_rules__path_key(&lp, "spec", "rules");
	for (size_t i = 0; i < tr_rules__count(rl); i++) {
		const tr_node *rule = tr_rules__item(rl, i);
		const tr_node *ms = tr_rules__get(rule, "matches");
		const tr_node *bl = tr_rules__get(rule, "backendRefs");
		tr_rules__path_index(&ip, lp.s, i);
		if (i < 16)
			matches += tr_rules__size(ms);
		tr_rules__path_key(&sub, ip.s, "filters");
		filters(r, tr_rules__get(rule, "filters"), sub.s);
		for (size_t j = 0; j < tr_rules__count(bl); j++) {
			const tr_node *b = tr_rules__item(bl, j);
			tr_rules__path_key(&sub, ip.s, "backendRefs");
			tr_rules__path_index(&item, sub.s, j);
			backend_port(r, b, item.s);
			tr_rules__path_key(&sub, item.s, "filters");
			filters(r, tr_rules__get(b, "filters"), sub.s);
		}
		tr_rules__path_key(&sub, ip.s, "matches");
		for (size_t j = 0; j < tr_rules__count(ms); j++) {
			tr_rules__path_index(&item, sub.s, j);
			if (r->http)
				path_match(r, tr_rules__item(ms, j), item.s);
			else
				grpc_method(r, tr_rules__item(ms, j), item.s);
		}
		if (r->http)
			http_rule(r, rule, ip.s);
	}
	if (matches > 128)
		fail(r, rl, lp.s, "match-count",
		     "While 16 rules and 64 matches per rule are allowed, the total "
		     "number of matches across all rules in a route must be less "
		     "than 128");
}

static bool same_or_both_empty(const tr_node *a, const tr_node *b,
			       const char *key)
{
	bool ea = tr_rules__size(tr_rules__get(a, key)) == 0 && !(tr_rules__get(a, key) &&
						  tr_rules__get(a, key)->type != TR_NODE_STRING);
	bool eb = tr_rules__size(tr_rules__get(b, key)) == 0 && !(tr_rules__get(b, key) &&
						  tr_rules__get(b, key)->type != TR_NODE_STRING);

	if (ea || eb)
		return ea && eb;
	return strcmp(tr_rules__str(a, key), tr_rules__str(b, key)) == 0;
}

static bool same_parent(const tr_node *a, const tr_node *b)
{
	return strcmp(tr_rules__str(a, "group"), tr_rules__str(b, "group")) == 0 &&
	       strcmp(tr_rules__str(a, "kind"), tr_rules__str(b, "kind")) == 0 &&
	       strcmp(tr_rules__str(a, "name"), tr_rules__str(b, "name")) == 0 &&
	       same_or_both_empty(a, b, "namespace");
}

static void parent_refs(route *r, const tr_node *spec)
{
	const tr_node *pl = tr_rules__get(spec, "parentRefs");
	tr_rules_path lp, ip;

	tr_rules__path_key(&lp, "spec", "parentRefs");
	for (size_t i = 0; i < tr_rules__count(pl); i++) {
		const tr_node *p = tr_rules__item(pl, i);
		bool specified = false, unique = false;
		tr_rules__path_index(&ip, lp.s, i);
		for (size_t j = 0; j < i; j++) {
			const tr_node *o = tr_rules__item(pl, j);
			bool ep, eo;
			if (!same_parent(p, o))
				continue;
			ep = tr_rules__size(tr_rules__get(p, "sectionName")) == 0;
			eo = tr_rules__size(tr_rules__get(o, "sectionName")) == 0;
			if (ep != eo && !specified) {
				fail(r, p, ip.s, "parent-refs",
				     "sectionName must be specified when parentRefs "
				     "includes 2 or more references to the same "
				     "parent");
				specified = true;
			}
			if (same_or_both_empty(p, o, "sectionName") && !unique) {
				fail(r, p, ip.s, "parent-refs",
				     "sectionName must be unique when parentRefs "
				     "includes 2 or more references to the same "
				     "parent");
				unique = true;
			}
		}
	}
}

static void check_route(tr_rules_ctx *c, const tr_node *root, bool http)
{
	route r = {c, http, http ? "httproute" : "grpcroute"};
	const tr_node *spec = tr_rules__get(root, "spec");

	if (!spec)
		return;
	rules(&r, spec);
	parent_refs(&r, spec);
}

void tr_rules__httproute(tr_rules_ctx *c, const tr_node *root)
{
	check_route(c, root, true);
}

void tr_rules__grpcroute(tr_rules_ctx *c, const tr_node *root)
{
	check_route(c, root, false);
}
