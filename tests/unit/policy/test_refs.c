#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "policy/json.h"
#include "policy/refs.h"
#include "util/alloc.h"

/* Collects what the scanner reports, as "kind|name|line:col" lines. */
static int collect(void *ctx, const tr_policy_ref *ref)
{
	tr_buf *b = ctx;

	return tr_buf_printf(b, "%d|%s|%u:%u|%.*s\n", (int)ref->kind,
			     ref->name, ref->line, ref->col, (int)ref->len,
			     ref->text);
}

static int scan(tr_buf *b, const char *text, tr_policy_ref_error *err)
{
	tr_buf_clear(b);
	return tr_policy_refs_scan(text, strlen(text), collect, b, err);
}

static void finds_every_kind(void **state)
{
	tr_buf b = TR_BUF_INIT(1 << 16);
	tr_policy_ref_error err;
	(void)state;

	assert_int_equal(
		scan(&b,
		     "{\"Resource\": \"${service:apps/datastore.arn}/*\",\n"
		     " \"a\": \"${servicenetwork:lattice-gateway.arn}\",\n"
		     " \"b\": [\"${cluster:cluster-a.vpcId}\", "
		     "\"${cluster:a.b.oidcProvider}\", "
		     "\"${cluster:a.oidcIssuer}\"],\n"
		     " \"c\": \"arn:aws:iam::${account}:role/x\", \"d\": "
		     "\"${region}\", \"e\": \"${role:aws-sigv4-client.arn}\"}",
		     &err),
		0);
	assert_string_equal(
		tr_buf_cstr(&b),
		"0|apps/datastore|1:15|${service:apps/datastore.arn}\n"
		"1|lattice-gateway|2:8|${servicenetwork:lattice-gateway.arn}\n"
		"2|cluster-a|3:9|${cluster:cluster-a.vpcId}\n"
		"3|a.b|3:39|${cluster:a.b.oidcProvider}\n"
		"4|a|3:70|${cluster:a.oidcIssuer}\n"
		"6||4:21|${account}\n"
		"7||4:47|${region}\n"
		"5|aws-sigv4-client|4:65|${role:aws-sigv4-client.arn}\n");
	tr_buf_dispose(&b);
}

static void leaves_iam_variables_alone(void **state)
{
	tr_buf b = TR_BUF_INIT(1 << 16);
	tr_policy_ref_error err;
	(void)state;

	assert_int_equal(scan(&b,
			      "arn:aws:s3:::b/${aws:username}/* ${*} ${?} ${$} "
			      "${aws:PrincipalTag/team, 'none'} "
			      "${www.amazon.com:user_id} ${sts:x} $ {x} $",
			      &err),
		0);
	assert_string_equal(tr_buf_cstr(&b), "");
	/* an unterminated IAM variable is IAM's to reject */
	assert_int_equal(scan(&b, "x ${aws:username", &err), 0);
	tr_buf_dispose(&b);
}

struct bad_case {
	const char *text;
	const char *message; /* a substring of the error */
	uint32_t line, col;
};

static void rejects_malformed_references(void **state)
{
	static const struct bad_case cases[] = {
		{ "${service:datastore.arn}", "NAMESPACE/ROUTE", 1, 1 },
		{ "x ${service:/datastore.arn}", "NAMESPACE/ROUTE", 1, 3 },
		{ "${service:a/b/c.arn}", "one '/'", 1, 1 },
		{ "${service:apps/datastore}", "has no attribute", 1, 1 },
		{ "${service:apps/datastore.id}", "unknown attribute \"id\"", 1,
		  1 },
		{ "\n  ${cluster:a.vpcid}", "a cluster has: vpcId, oidcProvider, "
					    "oidcIssuer", 2, 3 },
		{ "${cluster:a}", "has no attribute", 1, 1 },
		{ "${role:.arn}", "has no name", 1, 1 },
		{ "${role:a/b.arn}", "'/'", 1, 1 },
		{ "${role:a b.arn}", "character", 1, 1 },
		{ "${servce:apps/x.arn}", "did you mean service?", 1, 1 },
		{ "${Cluster:a.vpcId}", "did you mean cluster?", 1, 1 },
		{ "${acount}", "did you mean ${account}?", 1, 1 },
		{ "${Region}", "did you mean ${region}?", 1, 1 },
		{ "${service:apps/datastore.arn", "no closing '}'", 1, 1 },
		{ "${role:x.arn\n}", "no closing '}'", 1, 1 },
	};
	tr_buf b = TR_BUF_INIT(1 << 16);
	tr_policy_ref_error err;
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&err, 0, sizeof(err));
		if (scan(&b, cases[i].text, &err) != TR_EINVALID)
			fail_msg("accepted: %s", cases[i].text);
		if (!strstr(err.message, cases[i].message))
			fail_msg("%s: message \"%s\" lacks \"%s\"",
				 cases[i].text, err.message, cases[i].message);
		assert_int_equal(err.line, cases[i].line);
		assert_int_equal(err.col, cases[i].col);
	}
	tr_buf_dispose(&b);
}

