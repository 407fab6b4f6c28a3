/*
 * The Kubernetes API client: one GET at a time on libcurl, TLS verified
 * against the cluster's CA, the bearer token in a header that is never
 * logged or quoted.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "kube/kube.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/limits.h"

#define DEFAULT_TIMEOUT_MS 10000L
#define DEFAULT_CONNECT_TIMEOUT_MS 3000L
#define DEFAULT_PAGE_LIMIT 100u

struct tr_kube_client {
	char *server;
	char *ca_file;
	tr_buf ca_pem;
	tr_buf cert_pem;
	tr_buf key_pem;
	char *cert_file;
	char *key_file;
	char *auth_header;   /* "Authorization: Bearer ..." (secret) */
	long timeout_ms;
	long connect_timeout_ms;
	unsigned page_limit;
	unsigned requests;
};

static char *dup_or_null(const char *s)
{
	return s ? tr_strdup(s) : NULL;
}

static void copy_bytes(tr_buf *b, const char *p, size_t n, size_t max)
{
	tr_buf_init(b, max);
	if (p && n && tr_buf_put(b, p, n) < 0)
		tr_buf_clear(b);
}

int tr_kube_client_new(tr_kube_client **out, const tr_kube_access *access,
		       const tr_kube_options *opts)
{
	tr_kube_client *c = tr_calloc(1, sizeof(*c));
	size_t n;

	c->server = tr_strdup(access->server ? access->server : "");
	/* A trailing '/' would double in the request path. */
	n = strlen(c->server);
	while (n > 0 && c->server[n - 1] == '/')
		c->server[--n] = '\0';
	c->ca_file = dup_or_null(access->ca_file);
	copy_bytes(&c->ca_pem, access->ca_pem, access->ca_pem_len,
		   TR_KUBE_MAX_PEM_BYTES);
	copy_bytes(&c->cert_pem, access->cert_pem, access->cert_pem_len,
		   TR_KUBE_MAX_PEM_BYTES);
	copy_bytes(&c->key_pem, access->key_pem, access->key_pem_len,
		   TR_KUBE_MAX_PEM_BYTES);
	c->cert_file = dup_or_null(access->cert_file);
	c->key_file = dup_or_null(access->key_file);
	if (access->token && *access->token) {
		tr_buf h = TR_BUF_INIT(TR_KUBE_MAX_TOKEN_BYTES + 64);
		if (tr_buf_printf(&h, "Authorization: Bearer %s",
				  access->token) == 0)
			c->auth_header = tr_buf_detach(&h);
		tr_buf_dispose(&h);
	}
	c->timeout_ms = opts && opts->timeout_ms ? opts->timeout_ms
						 : DEFAULT_TIMEOUT_MS;
	c->connect_timeout_ms = opts && opts->connect_timeout_ms
					? opts->connect_timeout_ms
					: DEFAULT_CONNECT_TIMEOUT_MS;
	c->page_limit = opts && opts->page_limit ? opts->page_limit
						 : DEFAULT_PAGE_LIMIT;
	*out = c;
	return 0;
}

void tr_kube_client_free(tr_kube_client *c)
{
	if (!c)
		return;
	tr_free(c->server);
	tr_free(c->ca_file);
	tr_buf_dispose(&c->ca_pem);
	tr_buf_dispose(&c->cert_pem);
	/* The key and the token are secrets: wipe before freeing. */
	if (c->key_pem.ptr)
		memset(c->key_pem.ptr, 0, c->key_pem.len);
	tr_buf_dispose(&c->key_pem);
	tr_free(c->cert_file);
	tr_free(c->key_file);
	if (c->auth_header)
		memset(c->auth_header, 0, strlen(c->auth_header));
	tr_free(c->auth_header);
	tr_free(c);
}

unsigned tr_kube_client_requests(const tr_kube_client *c)
{
	return c ? c->requests : 0;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ctx)
{
	tr_buf *b = ctx;
	size_t n = size * nmemb;

	/* A short count makes curl stop with CURLE_WRITE_ERROR. */
	return tr_buf_put(b, ptr, n) == 0 ? n : 0;
}

static void say(tr_buf *why, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(tr_buf *why, const char *fmt, ...)
{
	va_list ap;

	if (!why)
		return;
	tr_buf_clear(why);
	va_start(ap, fmt);
	if (tr_buf_vprintf(why, fmt, ap) < 0)
		tr_buf_clear(why);
	va_end(ap);
}

static void set_blob(CURL *h, CURLoption opt, const tr_buf *b)
{
	struct curl_blob blob = {b->ptr, b->len, CURL_BLOB_COPY};

	curl_easy_setopt(h, opt, &blob);
}

/* The message of a Kubernetes Status reply, or "". */
static const char *status_message(const cJSON *doc)
{
	const char *m = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(doc, "message"));

	return m ? m : "";
}

