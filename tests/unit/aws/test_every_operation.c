/*
 * Every operation of the client's table, once, against the emulator, in the
 * order trellis would use them: build a VPC Lattice service network with
 * everything hanging off it, read and change each piece, tear it down in
 * reverse; a Route 53 record's life; an ACM certificate's; an IAM role's;
 * the STS calls. Each call is checked three ways: the client's answer, the
 * reply's key fields, and the emulator's request log (operation name,
 * whether it mutates and whether it was signed, which must agree with the
 * table the dry-run gate and the signer read). The same sequence then runs in dry-run mode, which must send no
 * mutating request at all.
 *
 * The steps are data; ids and ARNs captured from one reply fill the labels,
 * parameters and bodies of later steps through {{name}} references. The set
 * of operations the steps exercise must be the whole table, so an operation
 * added to the table without a step here fails this test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <openssl/evp.h>

#include "aws/client.h"
#include "aws/credentials.h"
#include "aws/xml.h"
#include "util/alloc.h"
#include "emulator_proc.h"

/* ---- the emulator and the client ------------------------------------- */

static pid_t emu_pid = -1;
static char emu_url[256];

static const char *emu_getenv(void *ctx, const char *name)
{
	(void)ctx;
	return emulator_env(emu_url, name);
}

static int start_emulator(void **state)
{
	(void)state;
	return emulator_start(&emu_pid, emu_url, sizeof(emu_url), "test_every_operation");
}

static int stop_emulator(void **state)
{
	(void)state;
	emulator_stop(&emu_pid);
	return 0;
}

/* What the client told the runtime about calls its dry-run gate refused. */
typedef struct refusals {
	unsigned n;
	char service[32];
	char operation[64];
	char method[16];
	char path[1024];
} refusals;

static void on_refused(void *ctx, const char *service, const char *operation,
		       const char *method, const char *path)
{
	refusals *r = ctx;

	r->n++;
	snprintf(r->service, sizeof(r->service), "%s", service);
	snprintf(r->operation, sizeof(r->operation), "%s", operation);
	snprintf(r->method, sizeof(r->method), "%s", method);
	snprintf(r->path, sizeof(r->path), "%s", path);
}

/* rt must outlive the client. */
static tr_aws_client *client(tr_aws_runtime *rt, refusals *seen, bool dry_run)
{
	tr_aws_config cfg = {0};
	tr_aws_client *c = NULL;

	*rt = (tr_aws_runtime){.getenv = emu_getenv, .refused = on_refused,
			       .ctx = seen};
	cfg.dry_run = dry_run;
	assert_int_equal(tr_aws_client_new(&c, &cfg, rt), 0);
	return c;
}

static size_t on_data(char *d, size_t s, size_t n, void *ud)
{
	tr_buf *b = ud;
	return tr_buf_put(b, d, s * n) == 0 ? s * n : 0;
}

/* One control call (/_emulator/<what>); the parsed JSON reply. */
static cJSON *control(const char *method, const char *what, const char *body)
{
	CURL *h = curl_easy_init();
	tr_buf reply = TR_BUF_INIT(64 << 20);
	struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
	char url[320];
	long status = 0;
	cJSON *j = NULL;

	assert_non_null(h);
	snprintf(url, sizeof(url), "%s/_emulator/%s", emu_url, what);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	if (body)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &reply);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	assert_int_equal(curl_easy_perform(h), CURLE_OK);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200)
		fail_msg("%s /_emulator/%s: HTTP %ld %s", method, what, status,
			 tr_buf_cstr(&reply));
	j = cJSON_Parse(tr_buf_cstr(&reply));
	assert_non_null(j);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	tr_buf_dispose(&reply);
	return j;
}

/* ---- steps as data ----------------------------------------------------- */

enum { MAX_LABELS = 3, MAX_PARAMS = 8, MAX_CAPTURES = 3, MAX_EXPECTS = 3 };

typedef struct pair {
	const char *a;
	const char *b;
} pair;

/*
 * One call. `control` names an emulator control endpoint instead of an
 * operation (configuration and seeding, never through the client).
 * capture: {variable, reply path}; expect: {reply path, value} with "" for
 * "present and not empty"; contains: text the reply (any page) must hold;
 * until: poll the read until {path, value} holds (asynchronous states);
 * min_pages: a List operation, asked for small pages, must walk this many
 * (captures and expectations apply to its first page); refresh: every
 * single-reply read above it again, all at once (tr_aws_client_call_many),
 * as trellis reads the world before it plans. Paths are "a.0.b" in JSON replies and "A/B" below the root in XML ones.
 */
typedef struct step {
	tr_aws_service service;
	const char *op;
	const char *control;
	const char *labels[MAX_LABELS];
	pair params[MAX_PARAMS];
	const char *body;
	pair capture[MAX_CAPTURES];
	pair expect[MAX_EXPECTS];
	const char *contains;
	pair until;
	unsigned min_pages;
	bool refresh;
} step;

#define LATTICE .service = TR_AWS_LATTICE
#define R53 .service = TR_AWS_ROUTE53
#define ACM .service = TR_AWS_ACM
#define IAM .service = TR_AWS_IAM
#define STS .service = TR_AWS_STS
#define TAGGING .service = TR_AWS_TAGGING

#define FORWARD_TG "{\"forward\":{\"targetGroups\":[{\"targetGroupIdentifier\":\"{{tg}}\",\"weight\":100}]}}"
#define TRUST_POLICY                                                        \
	"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","  \
	"\"Principal\":{\"Service\":\"vpc-lattice.amazonaws.com\"},"         \
	"\"Action\":\"sts:AssumeRole\"}]}"
#define INVOKE_POLICY                                                       \
	"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","  \
	"\"Action\":\"vpc-lattice-svcs:Invoke\",\"Resource\":\"*\"}]}"
#define ESCAPED_INVOKE_POLICY                                                     \
	"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":" \
	"\\\"Allow\\\",\\\"Principal\\\":\\\"*\\\",\\\"Action\\\":"               \
	"\\\"vpc-lattice-svcs:Invoke\\\",\\\"Resource\\\":\\\"*\\\"}]}"
#define ESCAPED_SHARE_POLICY                                                      \
	"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":" \
	"\\\"Allow\\\",\\\"Principal\\\":{\\\"AWS\\\":\\\"111122223333\\\"},"     \
	"\\\"Action\\\":\\\"vpc-lattice:AssociateVia\\\",\\\"Resource\\\":"      \
	"\\\"{{sn_arn}}\\\"}]}"
#define WEIGHTED(action, id, ip)                                                 \
	"<Change><Action>" action "</Action><ResourceRecordSet>"                   \
	"<Name>w.every-op.example.com.</Name><Type>A</Type>"                       \
	"<SetIdentifier>" id "</SetIdentifier><Weight>50</Weight><TTL>60</TTL>"     \
	"<ResourceRecords><ResourceRecord><Value>" ip "</Value></ResourceRecord>"  \
	"</ResourceRecords></ResourceRecordSet></Change>"
#define WEIGHTED_PAIR(action)                                                    \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"                               \
	"<ChangeResourceRecordSetsRequest xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">" \
	"<ChangeBatch><Changes>" WEIGHTED(action, "blue", "10.0.1.1")              \
	WEIGHTED(action, "green", "10.0.1.2") "</Changes></ChangeBatch>"            \
	"</ChangeResourceRecordSetsRequest>"
