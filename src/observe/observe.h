/*
 * The observed model: what AWS holds now, read into the same types as the
 * desired model so the diff compares like with like. AWS ids become
 * addresses ("ref:service.x") so references compare equal.
 *
 * Reads are bounded by what could be ours: service networks (few per
 * region), services that are either declared or associated with those
 * networks, target groups that are declared or live in the clusters' VPCs.
 * Children of an owned service (listeners, rules, associations) are owned
 * through it; their tags are not read (tags_inherited).
 */
#ifndef TR_OBSERVE_OBSERVE_H
#define TR_OBSERVE_OBSERVE_H

#include <stddef.h>
#include <stdint.h>

#include "aws/client.h"
#include "config/config.h"
#include "diag/diag.h"
#include "model/model.h"

/*
 * The read cache (--cache-dir): Get replies of services, listeners, rules
 * and target groups with the lastUpdatedAt they had, so a resource whose
 * List summary shows the same lastUpdatedAt is not read again (see
 * observe/cache.c for why that is safe). One file per account, region and
 * VPC Lattice endpoint under <dir>/aws-reads/. Opening never fails: an
 * unusable file is a warning ("aws.cache") and an empty cache; dir NULL
 * gives a cache that holds nothing and writes nothing. now_ms is the wall
 * clock: a reply is kept only once it has settled.
 */
typedef struct tr_observe_cache tr_observe_cache;

typedef struct tr_observe_cache_stats {
	unsigned hits;    /* Gets skipped */
	unsigned misses;  /* Gets made */
	unsigned stored;  /* replies kept from this run's Gets */
} tr_observe_cache_stats;

int tr_observe_cache_open(tr_observe_cache **out, const char *dir,
			  const char *account, const char *region,
			  const char *endpoint, int64_t now_ms, tr_diag *diag);
/* Writes what this run read or confirmed, atomically; entries of
 * resources not seen this run are dropped. A failure is a warning. */
void tr_observe_cache_save(tr_observe_cache *c, tr_diag *diag);
void tr_observe_cache_stats_get(const tr_observe_cache *c,
				tr_observe_cache_stats *out);
void tr_observe_cache_free(tr_observe_cache *c);

typedef struct tr_observe_options {
	const char *owner;       /* only resources tagged with it are read deep */
	unsigned max_parallel;   /* concurrent reads; 0: 8 */
	/* Wall clock (seconds since the epoch) for the ACM certificate
	 * checks of HTTPS services with a custom domain; 0: not checked
	 * (a saved plan's resources were checked when it was made). */
	int64_t now_s;
	tr_observe_cache *cache; /* NULL: every Get is made */
} tr_observe_options;

typedef struct tr_observe_stats {
	unsigned requests;       /* AWS requests sent (attempts included) */
} tr_observe_stats;

/*
 * Reads the current state. AWS failures are diagnostics (rule "aws.read")
 * and a negative return: a plan must never be computed from a partial
 * view, since what is missing would look like something to create.
 */
int tr_observe(tr_model *out, tr_observe_stats *stats, tr_aws_client *client,
	       tr_model *desired, const tr_config *cfg,
	       const tr_observe_options *opts, tr_diag *diag);

#endif
