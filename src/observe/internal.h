/*
 * Readers of the observe stage that live in their own files (Route 53
 * records, ACM certificates); observe.c calls them after the VPC Lattice
 * objects are read, since both start from the services.
 */
#ifndef TR_OBSERVE_INTERNAL_H
#define TR_OBSERVE_INTERNAL_H

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

#endif
