/*
 * Remotes: telling URLs from folders, taking secrets out of URLs before
 * libgit2 (and the cache's config file) ever sees them, and fetching with
 * callbacks that give credentials a bounded number of times and check SSH
 * host keys against a known_hosts file.
 */
#include "source/internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "util/alloc.h"
#include "util/limits.h"
#include "util/str.h"

/* ------------------------------------------------------------------ */
/* Messages                                                           */
/* ------------------------------------------------------------------ */

/* A URL inside a message runs from its scheme to the next space or quote. */
static size_t url_token_end(const char *s)
{
	return strcspn(s, " \t\r\n'\"<>");
}

void tr_source__git_error(tr_buf *out, const tr_redactor *redactor)
{
	const git_error *e = git_error_last();
	const char *msg = e && e->message ? e->message : "unknown error";
	tr_buf tmp = TR_BUF_INIT(TR_MAX_MESSAGE_BYTES);
	const char *p = msg;

	while (*p) {
		const char *scheme = strstr(p, "://");
		const char *start;
		char *url;

		if (!scheme)
			break;
		start = scheme;
		while (start > p && (isalnum((unsigned char)start[-1]) ||
				     start[-1] == '+' || start[-1] == '-' ||
				     start[-1] == '.'))
			start--;
		if (tr_buf_put(&tmp, p, (size_t)(start - p)) < 0)
			break;
		url = tr_strndup(start, (size_t)(scheme - start) +
						url_token_end(scheme));
		if (tr_redact_url(&tmp, url) < 0) {
			tr_free(url);
			break;
		}
		p = start + strlen(url);
		tr_free(url);
	}
	if (tr_buf_puts(&tmp, p) < 0) {
		/* Over the message cap: what is there is still scrubbed. */
	}
	for (size_t i = 0; i < tmp.len; i++)
		if (tmp.ptr[i] == '\n' || tmp.ptr[i] == '\r')
			tmp.ptr[i] = ' ';
	while (tmp.len && (tmp.ptr[tmp.len - 1] == ' ' ||
			   tmp.ptr[tmp.len - 1] == '.'))
		tr_buf_truncate(&tmp, tmp.len - 1);
	if (redactor)
		tr_redactor_scrub(redactor, &tmp);
	if (tr_buf_puts(out, tr_buf_cstr(&tmp)) < 0) {
		/* The caller's buffer is full; the message is cut. */
	}
	tr_buf_dispose(&tmp);
}

void tr_source__fail(tr_diag *diag, const tr_redactor *redactor,
		     const char *rule, const char *fmt, ...)
{
	tr_buf msg = TR_BUF_INIT(TR_MAX_MESSAGE_BYTES);
	va_list ap;

	va_start(ap, fmt);
	if (tr_buf_vprintf(&msg, fmt, ap) < 0) {
		/* Cut, not lost: what fitted is reported. */
	}
	va_end(ap);
	if (redactor)
		tr_redactor_scrub(redactor, &msg);
	tr_diag_add(diag, TR_SEV_ERROR, rule, NULL, 0, 0, NULL, "%s",
		    tr_buf_cstr(&msg));
	tr_buf_dispose(&msg);
}

/* ------------------------------------------------------------------ */
/* URLs                                                               */
/* ------------------------------------------------------------------ */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static char *percent_decode(const char *s, size_t len)
{
	char *out = tr_malloc(len + 1);
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		int hi, lo;

		if (s[i] == '%' && i + 2 < len &&
		    (hi = hexval(s[i + 1])) >= 0 &&
		    (lo = hexval(s[i + 2])) >= 0) {
			out[n++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			out[n++] = s[i];
		}
	}
	out[n] = '\0';
	return out;
}

static int parse_port(const char *s, size_t len)
{
	int port = 0;

	if (len == 0 || len > 5)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		port = port * 10 + (s[i] - '0');
	}
	return port > 0 && port <= 65535 ? port : -1;
}

