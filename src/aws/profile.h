/*
 * The shared AWS files, ~/.aws/credentials and ~/.aws/config, as the SDKs
 * read them: INI sections "[name]" in the credentials file and
 * "[profile name]" (or "[default]") in the config file; "key = value" lines;
 * '#' and ';' comments; indented lines continue a nested block and are
 * ignored (s3 = ... sub-settings). A key in the credentials file wins over
 * the same key in the config file.
 */
#ifndef TR_AWS_PROFILE_H
#define TR_AWS_PROFILE_H

#include <stddef.h>

#include "util/errors.h"

typedef struct tr_aws_profile_entry {
	char *profile;
	char *key;
	char *value;
	int from_credentials; /* 1: credentials file, 0: config file */
} tr_aws_profile_entry;

typedef struct tr_aws_profiles {
	tr_aws_profile_entry *items;
	size_t count;
	size_t cap;
} tr_aws_profiles;

void tr_aws_profiles_init(tr_aws_profiles *p);
void tr_aws_profiles_dispose(tr_aws_profiles *p);

/* Loads both files; a missing file is not an error, an oversized one is
 * (TR_ETOOLARGE). Either path may be NULL. */
TR_MUST_CHECK int tr_aws_profiles_load(tr_aws_profiles *p,
				       const char *credentials_path,
				       const char *config_path);

/* Parses one file's text (exposed for tests). */
TR_MUST_CHECK int tr_aws_profiles_parse(tr_aws_profiles *p, const char *text,
					size_t len, int is_credentials_file);

/* Borrowed value of `key` in `profile`, or NULL. */
const char *tr_aws_profiles_get(const tr_aws_profiles *p, const char *profile,
				const char *key);

/* True when the profile has any key in either file. */
int tr_aws_profiles_has(const tr_aws_profiles *p, const char *profile);

#endif
