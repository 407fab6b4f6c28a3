/*
 * The schemas/ folder as byte arrays, generated at build time by
 * embed_schemas.cmake so the binary never reads the source tree.
 */
#ifndef TR_VALIDATE_SCHEMA_BLOBS_H
#define TR_VALIDATE_SCHEMA_BLOBS_H

#include <stddef.h>

typedef struct tr_schema_blob {
	const char *name;          /* file name, e.g. "config.schema.json" */
	const unsigned char *data; /* NUL-terminated */
	size_t len;                /* without the NUL */
} tr_schema_blob;

extern const tr_schema_blob tr_schema_blobs[];
extern const size_t tr_schema_blob_count;

#endif
