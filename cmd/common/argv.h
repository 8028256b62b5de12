/* SPDX-License-Identifier: BSD-2-Clause */
/* What the tools do to argv around popt. */
#ifndef LI_CMD_ARGV_H
#define LI_CMD_ARGV_H

#include <popt.h>

/* Refuses, before popt reads argv, what popt would mangle: an option value
 * holding "!#:+" (popt replaces it with a later argument, and loops forever
 * when there is none). 0, or -1 after one line on stderr. */
int argv_check(const struct poptOption *table, int argc, char **argv, const char *prog);
/* Overwrites every -w value in argv with stars, so that ps and
 * /proc/PID/cmdline do not show it; call once popt has read argv. */
void argv_hide_passwords(const struct poptOption *table, int argc, char **argv);

#endif