#define RRSET(action, ip)                                                        \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"                             \
	"<ChangeResourceRecordSetsRequest xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">" \
	"<ChangeBatch><Comment>trellis every-op</Comment><Changes><Change>"     \
	"<Action>" action "</Action><ResourceRecordSet>"                         \
	"<Name>api.every-op.example.com.</Name><Type>A</Type><TTL>60</TTL>"      \
	"<ResourceRecords><ResourceRecord><Value>" ip "</Value></ResourceRecord>" \
	"</ResourceRecords></ResourceRecordSet></Change></Changes></ChangeBatch>" \
	"</ChangeResourceRecordSetsRequest>"

static const step steps[] = {
	/* Lattice states settle at once, so the reverse order works. */
	{.control = "config", .body = "{\"asyncMs\":0}"},

	/* VPC Lattice: the service network and its VPC association. */
	{LATTICE, .op = "CreateServiceNetwork",
	 .body = "{\"name\":\"trellis-every-op\",\"authType\":\"AWS_IAM\",\"tags\":{\"owner\":\"trellis\"}}",
	 .capture = {{"sn", "id"}, {"sn_arn", "arn"}},
	 .expect = {{"name", "trellis-every-op"}, {"authType", "AWS_IAM"}}},
	{LATTICE, .op = "GetServiceNetwork", .labels = {"{{sn}}"},
	 .expect = {{"id", "{{sn}}"}, {"arn", "{{sn_arn}}"}}},
	{LATTICE, .op = "ListServiceNetworks", .contains = "{{sn_arn}}"},
	{LATTICE, .op = "UpdateServiceNetwork", .labels = {"{{sn}}"},
	 .body = "{\"authType\":\"NONE\"}",
	 .expect = {{"id", "{{sn}}"}, {"authType", "NONE"}}},
	{LATTICE, .op = "CreateServiceNetworkVpcAssociation",
	 .body = "{\"serviceNetworkIdentifier\":\"{{sn}}\",\"vpcIdentifier\":\"vpc-0123456789abcdef0\","
		 "\"securityGroupIds\":[\"sg-0123456789abcdef0\"]}",
	 .capture = {{"snva", "id"}}, .expect = {{"status", ""}, {"arn", ""}}},
	{LATTICE, .op = "GetServiceNetworkVpcAssociation", .labels = {"{{snva}}"},
	 .expect = {{"vpcId", "vpc-0123456789abcdef0"}, {"serviceNetworkId", "{{sn}}"}},
	 .until = {"status", "ACTIVE"}},
	{LATTICE, .op = "ListServiceNetworkVpcAssociations",
	 .params = {{"serviceNetworkIdentifier", "{{sn}}"}}, .contains = "{{snva}}"},
	{LATTICE, .op = "UpdateServiceNetworkVpcAssociation", .labels = {"{{snva}}"},
	 .body = "{\"securityGroupIds\":[\"sg-0fedcba9876543210\"]}",
	 .expect = {{"id", "{{snva}}"}, {"securityGroupIds.0", "sg-0fedcba9876543210"}}},

	/* A target group and its targets. */
	{LATTICE, .op = "CreateTargetGroup",
	 .body = "{\"name\":\"trellis-every-op-tg\",\"type\":\"IP\",\"config\":{\"port\":8080,"
		 "\"protocol\":\"HTTP\",\"vpcIdentifier\":\"vpc-0123456789abcdef0\"}}",
	 .capture = {{"tg", "id"}, {"tg_arn", "arn"}}, .expect = {{"type", "IP"}}},
	{LATTICE, .op = "GetTargetGroup", .labels = {"{{tg}}"},
	 .expect = {{"arn", "{{tg_arn}}"}, {"config.port", "8080"}},
	 .until = {"status", "ACTIVE"}},
	{LATTICE, .op = "ListTargetGroups", .contains = "{{tg_arn}}"},
	{LATTICE, .op = "UpdateTargetGroup", .labels = {"{{tg}}"},
	 .body = "{\"healthCheck\":{\"enabled\":true,\"path\":\"/healthz\"}}",
	 .expect = {{"id", "{{tg}}"}, {"config.healthCheck.path", "/healthz"}}},
	{LATTICE, .op = "RegisterTargets", .labels = {"{{tg}}"},
	 .body = "{\"targets\":[{\"id\":\"10.0.0.10\",\"port\":8080},{\"id\":\"10.0.0.11\",\"port\":8080}]}",
	 .expect = {{"successful.0.id", "10.0.0.10"}, {"successful.1.id", "10.0.0.11"}}},
	{LATTICE, .op = "ListTargets", .labels = {"{{tg}}"}, .body = "{}",
	 .params = {{"maxResults", "1"}}, .contains = "10.0.0.11", .min_pages = 2},
	{LATTICE, .op = "DeregisterTargets", .labels = {"{{tg}}"},
	 .body = "{\"targets\":[{\"id\":\"10.0.0.11\",\"port\":8080}]}",
	 .expect = {{"successful.0.id", "10.0.0.11"}}},

	/* The service, in the network, with a listener and rules. */
	{LATTICE, .op = "CreateService",
	 .body = "{\"name\":\"trellis-every-op-svc\",\"authType\":\"NONE\",\"tags\":{\"owner\":\"trellis\"}}",
	 .capture = {{"svc", "id"}, {"svc_arn", "arn"}},
	 .expect = {{"dnsEntry.domainName", ""}}},
	{LATTICE, .op = "GetService", .labels = {"{{svc}}"},
	 .expect = {{"arn", "{{svc_arn}}"}, {"authType", "NONE"}},
	 .until = {"status", "ACTIVE"}},
	{LATTICE, .op = "ListServices", .contains = "{{svc_arn}}"},
	{LATTICE, .op = "UpdateService", .labels = {"{{svc}}"},
	 .body = "{\"authType\":\"AWS_IAM\"}",
	 .expect = {{"id", "{{svc}}"}, {"authType", "AWS_IAM"}}},
	{LATTICE, .op = "CreateServiceNetworkServiceAssociation",
	 .body = "{\"serviceNetworkIdentifier\":\"{{sn}}\",\"serviceIdentifier\":\"{{svc}}\"}",
	 .capture = {{"snsa", "id"}}, .expect = {{"arn", ""}}},
	{LATTICE, .op = "GetServiceNetworkServiceAssociation", .labels = {"{{snsa}}"},
	 .expect = {{"serviceId", "{{svc}}"}, {"serviceNetworkId", "{{sn}}"}},
	 .until = {"status", "ACTIVE"}},
	{LATTICE, .op = "ListServiceNetworkServiceAssociations",
	 .params = {{"serviceNetworkIdentifier", "{{sn}}"}}, .contains = "{{snsa}}"},
	{LATTICE, .op = "CreateListener", .labels = {"{{svc}}"},
	 .body = "{\"name\":\"http\",\"protocol\":\"HTTP\",\"port\":80,"
		 "\"defaultAction\":{\"fixedResponse\":{\"statusCode\":404}}}",
	 .capture = {{"lis", "id"}, {"lis_arn", "arn"}}, .expect = {{"port", "80"}}},
	/* ARNs where ids go: '/' and ':' in labels, encoded once on the
	 * wire and twice in the signature. */
	{LATTICE, .op = "GetListener", .labels = {"{{svc_arn}}", "{{lis_arn}}"},
	 .expect = {{"arn", "{{lis_arn}}"}, {"defaultAction.fixedResponse.statusCode", "404"}}},
	{LATTICE, .op = "ListListeners", .labels = {"{{svc}}"}, .contains = "{{lis_arn}}"},
	{LATTICE, .op = "UpdateListener", .labels = {"{{svc}}", "{{lis}}"},
	 .body = "{\"defaultAction\":" FORWARD_TG "}",
	 .expect = {{"defaultAction.forward.targetGroups.0.targetGroupIdentifier", "{{tg}}"}}},
	{LATTICE, .op = "CreateRule", .labels = {"{{svc}}", "{{lis}}"},
	 .body = "{\"name\":\"api\",\"priority\":10,\"match\":{\"httpMatch\":{\"pathMatch\":"
		 "{\"match\":{\"prefix\":\"/api\"}}}},\"action\":" FORWARD_TG "}",
	 .capture = {{"rule", "id"}, {"rule_arn", "arn"}}, .expect = {{"priority", "10"}}},
	{LATTICE, .op = "CreateRule", .labels = {"{{svc}}", "{{lis}}"},
	 .body = "{\"name\":\"web\",\"priority\":20,\"match\":{\"httpMatch\":{\"pathMatch\":"
		 "{\"match\":{\"prefix\":\"/web\"}}}},\"action\":" FORWARD_TG "}",
	 .capture = {{"rule2", "id"}}, .expect = {{"priority", "20"}}},
	{LATTICE, .op = "GetRule", .labels = {"{{svc_arn}}", "{{lis_arn}}", "{{rule_arn}}"},
	 .expect = {{"arn", "{{rule_arn}}"}, {"match.httpMatch.pathMatch.match.prefix", "/api"}}},
	/* The default rule and ours, one a page. */
	{LATTICE, .op = "ListRules", .labels = {"{{svc}}", "{{lis}}"},
	 .params = {{"maxResults", "1"}}, .contains = "{{rule2}}", .min_pages = 3},
	{LATTICE, .op = "UpdateRule", .labels = {"{{svc}}", "{{lis}}", "{{rule}}"},
	 .body = "{\"priority\":15}", .expect = {{"id", "{{rule}}"}, {"priority", "15"}}},
	/* A swap: priorities are checked after the whole batch. */
	{LATTICE, .op = "BatchUpdateRule", .labels = {"{{svc}}", "{{lis}}"},
	 .body = "{\"rules\":[{\"ruleIdentifier\":\"{{rule}}\",\"priority\":20},"
		 "{\"ruleIdentifier\":\"{{rule2}}\",\"priority\":15}]}",
	 .expect = {{"successful.0.id", "{{rule}}"}, {"successful.0.priority", "20"},
		    {"successful.1.priority", "15"}}},

	/* Policies, access logs, tags. */
	{LATTICE, .op = "PutAuthPolicy", .labels = {"{{svc}}"},
	 .body = "{\"policy\":\"" ESCAPED_INVOKE_POLICY "\"}",
	 .expect = {{"state", "Active"}, {"policy", ""}}},
	{LATTICE, .op = "GetAuthPolicy", .labels = {"{{svc}}"},
	 .expect = {{"state", "Active"}, {"policy", ""}}},
	{LATTICE, .op = "PutResourcePolicy", .labels = {"{{sn_arn}}"},
	 .body = "{\"policy\":\"" ESCAPED_SHARE_POLICY "\"}"},
	{LATTICE, .op = "GetResourcePolicy", .labels = {"{{sn_arn}}"},
	 .expect = {{"policy", ""}}, .contains = "111122223333"},
	{LATTICE, .op = "CreateAccessLogSubscription",
	 .body = "{\"resourceIdentifier\":\"{{svc}}\",\"destinationArn\":"
		 "\"arn:aws:logs:us-west-2:123456789012:log-group:trellis\"}",
	 .capture = {{"als", "id"}}, .expect = {{"resourceArn", "{{svc_arn}}"}}},
	{LATTICE, .op = "GetAccessLogSubscription", .labels = {"{{als}}"},
	 .expect = {{"destinationArn", "arn:aws:logs:us-west-2:123456789012:log-group:trellis"}}},
	{LATTICE, .op = "ListAccessLogSubscriptions",
	 .params = {{"resourceIdentifier", "{{svc}}"}}, .contains = "{{als}}"},
	{LATTICE, .op = "UpdateAccessLogSubscription", .labels = {"{{als}}"},
	 .body = "{\"destinationArn\":\"arn:aws:logs:us-west-2:123456789012:log-group:trellis-2\"}",
	 .expect = {{"destinationArn", "arn:aws:logs:us-west-2:123456789012:log-group:trellis-2"}}},
	{LATTICE, .op = "TagResource", .labels = {"{{svc_arn}}"},
	 .body = "{\"tags\":{\"team\":\"net\",\"stage\":\"test\"}}"},
	{LATTICE, .op = "UntagResource", .labels = {"{{svc_arn}}"},
	 .params = {{"tagKeys", "stage"}}},
	{LATTICE, .op = "ListTagsForResource", .labels = {"{{svc_arn}}"},
	 .expect = {{"tags.team", "net"}, {"tags.owner", "trellis"}}},
	/* The same tags in bulk, one resource a page: the service network
	 * and the service (and its listener, rule, ...) carry owner=trellis. */
	{TAGGING, .op = "GetResources",
	 .body = "{\"TagFilters\":[{\"Key\":\"owner\",\"Values\":[\"trellis\"]}],"
		 "\"ResourceTypeFilters\":[\"vpc-lattice:service\","
		 "\"vpc-lattice:servicenetwork\"],\"ResourcesPerPage\":1}",
	 .expect = {{"ResourceTagMappingList.0.ResourceARN", "{{sn_arn}}"},
		    {"ResourceTagMappingList.0.Tags.0.Key", "owner"}},
	 .contains = "{{svc_arn}}", .min_pages = 2},

	{.refresh = true},

	/* Down again, in reverse. */
	{LATTICE, .op = "DeleteAccessLogSubscription", .labels = {"{{als}}"}},
	{LATTICE, .op = "DeleteResourcePolicy", .labels = {"{{sn_arn}}"}},
	{LATTICE, .op = "DeleteAuthPolicy", .labels = {"{{svc}}"}},
	{LATTICE, .op = "DeleteRule", .labels = {"{{svc}}", "{{lis}}", "{{rule2}}"}},
	{LATTICE, .op = "DeleteRule", .labels = {"{{svc}}", "{{lis}}", "{{rule}}"}},
	{LATTICE, .op = "DeleteListener", .labels = {"{{svc}}", "{{lis}}"}},
	{LATTICE, .op = "DeleteServiceNetworkServiceAssociation", .labels = {"{{snsa}}"},
	 .expect = {{"id", "{{snsa}}"}, {"status", "DELETE_IN_PROGRESS"}}},
	{LATTICE, .op = "DeleteService", .labels = {"{{svc}}"},
	 .expect = {{"id", "{{svc}}"}, {"status", "DELETE_IN_PROGRESS"}}},
	{LATTICE, .op = "DeleteTargetGroup", .labels = {"{{tg}}"},
	 .expect = {{"id", "{{tg}}"}}},
	{LATTICE, .op = "DeleteServiceNetworkVpcAssociation", .labels = {"{{snva}}"},
	 .expect = {{"id", "{{snva}}"}, {"status", "DELETE_IN_PROGRESS"}}},
	{LATTICE, .op = "DeleteServiceNetwork", .labels = {"{{sn}}"}},

	/* Route 53: trellis manages records in a zone it is given. Changes
	 * stay PENDING for a while, so GetChange really polls. */
	{.control = "config", .body = "{\"asyncMs\":150}"},
	{.control = "seed",
	 .body = "{\"resources\":[{\"type\":\"hostedZone\",\"Name\":\"every-op.example.com\","
		 "\"CallerReference\":\"trellis-every-op\"},{\"type\":\"hostedZone\","
		 "\"Name\":\"other.example.com\",\"CallerReference\":\"trellis-other\"}]}",
	 .capture = {{"zone", "created.0.id"}}},
	{R53, .op = "GetHostedZone", .labels = {"{{zone}}"},
	 .expect = {{"HostedZone/Name", "every-op.example.com."}, {"HostedZone/Id", ""}}},
	{R53, .op = "ListHostedZones", .params = {{"maxitems", "1"}},
	 .contains = "every-op.example.com.", .min_pages = 2},
	{R53, .op = "ListHostedZonesByName", .params = {{"dnsname", "every-op.example.com"}},
	 .expect = {{"HostedZones/HostedZone/Name", "every-op.example.com."}}},
	{R53, .op = "ChangeResourceRecordSets", .labels = {"{{zone}}"},
	 .body = RRSET("CREATE", "10.0.0.1"),
	 .capture = {{"change", "ChangeInfo/Id"}},
	 .expect = {{"ChangeInfo/Status", "PENDING"}}},
	{R53, .op = "GetChange", .labels = {"{{change}}"},
	 .expect = {{"ChangeInfo/Id", "{{change}}"}},
	 .until = {"ChangeInfo/Status", "INSYNC"}},
	{R53, .op = "ChangeResourceRecordSets", .labels = {"{{zone}}"},
	 .body = RRSET("UPSERT", "10.0.0.2"),
	 .capture = {{"change", "ChangeInfo/Id"}}, .expect = {{"ChangeInfo/Status", ""}}},
	/* Two weighted sets share a name and type: only the set identifier
	 * tells the page after the first from it. */
	{R53, .op = "ChangeResourceRecordSets", .labels = {"{{zone}}"},
	 .body = WEIGHTED_PAIR("CREATE"), .expect = {{"ChangeInfo/Status", ""}}},
	/* NS, SOA, api, w blue, w green, one a page: NextRecordName, -Type
	 * and -Identifier paging. */
	{R53, .op = "ListResourceRecordSets", .labels = {"{{zone}}"},
	 .params = {{"maxitems", "1"}}, .contains = "<SetIdentifier>green</SetIdentifier>",
	 .min_pages = 5},
	{R53, .op = "ChangeResourceRecordSets", .labels = {"{{zone}}"},
	 .body = WEIGHTED_PAIR("DELETE"), .expect = {{"ChangeInfo/Status", ""}}},
	{R53, .op = "ChangeResourceRecordSets", .labels = {"{{zone}}"},
	 .body = RRSET("DELETE", "10.0.0.2"),
	 .capture = {{"change", "ChangeInfo/Id"}}, .expect = {{"ChangeInfo/Status", ""}}},
	{R53, .op = "GetChange", .labels = {"{{change}}"},
	 .until = {"ChangeInfo/Status", "INSYNC"}},

	/* ACM: a requested certificate (issued after a while) and an
	 * imported one. */
	{ACM, .op = "RequestCertificate",
	 .body = "{\"DomainName\":\"api.every-op.example.com\",\"ValidationMethod\":\"DNS\","
		 "\"IdempotencyToken\":\"trelliseveryop\"}",
	 .capture = {{"cert", "CertificateArn"}}},
	{ACM, .op = "DescribeCertificate", .body = "{\"CertificateArn\":\"{{cert}}\"}",
	 .expect = {{"Certificate.DomainName", "api.every-op.example.com"},
		    {"Certificate.CertificateArn", "{{cert}}"}},
	 .until = {"Certificate.Status", "ISSUED"}},
	{ACM, .op = "ImportCertificate",
	 .body = "{\"Certificate\":\"{{import_crt}}\",\"PrivateKey\":\"{{import_key}}\"}",
	 .capture = {{"cert2", "CertificateArn"}}},
	{ACM, .op = "ListCertificates", .body = "{\"MaxItems\":1}", .contains = "{{cert}}",
	 .min_pages = 2},
	{ACM, .op = "AddTagsToCertificate",
	 .body = "{\"CertificateArn\":\"{{cert}}\",\"Tags\":[{\"Key\":\"owner\",\"Value\":\"trellis\"},"
		 "{\"Key\":\"stage\",\"Value\":\"test\"}]}"},
	{ACM, .op = "RemoveTagsFromCertificate",
	 .body = "{\"CertificateArn\":\"{{cert}}\",\"Tags\":[{\"Key\":\"stage\"}]}"},
	{ACM, .op = "ListTagsForCertificate", .body = "{\"CertificateArn\":\"{{cert}}\"}",
	 .expect = {{"Tags.0.Key", "owner"}, {"Tags.0.Value", "trellis"}}},
	{ACM, .op = "DeleteCertificate", .body = "{\"CertificateArn\":\"{{cert2}}\"}"},
	{ACM, .op = "DeleteCertificate", .body = "{\"CertificateArn\":\"{{cert}}\"}"},

	/* IAM: the role a Lattice access log or a workload would use. */
	{IAM, .op = "CreateRole",
	 .params = {{"RoleName", "trellis-every-op"}, {"Path", "/trellis/"},
		    {"AssumeRolePolicyDocument", TRUST_POLICY},
		    {"Tags.member.1.Key", "owner"}, {"Tags.member.1.Value", "trellis"}},
	 .capture = {{"role_arn", "CreateRoleResult/Role/Arn"}},
	 .expect = {{"CreateRoleResult/Role/RoleName", "trellis-every-op"}}},
	{IAM, .op = "GetRole", .params = {{"RoleName", "trellis-every-op"}},
	 .expect = {{"GetRoleResult/Role/Arn", "{{role_arn}}"},
		    {"GetRoleResult/Role/Path", "/trellis/"}}},
	{IAM, .op = "ListRoles", .params = {{"PathPrefix", "/trellis/"}},
	 .contains = "{{role_arn}}"},
	{IAM, .op = "UpdateRole",
	 .params = {{"RoleName", "trellis-every-op"}, {"Description", "managed by trellis"},
		    {"MaxSessionDuration", "7200"}}},
	{IAM, .op = "UpdateAssumeRolePolicy",
	 .params = {{"RoleName", "trellis-every-op"}, {"PolicyDocument", TRUST_POLICY}}},
	{IAM, .op = "PutRolePolicy",
	 .params = {{"RoleName", "trellis-every-op"}, {"PolicyName", "lattice-invoke"},
		    {"PolicyDocument", INVOKE_POLICY}}},
	{IAM, .op = "GetRolePolicy",
	 .params = {{"RoleName", "trellis-every-op"}, {"PolicyName", "lattice-invoke"}},
	 .expect = {{"GetRolePolicyResult/PolicyName", "lattice-invoke"},
		    {"GetRolePolicyResult/PolicyDocument", ""}}},
	{IAM, .op = "ListRolePolicies", .params = {{"RoleName", "trellis-every-op"}},
	 .contains = "<member>lattice-invoke</member>"},
	{IAM, .op = "AttachRolePolicy",
	 .params = {{"RoleName", "trellis-every-op"},
		    {"PolicyArn", "arn:aws:iam::aws:policy/VPCLatticeServicesInvokeAccess"}}},
	{IAM, .op = "ListAttachedRolePolicies", .params = {{"RoleName", "trellis-every-op"}},
	 .contains = "arn:aws:iam::aws:policy/VPCLatticeServicesInvokeAccess"},
	{IAM, .op = "TagRole",
	 .params = {{"RoleName", "trellis-every-op"}, {"Tags.member.1.Key", "stage"},
		    {"Tags.member.1.Value", "test"}}},
	{IAM, .op = "ListRoleTags",
	 .params = {{"RoleName", "trellis-every-op"}, {"MaxItems", "1"}},
	 .expect = {{"ListRoleTagsResult/Tags/member/Key", "owner"},
		    {"ListRoleTagsResult/IsTruncated", "true"}},
	 .contains = "<Key>stage</Key>", .min_pages = 2},
	{IAM, .op = "UntagRole",
	 .params = {{"RoleName", "trellis-every-op"}, {"TagKeys.member.1", "stage"}}},

	/* STS: who we are, and the role assumed both ways. */
	{STS, .op = "GetCallerIdentity",
	 .expect = {{"GetCallerIdentityResult/Account", "123456789012"},
		    {"GetCallerIdentityResult/Arn", "arn:aws:iam::123456789012:user/emulator"}}},
	{STS, .op = "AssumeRole",
	 .params = {{"RoleArn", "{{role_arn}}"}, {"RoleSessionName", "trellis-every-op"}},
	 .expect = {{"AssumeRoleResult/Credentials/AccessKeyId", ""},
		    {"AssumeRoleResult/AssumedRoleUser/Arn",
		     "arn:aws:sts::123456789012:assumed-role/trellis-every-op/trellis-every-op"}}},
	{STS, .op = "AssumeRoleWithWebIdentity",
	 .params = {{"RoleArn", "{{role_arn}}"}, {"RoleSessionName", "trellis-web"},
		    {"WebIdentityToken", "{{web_token}}"}},
	 .expect = {{"AssumeRoleWithWebIdentityResult/Credentials/SessionToken", ""},
		    {"AssumeRoleWithWebIdentityResult/SubjectFromWebIdentityToken",
		     "system:serviceaccount:trellis:every-op"}}},

	{IAM, .op = "DetachRolePolicy",
	 .params = {{"RoleName", "trellis-every-op"},
		    {"PolicyArn", "arn:aws:iam::aws:policy/VPCLatticeServicesInvokeAccess"}}},
	{IAM, .op = "DeleteRolePolicy",
	 .params = {{"RoleName", "trellis-every-op"}, {"PolicyName", "lattice-invoke"}}},
	{IAM, .op = "DeleteRole", .params = {{"RoleName", "trellis-every-op"}}},
};

