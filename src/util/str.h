/* Small string helpers that the C library lacks or gets wrong. */
#ifndef TR_UTIL_STR_H
#define TR_UTIL_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool tr_str_has_prefix(const char *s, const char *prefix);
bool tr_str_has_suffix(const char *s, const char *suffix);
bool tr_str_eq(const char *a, const char *b); /* NULL-safe */
/* printf into a fixed buffer of cap bytes: cut when longer, "" when the
 * format fails, always terminated. For short texts like field paths. */
void tr_str_format(char *out, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Parses a whole string as a base-10 integer in [min, max]; 0 or TR_EINVALID. */
int tr_str_to_i64(int64_t *out, const char *s, int64_t min, int64_t max);
/* Levenshtein distance, capped at `cap` (returns cap when further). */
size_t tr_str_distance(const char *a, const char *b, size_t cap);
/* The first code point outside ASCII in UTF-8 text s, and its position in
 * characters (1-based); false when s is all ASCII. */
bool tr_str_first_non_ascii(uint32_t *out, size_t *pos, const char *s);

#endif
