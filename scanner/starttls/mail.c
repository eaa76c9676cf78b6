/*
 * scanner/starttls/mail.c - the mailbox protocols' pre-TLS dialogues (see
 * text.h): IMAP (RFC 9051 §6.2.1, RFC 3501 §6.2.1), POP3 (RFC 2595 §4,
 * RFC 2449 CAPA) and ManageSieve (RFC 5804 §1.7, §2.2). Each records what
 * the server offered before TLS: STARTTLS, and the plaintext logins an
 * auditor looks for (IMAP without LOGINDISABLED or with AUTH=PLAIN/LOGIN,
 * POP3 USER or SASL PLAIN/LOGIN, ManageSieve SASL PLAIN/LOGIN).
 */
#include "scanner/starttls/text.h"

#include <string.h>

#include "common/util.h"

/* Whether a SASL mechanism sends the password in clear (RFC 4616, LOGIN). */
static bool plain_mech(const uint8_t *w, size_t wl)
{
    return line_equals(w, wl, "PLAIN") || line_equals(w, wl, "LOGIN");
}

static enum net_dialogue_step not_offered(char *why, size_t why_len)
{
    util_copy(why, why_len, STARTTLS_NOT_OFFERED);
    return NET_DIALOGUE_FAILED;
}

/* --- IMAP ---------------------------------------------------------------- */

enum { IMAP_GREETING = 0, IMAP_CAPA, IMAP_STARTTLS };

/* Reads the words of a CAPABILITY list from pos on. */
static void imap_caps(struct starttls_text_ctx *c, const uint8_t *line, size_t len, size_t pos)
{
    const uint8_t *w;
    size_t wl;
    bool logindisabled = false;
    while (line_word(line, len, &pos, &w, &wl)) {
        if (wl > 0 && w[wl - 1] == ']') {
            wl--; /* the end of a [CAPABILITY ...] response code */
        }
        if (line_equals(w, wl, "STARTTLS")) {
            c->seen.offered = true;
        } else if (line_equals(w, wl, "LOGINDISABLED")) {
            logindisabled = true;
        } else if (line_starts(w, wl, "AUTH=")) {
            if (plain_mech(w + 5, wl - 5)) {
                c->seen.plain_auth = true;
            }
        } else {
            continue;
        }
        line_caps_add(c->seen.caps, sizeof(c->seen.caps), w, wl);
    }
    c->seen.capabilities_read = true;
    c->seen.auth_known = true;
    /* RFC 9051 §6.2.3: LOGIN works unless LOGINDISABLED is advertised. */
    if (!logindisabled) {
        c->seen.plain_auth = true;
    }
}

static enum net_dialogue_step imap_tagged(struct starttls_text_ctx *c, const uint8_t *line,
                                          size_t len, const char *tag, struct wbuf *out, char *why,
                                          size_t why_len)
{
    size_t tl = strlen(tag);
    if (!line_starts(line, len, tag) || len <= tl || line[tl] != ' ') {
        return NET_DIALOGUE_MORE; /* not our tag: an untagged line */
    }
    const uint8_t *rest = line + tl + 1;
    size_t rl = len - tl - 1;
    if (!line_starts(rest, rl, "OK")) {
        return starttls_text_fail(why, why_len,
                                  c->state == IMAP_CAPA ? "CAPABILITY refused" : "STARTTLS refused",
                                  line, len);
    }
    if (c->state == IMAP_STARTTLS) {
        return NET_DIALOGUE_READY;
    }
    if (!c->seen.offered) {
        return not_offered(why, why_len);
    }
    starttls_text_send(out, "A2 STARTTLS\r\n");
    c->state = IMAP_STARTTLS;
    return NET_DIALOGUE_MORE;
}

