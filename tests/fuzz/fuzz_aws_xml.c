/*
 * Fuzz target: the XML reader of AWS replies (Route 53, IAM, STS) and the
 * lookups the client makes on them: the paginator's markers, STS
 * credentials, GetCallerIdentity, error documents. The paths are those of
 * src/aws/ (paginate.c, credentials.c, error.c); a reply that holds them
 * at a different depth or with odd text must be read safely.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "aws/xml.h"
#include "util/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Element paths below the root, as the client asks for them. */
static const char *const PATHS[] = {
	"IsTruncated",
	"Marker",
	"NextMarker",
	"NextRecordName",
	"NextRecordType",
	"NextRecordIdentifier",
	"ListRolesResult/IsTruncated",
	"ListRolesResult/Marker",
	"AssumeRoleResult/Credentials/AccessKeyId",
	"AssumeRoleWithWebIdentityResult/Credentials/SecretAccessKey",
	"AssumeRoleResult/Credentials/SessionToken",
	"AssumeRoleResult/Credentials/Expiration",
	"GetCallerIdentityResult/Account",
	"GetCallerIdentityResult/Arn",
	"GetCallerIdentityResult/UserId",
	"Error/Code",
	"Error/Message",
	"Error/Messages/Message",
	"Messages/Message",
	"RequestId",
	"ResponseMetadata/RequestId",
	"HostedZone/Id",
	"ChangeInfo/Status",
	/* Odd paths the helpers must refuse or walk safely. */
	"",
	"/",
	"a//b",
	"Error/",
};

/* Small buffers on purpose: the truncation branch of tr_aws_xml_text. */
static const size_t CAPS[] = {1, 16, 128};

static void walk(const xmlNode *root)
{
	for (size_t i = 0; i < sizeof(PATHS) / sizeof(PATHS[0]); i++) {
		char *dup = tr_aws_xml_text_dup(root, PATHS[i]);

		tr_free(dup);
		for (size_t c = 0; c < sizeof(CAPS) / sizeof(CAPS[0]); c++) {
			char text[128];

			(void)tr_aws_xml_text(text, CAPS[c], root, PATHS[i]);
		}
		(void)tr_aws_xml_path(root, PATHS[i]);
	}
	(void)tr_aws_xml_child(root, "Error");
	(void)tr_aws_xml_child(NULL, "Error");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	xmlDoc *doc = NULL;
	char *copy = tr_malloc(size ? size : 1);

	/* An exact-size copy, so ASan sees a read past the reply. */
	if (size)
		memcpy(copy, data, size);
	if (tr_aws_xml_parse(&doc, copy, size) == 0) {
		const xmlNode *root = xmlDocGetRootElement(doc);

		walk(root);
		/* Lookups below a child element, as for <Error> and the
		 * *Result wrappers. */
		for (const xmlNode *c = root->children; c; c = c->next)
			if (c->type == XML_ELEMENT_NODE)
				walk(c);
		xmlFreeDoc(doc);
	}
	tr_free(copy);
	return 0;
}
