/*
 * The IAM policy grammar: for each rule one bad policy (asserting the
 * diagnostic's severity, rule id, field path and message) and a valid twin
 * that differs only in what the rule is about; then sizes, references and
 * the positions reported for policies inside manifests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "diag/diag.h"
#include "manifest/manifest.h"
#include "policy/grammar.h"
#include "util/buf.h"
#include "util/limits.h"

static void print_diag(const tr_diag *diag)
{
	for (size_t i = 0; i < diag->count; i++) {
		const tr_diag_entry *e = &diag->entries[i];
		print_error("  %s:%u:%u %s [%s] %s: %s\n", e->file ? e->file : "-",
			    e->line, e->col, tr_severity_name(e->severity),
			    e->rule, e->path ? e->path : "-", e->message);
	}
}

static const tr_policy_site site = {"c/p.yaml", 7, 11, "p"};

typedef struct grammar_case {
	const char *name;
	tr_policy_type type;
	const char *bad;
	const char *good;
	tr_severity sev;
	const char *rule;
	const char *path;
	const char *message; /* a part of the message */
} grammar_case;

#define V "{\"Version\":\"2012-10-17\",\"Statement\":"
#define E "\"Effect\":\"Allow\""
#define P "\"Principal\":\"*\""
#define A "\"Action\":\"vpc-lattice-svcs:Invoke\""
#define R "\"Resource\":\"*\""
#define ST "{" E "," P "," A "," R "}"
/* An auth policy with one statement whose Condition is `c`. */
#define COND(c) V "{" E "," P "," A "," R ",\"Condition\":" c "}}"
#define TA "\"Action\":\"sts:AssumeRoleWithWebIdentity\""
#define TP "\"Principal\":{\"Federated\":\"arn:aws:iam::123456789012:" \
	   "oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE\"}"
#define ERR TR_SEV_ERROR
#define WARN TR_SEV_WARNING
#define AUTH TR_POLICY_AUTH
#define TRUST TR_POLICY_TRUST
#define IDENT TR_POLICY_IDENTITY

