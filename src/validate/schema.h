/*
 * A JSON Schema (draft 7 subset) engine over the loader's node trees.
 *
 * Schemas are JSON (cJSON) and are compiled once: every keyword is checked
 * (an unknown keyword in one of our schemas is a compile error, so a typo
 * cannot silently switch a rule off), local `$ref`s are resolved and every
 * `pattern` is compiled with PCRE2. Instances are tr_node trees with
 * positions; every problem goes to the diagnostics with the file, line and
 * column of the offending node and its field path (spec.rules[0].name),
 * worded like the Kubernetes API server.
 *
 * Keywords: type, enum, const, properties, required, additionalProperties,
 * patternProperties, propertyNames, minProperties, maxProperties, items
 * (schema or tuple), additionalItems, contains, minItems, maxItems,
 * uniqueItems, minLength, maxLength (code points), pattern (PCRE2, UTF,
 * unanchored search, `$` only at the end like RE2), minimum, maximum,
 * exclusiveMinimum, exclusiveMaximum, multipleOf, allOf, anyOf, oneOf, not,
 * if/then/else, dependencies, format (int32, int64, ipv4, ipv6, hostname),
 * $ref (local JSON pointers), definitions, default, and the Kubernetes
 * list extensions x-kubernetes-list-type (map with
 * x-kubernetes-list-map-keys, set, atomic). Annotations that do nothing:
 * $schema, $id, $comment, title, description, examples,
 * x-kubernetes-map-type. Two keywords of ours, for what JSON Schema says
 * badly:
 *   x-trellis-message            the schema words its own failure: one
 *                                diagnostic with this text replaces the
 *                                keyword-level ones (a `not`, an anyOf)
 *   x-trellis-unique-properties  on an array: each named property is
 *                                unique across the items, separately
 * In our schemas (strict compile) a keyword beside $ref is an error, as
 * draft 7 would silently ignore it.
 *
 * Defaults. The API server fills defaults before it validates, so rules see
 * defaulted values. tr_schema_apply_defaults builds a defaulted copy of a
 * tree in an arena the caller provides: subtrees without defaults are
 * shared with the input (nodes are read-only), maps that gain a field are
 * copied. An inserted value carries the position of the map it was added
 * to, so a problem in a default points at the object that lacked the field.
 * Defaults are applied along `properties`, `items` and `$ref`, recursively
 * inside inserted defaults too, never inside allOf/anyOf/oneOf/not branches
 * (structural schemas keep defaults out of them). tr_schema_check does both
 * steps in the order the API server does.
 */
#ifndef TR_VALIDATE_SCHEMA_H
#define TR_VALIDATE_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "diag/diag.h"
#include "manifest/node.h"
#include "util/arena.h"
#include "util/limits.h"
#include "util/buf.h"
#include "util/errors.h"

/*
 * Caps of this module. They belong with the others in util/limits.h; they
 * live here until that header takes them (the validate branch may not touch
 * util/).
 */
#define TR_SCHEMA_REGEX_MATCH_LIMIT 1000000u  /* PCRE2 backtracking budget */
#define TR_SCHEMA_REGEX_DEPTH_LIMIT 10000u

typedef struct tr_schema tr_schema;
typedef struct tr_schema_set tr_schema_set;

typedef struct tr_schema_options {
	/* Ignore keywords this engine does not know (only the test-suite
	 * runner wants this; our own schemas compile strictly). */
	bool allow_unknown_keywords;
	/* Treat a format this engine does not know as an annotation. */
	bool allow_unknown_formats;
} tr_schema_options;

/*
 * Compiles `json` (a JSON text of length len) into *out. Problems (invalid
 * JSON, unknown keyword, bad regex, unresolvable $ref) go to diag with rule
 * "schema.compile" and `name` as the file; the result is then TR_EINVALID.
 * opts may be NULL (strict).
 */
int tr_schema_compile(tr_schema **out, const char *name, const char *json,
		      size_t len, const tr_schema_options *opts, tr_diag *diag);
void tr_schema_free(tr_schema *schema);

/* The schema's name as given to tr_schema_compile. */
const char *tr_schema_name(const tr_schema *schema);

/*
 * Validates `root`, read from `file` (the name diagnostics carry; nodes have
 * positions, not files), and adds every problem to diag. Rule ids: schema.type,
 * .enum, .const, .required, .unknown-field, .forbidden, .pattern,
 * .min-length, .max-length, .minimum, .maximum, .multiple-of, .format,
 * .min-items, .max-items, .unique-items, .list-set, .list-map, .unique,
 * .contains, .min-properties, .max-properties, .any-of, .one-of, .not,
 * .rule (x-trellis-message), .depth. `path` prefixes every
 * field path (NULL or "" for a whole document). Returns 0 when valid,
 * TR_EINVALID otherwise.
 */
int tr_schema_validate(const tr_schema *schema, const char *file,
		       const tr_node *root, const char *path, tr_diag *diag);

/* True when root is valid; adds nothing anywhere. */
bool tr_schema_accepts(const tr_schema *schema, const tr_node *root);

/* Builds the defaulted copy of root in arena (see the top of this file).
 * *out is root itself when nothing was defaulted. Cannot fail. */
void tr_schema_apply_defaults(const tr_node **out, const tr_schema *schema,
			      const tr_node *root, tr_arena *arena);

/* apply_defaults, then validate the defaulted tree; *out is the defaulted
 * tree either way, for the rules that run after the schema. */
int tr_schema_check(const tr_node **out, const tr_schema *schema,
		    const char *file, const tr_node *root, tr_arena *arena,
		    tr_diag *diag);

/*
 * Converts a cJSON value (passed as const void * so that callers need not
 * include cJSON) into a node tree in arena; positions are 0. Used for
 * defaults and by tests that feed JSON instances.
 */
const tr_node *tr_schema_node_from_json(tr_arena *arena, const void *json);

/*
 * The embedded schemas: every JSON file of schemas/ compiled into the binary at
 * build time. A kind's schema declares its apiVersion and kind as `const`
 * at the root, which is what lookup keys on.
 */
int tr_schema_set_new(tr_schema_set **out, tr_diag *diag);
void tr_schema_set_free(tr_schema_set *set);
/* Borrowed; NULL when trellis has no schema for (api_version, kind). */
const tr_schema *tr_schema_set_lookup(const tr_schema_set *set,
				      const char *api_version,
				      const char *kind);
/* Appends the apiVersions the set has a schema of `kind` for, quoted and
 * comma-separated ("" when none), for messages. */
int tr_schema_set_api_versions(tr_buf *out, const tr_schema_set *set,
			       const char *kind);
/* The schema of trellis.yaml. */
const tr_schema *tr_schema_set_config(const tr_schema_set *set);
size_t tr_schema_set_count(const tr_schema_set *set);

#endif