static enum net_dialogue_step imap_line(void *ctx, const void *arg, const uint8_t *line, size_t len,
                                        struct wbuf *out, char *why, size_t why_len)
{
    (void)arg;
    struct starttls_text_ctx *c = ctx;
    if (c->state == IMAP_GREETING) {
        if (line_starts(line, len, "* PREAUTH")) {
            return starttls_text_fail(why, why_len, "greeting is PREAUTH (no STARTTLS possible)",
                                      line, len);
        }
        if (!line_starts(line, len, "* OK")) {
            return starttls_text_fail(why, why_len, "greeting refused", line, len);
        }
        c->seen.greeted = true;
        line_printable(c->seen.banner, sizeof(c->seen.banner), line + 4, len - 4);
        starttls_text_send(out, "A1 CAPABILITY\r\n");
        c->state = IMAP_CAPA;
        return NET_DIALOGUE_MORE;
    }
    if (c->state == IMAP_CAPA && line_starts(line, len, "* CAPABILITY ")) {
        imap_caps(c, line, len, 13);
        return NET_DIALOGUE_MORE;
    }
    if (line_starts(line, len, "* BYE")) {
        return starttls_text_fail(why, why_len, "the server said BYE", line, len);
    }
    return imap_tagged(c, line, len, c->state == IMAP_CAPA ? "A1" : "A2", out, why, why_len);
}

static enum net_dialogue_step imap_bytes(void *ctx, const void *arg, const uint8_t *in, size_t len,
                                         struct wbuf *out, char *why, size_t why_len)
{
    return starttls_text_feed(ctx, arg, in, len, out, why, why_len, imap_line);
}

const struct net_dialogue_ops starttls_imap_ops = {
    .name = "imap",
    .ctx_size = sizeof(struct starttls_text_ctx),
    .start = starttls_text_wait,
    .on_bytes = imap_bytes,
};

/* --- POP3 ---------------------------------------------------------------- */

enum { POP3_GREETING = 0, POP3_CAPA_STATUS, POP3_CAPA_LIST, POP3_STLS };

static void pop3_cap(struct starttls_text_ctx *c, const uint8_t *line, size_t len)
{
    size_t pos = 0;
    const uint8_t *w;
    size_t wl;
    if (!line_word(line, len, &pos, &w, &wl)) {
        return;
    }
    if (line_equals(w, wl, "STLS")) {
        c->seen.offered = true;
        line_caps_add(c->seen.caps, sizeof(c->seen.caps), w, wl);
    } else if (line_equals(w, wl, "USER")) {
        c->seen.plain_auth = true; /* RFC 1939 USER/PASS: the password in clear */
        line_caps_add(c->seen.caps, sizeof(c->seen.caps), w, wl);
    } else if (line_equals(w, wl, "SASL")) {
        while (line_word(line, len, &pos, &w, &wl)) {
            if (plain_mech(w, wl)) {
                char cap[16] = "SASL=";
                memcpy(cap + 5, w, wl);
                c->seen.plain_auth = true;
                line_caps_add(c->seen.caps, sizeof(c->seen.caps), (const uint8_t *)cap, wl + 5);
            }
        }
    }
}

static enum net_dialogue_step pop3_stls(struct starttls_text_ctx *c, struct wbuf *out)
{
    starttls_text_send(out, "STLS\r\n");
    c->state = POP3_STLS;
    return NET_DIALOGUE_MORE;
}

static enum net_dialogue_step pop3_line(void *ctx, const void *arg, const uint8_t *line, size_t len,
                                        struct wbuf *out, char *why, size_t why_len)
{
    (void)arg;
    struct starttls_text_ctx *c = ctx;
    bool ok = line_starts(line, len, "+OK");
    switch (c->state) {
    case POP3_GREETING:
        if (!ok) {
            return starttls_text_fail(why, why_len, "greeting refused", line, len);
        }
        c->seen.greeted = true;
        line_printable(c->seen.banner, sizeof(c->seen.banner), line + 3, len - 3);
        starttls_text_send(out, "CAPA\r\n");
        c->state = POP3_CAPA_STATUS;
        return NET_DIALOGUE_MORE;
    case POP3_CAPA_STATUS:
        if (!ok) {
            return pop3_stls(c, out); /* no CAPA (RFC 1939 only): STLS may still work */
        }
        c->state = POP3_CAPA_LIST;
        return NET_DIALOGUE_MORE;
    case POP3_CAPA_LIST:
        if (!line_equals(line, len, ".")) {
            pop3_cap(c, line, len);
            return NET_DIALOGUE_MORE;
        }
        c->seen.capabilities_read = true;
        c->seen.auth_known = true;
        if (!c->seen.offered) {
            return not_offered(why, why_len);
        }
        return pop3_stls(c, out);
    default:
        if (!ok) {
            return starttls_text_fail(why, why_len, "STLS refused", line, len);
        }
        return NET_DIALOGUE_READY;
    }
}

