#include "manifest/node.h"

#include <string.h>

/* The representation is sized for 10,000-route repositories (node.h). */
_Static_assert(sizeof(void *) != 8 || sizeof(tr_node) == 32,
	       "tr_node is 32 bytes on 64-bit targets");

const tr_node *tr_node_get(const tr_node *map, const char *key)
{
	if (!map || map->type != TR_NODE_MAP)
		return NULL;
	for (size_t i = 0; i < map->count; i++)
		if (strcmp(map->u.pairs[i].key, key) == 0)
			return map->u.pairs[i].value;
	return NULL;
}

const char *tr_node_str(const tr_node *node)
{
	return node && node->type == TR_NODE_STRING ? node->text : NULL;
}

const char *tr_node_get_str(const tr_node *map, const char *key)
{
	return tr_node_str(tr_node_get(map, key));
}

const char *tr_node_type_name(tr_node_type type)
{
	switch (type) {
	case TR_NODE_NULL:
		return "null";
	case TR_NODE_BOOL:
		return "boolean";
	case TR_NODE_INT:
		return "integer";
	case TR_NODE_FLOAT:
		return "number";
	case TR_NODE_STRING:
		return "string";
	case TR_NODE_MAP:
		return "object";
	case TR_NODE_SEQ:
		return "array";
	}
	return "unknown";
}

const char *tr_node_get_str_or(const tr_node *map, const char *key,
			       const char *fallback)
{
	const char *s = tr_node_get_str(map, key);

	return s ? s : fallback;
}

bool tr_node_get_int(const tr_node *map, const char *key, int64_t *out)
{
	const tr_node *n = tr_node_get(map, key);

	if (!n || n->type != TR_NODE_INT)
		return false;
	*out = n->as.integer;
	return true;
}
