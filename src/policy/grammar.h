/*
 * The IAM policy grammar: what AWS checks before it accepts a policy
 * document (a VPC Lattice auth policy, an IAM role's trust policy or one of
 * its inline policies), checked offline so a bad policy fails `validate`
 * instead of `apply`. The document is parsed with cJSON; each problem is
 * reported at the YAML field that holds the policy (file, line, column)
 * with a field path that goes on inside the JSON:
 *
 *   spec.policy.Statement[0].Condition.StringEquals["aws:PrincipalArn"]
 *
 * References (`${service:apps/datastore.arn}`, `${cluster:a.vpcId}`, ...)
 * and IAM policy variables (`${aws:username}`) stand for text known later:
 * a value that holds one is accepted wherever an ARN, an account id or a
 * condition key is expected; src/policy/refs checks the references.
 */
#ifndef TR_POLICY_GRAMMAR_H
#define TR_POLICY_GRAMMAR_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag/diag.h"
#include "manifest/manifest.h"

typedef enum tr_policy_type {
	TR_POLICY_AUTH = 0, /* VPC Lattice auth policy (resource-based) */
	TR_POLICY_TRUST,    /* IAM role trust policy (assumeRolePolicyDocument) */
	TR_POLICY_IDENTITY  /* IAM inline policy of a role */
} tr_policy_type;

/* Where a policy document sits in the manifests. */
typedef struct tr_policy_site {
	const char *file;
	uint32_t line;
	uint32_t col;
	const char *path; /* field path of the YAML field, e.g. "spec.policy" */
} tr_policy_site;

/*
 * Checks one policy document (JSON text, not necessarily NUL-terminated)
 * against the grammar and the size limit of its type. Every problem goes
 * to diag (rule ids "policy.*"). Returns 0 (warnings allowed) or
 * TR_EINVALID.
 */
int tr_policy_check(const char *text, size_t len, tr_policy_type type,
		    const tr_policy_site *site, tr_diag *diag);

/*
 * Checks the policy documents a manifest holds: an IAMAuthPolicy's
 * spec.policy, an ACK IAM Role's spec.assumeRolePolicyDocument and
 * spec.inlinePolicies (each, and their total against IAM's per-role
 * quota). Other kinds pass. Call it on a document that passed its schema.
 */
int tr_policy_check_document(const tr_manifest_doc *doc, const tr_node *root,
			     tr_diag *diag);

/* The length IAM counts against its quotas: characters, whitespace left
 * out. */
size_t tr_policy_quota_chars(const char *text, size_t len);

/* What a condition operator compares, once its qualifiers are taken off. */
typedef enum tr_policy_test {
	TR_POLICY_TEST_EQUALS = 0, /* strings, ARNs, binary, Bool */
	TR_POLICY_TEST_EQUALS_NOCASE,
	TR_POLICY_TEST_LIKE,       /* * and ? wildcards (String, Arn) */
	TR_POLICY_TEST_LT,         /* Numeric and Date */
	TR_POLICY_TEST_LE,
	TR_POLICY_TEST_GT,
	TR_POLICY_TEST_GE,
	TR_POLICY_TEST_IP,         /* address within a CIDR */
	TR_POLICY_TEST_NULL        /* key absent (true) or present (false) */
} tr_policy_test;

typedef enum tr_policy_family {
	TR_POLICY_FAMILY_STRING = 0,
	TR_POLICY_FAMILY_NUMERIC,
	TR_POLICY_FAMILY_DATE,
	TR_POLICY_FAMILY_BOOL,
	TR_POLICY_FAMILY_BINARY,
	TR_POLICY_FAMILY_IP,
	TR_POLICY_FAMILY_ARN,
	TR_POLICY_FAMILY_NULL
} tr_policy_family;

typedef enum tr_policy_set {
	TR_POLICY_SET_NONE = 0,
	TR_POLICY_SET_ANY, /* ForAnyValue: */
	TR_POLICY_SET_ALL  /* ForAllValues: */
} tr_policy_set;

/* A condition operator such as ForAnyValue:StringNotLikeIfExists. */
typedef struct tr_policy_op {
	const char *base;        /* "StringNotLike"; static storage */
	tr_policy_family family;
	tr_policy_test test;
	bool negated;            /* the Not forms: true when no value matches */
	tr_policy_set set;
	bool if_exists;
} tr_policy_op;

/* Parses an operator name; TR_EINVALID when IAM does not know it
 * (NullIfExists included). */
int tr_policy_op_parse(tr_policy_op *out, const char *name);

/* An IAM date: ISO 8601 (2026-01-31, 2026-01-31T12:00, ...:05.123Z,
 * ...+02:00) or epoch seconds, to epoch seconds. 0 or TR_EINVALID. */
int tr_policy_date_parse(int64_t *out, const char *s);

/* An IP address, optionally with /prefix (none: the whole address). */
typedef struct tr_policy_cidr {
	int family;              /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	int bits;
} tr_policy_cidr;

int tr_policy_cidr_parse(tr_policy_cidr *out, const char *s);

/*
 * Parses a policy document into *out (free with cJSON_Delete). Returns
 * TR_EINVALID for text that is not one JSON object; no diagnostics (use
 * tr_policy_check for those).
 */
int tr_policy_parse(cJSON **out, const char *text, size_t len);

#endif
