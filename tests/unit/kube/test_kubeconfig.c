/*
 * tr_kube_config_read: contexts, clusters and users picked by name, CA and
 * client certificate data decoded, files and tokens passed through, and
 * every refusal (exec plugins, insecure-skip-tls-verify, missing context,
 * plain http, bad base64, the PEM cap) reported at its line and field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kube/kube.h"
#include "util/limits.h"

/* Two clusters, two users, three contexts; "b" is current. */
#define CONFIG_HEAD                                                        \
	"apiVersion: v1\n"                                                 \
	"kind: Config\n"                                                   \
	"clusters:\n"                                                      \
	"- name: ca\n"                                                     \
	"  cluster:\n"                                                     \
	"    server: https://a.example:6443\n"                              \
	"    certificate-authority-data: SGVsbG8gQ0E=\n"                   \
	"- name: cb\n"                                                     \
	"  cluster:\n"                                                     \
	"    server: https://b.example\n"                                   \
	"    certificate-authority: certs/b.pem\n"                         \
	"users:\n"                                                         \
	"- name: ua\n"                                                     \
	"  user:\n"                                                        \
	"    token: tok-a\n"                                               \
	"- name: ub\n"                                                     \
	"  user:\n"                                                        \
	"    tokenFile: /var/run/token\n"                                  \
	"    client-certificate-data: Y2VydA==\n"                          \
	"    client-key-data: a2V5\n"                                      \
	"- name: uc\n"                                                     \
	"  user:\n"                                                        \
	"    client-certificate: c.crt\n"                                  \
	"    client-key: c.key\n"                                          \
	"contexts:\n"                                                      \
	"- name: a\n"                                                      \
	"  context: {cluster: ca, user: ua}\n"                             \
	"- name: b\n"                                                      \
	"  context: {cluster: cb, user: ub}\n"                             \
	"- name: c\n"                                                      \
	"  context: {cluster: cb, user: uc}\n"

typedef struct ok_case {
	const char *what;
	const char *text;
	const char *context;
	const char *server, *ca_file, *ca_pem, *token, *token_file;
	const char *cert_pem, *key_pem, *cert_file, *key_file;
} ok_case;

