/*
 * tests/fuzz/fuzz_starttls_bin.c - fuzz target for the binary pre-TLS
 * dialogues (scanner/starttls/binary.h: LDAP's BER reader, PostgreSQL's
 * answer and error messages, MySQL's handshake packet, the XMPP
 * tokenizer), stricter than fuzz_starttls.c's over the whole table: the
 * bytewise run is the reference.
 *
 * Input: byte 0 picks the dialogue (mod 5: ldap, postgres, mysql, xmpp
 * client, xmpp server), byte 1 seeds the chunk sizes, the rest is what the
 * server sends. It is fed one byte at a time, at once, and in chunks of 1
 * to 17 bytes. Invariants: the bytewise run decides (step, reason, bytes
 * to send, and the byte p at which it stopped); the other runs give the
 * same, except that a READY at byte p becomes FAILED ("bytes after the server's go-ahead ...")
 * when bytes follow p in the same piece; a reason is NUL-terminated
 * printable ASCII, present on FAILED; no more than NET_MAX_OUT bytes are
 * ever asked to be sent. Any broken invariant aborts.
 */
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "scanner/starttls/binary.h"
#include "tests/fuzz/fuzz.h"

#define FZ_OUT_MAX 4096

struct fz_run {
    enum net_dialogue_step step;
    char why[128];
    uint8_t out[FZ_OUT_MAX];
    size_t out_len;
    size_t stop; /* bytes fed when it stopped (n if never) */
    bool stop_at_piece_end;
};

static void fz_take(struct fz_run *r, struct wbuf *w)
{
    if (!wbuf_ok(w) || wbuf_len(w) > NET_MAX_OUT || r->out_len + wbuf_len(w) > FZ_OUT_MAX) {
        abort();
    }
    if (wbuf_len(w) > 0) {
        memcpy(r->out + r->out_len, wbuf_data(w), wbuf_len(w));
    }
    r->out_len += wbuf_len(w);
    wbuf_cleanup(w);
}

static void fz_check_why(const struct fz_run *r)
{
    const char *end = memchr(r->why, '\0', sizeof(r->why));
    if (end == NULL || (r->step == NET_DIALOGUE_FAILED && end == r->why)) {
        abort();
    }
    for (const char *p = r->why; p < end; p++) {
        if (*p < 0x20 || *p > 0x7e) {
            abort();
        }
    }
}

/* mode 0: bytewise, 1: at once, 2: chunks from seed. */
static void fz_feed(const struct net_dialogue_ops *ops, const void *arg, const uint8_t *in,
                    size_t n, int mode, unsigned seed, struct fz_run *r)
{
    memset(r, 0, sizeof(*r));
    void *ctx = calloc(1, ops->ctx_size);
    if (ctx == NULL) {
        abort();
    }
    struct wbuf w;
    wbuf_init(&w, NET_MAX_OUT);
    r->step = ops->start(ctx, arg, &w, r->why, sizeof(r->why));
    fz_take(r, &w);
    size_t at = 0;
    r->stop = n;
    while (r->step == NET_DIALOGUE_MORE && at < n) {
        size_t piece = mode == 0   ? 1
                       : mode == 1 ? n - at
                                   : 1 + (seed = seed * 1103515245u + 12345u) % 17;
        if (piece > n - at) {
            piece = n - at;
        }
        wbuf_init(&w, NET_MAX_OUT);
        r->step = ops->on_bytes(ctx, arg, in + at, piece, &w, r->why, sizeof(r->why));
        fz_take(r, &w);
        at += piece;
        if (r->step != NET_DIALOGUE_MORE) {
            r->stop = at;
        }
    }
    fz_check_why(r);
    free(ctx);
}

static void fz_same(const struct fz_run *b, const struct fz_run *o)
{
    if (b->step == NET_DIALOGUE_READY && o->stop != b->stop) {
        /* bytes followed the go-ahead in the same piece */
        if (o->step != NET_DIALOGUE_FAILED || strstr(o->why, "go-ahead") == NULL ||
            o->stop <= b->stop) {
            abort();
        }
        return;
    }
    if (o->step != b->step || strcmp(o->why, b->why) != 0 || o->out_len != b->out_len ||
        memcmp(o->out, b->out, b->out_len) != 0) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct starttls_xmpp_arg c2s = {.domain = "localhost", .server = false};
    static const struct starttls_xmpp_arg s2s = {.domain = "example.test", .server = true};
    if (size < 2) {
        return 0;
    }
    const struct net_dialogue_ops *ops = NULL;
    const void *arg = NULL;
    switch (data[0] % 5) {
    case 0:
        ops = &starttls_ldap_ops;
        break;
    case 1:
        ops = &starttls_postgres_ops;
        break;
    case 2:
        ops = &starttls_mysql_ops;
        break;
    case 3:
        ops = &starttls_xmpp_ops;
        arg = &c2s;
        break;
    default:
        ops = &starttls_xmpp_ops;
        arg = &s2s;
        break;
    }
    struct fz_run *b = malloc(sizeof(*b)), *o = malloc(sizeof(*o));
    if (b == NULL || o == NULL) {
        abort();
    }
    fz_feed(ops, arg, data + 2, size - 2, 0, 0, b);
    fz_feed(ops, arg, data + 2, size - 2, 1, 0, o);
    fz_same(b, o);
    fz_feed(ops, arg, data + 2, size - 2, 2, data[1], o);
    fz_same(b, o);
    free(b);
    free(o);
    return 0;
}
