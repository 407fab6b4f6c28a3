#include "cli/options.h"

#include <stddef.h>

/* Constant tables: read-only data, not mutable globals. */
const tr_opt_spec tr_cli_options[] = {
	{"repo", OPT_REPO, "URL|PATH", CMDS_SOURCE,
	 "manifest repository: a local folder or a git URL (https://, ssh://, "
	 "file://, git@host:org/repo); default: the current folder"},
	{"ref", OPT_REF, "REF", CMDS_SOURCE,
	 "branch, tag or commit to read; default: the remote's HEAD, or the "
	 "files on disk for a local folder"},
	{"path", OPT_PATH, "DIR", CMDS_SOURCE,
	 "folder inside the repository that holds trellis.yaml and the "
	 "cluster folders; plan, apply, validate and render take it several "
	 "times: one config each, validated together, then run one after "
	 "the other (docs/operations.md)"},
	{"config", OPT_CONFIG, "FILE", CMDS_SOURCE,
	 "config file to use instead of <path>/trellis.yaml; several times "
	 "like --path, paired with the --path values in order"},
	{"cache-dir", OPT_CACHE_DIR, "DIR", CMDS_SOURCE,
	 "keep clones here and only fetch on later runs; plan and apply also "
	 "keep the AWS read cache here (aws-reads/) and skip reading VPC "
	 "Lattice resources whose lastUpdatedAt did not change (see "
	 "docs/operations.md)"},
	{"ca-file", OPT_CA_FILE, "FILE", CMDS_SOURCE,
	 "extra CA certificates for HTTPS git remotes (also SSL_CERT_FILE)"},
	{"ssh-key", OPT_SSH_KEY, "FILE", CMDS_SOURCE,
	 "private key for SSH git remotes; default: ssh-agent "
	 "(also TRELLIS_GIT_SSH_KEY)"},
	{"known-hosts", OPT_KNOWN_HOSTS, "FILE", CMDS_SOURCE,
	 "known_hosts file for SSH git remotes; default: ~/.ssh/known_hosts"},
	{"verify-keys", OPT_VERIFY_KEYS, "FILE|DIR", CMDS_SOURCE,
	 "trusted OpenPGP public keys (a file, or a folder of files): the "
	 "commit read must be signed by one of them (also "
	 "TRELLIS_VERIFY_KEYS); see docs/signing.md"},
	{"allowed-signers", OPT_ALLOWED_SIGNERS, "FILE", CMDS_SOURCE,
	 "trusted SSH signers, in ssh-keygen's allowed-signers format (also "
	 "TRELLIS_ALLOWED_SIGNERS)"},
	{"require-signed", OPT_REQUIRE_SIGNED, NULL, CMDS_SOURCE,
	 "fail unless the commit is signed by a trusted signer (plan and "
	 "apply always do when trusted keys are given; validate, render and "
	 "diff otherwise only report the signature)"},
	{"from", OPT_FROM, "REF", CMD_BIT(TR_CMD_DIFF),
	 "the commit to compare from"},
	{"to", OPT_TO, "REF", CMD_BIT(TR_CMD_DIFF),
	 "the commit to compare to"},
	{"from-cluster", OPT_FROM_CLUSTER, "CLUSTER",
	 CMD_BIT(TR_CMD_EXPLAIN_ACCESS),
	 "the caller's cluster in trellis.yaml: its vpcId is the source VPC"},
	{"role", OPT_ROLE, "NAME", CMD_BIT(TR_CMD_EXPLAIN_ACCESS),
	 "the caller's IAM role: a Role (iam.services.k8s.aws) by "
	 "metadata.name or spec.name"},
	{"to", OPT_TO_ROUTE, "NAMESPACE/ROUTE", CMD_BIT(TR_CMD_EXPLAIN_ACCESS),
	 "the HTTPRoute or GRPCRoute whose VPC Lattice service is called"},
	{"account", OPT_ACCOUNT, "ID", CMD_BIT(TR_CMD_EXPLAIN_ACCESS),
	 "AWS account id for ARNs and ${account} (default 123456789012, a "
	 "placeholder)"},
	{"method", OPT_METHOD, "METHOD", CMD_BIT(TR_CMD_EXPLAIN_ACCESS),
	 "HTTP method of the request (default GET)"},
	{"request-path", OPT_REQUEST_PATH, "URI", CMD_BIT(TR_CMD_EXPLAIN_ACCESS),
	 "path of the request, part of the resource ARN (default /)"},
	{"format", OPT_FORMAT, "FORMAT",
	 CMD_BIT(TR_CMD_VALIDATE) | CMD_BIT(TR_CMD_PLAN) | CMD_BIT(TR_CMD_DIFF) |
		 CMD_BIT(TR_CMD_APPLY) | CMD_BIT(TR_CMD_EXPLAIN_ACCESS),
	 "output format (see the command's list)"},
	{"allow-unsupported", OPT_ALLOW_UNSUPPORTED, NULL, CMDS_SOURCE,
	 "report what VPC Lattice cannot express as warnings and leave it out "
	 "of the plan, instead of failing"},
	{"summary", OPT_SUMMARY, NULL,
	 CMD_BIT(TR_CMD_PLAN) | CMD_BIT(TR_CMD_DIFF) | CMD_BIT(TR_CMD_APPLY),
	 "text format: print only the one-line summary"},
	{"out", OPT_OUT, "PLANFILE", CMD_BIT(TR_CMD_PLAN),
	 "save the plan for `apply --plan`"},
	{"detailed-exitcode", OPT_DETAILED_EXITCODE, NULL, CMD_BIT(TR_CMD_PLAN),
	 "exit 0 with no changes, 2 with changes, 1 on error"},
	{"plan", OPT_PLAN, "PLANFILE", CMD_BIT(TR_CMD_APPLY),
	 "apply exactly this saved plan (refused when stale)"},
	{"dry-run", OPT_DRY_RUN, NULL, CMD_BIT(TR_CMD_APPLY),
	 "show every step without making any mutating AWS call"},
	{"prune", OPT_PRUNE, NULL,
	 CMD_BIT(TR_CMD_PLAN) | CMD_BIT(TR_CMD_APPLY) | CMD_BIT(TR_CMD_DIFF),
	 "delete owned resources that the manifests no longer declare"},
	{"adopt", OPT_ADOPT, NULL, CMD_BIT(TR_CMD_PLAN) | CMD_BIT(TR_CMD_APPLY),
	 "take over resources that have a declared name but no owner tag "
	 "(never another owner's)"},
	{"max-deletes", OPT_MAX_DELETES, "N",
	 CMD_BIT(TR_CMD_PLAN) | CMD_BIT(TR_CMD_APPLY),
	 "refuse a plan with more than N deletions (default: config, 10)"},
	{"allow-delete-all", OPT_ALLOW_DELETE_ALL, NULL,
	 CMD_BIT(TR_CMD_PLAN) | CMD_BIT(TR_CMD_APPLY),
	 "allow a plan that deletes every owned resource (refused otherwise: "
	 "an emptied or mistyped path looks exactly like that)"},
	{"shard", OPT_SHARD, "INDEX/COUNT",
	 CMD_BIT(TR_CMD_PLAN) | CMD_BIT(TR_CMD_APPLY),
	 "plan and apply only this shard's resources: the config's services "
	 "(each with its listeners, rules, target groups, targets, "
	 "associations, auth policy and DNS record) split into COUNT "
	 "disjoint shards, 0 <= INDEX < COUNT; shared service networks and "
	 "VPC associations are shard 0's (also TRELLIS_SHARD); see "
	 "docs/operations.md"},
	{"report", OPT_REPORT, "FILE", CMD_BIT(TR_CMD_APPLY),
	 "write a JSON report of the run: each action with its status "
	 "(done, failed, skipped), AWS error and timings; counts; exit status"},
	{"log-format", OPT_LOG_FORMAT, "text|json",
	 CMD_BIT(TR_CMD_PLAN) | CMD_BIT(TR_CMD_APPLY),
	 "progress lines (one per action start and end, with timings): text, "
	 "or json with one object per line for log collectors"},
	{"color", OPT_COLOR, "auto|always|never", CMDS_ALL,
	 "colour output: auto (on a terminal), always, never"},
	{"verbose", OPT_VERBOSE, NULL, CMDS_ALL,
	 "also show notes (ignored documents, skipped files)"},
	{"debug", OPT_DEBUG, NULL, CMDS_ALL,
	 "log every AWS request (never secrets) to standard error"},
	{"help", OPT_HELP, NULL, CMDS_ALL, "show this help"},
	{NULL, 0, NULL, 0, NULL},
};

