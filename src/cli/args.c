#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"
#include "util/alloc.h"
#include "util/limits.h"
#include "util/str.h"

const char *tr_cli_command_name(tr_cli_command cmd)
{
	const tr_cmd_spec *spec = tr_cli_command_spec(cmd);

	return spec ? spec->name : "";
}

static int usage_error(tr_cli *cli, const char *hint_cmd, const char *fmt,
		       ...) __attribute__((format(printf, 3, 4)));

static int usage_error(tr_cli *cli, const char *hint_cmd, const char *fmt,
		       ...)
{
	tr_buf msg = TR_BUF_INIT(4096);
	va_list ap;

	va_start(ap, fmt);
	if (tr_buf_puts(&msg, "trellis: ") < 0 ||
	    tr_buf_vprintf(&msg, fmt, ap) < 0 ||
	    tr_buf_printf(&msg, "\nTry 'trellis%s%s --help'.\n",
			  hint_cmd ? " " : "", hint_cmd ? hint_cmd : "") < 0)
		tr_buf_clear(&msg);
	va_end(ap);
	tr_cli_write(cli, cli->err, &msg);
	tr_buf_dispose(&msg);
	return TR_EXIT_USAGE;
}

static bool format_allowed(const tr_cmd_spec *spec, const char *format)
{
	const char *p = spec->formats;
	size_t n = strlen(format);

	while (p && *p) {
		size_t len = strcspn(p, "|");
		if (len == n && strncmp(p, format, n) == 0)
			return true;
		p += len + (p[len] == '|');
	}
	return false;
}

/* INDEX/COUNT, both decimal, 0 <= INDEX < COUNT <= TR_MAX_SHARDS. */
static bool parse_shard(tr_cli_args *a, const char *value)
{
	const char *slash = strchr(value, '/');
	char index[16];
	int64_t i, n;

	if (!slash || (size_t)(slash - value) >= sizeof(index) ||
	    slash == value)
		return false;
	memcpy(index, value, (size_t)(slash - value));
	index[slash - value] = '\0';
	if (strspn(index, "0123456789") != strlen(index) ||
	    strspn(slash + 1, "0123456789") != strlen(slash + 1) ||
	    tr_str_to_i64(&n, slash + 1, 1, TR_MAX_SHARDS) < 0 ||
	    tr_str_to_i64(&i, index, 0, n - 1) < 0)
		return false;
	a->shard_index = (uint32_t)i;
	a->shard_count = (uint32_t)n;
	return true;
}

static int shard_error(tr_cli *cli, const char *cmd, const char *what,
		       const char *value)
{
	/* A Job without completionMode: Indexed has no JOB_COMPLETION_INDEX,
	 * and Kubernetes then passes $(JOB_COMPLETION_INDEX) on verbatim. */
	if (strstr(value, "$("))
		return usage_error(cli, cmd,
				   "%s got '%s': Kubernetes expands "
				   "$(JOB_COMPLETION_INDEX) only in a Job with "
				   "completionMode: Indexed",
				   what, value);
	return usage_error(cli, cmd,
			   "%s needs INDEX/COUNT with 0 <= INDEX < COUNT <= "
			   "%u (for example 0/3), got '%s'",
			   what, TR_MAX_SHARDS, value);
}

size_t tr_cli_unit_count(const tr_cli_args *a)
{
	size_t n = a->path_count > a->config_count ? a->path_count
						   : a->config_count;

	return n ? n : 1;
}

/* One value for every unit, or one per unit. */
static const char *unit_value(const char *const *values, size_t count,
			      size_t i)
{
	if (!count)
		return NULL;
	return count == 1 ? values[0] : i < count ? values[i] : NULL;
}

const char *tr_cli_unit_path(const tr_cli_args *a, size_t i)
{
	return unit_value(a->paths, a->path_count, i);
}

const char *tr_cli_unit_config(const tr_cli_args *a, size_t i)
{
	return unit_value(a->configs, a->config_count, i);
}

static int add_unit_option(tr_cli *cli, const char *cmd, int opt,
			   const char *value)
{
	tr_cli_args *a = &cli->args;
	const char **list = opt == OPT_PATH ? a->paths : a->configs;
	size_t *n = opt == OPT_PATH ? &a->path_count : &a->config_count;

	if (*n >= TR_MAX_UNITS)
		return usage_error(cli, cmd, "at most %u --%s values in one run",
				   TR_MAX_UNITS,
				   opt == OPT_PATH ? "path" : "config");
	list[(*n)++] = value;
	if (opt == OPT_PATH && !a->path)
		a->path = value;
	if (opt == OPT_CONFIG && !a->config)
		a->config = value;
	return 0;
}

/* Several configs in one run: which commands take them and how --path
 * and --config pair up (docs/operations.md). */
