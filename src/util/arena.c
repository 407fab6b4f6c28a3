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

void *tr_arena_alloc(tr_arena *arena, size_t size)
{
	const size_t align = alignof(max_align_t);
	tr_arena_block *b = arena->head;
	size_t rounded;
	void *p;

	if (size > SIZE_MAX - align)
		size = SIZE_MAX - align; /* tr_malloc aborts below */
	rounded = (size + align - 1) & ~(align - 1);
	if (!b || b->size - b->used < rounded) {
		size_t bsize = rounded > ARENA_BLOCK_SIZE ? rounded : ARENA_BLOCK_SIZE;
		b = tr_malloc(sizeof(*b) + bsize);
		b->size = bsize;
		b->used = 0;
		/* A large one-off allocation goes behind the current block so the
		 * current block's free space is not wasted. */
		if (arena->head && rounded > ARENA_BLOCK_SIZE) {
			b->next = arena->head->next;
			arena->head->next = b;
		} else {
			b->next = arena->head;
			arena->head = b;
		}
	}
	p = b->data + b->used;
	b->used += rounded;
	arena->used += rounded;
	memset(p, 0, size);
	return p;
}

char *tr_arena_strndup(tr_arena *arena, const char *s, size_t len)
{
	char *p = tr_arena_alloc(arena, len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *tr_arena_strdup(tr_arena *arena, const char *s)
{
	return tr_arena_strndup(arena, s, strlen(s));
}
