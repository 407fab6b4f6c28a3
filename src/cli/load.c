/* Turning the SOURCE options into a loaded repository, shared by every
 * command that reads manifests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/load.h"
#include "util/alloc.h"
#include "util/limits.h"
#include "util/str.h"

int tr_cli_read_file(char **out, size_t *len, const char *path, size_t max,
		     const char *rule, const char *what, tr_diag *diag)
{
	FILE *fp = fopen(path, "rb");
	struct stat st;
	char *data;

	*out = NULL;
	*len = 0;
	if (!fp || fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
		tr_diag_add(diag, TR_SEV_ERROR, rule, path, 0, 0,
			    NULL, "cannot read the %s", what);
		if (fp)
			fclose(fp);
		return TR_ENOTFOUND;
	}
	if ((size_t)st.st_size > max) {
		tr_diag_add(diag, TR_SEV_ERROR, "source.too-large", path, 0, 0,
			    NULL, "file is %lld bytes, larger than the %zu-byte "
			    "limit", (long long)st.st_size, max);
		fclose(fp);
		return TR_ETOOLARGE;
	}
	data = tr_malloc((size_t)st.st_size + 1);
	*len = fread(data, 1, (size_t)st.st_size, fp);
	data[*len] = '\0';
	fclose(fp);
	*out = data;
	return 0;
}

/* Where git settings come from when no option names them (README.md). */
static const char *first_env(const char *a, const char *b)
{
	const char *v = getenv(a);

	return v && *v ? v : (b ? getenv(b) : NULL);
}

void tr_cli_source_options(tr_source_options *o, tr_cli *cli)
{
	const tr_cli_args *a = &cli->args;
	const char *token = getenv("TRELLIS_GIT_TOKEN");
	const char *home = getenv("HOME");

	memset(o, 0, sizeof(*o));
	o->repo = a->repo;
	o->ref = a->ref;
	o->path = a->path;
	o->cache_dir = a->cache_dir ? a->cache_dir : getenv("TRELLIS_CACHE_DIR");
	o->tmp_dir = getenv("TMPDIR");
	o->ca_file = a->ca_file ? a->ca_file
				: first_env("TRELLIS_GIT_CA_FILE", "SSL_CERT_FILE");
	o->proxy = first_env("HTTPS_PROXY", "https_proxy");
	o->username = getenv("TRELLIS_GIT_USERNAME");
	o->password = getenv("TRELLIS_GIT_PASSWORD");
	if (!o->password && token) {
		o->password = token;
		if (!o->username)
			o->username = "x-access-token";
	}
	o->ssh_key = a->ssh_key ? a->ssh_key : getenv("TRELLIS_GIT_SSH_KEY");
	o->ssh_key_passphrase = getenv("TRELLIS_GIT_SSH_KEY_PASSPHRASE");
	o->ssh_known_hosts = a->known_hosts ? a->known_hosts
					    : getenv("TRELLIS_GIT_KNOWN_HOSTS");
	if (!o->ssh_known_hosts && home) {
		tr_buf_clear(&cli->known_hosts_default);
		if (tr_buf_printf(&cli->known_hosts_default,
				  "%s/.ssh/known_hosts", home) == 0)
			o->ssh_known_hosts = cli->known_hosts_default.ptr;
	}
	tr_redactor_add(&cli->redactor, o->password);
	tr_redactor_add(&cli->redactor, o->ssh_key_passphrase);
}

/* The source, read once per run: every config of the run sees the same
 * commit. */
static int load_source(tr_cli_loaded *out, tr_cli *cli, const char *path,
		       tr_diag *diag)
{
	tr_source_options opts;
	int error;

	tr_cli_source_options(&opts, cli);
	opts.path = path;
	/* plan and apply refuse an unverified commit; the others report. */
	if ((error = tr_cli_trust_open(&out->trust, cli,
				       cli->args.command == TR_CMD_PLAN ||
					       cli->args.command == TR_CMD_APPLY,
				       diag)) < 0)
		return error;
	if ((error = tr_source_open(&out->source, &opts, diag)) < 0)
		return error;
	if ((error = tr_cli_trust_check(&out->trust, cli, out->source, NULL,
					diag)) < 0)
		return error;
	/* Enforced: read exactly the commit whose signature was checked,
	 * not a ref that may have moved, nor files on disk. */
	return tr_source_read(&out->tree, out->source,
			      out->trust.enforce && out->trust.checked
				      ? out->trust.commit
				      : NULL,
			      diag);
}

/* What headings call a config: its file. */
static void name_unit(tr_cli_loaded *out, const char *path, const char *config)
{
	tr_buf name = TR_BUF_INIT(TR_MAX_PATH_BYTES);

	if (out->name)
		return;
	if (config ? tr_buf_puts(&name, config) == 0
		   : tr_buf_printf(&name, "%s%s" TR_CONFIG_FILE_NAME,
				   path && *path ? path : "",
				   path && *path ? "/" : "") == 0)
		out->name = tr_buf_detach(&name);
	tr_buf_dispose(&name);
}

