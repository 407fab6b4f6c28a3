#include "model/kinds.h"

#include <string.h>

/* Field modes follow what the VPC Lattice API can update in place (its
 * Update* operations) and what it sets only at creation. */
static const tr_field_spec service_network_fields[] = {
	{"name", TR_FIELD_REPLACE},
	{"authType", TR_FIELD_MUTABLE},
	{NULL, 0},
};

static const tr_field_spec sn_vpc_fields[] = {
	{"serviceNetworkIdentifier", TR_FIELD_REPLACE},
	{"vpcIdentifier", TR_FIELD_REPLACE},
	{"securityGroupIds", TR_FIELD_MUTABLE},
	{NULL, 0},
};

static const tr_field_spec target_group_fields[] = {
	{"name", TR_FIELD_REPLACE},
	{"type", TR_FIELD_REPLACE},
	{"config.port", TR_FIELD_REPLACE},
	{"config.protocol", TR_FIELD_REPLACE},
	{"config.protocolVersion", TR_FIELD_REPLACE},
	{"config.vpcIdentifier", TR_FIELD_REPLACE},
	{"config.ipAddressType", TR_FIELD_REPLACE},
	{"config.healthCheck", TR_FIELD_OPTIONAL},
	{NULL, 0},
};

static const tr_field_spec service_fields[] = {
	{"name", TR_FIELD_REPLACE},
	{"customDomainName", TR_FIELD_REPLACE},
	{"certificateArn", TR_FIELD_MUTABLE},
	{"authType", TR_FIELD_MUTABLE},
	{"dnsEntry", TR_FIELD_COMPUTED},
	{NULL, 0},
};

static const tr_field_spec sn_service_fields[] = {
	{"serviceNetworkIdentifier", TR_FIELD_REPLACE},
	{"serviceIdentifier", TR_FIELD_REPLACE},
	{NULL, 0},
};

static const tr_field_spec listener_fields[] = {
	{"serviceIdentifier", TR_FIELD_REPLACE},
	{"name", TR_FIELD_REPLACE},
	{"port", TR_FIELD_REPLACE},
	{"protocol", TR_FIELD_REPLACE},
	{"defaultAction", TR_FIELD_MUTABLE},
	{NULL, 0},
};

static const tr_field_spec rule_fields[] = {
	{"serviceIdentifier", TR_FIELD_REPLACE},
	{"listenerIdentifier", TR_FIELD_REPLACE},
	{"name", TR_FIELD_REPLACE},
	{"priority", TR_FIELD_MUTABLE},
	{"match", TR_FIELD_MUTABLE},
	{"action", TR_FIELD_MUTABLE},
	{NULL, 0},
};

/* Members are compared as a set (tr_kind_set); "endpoints" says where
 * they come from (a Service's EndpointSlices) and is trellis's own. */
static const tr_field_spec targets_fields[] = {
	{"targetGroupIdentifier", TR_FIELD_REPLACE},
	{"targets", TR_FIELD_MUTABLE},
	{"endpoints", TR_FIELD_COMPUTED},
	{NULL, 0},
};

/* Policies are JSON values (compared by meaning); "templates" holds the
 * texts as written and "references" what their ${...} stand for, which
 * apply resolves once the referred resources exist (src/policy). */
static const tr_field_spec iam_role_fields[] = {
	{"name", TR_FIELD_REPLACE},
	{"description", TR_FIELD_OPTIONAL}, /* IAM keeps one until told */
	{"assumeRolePolicyDocument", TR_FIELD_MUTABLE},
	{"inlinePolicies", TR_FIELD_MUTABLE},
	{"maxSessionDuration", TR_FIELD_OPTIONAL},
	{"arn", TR_FIELD_COMPUTED},
	{"templates", TR_FIELD_COMPUTED},
	{"references", TR_FIELD_COMPUTED},
	{NULL, 0},
};

static const tr_field_spec auth_policy_fields[] = {
	{"resourceIdentifier", TR_FIELD_REPLACE},
	{"policy", TR_FIELD_MUTABLE},
	{"templates", TR_FIELD_COMPUTED},
	{"references", TR_FIELD_COMPUTED},
	{NULL, 0},
};

/* A custom domain's CNAME; its ownership TXT record travels with it (as
 * the tags), and `records` keeps what Route 53 holds, since a delete must
 * repeat the values exactly. */
static const tr_field_spec dns_record_fields[] = {
	{"hostedZoneId", TR_FIELD_REPLACE},
	{"name", TR_FIELD_REPLACE},
	{"type", TR_FIELD_REPLACE},
	{"ttl", TR_FIELD_MUTABLE},
	{"value", TR_FIELD_MUTABLE},
	{"records", TR_FIELD_COMPUTED},
	{NULL, 0},
};

static const char *const no_labels[] = {NULL};
static const char *const auth_policy_label[] = {"resourceIdentifier", NULL};
static const char *const target_group_label[] = {"targetGroupIdentifier",
						 NULL};
static const char *const service_label[] = {"serviceIdentifier", NULL};
static const char *const listener_labels[] = {"serviceIdentifier",
					      "listenerIdentifier", NULL};

