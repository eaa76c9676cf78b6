/*
 * tests/fuzz/fuzz_starttls.c - fuzz target for the pre-TLS dialogues
 * (scanner/starttls/: the line engine and every protocol of the table,
 * text and binary alike).
 *
 * Input: a protocol name and a newline (a name the table does not know
 * picks a dialogue by the name's bytes), one byte that seeds the chunk
 * sizes, then the server's bytes. Each dialogue runs once over the bytes
 * whole and once in the seeded chunks. Invariants: every step is MORE,
 * READY or FAILED; FAILED gives a non-empty printable reason; what the
 * dialogue sends stays under NET_MAX_OUT and is the same in both runs, as
 * are the step and the reason (unless the whole run failed on bytes after
 * the go-ahead, which a split run cannot see); a state that starts with a
 * struct starttls_seen keeps its strings NUL-terminated and printable. Any
 * broken invariant aborts.
 */
#include <stdlib.h>
#include <string.h>

#include "scanner/starttls/starttls.h"
#include "tests/fuzz/fuzz.h"

struct run {
    enum net_dialogue_step step;
    char why[256];
    uint8_t sent[4096];
    size_t n_sent;
    struct starttls_seen seen;
};

static void check_text(const char *s, size_t cap, bool may_be_empty)
{
    size_t n = strnlen(s, cap);
    if (n == cap || (!may_be_empty && n == 0)) {
        abort();
    }
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f) {
            abort();
        }
    }
}

/* Appends w's bytes to r->sent (the first 4096 kept) and empties w. */
static void take(struct run *r, struct wbuf *w)
{
    if (!wbuf_ok(w) || wbuf_len(w) > NET_MAX_OUT) {
        abort();
    }
    size_t n = wbuf_len(w);
    size_t room = sizeof(r->sent) - r->n_sent;
    if (n > 0 && room > 0) {
        memcpy(r->sent + r->n_sent, wbuf_data(w), n < room ? n : room);
    }
    r->n_sent += n < room ? n : room;
    wbuf_cleanup(w);
    wbuf_init(w, NET_MAX_OUT);
}

static void run(const struct starttls_proto *p, const void *arg, const uint8_t *in, size_t len,
                uint8_t seed, struct run *r)
{
    memset(r, 0, sizeof(*r));
    void *ctx = calloc(1, p->ops->ctx_size ? p->ops->ctx_size : 1);
    if (ctx == NULL) {
        abort();
    }
    struct wbuf w;
    wbuf_init(&w, NET_MAX_OUT);
    r->step = p->ops->start(ctx, arg, &w, r->why, sizeof(r->why));
    take(r, &w);
    unsigned x = seed;
    for (size_t pos = 0; r->step == NET_DIALOGUE_MORE && pos < len;) {
        size_t n = len - pos;
        if (seed != 0) {
            x = x * 1103515245u + 12345u;
            size_t c = 1 + (x >> 16) % 17;
            n = c < n ? c : n;
        }
        r->step = p->ops->on_bytes(ctx, arg, in + pos, n, &w, r->why, sizeof(r->why));
        take(r, &w);
        pos += n;
    }
    if (r->step != NET_DIALOGUE_MORE && r->step != NET_DIALOGUE_READY &&
        r->step != NET_DIALOGUE_FAILED) {
        abort();
    }
    if (r->step == NET_DIALOGUE_FAILED) {
        check_text(r->why, sizeof(r->why), false);
    }
    if (p->seen) {
        memcpy(&r->seen, ctx, sizeof(r->seen));
        check_text(r->seen.caps, sizeof(r->seen.caps), true);
        check_text(r->seen.banner, sizeof(r->seen.banner), true);
    }
    wbuf_cleanup(&w);
    free(ctx);
}

/* The dialogue named by name[0..n), else one chosen by its bytes. */
static const struct starttls_proto *pick(const uint8_t *name, size_t n)
{
    size_t n_dialogues = 0;
    unsigned h = 0;
    for (size_t i = 0; i < starttls_count(); i++) {
        const struct starttls_proto *p = starttls_at(i);
        if (starttls_is_dialogue(p)) {
            n_dialogues++;
            if (strlen(p->name) == n && memcmp(p->name, name, n) == 0) {
                return p;
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        h = h * 31u + name[i];
    }
    size_t k = n_dialogues ? h % n_dialogues : 0;
    for (size_t i = 0; i < starttls_count(); i++) {
        const struct starttls_proto *p = starttls_at(i);
        if (starttls_is_dialogue(p) && k-- == 0) {
            return p;
        }
    }
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size < 32 ? size : 32);
    if (nl == NULL || (size_t)(nl - data) + 2 > size) {
        return 0;
    }
    const struct starttls_proto *p = pick(data, (size_t)(nl - data));
    if (p == NULL) {
        return 0;
    }
    uint8_t seed = nl[1];
    const uint8_t *in = nl + 2;
    size_t len = size - (size_t)(in - data);
    struct starttls_params params = {.host = "fuzz.example", .sni = "fuzz.example"};
    void *arg = NULL;
    char why[128];
    if (p->arg_new != NULL && p->arg_new(&params, &arg, why, sizeof(why)) != 0) {
        abort(); /* the default parameters always make an argument */
    }
    static struct run whole, split;
    run(p, arg, in, len, 0, &whole);
    run(p, arg, in, len, seed | 1u, &split);
    bool tail = whole.step == NET_DIALOGUE_FAILED && strstr(whole.why, "go-ahead") != NULL;
    if (!tail &&
        (whole.step != split.step || strcmp(whole.why, split.why) != 0 ||
         whole.n_sent != split.n_sent || memcmp(whole.sent, split.sent, whole.n_sent) != 0)) {
        abort();
    }
    free(arg);
    return 0;
}