/* ---- variables and {{name}} references ------------------------------- */

enum { MAX_VARS = 32, VAR_VALUE_CAP = 8192 };

typedef struct vars {
	char name[MAX_VARS][32];
	char *value[MAX_VARS];
	size_t n;
} vars;

static void vars_set(vars *v, const char *name, const char *value)
{
	size_t i;

	assert_true(strlen(value) < VAR_VALUE_CAP);
	for (i = 0; i < v->n; i++)
		if (strcmp(v->name[i], name) == 0)
			break;
	if (i == v->n) {
		assert_true(v->n < MAX_VARS);
		snprintf(v->name[v->n++], sizeof(v->name[0]), "%s", name);
	}
	tr_free(v->value[i]);
	v->value[i] = tr_strdup(value);
}

static const char *vars_get(const vars *v, const char *name, size_t len)
{
	for (size_t i = 0; i < v->n; i++)
		if (strlen(v->name[i]) == len && strncmp(v->name[i], name, len) == 0)
			return v->value[i];
	return NULL;
}

static void vars_dispose(vars *v)
{
	for (size_t i = 0; i < v->n; i++)
		tr_free(v->value[i]);
	v->n = 0;
}

/* The template with every {{name}} replaced; tr_free it. */
static char *expand(const vars *v, const char *tmpl)
{
	tr_buf out = TR_BUF_INIT(1 << 20);
	const char *p = tmpl;

	for (;;) {
		const char *open = strstr(p, "{{"), *close, *value;

		if (!open) {
			assert_int_equal(tr_buf_puts(&out, p), 0);
			break;
		}
		close = strstr(open, "}}");
		assert_non_null(close);
		value = vars_get(v, open + 2, (size_t)(close - open - 2));
		if (!value)
			fail_msg("no value captured for %.*s",
				 (int)(close - open - 2), open + 2);
		assert_int_equal(tr_buf_put(&out, p, (size_t)(open - p)), 0);
		assert_int_equal(tr_buf_puts(&out, value), 0);
		p = close + 2;
	}
	{
		char *s = tr_strdup(tr_buf_cstr(&out));
		tr_buf_dispose(&out);
		return s;
	}
}

