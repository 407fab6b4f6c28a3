#include "validate/validate.h"

#include <stdint.h>
#include <string.h>

#include "policy/grammar.h"
#include "util/str.h"
#include "validate/lattice.h"
#include "validate/policy_refs.h"
#include "validate/refs.h"
#include "validate/rules.h"

typedef struct managed_kind {
	const char *group; /* API group; "" for the core group */
	const char *kind;
} managed_kind;

static const managed_kind managed_kinds[] = {
	{"gateway.networking.k8s.io", "GatewayClass"},
	{"gateway.networking.k8s.io", "Gateway"},
	{"gateway.networking.k8s.io", "HTTPRoute"},
	{"gateway.networking.k8s.io", "GRPCRoute"},
	{"gateway.networking.k8s.io", "ReferenceGrant"},
	{"application-networking.k8s.aws", "TargetGroupPolicy"},
	{"application-networking.k8s.aws", "VpcAssociationPolicy"},
	{"application-networking.k8s.aws", "IAMAuthPolicy"},
	{"application-networking.k8s.aws", "AccessLogPolicy"},
	{"application-networking.k8s.aws", "ServiceExport"},
	{"application-networking.k8s.aws", "ServiceImport"},
	{"application-networking.k8s.aws", "ServiceNetwork"},
	{"", "Service"},
	{"", "ServiceAccount"},
	{"iam.services.k8s.aws", "Role"},
};

bool tr_validate_kind_is_managed(const char *api_version, const char *kind)
{
	const char *slash = strchr(api_version, '/');
	size_t glen = slash ? (size_t)(slash - api_version) : 0;

	for (size_t i = 0; i < sizeof(managed_kinds) / sizeof(managed_kinds[0]);
	     i++) {
		const managed_kind *m = &managed_kinds[i];
		if (strcmp(m->kind, kind) == 0 && strlen(m->group) == glen &&
		    strncmp(m->group, api_version, glen) == 0)
			return true;
	}
	return false;
}

/* Kubernetes kinds are ASCII names. A kind with a letter from another
 * script is a look-alike ("Gаteway" with a Cyrillic а): ignoring it as an
 * unknown kind, as for any other kind trellis does not manage, would drop
 * the object without a word. Returns TR_EINVALID after reporting it. */
static int kind_not_ascii(const tr_manifest_doc *d, tr_diag *diag)
{
	const tr_node *at = tr_node_get(d->root, "kind");
	const char *best = NULL;
	size_t best_dist = 4, pos;
	uint32_t cp;

	if (!tr_str_first_non_ascii(&cp, &pos, d->kind))
		return 0;
	for (size_t i = 0; i < sizeof(managed_kinds) / sizeof(managed_kinds[0]);
	     i++) {
		size_t dist = tr_str_distance(d->kind, managed_kinds[i].kind,
					      best_dist);
		if (dist < best_dist) {
			best_dist = dist;
			best = managed_kinds[i].kind;
		}
	}
	tr_diag_add(diag, TR_SEV_ERROR, "manifest.kind-not-ascii", d->file,
		    at ? at->line : d->root->line, at ? at->col : d->root->col,
		    "kind",
		    "kind: Invalid value: \"%s\": character %zu is U+%04X, not "
		    "ASCII; a kind is an ASCII name, so this one names no "
		    "object%s%s%s",
		    d->kind, pos, (unsigned)cp, best ? " (did you mean " : "",
		    best ? best : "", best ? "?)" : "");
	return TR_EINVALID;
}

int tr_validate_document(const tr_node **out, const tr_schema_set *schemas,
			 const tr_manifest_doc *doc, tr_arena *arena,
			 tr_diag *diag)
{
	const tr_schema *schema = tr_schema_set_lookup(schemas, doc->api_version,
						       doc->kind);
	int rc;

	*out = doc->root;
	if (!schema) {
		tr_buf known = TR_BUF_INIT(1024);
		const tr_node *at = tr_node_get(doc->root, "apiVersion");
		if (!at)
			at = doc->root;
		/* A list cut at its cap still helps. */
		(void)tr_schema_set_api_versions(&known, schemas, doc->kind);
		tr_diag_add(diag, TR_SEV_ERROR, "schema.version", doc->file,
			    at->line, at->col, "apiVersion",
			    "no matches for kind \"%s\" in version \"%s\"%s%s%s",
			    doc->kind, doc->api_version,
			    known.len ? " (trellis reads " : "",
			    tr_buf_cstr(&known), known.len ? ")" : "");
		tr_buf_dispose(&known);
		return TR_EINVALID;
	}
	if (tr_schema_check(out, schema, doc->file, doc->root, arena, diag) < 0)
		return TR_EINVALID;
	/* Both run: a bad policy and a broken rule are separate findings. */
	rc = tr_rules_check(doc->api_version, doc->kind, doc->file, *out, diag);
	if (tr_policy_check_document(doc, *out, diag) < 0)
		rc = TR_EINVALID;
	return rc;
}

/* trellis.yaml against schemas/config.schema.json; the reader in
 * src/config/ only adds what a schema cannot say (overlapping paths). */
static void check_config(tr_repo *repo, const tr_schema_set *schemas,
			 tr_diag *diag)
{
	const tr_node *defaulted = NULL;

	if (!repo->config.present || !repo->config.root)
		return;
	(void)tr_schema_check(&defaulted, tr_schema_set_config(schemas),
			      repo->config.file, repo->config.root,
			      &repo->set.arena, diag);
}

int tr_validate_repo(tr_validate_stats *out, tr_repo *repo,
		     const tr_validate_options *opts, tr_diag *diag)
{
	tr_schema_set *own = NULL;
	const tr_schema_set *schemas = opts ? opts->schemas : NULL;
	tr_refs_index idx;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!schemas) {
		if ((rc = tr_schema_set_new(&own, diag)) < 0)
			return rc;
		schemas = own;
	}
	check_config(repo, schemas, diag);
	for (size_t i = 0; i < repo->set.count; i++) {
		tr_manifest_doc *d = &repo->set.docs[i];
		const tr_node *defaulted = NULL;

		if (!tr_validate_kind_is_managed(d->api_version, d->kind)) {
			if (kind_not_ascii(d, diag) < 0) {
				out->documents++;
				continue;
			}
			tr_diag_add(diag, TR_SEV_NOTE, "manifest.ignored",
				    d->file, d->root->line, d->root->col, NULL,
				    "%s %s%s%s is not a kind trellis manages; "
				    "ignored",
				    d->kind, d->namespace_ ? d->namespace_ : "",
				    d->namespace_ ? "/" : "",
				    d->name ? d->name : "(unnamed)");
			out->ignored++;
			continue;
		}
		out->documents++;
		/* Later checks and the model read the object the API server
		 * would store: with the schema's defaults filled in. */
		if (tr_validate_document(&defaulted, schemas, d,
					 &repo->set.arena, diag) == 0 &&
		    defaulted)
			d->root = defaulted;
	}
	/* Across documents: references first, then what Lattice can hold. */
	rc = tr_refs_index_build(&idx, repo);
	if (rc == 0)
		rc = tr_refs_check(&idx, diag);
	if (rc == 0)
		rc = tr_lattice_check(&idx, diag);
	if (rc == 0)
		rc = tr_validate_policy_refs(&idx, diag);
	tr_refs_index_dispose(&idx);
	tr_schema_set_free(own);
	return rc;
}
