/*
 * The YAML loader. It uses libyaml's event API only: the document API
 * (yaml_parser_load) would hand us an alias graph whose naive walk is the
 * "billion laughs" attack, and libyaml 0.2.5 has no nesting limit. Here every
 * node is counted as it is built, aliases add the size of what they point to,
 * so an exponential document fails after a few thousand events.
 */
#include "manifest/manifest.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "manifest/resolve.h"
#include "util/alloc.h"
#include "util/limits.h"
#include "util/str.h"

void tr_manifest_set_init(tr_manifest_set *set)
{
	tr_arena_init(&set->arena);
	tr_intern_init(&set->strings);
	set->docs = NULL;
	set->count = set->cap = 0;
}

void tr_manifest_set_dispose(tr_manifest_set *set)
{
	tr_arena_dispose(&set->arena);
	tr_intern_dispose(&set->strings);
	tr_free(set->docs);
	set->docs = NULL;
	set->count = set->cap = 0;
}

/* An open collection while its children are being read. */
typedef struct frame {
	tr_node *node;
	const char *anchor;     /* anchor of this collection, if any */
	tr_node_pair *pairs;    /* heap, copied to the arena when closed */
	tr_node **items;
	size_t count;
	size_t cap;
	const char *pending_key; /* maps: key read (interned), value not yet */
	uint32_t pending_line, pending_col;
	uint64_t size;          /* nodes under this one, aliases expanded */
	/* Maps with many keys get a hash set of key indexes so duplicate
	 * detection stays linear on hostile input. */
	size_t *key_slots;
	size_t key_slot_cap;
} frame;

typedef struct anchor_entry {
	const char *name;
	tr_node *node;     /* NULL while the anchored collection is still open */
	uint64_t size;
} anchor_entry;

typedef struct loader {
	tr_manifest_set *set;
	tr_diag *diag;
	const char *file;       /* arena copy */
	const char *data;
	size_t len;
	yaml_parser_t parser;
	frame stack[TR_MAX_YAML_DEPTH + 1];
	size_t depth;
	anchor_entry *anchors;
	size_t anchor_count;
	size_t anchor_cap;
	uint64_t doc_nodes;     /* budget used by the current document */
	const tr_node *root;
	bool doc_failed;        /* current document has an error */
	bool fatal;             /* stop reading this file */
	bool file_failed;
	uint32_t doc_index;
	uint32_t doc_line;
	const tr_node *plain_root; /* tr_manifest_load_plain's result */
} loader;

