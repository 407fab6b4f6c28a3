/*
 * Policy evaluation: a table of policies against one request (a role of
 * account 111122223333 invoking service svc-1 from vpc-a), each with the
 * verdict AWS gives and, when a statement does not match, the reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "policy/eval.h"
#include "policy/grammar.h"

#define ROLE "arn:aws:iam::111122223333:role/client"
#define SVC "arn:aws:vpc-lattice:us-west-2:111122223333:service/svc-1"

static const tr_policy_context_key keys[] = {
	{"vpc-lattice-svcs:SourceVpc", "vpc-a"},
	{"vpc-lattice-svcs:SourceVpcOwnerAccount", "111122223333"},
	{"vpc-lattice-svcs:ServiceArn", SVC},
	{"vpc-lattice-svcs:Port", "443"},
	{"vpc-lattice-svcs:RequestMethod", "GET"},
	{"aws:PrincipalArn", ROLE},
	{"aws:PrincipalAccount", "111122223333"},
	{"aws:CurrentTime", "2026-11-26T12:00:00Z"},
	{"aws:SecureTransport", "true"},
	{"aws:SourceIp", "10.1.2.3"},
	{"aws:TagKeys", "a"},
	{"aws:TagKeys", "b"},
};

static const tr_policy_request request = {
	ROLE, "111122223333", "vpc-lattice-svcs:Invoke", SVC "/popular",
	keys, sizeof(keys) / sizeof(keys[0]),
};

typedef struct eval_case {
	const char *name;
	tr_policy_type type;
	const char *policy;
	tr_policy_verdict verdict;
	/* IMPLICIT_DENY: part of the first statement's reason;
	 * otherwise the Sid of the statement that decided. */
	const char *expect;
} eval_case;

#define A "\"Action\":\"vpc-lattice-svcs:Invoke\""
#define R "\"Resource\":\"*\""
#define ANY "\"Principal\":\"*\""
#define POL(list) "{\"Version\":\"2012-10-17\",\"Statement\":[" list "]}"
#define ALLOW(sid, rest) "{\"Sid\":\"" sid "\",\"Effect\":\"Allow\"," rest "}"
#define DENY(sid, rest) "{\"Sid\":\"" sid "\",\"Effect\":\"Deny\"," rest "}"
/* An allow-all statement with one condition. */
#define WHEN(c) POL(ALLOW("c", ANY "," A "," R ",\"Condition\":" c))

#define OK TR_POLICY_ALLOW
#define NO TR_POLICY_IMPLICIT_DENY
#define DENIED TR_POLICY_EXPLICIT_DENY
#define AUTH TR_POLICY_AUTH

