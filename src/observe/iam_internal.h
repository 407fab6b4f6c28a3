/* IAM roles in the observed model (observe_iam.c), read after Lattice. */
#ifndef TR_OBSERVE_IAM_INTERNAL_H
#define TR_OBSERVE_IAM_INTERNAL_H

#include "aws/client.h"
#include "diag/diag.h"
#include "model/model.h"

/* Adds every role tagged with `owner` or declared in `desired`, with its
 * inline policies. Failures are "aws.read" diagnostics and a negative
 * return, as for the rest of observe. */
int tr_observe__roles(tr_model *out, tr_aws_client *client,
		      tr_model *desired, const char *owner, unsigned parallel,
		      tr_diag *diag);

#endif
