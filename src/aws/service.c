#include "aws/service.h"

#include <string.h>

static const tr_aws_service_info services[TR_AWS_SERVICE_COUNT] = {
	{TR_AWS_LATTICE, "vpc-lattice", "vpc-lattice", "VPC_LATTICE",
	 "vpc-lattice", NULL, TR_AWS_REST_JSON, "2022-11-30", NULL, 0},
	/* Route 53 allows 5 requests per second per account. */
	{TR_AWS_ROUTE53, "route53", "route53", "ROUTE_53", "route53",
	 "route53.amazonaws.com", TR_AWS_REST_XML, "2013-04-01", NULL, 5},
	{TR_AWS_ACM, "acm", "acm", "ACM", "acm", NULL, TR_AWS_JSON_1_1,
	 "2015-12-08", "CertificateManager", 0},
	{TR_AWS_IAM, "iam", "iam", "IAM", "iam", "iam.amazonaws.com",
	 TR_AWS_QUERY, "2010-05-08", NULL, 0},
	{TR_AWS_STS, "sts", "sts", "STS", "sts", NULL, TR_AWS_QUERY,
	 "2011-06-15", NULL, 0},
	{TR_AWS_TAGGING, "tagging", "tagging", "RESOURCE_GROUPS_TAGGING_API",
	 "tagging", NULL, TR_AWS_JSON_1_1, "2017-01-26",
	 "ResourceGroupsTaggingAPI_20170126", 0},
};

/* Generated from the service models (notes/aws-apis.md §2-6), then kept by
 * hand. `mutating` is decided per operation, never from the method: Lattice
 * ListTargets is a POST that only reads. */
