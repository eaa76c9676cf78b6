/*
 * scanner/starttls/text.c - what the text dialogues share (the argument,
 * failure reasons, sending a command) and the SMTP / LMTP dialogues
 * (RFC 3207, RFC 2033): the 220 greeting, EHLO (LHLO), the capability
 * lines of its 250 reply (STARTTLS, AUTH and its mechanisms), STARTTLS,
 * and the 220 go-ahead. See text.h.
 */
#include "scanner/starttls/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

static bool name_ok(const char *s)
{
    if (s == NULL || s[0] == '\0' || strlen(s) >= 256) {
        return false;
    }
    for (const char *p = s; *p != '\0'; p++) {
        bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (*p >= '0' && *p <= '9') || *p == '-' || *p == '.';
        if (!ok) {
            return false;
        }
    }
    return true;
}

int starttls_text_arg_new(const struct starttls_params *p, void **out, char *why, size_t why_len)
{
    *out = NULL;
    const char *name = p != NULL && p->client_name != NULL ? p->client_name : STARTTLS_CLIENT_NAME;
    if (!name_ok(name)) {
        snprintf(why, why_len, "not a DNS name for EHLO: %s", name);
        return -1;
    }
    struct starttls_text_arg *a = calloc(1, sizeof(*a));
    if (a == NULL) {
        util_copy(why, why_len, "out of memory");
        return -1;
    }
    util_copy(a->client_name, sizeof(a->client_name), name);
    *out = a;
    return 0;
}

enum net_dialogue_step starttls_text_fail(char *why, size_t why_len, const char *what,
                                          const uint8_t *text, size_t text_len)
{
    char t[96];
    line_printable(t, sizeof(t), text, text_len);
    snprintf(why, why_len, "%s%s%s", what, t[0] ? ": " : "", t);
    return NET_DIALOGUE_FAILED;
}

void starttls_text_send(struct wbuf *out, const char *line)
{
    (void)wbuf_put_bytes(out, (const uint8_t *)line, strlen(line)); /* ours; wbuf_ok checked */
}

enum net_dialogue_step starttls_text_feed(void *ctx, const void *arg, const uint8_t *in, size_t len,
                                          struct wbuf *out, char *why, size_t why_len, line_fn fn)
{
    struct starttls_text_ctx *c = ctx;
    return line_feed(&c->le, in, len, fn, ctx, arg, out, why, why_len);
}

/* SMTP and LMTP, RFC 5321 §4.1.1.1 / RFC 3207 §4 / RFC 2033 §4.1. */
enum { SMTP_GREETING = 0, SMTP_EHLO, SMTP_STARTTLS };

/* Reads one EHLO keyword line (after the first, the server's name). */
static void smtp_keyword(struct starttls_text_ctx *c, const uint8_t *t, size_t tl)
{
    size_t pos = 0;
    const uint8_t *w;
    size_t wl;
    if (!line_word(t, tl, &pos, &w, &wl)) {
        return;
    }
    if (line_equals(w, wl, "STARTTLS")) {
        c->seen.offered = true;
        line_caps_add(c->seen.caps, sizeof(c->seen.caps), w, wl);
    } else if (line_equals(w, wl, "AUTH")) {
        /* Any AUTH mechanism before STARTTLS sends credentials in clear. */
        c->seen.plain_auth = true;
        while (line_word(t, tl, &pos, &w, &wl)) {
            char cap[72] = "AUTH=";
            if (wl < sizeof(cap) - 6) {
                memcpy(cap + 5, w, wl);
                line_caps_add(c->seen.caps, sizeof(c->seen.caps), (const uint8_t *)cap, wl + 5);
            }
        }
    }
}

