/*
 * scanner/starttls/postgres.c - PostgreSQL's SSLRequest (binary.h).
 *
 * The client sends SSLRequest: Int32 length 8, Int32 80877103 (PostgreSQL
 * "Message Formats"); the server answers one byte: 'S' (go on with TLS) or
 * 'N' (no TLS here). A server that cannot serve the connection at all
 * answers with an error message instead: protocol 3's ErrorResponse ('E',
 * Int32 length, fields of a type byte and a NUL-terminated string, a final
 * NUL) or, from old servers and before the protocol is known, protocol 2's
 * ('E' and one NUL-terminated string). Either is quoted in the reason.
 * Anything after 'S' is rejected: the server must wait for our ClientHello
 * (a server or proxy that does not lets bytes be injected before TLS, the
 * class of CVE-2021-23222).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/bytes.h"
#include "scanner/starttls/binary.h"

#define PG_SSL_REQUEST_CODE 80877103u
/* An error message's cap: its text is a line or two. */
#define PG_MAX_ERROR 2048

enum pg_phase {
    PG_WAIT_ANSWER = 0, /* the one-byte answer */
    PG_ERROR_FIRST,     /* after 'E': 0x00 starts a protocol 3 length */
    PG_ERROR_LENGTH,    /* protocol 3: the rest of the Int32 length */
    PG_ERROR_BODY,      /* protocol 3: the fields */
    PG_ERROR_TEXT,      /* protocol 2: the text up to its NUL */
};

struct pg_ctx {
    enum pg_phase phase;
    uint32_t length; /* protocol 3: the length, itself included */
    size_t n_length; /* bytes of the length read */
    size_t n_body;   /* bytes in body */
    uint8_t body[PG_MAX_ERROR];
};

static enum net_dialogue_step pg_start(void *ctx, const void *arg, struct wbuf *out, char *why,
                                       size_t why_len)
{
    (void)ctx;
    (void)arg;
    (void)why;
    (void)why_len;
    (void)wbuf_put_u32(out, 8);
    (void)wbuf_put_u32(out, PG_SSL_REQUEST_CODE);
    return NET_DIALOGUE_MORE;
}

/* Finds field type t of an ErrorResponse body; false when absent or the
 * body is malformed (a field without its NUL). */
static bool pg_field(const uint8_t *body, size_t len, uint8_t t, const uint8_t **out,
                     size_t *out_len)
{
    size_t i = 0;
    while (i < len && body[i] != 0) {
        uint8_t type = body[i++];
        const uint8_t *nul = memchr(body + i, 0, len - i);
        if (nul == NULL) {
            return false;
        }
        if (type == t) {
            *out = body + i;
            *out_len = (size_t)(nul - (body + i));
            return true;
        }
        i = (size_t)(nul - body) + 1;
    }
    return false;
}

/* The reason for a complete protocol 3 ErrorResponse. */
static void pg_error_v3(const struct pg_ctx *c, char *why, size_t why_len)
{
    const uint8_t *sev = NULL, *code = NULL, *msg = NULL;
    size_t sev_len = 0, code_len = 0, msg_len = 0;
    if (!pg_field(c->body, c->n_body, 'M', &msg, &msg_len)) {
        snprintf(why, why_len, "server answered SSLRequest with a malformed error message");
        return;
    }
    if (!pg_field(c->body, c->n_body, 'V', &sev, &sev_len)) {
        (void)pg_field(c->body, c->n_body, 'S', &sev, &sev_len);
    }
    (void)pg_field(c->body, c->n_body, 'C', &code, &code_len);
    char s[16] = "", k[8] = "", m[96];
    starttls_bin_text(s, sizeof(s), sev, sev_len);
    starttls_bin_text(k, sizeof(k), code, code_len);
    starttls_bin_text(m, sizeof(m), msg, msg_len);
    snprintf(why, why_len, "server answered SSLRequest with an error: %s%s%s%s%s", s,
             s[0] != '\0' ? " " : "", k, k[0] != '\0' ? ": " : "", m);
}

/* Takes one byte b of the answer; last: b is the last byte received so far. */
static enum net_dialogue_step pg_byte(struct pg_ctx *c, uint8_t b, bool last, char *why,
                                      size_t why_len)
{
    switch (c->phase) {
    case PG_WAIT_ANSWER:
        if (b == 'S') {
            if (!last) {
                snprintf(why, why_len, "bytes after the server's go-ahead ('S'), before TLS");
                return NET_DIALOGUE_FAILED;
            }
            return NET_DIALOGUE_READY;
        }
        if (b == 'N') {
            snprintf(why, why_len, "server does not accept SSL (SSLRequest answered N)");
            return NET_DIALOGUE_FAILED;
        }
        if (b != 'E') {
            snprintf(why, why_len, "unexpected answer 0x%02x to SSLRequest", b);
            return NET_DIALOGUE_FAILED;
        }
        c->phase = PG_ERROR_FIRST;
        return NET_DIALOGUE_MORE;
    case PG_ERROR_FIRST:
        if (b == 0) {
            c->n_length = 1;
            c->phase = PG_ERROR_LENGTH;
            return NET_DIALOGUE_MORE;
        }
        c->phase = PG_ERROR_TEXT; /* b is the text's first byte */
        return pg_byte(c, b, last, why, why_len);
    case PG_ERROR_TEXT:
        if (b == 0) {
            char m[112];
            starttls_bin_text(m, sizeof(m), c->body, c->n_body);
            snprintf(why, why_len, "server answered SSLRequest with an error: %s", m);
            return NET_DIALOGUE_FAILED;
        }
        if (c->n_body == sizeof(c->body)) {
            snprintf(why, why_len, "error message longer than %d bytes", PG_MAX_ERROR);
            return NET_DIALOGUE_FAILED;
        }
        c->body[c->n_body++] = b;
        return NET_DIALOGUE_MORE;
    case PG_ERROR_LENGTH:
        c->length = c->length << 8 | b;
        if (++c->n_length < 4) {
            return NET_DIALOGUE_MORE;
        }
        if (c->length < 5 || c->length - 4 > PG_MAX_ERROR) {
            snprintf(why, why_len, "error message of %lu bytes (cap %d)", (unsigned long)c->length,
                     PG_MAX_ERROR);
            return NET_DIALOGUE_FAILED;
        }
        c->phase = PG_ERROR_BODY;
        return NET_DIALOGUE_MORE;
    case PG_ERROR_BODY:
        c->body[c->n_body++] = b;
        if (c->n_body < c->length - 4) {
            return NET_DIALOGUE_MORE;
        }
        pg_error_v3(c, why, why_len);
        return NET_DIALOGUE_FAILED;
    }
    snprintf(why, why_len, "internal error: bad state");
    return NET_DIALOGUE_FAILED;
}

static enum net_dialogue_step pg_on_bytes(void *ctx, const void *arg, const uint8_t *in, size_t len,
                                          struct wbuf *out, char *why, size_t why_len)
{
    (void)arg;
    (void)out;
    for (size_t i = 0; i < len; i++) {
        enum net_dialogue_step s = pg_byte(ctx, in[i], i + 1 == len, why, why_len);
        if (s != NET_DIALOGUE_MORE) {
            return s;
        }
    }
    return NET_DIALOGUE_MORE;
}

const struct net_dialogue_ops starttls_postgres_ops = {
    .name = "postgres",
    .ctx_size = sizeof(struct pg_ctx),
    .start = pg_start,
    .on_bytes = pg_on_bytes,
};
