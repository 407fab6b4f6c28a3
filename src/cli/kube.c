/*
 * Kubernetes access per cluster (trellis.yaml inCluster / kubeconfig +
 * context), turned into API clients; the desired targets are then read
 * from each cluster's EndpointSlices (src/kube). The environment and the
 * files it names are read here, not in the module.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/load.h"
#include "kube/kube.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/limits.h"

#define SERVICEACCOUNT_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

static void no_access(tr_diag *diag, const tr_config_cluster *c,
		      const char *why)
{
	tr_diag_add(diag, TR_SEV_WARNING, "kube.no-access", NULL, 0, 0, NULL,
		    "cluster %s: %s; its target groups are planned without "
		    "targets",
		    c->name, why);
}

/* A path from the config or a kubeconfig: "~/" is $HOME, a relative one is
 * relative to `base_dir` (NULL: the working folder). */
static int expand_path(tr_buf *out, const char *path, const char *base_dir)
{
	const char *home = getenv("HOME");

	tr_buf_clear(out);
	if (strncmp(path, "~/", 2) == 0 && home)
		return tr_buf_printf(out, "%s/%s", home, path + 2);
	if (path[0] != '/' && base_dir && *base_dir)
		return tr_buf_printf(out, "%s/%s", base_dir, path);
	return tr_buf_puts(out, path);
}

/* Reads a small secret file; NULL (after a warning) when it cannot. */
static char *read_token(tr_cli *cli, const char *path, tr_diag *diag)
{
	tr_diag quiet;
	char *data = NULL;
	size_t len = 0;

	tr_diag_init(&quiet);
	if (tr_cli_read_file(&data, &len, path, TR_KUBE_MAX_TOKEN_BYTES,
			     "kube.token", "token file", &quiet) < 0) {
		tr_diag_dispose(&quiet);
		(void)diag;
		return NULL;
	}
	tr_diag_dispose(&quiet);
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r' ||
			   data[len - 1] == ' '))
		data[--len] = '\0';
	tr_redactor_add(&cli->redactor, data);
	return data;
}

typedef struct access_hold {
	tr_kube_access access;
	tr_manifest_set set;     /* the kubeconfig's nodes and decoded data */
	tr_buf server, ca, cert, key, dir;
	char *token;             /* read from a file */
	char *config;            /* kubeconfig bytes */
} access_hold;

static void hold_init(access_hold *h)
{
	memset(h, 0, sizeof(*h));
	tr_manifest_set_init(&h->set);
	tr_buf_init(&h->server, TR_AWS_MAX_URL_BYTES);
	tr_buf_init(&h->ca, TR_MAX_PATH_BYTES);
	tr_buf_init(&h->cert, TR_MAX_PATH_BYTES);
	tr_buf_init(&h->key, TR_MAX_PATH_BYTES);
	tr_buf_init(&h->dir, TR_MAX_PATH_BYTES);
}

static void hold_dispose(access_hold *h)
{
	tr_manifest_set_dispose(&h->set);
	tr_buf_dispose(&h->server);
	tr_buf_dispose(&h->ca);
	tr_buf_dispose(&h->cert);
	tr_buf_dispose(&h->key);
	tr_buf_dispose(&h->dir);
	if (h->token)
		memset(h->token, 0, strlen(h->token));
	tr_free(h->token);
	tr_free(h->config);
}

/* inCluster: the pod's service account and the API's service address. */
static int in_cluster(access_hold *h, tr_cli *cli,
		      const tr_config_cluster *c, tr_diag *diag)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	const char *dir = getenv("TRELLIS_SERVICEACCOUNT_DIR");
	tr_buf path = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	int rc = TR_ENOTFOUND;

	if (!dir || !*dir)
		dir = SERVICEACCOUNT_DIR;
	if (!host || !*host) {
		no_access(diag, c, "inCluster, but KUBERNETES_SERVICE_HOST is "
				   "not set (not running in a pod)");
		goto done;
	}
	if (tr_buf_printf(&h->server, strchr(host, ':') ? "https://[%s]:%s"
							: "https://%s:%s",
			  host, port && *port ? port : "443") < 0 ||
	    tr_buf_printf(&path, "%s/token", dir) < 0 ||
	    tr_buf_printf(&h->ca, "%s/ca.crt", dir) < 0)
		goto done;
	h->token = read_token(cli, path.ptr, diag);
	if (!h->token) {
		tr_buf msg = TR_BUF_INIT(TR_MAX_LINE_BYTES);
		if (tr_buf_printf(&msg, "inCluster, but the service-account "
					"token %s cannot be read",
				  path.ptr) == 0)
			no_access(diag, c, msg.ptr);
		tr_buf_dispose(&msg);
		goto done;
	}
	h->access.server = h->server.ptr;
	h->access.ca_file = h->ca.ptr;
	h->access.token = h->token;
	rc = 0;
