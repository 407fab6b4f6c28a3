/*
 * Commit signatures in a run: the trust root from the command line or the
 * environment (never from the repository), the check of the commit that
 * is read, and the narrowing trellis.yaml may add (verify:). plan and apply
 * refuse anything but a good signature before any AWS request; validate,
 * render and diff report it, and refuse only with --require-signed.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/load.h"
#include "util/alloc.h"
#include "util/limits.h"

static const char *const status_rules[TR_VERIFY_STATUS_COUNT] = {
	"verify.good", "verify.unsigned", "verify.bad-signature",
	"verify.unknown-key", "verify.expired-key", "verify.revoked-key",
	"verify.not-allowed"};

void tr_cli_trust_init(tr_cli_trust *t)
{
	memset(t, 0, sizeof(*t));
	tr_verify_result_init(&t->result);
	tr_buf_init(&t->sig, TR_MAX_SIGNATURE_BYTES);
}

void tr_cli_trust_dispose(tr_cli_trust *t)
{
	tr_verify_free(t->verify);
	tr_verify_result_dispose(&t->result);
	tr_buf_dispose(&t->sig);
	memset(t, 0, sizeof(*t));
}

static const char *env_or(const char *given, const char *name)
{
	const char *v = given ? given : getenv(name);

	return v && *v ? v : NULL;
}

int tr_cli_trust_open(tr_cli_trust *t, tr_cli *cli, bool enforce,
		      tr_diag *diag)
{
	const tr_cli_args *a = &cli->args;
	tr_verify_options o = {0};

	o.keys = env_or(a->verify_keys, "TRELLIS_VERIFY_KEYS");
	o.allowed_signers = env_or(a->allowed_signers, "TRELLIS_ALLOWED_SIGNERS");
	o.tmp_dir = env_or(NULL, "TMPDIR");
	t->enforce = enforce || a->require_signed;
	t->wanted = o.keys || o.allowed_signers || a->require_signed;
	if (!t->wanted)
		return 0;
	if (!o.keys && !o.allowed_signers) {
		tr_diag_add(diag, TR_SEV_ERROR, "verify.trust-root", NULL, 0, 0,
			    NULL, "--require-signed needs a trust root: "
			    "--verify-keys FILE|DIR (OpenPGP) or "
			    "--allowed-signers FILE (SSH), or "
			    "TRELLIS_VERIFY_KEYS / TRELLIS_ALLOWED_SIGNERS");
		return TR_EINVALID;
	}
	return tr_verify_new(&t->verify, &o, diag);
}

/* "Alice <a@example.com>, OpenPGP key 0123..." or what is known of it. */
static void describe_signer(tr_buf *out, const tr_verify_result *r)
{
	if (r->kind == TR_SIG_NONE)
		return;
	if (tr_buf_printf(out, "%s%s%s key %s", r->signer.len ? r->signer.ptr : "",
			  r->signer.len ? ", " : "", tr_verify_kind_name(r->kind),
			  r->key.len ? r->key.ptr : "(unreadable)") < 0)
		tr_buf_clear(out);
}

static void report_bad(tr_cli_trust *t, const char *commit,
		       const tr_verify_result *r, tr_diag *diag)
{
	tr_buf who = TR_BUF_INIT(TR_MAX_LINE_BYTES);

	describe_signer(&who, r);
	tr_diag_add(diag, t->enforce ? TR_SEV_ERROR : TR_SEV_WARNING,
		    status_rules[r->status], NULL, 0, 0, NULL,
		    "commit %s: %s: %s%s%s%s%s", commit,
		    tr_verify_status_name(r->status), tr_buf_cstr(&r->reason),
		    who.len ? " (signer: " : "", tr_buf_cstr(&who),
		    who.len ? ")" : "",
		    t->enforce ? "; refusing to use it"
			       : " (--require-signed would refuse it)");
	tr_buf_dispose(&who);
}

/* Source problems (a plain folder, a missing ref) stop an enforced run;
 * a report-only run carries on with them as warnings. */
static void move_diags(tr_diag *to, tr_diag *from, bool as_error)
{
	for (size_t i = 0; i < from->count; i++) {
		const tr_diag_entry *e = &from->entries[i];

		tr_diag_add(to, as_error ? TR_SEV_ERROR : TR_SEV_WARNING,
			    e->rule, e->file, e->line, e->col, e->path, "%s%s",
			    as_error ? "" : "signature not checked: ",
			    e->message);
	}
}