/* scp-like "[user@]host:path": a colon before any slash, not "C:". */
static int is_scp_like(const char *repo)
{
	const char *colon = strchr(repo, ':');
	const char *slash = strchr(repo, '/');

	if (!colon || colon - repo < 2 || (slash && slash < colon))
		return 0;
	return 1;
}

int tr_source__url_parse(tr_source__url *out, const char *repo)
{
	static const struct {
		const char *prefix;
		int scheme;
	} schemes[] = {
		{"file://", TR_SCHEME_FILE},   {"http://", TR_SCHEME_HTTP},
		{"https://", TR_SCHEME_HTTPS}, {"ssh://", TR_SCHEME_SSH},
		{"git+ssh://", TR_SCHEME_SSH}, {"ssh+git://", TR_SCHEME_SSH},
		{"git://", TR_SCHEME_GIT},
	};
	tr_buf clean = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	tr_buf display = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	const char *auth, *host_end, *at = NULL, *host, *colon, *port_colon;
	size_t prefix_len = 0;
	int error = TR_EINVALID;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		if (tr_str_has_prefix(repo, schemes[i].prefix)) {
			out->scheme = schemes[i].scheme;
			prefix_len = strlen(schemes[i].prefix);
			break;
		}
	}
	if (tr_redact_url(&display, repo) < 0)
		goto done;
	if (out->scheme == TR_SCHEME_LOCAL) {
		if (strstr(repo, "://")) {
			error = TR_EUNSUPPORTED;
			goto done;
		}
		if (!is_scp_like(repo)) {
			error = 0; /* a local folder */
			goto done;
		}
		/* user@host:path: the user is not a secret, there is no
		 * password, libgit2 understands the form as it is. */
		out->scheme = TR_SCHEME_SSH;
		colon = strchr(repo, ':');
		at = memchr(repo, '@', (size_t)(colon - repo));
		host = at ? at + 1 : repo;
		if (at)
			out->user = tr_strndup(repo, (size_t)(at - repo));
		out->host = tr_strndup(host, (size_t)(colon - host));
		if (tr_buf_puts(&clean, repo) < 0)
			goto done;
		error = 0;
		goto done;
	}

	auth = repo + prefix_len;
	host_end = auth + strcspn(auth, "/?#");
	for (const char *p = auth; p < host_end; p++)
		if (*p == '@')
			at = p;
	host = at ? at + 1 : auth;
	if (at) {
		colon = memchr(auth, ':', (size_t)(at - auth));
		if (colon) {
			out->user = percent_decode(auth, (size_t)(colon - auth));
			out->password = percent_decode(colon + 1,
						       (size_t)(at - colon - 1));
		} else {
			out->user = percent_decode(auth, (size_t)(at - auth));
		}
	}
	/* [v6]:port or host:port */
	if (*host == '[') {
		const char *close = memchr(host, ']', (size_t)(host_end - host));

		if (!close)
			goto done;
		out->host = tr_strndup(host + 1, (size_t)(close - host - 1));
		port_colon = close + 1 < host_end && close[1] == ':' ? close + 1
								     : NULL;
	} else {
		port_colon = memchr(host, ':', (size_t)(host_end - host));
		out->host = tr_strndup(host, (size_t)((port_colon ? port_colon
								  : host_end) -
						      host));
	}
	if (port_colon) {
		out->port = parse_port(port_colon + 1,
				       (size_t)(host_end - port_colon - 1));
		if (out->port < 0)
			goto done;
	}
	if (out->scheme == TR_SCHEME_FILE && !*out->host) {
		tr_free(out->host);
		out->host = NULL;
	}

	/* What libgit2 sees: for HTTP(S) no userinfo at all (the callback
	 * hands it over, so it never lands in a config file); for SSH the
	 * user only. */
	if (tr_buf_put(&clean, repo, prefix_len) < 0)
		goto done;
	if (out->scheme == TR_SCHEME_SSH && at) {
		const char *user_end = memchr(auth, ':', (size_t)(at - auth));

		if (!user_end)
			user_end = at;
		if (tr_buf_put(&clean, auth, (size_t)(user_end - auth)) < 0 ||
		    tr_buf_putc(&clean, '@') < 0)
			goto done;
	}
	if (tr_buf_puts(&clean, host) < 0)
		goto done;
	error = 0;