static const ok_case OK_CASES[] = {
	{"named context a: CA data decoded, token", CONFIG_HEAD, "a",
	 "https://a.example:6443", NULL, "Hello CA", "tok-a", NULL, NULL, NULL,
	 NULL, NULL},
	{"current-context b: CA file, tokenFile, client cert data",
	 CONFIG_HEAD "current-context: b\n", NULL, "https://b.example",
	 "certs/b.pem", NULL, NULL, "/var/run/token", "cert", "key", NULL,
	 NULL},
	{"explicit context beats current-context",
	 CONFIG_HEAD "current-context: b\n", "c", "https://b.example",
	 "certs/b.pem", NULL, NULL, NULL, NULL, NULL, "c.crt", "c.key"},
	{"a context without a user",
	 "clusters:\n- name: x\n  cluster: {server: 'https://x'}\n"
	 "contexts:\n- name: only\n  context: {cluster: x}\n"
	 "current-context: only\n",
	 NULL, "https://x", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
	{"insecure-skip-tls-verify: false is fine",
	 "clusters:\n- name: x\n  cluster:\n    server: https://x\n"
	 "    insecure-skip-tls-verify: false\n"
	 "contexts:\n- name: k\n  context: {cluster: x}\n",
	 "k", "https://x", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

static void expect_str(const char *what, const char *field, const char *want,
		       const char *got)
{
	if (!want && !got)
		return;
	if (!want || !got || strcmp(want, got) != 0)
		fail_msg("%s: %s: want \"%s\", got \"%s\"", what, field,
			 want ? want : "(null)", got ? got : "(null)");
}

static void test_reads(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(OK_CASES) / sizeof(OK_CASES[0]); i++) {
		const ok_case *c = &OK_CASES[i];
		tr_manifest_set set;
		tr_diag diag;
		tr_kube_access a;
		int rc;

		tr_manifest_set_init(&set);
		tr_diag_init(&diag);
		rc = tr_kube_config_read(&a, &set, "kc.yaml", c->text,
					 strlen(c->text), c->context, &diag);
		if (rc != 0)
			fail_msg("%s: rc %d, first diag: %s", c->what, rc,
				 diag.count ? diag.entries[0].message : "-");
		assert_int_equal(diag.count, 0);
		expect_str(c->what, "server", c->server, a.server);
		expect_str(c->what, "ca_file", c->ca_file, a.ca_file);
		expect_str(c->what, "ca_pem", c->ca_pem, a.ca_pem);
		if (c->ca_pem)
			assert_int_equal(a.ca_pem_len, strlen(c->ca_pem));
		expect_str(c->what, "token", c->token, a.token);
		expect_str(c->what, "token_file", c->token_file, a.token_file);
		expect_str(c->what, "cert_pem", c->cert_pem, a.cert_pem);
		if (c->cert_pem)
			assert_int_equal(a.cert_pem_len, strlen(c->cert_pem));
		expect_str(c->what, "key_pem", c->key_pem, a.key_pem);
		if (c->key_pem)
			assert_int_equal(a.key_pem_len, strlen(c->key_pem));
		expect_str(c->what, "cert_file", c->cert_file, a.cert_file);
		expect_str(c->what, "key_file", c->key_file, a.key_file);
		tr_diag_dispose(&diag);
		tr_manifest_set_dispose(&set);
	}
}

typedef struct bad_case {
	const char *what;
	const char *text;
	const char *context;
	unsigned line;      /* of the first error; 0: not checked */
	const char *field;  /* its field path, NULL: none expected */
	const char *says;   /* a piece of its message */
} bad_case;

static const bad_case BAD_CASES[] = {
	{"no context at all", CONFIG_HEAD, NULL, 1, "current-context",
	 "no context"},
	{"unknown context", CONFIG_HEAD, "nope", 26, "contexts",
	 "no entry named \"nope\" in contexts"},
	{"context naming an unknown cluster",
	 "clusters: []\ncontexts:\n- name: k\n  context: {cluster: gone}\n",
	 "k", 4, "contexts[].context.cluster",
	 "no entry named \"gone\" in clusters"},
	{"context naming an unknown user",
	 "clusters:\n- name: x\n  cluster: {server: 'https://x'}\n"
	 "contexts:\n- name: k\n  context: {cluster: x, user: who}\n",
	 "k", 6, "contexts[].context.user", "no entry named \"who\" in users"},
	{"context without a cluster",
	 "contexts:\n- name: k\n  context: {user: u}\n", "k", 3,
	 "contexts[].context.cluster", "names no cluster"},
	{"context entry without its object",
	 "contexts:\n- name: k\n", "k", 2, "contexts", "has no context object"},
	{"plain http server",
	 "clusters:\n- name: x\n  cluster: {server: 'http://x'}\n"
	 "contexts:\n- name: k\n  context: {cluster: x}\n",
	 "k", 3, "clusters[].cluster.server", "https://"},
	{"insecure-skip-tls-verify refused",
	 "clusters:\n- name: x\n  cluster:\n    server: https://x\n"
	 "    insecure-skip-tls-verify: true\n"
	 "contexts:\n- name: k\n  context: {cluster: x}\n",
	 "k", 5, "clusters[].cluster.insecure-skip-tls-verify",
	 "always verifies"},
	{"exec plugin refused",
	 "clusters:\n- name: x\n  cluster: {server: 'https://x'}\n"
	 "users:\n- name: u\n  user:\n    exec:\n"
	 "      command: aws\n"
	 "contexts:\n- name: k\n  context: {cluster: x, user: u}\n",
	 "k", 8, "users[].user.exec", "exec credential plugins"},
	{"CA data not base64",
	 "clusters:\n- name: x\n  cluster:\n    server: https://x\n"
	 "    certificate-authority-data: '%%%%'\n"
	 "contexts:\n- name: k\n  context: {cluster: x}\n",
	 "k", 5, "clusters[].cluster.certificate-authority-data",
	 "not valid base64"},
	{"CA data of a bad length",
	 "clusters:\n- name: x\n  cluster:\n    server: https://x\n"
	 "    certificate-authority-data: abc\n"
	 "contexts:\n- name: k\n  context: {cluster: x}\n",
	 "k", 5, "clusters[].cluster.certificate-authority-data",
	 "must be base64"},
	{"client key data empty",
	 "clusters:\n- name: x\n  cluster: {server: 'https://x'}\n"
	 "users:\n- name: u\n  user:\n    client-key-data: ''\n"
	 "contexts:\n- name: k\n  context: {cluster: x, user: u}\n",
	 "k", 7, "users[].user.client-key-data", "must be base64"},
	{"not an object", "- just\n- a list\n", NULL, 1, NULL,
	 "must be an object"},
	{"broken YAML", "clusters: [\n", NULL, 0, NULL, NULL},
};

static void check_bad(const char *what, const char *text, size_t len,
		      const char *context, unsigned line, const char *field,
		      const char *says)
{
	tr_manifest_set set;
	tr_diag diag;
	tr_kube_access a;
	const tr_diag_entry *e;
	int rc;

	tr_manifest_set_init(&set);
	tr_diag_init(&diag);
	rc = tr_kube_config_read(&a, &set, "kc.yaml", text, len, context,
				 &diag);
	if (rc != TR_EINVALID)
		fail_msg("%s: rc %d, want TR_EINVALID", what, rc);
	if (tr_diag_count(&diag, TR_SEV_ERROR) == 0)
		fail_msg("%s: no error recorded", what);
	e = &diag.entries[0];
	if (!e->file || strcmp(e->file, "kc.yaml") != 0)
		fail_msg("%s: file %s", what, e->file ? e->file : "(null)");
	if (line && e->line != line)
		fail_msg("%s: line %u, want %u (%s)", what, e->line, line,
			 e->message);
	if (says && (!field) != (!e->path))
		fail_msg("%s: field %s, want %s", what,
			 e->path ? e->path : "(null)", field ? field : "(null)");
	if (field && strcmp(e->path, field) != 0)
		fail_msg("%s: field %s, want %s", what, e->path, field);
	if (says && !strstr(e->message, says))
		fail_msg("%s: message \"%s\" lacks \"%s\"", what, e->message,
			 says);
	tr_diag_dispose(&diag);
	tr_manifest_set_dispose(&set);
}

static void test_refusals(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(BAD_CASES) / sizeof(BAD_CASES[0]); i++) {
		const bad_case *c = &BAD_CASES[i];
		check_bad(c->what, c->text, strlen(c->text), c->context,
			  c->line, c->field, c->says);
	}
}

/* A CA bundle over TR_KUBE_MAX_PEM_BYTES is refused, one at the cap read. */
static void test_pem_cap(void **state)
{
	const char *head = "clusters:\n- name: x\n  cluster:\n"
			   "    server: https://x\n"
			   "    certificate-authority-data: ";
	const char *tail = "\ncontexts:\n- name: k\n  context: {cluster: x}\n";
	size_t sizes[] = {TR_KUBE_MAX_PEM_BYTES, TR_KUBE_MAX_PEM_BYTES + 4};

	(void)state;
	for (size_t s = 0; s < 2; s++) {
		size_t n = strlen(head) + sizes[s] + strlen(tail);
		char *text = malloc(n + 1);
		tr_manifest_set set;
		tr_diag diag;
		tr_kube_access a;
		int rc;

		assert_non_null(text);
		memcpy(text, head, strlen(head));
		memset(text + strlen(head), 'Q', sizes[s]);
		memcpy(text + strlen(head) + sizes[s], tail,
		       strlen(tail) + 1);
		tr_manifest_set_init(&set);
		tr_diag_init(&diag);
		rc = tr_kube_config_read(&a, &set, "kc.yaml", text, n, "k",
					 &diag);
		if (s == 0 && rc != 0)
			fail_msg("at the cap: rc %d: %s", rc,
				 diag.count ? diag.entries[0].message : "-");
		if (s == 0) {
			assert_int_equal(rc, 0);
			assert_int_equal(a.ca_pem_len,
					 TR_KUBE_MAX_PEM_BYTES / 4 * 3);
		} else {
			assert_int_equal(rc, TR_EINVALID);
			/* The YAML loader's scalar cap (the same size)
			 * stops it first, at its line. */
			assert_true(diag.count > 0);
			assert_int_equal(diag.entries[0].line, 5);
			assert_non_null(strstr(diag.entries[0].message,
					       "larger than"));
		}
		tr_diag_dispose(&diag);
		tr_manifest_set_dispose(&set);
		free(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_pem_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