/* One GET of `url`; the parsed reply in *out on 200. */
static int get_json(cJSON **out, tr_kube_client *c, const char *url,
		    tr_buf *why)
{
	CURL *h = curl_easy_init();
	struct curl_slist *headers = NULL;
	tr_buf body = TR_BUF_INIT(TR_KUBE_MAX_RESPONSE_BYTES);
	char errbuf[CURL_ERROR_SIZE] = "";
	long status = 0;
	cJSON *doc = NULL;
	CURLcode cc;
	int error = 0;

	*out = NULL;
	if (!h) {
		say(why, "cannot start an HTTP request");
		error = TR_EIO;
		goto done;
	}
	headers = curl_slist_append(headers, "Accept: application/json");
	if (c->auth_header)
		headers = curl_slist_append(headers, c->auth_header);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
	if (c->ca_pem.len)
		set_blob(h, CURLOPT_CAINFO_BLOB, &c->ca_pem);
	else if (c->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
	if (c->cert_pem.len) {
		curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
		set_blob(h, CURLOPT_SSLCERT_BLOB, &c->cert_pem);
	} else if (c->cert_file) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, c->cert_file);
	}
	if (c->key_pem.len) {
		curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
		set_blob(h, CURLOPT_SSLKEY_BLOB, &c->key_pem);
	} else if (c->key_file) {
		curl_easy_setopt(h, CURLOPT_SSLKEY, c->key_file);
	}
	c->requests++;
	cc = curl_easy_perform(h);
	if (cc == CURLE_WRITE_ERROR && body.len >= TR_KUBE_MAX_RESPONSE_BYTES) {
		say(why, "a reply is larger than %u bytes",
		    TR_KUBE_MAX_RESPONSE_BYTES);
		error = TR_ETOOLARGE;
		goto done;
	}
	if (cc != CURLE_OK) {
		say(why, "%s", errbuf[0] ? errbuf : curl_easy_strerror(cc));
		error = TR_EIO;
		goto done;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	doc = cJSON_ParseWithLength(body.ptr ? body.ptr : "", body.len);
	if (status == 401 || status == 403) {
		say(why, "HTTP %ld: the API server refused the credentials%s%s",
		    status, *status_message(doc) ? ": " : "",
		    status_message(doc));
		error = TR_EAUTH;
		goto done;
	}
	if (status == 410) {
		say(why, "HTTP 410: the list changed while it was read "
			 "(continue token expired); run again");
		error = TR_EIO;
		goto done;
	}
	if (status >= 500 || status == 429) {
		say(why, "HTTP %ld from the API server%s%s", status,
		    *status_message(doc) ? ": " : "", status_message(doc));
		error = TR_EIO;
		goto done;
	}
	if (status != 200 || !cJSON_IsObject(doc)) {
		say(why, "HTTP %ld: %s", status,
		    *status_message(doc) ? status_message(doc)
					 : "not a JSON object");
		error = TR_EINVALID;
		goto done;
	}
	*out = doc;
	doc = NULL;
done:
	cJSON_Delete(doc);
	tr_buf_dispose(&body);
	curl_slist_free_all(headers);
	if (h)
		curl_easy_cleanup(h);
	return error;
}

/* Appends `s` percent-encoded (everything but unreserved characters). */
static int put_escaped(tr_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	int error = 0;

	for (; *s && !error; s++) {
		unsigned char ch = (unsigned char)*s;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
		    ch == '_' || ch == '~')
			error = tr_buf_putc(b, (char)ch);
		else
			error = tr_buf_printf(b, "%%%c%c", hex[ch >> 4],
					      hex[ch & 15]);
	}
	return error;
}

int tr_kube_page_take(cJSON *all, cJSON *page, char **next, tr_buf *why)
{
	cJSON *items = cJSON_GetObjectItemCaseSensitive(page, "items"), *item;
	const char *cont;

	*next = NULL;
	if (!cJSON_IsObject(page) ||
	    (items && !cJSON_IsArray(items) && !cJSON_IsNull(items))) {
		say(why, "the reply is not an EndpointSliceList");
		return TR_EINVALID;
	}
	while (cJSON_IsArray(items) &&
	       (item = cJSON_DetachItemFromArray(items, 0)) != NULL)
		cJSON_AddItemToArray(all, item);
	cont = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(page, "metadata"), "continue"));
	if (cont && *cont)
		*next = tr_strdup(cont);
	return 0;
}

int tr_kube_list_endpoint_slices(cJSON **out, tr_kube_client *c,
				 const char *ns, const char *service,
				 tr_buf *why)
{
	cJSON *all = cJSON_CreateArray();
	char *next = NULL;
	int error = 0;
	unsigned pages = 0;

	*out = NULL;
	do {
		tr_buf url = TR_BUF_INIT(TR_AWS_MAX_URL_BYTES);
		cJSON *page = NULL;

		if (++pages > TR_KUBE_MAX_PAGES) {
			say(why, "more than %u pages of EndpointSlices",
			    TR_KUBE_MAX_PAGES);
			error = TR_ETOOLARGE;
		}
		if (!error &&
		    (tr_buf_printf(&url, "%s/apis/discovery.k8s.io/v1/"
					 "namespaces/",
				   c->server) < 0 ||
		     put_escaped(&url, ns) < 0 ||
		     tr_buf_puts(&url, "/endpointslices?labelSelector=") < 0 ||
		     put_escaped(&url, "kubernetes.io/service-name=") < 0 ||
		     put_escaped(&url, service) < 0 ||
		     tr_buf_printf(&url, "&limit=%u", c->page_limit) < 0 ||
		     (next && (tr_buf_puts(&url, "&continue=") < 0 ||
			       put_escaped(&url, next) < 0)))) {
			say(why, "the request URL is too long");
			error = TR_ETOOLARGE;
		}
		if (!error)
			error = get_json(&page, c, url.ptr, why);
		tr_buf_dispose(&url);
		tr_free(next);
		next = NULL;
		if (error)
			break;
		error = tr_kube_page_take(all, page, &next, why);
		cJSON_Delete(page);
	} while (!error && next);
	tr_free(next);
	if (error) {
		cJSON_Delete(all);
		return error;
	}
	*out = all;
	return 0;
}
