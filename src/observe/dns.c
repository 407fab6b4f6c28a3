/*
 * Route 53: the CNAMEs of custom domains and the TXT records that say
 * which of them are ours (model/dns.h). Each zone's first page of records
 * (300, in one ListResourceRecordSets) is read once: a private zone of
 * custom domains is usually that small, and then every name is answered
 * from it. In a larger zone the names not on that page are looked up on
 * their own, starting at that name and type, one record per call, never
 * a walk of the whole zone.
 */
#include <string.h>

#include "aws/xml.h"
#include "model/dns.h"
#include "observe/internal.h"
#include "util/alloc.h"
#include "util/limits.h"
#include "util/str.h"
#include "util/strmap.h"

#define ZONE_PAGE_ITEMS "300" /* Route 53's largest page */

typedef struct lookup {
	const char *zone_id;   /* borrowed from the config */
	char *name;            /* normalised */
	char *owner_name;      /* cname-<name> */
	cJSON *cname;          /* record found, or NULL */
	cJSON *txt;
	bool known[2];         /* CNAME, TXT answered by the zone's page */
} lookup;

typedef struct dns_reader {
	tr_model *out;
	tr_aws_client *client;
	const tr_config *cfg;
	tr_diag *diag;
	lookup *items;
	size_t count;
	size_t cap;
	tr_strmap seen;        /* name -> lookup index + 1 */
	int error;
} dns_reader;

static void want(dns_reader *d, const char *raw_name, const char *zone_id)
{
	tr_buf name = TR_BUF_INIT(TR_DNS_MAX_NAME_BYTES + 1);
	tr_buf owner = TR_BUF_INIT(TR_DNS_MAX_NAME_BYTES + 16);
	const tr_config_dns *zone;
	lookup *l;

	if (!raw_name || tr_dns_normalize(&name, raw_name) < 0 ||
	    tr_dns_owner_name(&owner, name.ptr) < 0 ||
	    tr_strmap_get(&d->seen, name.ptr))
		goto done;
	if (!zone_id) {
		zone = tr_config_dns_for(d->cfg, name.ptr);
		if (!zone || tr_str_eq(name.ptr, zone->domain))
			goto done;
		zone_id = zone->zone_id;
	}
	d->items = tr_grow(d->items, &d->cap, d->count + 1, sizeof(*d->items));
	l = &d->items[d->count++];
	memset(l, 0, sizeof(*l));
	l->zone_id = zone_id;
	l->name = tr_buf_detach(&name);
	l->owner_name = tr_buf_detach(&owner);
	tr_strmap_put(&d->seen, l->name, d); /* a set: any non-NULL */
done:
	tr_buf_dispose(&name);
	tr_buf_dispose(&owner);
}

static void read_failed(dns_reader *d, const tr_aws_error *err)
{
	tr_buf msg = TR_BUF_INIT(TR_MAX_LINE_BYTES);

	if (tr_aws_error_render(&msg, err) < 0)
		tr_buf_clear(&msg);
	tr_diag_add(d->diag, TR_SEV_ERROR, "aws.read", d->cfg->file, 0, 0,
		    "dns",
		    "reading Route 53 records failed: %s; no plan is made "
		    "from a partial view",
		    tr_buf_cstr(&msg));
	tr_buf_dispose(&msg);
	if (!d->error)
		d->error = err->rc ? err->rc : TR_ERROR;
}

static char *text_of(const xmlNode *n, const char *path)
{
	return tr_aws_xml_text_dup(n, path);
}

/* The first record set of a ListResourceRecordSets page that is
 * `name`/`type`, as {name, type, ttl, values[]}; else NULL (a lookup's
 * page starts at name and type: when the set there is another one, ours
 * is absent). */
