/*
 * Interned strings: one copy of each distinct byte string, kept in an arena.
 * The manifest loader stores every scalar and key text this way, because a
 * repository repeats the same few (apiVersion, kind, "name", "Service",
 * namespaces, ports) hundreds of thousands of times. Two texts interned in
 * the same table are equal exactly when their pointers are.
 */
#ifndef TR_UTIL_INTERN_H
#define TR_UTIL_INTERN_H

#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

typedef struct tr_intern_slot {
	const char *s;  /* in the arena; NULL for a free slot */
	uint32_t len;
	uint32_t hash;
} tr_intern_slot;

typedef struct tr_intern {
	tr_intern_slot *slots;
	size_t cap;    /* a power of two, or 0 */
	size_t count;
} tr_intern;

void tr_intern_init(tr_intern *t);
/* Frees the table; the strings stay in their arena. */
void tr_intern_dispose(tr_intern *t);
/* The interned copy of s[0..len) (NUL-terminated; s may hold NUL bytes),
 * copied into arena the first time it is seen. Never NULL. */
const char *tr_intern_get(tr_intern *t, tr_arena *arena, const char *s,
			  size_t len);

#endif
