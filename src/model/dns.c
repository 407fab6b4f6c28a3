#include "model/dns.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "util/limits.h"

int tr_dns_normalize(tr_buf *out, const char *name)
{
	size_t n = strlen(name);
	int error = 0;

	tr_buf_clear(out);
	if (n && name[n - 1] == '.')
		n--;
	if (n > TR_DNS_MAX_NAME_BYTES)
		return TR_ETOOLARGE;
	for (size_t i = 0; i < n && !error; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '\\') {
			unsigned v = 0;
			if (i + 3 >= n || !isdigit((unsigned char)name[i + 1]) ||
			    !isdigit((unsigned char)name[i + 2]) ||
			    !isdigit((unsigned char)name[i + 3]))
				return TR_EINVALID;
			for (size_t k = 1; k <= 3; k++) {
				if (name[i + k] > '7')
					return TR_EINVALID;
				v = v * 8 + (unsigned)(name[i + k] - '0');
			}
			if (v == 0 || v > 255)
				return TR_EINVALID;
			c = (unsigned char)v;
			i += 3;
		}
		error = tr_buf_putc(out, (char)tolower(c));
	}
	return error;
}

int tr_dns_owner_name(tr_buf *out, const char *name)
{
	tr_buf norm = TR_BUF_INIT(TR_DNS_MAX_NAME_BYTES + 1);
	int error = tr_dns_normalize(&norm, name);

	tr_buf_clear(out);
	if (!error)
		error = tr_buf_printf(out, "%s%s", TR_DNS_OWNER_PREFIX,
				      norm.ptr);
	tr_buf_dispose(&norm);
	return error;
}

static bool safe_char(unsigned char c)
{
	return isalnum(c) || strchr("._/:@+~-", c) != NULL;
}

static int put_encoded(tr_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	int error = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p && !error;
	     p++) {
		if (safe_char(*p))
			error = tr_buf_putc(b, (char)*p);
		else
			error = tr_buf_printf(b, "%%%c%c", hex[*p >> 4],
					      hex[*p & 15]);
	}
	return error;
}

int tr_dns_owner_value(tr_buf *out, const char *owner, const char *source)
{
	tr_buf text = TR_BUF_INIT(TR_DNS_MAX_VALUE_BYTES);
	int error;

	tr_buf_clear(out);
	error = tr_buf_puts(&text, "heritage=" TR_DNS_HERITAGE
				   ",trellis/owner=");
	if (!error)
		error = put_encoded(&text, owner ? owner : "");
	if (!error)
		error = tr_buf_puts(&text, ",trellis/source=");
	if (!error)
		error = put_encoded(&text, source ? source : "");
	/* Encoded text has no quote or backslash: each piece is quoted as
	 * it is. */
	for (size_t at = 0; !error && at < text.len;
	     at += TR_DNS_MAX_TXT_STRING) {
		size_t n = text.len - at < TR_DNS_MAX_TXT_STRING
				   ? text.len - at
				   : TR_DNS_MAX_TXT_STRING;
		error = tr_buf_printf(out, "%s\"%.*s\"", at ? " " : "", (int)n,
				      text.ptr + at);
	}
	if (!error && out->len > TR_DNS_MAX_VALUE_BYTES)
		error = TR_ETOOLARGE;
	tr_buf_dispose(&text);
	return error;
}

static bool octal(char c)
{
	return c >= '0' && c <= '7';
}

/* The <character-string>s of a TXT value, unquoted and joined. */
static int unquote(tr_buf *out, const char *v)
{
	int error = 0;

	while (*v && !error) {
		if (*v == ' ' || *v == '\t') {
			v++;
			continue;
		}
		if (*v++ != '"')
			return TR_EINVALID;
		while (*v != '"' && !error) {
			if (!*v)
				return TR_EINVALID;
			/* Route 53 writes other bytes as octal \ooo. */
			if (*v == '\\' && octal(v[1]) && octal(v[2]) &&
			    octal(v[3])) {
				int c = (v[1] - '0') * 64 + (v[2] - '0') * 8 +
					(v[3] - '0');
				if (c > 255)
					return TR_EINVALID;
				error = tr_buf_putc(out, (char)c);
				v += 4;
				continue;
			}
			if (*v == '\\' && v[1])
				v++;
			error = tr_buf_putc(out, *v++);
		}
		v++; /* closing quote */
	}
	return error;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int decode(tr_buf *out, const char *s, size_t n)
{
	int error = 0;

	tr_buf_clear(out);
	for (size_t i = 0; i < n && !error; i++) {
		if (s[i] == '%') {
			int hi = i + 2 < n ? hexval(s[i + 1]) : -1;
			int lo = hi >= 0 ? hexval(s[i + 2]) : -1;
			if (hi < 0 || lo < 0)
				return TR_EINVALID;
			error = tr_buf_putc(out, (char)(hi * 16 + lo));
			i += 2;
		} else {
			error = tr_buf_putc(out, s[i]);
		}
	}
	return error;
}

int tr_dns_owner_parse(tr_buf *owner, tr_buf *source, const char *value)
{
	tr_buf text = TR_BUF_INIT(TR_DNS_MAX_VALUE_BYTES + 1);
	bool heritage = false;
	const char *p;
	int error;

	tr_buf_clear(owner);
	tr_buf_clear(source);
	if ((error = unquote(&text, value)) < 0)
		goto done;
	if (text.len == 0) {
		error = TR_ENOTFOUND;
		goto done;
	}
	p = text.ptr;
	while (!error) {
		size_t n = strcspn(p, ",");
		const char *eq = memchr(p, '=', n);

		if (eq) {
			size_t k = (size_t)(eq - p);
			const char *val = eq + 1;
			size_t vn = n - k - 1;

			if (k == 8 && strncmp(p, "heritage", 8) == 0)
				heritage = vn == strlen(TR_DNS_HERITAGE) &&
					   strncmp(val, TR_DNS_HERITAGE, vn) == 0;
			else if (k == 13 && strncmp(p, "trellis/owner", 13) == 0)
				error = decode(owner, val, vn);
			else if (k == 14 && strncmp(p, "trellis/source", 14) == 0)
				error = decode(source, val, vn);
		}
		if (!p[n])
			break;
		p += n + 1;
	}
	if (!error && !heritage)
		error = TR_ENOTFOUND;
done:
	tr_buf_dispose(&text);
	return error;
}
