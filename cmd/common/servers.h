/* SPDX-License-Identifier: BSD-2-Clause */
/* --each URI and --each-file FILE: the servers one command probes, in the
 * order given (every --each first, then the file's lines). */
#ifndef CMD_SERVERS_H
#define CMD_SERVERS_H

#include "apply.h"

#define SERVERS_JOBS_DEFAULT 8
#define SERVERS_JOBS_MAX 256

/* Appends a server, taking *uri (set to NULL). 0, or -1 when out of memory. */
int servers_add(cmdline *cl, char **uri, li_error *err);
void servers_free(cmdline *cl);
/* After every option: -H and the options that describe one server
 * refused, each --each checked, --each-file read (one URI a line; blank
 * lines and lines starting with '#' skipped; "-": standard input), --jobs
 * defaulted. 0, or -1 with err naming the option (and FILE:LINE). */
int servers_finish(cmdline *cl, li_error *err);

#endif
