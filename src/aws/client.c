#include "aws/client.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <libxml/parser.h>
#include <openssl/rand.h>

#include "aws/internal.h"
#include "aws/sigv4.h"
#include "util/alloc.h"
#include "util/limits.h"
#include "util/str.h"

#define METADATA_HANDLE TR_AWS_SERVICE_COUNT
#define RETRY_COST 5
#define TIMEOUT_RETRY_COST 10
#define NO_RETRY_INCREMENT 1

struct tr_aws_client {
	tr_aws_config cfg;
	char *user_agent;
	const tr_aws_runtime *rt;
	char *region;
	char *profile_name;
	tr_aws_profiles profiles;
	CURL *handles[TR_AWS_SERVICE_COUNT + 1];
	int64_t next_slot_ms[TR_AWS_SERVICE_COUNT];
	unsigned quota;
	unsigned quota_max;
	int64_t skew_ms; /* server clock minus ours, learnt from replies */
	tr_aws_creds *creds;
	tr_redactor redactor;
	tr_aws_stats stats;
};

/* What leaves the program: one HTTP request, already built and signed. */
typedef struct wire {
	const tr_aws_op *op;
	const char *service_name;
	const char *method;
	const char *url;
	const char *path; /* for the refusal report */
	struct curl_slist *headers;
	const char *body;
	size_t body_len;
	long timeout_ms;
	long connect_timeout_ms;
	bool no_proxy;
	int handle;
} wire;

typedef struct reply {
	tr_buf *body;
	bool too_large;
	char request_id[128];
	char error_type[256];
	char retry_after[32];
	char date[64];
	char errbuf[CURL_ERROR_SIZE];
} reply;

/* ---- runtime --------------------------------------------------------- */

const char *tr_aws_client_env(const tr_aws_client *c, const char *name)
{
	const char *v;

	if (!c->rt->getenv)
		return NULL;
	v = c->rt->getenv(c->rt->ctx, name);
	return v && *v ? v : NULL;
}

