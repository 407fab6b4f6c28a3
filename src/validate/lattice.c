#include "validate/lattice.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "model/naming.h"
#include "util/alloc.h"
#include "util/limits.h"
#include "util/str.h"

/* ------------------------------------------------------------------ */
/* Names                                                              */

const char *tr_lattice_name_problem(const char *name, size_t min, size_t max,
				    const char *reserved)
{
	size_t len = strlen(name);

	if (len < min)
		return "it is too short";
	if (len > max)
		return "it is too long";
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-'))
			return "only lower-case letters, digits and '-' are "
			       "allowed";
	}
	if (name[0] == '-' || name[len - 1] == '-')
		return "it must not start or end with '-'";
	if (strstr(name, "--"))
		return "it must not contain \"--\"";
	if (reserved && tr_str_has_prefix(name, reserved))
		return "that prefix is reserved for generated ids";
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Reading helpers                                                    */

typedef struct checker {
	const tr_refs_index *idx;
	tr_diag *diag;
} checker;

static const tr_node *spec_of(const tr_refs_object *o)
{
	return tr_node_get(o->doc->root, "spec");
}

static const tr_node *get_seq(const tr_node *map, const char *key)
{
	const tr_node *n = tr_node_get(map, key);
	return n && n->type == TR_NODE_SEQ ? n : NULL;
}


static const tr_node *annotations_of(const tr_refs_object *o)
{
	return tr_node_get(tr_node_get(o->doc->root, "metadata"),
			   "annotations");
}

static const tr_node *name_node(const tr_refs_object *o)
{
	return tr_node_get(tr_node_get(o->doc->root, "metadata"), "name");
}

