/*
 * scanner/starttls/other.c - the pre-TLS dialogues of FTP (RFC 4217 §4,
 * FEAT from RFC 2389), NNTP (RFC 4642 §2.2, CAPABILITIES from RFC 3977
 * §5.2) and IRC (the IRCv3 STARTTLS extension: numerics 670 / 691). See
 * text.h.
 */
#include "scanner/starttls/text.h"

#include <string.h>

#include "common/util.h"

static enum net_dialogue_step not_offered(char *why, size_t why_len, const char *how)
{
    util_copy(why, why_len, STARTTLS_NOT_OFFERED);
    size_t n = strlen(why);
    util_copy(why + n, why_len - n, how);
    return NET_DIALOGUE_FAILED;
}

/* --- FTP ------------------------------------------------------------------ */

enum { FTP_GREETING = 0, FTP_FEAT, FTP_AUTH };

static enum net_dialogue_step ftp_auth(struct starttls_text_ctx *c, struct wbuf *out)
{
    starttls_text_send(out, "AUTH TLS\r\n");
    c->state = FTP_AUTH;
    return NET_DIALOGUE_MORE;
}

static void ftp_feature(struct starttls_text_ctx *c, const uint8_t *t, size_t tl)
{
    size_t pos = 0;
    const uint8_t *w;
    size_t wl;
    if (!line_word(t, tl, &pos, &w, &wl) || !line_equals(w, wl, "AUTH")) {
        return;
    }
    /* "AUTH TLS", "AUTH SSL", or vsftpd's / ProFTPD's "AUTH TLS;SSL" list */
    while (line_word(t, tl, &pos, &w, &wl)) {
        size_t i = 0;
        while (i < wl) {
            size_t j = i;
            while (j < wl && w[j] != ';') {
                j++;
            }
            if (line_equals(w + i, j - i, "TLS")) {
                c->seen.offered = true;
                line_caps_add(c->seen.caps, sizeof(c->seen.caps), (const uint8_t *)"AUTH=TLS", 8);
            }
            i = j + 1;
        }
    }
}

static enum net_dialogue_step ftp_line(void *ctx, const void *arg, const uint8_t *line, size_t len,
                                       struct wbuf *out, char *why, size_t why_len)
{
    (void)arg;
    struct starttls_text_ctx *c = ctx;
    const uint8_t *t;
    size_t tl;
    enum line_reply_step rs = line_reply_step(&c->rep, line, len, &t, &tl);
    if (rs == LINE_REPLY_BAD) {
        return starttls_text_fail(why, why_len, "not an FTP reply", line, len);
    }
    bool first = c->n_reply_lines++ == 0;
    if (rs == LINE_REPLY_END) {
        c->n_reply_lines = 0;
    }
    if (c->state == FTP_GREETING && first) {
        line_printable(c->seen.banner, sizeof(c->seen.banner), t, tl);
    }
    if (c->state == FTP_FEAT && !first && rs == LINE_REPLY_PART) {
        ftp_feature(c, line, len); /* RFC 2389 §3.2: feature lines start with a space */
    }
    if (rs != LINE_REPLY_END) {
        return NET_DIALOGUE_MORE;
    }
    int code = c->rep.code;
    switch (c->state) {
    case FTP_GREETING:
        if (code == 120) {
            return NET_DIALOGUE_MORE; /* RFC 959: "ready in nnn minutes", 220 follows */
        }
        if (code != 220) {
            c->refused_code = code;
            return starttls_text_fail(why, why_len, "greeting refused", line, len);
        }
        c->seen.greeted = true;
        starttls_text_send(out, "FEAT\r\n");
        c->state = FTP_FEAT;
        return NET_DIALOGUE_MORE;
    case FTP_FEAT:
        /* FEAT is only informative: vsftpd 3.0.3 lists PBSZ and PROT but
         * not AUTH, though RFC 4217 §6 says it SHOULD; AUTH TLS decides. */
        c->seen.capabilities_read = code == 211;
        return ftp_auth(c, out);
    default:
        if (code >= 500 && code <= 599 && code != 534) {
            /* RFC 4217 §4.1: 500, 502, 504 the command or mechanism unknown */
            c->refused_code = code;
            return starttls_text_fail(why, why_len, STARTTLS_NOT_OFFERED " (AUTH TLS refused)",
                                      line, len);
        }
        if (code != 234) {
            c->refused_code = code;
            return starttls_text_fail(why, why_len, "AUTH TLS refused", line, len);
        }
        c->seen.offered = true;
        return NET_DIALOGUE_READY;
    }
}

