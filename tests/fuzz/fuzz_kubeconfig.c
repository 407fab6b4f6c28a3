/*
 * Fuzz target: the kubeconfig reader (tr_kube_config_read), a file copied
 * from a laptop or a cloud console. The input is the kubeconfig; it is read
 * with its current-context, then with the context named "k" (the seeds
 * use that name), and every field of the result is touched.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kube/kube.h"
#include "util/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t touch(const char *s, size_t len)
{
	size_t sum = 0;

	for (size_t i = 0; s && i < len; i++)
		sum += (unsigned char)s[i];
	return sum + (s ? strlen(s) : 0);
}

static void read_one(const char *text, size_t size, const char *context)
{
	tr_manifest_set set;
	tr_diag diag;
	tr_kube_access a;
	volatile size_t sum = 0;

	tr_manifest_set_init(&set);
	tr_diag_init(&diag);
	if (tr_kube_config_read(&a, &set, "kubeconfig", text, size, context,
				&diag) == 0) {
		sum += touch(a.server, 0) + touch(a.ca_file, 0) +
		       touch(a.token, 0) + touch(a.token_file, 0) +
		       touch(a.cert_file, 0) + touch(a.key_file, 0);
		/* -data fields are NUL-terminated and exactly _len long. */
		sum += touch(a.ca_pem, a.ca_pem_len) +
		       touch(a.cert_pem, a.cert_pem_len) +
		       touch(a.key_pem, a.key_pem_len);
	}
	(void)sum;
	tr_diag_dispose(&diag);
	tr_manifest_set_dispose(&set);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, so ASan sees a read past the text. */
	char *text = tr_malloc(size ? size : 1);

	if (size)
		memcpy(text, data, size);
	read_one(text, size, NULL);
	read_one(text, size, "k");
	tr_free(text);
	return 0;
}