/* ---- reading replies ------------------------------------------------- */

static bool is_xml(tr_aws_service s)
{
	tr_aws_protocol p = tr_aws_service_get(s)->protocol;
	return p == TR_AWS_REST_XML || p == TR_AWS_QUERY;
}

static const cJSON *json_at(const cJSON *j, const char *path)
{
	char seg[128];

	while (j && *path) {
		size_t len = strcspn(path, ".");

		assert_true(len < sizeof(seg));
		memcpy(seg, path, len);
		seg[len] = '\0';
		path += len + (path[len] == '.');
		if (cJSON_IsArray(j))
			j = cJSON_GetArrayItem(j, (int)strtol(seg, NULL, 10));
		else
			j = cJSON_GetObjectItemCaseSensitive(j, seg);
	}
	return j;
}

/* A parsed reply: one of the two. */
typedef struct reply {
	cJSON *json;
	xmlDoc *xml;
} reply;

static void reply_parse(reply *r, tr_aws_service s, const char *body, size_t len)
{
	r->json = NULL;
	r->xml = NULL;
	if (is_xml(s)) {
		if (tr_aws_xml_parse(&r->xml, body, len) != 0)
			fail_msg("unreadable XML reply: %.*s", (int)len, body);
	} else {
		r->json = cJSON_ParseWithLength(len ? body : "{}", len ? len : 2);
		if (!r->json)
			fail_msg("unreadable JSON reply: %.*s", (int)len, body);
	}
}

