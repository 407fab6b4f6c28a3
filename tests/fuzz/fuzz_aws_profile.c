/*
 * Fuzz target: the reader of ~/.aws/credentials and ~/.aws/config, files a
 * user may have edited by hand or copied from anywhere. The input is the
 * credentials file, then optionally a line "%%%" and the config file; both
 * are parsed as tr_aws_profiles_load would, then every key the client and
 * the credentials chain read is looked up for every profile found.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "aws/profile.h"
#include "util/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SPLIT "\n%%%\n"

static const char *const KEYS[] = {
	"region",		 "role_arn",
	"aws_access_key_id",	 "aws_secret_access_key",
	"aws_session_token",	 "role_session_name",
	"web_identity_token_file", "source_profile",
	"credential_source",	 "external_id",
};

/* Parses an exact-size copy, so ASan sees a read past the text. */
static int parse(tr_aws_profiles *p, const uint8_t *text, size_t len,
		 int is_credentials_file)
{
	char *copy = tr_malloc(len ? len : 1);
	int error;

	if (len)
		memcpy(copy, text, len);
	error = tr_aws_profiles_parse(p, copy, len, is_credentials_file);
	tr_free(copy);
	return error;
}

static const uint8_t *find_split(const uint8_t *p, const uint8_t *end)
{
	const size_t n = sizeof(SPLIT) - 1;

	for (; (size_t)(end - p) >= n; p++)
		if (memcmp(p, SPLIT, n) == 0)
			return p;
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *end = data + size;
	const uint8_t *cut = find_split(data, end);
	tr_aws_profiles p;
	int error;

	tr_aws_profiles_init(&p);
	error = parse(&p, data, (size_t)((cut ? cut : end) - data), 1);
	if (error == 0 && cut)
		error = parse(&p, cut + sizeof(SPLIT) - 1,
			      (size_t)(end - cut - (sizeof(SPLIT) - 1)), 0);
	if (error == 0) {
		for (size_t i = 0; i < p.count; i++) {
			const char *name = p.items[i].profile;

			(void)tr_aws_profiles_has(&p, name);
			for (size_t k = 0; k < sizeof(KEYS) / sizeof(KEYS[0]); k++)
				(void)tr_aws_profiles_get(&p, name, KEYS[k]);
		}
		(void)tr_aws_profiles_get(&p, "default", "region");
		(void)tr_aws_profiles_get(&p, NULL, "region");
	}
	tr_aws_profiles_dispose(&p);
	return 0;
}
