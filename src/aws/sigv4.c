#include "aws/sigv4.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "util/alloc.h"
#include "util/limits.h"

#define ALGORITHM "AWS4-HMAC-SHA256"

typedef struct pair {
	char *name;
	char *value;
	size_t order; /* keeps repeated headers in the order they were given */
} pair;

typedef struct pair_list {
	pair *items;
	size_t count;
	size_t cap;
} pair_list;

static void pairs_dispose(pair_list *l)
{
	for (size_t i = 0; i < l->count; i++) {
		tr_free(l->items[i].name);
		tr_free(l->items[i].value);
	}
	tr_free(l->items);
	l->items = NULL;
	l->count = l->cap = 0;
}

static int pairs_add(pair_list *l, char *name, char *value, size_t max)
{
	if (l->count >= max) {
		tr_free(name);
		tr_free(value);
		return TR_ETOOLARGE;
	}
	l->items = tr_grow(l->items, &l->cap, l->count + 1, sizeof(*l->items));
	l->items[l->count].name = name;
	l->items[l->count].value = value;
	l->items[l->count].order = l->count;
	l->count++;
	return 0;
}

static int pair_cmp(const void *a, const void *b)
{
	const pair *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	c = strcmp(x->value, y->value);
	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int pair_cmp_name_then_order(const void *a, const void *b)
{
	const pair *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

void tr_sigv4_result_init(tr_sigv4_result *out)
{
	tr_buf_init(&out->canonical_request, TR_AWS_MAX_CANONICAL_BYTES);
	tr_buf_init(&out->string_to_sign, 1024);
	tr_buf_init(&out->signed_headers, TR_AWS_MAX_CANONICAL_BYTES);
	tr_buf_init(&out->authorization, TR_AWS_MAX_CANONICAL_BYTES);
	tr_buf_init(&out->query, TR_AWS_MAX_URL_BYTES);
	out->signature[0] = '\0';
	out->payload_hash[0] = '\0';
	out->amz_date[0] = '\0';
}

void tr_sigv4_result_dispose(tr_sigv4_result *out)
{
	tr_buf_dispose(&out->canonical_request);
	tr_buf_dispose(&out->string_to_sign);
	tr_buf_dispose(&out->signed_headers);
	tr_buf_dispose(&out->authorization);
	tr_buf_dispose(&out->query);
}

static void hex_encode(char *out, const unsigned char *in, size_t len)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * len] = '\0';
}

void tr_sigv4_sha256_hex(char out[65], const void *data, size_t len)
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256(data ? data : (const void *)"", len, md);
	hex_encode(out, md, sizeof(md));
}

static void hmac(unsigned char out[32], const void *key, size_t key_len,
		 const void *data, size_t len)
{
	unsigned int out_len = 32;

	HMAC(EVP_sha256(), key, (int)key_len, data, len, out, &out_len);
}

void tr_sigv4_amz_date(char out[17], int64_t time)
{
	time_t t = (time_t)time;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

static bool is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~';
}

