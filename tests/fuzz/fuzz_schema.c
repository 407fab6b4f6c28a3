/*
 * Fuzz target: the schema engine and the API server's rules on whatever
 * YAML a pull request brings. Each document is validated as `trellis
 * validate` would (defaults, schema, then the CEL-equivalent rules), and
 * the first one is also checked against the config schema, the other
 * schema every run applies. Diagnostics are rendered in every format, as
 * their positions and field paths come straight from the input.
 *
 * The embedded schemas compile once per process: they do not depend on the
 * input, and compiling them for each run would spend most of the time on
 * PCRE2. The set stays reachable from a static, so it is not a leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "manifest/manifest.h"
#include "util/limits.h"
#include "validate/schema.h"
#include "validate/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const tr_schema_set *schemas(void)
{
	static tr_schema_set *set;
	tr_diag diag;

	if (set)
		return set;
	tr_diag_init(&diag);
	if (tr_schema_set_new(&set, &diag) < 0)
		abort(); /* the embedded schemas must compile */
	tr_diag_dispose(&diag);
	return set;
}

static void render_all(const tr_diag *diag)
{
	static const tr_diag_format formats[] = {TR_DIAG_TEXT, TR_DIAG_JSON,
						 TR_DIAG_GITHUB};

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		tr_diag_render_options opts = {formats[i], true, i == 1};
		tr_buf out = TR_BUF_INIT(TR_MAX_OUTPUT_BYTES);

		(void)tr_diag_render(&out, diag, &opts);
		tr_buf_dispose(&out);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const tr_schema_set *set = schemas();
	tr_manifest_set docs;
	tr_diag diag;

	tr_manifest_set_init(&docs);
	tr_diag_init(&diag);
	(void)tr_manifest_load(&docs, "fuzz.yaml", (const char *)data, size,
			       &diag);
	for (size_t i = 0; i < docs.count; i++) {
		const tr_manifest_doc *doc = &docs.docs[i];
		const tr_node *defaulted = NULL;
		tr_buf versions = TR_BUF_INIT(1024);

		(void)tr_validate_kind_is_managed(doc->api_version, doc->kind);
		(void)tr_validate_document(&defaulted, set, doc, &docs.arena,
					   &diag);
		(void)tr_schema_set_api_versions(&versions, set, doc->kind);
		tr_buf_dispose(&versions);
		if (i == 0) {
			const tr_schema *config = tr_schema_set_config(set);

			(void)tr_schema_accepts(config, doc->root);
			(void)tr_schema_check(&defaulted, config, doc->file,
					      doc->root, &docs.arena, &diag);
		}
	}
	tr_diag_sort(&diag);
	render_all(&diag);
	tr_diag_dispose(&diag);
	tr_manifest_set_dispose(&docs);
	return 0;
}
