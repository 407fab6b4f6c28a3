/*
 * Gateway rules (CEL in the CRD): listener protocol/TLS/hostname
 * combinations, uniqueness of (port, protocol, hostname), addresses, and
 * the key format of infrastructure labels and annotations.
 */
#include <stdio.h>
#include <string.h>

#include "validate/rules_internal.h"
#include "validate/schema_internal.h"

static bool protocol_in(const tr_node *l, const char *const *list)
{
	const char *p = tr_rules__str(l, "protocol");

	for (size_t i = 0; list[i]; i++)
		if (strcmp(p, list[i]) == 0)
			return true;
	return false;
}

static bool same_optional(const tr_node *a, const tr_node *b, const char *key)
{
	const tr_node *x = tr_rules__get(a, key), *y = tr_rules__get(b, key);

	if (!x || !y)
		return !x && !y;
	return tr_schema__node_equal(x, y);
}

static void listeners(tr_rules_ctx *c, const tr_node *spec, const char *spec_path)
{
	static const char *const no_tls[] = {"HTTP", "TCP", "UDP", NULL};
	static const char *const no_host[] = {"TCP", "UDP", NULL};
	const tr_node *ls = tr_rules__get(spec, "listeners");
	tr_rules_path lp, ip, fp;

	tr_rules__path_key(&lp, spec_path, "listeners");
	for (size_t i = 0; i < tr_rules__count(ls); i++) {
		const tr_node *l = tr_rules__item(ls, i);
		const tr_node *tls = tr_rules__get(l, "tls");
		tr_rules__path_index(&ip, lp.s, i);

		if (protocol_in(l, no_tls) && tls) {
			tr_rules__path_key(&fp, ip.s, "tls");
			tr_rules__fail(c, tls, fp.s, "gateway.listener-tls",
			       "tls must not be specified for protocols "
			       "['HTTP', 'TCP', 'UDP']");
		}
		if (tr_rules__str_is(l, "protocol", "HTTPS") && tls &&
		    !(tr_rules__str_is(tls, "mode", "") || tr_rules__str_is(tls, "mode", "Terminate"))) {
			const tr_node *mode = tr_rules__get(tls, "mode");
			tr_rules__path_key(&fp, ip.s, mode ? "tls.mode" : "tls");
			tr_rules__fail(c, mode ? mode : tls, fp.s, "gateway.listener-tls",
			       "tls mode must be Terminate for protocol HTTPS");
		}
		if (tr_rules__str_is(l, "protocol", "TLS") &&
		    !(tls && tr_rules__has(tls, "mode") && !tr_rules__str_is(tls, "mode", ""))) {
			tr_rules__fail(c, l, ip.s, "gateway.listener-tls",
			       "tls mode must be set for protocol TLS");
		}
		if (protocol_in(l, no_host) && tr_rules__has(l, "hostname") &&
		    !tr_rules__str_is(l, "hostname", "")) {
			tr_rules__path_key(&fp, ip.s, "hostname");
			tr_rules__fail(c, tr_rules__get(l, "hostname"), fp.s, "gateway.listener-hostname",
			       "hostname must not be specified for protocols "
			       "['TCP', 'UDP']");
		}
		if (tls && tr_rules__str_is(tls, "mode", "Terminate") &&
		    tr_rules__size(tr_rules__get(tls, "certificateRefs")) == 0 &&
		    tr_rules__size(tr_rules__get(tls, "options")) == 0) {
			tr_rules__path_key(&fp, ip.s, "tls");
			tr_rules__fail(c, tls, fp.s, "gateway.listener-tls",
			       "certificateRefs or options must be specified when "
			       "mode is Terminate");
		}
		for (size_t j = 0; j < i; j++) {
			const tr_node *o = tr_rules__item(ls, j);
			if (same_optional(l, o, "port") &&
			    same_optional(l, o, "protocol") &&
			    same_optional(l, o, "hostname")) {
				tr_rules__warn(c, l, ip.s, "gateway.listener-unique",
					       "Combination of port, protocol and "
					       "hostname must be unique for each "
					       "listener: the Gateway API CRDs refuse "
					       "this Gateway; trellis accepts it, as "
					       "VPC Lattice keys a service's "
					       "listeners by port and these share "
					       "one");
				break;
			}
		}
	}
}

static bool hostname_chars(const char *s)
{
	size_t len = strlen(s);

	if (len >= 2 && s[0] == '*' && s[1] == '.') {
		s += 2;
		len -= 2;
	}
	/* ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ */
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
		if (ch == '.') {
			if (i == 0 || i + 1 == len || s[i - 1] == '-' ||
			    s[i - 1] == '.' || s[i + 1] == '-')
				return false;
		} else if (ch == '-') {
			if (i == 0 || i + 1 == len)
				return false;
		} else if (!alnum) {
			return false;
		}
	}
	return true;
}