static const tr_kind_spec kinds[TR_KIND_COUNT] = {
	{TR_KIND_SERVICE_NETWORK, "service_network", "VPC Lattice service network",
	 "vpc-lattice:servicenetwork", true, service_network_fields, no_labels,
	 "GetServiceNetwork", "CreateServiceNetwork", "UpdateServiceNetwork", "DeleteServiceNetwork",
	 "ListServiceNetworks", false, true},
	{TR_KIND_SN_VPC_ASSOCIATION, "sn_vpc_association",
	 "service network VPC association",
	 "vpc-lattice:servicenetworkvpcassociation", false, sn_vpc_fields,
	 no_labels, "GetServiceNetworkVpcAssociation",
	 "CreateServiceNetworkVpcAssociation",
	 "UpdateServiceNetworkVpcAssociation",
	 "DeleteServiceNetworkVpcAssociation",
	 "ListServiceNetworkVpcAssociations", false, true},
	{TR_KIND_TARGET_GROUP, "target_group", "VPC Lattice target group",
	 "vpc-lattice:targetgroup", true, target_group_fields, no_labels,
	 "GetTargetGroup", "CreateTargetGroup", "UpdateTargetGroup", "DeleteTargetGroup",
	 "ListTargetGroups", false, true},
	{TR_KIND_TARGETS, "targets", "VPC Lattice targets",
	 "vpc-lattice:targetgroup", false, targets_fields, target_group_label,
	 NULL, NULL, NULL, NULL, "ListTargets", false, true},
	{TR_KIND_SERVICE, "service", "VPC Lattice service",
	 "vpc-lattice:service", true, service_fields, no_labels, "GetService",
	 "CreateService",
	 "UpdateService", "DeleteService", "ListServices", false, true},
	{TR_KIND_SN_SERVICE_ASSOCIATION, "sn_service_association",
	 "service network service association",
	 "vpc-lattice:servicenetworkserviceassociation", false,
	 sn_service_fields, no_labels, "GetServiceNetworkServiceAssociation",
	 "CreateServiceNetworkServiceAssociation", NULL,
	 "DeleteServiceNetworkServiceAssociation",
	 "ListServiceNetworkServiceAssociations", false, true},
	{TR_KIND_LISTENER, "listener", "VPC Lattice listener",
	 "vpc-lattice:listener", true, listener_fields, service_label,
	 "GetListener", "CreateListener",
	 "UpdateListener", "DeleteListener", "ListListeners", false, true},
	{TR_KIND_RULE, "rule", "VPC Lattice listener rule", "vpc-lattice:rule",
	 true, rule_fields, listener_labels, "GetRule", "CreateRule", "UpdateRule", "DeleteRule",
	 "ListRules", false, true},
	/* IAM speaks another protocol and a role is several calls: apply has
	 * its own executor for it (apply.c, "IAM roles"). */
	{TR_KIND_IAM_ROLE, "iam_role", "IAM role", "iam:role", true,
	 iam_role_fields, no_labels, "GetRole", "CreateRole",
	 "UpdateAssumeRolePolicy", "DeleteRole", "ListRoles", false, true},
	/* One per service network or service, owned through it; its id is
	 * its target's. */
	{TR_KIND_AUTH_POLICY, "auth_policy", "VPC Lattice auth policy",
	 "vpc-lattice:authpolicy", false, auth_policy_fields,
	 auth_policy_label, "GetAuthPolicy", "PutAuthPolicy", "PutAuthPolicy",
	 "DeleteAuthPolicy", NULL, false, true},
	/* Never adopted: a CNAME without our TXT record is someone else's. */
	{TR_KIND_DNS_RECORD, "dns_record", "Route 53 record", "route53:rrset",
	 true, dns_record_fields, no_labels, "GetChange",
	 "ChangeResourceRecordSets", "ChangeResourceRecordSets",
	 "ChangeResourceRecordSets", "ListResourceRecordSets", true, false},
};

static const char *const target_key[] = {"id", "port", NULL};

/* The controller deregisters and registers targets 100 at a time. */
static const tr_set_spec targets_set = {"targets", target_key,
					"RegisterTargets", "DeregisterTargets",
					100, "target"};

const tr_set_spec *tr_kind_set(tr_kind kind)
{
	return kind == TR_KIND_TARGETS ? &targets_set : NULL;
}

const tr_kind_spec *tr_kind_get(tr_kind kind)
{
	return kind < TR_KIND_COUNT ? &kinds[kind] : NULL;
}

const tr_kind_spec *tr_kind_by_name(const char *name)
{
	for (size_t i = 0; i < TR_KIND_COUNT; i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

tr_field_mode tr_kind_field_mode(tr_kind kind, const char *field)
{
	const tr_kind_spec *k = tr_kind_get(kind);

	for (const tr_field_spec *f = k ? k->fields : NULL; f && f->name; f++)
		if (strcmp(f->name, field) == 0)
			return f->mode;
	return TR_FIELD_MUTABLE;
}

const char *tr_kind_ref_attr(tr_kind kind, const char *field)
{
	if (kind == TR_KIND_DNS_RECORD && field && strcmp(field, "value") == 0)
		return "dnsEntry.domainName";
	return "id";
}