static void caps_the_size_and_the_count(void **state)
{
	tr_policy_ref_error err;
	tr_buf b = TR_BUF_INIT(TR_POLICY_MAX_BYTES * 2);
	char name[TR_POLICY_MAX_REF_NAME_BYTES + 2];
	(void)state;

	for (unsigned i = 0; i < TR_POLICY_MAX_REFS; i++)
		assert_int_equal(tr_buf_puts(&b, "${region}"), 0);
	assert_int_equal(tr_policy_refs_scan(b.ptr, b.len, NULL, NULL, &err), 0);
	assert_int_equal(tr_buf_puts(&b, "${account}"), 0);
	assert_int_equal(tr_policy_refs_scan(b.ptr, b.len, NULL, NULL, &err),
			 TR_ETOOLARGE);
	assert_non_null(strstr(err.message, "more than 1024 references"));

	tr_buf_clear(&b);
	while (b.len <= TR_POLICY_MAX_BYTES)
		assert_int_equal(tr_buf_puts(&b, "                "), 0);
	assert_int_equal(tr_policy_refs_scan(b.ptr, b.len, NULL, NULL, &err),
			 TR_ETOOLARGE);
	tr_buf_truncate(&b, TR_POLICY_MAX_BYTES);
	assert_int_equal(tr_policy_refs_scan(b.ptr, b.len, NULL, NULL, &err), 0);

	/* the longest name is accepted, one byte more is not */
	memset(name, 'r', sizeof(name));
	name[TR_POLICY_MAX_REF_NAME_BYTES] = '\0';
	tr_buf_clear(&b);
	assert_int_equal(tr_buf_printf(&b, "${role:%s.arn}", name), 0);
	assert_int_equal(tr_policy_refs_scan(b.ptr, b.len, NULL, NULL, &err), 0);
	name[TR_POLICY_MAX_REF_NAME_BYTES] = 'r';
	name[TR_POLICY_MAX_REF_NAME_BYTES + 1] = '\0';
	tr_buf_clear(&b);
	assert_int_equal(tr_buf_printf(&b, "${role:%s.arn}", name), 0);
	assert_int_equal(tr_policy_refs_scan(b.ptr, b.len, NULL, NULL, &err),
			 TR_EINVALID);
	assert_non_null(strstr(err.message, "longer than 253"));
	tr_buf_dispose(&b);
}

/* A resolver over a small table: the service is still to be created. */
static tr_policy_resolution resolve(void *ctx, const tr_policy_ref *ref,
				    const char **value)
{
	int *calls = ctx;

	(*calls)++;
	switch (ref->kind) {
	case TR_POLICY_REF_ACCOUNT: *value = "123456789012"; return TR_POLICY_RESOLVED;
	case TR_POLICY_REF_REGION: *value = "us-west-2"; return TR_POLICY_RESOLVED;
	case TR_POLICY_REF_CLUSTER_VPC_ID:
		if (strcmp(ref->name, "cluster-a") == 0) {
			*value = "vpc-0a";
			return TR_POLICY_RESOLVED;
		}
		return TR_POLICY_NOT_FOUND;
	case TR_POLICY_REF_ROLE_ARN:
		*value = "arn:\"q\"\\"; /* escaped on the way in */
		return TR_POLICY_RESOLVED;
	case TR_POLICY_REF_SERVICE_ARN: return TR_POLICY_AFTER_APPLY;
	default: return TR_POLICY_NOT_FOUND;
	}
}