/* Checks one commit into `r`; negative when it could not be checked. */
static int check_commit(tr_verify_result *r, tr_buf *sig, tr_cli_trust *t,
			tr_source *src, const char *commit, tr_diag *diag)
{
	tr_buf payload = TR_BUF_INIT(TR_MAX_COMMIT_BYTES);
	int error;

	tr_buf_clear(sig);
	error = tr_source_signature(sig, &payload, src, commit, diag);
	if (error == 0 &&
	    (error = tr_verify_check(r, t->verify, sig->ptr, sig->len,
				     payload.ptr ? payload.ptr : "",
				     payload.len)) < 0)
		tr_diag_add(diag, TR_SEV_ERROR, "verify.io", NULL, 0, 0, NULL,
			    "commit %s: the signature could not be checked: "
			    "%s", commit, tr_buf_cstr(&r->reason));
	tr_buf_dispose(&payload);
	return error;
}

int tr_cli_trust_check(tr_cli_trust *t, tr_cli *cli, tr_source *src,
		       const char *ref, tr_diag *diag)
{
	tr_diag local;
	int error;

	(void)cli;
	if (!t->verify)
		return 0;
	tr_diag_init(&local);
	error = tr_source_resolve(t->commit, src, ref, &local);
	move_diags(diag, &local, t->enforce);
	tr_diag_dispose(&local);
	if (error < 0)
		return t->enforce ? error : 0;
	if ((error = check_commit(&t->result, &t->sig, t, src, t->commit,
				  diag)) < 0)
		return error;
	t->checked = true;
	if (t->result.status == TR_VERIFY_GOOD)
		return 0; /* reported once the config's narrowing is known */
	report_bad(t, t->commit, &t->result, diag);
	return t->enforce ? TR_EREFUSED : 0;
}

/* <base>/<rel>, where base is --path ("" = the root). */
static int repo_path(tr_buf *out, const char *base, const char *rel)
{
	size_t n;

	if (!base)
		base = "";
	while (base[0] == '.' && base[1] == '/')
		base += 2;
	if (strcmp(base, ".") == 0)
		base = "";
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	if (n && (tr_buf_put(out, base, n) < 0 || tr_buf_putc(out, '/') < 0))
		return TR_ETOOLARGE;
	return tr_buf_puts(out, rel);
}

/* A verify.keys or verify.allowedSigners file of the repository, read at
 * the verified commit (whose signature vouches for it). */
static int read_narrowing(tr_buf *out, bool *given, tr_cli_trust *t,
			  const char *base, tr_source *src,
			  const tr_config *cfg, const char *rel,
			  const char *field, tr_diag *diag)
{
	tr_buf path = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	int error;

	*given = rel != NULL;
	if (!rel)
		return 0;
	if ((error = repo_path(&path, base, rel)) == 0)
		error = tr_source_read_path(out, src, t->commit, path.ptr);
	if (error < 0) {
		const tr_node *at = tr_node_get(cfg->verify.node, field);

		tr_diag_add(diag, t->enforce ? TR_SEV_ERROR : TR_SEV_WARNING,
			    "verify.config", cfg->file, at ? at->line : 0,
			    at ? at->col : 0, field[0] == 'k' ? "verify.keys"
							      : "verify.allowedSigners",
			    "'%s' cannot be read at commit %s%s", path.ptr,
			    t->commit,
			    error == TR_ETOOLARGE ? " (a file is too large)"
						  : " (no such file or folder)");
	}
	tr_buf_dispose(&path);
	return error;
}

static int narrow(tr_verify_result *r, tr_cli_trust *t, const tr_buf *sig,
		  const tr_buf *keys, bool have_keys, const tr_buf *signers,
		  bool have_signers, const char *where, const char *commit,
		  tr_diag *diag)
{
	int error = tr_verify_narrow(r, t->verify, sig->ptr, sig->len,
				     have_keys ? tr_buf_cstr(keys) : NULL,
				     keys->len,
				     have_signers ? tr_buf_cstr(signers) : NULL,
				     signers->len, where);

	if (error < 0)
		tr_diag_add(diag, TR_SEV_ERROR, "verify.io", NULL, 0, 0, NULL,
			    "commit %s: %s", commit, tr_buf_cstr(&r->reason));
	return error;
}

