/*
 * The desired model: a pure, deterministic translation of a loaded
 * repository into AWS resources (DESIGN.md §4). It reads validated
 * documents; what validation already reported is not reported again, and
 * what Lattice cannot express is dropped here with a note.
 */
#include <stdio.h>
#include <string.h>

#include "model/dns.h"
#include "model/iam_internal.h"
#include "model/model.h"
#include "model/naming.h"
#include "validate/refs.h"
#include "util/alloc.h"
#include "util/limits.h"
#include "util/str.h"

#define GATEWAY_GROUP "gateway.networking.k8s.io"
#define AWS_GROUP "application-networking.k8s.aws"
#define LATTICE_CONTROLLER AWS_GROUP "/gateway-api-controller"
#define CERT_OPTION AWS_GROUP "/certificate-arn"

typedef struct builder {
	const tr_repo *repo;
	tr_model *model;
	tr_diag *diag;
	const char *owner;
	tr_refs_index idx;  /* the same resolution validation uses */
} builder;

static const char *doc_namespace(const tr_manifest_doc *d)
{
	return d->namespace_ && *d->namespace_ ? d->namespace_ : "default";
}

static const tr_node *spec_of(const tr_manifest_doc *d)
{
	return tr_node_get(d->root, "spec");
}

static int64_t int_or(const tr_node *n, int64_t fallback)
{
	return n && n->type == TR_NODE_INT ? n->as.integer : fallback;
}

/* The Service a backendRef names, in the route's cluster. */
static const tr_manifest_doc *find_service(const builder *b, int cluster,
					   const char *ns, const char *name)
{
	const tr_refs_object *o =
		tr_refs_find(&b->idx, NULL, cluster, "Service", ns, name);

	return o ? o->doc : NULL;
}

static void tag(builder *b, tr_resource *r, const tr_manifest_doc *src,
		const tr_node *at)
{
	tr_resource_set_tag(r, TR_TAG_OWNER, b->owner);
	tr_resource_set_tag(r, TR_TAG_SOURCE, src->file);
	tr_resource_set_source(r, src->file, at ? at->line : src->root->line);
}

/* --- Gateways: service networks and VPC associations --------------------- */

static const tr_manifest_doc *vpc_association_policy(const builder *b,
						     int cluster,
						     const tr_manifest_doc *gw)
{
	const tr_repo *repo = b->repo;

	for (size_t i = 0; i < repo->set.count; i++) {
		const tr_manifest_doc *d = &repo->set.docs[i];
		const tr_node *ref;

		if (repo->doc_cluster[i] != cluster ||
		    !tr_manifest_doc_is(d, AWS_GROUP, "VpcAssociationPolicy"))
			continue;
		ref = tr_node_get(spec_of(d), "targetRef");
		if (tr_str_eq(tr_node_get_str(ref, "kind"), "Gateway") &&
		    tr_str_eq(tr_node_get_str(ref, "name"), gw->name) &&
		    strcmp(doc_namespace(d), doc_namespace(gw)) == 0)
			return d;
	}
	return NULL;
}

static void build_gateway(builder *b, int cluster, const tr_manifest_doc *gw)
{
	const tr_config_cluster *c = &b->repo->config.clusters[cluster];
	const tr_manifest_doc *vap;
	tr_buf addr = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	tr_resource *sn, *assoc;
	cJSON *attrs;
	bool associate = true;

	if (tr_buf_printf(&addr, "service_network.%s", gw->name) < 0)
		goto done;
	sn = tr_model_find(b->model, addr.ptr);
	if (!sn) {
		attrs = cJSON_CreateObject();
		cJSON_AddStringToObject(attrs, "name", gw->name);
		cJSON_AddStringToObject(attrs, "authType", "NONE");
		sn = tr_model_add(b->model, TR_KIND_SERVICE_NETWORK, attrs, "%s",
				  gw->name);
		if (sn)
			tag(b, sn, gw, NULL);
	}
	if (!c->vpc_id)
		goto done; /* no config: nothing to associate with */
	vap = vpc_association_policy(b, cluster, gw);
	if (vap) {
		const tr_node *flag = tr_node_get(spec_of(vap), "associateWithVpc");
		associate = !(flag && flag->type == TR_NODE_BOOL &&
			      !flag->as.boolean);
	}
	if (!associate)
		goto done;
	attrs = cJSON_CreateObject();
	cJSON_AddItemToObject(attrs, "serviceNetworkIdentifier",
			      tr_model_ref(addr.ptr));
	cJSON_AddStringToObject(attrs, "vpcIdentifier", c->vpc_id);
	if (vap) {
		const tr_node *sgs =
			tr_node_get(spec_of(vap), "securityGroupIds");
		cJSON *list = cJSON_AddArrayToObject(attrs, "securityGroupIds");
		for (size_t i = 0; sgs && sgs->type == TR_NODE_SEQ &&
				   i < sgs->count;
		     i++)
			if (tr_node_str(sgs->u.items[i]))
				cJSON_AddItemToArray(
					list, cJSON_CreateString(
						      sgs->u.items[i]->text));
	}
	assoc = tr_model_add(b->model, TR_KIND_SN_VPC_ASSOCIATION, attrs,
			     "%s/%s", gw->name, c->name);
	if (assoc) {
		tr_resource_set_parent(assoc, addr.ptr);
		tag(b, assoc, vap ? vap : gw, NULL);
	} else {
		tr_diag_add(b->diag, TR_SEV_ERROR, "model.vpc-association",
			    gw->file, gw->root->line, gw->root->col, NULL,
			    "Gateway %s is declared twice in cluster %s",
			    gw->name, c->name);
	}
done:
	tr_buf_dispose(&addr);
}

