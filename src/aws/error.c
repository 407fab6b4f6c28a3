#include "aws/error.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "aws/xml.h"
#include "util/alloc.h"
#include "util/limits.h"
#include "util/str.h"

void tr_aws_error_init(tr_aws_error *err)
{
	memset(err, 0, sizeof(*err));
	err->retry_after_ms = -1;
}

void tr_aws_error_dispose(tr_aws_error *err)
{
	tr_free(err->message);
	tr_aws_error_init(err);
}

void tr_aws_error_clear(tr_aws_error *err)
{
	tr_aws_error_dispose(err);
}

void tr_aws_error_set_message(tr_aws_error *err, const char *msg, size_t len)
{
	tr_free(err->message);
	err->message = NULL;
	if (!msg)
		return;
	if (len > TR_AWS_MAX_ERROR_TEXT_BYTES)
		len = TR_AWS_MAX_ERROR_TEXT_BYTES;
	err->message = tr_strndup(msg, len);
	/* One line: replies may hold newlines that would forge log lines. */
	for (char *p = err->message; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
}

static void copy_field(char *dst, size_t cap, const char *src, size_t len)
{
	if (len >= cap)
		len = cap - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
	for (char *p = dst; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
}

/* "aws.protocoltests#FooError:http://..." -> "FooError" (botocore rules:
 * keep after the last '#', cut at the first ':'). */
static void set_code(tr_aws_error *err, const char *raw)
{
	const char *start = strrchr(raw, '#');
	size_t len;

	start = start ? start + 1 : raw;
	len = strcspn(start, ":");
	while (len && (start[len - 1] == ' '))
		len--;
	while (len && *start == ' ') {
		start++;
		len--;
	}
	copy_field(err->code, sizeof(err->code), start, len);
}

static const char *json_string(const cJSON *obj, const char *const *names)
{
	for (; *names; names++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, *names);
		if (cJSON_IsString(v) && v->valuestring)
			return v->valuestring;
	}
	return NULL;
}

static void parse_json(tr_aws_error *err, const char *body, size_t len)
{
	static const char *const code_names[] = {"__type", "code", "Code", NULL};
	static const char *const msg_names[] = {"message", "Message",
						"errorMessage", NULL};
	cJSON *json = cJSON_ParseWithLength(body, len);
	const char *s;

	if (!json)
		return;
	if (!err->code[0] && (s = json_string(json, code_names)) != NULL)
		set_code(err, s);
	if ((s = json_string(json, msg_names)) != NULL)
		tr_aws_error_set_message(err, s, strlen(s));
	cJSON_Delete(json);
}

static void parse_xml(tr_aws_error *err, const char *body, size_t len)
{
	xmlDoc *doc = NULL;
	xmlNode *root, *e;
	char *s;

	if (tr_aws_xml_parse(&doc, body, len) < 0)
		return;
	root = xmlDocGetRootElement(doc);
	/* <ErrorResponse><Error>...</Error><RequestId/></ErrorResponse>, or a
	 * bare <Error> root. */
	e = strcmp((const char *)root->name, "Error") == 0
		    ? root
		    : tr_aws_xml_child(root, "Error");
	if (e) {
		if ((s = tr_aws_xml_text_dup(e, "Code")) != NULL) {
			set_code(err, s);
			tr_free(s);
		}
		s = tr_aws_xml_text_dup(e, "Message");
		if (!s) /* Route 53 InvalidChangeBatch */
			s = tr_aws_xml_text_dup(e, "Messages/Message");
		if (!s)
			s = tr_aws_xml_text_dup(root, "Messages/Message");
		if (s) {
			tr_aws_error_set_message(err, s, strlen(s));
			tr_free(s);
		}
	}
	if (!err->request_id[0]) {
		s = tr_aws_xml_text_dup(root, "RequestId");
		if (!s && e)
			s = tr_aws_xml_text_dup(e, "RequestId");
		if (s) {
			copy_field(err->request_id, sizeof(err->request_id), s,
				   strlen(s));
			tr_free(s);
		}
	}
	xmlFreeDoc(doc);
}

void tr_aws_error_parse(tr_aws_error *err, tr_aws_protocol protocol,
			long http_status, const char *error_type_header,
			const char *request_id_header, const char *body,
			size_t body_len)
{
	err->kind = TR_AWS_ERR_SERVICE;
	err->http_status = http_status;
	if (request_id_header && *request_id_header)
		copy_field(err->request_id, sizeof(err->request_id),
			   request_id_header, strlen(request_id_header));
	if (error_type_header && *error_type_header &&
	    (protocol == TR_AWS_REST_JSON || protocol == TR_AWS_JSON_1_1))
		set_code(err, error_type_header);
	if (body && body_len) {
		if (protocol == TR_AWS_REST_JSON || protocol == TR_AWS_JSON_1_1)
			parse_json(err, body, body_len);
		else
			parse_xml(err, body, body_len);
	}
}

static bool in_list(const char *code, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(code, *list) == 0)
			return true;
	return false;
}