static int find_record(cJSON **out, const xmlNode *root, const char *name,
		       const char *type)
{
	const xmlNode *set;
	char *rname = NULL, *rtype = NULL, *ttl = NULL;
	tr_buf norm = TR_BUF_INIT(TR_DNS_MAX_NAME_BYTES + 1);
	cJSON *values;
	int64_t ttl_v = 0;
	int error = 0;

	*out = NULL;
	for (set = tr_aws_xml_path(root, "ResourceRecordSets/ResourceRecordSet");
	     set; set = set->next) {
		if (set->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)set->name, "ResourceRecordSet") != 0)
			continue;
		tr_free(rname);
		tr_free(rtype);
		rname = text_of(set, "Name");
		rtype = text_of(set, "Type");
		if (!rname || !rtype) {
			error = TR_EINVALID;
			goto done;
		}
		tr_buf_clear(&norm);
		if (tr_dns_normalize(&norm, rname) == 0 &&
		    strcmp(norm.ptr, name) == 0 && strcmp(rtype, type) == 0)
			break;
	}
	if (!set)
		goto done; /* not on this page */
	ttl = text_of(set, "TTL");
	if (ttl && tr_str_to_i64(&ttl_v, ttl, 0, INT32_MAX) < 0)
		ttl_v = 0;
	*out = cJSON_CreateObject();
	cJSON_AddStringToObject(*out, "name", rname);
	cJSON_AddStringToObject(*out, "type", rtype);
	if (ttl)
		cJSON_AddNumberToObject(*out, "ttl", (double)ttl_v);
	values = cJSON_AddArrayToObject(*out, "values");
	for (const xmlNode *rr = tr_aws_xml_child(
		     tr_aws_xml_child(set, "ResourceRecords"), "ResourceRecord");
	     rr; rr = rr->next) {
		char *v;

		if (rr->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)rr->name, "ResourceRecord") != 0)
			continue;
		if ((v = text_of(rr, "Value")) != NULL) {
			cJSON_AddItemToArray(values, cJSON_CreateString(v));
			tr_free(v);
		}
	}
	if (!tr_aws_xml_child(set, "ResourceRecords")) {
		/* An alias at our name: it has no values to compare. */
		char *alias = text_of(set, "AliasTarget/DNSName");
		if (alias)
			cJSON_AddStringToObject(*out, "alias", alias);
		tr_free(alias);
	}
done:
	tr_free(rname);
	tr_free(rtype);
	tr_free(ttl);
	tr_buf_dispose(&norm);
	return error;
}

static int parse_record(cJSON **out, const tr_aws_response *resp,
			const char *name, const char *type)
{
	xmlDoc *doc = NULL;
	int error;

	*out = NULL;
	if ((error = tr_aws_xml_parse(&doc, resp->body.ptr, resp->body.len)) == 0)
		error = find_record(out, xmlDocGetRootElement(doc), name, type);
	xmlFreeDoc(doc);
	return error;
}

/* Answers every name it can from its zone's first page: what is on the
 * page is there; when the page is the whole zone, what is not is absent. */
static void answer_from_page(dns_reader *d, const char *zone_id,
			     const tr_aws_response *page)
{
	xmlDoc *doc = NULL;
	const xmlNode *root;
	char truncated[8] = "";
	bool whole;

	if (tr_aws_xml_parse(&doc, page->body.ptr, page->body.len) < 0)
		return; /* every name is looked up on its own instead */
	root = xmlDocGetRootElement(doc);
	whole = tr_aws_xml_text(truncated, sizeof(truncated), root,
				"IsTruncated") == 0 &&
		strcmp(truncated, "false") == 0;
	for (size_t i = 0; i < d->count; i++) {
		lookup *l = &d->items[i];

		if (strcmp(l->zone_id, zone_id) != 0)
			continue;
		if (find_record(&l->cname, root, l->name, "CNAME") == 0 &&
		    (l->cname || whole))
			l->known[0] = true;
		if (find_record(&l->txt, root, l->owner_name, "TXT") == 0 &&
		    (l->txt || whole))
			l->known[1] = true;
	}
	xmlFreeDoc(doc);
}

/* The first page of each zone that holds a name, in parallel. */
static void read_zone_pages(dns_reader *d, unsigned parallel)
{
	tr_aws_call *calls = tr_calloc(d->count + 1, sizeof(*calls));
	tr_aws_response *outs = tr_calloc(d->count + 1, sizeof(*outs));
	tr_aws_error *errs = tr_calloc(d->count + 1, sizeof(*errs));
	const char **zones = tr_calloc(d->count + 1, sizeof(*zones));
	static const tr_aws_param page = {"maxitems", ZONE_PAGE_ITEMS};
	size_t n = 0;

	for (size_t i = 0; i < d->count; i++) {
		size_t k;

		for (k = 0; k < n && strcmp(zones[k], d->items[i].zone_id); k++)
			;
		if (k < n)
			continue;
		zones[n] = d->items[i].zone_id;
		calls[n] = (tr_aws_call){TR_AWS_ROUTE53, "ListResourceRecordSets",
					 &zones[n], 1, &page, 1, NULL, 0};
		tr_aws_response_init(&outs[n]);
		tr_aws_error_init(&errs[n]);
		n++;
	}
	/* A failed page only costs its names their own lookups. */
	if (n)
		(void)!tr_aws_client_call_many(outs, errs, d->client, calls, n,
					       parallel);
	for (size_t k = 0; k < n; k++) {
		if (errs[k].kind == TR_AWS_ERR_NONE)
			answer_from_page(d, zones[k], &outs[k]);
		tr_aws_response_dispose(&outs[k]);
		tr_aws_error_dispose(&errs[k]);
	}
	tr_free(calls);
	tr_free(outs);
	tr_free(errs);
	tr_free(zones);
}

