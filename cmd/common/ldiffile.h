/* SPDX-License-Identifier: BSD-2-Clause */
/* -f: the LDIF file of --op add and --op modify. */
#ifndef CMD_LDIFFILE_H
#define CMD_LDIFFILE_H

#include <ldapinterrupt.h>

/* Reads path ("-" is standard input), at most 64 MiB with the values its
 * attr:< file:// URLs name, into *text (malloc'ed): every line checked
 * against the file's line numbers, the URLs' values read in as base64. */
int cmd_ldif_read(const char *path, char **text, li_error *err);

#endif
