/* SPDX-License-Identifier: BSD-2-Clause */
/* Secrets read from a file (-y) or a terminal (-W, SASL prompts). */
#ifndef CMD_SECRET_H
#define CMD_SECRET_H

#include <stddef.h>

#include <ldapinterrupt.h>

/* Reads the first line of fd (a -y file, a prompt's answer) without its
 * line ending, at most LI_SECRET_MAX bytes, into a buffer that is never
 * reallocated; what was read past the line is wiped. 0 with *line
 * (malloc'ed, wipe it before freeing) and *len; 1 at end of file before any
 * byte; -1 with *why (too long, or a NUL byte), or with *why NULL and errno
 * set when reading failed. */
int cmd_secret_read_line(int fd, char **line, size_t *len, const char **why);

#endif