static const eval_case cases[] = {
	{"anyone", AUTH, POL(ALLOW("all", ANY "," A "," R)), OK, "all"},
	{"explicit deny wins", AUTH,
	 POL(ALLOW("all", ANY "," A "," R) "," DENY("no", ANY "," A "," R)),
	 DENIED, "no"},
	{"deny that does not match", AUTH,
	 POL(ALLOW("all", ANY "," A "," R) ","
	     DENY("no", ANY "," A ",\"Resource\":\"" SVC "/admin*\"")),
	 OK, "all"},
	{"no statement matches", AUTH,
	 POL(ALLOW("other", "\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:"
			    "role/other\"}," A "," R)),
	 NO, "Principal: the caller " ROLE " is not named"},
	{"role ARN", AUTH, POL(ALLOW("r", "\"Principal\":{\"AWS\":[\"" ROLE "\"]},"
				      A "," R)), OK, "r"},
	{"account id", AUTH,
	 POL(ALLOW("acct", "\"Principal\":{\"AWS\":\"111122223333\"}," A "," R)),
	 OK, "acct"},
	{"account root", AUTH,
	 POL(ALLOW("root", "\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:"
			   "root\"}," A "," R)),
	 OK, "root"},
	{"another account", AUTH,
	 POL(ALLOW("x", "\"Principal\":{\"AWS\":\"arn:aws:iam::444455556666:"
			"root\"}," A "," R)),
	 NO, "Principal"},
	{"AWS star", AUTH, POL(ALLOW("s", "\"Principal\":{\"AWS\":\"*\"}," A "," R)),
	 OK, "s"},
	{"service principal never names a role", AUTH,
	 POL(ALLOW("s", "\"Principal\":{\"Service\":\"ec2.amazonaws.com\"}," A
			"," R)),
	 NO, "Principal"},
	{"NotPrincipal", AUTH,
	 POL(DENY("np", "\"NotPrincipal\":{\"AWS\":\"" ROLE "\"}," A "," R) ","
	     ALLOW("all", ANY "," A "," R)),
	 OK, "all"},
	{"NotPrincipal names someone else", AUTH,
	 POL(DENY("np", "\"NotPrincipal\":{\"AWS\":\"arn:aws:iam::111122223333:"
			"role/x\"}," A "," R) ","
	     ALLOW("all", ANY "," A "," R)),
	 DENIED, "np"},
	{"action wildcard", AUTH,
	 POL(ALLOW("w", ANY ",\"Action\":\"vpc-lattice-svcs:*\"," R)), OK, "w"},
	{"action ? and case", AUTH,
	 POL(ALLOW("w", ANY ",\"Action\":\"VPC-LATTICE-SVCS:inv?ke\"," R)), OK,
	 "w"},
	{"action star", AUTH, POL(ALLOW("w", ANY ",\"Action\":\"*\"," R)), OK, "w"},
	{"other action", AUTH,
	 POL(ALLOW("o", ANY ",\"Action\":[\"s3:GetObject\",\"s3:Put*\"]," R)),
	 NO, "Action: vpc-lattice-svcs:Invoke matches none of \"s3:GetObject\", "
	     "\"s3:Put*\""},
	{"NotAction", AUTH, POL(ALLOW("na", ANY ",\"NotAction\":\"s3:*\"," R)),
	 OK, "na"},
	{"NotAction naming it", AUTH,
	 POL(ALLOW("na", ANY ",\"NotAction\":\"vpc-lattice-svcs:*\"," R)), NO,
	 "NotAction: vpc-lattice-svcs:Invoke matches \"vpc-lattice-svcs:*\""},
	{"resource wildcard", AUTH,
	 POL(ALLOW("r", ANY "," A ",\"Resource\":\"" SVC "/*\"")), OK, "r"},
	{"resource of another service", AUTH,
	 POL(ALLOW("r", ANY "," A ",\"Resource\":\"arn:aws:vpc-lattice:us-west-2:"
			"111122223333:service/svc-2/*\"")),
	 NO, "Resource: " SVC "/popular matches none of"},
	{"resource is case-sensitive", AUTH,
	 POL(ALLOW("r", ANY "," A ",\"Resource\":\"" SVC "/POPULAR\"")), NO,
	 "Resource"},
	{"NotResource", AUTH,
	 POL(ALLOW("nr", ANY "," A ",\"NotResource\":\"" SVC "/admin\"")), OK,
	 "nr"},
	{"single statement object", AUTH,
	 "{\"Version\":\"2012-10-17\",\"Statement\":" ALLOW("one", ANY "," A "," R)
	 "}",
	 OK, "one"},
	{"identity policy: the principal is the caller", TR_POLICY_IDENTITY,
	 POL(ALLOW("id", A ",\"Resource\":\"" SVC "/*\"")), OK, "id"},
	{"StringEquals", AUTH,
	 WHEN("{\"StringEquals\":{\"vpc-lattice-svcs:SourceVpc\":\"vpc-a\"}}"), OK,
	 "c"},
	{"StringEquals other VPC", AUTH,
	 WHEN("{\"StringEquals\":{\"vpc-lattice-svcs:SourceVpc\":[\"vpc-b\","
	      "\"vpc-c\"]}}"),
	 NO, "Condition StringEquals vpc-lattice-svcs:SourceVpc: the request has "
	     "\"vpc-a\", the policy wants \"vpc-b\", \"vpc-c\""},
	{"keys are case-insensitive, values are not", AUTH,
	 WHEN("{\"StringEquals\":{\"VPC-LATTICE-SVCS:sourcevpc\":\"VPC-A\"}}"), NO,
	 "the request has \"vpc-a\""},
	{"StringNotEquals", AUTH,
	 WHEN("{\"StringNotEquals\":{\"vpc-lattice-svcs:SourceVpc\":\"vpc-b\"}}"),
	 OK, "c"},
	{"StringNotEquals its value", AUTH,
	 WHEN("{\"StringNotEquals\":{\"vpc-lattice-svcs:SourceVpc\":[\"vpc-b\","
	      "\"vpc-a\"]}}"),
	 NO, "the policy wants none of \"vpc-b\", \"vpc-a\""},
	{"StringEqualsIgnoreCase", AUTH,
	 WHEN("{\"StringEqualsIgnoreCase\":{\"vpc-lattice-svcs:RequestMethod\":"
	      "\"get\"}}"),
	 OK, "c"},
	{"StringNotEqualsIgnoreCase", AUTH,
	 WHEN("{\"StringNotEqualsIgnoreCase\":{\"vpc-lattice-svcs:RequestMethod\":"
	      "\"get\"}}"),
	 NO, "StringNotEqualsIgnoreCase"},
	{"StringLike", AUTH,
	 WHEN("{\"StringLike\":{\"vpc-lattice-svcs:SourceVpc\":\"vpc-?\"}}"), OK,
	 "c"},
	{"StringLike no match", AUTH,
	 WHEN("{\"StringLike\":{\"vpc-lattice-svcs:SourceVpc\":\"vpc-b*\"}}"), NO,
	 "StringLike"},
	{"StringNotLike", AUTH,
	 WHEN("{\"StringNotLike\":{\"vpc-lattice-svcs:SourceVpc\":\"vpc-b*\"}}"),
	 OK, "c"},
	{"ArnEquals", AUTH, WHEN("{\"ArnEquals\":{\"aws:PrincipalArn\":\"" ROLE "\"}}"),
	 OK, "c"},
	{"ArnLike", AUTH,
	 WHEN("{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:role/cl*\"}}"),
	 OK, "c"},
	{"ArnLike another role", AUTH,
	 WHEN("{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:role/admin\"}}"),
	 NO, "Condition ArnLike aws:PrincipalArn: the request has \"" ROLE "\""},
	{"ArnNotEquals", AUTH,
	 WHEN("{\"ArnNotEquals\":{\"aws:PrincipalArn\":\"" ROLE "\"}}"), NO,
	 "ArnNotEquals"},
	{"ArnNotLike", AUTH,
	 WHEN("{\"ArnNotLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:role/x*\"}}"),
	 OK, "c"},
	{"StringEquals aws:PrincipalAccount", AUTH,
	 WHEN("{\"StringEquals\":{\"aws:PrincipalAccount\":\"111122223333\"}}"), OK,
	 "c"},
	{"NumericLessThan", AUTH,
	 WHEN("{\"NumericLessThan\":{\"vpc-lattice-svcs:Port\":1024}}"), OK, "c"},
	{"NumericGreaterThanEquals", AUTH,
	 WHEN("{\"NumericGreaterThanEquals\":{\"vpc-lattice-svcs:Port\":\"8443\"}}"),
	 NO, "NumericGreaterThanEquals"},
	{"NumericEquals", AUTH,
	 WHEN("{\"NumericEquals\":{\"vpc-lattice-svcs:Port\":\"443.0\"}}"), OK, "c"},
	{"DateLessThan", AUTH,
	 WHEN("{\"DateLessThan\":{\"aws:CurrentTime\":\"2027-01-01T00:00:00Z\"}}"),
	 OK, "c"},
	{"DateGreaterThan with a zone", AUTH,
	 WHEN("{\"DateGreaterThan\":{\"aws:CurrentTime\":\"2026-11-26T12:30:00+01:00\"}}"),
	 OK, "c"},
	{"DateGreaterThan epoch", AUTH,
	 WHEN("{\"DateGreaterThan\":{\"aws:CurrentTime\":\"1900000000\"}}"), NO,
	 "DateGreaterThan"},
	{"Bool", AUTH, WHEN("{\"Bool\":{\"aws:SecureTransport\":true}}"), OK, "c"},
	{"Bool false", AUTH, WHEN("{\"Bool\":{\"aws:SecureTransport\":\"false\"}}"),
	 NO, "Bool"},
	{"IpAddress", AUTH,
	 WHEN("{\"IpAddress\":{\"aws:SourceIp\":[\"192.0.2.0/24\",\"10.0.0.0/8\"]}}"),
	 OK, "c"},
	{"NotIpAddress", AUTH,
	 WHEN("{\"NotIpAddress\":{\"aws:SourceIp\":\"10.1.0.0/16\"}}"), NO,
	 "NotIpAddress"},
	{"Null true on a missing key", AUTH,
	 WHEN("{\"Null\":{\"aws:PrincipalOrgID\":\"true\"}}"), OK, "c"},
	{"Null false on a missing key", AUTH,
	 WHEN("{\"Null\":{\"aws:PrincipalOrgID\":false}}"), NO,
	 "Condition Null aws:PrincipalOrgID: the request does not have it"},
	{"missing key", AUTH,
	 WHEN("{\"StringEquals\":{\"aws:PrincipalOrgID\":\"o-1\"}}"), NO,
	 "the request has no aws:PrincipalOrgID"},
	{"missing key IfExists", AUTH,
	 WHEN("{\"StringEqualsIfExists\":{\"aws:PrincipalOrgID\":\"o-1\"}}"), OK,
	 "c"},
	{"missing key, a Not form", AUTH,
	 WHEN("{\"StringNotEquals\":{\"aws:PrincipalOrgID\":\"o-1\"}}"), OK, "c"},
	{"ForAnyValue", AUTH,
	 WHEN("{\"ForAnyValue:StringEquals\":{\"aws:TagKeys\":\"b\"}}"), OK, "c"},
	{"ForAllValues", AUTH,
	 WHEN("{\"ForAllValues:StringEquals\":{\"aws:TagKeys\":\"a\"}}"), NO,
	 "ForAllValues:StringEquals aws:TagKeys"},
	{"ForAllValues all in", AUTH,
	 WHEN("{\"ForAllValues:StringEquals\":{\"aws:TagKeys\":[\"a\",\"b\"]}}"), OK,
	 "c"},
	{"ForAllValues on a missing key", AUTH,
	 WHEN("{\"ForAllValues:StringEquals\":{\"aws:RequestTag/x\":\"a\"}}"), OK,
	 "c"},
	{"ForAnyValue on a missing key", AUTH,
	 WHEN("{\"ForAnyValue:StringEquals\":{\"aws:RequestTag/x\":\"a\"}}"), NO,
	 "has no aws:RequestTag/x"},
	{"every condition must hold", AUTH,
	 WHEN("{\"StringEquals\":{\"vpc-lattice-svcs:SourceVpc\":\"vpc-a\","
	      "\"aws:PrincipalAccount\":\"444455556666\"}}"),
	 NO, "aws:PrincipalAccount"},
};

