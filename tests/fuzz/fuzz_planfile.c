/*
 * Fuzz target: the reader of saved plans (`apply --plan FILE`), a file that
 * crosses an artefact store or a pull request. The input is one plan file.
 * When the reader accepts it, two invariants must hold:
 *   - against the very resources the file recorded, nothing is stale;
 *   - the plan written back (tr_plan_file_write) is read again cleanly.
 * Against an empty account every present dependency is reported as gone.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan.h"
#include "util/alloc.h"
#include "util/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The account as the file says it was: its recorded resources. */
static void recorded_model(tr_model *out, const tr_plan_file *pf)
{
	for (size_t i = 0; i < pf->dep_count; i++) {
		const tr_plan_dependency *d = &pf->deps[i];
		const tr_kind_spec *k = tr_kind_get(d->kind);
		const cJSON *res = d->resource;
		tr_resource *r;

		if (!res)
			continue;
		r = tr_model_add(out, d->kind,
				 cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(
							 res, "attributes"),
						 true),
				 "%s", d->address + strlen(k->name) + 1);
		if (!r)
			abort(); /* the reader lets no address in twice */
		cJSON_Delete(r->tags);
		r->tags = cJSON_Duplicate(
			cJSON_GetObjectItemCaseSensitive(res, "tags"), true);
		if (cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(res, "id")))
			r->id = tr_strdup(cJSON_GetStringValue(
				cJSON_GetObjectItemCaseSensitive(res, "id")));
		if (cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(res, "arn")))
			r->arn = tr_strdup(cJSON_GetStringValue(
				cJSON_GetObjectItemCaseSensitive(res, "arn")));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = tr_malloc(size ? size : 1);
	tr_plan_file pf, again;
	tr_model recorded, empty;
	tr_diag diag;
	tr_buf out = TR_BUF_INIT(TR_MAX_PLANFILE_BYTES);

	if (size)
		memcpy(copy, data, size);
	tr_diag_init(&diag);
	tr_plan_file_init(&again);
	tr_model_init(&recorded);
	tr_model_init(&empty);
	if (tr_plan_file_read(&pf, "plan.json", copy, size, &diag) < 0)
		goto done;
	recorded_model(&recorded, &pf);
	if (tr_plan_file_check(&pf, &recorded, &diag) != 0)
		abort();
	(void)tr_plan_file_check(&pf, &empty, &diag);
	if (tr_plan_file_write(&out, &pf.plan, &recorded, &pf.info) < 0)
		abort();
	tr_diag_dispose(&diag);
	tr_diag_init(&diag);
	if (tr_plan_file_read(&again, "again.json", out.ptr, out.len, &diag) < 0)
		abort();
	if (again.plan.count != pf.plan.count)
		abort();
done:
	tr_plan_file_dispose(&pf);
	tr_plan_file_dispose(&again);
	tr_model_dispose(&recorded);
	tr_model_dispose(&empty);
	tr_buf_dispose(&out);
	tr_diag_dispose(&diag);
	tr_free(copy);
	return 0;
}
