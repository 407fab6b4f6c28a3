/*
 * Reading AWS XML replies (query and rest-xml protocols) with libxml2.
 *
 * The parser never touches the network, never loads a DTD, never expands
 * entities, refuses documents with a DOCTYPE (AWS replies have none) and
 * rejects nesting deeper than TR_AWS_MAX_XML_DEPTH. Element lookups match
 * local names and ignore namespaces: every AWS reply uses a default one.
 */
#ifndef TR_AWS_XML_H
#define TR_AWS_XML_H

#include <stddef.h>

#include <libxml/tree.h>

#include "util/errors.h"

/* Parses `len` bytes into *out (free with xmlFreeDoc). TR_EINVALID for
 * malformed or refused documents, TR_ETOOLARGE beyond the caps. */
TR_MUST_CHECK int tr_aws_xml_parse(xmlDoc **out, const char *body, size_t len);

/* First child element of `parent` with this local name, or NULL. */
xmlNode *tr_aws_xml_child(const xmlNode *parent, const char *name);

/* Follows "A/B/C" from `from` (each step a child element); NULL if absent.
 * Pass xmlDocGetRootElement(doc) and a path starting below the root. */
xmlNode *tr_aws_xml_path(const xmlNode *from, const char *path);

/* Text content of the element at `path` below `from`, copied into out
 * (capped to cap-1 bytes, always terminated). Returns TR_ENOTFOUND when the
 * element is absent, TR_ETOOLARGE when the text did not fit. */
int tr_aws_xml_text(char *out, size_t cap, const xmlNode *from,
		    const char *path);

/* Same, as an allocated string (tr_free); NULL when absent. */
char *tr_aws_xml_text_dup(const xmlNode *from, const char *path);

#endif
