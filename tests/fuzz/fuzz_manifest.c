/*
 * Fuzz target: the YAML manifest loader (also reading the input as a .json
 * file) and the config reader, the first code every contributor's pull
 * request reaches.
 */
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "manifest/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tr_manifest_set set;
	tr_diag diag;
	tr_config cfg;
	const tr_node *root = NULL;

	tr_manifest_set_init(&set);
	tr_diag_init(&diag);
	(void)tr_manifest_load(&set, "fuzz.yaml", (const char *)data, size,
			       &diag);
	/* The same bytes as a .json file: the strict JSON check first. */
	(void)tr_manifest_load(&set, "fuzz.json", (const char *)data, size,
			       &diag);
	if (tr_manifest_load_plain(&root, &set, "trellis.yaml",
				   (const char *)data, size, &diag) == 0 &&
	    root)
		(void)tr_config_parse(&cfg, &set.arena, "trellis.yaml", root,
				      &diag);
	tr_diag_dispose(&diag);
	tr_manifest_set_dispose(&set);
	return 0;
}
