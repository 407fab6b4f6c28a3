/*
 * Route 53 records for custom domains, as pure functions: names in the
 * form Route 53 returns them, and the ownership TXT record that says a
 * CNAME is ours.
 *
 * Ownership follows external-dns's registry: next to each CNAME trellis
 * writes a TXT record named "cname-<name>" (a CNAME cannot share its name
 * with another type) whose value is
 *   "heritage=trellis,trellis/owner=<owner>,trellis/source=<manifest>"
 * with anything outside [A-Za-z0-9._/:@+~-] percent-encoded, split into
 * 255-byte strings. A CNAME without such a record is never changed.
 */
#ifndef TR_MODEL_DNS_H
#define TR_MODEL_DNS_H

#include "util/buf.h"

#define TR_DNS_OWNER_PREFIX "cname-"
#define TR_DNS_HERITAGE "trellis"
#define TR_DNS_TTL 300 /* as the AWS controller's DNSEndpoint */

/* A name as trellis compares them: lower case, no trailing dot, Route 53's
 * "\ooo" escapes decoded. TR_EINVALID for a bad escape, TR_ETOOLARGE past
 * TR_DNS_MAX_NAME_BYTES. */
int tr_dns_normalize(tr_buf *out, const char *name);

/* The name of the ownership TXT record of the CNAME at `name`. */
int tr_dns_owner_name(tr_buf *out, const char *name);

/* The TXT value (quoted strings) saying `owner` made the record from
 * `source`. TR_ETOOLARGE past TR_DNS_MAX_VALUE_BYTES. */
int tr_dns_owner_value(tr_buf *out, const char *owner, const char *source);

/*
 * Reads a TXT value written by tr_dns_owner_value: 0 with the owner and
 * source (either may come back empty) in the buffers; TR_ENOTFOUND when
 * the value is not a trellis ownership record (another heritage, free
 * text); TR_EINVALID when it is not a well-formed TXT value.
 */
int tr_dns_owner_parse(tr_buf *owner, tr_buf *source, const char *value);

#endif