bool tr_aws_error_code_is_throttling(const char *code)
{
	/* botocore standard retry mode's throttling codes. */
	static const char *const codes[] = {
		"Throttling", "ThrottlingException", "ThrottledException",
		"RequestThrottledException", "TooManyRequestsException",
		"ProvisionedThroughputExceededException",
		"TransactionInProgressException", "RequestLimitExceeded",
		"BandwidthLimitExceeded", "LimitExceededException",
		"RequestThrottled", "SlowDown", "PriorRequestNotComplete",
		"EC2ThrottledException", NULL};
	return code && in_list(code, codes);
}

bool tr_aws_error_code_is_transient(const char *code)
{
	static const char *const codes[] = {
		"RequestTimeout", "RequestTimeoutException",
		"PriorRequestNotComplete",
		/* STS web identity: the IdP was slow; SDKs retry it. */
		"IDPCommunicationError", NULL};
	return code && in_list(code, codes);
}

static bool has_suffix(const char *s, const char *suffix)
{
	return tr_str_has_suffix(s, suffix);
}

void tr_aws_error_classify(tr_aws_error *err)
{
	static const char *const auth[] = {
		"AccessDenied", "AccessDeniedException",
		"UnrecognizedClientException", "InvalidClientTokenId",
		"SignatureDoesNotMatch", "IncompleteSignature",
		"MissingAuthenticationToken", "ExpiredToken",
		"ExpiredTokenException", "InvalidIdentityToken",
		"IDPRejectedClaim", "InvalidSignatureException",
		"AuthFailure", "RequestExpired", NULL};
	static const char *const conflict[] = {
		"ConflictException", "EntityAlreadyExists", "DeleteConflict",
		"ConcurrentModification", "ResourceInUseException",
		"HostedZoneAlreadyExists", NULL};
	static const char *const invalid[] = {
		"ValidationException", "InvalidInput", "InvalidParameterException",
		"InvalidParameterValue", "MalformedPolicyDocument",
		"InvalidChangeBatch", "InvalidArnException",
		"InvalidArgsException", "InvalidDomainValidationOptionsException",
		"InvalidTagException", "PackedPolicyTooLarge", NULL};
	const char *code = err->code;
	long st = err->http_status;

	err->throttling = tr_aws_error_code_is_throttling(code) || st == 429;
	err->retryable = err->throttling ||
			 tr_aws_error_code_is_transient(code) || st == 500 ||
			 st == 502 || st == 503 || st == 504;
	if (err->kind == TR_AWS_ERR_TRANSPORT) {
		err->retryable = true;
		err->rc = TR_EIO;
	} else if (err->throttling)
		err->rc = TR_ETHROTTLED;
	else if (in_list(code, auth) || st == 401 || st == 403)
		err->rc = TR_EAUTH;
	else if (has_suffix(code, "NotFoundException") ||
		 tr_str_has_prefix(code, "NoSuch") || st == 404)
		err->rc = TR_ENOTFOUND;
	else if (in_list(code, conflict) || st == 409)
		err->rc = TR_ECONFLICT;
	else if (in_list(code, invalid))
		err->rc = TR_EINVALID;
	else
		err->rc = TR_ERROR;
}

int tr_aws_error_render(tr_buf *out, const tr_aws_error *err)
{
	const char *svc = err->service ? err->service : "aws";
	const char *op = err->operation ? err->operation : "?";
	int error;

	switch (err->kind) {
	case TR_AWS_ERR_NONE:
		return tr_buf_printf(out, "%s %s: no error", svc, op);
	case TR_AWS_ERR_REFUSED:
		return tr_buf_printf(out, "%s %s: refused: %s", svc, op,
				     err->message ? err->message : "dry-run");
	case TR_AWS_ERR_TRANSPORT:
		error = tr_buf_printf(out, "%s %s: request failed: %s", svc, op,
				      err->message ? err->message : "transport error");
		break;
	case TR_AWS_ERR_CREDENTIALS:
	case TR_AWS_ERR_CLIENT:
		return tr_buf_printf(out, "%s %s: %s", svc, op,
				     err->message ? err->message : "error");
	default:
		/* Status 0: the reply came but could not be read. */
		if (err->http_status > 0)
			error = tr_buf_printf(out, "%s %s: %s (HTTP %ld)", svc, op,
					      err->code[0] ? err->code : "error",
					      err->http_status);
		else
			error = tr_buf_printf(out, "%s %s: %s", svc, op,
					      err->code[0] ? err->code
							   : "bad reply");
		if (error == 0 && err->http_status >= 300 &&
		    err->http_status < 400 && !(err->message && *err->message))
			error = tr_buf_puts(out, ": the endpoint answered with "
					    "a redirect, which trellis never "
					    "follows");
		if (error == 0 && err->message && *err->message)
			error = tr_buf_printf(out, ": %s", err->message);
		if (error == 0 && err->request_id[0])
			error = tr_buf_printf(out, " [request id %s]",
					      err->request_id);
		break;
	}
	if (error == 0 && err->attempts > 1)
		error = tr_buf_printf(out, " after %u attempts", err->attempts);
	return error;
}