/* The lookups the zone pages did not answer, in parallel. */
static void fetch(dns_reader *d, unsigned parallel)
{
	size_t n = 0;
	size_t *which = tr_calloc(d->count * 2 + 1, sizeof(*which));
	tr_aws_call *calls = tr_calloc(d->count * 2 + 1, sizeof(*calls));
	tr_aws_response *outs = tr_calloc(d->count * 2 + 1, sizeof(*outs));
	tr_aws_error *errs = tr_calloc(d->count * 2 + 1, sizeof(*errs));
	tr_aws_param *params = tr_calloc(d->count * 6 + 1, sizeof(*params));
	const char **labels = tr_calloc(d->count * 2 + 1, sizeof(*labels));

	for (size_t j = 0; j < d->count * 2; j++)
		if (!d->items[j / 2].known[j % 2])
			which[n++] = j;
	for (size_t i = 0; i < n; i++) {
		const lookup *l = &d->items[which[i] / 2];
		bool txt = which[i] % 2 == 1;

		labels[i] = l->zone_id;
		params[i * 3] = (tr_aws_param){"name", txt ? l->owner_name
							   : l->name};
		params[i * 3 + 1] = (tr_aws_param){"type", txt ? "TXT" : "CNAME"};
		params[i * 3 + 2] = (tr_aws_param){"maxitems", "1"};
		calls[i] = (tr_aws_call){TR_AWS_ROUTE53, "ListResourceRecordSets",
					 &labels[i], 1, &params[i * 3], 3,
					 NULL, 0};
		tr_aws_response_init(&outs[i]);
		tr_aws_error_init(&errs[i]);
	}
	/* Failures are read per call below; a failure that left no error
	 * in any call is still one. */
	if (n && tr_aws_client_call_many(outs, errs, d->client, calls, n,
					 parallel) < 0) {
		bool any = false;
		for (size_t i = 0; i < n; i++)
			any |= errs[i].kind != TR_AWS_ERR_NONE;
		if (!any && !d->error)
			d->error = TR_ERROR;
	}
	for (size_t i = 0; i < n; i++) {
		lookup *l = &d->items[which[i] / 2];
		bool txt = which[i] % 2 == 1;

		if (errs[i].kind != TR_AWS_ERR_NONE) {
			read_failed(d, &errs[i]);
		} else if (parse_record(txt ? &l->txt : &l->cname, &outs[i],
					txt ? l->owner_name : l->name,
					txt ? "TXT" : "CNAME") < 0) {
			tr_diag_add(d->diag, TR_SEV_ERROR, "aws.read", NULL, 0,
				    0, NULL,
				    "route53 ListResourceRecordSets: the reply "
				    "is not the expected XML");
			d->error = TR_EINVALID;
		}
		tr_aws_response_dispose(&outs[i]);
		tr_aws_error_dispose(&errs[i]);
	}
	tr_free(calls);
	tr_free(outs);
	tr_free(errs);
	tr_free(params);
	tr_free(labels);
	tr_free(which);
}

