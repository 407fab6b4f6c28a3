/*
 * Policy documents in the manifests (IAMAuthPolicy spec.policy, a Role's
 * trust and inline policies): each is JSON, and each ${...} reference names
 * something the repository or the config declares (src/policy/refs.h).
 * Rule ids "policy.json" and "policy.reference". Also: a ServiceAccount
 * whose eks.amazonaws.com/role-arn names a role no Role declares is a
 * warning ("policy.role-undeclared").
 */
#ifndef TR_VALIDATE_POLICY_REFS_H
#define TR_VALIDATE_POLICY_REFS_H

#include "diag/diag.h"
#include "validate/refs.h"

#define TR_ROLE_ARN_ANNOTATION "eks.amazonaws.com/role-arn"

int tr_validate_policy_refs(const tr_refs_index *idx, tr_diag *diag);

#endif