int tr_cli_trust_policy(tr_cli_trust *t, tr_cli *cli, tr_source *src,
			const tr_config *cfg, const char *base, tr_diag *diag)
{
	tr_buf keys = TR_BUF_INIT(TR_MAX_KEY_FILE_BYTES * (size_t)TR_MAX_KEY_FILES);
	tr_buf signers = TR_BUF_INIT(TR_MAX_KEY_FILE_BYTES * (size_t)TR_MAX_KEY_FILES);
	tr_buf sig = TR_BUF_INIT(TR_MAX_SIGNATURE_BYTES);
	tr_buf who = TR_BUF_INIT(TR_MAX_LINE_BYTES);
	tr_verify_result r;
	char(*list)[41] = NULL;
	size_t count = 0;
	const char *where = base && *base ? base : ".";
	bool have_keys = false, have_signers = false;
	int error = 0;

	tr_verify_result_init(&r);
	if (cfg->verify.present && !t->verify) {
		tr_diag_add(diag, t->enforce ? TR_SEV_ERROR : TR_SEV_WARNING,
			    "verify.trust-root", cfg->file,
			    cfg->verify.node ? cfg->verify.node->line : 0,
			    cfg->verify.node ? cfg->verify.node->col : 0,
			    "verify", "trellis.yaml asks for signed commits, "
			    "but no trust root was given: the repository "
			    "cannot vouch for itself; give --verify-keys or "
			    "--allowed-signers (or TRELLIS_VERIFY_KEYS / "
			    "TRELLIS_ALLOWED_SIGNERS)");
		error = t->enforce ? TR_EREFUSED : 0;
		goto done;
	}
	if (!t->verify || !t->checked || t->result.status != TR_VERIFY_GOOD)
		goto done;
	if ((error = read_narrowing(&keys, &have_keys, t, base, src, cfg,
				    cfg->verify.keys, "keys", diag)) < 0 ||
	    (error = read_narrowing(&signers, &have_signers, t, base, src, cfg,
				    cfg->verify.allowed_signers,
				    "allowedSigners", diag)) < 0) {
		error = t->enforce ? error : 0;
		goto done;
	}
	if ((error = narrow(&t->result, t, &t->sig, &keys, have_keys,
			    &signers, have_signers, where, t->commit,
			    diag)) < 0)
		goto done;
	if (t->result.status != TR_VERIFY_GOOD) {
		report_bad(t, t->commit, &t->result, diag);
		error = t->enforce ? TR_EREFUSED : 0;
		goto done;
	}
	if (cfg->verify.since) {
		tr_diag local;

		tr_diag_init(&local);
		error = tr_source_commits_since(&list, &count, src, t->commit,
						cfg->verify.since, &local);
		move_diags(diag, &local, t->enforce);
		tr_diag_dispose(&local);
		if (error < 0) {
			error = t->enforce ? error : 0;
			goto done;
		}
		for (size_t i = 0; i < count; i++) {
			if (strcmp(list[i], t->commit) == 0)
				continue;
			if ((error = check_commit(&r, &sig, t, src, list[i],
						  diag)) < 0 ||
			    (error = narrow(&r, t, &sig, &keys, have_keys,
					    &signers, have_signers, where,
					    list[i], diag)) < 0)
				goto done;
			if (r.status != TR_VERIFY_GOOD) {
				report_bad(t, list[i], &r, diag);
				error = t->enforce ? TR_EREFUSED : 0;
				goto done;
			}
		}
	}
	describe_signer(&who, &t->result);
	tr_cli_printf(cli, cli->err,
		      "trellis: commit %s is signed by a trusted signer (%s)%s%s%s\n",
		      t->commit, tr_buf_cstr(&who),
		      cfg->verify.since ? "; so are all commits since " : "",
		      cfg->verify.since ? cfg->verify.since : "",
		      cfg->verify.since ? "" : "");
done:
	tr_free(list);
	tr_verify_result_dispose(&r);
	tr_buf_dispose(&keys);
	tr_buf_dispose(&signers);
	tr_buf_dispose(&sig);
	tr_buf_dispose(&who);
	return error;
}
