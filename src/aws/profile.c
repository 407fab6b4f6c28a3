#include "aws/profile.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/limits.h"

void tr_aws_profiles_init(tr_aws_profiles *p)
{
	p->items = NULL;
	p->count = p->cap = 0;
}

void tr_aws_profiles_dispose(tr_aws_profiles *p)
{
	for (size_t i = 0; i < p->count; i++) {
		tr_free(p->items[i].profile);
		tr_free(p->items[i].key);
		tr_free(p->items[i].value);
	}
	tr_free(p->items);
	tr_aws_profiles_init(p);
}

static const char *trim(const char *s, size_t *len)
{
	while (*len && (*s == ' ' || *s == '\t')) {
		s++;
		(*len)--;
	}
	while (*len && (s[*len - 1] == ' ' || s[*len - 1] == '\t' ||
			s[*len - 1] == '\r'))
		(*len)--;
	return s;
}

/* "[profile dev]" in config means dev; "[default]" anywhere is default;
 * the credentials file has bare names. NULL for sections we ignore
 * ("[sso-session x]", "[services y]"). */
static char *section_name(const char *s, size_t len, int creds_file)
{
	s = trim(s, &len);
	if (creds_file)
		return len ? tr_strndup(s, len) : NULL;
	if (len == 7 && memcmp(s, "default", 7) == 0)
		return tr_strdup("default");
	if (len > 8 && memcmp(s, "profile", 7) == 0 &&
	    (s[7] == ' ' || s[7] == '\t')) {
		size_t n = len - 8;
		const char *name = trim(s + 8, &n);
		return n ? tr_strndup(name, n) : NULL;
	}
	return NULL;
}

int tr_aws_profiles_parse(tr_aws_profiles *p, const char *text, size_t len,
			  int creds_file)
{
	const char *line = text, *end = text + len;
	char *section = NULL;
	int error = 0;

	while (line < end && error == 0) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(end - line);
		size_t tn = n;
		const char *t = trim(line, &tn);
		bool indented = n && (line[0] == ' ' || line[0] == '\t');

		if (n > TR_MAX_LINE_BYTES) {
			error = TR_ETOOLARGE;
			break;
		}
		if (tn == 0 || t[0] == '#' || t[0] == ';' || indented) {
			/* blank, comment, or a nested sub-setting */
		} else if (t[0] == '[') {
			const char *close = memchr(t, ']', tn);
			tr_free(section);
			section = close ? section_name(t + 1,
						       (size_t)(close - t - 1),
						       creds_file)
					: NULL;
		} else if (section) {
			const char *eq = memchr(t, '=', tn);
			if (eq) {
				size_t kn = (size_t)(eq - t);
				size_t vn = tn - kn - 1;
				const char *k = trim(t, &kn);
				const char *v = trim(eq + 1, &vn);
				tr_aws_profile_entry *e;

				p->items = tr_grow(p->items, &p->cap,
						   p->count + 1,
						   sizeof(*p->items));
				e = &p->items[p->count++];
				e->profile = tr_strdup(section);
				e->key = tr_strndup(k, kn);
				e->value = tr_strndup(v, vn);
				e->from_credentials = creds_file;
				/* Keys are case-insensitive in the SDKs. */
				for (char *c = e->key; *c; c++)
					if (*c >= 'A' && *c <= 'Z')
						*c = (char)(*c - 'A' + 'a');
			}
		}
		line += n + (nl ? 1 : 0);
	}
	tr_free(section);
	return error;
}

static int load_file(tr_aws_profiles *p, const char *path, int creds_file)
{
	tr_buf text = TR_BUF_INIT(TR_AWS_MAX_CONFIG_FILE_BYTES);
	char chunk[4096];
	size_t n;
	FILE *f;
	int error = 0;

	if (!path || !*path)
		return 0;
	f = fopen(path, "rb");
	if (!f)
		return errno == ENOENT || errno == ENOTDIR ? 0 : TR_EIO;
	while (error == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		error = tr_buf_put(&text, chunk, n);
	if (error == 0 && ferror(f))
		error = TR_EIO;
	fclose(f);
	if (error == 0)
		error = tr_aws_profiles_parse(p, tr_buf_cstr(&text), text.len,
					      creds_file);
	tr_buf_dispose(&text);
	return error;
}

int tr_aws_profiles_load(tr_aws_profiles *p, const char *credentials_path,
			 const char *config_path)
{
	int error = load_file(p, credentials_path, 1);

	if (error == 0)
		error = load_file(p, config_path, 0);
	return error;
}

const char *tr_aws_profiles_get(const tr_aws_profiles *p, const char *profile,
				const char *key)
{
	const char *from_config = NULL;

	if (!profile)
		return NULL;
	/* Last one wins within a file, as in an INI reader. */
	for (size_t i = p->count; i-- > 0;) {
		const tr_aws_profile_entry *e = &p->items[i];
		if (strcmp(e->profile, profile) || strcmp(e->key, key))
			continue;
		if (e->from_credentials)
			return e->value;
		if (!from_config)
			from_config = e->value;
	}
	return from_config;
}

int tr_aws_profiles_has(const tr_aws_profiles *p, const char *profile)
{
	for (size_t i = 0; i < p->count; i++)
		if (strcmp(p->items[i].profile, profile) == 0)
			return 1;
	return 0;
}
