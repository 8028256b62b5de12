/* SPDX-License-Identifier: BSD-2-Clause */
/* ldaptrace: print every LDAP message of one operation as it crosses the
 * wire, optionally abandoning or cancelling it, then the outcome. */
#include <stdio.h>

#include "common/tool.h"

static void on_event(void *arg, const li_event *ev)
{
	tool_ctx *ctx = arg;
	unsigned flags = 0;

	if (ctx->cl->quiet)
		return;
	if (ev == NULL) {
		/* The run is going to wait: show what has been queued. */
		tool_write_some(ctx);
		return;
	}
	if (ctx->cl->verbose)
		flags |= LI_RENDER_VALUES;
	if (ctx->cl->hex)
		flags |= LI_RENDER_HEX;
	li_buf_reset(ctx->buf);
	if (ctx->cl->json)
		li_trace_json(ev, flags, ctx->buf);
	else
		li_trace_text(ev, flags, ctx->buf);
	tool_write_report(ctx, ctx->buf);
}

int main(int argc, char **argv)
{
	static const tool_spec spec = {
		.interrupt = LI_INTERRUPT_NONE,
		.trace = 1,
		.name = "ldaptrace",
		.observer = on_event,
	};

	return tool_main(&spec, argc, argv);
}