/* A VPC can be associated with one service network only. */
static void check_one_network_per_vpc(builder *b)
{
	tr_model *m = b->model;

	tr_model_sort(m);
	for (size_t i = 0; i < m->count; i++) {
		const tr_resource *r = &m->resources[i];
		const cJSON *vpc;

		if (r->kind != TR_KIND_SN_VPC_ASSOCIATION)
			continue;
		vpc = cJSON_GetObjectItemCaseSensitive(r->attrs, "vpcIdentifier");
		for (size_t j = i + 1; j < m->count; j++) {
			const tr_resource *o = &m->resources[j];
			if (o->kind != TR_KIND_SN_VPC_ASSOCIATION ||
			    !cJSON_Compare(vpc,
					   cJSON_GetObjectItemCaseSensitive(
						   o->attrs, "vpcIdentifier"),
					   true))
				continue;
			tr_diag_add(b->diag, TR_SEV_ERROR,
				    "lattice.one-network-per-vpc",
				    o->source_file, o->source_line, 0, NULL,
				    "VPC %s would join service networks %s and "
				    "%s; a VPC can be associated with one "
				    "service network only",
				    vpc->valuestring, r->parent, o->parent);
		}
	}
}

/* --- Routes: services, listeners, rules, target groups ------------------- */

typedef struct route_ctx {
	builder *b;
	int cluster;
	const tr_manifest_doc *doc;
	const char *ns;
	bool grpc;
	char svc_name[64];
	char svc_addr[96];
} route_ctx;

static const char *listener_protocol(const tr_node *l)
{
	const char *proto = tr_node_get_str(l, "protocol");
	const char *mode = tr_node_get_str(tr_node_get(l, "tls"), "mode");

	if (tr_str_eq(proto, "HTTP"))
		return "HTTP";
	if (tr_str_eq(proto, "HTTPS") && (!mode || tr_str_eq(mode, "Terminate")))
		return "HTTPS";
	if (tr_str_eq(proto, "TLS") && tr_str_eq(mode, "Passthrough"))
		return "TLS_PASSTHROUGH";
	return NULL;
}

static const tr_manifest_doc *target_group_policy(const builder *b,
						  int cluster, const char *ns,
						  const char *svc)
{
	const tr_repo *repo = b->repo;

	for (size_t i = 0; i < repo->set.count; i++) {
		const tr_manifest_doc *d = &repo->set.docs[i];
		const tr_node *ref;

		if (repo->doc_cluster[i] != cluster ||
		    !tr_manifest_doc_is(d, AWS_GROUP, "TargetGroupPolicy") ||
		    strcmp(doc_namespace(d), ns) != 0)
			continue;
		ref = tr_node_get(spec_of(d), "targetRef");
		if (tr_str_eq(tr_node_get_str(ref, "kind"), "Service") &&
		    tr_str_eq(tr_node_get_str(ref, "name"), svc))
			return d;
	}
	return NULL;
}

static cJSON *node_to_json(const tr_node *n, int depth)
{
	cJSON *o;

	if (!n || depth > (int)TR_MAX_YAML_DEPTH)
		return cJSON_CreateNull();
	switch (n->type) {
	case TR_NODE_NULL:
		return cJSON_CreateNull();
	case TR_NODE_BOOL:
		return cJSON_CreateBool(n->as.boolean);
	case TR_NODE_INT:
		return cJSON_CreateNumber((double)n->as.integer);
	case TR_NODE_FLOAT:
		return cJSON_CreateNumber(n->as.number);
	case TR_NODE_STRING:
		return cJSON_CreateString(n->text);
	case TR_NODE_SEQ:
		o = cJSON_CreateArray();
		for (size_t i = 0; i < n->count; i++)
			cJSON_AddItemToArray(o, node_to_json(n->u.items[i],
							     depth + 1));
		return o;
	case TR_NODE_MAP:
		o = cJSON_CreateObject();
		for (size_t i = 0; i < n->count; i++)
			cJSON_AddItemToObject(o, n->u.pairs[i].key,
					      node_to_json(n->u.pairs[i].value,
							   depth + 1));
		return o;
	}
	return cJSON_CreateNull();
}

