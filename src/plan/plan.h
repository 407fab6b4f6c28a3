/*
 * The plan: what apply will do, resource by resource, computed from the
 * desired model and the observed one (or, for `trellis diff`, two desired
 * models). What the plan shows is exactly what apply does.
 */
#ifndef TR_PLAN_PLAN_H
#define TR_PLAN_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag/diag.h"
#include "model/model.h"
#include "util/buf.h"
#include "util/strmap.h"

typedef enum tr_action {
	TR_ACTION_NOOP = 0,
	TR_ACTION_CREATE,
	TR_ACTION_UPDATE,
	TR_ACTION_REPLACE,
	TR_ACTION_DELETE,
	TR_ACTION_DELETE_SKIPPED, /* would delete, but prune is disabled */
	TR_ACTION_COUNT
} tr_action;

typedef struct tr_change {
	tr_action action;
	tr_kind kind;
	char *address;
	char *name;            /* AWS name, when the kind has one */
	cJSON *before;         /* observed attributes + tags, or NULL */
	cJSON *after;          /* desired attributes + tags, or NULL */
	char **replace_paths;  /* attributes that force replacement */
	size_t replace_count;
	char *reason;          /* why, in words: "parent service.x is replaced" */
	char *id;              /* AWS id of the existing resource */
	char *source_file;     /* manifest the desired resource came from */
	uint32_t source_line;
	bool tags_unknown;     /* AWS tags not read (owned through a parent):
				* neither shown nor changed in an update */
	cJSON *added;          /* member-set kinds (tr_kind_set): members to */
	cJSON *removed;        /* add and to remove (arrays), else NULL */
} tr_change;

typedef struct tr_plan_summary {
	size_t create, update, replace, remove, no_op, skipped_deletes;
	size_t members_added, members_removed; /* targets (de)registered */
} tr_plan_summary;

typedef struct tr_plan {
	tr_change *changes;    /* in apply order (see tr_plan_compute) */
	size_t count;
	size_t cap;
	tr_plan_summary summary;
	char commit[41];
	char *from_commit;     /* trellis diff: the base commit */
	size_t api_calls;      /* AWS requests made to observe */
	uint32_t shard_index;  /* --shard INDEX/COUNT: this plan is one */
	uint32_t shard_count;  /* shard's part; 0: the whole config */
	const char *config_name; /* several configs in one run: this one's */
	uint32_t config_index;   /* file (borrowed) and place; config_count */
	uint32_t config_count;   /* 0: the run has one config */
} tr_plan;

typedef struct tr_plan_options {
	const char *owner;     /* only resources tagged with it are ours */
	bool prune;            /* plan deletions of owned, undeclared resources */
	bool adopt;            /* take over untagged resources of the same name */
	/* NULL: every resource; else only the addresses it keeps (a shard's):
	 * the others are neither compared, created, updated nor deleted. */
	bool (*keep)(void *ctx, const char *address);
	void *keep_ctx;
} tr_plan_options;

void tr_plan_init(tr_plan *plan);
void tr_plan_dispose(tr_plan *plan);

/*
 * Compares desired with observed. Resources owned by someone else (or by
 * no one, unless adopt) that collide with desired ones are errors in diag.
 * Order: deletions children first, then creations and updates parents first,
 * a replacement as its delete and its create in those two phases.
 */
int tr_plan_compute(tr_plan *out, tr_model *desired, tr_model *observed,
		    const tr_plan_options *opts, tr_diag *diag);

/* A member-set change (tr_kind_set): fills added and removed from before
 * and after (all of them for a creation, replacement or deletion, the
 * difference for an update, which becomes a no-op without one). */
void tr_plan_set_members(tr_change *c);

/* Frees what one change holds (not the change itself). */
void tr_plan_change_dispose(tr_change *c);

/* Counts the changes into plan->summary (after changes were removed). */
void tr_plan_summarize(tr_plan *plan);

bool tr_plan_has_changes(const tr_plan *plan);
const char *tr_action_name(tr_action action);

/* --- shards (docs/operations.md, "Sharding") -----------------------------
 * `--shard INDEX/COUNT` splits one config's resources into COUNT disjoint
 * parts, one per run. A resource's shard follows from its group: a VPC
 * Lattice service with its listeners, rules, target groups (through the
 * rules that forward to them), targets, service-network association, auth
 * policy and DNS record; an IAM role or DNS record that names one group's
 * resources joins that group. Shared parents (service networks, their VPC
 * associations and auth policies, roles naming several groups) form the
 * shared group, which is shard 0's. A group's shard is the FNV-1a hash of
 * its service's address modulo COUNT: it depends on nothing but that
 * name, so it is stable across runs and input order.
 */
#define TR_SHARD_SHARED "" /* the group of shared parents: shard 0 */

typedef struct tr_shard_entry {
	char *address;
	char *group;           /* a service's address, or TR_SHARD_SHARED */
	uint32_t shard;
} tr_shard_entry;

typedef struct tr_shard_map {
	uint32_t count;
	tr_shard_entry *entries;
	size_t n, cap;
	tr_strmap by_address;  /* address -> entry index + 1 */
} tr_shard_map;

void tr_plan_shard_map_init(tr_shard_map *m);
void tr_plan_shard_map_dispose(tr_shard_map *m);
/* Assigns every resource of desired and observed (desired's attributes
 * win for a resource in both) to one of `count` shards. */
