/*
 * Every cap on input and buffers, in one place. Each one is tested; raising
 * one is a decision, not a side effect.
 */
#ifndef TR_UTIL_LIMITS_H
#define TR_UTIL_LIMITS_H

/* Source trees */
#define TR_MAX_FILE_BYTES        (8u * 1024 * 1024)    /* one manifest file */
#define TR_MAX_TREE_BYTES        (512u * 1024 * 1024)  /* all manifest files */
#define TR_MAX_TREE_FILES        100000u
#define TR_MAX_PATH_BYTES        4096u
#define TR_MAX_TREE_DEPTH        64u                   /* folder nesting */
#define TR_MAX_SYMLINK_HOPS      8u

/* YAML manifests */
#define TR_MAX_DOCS_PER_FILE     20000u
#define TR_MAX_YAML_DEPTH        64u       /* Gateway API objects are < 15 deep */
#define TR_MAX_SCALAR_BYTES      (256u * 1024)
#define TR_MAX_NODES_PER_DOC     200000u   /* after alias expansion */
#define TR_MAX_ITEMS_PER_COLLECTION 100000u

/* Diagnostics */
#define TR_MAX_DIAGNOSTICS       100000u
#define TR_MAX_MESSAGE_BYTES     4096u

/* Validation */
#define TR_MAX_FIELD_PATH_BYTES  512u      /* spec.rules[0].backendRefs[1].port */
#define TR_MAX_LIST_TEXT_BYTES   1024u     /* "its ports: 80, 443" in a message */

/* Output buffers */
#define TR_MAX_OUTPUT_BYTES      (256u * 1024 * 1024)
#define TR_MAX_LINE_BYTES        (64u * 1024)

#endif