static void reply_dispose(reply *r)
{
	cJSON_Delete(r->json);
	if (r->xml)
		xmlFreeDoc(r->xml);
}

/* The value at path as text (numbers and booleans printed), or false. */
static bool reply_text(char *out, size_t cap, const reply *r, const char *path)
{
	if (r->xml)
		return tr_aws_xml_text(out, cap, xmlDocGetRootElement(r->xml),
				       path) == 0;
	{
		const cJSON *j = json_at(r->json, path);

		if (cJSON_IsString(j))
			snprintf(out, cap, "%s", j->valuestring);
		else if (cJSON_IsNumber(j))
			snprintf(out, cap, "%.0f", j->valuedouble);
		else if (cJSON_IsBool(j))
			snprintf(out, cap, "%s", cJSON_IsTrue(j) ? "true" : "false");
		else
			return false;
		return true;
	}
}

/* ---- the request log ------------------------------------------------- */

static cJSON *request_log(void)
{
	cJSON *j = control("GET", "requests", NULL);

	assert_true(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(j, "requests")));
	return j;
}

static int log_size(void)
{
	cJSON *j = request_log();
	int n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "requests"));

	cJSON_Delete(j);
	return n;
}

/* Checks the entries logged since `from`: all of this operation, with the
 * table's mutating flag; 2xx unless `allow_not_found` (dry run). Returns
 * how many there were. */
