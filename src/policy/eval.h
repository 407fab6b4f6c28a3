/*
 * Policy evaluation for one request, the way AWS decides it: an explicit
 * Deny in a matching statement wins, else a matching Allow allows, else the
 * request is denied implicitly. A statement matches when its principal (in
 * resource policies), action, resource and every condition match.
 *
 * This answers one question offline (`trellis explain-access`): may this
 * caller `vpc-lattice-svcs:Invoke` this service? So principals are IAM
 * principals (an account, a role ARN, "*"), and condition keys are plain
 * strings from the request context. Unknown keys are absent, as in AWS.
 */
#ifndef TR_POLICY_EVAL_H
#define TR_POLICY_EVAL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "policy/grammar.h"

/* One value of a condition key in the request; several entries with one
 * key make a multivalued key. Keys match case-insensitively, as in IAM. */
typedef struct tr_policy_context_key {
	const char *key;
	const char *value;
} tr_policy_context_key;

typedef struct tr_policy_request {
	const char *principal_arn;     /* arn:aws:iam::111122223333:role/name */
	const char *principal_account; /* 111122223333 */
	const char *action;            /* vpc-lattice-svcs:Invoke */
	const char *resource;          /* the service ARN and request path */
	const tr_policy_context_key *keys;
	size_t key_count;
} tr_policy_request;

typedef enum tr_policy_verdict {
	TR_POLICY_IMPLICIT_DENY = 0, /* no statement allows */
	TR_POLICY_ALLOW,
	TR_POLICY_EXPLICIT_DENY
} tr_policy_verdict;

/* How one statement fared. */
typedef struct tr_policy_statement_result {
	size_t index;   /* in Statement (0 when Statement is one object) */
	char *sid;      /* NULL without a Sid */
	bool deny;      /* Effect Deny */
	bool matched;
	/* Why it did not match: the first element that failed, in words
	 * ("Condition StringEquals vpc-lattice-svcs:SourceVpc: the request
	 * has vpc-2, the policy wants vpc-1"); NULL when it matched. */
	char *why;
} tr_policy_statement_result;

typedef struct tr_policy_decision {
	tr_policy_verdict verdict;
	tr_policy_statement_result *statements; /* every statement, in order */
	size_t count;
} tr_policy_decision;

/*
 * Evaluates one policy document (already resolved: no references) for the
 * request. In an identity policy the principal is the caller by
 * definition; trust and auth policies match their Principal element.
 * Returns 0, or TR_EINVALID when policy is not a policy object (run
 * tr_policy_check first). Dispose `out` in every case.
 */
int tr_policy_eval(tr_policy_decision *out, const cJSON *policy,
		   tr_policy_type type, const tr_policy_request *req);
void tr_policy_decision_dispose(tr_policy_decision *d);

/* IAM's wildcard match: '*' any run of characters (including none), '?'
 * one character; no other character is special. */
bool tr_policy_wildcard_match(const char *pattern, const char *s,
			      bool ignore_case);

#endif
