/* ldaptrace: print every LDAP message of one operation as it crosses the
 * wire, optionally abandoning or cancelling it, then the outcome. */
#include <stdio.h>

#include "common/tool.h"

static void on_event(void *arg, const li_event *ev)
{
	tool_ctx *ctx = arg;
	unsigned flags = 0;

	if (li_config_quiet(ctx->cfg))
		return;
	if (ev == NULL) {
		/* The run is going to wait: show what has been queued. */
		tool_write_some(ctx);
		return;
	}
	if (li_config_verbose(ctx->cfg))
		flags |= LI_RENDER_VALUES;
	if (li_config_hex(ctx->cfg))
		flags |= LI_RENDER_HEX;
	li_buf_reset(ctx->buf);
	if (li_config_json(ctx->cfg))
		li_trace_json(ev, flags, ctx->buf);
	else
		li_trace_text(ev, flags, ctx->buf);
	tool_write(ctx, ctx->buf);
}

int main(int argc, char **argv)
{
	static const tool_spec spec = {
		.tool = LI_TOOL_TRACE,
		.name = "ldaptrace",
		.observer = on_event,
	};

	return tool_main(&spec, argc, argv);
}