static int check_logged(int from, const tr_aws_op *op, bool allow_not_found)
{
	cJSON *j = request_log();
	const cJSON *reqs = cJSON_GetObjectItemCaseSensitive(j, "requests");
	int n = cJSON_GetArraySize(reqs);

	for (int i = from; i < n; i++) {
		const cJSON *e = cJSON_GetArrayItem(reqs, i);
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(e, "operation");
		const cJSON *mut = cJSON_GetObjectItemCaseSensitive(e, "mutating");
		const cJSON *svc = cJSON_GetObjectItemCaseSensitive(e, "service");
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(e, "errorCode");
		const cJSON *sig = cJSON_GetObjectItemCaseSensitive(e, "signed");
		double status = cJSON_GetNumberValue(
			cJSON_GetObjectItemCaseSensitive(e, "status"));

		if (!cJSON_IsString(name) || strcmp(name->valuestring, op->name) != 0)
			fail_msg("%s: the emulator logged %s", op->name,
				 cJSON_IsString(name) ? name->valuestring : "no operation");
		if (!cJSON_IsString(svc) ||
		    strcmp(svc->valuestring, tr_aws_service_get(op->service)->name) != 0)
			fail_msg("%s: logged for service %s", op->name,
				 cJSON_IsString(svc) ? svc->valuestring : "?");
		if (!cJSON_IsBool(mut) || cJSON_IsTrue(mut) != op->mutating)
			fail_msg("%s: the emulator says mutating=%s, the table %s",
				 op->name, cJSON_IsTrue(mut) ? "true" : "false",
				 op->mutating ? "true" : "false");
		/* Unsigned only where the table says so: a web identity
		 * token is all the caller may have. */
		if (!cJSON_IsBool(sig) || cJSON_IsTrue(sig) == op->unsigned_call)
			fail_msg("%s: sent %s, the table says %s", op->name,
				 cJSON_IsTrue(sig) ? "signed" : "unsigned",
				 op->unsigned_call ? "unsigned" : "signed");
		if (status >= 200 && status < 300)
			continue;
		if (!(allow_not_found && cJSON_IsString(code) &&
		      (strcmp(code->valuestring, "ResourceNotFoundException") == 0 ||
		       strcmp(code->valuestring, "NoSuchEntity") == 0 ||
		       strcmp(code->valuestring, "NoSuchHostedZone") == 0)))
			fail_msg("%s: logged with HTTP %.0f %s", op->name, status,
				 cJSON_IsString(code) ? code->valuestring : "");
	}
	cJSON_Delete(j);
	return n - from;
}

/* ---- running the steps ----------------------------------------------- */

typedef struct run {
	tr_aws_client *c;
	bool dry_run;
	vars *v;
	bool *covered;  /* per row of the operation table */
	refusals *seen;
	unsigned refused;
	unsigned not_found;
	unsigned reads_ok;
	unsigned calls;
} run;

typedef struct page_ctx {
	char *contains;
	bool found;
	unsigned pages;
	tr_aws_response first;
} page_ctx;

static int on_page(void *ctx, const tr_aws_response *page)
{
	page_ctx *p = ctx;

	if (p->pages++ == 0 &&
	    tr_buf_put(&p->first.body, tr_buf_cstr(&page->body), page->body.len) != 0)
		return TR_ETOOLARGE;
	if (p->contains && strstr(tr_buf_cstr(&page->body), p->contains))
		p->found = true;
	return 0;
}

static void fail_call(const step *s, const tr_aws_error *err, int rc)
{
	tr_buf t = TR_BUF_INIT(4096);

	assert_int_equal(tr_aws_error_render(&t, err), 0);
	fail_msg("%s: rc %d: %s", s->op, rc, tr_buf_cstr(&t));
}

static void check_reply(const step *s, vars *v, const tr_aws_response *resp)
{
	reply r;
	char got[VAR_VALUE_CAP];

	reply_parse(&r, s->service, tr_buf_cstr(&resp->body), resp->body.len);
	for (size_t i = 0; i < MAX_CAPTURES && s->capture[i].a; i++) {
		if (!reply_text(got, sizeof(got), &r, s->capture[i].b) || !*got)
			fail_msg("%s: no %s to capture in %s", s->op,
				 s->capture[i].b, tr_buf_cstr(&resp->body));
		vars_set(v, s->capture[i].a, got);
	}
	for (size_t i = 0; i < MAX_EXPECTS && s->expect[i].a; i++) {
		char *want = expand(v, s->expect[i].b);

		if (!reply_text(got, sizeof(got), &r, s->expect[i].a))
			fail_msg("%s: no %s in %s", s->op, s->expect[i].a,
				 tr_buf_cstr(&resp->body));
		if (*want ? strcmp(got, want) != 0 : !*got)
			fail_msg("%s: %s is \"%s\", want \"%s\"", s->op,
				 s->expect[i].a, got, *want ? want : "(not empty)");
		tr_free(want);
	}
	reply_dispose(&r);
}

/* Whether `until` holds in the reply. */
static bool settled(const step *s, const tr_aws_response *resp)
{
	reply r;
	char got[256];
	bool ok;

	reply_parse(&r, s->service, tr_buf_cstr(&resp->body), resp->body.len);
	ok = reply_text(got, sizeof(got), &r, s->until.a) &&
	     strcmp(got, s->until.b) == 0;
	reply_dispose(&r);
	return ok;
}

static void run_control(run *rn, const step *s)
{
	char *body = expand(rn->v, s->body);
	cJSON *j = control("POST", s->control, body);

	for (size_t i = 0; i < MAX_CAPTURES && s->capture[i].a; i++) {
		const cJSON *x = json_at(j, s->capture[i].b);

		assert_true(cJSON_IsString(x));
		vars_set(rn->v, s->capture[i].a, x->valuestring);
	}
	cJSON_Delete(j);
	tr_free(body);
}

enum { POLL_MAX = 200, POLL_MS = 25 };

/* A step's call with its references filled in; owns the strings. */
typedef struct prepared {
	tr_aws_call call;
	char *labels[MAX_LABELS];
	char *pvals[MAX_PARAMS];
	tr_aws_param params[MAX_PARAMS];
	char *body;
} prepared;

static void prepare(prepared *p, const vars *v, const step *s)
{
	memset(p, 0, sizeof(*p));
	p->call.service = s->service;
	p->call.operation = s->op;
	for (size_t i = 0; i < MAX_LABELS && s->labels[i]; i++)
		p->labels[p->call.label_count++] = expand(v, s->labels[i]);
	for (size_t i = 0; i < MAX_PARAMS && s->params[i].a; i++) {
		p->pvals[i] = expand(v, s->params[i].b);
		p->params[p->call.param_count++] =
			(tr_aws_param){s->params[i].a, p->pvals[i]};
	}
	p->call.labels = (const char *const *)p->labels;
	p->call.params = p->params;
	if (s->body) {
		p->body = expand(v, s->body);
		p->call.body = p->body;
		p->call.body_len = strlen(p->body);
	}
}

static void prepared_dispose(prepared *p)
{
	tr_free(p->body);
	for (size_t i = 0; i < MAX_LABELS; i++)
		tr_free(p->labels[i]);
	for (size_t i = 0; i < MAX_PARAMS; i++)
		tr_free(p->pvals[i]);
}

