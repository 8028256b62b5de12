/* libFuzzer target: any bytes, as one message and as a stream, through the
 * framer, both decoders and both trace renderers. Nothing may crash, leak
 * or read outside the input (plus the one byte liblber peeks at). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static li_decoder *dec;
static BerElement *scratch;
static li_buf *out;

static void render(const unsigned char *p, size_t n, li_tap_kind kind)
{
	li_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.dir = LI_DIR_RECV;
	ev.bytes = p;
	ev.len = n;
	ev.why = kind == LI_TAP_MESSAGE ? NULL : "fuzz";
	ev.pdu.msgid = -1;
	if (kind == LI_TAP_MESSAGE) {
		ev.decoded = li_pdu_decode(scratch, p, n, &ev.pdu) == 0;
		li_decode(dec, p, n, &ev.full);
		ev.has_full = 1;
	}
	li_buf_reset(out);
	li_trace_text(NULL, &ev, LI_RENDER_VALUES | LI_RENDER_HEX, out);
	li_trace_json(NULL, &ev, LI_RENDER_VALUES | LI_RENDER_HEX, out);
	li_buf_reset(out);
	li_trace_text(NULL, &ev, 0, out);
}

static void on_frame(void *arg, const unsigned char *p, size_t n, const char *why)
{
	(void)arg;
	render(p, n, why ? LI_TAP_MALFORMED : LI_TAP_MESSAGE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *copy;
	li_framer f;
	size_t i, step;

	if (dec == NULL) {
		dec = li_decoder_new();
		scratch = ber_alloc_t(0);
		out = li_buf_new();
	}
	/* One message, exactly as the framer would hand it over. */
	copy = malloc(size + 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = 0;
	render(copy, size, LI_TAP_MESSAGE);
	free(copy);
	/* A stream, in chunks whose size comes from the first byte. */
	step = size ? (size_t)(data[0] % 17) + 1 : 1;
	li_framer_init(&f, 1u << 20);
	for (i = 0; i < size; i += step)
		li_framer_feed(&f, data + i, size - i < step ? size - i : step, on_frame, NULL);
	li_framer_eof(&f, on_frame, NULL);
	li_framer_free(&f);
	return 0;
}
