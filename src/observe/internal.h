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
