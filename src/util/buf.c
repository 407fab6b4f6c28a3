#include "util/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"

void tr_buf_init(tr_buf *buf, size_t max)
{
	buf->ptr = NULL;
	buf->len = 0;
	buf->cap = 0;
	buf->max = max;
}

void tr_buf_dispose(tr_buf *buf)
{
	tr_free(buf->ptr);
	buf->ptr = NULL;
	buf->len = buf->cap = 0;
}

void tr_buf_clear(tr_buf *buf)
{
	buf->len = 0;
	if (buf->ptr)
		buf->ptr[0] = '\0';
}

static int ensure(tr_buf *buf, size_t extra)
{
	size_t need;

	if (__builtin_add_overflow(buf->len, extra, &need) ||
	    need > buf->max)
		return TR_ETOOLARGE;
	if (need + 1 > buf->cap) {
		size_t cap = buf->cap ? buf->cap : 64;
		while (cap < need + 1)
			cap = cap > SIZE_MAX / 2 ? need + 1 : cap * 2;
		buf->ptr = tr_realloc(buf->ptr, cap);
		buf->cap = cap;
	}
	return 0;
}

int tr_buf_put(tr_buf *buf, const void *data, size_t len)
{
	int error;

	if ((error = ensure(buf, len)) < 0)
		return error;
	if (len)
		memcpy(buf->ptr + buf->len, data, len);
	buf->len += len;
	buf->ptr[buf->len] = '\0';
	return 0;
}

int tr_buf_puts(tr_buf *buf, const char *s)
{
	return tr_buf_put(buf, s, strlen(s));
}

int tr_buf_putc(tr_buf *buf, char c)
{
	return tr_buf_put(buf, &c, 1);
}

int tr_buf_vprintf(tr_buf *buf, const char *fmt, va_list ap)
{
	va_list copy;
	int n;
	int error;

	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		return TR_ERROR;
	if ((error = ensure(buf, (size_t)n)) < 0)
		return error;
	vsnprintf(buf->ptr + buf->len, (size_t)n + 1, fmt, ap);
	buf->len += (size_t)n;
	return 0;
}

int tr_buf_printf(tr_buf *buf, const char *fmt, ...)
{
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = tr_buf_vprintf(buf, fmt, ap);
	va_end(ap);
	return error;
}

const char *tr_buf_cstr(const tr_buf *buf)
{
	return buf->ptr ? buf->ptr : "";
}

char *tr_buf_detach(tr_buf *buf)
{
	char *p = buf->ptr ? buf->ptr : tr_strdup("");

	buf->ptr = NULL;
	buf->len = buf->cap = 0;
	return p;
}

void tr_buf_truncate(tr_buf *buf, size_t len)
{
	if (len < buf->len) {
		buf->len = len;
		buf->ptr[len] = '\0';
	}
}