static void addresses(tr_rules_ctx *c, const tr_node *spec, const char *spec_path)
{
	const tr_node *as = tr_rules__get(spec, "addresses");
	tr_rules_path ap, ip, vp;

	tr_rules__path_key(&ap, spec_path, "addresses");
	for (size_t i = 0; i < tr_rules__count(as); i++) {
		const tr_node *a = tr_rules__item(as, i);
		const char *type = tr_rules__str(a, "type");
		tr_rules__path_index(&ip, ap.s, i);

		if (strcmp(type, "Hostname") == 0 && tr_rules__has(a, "value") &&
		    !hostname_chars(tr_rules__str(a, "value"))) {
			tr_rules__path_key(&vp, ip.s, "value");
			tr_rules__fail(c, tr_rules__get(a, "value"), vp.s, "gateway.address",
			       "Hostname value must be empty or contain only valid "
			       "characters (matching ^(\\*\\.)?[a-z0-9]([-a-z0-9]*"
			       "[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$)");
		}
		if ((strcmp(type, "IPAddress") != 0 && strcmp(type, "Hostname") != 0) ||
		    !tr_rules__has(a, "value"))
			continue;
		for (size_t j = 0; j < i; j++) {
			const tr_node *o = tr_rules__item(as, j);
			if (tr_rules__str_is(o, "type", type) && tr_rules__has(o, "value") &&
			    strcmp(tr_rules__str(o, "value"), tr_rules__str(a, "value")) == 0) {
				tr_rules__fail(c, a, ip.s, "gateway.address-unique",
				       strcmp(type, "IPAddress") == 0
					       ? "IPAddress values must be unique"
					       : "Hostname values must be unique");
				break;
			}
		}
	}
}

/* ^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?
 *  ([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$ */
static bool qualified_key(const char *key)
{
	const char *slash = strchr(key, '/');
	const char *name = slash ? slash + 1 : key;
	size_t n = strlen(name);

	if (slash) {
		size_t plen = (size_t)(slash - key);
		char prefix[256];
		if (plen == 0 || plen >= sizeof(prefix))
			return false;
		memcpy(prefix, key, plen);
		prefix[plen] = '\0';
		if (prefix[0] == '*' || !hostname_chars(prefix))
			return false;
	}
	if (n == 0 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			     (ch >= '0' && ch <= '9');
		bool edge = i == 0 || i + 1 == n;
		if (!alnum && (edge || !(ch == '-' || ch == '_' || ch == '.')))
			return false;
	}
	return true;
}

static void infra_keys(tr_rules_ctx *c, const tr_node *infra, const char *path,
		       const char *field, const char *what)
{
	const tr_node *m = tr_rules__get(infra, field);
	tr_rules_path fp;
	char msg[256];

	tr_rules__path_key(&fp, path, field);
	if (!m || m->type != TR_NODE_MAP)
		return;
	for (size_t i = 0; i < m->count; i++) {
		const char *key = m->u.pairs[i].key;
		const char *slash = strchr(key, '/');
		size_t plen = slash ? (size_t)(slash - key) : strlen(key);
		if (!qualified_key(key)) {
			snprintf(msg, sizeof(msg),
				 "%s keys must be in the form of an optional DNS "
				 "subdomain prefix followed by a required name "
				 "segment of up to 63 characters.",
				 what);
			tr_rules__fail(c, m, fp.s, "gateway.infrastructure", msg);
		}
		/* CEL: key.split("/")[0].size() < 253, even without a "/" */
		if (plen >= 253) {
			snprintf(msg, sizeof(msg),
				 "If specified, the %s key's prefix must be a DNS "
				 "subdomain not longer than 253 characters in total.",
				 strcmp(what, "Label") == 0 ? "label" : "annotation");
			tr_rules__fail(c, m, fp.s, "gateway.infrastructure", msg);
		}
	}
}

void tr_rules__gateway(tr_rules_ctx *c, const tr_node *root)
{
	const tr_node *spec = tr_rules__get(root, "spec");
	const tr_node *infra = tr_rules__get(spec, "infrastructure");
	tr_rules_path ip;

	if (!spec)
		return;
	listeners(c, spec, "spec");
	addresses(c, spec, "spec");
	tr_rules__path_key(&ip, "spec", "infrastructure");
	infra_keys(c, infra, ip.s, "annotations", "Annotation");
	infra_keys(c, infra, ip.s, "labels", "Label");
}
