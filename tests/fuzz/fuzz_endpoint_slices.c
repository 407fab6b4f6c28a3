/*
 * Fuzz target: an EndpointSliceList reply of the Kubernetes API, as the
 * client reads it (tr_kube_page_take on the parsed page), then the
 * targets chosen from its slices (tr_kube_targets_from_slices) for both
 * IP families and for an unnamed, a named and a missing Service port.
 * The output must be sorted without duplicates.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kube/kube.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const tr_kube_port_pick PICKS[] = {
	{"", "IPV4"}, {"http", "IPV4"}, {"", "IPV6"}, {"http", "IPV6"},
	{"no-such-port", "IPV4"},
};

static void check_sorted(const cJSON *targets)
{
	const cJSON *prev = NULL, *t;

	cJSON_ArrayForEach(t, targets)
	{
		const char *id = cJSON_GetObjectItem(t, "id")->valuestring;
		int port = cJSON_GetObjectItem(t, "port")->valueint;

		if (port < 1 || port > 65535)
			abort();
		if (prev) {
			int c = strcmp(cJSON_GetObjectItem(prev, "id")->valuestring,
				       id);
			int p = cJSON_GetObjectItem(prev, "port")->valueint;
			if (c > 0 || (c == 0 && p >= port))
				abort();
		}
		prev = t;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *page = cJSON_ParseWithLength((const char *)data, size);
	cJSON *all = cJSON_CreateArray();
	tr_buf why = TR_BUF_INIT(TR_MAX_LINE_BYTES);
	char *next = NULL;

	if (page && tr_kube_page_take(all, page, &next, &why) == 0) {
		for (size_t i = 0; i < sizeof(PICKS) / sizeof(PICKS[0]); i++) {
			size_t other = 0;
			cJSON *t = tr_kube_targets_from_slices(all, &PICKS[i],
							       &other);
			check_sorted(t);
			cJSON_Delete(t);
		}
	}
	tr_free(next);
	tr_buf_dispose(&why);
	cJSON_Delete(all);
	cJSON_Delete(page);
	return 0;
}