static void each_case(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const eval_case *c = &cases[i];
		tr_policy_decision d;
		tr_diag diag;
		tr_policy_site site = {"t", 1, 1, "p"};
		cJSON *doc = NULL;
		bool ok = false;

		/* Every policy of the table is grammatical (a warning that a
		 * statement never matches is fine: that is what some test). */
		tr_diag_init(&diag);
		if (tr_policy_check(c->policy, strlen(c->policy), c->type, &site,
				    &diag) < 0 ||
		    tr_diag_count(&diag, TR_SEV_ERROR)) {
			print_error("case \"%s\": not grammatical: %s\n", c->name,
				    diag.count ? diag.entries[0].message : "");
			fail();
		}
		tr_diag_dispose(&diag);
		assert_int_equal(tr_policy_parse(&doc, c->policy, strlen(c->policy)), 0);
		assert_int_equal(tr_policy_eval(&d, doc, c->type, &request), 0);
		if (d.verdict == c->verdict) {
			if (c->verdict == NO) {
				ok = d.count && !d.statements[0].matched &&
				     d.statements[0].why &&
				     strstr(d.statements[0].why, c->expect);
			} else {
				for (size_t j = 0; j < d.count; j++)
					if (d.statements[j].matched &&
					    d.statements[j].deny ==
						    (c->verdict == DENIED) &&
					    strcmp(d.statements[j].sid, c->expect) == 0)
						ok = true;
			}
		}
		if (!ok) {
			print_error("case \"%s\": verdict %d (want %d)\n", c->name,
				    (int)d.verdict, (int)c->verdict);
			for (size_t j = 0; j < d.count; j++)
				print_error("  [%zu] %s matched=%d why=%s\n", j,
					    d.statements[j].sid ? d.statements[j].sid : "-",
					    d.statements[j].matched,
					    d.statements[j].why ? d.statements[j].why : "-");
		}
		tr_policy_decision_dispose(&d);
		cJSON_Delete(doc);
		assert_true(ok);
	}
}

