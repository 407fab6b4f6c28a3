/*
 * The IAM half of the desired model (desired_iam.c): client roles (the ACK
 * IAM controller's Role kind) and IAMAuthPolicies, built after the Lattice
 * resources so that policy references can name them.
 */
#ifndef TR_MODEL_IAM_INTERNAL_H
#define TR_MODEL_IAM_INTERNAL_H

#include "diag/diag.h"
#include "model/model.h"
#include "validate/refs.h"

#define TR_MODEL_ROLE_GROUP "iam.services.k8s.aws"

/* The Lattice service name of an HTTPRoute or GRPCRoute (the controller's
 * rule, or the override annotation). */
int tr_model__route_service_name(tr_buf *out, const tr_manifest_doc *route);

void tr_model__build_iam(tr_model *model, const tr_repo *repo,
			 const tr_refs_index *idx, const char *owner,
			 tr_diag *diag);

#endif
