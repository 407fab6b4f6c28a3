/*
 * The executor: carries out a plan against AWS, in the plan's order.
 *
 *   1. deletions, children first (deleted resources and the old half of
 *      replacements), each waited until AWS says it is gone;
 *   2. creations, replacements and updates, parents first, each creation
 *      waited until ACTIVE; ids known only now are handed to the resources
 *      that refer to them.
 *
 * Every request body is built from the kinds table (model/kinds.h): adding a
 * kind adds no code here. Creates carry a clientToken derived from the owner,
 * the address and the request, so a repeated or retried create never makes a
 * second resource; updates send the whole desired value, so applying twice
 * is harmless. A failed action stops the actions that depend on it; the rest
 * go on.
 */
#ifndef TR_APPLY_APPLY_H
#define TR_APPLY_APPLY_H

#include <stdbool.h>
#include <stdint.h>

#include "aws/client.h"
#include "diag/diag.h"
#include "model/model.h"
#include "plan/plan.h"

/* What became of one step of an action (a replacement has two: its
 * delete and its create). */
typedef enum tr_step_status {
	TR_STEP_STARTED = 0, /* only in events: the step is under way */
	TR_STEP_DONE,
	TR_STEP_FAILED,
	TR_STEP_SKIPPED,     /* not tried: what it depends on failed */
	TR_STEP_NOT_SENT     /* dry-run: the gate kept the request in */
} tr_step_status;

typedef struct tr_apply_step {
	const tr_change *change; /* borrowed from the plan */
	const char *verb;        /* "create", "update" or "delete" */
	tr_step_status status;
	char *detail;            /* AWS error, why skipped, or the new id */
	int64_t start_ms;        /* since the apply began */
	int64_t duration_ms;
} tr_apply_step;

typedef struct tr_apply_options {
	const char *owner;
	/* One line per action as it starts and ends (no trailing newline). */
	void (*progress)(void *ctx, const char *line);
	/* The same moments as data: status STARTED, then the outcome. */
	void (*event)(void *ctx, const tr_apply_step *step);
	/* NULL: nanosleep. Injected so tests need not wait. */
	void (*sleep_ms)(void *ctx, int64_t ms);
	/* NULL: CLOCK_MONOTONIC, for timings and the wait time-out. */
	int64_t (*now_ms)(void *ctx);
	void *ctx;
	int64_t wait_timeout_ms; /* per resource; 0: 10 minutes */
} tr_apply_options;

typedef struct tr_apply_result {
	size_t done;
	size_t failed;
	size_t skipped;  /* not tried: something they depend on failed */
	size_t refused;  /* dry-run: the gate kept the request in */
	tr_apply_step *steps; /* in the order they ran; owned */
	size_t step_count;
	size_t step_cap;
	int64_t duration_ms;
} tr_apply_result;

void tr_apply_result_dispose(tr_apply_result *res);
const char *tr_step_status_name(tr_step_status status);

/*
 * Carries out `plan`. `observed` supplies the ids of existing resources.
 * Each failure is a diagnostic (rule "apply.failed" with the AWS error);
 * returns 0 when every action succeeded (or, in dry-run, was refused by the
 * gate as it must be), else TR_ERROR.
 */
int tr_apply(tr_apply_result *out, tr_aws_client *client, const tr_plan *plan,
	     const tr_model *observed, const tr_apply_options *opts,
	     tr_diag *diag);

#endif
