/*
 * Fuzz target: a whole repository through every offline stage, so the
 * cross-references, the model builder, the planner and the renderers see
 * fuzzed input too, not only the loader.
 *
 * The input is up to three files separated by a line that is exactly
 * "%%%": the first becomes trellis.yaml, the next two the manifests of
 * clusters/cluster-a and clusters/cluster-b (the layout of examples/).
 * Further sections are ignored, so the tree stays small.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "plan/plan.h"
#include "repo/repo.h"
#include "util/alloc.h"
#include "util/limits.h"
#include "validate/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SPLIT "\n%%%\n"
#define MAX_FILES 3

/* In strcmp order, as tr_source_read returns them. */
static const char *const PATHS[MAX_FILES] = {
	"clusters/cluster-a/manifests.yaml",
	"clusters/cluster-b/manifests.yaml",
	"trellis.yaml",
};

/* Section i of the input goes to file SLOT[i]: the config comes first in
 * the input, where a fuzzer mutates most. */
static const size_t SLOT[MAX_FILES] = {2, 0, 1};

static const tr_schema_set *schemas(void)
{
	static tr_schema_set *set;
	tr_diag diag;

	if (set)
		return set;
	tr_diag_init(&diag);
	if (tr_schema_set_new(&set, &diag) < 0)
		abort();
	tr_diag_dispose(&diag);
	return set;
}

static const char *find_split(const char *p, const char *end)
{
	const size_t n = sizeof(SPLIT) - 1;

	for (; (size_t)(end - p) >= n; p++)
		if (memcmp(p, SPLIT, n) == 0)
			return p;
	return NULL;
}

static void split_tree(tr_source_tree *tree, const char *data, size_t size)
{
	const char *p = data, *end = data + size;
	const char *part[MAX_FILES] = {NULL};
	size_t len[MAX_FILES] = {0};
	size_t sections = 0;

	while (sections < MAX_FILES) {
		const char *cut = find_split(p, end);

		part[sections] = p;
		len[sections] = (size_t)((cut ? cut : end) - p);
		sections++;
		if (!cut)
			break;
		p = cut + sizeof(SPLIT) - 1;
	}
	tree->files = tr_calloc(MAX_FILES, sizeof(*tree->files));
	for (size_t slot = 0; slot < MAX_FILES; slot++) {
		for (size_t i = 0; i < sections; i++) {
			tr_source_file *f;

			if (SLOT[i] != slot)
				continue;
			f = &tree->files[tree->count++];
			f->path = tr_strdup(PATHS[slot]);
			f->data = tr_malloc(len[i] + 1);
			if (len[i])
				memcpy(f->data, part[i], len[i]);
			f->data[len[i]] = '\0';
			f->len = len[i];
			tree->bytes += len[i];
		}
	}
}

static void render_all(const tr_plan *plan)
{
	static const tr_plan_render_options variants[] = {
		{TR_PLAN_TEXT, false, false, 0},
		{TR_PLAN_TEXT, true, false, 0},
		{TR_PLAN_TEXT, false, true, 0},
		{TR_PLAN_JSON, false, false, 0},
		{TR_PLAN_MARKDOWN, false, false, 65000},
		{TR_PLAN_MARKDOWN, false, false, 600}, /* forces the cut */
	};

	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		tr_buf out = TR_BUF_INIT(TR_MAX_OUTPUT_BYTES);

		(void)tr_plan_render(&out, plan, &variants[i]);
		tr_buf_dispose(&out);
	}
	{
		tr_buf line = TR_BUF_INIT(1024);

		(void)tr_plan_summary_line(&line, plan);
		tr_buf_dispose(&line);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tr_source_tree tree;
	tr_repo repo;
	tr_repo_options ropts = {0};
	tr_validate_options vopts = {false, schemas()};
	tr_validate_stats stats;
	tr_plan_options popts = {"fuzz-owner", true, false, NULL, NULL};
	tr_model desired, observed;
	tr_plan plan;
	tr_diag diag;
	cJSON *json = NULL;

	memset(&tree, 0, sizeof(tree));
	memset(&repo, 0, sizeof(repo));
	tr_model_init(&desired);
	tr_model_init(&observed);
	tr_plan_init(&plan);
	tr_diag_init(&diag);
	split_tree(&tree, (const char *)data, size);
	if (tr_repo_load(&repo, &tree, &ropts, &diag) < 0)
		goto done;
	(void)tr_validate_repo(&stats, &repo, &vopts, &diag);
	/* trellis diff builds the base side's model even when it has
	 * problems, so the builder must survive an invalid repository. */
	(void)tr_model_build_desired(&desired, &repo, &diag);
	json = tr_model_to_json(&desired);
	if (tr_diag_failed(&diag, true))
		goto done;
	if (tr_plan_compute(&plan, &desired, &observed, &popts, &diag) == 0)
		render_all(&plan);
done:
	cJSON_Delete(json);
	tr_plan_dispose(&plan);
	tr_model_dispose(&observed);
	tr_model_dispose(&desired);
	tr_repo_dispose(&repo);
	tr_source_tree_dispose(&tree);
	tr_diag_dispose(&diag);
	return 0;
}
