#include "util/redact.h"

#include <string.h>

#include "util/alloc.h"

int tr_redact_url(tr_buf *out, const char *url)
{
	const char *scheme_end = strstr(url, "://");
	const char *auth, *host_end, *at, *colon;
	int error;

	if (!scheme_end)
		return tr_buf_puts(out, url);
	auth = scheme_end + 3;
	host_end = auth + strcspn(auth, "/?#");
	/* The last '@' before the path ends the userinfo (passwords may hold '@'
	 * unencoded in careless URLs). */
	at = NULL;
	for (const char *p = auth; p < host_end; p++)
		if (*p == '@')
			at = p;
	if (!at)
		return tr_buf_puts(out, url);
	colon = memchr(auth, ':', (size_t)(at - auth));
	if ((error = tr_buf_put(out, url, (size_t)(auth - url))) < 0)
		return error;
	if (colon) {
		/* user:secret@ keeps the user, which is not secret and helps. */
		if ((error = tr_buf_put(out, auth, (size_t)(colon - auth) + 1)) < 0)
			return error;
	}
	if ((error = tr_buf_puts(out, TR_REDACTED)) < 0)
		return error;
	return tr_buf_puts(out, at);
}

void tr_redactor_init(tr_redactor *r)
{
	r->secrets = NULL;
	r->count = r->cap = 0;
}

void tr_redactor_dispose(tr_redactor *r)
{
	for (size_t i = 0; i < r->count; i++)
		tr_free(r->secrets[i]);
	tr_free(r->secrets);
	tr_redactor_init(r);
}

void tr_redactor_add(tr_redactor *r, const char *secret)
{
	if (!secret || strlen(secret) < 4)
		return;
	for (size_t i = 0; i < r->count; i++)
		if (strcmp(r->secrets[i], secret) == 0)
			return;
	r->secrets = tr_grow(r->secrets, &r->cap, r->count + 1,
			     sizeof(*r->secrets));
	r->secrets[r->count++] = tr_strdup(secret);
}

int tr_redactor_scrub(const tr_redactor *r, tr_buf *buf)
{
	for (size_t i = 0; i < r->count; i++) {
		const char *secret = r->secrets[i];
		size_t slen = strlen(secret);
		char *hit;

		if (!buf->ptr)
			return 0;
		while ((hit = strstr(buf->ptr, secret)) != NULL) {
			size_t off = (size_t)(hit - buf->ptr);
			size_t rlen = strlen(TR_REDACTED);
			/* The replacement is shorter than any secret we keep,
			 * so this never grows the buffer. */
			memcpy(buf->ptr + off, TR_REDACTED, rlen);
			memmove(buf->ptr + off + rlen, buf->ptr + off + slen,
				buf->len - off - slen + 1);
			buf->len -= slen - rlen;
		}
	}
	return 0;
}
