/*
 * The CEL rules of the CRDs (x-kubernetes-validations), written in C: what
 * the API server checks beyond the structural schema for Gateway,
 * HTTPRoute and GRPCRoute (standard channel, v1.6.1). Each rule keeps the
 * CRD's message, so an error reads as `kubectl apply` would print it, but
 * is reported at the offending element (the listener, the filter, the
 * duplicate parentRef) rather than at the list the CEL rule sits on.
 *
 * Rules read the DEFAULTED tree (tr_schema_check's output), as CEL does on
 * the server. They run only on a document that passed its schema: a rule
 * reasoning about a mistyped value would only add confusing echoes of the
 * schema error.
 *
 * One rule is relaxed to a warning: "Combination of port, protocol and
 * hostname must be unique for each listener". The seed sample (the AWS
 * blog's Gateway, two HTTPS:443 listeners without hostnames) breaks it, and
 * VPC Lattice does not need it: the AWS controller maps listeners to one
 * Lattice listener per port. The warning says the CRDs would refuse it.
 *
 * Not repeated here because the schema already reports them: listener name
 * uniqueness and perPort uniqueness (list-type map), the path match type
 * enum. Not implemented: GatewayClass controllerName immutability (needs
 * the previous object) and the status rules (status is not validated).
 */
#ifndef TR_VALIDATE_RULES_H
#define TR_VALIDATE_RULES_H

#include "diag/diag.h"
#include "manifest/node.h"

/* Runs the rules of (api_version, kind) on `root`, read from `file` (the
 * name diagnostics carry); kinds without rules pass. Returns 0 or
 * TR_EINVALID. */
int tr_rules_check(const char *api_version, const char *kind,
		   const char *file, const tr_node *root, tr_diag *diag);

#endif
