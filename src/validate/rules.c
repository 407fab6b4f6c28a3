/* Dispatch of the CEL-equivalent rules by kind, and their shared helpers. */
#include "validate/rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/str.h"
#include "validate/rules_internal.h"
#include "validate/schema_internal.h"

/* The parent may be out's own buffer (extending a path in place). */
void tr_rules__path_key(tr_rules_path *out, const char *parent, const char *key)
{
	tr_rules_path tmp;

	snprintf(tmp.s, sizeof(tmp.s), "%s%s%s", parent, *parent ? "." : "", key);
	memcpy(out->s, tmp.s, sizeof(tmp.s));
}

void tr_rules__path_index(tr_rules_path *out, const char *parent, size_t index)
{
	tr_rules_path tmp;

	snprintf(tmp.s, sizeof(tmp.s), "%s[%zu]", parent, index);
	memcpy(out->s, tmp.s, sizeof(tmp.s));
}

const tr_node *tr_rules__get(const tr_node *map, const char *key)
{
	const tr_node *n = tr_node_get(map, key);

	return n && n->type != TR_NODE_NULL ? n : NULL;
}

bool tr_rules__has(const tr_node *map, const char *key)
{
	return tr_rules__get(map, key) != NULL;
}

const char *tr_rules__str(const tr_node *map, const char *key)
{
	const char *s = tr_node_get_str(map, key);

	return s ? s : "";
}

bool tr_rules__str_is(const tr_node *map, const char *key, const char *value)
{
	const char *s = tr_node_get_str(map, key);

	return s && strcmp(s, value) == 0;
}

size_t tr_rules__size(const tr_node *n)
{
	if (!n)
		return 0;
	if (n->type == TR_NODE_SEQ || n->type == TR_NODE_MAP)
		return n->count;
	if (n->type == TR_NODE_STRING)
		return tr_schema__codepoints(n);
	return 0;
}

size_t tr_rules__count(const tr_node *seq)
{
	return seq && seq->type == TR_NODE_SEQ ? seq->count : 0;
}

const tr_node *tr_rules__item(const tr_node *seq, size_t i)
{
	return i < tr_rules__count(seq) ? seq->u.items[i] : NULL;
}

void tr_rules__fail(tr_rules_ctx *c, const tr_node *n, const char *path,
	    const char *rule, const char *message)
{
	const char *word = n->type == TR_NODE_SEQ ? "array"
			   : n->type == TR_NODE_STRING ? "string"
						       : "object";

	c->errors++;
	tr_diag_add(c->diag, TR_SEV_ERROR, rule, c->file, n->line, n->col, path,
		    "Invalid value: \"%s\": %s", word, message);
}

void tr_rules__warn(tr_rules_ctx *c, const tr_node *n, const char *path,
		    const char *rule, const char *message)
{
	tr_diag_add(c->diag, TR_SEV_WARNING, rule, c->file, n->line, n->col, path,
		    "%s", message);
}

int tr_rules_check(const char *api_version, const char *kind,
		   const char *file, const tr_node *root, tr_diag *diag)
{
	tr_rules_ctx c = {diag, file, 0};

	if (!root || !api_version || !kind ||
	    !tr_str_has_prefix(api_version, "gateway.networking.k8s.io/"))
		return 0;
	if (strcmp(kind, "Gateway") == 0)
		tr_rules__gateway(&c, root);
	else if (strcmp(kind, "HTTPRoute") == 0)
		tr_rules__httproute(&c, root);
	else if (strcmp(kind, "GRPCRoute") == 0)
		tr_rules__grpcroute(&c, root);
	return c.errors ? TR_EINVALID : 0;
}