static enum net_dialogue_step ftp_bytes(void *ctx, const void *arg, const uint8_t *in, size_t len,
                                        struct wbuf *out, char *why, size_t why_len)
{
    return starttls_text_feed(ctx, arg, in, len, out, why, why_len, ftp_line);
}

const struct net_dialogue_ops starttls_ftp_ops = {
    .name = "ftp",
    .ctx_size = sizeof(struct starttls_text_ctx),
    .start = starttls_text_wait,
    .on_bytes = ftp_bytes,
};

/* --- NNTP ----------------------------------------------------------------- */

enum { NNTP_GREETING = 0, NNTP_CAPA_STATUS, NNTP_CAPA_LIST, NNTP_STARTTLS };

/* The code of a one-line NNTP response (RFC 3977 §3.2), or 0. */
static int nntp_code(const uint8_t *line, size_t len)
{
    struct line_reply r = {.in_reply = false};
    const uint8_t *t;
    size_t tl;
    return line_reply_step(&r, line, len, &t, &tl) == LINE_REPLY_END ? r.code : 0;
}

static void nntp_cap(struct starttls_text_ctx *c, const uint8_t *line, size_t len)
{
    size_t pos = 0;
    const uint8_t *w;
    size_t wl;
    if (!line_word(line, len, &pos, &w, &wl)) {
        return;
    }
    if (line_equals(w, wl, "STARTTLS")) {
        c->seen.offered = true;
        line_caps_add(c->seen.caps, sizeof(c->seen.caps), w, wl);
    } else if (line_equals(w, wl, "AUTHINFO")) {
        while (line_word(line, len, &pos, &w, &wl)) {
            if (line_equals(w, wl, "USER")) {
                c->seen.plain_auth = true; /* RFC 4643 §2.3: the password in clear */
                line_caps_add(c->seen.caps, sizeof(c->seen.caps), (const uint8_t *)"AUTHINFO=USER",
                              13);
            }
        }
    }
}

static enum net_dialogue_step nntp_starttls(struct starttls_text_ctx *c, struct wbuf *out)
{
    starttls_text_send(out, "STARTTLS\r\n");
    c->state = NNTP_STARTTLS;
    return NET_DIALOGUE_MORE;
}

static enum net_dialogue_step nntp_line(void *ctx, const void *arg, const uint8_t *line, size_t len,
                                        struct wbuf *out, char *why, size_t why_len)
{
    (void)arg;
    struct starttls_text_ctx *c = ctx;
    if (c->state == NNTP_CAPA_LIST) {
        if (!line_equals(line, len, ".")) {
            nntp_cap(c, line, len);
            return NET_DIALOGUE_MORE;
        }
        c->seen.capabilities_read = true;
        c->seen.auth_known = true;
        if (!c->seen.offered) {
            return not_offered(why, why_len, "");
        }
        return nntp_starttls(c, out);
    }
    int code = nntp_code(line, len);
    switch (c->state) {
    case NNTP_GREETING:
        if (code != 200 && code != 201) {
            c->refused_code = code;
            return starttls_text_fail(why, why_len, "greeting refused", line, len);
        }
        c->seen.greeted = true;
        line_printable(c->seen.banner, sizeof(c->seen.banner), len > 4 ? line + 4 : line,
                       len > 4 ? len - 4 : 0);
        starttls_text_send(out, "CAPABILITIES\r\n");
        c->state = NNTP_CAPA_STATUS;
        return NET_DIALOGUE_MORE;
    case NNTP_CAPA_STATUS:
        if (code != 101) {
            return nntp_starttls(c, out); /* no CAPABILITIES: STARTTLS may still work */
        }
        c->state = NNTP_CAPA_LIST;
        return NET_DIALOGUE_MORE;
    default:
        if (code != 382) {
            c->refused_code = code;
            return starttls_text_fail(why, why_len, "STARTTLS refused", line, len);
        }
        return NET_DIALOGUE_READY;
    }
}

