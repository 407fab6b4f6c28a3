/* The offline access check (access.h). */
#include "policy/access.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "model/naming.h"
#include "policy/grammar.h"
#include "policy/refs.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/errors.h"
#include "util/limits.h"
#include "util/str.h"
#include "validate/refs.h"

#define IAM_GROUP "iam.services.k8s.aws"
#define INVOKE "vpc-lattice-svcs:Invoke"

typedef struct actx {
	tr_policy_access_result *r;
	const tr_repo *repo;
	tr_refs_index idx;
	tr_diag *diag;
	const char *account;
	const char *region;
} actx;

const char *tr_policy_verdict_name(tr_policy_verdict v)
{
	switch (v) {
	case TR_POLICY_ALLOW:
		return "allow";
	case TR_POLICY_EXPLICIT_DENY:
		return "explicit-deny";
	case TR_POLICY_IMPLICIT_DENY:
		break;
	}
	return "implicit-deny";
}

static const char *fmt(actx *a, const char *f, ...)
	__attribute__((format(printf, 2, 3)));

/* A formatted string in the result's arena. */
static const char *fmt(actx *a, const char *f, ...)
{
	tr_buf b = TR_BUF_INIT(TR_MAX_MESSAGE_BYTES);
	const char *s;
	va_list ap;

	va_start(ap, f);
	if (tr_buf_vprintf(&b, f, ap) < 0)
		tr_buf_truncate(&b, b.len); /* cut at the cap */
	va_end(ap);
	s = tr_arena_strdup(&a->r->arena, tr_buf_cstr(&b));
	tr_buf_dispose(&b);
	return s;
}

static void add_key(actx *a, const char *key, const char *value)
{
	tr_policy_access_result *r = a->r;

	if (!value || r->request.key_count >= TR_POLICY_ACCESS_MAX_KEYS)
		return;
	r->keys[r->request.key_count].key = tr_arena_strdup(&r->arena, key);
	r->keys[r->request.key_count].value = tr_arena_strdup(&r->arena, value);
	r->request.key_count++;
}

static void add_note(actx *a, const char *note)
{
	tr_policy_access_result *r = a->r;

	r->notes = tr_realloc(r->notes, (r->note_count + 1) * sizeof(char *));
	r->notes[r->note_count++] = tr_strdup(note);
}

static void fail_at(actx *a, const tr_node *at, const char *file,
		    const char *rule, const char *f, ...)
	__attribute__((format(printf, 5, 6)));

static void fail_at(actx *a, const tr_node *at, const char *file,
		    const char *rule, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	tr_diag_vadd(a->diag, TR_SEV_ERROR, rule, file, at ? at->line : 0,
		     at ? at->col : 0, NULL, f, ap);
	va_end(ap);
}

/* Lookups -------------------------------------------------------------- */

static const tr_config_cluster *cluster_named(const tr_repo *repo,
					      const char *name, int *index)
{
	for (size_t i = 0; i < repo->config.cluster_count; i++)
		if (tr_str_eq(repo->config.clusters[i].name, name)) {
			*index = (int)i;
			return &repo->config.clusters[i];
		}
	return NULL;
}

static bool is_route(const tr_refs_object *o)
{
	return tr_str_eq(o->group, TR_REFS_GATEWAY_GROUP) &&
	       (tr_str_eq(o->kind, "HTTPRoute") ||
		tr_str_eq(o->kind, "GRPCRoute"));
}

static const tr_refs_object *route_named(const tr_refs_index *idx,
					 const char *ns, const char *name)
{
	for (size_t i = 0; i < idx->count; i++) {
		const tr_refs_object *o = &idx->objects[i];
		if (is_route(o) && tr_str_eq(o->namespace_, ns) &&
		    tr_str_eq(o->name, name))
			return o;
	}
	return NULL;
}

