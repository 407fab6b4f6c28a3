/*
 * Fuzz target: the AWS read cache's file (`--cache-dir`/aws-reads/), which
 * anything with write access to the cache folder could have written. The
 * input is one cache file, read as the cache of one account, region and
 * endpoint. When the reader accepts it, every entry it answers for must
 * be the one asked for: the lastUpdatedAt of the question, and for a Get
 * reply the same ARN. Every lastUpdatedAt goes through the time parser.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "observe/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *jstr(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tr_observe_cache *c = NULL;
	tr_diag diag;
	const char *why = NULL;
	cJSON *doc;
	const cJSON *e;

	tr_diag_init(&diag);
	if (tr_observe_cache_open(&c, NULL, "123456789012", "us-west-2",
				  "https://vpc-lattice.us-west-2.amazonaws.com",
				  1795702849203LL, &diag) < 0)
		abort();
	if (tr_observe__cache_load_text(c, (const char *)data, size, &why) < 0 &&
	    !why)
		abort(); /* a refusal always says why */
	doc = cJSON_ParseWithLength((const char *)data, size);
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(doc, "entries"))
	{
		const char *op = jstr(e, "op"), *arn = jstr(e, "arn");
		const char *at = jstr(e, "lastUpdatedAt");
		const cJSON *reply;
		int64_t ms;

		(void)tr_observe__parse_time_ms(&ms, at);
		if (!op || !arn || !at)
			continue;
		reply = tr_observe__cache_get(c, op, arn, at);
		if (!reply)
			continue;
		if (!jstr(reply, "lastUpdatedAt") ||
		    strcmp(jstr(reply, "lastUpdatedAt"), at) != 0)
			abort();
		if (strcmp(op, "GetAuthPolicy") != 0 &&
		    (!jstr(reply, "arn") || strcmp(jstr(reply, "arn"), arn) != 0))
			abort();
	}
	cJSON_Delete(doc);
	tr_observe_cache_free(c);
	tr_diag_dispose(&diag);
	return 0;
}
