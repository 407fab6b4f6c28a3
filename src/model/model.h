/*
 * The model: AWS resources as plain data. The desired model (from the
 * manifests) and the observed model (read from AWS) have this same type, so
 * the diff compares like with like.
 *
 * Every resource is one row of a kind (kinds.h) plus:
 *   - an address, unique in the model: "<kind>.<key>", e.g.
 *     "service.datastore-apps" or "listener.datastore-apps/http-80";
 *   - attributes as a JSON object, named like the AWS API's fields;
 *     references to other resources are strings "ref:<address>" (the
 *     observed model maps AWS ids back to addresses), so they compare equal
 *     before and after apply;
 *   - tags (owner and source) and, in the observed model, the AWS id/ARN.
 */
#ifndef TR_MODEL_MODEL_H
#define TR_MODEL_MODEL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag/diag.h"
#include "model/kinds.h"
#include "repo/repo.h"

#define TR_MODEL_REF_PREFIX "ref:"
#define TR_TAG_OWNER "trellis/owner"
#define TR_TAG_SOURCE "trellis/source"

typedef struct tr_resource {
	tr_kind kind;
	char *address;
	char *parent;       /* address of the containing resource, or NULL */
	char *name;         /* the AWS name, when the kind has one */
	cJSON *attrs;       /* object; owned */
	cJSON *tags;        /* object of string values; owned */
	char *source_file;  /* desired: manifest the resource came from */
	uint32_t source_line;
	char *id;           /* observed: AWS id */
	char *arn;          /* observed: AWS ARN */
	char *status;       /* observed: ACTIVE, CREATE_IN_PROGRESS, ... */
	bool tags_inherited; /* observed: owner from the parent, tags unread */
} tr_resource;

typedef struct tr_model {
	tr_resource *resources;
	size_t count;
	size_t cap;
	bool sorted;
	size_t *index;      /* address hash -> position + 1 */
	size_t index_cap;
} tr_model;

void tr_model_init(tr_model *model);
void tr_model_dispose(tr_model *model);

/*
 * Adds a resource with the given address (formatted) and takes ownership of
 * attrs. Returns the new resource, or NULL (attrs freed) when the address
 * already exists.
 */
tr_resource *tr_model_add(tr_model *model, tr_kind kind, cJSON *attrs,
			  const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Borrowed, valid until the next add or sort; NULL when absent. */
tr_resource *tr_model_find(tr_model *model, const char *address);

/* Sorts by kind order (parents first) then address: the canonical order of
 * every output. */
void tr_model_sort(tr_model *model);

void tr_resource_set_tag(tr_resource *res, const char *key, const char *value);
void tr_resource_set_parent(tr_resource *res, const char *address);
void tr_resource_set_source(tr_resource *res, const char *file,
			    uint32_t line);

/* The attribute at a dotted path ("config.port"), or NULL. Borrowed. */
const cJSON *tr_model_attr(const cJSON *attrs, const char *path);

/* "ref:<address>" as a new cJSON string. */
cJSON *tr_model_ref(const char *address);
/* The address inside a "ref:" string, or NULL. Borrowed. */
const char *tr_model_ref_target(const cJSON *value);

/*
 * Translates a loaded repository into the desired model (DESIGN.md §4):
 * pure and deterministic. Problems that validation does not already report
 * go to diag. `out` is initialised here; dispose it in every case.
 */
int tr_model_build_desired(tr_model *out, const tr_repo *repo, tr_diag *diag);

/* The model as a JSON document (render): {"resources": [...]}. */
cJSON *tr_model_to_json(tr_model *model);

#endif