int tr_sigv4_uri_encode(tr_buf *out, const char *s, size_t len, bool keep_slash)
{
	static const char digits[] = "0123456789ABCDEF";
	int error = 0;

	for (size_t i = 0; i < len && error == 0; i++) {
		unsigned char c = (unsigned char)s[i];

		if (is_unreserved(c) || (keep_slash && c == '/')) {
			error = tr_buf_putc(out, (char)c);
		} else {
			char esc[3] = {'%', digits[c >> 4], digits[c & 0xf]};
			error = tr_buf_put(out, esc, 3);
		}
	}
	return error;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes %XX then encodes again, so that "%E1%88%B4" and the raw bytes
 * canonicalise the same way; a stray '%' is encoded as "%25". */
static char *query_component(const char *s, size_t len, int *error)
{
	tr_buf raw = TR_BUF_INIT(TR_AWS_MAX_URL_BYTES);
	tr_buf enc = TR_BUF_INIT(3 * TR_AWS_MAX_URL_BYTES);
	char *result = NULL;

	*error = 0;
	for (size_t i = 0; i < len && *error == 0; i++) {
		int hi, lo;

		if (s[i] == '%' && i + 2 < len &&
		    (hi = hex_value(s[i + 1])) >= 0 &&
		    (lo = hex_value(s[i + 2])) >= 0) {
			*error = tr_buf_putc(&raw, (char)(hi * 16 + lo));
			i += 2;
		} else {
			*error = tr_buf_putc(&raw, s[i]);
		}
	}
	if (*error == 0)
		*error = tr_sigv4_uri_encode(&enc, raw.ptr ? raw.ptr : "",
					     raw.len, false);
	if (*error == 0)
		result = tr_buf_detach(&enc);
	tr_buf_dispose(&raw);
	tr_buf_dispose(&enc);
	return result;
}

static int parse_query(pair_list *out, const char *query)
{
	const char *p = query;
	int error = 0;

	if (!query)
		return 0;
	while (*p && error == 0) {
		size_t part = strcspn(p, "&");
		const char *eq = memchr(p, '=', part);
		size_t nlen = eq ? (size_t)(eq - p) : part;
		char *name = NULL, *value = NULL;

		if (part > 0) {
			name = query_component(p, nlen, &error);
			if (error == 0)
				value = eq ? query_component(eq + 1,
							     part - nlen - 1,
							     &error)
					   : tr_strdup("");
			if (error == 0)
				error = pairs_add(out, name, value,
						  TR_AWS_MAX_QUERY_PARAMS);
			else {
				tr_free(name);
				tr_free(value);
			}
		}
		p += part;
		if (*p == '&')
			p++;
	}
	return error;
}

static int canonical_query(tr_buf *out, pair_list *params)
{
	int error = 0;

	if (params->count)
		qsort(params->items, params->count, sizeof(pair), pair_cmp);
	for (size_t i = 0; i < params->count && error == 0; i++)
		error = tr_buf_printf(out, "%s%s=%s", i ? "&" : "",
				      params->items[i].name,
				      params->items[i].value);
	return error;
}

/* Removes "." and ".." segments and empty segments ("//"), keeping a
 * trailing slash; the suite's "normalized" cases. */
static int normalize_path(tr_buf *out, const char *path)
{
	const char **segs = NULL;
	size_t *lens = NULL;
	size_t count = 0, cap = 0, lcap = 0;
	const char *p = path;
	size_t plen = strlen(path);
	bool trailing = plen > 0 && path[plen - 1] == '/';
	int error = 0;

	while (*p) {
		size_t n;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 0)
			break;
		if (n == 1 && p[0] == '.') {
			/* skip */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (count)
				count--;
		} else {
			segs = tr_grow(segs, &cap, count + 1, sizeof(*segs));
			lens = tr_grow(lens, &lcap, count + 1, sizeof(*lens));
			segs[count] = p;
			lens[count] = n;
			count++;
		}
		p += n;
	}
	for (size_t i = 0; i < count && error == 0; i++) {
		error = tr_buf_putc(out, '/');
		if (error == 0)
			error = tr_buf_put(out, segs[i], lens[i]);
	}
	if (error == 0 && (count == 0 || trailing))
		error = tr_buf_putc(out, '/');
	tr_free(segs);
	tr_free(lens);
	return error;
}