/* The port a target group sends to: the Service port's numeric targetPort,
 * else the port itself (Kubernetes' default for targetPort). */
static int64_t backend_port(const tr_manifest_doc *svc, int64_t ref_port)
{
	const tr_node *ports = tr_node_get(spec_of(svc), "ports");

	for (size_t i = 0; ports && ports->type == TR_NODE_SEQ &&
			   i < ports->count;
	     i++) {
		const tr_node *p = ports->u.items[i];
		int64_t port = int_or(tr_node_get(p, "port"), -1);
		const tr_node *target = tr_node_get(p, "targetPort");

		if (ref_port > 0 && port != ref_port)
			continue;
		if (target && target->type == TR_NODE_INT)
			return target->as.integer;
		return port;
	}
	return ref_port > 0 ? ref_port : 80;
}

/* The Service port a backendRef selects: the one with that port, else
 * the first (Kubernetes' single-port Services). NULL without ports. */
static const tr_node *service_port(const tr_manifest_doc *svc,
				   int64_t ref_port)
{
	const tr_node *ports = tr_node_get(spec_of(svc), "ports");

	for (size_t i = 0; ports && ports->type == TR_NODE_SEQ &&
			   i < ports->count;
	     i++)
		if (ref_port <= 0 ||
		    int_or(tr_node_get(ports->u.items[i], "port"), -1) ==
			    ref_port)
			return ports->u.items[i];
	return NULL;
}

/* Where the targets of a target group come from: the Service's
 * EndpointSlices in its cluster, the port of the selected Service port
 * (EndpointSlice ports carry the Service port's name and the resolved
 * targetPort number). Resolved at plan time (src/kube); until then the
 * set of targets is unknown and nothing is planned for it. */
static void build_targets(builder *b, const char *tg_addr, int cluster,
			  const tr_manifest_doc *svc, int64_t ref_port,
			  const char *ip_type)
{
	const tr_node *port = service_port(svc, ref_port);
	const tr_node *target = tr_node_get(port, "targetPort");
	cJSON *attrs = cJSON_CreateObject();
	cJSON *src;
	tr_resource *r;

	cJSON_AddItemToObject(attrs, "targetGroupIdentifier",
			      tr_model_ref(tg_addr));
	src = cJSON_AddObjectToObject(attrs, "endpoints");
	cJSON_AddStringToObject(src, "cluster",
				b->repo->config.clusters[cluster].name);
	cJSON_AddStringToObject(src, "namespace", doc_namespace(svc));
	cJSON_AddStringToObject(src, "service", svc->name ? svc->name : "");
	cJSON_AddStringToObject(src, "portName",
				tr_node_get_str_or(port, "name", ""));
	if (port)
		cJSON_AddNumberToObject(src, "port",
					(double)int_or(tr_node_get(port, "port"),
						       0));
	if (target)
		cJSON_AddItemToObject(src, "targetPort", node_to_json(target, 0));
	cJSON_AddStringToObject(src, "ipAddressType", ip_type);
	r = tr_model_add(b->model, TR_KIND_TARGETS, attrs, "%s",
			 tg_addr + strlen("target_group."));
	if (r) {
		tr_resource_set_parent(r, tg_addr);
		tr_resource_set_source(r, svc->file, svc->root->line);
	}
}

#define FEDERATION_ANNOTATION AWS_GROUP "/federation"
#define FEDERATION_VALUE "amazon-vpc-lattice"

static const char *annotation_of(const tr_manifest_doc *d, const char *key)
{
	return tr_node_get_str(
		tr_node_get(tr_node_get(d->root, "metadata"), "annotations"),
		key);
}

/* The ServiceExport (with the Lattice federation annotation) that a
 * ServiceImport in `cluster` stands for: same name (or the import's
 * export-name annotation) and namespace, in another cluster folder of the
 * repository; the import's aws-eks-cluster-name annotation picks among
 * several. Sets *out_cluster. */
static const tr_manifest_doc *find_export(const builder *b, int cluster,
					  const char *ns, const char *name,
					  int *out_cluster)
{
	const tr_refs_object *imp =
		tr_refs_find(&b->idx, NULL, cluster, "ServiceImport", ns, name);
	const char *export_name = imp ? annotation_of(imp->doc, AWS_GROUP
						      "/export-name")
				      : NULL;
	const char *want_cluster =
		imp ? annotation_of(imp->doc, AWS_GROUP "/aws-eks-cluster-name")
		    : NULL;

	if (!export_name)
		export_name = name;
	for (size_t i = 0; i < b->idx.count; i++) {
		const tr_refs_object *o = &b->idx.objects[i];
		const char *cname = b->repo->config.clusters[o->cluster].name;

		if (!o->managed || strcmp(o->kind, "ServiceExport") != 0 ||
		    !tr_str_eq(o->name, export_name) ||
		    !tr_str_eq(o->namespace_, ns) ||
		    (want_cluster && !tr_str_eq(cname, want_cluster)) ||
		    !tr_str_eq(annotation_of(o->doc, FEDERATION_ANNOTATION),
			       FEDERATION_VALUE))
			continue;
		*out_cluster = o->cluster;
		return o->doc;
	}
	return NULL;
}