static enum net_dialogue_step nntp_bytes(void *ctx, const void *arg, const uint8_t *in, size_t len,
                                         struct wbuf *out, char *why, size_t why_len)
{
    return starttls_text_feed(ctx, arg, in, len, out, why, why_len, nntp_line);
}

const struct net_dialogue_ops starttls_nntp_ops = {
    .name = "nntp",
    .ctx_size = sizeof(struct starttls_text_ctx),
    .start = starttls_text_wait,
    .on_bytes = nntp_bytes,
};

/* --- IRC ------------------------------------------------------------------ */

static enum net_dialogue_step irc_start(void *ctx, const void *arg, struct wbuf *out, char *why,
                                        size_t why_len)
{
    (void)ctx;
    (void)arg;
    (void)why;
    (void)why_len;
    starttls_text_send(out, "STARTTLS\r\n");
    return NET_DIALOGUE_MORE;
}

/* RFC 2812 §2.3.1: [":" prefix SPACE] command; the command into (w, wl),
 * the rest after it into *pos. */
static bool irc_command(const uint8_t *line, size_t len, size_t *pos, const uint8_t **w, size_t *wl)
{
    *pos = 0;
    if (len > 0 && line[0] == ':') {
        const uint8_t *prefix;
        size_t pl;
        if (!line_word(line, len, pos, &prefix, &pl)) {
            return false;
        }
    }
    return line_word(line, len, pos, w, wl);
}

static enum net_dialogue_step irc_line(void *ctx, const void *arg, const uint8_t *line, size_t len,
                                       struct wbuf *out, char *why, size_t why_len)
{
    (void)arg;
    (void)out;
    struct starttls_text_ctx *c = ctx;
    size_t pos;
    const uint8_t *w;
    size_t wl;
    if (!irc_command(line, len, &pos, &w, &wl)) {
        return NET_DIALOGUE_MORE; /* an empty line */
    }
    c->seen.greeted = true;
    if (line_equals(w, wl, "670")) {
        c->seen.offered = true;
        return NET_DIALOGUE_READY;
    }
    if (line_equals(w, wl, "691")) {
        return starttls_text_fail(why, why_len, "STARTTLS refused", line, len);
    }
    if (line_equals(w, wl, "421")) {
        return not_offered(why, why_len, " (421 unknown command)");
    }
    if (line_equals(w, wl, "ERROR")) {
        return starttls_text_fail(why, why_len, "the server closed the link", line, len);
    }
    if (wl == 3 && w[0] >= '4' && w[0] <= '5') {
        return starttls_text_fail(why, why_len, "STARTTLS refused", line, len);
    }
    if (c->seen.banner[0] == '\0' && line_equals(w, wl, "NOTICE")) {
        line_printable(c->seen.banner, sizeof(c->seen.banner), line, len);
    }
    return NET_DIALOGUE_MORE; /* NOTICE, PING and the like before the answer */
}

static enum net_dialogue_step irc_bytes(void *ctx, const void *arg, const uint8_t *in, size_t len,
                                        struct wbuf *out, char *why, size_t why_len)
{
    return starttls_text_feed(ctx, arg, in, len, out, why, why_len, irc_line);
}

const struct net_dialogue_ops starttls_irc_ops = {
    .name = "irc",
    .ctx_size = sizeof(struct starttls_text_ctx),
    .start = irc_start,
    .on_bytes = irc_bytes,
};