int64_t tr_aws_client_now(const tr_aws_client *c)
{
	struct timespec ts;

	if (c->rt->now_ms)
		return c->rt->now_ms(c->rt->ctx);
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void pause_ms(const tr_aws_client *c, int64_t ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	if (c->rt->sleep_ms) {
		c->rt->sleep_ms(c->rt->ctx, ms);
		return;
	}
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* Uniform in [0, 1). */
static double random_unit(const tr_aws_client *c)
{
	uint64_t r = 0;

	if (c->rt->random)
		r = c->rt->random(c->rt->ctx);
	else if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		r = 0;
	return (double)(r >> 11) / (double)(UINT64_C(1) << 53);
}

static void log_line(tr_aws_client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void log_line(tr_aws_client *c, const char *fmt, ...)
{
	tr_buf line = TR_BUF_INIT(TR_MAX_LINE_BYTES);
	va_list ap;
	int error;

	if (!c->rt->log)
		return;
	va_start(ap, fmt);
	error = tr_buf_vprintf(&line, fmt, ap);
	va_end(ap);
	if (error == 0 && tr_redactor_scrub(&c->redactor, &line) == 0)
		c->rt->log(c->rt->ctx, tr_buf_cstr(&line));
	tr_buf_dispose(&line);
}

void tr_aws_client_add_secret(tr_aws_client *c, const char *secret)
{
	tr_redactor_add(&c->redactor, secret);
}

const tr_redactor *tr_aws_client_redactor(const tr_aws_client *c)
{
	return &c->redactor;
}

const tr_aws_profiles *tr_aws_client_profiles(const tr_aws_client *c)
{
	return &c->profiles;
}

const char *tr_aws_client_profile_name(const tr_aws_client *c)
{
	return c->profile_name;
}

const char *tr_aws_client_region(const tr_aws_client *c)
{
	return c->region;
}

void tr_aws_client_stats(const tr_aws_client *c, tr_aws_stats *out)
{
	*out = c->stats;
	out->retry_quota_left = c->quota;
}

/* ---- responses and errors -------------------------------------------- */

void tr_aws_response_init(tr_aws_response *r)
{
	r->status = 0;
	tr_buf_init(&r->body, TR_AWS_MAX_RESPONSE_BYTES);
	r->request_id[0] = '\0';
	r->attempts = 0;
}

void tr_aws_response_dispose(tr_aws_response *r)
{
	tr_buf_dispose(&r->body);
	r->status = 0;
	r->request_id[0] = '\0';
}

void tr_aws_client_fail(tr_aws_client *c, tr_aws_error *err,
			tr_aws_error_kind kind, int rc, const char *msg)
{
	tr_buf m = TR_BUF_INIT(TR_AWS_MAX_ERROR_TEXT_BYTES);

	err->kind = kind;
	err->rc = rc;
	if (tr_buf_puts(&m, msg) < 0)
		tr_buf_truncate(&m, 0);
	(void)tr_redactor_scrub(&c->redactor, &m);
	tr_aws_error_set_message(err, m.ptr, m.len);
	tr_buf_dispose(&m);
}

/* Replies can echo what we sent (a rejected token, say): scrub them. */
static void scrub_error(tr_aws_client *c, tr_aws_error *err)
{
	tr_buf m = TR_BUF_INIT(TR_AWS_MAX_ERROR_TEXT_BYTES);

	if (!err->message)
		return;
	if (tr_buf_puts(&m, err->message) == 0 &&
	    tr_redactor_scrub(&c->redactor, &m) == 0)
		tr_aws_error_set_message(err, m.ptr, m.len);
	tr_buf_dispose(&m);
}

/* ---- region, profile, endpoints ---------------------------------------- */

static char *path_in_home(const tr_aws_client *c, const char *env,
			  const char *rel)
{
	const char *v = tr_aws_client_env(c, env);
	const char *home = tr_aws_client_env(c, "HOME");
	tr_buf b = TR_BUF_INIT(TR_MAX_PATH_BYTES);

	if (v)
		return tr_strdup(v);
	if (!home || tr_buf_printf(&b, "%s/%s", home, rel) < 0) {
		tr_buf_dispose(&b);
		return NULL;
	}
	return tr_buf_detach(&b);
}

int tr_aws_client_new(tr_aws_client **out, const tr_aws_config *cfg,
		      const tr_aws_runtime *rt)
{
	static const tr_aws_runtime empty_rt = {0};
	tr_aws_client *c = tr_calloc(1, sizeof(*c));
	char *cred_path = NULL, *conf_path = NULL;
	const char *v;
	int error = 0;

	*out = NULL;
	xmlInitParser();
	c->rt = rt ? rt : &empty_rt;
	if (cfg)
		c->cfg = *cfg;
	c->cfg.region = NULL;
	c->user_agent = tr_strdup(cfg && cfg->user_agent ? cfg->user_agent
							 : "trellis");
	if (c->cfg.max_attempts == 0)
		c->cfg.max_attempts = 3;
	if (c->cfg.max_attempts > TR_AWS_MAX_ATTEMPTS)
		c->cfg.max_attempts = TR_AWS_MAX_ATTEMPTS;
	if (c->cfg.timeout_ms <= 0)
		c->cfg.timeout_ms = 30000;
	if (c->cfg.connect_timeout_ms <= 0)
		c->cfg.connect_timeout_ms = 5000;
	if (c->cfg.metadata_timeout_ms <= 0)
		c->cfg.metadata_timeout_ms = 1000;
	c->quota = c->quota_max = c->cfg.retry_quota ? c->cfg.retry_quota : 500;
	for (int s = 0; s < TR_AWS_SERVICE_COUNT; s++)
		if (c->cfg.rate_per_sec[s] == 0)
			c->cfg.rate_per_sec[s] =
				tr_aws_service_get((tr_aws_service)s)->default_rate;
	tr_redactor_init(&c->redactor);
	tr_aws_profiles_init(&c->profiles);

	v = tr_aws_client_env(c, "AWS_PROFILE");
	if (!v)
		v = tr_aws_client_env(c, "AWS_DEFAULT_PROFILE");
	c->profile_name = tr_strdup(v ? v : "default");
	cred_path = path_in_home(c, "AWS_SHARED_CREDENTIALS_FILE",
				 ".aws/credentials");
	conf_path = path_in_home(c, "AWS_CONFIG_FILE", ".aws/config");
	if ((error = tr_aws_profiles_load(&c->profiles, cred_path,
					  conf_path)) < 0)
		goto done;

	/* Known secrets are scrubbed from the start, used or not. */
	tr_redactor_add(&c->redactor, tr_aws_client_env(c, "AWS_SECRET_ACCESS_KEY"));
	tr_redactor_add(&c->redactor, tr_aws_client_env(c, "AWS_SESSION_TOKEN"));
	for (size_t i = 0; i < c->profiles.count; i++)
		if (strcmp(c->profiles.items[i].key, "aws_secret_access_key") == 0 ||
		    strcmp(c->profiles.items[i].key, "aws_session_token") == 0)
			tr_redactor_add(&c->redactor, c->profiles.items[i].value);

	v = tr_aws_client_env(c, "AWS_REGION");
	if (!v)
		v = tr_aws_client_env(c, "AWS_DEFAULT_REGION");
	if (!v)
		v = tr_aws_profiles_get(&c->profiles, c->profile_name, "region");
	if (!v && cfg && cfg->region && *cfg->region)
		v = cfg->region;
	c->region = v ? tr_strdup(v) : NULL;

	tr_aws_creds_new(&c->creds, c);
	*out = c;
	c = NULL;
done:
	tr_free(cred_path);
	tr_free(conf_path);
	tr_aws_client_free(c);
	return error;
}

void tr_aws_client_free(tr_aws_client *c)
{
	if (!c)
		return;
	for (int i = 0; i <= TR_AWS_SERVICE_COUNT; i++)
		if (c->handles[i])
			curl_easy_cleanup(c->handles[i]);
	tr_aws_creds_free(c->creds);
	tr_aws_profiles_dispose(&c->profiles);
	tr_redactor_dispose(&c->redactor);
	tr_free(c->region);
	tr_free(c->profile_name);
	tr_free(c->user_agent);
	tr_free(c);
}

/* ---- the gate and the wire ---------------------------------------------- */

/* The dry-run gate. Every request passes here right before it is sent;
 * the decision comes from the operation table only. */
static int gate(tr_aws_client *c, const tr_aws_op *op, const char *service,
		const char *method, const char *path, tr_aws_error *err)
{
	if (op && !(op->mutating && c->cfg.dry_run))
		return 0;
	c->stats.refused++;
	err->service = service;
	err->operation = op ? op->name : "unknown";
	tr_aws_client_fail(c, err, TR_AWS_ERR_REFUSED, TR_EREFUSED,
		  op ? "dry-run: mutating operation not sent"
		     : "operation not in the table");
	if (c->rt->refused)
		c->rt->refused(c->rt->ctx, service, err->operation, method,
			       path ? path : "");
	log_line(c, "aws: %s %s %s refused (dry-run)", method, service,
		 err->operation);
	return TR_EREFUSED;
}

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
	reply *r = ud;
	size_t len = size * n;

	if (tr_buf_put(r->body, data, len) < 0) {
		r->too_large = true;
		return 0;
	}
	return len;
}

static void header_value(char *dst, size_t cap, const char *v, size_t len)
{
	while (len && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	while (len && (v[len - 1] == '\r' || v[len - 1] == '\n' ||
		       v[len - 1] == ' '))
		len--;
	if (len >= cap)
		len = cap - 1;
	memcpy(dst, v, len);
	dst[len] = '\0';
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
	reply *r = ud;
	size_t len = size * n;
	const char *colon = memchr(data, ':', len);
	size_t name_len;

	if (!colon)
		return len;
	name_len = (size_t)(colon - data);
#define IS(h) (name_len == sizeof(h) - 1 && strncasecmp(data, h, name_len) == 0)
	if (IS("x-amzn-requestid") || IS("x-amz-request-id"))
		header_value(r->request_id, sizeof(r->request_id), colon + 1,
			     len - name_len - 1);
	else if (IS("x-amzn-errortype"))
		header_value(r->error_type, sizeof(r->error_type), colon + 1,
			     len - name_len - 1);
	else if (IS("retry-after"))
		header_value(r->retry_after, sizeof(r->retry_after), colon + 1,
			     len - name_len - 1);
	else if (IS("date"))
		header_value(r->date, sizeof(r->date), colon + 1,
			     len - name_len - 1);
#undef IS
	return len;
}

static CURL *handle(tr_aws_client *c, int idx)
{
	if (!c->handles[idx])
		c->handles[idx] = curl_easy_init();
	else
		curl_easy_reset(c->handles[idx]); /* keeps its connections */
	return c->handles[idx];
}

/* Proxies come from the standard variables, read through the injected
 * environment (so libcurl never consults the process's own): HTTPS_PROXY
 * or HTTP_PROXY by scheme (lower case accepted; for plain http only the
 * lower-case one, as curl does against httpoxy), ALL_PROXY, and NO_PROXY.
 * Metadata endpoints never go through a proxy. */
static void set_proxy(const tr_aws_client *c, CURL *h, const wire *w)
{
	bool https = tr_str_has_prefix(w->url, "https://");
	const char *proxy, *no_proxy;

	if (w->no_proxy) {
		curl_easy_setopt(h, CURLOPT_PROXY, "");
		curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
		return;
	}
	proxy = https ? tr_aws_client_env(c, "HTTPS_PROXY") : NULL;
	if (!proxy)
		proxy = tr_aws_client_env(c, https ? "https_proxy" : "http_proxy");
	if (!proxy)
		proxy = tr_aws_client_env(c, "ALL_PROXY");
	if (!proxy)
		proxy = tr_aws_client_env(c, "all_proxy");
	no_proxy = tr_aws_client_env(c, "NO_PROXY");
	if (!no_proxy)
		no_proxy = tr_aws_client_env(c, "no_proxy");
	/* "" turns proxies off, and keeps libcurl from reading the process
	 * environment behind our back. */
	curl_easy_setopt(h, CURLOPT_PROXY, proxy ? proxy : "");
	if (no_proxy)
		curl_easy_setopt(h, CURLOPT_NOPROXY, no_proxy);
}

/* Arms `h` for one request. Every request passes here, however it is then
 * performed (easy or multi): the dry-run gate stands at this door. */
static int arm_request(tr_aws_client *c, CURL *h, const wire *w, reply *r,
		       tr_aws_error *err)
{
	const char *ca = tr_aws_client_env(c, "AWS_CA_BUNDLE");
	int error;

	if ((error = gate(c, w->op, w->service_name, w->method, w->path,
			  err)) < 0)
		return error;
	r->errbuf[0] = '\0';
	curl_easy_setopt(h, CURLOPT_URL, w->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (ca)
		curl_easy_setopt(h, CURLOPT_CAINFO, ca);
	set_proxy(c, h, w);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, w->timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, w->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, w->headers);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
			 (curl_off_t)TR_AWS_MAX_RESPONSE_BYTES);
	if (strcmp(w->method, "GET") == 0 && !w->body_len) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else {
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)w->body_len);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS,
				 w->body ? w->body : "");
		if (strcmp(w->method, "POST") != 0)
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, w->method);
	}
	c->stats.requests++;
	return 0;
}

