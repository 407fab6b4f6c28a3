/*
 * Fuzz target: policy references and normalisation on any text, as the
 * desired model and apply run them on a policy field of a manifest: the
 * scan, the substitution through a resolver that answers each of its three
 * ways, and the JSON normalisation of the result.
 *
 * Input layout: the policy text (the resolver's answer for a reference is
 * picked from the length of its name).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "policy/json.h"
#include "policy/refs.h"
#include "util/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tr_policy_resolution resolve(void *ctx, const tr_policy_ref *ref,
				    const char **value)
{
	(void)ctx;
	switch (strlen(ref->name) % 3) {
	case 0:
		*value = "arn:aws:vpc-lattice:us-west-2:1:service/\"svc\\";
		return TR_POLICY_RESOLVED;
	case 1:
		return TR_POLICY_AFTER_APPLY;
	default:
		return TR_POLICY_NOT_FOUND;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tr_buf out = TR_BUF_INIT(TR_POLICY_MAX_BYTES * 2);
	tr_policy_subst_result res;
	char *canon = NULL;

	if (tr_policy_refs_substitute(&out, (const char *)data, size, resolve,
				      NULL, "(known after apply)", &res) == 0 &&
	    tr_policy_json_normalise(&canon, out.ptr ? out.ptr : "",
				     out.len) == 0)
		tr_free(canon);
	(void)tr_policy_json_equal(tr_buf_cstr(&out), tr_buf_cstr(&out));
	tr_buf_dispose(&out);
	return 0;
}