static const char *jstr(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* "ref:service.x" when a service of the observed model has this DNS
 * name, so the CNAME compares equal to the desired reference. */
static cJSON *value_ref(tr_model *out, const char *value)
{
	tr_buf norm = TR_BUF_INIT(TR_DNS_MAX_NAME_BYTES + 1);
	cJSON *v = NULL;

	if (tr_dns_normalize(&norm, value) == 0) {
		for (size_t i = 0; i < out->count && !v; i++) {
			const tr_resource *r = &out->resources[i];
			const char *dns = cJSON_GetStringValue(
				tr_model_attr(r->attrs, "dnsEntry.domainName"));
			tr_buf dn = TR_BUF_INIT(TR_DNS_MAX_NAME_BYTES + 1);

			if (r->kind == TR_KIND_SERVICE && dns &&
			    tr_dns_normalize(&dn, dns) == 0 &&
			    strcmp(dn.ptr, norm.ptr) == 0)
				v = tr_model_ref(r->address);
			tr_buf_dispose(&dn);
		}
	}
	tr_buf_dispose(&norm);
	return v ? v : cJSON_CreateString(value);
}

static void add_record(dns_reader *d, lookup *l, const char *owner)
{
	tr_buf who = TR_BUF_INIT(TR_DNS_MAX_VALUE_BYTES + 1);
	tr_buf source = TR_BUF_INIT(TR_DNS_MAX_VALUE_BYTES + 1);
	tr_buf id = TR_BUF_INIT(TR_MAX_PATH_BYTES);
	const cJSON *txt_values = cJSON_GetObjectItemCaseSensitive(l->txt,
								   "values");
	bool ours_known = false;
	cJSON *attrs, *records;
	tr_resource *res;

	/* Ours when one value of the TXT set is a trellis record. */
	for (const cJSON *v = txt_values ? txt_values->child : NULL;
	     v && !ours_known; v = v->next)
		ours_known = cJSON_IsString(v) &&
			     tr_dns_owner_parse(&who, &source,
						v->valuestring) == 0;
	if (!l->cname && (!l->txt || (ours_known &&
				      tr_str_eq(tr_buf_cstr(&who), owner))))
		goto done; /* nothing there, or only our marker: a create */
	attrs = cJSON_CreateObject();
	cJSON_AddStringToObject(attrs, "hostedZoneId", l->zone_id);
	cJSON_AddStringToObject(attrs, "name", l->name);
	if (l->cname) {
		const cJSON *values =
			cJSON_GetObjectItemCaseSensitive(l->cname, "values");
		const char *value = cJSON_GetStringValue(
			cJSON_GetArrayItem(values, 0));

		cJSON_AddStringToObject(attrs, "type", "CNAME");
		if (cJSON_GetObjectItemCaseSensitive(l->cname, "ttl"))
			cJSON_AddItemToObject(
				attrs, "ttl",
				cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(
							l->cname, "ttl"),
						true));
		if (value)
			cJSON_AddItemToObject(attrs, "value",
					      value_ref(d->out, value));
		else if (jstr(l->cname, "alias"))
			cJSON_AddStringToObject(attrs, "value",
						jstr(l->cname, "alias"));
	}
	records = cJSON_AddArrayToObject(attrs, "records");
	if (l->cname)
		cJSON_AddItemToArray(records, cJSON_Duplicate(l->cname, true));
	if (l->txt)
		cJSON_AddItemToArray(records, cJSON_Duplicate(l->txt, true));
	res = tr_model_add(d->out, TR_KIND_DNS_RECORD, attrs, "%s", l->name);
	if (!res)
		goto done;
	if (ours_known) {
		tr_resource_set_tag(res, TR_TAG_OWNER, tr_buf_cstr(&who));
		tr_resource_set_tag(res, TR_TAG_SOURCE, tr_buf_cstr(&source));
	}
	if (tr_buf_printf(&id, "%s/%s/%s", l->zone_id, l->name,
			  l->cname ? "CNAME" : "TXT") == 0)
		res->id = tr_buf_detach(&id);
done:
	tr_buf_dispose(&who);
	tr_buf_dispose(&source);
	tr_buf_dispose(&id);
}

int tr_observe__dns_records(tr_model *out, tr_aws_client *client,
			    tr_model *desired, const tr_config *cfg,
			    const char *owner, unsigned parallel,
			    tr_diag *diag)
{
	dns_reader d;
	size_t nout = out->count;

	memset(&d, 0, sizeof(d));
	d.out = out;
	d.client = client;
	d.cfg = cfg;
	d.diag = diag;
	tr_strmap_init(&d.seen);
	for (size_t i = 0; i < desired->count; i++) {
		const tr_resource *r = &desired->resources[i];
		if (r->kind == TR_KIND_DNS_RECORD)
			want(&d, jstr(r->attrs, "name"),
			     jstr(r->attrs, "hostedZoneId"));
	}
	/* Records of our services that the manifests no longer declare (a
	 * route removed, a hostname changed): found so prune can delete
	 * them. */
	for (size_t i = 0; i < nout; i++) {
		const tr_resource *r = &out->resources[i];
		const char *o = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(r->tags, TR_TAG_OWNER));
		if (r->kind == TR_KIND_SERVICE && tr_str_eq(o, owner))
			want(&d, jstr(r->attrs, "customDomainName"), NULL);
	}
	read_zone_pages(&d, parallel);
	fetch(&d, parallel);
	for (size_t i = 0; i < d.count && !d.error; i++)
		add_record(&d, &d.items[i], owner);
	for (size_t i = 0; i < d.count; i++) {
		tr_free(d.items[i].name);
		tr_free(d.items[i].owner_name);
		cJSON_Delete(d.items[i].cname);
		cJSON_Delete(d.items[i].txt);
	}
	tr_free(d.items);
	tr_strmap_dispose(&d.seen);
	return d.error;
}
