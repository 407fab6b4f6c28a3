/* Turning a call into the wire request of its service's protocol. */
#include "aws/client.h"

#include <stdio.h>
#include <string.h>

#include "aws/internal.h"
#include "aws/sigv4.h"
#include "util/limits.h"

static int encode(tr_buf *out, const char *s, bool keep_slash)
{
	return tr_sigv4_uri_encode(out, s, strlen(s), keep_slash);
}

static int expand_path(tr_buf *out, const tr_aws_op *op,
		       const tr_aws_call *call)
{
	const char *p = op->path;
	size_t label = 0;
	int error = 0;

	while (*p && error == 0) {
		const char *open = strchr(p, '{');
		const char *close;
		const char *value;
		bool greedy;

		if (!open)
			return tr_buf_puts(out, p);
		if ((error = tr_buf_put(out, p, (size_t)(open - p))) < 0)
			break;
		close = strchr(open, '}');
		if (!close || label >= call->label_count ||
		    !call->labels[label] || !*call->labels[label])
			return TR_EINVALID;
		greedy = close[-1] == '+';
		value = call->labels[label++];
		/* Route 53 hands back "/hostedzone/Z123" and "/change/C1";
		 * the SDKs keep what follows the last '/'. */
		if (op->service == TR_AWS_ROUTE53 && strrchr(value, '/'))
			value = strrchr(value, '/') + 1;
		if (!*value)
			return TR_EINVALID;
		error = encode(out, value, greedy);
		p = close + 1;
	}
	if (error == 0 && label != call->label_count)
		error = TR_EINVALID;
	return error;
}

static int form_pairs(tr_buf *out, const tr_aws_param *params, size_t n)
{
	int error = 0;

	for (size_t i = 0; i < n && error == 0; i++) {
		if (!params[i].name || !params[i].value)
			return TR_EINVALID;
		if (out->len)
			error = tr_buf_putc(out, '&');
		if (error == 0)
			error = encode(out, params[i].name, false);
		if (error == 0)
			error = tr_buf_putc(out, '=');
		if (error == 0)
			error = encode(out, params[i].value, false);
	}
	return error;
}


void tr_aws_built_init(tr_aws_built *b)
{
	tr_buf_init(&b->path, TR_AWS_MAX_URL_BYTES);
	tr_buf_init(&b->query, TR_AWS_MAX_URL_BYTES);
	tr_buf_init(&b->body, TR_AWS_MAX_REQUEST_BYTES);
	b->content_type = NULL;
	b->target[0] = '\0';
}

void tr_aws_built_dispose(tr_aws_built *b)
{
	tr_buf_dispose(&b->path);
	tr_buf_dispose(&b->query);
	tr_buf_dispose(&b->body);
}

int tr_aws_request_build(tr_aws_built *b, const tr_aws_service_info *s,
			 const tr_aws_op *op, const tr_aws_call *call)
{
	int error = 0;

	if (call->param_count && !call->params)
		return TR_EINVALID;
	if (call->body_len > TR_AWS_MAX_REQUEST_BYTES)
		return TR_ETOOLARGE;
	switch (s->protocol) {
	case TR_AWS_REST_JSON:
	case TR_AWS_REST_XML:
		if ((error = expand_path(&b->path, op, call)) < 0 ||
		    (error = form_pairs(&b->query, call->params,
					call->param_count)) < 0)
			break;
		if (call->body && call->body_len) {
			error = tr_buf_put(&b->body, call->body, call->body_len);
			b->content_type = s->protocol == TR_AWS_REST_JSON
						  ? "application/json"
						  : "application/xml";
		}
		break;
	case TR_AWS_JSON_1_1:
		error = tr_buf_puts(&b->path, "/");
		if (error == 0)
			error = call->body && call->body_len
					? tr_buf_put(&b->body, call->body,
						     call->body_len)
					: tr_buf_puts(&b->body, "{}");
		b->content_type = "application/x-amz-json-1.1";
		snprintf(b->target, sizeof(b->target), "%s.%s",
			 s->target_prefix, op->name);
		break;
	case TR_AWS_QUERY:
		error = tr_buf_puts(&b->path, "/");
		if (error == 0)
			error = tr_buf_printf(&b->body, "Action=%s&Version=%s",
					      op->name, s->api_version);
		if (error == 0)
			error = form_pairs(&b->body, call->params,
					   call->param_count);
		b->content_type =
			"application/x-www-form-urlencoded; charset=utf-8";
		break;
	}
	return error;
}