static const grammar_case cases[] = {
	{"trailing comma", AUTH, V "[" ST ",]}", V "[" ST "]}", ERR,
	 "policy.json", "p", "(line 1, column 123 of the policy): a trailing comma"},
	{"a second value", AUTH, V ST "} {}", V ST "} ", ERR, "policy.json", "p",
	 "one JSON object"},
	{"comment", AUTH, V ST "/* x */}", V ST "}", ERR, "policy.json", "p",
	 "JSON has no comments"},
	{"not an object", AUTH, "[" V ST "}]", V ST "}", ERR, "policy.type", "p",
	 "must be a JSON object, not an array"},
	{"empty", AUTH, "  \n", V ST "}", ERR, "policy.json", "p",
	 "the policy is empty"},
	{"unknown top element", AUTH, V ST ",\"Ids\":\"x\"}",
	 V ST ",\"Id\":\"x\"}", ERR, "policy.element", "p.Ids",
	 "unknown element \"Ids\" at the top of a policy; did you mean Id"},
	{"Id type", AUTH, V ST ",\"Id\":7}", V ST ",\"Id\":\"7\"}", ERR,
	 "policy.type", "p.Id", "Id must be a string, not a number"},
	{"Version value", AUTH, "{\"Version\":\"2012-10-18\",\"Statement\":" ST "}",
	 V ST "}", ERR, "policy.version", "p.Version",
	 "unsupported Version \"2012-10-18\""},
	{"Version type", AUTH, "{\"Version\":2012,\"Statement\":" ST "}",
	 "{\"Version\":\"2008-10-17\",\"Statement\":" ST "}", ERR,
	 "policy.version", "p.Version", "Version must be a string"},
	{"Version missing", AUTH, "{\"Statement\":" ST "}", V ST "}", WARN,
	 "policy.version", "p.Version", "no Version"},
	{"Statement missing", AUTH, "{\"Version\":\"2012-10-17\"}", V ST "}",
	 ERR, "policy.statement", "p.Statement", "needs a Statement"},
	{"Statement empty", AUTH, V "[]}", V "[" ST "]}", ERR, "policy.empty",
	 "p.Statement", "at least one statement"},
	{"Statement type", AUTH, V "\"x\"}", V ST "}", ERR, "policy.type",
	 "p.Statement", "object or an array of objects, not a string"},
	{"statement type", AUTH, V "[" ST ",1]}", V "[" ST "," ST "]}", ERR,
	 "policy.type", "p.Statement[1]", "a statement must be an object"},
	{"unknown statement element", AUTH,
	 V "{" E "," P "," A "," R ",\"Condtion\":{}}}",
	 V "{" E "," P "," A "," R ",\"Condition\":{}}}", ERR, "policy.element",
	 "p.Statement.Condtion", "did you mean Condition"},
	{"element case", AUTH, V "{" E "," P "," A "," R ",\"sid\":\"a\"}}",
	 V "{" E "," P "," A "," R ",\"Sid\":\"a\"}}", ERR, "policy.element",
	 "p.Statement.sid", "case-sensitive: did you mean Sid"},
	{"duplicate key", AUTH, V "{" E "," E "," P "," A "," R "}}", V ST "}",
	 ERR, "policy.duplicate-key", "p.Statement.Effect",
	 "duplicate key \"Effect\""},
	{"Effect missing", AUTH, V "{" P "," A "," R "}}", V ST "}", ERR,
	 "policy.effect", "p.Statement.Effect", "Required value"},
	{"Effect value", AUTH, V "{\"Effect\":\"allow\"," P "," A "," R "}}",
	 V "{\"Effect\":\"Deny\"," P "," A "," R "}}", ERR, "policy.effect",
	 "p.Statement.Effect", "not \"allow\""},
	{"Effect type", AUTH, V "{\"Effect\":true," P "," A "," R "}}", V ST "}",
	 ERR, "policy.effect", "p.Statement.Effect", "not a boolean"},
	{"Sid type", AUTH, V "[{\"Sid\":1," E "," P "," A "," R "}]}",
	 V "[{\"Sid\":\"1\"," E "," P "," A "," R "}]}", ERR, "policy.sid",
	 "p.Statement[0].Sid", "Sid must be a string"},
	{"Sid unique", AUTH,
	 V "[{\"Sid\":\"a\"," E "," P "," A "," R "},{\"Sid\":\"a\"," E "," P
	   "," A "," R "}]}",
	 V "[{\"Sid\":\"a\"," E "," P "," A "," R "},{\"Sid\":\"b\"," E "," P
	   "," A "," R "}]}",
	 ERR, "policy.sid", "p.Statement[1].Sid", "duplicate Sid \"a\""},
	{"Sid characters in IAM", IDENT,
	 V "{\"Sid\":\"may invoke\"," E ",\"Action\":\"vpc-lattice-svcs:Invoke\","
	   R "}}",
	 V "{\"Sid\":\"MayInvoke2\"," E ",\"Action\":\"vpc-lattice-svcs:Invoke\","
	   R "}}",
	 ERR, "policy.sid", "p.Statement.Sid", "only letters A-Z, a-z and digits"},
	{"Principal missing", AUTH, V "{" E "," A "," R "}}", V ST "}", ERR,
	 "policy.statement", "p.Statement.Principal",
	 "an auth policy needs Principal or NotPrincipal"},
	{"Principal and NotPrincipal", AUTH,
	 V "{" E "," P ",\"NotPrincipal\":{\"AWS\":\"123456789012\"}," A "," R
	   "}}",
	 V "{" E ",\"NotPrincipal\":{\"AWS\":\"123456789012\"}," A "," R "}}",
	 ERR, "policy.statement", "p.Statement.NotPrincipal",
	 "Principal or NotPrincipal, not both"},
	{"Principal string", AUTH,
	 V "{" E ",\"Principal\":\"arn:aws:iam::123456789012:root\"," A "," R
	   "}}",
	 V "{" E ",\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:root\"},"
	   A "," R "}}",
	 ERR, "policy.principal", "p.Statement.Principal",
	 "not the string \"arn:aws:iam::123456789012:root\""},
	{"Principal type", AUTH, V "{" E ",\"Principal\":[\"*\"]," A "," R "}}",
	 V ST "}", ERR, "policy.type", "p.Statement.Principal",
	 "\"*\" or an object, not an array"},
	{"Principal empty", AUTH, V "{" E ",\"Principal\":{}," A "," R "}}",
	 V ST "}", ERR, "policy.empty", "p.Statement.Principal",
	 "at least one principal"},
	{"AWS principal", AUTH,
	 V "{" E ",\"Principal\":{\"AWS\":\"arn:aws:iam::12345:role/a\"}," A
	   "," R "}}",
	 V "{" E ",\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:role/a\"},"
	   A "," R "}}",
	 ERR, "policy.principal", "p.Statement.Principal.AWS",
	 "invalid AWS principal \"arn:aws:iam::12345:role/a\""},
	{"AWS principal in a list", AUTH,
	 V "{" E ",\"Principal\":{\"AWS\":[\"123456789012\",\"me\"]}," A "," R
	   "}}",
	 V "{" E ",\"Principal\":{\"AWS\":[\"123456789012\",\"*\"]}," A "," R
	   "}}",
	 ERR, "policy.principal", "p.Statement.Principal.AWS[1]",
	 "invalid AWS principal \"me\""},
	{"AWS principal list empty", AUTH,
	 V "{" E ",\"Principal\":{\"AWS\":[]}," A "," R "}}", V ST "}", ERR,
	 "policy.empty", "p.Statement.Principal.AWS", "empty array"},
	{"principal kind case", AUTH,
	 V "{" E ",\"Principal\":{\"Aws\":\"123456789012\"}," A "," R "}}",
	 V "{" E ",\"Principal\":{\"AWS\":\"123456789012\"}," A "," R "}}", ERR,
	 "policy.element", "p.Statement.Principal.Aws",
	 "case-sensitive: did you mean AWS"},
	{"Service principal", TRUST,
	 V "{" E ",\"Principal\":{\"Service\":\"ec2\"}," TA "}}",
	 V "{" E ",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"}," TA "}}",
	 ERR, "policy.principal", "p.Statement.Principal.Service",
	 "invalid Service principal \"ec2\""},
	{"Federated principal", TRUST,
	 V "{" E ",\"Principal\":{\"Federated\":\"arn:aws:iam::123456789012:"
	   "role/x\"}," TA "}}",
	 V "{" E "," TP "," TA "}}", ERR, "policy.principal",
	 "p.Statement.Principal.Federated", "oidc-provider/ or saml-provider/"},
	{"CanonicalUser empty", AUTH,
	 V "{" E ",\"Principal\":{\"CanonicalUser\":\"\"}," A "," R "}}",
	 V "{" E ",\"Principal\":{\"CanonicalUser\":\"79a5\"}," A "," R "}}",
	 ERR, "policy.empty", "p.Statement.Principal.CanonicalUser",
	 "must not be empty"},
	{"Principal in an identity policy", IDENT, V "{" E "," P "," A "," R "}}",
	 V "{" E "," A "," R "}}", ERR, "policy.principal",
	 "p.Statement.Principal", "not allowed in an identity policy"},
	{"trust policy needs a principal", TRUST, V "{" E "," TA "}}",
	 V "{" E "," TP "," TA "}}", ERR, "policy.statement",
	 "p.Statement.Principal", "a trust policy needs Principal"},
	{"NotPrincipal in a trust policy", TRUST,
	 V "{" E ",\"NotPrincipal\":{\"AWS\":\"123456789012\"}," TA "}}",
	 V "{" E ",\"Principal\":{\"AWS\":\"123456789012\"}," TA "}}", ERR,
	 "policy.principal", "p.Statement.NotPrincipal",
	 "NotPrincipal is not allowed in a role's trust policy"},
	{"Action missing", AUTH, V "{" E "," P "," R "}}", V ST "}", ERR,
	 "policy.statement", "p.Statement.Action", "needs Action or NotAction"},
	{"Action and NotAction", AUTH,
	 V "{" E "," P "," A ",\"NotAction\":\"vpc-lattice-svcs:Invoke\"," R
	   "}}",
	 V "{" E "," P ",\"NotAction\":\"vpc-lattice-svcs:Invoke\"," R "}}",
	 ERR, "policy.statement", "p.Statement.NotAction",
	 "Action or NotAction, not both"},
	{"Action form", AUTH,
	 V "{" E "," P ",\"Action\":\"vpc-lattice-svcs Invoke\"," R "}}",
	 V "{" E "," P ",\"Action\":\"vpc-lattice-svcs:Inv?ke\"," R "}}", ERR,
	 "policy.action", "p.Statement.Action",
	 "invalid Action \"vpc-lattice-svcs Invoke\""},
	{"NotAction in a list", AUTH,
	 V "{" E "," P ",\"NotAction\":[\"vpc-lattice-svcs:Invoke\",\"Invoke\"],"
	   R "}}",
	 V "{" E "," P ",\"NotAction\":[\"vpc-lattice-svcs:Invoke\",\"*\"]," R
	   "}}",
	 ERR, "policy.action", "p.Statement.NotAction[1]",
	 "invalid NotAction \"Invoke\""},
	{"Action type", AUTH, V "{" E "," P ",\"Action\":7," R "}}", V ST "}",
	 ERR, "policy.type", "p.Statement.Action",
	 "Action must be a string or an array of strings, not a number"},
	{"Action item type", AUTH, V "{" E "," P ",\"Action\":[null]," R "}}",
	 V ST "}", ERR, "policy.type", "p.Statement.Action[0]",
	 "Action values must be strings, not null"},
	{"Action of another service", AUTH,
	 V "{" E "," P ",\"Action\":\"s3:GetObject\"," R "}}",
	 V "{" E "," P ",\"Action\":\"vpc-lattice-svcs:*\"," R "}}", WARN,
	 "policy.action-service", "p.Statement.Action",
	 "not a vpc-lattice-svcs action"},
	{"trust Action of another service", TRUST,
	 V "{" E "," TP ",\"Action\":\"iam:PassRole\"}}",
	 V "{" E "," TP ",\"Action\":\"sts:AssumeRole\"}}", WARN,
	 "policy.action-service", "p.Statement.Action", "not an sts action"},
	{"Resource missing", AUTH, V "{" E "," P "," A "}}", V ST "}", ERR,
	 "policy.statement", "p.Statement.Resource",
	 "needs Resource or NotResource"},
	{"identity Resource missing", IDENT, V "{" E "," A "}}",
	 V "{" E "," A "," R "}}", ERR, "policy.statement",
	 "p.Statement.Resource", "an identity (inline) policy needs Resource"},
	{"Resource in a trust policy", TRUST, V "{" E "," TP "," TA "," R "}}",
	 V "{" E "," TP "," TA "}}", ERR, "policy.resource",
	 "p.Statement.Resource", "not allowed in a role's trust policy"},
	{"Resource and NotResource", AUTH,
	 V "{" E "," P "," A "," R ",\"NotResource\":\"*\"}}", V ST "}", ERR,
	 "policy.statement", "p.Statement.NotResource", "not both"},
	{"Resource form", AUTH, V "{" E "," P "," A ",\"Resource\":\"svc-1\"}}",
	 V "{" E "," P "," A ",\"Resource\":\"arn:aws:vpc-lattice:us-west-2:"
	   "123456789012:service/svc-1/*\"}}",
	 ERR, "policy.resource", "p.Statement.Resource",
	 "invalid Resource \"svc-1\""},
	{"Resource of another service", AUTH,
	 V "{" E "," P "," A ",\"Resource\":\"arn:aws:s3:::bucket\"}}",
	 V "{" E "," P "," A ",\"Resource\":\"arn:aws:vpc-lattice:*:*:*\"}}",
	 WARN, "policy.resource-service", "p.Statement.Resource",
	 "not a VPC Lattice ARN"},
	{"Condition type", AUTH, COND("[]"), COND("{}"), ERR, "policy.type",
	 "p.Statement.Condition", "Condition must be an object of operators"},
	{"unknown operator", AUTH,
	 COND("{\"StringEqual\":{\"aws:PrincipalAccount\":\"123456789012\"}}"),
	 COND("{\"StringEquals\":{\"aws:PrincipalAccount\":\"123456789012\"}}"),
	 ERR, "policy.element", "p.Statement.Condition.StringEqual",
	 "did you mean StringEquals"},
	{"unknown set qualifier", AUTH,
	 COND("{\"ForSomeValues:StringLike\":{\"aws:TagKeys\":\"a*\"}}"),
	 COND("{\"ForAnyValue:StringLikeIfExists\":{\"aws:TagKeys\":\"a*\"}}"),
	 ERR, "policy.element",
	 "p.Statement.Condition[\"ForSomeValues:StringLike\"]",
	 "as a condition operator"},
	{"NullIfExists", AUTH,
	 COND("{\"NullIfExists\":{\"aws:PrincipalTag/team\":\"true\"}}"),
	 COND("{\"Null\":{\"aws:PrincipalTag/team\":\"true\"}}"), ERR,
	 "policy.operator", "p.Statement.Condition.NullIfExists",
	 "Null cannot take IfExists"},
	{"operator type", AUTH, COND("{\"StringEquals\":\"x\"}"),
	 COND("{\"StringEquals\":{\"a:b\":\"x\"}}"), ERR, "policy.type",
	 "p.Statement.Condition.StringEquals",
	 "object of condition keys and values, not a string"},
	{"operator empty", AUTH, COND("{\"StringEquals\":{}}"),
	 COND("{\"StringEquals\":{\"a:b\":\"x\"}}"), ERR, "policy.empty",
	 "p.Statement.Condition.StringEquals", "at least one condition key"},
	{"condition key", AUTH,
	 COND("{\"StringEquals\":{\"SourceVpc\":\"vpc-1\"}}"),
	 COND("{\"StringEquals\":{\"vpc-lattice-svcs:SourceVpc\":\"vpc-1\"}}"),
	 ERR, "policy.condition-key",
	 "p.Statement.Condition.StringEquals.SourceVpc",
	 "invalid condition key \"SourceVpc\""},
	{"condition value type", AUTH,
	 COND("{\"StringEquals\":{\"a:b\":{\"c\":1}}}"),
	 COND("{\"StringEquals\":{\"a:b\":[\"c\",1,true]}}"), ERR,
	 "policy.condition-value", "p.Statement.Condition.StringEquals[\"a:b\"]",
	 "strings, numbers or booleans, not an object"},
	{"condition values empty", AUTH, COND("{\"StringEquals\":{\"a:b\":[]}}"),
	 COND("{\"StringEquals\":{\"a:b\":[\"\"]}}"), ERR, "policy.empty",
	 "p.Statement.Condition.StringEquals[\"a:b\"]", "at least one value"},
	{"Numeric value", AUTH,
	 COND("{\"NumericLessThan\":{\"vpc-lattice-svcs:Port\":\"ten\"}}"),
	 COND("{\"NumericLessThan\":{\"vpc-lattice-svcs:Port\":\"10\"}}"), ERR,
	 "policy.condition-value",
	 "p.Statement.Condition.NumericLessThan[\"vpc-lattice-svcs:Port\"]",
	 "NumericLessThan needs a number, not \"ten\""},
	{"Date value", AUTH,
	 COND("{\"DateGreaterThan\":{\"aws:CurrentTime\":[\"2026-01-31T12:00:00Z\","
	      "\"yesterday\"]}}"),
	 COND("{\"DateGreaterThan\":{\"aws:CurrentTime\":[\"2026-01-31T12:00:00Z\","
	      "\"2026-01-31\",\"2026-01-31T12:00+02:00\",1769860800]}}"),
	 ERR, "policy.condition-value",
	 "p.Statement.Condition.DateGreaterThan[\"aws:CurrentTime\"][1]",
	 "needs a date"},
	{"Bool value", AUTH,
	 COND("{\"Bool\":{\"aws:SecureTransport\":\"yes\"}}"),
	 COND("{\"Bool\":{\"aws:SecureTransport\":[\"True\",false]}}"), ERR,
	 "policy.condition-value",
	 "p.Statement.Condition.Bool[\"aws:SecureTransport\"]",
	 "Bool needs true or false, not \"yes\""},
	{"IpAddress value", AUTH,
	 COND("{\"NotIpAddress\":{\"aws:SourceIp\":\"10.0.0.0/33\"}}"),
	 COND("{\"NotIpAddress\":{\"aws:SourceIp\":[\"10.0.0.0/32\","
	      "\"2001:db8::/32\",\"192.0.2.1\"]}}"),
	 ERR, "policy.condition-value",
	 "p.Statement.Condition.NotIpAddress[\"aws:SourceIp\"]",
	 "an IP address or CIDR block"},
	{"Arn value", AUTH,
	 COND("{\"ArnLike\":{\"aws:PrincipalArn\":\"role/a\"}}"),
	 COND("{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:role/a*\"}}"),
	 ERR, "policy.condition-value",
	 "p.Statement.Condition.ArnLike[\"aws:PrincipalArn\"]",
	 "ArnLike needs an ARN"},
	{"BinaryEquals value", AUTH,
	 COND("{\"BinaryEquals\":{\"a:b\":\"abc\"}}"),
	 COND("{\"BinaryEquals\":{\"a:b\":\"QmluYXJ5VmFsdWU=\"}}"), ERR,
	 "policy.condition-value", "p.Statement.Condition.BinaryEquals[\"a:b\"]",
	 "base64"},
	{"Null value", AUTH, COND("{\"Null\":{\"aws:PrincipalTag/x\":\"maybe\"}}"),
	 COND("{\"Null\":{\"aws:PrincipalTag/x\":false}}"), ERR,
	 "policy.condition-value",
	 "p.Statement.Condition.Null[\"aws:PrincipalTag/x\"]",
	 "true or false"},
};