int tr_plan_shard_map_build(tr_shard_map *m, tr_model *desired,
			    tr_model *observed, uint32_t count);
/* The entry of an address, or NULL when neither model has it. */
const tr_shard_entry *tr_plan_shard_entry(const tr_shard_map *m,
					  const char *address);
/* The shard of an address; 0 (the shared shard) when unknown. */
uint32_t tr_plan_shard_of(const tr_shard_map *m, const char *address);
/* The shard of a group key (TR_SHARD_SHARED: 0). */
uint32_t tr_plan_shard_of_group(const char *group, uint32_t count);

/*
 * `plan` was computed for shard `index` only (tr_plan_options.keep);
 * `whole` for every shard. A change that needs a resource another shard
 * owns and has not created yet is left out (an error naming that shard,
 * "shard.dependency"), and so is what in this shard needs it in turn;
 * *left_out counts them: the run goes ahead with the rest and fails. A
 * deletion of a resource another shard's resources still use is left for
 * a later run (a warning), so that shard removes them first. Fails
 * (negative) when the whole plan replaces a resource that other shards'
 * resources depend on: one unsharded run must do that. Recomputes the
 * summary.
 */
int tr_plan_shard_check(size_t *left_out, tr_plan *plan,
			const tr_plan *whole, const tr_shard_map *m,
			uint32_t index, tr_model *desired, tr_model *observed,
			tr_diag *diag);

typedef enum tr_plan_format {
	TR_PLAN_TEXT = 0,
	TR_PLAN_JSON,
	TR_PLAN_MARKDOWN
} tr_plan_format;

typedef struct tr_plan_render_options {
	tr_plan_format format;
	bool color;          /* text: ANSI colours */
	bool summary_only;   /* text: the one-line summary alone */
	size_t max_bytes;    /* markdown: stay under this (GitHub: 65535) */
} tr_plan_render_options;

int tr_plan_render(tr_buf *out, const tr_plan *plan,
		   const tr_plan_render_options *opts);
/* The JSON plan document (docs/plan-format.md); caller frees. */
cJSON *tr_plan_to_json(const tr_plan *plan);
/* "Plan: 2 to add, 1 to change, 0 to replace, 0 to destroy." */
int tr_plan_summary_line(tr_buf *out, const tr_plan *plan);

/* --- saved plans (docs/plan-file.md) -------------------------------------
 * `plan --out` writes the plan with what it was made from (source, config,
 * account) and a fingerprint of every observed resource an action depends
 * on ("absent" for what a create expects not to exist). `apply --plan`
 * reads it back strictly, re-observes and refuses when a fingerprint moved.
 */
#define TR_PLAN_FILE_FORMAT "trellis-plan"
#define TR_PLAN_FILE_VERSION 1
#define TR_FINGERPRINT_ABSENT "absent"

typedef struct tr_plan_file_info {
	char *trellis_version;
	char *repo;            /* redacted before it is written */
	char *ref;             /* NULL: the default branch or the files on disk */
	char *path;            /* NULL: the repository root */
	char *account;
	char *region;
	char *owner;
	char *config_file;     /* display name of trellis.yaml */
	char *config_text;     /* its bytes: the reader re-parses them */
	size_t config_len;
	char config_digest[72]; /* "sha256:<hex>" of config_text */
	bool prune, adopt, allow_delete_all;
	int64_t max_deletes;
	/* The commit's signature as checked at plan time (docs/signing.md);
	 * all NULL when the plan was made without a trust root. */
	char *signature_kind;  /* "OpenPGP" or "SSH" */
	char *signer;          /* user id or SSH principal */
	char *signer_key;      /* fingerprint */
} tr_plan_file_info;

typedef struct tr_plan_dependency {
	char *address;
	tr_kind kind;
	char fingerprint[72];  /* "absent" or "sha256:<hex>" */
	cJSON *resource;       /* what was hashed; NULL when absent */
} tr_plan_dependency;

typedef struct tr_plan_file {
	tr_plan_file_info info;
	tr_plan plan;          /* the saved changes, in apply order */
	tr_model desired;      /* rebuilt from them: bounds re-observation */
	tr_plan_dependency *deps;
	size_t dep_count;
} tr_plan_file;

void tr_plan_file_init(tr_plan_file *pf);
void tr_plan_file_dispose(tr_plan_file *pf);

/* "sha256:<hex>" of the canonical JSON (keys sorted, no spaces) of an
 * observed resource: type, address, id, arn, attributes, tags. Status is
 * left out: a resource settling to ACTIVE has not moved. */
int tr_plan_fingerprint(char out[72], const tr_resource *observed);

/*
 * Writes the saved plan of `plan` to `out` (JSON). Strings of `info` are
 * borrowed; its config_digest is computed here.
 */
int tr_plan_file_write(tr_buf *out, const tr_plan *plan, tr_model *observed,
		       const tr_plan_file_info *info);

/*
 * Reads a saved plan, checking every field (the file comes from outside:
 * an artefact store, a pull request). Problems go to diag naming `file`
 * and the field; TR_EINVALID. Dispose `out` in every case.
 */
int tr_plan_file_read(tr_plan_file *out, const char *file, const char *data,
		      size_t len, tr_diag *diag);

/*
 * Compares each dependency with the resource now observed at its address.
 * Every one that moved is an error naming it and how ("plan.stale");
 * TR_ECONFLICT when any did.
 */
int tr_plan_file_check(const tr_plan_file *pf, tr_model *observed,
		       tr_diag *diag);

#endif
