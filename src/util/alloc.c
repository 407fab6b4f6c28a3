#include "util/alloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(size_t size)
{
	fprintf(stderr, "trellis: out of memory (asked for %zu bytes)\n", size);
	abort();
}

void *tr_malloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		out_of_memory(size);
	return p;
}

void *tr_calloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		out_of_memory(count * size);
	return p;
}

void *tr_realloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);
	if (!p)
		out_of_memory(size);
	return p;
}

void *tr_grow(void *ptr, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 8;
	size_t bytes;

	if (need <= *cap)
		return ptr;
	while (n < need) {
		if (__builtin_mul_overflow(n, 2, &n))
			out_of_memory(SIZE_MAX);
	}
	if (__builtin_mul_overflow(n, size, &bytes))
		out_of_memory(SIZE_MAX);
	ptr = tr_realloc(ptr, bytes);
	*cap = n;
	return ptr;
}

char *tr_strdup(const char *s)
{
	return tr_strndup(s, strlen(s));
}

char *tr_strndup(const char *s, size_t len)
{
	char *p = tr_malloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void tr_free(void *ptr)
{
	free(ptr);
}
