/*
 * Cross-references between manifests of one repository: routes to their
 * Gateways and the listeners that admit them (sectionName, port,
 * allowedRoutes namespaces and kinds, hostname intersection), routes to their backend Services, policies to
 * their targets, Gateways to their GatewayClass, cross-namespace references
 * to ReferenceGrants. Lookups never leave the route's cluster folder.
 *
 * Fields with a CRD default are read with that default applied (parentRef
 * kind Gateway and namespace = the route's, backendRef kind Service,
 * allowedRoutes.namespaces.from Same, tls.mode Terminate), so the checks see
 * the object the API server would store. A namespaced object without
 * metadata.namespace is in "default".
 */
#ifndef TR_VALIDATE_REFS_H
#define TR_VALIDATE_REFS_H

#include <stdbool.h>
#include <stddef.h>

#include "diag/diag.h"
#include "manifest/manifest.h"
#include "repo/repo.h"
#include "util/arena.h"

#define TR_REFS_LATTICE_CONTROLLER \
	"application-networking.k8s.aws/gateway-api-controller"
#define TR_REFS_GATEWAY_GROUP "gateway.networking.k8s.io"
#define TR_REFS_AWS_GROUP "application-networking.k8s.aws"
#define TR_REFS_CERT_ARN_OPTION \
	"application-networking.k8s.aws/certificate-arn"

/* One document as a Kubernetes object. */
typedef struct tr_refs_object {
	const tr_manifest_doc *doc;
	int cluster;            /* index in the repo config's clusters */
	const char *group;      /* "" for the core group */
	const char *kind;
	const char *namespace_; /* effective; NULL for cluster-scoped kinds */
	const char *name;       /* "" when metadata.name is missing */
	bool managed;           /* a kind trellis reads (validate.h) */
} tr_refs_object;

typedef struct tr_refs_index {
	tr_arena arena;
	const tr_repo *repo;
	tr_refs_object *objects; /* in document order */
	size_t count;
	/* tr_refs_find's hash on (cluster, kind, name) of the managed objects:
	 * buckets[h] and next[i] hold an object's index + 1 (0 ends a chain),
	 * each chain in document order. */
	size_t *buckets;
	size_t *next;
	size_t nbuckets;
} tr_refs_index;

/* Indexes every document of the repo. Dispose even on failure. */
int tr_refs_index_build(tr_refs_index *out, const tr_repo *repo);
void tr_refs_index_dispose(tr_refs_index *idx);

/*
 * The next object after `after` (NULL: from the start) in `cluster` with
 * this kind, namespace (NULL: any namespace) and name, or NULL. Only kinds
 * trellis manages are found (a Knative Service is not a Service), plus core
 * Namespaces. Several objects can share an identity (variants of one object
 * in several files).
 */
const tr_refs_object *tr_refs_find(const tr_refs_index *idx,
				   const tr_refs_object *after, int cluster,
				   const char *kind, const char *namespace_,
				   const char *name);

/* True when the Gateway is VPC Lattice's: its GatewayClass names the
 * Lattice controller, or the class is not in the repository (assumed). */
bool tr_refs_gateway_is_lattice(const tr_refs_index *idx,
				const tr_refs_object *gateway);

/* A route's parentRef matched to one listener of one Gateway. */
typedef struct tr_refs_attachment {
	size_t parent;                 /* index in spec.parentRefs */
	const tr_node *parent_ref;
	const tr_refs_object *gateway; /* a Gateway of the Lattice class */
	const tr_node *listener;       /* an item of the Gateway's spec.listeners */
	size_t listener_index;
} tr_refs_attachment;

typedef struct tr_refs_route {
	tr_refs_attachment *items;
	size_t count;
	size_t cap;
	size_t parents_found;  /* parentRefs that name a Gateway in the repo */
	size_t parents_lattice; /* ... of which are VPC Lattice Gateways */
} tr_refs_route;

/*
 * Resolves an HTTPRoute or GRPCRoute's parentRefs to the listeners that
 * admit it. With a diag, every problem is reported (the refs check does
 * this); with NULL the resolution is silent (later checks reuse it).
 * Dispose with tr_refs_route_dispose.
 */
int tr_refs_route_resolve(tr_refs_route *out, const tr_refs_index *idx,
			  const tr_refs_object *route, tr_diag *diag);
void tr_refs_route_dispose(tr_refs_route *route);

/* False when the route is attached only to Gateways trellis ignores. */
bool tr_refs_route_is_managed(const tr_refs_route *route);

/* Runs every cross-reference rule (ids "refs.*") over the index. */
int tr_refs_check(const tr_refs_index *idx, tr_diag *diag);

#endif
