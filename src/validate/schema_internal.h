/*
 * The compiled form of a schema, shared by the files of the schema engine
 * (compile, validate, defaults, formats). Not part of the module's API.
 */
#ifndef TR_VALIDATE_SCHEMA_INTERNAL_H
#define TR_VALIDATE_SCHEMA_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest/node.h"
#include "util/arena.h"
#include "validate/schema.h"

enum {
	SN_NULL = 1u << 0,
	SN_BOOL = 1u << 1,
	SN_INT = 1u << 2, /* "integer": any integral number */
	SN_NUM = 1u << 3, /* "number" */
	SN_STR = 1u << 4,
	SN_OBJ = 1u << 5,
	SN_ARR = 1u << 6
};

typedef enum sn_format {
	SN_FMT_NONE = 0,
	SN_FMT_INT32,
	SN_FMT_INT64,
	SN_FMT_IPV4,
	SN_FMT_IPV6,
	SN_FMT_HOSTNAME
} sn_format;

typedef enum sn_list_type {
	SN_LIST_NONE = 0,
	SN_LIST_ATOMIC,
	SN_LIST_SET,
	SN_LIST_MAP
} sn_list_type;

typedef struct sn sn;

typedef struct sn_prop {
	const char *name;
	sn *schema;
} sn_prop;

typedef struct sn_pattern_prop {
	const char *source;
	pcre2_code *re;
	sn *schema;
} sn_pattern_prop;

typedef struct sn_dependency {
	const char *name;
	sn *schema;           /* schema form, or NULL */
	const char **required; /* array form */
	size_t nrequired;
} sn_dependency;

struct sn {
	const char *where;  /* JSON pointer of this subschema, for messages */
	bool never;         /* the `false` schema */
	sn *ref;            /* $ref target: every other keyword is ignored */
	unsigned types;     /* SN_* bits; 0 = any type */
	const tr_node **enum_values;
	size_t nenum;
	const tr_node *const_value;
	const tr_node *default_value;

	sn_prop *props;
	size_t nprops;
	const char **required;
	size_t nrequired;
	sn *additional;     /* additionalProperties (false = a `never` schema) */
	sn_pattern_prop *pattern_props;
	size_t npattern_props;
	sn *property_names;
	int64_t min_props, max_props; /* -1 when absent */
	sn_dependency *deps;
	size_t ndeps;

	sn *items;          /* single-schema form */
	sn **tuple;         /* array form */
	size_t ntuple;
	bool has_tuple;
	sn *additional_items;
	sn *contains;
	int64_t min_items, max_items;
	bool unique_items;
	sn_list_type list_type;
	const char **map_keys;
	size_t nmap_keys;

	int64_t min_len, max_len;
	const char *pattern;
	pcre2_code *re;
	sn_format format;

	bool has_min, has_max, has_xmin, has_xmax, has_mult;
	double min, max, xmin, xmax, mult;

	sn **all_of, **any_of, **one_of;
	size_t nall_of, nany_of, none_of;
	sn *not_;
	sn *if_, *then_, *else_;

	const char **unique_props; /* x-trellis-unique-properties */
	size_t nunique_props;
	const char *message;       /* x-trellis-message */

	int may_default;    /* 0 unknown, 1 computing, 2 no, 3 yes */
};

struct tr_schema {
	char *name;
	tr_arena arena;       /* every sn, its arrays and its strings */
	sn *root;
	pcre2_code **regexes; /* owned, freed with the schema */
	size_t nregexes, capregexes;
	pcre2_general_context *gctx; /* allocates through util/alloc.h */
	pcre2_compile_context *compile_ctx;
	pcre2_match_context *match_ctx;
	/* For lookup in a set: the root's const apiVersion and kind. */
	const char *api_version;
	const char *kind;
};

/* Validation (schema_validate.c). */
bool tr_schema__node_equal(const tr_node *a, const tr_node *b);
size_t tr_schema__codepoints(const tr_node *str);
/* Formats (schema_format.c). True when the string is in the format. */
bool tr_schema__is_ipv4(const char *s, size_t len);
bool tr_schema__is_ipv6(const char *s, size_t len);
bool tr_schema__is_hostname(const char *s, size_t len);
/* Deep copy of a node tree into arena, every node at the given position. */
tr_node *tr_schema__clone_at(tr_arena *arena, const tr_node *tmpl,
			     const tr_node *at);

#endif
