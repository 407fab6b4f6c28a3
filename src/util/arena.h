/*
 * A bump allocator for things that live as long as one loaded manifest set:
 * nodes and their strings are freed together with tr_arena_dispose.
 */
#ifndef TR_UTIL_ARENA_H
#define TR_UTIL_ARENA_H

#include <stddef.h>

typedef struct tr_arena_block tr_arena_block;

typedef struct tr_arena {
	tr_arena_block *head;
	size_t used;  /* bytes handed out, for limits and benchmarks */
} tr_arena;

void tr_arena_init(tr_arena *arena);
void tr_arena_dispose(tr_arena *arena);
/* Zeroed, aligned for any type; never NULL (aborts on out-of-memory). */
void *tr_arena_alloc(tr_arena *arena, size_t size);
/* Copies of strings are packed (not aligned). */
char *tr_arena_strndup(tr_arena *arena, const char *s, size_t len);
char *tr_arena_strdup(tr_arena *arena, const char *s);

#endif
