#include "util/str.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/errors.h"

bool tr_str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool tr_str_has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

bool tr_str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

int tr_str_to_i64(int64_t *out, const char *s, int64_t min, int64_t max)
{
	char *end = NULL;
	long long v;

	if (!s || !*s || (*s != '-' && (*s < '0' || *s > '9')))
		return TR_EINVALID;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return TR_EINVALID;
	*out = v;
	return 0;
}

size_t tr_str_distance(const char *a, const char *b, size_t cap)
{
	size_t n = strlen(a), m = strlen(b);
	size_t *row, i, j, result;

	if ((n > m ? n - m : m - n) >= cap)
		return cap;
	row = tr_malloc((m + 1) * sizeof(*row));
	for (j = 0; j <= m; j++)
		row[j] = j;
	for (i = 1; i <= n; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (j = 1; j <= m; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	result = row[m] < cap ? row[m] : cap;
	tr_free(row);
	return result;
}

bool tr_str_first_non_ascii(uint32_t *out, size_t *pos, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (*pos = 1; *p; (*pos)++) {
		size_t n = *p < 0x80 ? 1 : *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;

		if (n == 1) {
			p++;
			continue;
		}
		*out = *p & (0x7fu >> n);
		for (size_t i = 1; i < n && p[i]; i++)
			*out = (*out << 6) | (p[i] & 0x3fu);
		return true;
	}
	return false;
}

void tr_str_format(char *out, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (cap == 0)
		return;
	va_start(ap, fmt);
	if (vsnprintf(out, cap, fmt, ap) < 0)
		out[0] = '\0';
	va_end(ap);
}
