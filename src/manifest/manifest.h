/*
 * Loading manifests: YAML streams (JSON files too, read as YAML) into
 * documents of tr_node trees, with the guards hostile input needs (alias
 * expansion budget, depth, scalar and document caps, duplicate keys,
 * invalid UTF-8). Problems go to the diagnostics with file, line and column;
 * a document with a problem is not added to the set.
 */
#ifndef TR_MANIFEST_MANIFEST_H
#define TR_MANIFEST_MANIFEST_H

#include <stddef.h>

#include "diag/diag.h"
#include "manifest/node.h"
#include "util/arena.h"
#include "util/intern.h"

typedef struct tr_manifest_doc {
	const char *file;        /* repository-relative path */
	uint32_t index;          /* 0-based position in its file's stream */
	const tr_node *root;     /* a map */
	const char *api_version; /* borrowed from root; never NULL in a set */
	const char *kind;        /* never NULL in a set */
	const char *name;        /* metadata.name or NULL */
	const char *namespace_;  /* metadata.namespace or NULL */
} tr_manifest_doc;

typedef struct tr_manifest_set {
	tr_arena arena;
	tr_intern strings;  /* every scalar and key text, shared (util/intern.h) */
	tr_manifest_doc *docs;
	size_t count;
	size_t cap;
} tr_manifest_set;

void tr_manifest_set_init(tr_manifest_set *set);
void tr_manifest_set_dispose(tr_manifest_set *set);

/*
 * Parses one file's bytes and appends its documents to the set. Every problem
 * goes to diag. Returns 0 when the file loaded cleanly, TR_EINVALID when it
 * had problems (documents without problems are still added).
 */
int tr_manifest_load(tr_manifest_set *set, const char *file,
		     const char *data, size_t len, tr_diag *diag);

/*
 * Parses one standalone YAML document (the config file) into a node tree in
 * the set's arena, without the apiVersion/kind requirements. *out is NULL
 * for an empty file.
 */
int tr_manifest_load_plain(const tr_node **out, tr_manifest_set *set,
			   const char *file, const char *data, size_t len,
			   tr_diag *diag);

/* Whether apiVersion ("group/version") is in API group `group`; "" is the
 * core group, whose apiVersion has no group ("v1"). */
bool tr_manifest_group_is(const char *api_version, const char *group);

/* Whether the document is `kind` of API group `group` (any version). */
bool tr_manifest_doc_is(const tr_manifest_doc *doc, const char *group,
			const char *kind);

/*
 * Where a JSON text stops being valid, for an error a person can act on:
 * cJSON only says where it gave up (stop), so this steps back to the
 * character at fault and names the usual mistake (a trailing comma, a
 * comment, single quotes, an early end). Used for .json manifests and for
 * the policies inside manifests. start is the first non-space character;
 * trailing_why, when set, means the value parsed and stop is text after it.
 */
typedef struct tr_json_syntax {
	uint32_t line; /* 1-based, in text */
	uint32_t col;  /* 1-based, in characters, not bytes */
	const char *why;
	char at; /* the character there when printable ASCII, else 0 */
} tr_json_syntax;

void tr_manifest_json_syntax(const char *text, size_t len, const char *start,
			     const char *stop, const char *trailing_why,
			     tr_json_syntax *out);

#endif
