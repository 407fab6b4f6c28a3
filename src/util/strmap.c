#include "util/strmap.h"

#include <stdint.h>
#include <string.h>

#include "util/alloc.h"

void tr_strmap_init(tr_strmap *map)
{
	memset(map, 0, sizeof(*map));
}

void tr_strmap_dispose(tr_strmap *map)
{
	for (size_t i = 0; i < map->cap; i++)
		tr_free(map->slots[i].key);
	tr_free(map->slots);
	tr_strmap_init(map);
}

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ull;
	}
	return h;
}

static tr_strmap_slot *find(const tr_strmap *map, const char *key)
{
	size_t i = hash(key) & (map->cap - 1);

	while (map->slots[i].key && strcmp(map->slots[i].key, key) != 0)
		i = (i + 1) & (map->cap - 1);
	return &map->slots[i];
}

static void grow(tr_strmap *map)
{
	tr_strmap old = *map;

	map->cap = old.cap ? old.cap * 2 : 64;
	map->slots = tr_calloc(map->cap, sizeof(*map->slots));
	for (size_t i = 0; i < old.cap; i++) {
		if (old.slots[i].key)
			*find(map, old.slots[i].key) = old.slots[i];
	}
	tr_free(old.slots);
}

void tr_strmap_put(tr_strmap *map, const char *key, void *value)
{
	tr_strmap_slot *slot;

	if ((map->count + 1) * 2 > map->cap)
		grow(map);
	slot = find(map, key);
	if (!slot->key) {
		slot->key = tr_strdup(key);
		map->count++;
	}
	slot->value = value;
}

void *tr_strmap_get(const tr_strmap *map, const char *key)
{
	const tr_strmap_slot *slot;

	if (!map->cap)
		return NULL;
	slot = find(map, key);
	return slot->key ? slot->value : NULL;
}
