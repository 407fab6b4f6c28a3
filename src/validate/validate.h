/*
 * The validation stage: every check that can be made offline on a loaded
 * repository. Problems go to the diagnostics; nothing here talks to AWS.
 */
#ifndef TR_VALIDATE_VALIDATE_H
#define TR_VALIDATE_VALIDATE_H

#include <stdbool.h>

#include "diag/diag.h"
#include "repo/repo.h"
#include "util/arena.h"
#include "validate/schema.h"

typedef struct tr_validate_options {
	bool allow_unsupported;
	const tr_schema_set *schemas; /* NULL: compiled for this call */
} tr_validate_options;

typedef struct tr_validate_stats {
	size_t documents;  /* documents trellis manages */
	size_t ignored;    /* documents of kinds trellis does not manage */
} tr_validate_stats;

/* True when trellis reads documents of this apiVersion and kind. */
bool tr_validate_kind_is_managed(const char *api_version, const char *kind);

/*
 * Validates one managed document: the schema of its apiVersion and kind
 * (defaults applied first, as the API server does), then, when the schema
 * accepts it, the CEL-equivalent rules (rules.h) and the IAM policy
 * grammar of the policy documents it holds (policy/grammar.h). *out is
 * the defaulted tree, in `arena`, for the stages that read defaulted
 * values. A kind trellis manages in a version it has no schema for is an
 * error worded like kubectl's. Returns 0 or TR_EINVALID.
 */
int tr_validate_document(const tr_node **out, const tr_schema_set *schemas,
			 const tr_manifest_doc *doc, tr_arena *arena,
			 tr_diag *diag);

/*
 * Runs every check on a loaded repository: the config file's schema, each
 * managed document's schema (defaults applied: the document's root is
 * replaced by its defaulted tree, in the repository's arena) and the API
 * server's rules, then cross-references and VPC Lattice's limits.
 */
int tr_validate_repo(tr_validate_stats *out, tr_repo *repo,
		     const tr_validate_options *opts, tr_diag *diag);

#endif
