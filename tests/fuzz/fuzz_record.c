/*
 * tests/fuzz/fuzz_record.c - fuzz target for the record reassembler
 * (hello_reader in scanner/hello.c).
 *
 * Input: byte 0 chooses the byte cap and the read sizes, the rest is what a
 * server sends. The stream is read twice, in one piece and in reads of
 * pseudo-random sizes; both must give the same events (kinds, types, bodies,
 * offsets) and the same error, since a socket may split bytes anywhere. Every
 * event body is read in full so ASan sees a view that points outside its
 * buffer. Any mismatch or broken invariant aborts.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/hello.h"
#include "tests/fuzz/fuzz.h"

struct rec_trace {
    uint64_t hash;
    size_t n_events;
    size_t n_raw;
    bool failed;
    size_t err_offset;
};

static void rec_mix(uint64_t *h, uint64_t v)
{
    *h = (*h ^ v) * 0x100000001b3ull;
}

static uint32_t rec_rand(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void rec_run(const uint8_t *data, size_t size, size_t cap, uint32_t seed, size_t max_read,
                    struct rec_trace *t)
{
    struct hello_reader r;
    hello_reader_init(&r, cap);
    memset(t, 0, sizeof(*t));
    t->hash = 0xcbf29ce484222325ull;
    size_t pos = 0;
    while (pos < size && !t->failed) {
        size_t n = max_read == 0 ? size - pos : 1 + rec_rand(&seed) % max_read;
        if (n > size - pos) {
            n = size - pos;
        }
        const uint8_t *in = data + pos;
        size_t in_len = n;
        for (;;) {
            struct hello_rec_event ev;
            enum hello_rec_kind k = hello_reader_next(&r, &in, &in_len, &ev);
            if (k == HELLO_REC_NEED_MORE) {
                if (in_len != 0) {
                    abort(); /* NEED_MORE must mean all input was taken */
                }
                break;
            }
            t->n_events++;
            rec_mix(&t->hash, (uint64_t)k);
            rec_mix(&t->hash, ev.type);
            rec_mix(&t->hash, ev.raw_offset);
            if (k == HELLO_REC_ERROR) {
                t->failed = true;
                t->err_offset = ev.err.offset;
                if (ev.err.reason == NULL || ev.err.offset > r.n_raw) {
                    abort();
                }
                break;
            }
            if (k == HELLO_REC_ALERT) {
                rec_mix(&t->hash, ev.alert.level);
                rec_mix(&t->hash, ev.alert.description);
            }
            if (k == HELLO_REC_HANDSHAKE || k == HELLO_REC_SSL2) {
                if (ev.body.len > r.max_bytes) {
                    abort();
                }
                rec_mix(&t->hash, ev.body.len);
                rec_mix(&t->hash, ev.msg_offset);
                for (size_t i = 0; i < ev.body.len; i++) {
                    rec_mix(&t->hash, ev.body.data[i]);
                }
            }
        }
        pos += n - in_len;
    }
    t->n_raw = r.n_raw;
    if (r.n_raw > r.max_bytes || r.hs_len > r.n_raw || r.hs_pos > r.hs_len ||
        r.n_map > HELLO_MAX_RECORDS) {
        abort();
    }
    hello_reader_cleanup(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    uint8_t mode = data[0];
    data++;
    size--;
    /* small caps reach the cap paths; 0 is the default cap */
    static const size_t caps[4] = {0, 64, 1000, 20000};
    size_t cap = caps[mode & 3];
    struct rec_trace whole;
    struct rec_trace split;
    rec_run(data, size, cap, 0, 0, &whole);
    rec_run(data, size, cap, 0x9e3779b9u ^ mode, 1 + (mode >> 2), &split);
    if (whole.hash != split.hash || whole.n_events != split.n_events ||
        whole.n_raw != split.n_raw || whole.failed != split.failed ||
        whole.err_offset != split.err_offset) {
        abort();
    }
    return 0;
}
