/*
 * ACM certificates of HTTPS services with a custom domain, checked at plan
 * time so an apply never creates a service whose TLS would fail: the named
 * certificate exists, is ISSUED, covers the domain and has not expired;
 * a missing name is filled in as the AWS Gateway API controller does.
 */
#include <string.h>
#include <strings.h>

#include "observe/internal.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/str.h"

#define ACM_PAGE "1000"

bool tr_observe__cert_covers(const char *pattern, const char *domain)
{
	const char *dot;

	if (!pattern || !domain)
		return false;
	if (strcasecmp(pattern, domain) == 0)
		return true;
	/* "*.example.com" covers "a.example.com", not "example.com" nor
	 * "a.b.example.com". */
	if (strncmp(pattern, "*.", 2) != 0 || !(dot = strchr(domain, '.')) ||
	    dot == domain)
		return false;
	return strcasecmp(pattern + 2, dot + 1) == 0;
}

static int match_names(const cJSON *names, const char *domain, int best)
{
	const cJSON *n;

	cJSON_ArrayForEach(n, names)
	{
		const char *s = cJSON_GetStringValue(n);
		if (s && strcasecmp(s, domain) == 0)
			return 2;
		if (tr_observe__cert_covers(s, domain) && best < 1)
			best = 1;
	}
	return best;
}

int tr_observe__cert_match(const cJSON *cert, const char *domain)
{
	const char *main_name = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(cert, "DomainName"));
	int best = 0;

	if (main_name && strcasecmp(main_name, domain) == 0)
		return 2;
	if (tr_observe__cert_covers(main_name, domain))
		best = 1;
	best = match_names(cJSON_GetObjectItemCaseSensitive(
				   cert, "SubjectAlternativeNames"),
			   domain, best);
	if (best < 2)
		best = match_names(cJSON_GetObjectItemCaseSensitive(
					   cert, "SubjectAlternativeNameSummaries"),
				   domain, best);
	return best;
}