static void check_one(const char *text, tr_policy_type type, tr_diag *diag)
{
	(void)tr_policy_check(text, strlen(text), type, &site, diag);
}

static void each_rule_with_its_valid_twin(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const grammar_case *c = &cases[i];
		tr_diag bad, good;
		int rc;

		tr_diag_init(&bad);
		tr_diag_init(&good);
		rc = tr_policy_check(c->bad, strlen(c->bad), c->type, &site, &bad);
		check_one(c->good, c->type, &good);
		if (bad.count != 1 || good.count != 0 ||
		    bad.entries[0].severity != c->sev ||
		    strcmp(bad.entries[0].rule, c->rule) != 0 ||
		    strcmp(bad.entries[0].path, c->path) != 0 ||
		    !strstr(bad.entries[0].message, c->message)) {
			print_error("case \"%s\": bad gave:\n", c->name);
			print_diag(&bad);
			print_error("good gave:\n");
			print_diag(&good);
			fail();
		}
		assert_int_equal(rc, c->sev == ERR ? TR_EINVALID : 0);
		/* The YAML position is the field's. */
		assert_string_equal(bad.entries[0].file, "c/p.yaml");
		assert_int_equal(bad.entries[0].line, 7);
		assert_int_equal(bad.entries[0].col, 11);
		tr_diag_dispose(&bad);
		tr_diag_dispose(&good);
	}
}

