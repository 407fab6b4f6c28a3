#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <git2.h>
#include <libxml/xmlversion.h>
#include <openssl/crypto.h>
#include <yaml.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "cli/cli.h"

int tr_cmd_version(tr_cli *cli)
{
	int major = 0, minor = 0, rev = 0;
	const curl_version_info_data *curl = curl_version_info(CURLVERSION_NOW);
	char pcre[64] = "";

	git_libgit2_version(&major, &minor, &rev);
	pcre2_config(PCRE2_CONFIG_VERSION, pcre);
	tr_cli_printf(cli, cli->out,
		      "trellis %s\n"
		      "libgit2 %d.%d.%d\n"
		      "libyaml %s\n"
		      "libcurl %s (%s)\n"
		      "OpenSSL %s\n"
		      "cJSON %s\n"
		      "PCRE2 %s\n"
		      "libxml2 %s\n",
		      TRELLIS_VERSION, major, minor, rev,
		      yaml_get_version_string(), curl->version,
		      curl->ssl_version ? curl->ssl_version : "no TLS",
		      OpenSSL_version(OPENSSL_VERSION_STRING), cJSON_Version(),
		      pcre, LIBXML_DOTTED_VERSION);
	return TR_EXIT_OK;
}

int tr_cmd_not_built(tr_cli *cli)
{
	tr_cli_printf(cli, cli->err,
		      "trellis: '%s' is not built yet in this version of "
		      "trellis (%s); see 'trellis --help'\n",
		      tr_cli_command_name(cli->args.command), TRELLIS_VERSION);
	return TR_EXIT_ERROR;
}
