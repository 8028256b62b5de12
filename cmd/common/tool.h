/* What the three tools share: parse the command line, run, print, exit. */
#ifndef LI_TOOL_H
#define LI_TOOL_H

#include <popt.h>

#include <ldapinterrupt.h>

typedef struct tool_spec {
	li_tool tool;
	const char *name;
	li_event_fn observer;           /* ldaptrace prints every message */
} tool_spec;

/* The observer's context: where and how it prints. */
typedef struct tool_ctx {
	const tool_spec *spec;
	li_config *cfg;
	li_run *run;
	li_buf *buf;
} tool_ctx;

int tool_main(const tool_spec *spec, int argc, char **argv);
/* The tool's popt table, its groups under their --help headings; generated
 * from cmd/common/options.txt by cmd/common/optgen.py. NULL for an unknown name. */
const struct poptOption *tool_options(const char *tool);
/* Writes the buffer to stdout; on a closed pipe, tells the run to stop. */
void tool_write(tool_ctx *ctx, const li_buf *buf);

#endif