static enum net_dialogue_step smtp_line(void *ctx, const void *arg, const uint8_t *line, size_t len,
                                        struct wbuf *out, char *why, size_t why_len,
                                        const char *hello)
{
    struct starttls_text_ctx *c = ctx;
    const struct starttls_text_arg *a = arg;
    const uint8_t *t;
    size_t tl;
    enum line_reply_step rs = line_reply_step(&c->rep, line, len, &t, &tl);
    if (rs == LINE_REPLY_BAD) {
        return starttls_text_fail(why, why_len, "not an SMTP reply", line, len);
    }
    bool first = c->n_reply_lines++ == 0;
    if (rs == LINE_REPLY_END) {
        c->n_reply_lines = 0;
    }
    switch (c->state) {
    case SMTP_GREETING:
        if (first) {
            line_printable(c->seen.banner, sizeof(c->seen.banner), t, tl);
        }
        if (rs != LINE_REPLY_END) {
            return NET_DIALOGUE_MORE;
        }
        if (c->rep.code != 220) {
            c->refused_code = c->rep.code;
            return starttls_text_fail(why, why_len, "greeting refused", line, len);
        }
        c->seen.greeted = true;
        starttls_text_send(out, hello);
        starttls_text_send(out, " ");
        starttls_text_send(out, a != NULL ? a->client_name : STARTTLS_CLIENT_NAME);
        starttls_text_send(out, "\r\n");
        c->state = SMTP_EHLO;
        return NET_DIALOGUE_MORE;
    case SMTP_EHLO:
        if (c->rep.code == 250 && !first) {
            smtp_keyword(c, t, tl);
        }
        if (rs != LINE_REPLY_END) {
            return NET_DIALOGUE_MORE;
        }
        if (c->rep.code != 250) {
            c->refused_code = c->rep.code;
            return starttls_text_fail(why, why_len,
                                      hello[0] == 'L' ? "LHLO refused" : "EHLO refused", line, len);
        }
        c->seen.capabilities_read = true;
        c->seen.auth_known = true;
        if (!c->seen.offered) {
            util_copy(why, why_len, STARTTLS_NOT_OFFERED);
            return NET_DIALOGUE_FAILED;
        }
        starttls_text_send(out, "STARTTLS\r\n");
        c->state = SMTP_STARTTLS;
        return NET_DIALOGUE_MORE;
    default:
        if (rs != LINE_REPLY_END) {
            return NET_DIALOGUE_MORE;
        }
        if (c->rep.code != 220) {
            c->refused_code = c->rep.code;
            return starttls_text_fail(why, why_len, "STARTTLS refused", line, len);
        }
        return NET_DIALOGUE_READY;
    }
}

static enum net_dialogue_step ehlo_line(void *ctx, const void *arg, const uint8_t *line, size_t len,
                                        struct wbuf *out, char *why, size_t why_len)
{
    return smtp_line(ctx, arg, line, len, out, why, why_len, "EHLO");
}

static enum net_dialogue_step lhlo_line(void *ctx, const void *arg, const uint8_t *line, size_t len,
                                        struct wbuf *out, char *why, size_t why_len)
{
    return smtp_line(ctx, arg, line, len, out, why, why_len, "LHLO");
}

enum net_dialogue_step starttls_text_wait(void *ctx, const void *arg, struct wbuf *out, char *why,
                                          size_t why_len)
{
    (void)ctx;
    (void)arg;
    (void)out;
    (void)why;
    (void)why_len;
    return NET_DIALOGUE_MORE;
}

static enum net_dialogue_step smtp_bytes(void *ctx, const void *arg, const uint8_t *in, size_t len,
                                         struct wbuf *out, char *why, size_t why_len)
{
    return starttls_text_feed(ctx, arg, in, len, out, why, why_len, ehlo_line);
}

static enum net_dialogue_step lmtp_bytes(void *ctx, const void *arg, const uint8_t *in, size_t len,
                                         struct wbuf *out, char *why, size_t why_len)
{
    return starttls_text_feed(ctx, arg, in, len, out, why, why_len, lhlo_line);
}

const struct net_dialogue_ops starttls_smtp_ops = {
    .name = "smtp",
    .ctx_size = sizeof(struct starttls_text_ctx),
    .start = starttls_text_wait,
    .on_bytes = smtp_bytes,
};

const struct net_dialogue_ops starttls_lmtp_ops = {
    .name = "lmtp",
    .ctx_size = sizeof(struct starttls_text_ctx),
    .start = starttls_text_wait,
    .on_bytes = lmtp_bytes,
};