/* "NS/NAME" split; no slash is the default namespace, as kubectl reads. */
static void split_ref(char *ns, size_t ns_cap, const char **name,
		      const char *to)
{
	const char *slash = strchr(to, '/');
	size_t n = slash ? (size_t)(slash - to) : 0;

	if (!slash) {
		snprintf(ns, ns_cap, "default");
		*name = to;
		return;
	}
	if (n >= ns_cap)
		n = ns_cap - 1;
	memcpy(ns, to, n);
	ns[n] = '\0';
	*name = slash + 1;
}

/* The Lattice service name of a route, as the model names it. */
static const char *service_name(actx *a, const tr_refs_object *route)
{
	const char *override = tr_node_get_str(
		tr_node_get(tr_node_get(route->doc->root, "metadata"),
			    "annotations"),
		TR_ANNOTATION_SERVICE_NAME);
	tr_buf b = TR_BUF_INIT(256);
	const char *s;

	if (override) {
		if (tr_buf_puts(&b, override) < 0)
			tr_buf_clear(&b);
	} else if (tr_naming_service(&b, route->name, route->namespace_) < 0) {
		tr_buf_clear(&b);
	}
	s = tr_arena_strdup(&a->r->arena, tr_buf_cstr(&b));
	tr_buf_dispose(&b);
	return s;
}

static const char *service_arn(actx *a, const char *service)
{
	return fmt(a, "arn:aws:vpc-lattice:%s:%s:service/svc-%s", a->region,
		   a->account, service);
}

static const char *network_arn(actx *a, const char *network)
{
	return fmt(a, "arn:aws:vpc-lattice:%s:%s:servicenetwork/sn-%s",
		   a->region, a->account, network);
}

static const tr_node *spec_of(const tr_refs_object *o)
{
	return tr_node_get(o->doc->root, "spec");
}

static const char *role_name(const tr_refs_object *o)
{
	const char *n = tr_node_get_str(spec_of(o), "name");

	return n ? n : o->name;
}

static const tr_refs_object *role_named(const tr_refs_index *idx,
					const char *name, bool by_spec_only)
{
	for (size_t i = 0; i < idx->count; i++) {
		const tr_refs_object *o = &idx->objects[i];
		if (!tr_str_eq(o->group, IAM_GROUP) || !tr_str_eq(o->kind, "Role"))
			continue;
		if (tr_str_eq(role_name(o), name) ||
		    (!by_spec_only && tr_str_eq(o->name, name)))
			return o;
	}
	return NULL;
}

static const char *role_arn(actx *a, const tr_refs_object *role)
{
	const char *path = tr_node_get_str_or(spec_of(role), "path", "/");

	return fmt(a, "arn:aws:iam::%s:role%s%s", a->account,
		   *path == '/' ? path : "/", role_name(role));
}

/* A Lattice Gateway of this cluster with this name: its VPC is associated
 * with the service network of that name. */
static bool cluster_has_network(const tr_refs_index *idx, int cluster,
				const char *name)
{
	for (const tr_refs_object *g =
		     tr_refs_find(idx, NULL, cluster, "Gateway", NULL, name);
	     g; g = tr_refs_find(idx, g, cluster, "Gateway", NULL, name))
		if (tr_refs_gateway_is_lattice(idx, g))
			return true;
	return false;
}

static bool any_network(const tr_refs_index *idx, const tr_repo *repo,
			const char *name)
{
	for (size_t c = 0; c < repo->config.cluster_count || c == 0; c++)
		if (cluster_has_network(idx, (int)c, name))
			return true;
	return false;
}

/* References ----------------------------------------------------------- */

