#include "model/naming.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util/str.h"

int tr_naming_truncate(tr_buf *out, const char *s, size_t n)
{
	size_t len = strlen(s);
	size_t start = 0;

	if (len > n)
		len = n;
	while (start < len && s[start] == '-')
		start++;
	while (len > start && s[len - 1] == '-')
		len--;
	return tr_buf_put(out, s + start, len - start);
}

int tr_naming_service(tr_buf *out, const char *route, const char *ns)
{
	int error = tr_naming_truncate(out, route, 20);

	if (!error)
		error = tr_buf_putc(out, '-');
	if (!error)
		error = tr_naming_truncate(out, ns, 18);
	return error;
}

int tr_naming_sanitize(tr_buf *out, const char *s, size_t n)
{
	size_t start = out->len;
	int error = 0;
	bool dash = true; /* no leading '-' */

	for (; *s && !error && out->len - start < n; s++) {
		char c = *s;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			error = tr_buf_putc(out, c);
			dash = false;
		} else if (!dash) {
			error = tr_buf_putc(out, '-');
			dash = true;
		}
	}
	while (!error && out->len > start && out->ptr[out->len - 1] == '-')
		tr_buf_truncate(out, out->len - 1);
	return error;
}

int tr_naming_target_group(tr_buf *out, const char *svc, const char *ns,
			   const char *cluster, const char *lattice_service)
{
	/* 35 + 30 + 20 + 40 (a service name's maximum) + 3 dashes = 128 */
	int error = tr_naming_sanitize(out, svc, 35);

	if (!error)
		error = tr_buf_putc(out, '-');
	if (!error)
		error = tr_naming_sanitize(out, ns, 30);
	if (!error)
		error = tr_buf_putc(out, '-');
	if (!error)
		error = tr_naming_sanitize(out, cluster, 20);
	if (!error)
		error = tr_buf_putc(out, '-');
	if (!error)
		error = tr_naming_sanitize(out, lattice_service, 40);
	return error;
}

void tr_naming_rule_priorities(int64_t *out, const tr_node **annotated,
			       const tr_node *annotations, size_t nrules)
{
	int64_t last = 0;

	for (size_t i = 0; i < nrules; i++) {
		char key[96];
		const tr_node *n;
		int64_t v;

		out[i] = 0;
		annotated[i] = NULL;
		snprintf(key, sizeof(key), TR_ANNOTATION_PREFIX
			 "rule-%zu-priority", i);
		n = tr_node_get(annotations, key);
		if (!tr_node_str(n) ||
		    tr_str_to_i64(&v, tr_node_str(n), INT32_MIN, INT32_MAX) < 0)
			continue;
		out[i] = v;
		annotated[i] = n;
		last = v;
	}
	for (size_t i = 0; i < nrules; i++)
		if (!annotated[i])
			out[i] = ++last;
}
