/*
 * Fuzz target: the AWS replies the observe stage reads, as `trellis plan`
 * reads them for examples/: VPC Lattice lists and Gets, the tagging API's
 * GetResources pages, ACM's DescribeCertificate, Route 53 record pages and
 * IAM (roles, inline policies), then the plan computed from what was
 * observed. Not reached: ListCertificates (the examples name their
 * certificate) and ListTargets (no cluster access, so no targets). The replies come through the AWS client's test
 * transport, so the client's own handling (headers, size cap, error
 * bodies, retries, paging) runs too; nothing touches the network.
 *
 * The input is a sequence of replies separated by a line that is exactly
 * "%%%", answered to the requests in the order they are made. A reply's
 * first line is the HTTP status, optionally followed by a space and one
 * header line ("400 x-amzn-ErrorType: ThrottlingException"); a first line
 * that does not start with a digit is a failed connection. The rest is the
 * body. Once the input runs out, every request gets the empty answer of
 * its operation (an empty list, or "not found"), so the reads finish.
 *
 * Deterministic: a virtual clock that sleeping moves forward, a fixed
 * "random", credentials and region from a fixed environment.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/client.h"
#include "model/model.h"
#include "observe/observe.h"
#include "plan/plan.h"
#include "policy/model.h"
#include "repo/repo.h"
#include "util/alloc.h"
#include "validate/validate.h"

#include "observe_repo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SPLIT "\n%%%\n"
#define MAX_REPLIES 512
/* 2026-11-26T16:00:00Z, after the seeds' replies: the clock (replies must be
 * 2 s old to be cached) and the time certificates must hold at. */
#define START_MS 1795708800000LL
#define ACCOUNT "123456789012"

typedef struct replay {
	const char *part[MAX_REPLIES];
	size_t len[MAX_REPLIES];
	size_t count, next;
	int64_t now_ms;
} replay;

/* The repository, loaded once per process (still reachable at exit). */
static const tr_repo *repo(void)
{
	static tr_source_tree tree;
	static tr_repo r;
	static bool loaded;
	tr_repo_options ropts = {0};
	tr_validate_options vopts = {false, NULL};
	tr_validate_stats stats;
	tr_diag diag;
	size_t n = sizeof(OBSERVE_REPO) / sizeof(OBSERVE_REPO[0]);

	if (loaded)
		return &r;
	tree.files = tr_calloc(n, sizeof(*tree.files));
	for (size_t i = 0; i < n; i++) {
		tr_source_file *f = &tree.files[tree.count++];

		f->path = tr_strdup(OBSERVE_REPO[i].path);
		f->data = tr_strdup(OBSERVE_REPO[i].text);
		f->len = strlen(f->data);
		tree.bytes += f->len;
	}
	tr_diag_init(&diag);
	if (tr_repo_load(&r, &tree, &ropts, &diag) < 0)
		abort();
	(void)tr_validate_repo(&stats, &r, &vopts, &diag);
	if (tr_diag_failed(&diag, false))
		abort();
	tr_diag_dispose(&diag);
	loaded = true;
	return &r;
}

static const char *env(void *ctx, const char *name)
{
	static const char *const vars[][2] = {
		{"AWS_ACCESS_KEY_ID", "AKIDFUZZOBSERVE00000"},
		{"AWS_SECRET_ACCESS_KEY", "fuzz-secret-key-not-real"},
		{"AWS_REGION", "us-west-2"},
	};

	(void)ctx;
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (strcmp(name, vars[i][0]) == 0)
			return vars[i][1];
	return NULL;
}

static int64_t now(void *ctx)
{
	return ((replay *)ctx)->now_ms;
}

static void sleep_ms(void *ctx, int64_t ms)
{
	((replay *)ctx)->now_ms += ms;
}

static uint64_t fixed_random(void *ctx)
{
	(void)ctx;
	return UINT64_C(0x9e3779b97f4a7c15);
}

/* What AWS answers when there is nothing: an empty page of the
 * operation's shape, or "not found". */
