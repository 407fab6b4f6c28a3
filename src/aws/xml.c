#include "aws/xml.h"

#include <stdint.h>
#include <string.h>

#include <libxml/parser.h>

#include "util/alloc.h"
#include "util/limits.h"

static int depth_ok(const xmlNode *node, unsigned depth)
{
	if (depth > TR_AWS_MAX_XML_DEPTH)
		return 0;
	for (const xmlNode *c = node; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && c->children &&
		    !depth_ok(c->children, depth + 1))
			return 0;
	return 1;
}

/* Drops what libxml2 reports on its generic error channel. */
static void discard_error(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

int tr_aws_xml_parse(xmlDoc **out, const char *body, size_t len)
{
	/* NONET: no fetches; no NOENT: entities are never substituted; no
	 * DTDLOAD/DTDATTR; NOERROR/NOWARNING: libxml2 must not print. */
	const int opts = XML_PARSE_NONET | XML_PARSE_NOERROR |
			 XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
	xmlDoc *doc = NULL;
	int error = 0;

	*out = NULL;
	if (!body || len == 0) {
		error = TR_EINVALID;
		goto done;
	}
	if (len > TR_AWS_MAX_RESPONSE_BYTES || len > (size_t)INT32_MAX) {
		error = TR_ETOOLARGE;
		goto done;
	}
	/* Some failures (bytes that do not convert from the encoding libxml2
	 * guessed, such as UCS-4) go to the generic error channel, which the
	 * options do not cover and which prints to stderr. The channel is per
	 * thread in libxml2, so silencing it here is safe in call_many. */
	{
		xmlGenericErrorFunc saved = xmlGenericError;
		void *saved_ctx = xmlGenericErrorContext;

		xmlSetGenericErrorFunc(NULL, discard_error);
		doc = xmlReadMemory(body, (int)len, "aws-reply.xml", NULL, opts);
		xmlSetGenericErrorFunc(saved_ctx, saved);
	}
	if (!doc || !xmlDocGetRootElement(doc)) {
		error = TR_EINVALID;
		goto done;
	}
	if (doc->intSubset || doc->extSubset) {
		error = TR_EINVALID; /* a DOCTYPE has no business here */
		goto done;
	}
	if (!depth_ok(xmlDocGetRootElement(doc), 1)) {
		error = TR_ETOOLARGE;
		goto done;
	}
	*out = doc;
	doc = NULL;
done:
	if (doc)
		xmlFreeDoc(doc);
	return error;
}

xmlNode *tr_aws_xml_child(const xmlNode *parent, const char *name)
{
	if (!parent)
		return NULL;
	for (xmlNode *c = parent->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)c->name, name) == 0)
			return c;
	return NULL;
}

xmlNode *tr_aws_xml_path(const xmlNode *from, const char *path)
{
	const xmlNode *node = from;
	char step[256];

	while (node && *path) {
		size_t n = strcspn(path, "/");

		if (n == 0 || n >= sizeof(step))
			return NULL;
		memcpy(step, path, n);
		step[n] = '\0';
		node = tr_aws_xml_child(node, step);
		path += n;
		if (*path == '/')
			path++;
	}
	return (xmlNode *)node;
}

int tr_aws_xml_text(char *out, size_t cap, const xmlNode *from,
		    const char *path)
{
	xmlNode *node = tr_aws_xml_path(from, path);
	xmlChar *text;
	size_t len;
	int error = 0;

	if (cap)
		out[0] = '\0';
	if (!node)
		return TR_ENOTFOUND;
	text = xmlNodeGetContent(node);
	len = text ? strlen((const char *)text) : 0;
	if (cap == 0 || len >= cap) {
		error = TR_ETOOLARGE;
		len = cap ? cap - 1 : 0;
	}
	if (cap) {
		if (len)
			memcpy(out, text, len);
		out[len] = '\0';
	}
	xmlFree(text);
	return error;
}

char *tr_aws_xml_text_dup(const xmlNode *from, const char *path)
{
	xmlNode *node = tr_aws_xml_path(from, path);
	xmlChar *text;
	char *copy;

	if (!node)
		return NULL;
	text = xmlNodeGetContent(node);
	copy = tr_strdup(text ? (const char *)text : "");
	xmlFree(text);
	return copy;
}