/* Turns a finished transfer into a status or a transport error. */
static int transfer_result(tr_aws_client *c, CURL *h, CURLcode cc, reply *r,
			   long *status, tr_aws_error *err)
{
	if (cc != CURLE_OK) {
		tr_buf m = TR_BUF_INIT(TR_AWS_MAX_ERROR_TEXT_BYTES);
		bool large = r->too_large || cc == CURLE_FILESIZE_EXCEEDED;
		int werr;

		/* A message past the cap is simply cut short. curl's own
		 * words for these two would confuse: "Maximum file size
		 * exceeded" and "Out of memory" (a header line over curl's
		 * limit). */
		if (large)
			werr = tr_buf_printf(&m, "the reply is larger than the "
					     "%u MiB trellis accepts",
					     TR_AWS_MAX_RESPONSE_BYTES >> 20);
		else if (cc == CURLE_OUT_OF_MEMORY)
			werr = tr_buf_puts(&m, "the reply's headers are larger "
					   "than curl accepts");
		else if ((werr = tr_buf_printf(&m, "%s", curl_easy_strerror(cc))) == 0 &&
			 r->errbuf[0] && strcmp(r->errbuf, curl_easy_strerror(cc)))
			werr = tr_buf_printf(&m, " (%s)", r->errbuf);
		if (werr < 0)
			tr_buf_truncate(&m, m.len);
		tr_aws_client_fail(c, err, large ? TR_AWS_ERR_CLIENT : TR_AWS_ERR_TRANSPORT,
			  large ? TR_ETOOLARGE : TR_EIO, tr_buf_cstr(&m));
		tr_buf_dispose(&m);
		err->retryable = !large && cc != CURLE_OUT_OF_MEMORY;
		*status = cc == CURLE_OPERATION_TIMEDOUT ? -2 : -1;
		return err->rc;
	}
	if (h) /* NULL for the test transport, which set *status */
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	return 0;
}