static void substitutes_through_the_resolver(void **state)
{
	const char *policy =
		"{\"R\":\"${service:apps/db.arn}/*\",\"V\":\"${cluster:cluster-a.vpcId}\","
		"\"P\":\"arn:aws:iam::${account}:role/r\",\"G\":\"${region}\","
		"\"Q\":\"${role:r.arn}\",\"U\":\"${aws:username}\"}";
	tr_buf out = TR_BUF_INIT(1 << 16);
	tr_policy_subst_result res;
	int calls = 0;
	(void)state;

	assert_int_equal(tr_policy_refs_substitute(&out, policy, strlen(policy),
						   resolve, &calls,
						   "(known after apply)", &res),
			 0);
	assert_string_equal(tr_buf_cstr(&out),
			    "{\"R\":\"(known after apply)/*\",\"V\":\"vpc-0a\","
			    "\"P\":\"arn:aws:iam::123456789012:role/r\","
			    "\"G\":\"us-west-2\",\"Q\":\"arn:\\\"q\\\"\\\\\","
			    "\"U\":\"${aws:username}\"}");
	assert_int_equal(calls, 5);
	assert_int_equal(res.resolved, 4);
	assert_int_equal(res.after_apply, 1);
	assert_int_equal(res.not_found, 0);

	/* NULL keeps an unknown reference verbatim for a later run */
	tr_buf_clear(&out);
	assert_int_equal(tr_policy_refs_substitute(&out, "${service:a/b.arn}x", 19,
						   resolve, &calls, NULL, &res),
			 0);
	assert_string_equal(tr_buf_cstr(&out), "${service:a/b.arn}x");
	tr_buf_dispose(&out);
}

static void reports_the_first_reference_not_found(void **state)
{
	const char *policy = "{\n \"a\": \"${cluster:cluster-b.vpcId}\",\n"
			     " \"b\": \"${servicenetwork:nope.arn}\"}";
	tr_buf out = TR_BUF_INIT(1 << 16);
	tr_policy_subst_result res;
	int calls = 0;
	(void)state;

	assert_int_equal(tr_policy_refs_substitute(&out, policy, strlen(policy),
						   resolve, &calls, NULL, &res),
			 0);
	assert_int_equal(res.not_found, 2);
	assert_int_equal(res.first_not_found.kind, TR_POLICY_REF_CLUSTER_VPC_ID);
	assert_string_equal(res.first_not_found.name, "cluster-b");
	assert_int_equal(res.first_not_found.line, 2);
	assert_int_equal(res.first_not_found.col, 8);
	assert_string_equal(tr_buf_cstr(&out), policy);

	tr_buf_clear(&out);
	assert_int_equal(tr_policy_refs_substitute(&out, "${role:x}", 9, resolve,
						   &calls, NULL, &res),
			 TR_EINVALID);
	assert_non_null(strstr(res.syntax.message, "no attribute"));
	tr_buf_dispose(&out);
}

static void substitution_respects_the_buffer_cap(void **state)
{
	tr_buf out = TR_BUF_INIT(8);
	tr_policy_subst_result res;
	int calls = 0;
	(void)state;

	assert_int_equal(tr_policy_refs_substitute(&out, "${account}", 10,
						   resolve, &calls, NULL, &res),
			 TR_ETOOLARGE);
	tr_buf_dispose(&out);
}

static void oidc_provider_drops_the_scheme(void **state)
{
	(void)state;
	assert_string_equal(
		tr_policy_oidc_provider("https://oidc.eks.us-west-2.amazonaws.com/id/AB"),
		"oidc.eks.us-west-2.amazonaws.com/id/AB");
	assert_string_equal(tr_policy_oidc_provider("oidc.example/x"),
			    "oidc.example/x");
	assert_string_equal(tr_policy_oidc_provider(NULL), "");
}

