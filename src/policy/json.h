/*
 * Policy documents compared by meaning, not by bytes: AWS hands policies
 * back with its own key order and whitespace (IAM also URL-encodes them),
 * and none of that may ever look like a change in the plan.
 */
#ifndef TR_POLICY_JSON_H
#define TR_POLICY_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "util/errors.h"
#include "util/limits.h"

/*
 * Writes the canonical form of a JSON text to *out (free with tr_free):
 * object keys sorted (byte order, stable for duplicates), no whitespace
 * outside strings, strings re-escaped one way. Returns 0; TR_EINVALID when
 * text is not JSON (then *out is NULL); TR_ETOOLARGE past
 * TR_POLICY_MAX_BYTES or TR_POLICY_MAX_JSON_DEPTH.
 */
int tr_policy_json_normalise(char **out, const char *text, size_t len);

/* True when both texts are JSON with the same canonical form; texts that
 * are not JSON compare byte for byte. */
bool tr_policy_json_equal(const char *a, const char *b);

#endif
