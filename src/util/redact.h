/*
 * Keeping secrets out of output. Two layers: URLs lose their userinfo
 * password/token before they are ever formatted, and every text that leaves
 * the program passes through a scrubber that knows the run's secret values
 * (credentials, tokens) and replaces them, in case one slipped through.
 */
#ifndef TR_UTIL_REDACT_H
#define TR_UTIL_REDACT_H

#include <stddef.h>

#include "util/buf.h"

#define TR_REDACTED "***"

/* Appends `url` to `out` with any password or token in its userinfo
 * replaced by ***. Non-URLs are copied unchanged. */
int tr_redact_url(tr_buf *out, const char *url);

typedef struct tr_redactor {
	char **secrets;
	size_t count;
	size_t cap;
} tr_redactor;

void tr_redactor_init(tr_redactor *r);
void tr_redactor_dispose(tr_redactor *r);
/* Remembers a secret value (copied). Values shorter than 4 bytes are ignored:
 * scrubbing them would mangle ordinary text and they are not real secrets. */
void tr_redactor_add(tr_redactor *r, const char *secret);
/* Replaces every remembered secret in buf (in place). */
int tr_redactor_scrub(const tr_redactor *r, tr_buf *buf);

#endif
