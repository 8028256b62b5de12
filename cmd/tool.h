/* What the three tools share: parse the command line, run, print, exit. */
#ifndef LI_TOOL_H
#define LI_TOOL_H

#include <ldapinterrupt.h>

typedef struct tool_spec {
	li_tool tool;
	const char *name;
	const struct poptOption *extra; /* the tool's own options, or NULL */
	const char *extra_heading;
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
/* Writes the buffer to stdout; on a closed pipe, tells the run to stop. */
void tool_write(tool_ctx *ctx, const li_buf *buf);

#endif
