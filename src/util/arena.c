#include "util/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include "util/alloc.h"

#define ARENA_BLOCK_SIZE (64 * 1024)

struct tr_arena_block {
	tr_arena_block *next;
	size_t size;
	size_t used;
	alignas(max_align_t) unsigned char data[];
};

void tr_arena_init(tr_arena *arena)
{
	arena->head = NULL;
	arena->used = 0;
}

void tr_arena_dispose(tr_arena *arena)
{
	tr_arena_block *b = arena->head;

	while (b) {
		tr_arena_block *next = b->next;
		tr_free(b);
		b = next;
	}
	arena->head = NULL;
	arena->used = 0;
}

/* size bytes at an `align` boundary (a power of two), not zeroed. Strings
 * take any byte (align 1): rounding each to 16 bytes cost a tenth of the
 * memory of a large repository. */
static void *arena_take(tr_arena *arena, size_t size, size_t align)
{
	tr_arena_block *b = arena->head;
	size_t off = 0;
	void *p;

	if (size > SIZE_MAX / 2)
		size = SIZE_MAX / 2; /* tr_malloc aborts below */
	if (b)
		off = (b->used + align - 1) & ~(align - 1);
	if (!b || off > b->size || b->size - off < size) {
		size_t bsize = size > ARENA_BLOCK_SIZE ? size : ARENA_BLOCK_SIZE;
		b = tr_malloc(sizeof(*b) + bsize);
		b->size = bsize;
		b->used = 0;
		off = 0;
		/* A large one-off allocation goes behind the current block so the
		 * current block's free space is not wasted. */
		if (arena->head && size > ARENA_BLOCK_SIZE) {
			b->next = arena->head->next;
			arena->head->next = b;
		} else {
			b->next = arena->head;
			arena->head = b;
		}
	}
	p = b->data + off;
	b->used = off + size;
	arena->used += size;
	return p;
}

void *tr_arena_alloc(tr_arena *arena, size_t size)
{
	void *p = arena_take(arena, size, alignof(max_align_t));

	memset(p, 0, size);
	return p;
}

char *tr_arena_strndup(tr_arena *arena, const char *s, size_t len)
{
	char *p = arena_take(arena, len + 1, 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *tr_arena_strdup(tr_arena *arena, const char *s)
{
	return tr_arena_strndup(arena, s, strlen(s));
}