/* The test transport (tr_aws_runtime.transport) in libcurl's place: the
 * same gate, the reply's headers and body through the same callbacks, the
 * same mapping of failures. */
static int send_by_hook(tr_aws_client *c, const wire *w, reply *r,
			long *status, tr_aws_error *err)
{
	tr_aws_transport_reply tr = {0, NULL, 0, NULL, 0};
	CURLcode cc = CURLE_OK;
	int error;

	if ((error = gate(c, w->op, w->service_name, w->method, w->path,
			  err)) < 0)
		return error;
	r->errbuf[0] = '\0';
	c->stats.requests++;
	if (c->rt->transport(c->rt->ctx, w->service_name, w->op->name,
			     w->method, w->url, w->body, w->body_len, &tr) < 0) {
		cc = CURLE_COULDNT_CONNECT;
	} else {
		const char *p = tr.headers;
		size_t left = p ? tr.headers_len : 0;

		while (left) {
			const char *nl = memchr(p, '\n', left);
			size_t len = nl ? (size_t)(nl + 1 - p) : left;

			(void)on_header((char *)p, 1, len, r);
			p += len;
			left -= len;
		}
		if (tr.body_len &&
		    on_body((char *)tr.body, 1, tr.body_len, r) != tr.body_len)
			cc = CURLE_WRITE_ERROR;
		*status = tr.status;
	}
	return transfer_result(c, NULL, cc, r, status, err);
}

static int send_request(tr_aws_client *c, const wire *w, reply *r,
			long *status, tr_aws_error *err)
{
	CURL *h;
	int error;

	if (c->rt->transport)
		return send_by_hook(c, w, r, status, err);
	h = handle(c, w->handle);
	if (!h) {
		tr_aws_client_fail(c, err, TR_AWS_ERR_TRANSPORT, TR_EIO,
			  "cannot create a connection handle");
		return TR_EIO;
	}
	if ((error = arm_request(c, h, w, r, err)) < 0)
		return error;
	return transfer_result(c, h, curl_easy_perform(h), r, status, err);
}

/* ---- calls ---------------------------------------------------------------- */

