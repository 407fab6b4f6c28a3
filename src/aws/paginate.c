/* Walking paginated List operations, in each service's own style. */
#include "aws/client.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "aws/internal.h"
#include "aws/xml.h"
#include "util/alloc.h"
#include "util/limits.h"
#include "util/str.h"

typedef struct page_state {
	char *token;      /* nextToken / Marker / NextMarker */
	char *rec_name;   /* Route 53 records */
	char *rec_type;
	char *rec_id;
	bool more;
} page_state;

static void page_state_clear(page_state *p)
{
	tr_free(p->token);
	tr_free(p->rec_name);
	tr_free(p->rec_type);
	tr_free(p->rec_id);
	memset(p, 0, sizeof(*p));
}

/* The JSON member that carries the page token, in replies (and, for the
 * body-paged operations, in requests). The tagging API ends with "". */
static const char *body_token_name(tr_aws_paging paging)
{
	switch (paging) {
	case TR_AWS_PAGE_NEXT_TOKEN_QUERY:
		return "nextToken";
	case TR_AWS_PAGE_PAGINATION_TOKEN:
		return "PaginationToken";
	default:
		return "NextToken";
	}
}

static bool xml_true(const xmlNode *root, const char *path)
{
	char v[16];

	return tr_aws_xml_text(v, sizeof(v), root, path) == 0 &&
	       strcmp(v, "true") == 0;
}

static int next_page(page_state *p, const tr_aws_op *op,
		     const tr_aws_response *r)
{
	page_state next = {0};
	int error = 0;

	if (op->paging == TR_AWS_PAGE_NEXT_TOKEN_QUERY ||
	    op->paging == TR_AWS_PAGE_NEXT_TOKEN_BODY ||
	    op->paging == TR_AWS_PAGE_PAGINATION_TOKEN) {
		cJSON *j = cJSON_ParseWithLength(tr_buf_cstr(&r->body), r->body.len);
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(
			j, body_token_name(op->paging));
		if (!j)
			error = TR_EINVALID;
		else if (cJSON_IsString(t) && t->valuestring && *t->valuestring) {
			next.token = tr_strdup(t->valuestring);
			next.more = true;
		}
		cJSON_Delete(j);
	} else {
		xmlDoc *doc = NULL;
		xmlNode *root, *res;
		char path[192];

		if ((error = tr_aws_xml_parse(&doc, tr_buf_cstr(&r->body),
					      r->body.len)) < 0)
			goto done;
		root = xmlDocGetRootElement(doc);
		snprintf(path, sizeof(path), "%sResult", op->name);
		res = op->paging == TR_AWS_PAGE_MARKER
			      ? tr_aws_xml_child(root, path)
			      : root;
		if (res && xml_true(res, "IsTruncated")) {
			next.more = true;
			if (op->paging == TR_AWS_PAGE_MARKER)
				next.token = tr_aws_xml_text_dup(res, "Marker");
			else if (op->paging == TR_AWS_PAGE_R53_MARKER)
				next.token = tr_aws_xml_text_dup(res, "NextMarker");
			else {
				next.rec_name = tr_aws_xml_text_dup(res, "NextRecordName");
				next.rec_type = tr_aws_xml_text_dup(res, "NextRecordType");
				next.rec_id = tr_aws_xml_text_dup(res, "NextRecordIdentifier");
			}
			if (!next.token && !next.rec_name)
				error = TR_EINVALID; /* truncated without a marker */
		}
		xmlFreeDoc(doc);
	}
done:
	if (error == 0 && next.more && p->more && tr_str_eq(next.token, p->token) &&
	    tr_str_eq(next.rec_name, p->rec_name) &&
	    tr_str_eq(next.rec_type, p->rec_type) &&
	    tr_str_eq(next.rec_id, p->rec_id))
		error = TR_ECONFLICT; /* the same page again: never loop */
	page_state_clear(p);
	if (error == 0)
		*p = next;
	else
		page_state_clear(&next);
	return error;
}

static bool paging_param(tr_aws_paging paging, const char *name)
{
	switch (paging) {
	case TR_AWS_PAGE_NEXT_TOKEN_QUERY:
		return strcmp(name, "nextToken") == 0;
	case TR_AWS_PAGE_MARKER:
		return strcmp(name, "Marker") == 0;
	case TR_AWS_PAGE_R53_MARKER:
		return strcmp(name, "marker") == 0;
	case TR_AWS_PAGE_R53_RECORDS:
		return strcmp(name, "name") == 0 || strcmp(name, "type") == 0 ||
		       strcmp(name, "identifier") == 0;
	default:
		return false;
	}
}