static tr_policy_resolution resolve(void *ctx, const tr_policy_ref *ref,
				    const char **value)
{
	actx *a = ctx;
	const tr_config_cluster *c;
	const tr_refs_object *o;
	char ns[256];
	const char *name;
	int ci;

	switch (ref->kind) {
	case TR_POLICY_REF_SERVICE_ARN:
		split_ref(ns, sizeof(ns), &name, ref->name);
		if (!(o = route_named(&a->idx, ns, name)))
			return TR_POLICY_NOT_FOUND;
		*value = service_arn(a, service_name(a, o));
		return TR_POLICY_RESOLVED;
	case TR_POLICY_REF_SERVICENETWORK_ARN:
		if (!any_network(&a->idx, a->repo, ref->name))
			return TR_POLICY_NOT_FOUND;
		*value = network_arn(a, ref->name);
		return TR_POLICY_RESOLVED;
	case TR_POLICY_REF_CLUSTER_VPC_ID:
		c = cluster_named(a->repo, ref->name, &ci);
		if (!c || !c->vpc_id)
			return TR_POLICY_NOT_FOUND;
		*value = c->vpc_id;
		return TR_POLICY_RESOLVED;
	case TR_POLICY_REF_CLUSTER_OIDC_PROVIDER:
	case TR_POLICY_REF_CLUSTER_OIDC_ISSUER:
		c = cluster_named(a->repo, ref->name, &ci);
		if (!c || !c->oidc_issuer)
			return TR_POLICY_NOT_FOUND;
		*value = ref->kind == TR_POLICY_REF_CLUSTER_OIDC_ISSUER
				 ? c->oidc_issuer
				 : tr_policy_oidc_provider(c->oidc_issuer);
		return TR_POLICY_RESOLVED;
	case TR_POLICY_REF_ROLE_ARN:
		if (!(o = role_named(&a->idx, ref->name, true)))
			return TR_POLICY_NOT_FOUND;
		*value = role_arn(a, o);
		return TR_POLICY_RESOLVED;
	case TR_POLICY_REF_ACCOUNT:
		*value = a->account;
		return TR_POLICY_RESOLVED;
	case TR_POLICY_REF_REGION:
		*value = a->region;
		return TR_POLICY_RESOLVED;
	}
	return TR_POLICY_NOT_FOUND;
}

/* Resolves and parses one policy field; errors name the reference. */
static int load_policy(cJSON **out, actx *a, const tr_manifest_doc *doc,
		       const tr_node *field, const char *path)
{
	tr_buf text = TR_BUF_INIT(TR_POLICY_MAX_BYTES);
	tr_policy_subst_result res;
	int rc;

	*out = NULL;
	rc = tr_policy_refs_substitute(&text, field->text, field->text_len,
				       resolve, a, NULL, &res);
	if (rc == TR_EINVALID) {
		tr_diag_add(a->diag, TR_SEV_ERROR, "access.reference", doc->file,
			    field->line, field->col, path, "%s",
			    res.syntax.message);
		goto done;
	}
	if (rc == 0 && res.not_found) {
		tr_diag_add(a->diag, TR_SEV_ERROR, "access.reference", doc->file,
			    field->line, field->col, path,
			    "%.*s (line %u of the policy) names no %s in the "
			    "repository",
			    (int)res.first_not_found.len,
			    res.first_not_found.text, res.first_not_found.line,
			    tr_policy_ref_kind_name(res.first_not_found.kind));
		rc = TR_ENOTFOUND;
		goto done;
	}
	if (rc < 0) {
		tr_diag_add(a->diag, TR_SEV_ERROR, "access.policy", doc->file,
			    field->line, field->col, path,
			    "the policy is too large to evaluate");
		goto done;
	}
	if ((rc = tr_policy_parse(out, text.ptr, text.len)) < 0)
		tr_diag_add(a->diag, TR_SEV_ERROR, "access.policy", doc->file,
			    field->line, field->col, path,
			    "the policy is not valid JSON once its references "
			    "are filled in");
done:
	tr_buf_dispose(&text);
	return rc;
}

/* Layers --------------------------------------------------------------- */

