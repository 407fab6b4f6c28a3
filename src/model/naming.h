/*
 * AWS names for Gateway API objects. Service names follow the AWS Gateway
 * API Controller's rule so users moving from it keep their services;
 * the other names are trellis's own, deterministic, and valid Lattice names.
 */
#ifndef TR_MODEL_NAMING_H
#define TR_MODEL_NAMING_H

#include <stddef.h>
#include <stdint.h>

#include "manifest/node.h"
#include "util/buf.h"

#define TR_ANNOTATION_PREFIX "application-networking.k8s.aws/"
#define TR_ANNOTATION_SERVICE_NAME TR_ANNOTATION_PREFIX "service-name-override"

/* Appends s cut to n bytes, then trimmed of leading and trailing '-'
 * (the controller's Truncate). */
int tr_naming_truncate(tr_buf *out, const char *s, size_t n);

/* route (20) + "-" + namespace (18): "datastore-apps". */
int tr_naming_service(tr_buf *out, const char *route, const char *ns);

/* Appends s lowered, with every character outside [a-z0-9] turned into '-',
 * runs of '-' collapsed and ends trimmed, cut to n bytes. */
int tr_naming_sanitize(tr_buf *out, const char *s, size_t n);

/* Target group of a backend Service for one Lattice service (a target
 * group belongs to one service): <svc>-<ns>-<cluster>-<lattice service>,
 * each part sanitized and cut so the whole stays a valid name of at most
 * 128 characters. */
int tr_naming_target_group(tr_buf *out, const char *svc, const char *ns,
			   const char *cluster, const char *lattice_service);

/* Rule priorities as the AWS controller assigns them: a rule with an
 * integer annotation rule-<i>-priority keeps it; every other rule gets the
 * last annotated priority (in rule order) plus one, counting up. annotated[i]
 * is the annotation node used, or NULL (a non-integer annotation is
 * ignored, as the controller does). `annotations` is metadata.annotations. */
void tr_naming_rule_priorities(int64_t *out, const tr_node **annotated,
			       const tr_node *annotations, size_t nrules);

#endif
