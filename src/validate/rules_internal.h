/*
 * Helpers shared by the rules_*.c files: reading a defaulted node tree the
 * way CEL's has() and size() do, and reporting with a field path.
 */
#ifndef TR_VALIDATE_RULES_INTERNAL_H
#define TR_VALIDATE_RULES_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "diag/diag.h"
#include "manifest/node.h"
#include "validate/schema.h"

typedef struct tr_rules_ctx {
	tr_diag *diag;
	const char *file;  /* of the document being checked */
	size_t errors;
} tr_rules_ctx;

/* A field path buffer; paths are cut (never overflow) at the cap. */
typedef struct tr_rules_path {
	char s[TR_SCHEMA_MAX_PATH_BYTES];
} tr_rules_path;

void tr_rules__path_key(tr_rules_path *out, const char *parent, const char *key);
void tr_rules__path_index(tr_rules_path *out, const char *parent, size_t index);

/* CEL has(): present (the loader keeps no explicit nulls after defaulting). */
bool tr_rules__has(const tr_node *map, const char *key);
const tr_node *tr_rules__get(const tr_node *map, const char *key);
/* String at map[key], "" when absent or not a string. */
const char *tr_rules__str(const tr_node *map, const char *key);
bool tr_rules__str_is(const tr_node *map, const char *key, const char *value);
/* CEL size(): items, pairs or code points; 0 when absent. */
size_t tr_rules__size(const tr_node *n);
const tr_node *tr_rules__item(const tr_node *seq, size_t i);
size_t tr_rules__count(const tr_node *seq); /* 0 unless a sequence */

/* Reports `Invalid value: "<type>": <message>` at node n, path `path`. */
void tr_rules__fail(tr_rules_ctx *c, const tr_node *n, const char *path,
	    const char *rule, const char *message);


/* A rule trellis relaxes on purpose (see rules.h): a warning, not an error. */
void tr_rules__warn(tr_rules_ctx *c, const tr_node *n, const char *path,
		    const char *rule, const char *message);

void tr_rules__gateway(tr_rules_ctx *c, const tr_node *root);
void tr_rules__httproute(tr_rules_ctx *c, const tr_node *root);
void tr_rules__grpcroute(tr_rules_ctx *c, const tr_node *root);

#endif