static void run_step(run *rn, const step *s)
{
	const tr_aws_op *op = tr_aws_op_find(s->service, s->op);
	prepared pr;
	char *contains = NULL;
	tr_aws_response resp;
	tr_aws_error err;
	int before, logged, rc;

	if (!op)
		fail_msg("%s is not in the operation table", s->op);
	prepare(&pr, rn->v, s);
	if (s->contains)
		contains = expand(rn->v, s->contains);
	tr_aws_response_init(&resp);
	tr_aws_error_init(&err);
	before = log_size();

	if (op->paging != TR_AWS_PAGE_NONE) {
		page_ctx pc = {.contains = contains};

		tr_aws_response_init(&pc.first);
		rc = tr_aws_client_paginate(rn->c, &pr.call, on_page, &pc, &err);
		if (rc == 0 && !rn->dry_run) {
			if (pc.pages < (s->min_pages ? s->min_pages : 1))
				fail_msg("%s: %u pages, want %u or more", s->op,
					 pc.pages, s->min_pages);
			if (contains && !pc.found)
				fail_msg("%s: no page holds %s", s->op, contains);
			check_reply(s, rn->v, &pc.first);
		}
		tr_aws_response_dispose(&pc.first);
	} else {
		unsigned polls = 0;

		for (;;) {
			rc = tr_aws_client_call(&resp, rn->c, &pr.call, &err);
			if (rc != 0 || !s->until.a || rn->dry_run || settled(s, &resp))
				break;
			if (++polls >= POLL_MAX)
				fail_msg("%s: %s never became %s", s->op,
					 s->until.a, s->until.b);
			usleep(POLL_MS * 1000);
		}
		if (rc == 0 && !rn->dry_run) {
			check_reply(s, rn->v, &resp);
			if (contains && !strstr(tr_buf_cstr(&resp.body), contains))
				fail_msg("%s: the reply does not hold %s", s->op, contains);
		}
	}
	rn->calls++;

	if (!rn->dry_run) {
		if (rc != 0)
			fail_call(s, &err, rc);
		logged = check_logged(before, op, false);
		assert_true(logged >= 1);
		rn->covered[op - tr_aws_op_table(&(size_t){0})] = true;
	} else if (op->mutating) {
		/* The gate answers before anything leaves. */
		if (rc != TR_EREFUSED)
			fail_msg("%s: dry run gave rc %d, not TR_EREFUSED", s->op, rc);
		assert_int_equal(err.kind, TR_AWS_ERR_REFUSED);
		assert_int_equal(check_logged(before, op, true), 0);
		rn->refused++;
		/* ... and tells the runtime what it would have sent. */
		assert_int_equal(rn->seen->n, rn->refused);
		assert_string_equal(rn->seen->operation, s->op);
		assert_string_equal(rn->seen->service,
				    tr_aws_service_get(s->service)->name);
		assert_string_equal(rn->seen->method, op->method);
		if (pr.call.label_count)
			assert_non_null(strstr(rn->seen->path,
					       strchr(pr.labels[pr.call.label_count - 1], '/')
						       ? "%2F" /* an ARN, encoded */
						       : pr.labels[pr.call.label_count - 1]));
		rn->covered[op - tr_aws_op_table(&(size_t){0})] = true;
	} else {
		/* Reads go out; what the wet run deleted may be gone. */
		if (rc == TR_ENOTFOUND)
			rn->not_found++;
		else if (rc != 0)
			fail_call(s, &err, rc);
		else
			rn->reads_ok++;
		logged = check_logged(before, op, true);
		assert_true(logged >= 1);
		rn->covered[op - tr_aws_op_table(&(size_t){0})] = true;
	}

	tr_aws_error_dispose(&err);
	tr_aws_response_dispose(&resp);
	tr_free(contains);
	prepared_dispose(&pr);
}

enum { REFRESH_MAX = 64, REFRESH_PARALLEL = 4 };

/* Steps before `upto` that a refresh repeats: signed single-reply reads. */
static bool refreshable(const step *s)
{
	const tr_aws_op *op;

	if (s->control || s->refresh)
		return false;
	op = tr_aws_op_find(s->service, s->op);
	return op && !op->mutating && !op->unsigned_call &&
	       op->paging == TR_AWS_PAGE_NONE;
}

static void run_refresh(run *rn, size_t upto)
{
	prepared pr[REFRESH_MAX];
	tr_aws_call calls[REFRESH_MAX];
	tr_aws_response outs[REFRESH_MAX];
	tr_aws_error errs[REFRESH_MAX];
	bool matched[REFRESH_MAX] = {0};
	size_t n = 0;
	int before, rc;
	cJSON *j;
	const cJSON *reqs;

	for (size_t i = 0; i < upto; i++) {
		if (!refreshable(&steps[i]))
			continue;
		assert_true(n < REFRESH_MAX);
		prepare(&pr[n], rn->v, &steps[i]);
		calls[n] = pr[n].call;
		tr_aws_response_init(&outs[n]);
		tr_aws_error_init(&errs[n]);
		n++;
	}
	assert_true(n > 5);
	before = log_size();
	rc = tr_aws_client_call_many(outs, errs, rn->c, calls, n, REFRESH_PARALLEL);
	for (size_t i = 0; i < n; i++) {
		if (errs[i].rc == 0 || (rn->dry_run && errs[i].rc == TR_ENOTFOUND))
			continue;
		fail_msg("refresh: %s failed: %d", calls[i].operation, errs[i].rc);
	}
	if (!rn->dry_run)
		assert_int_equal(rc, 0);
	/* The log holds exactly these, in whatever order they finished. */
	j = request_log();
	reqs = cJSON_GetObjectItemCaseSensitive(j, "requests");
	assert_int_equal(cJSON_GetArraySize(reqs) - before, (int)n);
	for (int k = before; k < cJSON_GetArraySize(reqs); k++) {
		const cJSON *e = cJSON_GetArrayItem(reqs, k);
		const char *name = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(e, "operation"));
		size_t i;

		assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "mutating")));
		assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "signed")));
		for (i = 0; i < n; i++)
			if (!matched[i] && name && strcmp(name, calls[i].operation) == 0)
				break;
		if (i == n)
			fail_msg("refresh: unexpected %s in the log", name ? name : "?");
		matched[i] = true;
	}
	cJSON_Delete(j);
	rn->calls += (unsigned)n;
	for (size_t i = 0; i < n; i++) {
		tr_aws_response_dispose(&outs[i]);
		tr_aws_error_dispose(&errs[i]);
		prepared_dispose(&pr[i]);
	}
}

static void run_all(run *rn)
{
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (steps[i].control) {
			/* The wet run's zone is still there; seeding it
			 * again would conflict. */
			if (!(rn->dry_run && strcmp(steps[i].control, "seed") == 0))
				run_control(rn, &steps[i]);
		}
		else if (steps[i].refresh)
			run_refresh(rn, i);
		else
			run_step(rn, &steps[i]);
	}
}

static void assert_whole_table(const bool *covered, const char *which)
{
	size_t n;
	const tr_aws_op *ops = tr_aws_op_table(&n);
	unsigned missing = 0;

	for (size_t i = 0; i < n; i++)
		if (!covered[i]) {
			print_error("%s: %s %s was never exercised\n", which,
				    tr_aws_service_get(ops[i].service)->name,
				    ops[i].name);
			missing++;
		}
	assert_int_equal(missing, 0);
}

/* No request of the whole log failed its signature check. */
static void assert_all_signatures_accepted(void)
{
	cJSON *j = request_log();
	const cJSON *e;

	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(j, "requests"))
	{
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(e, "errorCode");
		double status = cJSON_GetNumberValue(
			cJSON_GetObjectItemCaseSensitive(e, "status"));

		if (status == 403 ||
		    (cJSON_IsString(code) &&
		     (strstr(code->valuestring, "Signature") ||
		      strstr(code->valuestring, "ClientToken") ||
		      strstr(code->valuestring, "UnrecognizedClient") ||
		      strstr(code->valuestring, "MissingAuthentication"))))
			fail_msg("request %s refused: HTTP %.0f %s",
				 cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "operation")),
				 status, cJSON_IsString(code) ? code->valuestring : "");
	}
	cJSON_Delete(j);
}

/* ---- inputs the steps need ------------------------------------------- */