static void report(const checker *c, tr_severity sev, const char *rule,
		   const tr_refs_object *o, const tr_node *at,
		   const char *path, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static void report(const checker *c, tr_severity sev, const char *rule,
		   const tr_refs_object *o, const tr_node *at,
		   const char *path, const char *fmt, ...)
{
	va_list ap;

	if (!at)
		at = o->doc->root;
	va_start(ap, fmt);
	tr_diag_vadd(c->diag, sev, rule, o->doc->file, at->line, at->col, path,
		     fmt, ap);
	va_end(ap);
}

/* "RequestHeaderModifier" -> "request-header-modifier", "URLRewrite" ->
 * "url-rewrite", "CORS" -> "cors": filter types as rule id parts. */
static void kebab(char *out, size_t cap, const char *camel)
{
	size_t n = 0;

	for (size_t i = 0; camel[i] && n + 2 < cap; i++) {
		char ch = camel[i];
		bool upper = ch >= 'A' && ch <= 'Z';

		if (upper && i > 0) {
			char prev = camel[i - 1], next = camel[i + 1];
			bool prev_lower = prev >= 'a' && prev <= 'z';
			bool acronym_end = prev >= 'A' && prev <= 'Z' &&
					   next >= 'a' && next <= 'z';

			if (prev_lower || acronym_end)
				out[n++] = '-';
		}
		if (upper)
			ch = (char)(ch - 'A' + 'a');
		if (n + 1 < cap && ((ch >= 'a' && ch <= 'z') ||
				    (ch >= '0' && ch <= '9') || ch == '-'))
			out[n++] = ch;
	}
	out[n] = '\0';
}

/* ------------------------------------------------------------------ */
/* Gateways                                                           */

/* arn:<partition>:acm:<region>:<12 digits>:certificate/<[0-9a-z-]+> */
static const char *cert_arn_problem(const char *arn)
{
	const char *p = arn;
	size_t n;

	if (strlen(arn) > TR_LATTICE_CERT_ARN_MAX)
		return "it is longer than 2048 characters";
	if (!tr_str_has_prefix(p, "arn:"))
		return "it does not start with arn:";
	p += 4;
	n = strspn(p, "abcdefghijklmnopqrstuvwxyz-");
	if (n == 0 || p[n] != ':')
		return "the partition is missing";
	p += n + 1;
	if (!tr_str_has_prefix(p, "acm:"))
		return "it is not an ACM ARN (arn:aws:acm:...)";
	p += 4;
	n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789-");
	if (n == 0 || p[n] != ':')
		return "the region is missing";
	p += n + 1;
	n = strspn(p, "0123456789");
	if (n != 12 || p[n] != ':')
		return "the account id is not 12 digits";
	p += n + 1;
	if (!tr_str_has_prefix(p, "certificate/"))
		return "the resource is not certificate/<id>";
	p += strlen("certificate/");
	n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789-");
	if (n == 0 || p[n] != '\0')
		return "the certificate id must be lower-case letters, digits "
		       "and '-'";
	return NULL;
}

static void check_gateway(const checker *c, const tr_refs_object *gw)
{
	const tr_node *ls = get_seq(spec_of(gw), "listeners");
	const tr_node *addrs;
	const char *why;
	char path[TR_MAX_FIELD_PATH_BYTES];

	/* An unnamed object (no metadata.name, or not a string) was reported
	 * by the schema; a Lattice name made of nothing would only repeat it
	 * in a misleading way ("too short", "must not start with '-'"). */
	why = !*gw->name ? NULL
			 : tr_lattice_name_problem(gw->name,
						   TR_LATTICE_SERVICE_NAME_MIN,
						   TR_LATTICE_NETWORK_NAME_MAX,
						   NULL);
	if (why)
		report(c, TR_SEV_ERROR, "lattice.service-network-name", gw,
		       name_node(gw), "metadata.name",
		       "Gateway %s names the VPC Lattice service network \"%s\", "
		       "which Lattice refuses: %s (3-63 characters, lower-case "
		       "letters, digits and single '-' inside)",
		       gw->name, gw->name, why);
	addrs = get_seq(spec_of(gw), "addresses");
	if (addrs && addrs->count)
		report(c, TR_SEV_UNSUPPORTED,
		       "lattice.unsupported.gateway-addresses", gw,
		       addrs->u.items[0], "spec.addresses",
		       "Gateway addresses: a VPC Lattice service network has no "
		       "addresses of its own; Lattice gives each service a DNS "
		       "name");
	for (size_t i = 0; ls && i < ls->count; i++) {
		const tr_node *l = ls->u.items[i];
		const char *proto = tr_node_get_str_or(l, "protocol", "");
		const tr_node *tls = tr_node_get(l, "tls");
		const char *mode = tr_node_get_str_or(tls, "mode", "Terminate");
		const tr_node *arn = tr_node_get(tr_node_get(tls, "options"),
						 TR_REFS_CERT_ARN_OPTION);

		if (strcmp(proto, "TLS") == 0 ||
		    strcmp(mode, "Passthrough") == 0) {
			tr_str_format(path, sizeof(path),
				      "spec.listeners[%zu]%s", i,
				      strcmp(proto, "TLS") == 0 ? ".protocol"
								: ".tls.mode");
			report(c, TR_SEV_UNSUPPORTED,
			       "lattice.unsupported.tls-passthrough", gw,
			       strcmp(proto, "TLS") == 0
				       ? tr_node_get(l, "protocol")
				       : tr_node_get(tls, "mode"),
			       path,
			       "TLS passthrough: VPC Lattice passes TLS through "
			       "only for TLSRoutes, which trellis does not "
			       "manage; listener %s carries no route",
			       tr_node_get_str_or(l, "name", "?"));
		} else if (*proto && strcmp(proto, "HTTP") != 0 &&
			   strcmp(proto, "HTTPS") != 0) {
			tr_str_format(path, sizeof(path),
				      "spec.listeners[%zu].protocol", i);
			report(c, TR_SEV_UNSUPPORTED,
			       "lattice.unsupported.listener-protocol", gw,
			       tr_node_get(l, "protocol"), path,
			       "%s listeners: VPC Lattice services listen on "
			       "HTTP, HTTPS or TLS passthrough only",
			       proto);
		}
		if (tr_node_str(arn)) {
			why = cert_arn_problem(tr_node_str(arn));
			tr_str_format(path, sizeof(path),
				      "spec.listeners[%zu].tls.options[%s]", i,
				      TR_REFS_CERT_ARN_OPTION);
			if (why)
				report(c, TR_SEV_ERROR,
				       "lattice.certificate-arn", gw, arn, path,
				       "certificate ARN \"%s\" is not an ACM "
				       "certificate ARN: %s",
				       tr_node_str(arn), why);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Routes                                                             */

/* One Lattice service per route: its name, for the collision check. */
typedef struct service_name {
	const tr_refs_object *route;
	char *name;
	bool overridden;
} service_name;

typedef struct service_names {
	service_name *items;  /* each name once */
	size_t count;
	size_t cap;
	size_t *slots;        /* open addressing: index in items + 1, 0 free */
	size_t nslots;        /* a power of two, more than twice count */
} service_names;

static size_t name_hash(const char *s)
{
	uint64_t h = 14695981039346656037u; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return (size_t)h;
}

/* The slot that holds `name`, or the free slot where it would go. */
static size_t *name_slot(const service_names *names, const char *name)
{
	size_t mask = names->nslots - 1;

	for (size_t h = name_hash(name) & mask;; h = (h + 1) & mask) {
		size_t *slot = &names->slots[h];

		if (!*slot || strcmp(names->items[*slot - 1].name, name) == 0)
			return slot;
	}
}

/* Makes room for one more name in the table (rebuilt when half full). */
static void names_reserve(service_names *names)
{
	if ((names->count + 1) * 2 < names->nslots)
		return;
	tr_free(names->slots);
	names->nslots = names->nslots ? names->nslots * 2 : 64;
	names->slots = tr_calloc(names->nslots, sizeof(*names->slots));
	for (size_t i = 0; i < names->count; i++)
		*name_slot(names, names->items[i].name) = i + 1;
}

/* Returns false when the route's generated name was reported invalid. */
static bool check_service_name(const checker *c, const tr_refs_object *route,
			       service_names *names)
{
	const tr_node *over = tr_node_get(annotations_of(route),
					  TR_LATTICE_SERVICE_NAME_OVERRIDE);
	tr_buf name = TR_BUF_INIT(TR_MAX_FIELD_PATH_BYTES);
	const char *why;
	service_name *sn;
	size_t *slot;
	bool generated_ok = true;

	if (tr_node_str(over)) {
		why = tr_lattice_name_problem(tr_node_str(over),
					      TR_LATTICE_SERVICE_NAME_MIN,
					      TR_LATTICE_SERVICE_NAME_MAX,
					      "svc-");
		if (why) {
			report(c, TR_SEV_ERROR, "lattice.service-name", route,
			       over,
			       "metadata.annotations[" TR_LATTICE_SERVICE_NAME_OVERRIDE
			       "]",
			       "VPC Lattice refuses the service name \"%s\": %s "
			       "(3-40 characters, lower-case letters, digits and "
			       "single '-' inside, not starting with svc-)",
			       tr_node_str(over), why);
			goto done;
		}
		if (tr_buf_puts(&name, tr_node_str(over)) < 0)
			goto done;
	} else {
		if (!*route->name)
			goto done; /* unnamed: see check_gateway */
		if (tr_naming_service(&name, route->name,
					    route->namespace_) < 0)
			goto done;
		why = tr_lattice_name_problem(tr_buf_cstr(&name),
					      TR_LATTICE_SERVICE_NAME_MIN,
					      TR_LATTICE_SERVICE_NAME_MAX,
					      "svc-");
		if (why) {
			report(c, TR_SEV_ERROR, "lattice.service-name", route,
			       name_node(route), "metadata.name",
			       "the VPC Lattice service name \"%s\" (route name "
			       "cut to 20 characters, '-', namespace cut to 18, "
			       "as the AWS controller names it) is refused by "
			       "Lattice: %s; rename the route or set annotation "
			       "%s",
			       tr_buf_cstr(&name), why,
			       TR_LATTICE_SERVICE_NAME_OVERRIDE);
			generated_ok = false;
			goto done;
		}
	}
	names_reserve(names);
	slot = name_slot(names, tr_buf_cstr(&name));
	if (*slot) {
		const service_name *o = &names->items[*slot - 1];

		if (strcmp(o->route->kind, route->kind) == 0 &&
		    tr_str_eq(o->route->namespace_, route->namespace_) &&
		    strcmp(o->route->name, route->name) == 0)
			goto done; /* the same route again (variants) */
		report(c, TR_SEV_ERROR, "lattice.service-name-conflict", route,
		       over ? over : name_node(route),
		       over ? "metadata.annotations[" TR_LATTICE_SERVICE_NAME_OVERRIDE
			      "]"
			    : "metadata.name",
		       "%s %s/%s and %s %s/%s (%s:%u) both become VPC Lattice "
		       "service \"%s\"; service names are unique in an account "
		       "and Region: set annotation %s on one of them",
		       route->kind, route->namespace_, route->name,
		       o->route->kind, o->route->namespace_, o->route->name,
		       o->route->doc->file, o->route->doc->root->line,
		       o->name, TR_LATTICE_SERVICE_NAME_OVERRIDE);
		goto done;
	}
	names->items = tr_grow(names->items, &names->cap, names->count + 1,
			       sizeof(*names->items));
	*slot = names->count + 1;
	sn = &names->items[names->count++];
	sn->route = route;
	sn->name = tr_buf_detach(&name);
	sn->overridden = over != NULL;
done:
	tr_buf_dispose(&name);
	return generated_ok;
}

/* Listener names: <Truncate(route,20)>-<Truncate(ns,18)>-<port>-<proto>. */
static void check_listeners(const checker *c, const tr_refs_object *route,
			    const tr_refs_route *r, bool check_names)
{
	/* The distinct ports within the quota; one past it is reported once
	 * and not kept, so only the first nports entries are ever read. */
	int64_t ports[TR_LATTICE_QUOTA_LISTENERS_PER_SERVICE];
	size_t nports = 0;
	bool over_quota = false;
	const tr_refs_object *first_gw = r->count ? r->items[0].gateway : NULL;

	for (size_t i = 0; i < r->count; i++) {
		const tr_refs_attachment *a = &r->items[i];
		const char *proto = tr_node_get_str_or(a->listener, "protocol", "");
		int64_t port = 0;
		bool seen = false;
		tr_buf name = TR_BUF_INIT(TR_MAX_FIELD_PATH_BYTES);
		char path[TR_MAX_FIELD_PATH_BYTES];
		const char *why;

		/* GRPC over Lattice needs HTTP/2 with TLS: HTTPS only. */
		if (strcmp(route->kind, "GRPCRoute") == 0 &&
		    strcmp(proto, "HTTPS") != 0) {
			tr_str_format(path, sizeof(path),
				      "spec.parentRefs[%zu]", a->parent);
			report(c, TR_SEV_UNSUPPORTED,
			       "lattice.unsupported.grpc-listener", route,
			       a->parent_ref, path,
			       "GRPCRoute on a %s listener: VPC Lattice serves "
			       "gRPC on HTTPS listeners only (listener %s of "
			       "Gateway %s/%s)",
			       proto, tr_node_get_str_or(a->listener, "name", "?"),
			       a->gateway->namespace_, a->gateway->name);
		}
		/* Only the first Lattice Gateway's listeners are built. */
		if (a->gateway != first_gw || !tr_node_get_int(a->listener, "port", &port))
			continue;
		for (size_t k = 0; k < nports; k++)
			if (ports[k] == port)
				seen = true;
		if (seen)
			continue;
		if (nports == TR_LATTICE_QUOTA_LISTENERS_PER_SERVICE) {
			if (over_quota)
				continue;
			over_quota = true;
			tr_str_format(path, sizeof(path),
				      "spec.parentRefs[%zu]", a->parent);
			report(c, TR_SEV_WARNING,
			       "lattice.quota.listeners-per-service", route,
			       a->parent_ref, path,
			       "%s %s/%s needs more than %d listeners (ports) on "
			       "its VPC Lattice service: over the default quota "
			       "of %d listeners per service, which the account "
			       "must raise first",
			       route->kind, route->namespace_, route->name,
			       TR_LATTICE_QUOTA_LISTENERS_PER_SERVICE,
			       TR_LATTICE_QUOTA_LISTENERS_PER_SERVICE);
			continue;
		}
		ports[nports++] = port;
		if (check_names &&
		    tr_naming_service(&name, route->name,
					    route->namespace_) == 0 &&
		    tr_buf_printf(&name, "-%lld-%s", (long long)port,
				  strcmp(proto, "HTTPS") == 0 ? "https"
							      : "http") == 0) {
			why = tr_lattice_name_problem(
				tr_buf_cstr(&name), TR_LATTICE_SERVICE_NAME_MIN,
				TR_LATTICE_LISTENER_NAME_MAX, "listener-");
			if (why)
				report(c, TR_SEV_ERROR, "lattice.listener-name",
				       route, name_node(route), "metadata.name",
				       "the VPC Lattice listener name \"%s\" "
				       "(service name, port, protocol, as the "
				       "AWS controller names it) is refused by "
				       "Lattice: %s; rename the route",
				       tr_buf_cstr(&name), why);
		}
		tr_buf_dispose(&name);
	}
}

/* The CNAME of a custom domain goes in the configured zone that holds it
 * (longest match); without one, trellis leaves DNS to someone else. */
static void check_dns_zone(const checker *c, const tr_refs_object *route,
			   const tr_node *at, const char *domain)
{
	const tr_config *cfg = &c->idx->repo->config;
	const tr_config_dns *zone;
	size_t n = strlen(domain);

	if (!cfg->present)
		return;
	zone = tr_config_dns_for(cfg, domain);
	if (!zone) {
		report(c, TR_SEV_WARNING, "dns.no-zone", route, at,
		       "spec.hostnames[0]",
		       "custom domain \"%s\" is in none of the zones listed "
		       "under dns in %s: trellis makes no CNAME for it; add "
		       "its private hosted zone there, or point the name at "
		       "the service's DNS name yourself",
		       domain, cfg->file ? cfg->file : "trellis.yaml");
		return;
	}
	if (n && domain[n - 1] == '.')
		n--;
	if (n == strlen(zone->domain))
		report(c, TR_SEV_ERROR, "dns.apex", route, at,
		       "spec.hostnames[0]",
		       "custom domain \"%s\" is the apex of zone %s (%s): DNS "
		       "allows no CNAME at a zone's apex; use a name inside "
		       "the zone",
		       domain, zone->zone_id, zone->domain);
}

static void check_hostnames(const checker *c, const tr_refs_object *route)
{
	const tr_node *hosts = get_seq(spec_of(route), "hostnames");
	const char *first;
	size_t len;

	if (!hosts || hosts->count == 0)
		return;
	first = tr_node_str(hosts->u.items[0]);
	if (hosts->count > 1) {
		tr_buf rest = TR_BUF_INIT(TR_MAX_LIST_TEXT_BYTES);

		for (size_t i = 1; i < hosts->count; i++) {
			const char *h = tr_node_str(hosts->u.items[i]);
			size_t before = rest.len;

			if ((i > 1 && tr_buf_puts(&rest, ", ") < 0) ||
			    tr_buf_puts(&rest, h ? h : "?") < 0) {
				tr_buf_truncate(&rest, before);
				break;
			}
		}
		report(c, TR_SEV_UNSUPPORTED,
		       "lattice.unsupported.extra-hostnames", route,
		       hosts->u.items[1], "spec.hostnames[1]",
		       "hostnames beyond the first: a VPC Lattice service has "
		       "one custom domain (%s); %s would not be served",
		       first ? first : "?", tr_buf_cstr(&rest));
		tr_buf_dispose(&rest);
	}
	if (!first)
		return;
	len = strlen(first);
	if (len < TR_LATTICE_CUSTOM_DOMAIN_MIN ||
	    len > TR_LATTICE_CUSTOM_DOMAIN_MAX)
		report(c, TR_SEV_ERROR, "lattice.custom-domain", route,
		       hosts->u.items[0], "spec.hostnames[0]",
		       "custom domain \"%s\" has %zu characters; VPC Lattice "
		       "accepts %d to %d",
		       first, len, TR_LATTICE_CUSTOM_DOMAIN_MIN,
		       TR_LATTICE_CUSTOM_DOMAIN_MAX);
	check_dns_zone(c, route, hosts->u.items[0], first);
}

/* Rule priorities as the AWS controller assigns them: annotated rules
 * (application-networking.k8s.aws/rule-<i>-priority) keep theirs, the
 * others take the last assigned priority + 1, in rule order. */
static void check_priorities(const checker *c, const tr_refs_object *route,
			     size_t nrules)
{
	int64_t prio[16 + 1];
	const tr_node *at[16 + 1];
	const tr_node *ann = annotations_of(route);
	char key[96], path[TR_MAX_FIELD_PATH_BYTES];

	if (nrules > 16)
		nrules = 16; /* the CRD's maximum; more is a schema error */
	/* The same numbers the model gives the rules. */
	tr_naming_rule_priorities(prio, at, ann, nrules);
	for (size_t i = 0; i < nrules; i++) {
		const tr_node *n;

		tr_str_format(
			key, sizeof(key),
			"application-networking.k8s.aws/rule-%zu-priority", i);
		n = tr_node_get(ann, key);
		if (!n || at[i])
			continue;
		tr_str_format(path, sizeof(path), "metadata.annotations[%s]",
			      key);
		report(c, TR_SEV_WARNING, "lattice.rule-priority", route, n,
		       path,
		       "rule priority is not an integer; the AWS controller "
		       "ignores it and uses %lld",
		       (long long)prio[i]);
	}
	for (size_t i = 0; i < nrules; i++) {
		const tr_node *where = at[i];

		if (!where) {
			tr_str_format(path, sizeof(path), "spec.rules[%zu]", i);
			where = tr_node_get(spec_of(route), "rules");
			if (where && where->type == TR_NODE_SEQ &&
			    i < where->count)
				where = where->u.items[i];
		} else {
			tr_str_format(
				path, sizeof(path),
				"metadata.annotations[application-networking."
				"k8s.aws/rule-%zu-priority]",
				i);
		}
		if (prio[i] < 1 || prio[i] > TR_LATTICE_MAX_RULE_PRIORITY) {
			report(c, TR_SEV_ERROR, "lattice.rule-priority", route,
			       where, path,
			       "rule %zu gets priority %lld; VPC Lattice rule "
			       "priorities for a route run from 1 to %d",
			       i, (long long)prio[i],
			       TR_LATTICE_MAX_RULE_PRIORITY);
			continue;
		}
		for (size_t k = 0; k < i; k++)
			if (prio[k] == prio[i]) {
				report(c, TR_SEV_ERROR, "lattice.rule-priority",
				       route, where, path,
				       "rules %zu and %zu both get priority "
				       "%lld; VPC Lattice needs a distinct "
				       "priority per rule of a listener",
				       k, i, (long long)prio[i]);
				break;
			}
	}
}

static void unsupported(const checker *c, const tr_refs_object *route,
			const char *rule, const tr_node *at, const char *path,
			const char *feature, const char *why)
{
	report(c, TR_SEV_UNSUPPORTED, rule, route, at, path, "%s: %s", feature,
	       why);
}

static void check_filters(const checker *c, const tr_refs_object *route,
			  const tr_node *filters, const char *base)
{
	char rule[96], path[TR_MAX_FIELD_PATH_BYTES], kind[64];

	for (size_t i = 0; filters && i < filters->count; i++) {
		const tr_node *f = filters->u.items[i];
		const char *type = tr_node_get_str_or(f, "type", "");

		if (!*type)
			continue;
		kebab(kind, sizeof(kind), type);
		tr_str_format(rule, sizeof(rule),
			      "lattice.unsupported.filter.%s", kind);
		tr_str_format(path, sizeof(path), "%s[%zu].type", base, i);
		report(c, TR_SEV_UNSUPPORTED, rule, route,
		       tr_node_get(f, "type"), path,
		       "%s filter: VPC Lattice rules only match and forward; "
		       "the filter would be dropped (the AWS controller ignores "
		       "it too)",
		       type);
	}
}

static void check_match(const checker *c, const tr_refs_object *route,
			const tr_node *m, const char *base)
{
	bool grpc = strcmp(route->kind, "GRPCRoute") == 0;
	const tr_node *path_m = tr_node_get(m, "path");
	const tr_node *headers = get_seq(m, "headers");
	const tr_node *query = get_seq(m, "queryParams");
	const tr_node *method = tr_node_get(m, "method");
	char path[TR_MAX_FIELD_PATH_BYTES];

	if (!grpc && path_m) {
		const char *type = tr_node_get_str_or(path_m, "type", "PathPrefix");
		const char *value = tr_node_get_str(path_m, "value");

		tr_str_format(path, sizeof(path), "%s.path.type", base);
		if (strcmp(type, "RegularExpression") == 0)
			unsupported(c, route, "lattice.unsupported.regex-path",
				    tr_node_get(path_m, "type"), path,
				    "RegularExpression path match",
				    "VPC Lattice matches paths by exact value "
				    "or prefix only");
		tr_str_format(path, sizeof(path), "%s.path.value", base);
		if (value && strcmp(type, "RegularExpression") != 0 &&
		    strlen(value) > TR_LATTICE_MAX_PATH)
			report(c, TR_SEV_ERROR, "lattice.path-length", route,
			       tr_node_get(path_m, "value"), path,
			       "path has %zu characters; VPC Lattice path "
			       "matches take at most %d",
			       strlen(value), TR_LATTICE_MAX_PATH);
	}
	if (headers && headers->count > TR_LATTICE_MAX_HEADER_MATCHES) {
		tr_str_format(path, sizeof(path), "%s.headers[%d]", base,
			      TR_LATTICE_MAX_HEADER_MATCHES);
		report(c, TR_SEV_UNSUPPORTED, "lattice.unsupported.header-count",
		       route, headers->u.items[TR_LATTICE_MAX_HEADER_MATCHES],
		       path,
		       "more than %d header matches: VPC Lattice rules match "
		       "at most %d headers; this match has %zu",
		       TR_LATTICE_MAX_HEADER_MATCHES,
		       TR_LATTICE_MAX_HEADER_MATCHES, (size_t)headers->count);
	}
	for (size_t i = 0; headers && i < headers->count; i++) {
		const tr_node *h = headers->u.items[i];
		const char *name = tr_node_get_str(h, "name");
		const char *value = tr_node_get_str(h, "value");

		tr_str_format(path, sizeof(path), "%s.headers[%zu].type", base,
			      i);
		if (strcmp(tr_node_get_str_or(h, "type", "Exact"),
			   "RegularExpression") == 0)
			unsupported(c, route, "lattice.unsupported.regex-header",
				    tr_node_get(h, "type"), path,
				    "RegularExpression header match",
				    "VPC Lattice matches header values exactly, "
				    "by prefix or by substring, not by regular "
				    "expression");
		if ((name && strlen(name) > TR_LATTICE_MAX_HEADER_NAME) ||
		    (value && strlen(value) > TR_LATTICE_MAX_HEADER_VALUE)) {
			tr_str_format(path, sizeof(path), "%s.headers[%zu]",
				      base, i);
			report(c, TR_SEV_ERROR, "lattice.header-length", route, h,
			       path,
			       "header match too long for VPC Lattice: names "
			       "take at most %d characters, values %d",
			       TR_LATTICE_MAX_HEADER_NAME,
			       TR_LATTICE_MAX_HEADER_VALUE);
		}
	}
	if (query && query->count) {
		tr_str_format(path, sizeof(path), "%s.queryParams", base);
		unsupported(c, route, "lattice.unsupported.query-params",
			    query->u.items[0], path, "query parameter matches",
			    "VPC Lattice rules cannot match on the query "
			    "string");
	}
	if (grpc && method && method->type == TR_NODE_MAP) {
		tr_str_format(path, sizeof(path), "%s.method.type", base);
		if (strcmp(tr_node_get_str_or(method, "type", "Exact"),
			   "RegularExpression") == 0)
			unsupported(c, route,
				    "lattice.unsupported.regex-grpc-method",
				    tr_node_get(method, "type"), path,
				    "RegularExpression gRPC method match",
				    "VPC Lattice matches gRPC services and "
				    "methods by exact path only");
		tr_str_format(path, sizeof(path), "%s.method.method", base);
		if (tr_node_get(method, "method") &&
		    !tr_node_get(method, "service"))
			unsupported(c, route,
				    "lattice.unsupported.grpc-method-without-"
				    "service",
				    tr_node_get(method, "method"), path,
				    "gRPC method match without service",
				    "VPC Lattice matches the path "
				    "/<service>/<method>, which needs the "
				    "service");
	}
}

/* Distinct backend Services of a route, for the target group quota. */
typedef struct backend_set {
	const char *ns[TR_LATTICE_QUOTA_TARGET_GROUPS_PER_SERVICE + 1];
	const char *name[TR_LATTICE_QUOTA_TARGET_GROUPS_PER_SERVICE + 1];
	size_t count;
	bool reported;
} backend_set;

static bool backend_set_add(backend_set *s, const char *ns, const char *name)
{
	for (size_t i = 0; i < s->count; i++)
		if (strcmp(s->ns[i], ns) == 0 && strcmp(s->name[i], name) == 0)
			return false;
	if (s->count < sizeof(s->ns) / sizeof(s->ns[0])) {
		s->ns[s->count] = ns;
		s->name[s->count] = name;
		s->count++;
	}
	return true;
}

static void check_backend(const checker *c, const tr_refs_object *route,
			  const tr_node *b, size_t ri, size_t bi,
			  backend_set *tgs)
{
	const char *group = tr_node_get_str_or(b, "group", "");
	const char *kind = tr_node_get_str_or(b, "kind", "Service");
	const char *name = tr_node_get_str(b, "name");
	const char *ns = tr_node_get_str_or(b, "namespace", route->namespace_);
	const tr_refs_object *svc;
	int64_t weight;
	char path[TR_MAX_FIELD_PATH_BYTES], base[TR_MAX_FIELD_PATH_BYTES / 2];

	tr_str_format(base, sizeof(base), "spec.rules[%zu].backendRefs[%zu]",
		      ri, bi);
	if (tr_node_get_int(b, "weight", &weight) &&
	    (weight < 0 || weight > TR_LATTICE_MAX_WEIGHT)) {
		tr_str_format(path, sizeof(path), "%s.weight", base);
		report(c, TR_SEV_ERROR, "lattice.weight", route,
		       tr_node_get(b, "weight"), path,
		       "weight %lld is outside VPC Lattice's range 0 to %d; "
		       "scale the weights of this rule down",
		       (long long)weight, TR_LATTICE_MAX_WEIGHT);
	}
	tr_str_format(path, sizeof(path), "%s.filters", base);
	check_filters(c, route, get_seq(b, "filters"), path);
	if (!((strcmp(kind, "Service") == 0 && *group == '\0') ||
	      strcmp(kind, "ServiceImport") == 0)) {
		tr_str_format(path, sizeof(path), "%s.kind", base);
		report(c, TR_SEV_UNSUPPORTED, "lattice.unsupported.backend-kind",
		       route, tr_node_get(b, "kind") ? tr_node_get(b, "kind") : b,
		       path,
		       "%s%s%s backends: VPC Lattice target groups are built "
		       "from Services and ServiceImports only",
		       group, *group ? "/" : "", kind);
		return;
	}
	if (!name || strcmp(kind, "Service") != 0)
		return;
	tr_str_format(path, sizeof(path), "%s.name", base);
	if (backend_set_add(tgs, ns, name) &&
	    tgs->count > TR_LATTICE_QUOTA_TARGET_GROUPS_PER_SERVICE &&
	    !tgs->reported) {
		tgs->reported = true;
		report(c, TR_SEV_WARNING,
		       "lattice.quota.target-groups-per-service", route,
		       tr_node_get(b, "name"), path,
		       "%s %s/%s sends to more than %d Services: over the "
		       "default quota of %d target groups per VPC Lattice "
		       "service, which the account must raise first",
		       route->kind, route->namespace_, route->name,
		       TR_LATTICE_QUOTA_TARGET_GROUPS_PER_SERVICE,
		       TR_LATTICE_QUOTA_TARGET_GROUPS_PER_SERVICE);
	}
	svc = tr_refs_find(c->idx, NULL, route->cluster, "Service", ns, name);
	if (!svc)
		return; /* refs.backend-not-found */
	if (tr_str_eq(tr_node_get_str(spec_of(svc), "type"), "ExternalName"))
		unsupported(c, route, "lattice.unsupported.external-name",
			    tr_node_get(b, "name"), path,
			    "ExternalName Service backends",
			    "VPC Lattice targets pod IPs, and an ExternalName "
			    "Service has none");
	else if (get_seq(spec_of(svc), "ipFamilies") &&
		 get_seq(spec_of(svc), "ipFamilies")->count > 1)
		unsupported(c, route, "lattice.unsupported.dual-stack",
			    tr_node_get(b, "name"), path,
			    "dual-stack Service backends",
			    "a VPC Lattice target group is IPv4 or IPv6, not "
			    "both");
}

static void check_rules(const checker *c, const tr_refs_object *route)
{
	const tr_node *rules = get_seq(spec_of(route), "rules");
	/* An HTTPRoute without rules has one catch-all rule (CRD default);
	 * a GRPCRoute has none. */
	size_t nrules = rules ? rules->count
			      : strcmp(route->kind, "HTTPRoute") == 0;
	backend_set tgs;
	char base[TR_MAX_FIELD_PATH_BYTES / 2], path[TR_MAX_FIELD_PATH_BYTES];

	memset(&tgs, 0, sizeof(tgs));
	check_priorities(c, route, nrules);
	if (nrules > TR_LATTICE_QUOTA_RULES_PER_LISTENER)
		report(c, TR_SEV_WARNING, "lattice.quota.rules-per-listener",
		       route, rules->u.items[TR_LATTICE_QUOTA_RULES_PER_LISTENER],
		       "spec.rules", /* a count, so the list is the field */
		       "%s %s/%s has %zu rules: over the default quota of %d "
		       "rules per VPC Lattice listener, which the account must "
		       "raise first",
		       route->kind, route->namespace_, route->name, nrules,
		       TR_LATTICE_QUOTA_RULES_PER_LISTENER);
	for (size_t ri = 0; rules && ri < rules->count; ri++) {
		const tr_node *rule = rules->u.items[ri];
		const tr_node *matches = get_seq(rule, "matches");
		const tr_node *brefs = get_seq(rule, "backendRefs");
		static const struct {
			const char *field, *id, *feature, *why;
		} ignored[] = {
			{"timeouts", "lattice.unsupported.timeouts",
			 "timeouts",
			 "VPC Lattice has no per-rule request timeouts"},
			{"sessionPersistence",
			 "lattice.unsupported.session-persistence",
			 "session persistence",
			 "VPC Lattice target groups have no sticky sessions"},
			{"retry", "lattice.unsupported.retry", "retries",
			 "VPC Lattice rules have no retry policy"},
		};

		tr_str_format(base, sizeof(base), "spec.rules[%zu]", ri);
		if (matches && matches->count > 1) {
			tr_str_format(path, sizeof(path), "%s.matches[1]",
				      base);
			unsupported(c, route,
				    "lattice.unsupported.multiple-matches",
				    matches->u.items[1], path,
				    "more than one match per rule",
				    "a VPC Lattice rule has one match (no OR); "
				    "split this rule into one rule per match");
		}
		for (size_t mi = 0; matches && mi < matches->count; mi++) {
			tr_str_format(path, sizeof(path), "%s.matches[%zu]",
				      base, mi);
			check_match(c, route, matches->u.items[mi], path);
		}
		tr_str_format(path, sizeof(path), "%s.filters", base);
		check_filters(c, route, get_seq(rule, "filters"), path);
		for (size_t k = 0; k < sizeof(ignored) / sizeof(ignored[0]);
		     k++) {
			const tr_node *n = tr_node_get(rule, ignored[k].field);

			if (!n)
				continue;
			tr_str_format(path, sizeof(path), "%s.%s", base,
				      ignored[k].field);
			unsupported(c, route, ignored[k].id, n, path,
				    ignored[k].feature, ignored[k].why);
		}
		if (brefs && brefs->count > TR_LATTICE_MAX_TARGET_GROUPS_PER_ACTION) {
			tr_str_format(path, sizeof(path), "%s.backendRefs[%d]",
				      base,
				      TR_LATTICE_MAX_TARGET_GROUPS_PER_ACTION);
			report(c, TR_SEV_ERROR, "lattice.backend-count", route,
			       brefs->u.items[TR_LATTICE_MAX_TARGET_GROUPS_PER_ACTION],
			       path,
			       "rule %zu has %zu backends; a VPC Lattice rule "
			       "forwards to at most %d target groups",
			       ri, (size_t)brefs->count,
			       TR_LATTICE_MAX_TARGET_GROUPS_PER_ACTION);
		}
		for (size_t bi = 0; brefs && bi < brefs->count; bi++)
			check_backend(c, route, brefs->u.items[bi], ri, bi, &tgs);
	}
}

static void check_parent_kinds(const checker *c, const tr_refs_object *route)
{
	const tr_node *prefs = get_seq(spec_of(route), "parentRefs");
	char path[TR_MAX_FIELD_PATH_BYTES];

	for (size_t i = 0; prefs && i < prefs->count; i++) {
		const tr_node *p = prefs->u.items[i];
		const char *kind = tr_node_get_str_or(p, "kind", "Gateway");
		const char *group =
			tr_node_get_str_or(p, "group", TR_REFS_GATEWAY_GROUP);

		if (strcmp(kind, "Gateway") == 0 &&
		    strcmp(group, TR_REFS_GATEWAY_GROUP) == 0)
			continue;
		tr_str_format(path, sizeof(path), "spec.parentRefs[%zu].kind",
			      i);
		report(c, TR_SEV_UNSUPPORTED, "lattice.unsupported.parent-kind",
		       route, tr_node_get(p, "kind") ? tr_node_get(p, "kind") : p,
		       path,
		       "%s%s%s parents: VPC Lattice services attach to service "
		       "networks, which trellis reads from Gateways only",
		       group, *group ? "/" : "", kind);
	}
}

static void check_route(const checker *c, const tr_refs_object *route,
			service_names *names)
{
	tr_refs_route r;

	(void)tr_refs_route_resolve(&r, c->idx, route, NULL);
	if (!tr_refs_route_is_managed(&r))
		goto done;
	check_parent_kinds(c, route);
	/* Listener names embed the generated service name: one report. */
	check_listeners(c, route, &r, check_service_name(c, route, names));
	check_hostnames(c, route);
	check_rules(c, route);
done:
	tr_refs_route_dispose(&r);
}

int tr_lattice_check(const tr_refs_index *idx, tr_diag *diag)
{
	checker c = {idx, diag};
	service_names names;

	memset(&names, 0, sizeof(names));
	for (size_t i = 0; i < idx->count; i++) {
		const tr_refs_object *o = &idx->objects[i];

		if (!o->managed)
			continue;
		if (strcmp(o->kind, "Gateway") == 0 &&
		    tr_refs_gateway_is_lattice(idx, o))
			check_gateway(&c, o);
		else if (strcmp(o->kind, "HTTPRoute") == 0 ||
			 strcmp(o->kind, "GRPCRoute") == 0)
			check_route(&c, o, &names);
	}
	for (size_t i = 0; i < names.count; i++)
		tr_free(names.items[i].name);
	tr_free(names.items);
	tr_free(names.slots);
	return 0;
}
