/*
 * Desired targets from EndpointSlices: the pod IPs and ports a target group
 * must hold, read for each target group of the desired model.
 */
#include <stdlib.h>
#include <string.h>

#include "kube/kube.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/str.h"

static const char *jstr(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* Kubernetes: a missing ready condition means unknown, read as ready. */
static bool endpoint_serves(const cJSON *ep)
{
	const cJSON *cond = cJSON_GetObjectItemCaseSensitive(ep, "conditions");

	return !cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(cond, "ready")) &&
	       !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cond,
							       "terminating"));
}

/* The slice port named like the Service port ("" for an unnamed one). */
static int slice_port(const cJSON *slice, const char *name)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(slice, "ports"))
	{
		const char *n = jstr(p, "name");
		const cJSON *num = cJSON_GetObjectItemCaseSensitive(p, "port");

		if (tr_str_eq(n ? n : "", name) && cJSON_IsNumber(num) &&
		    num->valueint > 0 && num->valueint <= 65535)
			return num->valueint;
	}
	return 0;
}

static int compare_targets(const void *pa, const void *pb)
{
	const cJSON *a = *(const cJSON *const *)pa, *b = *(const cJSON *const *)pb;
	int c = strcmp(jstr(a, "id"), jstr(b, "id"));
	int x = cJSON_GetObjectItemCaseSensitive(a, "port")->valueint;
	int y = cJSON_GetObjectItemCaseSensitive(b, "port")->valueint;

	return c ? c : (x > y) - (x < y);
}

cJSON *tr_kube_targets_from_slices(const cJSON *slices,
				   const tr_kube_port_pick *pick,
				   size_t *skipped_family)
{
	const char *want = tr_str_eq(pick->ip_type, "IPV6") ? "IPv6" : "IPv4";
	cJSON **items = NULL;
	size_t n = 0, cap = 0;
	cJSON *out = cJSON_CreateArray();
	const cJSON *slice;

	*skipped_family = 0;
	cJSON_ArrayForEach(slice, slices)
	{
		const char *family = jstr(slice, "addressType");
		int port = slice_port(slice, pick->port_name);
		const cJSON *ep;

		cJSON_ArrayForEach(ep, cJSON_GetObjectItemCaseSensitive(
					       slice, "endpoints"))
		{
			const cJSON *addr;

			if (!endpoint_serves(ep))
				continue;
			if (!tr_str_eq(family, want)) {
				if (tr_str_eq(family, "IPv4") ||
				    tr_str_eq(family, "IPv6"))
					(*skipped_family)++;
				continue;
			}
			if (!port)
				continue;
			/* Kubernetes allows one address per endpoint today;
			 * the first is the pod's. */
			addr = cJSON_GetArrayItem(
				cJSON_GetObjectItemCaseSensitive(ep, "addresses"),
				0);
			if (!cJSON_IsString(addr))
				continue;
			items = tr_grow(items, &cap, n + 1, sizeof(*items));
			items[n] = cJSON_CreateObject();
			cJSON_AddStringToObject(items[n], "id", addr->valuestring);
			cJSON_AddNumberToObject(items[n], "port", port);
			n++;
		}
	}
	if (n > 1)
		qsort(items, n, sizeof(*items), compare_targets);
	for (size_t i = 0, kept = 0; i < n; i++) {
		/* An address in two slices (during a rollout) counts once;
		 * compare with the last one kept, as a third copy follows a
		 * deleted second. */
		if (i > 0 && compare_targets(&items[kept], &items[i]) == 0) {
			cJSON_Delete(items[i]);
			items[i] = NULL;
			continue;
		}
		kept = i;
		cJSON_AddItemToArray(out, items[i]);
	}
	tr_free(items);
	return out;
}

typedef struct cluster_state {
	bool warned;
	bool unreachable;
} cluster_state;

static int cluster_index(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; name && i < n; i++)
		if (tr_str_eq(names[i], name))
			return (int)i;
	return -1;
}