static char *slurp_base64(const char *name)
{
	char path[1024];
	unsigned char raw[16384];
	size_t len;
	char *out;
	FILE *f;

	snprintf(path, sizeof(path), "%s/../emulator/test/data/certs/%s",
		 TR_TEST_DATA_DIR, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot read %s", path);
	len = fread(raw, 1, sizeof(raw), f);
	assert_true(len > 0 && len < sizeof(raw));
	fclose(f);
	out = tr_malloc(4 * ((len + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)out, raw, (int)len);
	return out;
}

/* A JWT such as an EKS projected service account token: header, claims,
 * signature (the emulator does not check the signature). */
static char *web_token(void)
{
	static const char claims[] =
		"{\"sub\":\"system:serviceaccount:trellis:every-op\","
		"\"aud\":\"sts.amazonaws.com\",\"iss\":\"https://oidc.every-op.example\"}";
	unsigned char enc[256];
	char tok[512];
	int n = EVP_EncodeBlock(enc, (const unsigned char *)claims,
				(int)strlen(claims));

	/* base64url without padding */
	for (int i = 0; i < n; i++)
		enc[i] = enc[i] == '+' ? '-' : enc[i] == '/' ? '_' : enc[i];
	while (n > 0 && enc[n - 1] == '=')
		n--;
	snprintf(tok, sizeof(tok), "eyJhbGciOiJSUzI1NiJ9.%.*s.c2lnbmF0dXJl", n,
		 (const char *)enc);
	return tr_strdup(tok);
}

static void setup_vars(vars *v)
{
	char *crt = slurp_base64("import.example.com.crt");
	char *key = slurp_base64("import.example.com.key");
	char *tok = web_token();

	vars_set(v, "import_crt", crt);
	vars_set(v, "import_key", key);
	vars_set(v, "web_token", tok);
	tr_free(crt);
	tr_free(key);
	tr_free(tok);
}

/* ---- the tests ------------------------------------------------------- */

#define NEED_EMULATOR()                                         \
	do {                                                    \
		if (emu_pid <= 0)                               \
			fail_msg("the emulator did not start"); \
	} while (0)

static void every_operation_then_the_same_in_dry_run(void **state)
{
	size_t n;
	vars v = {0};
	bool *wet, *dry;
	run rn = {0};
	tr_aws_stats stats;
	tr_aws_runtime rt;
	refusals seen = {0};
	int dry_from;
	(void)state;

	NEED_EMULATOR();
	cJSON_Delete(control("POST", "reset", NULL));
	(void)tr_aws_op_table(&n);
	wet = tr_calloc(n, sizeof(*wet));
	dry = tr_calloc(n, sizeof(*dry));
	setup_vars(&v);

	rn = (run){.c = client(&rt, &seen, false), .v = &v, .covered = wet,
		   .seen = &seen};
	run_all(&rn);
	assert_whole_table(wet, "wet run");
	assert_all_signatures_accepted();
	tr_aws_client_stats(rn.c, &stats);
	assert_int_equal(stats.refused, 0);
	print_message("wet run: %u calls over %zu operations, %u requests\n",
		      rn.calls, n, stats.requests);
	tr_aws_client_free(rn.c);

	dry_from = log_size();
	assert_int_equal(seen.n, 0);
	rn = (run){.c = client(&rt, &seen, true), .dry_run = true, .v = &v,
		   .covered = dry, .seen = &seen};
	run_all(&rn);
	assert_whole_table(dry, "dry run");
	tr_aws_client_stats(rn.c, &stats);
	assert_int_equal(stats.refused, rn.refused);
	assert_true(rn.refused > 0);
	{
		cJSON *j = request_log();
		const cJSON *reqs = cJSON_GetObjectItemCaseSensitive(j, "requests");
		int total = cJSON_GetArraySize(reqs), mutating = 0;

		assert_true(total > dry_from);
		for (int i = dry_from; i < total; i++)
			if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
				    cJSON_GetArrayItem(reqs, i), "mutating")))
				mutating++;
		assert_int_equal(mutating, 0);
		cJSON_Delete(j);
	}
	assert_all_signatures_accepted();
	/* Lists, identities, the zone and its changes are still there. */
	assert_true(rn.reads_ok >= 10);
	print_message("dry run: %u calls, %u refused, %u reads answered, %u found nothing\n",
		      rn.calls, rn.refused, rn.reads_ok, rn.not_found);
	tr_aws_client_free(rn.c);

	vars_dispose(&v);
	tr_free(wet);
	tr_free(dry);
}

/* A pod's environment: no keys, a role and a projected token file. */
static const char *pod_getenv(void *ctx, const char *name)
{
	const char *(*env)[2] = ctx;

	for (size_t i = 0; env[i][0]; i++)
		if (strcmp(env[i][0], name) == 0)
			return env[i][1];
	return NULL;
}

/* The chain reads the token file and calls AssumeRoleWithWebIdentity
 * unsigned; what it gets back signs the next calls, session token and all. */
static void web_identity_from_a_token_file(void **state)
{
	char path[] = "/tmp/trellis-web-token-XXXXXX";
	char *tok = web_token();
	const char *env[][2] = {
		{"AWS_REGION", "us-west-2"},
		{"AWS_ENDPOINT_URL", emu_url},
		{"AWS_EC2_METADATA_DISABLED", "true"},
		{"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/trellis-pod"},
		{"AWS_WEB_IDENTITY_TOKEN_FILE", path},
		{"AWS_ROLE_SESSION_NAME", "trellis-pod-1"},
		{NULL, NULL},
	};
	tr_aws_runtime rt = {.getenv = pod_getenv, .ctx = env};
	tr_aws_config cfg = {0};
	tr_aws_client *c = NULL;
	tr_aws_identity id;
	tr_aws_response r;
	tr_aws_error err;
	tr_aws_call list = {.service = TR_AWS_LATTICE,
			    .operation = "ListServiceNetworks"};
	int fd;
	(void)state;

	NEED_EMULATOR();
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, tok, strlen(tok)), (ssize_t)strlen(tok));
	close(fd);
	cJSON_Delete(control("DELETE", "requests", NULL));
	assert_int_equal(tr_aws_client_new(&c, &cfg, &rt), 0);
	tr_aws_response_init(&r);
	tr_aws_error_init(&err);

	assert_int_equal(tr_aws_whoami(&id, c, &err), 0);
	assert_string_equal(id.arn, "arn:aws:sts::123456789012:assumed-role/trellis-pod/trellis-pod-1");
	assert_int_equal(tr_aws_client_call(&r, c, &list, &err), 0);
	{
		cJSON *j = request_log();
		const cJSON *reqs = cJSON_GetObjectItemCaseSensitive(j, "requests");
		static const struct {
			const char *op;
			bool is_signed;
		} want[] = {{"AssumeRoleWithWebIdentity", false},
			    {"GetCallerIdentity", true},
			    {"ListServiceNetworks", true}};

		assert_int_equal(cJSON_GetArraySize(reqs), 3);
		for (int i = 0; i < 3; i++) {
			const cJSON *e = cJSON_GetArrayItem(reqs, i);

			assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "operation")),
					    want[i].op);
			assert_int_equal(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "signed")),
					 want[i].is_signed);
			assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "status")), 200);
		}
		cJSON_Delete(j);
	}
	unlink(path);
	tr_aws_response_dispose(&r);
	tr_aws_error_dispose(&err);
	tr_aws_client_free(c);
	tr_free(tok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_operation_then_the_same_in_dry_run),
		cmocka_unit_test(web_identity_from_a_token_file),
	};
	return cmocka_run_group_tests(tests, start_emulator, stop_emulator);
}
