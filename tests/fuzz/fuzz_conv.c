/*
 * tests/fuzz/fuzz_conv.c - fuzz target for the reader of what a server
 * sends after its first flight (scanner/probes/conv_read.c: alerts,
 * heartbeat responses, other records), the conversation probes' parser.
 *
 * Input: byte 0 chooses the read sizes, the rest is what a server sends.
 * The stream is read in one piece and in reads of pseudo-random sizes;
 * both must give the same events (kinds, types, lengths, offsets, alert,
 * heartbeat fields and kept bytes). Invariants: at most CONV_HEAD_MAX bytes
 * kept, at most CONV_MAX_RAW read, a heartbeat's kept payload never longer
 * than its payload_length, NEED_MORE only with every byte taken. Any
 * mismatch or broken invariant aborts.
 */
#include <stdlib.h>
#include <string.h>

#include "scanner/probes/conv.h"
#include "tests/fuzz/fuzz.h"

struct conv_trace {
    uint64_t hash;
    size_t n_events;
    size_t n_raw;
};

static void mix(uint64_t *h, uint64_t v)
{
    *h = (*h ^ v) * 0x100000001b3ull;
}

static uint32_t next_rand(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void check_event(const struct conv_event *ev, struct conv_trace *t)
{
    mix(&t->hash, (uint64_t)ev->kind);
    mix(&t->hash, ev->type);
    mix(&t->hash, ev->record_len);
    mix(&t->hash, ev->raw_offset);
    if (ev->kind == CONV_ALERT) {
        mix(&t->hash, ev->alert.level);
        mix(&t->hash, ev->alert.description);
    }
    if (ev->kind == CONV_HEARTBEAT) {
        const struct conv_heartbeat *hb = &ev->hb;
        if (hb->head_len > sizeof(hb->head) || hb->head_len > hb->payload_length ||
            hb->record_len != ev->record_len ||
            hb->fits != ((size_t)3 + hb->payload_length + CONV_HB_MIN_PADDING <= hb->record_len)) {
            abort();
        }
        mix(&t->hash, hb->type);
        mix(&t->hash, hb->payload_length);
        for (size_t i = 0; i < hb->head_len; i++) {
            mix(&t->hash, hb->head[i]);
        }
    }
    if (ev->kind == CONV_ERROR && ev->why == NULL) {
        abort();
    }
}

static void run(const uint8_t *data, size_t size, uint32_t seed, size_t max_read,
                struct conv_trace *t)
{
    struct conv_reader r;
    conv_reader_init(&r);
    memset(t, 0, sizeof(*t));
    t->hash = 0xcbf29ce484222325ull;
    size_t pos = 0;
    bool failed = false;
    while (pos < size && !failed) {
        size_t n = max_read == 0 ? size - pos : 1 + next_rand(&seed) % max_read;
        n = n > size - pos ? size - pos : n;
        const uint8_t *in = data + pos;
        size_t left = n;
        struct conv_event ev;
        enum conv_kind k;
        while ((k = conv_reader_next(&r, &in, &left, &ev)) != CONV_NEED_MORE) {
            t->n_events++;
            check_event(&ev, t);
            if (k == CONV_ERROR) {
                failed = true;
                break;
            }
        }
        if (!failed && left != 0) {
            abort();
        }
        if (r.head_len > CONV_HEAD_MAX || r.n_raw > CONV_MAX_RAW) {
            abort();
        }
        pos += n - left;
    }
    t->n_raw = r.n_raw;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    uint8_t mode = data[0];
    struct conv_trace whole;
    struct conv_trace split;
    run(data + 1, size - 1, 0, 0, &whole);
    run(data + 1, size - 1, 0x9e3779b9u ^ mode, 1 + mode, &split);
    if (whole.hash != split.hash || whole.n_events != split.n_events ||
        whole.n_raw != split.n_raw) {
        abort();
    }
    return 0;
}