static int add_doc(actx *a, tr_policy_access_layer *l,
		   const tr_manifest_doc *doc, const tr_node *field,
		   const char *path, const char *label, tr_policy_type type)
{
	tr_policy_access_doc *d;
	cJSON *policy = NULL;
	int rc;

	if (!field || field->type != TR_NODE_STRING)
		return 0;
	if ((rc = load_policy(&policy, a, doc, field, path)) < 0)
		return rc;
	l->docs = tr_realloc(l->docs, (l->count + 1) * sizeof(*l->docs));
	d = &l->docs[l->count++];
	memset(d, 0, sizeof(*d));
	d->label = tr_strdup(label);
	d->file = tr_strdup(doc->file);
	d->line = field->line;
	rc = tr_policy_eval(&d->decision, policy, type, &a->r->request);
	cJSON_Delete(policy);
	if (rc < 0)
		tr_diag_add(a->diag, TR_SEV_ERROR, "access.policy", doc->file,
			    field->line, field->col, path,
			    "the policy has no statements to evaluate");
	return rc;
}

/* A layer's verdict over its documents: any explicit Deny, else any
 * Allow, else implicitly denied. */
static void combine(tr_policy_access_layer *l)
{
	bool allow = false, deny = false;

	for (size_t i = 0; i < l->count; i++) {
		deny = deny ||
		       l->docs[i].decision.verdict == TR_POLICY_EXPLICIT_DENY;
		allow = allow || l->docs[i].decision.verdict == TR_POLICY_ALLOW;
	}
	l->verdict = deny ? TR_POLICY_EXPLICIT_DENY
			  : allow ? TR_POLICY_ALLOW : TR_POLICY_IMPLICIT_DENY;
}

/* IAMAuthPolicy objects whose targetRef is kind/ns/name. */
static int auth_layer(actx *a, tr_policy_access_layer *l, const char *kind,
		      const char *ns, const char *name)
{
	int rc = 0;

	for (size_t i = 0; i < a->idx.count && rc == 0; i++) {
		const tr_refs_object *o = &a->idx.objects[i];
		const tr_node *target = tr_node_get(spec_of(o), "targetRef");
		const char *tns;
		if (!tr_str_eq(o->group, TR_REFS_AWS_GROUP) ||
		    !tr_str_eq(o->kind, "IAMAuthPolicy") ||
		    !tr_str_eq(tr_node_get_str(target, "kind"), kind) ||
		    !tr_str_eq(tr_node_get_str(target, "name"), name))
			continue;
		tns = tr_node_get_str_or(target, "namespace", o->namespace_);
		if (ns && !tr_str_eq(tns, ns))
			continue;
		if (l->count == 1)
			add_note(a, "more than one IAMAuthPolicy targets the "
				    "same resource; the AWS controller applies "
				    "the oldest, trellis evaluates each");
		l->enforced = true;
		rc = add_doc(a, l, o->doc, tr_node_get(spec_of(o), "policy"),
			     "spec.policy",
			     fmt(a, "IAMAuthPolicy %s/%s", o->namespace_,
				 o->name),
			     TR_POLICY_AUTH);
	}
	combine(l);
	return rc;
}

static int identity_layer(actx *a, tr_policy_access_layer *l,
			  const tr_refs_object *role)
{
	const tr_node *spec = spec_of(role);
	const tr_node *inl = tr_node_get(spec, "inlinePolicies");
	const tr_node *managed = tr_node_get(spec, "policies");
	int rc = 0;

	for (size_t i = 0; inl && inl->type == TR_NODE_MAP && i < inl->count &&
			   rc == 0;
	     i++) {
		const char *k = inl->u.pairs[i].key;
		rc = add_doc(a, l, role->doc, inl->u.pairs[i].value,
			     fmt(a, "spec.inlinePolicies.%s", k),
			     fmt(a, "inline policy %s", k),
			     TR_POLICY_IDENTITY);
	}
	for (size_t i = 0; managed && managed->type == TR_NODE_SEQ &&
			   i < managed->count;
	     i++) {
		const char *arn = tr_node_str(managed->u.items[i]);
		if (arn)
			add_note(a, fmt(a, "managed policy %s of role %s is not "
					   "in the repository: not evaluated",
					arn, role_name(role)));
	}
	combine(l);
	return rc;
}

