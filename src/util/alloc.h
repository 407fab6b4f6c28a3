/*
 * Allocation wrappers. trellis is a one-shot program: running out of memory
 * aborts with a message instead of threading an error through every caller.
 */
#ifndef TR_UTIL_ALLOC_H
#define TR_UTIL_ALLOC_H

#include <stddef.h>

void *tr_malloc(size_t size);
void *tr_calloc(size_t count, size_t size);
void *tr_realloc(void *ptr, size_t size);
/* Grows an array to hold at least `need` elements of `size` bytes; returns
 * the new pointer and updates *cap. Overflow-checked. */
void *tr_grow(void *ptr, size_t *cap, size_t need, size_t size);
char *tr_strdup(const char *s);
char *tr_strndup(const char *s, size_t len);
void tr_free(void *ptr);

#endif
