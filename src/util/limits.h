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

/* Commit signatures (src/verify/) */
#define TR_MAX_SIGNATURE_BYTES   (64u * 1024)          /* one gpgsig header */
#define TR_MAX_COMMIT_BYTES      (1u * 1024 * 1024)    /* a commit object */
#define TR_MAX_KEY_FILE_BYTES    (1u * 1024 * 1024)    /* one trusted key file */
#define TR_MAX_KEY_FILES         1000u                 /* files in a key folder */
#define TR_MAX_TOOL_OUTPUT_BYTES (64u * 1024)          /* ssh-keygen's replies */
#define TR_MAX_VERIFY_COMMITS    10000u                /* verify mode all-since */

/* YAML manifests */
#define TR_MAX_DOCS_PER_FILE     20000u
#define TR_MAX_YAML_DEPTH        64u       /* Gateway API objects are < 15 deep */
#define TR_MAX_SCALAR_BYTES      (256u * 1024)
#define TR_MAX_NODES_PER_DOC     200000u   /* after alias expansion */
#define TR_MAX_ITEMS_PER_COLLECTION 100000u

/* JSON Schema engine (src/validate/schema.c) */
#define TR_SCHEMA_MAX_DEPTH         128u      /* nested validation calls */
#define TR_SCHEMA_MAX_NODES         100000u   /* compiled subschemas per schema */
#define TR_SCHEMA_MAX_PATH_BYTES    4096u     /* a field path */
#define TR_SCHEMA_MAX_VALUE_BYTES   256u      /* a value quoted in a message */

/* Diagnostics */
#define TR_MAX_DIAGNOSTICS       100000u
#define TR_MAX_MESSAGE_BYTES     4096u

/* Validation */
#define TR_MAX_FIELD_PATH_BYTES  512u      /* spec.rules[0].backendRefs[1].port */
#define TR_MAX_LIST_TEXT_BYTES   1024u     /* "its ports: 80, 443" in a message */

/* IAM policy documents (src/policy/) */
#define TR_POLICY_AUTH_MAX_BYTES   10240u  /* VPC Lattice auth policy quota (10 KB) */
#define TR_POLICY_TRUST_MAX_CHARS  2048u   /* IAM role trust policy, default quota */
#define TR_POLICY_INLINE_MAX_CHARS 10240u  /* all inline policies of one role */
#define TR_POLICY_MAX_QUOTED_BYTES 128u    /* a policy value quoted in a message */

/* Output buffers */
#define TR_MAX_OUTPUT_BYTES      (256u * 1024 * 1024)
#define TR_MAX_LINE_BYTES        (64u * 1024)

/* AWS client (src/aws/) */
#define TR_AWS_MAX_URL_BYTES        8192u              /* endpoint + path + query */
#define TR_AWS_MAX_HEADERS          64u                /* headers on one request */
#define TR_AWS_MAX_HEADER_BYTES     (16u * 1024)       /* one header line */
#define TR_AWS_MAX_QUERY_PARAMS     512u
#define TR_AWS_MAX_CANONICAL_BYTES  (256u * 1024)      /* canonical request */
#define TR_AWS_MAX_REQUEST_BYTES    (2u * 1024 * 1024) /* one request body */
#define TR_AWS_MAX_RESPONSE_BYTES   (16u * 1024 * 1024)/* one response body */
#define TR_AWS_MAX_XML_DEPTH        64u                /* AWS replies are < 10 deep */
#define TR_AWS_MAX_ERROR_TEXT_BYTES 2048u              /* message kept in an error */
/* Pages walked by one List: at the page sizes trellis asks for (100 to
 * 1,000 items) that is far beyond any account quota, and it stops an
 * endpoint that paginates for ever within seconds, not hours. */
#define TR_AWS_MAX_PAGES            1000u
#define TR_AWS_MAX_ATTEMPTS         10u                /* retry config upper bound */
#define TR_AWS_MAX_BACKOFF_MS       20000u             /* one back-off sleep */
#define TR_AWS_MAX_RETRY_AFTER_MS   20000u             /* honoured Retry-After */
#define TR_AWS_MAX_CONFIG_FILE_BYTES (1u * 1024 * 1024)/* ~/.aws/config, credentials */
#define TR_AWS_MAX_TOKEN_FILE_BYTES (64u * 1024)       /* web identity / auth token */
#define TR_AWS_MAX_PROFILE_HOPS     8u                 /* role_arn -> source_profile */
#define TR_AWS_MAX_CREDENTIAL_BYTES 8192u              /* one key, secret or token */
#define TR_AWS_MAX_PARALLEL         16u                /* reads in flight in one batch */

/* Policy documents (src/policy) */
#define TR_POLICY_MAX_BYTES          (128u * 1024) /* IAM's largest document is 131072 chars */
#define TR_POLICY_MAX_REFS           1024u         /* ${...} references in one policy */
#define TR_POLICY_MAX_REF_NAME_BYTES 253u          /* NAMESPACE/ROUTE: 63 + 1 + 63, role 64 */
#define TR_POLICY_MAX_JSON_DEPTH     32u           /* IAM policies are < 8 deep */

/* Saved plans (src/plan/planfile.c): a file from outside */
#define TR_MAX_PLANFILE_BYTES    (128u * 1024 * 1024)
#define TR_MAX_PLANFILE_CHANGES  1000000u  /* changes, and observed entries */
#define TR_MAX_PLANFILE_DEPTH    32u       /* attributes are < 10 deep */

/* The AWS read cache (src/observe/cache.c): a file from disk */
#define TR_MAX_READ_CACHE_BYTES   (64u * 1024 * 1024)
#define TR_MAX_READ_CACHE_ENTRIES 200000u  /* Get replies kept */
/* A reply is cached only when its lastUpdatedAt is at least this much
 * older than the read: a change in the same instant cannot share it. */
#define TR_READ_CACHE_SETTLE_MS   2000

/* Apply reports and logs */
#define TR_MAX_REPORT_BYTES      (64u * 1024 * 1024)

/* --shard INDEX/COUNT: pods of one Indexed Job */
#define TR_MAX_SHARDS            1000u
/* --path / --config given more than once: configs in one run */
#define TR_MAX_UNITS             64u

/* Route 53 records (src/model/dns.c) */
#define TR_DNS_MAX_NAME_BYTES       1024u    /* a record name (API limit) */
#define TR_DNS_MAX_VALUE_BYTES      4000u    /* one record value (API limit) */
#define TR_DNS_MAX_TXT_STRING       255u     /* one <character-string> of a TXT */

/* Kubernetes API client (src/kube/) */
#define TR_KUBE_MAX_RESPONSE_BYTES  (8u * 1024 * 1024)  /* one page of EndpointSlices */
#define TR_KUBE_MAX_PAGES           1000u               /* pages of one list */
#define TR_KUBE_MAX_ENDPOINTS       10000u              /* targets of one Service */
#define TR_KUBE_MAX_PEM_BYTES       (256u * 1024)       /* a CA bundle or client cert */
#define TR_KUBE_MAX_TOKEN_BYTES     (64u * 1024)        /* a bearer token file */
#define TR_KUBE_MAX_CONFIG_BYTES    (1u * 1024 * 1024)  /* a kubeconfig file */

#endif
