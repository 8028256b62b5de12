/* SPDX-License-Identifier: BSD-2-Clause */
/* ldapcancel: issue an LDAP operation, cancel it (RFC 3909), report both results. */
#include "common/tool.h"

int main(int argc, char **argv)
{
	static const tool_spec spec = { .interrupt = LI_INTERRUPT_CANCEL, .name = "ldapcancel" };

	return tool_main(&spec, argc, argv);
}
