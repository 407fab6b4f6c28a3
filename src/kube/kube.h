/*
 * Kubernetes API access, read only: the EndpointSlices of a Service, which
 * become the targets of its target groups (DESIGN.md §4). A small client on
 * libcurl: HTTPS with the cluster's CA, a bearer token that never appears in
 * an error message, `limit`/`continue` pagination, caps on every reply.
 *
 * The module reads no environment and no file the CLI did not name: the
 * CLI turns `inCluster: true` (service-account files, KUBERNETES_SERVICE_*)
 * or `kubeconfig` + `context` into a tr_kube_access.
 */
#ifndef TR_KUBE_KUBE_H
#define TR_KUBE_KUBE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "diag/diag.h"
#include "manifest/manifest.h"
#include "model/model.h"

/* How to reach one cluster's API server. Strings are borrowed. */
typedef struct tr_kube_access {
	const char *server;       /* "https://host:port" */
	const char *ca_file;      /* PEM bundle path, or NULL */
	const char *ca_pem;       /* PEM bytes, or NULL (certificate-authority-data) */
	size_t ca_pem_len;
	const char *token;        /* bearer token (a secret), or NULL */
	const char *token_file;   /* kubeconfig tokenFile: the CLI reads it */
	const char *cert_pem;     /* client certificate (PEM bytes), or NULL */
	size_t cert_pem_len;
	const char *key_pem;      /* its key (a secret), or NULL */
	size_t key_pem_len;
	const char *cert_file;    /* client-certificate / client-key paths */
	const char *key_file;
} tr_kube_access;

/*
 * Reads a kubeconfig (YAML) and picks `context` (NULL: its
 * current-context): the cluster's server and CA, the user's token or
 * client certificate. -data fields are base64-decoded into the set's arena;
 * relative paths stay relative (the CLI resolves them against the
 * kubeconfig's folder). Problems go to diag with file, line and field;
 * TR_EINVALID then.
 */
int tr_kube_config_read(tr_kube_access *out, tr_manifest_set *set,
			const char *file, const char *data, size_t len,
			const char *context, tr_diag *diag);

typedef struct tr_kube_client tr_kube_client;

typedef struct tr_kube_options {
	long timeout_ms;          /* one request; 0: 10 s */
	long connect_timeout_ms;  /* 0: 3 s */
	unsigned page_limit;      /* items per page; 0: 100 */
} tr_kube_options;

/* Copies what it needs; the token is kept only inside the client. */
int tr_kube_client_new(tr_kube_client **out, const tr_kube_access *access,
		       const tr_kube_options *opts);
void tr_kube_client_free(tr_kube_client *client);
/* Requests sent (pages included), for tests and stats. */
unsigned tr_kube_client_requests(const tr_kube_client *client);

/*
 * The EndpointSlices labelled kubernetes.io/service-name=`service` in
 * `ns`, every page, as one JSON array (*out, caller frees). Errors:
 * TR_EAUTH (401/403), TR_EIO (unreachable, TLS, time-out, 5xx),
 * TR_ETOOLARGE (a cap), TR_EINVALID (not a list); `why` (may be NULL)
 * receives a one-line reason without the token.
 */
int tr_kube_list_endpoint_slices(cJSON **out, tr_kube_client *client,
				 const char *ns, const char *service,
				 tr_buf *why);

/*
 * One page of an EndpointSliceList (a parsed reply): moves its items to
 * the end of `all` and gives its continue token in *next (caller frees;
 * NULL on the last page). TR_EINVALID, with `why`, when it is not a list.
 */
int tr_kube_page_take(cJSON *all, cJSON *page, char **next, tr_buf *why);

/* The targets of one target group from its Service's EndpointSlices. */
typedef struct tr_kube_port_pick {
	const char *port_name;    /* the Service port's name ("" unnamed) */
	const char *ip_type;      /* the target group's: "IPV4" or "IPV6" */
} tr_kube_port_pick;

/*
 * Ready, non-terminating endpoints of the slices whose address type
 * matches the target group, on the slice port named like the Service
 * port: [{"id": ip, "port": n}, ...], sorted, without duplicates. Counts
 * of what was left out go to *skipped_family (endpoints of the other IP
 * family) so the caller can explain.
 */
cJSON *tr_kube_targets_from_slices(const cJSON *slices,
				   const tr_kube_port_pick *pick,
				   size_t *skipped_family);

/*
 * Fills the "targets" of every desired targets resource (model kind
 * targets) from its "endpoints" source, with clients[i] for cluster i of
 * cfg (NULL: no Kubernetes access; a warning, the targets stay unknown).
 * An unreachable API is a warning and its clusters' targets stay unknown;
 * a refused token is an error (TR_EAUTH), so nothing is applied.
 */
int tr_kube_resolve_targets(tr_model *desired, tr_kube_client *const *clients,
			    const char *const *cluster_names, size_t nclusters,
			    tr_diag *diag);

#endif
