/* SPDX-License-Identifier: BSD-2-Clause */
/* ldapabandon: issue an LDAP operation, abandon it (RFC 4511 4.11), report what came back. */
#include "common/tool.h"

int main(int argc, char **argv)
{
	static const tool_spec spec = { .interrupt = LI_INTERRUPT_ABANDON, .name = "ldapabandon" };

	return tool_main(&spec, argc, argv);
}