/* Builds (or finds) the target group of a backend: a Service of the
 * route's cluster, or a ServiceImport of a Service exported from another
 * cluster of the repository (that cluster's VPC and endpoints). Returns
 * its address in `addr`, or false when the backend is not one trellis can
 * target (validation has reported why). */
static bool build_target_group(route_ctx *rc, const tr_node *ref,
			       tr_buf *addr)
{
	builder *b = rc->b;
	int cluster = rc->cluster;
	const tr_config_cluster *c;
	const char *kind = tr_node_get_str(ref, "kind");
	const char *name = tr_node_get_str(ref, "name");
	const char *ns = tr_node_get_str(ref, "namespace");
	const tr_manifest_doc *svc, *tgp, *source, *export = NULL;
	tr_buf tg = TR_BUF_INIT(256);
	cJSON *attrs, *config;
	const char *protocol = "HTTP", *version = rc->grpc ? "GRPC" : "HTTP1";
	const char *ip_type;
	const tr_node *ipf;
	int64_t ref_port = int_or(tr_node_get(ref, "port"), -1);
	tr_resource *r;
	bool ok = false;

	if (!name)
		goto done;
	ns = ns ? ns : rc->ns;
	if (kind && strcmp(kind, "ServiceImport") == 0) {
		const char *svc_name;

		export = find_export(b, rc->cluster, ns, name, &cluster);
		if (!export) {
			tr_diag_add(b->diag, TR_SEV_NOTE, "model.import-outside",
				    rc->doc->file, ref->line, ref->col, NULL,
				    "ServiceImport %s/%s: no cluster folder of "
				    "the repository exports it (ServiceExport "
				    "with annotation %s: %s); trellis plans no "
				    "target group for it",
				    ns, name, FEDERATION_ANNOTATION,
				    FEDERATION_VALUE);
			goto done;
		}
		svc_name = annotation_of(export, AWS_GROUP "/service-name");
		name = svc_name ? svc_name : export->name;
		/* The export's port, not the backendRef's (ignored, as the
		 * controller does). */
		ref_port = -1;
		{
			const tr_node *ports =
				tr_node_get(spec_of(export), "exportedPorts");
			if (ports && ports->type == TR_NODE_SEQ && ports->count)
				ref_port = int_or(tr_node_get(ports->u.items[0],
							      "port"),
						  -1);
		}
	} else if (kind && strcmp(kind, "Service") != 0) {
		goto done;
	}
	c = &b->repo->config.clusters[cluster];
	svc = find_service(b, cluster, ns, name);
	if (!svc)
		goto done;
	source = export ? export : svc;
	if (tr_naming_target_group(&tg, name, ns, c->name, rc->svc_name) < 0)
		goto done;
	tr_buf_clear(addr);
	if (tr_buf_printf(addr, "target_group.%s", tg.ptr) < 0)
		goto done;
	ok = true;
	if (tr_model_find(b->model, addr->ptr))
		goto done; /* the same backend in another rule */
	tgp = target_group_policy(b, cluster, ns, name);
	if (tgp) {
		const char *p = tr_node_get_str(spec_of(tgp), "protocol");
		const char *v = tr_node_get_str(spec_of(tgp), "protocolVersion");
		if (p)
			protocol = p;
		if (v && !rc->grpc)
			version = v;
	}
	attrs = cJSON_CreateObject();
	cJSON_AddStringToObject(attrs, "name", tg.ptr);
	cJSON_AddStringToObject(attrs, "type", "IP");
	config = cJSON_AddObjectToObject(attrs, "config");
	cJSON_AddNumberToObject(config, "port",
				(double)backend_port(svc, ref_port));
	cJSON_AddStringToObject(config, "protocol", protocol);
	if (strcmp(protocol, "TCP") != 0)
		cJSON_AddStringToObject(config, "protocolVersion", version);
	if (c->vpc_id)
		cJSON_AddStringToObject(config, "vpcIdentifier", c->vpc_id);
	else
		cJSON_AddNullToObject(config, "vpcIdentifier");
	ipf = tr_node_get(spec_of(svc), "ipFamilies");
	ip_type = ipf && ipf->type == TR_NODE_SEQ && ipf->count == 1 &&
				  tr_str_eq(tr_node_str(ipf->u.items[0]), "IPv6")
			  ? "IPV6"
			  : "IPV4";
	cJSON_AddStringToObject(config, "ipAddressType", ip_type);
	if (tgp && tr_node_get(spec_of(tgp), "healthCheck"))
		cJSON_AddItemToObject(config, "healthCheck",
				      node_to_json(tr_node_get(spec_of(tgp),
							       "healthCheck"),
						   0));
	r = tr_model_add(b->model, TR_KIND_TARGET_GROUP, attrs, "%s", tg.ptr);
	if (r) {
		tag(b, r, source, NULL);
		build_targets(b, addr->ptr, cluster, svc, ref_port, ip_type);
	}
done:
	tr_buf_dispose(&tg);
	return ok;
}