/* The request ---------------------------------------------------------- */

static void role_tags(actx *a, const tr_refs_object *role)
{
	const tr_node *tags = tr_node_get(spec_of(role), "tags");

	for (size_t i = 0; tags && tags->type == TR_NODE_SEQ && i < tags->count;
	     i++) {
		const char *k = tr_node_get_str(tags->u.items[i], "key");
		const char *v = tr_node_get_str(tags->u.items[i], "value");
		if (k && v)
			add_key(a, fmt(a, "aws:PrincipalTag/%s", k), v);
	}
}

/* The port of the listener the route is attached to on `network`. */
static const char *listener_port(actx *a, const tr_refs_route *rt,
				 const char *network)
{
	for (size_t i = 0; i < rt->count; i++) {
		int64_t port;
		if (tr_str_eq(rt->items[i].gateway->name, network) &&
		    tr_node_get_int(rt->items[i].listener, "port", &port))
			return fmt(a, "%lld", (long long)port);
	}
	return NULL;
}

static void decide(actx *a)
{
	tr_policy_access_result *r = a->r;
	bool any_iam = false;

	for (size_t i = 0; i < r->layer_count; i++)
		any_iam = any_iam || (r->layers[i].enforced &&
				      r->layers[i].kind != TR_POLICY_ACCESS_IDENTITY);
	/* Without AWS_IAM anywhere Lattice does not look at IAM at all. */
	r->layers[r->layer_count - 1].enforced = any_iam;
	for (size_t i = 0; i < r->layer_count; i++) {
		tr_policy_access_layer *l = &r->layers[i];
		if (l->enforced && l->verdict == TR_POLICY_EXPLICIT_DENY) {
			r->allowed = false;
			r->reason = tr_strdup(fmt(a, "an explicit Deny in the "
						     "policies of %s",
						  l->name));
			return;
		}
	}
	for (size_t i = 0; i < r->layer_count; i++) {
		tr_policy_access_layer *l = &r->layers[i];
		if (l->enforced && l->verdict != TR_POLICY_ALLOW) {
			r->allowed = false;
			r->reason = tr_strdup(
				fmt(a, "no statement in the %s of %s allows it",
				    l->kind == TR_POLICY_ACCESS_IDENTITY
					    ? "identity policies"
					    : "auth policy",
				    l->name));
			return;
		}
	}
	r->allowed = true;
	r->reason = tr_strdup(any_iam ? "every policy VPC Lattice checks allows "
					"it"
				      : "neither the service network nor the "
					"service uses IAM auth (auth type NONE)");
}

