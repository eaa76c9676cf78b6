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
 *
 * Also the plaintext_session probe's dialogue (binary.h): a StartupMessage
 * without SSLRequest and the first message of the answer, to see whether
 * the server takes sessions without TLS ("Message Flow: Start-up").
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

/* --- without TLS ------------------------------------------------------------ */

#define PG_PROTOCOL_3_0 196608u /* major 3, minor 0 */

/* Marks out malformed (its why already written). */
static enum starttls_pg_answer pg_plain_bad(struct starttls_pg_reply *out)
{
    out->answer = STARTTLS_PG_BAD;
    return out->answer;
}

/* Reads a complete protocol 3 ErrorResponse body into out. */
static void pg_plain_error(const uint8_t *body, size_t len, struct starttls_pg_reply *out)
{
    const uint8_t *f = NULL;
    size_t fl = 0;
    out->answer = STARTTLS_PG_ERROR;
    if (pg_field(body, len, 'C', &f, &fl)) {
        starttls_bin_text(out->sqlstate, sizeof(out->sqlstate), f, fl);
    }
    if (pg_field(body, len, 'V', &f, &fl) || pg_field(body, len, 'S', &f, &fl)) {
        starttls_bin_text(out->severity, sizeof(out->severity), f, fl);
    }
    if (pg_field(body, len, 'M', &f, &fl)) {
        starttls_bin_text(out->message, sizeof(out->message), f, fl);
    } else {
        snprintf(out->why, sizeof(out->why), "an ErrorResponse without a message");
        (void)pg_plain_bad(out);
    }
}

enum starttls_pg_answer starttls_pg_plain_parse(const uint8_t *in, size_t len,
                                                struct starttls_pg_reply *out)
{
    memset(out, 0, sizeof(*out));
    struct rbuf r;
    uint8_t type;
    uint32_t mlen;
    rbuf_init(&r, in, len);
    if (!rbuf_get_u8(&r, &type)) {
        return STARTTLS_PG_MORE;
    }
    if (type == 'E' && len >= 2 && in[1] != 0) {
        /* protocol 2: 'E' and one NUL-terminated text */
        const uint8_t *nul = memchr(in + 1, 0, len - 1);
        size_t tl = nul != NULL ? (size_t)(nul - (in + 1)) : len - 1;
        if (nul == NULL && tl > STARTTLS_PG_MAX_MSG) {
            snprintf(out->why, sizeof(out->why), "an error text longer than %d bytes",
                     STARTTLS_PG_MAX_MSG);
            return pg_plain_bad(out);
        }
        if (nul == NULL) {
            return STARTTLS_PG_MORE;
        }
        out->answer = STARTTLS_PG_ERROR;
        starttls_bin_text(out->message, sizeof(out->message), in + 1, tl);
        return out->answer;
    }
    if (type != 'R' && type != 'E') {
        snprintf(out->why, sizeof(out->why), "an unexpected first message (type byte 0x%02x)",
                 type);
        return pg_plain_bad(out);
    }
    if (!rbuf_get_u32(&r, &mlen)) {
        return STARTTLS_PG_MORE;
    }
    if (mlen < 4 + (type == 'R' ? 4u : 1u) || mlen - 4 > STARTTLS_PG_MAX_MSG) {
        snprintf(out->why, sizeof(out->why), "a first message ('%c') of length %lu", type,
                 (unsigned long)mlen);
        return pg_plain_bad(out);
    }
    struct rbuf body;
    if (!rbuf_get_bytes(&r, &body, mlen - 4)) {
        return STARTTLS_PG_MORE;
    }
    if (type == 'E') {
        pg_plain_error(body.data, body.len, out);
        return out->answer;
    }
    if (!rbuf_get_u32(&body, &out->auth_code)) {
        snprintf(out->why, sizeof(out->why), "a short AuthenticationRequest");
        return pg_plain_bad(out);
    }
    out->answer = STARTTLS_PG_AUTH;
    return out->answer;
}

const char *starttls_pg_auth_name(uint32_t code)
{
    switch (code) {
    case STARTTLS_PG_AUTH_OK:
        return "no password at all (AuthenticationOk: trust)";
    case 2:
        return "Kerberos V5";
    case STARTTLS_PG_AUTH_CLEARTEXT:
        return "a cleartext password";
    case 5:
        return "an MD5 password hash";
    case 7:
        return "GSSAPI";
    case 9:
        return "SSPI";
    case 10:
        return "SASL (SCRAM)";
    default:
        return "an unknown method";
    }
}

static enum net_dialogue_step pg_plain_start(void *ctx, const void *arg, struct wbuf *out,
                                             char *why, size_t why_len)
{
    (void)ctx;
    (void)arg;
    (void)why;
    (void)why_len;
    static const char params[] =
        "user\0" STARTTLS_PG_USER "\0database\0" STARTTLS_PG_USER "\0application_name\0tlsaudit\0";
    /* Int32 length (itself included), Int32 protocol, the pairs, a final NUL */
    (void)wbuf_put_u32(out, (uint32_t)(4 + 4 + sizeof(params)));
    (void)wbuf_put_u32(out, PG_PROTOCOL_3_0);
    (void)wbuf_put_bytes(out, (const uint8_t *)params, sizeof(params)); /* with its NUL */
    return NET_DIALOGUE_MORE;
}

static enum net_dialogue_step pg_plain_bytes(void *ctx, const void *arg, const uint8_t *in,
                                             size_t len, struct wbuf *out, char *why,
                                             size_t why_len)
{
    (void)arg;
    (void)out;
    struct starttls_pg_plain *c = ctx;
    size_t room = sizeof(c->buf) - c->n;
    size_t n = len < room ? len : room;
    memcpy(c->buf + c->n, in, n);
    c->n += n;
    switch (starttls_pg_plain_parse(c->buf, c->n, &c->reply)) {
    case STARTTLS_PG_MORE:
        if (c->n == sizeof(c->buf)) {
            snprintf(why, why_len, "no whole first message in %zu bytes", c->n);
            return NET_DIALOGUE_FAILED;
        }
        return NET_DIALOGUE_MORE;
    case STARTTLS_PG_AUTH:
    case STARTTLS_PG_ERROR:
        return NET_DIALOGUE_READY;
    case STARTTLS_PG_BAD:
        break;
    }
    snprintf(why, why_len, "%s", c->reply.why);
    return NET_DIALOGUE_FAILED;
}

const struct net_dialogue_ops starttls_pg_plain_ops = {
    .name = "postgres",
    .ctx_size = sizeof(struct starttls_pg_plain),
    .start = pg_plain_start,
    .on_bytes = pg_plain_bytes,
};
