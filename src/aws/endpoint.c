/* Which URL each service is reached at, and which region signs for it. */
#include "aws/client.h"

#include <stdio.h>
#include <string.h>

#include "aws/internal.h"
#include "util/str.h"

bool tr_aws_url_ok(const char *url)
{
	return tr_str_has_prefix(url, "https://") ||
	       tr_str_has_prefix(url, "http://");
}

int tr_aws_client_endpoint(tr_buf *url, const char **signing_region,
			   const tr_aws_client *c, tr_aws_service service)
{
	const tr_aws_service_info *s = tr_aws_service_get(service);
	char env[64];
	const char *override, *region = tr_aws_client_region(c);
	bool global = false;
	int error;

	if (!s)
		return TR_EINVALID;
	snprintf(env, sizeof(env), "AWS_ENDPOINT_URL_%s", s->endpoint_env);
	override = tr_aws_client_env(c, env);
	if (!override)
		override = tr_aws_client_env(c, "AWS_ENDPOINT_URL");
	if (s->global_host)
		global = true;
	if (service == TR_AWS_STS &&
	    (!region || tr_str_eq(tr_aws_client_env(c, "AWS_STS_REGIONAL_ENDPOINTS"),
				  "legacy")))
		global = true;
	if (!global && !region)
		return TR_EINVALID;
	*signing_region = global ? "us-east-1" : region;
	if (override) {
		size_t n = strlen(override);
		if (!tr_aws_url_ok(override))
			return TR_EINVALID;
		while (n && override[n - 1] == '/')
			n--;
		return tr_buf_put(url, override, n);
	}
	if (global)
		error = tr_buf_printf(url, "https://%s",
				      s->global_host ? s->global_host
						     : "sts.amazonaws.com");
	else
		error = tr_buf_printf(url, "https://%s.%s.%s", s->host_prefix,
				      region,
				      tr_str_has_prefix(region, "cn-")
					      ? "amazonaws.com.cn"
					      : "amazonaws.com");
	return error;
}

/* Splits "scheme://authority/base" into the authority (the Host header)
 * and the base path (prefixed to every request path). */
int tr_aws_endpoint_split(const char *base, tr_buf *authority, tr_buf *prefix)
{
	const char *a = strstr(base, "://") + 3;
	size_t n = strcspn(a, "/?#");
	const char *at = memchr(a, '@', n);
	int error;

	if (at) { /* userinfo never goes into Host */
		n -= (size_t)(at + 1 - a);
		a = at + 1;
	}
	if (n == 0)
		return TR_EINVALID;
	if ((error = tr_buf_put(authority, a, n)) < 0)
		return error;
	return tr_buf_put(prefix, a + n, strcspn(a + n, "?#"));
}
