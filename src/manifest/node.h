/*
 * The document tree every stage below the loader reads: YAML (and JSON)
 * values with the file, line and column they came from. Nodes live in the
 * arena of the manifest set that loaded them and are read-only afterwards.
 *
 * Scalars are resolved the way Kubernetes tooling resolves plain YAML
 * scalars (go-yaml v2, YAML 1.1): `yes` is a boolean there, so it is one
 * here too, and a schema that wants a string rejects it like the API server.
 */
#ifndef TR_MANIFEST_NODE_H
#define TR_MANIFEST_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum tr_node_type {
	TR_NODE_NULL = 0,
	TR_NODE_BOOL,
	TR_NODE_INT,
	TR_NODE_FLOAT,
	TR_NODE_STRING,
	TR_NODE_MAP,
	TR_NODE_SEQ
} tr_node_type;

typedef struct tr_node tr_node;

typedef struct tr_node_pair {
	tr_node *key;   /* always a scalar node (TR_NODE_STRING after resolution) */
	tr_node *value;
} tr_node_pair;

/* The order keeps a node at 64 bytes (bool beside the enum, not in the
 * padding after col): one is made per YAML node, keys included. */
struct tr_node {
	tr_node_type type;
	bool plain;        /* scalar written without quotes (affects hints) */
	const char *file;  /* borrowed from the manifest set */
	uint32_t line;     /* 1-based */
	uint32_t col;      /* 1-based */
	const char *text;  /* scalars: the source text (NUL-terminated) */
	size_t text_len;   /* scalars may contain NUL bytes in quoted forms */
	union {
		bool boolean;
		int64_t integer;
		double number;
	} as;
	size_t count;      /* map pairs or sequence items */
	union {
		tr_node_pair *pairs; /* TR_NODE_MAP, in source order */
		tr_node **items;     /* TR_NODE_SEQ */
	} u;
};

/* Borrowed value of key `key` in a map node, or NULL. */
const tr_node *tr_node_get(const tr_node *map, const char *key);
/* The string of a TR_NODE_STRING node, or NULL for any other node. */
const char *tr_node_str(const tr_node *node);
/* String value at map[key] when it is a string, else NULL. */
const char *tr_node_get_str(const tr_node *map, const char *key);
const char *tr_node_type_name(tr_node_type type);
/* String at map[key], or `fallback` when absent or not a string (the way
 * a CRD default reads). */
const char *tr_node_get_str_or(const tr_node *map, const char *key,
			       const char *fallback);
/* Integer at map[key]; false (out untouched) when absent or not one. */
bool tr_node_get_int(const tr_node *map, const char *key, int64_t *out);

#endif
