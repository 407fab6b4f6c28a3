/*
 * Fuzz target: the IAM policy grammar on any text, as validate runs it on
 * a policy field of a manifest, and the parser the evaluator uses.
 *
 * Input layout:
 *   byte 0   policy type (mod 3: auth, trust, identity)
 *   rest     the policy text
 */
#include <stddef.h>
#include <stdint.h>

#include "diag/diag.h"
#include "policy/grammar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tr_policy_site site = {"f.yaml", 1, 1, "spec.policy"};
	tr_diag diag;
	cJSON *doc = NULL;

	if (size < 1)
		return 0;
	tr_diag_init(&diag);
	(void)tr_policy_check((const char *)data + 1, size - 1,
			      (tr_policy_type)(data[0] % 3), &site, &diag);
	if (tr_policy_parse(&doc, (const char *)data + 1, size - 1) == 0)
		cJSON_Delete(doc);
	tr_diag_dispose(&diag);
	return 0;
}