static int check_units(tr_cli *cli, const tr_cmd_spec *spec)
{
	const tr_cli_args *a = &cli->args;
	size_t n = tr_cli_unit_count(a);

	if (n == 1)
		return 0;
	if (spec->cmd == TR_CMD_DIFF || spec->cmd == TR_CMD_EXPLAIN_ACCESS)
		return usage_error(cli, spec->name,
				   "%s reads one config: give --path and "
				   "--config at most once",
				   spec->name);
	if (a->path_count > 1 && a->config_count > 1 &&
	    a->path_count != a->config_count)
		return usage_error(cli, spec->name,
				   "%zu --path and %zu --config values: give "
				   "one of them once (it applies to every "
				   "config), or both the same number of times "
				   "(they pair up in order)",
				   a->path_count, a->config_count);
	if (a->out)
		return usage_error(cli, spec->name,
				   "--out saves the plan of one config; with "
				   "%zu configs, run one `plan --out` per "
				   "config",
				   n);
	if (a->report)
		return usage_error(cli, spec->name,
				   "--report describes one config's apply; "
				   "with %zu configs, run one apply per config "
				   "for reports",
				   n);
	return 0;
}

int tr_cli_parse(tr_cli *cli, int argc, char **argv)
{
	tr_cli_args *a = &cli->args;
	struct option *longopts = NULL;
	const tr_cmd_spec *spec = NULL;
	size_t nopts = 0;
	int rc = 0, c;

	memset(a, 0, sizeof(*a));
	a->max_deletes = -1;
	if (argc < 2) {
		a->command = TR_CMD_HELP;
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		a->command = TR_CMD_HELP;
		if (argc == 3 && strcmp(argv[2], "--man") == 0) {
			a->help_doc = "man";
			return 0;
		}
		if (argc > 2 && strcmp(argv[2], "--completion") == 0) {
			if (argc != 4 || strcmp(argv[3], "bash") != 0)
				return usage_error(cli, NULL,
						   "--completion supports "
						   "bash only");
			a->help_doc = "bash";
			return 0;
		}
		if (argc > 2) {
			for (spec = tr_cli_commands; spec->name; spec++)
				if (strcmp(spec->name, argv[2]) == 0)
					break;
			if (!spec->name)
				return usage_error(cli, NULL,
						   "unknown command '%s'",
						   argv[2]);
			a->command = spec->cmd;
			a->help = true;
		}
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		a->command = TR_CMD_VERSION;
		return 0;
	}
	for (spec = tr_cli_commands; spec->name; spec++)
		if (strcmp(spec->name, argv[1]) == 0)
			break;
	if (!spec->name) {
		if (argv[1][0] == '-')
			return usage_error(cli, NULL,
					   "a command comes first, before '%s'",
					   argv[1]);
		return usage_error(cli, NULL, "unknown command '%s'", argv[1]);
	}
	a->command = spec->cmd;

	for (const tr_opt_spec *o = tr_cli_options; o->name; o++)
		nopts++;
	longopts = tr_calloc(nopts + 1, sizeof(*longopts));
	nopts = 0;
	for (const tr_opt_spec *o = tr_cli_options; o->name; o++) {
		if (!(o->commands & CMD_BIT(spec->cmd)))
			continue;
		longopts[nopts].name = o->name;
		longopts[nopts].has_arg = o->arg ? required_argument
						 : no_argument;
		longopts[nopts].val = o->id;
		nopts++;
	}
	optind = 2;
	opterr = 0;
	while (rc == 0 &&
	       (c = getopt_long(argc, argv, ":hv", longopts, NULL)) != -1) {
		const char *arg = optarg;
		switch (c) {
		case OPT_HELP: a->help = true; break;
		case OPT_VERBOSE: a->verbose = true; break;
		case OPT_DEBUG: a->debug = true; break;
		case OPT_REPO: a->repo = arg; break;
		case OPT_REF: a->ref = arg; break;
		case OPT_PATH:
		case OPT_CONFIG:
			rc = add_unit_option(cli, spec->name, c, arg);
			break;
		case OPT_CACHE_DIR: a->cache_dir = arg; break;
		case OPT_CA_FILE: a->ca_file = arg; break;
		case OPT_SSH_KEY: a->ssh_key = arg; break;
		case OPT_KNOWN_HOSTS: a->known_hosts = arg; break;
		case OPT_FORMAT: a->format = arg; break;
		case OPT_COLOR: a->color = arg; break;
		case OPT_OUT: a->out = arg; break;
		case OPT_PLAN: a->plan_file = arg; break;
		case OPT_FROM: a->from = arg; break;
		case OPT_TO: a->to = arg; break;
		case OPT_DETAILED_EXITCODE: a->detailed_exitcode = true; break;
		case OPT_DRY_RUN: a->dry_run = true; break;
		case OPT_PRUNE: a->prune = true; break;
		case OPT_ALLOW_UNSUPPORTED: a->allow_unsupported = true; break;
		case OPT_SUMMARY: a->summary = true; break;
		case OPT_ADOPT: a->adopt = true; break;
		case OPT_ALLOW_DELETE_ALL: a->allow_delete_all = true; break;
		case OPT_REPORT: a->report = arg; break;
		case OPT_LOG_FORMAT: a->log_format = arg; break;
		case OPT_FROM_CLUSTER: a->from_cluster = arg; break;
		case OPT_ROLE: a->role = arg; break;
		case OPT_TO_ROUTE: a->to_route = arg; break;
		case OPT_ACCOUNT: a->account = arg; break;
		case OPT_METHOD: a->method = arg; break;
		case OPT_REQUEST_PATH: a->request_path = arg; break;
		case OPT_VERIFY_KEYS: a->verify_keys = arg; break;
		case OPT_ALLOWED_SIGNERS: a->allowed_signers = arg; break;
		case OPT_REQUIRE_SIGNED: a->require_signed = true; break;
		case OPT_SHARD:
			if (!parse_shard(a, arg))
				rc = shard_error(cli, spec->name, "--shard",
						 arg);
			break;
		case OPT_MAX_DELETES:
			if (tr_str_to_i64(&a->max_deletes, arg, 0, 1000000) < 0)
				rc = usage_error(cli, spec->name,
						 "--max-deletes needs a whole "
						 "number from 0, got '%s'",
						 arg);
			break;
		case ':':
			rc = usage_error(cli, spec->name,
					 "option '%s' needs a value",
					 argv[optind - 1]);
			break;
		default:
			rc = usage_error(cli, spec->name,
					 "unknown option '%s' for %s",
					 argv[optind - 1], spec->name);
			break;
		}
	}
	tr_free(longopts);
	if (rc)
		return rc;
	if (a->help)
		return 0;
	if (optind < argc)
		return usage_error(cli, spec->name,
				   "unexpected argument '%s' (the repository "
				   "is given with --repo)",
				   argv[optind]);
	if (!a->shard_count &&
	    (spec->cmd == TR_CMD_PLAN || spec->cmd == TR_CMD_APPLY)) {
		const char *env = getenv("TRELLIS_SHARD");

		if (env && *env && !parse_shard(a, env))
			return shard_error(cli, spec->name, "TRELLIS_SHARD",
					   env);
	}
	if ((rc = check_units(cli, spec)) != 0)
		return rc;
	if (a->shard_count && a->out)
		return usage_error(cli, spec->name,
				   "--out saves a plan of the whole config; it "
				   "cannot be combined with --shard (or "
				   "TRELLIS_SHARD)");
	if (a->shard_count && a->plan_file)
		return usage_error(cli, spec->name,
				   "--plan applies exactly the saved plan; it "
				   "cannot be combined with --shard (or "
				   "TRELLIS_SHARD)");
	if (a->format && !format_allowed(spec, a->format))
		return usage_error(cli, spec->name,
				   "--format must be one of %s, got '%s'",
				   spec->formats, a->format);
	if (a->color && strcmp(a->color, "auto") != 0 &&
	    strcmp(a->color, "always") != 0 && strcmp(a->color, "never") != 0)
		return usage_error(cli, spec->name,
				   "--color must be auto, always or never, "
				   "got '%s'",
				   a->color);
	if (spec->cmd == TR_CMD_DIFF && (!a->from || !a->to))
		return usage_error(cli, spec->name,
				   "diff needs both --from and --to");
	if (a->log_format && strcmp(a->log_format, "text") != 0 &&
	    strcmp(a->log_format, "json") != 0)
		return usage_error(cli, spec->name,
				   "--log-format must be text or json, got '%s'",
				   a->log_format);
	if (spec->cmd == TR_CMD_EXPLAIN_ACCESS &&
	    (!a->from_cluster || !a->role || !a->to_route))
		return usage_error(cli, spec->name,
				   "explain-access needs --from-cluster, --role "
				   "and --to");
	if (a->account && (strlen(a->account) != 12 ||
			   strspn(a->account, "0123456789") != 12))
		return usage_error(cli, spec->name,
				   "--account needs a 12-digit account id, got "
				   "'%s'",
				   a->account);
	if (spec->cmd == TR_CMD_APPLY && a->plan_file &&
	    (a->repo || a->ref || a->path || a->config))
		return usage_error(cli, spec->name,
				   "--plan applies a saved plan; it cannot be "
				   "combined with --repo, --ref, --path or "
				   "--config");
	if (spec->cmd == TR_CMD_APPLY && a->plan_file &&
	    (a->prune || a->adopt || a->allow_delete_all ||
	     a->max_deletes >= 0))
		return usage_error(cli, spec->name,
				   "--plan applies exactly the saved plan: "
				   "--prune, --adopt, --allow-delete-all and "
				   "--max-deletes belong to the `trellis plan "
				   "--out` that made it");
	return 0;
}