static const tr_aws_op ops[] = {
	{TR_AWS_LATTICE, "CreateServiceNetwork", "POST", "/servicenetworks", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "GetServiceNetwork", "GET", "/servicenetworks/{serviceNetworkIdentifier}", false, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "UpdateServiceNetwork", "PATCH", "/servicenetworks/{serviceNetworkIdentifier}", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "DeleteServiceNetwork", "DELETE", "/servicenetworks/{serviceNetworkIdentifier}", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "ListServiceNetworks", "GET", "/servicenetworks", false, false, TR_AWS_PAGE_NEXT_TOKEN_QUERY},
	{TR_AWS_LATTICE, "CreateServiceNetworkVpcAssociation", "POST", "/servicenetworkvpcassociations", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "GetServiceNetworkVpcAssociation", "GET", "/servicenetworkvpcassociations/{serviceNetworkVpcAssociationIdentifier}", false, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "UpdateServiceNetworkVpcAssociation", "PATCH", "/servicenetworkvpcassociations/{serviceNetworkVpcAssociationIdentifier}", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "DeleteServiceNetworkVpcAssociation", "DELETE", "/servicenetworkvpcassociations/{serviceNetworkVpcAssociationIdentifier}", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "ListServiceNetworkVpcAssociations", "GET", "/servicenetworkvpcassociations", false, false, TR_AWS_PAGE_NEXT_TOKEN_QUERY},
	{TR_AWS_LATTICE, "CreateServiceNetworkServiceAssociation", "POST", "/servicenetworkserviceassociations", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "GetServiceNetworkServiceAssociation", "GET", "/servicenetworkserviceassociations/{serviceNetworkServiceAssociationIdentifier}", false, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "DeleteServiceNetworkServiceAssociation", "DELETE", "/servicenetworkserviceassociations/{serviceNetworkServiceAssociationIdentifier}", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "ListServiceNetworkServiceAssociations", "GET", "/servicenetworkserviceassociations", false, false, TR_AWS_PAGE_NEXT_TOKEN_QUERY},
	{TR_AWS_LATTICE, "CreateService", "POST", "/services", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "GetService", "GET", "/services/{serviceIdentifier}", false, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "UpdateService", "PATCH", "/services/{serviceIdentifier}", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "DeleteService", "DELETE", "/services/{serviceIdentifier}", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "ListServices", "GET", "/services", false, false, TR_AWS_PAGE_NEXT_TOKEN_QUERY},
	{TR_AWS_LATTICE, "CreateListener", "POST", "/services/{serviceIdentifier}/listeners", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "GetListener", "GET", "/services/{serviceIdentifier}/listeners/{listenerIdentifier}", false, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "UpdateListener", "PATCH", "/services/{serviceIdentifier}/listeners/{listenerIdentifier}", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "DeleteListener", "DELETE", "/services/{serviceIdentifier}/listeners/{listenerIdentifier}", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "ListListeners", "GET", "/services/{serviceIdentifier}/listeners", false, false, TR_AWS_PAGE_NEXT_TOKEN_QUERY},
	{TR_AWS_LATTICE, "CreateRule", "POST", "/services/{serviceIdentifier}/listeners/{listenerIdentifier}/rules", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "GetRule", "GET", "/services/{serviceIdentifier}/listeners/{listenerIdentifier}/rules/{ruleIdentifier}", false, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "UpdateRule", "PATCH", "/services/{serviceIdentifier}/listeners/{listenerIdentifier}/rules/{ruleIdentifier}", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "DeleteRule", "DELETE", "/services/{serviceIdentifier}/listeners/{listenerIdentifier}/rules/{ruleIdentifier}", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "ListRules", "GET", "/services/{serviceIdentifier}/listeners/{listenerIdentifier}/rules", false, false, TR_AWS_PAGE_NEXT_TOKEN_QUERY},
	{TR_AWS_LATTICE, "BatchUpdateRule", "PATCH", "/services/{serviceIdentifier}/listeners/{listenerIdentifier}/rules", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "CreateTargetGroup", "POST", "/targetgroups", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "GetTargetGroup", "GET", "/targetgroups/{targetGroupIdentifier}", false, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "UpdateTargetGroup", "PATCH", "/targetgroups/{targetGroupIdentifier}", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "DeleteTargetGroup", "DELETE", "/targetgroups/{targetGroupIdentifier}", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "ListTargetGroups", "GET", "/targetgroups", false, false, TR_AWS_PAGE_NEXT_TOKEN_QUERY},
	{TR_AWS_LATTICE, "RegisterTargets", "POST", "/targetgroups/{targetGroupIdentifier}/registertargets", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "DeregisterTargets", "POST", "/targetgroups/{targetGroupIdentifier}/deregistertargets", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "ListTargets", "POST", "/targetgroups/{targetGroupIdentifier}/listtargets", false, false, TR_AWS_PAGE_NEXT_TOKEN_QUERY},
	{TR_AWS_LATTICE, "PutAuthPolicy", "PUT", "/authpolicy/{resourceIdentifier}", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "GetAuthPolicy", "GET", "/authpolicy/{resourceIdentifier}", false, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "DeleteAuthPolicy", "DELETE", "/authpolicy/{resourceIdentifier}", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "PutResourcePolicy", "PUT", "/resourcepolicy/{resourceArn}", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "GetResourcePolicy", "GET", "/resourcepolicy/{resourceArn}", false, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "DeleteResourcePolicy", "DELETE", "/resourcepolicy/{resourceArn}", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "CreateAccessLogSubscription", "POST", "/accesslogsubscriptions", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "GetAccessLogSubscription", "GET", "/accesslogsubscriptions/{accessLogSubscriptionIdentifier}", false, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "UpdateAccessLogSubscription", "PATCH", "/accesslogsubscriptions/{accessLogSubscriptionIdentifier}", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "DeleteAccessLogSubscription", "DELETE", "/accesslogsubscriptions/{accessLogSubscriptionIdentifier}", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "ListAccessLogSubscriptions", "GET", "/accesslogsubscriptions", false, false, TR_AWS_PAGE_NEXT_TOKEN_QUERY},
	{TR_AWS_LATTICE, "TagResource", "POST", "/tags/{resourceArn}", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "UntagResource", "DELETE", "/tags/{resourceArn}", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_LATTICE, "ListTagsForResource", "GET", "/tags/{resourceArn}", false, false, TR_AWS_PAGE_NONE},
	{TR_AWS_ROUTE53, "ChangeResourceRecordSets", "POST", "/2013-04-01/hostedzone/{Id}/rrset/", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_ROUTE53, "ListResourceRecordSets", "GET", "/2013-04-01/hostedzone/{Id}/rrset", false, false, TR_AWS_PAGE_R53_RECORDS},
	{TR_AWS_ROUTE53, "GetChange", "GET", "/2013-04-01/change/{Id}", false, false, TR_AWS_PAGE_NONE},
	{TR_AWS_ROUTE53, "GetHostedZone", "GET", "/2013-04-01/hostedzone/{Id}", false, false, TR_AWS_PAGE_NONE},
	{TR_AWS_ROUTE53, "ListHostedZones", "GET", "/2013-04-01/hostedzone", false, false, TR_AWS_PAGE_R53_MARKER},
	{TR_AWS_ROUTE53, "ListHostedZonesByName", "GET", "/2013-04-01/hostedzonesbyname", false, false, TR_AWS_PAGE_NONE},
	{TR_AWS_ACM, "ListCertificates", "POST", "/", false, false, TR_AWS_PAGE_NEXT_TOKEN_BODY},
	{TR_AWS_ACM, "DescribeCertificate", "POST", "/", false, false, TR_AWS_PAGE_NONE},
	{TR_AWS_ACM, "RequestCertificate", "POST", "/", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_ACM, "ImportCertificate", "POST", "/", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_ACM, "DeleteCertificate", "POST", "/", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_ACM, "AddTagsToCertificate", "POST", "/", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_ACM, "RemoveTagsFromCertificate", "POST", "/", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_ACM, "ListTagsForCertificate", "POST", "/", false, false, TR_AWS_PAGE_NONE},
	{TR_AWS_IAM, "CreateRole", "POST", "/", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_IAM, "GetRole", "POST", "/", false, false, TR_AWS_PAGE_NONE},
	{TR_AWS_IAM, "DeleteRole", "POST", "/", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_IAM, "UpdateAssumeRolePolicy", "POST", "/", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_IAM, "UpdateRole", "POST", "/", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_IAM, "PutRolePolicy", "POST", "/", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_IAM, "GetRolePolicy", "POST", "/", false, false, TR_AWS_PAGE_NONE},
	{TR_AWS_IAM, "DeleteRolePolicy", "POST", "/", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_IAM, "ListRolePolicies", "POST", "/", false, false, TR_AWS_PAGE_MARKER},
	{TR_AWS_IAM, "TagRole", "POST", "/", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_IAM, "UntagRole", "POST", "/", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_IAM, "ListRoleTags", "POST", "/", false, false, TR_AWS_PAGE_MARKER},
	{TR_AWS_IAM, "ListRoles", "POST", "/", false, false, TR_AWS_PAGE_MARKER},
	{TR_AWS_IAM, "AttachRolePolicy", "POST", "/", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_IAM, "DetachRolePolicy", "POST", "/", true, false, TR_AWS_PAGE_NONE},
	{TR_AWS_IAM, "ListAttachedRolePolicies", "POST", "/", false, false, TR_AWS_PAGE_MARKER},
	/* STS calls only read or mint credentials: never refused by dry-run. */
	{TR_AWS_STS, "GetCallerIdentity", "POST", "/", false, false, TR_AWS_PAGE_NONE},
	{TR_AWS_STS, "AssumeRole", "POST", "/", false, false, TR_AWS_PAGE_NONE},
	{TR_AWS_STS, "AssumeRoleWithWebIdentity", "POST", "/", false, true, TR_AWS_PAGE_NONE},
	/* Owner-tagged resources in bulk, instead of one tag read each. */
	{TR_AWS_TAGGING, "GetResources", "POST", "/", false, false, TR_AWS_PAGE_PAGINATION_TOKEN},
};

const tr_aws_service_info *tr_aws_service_get(tr_aws_service id)
{
	if ((unsigned)id >= TR_AWS_SERVICE_COUNT)
		return NULL;
	return &services[id];
}

const tr_aws_op *tr_aws_op_find(tr_aws_service service, const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (ops[i].service == service && strcmp(ops[i].name, name) == 0)
			return &ops[i];
	return NULL;
}

const tr_aws_op *tr_aws_op_table(size_t *count)
{
	*count = sizeof(ops) / sizeof(ops[0]);
	return ops;
}