static void normalises_key_order_and_whitespace(void **state)
{
	char *a = NULL, *b = NULL;
	const char *x = "{ \"Version\": \"2012-10-17\",\n  \"Statement\": [ {"
			"\"Effect\":\"Allow\", \"Action\" : \"*\", \"Principal\": "
			"\"*\", \"Resource\": [\"b\", \"a\"] } ] }\n";
	const char *y = "{\"Statement\":[{\"Resource\":[\"b\",\"a\"],"
			"\"Principal\":\"*\",\"Effect\":\"Allow\",\"Action\":\"*\"}],"
			"\"Version\":\"2012-10-17\"}";
	(void)state;

	assert_int_equal(tr_policy_json_normalise(&a, x, strlen(x)), 0);
	assert_int_equal(tr_policy_json_normalise(&b, y, strlen(y)), 0);
	assert_string_equal(a, "{\"Statement\":[{\"Action\":\"*\",\"Effect\":"
			       "\"Allow\",\"Principal\":\"*\",\"Resource\":"
			       "[\"b\",\"a\"]}],\"Version\":\"2012-10-17\"}");
	assert_string_equal(a, b);
	assert_true(tr_policy_json_equal(x, y));
	tr_free(a);
	tr_free(b);

	/* array order and values still matter */
	assert_false(tr_policy_json_equal("{\"a\":[1,2]}", "{\"a\":[2,1]}"));
	assert_false(tr_policy_json_equal("{\"a\":\"x\"}", "{\"a\":\"y\"}"));
	assert_false(tr_policy_json_equal("{\"a\":1}", "{\"a\":1,\"b\":1}"));
	/* escapes written two ways are the same string */
	assert_true(tr_policy_json_equal("{\"a\":\"\\u0041/\"}", "{\"a\":\"A\\/\"}"));
	/* not JSON: compared as bytes */
	assert_true(tr_policy_json_equal("{nope", "{nope"));
	assert_false(tr_policy_json_equal("{nope", "{nope "));
	assert_true(tr_policy_json_equal(NULL, NULL));
	assert_false(tr_policy_json_equal("{}", NULL));
}

static void rejects_what_is_not_one_json_value(void **state)
{
	char *out = (char *)1;
	char deep[2 * (TR_POLICY_MAX_JSON_DEPTH + 1) + 1];
	size_t i;
	(void)state;

	assert_int_equal(tr_policy_json_normalise(&out, "{} {}", 5), TR_EINVALID);
	assert_null(out);
	assert_int_equal(tr_policy_json_normalise(&out, "{\"a\":1,}", 8),
			 TR_EINVALID);
	assert_int_equal(tr_policy_json_normalise(&out, "", 0), TR_EINVALID);
	for (i = 0; i <= TR_POLICY_MAX_JSON_DEPTH; i++) {
		deep[i] = '[';
		deep[2 * (TR_POLICY_MAX_JSON_DEPTH + 1) - 1 - i] = ']';
	}
	deep[sizeof(deep) - 1] = '\0';
	assert_int_equal(tr_policy_json_normalise(&out, deep, strlen(deep)),
			 TR_ETOOLARGE);
	/* one level less is fine */
	assert_int_equal(tr_policy_json_normalise(&out, deep + 1, strlen(deep) - 2),
			 0);
	tr_free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(finds_every_kind),
		cmocka_unit_test(leaves_iam_variables_alone),
		cmocka_unit_test(rejects_malformed_references),
		cmocka_unit_test(caps_the_size_and_the_count),
		cmocka_unit_test(substitutes_through_the_resolver),
		cmocka_unit_test(reports_the_first_reference_not_found),
		cmocka_unit_test(substitution_respects_the_buffer_cap),
		cmocka_unit_test(oidc_provider_drops_the_scheme),
		cmocka_unit_test(normalises_key_order_and_whitespace),
		cmocka_unit_test(rejects_what_is_not_one_json_value),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