/* Trust policies match principals but have no resource. */
static void trust_policy_without_resource(void **state)
{
	static const char trust[] =
		"{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
		"\"Principal\":{\"AWS\":\"111122223333\"},\"Action\":\"sts:AssumeRole\"}}";
	tr_policy_request r = request;
	tr_policy_decision d;
	cJSON *doc = NULL;
	(void)state;

	r.action = "sts:AssumeRole";
	assert_int_equal(tr_policy_parse(&doc, trust, strlen(trust)), 0);
	assert_int_equal(tr_policy_eval(&d, doc, TR_POLICY_TRUST, &r), 0);
	assert_int_equal(d.verdict, TR_POLICY_ALLOW);
	assert_null(d.statements[0].sid);
	tr_policy_decision_dispose(&d);
	cJSON_Delete(doc);
}

static void not_a_policy(void **state)
{
	tr_policy_decision d;
	cJSON *doc = cJSON_Parse("{\"Version\":\"2012-10-17\"}");
	(void)state;

	assert_int_equal(tr_policy_eval(&d, doc, AUTH, &request), TR_EINVALID);
	tr_policy_decision_dispose(&d);
	cJSON_Delete(doc);
}

static void wildcards(void **state)
{
	(void)state;
	assert_true(tr_policy_wildcard_match("*", "", false));
	assert_true(tr_policy_wildcard_match("a*b*c", "aXbYbc", false));
	assert_false(tr_policy_wildcard_match("a*b*c", "aXbYb", false));
	assert_true(tr_policy_wildcard_match("a?c", "abc", false));
	assert_false(tr_policy_wildcard_match("a?c", "ac", false));
	assert_false(tr_policy_wildcard_match("ABC", "abc", false));
	assert_true(tr_policy_wildcard_match("ABC", "abc", true));
	/* Brackets and backslashes are plain characters in IAM. */
	assert_true(tr_policy_wildcard_match("a[1]\\*", "a[1]\\x", false));
	assert_false(tr_policy_wildcard_match("a[1]", "a1", false));
	/* A pathological pattern stays quick. */
	assert_false(tr_policy_wildcard_match(
		"*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		false));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_case),
		cmocka_unit_test(trust_policy_without_resource),
		cmocka_unit_test(not_a_policy),
		cmocka_unit_test(wildcards),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