static cJSON *http_match(route_ctx *rc, const tr_node *rule, size_t index)
{
	const tr_node *matches = tr_node_get(rule, "matches");
	const tr_node *m = matches && matches->type == TR_NODE_SEQ &&
					   matches->count
				   ? matches->u.items[0]
				   : NULL;
	cJSON *http = cJSON_CreateObject();
	cJSON *wrap = cJSON_CreateObject();

	cJSON_AddItemToObject(wrap, "httpMatch", http);
	if (matches && matches->type == TR_NODE_SEQ && matches->count > 1)
		tr_diag_add(rc->b->diag, TR_SEV_NOTE, "model.dropped",
			    rc->doc->file, matches->u.items[1]->line,
			    matches->u.items[1]->col, NULL,
			    "rules[%zu]: only the first match is planned; VPC "
			    "Lattice has one match per rule",
			    index);
	if (rc->grpc) {
		const tr_node *method = tr_node_get(m, "method");
		const char *service = tr_node_get_str(method, "service");
		const char *name = tr_node_get_str(method, "method");
		tr_buf path = TR_BUF_INIT(1024);
		cJSON *pm = cJSON_AddObjectToObject(http, "pathMatch");
		cJSON *mm = cJSON_AddObjectToObject(pm, "match");

		cJSON_AddStringToObject(http, "method", "POST");
		if (service && name &&
		    tr_buf_printf(&path, "/%s/%s", service, name) == 0)
			cJSON_AddStringToObject(mm, "exact", path.ptr);
		else if (service && tr_buf_printf(&path, "/%s/", service) == 0)
			cJSON_AddStringToObject(mm, "prefix", path.ptr);
		else
			cJSON_AddStringToObject(mm, "prefix", "/");
		cJSON_AddTrueToObject(pm, "caseSensitive");
		tr_buf_dispose(&path);
	} else {
		const tr_node *path = tr_node_get(m, "path");
		const char *type = tr_node_get_str(path, "type");
		const char *value = tr_node_get_str(path, "value");
		const char *method = tr_node_get_str(m, "method");
		const tr_node *headers = tr_node_get(m, "headers");
		cJSON *pm, *mm;

		if (method)
			cJSON_AddStringToObject(http, "method", method);
		pm = cJSON_AddObjectToObject(http, "pathMatch");
		mm = cJSON_AddObjectToObject(pm, "match");
		cJSON_AddStringToObject(mm,
					tr_str_eq(type, "Exact") ? "exact" : "prefix",
					value ? value : "/");
		cJSON_AddTrueToObject(pm, "caseSensitive");
		if (headers && headers->type == TR_NODE_SEQ && headers->count) {
			cJSON *list = cJSON_AddArrayToObject(http, "headerMatches");
			for (size_t i = 0; i < headers->count && i < 5; i++) {
				const tr_node *h = headers->u.items[i];
				cJSON *o = cJSON_CreateObject();
				cJSON *hm;
				const char *hn = tr_node_get_str(h, "name");
				const char *hv = tr_node_get_str(h, "value");

				cJSON_AddStringToObject(o, "name", hn ? hn : "");
				hm = cJSON_AddObjectToObject(o, "match");
				cJSON_AddStringToObject(hm, "exact", hv ? hv : "");
				cJSON_AddFalseToObject(o, "caseSensitive");
				cJSON_AddItemToArray(list, o);
			}
		}
	}
	return wrap;
}

static cJSON *rule_action(route_ctx *rc, const tr_node *rule)
{
	const tr_node *refs = tr_node_get(rule, "backendRefs");
	cJSON *action = cJSON_CreateObject();
	cJSON *groups = cJSON_CreateArray();
	tr_buf addr = TR_BUF_INIT(TR_MAX_PATH_BYTES);

	for (size_t i = 0; refs && refs->type == TR_NODE_SEQ && i < refs->count;
	     i++) {
		const tr_node *ref = refs->u.items[i];
		cJSON *wtg;

		if (!build_target_group(rc, ref, &addr))
			continue;
		wtg = cJSON_CreateObject();
		cJSON_AddItemToObject(wtg, "targetGroupIdentifier",
				      tr_model_ref(addr.ptr));
		cJSON_AddNumberToObject(
			wtg, "weight",
			(double)int_or(tr_node_get(ref, "weight"), 1));
		cJSON_AddItemToArray(groups, wtg);
	}
	if (cJSON_GetArraySize(groups) > 0) {
		cJSON *fwd = cJSON_AddObjectToObject(action, "forward");
		cJSON_AddItemToObject(fwd, "targetGroups", groups);
	} else {
		/* No backend trellis can reach: answer like the controller. */
		cJSON *fr = cJSON_AddObjectToObject(action, "fixedResponse");
		cJSON_AddNumberToObject(fr, "statusCode", 500);
		cJSON_Delete(groups);
	}
	tr_buf_dispose(&addr);
	return action;
}