static struct curl_slist *add_header(struct curl_slist *l, int *error,
				     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static struct curl_slist *add_header(struct curl_slist *l, int *error,
				     const char *fmt, ...)
{
	tr_buf line = TR_BUF_INIT(TR_AWS_MAX_HEADER_BYTES);
	struct curl_slist *n = NULL;
	va_list ap;

	if (*error)
		return l;
	va_start(ap, fmt);
	*error = tr_buf_vprintf(&line, fmt, ap);
	va_end(ap);
	if (*error == 0) {
		n = curl_slist_append(l, tr_buf_cstr(&line));
		if (!n)
			*error = TR_ERROR;
	}
	tr_buf_dispose(&line);
	return n ? n : l;
}

/* Books the next start time allowed by the service's rate limit. */
static int64_t reserve_slot(tr_aws_client *c, tr_aws_service s, int64_t now)
{
	unsigned rate = c->cfg.rate_per_sec[s];
	int64_t start;

	if (!rate)
		return now;
	start = now > c->next_slot_ms[s] ? now : c->next_slot_ms[s];
	c->next_slot_ms[s] = start + 1000 / rate;
	return start;
}

static int64_t backoff_ms(tr_aws_client *c, unsigned attempt,
			  const tr_aws_error *err)
{
	/* Standard mode: random(0,1) * min(2^(attempt-1) s, 20 s). */
	int64_t base = (int64_t)1000 << (attempt - 1 < 20 ? attempt - 1 : 20);
	int64_t delay;

	if (base > TR_AWS_MAX_BACKOFF_MS)
		base = TR_AWS_MAX_BACKOFF_MS;
	delay = (int64_t)(random_unit(c) * (double)base);
	if (err->retry_after_ms >= 0) {
		int64_t ra = err->retry_after_ms;
		if (ra > TR_AWS_MAX_RETRY_AFTER_MS)
			ra = TR_AWS_MAX_RETRY_AFTER_MS;
		if (ra > delay)
			delay = ra;
	}
	return delay;
}

/* "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 7231 IMF-fixdate) to ms. */
static int64_t parse_http_date(const char *v)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char mon[4];
	struct tm tm;
	const char *m;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(v, "%*3s, %2d %3s %4d %2d:%2d:%2d GMT", &tm.tm_mday, mon,
		   &tm.tm_year, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return -1;
	mon[3] = '\0';
	m = strstr(months, mon);
	if (!m || (m - months) % 3)
		return -1;
	tm.tm_mon = (int)((m - months) / 3);
	tm.tm_year -= 1900;
	return (int64_t)timegm(&tm) * 1000;
}

/* botocore's clock-skew correction: on a signature-time error whose reply
 * carries a Date more than 4 minutes from ours, sign with the server's
 * time from then on. True when the skew was learnt. */
static bool learn_skew(tr_aws_client *c, const char *code, const char *date)
{
	static const char *const codes[] = {
		"RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture",
		"InvalidSignatureException", "SignatureDoesNotMatch",
		"AuthFailure"};
	int64_t server = parse_http_date(date), skew;
	bool match = false;

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		match |= strcmp(code, codes[i]) == 0;
	if (!match || server < 0)
		return false;
	skew = server - tr_aws_client_now(c);
	if (skew > -4 * 60 * 1000 && skew < 4 * 60 * 1000)
		return false;
	c->skew_ms = skew;
	return true;
}

static int64_t parse_retry_after(const char *v)
{
	int64_t secs;

	if (!v[0] || tr_str_to_i64(&secs, v, 0, 86400) < 0)
		return -1;
	return secs * 1000;
}

/* One call in progress: what was built once, and the attempt under way. */
typedef struct job {
	const tr_aws_call *call;
	const tr_aws_service_info *s;
	const tr_aws_op *op;
	const tr_aws_credentials *as;
	bool use_as;
	tr_aws_response *out;
	tr_aws_error *err;
	tr_aws_built b;
	tr_buf base, authority, prefix, full_path, url;
	const char *signing_region;
	bool refreshed, skew_fixed;
	unsigned attempt;
	struct curl_slist *hdrs;
	reply r;
	wire w;
	long status;
	int64_t t0;
	int64_t delay_ms;
	/* call_many's bookkeeping */
	CURL *easy;
	int64_t ready_at;
	bool slot_held;
	int state; /* 0 pending, 1 running, 2 done */
	int rc;
} job;

static void job_init(job *j, const tr_aws_call *call,
		     const tr_aws_credentials *as, bool use_as,
		     tr_aws_response *out, tr_aws_error *err)
{
	memset(j, 0, sizeof(*j));
	j->call = call;
	j->as = as;
	j->use_as = use_as;
	j->out = out;
	j->err = err;
	tr_aws_built_init(&j->b);
	tr_buf_init(&j->base, TR_AWS_MAX_URL_BYTES);
	tr_buf_init(&j->authority, TR_AWS_MAX_URL_BYTES);
	tr_buf_init(&j->prefix, TR_AWS_MAX_URL_BYTES);
	tr_buf_init(&j->full_path, TR_AWS_MAX_URL_BYTES);
	tr_buf_init(&j->url, TR_AWS_MAX_URL_BYTES);
	j->r.body = &out->body;
}

static void job_dispose(job *j)
{
	tr_aws_built_dispose(&j->b);
	tr_buf_dispose(&j->base);
	tr_buf_dispose(&j->authority);
	tr_buf_dispose(&j->prefix);
	tr_buf_dispose(&j->full_path);
	tr_buf_dispose(&j->url);
	curl_slist_free_all(j->hdrs);
	j->hdrs = NULL;
	if (j->easy)
		curl_easy_cleanup(j->easy);
	j->easy = NULL;
}

/* Everything done once per call: gate, request, endpoint, URL. */
static int job_prepare(tr_aws_client *c, job *j)
{
	const tr_aws_call *call = j->call;
	tr_aws_error *err = j->err;
	int error;

	j->s = tr_aws_service_get(call->service);
	j->op = j->s ? tr_aws_op_find(call->service, call->operation) : NULL;
	tr_aws_error_dispose(err);
	tr_buf_clear(&j->out->body);
	j->out->status = 0;
	j->out->request_id[0] = '\0';
	j->out->attempts = 0;
	err->service = j->s ? j->s->name : "aws";
	err->operation = j->op ? j->op->name : call->operation;
	/* An operation outside the table is refused before anything else. */
	if (!j->op)
		return gate(c, NULL, err->service, "?", NULL, err);
	/* Building is pure (no credentials, no I/O), and the dry-run report
	 * must name the resource: "/services/svc-123", not the template. */
	if ((error = tr_aws_request_build(&j->b, j->s, j->op, call)) < 0) {
		tr_aws_client_fail(c, err, TR_AWS_ERR_CLIENT, error,
			  error == TR_ETOOLARGE ? "request too large"
						: "bad call: labels or parameters do not match the operation");
		return error;
	}
	/* Refuse before credentials are looked up or anything is sent. */
	if ((error = gate(c, j->op, err->service, j->op->method,
			  tr_buf_cstr(&j->b.path), err)) < 0)
		return error;
	if ((error = tr_aws_client_endpoint(&j->base, &j->signing_region, c, call->service)) < 0 ||
	    (error = tr_aws_endpoint_split(tr_buf_cstr(&j->base), &j->authority,
				&j->prefix)) < 0) {
		tr_aws_client_fail(c, err, TR_AWS_ERR_CLIENT, error,
			  c->region ? "bad endpoint URL"
				    : "no region: set AWS_REGION or region in trellis.yaml");
		return error;
	}
	if ((error = tr_buf_printf(&j->full_path, "%s%s",
				   tr_buf_cstr(&j->prefix),
				   tr_buf_cstr(&j->b.path))) < 0 ||
	    (error = tr_buf_printf(&j->url, "%s%s%s%s", tr_buf_cstr(&j->base),
				   tr_buf_cstr(&j->b.path),
				   j->b.query.len ? "?" : "",
				   tr_buf_cstr(&j->b.query))) < 0) {
		tr_aws_client_fail(c, err, TR_AWS_ERR_CLIENT, error, "URL too long");
		return error;
	}
	return 0;
}

/* Starts an attempt: fresh error and body, credentials, signature,
 * headers; leaves the request in j->w. */
static int job_arm(tr_aws_client *c, job *j)
{
	const tr_aws_service_info *s = j->s;
	const tr_aws_op *op = j->op;
	const tr_aws_credentials *creds = NULL;
	tr_aws_error *err = j->err;
	tr_sigv4_result sig;
	int herr = 0, error = 0;

	j->attempt++;
	tr_buf_clear(&j->out->body);
	tr_aws_error_dispose(err);
	err->service = s->name;
	err->operation = op->name;
	err->attempts = j->attempt;
	j->out->attempts = j->attempt;
	memset(&j->r, 0, sizeof(j->r));
	j->r.body = &j->out->body;
	j->status = 0;
	curl_slist_free_all(j->hdrs);
	j->hdrs = NULL;
	if (!op->unsigned_call) {
		if (j->use_as)
			creds = j->as;
		else if ((error = tr_aws_creds_get(&creds, c->creds, err)) < 0)
			return error;
		if (!creds) {
			tr_aws_client_fail(c, err, TR_AWS_ERR_CREDENTIALS, TR_EAUTH,
				  "no credentials");
			return TR_EAUTH;
		}
	}
	tr_sigv4_result_init(&sig);
	if (creds) {
		tr_sigv4_header sh[3];
		size_t n = 0;
		tr_sigv4_params p = {0};
		tr_sigv4_request rq;

		sh[n++] = (tr_sigv4_header){"host", tr_buf_cstr(&j->authority)};
		if (j->b.content_type)
			sh[n++] = (tr_sigv4_header){"content-type", j->b.content_type};
		if (j->b.target[0])
			sh[n++] = (tr_sigv4_header){"x-amz-target", j->b.target};
		rq = (tr_sigv4_request){op->method, tr_buf_cstr(&j->full_path),
					tr_buf_cstr(&j->b.query), sh, n,
					j->b.body.ptr, j->b.body.len};
		p.access_key_id = creds->access_key_id;
		p.secret_access_key = creds->secret_access_key;
		p.session_token = creds->session_token;
		p.region = j->signing_region;
		p.service = s->signing_name;
		p.time = (tr_aws_client_now(c) + c->skew_ms) / 1000;
		if ((error = tr_sigv4_sign(&sig, &rq, &p)) < 0) {
			tr_aws_client_fail(c, err, TR_AWS_ERR_CLIENT, error,
				  "cannot sign the request");
			goto done;
		}
		j->hdrs = add_header(j->hdrs, &herr, "X-Amz-Date: %s", sig.amz_date);
		if (creds->session_token)
			j->hdrs = add_header(j->hdrs, &herr, "X-Amz-Security-Token: %s",
					     creds->session_token);
		j->hdrs = add_header(j->hdrs, &herr, "Authorization: %s",
				     tr_buf_cstr(&sig.authorization));
	}
	j->hdrs = add_header(j->hdrs, &herr, "Host: %s", tr_buf_cstr(&j->authority));
	if (j->b.content_type)
		j->hdrs = add_header(j->hdrs, &herr, "Content-Type: %s", j->b.content_type);
	else
		j->hdrs = add_header(j->hdrs, &herr, "Content-Type:");
	if (j->b.target[0])
		j->hdrs = add_header(j->hdrs, &herr, "X-Amz-Target: %s", j->b.target);
	j->hdrs = add_header(j->hdrs, &herr, "Expect:");
	if (herr) {
		error = herr;
		tr_aws_client_fail(c, err, TR_AWS_ERR_CLIENT, error, "header too large");
		goto done;
	}
	j->w = (wire){op, s->name, op->method, tr_buf_cstr(&j->url),
		      tr_buf_cstr(&j->full_path), j->hdrs, j->b.body.ptr,
		      j->b.body.len, c->cfg.timeout_ms, c->cfg.connect_timeout_ms,
		      false, (int)j->call->service};
done:
	tr_sigv4_result_dispose(&sig);
	return error;
}

/* After a transfer: 0 when the call succeeded, <0 when it failed for good,
 * 1 when it should be tried again after j->delay_ms. */
static int job_settle(tr_aws_client *c, job *j, int send_rc)
{
	const tr_aws_service_info *s = j->s;
	tr_aws_error *err = j->err;
	tr_aws_response *out = j->out;
	bool immediate = false;
	int error = send_rc;

	log_line(c, "aws: %s %s %s status=%ld attempt=%u ms=%lld",
		 j->op->method, s->name, j->op->name,
		 j->status > 0 ? j->status : 0, j->attempt,
		 (long long)(tr_aws_client_now(c) - j->t0));
	curl_slist_free_all(j->hdrs);
	j->hdrs = NULL;
	if (error == TR_EREFUSED || error == TR_ETOOLARGE)
		return error;
	if (error == 0) {
		snprintf(out->request_id, sizeof(out->request_id), "%s",
			 j->r.request_id);
		out->status = j->status;
		if (j->status >= 200 && j->status < 300) {
			/* Success pays back into the retry budget. */
			unsigned back = j->attempt > 1 ? RETRY_COST : NO_RETRY_INCREMENT;
			c->quota = c->quota + back > c->quota_max ? c->quota_max
								  : c->quota + back;
			tr_aws_error_dispose(err);
			return 0;
		}
		tr_aws_error_parse(err, s->protocol, j->status, j->r.error_type,
				   j->r.request_id, out->body.ptr, out->body.len);
		err->retry_after_ms = parse_retry_after(j->r.retry_after);
		tr_aws_error_classify(err);
		scrub_error(c, err);
		error = err->rc;
		/* Credentials expired under us: fetch new ones and try again,
		 * once, as the SDKs do. */
		if (error == TR_EAUTH && !j->use_as && !j->refreshed &&
		    (tr_str_eq(err->code, "ExpiredToken") ||
		     tr_str_eq(err->code, "ExpiredTokenException"))) {
			tr_aws_creds_invalidate(c->creds);
			j->refreshed = true;
			err->retryable = true;
			immediate = true;
		}
		/* Our clock is off: sign with the server's, once. */
		if (error == TR_EAUTH && !j->skew_fixed &&
		    learn_skew(c, err->code, j->r.date)) {
			j->skew_fixed = true;
			err->retryable = true;
			immediate = true;
		}
	} else {
		tr_aws_error_classify(err);
	}
	err->service = s->name;
	err->operation = j->op->name;
	err->attempts = j->attempt;
	if (!err->retryable || j->attempt >= c->cfg.max_attempts)
		return error;
	j->delay_ms = 0;
	if (!immediate) {
		unsigned cost = j->status == -2 ? TIMEOUT_RETRY_COST : RETRY_COST;
		if (c->quota < cost)
			return error; /* retry budget spent: fail fast */
		c->quota -= cost;
		j->delay_ms = backoff_ms(c, j->attempt, err);
	}
	c->stats.retries++;
	return 1;
}

static int call_impl(tr_aws_client *c, tr_aws_response *out,
		     const tr_aws_call *call, const tr_aws_credentials *as,
		     bool use_as, tr_aws_error *err)
{
	job j;
	int error;

	job_init(&j, call, as, use_as, out, err);
	error = job_prepare(c, &j);
	while (error == 0) {
		int64_t now = tr_aws_client_now(c);
		int v;

		pause_ms(c, reserve_slot(c, call->service, now) - now);
		if ((error = job_arm(c, &j)) < 0)
			break;
		j.t0 = tr_aws_client_now(c);
		v = job_settle(c, &j, send_request(c, &j.w, &j.r, &j.status, err));
		if (v != 1) {
			error = v;
			break;
		}
		pause_ms(c, j.delay_ms);
	}
	if (error < 0 && err->rc == 0)
		err->rc = error;
	job_dispose(&j);
	return error;
}

int tr_aws_client_call(tr_aws_response *out, tr_aws_client *c,
		       const tr_aws_call *call, tr_aws_error *err)
{
	return call_impl(c, out, call, NULL, false, err);
}

int tr_aws_client_call_as(tr_aws_response *out, tr_aws_client *c,
			  const tr_aws_call *call,
			  const tr_aws_credentials *creds, tr_aws_error *err)
{
	return call_impl(c, out, call, creds, true, err);
}

static void job_finish(job *j, int rc)
{
	j->state = 2;
	j->rc = rc;
	if (rc < 0 && j->err->rc == 0)
		j->err->rc = rc;
}

/* Starts the pending jobs that may start now; returns how many run. */
static size_t start_ready(tr_aws_client *c, CURLM *m, job *jobs, size_t n,
			  size_t running, unsigned max_parallel)
{
	for (size_t i = 0; i < n && running < max_parallel; i++) {
		job *j = &jobs[i];
		int64_t now = tr_aws_client_now(c);
		int error;

		if (j->state != 0 || j->ready_at > now)
			continue;
		if (!j->slot_held) {
			int64_t start = reserve_slot(c, j->call->service, now);
			if (start > now) {
				j->ready_at = start;
				j->slot_held = true;
				continue;
			}
		}
		j->slot_held = false;
		if ((error = job_arm(c, j)) < 0) {
			job_finish(j, error);
			continue;
		}
		if (c->rt->transport) {
			/* One at a time, settled at once: no transfer runs. */
			int v;

			j->t0 = tr_aws_client_now(c);
			v = job_settle(c, j, send_request(c, &j->w, &j->r,
							  &j->status, j->err));
			if (v == 1)
				j->ready_at = tr_aws_client_now(c) + j->delay_ms;
			else
				job_finish(j, v);
			continue;
		}
		if (!j->easy)
			j->easy = curl_easy_init();
		else
			curl_easy_reset(j->easy);
		if (!j->easy) {
			tr_aws_client_fail(c, j->err, TR_AWS_ERR_TRANSPORT, TR_EIO,
				  "cannot create a connection handle");
			job_finish(j, TR_EIO);
			continue;
		}
		if ((error = arm_request(c, j->easy, &j->w, &j->r, j->err)) < 0) {
			job_finish(j, job_settle(c, j, error));
			continue;
		}
		curl_easy_setopt(j->easy, CURLOPT_PRIVATE, (void *)j);
		j->t0 = tr_aws_client_now(c);
		if (curl_multi_add_handle(m, j->easy) != CURLM_OK) {
			tr_aws_client_fail(c, j->err, TR_AWS_ERR_TRANSPORT, TR_EIO,
				  "cannot schedule the request");
			job_finish(j, TR_EIO);
			continue;
		}
		j->state = 1;
		running++;
	}
	return running;
}

int tr_aws_client_call_many(tr_aws_response *outs, tr_aws_error *errs,
			    tr_aws_client *c, const tr_aws_call *calls, size_t n,
			    unsigned max_parallel)
{
	CURLM *m = curl_multi_init();
	job *jobs = tr_calloc(n ? n : 1, sizeof(*jobs));
	size_t running = 0, done = 0;
	int first = 0;

	if (max_parallel == 0)
		max_parallel = 1;
	if (max_parallel > TR_AWS_MAX_PARALLEL)
		max_parallel = TR_AWS_MAX_PARALLEL;
	for (size_t i = 0; i < n; i++) {
		job *j = &jobs[i];
		int error;

		job_init(j, &calls[i], NULL, false, &outs[i], &errs[i]);
		error = job_prepare(c, j);
		if (error == 0 && j->op->mutating) {
			/* Writes go one at a time, in the order the plan
			 * decided; a batch never carries one. */
			tr_aws_client_fail(c, j->err, TR_AWS_ERR_CLIENT, TR_EREFUSED,
				  "mutating operations cannot be batched");
			error = TR_EREFUSED;
		}
		if (error < 0)
			job_finish(j, error);
	}
	if (!m) {
		for (size_t i = 0; i < n; i++)
			if (jobs[i].state != 2) {
				tr_aws_client_fail(c, jobs[i].err, TR_AWS_ERR_TRANSPORT,
					  TR_EIO, "cannot create a transfer set");
				job_finish(&jobs[i], TR_EIO);
			}
	}
	for (;;) {
		CURLMsg *msg;
		int still = 0, left;
		int64_t now, next = -1;

		done = 0;
		for (size_t i = 0; i < n; i++)
			done += jobs[i].state == 2;
		if (done == n)
			break;
		running = start_ready(c, m, jobs, n, running, max_parallel);
		if (running == 0) {
			/* Everything left waits for a back-off or a rate slot. */
			now = tr_aws_client_now(c);
			for (size_t i = 0; i < n; i++)
				if (jobs[i].state == 0 &&
				    (next < 0 || jobs[i].ready_at < next))
					next = jobs[i].ready_at;
			if (next > now)
				pause_ms(c, next - now);
			continue;
		}
		curl_multi_perform(m, &still);
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			job *j = NULL;
			int v;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&j);
			curl_multi_remove_handle(m, msg->easy_handle);
			running--;
			v = transfer_result(c, j->easy, msg->data.result, &j->r,
					    &j->status, j->err);
			v = job_settle(c, j, v);
			if (v == 1) {
				j->state = 0;
				j->ready_at = tr_aws_client_now(c) + j->delay_ms;
			} else {
				job_finish(j, v);
			}
		}
		if (still)
			curl_multi_poll(m, NULL, 0, 100, NULL);
	}
	for (size_t i = 0; i < n; i++) {
		if (jobs[i].rc < 0 && first == 0)
			first = jobs[i].rc;
		job_dispose(&jobs[i]);
	}
	if (m)
		curl_multi_cleanup(m);
	tr_free(jobs);
	return first;
}

