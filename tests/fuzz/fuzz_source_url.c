/*
 * Fuzz target: what the source module reads from the user and from
 * ~/.ssh/known_hosts before libgit2 sees anything: the repository URL
 * (split into scheme, credentials, host and port, and redacted for
 * messages), the --path subfolder, and the known_hosts file.
 *
 * Input lines:
 *   1  the --repo value (URL or local path)
 *   2  the --path value
 *   3  a host key in base64, the one the server would present
 *   rest  a known_hosts file
 * The host checked is the URL's (github.com when it has none), so the
 * fuzzer can steer matches through line 1 and the file alone.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "source/internal.h"
#include "util/alloc.h"
#include "util/redact.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *take_line(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t len = (size_t)((nl ? nl : end) - *p);
	char *s = tr_strndup((const char *)*p, len);

	*p = nl ? nl + 1 : end;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	char *repo = take_line(&p, end);
	char *path = take_line(&p, end);
	char *key64 = take_line(&p, end);
	size_t hosts_len = (size_t)(end - p);
	char *hosts = tr_malloc(hosts_len ? hosts_len : 1);
	tr_source__url url;
	tr_buf buf = TR_BUF_INIT(64 * 1024);
	tr_buf key = TR_BUF_INIT(64 * 1024);
	const char *host = "github.com";
	int port = 0;

	/* An exact-size copy, so ASan sees a read past the file. */
	if (hosts_len)
		memcpy(hosts, p, hosts_len);
	memset(&url, 0, sizeof(url));
	if (tr_source__url_parse(&url, repo) == 0 && url.host) {
		host = url.host;
		port = url.port;
	}
	(void)tr_redact_url(&buf, repo);
	tr_buf_clear(&buf);
	(void)tr_source__clean_path(&buf, path);
	tr_buf_clear(&buf);
	(void)tr_source__clean_path(&buf, repo);
	tr_buf_clear(&buf);
	(void)tr_source__is_manifest_name(path);

	if (tr_source__base64_decode(&key, key64, strlen(key64)) == 0) {
		(void)tr_source__known_hosts_check(
			hosts, hosts_len, host, port,
			(const unsigned char *)tr_buf_cstr(&key), key.len);
		(void)tr_source__base64_encode(
			&buf, (const unsigned char *)tr_buf_cstr(&key),
			key.len, key.len % 2);
	}

	tr_source__url_dispose(&url);
	tr_buf_dispose(&key);
	tr_buf_dispose(&buf);
	tr_free(hosts);
	tr_free(key64);
	tr_free(path);
	tr_free(repo);
	return 0;
}