static void error_at(loader *ld, const char *rule, uint32_t line,
		     uint32_t col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void error_at(loader *ld, const char *rule, uint32_t line,
		     uint32_t col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tr_diag_vadd(ld->diag, TR_SEV_ERROR, rule, ld->file, line, col, NULL,
		     fmt, ap);
	va_end(ap);
	ld->doc_failed = true;
	ld->file_failed = true;
}

/* Line and column of a byte offset, for reader errors that carry no mark. */
static void offset_position(const loader *ld, size_t offset, uint32_t *line,
			    uint32_t *col)
{
	uint32_t l = 1, c = 1;

	for (size_t i = 0; i < offset && i < ld->len; i++) {
		if (ld->data[i] == '\n') {
			l++;
			c = 1;
		} else if (((unsigned char)ld->data[i] & 0xC0) != 0x80) {
			c++; /* count characters, not UTF-8 continuation bytes */
		}
	}
	*line = l;
	*col = c;
}

static void report_parser_error(loader *ld)
{
	yaml_parser_t *p = &ld->parser;
	uint32_t line, col;
	const char *what = p->problem ? p->problem : "unknown problem";

	if (p->error == YAML_READER_ERROR) {
		offset_position(ld, p->problem_offset, &line, &col);
		if (p->problem_value >= 0 && p->problem_value < 0x20)
			error_at(ld, "yaml.encoding", line, col,
				 "invalid input: %s (byte 0x%02x)", what,
				 (unsigned)p->problem_value);
		else
			error_at(ld, "yaml.encoding", line, col,
				 "invalid input: %s; files must be UTF-8",
				 what);
	} else {
		size_t off = p->problem_mark.index;
		const char *hint = "";

		line = (uint32_t)p->problem_mark.line + 1;
		col = (uint32_t)p->problem_mark.column + 1;
		if (off < ld->len && ld->data[off] == '\t')
			hint = " (tabs are not allowed for indentation in YAML)";
		if (p->context)
			error_at(ld, "yaml.syntax", line, col,
				 "YAML syntax error: %s %s (line %zu)%s", what,
				 p->context, p->context_mark.line + 1, hint);
		else
			error_at(ld, "yaml.syntax", line, col,
				 "YAML syntax error: %s%s", what, hint);
	}
	ld->fatal = true;
}

static void frame_release(frame *f)
{
	tr_free(f->pairs);
	tr_free(f->items);
	tr_free(f->key_slots);
	memset(f, 0, sizeof(*f));
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	uint64_t r;

	return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}

/* Charges `size` nodes to the document; false (and fatal) when over. */
static bool charge(loader *ld, uint64_t size, uint32_t line, uint32_t col)
{
	ld->doc_nodes = add_sat(ld->doc_nodes, size);
	if (ld->doc_nodes <= TR_MAX_NODES_PER_DOC)
		return true;
	error_at(ld, "yaml.too-large", line, col,
		 "document expands to more than %u nodes (through aliases or "
		 "sheer size); refusing to load it",
		 TR_MAX_NODES_PER_DOC);
	ld->fatal = true;
	return false;
}

/* Keys are interned (set->strings): equal keys are the same pointer. */
static size_t hash_key(const char *key)
{
	uint64_t h = (uint64_t)(uintptr_t)key * 0x9E3779B97F4A7C15ull;

	return (size_t)(h >> 32);
}

/* Rebuilds the key hash set with room for the frame's keys. */
static void rehash_keys(frame *f)
{
	size_t cap = f->key_slot_cap ? f->key_slot_cap * 2 : 64;

	while (cap < f->count * 2)
		cap *= 2;
	tr_free(f->key_slots);
	f->key_slots = tr_calloc(cap, sizeof(*f->key_slots));
	f->key_slot_cap = cap;
	for (size_t i = 0; i < f->count; i++) {
		size_t slot = hash_key(f->pairs[i].key) & (cap - 1);
		while (f->key_slots[slot])
			slot = (slot + 1) & (cap - 1);
		f->key_slots[slot] = i + 1;
	}
}

/* Index of an earlier equal key in the map being built, or SIZE_MAX. */
static size_t find_key(frame *f, const char *key)
{
	size_t slot;

	if (f->count < 16) {
		for (size_t i = 0; i < f->count; i++)
			if (f->pairs[i].key == key)
				return i;
		return SIZE_MAX;
	}
	if (f->key_slot_cap < f->count * 2)
		rehash_keys(f);
	slot = hash_key(key) & (f->key_slot_cap - 1);
	while (f->key_slots[slot]) {
		size_t i = f->key_slots[slot] - 1;
		if (f->pairs[i].key == key)
			return i;
		slot = (slot + 1) & (f->key_slot_cap - 1);
	}
	return SIZE_MAX;
}

/* True when the next node read is a key of the map on top of the stack. */
static bool at_key(const loader *ld)
{
	const frame *f = ld->depth ? &ld->stack[ld->depth - 1] : NULL;

	return f && f->node->type == TR_NODE_MAP && !f->pending_key;
}

/* Adds a finished node to the collection on top of the stack, or makes it
 * the document root. `size` is the node's expanded size. A key is kept as
 * its text and position only, so `node` may be a temporary then. */
static void attach(loader *ld, const tr_node *node, uint64_t size)
{
	frame *f;

	if (ld->depth == 0) {
		ld->root = node;
		return;
	}
	f = &ld->stack[ld->depth - 1];
	f->size = add_sat(f->size, size);
	if (f->count >= TR_MAX_ITEMS_PER_COLLECTION) {
		error_at(ld, "yaml.too-large", node->line, node->col,
			 "collection has more than %u entries",
			 TR_MAX_ITEMS_PER_COLLECTION);
		ld->fatal = true;
		return;
	}
	if (f->node->type == TR_NODE_SEQ) {
		f->items = tr_grow(f->items, &f->cap, f->count + 1,
				   sizeof(*f->items));
		f->items[f->count++] = (tr_node *)node;
		return;
	}
	if (!f->pending_key) {
		size_t prev;

		if (node->type == TR_NODE_MAP || node->type == TR_NODE_SEQ) {
			error_at(ld, "yaml.complex-key", node->line, node->col,
				 "mapping keys must be scalars");
			ld->fatal = true;
			return;
		}
		if (node->plain && strcmp(node->text, "<<") == 0)
			error_at(ld, "yaml.merge-key", node->line, node->col,
				 "merge keys (<<) are not supported: Kubernetes "
				 "tools do not agree on them; write the fields "
				 "out");
		/* Keys are names: a plain `80:` is the text "80". Scalar
		 * texts are interned, so the text is the key. */
		prev = find_key(f, node->text);
		if (prev != SIZE_MAX)
			error_at(ld, "yaml.duplicate-key", node->line,
				 node->col,
				 "mapping key \"%s\" already defined at line %u",
				 node->text, f->pairs[prev].line);
		f->pending_key = node->text;
		f->pending_line = node->line;
		f->pending_col = node->col;
		return;
	}
	f->pairs = tr_grow(f->pairs, &f->cap, f->count + 1, sizeof(*f->pairs));
	f->pairs[f->count].key = f->pending_key;
	f->pairs[f->count].value = (tr_node *)node;
	f->pairs[f->count].line = f->pending_line;
	f->pairs[f->count].col = f->pending_col;
	f->count++;
	f->pending_key = NULL;
}

static tr_node *new_node(loader *ld, tr_node_type type,
			 const yaml_mark_t *mark)
{
	tr_node *n = tr_arena_alloc(&ld->set->arena, sizeof(*n));

	n->type = type;
	n->line = (uint32_t)mark->line + 1;
	n->col = (uint32_t)mark->column + 1;
	return n;
}

static void register_anchor(loader *ld, const char *name, tr_node *node,
			    uint64_t size)
{
	/* A redefined anchor shadows the earlier one from here on. */
	ld->anchors = tr_grow(ld->anchors, &ld->anchor_cap,
			      ld->anchor_count + 1, sizeof(*ld->anchors));
	ld->anchors[ld->anchor_count].name =
		tr_arena_strdup(&ld->set->arena, name);
	ld->anchors[ld->anchor_count].node = node;
	ld->anchors[ld->anchor_count].size = size;
	ld->anchor_count++;
}

static anchor_entry *find_anchor(loader *ld, const char *name)
{
	for (size_t i = ld->anchor_count; i > 0; i--)
		if (strcmp(ld->anchors[i - 1].name, name) == 0)
			return &ld->anchors[i - 1];
	return NULL;
}

static void on_scalar(loader *ld, yaml_event_t *ev)
{
	/* Built on the stack: a key needs no node of its own (node.h), only
	 * values and anchored scalars go to the arena. */
	tr_node tmp = {0}, *n = &tmp;
	const char *tag = (const char *)ev->data.scalar.tag;
	const char *anchor = (const char *)ev->data.scalar.anchor;
	size_t len = ev->data.scalar.length;
	bool key_only = at_key(ld) && !anchor;

	n->type = TR_NODE_STRING;
	n->line = (uint32_t)ev->start_mark.line + 1;
	n->col = (uint32_t)ev->start_mark.column + 1;
	if (!charge(ld, 1, n->line, n->col))
		return;
	if (len > TR_MAX_SCALAR_BYTES) {
		error_at(ld, "yaml.too-large", n->line, n->col,
			 "scalar of %zu bytes is larger than the %u-byte limit",
			 len, TR_MAX_SCALAR_BYTES);
		ld->fatal = true;
		return;
	}
	n->text = tr_intern_get(&ld->set->strings, &ld->set->arena,
				(const char *)ev->data.scalar.value, len);
	n->text_len = (uint32_t)len;
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	if (tag && !(ev->data.scalar.plain_implicit ||
		     ev->data.scalar.quoted_implicit)) {
		if (!tr_manifest__resolve_tagged(n, tag)) {
			error_at(ld, "yaml.tag", n->line, n->col,
				 "tag %s is not supported here (only the core "
				 "tags !!str, !!int, !!float, !!bool, !!null)",
				 tag);
			n->type = TR_NODE_STRING;
		}
	} else if (n->plain && !key_only) {
		/* A key is its text whatever it resolves to: `80:` is "80". */
		tr_manifest__resolve_plain(n);
	}
	if (!key_only) {
		n = tr_arena_alloc(&ld->set->arena, sizeof(*n));
		*n = tmp;
	}
	if (anchor)
		register_anchor(ld, anchor, n, 1);
	attach(ld, n, 1);
}

static void on_collection_start(loader *ld, yaml_event_t *ev, bool is_map)
{
	tr_node *n = new_node(ld, is_map ? TR_NODE_MAP : TR_NODE_SEQ,
			      &ev->start_mark);
	const char *tag = (const char *)(is_map ? ev->data.mapping_start.tag
						: ev->data.sequence_start.tag);
	const char *anchor =
		(const char *)(is_map ? ev->data.mapping_start.anchor
				      : ev->data.sequence_start.anchor);
	int implicit = is_map ? ev->data.mapping_start.implicit
			      : ev->data.sequence_start.implicit;
	frame *f;

	if (!charge(ld, 1, n->line, n->col))
		return;
	if (ld->depth >= TR_MAX_YAML_DEPTH) {
		error_at(ld, "yaml.too-deep", n->line, n->col,
			 "nesting deeper than %u levels", TR_MAX_YAML_DEPTH);
		ld->fatal = true;
		return;
	}
	if (tag && !implicit &&
	    strcmp(tag, is_map ? "tag:yaml.org,2002:map"
			       : "tag:yaml.org,2002:seq") != 0)
		error_at(ld, "yaml.tag", n->line, n->col,
			 "tag %s is not supported here", tag);
	f = &ld->stack[ld->depth++];
	memset(f, 0, sizeof(*f));
	f->node = n;
	f->size = 1;
	if (anchor) {
		f->anchor = tr_arena_strdup(&ld->set->arena, anchor);
		/* Registered now, completed at the end: an alias to it from
		 * inside is a cycle. */
		register_anchor(ld, anchor, NULL, 0);
	}
}

static void on_collection_end(loader *ld)
{
	frame *f;
	tr_node *n;
	uint64_t size;

	if (ld->depth == 0)
		return;
	f = &ld->stack[--ld->depth];
	n = f->node;
	if (n->type == TR_NODE_MAP && f->pending_key) {
		/* libyaml always pairs keys and values; defensive only. */
		f->pending_key = NULL;
	}
	n->count = f->count;
	if (n->type == TR_NODE_MAP && f->count) {
		n->u.pairs = tr_arena_alloc(&ld->set->arena,
					    f->count * sizeof(*f->pairs));
		memcpy(n->u.pairs, f->pairs, f->count * sizeof(*f->pairs));
	} else if (n->type == TR_NODE_SEQ && f->count) {
		n->u.items = tr_arena_alloc(&ld->set->arena,
					    f->count * sizeof(*f->items));
		memcpy(n->u.items, f->items, f->count * sizeof(*f->items));
	}
	size = f->size;
	if (f->anchor) {
		anchor_entry *a = find_anchor(ld, f->anchor);
		if (a && !a->node) {
			a->node = n;
			a->size = size;
		}
	}
	frame_release(f);
	attach(ld, n, size);
}

static void on_alias(loader *ld, yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	anchor_entry *a = find_anchor(ld, name);
	uint32_t line = (uint32_t)ev->start_mark.line + 1;
	uint32_t col = (uint32_t)ev->start_mark.column + 1;

	if (!a) {
		error_at(ld, "yaml.alias", line, col,
			 "alias *%s refers to no anchor", name);
		ld->fatal = true;
		return;
	}
	if (!a->node) {
		error_at(ld, "yaml.alias", line, col,
			 "alias *%s refers to a collection that contains it",
			 name);
		ld->fatal = true;
		return;
	}
	if (!charge(ld, a->size, line, col))
		return;
	/* Aliased nodes are shared, not copied: the tree is read-only, and
	 * the budget above already counts every expansion. */
	attach(ld, a->node, a->size);
}

static void reset_document(loader *ld)
{
	while (ld->depth > 0)
		frame_release(&ld->stack[--ld->depth]);
	ld->anchor_count = 0;
	ld->doc_nodes = 0;
	ld->root = NULL;
	ld->doc_failed = false;
}

/* Checks the document's shape and adds it to the set. */
static void finish_manifest(loader *ld)
{
	const tr_node *root = ld->root;
	const tr_node *meta;
	tr_manifest_doc *doc;
	const char *api_version, *kind;

	if (!root || root->type == TR_NODE_NULL)
		return; /* an empty document, as kubectl skips them */
	if (root->type != TR_NODE_MAP) {
		error_at(ld, "manifest.not-an-object", root->line, root->col,
			 "document is %s %s; a manifest must be an object "
			 "with apiVersion and kind",
			 root->type == TR_NODE_SEQ ? "an" : "a",
			 tr_node_type_name(root->type));
		return;
	}
	api_version = tr_node_get_str(root, "apiVersion");
	kind = tr_node_get_str(root, "kind");
	if (!tr_node_get(root, "apiVersion") && !tr_node_get(root, "kind") &&
	    tr_node_get(root, "Version") && tr_node_get(root, "Statement")) {
		/* Repositories keep IAM policy documents next to manifests
		 * (the article's sample does); they are not objects. */
		tr_diag_add(ld->diag, TR_SEV_NOTE, "manifest.iam-policy-file",
			    ld->file, root->line, root->col, NULL,
			    "an IAM policy document, not a Kubernetes object; "
			    "ignored (declare auth policies with IAMAuthPolicy)");
		return;
	}
	if (!api_version) {
		const tr_node *v = tr_node_get(root, "apiVersion");
		error_at(ld, "manifest.api-version", v ? v->line : root->line,
			 v ? v->col : root->col,
			 v ? "apiVersion: must be a string"
			   : "apiVersion: Required value: every manifest needs "
			     "apiVersion and kind");
	}
	if (!kind) {
		const tr_node *k = tr_node_get(root, "kind");
		error_at(ld, "manifest.kind", k ? k->line : root->line,
			 k ? k->col : root->col,
			 k ? "kind: must be a string"
			   : "kind: Required value: every manifest needs "
			     "apiVersion and kind");
	}
	if (ld->doc_failed)
		return;
	meta = tr_node_get(root, "metadata");
	ld->set->docs = tr_grow(ld->set->docs, &ld->set->cap,
				ld->set->count + 1, sizeof(*ld->set->docs));
	doc = &ld->set->docs[ld->set->count++];
	doc->file = ld->file;
	doc->index = ld->doc_index;
	doc->root = root;
	doc->api_version = api_version;
	doc->kind = kind;
	doc->name = tr_node_get_str(meta, "name");
	doc->namespace_ = tr_node_get_str(meta, "namespace");
}

typedef void (*doc_handler)(loader *ld);

static int run(loader *ld, doc_handler on_document)
{
	yaml_event_t ev;
	bool done = false;

	while (!done && !ld->fatal) {
		if (!yaml_parser_parse(&ld->parser, &ev)) {
			report_parser_error(ld);
			break;
		}
		switch (ev.type) {
		case YAML_DOCUMENT_START_EVENT:
			reset_document(ld);
			ld->doc_line = (uint32_t)ev.start_mark.line + 1;
			if (ld->doc_index >= TR_MAX_DOCS_PER_FILE) {
				error_at(ld, "yaml.too-large", ld->doc_line, 1,
					 "more than %u documents in one file",
					 TR_MAX_DOCS_PER_FILE);
				ld->fatal = true;
			}
			break;
		case YAML_DOCUMENT_END_EVENT:
			if (!ld->doc_failed)
				on_document(ld);
			reset_document(ld);
			ld->doc_index++;
			break;
		case YAML_SCALAR_EVENT:
			on_scalar(ld, &ev);
			break;
		case YAML_SEQUENCE_START_EVENT:
			on_collection_start(ld, &ev, false);
			break;
		case YAML_MAPPING_START_EVENT:
			on_collection_start(ld, &ev, true);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			on_collection_end(ld);
			break;
		case YAML_ALIAS_EVENT:
			on_alias(ld, &ev);
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	reset_document(ld);
	return ld->file_failed ? TR_EINVALID : 0;
}

static void loader_init(loader *ld, tr_manifest_set *set, const char *file,
			const char *data, size_t len, tr_diag *diag)
{
	memset(ld, 0, sizeof(*ld));
	ld->set = set;
	ld->diag = diag;
	ld->file = tr_arena_strdup(&set->arena, file);
	ld->data = data;
	ld->len = len;
	yaml_parser_initialize(&ld->parser);
	yaml_parser_set_input_string(&ld->parser, (const unsigned char *)data,
				     len);
}

static void loader_dispose(loader *ld)
{
	reset_document(ld);
	tr_free(ld->anchors);
	yaml_parser_delete(&ld->parser);
}

static bool check_size(tr_diag *diag, const char *file, size_t len)
{
	if (len <= TR_MAX_FILE_BYTES)
		return true;
	tr_diag_add(diag, TR_SEV_ERROR, "source.too-large", file, 1, 1, NULL,
		    "file is %zu bytes, larger than the %u-byte limit", len,
		    TR_MAX_FILE_BYTES);
	return false;
}

static bool json_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A .json file must be JSON. The YAML reader takes JSON as YAML, which is
 * more lenient (a trailing comma, a comment, unquoted keys), while kubectl
 * and the API server read a .json file as JSON and reject it. cJSON decides;
 * it stops at (or just past) the character it refused, so the report points
 * at the last character it reached and names the common mistake when it is
 * one: a trailing comma. */
bool tr_manifest_group_is(const char *api_version, const char *group)
{
	size_t n = strlen(group);

	if (!*group)
		return strchr(api_version, '/') == NULL;
	return strncmp(api_version, group, n) == 0 && api_version[n] == '/';
}

bool tr_manifest_doc_is(const tr_manifest_doc *doc, const char *group,
			const char *kind)
{
	return strcmp(doc->kind, kind) == 0 &&
	       tr_manifest_group_is(doc->api_version, group);
}

void tr_manifest_json_syntax(const char *text, size_t len, const char *start,
			     const char *stop, const char *trailing_why,
			     tr_json_syntax *out)
{
	const char *end = text + len, *at, *prev;

	out->why = "not valid JSON from here on";
	out->line = 1;
	out->col = 1;
	at = stop && stop > start ? stop : start;
	if (at >= end)
		at = end - 1;
	if (trailing_why) {
		out->why = trailing_why;
	} else {
		while (at > start && json_space(*at))
			at--;
		for (prev = at - 1; prev >= start && json_space(*prev); prev--)
			;
		if ((*at == '}' || *at == ']') && prev >= start && *prev == ',')
			out->why = "a trailing comma is not allowed in JSON";
		else if (*at == '/')
			out->why = "JSON has no comments";
		else if (*at == '\'')
			out->why = "JSON strings take double quotes";
		else if (at == end - 1 && *at != '}' && *at != ']')
			out->why = "the document ends too early";
	}
	for (const char *q = text; q < at; q++) {
		if (*q == '\n') {
			out->line++;
			out->col = 1;
		} else if (((unsigned char)*q & 0xc0) != 0x80) {
			out->col++; /* columns count characters, not bytes */
		}
	}
	out->at = (unsigned char)*at > 0x20 && (unsigned char)*at < 0x7f ? *at
									 : 0;
}

static bool check_json(tr_diag *diag, const char *file, const char *data,
		       size_t len)
{
	const char *p = data, *end = data + len, *stop = NULL;
	const char *trailing = NULL;
	tr_json_syntax where;
	cJSON *doc;

	if (!tr_str_has_suffix(file, ".json"))
		return true;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end && json_space(*p))
		p++;
	if (p == end)
		return true; /* no document, as for an empty YAML file */
	doc = cJSON_ParseWithLengthOpts(p, (size_t)(end - p), &stop, 0);
	if (doc) {
		cJSON_Delete(doc);
		while (stop && stop < end && json_space(*stop))
			stop++;
		if (!stop || stop >= end)
			return true;
		trailing = "one JSON value per file; this is a second one";
	}
	tr_manifest_json_syntax(data, len, p, stop, trailing, &where);
	if (where.at)
		tr_diag_add(diag, TR_SEV_ERROR, "json.syntax", file, where.line,
			    where.col, NULL, "invalid JSON at '%c': %s",
			    where.at, where.why);
	else
		tr_diag_add(diag, TR_SEV_ERROR, "json.syntax", file, where.line,
			    where.col, NULL, "invalid JSON: %s", where.why);
	return false;
}

int tr_manifest_load(tr_manifest_set *set, const char *file,
		     const char *data, size_t len, tr_diag *diag)
{
	loader ld;
	int error;

	if (!check_size(diag, file, len))
		return TR_ETOOLARGE;
	if (!check_json(diag, file, data, len))
		return TR_EINVALID;
	loader_init(&ld, set, file, data, len, diag);
	error = run(&ld, finish_manifest);
	loader_dispose(&ld);
	return error;
}

/* The config file is one document: a second non-empty one is an error. */
static void finish_plain(loader *ld)
{
	if (!ld->root || ld->root->type == TR_NODE_NULL)
		return;
	if (ld->plain_root) {
		error_at(ld, "config.documents", ld->root->line, ld->root->col,
			 "expected one YAML document, found another one here");
		return;
	}
	ld->plain_root = ld->root;
}

int tr_manifest_load_plain(const tr_node **out, tr_manifest_set *set,
			   const char *file, const char *data, size_t len,
			   tr_diag *diag)
{
	loader ld;
	int error;

	*out = NULL;
	if (!check_size(diag, file, len))
		return TR_ETOOLARGE;
	loader_init(&ld, set, file, data, len, diag);
	error = run(&ld, finish_plain);
	if (!error)
		*out = ld.plain_root;
	loader_dispose(&ld);
	return error;
}