int tr_aws_client_fetch(tr_aws_response *out, tr_aws_client *c,
			const char *what, const char *method, const char *url,
			const char *const *headers, size_t header_count,
			tr_aws_error *err)
{
	/* Metadata reads are not AWS API operations, and never mutate. */
	static const tr_aws_op metadata_op = {TR_AWS_STS, "credentials", "GET",
					      "/", false, true,
					      TR_AWS_PAGE_NONE};
	struct curl_slist *hdrs = NULL;
	reply r = {&out->body, false, "", "", "", "", ""};
	long status = 0;
	int herr = 0, error;
	int64_t t0;
	wire w;

	tr_aws_error_dispose(err);
	tr_buf_clear(&out->body);
	out->status = 0;
	err->service = what;
	err->operation = "credentials";
	if (!tr_aws_url_ok(url)) {
		tr_aws_client_fail(c, err, TR_AWS_ERR_CREDENTIALS, TR_EINVALID,
			  "metadata endpoint is not an http(s) URL");
		return TR_EINVALID;
	}
	for (size_t i = 0; i < header_count; i++)
		hdrs = add_header(hdrs, &herr, "%s", headers[i]);
	hdrs = add_header(hdrs, &herr, "Expect:");
	if (herr) {
		curl_slist_free_all(hdrs);
		tr_aws_client_fail(c, err, TR_AWS_ERR_CLIENT, herr, "header too large");
		return herr;
	}
	w = (wire){&metadata_op, what, method, url, NULL, hdrs,
		   strcmp(method, "PUT") == 0 ? "" : NULL, 0,
		   c->cfg.metadata_timeout_ms, c->cfg.metadata_timeout_ms,
		   true, METADATA_HANDLE};
	t0 = tr_aws_client_now(c);
	error = send_request(c, &w, &r, &status, err);
	curl_slist_free_all(hdrs);
	log_line(c, "aws: %s %s credentials status=%ld attempt=1 ms=%lld",
		 method, what, status > 0 ? status : 0,
		 (long long)(tr_aws_client_now(c) - t0));
	if (error < 0) {
		err->kind = TR_AWS_ERR_CREDENTIALS;
		return error;
	}
	out->status = status;
	out->attempts = 1;
	if (status < 200 || status >= 300) {
		char m[64];
		snprintf(m, sizeof(m), "%s answered HTTP %ld", what, status);
		tr_aws_client_fail(c, err, TR_AWS_ERR_CREDENTIALS,
			  status == 404 ? TR_ENOTFOUND : TR_EAUTH, m);
		err->http_status = status;
		return err->rc;
	}
	return 0;
}