int tr_policy_access_explain(tr_policy_access_result *out,
			     const tr_repo *repo,
			     const tr_policy_access_query *q, tr_diag *diag)
{
	actx a;
	const tr_config_cluster *cluster;
	const tr_refs_object *route, *role;
	tr_refs_route rt = {0};
	const char *network = NULL, *svc, *name, *port;
	char ns[256];
	int ci = -1, rc = TR_EINVALID;

	memset(&a, 0, sizeof(a));
	a.r = out;
	a.repo = repo;
	a.diag = diag;
	memset(out, 0, sizeof(*out));
	tr_arena_init(&out->arena);
	a.account = q->account ? q->account : TR_POLICY_ACCESS_ACCOUNT;
	a.region = repo->config.region ? repo->config.region : "us-east-1";
	if ((rc = tr_refs_index_build(&a.idx, repo)) < 0)
		goto done;
	rc = TR_EINVALID;

	cluster = cluster_named(repo, q->from_cluster, &ci);
	if (!cluster || !cluster->vpc_id) {
		fail_at(&a, NULL, repo->config.file, "access.cluster",
			cluster ? "cluster %s has no vpcId in the config file"
				: "no cluster named %s in the config file",
			q->from_cluster);
		goto done;
	}
	split_ref(ns, sizeof(ns), &name, q->to);
	if (!(route = route_named(&a.idx, ns, name))) {
		fail_at(&a, NULL, NULL, "access.route",
			"no HTTPRoute or GRPCRoute %s/%s in the repository", ns,
			name);
		goto done;
	}
	if (!(role = role_named(&a.idx, q->role, false))) {
		fail_at(&a, NULL, NULL, "access.role",
			"no Role %s (iam.services.k8s.aws) in the repository",
			q->role);
		goto done;
	}
	svc = service_name(&a, route);

	/* The network the call goes through: a parent Gateway of the route
	 * that the caller's cluster also declares. */
	(void)tr_refs_route_resolve(&rt, &a.idx, route, NULL);
	for (size_t i = 0; i < rt.count && !network; i++)
		if (cluster_has_network(&a.idx, ci, rt.items[i].gateway->name))
			network = rt.items[i].gateway->name;

	out->request.principal_arn = role_arn(&a, role);
	out->request.principal_account = a.account;
	out->request.action = INVOKE;
	out->request.resource = fmt(&a, "%s%s%s", service_arn(&a, svc),
				    q->path && *q->path == '/' ? "" : "/",
				    q->path ? q->path : "");
	out->request.keys = out->keys;
	add_key(&a, "vpc-lattice-svcs:SourceVpc", cluster->vpc_id);
	add_key(&a, "vpc-lattice-svcs:SourceVpcOwnerAccount", a.account);
	add_key(&a, "vpc-lattice-svcs:ServiceArn", service_arn(&a, svc));
	if (network)
		add_key(&a, "vpc-lattice-svcs:ServiceNetworkArn",
			network_arn(&a, network));
	if (network && (port = listener_port(&a, &rt, network)))
		add_key(&a, "vpc-lattice-svcs:Port", port);
	add_key(&a, "vpc-lattice-svcs:RequestMethod",
		q->method ? q->method : "GET");
	add_key(&a, "aws:PrincipalArn", out->request.principal_arn);
	add_key(&a, "aws:PrincipalAccount", a.account);
	add_key(&a, "aws:PrincipalType", "AssumedRole");
	role_tags(&a, role);
	if (!q->account)
		add_note(&a, "the account is a placeholder (" TR_POLICY_ACCESS_ACCOUNT
			     "): give the real one with --account when "
			     "policies name it literally");
	add_note(&a, "service and service network ids are placeholders "
		     "(svc-<service name>, sn-<network name>): policies that "
		     "name them through references match as they will after "
		     "apply");

	if (!network) {
		out->allowed = false;
		out->reason = tr_strdup(fmt(
			&a, "cluster %s declares no service network that "
			    "service %s is in: its VPC cannot reach the service",
			q->from_cluster, svc));
		rc = 0;
		goto done;
	}
	out->layer_count = 3;
	out->layers[0].kind = TR_POLICY_ACCESS_SERVICE_NETWORK;
	out->layers[0].name = tr_strdup(fmt(&a, "service network %s", network));
	out->layers[1].kind = TR_POLICY_ACCESS_SERVICE;
	out->layers[1].name = tr_strdup(fmt(&a, "service %s", svc));
	out->layers[2].kind = TR_POLICY_ACCESS_IDENTITY;
	out->layers[2].name = tr_strdup(fmt(&a, "role %s", role_name(role)));
	if ((rc = auth_layer(&a, &out->layers[0], "Gateway", NULL, network)) < 0 ||
	    (rc = auth_layer(&a, &out->layers[1], route->kind,
			     route->namespace_, route->name)) < 0 ||
	    (rc = identity_layer(&a, &out->layers[2], role)) < 0)
		goto done;
	decide(&a);
	rc = 0;
done:
	tr_refs_route_dispose(&rt);
	tr_refs_index_dispose(&a.idx);
	return rc;
}

