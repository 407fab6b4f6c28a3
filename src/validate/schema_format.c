/*
 * The string formats the Kubernetes schemas use. They follow Go's
 * net.ParseIP and the RFC 1123 host names Kubernetes checks, strictly:
 * no leading zeros in IPv4 parts (ambiguous octal), no zones in IPv6.
 */
#include <arpa/inet.h>
#include <string.h>

#include "validate/schema_internal.h"

bool tr_schema__is_ipv4(const char *s, size_t len)
{
	size_t i = 0;

	for (int part = 0; part < 4; part++) {
		size_t start = i;
		unsigned value = 0;
		if (part > 0) {
			if (i >= len || s[i] != '.')
				return false;
			start = ++i;
		}
		while (i < len && s[i] >= '0' && s[i] <= '9' && i - start < 3)
			value = value * 10 + (unsigned)(s[i++] - '0');
		if (i == start || value > 255 || (s[start] == '0' && i - start > 1))
			return false;
	}
	return i == len;
}

bool tr_schema__is_ipv6(const char *s, size_t len)
{
	char buf[64];
	unsigned char addr[16];

	/* The longest textual IPv6 address is 45 characters. */
	if (len == 0 || len >= sizeof(buf) || memchr(s, '\0', len) ||
	    memchr(s, '%', len))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return inet_pton(AF_INET6, buf, addr) == 1;
}

bool tr_schema__is_hostname(const char *s, size_t len)
{
	size_t label = 0;

	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		if (ch == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-'))
			return false;
		if (label == 0 && ch == '-')
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0 && s[len - 1] != '-';
}