static int canonical_path(tr_buf *out, const char *path, bool normalize)
{
	tr_buf norm = TR_BUF_INIT(TR_AWS_MAX_URL_BYTES);
	const char *src = path && *path ? path : "/";
	int error = 0;

	if (normalize) {
		if ((error = normalize_path(&norm, src)) < 0)
			goto done;
		src = tr_buf_cstr(&norm);
	}
	error = tr_sigv4_uri_encode(out, src, strlen(src), true);
done:
	tr_buf_dispose(&norm);
	return error;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

/* Trims and collapses inner whitespace runs (folded lines included). */
static char *header_value(const char *v)
{
	tr_buf b = TR_BUF_INIT(TR_AWS_MAX_HEADER_BYTES);
	bool pending_space = false;
	int error = 0;

	while (*v && is_space(*v))
		v++;
	for (; *v && error == 0; v++) {
		if (is_space(*v)) {
			pending_space = true;
			continue;
		}
		if (pending_space)
			error = tr_buf_putc(&b, ' ');
		pending_space = false;
		if (error == 0)
			error = tr_buf_putc(&b, *v);
	}
	if (error) {
		tr_buf_dispose(&b);
		return NULL;
	}
	return tr_buf_detach(&b);
}

static char *lower_dup(const char *s)
{
	char *d = tr_strdup(s);

	for (char *p = d; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return d;
}

bool tr_sigv4_header_is_unsigned(const char *name)
{
	static const char *const skip[] = {
		"authorization", "connection", "expect", "keep-alive",
		"proxy-authenticate", "proxy-authorization", "te", "trailer",
		"transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id",
	};

	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (strcasecmp(name, skip[i]) == 0)
			return true;
	return false;
}

static bool has_header(const tr_sigv4_request *req, const char *name)
{
	for (size_t i = 0; i < req->header_count; i++)
		if (strcasecmp(req->headers[i].name, name) == 0)
			return true;
	return false;
}

static int add_header(pair_list *l, const char *name, const char *value)
{
	char *v = header_value(value);

	if (!v)
		return TR_ETOOLARGE;
	return pairs_add(l, lower_dup(name), v, TR_AWS_MAX_HEADERS);
}

/* Canonical headers block (each "name:value\n") and the signed list. */
static int canonical_headers(tr_buf *block, tr_buf *signed_list,
			     pair_list *headers)
{
	int error = 0;

	if (headers->count)
		qsort(headers->items, headers->count, sizeof(pair),
	      pair_cmp_name_then_order);
	for (size_t i = 0; i < headers->count && error == 0; i++) {
		const pair *h = &headers->items[i];
		bool same = i > 0 && strcmp(headers->items[i - 1].name,
					    h->name) == 0;

		if (same) {
			/* Merge repeated names into one comma-joined line:
			 * drop the newline that ended the previous value. */
			tr_buf_truncate(block, block->len - 1);
			error = tr_buf_printf(block, ",%s\n", h->value);
			continue;
		}
		error = tr_buf_printf(block, "%s:%s\n", h->name, h->value);
		if (error == 0)
			error = tr_buf_printf(signed_list, "%s%s",
					      signed_list->len ? ";" : "",
					      h->name);
	}
	return error;
}

static void signing_key(unsigned char key[32], const tr_sigv4_params *p,
			const char *date8)
{
	size_t slen = strlen(p->secret_access_key);
	char *k = tr_malloc(slen + 5);
	unsigned char a[32], b[32];

	memcpy(k, "AWS4", 4);
	memcpy(k + 4, p->secret_access_key, slen + 1);
	hmac(a, k, slen + 4, date8, strlen(date8));
	hmac(b, a, 32, p->region, strlen(p->region));
	hmac(a, b, 32, p->service, strlen(p->service));
	hmac(key, a, 32, "aws4_request", 12);
	/* The derived key is as good as the secret for a day: wipe it all. */
	OPENSSL_cleanse(k, slen + 4);
	OPENSSL_cleanse(a, sizeof(a));
	OPENSSL_cleanse(b, sizeof(b));
	tr_free(k);
}

static bool params_ok(const tr_sigv4_request *req, const tr_sigv4_params *p)
{
	return req && p && req->method && p->access_key_id &&
	       p->secret_access_key && p->region && p->service &&
	       *p->access_key_id && *p->secret_access_key && *p->region &&
	       *p->service && (req->headers || req->header_count == 0) &&
	       (req->body || req->body_len == 0);
}

static int sign(tr_sigv4_result *out, const tr_sigv4_request *req,
		const tr_sigv4_params *p, bool presign)
{
	pair_list headers = {0}, query = {0};
	tr_buf path = TR_BUF_INIT(3 * TR_AWS_MAX_URL_BYTES);
	tr_buf qs = TR_BUF_INIT(3 * TR_AWS_MAX_URL_BYTES);
	tr_buf hblock = TR_BUF_INIT(TR_AWS_MAX_CANONICAL_BYTES);
	tr_buf scope = TR_BUF_INIT(256);
	tr_buf cred = TR_BUF_INIT(1024);
	char date8[9], creq_hash[65];
	unsigned char key[32], sig[32];
	bool token = p && p->session_token && *p->session_token &&
		     !p->omit_session_token;
	int error = 0;

	if (!out || !params_ok(req, p)) {
		error = TR_EINVALID;
		goto done;
	}
	tr_buf_clear(&out->canonical_request);
	tr_buf_clear(&out->string_to_sign);
	tr_buf_clear(&out->signed_headers);
	tr_buf_clear(&out->authorization);
	tr_buf_clear(&out->query);

	tr_sigv4_amz_date(out->amz_date, p->time);
	memcpy(date8, out->amz_date, 8);
	date8[8] = '\0';
	tr_sigv4_sha256_hex(out->payload_hash, req->body, req->body_len);
	if ((error = tr_buf_printf(&scope, "%s/%s/%s/aws4_request", date8,
				   p->region, p->service)) < 0)
		goto done;

	for (size_t i = 0; i < req->header_count && error == 0; i++)
		if (!tr_sigv4_header_is_unsigned(req->headers[i].name))
			error = add_header(&headers, req->headers[i].name,
					   req->headers[i].value);
	if (error)
		goto done;
	if (!presign) {
		if (!has_header(req, "x-amz-date"))
			error = add_header(&headers, "x-amz-date",
					   out->amz_date);
		if (error == 0 && token &&
		    !has_header(req, "x-amz-security-token"))
			error = add_header(&headers, "x-amz-security-token",
					   p->session_token);
		if (error == 0 && p->sign_body &&
		    !has_header(req, "x-amz-content-sha256"))
			error = add_header(&headers, "x-amz-content-sha256",
					   out->payload_hash);
		if (error)
			goto done;
	}
	if ((error = canonical_headers(&hblock, &out->signed_headers,
				       &headers)) < 0)
		goto done;

	if ((error = parse_query(&query, req->query)) < 0)
		goto done;
	if (presign) {
		char expires[24];
		const char *extra[][2] = {
			{"X-Amz-Algorithm", ALGORITHM},
			{"X-Amz-Credential", NULL},
			{"X-Amz-Date", out->amz_date},
			{"X-Amz-Expires", expires},
			{"X-Amz-Security-Token", token ? p->session_token : NULL},
			{"X-Amz-SignedHeaders", tr_buf_cstr(&out->signed_headers)},
		};

		if ((error = tr_buf_printf(&cred, "%s/%s", p->access_key_id,
					   tr_buf_cstr(&scope))) < 0)
			goto done;
		extra[1][1] = tr_buf_cstr(&cred);
		if ((error = tr_buf_printf(&out->query, "%s",
					   req->query ? req->query : "")) < 0)
			goto done;
		snprintf(expires, sizeof(expires), "%lld",
			 (long long)(p->expires_in > 0 ? p->expires_in : 900));
		for (size_t i = 0; i < 6 && error == 0; i++) {
			tr_buf v = TR_BUF_INIT(3 * TR_AWS_MAX_URL_BYTES);

			if (!extra[i][1])
				continue; /* no token: nothing was allocated */
			error = tr_sigv4_uri_encode(&v, extra[i][1],
						    strlen(extra[i][1]), false);
			if (error == 0)
				error = tr_buf_printf(&out->query, "%s%s=%s",
						      out->query.len ? "&" : "",
						      extra[i][0],
						      tr_buf_cstr(&v));
			if (error == 0)
				error = pairs_add(&query,
						  tr_strdup(extra[i][0]),
						  tr_buf_detach(&v),
						  TR_AWS_MAX_QUERY_PARAMS);
			tr_buf_dispose(&v);
		}
		if (error)
			goto done;
	}
	if ((error = canonical_query(&qs, &query)) < 0 ||
	    (error = canonical_path(&path, req->path, p->normalize_path)) < 0)
		goto done;

	if ((error = tr_buf_printf(&out->canonical_request,
				   "%s\n%s\n%s\n%s\n%s\n%s", req->method,
				   tr_buf_cstr(&path), tr_buf_cstr(&qs),
				   tr_buf_cstr(&hblock),
				   tr_buf_cstr(&out->signed_headers),
				   out->payload_hash)) < 0)
		goto done;
	tr_sigv4_sha256_hex(creq_hash, out->canonical_request.ptr,
			    out->canonical_request.len);
	if ((error = tr_buf_printf(&out->string_to_sign, "%s\n%s\n%s\n%s",
				   ALGORITHM, out->amz_date,
				   tr_buf_cstr(&scope), creq_hash)) < 0)
		goto done;

	signing_key(key, p, date8);
	hmac(sig, key, sizeof(key), out->string_to_sign.ptr,
	     out->string_to_sign.len);
	OPENSSL_cleanse(key, sizeof(key));
	hex_encode(out->signature, sig, sizeof(sig));

	if (presign)
		error = tr_buf_printf(&out->query, "%sX-Amz-Signature=%s",
				      out->query.len ? "&" : "",
				      out->signature);
	else
		error = tr_buf_printf(
			&out->authorization,
			ALGORITHM " Credential=%s/%s, SignedHeaders=%s, "
				  "Signature=%s",
			p->access_key_id, tr_buf_cstr(&scope),
			tr_buf_cstr(&out->signed_headers), out->signature);
done:
	pairs_dispose(&headers);
	pairs_dispose(&query);
	tr_buf_dispose(&path);
	tr_buf_dispose(&qs);
	tr_buf_dispose(&hblock);
	tr_buf_dispose(&scope);
	tr_buf_dispose(&cred);
	return error;
}

int tr_sigv4_sign(tr_sigv4_result *out, const tr_sigv4_request *req,
		  const tr_sigv4_params *params)
{
	return sign(out, req, params, false);
}

int tr_sigv4_presign(tr_sigv4_result *out, const tr_sigv4_request *req,
		     const tr_sigv4_params *params)
{
	return sign(out, req, params, true);
}