void tr_policy_access_dispose(tr_policy_access_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->layer_count; i++) {
		tr_policy_access_layer *l = &r->layers[i];
		for (size_t j = 0; j < l->count; j++) {
			tr_free(l->docs[j].label);
			tr_free(l->docs[j].file);
			tr_policy_decision_dispose(&l->docs[j].decision);
		}
		tr_free(l->docs);
		tr_free(l->name);
	}
	for (size_t i = 0; i < r->note_count; i++)
		tr_free(r->notes[i]);
	tr_free(r->notes);
	tr_free(r->reason);
	tr_arena_dispose(&r->arena);
	memset(r, 0, sizeof(*r));
}

static const char *layer_kind_name(tr_policy_access_layer_kind k)
{
	switch (k) {
	case TR_POLICY_ACCESS_SERVICE_NETWORK:
		return "service-network";
	case TR_POLICY_ACCESS_SERVICE:
		return "service";
	case TR_POLICY_ACCESS_IDENTITY:
		break;
	}
	return "identity";
}

cJSON *tr_policy_access_to_json(const tr_policy_access_result *r)
{
	cJSON *doc = cJSON_CreateObject(), *req, *ctx, *layers, *notes;

	cJSON_AddBoolToObject(doc, "allowed", r->allowed);
	cJSON_AddStringToObject(doc, "reason", r->reason ? r->reason : "");
	req = cJSON_AddObjectToObject(doc, "request");
	cJSON_AddStringToObject(req, "principal", r->request.principal_arn
							  ? r->request.principal_arn
							  : "");
	cJSON_AddStringToObject(req, "action",
				r->request.action ? r->request.action : "");
	cJSON_AddStringToObject(req, "resource",
				r->request.resource ? r->request.resource : "");
	ctx = cJSON_AddObjectToObject(req, "context");
	for (size_t i = 0; i < r->request.key_count; i++)
		cJSON_AddStringToObject(ctx, r->keys[i].key, r->keys[i].value);
	layers = cJSON_AddArrayToObject(doc, "layers");
	for (size_t i = 0; i < r->layer_count; i++) {
		const tr_policy_access_layer *l = &r->layers[i];
		cJSON *lj = cJSON_CreateObject(), *docs;
		cJSON_AddStringToObject(lj, "kind", layer_kind_name(l->kind));
		cJSON_AddStringToObject(lj, "name", l->name);
		cJSON_AddBoolToObject(lj, "enforced", l->enforced);
		cJSON_AddStringToObject(lj, "verdict",
					tr_policy_verdict_name(l->verdict));
		docs = cJSON_AddArrayToObject(lj, "policies");
		for (size_t j = 0; j < l->count; j++) {
			const tr_policy_access_doc *d = &l->docs[j];
			cJSON *dj = cJSON_CreateObject(), *sts;
			cJSON_AddStringToObject(dj, "label", d->label);
			cJSON_AddStringToObject(dj, "file", d->file);
			cJSON_AddNumberToObject(dj, "line", d->line);
			cJSON_AddStringToObject(
				dj, "verdict",
				tr_policy_verdict_name(d->decision.verdict));
			sts = cJSON_AddArrayToObject(dj, "statements");
			for (size_t k = 0; k < d->decision.count; k++) {
				const tr_policy_statement_result *s =
					&d->decision.statements[k];
				cJSON *sj = cJSON_CreateObject();
				cJSON_AddNumberToObject(sj, "index", (double)s->index);
				if (s->sid)
					cJSON_AddStringToObject(sj, "sid", s->sid);
				cJSON_AddStringToObject(sj, "effect",
							s->deny ? "Deny" : "Allow");
				cJSON_AddBoolToObject(sj, "matched", s->matched);
				if (s->why)
					cJSON_AddStringToObject(sj, "why", s->why);
				cJSON_AddItemToArray(sts, sj);
			}
			cJSON_AddItemToArray(docs, dj);
		}
		cJSON_AddItemToArray(layers, lj);
	}
	notes = cJSON_AddArrayToObject(doc, "notes");
	for (size_t i = 0; i < r->note_count; i++)
		cJSON_AddItemToArray(notes, cJSON_CreateString(r->notes[i]));
	return doc;
}
