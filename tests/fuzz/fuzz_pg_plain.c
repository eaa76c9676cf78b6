/*
 * tests/fuzz/fuzz_pg_plain.c - fuzz target for the plaintext_session
 * probe's reader (scanner/starttls/postgres.c: starttls_pg_plain_parse and
 * its dialogue starttls_pg_plain_ops): what a PostgreSQL server, or
 * anything on its port, answers a StartupMessage sent without SSLRequest.
 *
 * Input: the server's bytes (at most 8 KiB are looked at). Invariants: the
 * answer is MORE for every prefix shorter than the first one that decides,
 * and every longer prefix decides exactly the same (the dialogue reads a
 * growing buffer); its strings are NUL-terminated printable ASCII; the
 * dialogue fed one byte at a time and all at once stops on the same step
 * with the same reply. Any broken invariant aborts.
 */
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "scanner/starttls/binary.h"
#include "tests/fuzz/fuzz.h"

#define FZ_MAX_IN 8192

static void fz_printable(const char *s, size_t size)
{
    const char *end = memchr(s, '\0', size);
    if (end == NULL) {
        abort();
    }
    for (const char *p = s; p < end; p++) {
        if (*p < 0x20 || *p > 0x7e) {
            abort();
        }
    }
}

static void fz_check(const struct starttls_pg_reply *r)
{
    fz_printable(r->sqlstate, sizeof(r->sqlstate));
    fz_printable(r->severity, sizeof(r->severity));
    fz_printable(r->message, sizeof(r->message));
    fz_printable(r->why, sizeof(r->why));
    if (r->answer == STARTTLS_PG_BAD && r->why[0] == '\0') {
        abort();
    }
}

/* Runs the dialogue over in[0..n), bytewise (1) or at once (0). */
static enum net_dialogue_step fz_dialogue(const uint8_t *in, size_t n, int bytewise,
                                          struct starttls_pg_reply *out)
{
    struct starttls_pg_plain *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        abort();
    }
    char why[128] = "";
    struct wbuf w;
    wbuf_init(&w, NET_MAX_OUT);
    enum net_dialogue_step st = starttls_pg_plain_ops.start(c, NULL, &w, why, sizeof(why));
    if (!wbuf_ok(&w) || wbuf_len(&w) == 0) {
        abort();
    }
    wbuf_cleanup(&w);
    for (size_t at = 0; st == NET_DIALOGUE_MORE && at < n;) {
        size_t piece = bytewise ? 1 : n - at;
        wbuf_init(&w, NET_MAX_OUT);
        st = starttls_pg_plain_ops.on_bytes(c, NULL, in + at, piece, &w, why, sizeof(why));
        if (wbuf_len(&w) != 0) {
            abort(); /* nothing is sent after the StartupMessage */
        }
        wbuf_cleanup(&w);
        at += piece;
    }
    fz_printable(why, sizeof(why));
    *out = c->reply;
    free(c);
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n = size < FZ_MAX_IN ? size : FZ_MAX_IN;
    struct starttls_pg_reply *first = calloc(1, sizeof(*first));
    struct starttls_pg_reply *r = calloc(1, sizeof(*r));
    if (first == NULL || r == NULL) {
        abort();
    }
    size_t decided = 0;
    for (size_t k = 0; k <= n; k++) {
        enum starttls_pg_answer a = starttls_pg_plain_parse(data, k, r);
        fz_check(r);
        if (decided == 0 && a != STARTTLS_PG_MORE) {
            decided = k;
            *first = *r;
        } else if (decided != 0 && memcmp(first, r, sizeof(*r)) != 0) {
            abort(); /* a longer prefix changed a decided answer */
        }
    }
    struct starttls_pg_reply one, all;
    enum net_dialogue_step s1 = fz_dialogue(data, n, 1, &one);
    enum net_dialogue_step s2 = fz_dialogue(data, n, 0, &all);
    if (s1 != s2 || memcmp(&one, &all, sizeof(one)) != 0) {
        abort();
    }
    free(first);
    free(r);
    return 0;
}
