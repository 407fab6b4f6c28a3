/*
 * known_hosts matching, as OpenSSH's sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"
 * describes it: "[marker] hostpatterns keytype base64-key [comment]".
 * libgit2 1.5 leaves host key checking to the caller, and a reconciler that
 * pulls what it applies to production must not trust the first key it sees.
 */
#include "source/internal.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

#include "util/alloc.h"
#include "util/limits.h"

static const char b64chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int tr_source__base64_decode(tr_buf *out, const char *in, size_t len)
{
	unsigned int acc = 0;
	int bits = 0;

	for (size_t i = 0; i < len; i++) {
		const char *p;

		if (in[i] == '=')
			break;
		p = memchr(b64chars, in[i], 64);
		if (!p || !in[i])
			return -1;
		acc = (acc << 6) | (unsigned int)(p - b64chars);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (tr_buf_putc(out, (char)((acc >> bits) & 0xff)) < 0)
				return -1;
		}
	}
	return 0;
}

int tr_source__base64_encode(tr_buf *out, const unsigned char *in,
			     size_t len, int pad)
{
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		unsigned int v = (unsigned int)in[i] << 16 |
				 (unsigned int)in[i + 1] << 8 | in[i + 2];
		char q[4] = {b64chars[v >> 18], b64chars[(v >> 12) & 63],
			     b64chars[(v >> 6) & 63], b64chars[v & 63]};

		if (tr_buf_put(out, q, 4) < 0)
			return -1;
	}
	if (i < len) {
		unsigned int v = (unsigned int)in[i] << 16 |
				 (i + 1 < len ? (unsigned int)in[i + 1] << 8 : 0);
		char q[4] = {b64chars[v >> 18], b64chars[(v >> 12) & 63],
			     i + 1 < len ? b64chars[(v >> 6) & 63] : '=', '='};
		size_t n = pad ? 4 : (i + 1 < len ? 3 : 2);

		if (tr_buf_put(out, q, n) < 0)
			return -1;
	}
	return 0;
}

/* |1|base64(salt)|base64(HMAC-SHA1(salt, name)) */
static int hashed_matches(const char *pat, size_t len, const char *name)
{
	tr_buf salt = TR_BUF_INIT(256), want = TR_BUF_INIT(256);
	const char *sep;
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	int match = 0;

	pat += 3;
	len -= 3;
	sep = memchr(pat, '|', len);
	if (!sep ||
	    tr_source__base64_decode(&salt, pat, (size_t)(sep - pat)) < 0 ||
	    tr_source__base64_decode(&want, sep + 1,
				     len - (size_t)(sep - pat) - 1) < 0)
		goto done;
	if (!HMAC(EVP_sha1(), salt.ptr ? salt.ptr : "", (int)salt.len,
		  (const unsigned char *)name, strlen(name), mac, &mac_len))
		goto done;
	match = want.len == mac_len && memcmp(want.ptr, mac, mac_len) == 0;
done:
	tr_buf_dispose(&salt);
	tr_buf_dispose(&want);
	return match;
}

/* OpenSSH patterns know only '*' and '?': fnmatch would read the brackets
 * of "[host]:port" as a character class. Iterative, remembering only the
 * last '*': a star need never give back what an earlier star took, so this
 * is O(pattern x name), where trying every split at every star was
 * exponential in the number of stars (a hang from one known_hosts line). */
static int glob_match(const char *pat, size_t plen, const char *s)
{
	size_t p = 0, star_p = 0;
	const char *star_s = NULL;

	while (*s) {
		if (p < plen && pat[p] == '*') {
			star_p = ++p;
			star_s = s;
		} else if (p < plen &&
			   (pat[p] == '?' ||
			    tolower((unsigned char)pat[p]) ==
				    tolower((unsigned char)*s))) {
			p++;
			s++;
		} else if (star_s) {
			/* Let the last star take one more character. */
			p = star_p;
			s = ++star_s;
		} else {
			return 0;
		}
	}
	while (p < plen && pat[p] == '*')
		p++;
	return p == plen;
}

/* 1 = a pattern matches, 0 = none, -1 = a negated pattern matches. */
static int hosts_match(const char *field, size_t len, const char *name)
{
	const char *p = field, *end = field + len;
	int result = 0;

	if (len > 3 && memcmp(field, "|1|", 3) == 0)
		return hashed_matches(field, len, name);
	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		size_t n = comma ? (size_t)(comma - p) : (size_t)(end - p);
		int negated = n > 0 && *p == '!';

		if (n > (size_t)negated &&
		    glob_match(p + negated, n - (size_t)negated, name)) {
			if (negated) {
				result = -1;
				break;
			}
			result = 1;
		}
		p += n + (comma ? 1 : 0);
	}
	return result;
}

/* Splits off the next space-separated field of [*p, end). */
static int next_field(const char **p, const char *end, const char **f,
		      size_t *n)
{
	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
	*f = *p;
	while (*p < end && **p != ' ' && **p != '\t')
		(*p)++;
	*n = (size_t)(*p - *f);
	return *n > 0;
}

int tr_source__known_hosts_check(const char *text, size_t len,
				 const char *host, int port,
				 const unsigned char *key, size_t key_len)
{
	tr_buf name = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	tr_buf blob = TR_BUF_INIT(TR_MAX_LINE_BYTES);
	const char *line = text, *end = text + len;
	int seen = 0, matched = 0, revoked = 0;

	if (port && port != 22) {
		if (tr_buf_printf(&name, "[%s]:%d", host, port) < 0)
			goto done;
	} else if (tr_buf_puts(&name, host) < 0) {
		goto done;
	}
	while (line < end) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		const char *eol = nl ? nl : end;
		const char *p = line, *f;
		size_t n;
		int is_revoked = 0;

		line = nl ? nl + 1 : end;
		if (!next_field(&p, eol, &f, &n) || *f == '#')
			continue;
		if (*f == '@') {
			if (n == 8 && memcmp(f, "@revoked", 8) == 0)
				is_revoked = 1;
			else
				continue; /* @cert-authority: no CA support */
			if (!next_field(&p, eol, &f, &n))
				continue;
		}
		if (hosts_match(f, n, tr_buf_cstr(&name)) <= 0)
			continue;
		if (!next_field(&p, eol, &f, &n)) /* key type */
			continue;
		if (!next_field(&p, eol, &f, &n)) /* base64 key */
			continue;
		if (n && f[n - 1] == '\r')
			n--;
		tr_buf_clear(&blob);
		if (tr_source__base64_decode(&blob, f, n) < 0)
			continue;
		/* No server key is empty: an empty one matches nothing (and
		 * memcmp must not see the empty buffer's NULL). */
		if (key_len && blob.len == key_len &&
		    memcmp(blob.ptr, key, key_len) == 0) {
			if (is_revoked)
				revoked = 1;
			else
				matched = 1;
		} else if (!is_revoked) {
			seen = 1;
		}
	}
done:
	tr_buf_dispose(&name);
	tr_buf_dispose(&blob);
	if (revoked)
		return TR_HOSTKEY_REVOKED;
	if (matched)
		return TR_HOSTKEY_MATCH;
	return seen ? TR_HOSTKEY_MISMATCH : TR_HOSTKEY_UNKNOWN;
}
