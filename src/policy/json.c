#include "policy/json.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

/* Stable insertion sort of an object's members by key: policies have a few
 * keys per object, and stability keeps duplicate keys in their order. */
static void sort_members(cJSON *obj)
{
	cJSON *sorted = NULL, *next, *item, *at;

	for (item = obj->child; item; item = next) {
		next = item->next;
		item->prev = item->next = NULL;
		if (!sorted || strcmp(item->string, sorted->string) < 0) {
			item->next = sorted;
			sorted = item;
			continue;
		}
		for (at = sorted; at->next &&
				  strcmp(at->next->string, item->string) <= 0;
		     at = at->next)
			;
		item->next = at->next;
		at->next = item;
	}
	/* cJSON keeps child->prev pointing at the last element. */
	obj->child = sorted;
	for (item = sorted, at = NULL; item; at = item, item = item->next)
		item->prev = at;
	if (sorted)
		sorted->prev = at;
}

static int canonicalise(cJSON *node, unsigned depth)
{
	cJSON *child;
	int rc;

	if (depth > TR_POLICY_MAX_JSON_DEPTH)
		return TR_ETOOLARGE;
	if (cJSON_IsObject(node))
		sort_members(node);
	for (child = node->child; child; child = child->next) {
		rc = canonicalise(child, depth + 1);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int tr_policy_json_normalise(char **out, const char *text, size_t len)
{
	const char *end = NULL;
	cJSON *doc = NULL;
	char *printed = NULL;
	int rc = TR_EINVALID;

	*out = NULL;
	if (len > TR_POLICY_MAX_BYTES)
		return TR_ETOOLARGE;
	doc = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!doc)
		goto done;
	while (end && end < text + len &&
	       (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
		end++;
	if (!end || end != text + len)
		goto done;
	rc = canonicalise(doc, 1);
	if (rc < 0)
		goto done;
	printed = cJSON_PrintUnformatted(doc);
	if (!printed) {
		rc = TR_ERROR;
		goto done;
	}
	*out = tr_strdup(printed);
	rc = 0;
done:
	free(printed);
	cJSON_Delete(doc);
	return rc;
}

bool tr_policy_json_equal(const char *a, const char *b)
{
	char *na = NULL, *nb = NULL;
	bool eq;

	if (!a || !b)
		return a == b;
	if (tr_policy_json_normalise(&na, a, strlen(a)) < 0 ||
	    tr_policy_json_normalise(&nb, b, strlen(b)) < 0)
		eq = strcmp(a, b) == 0;
	else
		eq = strcmp(na, nb) == 0;
	tr_free(na);
	tr_free(nb);
	return eq;
}