const tr_cmd_spec tr_cli_commands[] = {
	{TR_CMD_VALIDATE, "validate", "[SOURCE] [--format text|json|github]",
	 "check the manifests and the config file, offline",
	 "Loads every *.yaml, *.yml and *.json file under the cluster paths of "
	 "trellis.yaml (or the whole folder without one), and reports every "
	 "problem with its file, line, column and field path. Exits 1 when any "
	 "error was found.",
	 "text|json|github", 1},
	{TR_CMD_PLAN, "plan",
	 "[SOURCE] [--out PLANFILE] [--format text|json|markdown] "
	 "[--detailed-exitcode]",
	 "show the VPC Lattice and IAM changes apply would make",
	 "Validates the manifests, reads the current state from AWS (with an "
	 "AWS client that refuses every mutating call) and prints each "
	 "resource to create, update, replace or delete, in apply order. Only "
	 "resources tagged with the config's owner are ever updated or "
	 "deleted; deletions need --prune or prune: true. Exits 1 on any "
	 "error, and with --detailed-exitcode 2 when there are changes. "
	 "Policy references to resources apply creates show as (known after "
	 "apply). --out saves the plan (docs/plan-file.md) with the commit it came "
	 "from and a fingerprint of every resource it depends on, for `apply "
	 "--plan`. A plan that deletes every owned resource is refused unless "
	 "--allow-delete-all.",
	 "text|json|markdown", 1},
	{TR_CMD_APPLY, "apply",
	 "[SOURCE | --plan PLANFILE] [--dry-run] [--prune] [--max-deletes N] "
	 "[--report FILE] [--log-format text|json]",
	 "make the changes of the plan, idempotently; never prompts",
	 "Plans like `trellis plan`, prints the plan, then carries it out: "
	 "deletions children first, then creations and updates parents first, "
	 "waiting for each resource to become ACTIVE (or gone). Creates carry "
	 "a clientToken derived from the owner and the request, so a re-run "
	 "after an interruption finishes the job without duplicates. With "
	 "--dry-run the AWS client refuses every mutating request at the one "
	 "place requests leave trellis, and each step is shown instead. "
	 "--plan FILE applies exactly a plan saved by `plan --out`, without "
	 "reading the repository again: it re-reads AWS and refuses (exit 1, "
	 "no change made) when any resource the plan depends on moved, naming "
	 "each one. --report FILE writes a JSON report for CI artefacts; "
	 "--log-format json prints progress as one JSON object per line.",
	 "text|json|markdown", 1},
	{TR_CMD_RENDER, "render", "[SOURCE]",
	 "print the desired model as JSON, without AWS calls",
	 "Validates like `trellis validate`, then prints every AWS resource the "
	 "manifests declare (service networks, VPC associations, services, "
	 "listeners, rules, target groups, associations) with its attributes, "
	 "tags and the manifest it came from. Problems go to standard error and "
	 "exit 1.",
	 NULL, 1},
	{TR_CMD_DIFF, "diff", "--from REF --to REF [SOURCE]",
	 "plan between the desired models of two commits, without AWS calls",
	 "Reads the manifests at both commits, validates them and shows, in "
	 "the plan's formats, what would change in AWS if --to replaced --from "
	 "(the pull-request review without cloud credentials). Problems in "
	 "--to fail the command; problems in --from are shown as warnings.",
	 "text|json|markdown", 1},
	{TR_CMD_EXPLAIN_ACCESS, "explain-access",
	 "--from-cluster CLUSTER --role NAME --to NAMESPACE/ROUTE [SOURCE] "
	 "[--format text|json]",
	 "may this role, from this cluster, call this route? offline",
	 "Validates the manifests, then evaluates vpc-lattice-svcs:Invoke as "
	 "VPC Lattice does: the auth policy of the service network the "
	 "caller's VPC reaches the service through and the auth policy of the "
	 "service (each when an IAMAuthPolicy sets AWS_IAM), and the inline "
	 "policies of the caller's Role; an explicit Deny wins. The request "
	 "carries the cluster's vpcId as vpc-lattice-svcs:SourceVpc, the "
	 "role's ARN as the principal (aws:PrincipalArn, aws:PrincipalTag/*), "
	 "and the service and service network ARNs; references in the "
	 "policies are filled in alike, with placeholder ids for what exists "
	 "only after apply. Prints allowed or denied and the statements that "
	 "decided it. No AWS call. Exits 0 when allowed, 2 when denied, 1 on "
	 "error.",
	 "text|json", 1},
	{TR_CMD_WHOAMI, "whoami", "",
	 "show the AWS account and caller the credentials belong to",
	 "Resolves credentials like the AWS SDKs (environment, AWS_PROFILE, web "
	 "identity, container credentials, IMDSv2) and asks STS "
	 "GetCallerIdentity. Endpoints follow AWS_ENDPOINT_URL and "
	 "AWS_ENDPOINT_URL_STS.",
	 NULL, 1},
	{TR_CMD_VERSION, "version", "",
	 "print the version of trellis and of the libraries it uses", NULL,
	 NULL, 1},
	{TR_CMD_NONE, NULL, NULL, NULL, NULL, NULL, 0},
};