static void build_listener(route_ctx *rc, const tr_node *ref,
			   const tr_node *gl, const char *protocol)
{
	builder *b = rc->b;
	const tr_node *rules = tr_node_get(spec_of(rc->doc), "rules");
	size_t nrules = rules && rules->type == TR_NODE_SEQ ? rules->count : 0;
	int64_t port = int_or(tr_node_get(gl, "port"), 0);
	int64_t *prio = tr_calloc(nrules + 1, sizeof(*prio));
	const tr_node **annotated = tr_calloc(nrules + 1, sizeof(*annotated));
	tr_buf laddr = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	tr_buf name = TR_BUF_INIT(128);
	const char *proto_name = strcmp(protocol, "TLS_PASSTHROUGH") == 0
					 ? "tls"
				 : strcmp(protocol, "HTTPS") == 0 ? "https"
								  : "http";
	cJSON *attrs, *def;
	tr_resource *l;

	if (tr_buf_printf(&name, "%s-%lld-%s", rc->svc_name, (long long)port,
			  proto_name) < 0 ||
	    tr_buf_printf(&laddr, "listener.%s/%s-%lld", rc->svc_name,
			  proto_name, (long long)port) < 0)
		goto done;
	attrs = cJSON_CreateObject();
	cJSON_AddItemToObject(attrs, "serviceIdentifier",
			      tr_model_ref(rc->svc_addr));
	cJSON_AddStringToObject(attrs, "name", name.ptr);
	cJSON_AddNumberToObject(attrs, "port", (double)port);
	cJSON_AddStringToObject(attrs, "protocol", protocol);
	def = cJSON_AddObjectToObject(attrs, "defaultAction");
	cJSON_AddNumberToObject(cJSON_AddObjectToObject(def, "fixedResponse"),
				"statusCode", 404);
	l = tr_model_add(b->model, TR_KIND_LISTENER, attrs, "%s",
			 laddr.ptr + strlen("listener."));
	if (!l)
		goto done; /* two parentRefs selecting the same listener */
	tr_resource_set_parent(l, rc->svc_addr);
	tag(b, l, rc->doc, ref);
	tr_naming_rule_priorities(
		prio, annotated,
		tr_node_get(tr_node_get(rc->doc->root, "metadata"), "annotations"),
		nrules);
	for (size_t i = 0; i < nrules; i++) {
		const tr_node *rule = rules->u.items[i];
		tr_buf rname = TR_BUF_INIT(128);
		tr_resource *r;

		attrs = cJSON_CreateObject();
		cJSON_AddItemToObject(attrs, "serviceIdentifier",
				      tr_model_ref(rc->svc_addr));
		cJSON_AddItemToObject(attrs, "listenerIdentifier",
				      tr_model_ref(laddr.ptr));
		if (tr_buf_printf(&rname, "%s-r%zu", rc->svc_name, i + 1) < 0) {
			cJSON_Delete(attrs);
			tr_buf_dispose(&rname);
			break;
		}
		cJSON_AddStringToObject(attrs, "name", rname.ptr);
		cJSON_AddNumberToObject(attrs, "priority", (double)prio[i]);
		cJSON_AddItemToObject(attrs, "match", http_match(rc, rule, i));
		cJSON_AddItemToObject(attrs, "action", rule_action(rc, rule));
		r = tr_model_add(b->model, TR_KIND_RULE, attrs, "%s/%s-%lld/%zu",
				 rc->svc_name, proto_name, (long long)port,
				 i + 1);
		if (r) {
			tr_resource_set_parent(r, laddr.ptr);
			tag(b, r, rc->doc, rule);
		}
		tr_buf_dispose(&rname);
	}
done:
	tr_free(prio);
	tr_free(annotated);
	tr_buf_dispose(&laddr);
	tr_buf_dispose(&name);
}

static bool listener_seen(const tr_refs_route *route, size_t upto,
			  const tr_refs_attachment *a)
{
	for (size_t i = 0; i < upto; i++)
		if (route->items[i].gateway == a->gateway &&
		    route->items[i].listener_index == a->listener_index)
			return true;
	return false;
}

static bool network_seen(const tr_refs_route *route, size_t upto,
			 const tr_refs_attachment *a)
{
	for (size_t i = 0; i < upto; i++)
		if (tr_str_eq(route->items[i].gateway->name, a->gateway->name))
			return true;
	return false;
}