/* One config (`path`, `config`) from the source `from` has read. */
static int load_unit(tr_cli_loaded *out, tr_cli *cli, tr_cli_loaded *from,
		     const char *path, const char *config, tr_diag *diag)
{
	tr_repo_options ropts = {0};
	int error;

	name_unit(out, path, config);
	ropts.base = path;
	if (config) {
		if ((error = tr_cli_read_file(&out->config_data,
					      &out->config_len, config,
					      TR_MAX_FILE_BYTES,
					      "config.unreadable",
					      "config file", diag)) < 0)
			return error;
		ropts.config_file = config;
		ropts.config_data = out->config_data;
		ropts.config_len = out->config_len;
	}
	if ((error = tr_repo_load(&out->repo, &from->tree, &ropts, diag)) < 0)
		return error;
	out->repo_loaded = true;
	return tr_cli_trust_policy(&from->trust, cli, from->source,
				   &out->repo.config, path, diag);
}

int tr_cli_load(tr_cli_loaded *out, tr_cli *cli, tr_diag *diag)
{
	int error;

	memset(out, 0, sizeof(*out));
	tr_cli_trust_init(&out->trust);
	if ((error = load_source(out, cli, cli->args.path, diag)) < 0 ||
	    (error = load_unit(out, cli, out, cli->args.path, cli->args.config,
			       diag)) < 0)
		return error;
	tr_source_tree_drop_data(&out->tree);
	return 0;
}

/* Is `path` a folder with files in the tree? */
static bool folder_in_tree(const tr_source_tree *tree, const char *path)
{
	size_t n = strlen(path);

	while (n && path[n - 1] == '/')
		n--;
	if (!n || (n == 1 && path[0] == '.'))
		return true;
	for (size_t i = 0; i < tree->count; i++)
		if (strncmp(tree->files[i].path, path, n) == 0 &&
		    tree->files[i].path[n] == '/')
			return true;
	return false;
}

int tr_cli_load_units(tr_cli_loaded *units, size_t n, tr_cli *cli,
		      tr_diag *diags)
{
	const char *common = tr_cli_unit_path(&cli->args, 0);
	int rc = 0, error;

	for (size_t i = 0; i < n; i++) {
		memset(&units[i], 0, sizeof(units[i]));
		tr_cli_trust_init(&units[i].trust);
		/* Configs in different folders: the whole tree is read, and
		 * each folder checked here instead of by the source. */
		if (!tr_str_eq(common, tr_cli_unit_path(&cli->args, i)))
			common = NULL;
	}
	if ((error = load_source(&units[0], cli, common, &diags[0])) < 0)
		return error;
	for (size_t i = 0; i < n; i++) {
		const char *path = tr_cli_unit_path(&cli->args, i);

		if (i) {
			memcpy(units[i].tree.commit, units[0].tree.commit,
			       sizeof(units[i].tree.commit));
			units[i].tree.dirty = units[0].tree.dirty;
		}
		name_unit(&units[i], path, tr_cli_unit_config(&cli->args, i));
		if (path && !folder_in_tree(&units[0].tree, path)) {
			tr_diag_add(&diags[i], TR_SEV_ERROR,
				    "source.path-not-found", NULL, 0, 0, NULL,
				    "--path %s is not a folder of the "
				    "repository (or holds no file)",
				    path);
			rc = TR_ERROR;
			continue;
		}
		if (load_unit(&units[i], cli, &units[0],
			      tr_cli_unit_path(&cli->args, i),
			      tr_cli_unit_config(&cli->args, i), &diags[i]) < 0)
			rc = TR_ERROR;
	}
	tr_source_tree_drop_data(&units[0].tree);
	return rc;
}

const char *tr_cli_unit_name(const tr_cli_loaded *unit)
{
	return unit->name ? unit->name : TR_CONFIG_FILE_NAME;
}

int tr_cli_load_config_text(tr_cli_loaded *out, const char *file,
			    const char *text, size_t len, tr_diag *diag)
{
	tr_repo_options ropts = {0};
	int error;

	memset(out, 0, sizeof(*out));
	tr_cli_trust_init(&out->trust);
	out->config_data = tr_strndup(text, len);
	out->config_len = len;
	ropts.config_file = file;
	ropts.config_data = out->config_data;
	ropts.config_len = len;
	ropts.config_only = true;
	if ((error = tr_repo_load(&out->repo, &out->tree, &ropts, diag)) < 0)
		return error;
	out->repo_loaded = true;
	return 0;
}

void tr_cli_loaded_dispose(tr_cli_loaded *l)
{
	tr_cli_trust_dispose(&l->trust);
	tr_repo_dispose(&l->repo);
	tr_source_tree_dispose(&l->tree);
	tr_source_free(l->source);
	tr_free(l->config_data);
	tr_free(l->name);
	memset(l, 0, sizeof(*l));
}

void tr_cli_print_diags(tr_cli *cli, tr_diag *diag, const char *heading)
{
	tr_diag_render_options ropts = {TR_DIAG_TEXT, cli->args.verbose,
					cli->args.allow_unsupported};
	tr_buf out = TR_BUF_INIT(TR_MAX_OUTPUT_BYTES);

	tr_diag_sort(diag);
	if (diag->count && heading && tr_buf_puts(&out, heading) < 0)
		tr_buf_clear(&out);
	if (tr_diag_render(&out, diag, &ropts) == 0)
		tr_cli_write(cli, cli->err, &out);
	tr_buf_dispose(&out);
}