static enum net_dialogue_step pop3_bytes(void *ctx, const void *arg, const uint8_t *in, size_t len,
                                         struct wbuf *out, char *why, size_t why_len)
{
    return starttls_text_feed(ctx, arg, in, len, out, why, why_len, pop3_line);
}

const struct net_dialogue_ops starttls_pop3_ops = {
    .name = "pop3",
    .ctx_size = sizeof(struct starttls_text_ctx),
    .start = starttls_text_wait,
    .on_bytes = pop3_bytes,
};

/* --- ManageSieve ----------------------------------------------------------- */

enum { SIEVE_CAPS = 0, SIEVE_STARTTLS };

/* Reads the quoted string at line[*pos] into (*s, *sl); false if none. */
static bool sieve_string(const uint8_t *line, size_t len, size_t *pos, const uint8_t **s,
                         size_t *sl)
{
    size_t i = *pos;
    while (i < len && line[i] == ' ') {
        i++;
    }
    if (i >= len || line[i] != '"') {
        return false;
    }
    size_t start = ++i;
    while (i < len && line[i] != '"') {
        i++;
    }
    if (i >= len) {
        return false;
    }
    *s = line + start;
    *sl = i - start;
    *pos = i + 1;
    return true;
}

static void sieve_cap(struct starttls_text_ctx *c, const uint8_t *line, size_t len)
{
    size_t pos = 0;
    const uint8_t *k, *v;
    size_t kl, vl;
    if (!sieve_string(line, len, &pos, &k, &kl)) {
        return;
    }
    bool has_v = sieve_string(line, len, &pos, &v, &vl);
    if (line_equals(k, kl, "STARTTLS")) {
        c->seen.offered = true;
        line_caps_add(c->seen.caps, sizeof(c->seen.caps), k, kl);
    } else if (line_equals(k, kl, "IMPLEMENTATION") && has_v) {
        line_printable(c->seen.banner, sizeof(c->seen.banner), v, vl);
    } else if (line_equals(k, kl, "SASL") && has_v) {
        size_t p = 0;
        const uint8_t *w;
        size_t wl;
        while (line_word(v, vl, &p, &w, &wl)) {
            if (plain_mech(w, wl)) {
                char cap[16] = "SASL=";
                memcpy(cap + 5, w, wl);
                c->seen.plain_auth = true;
                line_caps_add(c->seen.caps, sizeof(c->seen.caps), (const uint8_t *)cap, wl + 5);
            }
        }
    }
}

static enum net_dialogue_step sieve_line(void *ctx, const void *arg, const uint8_t *line,
                                         size_t len, struct wbuf *out, char *why, size_t why_len)
{
    (void)arg;
    struct starttls_text_ctx *c = ctx;
    bool ok = line_equals(line, len, "OK") || line_starts(line, len, "OK ");
    bool no = line_starts(line, len, "NO") || line_starts(line, len, "BYE");
    if (c->state == SIEVE_CAPS) {
        if (no) {
            return starttls_text_fail(why, why_len, "greeting refused", line, len);
        }
        if (!ok) {
            sieve_cap(c, line, len);
            return NET_DIALOGUE_MORE;
        }
        c->seen.greeted = true;
        c->seen.capabilities_read = true;
        c->seen.auth_known = true;
        if (!c->seen.offered) {
            return not_offered(why, why_len);
        }
        starttls_text_send(out, "STARTTLS\r\n");
        c->state = SIEVE_STARTTLS;
        return NET_DIALOGUE_MORE;
    }
    if (!ok) {
        return starttls_text_fail(why, why_len, "STARTTLS refused", line, len);
    }
    return NET_DIALOGUE_READY;
}

static enum net_dialogue_step sieve_bytes(void *ctx, const void *arg, const uint8_t *in, size_t len,
                                          struct wbuf *out, char *why, size_t why_len)
{
    return starttls_text_feed(ctx, arg, in, len, out, why, why_len, sieve_line);
}

const struct net_dialogue_ops starttls_sieve_ops = {
    .name = "sieve",
    .ctx_size = sizeof(struct starttls_text_ctx),
    .start = starttls_text_wait,
    .on_bytes = sieve_bytes,
};