static double num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static const char *str(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* When the certificate came to be: issued, imported or created. */
static double born(const cJSON *c)
{
	double t = num(c, "IssuedAt");

	if (num(c, "ImportedAt") > t)
		t = num(c, "ImportedAt");
	return t ? t : num(c, "CreatedAt");
}

typedef struct checker {
	tr_aws_client *client;
	int64_t now_s;
	tr_diag *diag;
	cJSON *issued;     /* ListCertificates (ISSUED), read once; NULL */
	bool listed;
	int error;
} checker;

static void aws_failed(checker *k, const tr_aws_error *err)
{
	tr_buf msg = TR_BUF_INIT(TR_MAX_LINE_BYTES);

	if (tr_aws_error_render(&msg, err) < 0)
		tr_buf_clear(&msg);
	tr_diag_add(k->diag, TR_SEV_ERROR, "aws.read", NULL, 0, 0, NULL,
		    "reading ACM certificates failed: %s; no plan is made "
		    "from a partial view",
		    tr_buf_cstr(&msg));
	tr_buf_dispose(&msg);
	k->error = err->rc ? err->rc : TR_ERROR;
}

static int on_page(void *ctx, const tr_aws_response *page)
{
	cJSON *all = ctx;
	cJSON *doc = cJSON_ParseWithLength(page->body.ptr, page->body.len);
	cJSON *list = cJSON_GetObjectItemCaseSensitive(doc,
						       "CertificateSummaryList");
	cJSON *item;

	if (!cJSON_IsArray(list)) {
		cJSON_Delete(doc);
		return TR_EINVALID;
	}
	while ((item = cJSON_DetachItemFromArray(list, 0)) != NULL)
		cJSON_AddItemToArray(all, item);
	cJSON_Delete(doc);
	return 0;
}

/* Every ISSUED certificate of the region, of every key type (the API
 * lists only RSA ones unless asked). */
static const cJSON *issued(checker *k)
{
	static const char body[] =
		"{\"CertificateStatuses\":[\"ISSUED\"],\"MaxItems\":" ACM_PAGE
		",\"Includes\":{\"keyTypes\":[\"RSA_1024\",\"RSA_2048\","
		"\"RSA_3072\",\"RSA_4096\",\"EC_prime256v1\","
		"\"EC_secp384r1\",\"EC_secp521r1\"]}}";
	tr_aws_call call = {TR_AWS_ACM, "ListCertificates", NULL, 0, NULL, 0,
			    body, sizeof(body) - 1};
	tr_aws_error err;

	if (k->listed)
		return k->issued;
	k->listed = true;
	k->issued = cJSON_CreateArray();
	tr_aws_error_init(&err);
	if (tr_aws_client_paginate(k->client, &call, on_page, k->issued,
				   &err) < 0) {
		if (err.kind != TR_AWS_ERR_NONE) {
			aws_failed(k, &err);
		} else {
			tr_diag_add(k->diag, TR_SEV_ERROR, "aws.read", NULL, 0,
				    0, NULL,
				    "acm ListCertificates: the reply is not "
				    "the expected JSON");
			k->error = TR_EINVALID;
		}
		cJSON_Delete(k->issued);
		k->issued = NULL;
	}
	tr_aws_error_dispose(&err);
	return k->issued;
}

/* The controller's choice: an exact name first, then a wildcard; the
 * most recent certificate wins among equals. */
static const cJSON *discover(checker *k, const char *domain, int *how)
{
	const cJSON *best = NULL, *c;

	*how = 0;
	cJSON_ArrayForEach(c, issued(k))
	{
		int m = tr_observe__cert_match(c, domain);
		if (m == 0 || m < *how)
			continue;
		if (m > *how || born(c) > born(best)) {
			best = c;
			*how = m;
		}
	}
	return best;
}

static cJSON *describe(checker *k, const char *arn, bool *missing)
{
	tr_buf body = TR_BUF_INIT(TR_MAX_LINE_BYTES);
	cJSON *req = cJSON_CreateObject();
	char *text;
	tr_aws_call call = {TR_AWS_ACM, "DescribeCertificate", NULL, 0, NULL,
			    0, NULL, 0};
	tr_aws_response resp;
	tr_aws_error err;
	cJSON *doc = NULL, *cert = NULL;
	int error;

	*missing = false;
	cJSON_AddStringToObject(req, "CertificateArn", arn);
	text = cJSON_PrintUnformatted(req);
	call.body = text;
	call.body_len = text ? strlen(text) : 0;
	tr_aws_response_init(&resp);
	tr_aws_error_init(&err);
	error = tr_aws_client_call(&resp, k->client, &call, &err);
	if (error == TR_ENOTFOUND || error == TR_EINVALID) {
		/* ResourceNotFound, or an ARN ACM cannot parse */
		*missing = err.kind == TR_AWS_ERR_SERVICE ||
			   error == TR_ENOTFOUND;
		if (!*missing)
			aws_failed(k, &err);
	} else if (error < 0) {
		aws_failed(k, &err);
	} else if ((doc = cJSON_ParseWithLength(resp.body.ptr,
						resp.body.len)) != NULL) {
		cert = cJSON_DetachItemFromObjectCaseSensitive(doc,
							       "Certificate");
	}
	if (!error && !cJSON_IsObject(cert)) {
		tr_diag_add(k->diag, TR_SEV_ERROR, "aws.read", NULL, 0, 0, NULL,
			    "acm DescribeCertificate: the reply is not the "
			    "expected JSON");
		k->error = TR_EINVALID;
		cJSON_Delete(cert);
		cert = NULL;
	}
	cJSON_Delete(doc);
	cJSON_Delete(req);
	cJSON_free(text);
	tr_aws_response_dispose(&resp);
	tr_aws_error_dispose(&err);
	tr_buf_dispose(&body);
	return cert;
}

/* Status, coverage and validity of one certificate for one service. */
static void assess(checker *k, const tr_resource *svc, const char *domain,
		   const char *arn, const cJSON *cert)
{
	const char *status = str(cert, "Status");
	double not_after = num(cert, "NotAfter");
	const char *file = svc->source_file;
	unsigned line = svc->source_line;

	if (tr_str_eq(status, "EXPIRED") ||
	    (not_after > 0 && not_after <= (double)k->now_s)) {
		tr_diag_add(k->diag, TR_SEV_ERROR, "acm.expired", file, line, 0,
			    "spec.hostnames[0]",
			    "certificate %s for %s (service %s) expired %.0f "
			    "day(s) ago; renew or re-import it, or name another "
			    "certificate in the Gateway listener's tls.options",
			    arn, domain, svc->name ? svc->name : svc->address,
			    ((double)k->now_s - not_after) / 86400);
		k->error = TR_EINVALID;
		return;
	}
	if (!tr_str_eq(status, "ISSUED")) {
		tr_diag_add(k->diag, TR_SEV_ERROR, "acm.not-issued", file, line,
			    0, "spec.hostnames[0]",
			    "certificate %s for %s (service %s) is %s, not "
			    "ISSUED: VPC Lattice cannot serve TLS with it",
			    arn, domain, svc->name ? svc->name : svc->address,
			    status ? status : "without a status");
		k->error = TR_EINVALID;
		return;
	}
	if (tr_observe__cert_match(cert, domain) == 0) {
		tr_diag_add(k->diag, TR_SEV_ERROR, "acm.domain", file, line, 0,
			    "spec.hostnames[0]",
			    "certificate %s (%s) does not cover %s, the custom "
			    "domain of service %s: ACM matches names exactly or "
			    "by a one-label wildcard",
			    arn, str(cert, "DomainName") ? str(cert, "DomainName")
						       : "no name",
			    domain, svc->name ? svc->name : svc->address);
		k->error = TR_EINVALID;
		return;
	}
	if (not_after > 0 &&
	    not_after - (double)k->now_s < TR_CERT_EXPIRY_WARNING_S)
		tr_diag_add(k->diag, TR_SEV_WARNING, "acm.expiring", file, line,
			    0, "spec.hostnames[0]",
			    "certificate %s for %s (service %s) expires in %.0f "
			    "day(s): renew it before it does",
			    arn, domain, svc->name ? svc->name : svc->address,
			    (not_after - (double)k->now_s) / 86400);
}

/* Does the service have an HTTPS listener in the desired model? */
static bool has_https(const tr_model *desired, const char *svc_address)
{
	for (size_t i = 0; i < desired->count; i++) {
		const tr_resource *r = &desired->resources[i];
		const cJSON *proto = cJSON_GetObjectItemCaseSensitive(r->attrs,
								     "protocol");
		if (r->kind == TR_KIND_LISTENER &&
		    tr_str_eq(cJSON_GetStringValue(proto), "HTTPS") &&
		    tr_str_eq(tr_model_ref_target(cJSON_GetObjectItemCaseSensitive(
				      r->attrs, "serviceIdentifier")),
			      svc_address))
			return true;
	}
	return false;
}

static void check_service(checker *k, const tr_model *desired,
			  tr_resource *svc)
{
	const char *domain = str(svc->attrs, "customDomainName");
	const char *arn = str(svc->attrs, "certificateArn");
	cJSON *described = NULL;
	bool missing = false;

	if (!domain || !has_https(desired, svc->address))
		return;
	if (!arn) {
		int how;
		const cJSON *c = discover(k, domain, &how);

		if (k->error)
			return;
		if (!c || !str(c, "CertificateArn")) {
			tr_diag_add(k->diag, TR_SEV_ERROR, "acm.not-found",
				    svc->source_file, svc->source_line, 0,
				    "spec.hostnames[0]",
				    "no ISSUED certificate in ACM covers %s, the "
				    "custom domain of HTTPS service %s: request "
				    "or import one, or name it in the Gateway "
				    "listener's tls.options "
				    "(application-networking.k8s.aws/"
				    "certificate-arn)",
				    domain, svc->name ? svc->name : svc->address);
			k->error = TR_EINVALID;
			return;
		}
		arn = str(c, "CertificateArn");
		tr_diag_add(k->diag, TR_SEV_NOTE, "acm.discovered",
			    svc->source_file, svc->source_line, 0,
			    "spec.hostnames[0]",
			    "service %s uses certificate %s (%s match %s), "
			    "found in ACM as the AWS controller finds it",
			    svc->name ? svc->name : svc->address, arn,
			    how == 2 ? "exact" : "wildcard",
			    str(c, "DomainName") ? str(c, "DomainName") : "");
		cJSON_AddStringToObject(svc->attrs, "certificateArn", arn);
		arn = str(svc->attrs, "certificateArn");
		assess(k, svc, domain, arn, c);
		return;
	}
	described = describe(k, arn, &missing);
	if (missing) {
		tr_diag_add(k->diag, TR_SEV_ERROR, "acm.not-found",
			    svc->source_file, svc->source_line, 0,
			    "spec.hostnames[0]",
			    "certificate %s, named for HTTPS service %s (%s), "
			    "does not exist in ACM in this account and region",
			    arn, svc->name ? svc->name : svc->address, domain);
		k->error = TR_EINVALID;
	} else if (described) {
		assess(k, svc, domain, arn, described);
	}
	cJSON_Delete(described);
}

int tr_observe__certificates(tr_model *desired, tr_aws_client *client,
			     int64_t now_s, unsigned parallel, tr_diag *diag)
{
	checker k;

	(void)parallel; /* one call per named certificate: few */
	memset(&k, 0, sizeof(k));
	k.client = client;
	k.now_s = now_s;
	k.diag = diag;
	for (size_t i = 0; i < desired->count; i++) {
		tr_resource *r = &desired->resources[i];
		int before = k.error;

		if (r->kind != TR_KIND_SERVICE)
			continue;
		k.error = 0;
		check_service(&k, desired, r);
		if (!k.error)
			k.error = before;
	}
	cJSON_Delete(k.issued);
	return k.error;
}