/* The CNAME of a custom domain, in the configured zone that holds it
 * (validation warns about a domain no zone holds). Its value is the
 * service's generated DNS name, known once the service exists. */
static void build_dns_record(builder *b, const tr_manifest_doc *doc,
			     const tr_node *hostnames, const char *svc_addr)
{
	const tr_node *first = hostnames && hostnames->type == TR_NODE_SEQ &&
					       hostnames->count
				       ? hostnames->u.items[0]
				       : NULL;
	const tr_config_dns *zone;
	tr_buf name = TR_BUF_INIT(TR_DNS_MAX_NAME_BYTES + 1);
	cJSON *attrs;
	tr_resource *r;

	if (!tr_node_str(first) ||
	    !(zone = tr_config_dns_for(&b->repo->config, first->text)) ||
	    tr_dns_normalize(&name, first->text) < 0 ||
	    tr_str_eq(tr_buf_cstr(&name), zone->domain))
		goto done; /* the apex: validation reports it */
	attrs = cJSON_CreateObject();
	cJSON_AddStringToObject(attrs, "hostedZoneId", zone->zone_id);
	cJSON_AddStringToObject(attrs, "name", name.ptr);
	cJSON_AddStringToObject(attrs, "type", "CNAME");
	cJSON_AddNumberToObject(attrs, "ttl", TR_DNS_TTL);
	cJSON_AddItemToObject(attrs, "value", tr_model_ref(svc_addr));
	r = tr_model_add(b->model, TR_KIND_DNS_RECORD, attrs, "%s", name.ptr);
	if (!r) {
		const tr_resource *other = NULL;
		tr_buf a = TR_BUF_INIT(TR_MAX_PATH_BYTES);
		if (tr_buf_printf(&a, "dns_record.%s", name.ptr) == 0)
			other = tr_model_find(b->model, a.ptr);
		tr_buf_dispose(&a);
		tr_diag_add(b->diag, TR_SEV_ERROR, "model.custom-domain",
			    doc->file, first->line, first->col,
			    "spec.hostnames[0]",
			    "custom domain \"%s\" is already the custom domain of "
			    "the route in %s:%u; one name can point at one "
			    "service",
			    name.ptr, other ? other->source_file : "?",
			    other ? other->source_line : 0);
		goto done;
	}
	/* No parent: a replaced service updates the CNAME in place (its
	 * value), it does not replace it. */
	tag(b, r, doc, first);
done:
	tr_buf_dispose(&name);
}