static void empty_answer(const char *service, const char *op,
			 tr_aws_transport_reply *reply)
{
	static const struct {
		const char *op, *body;
	} lists[] = {
		{"GetResources", "{\"ResourceTagMappingList\":[]}"},
		{"ListCertificates", "{\"CertificateSummaryList\":[]}"},
		{"ListTagsForResource", "{\"tags\":{}}"},
		{"ListResourceRecordSets",
		 "<ListResourceRecordSetsResponse><ResourceRecordSets/>"
		 "<IsTruncated>false</IsTruncated><MaxItems>300</MaxItems>"
		 "</ListResourceRecordSetsResponse>"},
		{"ListRoles",
		 "<ListRolesResponse><ListRolesResult><Roles/><IsTruncated>"
		 "false</IsTruncated></ListRolesResult></ListRolesResponse>"},
		{"ListRolePolicies",
		 "<ListRolePoliciesResponse><ListRolePoliciesResult>"
		 "<PolicyNames/><IsTruncated>false</IsTruncated>"
		 "</ListRolePoliciesResult></ListRolePoliciesResponse>"},
	};
	bool xml = strcmp(service, "iam") == 0 || strcmp(service, "route53") == 0;

	reply->status = 200;
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		if (strcmp(op, lists[i].op) == 0) {
			reply->body = lists[i].body;
			reply->body_len = strlen(reply->body);
			return;
		}
	if (strncmp(op, "List", 4) == 0) {
		reply->body = "{\"items\":[]}";
	} else if (xml) {
		reply->status = 404;
		reply->body = "<ErrorResponse><Error><Type>Sender</Type><Code>"
			      "NoSuchEntity</Code><Message>not found</Message>"
			      "</Error></ErrorResponse>";
	} else {
		reply->status = strcmp(service, "acm") == 0 ? 400 : 404;
		reply->body = "{\"__type\":\"ResourceNotFoundException\","
			      "\"message\":\"not found\"}";
	}
	reply->body_len = strlen(reply->body);
}

static int transport(void *ctx, const char *service, const char *operation,
		     const char *method, const char *url, const char *body,
		     size_t body_len, tr_aws_transport_reply *reply)
{
	replay *r = ctx;
	const char *p, *end, *nl, *sp;
	long status = 0;

	(void)method;
	(void)url;
	(void)body;
	(void)body_len;
	if (r->next >= r->count) {
		empty_answer(service, operation, reply);
		return 0;
	}
	p = r->part[r->next];
	end = p + r->len[r->next];
	r->next++;
	if (p == end || *p < '0' || *p > '9')
		return -1;
	for (; p < end && *p >= '0' && *p <= '9' && status < 1000; p++)
		status = status * 10 + (*p - '0');
	nl = memchr(p, '\n', (size_t)(end - p));
	sp = p < end && *p == ' ' ? p + 1 : NULL;
	reply->status = status;
	if (sp) {
		reply->headers = sp;
		reply->headers_len = (size_t)((nl ? nl : end) - sp);
	}
	reply->body = nl ? nl + 1 : end;
	reply->body_len = (size_t)(end - reply->body);
	return 0;
}

static void split(replay *r, const char *data, size_t size)
{
	const char *p = data, *end = data + size;
	const size_t n = sizeof(SPLIT) - 1;

	while (r->count < MAX_REPLIES) {
		const char *cut = NULL;

		for (const char *q = p; (size_t)(end - q) >= n; q++)
			if (memcmp(q, SPLIT, n) == 0) {
				cut = q;
				break;
			}
		r->part[r->count] = p;
		r->len[r->count] = (size_t)((cut ? cut : end) - p);
		r->count++;
		if (!cut)
			break;
		p = cut + n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const tr_repo *rp = repo();
	replay r;
	tr_aws_runtime rt = {env, now, sleep_ms, fixed_random, NULL, NULL,
			     &r, transport};
	tr_aws_config acfg = {0};
	tr_aws_client *client = NULL;
	tr_observe_cache *cache = NULL;
	tr_observe_options oopts = {rp->config.owner, 4,
				    START_MS / 1000, NULL};
	tr_plan_options popts = {rp->config.owner, true, false, NULL, NULL};
	tr_observe_stats stats;
	tr_model desired, observed;
	tr_plan plan;
	tr_diag diag;

	memset(&r, 0, sizeof(r));
	r.now_ms = START_MS;
	if (size)
		split(&r, (const char *)data, size);
	tr_model_init(&desired);
	tr_model_init(&observed);
	tr_plan_init(&plan);
	tr_diag_init(&diag);
	acfg.region = rp->config.region;
	acfg.max_attempts = 2;
	acfg.dry_run = true;
	if (tr_aws_client_new(&client, &acfg, &rt) < 0)
		abort();
	if (tr_model_build_desired(&desired, rp, &diag) < 0)
		abort();
	/* A cache without a folder: every reply passes through its put. */
	(void)tr_observe_cache_open(&cache, NULL, ACCOUNT, "us-west-2",
				    "https://vpc-lattice.us-west-2.amazonaws.com",
				    START_MS, &diag);
	oopts.cache = cache;
	if (tr_observe(&observed, &stats, client, &desired, &rp->config,
		       &oopts, &diag) == 0) {
		cJSON_Delete(tr_model_to_json(&observed));
		/* As plan does: policies name the ARNs observed. */
		if (tr_policy_resolve_model(&desired, &observed, ACCOUNT,
					    &diag) == 0)
			(void)tr_plan_compute(&plan, &desired, &observed,
					      &popts, &diag);
	}
	tr_observe_cache_free(cache);
	tr_plan_dispose(&plan);
	tr_model_dispose(&observed);
	tr_model_dispose(&desired);
	tr_aws_client_free(client);
	tr_diag_dispose(&diag);
	return 0;
}
