/*
 * Resource kinds: one row per kind of AWS object trellis manages. The diff,
 * the ordering, the renderers and apply are written once over this table;
 * adding a kind means adding a row.
 */
#ifndef TR_MODEL_KINDS_H
#define TR_MODEL_KINDS_H

#include <stdbool.h>
#include <stddef.h>

/* In dependency order: a kind only refers to kinds before it. */
typedef enum tr_kind {
	TR_KIND_SERVICE_NETWORK = 0,
	TR_KIND_SN_VPC_ASSOCIATION,
	TR_KIND_TARGET_GROUP,
	TR_KIND_TARGETS,
	TR_KIND_SERVICE,
	TR_KIND_SN_SERVICE_ASSOCIATION,
	TR_KIND_LISTENER,
	TR_KIND_RULE,
	TR_KIND_IAM_ROLE,     /* after services: inline policies name them */
	TR_KIND_AUTH_POLICY,  /* after roles: policies name them */
	TR_KIND_DNS_RECORD,
	TR_KIND_COUNT
} tr_kind;

/* How a change to an attribute is carried out. */
typedef enum tr_field_mode {
	TR_FIELD_MUTABLE = 0,   /* an update call changes it in place */
	TR_FIELD_REPLACE,       /* set at creation only: a change replaces */
	TR_FIELD_COMPUTED,      /* known only after apply; never diffed */
	TR_FIELD_OPTIONAL       /* mutable, compared only when declared: AWS
				 * fills in its own defaults otherwise */
} tr_field_mode;

typedef struct tr_field_spec {
	const char *name;       /* attribute name (AWS API field) */
	tr_field_mode mode;
} tr_field_spec;

typedef struct tr_kind_spec {
	tr_kind kind;
	const char *name;        /* address prefix, e.g. "service" */
	const char *title;       /* for people, e.g. "VPC Lattice service" */
	const char *aws_type;    /* e.g. "vpc-lattice:service" */
	bool has_name;           /* the AWS object has a unique name */
	const tr_field_spec *fields; /* NULL-terminated by name */
	const char *const *labels; /* attributes that go in the path, in order,
				    * before the resource's own id */
	const char *get_op;      /* read one (status polling) */
	const char *create_op;   /* AWS operations */
	const char *update_op;   /* NULL: everything forces replacement */
	const char *delete_op;
	const char *list_op;
	bool batched;            /* all changes to one container (a Route 53
				  * zone) go in one request, in apply's batch
				  * executor, not one call per resource */
	bool adoptable;          /* --adopt may take over an untagged one */
} tr_kind_spec;

/*
 * A kind whose AWS object is a set of members of its parent (the targets of
 * a target group). The diff compares members, the plan shows the members
 * to add and to remove, apply sends them in batches. Such a resource has
 * no id, name or tags of its own: it is owned through its parent.
 */
typedef struct tr_set_spec {
	const char *field;      /* attribute holding the members (an array) */
	const char *const *key; /* member fields that identify a member */
	const char *add_op;
	const char *remove_op;
	size_t batch_max;       /* members per add/remove call */
	const char *member;     /* for people: "target" */
} tr_set_spec;

const tr_kind_spec *tr_kind_get(tr_kind kind);
/* The set description of a member-set kind, or NULL. */
const tr_set_spec *tr_kind_set(tr_kind kind);
/* NULL when no kind has this name. */
const tr_kind_spec *tr_kind_by_name(const char *name);
/* The mode of an attribute; unknown attributes are mutable. */
tr_field_mode tr_kind_field_mode(tr_kind kind, const char *field);
/* What a reference ("ref:<address>") in this field stands for: the
 * referred resource's "id", or another of its attributes (a CNAME's value
 * is the service's "dnsEntry.domainName"). */
const char *tr_kind_ref_attr(tr_kind kind, const char *field);

#endif
