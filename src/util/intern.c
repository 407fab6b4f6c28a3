#include "util/intern.h"

#include <string.h>

#include "util/alloc.h"

void tr_intern_init(tr_intern *t)
{
	memset(t, 0, sizeof(*t));
}

void tr_intern_dispose(tr_intern *t)
{
	tr_free(t->slots);
	tr_intern_init(t);
}

static uint32_t hash_bytes(const char *s, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static void grow(tr_intern *t)
{
	size_t cap = t->cap ? t->cap * 2 : 1024;
	tr_intern_slot *slots = tr_calloc(cap, sizeof(*slots));

	for (size_t i = 0; i < t->cap; i++) {
		size_t j;
		if (!t->slots[i].s)
			continue;
		j = t->slots[i].hash & (cap - 1);
		while (slots[j].s)
			j = (j + 1) & (cap - 1);
		slots[j] = t->slots[i];
	}
	tr_free(t->slots);
	t->slots = slots;
	t->cap = cap;
}

const char *tr_intern_get(tr_intern *t, tr_arena *arena, const char *s,
			  size_t len)
{
	uint32_t h = hash_bytes(s, len);
	size_t i;

	/* Callers cap their strings (TR_MAX_SCALAR_BYTES); a longer one is
	 * copied without being shared rather than truncated in the table. */
	if (len > UINT32_MAX)
		return tr_arena_strndup(arena, s, len);
	if ((t->count + 1) * 2 > t->cap)
		grow(t);
	i = h & (t->cap - 1);
	while (t->slots[i].s) {
		const tr_intern_slot *e = &t->slots[i];
		if (e->hash == h && e->len == len && memcmp(e->s, s, len) == 0)
			return e->s;
		i = (i + 1) & (t->cap - 1);
	}
	t->slots[i].s = tr_arena_strndup(arena, s, len);
	t->slots[i].len = (uint32_t)len;
	t->slots[i].hash = h;
	t->count++;
	return t->slots[i].s;
}