done:
	tr_buf_dispose(&path);
	return rc;
}

static int from_kubeconfig(access_hold *h, tr_cli *cli,
			   const tr_config_cluster *c, tr_diag *diag)
{
	tr_buf file = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	tr_diag quiet;
	size_t len = 0;
	const char *slash;
	int rc = TR_ENOTFOUND;

	tr_diag_init(&quiet);
	if (expand_path(&file, c->kubeconfig, NULL) < 0)
		goto done;
	if (tr_cli_read_file(&h->config, &len, file.ptr,
			     TR_KUBE_MAX_CONFIG_BYTES, "kube.config",
			     "kubeconfig", &quiet) < 0) {
		tr_buf msg = TR_BUF_INIT(TR_MAX_LINE_BYTES);
		if (tr_buf_printf(&msg, "its kubeconfig %s cannot be read",
				  file.ptr) == 0)
			no_access(diag, c, msg.ptr);
		tr_buf_dispose(&msg);
		goto done;
	}
	if (tr_kube_config_read(&h->access, &h->set, file.ptr, h->config, len,
				c->context, diag) < 0) {
		rc = TR_EINVALID;
		goto done;
	}
	slash = strrchr(file.ptr, '/');
	if (slash && tr_buf_put(&h->dir, file.ptr,
				(size_t)(slash - file.ptr)) < 0)
		goto done;
	/* Paths in a kubeconfig are relative to its folder (kubectl). */
	if (h->access.ca_file && !h->access.ca_pem &&
	    expand_path(&h->ca, h->access.ca_file, h->dir.ptr) == 0)
		h->access.ca_file = h->ca.ptr;
	if (h->access.cert_file &&
	    expand_path(&h->cert, h->access.cert_file, h->dir.ptr) == 0)
		h->access.cert_file = h->cert.ptr;
	if (h->access.key_file &&
	    expand_path(&h->key, h->access.key_file, h->dir.ptr) == 0)
		h->access.key_file = h->key.ptr;
	if (h->access.token)
		tr_redactor_add(&cli->redactor, h->access.token);
	if (!h->access.token && h->access.token_file) {
		tr_buf path = TR_BUF_INIT(TR_MAX_PATH_BYTES);
		if (expand_path(&path, h->access.token_file, h->dir.ptr) == 0)
			h->token = read_token(cli, path.ptr, diag);
		if (!h->token)
			tr_diag_add(diag, TR_SEV_ERROR, "kube.config",
				    file.ptr, 0, 0, "users[].user.tokenFile",
				    "cannot read the token file %s",
				    tr_buf_cstr(&path));
		tr_buf_dispose(&path);
		if (!h->token) {
			rc = TR_EINVALID;
			goto done;
		}
		h->access.token = h->token;
	}
	rc = 0;
done:
	tr_diag_dispose(&quiet);
	tr_buf_dispose(&file);
	return rc;
}

int tr_cli_kube_targets(tr_cli *cli, tr_model *desired, const tr_config *cfg,
			tr_diag *diag)
{
	size_t n = cfg->cluster_count;
	access_hold *holds = tr_calloc(n + 1, sizeof(*holds));
	tr_kube_client **clients = tr_calloc(n + 1, sizeof(*clients));
	const char **names = tr_calloc(n + 1, sizeof(*names));
	bool any = false;
	int rc = 0;

	for (size_t i = 0; i < desired->count && !any; i++)
		any = desired->resources[i].kind == TR_KIND_TARGETS;
	for (size_t i = 0; i < n; i++) {
		const tr_config_cluster *c = &cfg->clusters[i];
		int error = TR_ENOTFOUND;

		hold_init(&holds[i]);
		names[i] = c->name;
		if (!any)
			continue; /* no target group: no API needed */
		if (c->in_cluster)
			error = in_cluster(&holds[i], cli, c, diag);
		else if (c->kubeconfig)
			error = from_kubeconfig(&holds[i], cli, c, diag);
		if (error == TR_EINVALID)
			rc = TR_EINVALID;
		if (error == 0)
			(void)tr_kube_client_new(&clients[i], &holds[i].access,
						 NULL);
	}
	if (rc == 0 && any &&
	    tr_kube_resolve_targets(desired, clients, names, n, diag) < 0)
		rc = TR_ERROR;
	for (size_t i = 0; i < n; i++) {
		tr_kube_client_free(clients[i]);
		hold_dispose(&holds[i]);
	}
	tr_free(holds);
	tr_free(clients);
	tr_free(names);
	return rc;
}