done:
	if (error == 0) {
		out->clean = tr_buf_detach(&clean);
		/* An SSH user alone is a login name, not a token: keep it
		 * readable ("ssh://git@host/..."). */
		if (out->scheme == TR_SCHEME_SSH && !out->password) {
			tr_buf_clear(&display);
			if (tr_buf_puts(&display, repo) < 0)
				tr_buf_clear(&display);
		}
		out->display = tr_buf_detach(&display);
	} else {
		tr_source__url_dispose(out);
	}
	tr_buf_dispose(&clean);
	tr_buf_dispose(&display);
	return error;
}

void tr_source__url_dispose(tr_source__url *url)
{
	tr_free(url->clean);
	tr_free(url->display);
	tr_free(url->user);
	tr_free(url->password);
	tr_free(url->host);
	memset(url, 0, sizeof(*url));
}

/* ------------------------------------------------------------------ */
/* Callbacks                                                          */
/* ------------------------------------------------------------------ */

enum {
	FAIL_NONE = 0,
	FAIL_AUTH,
	FAIL_HOSTKEY,
	FAIL_TLS
};

typedef struct fetch_ctx {
	const tr_source__url *url;
	const tr_source_options *opts;
	const char *user;
	const char *password;
	int userpass_tries;
	int key_tries;
	int username_tries;
	int failure;          /* FAIL_*: what the callbacks decided */
	tr_buf why;           /* their one-line reason */
} fetch_ctx;