/* The article's three policies, and references in every place a value
 * known only at apply time can stand. */
static void real_policies_and_references_pass(void **state)
{
	static const struct {
		tr_policy_type type;
		const char *text;
	} ok[] = {
		{AUTH, "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
		       "\"Allow\",\"Principal\":\"*\",\"Action\":"
		       "\"vpc-lattice-svcs:Invoke\",\"Resource\":\"*\"}]}"},
		{AUTH, "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
		       "\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::"
		       "615847537300:role/aws-sigv4-client\"},\"Action\":"
		       "\"vpc-lattice-svcs:Invoke\",\"Resource\":\"arn:aws:"
		       "vpc-lattice:us-west-2:615847537300:service/"
		       "svc-0891088e6cc27c501/*\",\"Condition\":{\"StringEquals\":"
		       "{\"vpc-lattice-svcs:SourceVpc\":\"vpc-027baaaf7156c6075\"}"
		       "}}]}"},
		{IDENT, "{\n   \"Version\":\"2012-10-17\",\n   \"Statement\":[\n"
			"      {\n         \"Effect\":\"Allow\",\n         "
			"\"Action\":\"vpc-lattice-svcs:Invoke\",\n         "
			"\"Resource\":\"*\"\n      }\n   ]\n}\n"},
		{AUTH, "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
		       "\"Allow\",\"Principal\":{\"AWS\":\"${role:aws-sigv4-client"
		       ".arn}\"},\"Action\":\"vpc-lattice-svcs:Invoke\","
		       "\"Resource\":\"${service:apps/datastore.arn}/*\","
		       "\"Condition\":{\"StringEquals\":{\"vpc-lattice-svcs:"
		       "SourceVpc\":\"${cluster:cluster-a.vpcId}\"},\"ArnEquals\":"
		       "{\"vpc-lattice-svcs:ServiceNetworkArn\":"
		       "\"${servicenetwork:lattice.arn}\"}}}]}"},
		{TRUST, "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":"
			"\"Allow\",\"Principal\":{\"Federated\":\"arn:aws:iam::"
			"${account}:oidc-provider/${cluster:cluster-a."
			"oidcProvider}\"},\"Action\":\"sts:AssumeRoleWithWeb"
			"Identity\",\"Condition\":{\"StringEquals\":{\"${cluster:"
			"cluster-a.oidcProvider}:sub\":\"system:serviceaccount:"
			"apps:aws-sigv4-client\",\"${cluster:cluster-a."
			"oidcProvider}:aud\":\"sts.amazonaws.com\"}}}}"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		tr_diag diag;
		tr_diag_init(&diag);
		assert_int_equal(tr_policy_check(ok[i].text, strlen(ok[i].text),
						 ok[i].type, &site, &diag),
				 0);
		if (diag.count) {
			print_error("policy %zu:\n", i);
			print_diag(&diag);
		}
		assert_int_equal(diag.count, 0);
		tr_diag_dispose(&diag);
	}
}

/* A policy of `n` statements padded with spaces (which never count). */
static void build_sized(tr_buf *b, size_t statements, size_t pad)
{
	assert_int_equal(tr_buf_puts(b, "{\"Version\":\"2012-10-17\",\"Statement\":["), 0);
	for (size_t i = 0; i < statements; i++)
		assert_int_equal(tr_buf_printf(b, "%s{\"Sid\":\"S%04zu\",\"Effect\":"
					       "\"Allow\",\"Principal\":\"*\","
					       "\"Action\":\"vpc-lattice-svcs:Invoke\","
					       "\"Resource\":\"*\"}%*s",
					       i ? "," : "", i, (int)pad, ""),
				 0);
	assert_int_equal(tr_buf_puts(b, "]}"), 0);
}

/* Sizes: at the limit passes, one past fails; whitespace is not counted. */
static void size_limits_per_type(void **state)
{
	/* One statement is 99 bytes compact (with its comma); the frame 40. */
	tr_buf b = TR_BUF_INIT(1 << 20);
	tr_diag diag;
	size_t n = 0;
	(void)state;

	/* Grow until the compact form passes the limit. */
	for (n = 1;; n++) {
		tr_buf_clear(&b);
		build_sized(&b, n, 40);
		if (tr_policy_quota_chars(b.ptr, b.len) > TR_POLICY_AUTH_MAX_BYTES)
			break;
	}
	tr_diag_init(&diag);
	assert_int_equal(tr_policy_check(b.ptr, b.len, AUTH, &site, &diag),
			 TR_EINVALID);
	assert_int_equal(diag.count, 1);
	assert_string_equal(diag.entries[0].rule, "policy.size");
	assert_string_equal(diag.entries[0].path, "p");
	assert_non_null(strstr(diag.entries[0].message, "10240-byte (10 KB)"));
	tr_diag_dispose(&diag);

	/* One statement fewer fits, padding and all (compact is what goes). */
	tr_buf_clear(&b);
	build_sized(&b, n - 1, 40);
	assert_true(b.len > TR_POLICY_AUTH_MAX_BYTES);
	tr_diag_init(&diag);
	assert_int_equal(tr_policy_check(b.ptr, b.len, AUTH, &site, &diag), 0);
	assert_int_equal(diag.count, 0);
	tr_diag_dispose(&diag);

	/* Trust policies: over 2,048 characters is a warning (the quota can
	 * be raised); identity policies: over 10,240 an error. */
	tr_buf_clear(&b);
	assert_int_equal(tr_buf_puts(&b, "{\"Version\":\"2012-10-17\",\"Statement\":"
				 "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":["), 0);
	for (size_t i = 0; i < 200; i++)
		assert_int_equal(tr_buf_printf(&b, "%s \"%012zu\"", i ? "," : "",
					       i), 0);
	assert_int_equal(tr_buf_puts(&b, "]},\"Action\":\"sts:AssumeRole\"}}"), 0);
	assert_true(tr_policy_quota_chars(b.ptr, b.len) > TR_POLICY_TRUST_MAX_CHARS);
	tr_diag_init(&diag);
	assert_int_equal(tr_policy_check(b.ptr, b.len, TRUST, &site, &diag), 0);
	assert_int_equal(diag.count, 1);
	assert_int_equal(diag.entries[0].severity, TR_SEV_WARNING);
	assert_string_equal(diag.entries[0].rule, "policy.size");
	tr_diag_dispose(&diag);

	tr_buf_clear(&b);
	assert_int_equal(tr_buf_puts(&b, "{\"Version\":\"2012-10-17\",\"Statement\":"
				 "{\"Effect\":\"Allow\",\"Action\":\"vpc-lattice-svcs:Invoke\","
				 "\"Resource\":["), 0);
	for (size_t i = 0; i < 200; i++)
		assert_int_equal(tr_buf_printf(&b, "%s\"arn:aws:vpc-lattice:us-west-2:"
					       "123456789012:service/svc-%017zu/*\"",
					       i ? "," : "", i), 0);
	assert_int_equal(tr_buf_puts(&b, "]}}"), 0);
	tr_diag_init(&diag);
	assert_int_equal(tr_policy_check(b.ptr, b.len, IDENT, &site, &diag),
			 TR_EINVALID);
	assert_int_equal(diag.count, 1);
	assert_string_equal(diag.entries[0].rule, "policy.size");
	assert_non_null(strstr(diag.entries[0].message, "10240"));
	tr_diag_dispose(&diag);
	tr_buf_dispose(&b);
}

static void quota_chars_skip_whitespace(void **state)
{
	static const char spaced[] = "{ \"a\" :\n\t\"b c\" }";

	(void)state;
	assert_int_equal(tr_policy_quota_chars(spaced, strlen(spaced)), 10);
	/* Characters, not bytes. */
	assert_int_equal(tr_policy_quota_chars("\"\xc3\xa9\"", 4), 3);
}

static void operators_parse(void **state)
{
	tr_policy_op op;
	(void)state;

	assert_int_equal(tr_policy_op_parse(&op, "ForAllValues:StringNotLikeIfExists"), 0);
	assert_string_equal(op.base, "StringNotLike");
	assert_int_equal(op.set, TR_POLICY_SET_ALL);
	assert_true(op.if_exists);
	assert_true(op.negated);
	assert_int_equal(op.test, TR_POLICY_TEST_LIKE);
	assert_int_equal(tr_policy_op_parse(&op, "IpAddress"), 0);
	assert_int_equal(op.family, TR_POLICY_FAMILY_IP);
	assert_false(op.negated);
	assert_int_equal(tr_policy_op_parse(&op, "NullIfExists"), TR_EINVALID);
	assert_int_equal(tr_policy_op_parse(&op, "IfExists"), TR_EINVALID);
	assert_int_equal(tr_policy_op_parse(&op, "stringequals"), TR_EINVALID);
}

/* In manifests: the position is the policy field's, the path starts at it;
 * a Role's inline policies also count together. */
static void documents_in_manifests(void **state)
{
	static const char yaml[] =
		"apiVersion: application-networking.k8s.aws/v1alpha1\n"
		"kind: IAMAuthPolicy\n"
		"metadata: {name: p, namespace: apps}\n"
		"spec:\n"
		"  targetRef: {group: gateway.networking.k8s.io, kind: HTTPRoute, "
		"name: r}\n"
		"  policy: |\n"
		"    {\"Version\": \"2012-10-17\",\n"
		"     \"Statement\": [{\"Effect\": \"Alow\", \"Principal\": \"*\",\n"
		"       \"Action\": \"vpc-lattice-svcs:Invoke\", \"Resource\": \"*\"}]}\n"
		"---\n"
		"apiVersion: iam.services.k8s.aws/v1alpha1\n"
		"kind: Role\n"
		"metadata: {name: r}\n"
		"spec:\n"
		"  name: r\n"
		"  assumeRolePolicyDocument: '{\"Version\":\"2012-10-17\",\"Statement\":"
		"{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"eks\"},"
		"\"Action\":\"sts:AssumeRole\"}}'\n"
		"  inlinePolicies:\n"
		"    invoke.v1: '{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":"
		"\"Allow\",\"Action\":\"vpc-lattice-svcs:Invoke\"}}'\n";
	tr_manifest_set set;
	tr_diag diag;
	(void)state;

	tr_manifest_set_init(&set);
	tr_diag_init(&diag);
	assert_int_equal(tr_manifest_load(&set, "c/a.yaml", yaml, sizeof(yaml) - 1,
					  &diag), 0);
	assert_int_equal(set.count, 2);
	assert_int_equal(tr_policy_check_document(&set.docs[0], set.docs[0].root,
						  &diag), TR_EINVALID);
	assert_int_equal(tr_policy_check_document(&set.docs[1], set.docs[1].root,
						  &diag), TR_EINVALID);
	tr_diag_sort(&diag);
	if (diag.count != 3)
		print_diag(&diag);
	assert_int_equal(diag.count, 3);
	assert_int_equal(diag.entries[0].line, 6);
	assert_int_equal(diag.entries[0].col, 11);
	assert_string_equal(diag.entries[0].path, "spec.policy.Statement[0].Effect");
	assert_int_equal(diag.entries[1].line, 16);
	assert_string_equal(diag.entries[1].path,
			    "spec.assumeRolePolicyDocument.Statement.Principal.Service");
	assert_int_equal(diag.entries[2].line, 18);
	assert_string_equal(diag.entries[2].path,
			    "spec.inlinePolicies[\"invoke.v1\"].Statement.Resource");
	tr_diag_dispose(&diag);

	/* Other kinds pass untouched. */
	tr_diag_init(&diag);
	{
		static const char svc[] = "apiVersion: v1\nkind: Service\n"
					  "metadata: {name: s}\nspec: {policy: x}\n";
		tr_manifest_set s2;
		tr_manifest_set_init(&s2);
		assert_int_equal(tr_manifest_load(&s2, "c/s.yaml", svc,
						  sizeof(svc) - 1, &diag), 0);
		assert_int_equal(tr_policy_check_document(&s2.docs[0],
							  s2.docs[0].root, &diag), 0);
		assert_int_equal(diag.count, 0);
		tr_manifest_set_dispose(&s2);
	}
	tr_diag_dispose(&diag);
	tr_manifest_set_dispose(&set);
}

/* The inline policies of a role are limited together. */
static void inline_policies_count_together(void **state)
{
	tr_buf y = TR_BUF_INIT(1 << 20), one = TR_BUF_INIT(1 << 16);
	tr_manifest_set set;
	tr_diag diag;
	(void)state;

	assert_int_equal(tr_buf_puts(&one, "'{\"Version\":\"2012-10-17\",\"Statement\":"
				 "{\"Effect\":\"Allow\",\"Action\":\"vpc-lattice-svcs:Invoke\","
				 "\"Resource\":["), 0);
	for (size_t i = 0; i < 40; i++)
		assert_int_equal(tr_buf_printf(&one, "%s\"arn:aws:vpc-lattice:us-west-2:"
					       "123456789012:service/svc-%017zu/*\"",
					       i ? "," : "", i), 0);
	assert_int_equal(tr_buf_puts(&one, "]}}'"), 0);
	assert_int_equal(tr_buf_puts(&y, "apiVersion: iam.services.k8s.aws/v1alpha1\n"
				 "kind: Role\nmetadata: {name: r}\nspec:\n  name: r\n"
				 "  inlinePolicies:\n"), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(tr_buf_printf(&y, "    p%d: %s\n", i, one.ptr), 0);
	tr_manifest_set_init(&set);
	tr_diag_init(&diag);
	assert_int_equal(tr_manifest_load(&set, "c/r.yaml", y.ptr, y.len, &diag), 0);
	assert_int_equal(tr_policy_check_document(&set.docs[0], set.docs[0].root,
						  &diag), TR_EINVALID);
	if (diag.count != 1)
		print_diag(&diag);
	assert_int_equal(diag.count, 1);
	assert_string_equal(diag.entries[0].path, "spec.inlinePolicies");
	assert_int_equal(diag.entries[0].line, 7);
	assert_non_null(strstr(diag.entries[0].message, "together"));
	tr_diag_dispose(&diag);
	tr_manifest_set_dispose(&set);
	tr_buf_dispose(&y);
	tr_buf_dispose(&one);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_rule_with_its_valid_twin),
		cmocka_unit_test(real_policies_and_references_pass),
		cmocka_unit_test(size_limits_per_type),
		cmocka_unit_test(quota_chars_skip_whitespace),
		cmocka_unit_test(operators_parse),
		cmocka_unit_test(documents_in_manifests),
		cmocka_unit_test(inline_policies_count_together),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