int tr_aws_client_paginate(tr_aws_client *c, const tr_aws_call *call,
			   tr_aws_page_fn fn, void *ctx, tr_aws_error *err)
{
	const tr_aws_op *op = tr_aws_op_find(call->service, call->operation);
	tr_aws_param *params = NULL;
	char *body = NULL;
	page_state st = {0};
	tr_aws_response page;
	int error = 0;

	tr_aws_response_init(&page);
	tr_aws_error_dispose(err);
	if (!op || op->paging == TR_AWS_PAGE_NONE) {
		err->service = tr_aws_service_get(call->service)
				       ? tr_aws_service_get(call->service)->name
				       : "aws";
		err->operation = call->operation;
		tr_aws_client_fail(c, err, TR_AWS_ERR_CLIENT, TR_EINVALID,
			  "not a paginated operation");
		error = TR_EINVALID;
		goto done;
	}
	params = tr_calloc(call->param_count + 3, sizeof(*params));
	for (unsigned n = 0;; n++) {
		tr_aws_call pc = *call;
		size_t np = 0;

		if (n >= TR_AWS_MAX_PAGES) {
			err->service = tr_aws_service_get(call->service)->name;
			err->operation = op->name;
			char m[96];
			snprintf(m, sizeof(m), "the endpoint is still "
				 "paginating after %u pages; stopped",
				 TR_AWS_MAX_PAGES);
			tr_aws_client_fail(c, err, TR_AWS_ERR_CLIENT, TR_ETOOLARGE, m);
			error = TR_ETOOLARGE;
			goto done;
		}
		for (size_t i = 0; i < call->param_count; i++)
			if (!(n > 0 && paging_param(op->paging, call->params[i].name)))
				params[np++] = call->params[i];
		if (n > 0) {
			switch (op->paging) {
			case TR_AWS_PAGE_NEXT_TOKEN_QUERY:
				params[np++] = (tr_aws_param){"nextToken", st.token};
				break;
			case TR_AWS_PAGE_MARKER:
				params[np++] = (tr_aws_param){"Marker", st.token};
				break;
			case TR_AWS_PAGE_R53_MARKER:
				params[np++] = (tr_aws_param){"marker", st.token};
				break;
			case TR_AWS_PAGE_R53_RECORDS:
				params[np++] = (tr_aws_param){"name", st.rec_name};
				if (st.rec_type)
					params[np++] = (tr_aws_param){"type", st.rec_type};
				if (st.rec_id)
					params[np++] = (tr_aws_param){"identifier", st.rec_id};
				break;
			case TR_AWS_PAGE_NEXT_TOKEN_BODY:
			case TR_AWS_PAGE_PAGINATION_TOKEN: {
				cJSON *j = call->body && call->body_len
						   ? cJSON_ParseWithLength(call->body, call->body_len)
						   : cJSON_CreateObject();
				if (!j || !cJSON_IsObject(j)) {
					cJSON_Delete(j);
					error = TR_EINVALID;
					tr_aws_client_fail(c, err, TR_AWS_ERR_CLIENT, error,
						  "request body is not a JSON object");
					goto done;
				}
				cJSON_DeleteItemFromObjectCaseSensitive(
					j, body_token_name(op->paging));
				cJSON_AddStringToObject(j, body_token_name(op->paging),
							st.token);
				cJSON_free(body);
				body = cJSON_PrintUnformatted(j);
				cJSON_Delete(j);
				pc.body = body;
				pc.body_len = body ? strlen(body) : 0;
				break;
			}
			default:
				break;
			}
		}
		pc.params = params;
		pc.param_count = np;
		if ((error = tr_aws_client_call(&page, c, &pc, err)) < 0)
			goto done;
		if ((error = fn(ctx, &page)) < 0) {
			err->service = tr_aws_service_get(call->service)->name;
			err->operation = op->name;
			tr_aws_client_fail(c, err, TR_AWS_ERR_CLIENT, error,
				  "the reply is not what the operation returns");
			goto done;
		}
		if ((error = next_page(&st, op, &page)) < 0) {
			err->service = tr_aws_service_get(call->service)->name;
			err->operation = op->name;
			tr_aws_client_fail(c, err, TR_AWS_ERR_SERVICE, error,
				  error == TR_ECONFLICT ? "pagination repeated a page"
							: "unreadable page");
			goto done;
		}
		if (!st.more)
			break;
	}
done:
	page_state_clear(&st);
	tr_free(params);
	cJSON_free(body);
	tr_aws_response_dispose(&page);
	return error;
}
