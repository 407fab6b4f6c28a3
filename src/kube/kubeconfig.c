/*
 * kubeconfig files (clusters, users, contexts), parsed with the manifest
 * loader so a mistake is reported at its line like any manifest's.
 */
#include <openssl/evp.h>
#include <stdarg.h>
#include <string.h>

#include "kube/kube.h"
#include "util/limits.h"
#include "util/str.h"

typedef struct kc_reader {
	const char *file;
	tr_diag *diag;
	bool failed;
} kc_reader;

static void problem(kc_reader *r, const tr_node *at, const char *field,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void problem(kc_reader *r, const tr_node *at, const char *field,
		    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tr_diag_vadd(r->diag, TR_SEV_ERROR, "kube.config", r->file,
		     at ? at->line : 1, at ? at->col : 1, field, fmt, ap);
	va_end(ap);
	r->failed = true;
}

/* The item of a named list ("clusters", "users", "contexts") called
 * `name`, as its inner object (item[key]). */
static const tr_node *named(kc_reader *r, const tr_node *root,
			    const char *list, const char *key,
			    const char *name, const tr_node *at,
			    const char *field)
{
	const tr_node *items = tr_node_get(root, list);

	for (size_t i = 0; items && items->type == TR_NODE_SEQ &&
			   i < items->count;
	     i++) {
		const tr_node *item = items->u.items[i];
		if (tr_str_eq(tr_node_get_str(item, "name"), name)) {
			const tr_node *inner = tr_node_get(item, key);
			if (!inner || inner->type != TR_NODE_MAP)
				problem(r, item, field,
					"%s \"%s\" has no %s object", list,
					name, key);
			return inner && inner->type == TR_NODE_MAP ? inner
								   : NULL;
		}
	}
	problem(r, at, field, "no entry named \"%s\" in %s", name, list);
	return NULL;
}

/* base64 of a -data field into the arena; NULL after a problem. */
static const char *decoded(kc_reader *r, tr_arena *arena, const tr_node *n,
			   const char *field, size_t *len)
{
	const char *text = tr_node_str(n);
	size_t in = text ? strlen(text) : 0;
	unsigned char *out;
	int got;

	if (!text || in == 0 || in % 4 != 0 || in > TR_KUBE_MAX_PEM_BYTES) {
		problem(r, n, field, "must be base64 (a PEM file encoded), at "
				     "most %u bytes",
			TR_KUBE_MAX_PEM_BYTES);
		return NULL;
	}
	out = tr_arena_alloc(arena, in / 4 * 3 + 1);
	got = EVP_DecodeBlock(out, (const unsigned char *)text, (int)in);
	if (got < 0) {
		problem(r, n, field, "is not valid base64");
		return NULL;
	}
	/* EVP_DecodeBlock counts the padding as zero bytes. */
	while (got > 0 && in > 0 && text[in - 1] == '=') {
		got--;
		in--;
	}
	out[got] = '\0';
	*len = (size_t)got;
	return (const char *)out;
}

int tr_kube_config_read(tr_kube_access *out, tr_manifest_set *set,
			const char *file, const char *data, size_t len,
			const char *context, tr_diag *diag)
{
	kc_reader r = {file, diag, false};
	const tr_node *root = NULL, *ctx, *cluster = NULL, *user = NULL, *n;
	const char *cluster_name, *user_name;

	memset(out, 0, sizeof(*out));
	if (tr_manifest_load_plain(&root, set, file, data, len, diag) < 0)
		return TR_EINVALID;
	if (!root || root->type != TR_NODE_MAP) {
		problem(&r, root, NULL, "a kubeconfig must be an object with "
					"clusters, users and contexts");
		return TR_EINVALID;
	}
	if (!context)
		context = tr_node_get_str(root, "current-context");
	if (!context) {
		problem(&r, root, "current-context",
			"no context: set context in trellis.yaml or "
			"current-context in the kubeconfig");
		return TR_EINVALID;
	}
	ctx = named(&r, root, "contexts", "context", context,
		    tr_node_get(root, "contexts"), "contexts");
	if (!ctx)
		return TR_EINVALID;
	cluster_name = tr_node_get_str(ctx, "cluster");
	user_name = tr_node_get_str(ctx, "user");
	if (!cluster_name)
		problem(&r, ctx, "contexts[].context.cluster",
			"context \"%s\" names no cluster", context);
	else
		cluster = named(&r, root, "clusters", "cluster", cluster_name,
				tr_node_get(ctx, "cluster"),
				"contexts[].context.cluster");
	if (user_name)
		user = named(&r, root, "users", "user", user_name,
			     tr_node_get(ctx, "user"),
			     "contexts[].context.user");
	if (r.failed)
		return TR_EINVALID;
	out->server = tr_node_get_str(cluster, "server");
	if (!out->server || strncmp(out->server, "https://", 8) != 0) {
		problem(&r, tr_node_get(cluster, "server") ? tr_node_get(cluster, "server") : cluster,
			"clusters[].cluster.server",
			"the API server must be an https:// URL");
		return TR_EINVALID;
	}
	if (tr_node_get(cluster, "insecure-skip-tls-verify") &&
	    tr_node_get(cluster, "insecure-skip-tls-verify")->type ==
		    TR_NODE_BOOL &&
	    tr_node_get(cluster, "insecure-skip-tls-verify")->as.boolean)
		problem(&r, tr_node_get(cluster, "insecure-skip-tls-verify"),
			"clusters[].cluster.insecure-skip-tls-verify",
			"trellis always verifies the API server's certificate; "
			"give its CA in certificate-authority(-data)");
	if ((n = tr_node_get(cluster, "certificate-authority-data")))
		out->ca_pem = decoded(&r, &set->arena, n,
				      "clusters[].cluster.certificate-authority-data",
				      &out->ca_pem_len);
	out->ca_file = tr_node_get_str(cluster, "certificate-authority");
	out->token = tr_node_get_str(user, "token");
	out->token_file = tr_node_get_str(user, "tokenFile");
	if ((n = tr_node_get(user, "client-certificate-data")))
		out->cert_pem = decoded(&r, &set->arena, n,
					"users[].user.client-certificate-data",
					&out->cert_pem_len);
	if ((n = tr_node_get(user, "client-key-data")))
		out->key_pem = decoded(&r, &set->arena, n,
				       "users[].user.client-key-data",
				       &out->key_pem_len);
	out->cert_file = tr_node_get_str(user, "client-certificate");
	out->key_file = tr_node_get_str(user, "client-key");
	if (user && tr_node_get(user, "exec"))
		problem(&r, tr_node_get(user, "exec"), "users[].user.exec",
			"exec credential plugins are not supported: give a "
			"token (or tokenFile) or a client certificate");
	return r.failed ? TR_EINVALID : 0;
}