int tr_kube_resolve_targets(tr_model *desired, tr_kube_client *const *clients,
			    const char *const *cluster_names, size_t nclusters,
			    tr_diag *diag)
{
	cluster_state *st = tr_calloc(nclusters + 1, sizeof(*st));
	tr_buf why = TR_BUF_INIT(TR_MAX_LINE_BYTES);
	int rc = 0;

	for (size_t i = 0; i < desired->count; i++) {
		tr_resource *r = &desired->resources[i];
		const cJSON *src = cJSON_GetObjectItemCaseSensitive(r->attrs,
								    "endpoints");
		const char *cname = jstr(src, "cluster");
		const char *ns = jstr(src, "namespace");
		const char *svc = jstr(src, "service");
		tr_kube_port_pick pick = {jstr(src, "portName"),
					  jstr(src, "ipAddressType")};
		int ci = cluster_index(cluster_names, nclusters, cname);
		cJSON *slices = NULL, *targets;
		size_t other_family = 0;
		int error;

		if (r->kind != TR_KIND_TARGETS || !src || !ns || !svc || ci < 0)
			continue;
		if (!pick.port_name)
			pick.port_name = "";
		if (!pick.ip_type)
			pick.ip_type = "IPV4";
		if (!clients[ci]) {
			if (!st[ci].warned)
				tr_diag_add(diag, TR_SEV_WARNING, "kube.no-access",
					    NULL, 0, 0, NULL,
					    "cluster %s has no Kubernetes access "
					    "(inCluster or kubeconfig in "
					    "trellis.yaml): its target groups "
					    "are planned without targets",
					    cname);
			st[ci].warned = true;
			continue;
		}
		if (st[ci].unreachable)
			continue;
		error = tr_kube_list_endpoint_slices(&slices, clients[ci], ns,
						     svc, &why);
		if (error == TR_EIO) {
			tr_diag_add(diag, TR_SEV_WARNING, "kube.unreachable",
				    NULL, 0, 0, NULL,
				    "cluster %s: the Kubernetes API cannot be "
				    "read (%s); no target changes are planned "
				    "for its target groups",
				    cname, tr_buf_cstr(&why));
			st[ci].unreachable = true;
			continue;
		}
		if (error < 0) {
			tr_diag_add(diag, TR_SEV_ERROR,
				    error == TR_EAUTH ? "kube.auth" : "kube.read",
				    NULL, 0, 0, NULL,
				    "cluster %s: listing the EndpointSlices of "
				    "Service %s/%s failed: %s",
				    cname, ns, svc, tr_buf_cstr(&why));
			if (!rc)
				rc = error;
			if (error == TR_EAUTH)
				st[ci].unreachable = true; /* said once */
			continue;
		}
		targets = tr_kube_targets_from_slices(slices, &pick,
						      &other_family);
		if (cJSON_GetArraySize(slices) == 0)
			tr_diag_add(diag, TR_SEV_WARNING, "kube.no-endpoints",
				    r->source_file, r->source_line, 0, NULL,
				    "cluster %s has no EndpointSlices for "
				    "Service %s/%s (is it deployed?): its "
				    "target group %s gets no targets",
				    cname, ns, svc, r->address);
		if (other_family && cJSON_GetArraySize(targets) == 0) {
			tr_diag_add(diag, TR_SEV_ERROR, "kube.ip-family",
				    r->source_file, r->source_line, 0,
				    "spec.ipFamilies",
				    "Service %s/%s in cluster %s has only %s "
				    "endpoints, but its target group is %s: "
				    "unsupported; declare spec.ipFamilies: "
				    "[%s] in the Service so the target group "
				    "is created for that family",
				    ns, svc, cname,
				    tr_str_eq(pick.ip_type, "IPV6") ? "IPv4"
								     : "IPv6",
				    pick.ip_type,
				    tr_str_eq(pick.ip_type, "IPV6") ? "IPv4"
								     : "IPv6");
			if (!rc)
				rc = TR_EUNSUPPORTED;
		} else if (other_family) {
			tr_diag_add(diag, TR_SEV_WARNING, "kube.ip-family",
				    r->source_file, r->source_line, 0, NULL,
				    "Service %s/%s in cluster %s is dual-stack: "
				    "its %zu %s endpoint%s are not registered; "
				    "a VPC Lattice target group holds one IP "
				    "family (%s)",
				    ns, svc, cname, other_family,
				    tr_str_eq(pick.ip_type, "IPV6") ? "IPv4"
								     : "IPv6",
				    other_family == 1 ? "" : "s", pick.ip_type);
		}
		if ((size_t)cJSON_GetArraySize(targets) > TR_KUBE_MAX_ENDPOINTS) {
			tr_diag_add(diag, TR_SEV_ERROR, "kube.too-many",
				    r->source_file, r->source_line, 0, NULL,
				    "Service %s/%s in cluster %s has more than "
				    "%u endpoints",
				    ns, svc, cname, TR_KUBE_MAX_ENDPOINTS);
			cJSON_Delete(targets);
			if (!rc)
				rc = TR_ETOOLARGE;
		} else {
			cJSON_AddItemToObject(r->attrs, "targets", targets);
		}
		cJSON_Delete(slices);
	}
	tr_buf_dispose(&why);
	tr_free(st);
	return rc;
}