const tr_doc_item tr_cli_exit_codes[] = {
	{"0", "success (with --detailed-exitcode: no changes; explain-access: "
	      "allowed)"},
	{"1", "error of any kind: invalid manifests, AWS failure, stale plan"},
	{"2", "success with changes pending (plan --detailed-exitcode); "
	      "explain-access: denied"},
	{"64", "bad command line"},
	{NULL, NULL},
};

/* Every variable trellis reads (src/cli and the AWS credentials chain). */
const tr_doc_item tr_cli_environment[] = {
	{"TRELLIS_GIT_USERNAME, TRELLIS_GIT_PASSWORD",
	 "HTTPS basic authentication for git remotes"},
	{"TRELLIS_GIT_TOKEN",
	 "HTTPS token for git remotes (user x-access-token unless "
	 "TRELLIS_GIT_USERNAME is set)"},
	{"TRELLIS_GIT_SSH_KEY, TRELLIS_GIT_SSH_KEY_PASSPHRASE",
	 "SSH key file for git remotes (default: ssh-agent)"},
	{"TRELLIS_GIT_KNOWN_HOSTS",
	 "known_hosts for SSH remotes (as --known-hosts)"},
	{"TRELLIS_GIT_CA_FILE, SSL_CERT_FILE",
	 "CA bundle for HTTPS git remotes (as --ca-file)"},
	{"TRELLIS_CACHE_DIR", "as --cache-dir"},
	{"TRELLIS_VERIFY_KEYS", "as --verify-keys (trusted OpenPGP keys)"},
	{"TRELLIS_ALLOWED_SIGNERS", "as --allowed-signers (trusted SSH signers)"},
	{"TRELLIS_SHARD", "as --shard INDEX/COUNT (plan, apply)"},
	{"KUBERNETES_SERVICE_HOST, KUBERNETES_SERVICE_PORT",
	 "the API server of a cluster with inCluster: true (set by Kubernetes "
	 "in every pod)"},
	{"TRELLIS_SERVICEACCOUNT_DIR",
	 "the service-account token and ca.crt for inCluster: true (default "
	 "/var/run/secrets/kubernetes.io/serviceaccount)"},
	{"HTTPS_PROXY", "proxy for HTTPS git remotes"},
	{"TMPDIR", "where remotes are cloned without a cache, and the private "
		   "GnuPG home for trusted keys (default /tmp)"},
	{"HOME", "for ~/.ssh/known_hosts and ~/.aws/"},
	{"AWS_REGION, AWS_DEFAULT_REGION",
	 "the region (else the profile's, then the config's region)"},
	{"AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN",
	 "static credentials"},
	{"AWS_PROFILE, AWS_DEFAULT_PROFILE, AWS_CONFIG_FILE, "
	 "AWS_SHARED_CREDENTIALS_FILE",
	 "a profile of ~/.aws/config and ~/.aws/credentials (role_arn with "
	 "source_profile or web_identity_token_file included)"},
	{"AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_SESSION_NAME",
	 "web identity (IRSA)"},
	{"AWS_CONTAINER_CREDENTIALS_FULL_URI, "
	 "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, "
	 "AWS_CONTAINER_AUTHORIZATION_TOKEN, "
	 "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	 "container credentials (EKS Pod Identity, ECS)"},
	{"AWS_STS_REGIONAL_ENDPOINTS", "regional or global STS endpoint"},
	{"AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_VPC_LATTICE, "
	 "AWS_ENDPOINT_URL_ROUTE_53, AWS_ENDPOINT_URL_ACM, "
	 "AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL_STS, "
	 "AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API",
	 "endpoint overrides"},
	{"AWS_EC2_METADATA_DISABLED, AWS_EC2_METADATA_SERVICE_ENDPOINT",
	 "instance metadata (IMDSv2) credentials: off, or another endpoint"},
	{"AWS_CA_BUNDLE", "CA bundle for AWS endpoints"},
	{"HTTPS_PROXY, ALL_PROXY, NO_PROXY", "proxy for AWS endpoints"},
	{NULL, NULL},
};

const tr_cmd_spec *tr_cli_command_spec(tr_cli_command cmd)
{
	for (const tr_cmd_spec *c = tr_cli_commands; c->name; c++)
		if (c->cmd == cmd)
			return c;
	return NULL;
}
