/*
 * The validation stage: every check that can be made offline on a loaded
 * repository. Problems go to the diagnostics; nothing here talks to AWS.
 */
#ifndef TR_VALIDATE_VALIDATE_H
#define TR_VALIDATE_VALIDATE_H

#include <stdbool.h>

#include "diag/diag.h"
#include "repo/repo.h"

typedef struct tr_validate_options {
	bool allow_unsupported;
} tr_validate_options;

typedef struct tr_validate_stats {
	size_t documents;  /* documents trellis manages */
	size_t ignored;    /* documents of kinds trellis does not manage */
} tr_validate_stats;

/* True when trellis reads documents of this apiVersion and kind. */
bool tr_validate_kind_is_managed(const char *api_version, const char *kind);

int tr_validate_repo(tr_validate_stats *out, const tr_repo *repo,
		     const tr_validate_options *opts, tr_diag *diag);

#endif
