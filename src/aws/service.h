/*
 * The services trellis talks to and every operation it may call, as data.
 *
 * One row per operation: service, name, HTTP method, path template,
 * whether it mutates, how it pages. The client refuses any operation that is
 * not in this table, and the dry-run gate reads the `mutating` flag from it,
 * so a caller cannot make a write look like a read.
 */
#ifndef TR_AWS_SERVICE_H
#define TR_AWS_SERVICE_H

#include <stdbool.h>
#include <stddef.h>

typedef enum tr_aws_service {
	TR_AWS_LATTICE = 0,
	TR_AWS_ROUTE53,
	TR_AWS_ACM,
	TR_AWS_IAM,
	TR_AWS_STS,
	TR_AWS_TAGGING,   /* Resource Groups Tagging API */
	TR_AWS_SERVICE_COUNT
} tr_aws_service;

typedef enum tr_aws_protocol {
	TR_AWS_REST_JSON, /* VPC Lattice */
	TR_AWS_REST_XML,  /* Route 53 */
	TR_AWS_JSON_1_1,  /* ACM, Resource Groups Tagging */
	TR_AWS_QUERY      /* IAM, STS */
} tr_aws_protocol;

typedef enum tr_aws_paging {
	TR_AWS_PAGE_NONE = 0,
	TR_AWS_PAGE_NEXT_TOKEN_QUERY, /* Lattice: ?nextToken= / "nextToken" */
	TR_AWS_PAGE_NEXT_TOKEN_BODY,  /* ACM: {"NextToken"} / "NextToken" */
	TR_AWS_PAGE_PAGINATION_TOKEN, /* Tagging: {"PaginationToken"}; "" ends */
	TR_AWS_PAGE_MARKER,           /* IAM: Marker= / IsTruncated+Marker */
	TR_AWS_PAGE_R53_MARKER,       /* Route 53 zones: ?marker= / NextMarker */
	TR_AWS_PAGE_R53_RECORDS       /* ?name=&type=&identifier= / NextRecord* */
} tr_aws_paging;

typedef struct tr_aws_service_info {
	tr_aws_service id;
	const char *name;          /* "vpc-lattice": logs and errors */
	const char *signing_name;  /* SigV4 service in the scope */
	const char *endpoint_env;  /* AWS_ENDPOINT_URL_<this> */
	const char *host_prefix;   /* "vpc-lattice" -> vpc-lattice.<region>.amazonaws.com */
	const char *global_host;   /* non-NULL: one endpoint, signed in us-east-1 */
	tr_aws_protocol protocol;
	const char *api_version;   /* query protocol Version=, rest-xml path */
	const char *target_prefix; /* json 1.1 X-Amz-Target prefix */
	unsigned default_rate;     /* requests per second, 0 = no client limit */
} tr_aws_service_info;

typedef struct tr_aws_op {
	tr_aws_service service;
	const char *name;      /* "CreateService" */
	const char *method;    /* "POST" */
	const char *path;      /* "/services/{serviceIdentifier}"; "/" for rpc */
	bool mutating;
	bool unsigned_call;    /* AssumeRoleWithWebIdentity */
	tr_aws_paging paging;
} tr_aws_op;

const tr_aws_service_info *tr_aws_service_get(tr_aws_service id);

/* Looks an operation up by service and name; NULL when unknown. */
const tr_aws_op *tr_aws_op_find(tr_aws_service service, const char *name);

/* The whole table, for tests and documentation. */
const tr_aws_op *tr_aws_op_table(size_t *count);

#endif
