/*
 * Scalar resolution as Kubernetes tooling does it (go-yaml v2, which
 * kubectl and the API server's YAML path use): YAML 1.1 booleans
 * (yes/no/on/off/y/n), nulls, integers in base 10, 8 (leading 0), 16 and 2
 * with '_' separators, and floats. Quoted scalars are always strings.
 */
#ifndef TR_MANIFEST_RESOLVE_H
#define TR_MANIFEST_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>

#include "manifest/node.h"

/* Sets node->type and node->as from node->text for a plain scalar. */
void tr_manifest__resolve_plain(tr_node *node);

/* Applies an explicit core tag (!!str, !!int, ...). Returns false when the
 * tag is not a core scalar tag or the text does not fit it. */
bool tr_manifest__resolve_tagged(tr_node *node, const char *tag);

#endif