static void build_route(builder *b, const tr_refs_object *obj, bool grpc)
{
	const tr_manifest_doc *doc = obj->doc;
	int cluster = obj->cluster;
	route_ctx rc = {b, cluster, doc, doc_namespace(doc), grpc, "", ""};
	const tr_node *spec = spec_of(doc);
	const tr_node *hostnames = tr_node_get(spec, "hostnames");
	const char *override = tr_node_get_str(
		tr_node_get(tr_node_get(doc->root, "metadata"), "annotations"),
		TR_ANNOTATION_SERVICE_NAME);
	const bool has_custom_domain =
		hostnames && hostnames->type == TR_NODE_SEQ &&
		hostnames->count && tr_node_str(hostnames->u.items[0]);
	const tr_refs_object *first_gw;
	const char *cert = NULL;
	tr_refs_route route;
	tr_buf name = TR_BUF_INIT(64);
	cJSON *attrs;
	tr_resource *svc;

	/* Silent: validation reported every attachment problem already. */
	(void)tr_refs_route_resolve(&route, &b->idx, obj, NULL);
	if (override) {
		if (tr_buf_puts(&name, override) < 0)
			goto done;
	} else if (tr_naming_service(&name, doc->name ? doc->name : "",
				     rc.ns) < 0) {
		goto done;
	}
	snprintf(rc.svc_name, sizeof(rc.svc_name), "%s", name.ptr);
	snprintf(rc.svc_addr, sizeof(rc.svc_addr), "service.%s", rc.svc_name);
	if (route.count == 0) {
		tr_diag_add(b->diag, TR_SEV_NOTE, "model.route-unattached",
			    doc->file, doc->root->line, doc->root->col, NULL,
			    "%s %s/%s attaches to no VPC Lattice Gateway "
			    "listener in cluster %s; nothing is planned for it",
			    doc->kind, rc.ns, doc->name ? doc->name : "",
			    b->repo->config.clusters[cluster].name);
		goto done;
	}
	/* Listener settings come from the first Lattice Gateway, as the
	 * controller takes them ("all listener config MUST be same"). The
	 * certificate is that of the custom domain: without one, VPC Lattice
	 * uses its own for the generated domain and refuses an ARN
	 * (validation notes it, refs.certificate-unused). */
	first_gw = route.items[0].gateway;
	for (size_t i = 0; i < route.count && !cert && has_custom_domain;
	     i++) {
		const tr_refs_attachment *a = &route.items[i];
		if (a->gateway == first_gw &&
		    tr_str_eq(listener_protocol(a->listener), "HTTPS"))
			cert = tr_node_get_str(
				tr_node_get(tr_node_get(a->listener, "tls"),
					    "options"),
				CERT_OPTION);
	}

	attrs = cJSON_CreateObject();
	cJSON_AddStringToObject(attrs, "name", rc.svc_name);
	if (has_custom_domain)
		cJSON_AddStringToObject(attrs, "customDomainName",
					hostnames->u.items[0]->text);
	if (cert)
		cJSON_AddStringToObject(attrs, "certificateArn", cert);
	cJSON_AddStringToObject(attrs, "authType", "NONE");
	svc = tr_model_add(b->model, TR_KIND_SERVICE, attrs, "%s", rc.svc_name);
	if (!svc) {
		const tr_resource *other = tr_model_find(b->model, rc.svc_addr);
		tr_diag_add(b->diag, TR_SEV_ERROR, "model.service-name",
			    doc->file, doc->root->line, doc->root->col,
			    "metadata.name",
			    "VPC Lattice service name \"%s\" is already taken "
			    "by the route in %s:%u; set the annotation %s on "
			    "one of them",
			    rc.svc_name, other ? other->source_file : "?",
			    other ? other->source_line : 0,
			    TR_ANNOTATION_SERVICE_NAME);
		goto done;
	}
	tag(b, svc, doc, NULL);
	build_dns_record(b, doc, hostnames, rc.svc_addr);

	/* One association per distinct Lattice Gateway (service network). */
	for (size_t i = 0; i < route.count; i++) {
		const tr_refs_attachment *a = &route.items[i];
		tr_buf sn = TR_BUF_INIT(TR_MAX_PATH_BYTES);
		tr_resource *assoc;

		if (network_seen(&route, i, a) ||
		    tr_buf_printf(&sn, "service_network.%s", a->gateway->name) <
			    0) {
			tr_buf_dispose(&sn);
			continue;
		}
		attrs = cJSON_CreateObject();
		cJSON_AddItemToObject(attrs, "serviceIdentifier",
				      tr_model_ref(rc.svc_addr));
		cJSON_AddItemToObject(attrs, "serviceNetworkIdentifier",
				      tr_model_ref(sn.ptr));
		assoc = tr_model_add(b->model, TR_KIND_SN_SERVICE_ASSOCIATION,
				     attrs, "%s/%s", rc.svc_name,
				     a->gateway->name);
		if (assoc) {
			tr_resource_set_parent(assoc, rc.svc_addr);
			tag(b, assoc, doc, a->parent_ref);
		}
		tr_buf_dispose(&sn);
	}

	/* One Lattice listener per admitting listener of the first Gateway. */
	for (size_t i = 0; i < route.count; i++) {
		const tr_refs_attachment *a = &route.items[i];
		const char *proto = listener_protocol(a->listener);

		if (a->gateway != first_gw || !proto ||
		    listener_seen(&route, i, a))
			continue;
		if (rc.grpc && strcmp(proto, "HTTPS") != 0)
			continue;
		if (strcmp(proto, "TLS_PASSTHROUGH") == 0)
			continue; /* TLSRoute only */
		build_listener(&rc, a->parent_ref, a->listener, proto);
	}
done:
	tr_refs_route_dispose(&route);
	tr_buf_dispose(&name);
}

int tr_model_build_desired(tr_model *out, const tr_repo *repo, tr_diag *diag)
{
	builder b;
	int error;

	memset(&b, 0, sizeof(b));
	b.repo = repo;
	b.model = out;
	b.diag = diag;
	b.owner = repo->config.owner ? repo->config.owner : "(no owner)";
	tr_model_init(out);
	if ((error = tr_refs_index_build(&b.idx, repo)) < 0)
		goto done;
	for (size_t i = 0; i < b.idx.count; i++) {
		const tr_refs_object *o = &b.idx.objects[i];

		if (tr_manifest_doc_is(o->doc, GATEWAY_GROUP, "Gateway") &&
		    o->doc->name && tr_refs_gateway_is_lattice(&b.idx, o))
			build_gateway(&b, o->cluster, o->doc);
	}
	check_one_network_per_vpc(&b);
	for (size_t i = 0; i < b.idx.count; i++) {
		const tr_refs_object *o = &b.idx.objects[i];

		if (!o->doc->name)
			continue;
		if (tr_manifest_doc_is(o->doc, GATEWAY_GROUP, "HTTPRoute"))
			build_route(&b, o, false);
		else if (tr_manifest_doc_is(o->doc, GATEWAY_GROUP, "GRPCRoute"))
			build_route(&b, o, true);
	}
	tr_model__build_iam(out, repo, &b.idx, b.owner, diag);
	tr_model_sort(out);
done:
	tr_refs_index_dispose(&b.idx);
	return error;
}