static void ctx_fail(fetch_ctx *ctx, int failure, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void ctx_fail(fetch_ctx *ctx, int failure, const char *fmt, ...)
{
	va_list ap;

	ctx->failure = failure;
	tr_buf_clear(&ctx->why);
	va_start(ap, fmt);
	if (tr_buf_vprintf(&ctx->why, fmt, ap) < 0) {
		/* cut */
	}
	va_end(ap);
}

/*
 * Each kind of credential is offered once: when the server asks again, the
 * credential was refused and asking a third time would only loop.
 */
static int on_credentials(git_credential **out, const char *url,
			  const char *username_from_url,
			  unsigned int allowed_types, void *payload)
{
	fetch_ctx *ctx = payload;
	const char *ssh_user = username_from_url && *username_from_url
				       ? username_from_url
				       : (ctx->opts->username ? ctx->opts->username
							      : "git");
	(void)url;

	/* A token without a user: GitHub and GitLab accept any non-empty
	 * name, an empty one is refused by some servers. */
	const char *http_user = ctx->user ? ctx->user : "x-access-token";

	if (allowed_types & GIT_CREDENTIAL_USERPASS_PLAINTEXT) {
		if (!ctx->user && !ctx->password) {
			ctx_fail(ctx, FAIL_AUTH,
				 "the server asks for credentials and none "
				 "were given");
			return GIT_EAUTH;
		}
		if (ctx->userpass_tries++ > 0) {
			ctx_fail(ctx, FAIL_AUTH,
				 "the server refused the credentials for "
				 "user '%s'", http_user);
			return GIT_EAUTH;
		}
		return git_credential_userpass_plaintext_new(
			out, http_user, ctx->password ? ctx->password : "");
	}
	if (allowed_types & GIT_CREDENTIAL_SSH_KEY) {
		if (ctx->key_tries++ > 0) {
			if (ctx->opts->ssh_key)
				ctx_fail(ctx, FAIL_AUTH,
					 "the server refused key '%s' for "
					 "user '%s'", ctx->opts->ssh_key,
					 ssh_user);
			else
				ctx_fail(ctx, FAIL_AUTH,
					 "the server refused the ssh-agent's "
					 "keys for user '%s'", ssh_user);
			return GIT_EAUTH;
		}
		if (ctx->opts->ssh_key)
			return git_credential_ssh_key_new(
				out, ssh_user, NULL, ctx->opts->ssh_key,
				ctx->opts->ssh_key_passphrase);
		return git_credential_ssh_key_from_agent(out, ssh_user);
	}
	if (allowed_types & GIT_CREDENTIAL_USERNAME) {
		if (ctx->username_tries++ > 0) {
			ctx_fail(ctx, FAIL_AUTH,
				 "the server refused user '%s'", ssh_user);
			return GIT_EAUTH;
		}
		return git_credential_username_new(out, ssh_user);
	}
	ctx_fail(ctx, FAIL_AUTH,
		 "the server asks for a kind of credential trellis does not "
		 "support");
	return GIT_EAUTH;
}

static int check_ssh_host_key(fetch_ctx *ctx, const git_cert_hostkey *key,
			      const char *host)
{
	tr_buf text = TR_BUF_INIT(TR_MAX_FILE_BYTES);
	tr_buf fpr = TR_BUF_INIT(128);
	tr_buf name = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	const char *file = ctx->opts->ssh_known_hosts;
	int port = ctx->url->port;
	int result = GIT_ECERTIFICATE;
	FILE *fp = NULL;

	/* libgit2 passes the host without the port; we know it. */
	if (port && port != 22) {
		if (tr_buf_printf(&name, "[%s]:%d", host, port) < 0)
			goto done;
	} else if (tr_buf_puts(&name, host) < 0) {
		goto done;
	}
	if ((key->type & GIT_CERT_SSH_SHA256) &&
	    (tr_buf_puts(&fpr, "SHA256:") < 0 ||
	     tr_source__base64_encode(&fpr, key->hash_sha256, 32, 0) < 0))
		tr_buf_clear(&fpr);
	if (!(key->type & GIT_CERT_SSH_RAW)) {
		ctx_fail(ctx, FAIL_HOSTKEY,
			 "host key of %s cannot be checked (no raw key)",
			 tr_buf_cstr(&name));
		goto done;
	}
	if (!file) {
		ctx_fail(ctx, FAIL_HOSTKEY,
			 "no known_hosts file given to check the host key of "
			 "%s (%s)", tr_buf_cstr(&name), tr_buf_cstr(&fpr));
		goto done;
	}
	fp = fopen(file, "rb");
	if (!fp) {
		ctx_fail(ctx, FAIL_HOSTKEY,
			 "cannot read known_hosts file '%s': %s; host key of "
			 "%s (%s) not checked", file, strerror(errno),
			 tr_buf_cstr(&name), tr_buf_cstr(&fpr));
		goto done;
	}
	for (;;) {
		char chunk[8192];
		size_t n = fread(chunk, 1, sizeof(chunk), fp);

		if (n == 0)
			break;
		if (tr_buf_put(&text, chunk, n) < 0) {
			ctx_fail(ctx, FAIL_HOSTKEY,
				 "known_hosts file '%s' is over %u bytes",
				 file, TR_MAX_FILE_BYTES);
			goto done;
		}
	}
	switch (tr_source__known_hosts_check(
		tr_buf_cstr(&text), text.len, host, port,
		(const unsigned char *)key->hostkey, key->hostkey_len)) {
	case TR_HOSTKEY_MATCH:
		result = 0;
		break;
	case TR_HOSTKEY_UNKNOWN:
		ctx_fail(ctx, FAIL_HOSTKEY,
			 "host %s is not in known_hosts file '%s' (its key is "
			 "%s); add it after checking the fingerprint",
			 tr_buf_cstr(&name), file, tr_buf_cstr(&fpr));
		break;
	case TR_HOSTKEY_REVOKED:
		ctx_fail(ctx, FAIL_HOSTKEY,
			 "host key of %s (%s) is marked @revoked in '%s'",
			 tr_buf_cstr(&name), tr_buf_cstr(&fpr), file);
		break;
	default:
		ctx_fail(ctx, FAIL_HOSTKEY,
			 "host key of %s (%s) does not match known_hosts file "
			 "'%s'; refusing to connect",
			 tr_buf_cstr(&name), tr_buf_cstr(&fpr), file);
		break;
	}
done:
	if (fp)
		fclose(fp);
	tr_buf_dispose(&text);
	tr_buf_dispose(&fpr);
	tr_buf_dispose(&name);
	return result;
}

static int on_certificate(git_cert *cert, int valid, const char *host,
			  void *payload)
{
	fetch_ctx *ctx = payload;

	if (cert->cert_type == GIT_CERT_HOSTKEY_LIBSSH2)
		return check_ssh_host_key(ctx, (const git_cert_hostkey *)cert,
					  host);
	if (valid)
		return 0;
	ctx_fail(ctx, FAIL_TLS,
		 "the TLS certificate of %s is not trusted%s", host,
		 ctx->opts->ca_file ? " by the given CA file"
				    : " (a private CA needs a CA file)");
	return GIT_ECERTIFICATE;
}

/* ------------------------------------------------------------------ */
/* Fetch                                                              */
/* ------------------------------------------------------------------ */

static int open_or_init(git_repository **out, int *reused, const char *dir,
			const tr_redactor *redactor, tr_diag *diag)
{
	struct stat st;
	tr_buf err = TR_BUF_INIT(TR_MAX_MESSAGE_BYTES);
	int error = 0;

	*reused = 0;
	if (stat(dir, &st) == 0) {
		if (git_repository_open_bare(out, dir) == 0) {
			*reused = 1;
			goto done;
		}
		/* Anything else there is not ours to delete. */
		tr_source__git_error(&err, redactor);
		tr_source__fail(diag, redactor, "source.cache",
				"cache folder '%s' exists but is not a usable "
				"repository: %s", dir, tr_buf_cstr(&err));
		error = TR_EIO;
		goto done;
	}
	if (git_repository_init(out, dir, 1) < 0) {
		tr_source__git_error(&err, redactor);
		tr_source__fail(diag, redactor, "source.cache",
				"cannot create repository in '%s': %s", dir,
				tr_buf_cstr(&err));
		error = TR_EIO;
	}
done:
	tr_buf_dispose(&err);
	return error;
}

int tr_source__fetch(git_repository **out, int *reused, const char *dir,
		     const tr_source__url *url, const tr_source_options *opts,
		     const tr_redactor *redactor, tr_diag *diag)
{
	char *refspecs[4] = {
		"+refs/heads/*:refs/remotes/origin/*",
		"+refs/tags/*:refs/tags/*",
		"+HEAD:refs/remotes/origin/HEAD",
		NULL,
	};
	git_strarray specs = {refspecs, 3};
	tr_buf extra = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	int valid = 0;
	git_fetch_options fo;
	git_remote_create_options rco;
	git_repository *repo = NULL;
	git_remote *remote = NULL;
	fetch_ctx ctx;
	tr_buf err = TR_BUF_INIT(TR_MAX_MESSAGE_BYTES);
	int error;

	*out = NULL;
	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	git_remote_create_options_init(&rco, GIT_REMOTE_CREATE_OPTIONS_VERSION);
	memset(&ctx, 0, sizeof(ctx));
	tr_buf_init(&ctx.why, TR_MAX_MESSAGE_BYTES);
	ctx.url = url;
	ctx.opts = opts;
	/* Options win over the URL: they are the deliberate setting. */
	ctx.user = opts->username ? opts->username : url->user;
	ctx.password = opts->password ? opts->password : url->password;

	/* A full ref outside heads and tags (refs/pull/7/head, refs/merge-
	 * requests/7/head) is fetched as itself, for pull request reviews. */
	if (opts->ref && tr_str_has_prefix(opts->ref, "refs/") &&
	    !tr_str_has_prefix(opts->ref, "refs/heads/") &&
	    !tr_str_has_prefix(opts->ref, "refs/tags/") &&
	    git_reference_name_is_valid(&valid, opts->ref) == 0 && valid &&
	    tr_buf_printf(&extra, "+%s:%s", opts->ref, opts->ref) == 0) {
		refspecs[3] = extra.ptr;
		specs.count = 4;
	}
	if ((error = open_or_init(&repo, reused, dir, redactor, diag)) < 0)
		goto done;
	if (opts->ca_file &&
	    git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, opts->ca_file,
			     NULL) < 0) {
		tr_source__git_error(&err, redactor);
		tr_source__fail(diag, redactor, "source.tls",
				"cannot use CA file '%s': %s", opts->ca_file,
				tr_buf_cstr(&err));
		error = TR_EINVALID;
		goto done;
	}
	/* Anonymous: the URL is not written to the repository's config.
	 * insteadOf rewriting is skipped: the URL the user gave is the URL
	 * fetched, whatever a config file on the machine says (and libgit2
	 * 1.5.1 leaks a regex match buffer per config entry on that path). */
	rco.repository = repo;
	rco.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF |
		    GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
	if (git_remote_create_with_opts(&remote, url->clean, &rco) < 0) {
		tr_source__git_error(&err, redactor);
		tr_source__fail(diag, redactor, "source.unreachable",
				"cannot use remote %s: %s", url->display,
				tr_buf_cstr(&err));
		error = TR_EINVALID;
		goto done;
	}
	fo.callbacks.credentials = on_credentials;
	fo.callbacks.certificate_check = on_certificate;
	fo.callbacks.payload = &ctx;
	fo.prune = GIT_FETCH_PRUNE;
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	fo.update_fetchhead = 0;
	if (opts->proxy) {
		fo.proxy_opts.type = GIT_PROXY_SPECIFIED;
		fo.proxy_opts.url = opts->proxy;
	}
	if (git_remote_fetch(remote, &specs, &fo, NULL) < 0) {
		const git_error *ge = git_error_last();
		int klass = ge ? ge->klass : 0;

		tr_source__git_error(&err, redactor);
		if (ctx.failure == FAIL_AUTH) {
			tr_source__fail(diag, redactor, "source.auth-failed",
					"authentication to %s failed: %s",
					url->display, tr_buf_cstr(&ctx.why));
			error = TR_EAUTH;
		} else if (ctx.failure == FAIL_HOSTKEY) {
			tr_source__fail(diag, redactor, "source.host-key", "%s",
					tr_buf_cstr(&ctx.why));
			error = TR_EAUTH;
		} else if (ctx.failure == FAIL_TLS) {
			tr_source__fail(diag, redactor, "source.tls",
					"cannot connect to %s: %s",
					url->display, tr_buf_cstr(&ctx.why));
			error = TR_EAUTH;
		} else if (klass == GIT_ERROR_SSH &&
			   (strstr(err.ptr ? err.ptr : "", "auth") ||
			    strstr(err.ptr ? err.ptr : "", "agent") ||
			    strstr(err.ptr ? err.ptr : "", "key"))) {
			tr_source__fail(diag, redactor, "source.auth-failed",
					"authentication to %s with %s%s%s "
					"failed: %s", url->display,
					opts->ssh_key ? "key '" : "the ssh-agent",
					opts->ssh_key ? opts->ssh_key : "",
					opts->ssh_key ? "'" : "",
					tr_buf_cstr(&err));
			error = TR_EAUTH;
		} else if (klass == GIT_ERROR_HTTP &&
			   strstr(err.ptr ? err.ptr : "", "authentication")) {
			tr_source__fail(diag, redactor, "source.auth-failed",
					"authentication to %s failed: %s",
					url->display, tr_buf_cstr(&err));
			error = TR_EAUTH;
		} else {
			tr_source__fail(diag, redactor, "source.unreachable",
					"cannot fetch %s: %s%s", url->display,
					tr_buf_cstr(&err),
					strstr(tr_buf_cstr(&err), "404")
						? " (no repository at that URL?)"
						: "");
			error = TR_EIO;
		}
		goto done;
	}
	*out = repo;
	repo = NULL;
done:
	git_remote_free(remote);
	git_repository_free(repo);
	tr_buf_dispose(&err);
	tr_buf_dispose(&extra);
	tr_buf_dispose(&ctx.why);
	return error;
}
