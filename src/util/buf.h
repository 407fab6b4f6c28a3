/*
 * A growable byte buffer with a hard cap (like curl's dynbuf): every append
 * fails with TR_ETOOLARGE instead of growing past `max`. The content is always
 * NUL-terminated so it can be used as a C string.
 */
#ifndef TR_UTIL_BUF_H
#define TR_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "util/errors.h"

typedef struct tr_buf {
	char *ptr;
	size_t len;
	size_t cap;
	size_t max;
} tr_buf;

#define TR_BUF_INIT(max_) { NULL, 0, 0, (max_) }

void tr_buf_init(tr_buf *buf, size_t max);
void tr_buf_dispose(tr_buf *buf);
void tr_buf_clear(tr_buf *buf);

TR_MUST_CHECK int tr_buf_put(tr_buf *buf, const void *data, size_t len);
TR_MUST_CHECK int tr_buf_puts(tr_buf *buf, const char *s);
TR_MUST_CHECK int tr_buf_putc(tr_buf *buf, char c);
TR_MUST_CHECK int tr_buf_printf(tr_buf *buf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
TR_MUST_CHECK int tr_buf_vprintf(tr_buf *buf, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Borrowed, always NUL-terminated ("" for an empty buffer). */
const char *tr_buf_cstr(const tr_buf *buf);
/* Hands the allocation to the caller (free with tr_free); the buffer is
 * left empty and reusable. Never NULL. */
char *tr_buf_detach(tr_buf *buf);
/* Truncates to `len` bytes (no-op when already shorter). */
void tr_buf_truncate(tr_buf *buf, size_t len);

#endif
