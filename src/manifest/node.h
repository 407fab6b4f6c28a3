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

/* A map entry. The key is not a node: a name with its position is all a
 * key needs, and keys are about half the nodes of a manifest. The loader
 * interns key texts (one copy of "name" for the whole set), so the pointer
 * is shared; compare keys with strcmp, as text. */
typedef struct tr_node_pair {
	const char *key;   /* NUL-terminated, never NULL */
	tr_node *value;
	uint32_t line;     /* the key's position, 1-based */
	uint32_t col;
} tr_node_pair;

/*
 * 32 bytes, one per YAML value (1.4 million at 10,000 routes, which is why
 * it is packed): no file (the document has it: tr_manifest_doc.file, and
 * every stage that reports knows its document), 32-bit lengths and counts
 * (the loader's caps are far below), the column beside the type in one
 * word (a column cannot pass TR_MAX_FILE_BYTES, 8 MiB < 2^24), and the
 * scalar value and the collection's array in one union, since a node is
 * one or the other. Scalars have count 0 and collections text NULL, so a
 * loop over a node's items never runs on a scalar.
 */
struct tr_node {
	uint32_t line;          /* 1-based */
	unsigned col : 24;      /* 1-based */
	unsigned type : 4;      /* a tr_node_type */
	unsigned plain : 1;     /* scalar written without quotes (hints) */
	uint32_t text_len;      /* scalars may contain NUL bytes in quoted forms */
	uint32_t count;         /* map pairs or sequence items */
	const char *text;       /* scalars: the source text (NUL-terminated) */
	union {
		union {
			bool boolean;
			int64_t integer;
			double number;
		} as;                       /* scalars */
		union {
			tr_node_pair *pairs; /* TR_NODE_MAP, in source order */
			tr_node **items;     /* TR_NODE_SEQ */
		} u;                        /* collections */
	};
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
