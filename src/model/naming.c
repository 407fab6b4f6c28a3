#include "model/naming.h"

#include <stdbool.h>
#include <string.h>

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
