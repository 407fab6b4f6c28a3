#include "manifest/resolve.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

static const char *const null_words[] = {"", "~", "null", "Null", "NULL", NULL};
static const char *const true_words[] = {"y", "Y", "yes", "Yes", "YES",
					 "true", "True", "TRUE", "on",
					 "On", "ON", NULL};
static const char *const false_words[] = {"n", "N", "no", "No", "NO",
					  "false", "False", "FALSE", "off",
					  "Off", "OFF", NULL};

/* Copies s without '_' into out (cap bytes); false when it does not fit. */
static bool strip_underscores(char *out, size_t cap, const char *s)
{
	size_t n = 0;

	for (; *s; s++) {
		if (*s == '_')
			continue;
		if (n + 1 >= cap)
			return false;
		out[n++] = *s;
	}
	out[n] = '\0';
	return true;
}

static bool parse_int(const char *text, int64_t *out)
{
	char digits[96];
	const char *p;
	int base = 10;
	bool neg = false;
	unsigned long long v;
	char *end;

	if (!strip_underscores(digits, sizeof(digits), text))
		return false;
	p = digits;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (!*p)
		return false;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	} else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B')) {
		base = 2;
		p += 2;
	} else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O')) {
		base = 8;
		p += 2;
	} else if (p[0] == '0' && p[1]) {
		base = 8;
		p += 1;
	}
	if (!*p || *p == '+' || *p == '-' || *p == ' ')
		return false;
	errno = 0;
	v = strtoull(p, &end, base);
	if (errno || *end)
		return false;
	if (neg) {
		if (v > (unsigned long long)INT64_MAX + 1)
			return false;
		*out = v == (unsigned long long)INT64_MAX + 1 ? INT64_MIN
							      : -(int64_t)v;
	} else {
		if (v > INT64_MAX)
			return false;
		*out = (int64_t)v;
	}
	return true;
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? after '_' removal */
static bool looks_like_float(const char *s)
{
	bool digits = false;

	if (*s == '+' || *s == '-')
		s++;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	} else {
		while (*s >= '0' && *s <= '9') {
			s++;
			digits = true;
		}
		if (!digits)
			return false;
		if (*s == '.') {
			s++;
			while (*s >= '0' && *s <= '9')
				s++;
		}
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (*s < '0' || *s > '9')
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

static bool parse_float(const char *text, double *out)
{
	static const char *const pinf[] = {".inf", ".Inf", ".INF", "+.inf",
					   "+.Inf", "+.INF", NULL};
	static const char *const ninf[] = {"-.inf", "-.Inf", "-.INF", NULL};
	static const char *const nan_words[] = {".nan", ".NaN", ".NAN", NULL};
	char digits[128];

	if (in_list(text, pinf)) {
		*out = INFINITY;
		return true;
	}
	if (in_list(text, ninf)) {
		*out = -INFINITY;
		return true;
	}
	if (in_list(text, nan_words)) {
		*out = NAN;
		return true;
	}
	if (!strip_underscores(digits, sizeof(digits), text) ||
	    !looks_like_float(digits))
		return false;
	*out = strtod(digits, NULL);
	return true;
}

void tr_manifest__resolve_plain(tr_node *node)
{
	const char *t = node->text;
	int64_t i;
	double d;

	node->type = TR_NODE_STRING;
	if (strlen(t) != node->text_len)
		return; /* embedded NUL: only a string can hold it */
	if (in_list(t, null_words)) {
		node->type = TR_NODE_NULL;
	} else if (in_list(t, true_words)) {
		node->type = TR_NODE_BOOL;
		node->as.boolean = true;
	} else if (in_list(t, false_words)) {
		node->type = TR_NODE_BOOL;
		node->as.boolean = false;
	} else if ((*t >= '0' && *t <= '9') || *t == '-' || *t == '+' ||
		   *t == '.') {
		if (parse_int(t, &i)) {
			node->type = TR_NODE_INT;
			node->as.integer = i;
		} else if (parse_float(t, &d)) {
			node->type = TR_NODE_FLOAT;
			node->as.number = d;
		}
	}
}

bool tr_manifest__resolve_tagged(tr_node *node, const char *tag)
{
	static const char prefix[] = "tag:yaml.org,2002:";
	const char *name;

	if (strncmp(tag, prefix, sizeof(prefix) - 1) != 0)
		return strcmp(tag, "!") == 0 ? (node->type = TR_NODE_STRING, true)
					     : false;
	name = tag + sizeof(prefix) - 1;
	if (strcmp(name, "str") == 0) {
		node->type = TR_NODE_STRING;
		return true;
	}
	tr_manifest__resolve_plain(node);
	if (strcmp(name, "int") == 0)
		return node->type == TR_NODE_INT;
	if (strcmp(name, "float") == 0) {
		if (node->type == TR_NODE_INT) {
			node->as.number = (double)node->as.integer;
			node->type = TR_NODE_FLOAT;
		}
		return node->type == TR_NODE_FLOAT;
	}
	if (strcmp(name, "bool") == 0)
		return node->type == TR_NODE_BOOL;
	if (strcmp(name, "null") == 0)
		return node->type == TR_NODE_NULL;
	return false;
}
