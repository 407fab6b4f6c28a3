/*
 * Readers of the observe stage that live in their own files (Route 53
 * records, ACM certificates); observe.c calls them after the VPC Lattice
 * objects are read, since both start from the services.
 */
#ifndef TR_OBSERVE_INTERNAL_H
#define TR_OBSERVE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "observe/observe.h"
#include "util/strmap.h"

/*
 * Reads the custom-domain CNAMEs and their ownership TXT records into
 * `out`: only the names trellis may hold (declared custom domains, and
 * those of services it owns), two bounded ListResourceRecordSets each.
 * AWS failures are diagnostics ("aws.read") and a negative return.
 */
int tr_observe__dns_records(tr_model *out, tr_aws_client *client,
			    tr_model *desired, const tr_config *cfg,
			    const char *owner, unsigned parallel,
			    tr_diag *diag);

/*
 * ACM at plan time, for each service with a custom domain and an HTTPS
 * listener: the named certificate (DescribeCertificate) exists, is ISSUED,
 * covers the domain and is not expired (error) or expiring within 30 days
 * (warning). Without a named certificate one is found as the AWS
 * controller does (ListCertificates, ISSUED: exact name first, then a
 * wildcard; the most recent wins a tie) and set on the desired service,
 * so the plan shows it. Problems are diagnostics; negative on AWS failure
 * or an error found.
 */
int tr_observe__certificates(tr_model *desired, tr_aws_client *client,
			     int64_t now_s, unsigned parallel, tr_diag *diag);

/* The owner's VPC Lattice resources from the tagging API: ARN -> tags
 * object. `loaded` is false when the bulk read failed (or was not made):
 * then every resource's tags are read on their own. */
typedef struct tr_observe_owned_tags {
	tr_strmap by_arn;  /* ARN -> owned cJSON object {"key": "value"} */
	size_t count;
	bool loaded;
} tr_observe_owned_tags;

void tr_observe__owned_tags_init(tr_observe_owned_tags *t);
void tr_observe__owned_tags_dispose(tr_observe_owned_tags *t);
/* Takes `tags`. */
void tr_observe__owned_tags_put(tr_observe_owned_tags *t, const char *arn,
				cJSON *tags);
/* The tags of an ARN in the owner's set; NULL when it is not there. */
const cJSON *tr_observe__owned_tags_get(const tr_observe_owned_tags *t,
					const char *arn);
/*
 * One GetResources walk for the resources tagged owner=<owner> (service
 * networks, their VPC associations, services, target groups). Never
 * fails the run: when the call fails the set stays not loaded, with a
 * warning ("aws.tags"), and tags are read one resource at a time.
 */
int tr_observe__owned_tags_read(tr_observe_owned_tags *out,
				tr_aws_client *client, const char *owner,
				tr_diag *diag);

/* The cached reply of `op` (GetService, GetListener, GetRule,
 * GetTargetGroup; GetAuthPolicy for "no policy") for `arn` when it was
 * cached at lastUpdatedAt `updated`, else NULL; borrowed. A hit is kept
 * for the next run. NULL-safe on the cache. */
const cJSON *tr_observe__cache_get(tr_observe_cache *c, const char *op,
				   const char *arn, const char *updated);
/* Keeps a copy of a reply (its own lastUpdatedAt) once it has settled. */
void tr_observe__cache_put(tr_observe_cache *c, const char *op,
			   const char *arn, const cJSON *reply);
/* Reads a cache file's text into an empty cache: 0, or negative with why
 * it is not used (corrupt, another version, account, region or endpoint,
 * a malformed entry, too large); then the cache holds nothing. */
int tr_observe__cache_load_text(tr_observe_cache *c, const char *text,
				size_t len, const char **why);
/* "2026-11-26T14:00:00.123Z" -> ms since the epoch. */
int tr_observe__parse_time_ms(int64_t *out, const char *s);

#define TR_CERT_EXPIRY_WARNING_S (30 * 24 * 3600)

/* ACM's matching: an exact name (case-insensitive), or "*.<parent>"
 * covering exactly one more label. */
bool tr_observe__cert_covers(const char *pattern, const char *domain);

/* How a certificate (DescribeCertificate's Certificate, or a
 * ListCertificates summary) covers domain through its DomainName and
 * SubjectAlternativeNames (or ...Summaries): 2 by an exact name, 1 by a
 * wildcard, 0 not at all. */
int tr_observe__cert_match(const cJSON *cert, const char *domain);

#endif
