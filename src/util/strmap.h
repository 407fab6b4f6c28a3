/*
 * A map from strings to pointers: open addressing, keys copied, values
 * borrowed. For lookups that would otherwise scan a list (ids of AWS
 * resources, addresses), which turns quadratic at 10,000 routes.
 */
#ifndef TR_UTIL_STRMAP_H
#define TR_UTIL_STRMAP_H

#include <stddef.h>

typedef struct tr_strmap_slot {
	char *key;
	void *value;
} tr_strmap_slot;

typedef struct tr_strmap {
	tr_strmap_slot *slots;
	size_t cap;   /* a power of two, or 0 */
	size_t count;
} tr_strmap;

void tr_strmap_init(tr_strmap *map);
/* Frees the keys and the table; values are the caller's. */
void tr_strmap_dispose(tr_strmap *map);
/* Sets key -> value (replacing an existing value). */
void tr_strmap_put(tr_strmap *map, const char *key, void *value);
/* The value of key, or NULL. */
void *tr_strmap_get(const tr_strmap *map, const char *key);

#endif
