/*
 * scanner/probes/starttls_inject.c - the "starttls_injection" probe
 * (worker track, a vulnerability check): does the server carry plaintext
 * it received before its STARTTLS go-ahead into the TLS session and
 * answer it there? That is the CVE-2011-0411 class (Postfix, and the same
 * bug in many SMTP, IMAP, POP3 and FTP servers, VU#555316): a man in the
 * middle appends a command to the client's STARTTLS and the server runs it
 * as if the client had sent it over TLS.
 *
 * One connection, on the line protocols only (smtp, lmtp, imap, pop3,
 * sieve, ftp, nntp, irc; the binary and XML dialogues are
 * not-applicable): the target's own dialogue runs, wrapped so that the
 * upgrade command goes out in the same write as one harmless command (a
 * NOOP, NNTP's DATE, IRC's PING); then a GnuTLS handshake of the newest
 * version the target accepted (scanner/hs_session.c: hs_read_after), and
 * nothing is sent inside TLS. A server that answers the injected command
 * inside TLS kept the plaintext: positive. One that says nothing within
 * the wait, closes, or refuses the handshake (the upgrade worked without
 * the extra bytes: the target accepted a version) did not: negative. A
 * timeout, a failure before our write, or a handshake that failed after
 * the ServerHello: could-not-test with the reason. The evidence says what
 * was sent and what came back before and inside TLS (printable, cut).
 *
 * Not PROBE_INTRUSIVE: the bytes are a normal STARTTLS and a no-op
 * command, as any pipelining client sends them (RFC 2920), and the TLS is
 * an ordinary handshake; --ids-friendly runs it, --no-vulns does not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "scanner/hs_session.h"
#include "scanner/probes/registry.h"
#include "scanner/scan.h"
#include "scanner/starttls/text.h"

#define ROW_ID "starttls_injection"
#define INJECT_WAIT_MS 2000 /* how long the server may take to answer inside TLS */
#define SHOWN_LEN 160       /* the server's bytes kept for the evidence, per part */

/* How an answer to the injected command looks. */
enum answer_kind {
    ANSWER_NUMERIC, /* any complete numeric reply line (RFC 5321 §4.2, RFC 959, RFC 3977) */
    ANSWER_IMAP,    /* a line tagged with our tag (RFC 9051 §2.2.2) */
    ANSWER_POP3,    /* +OK or -ERR (RFC 1939 §3) */
    ANSWER_SIEVE,   /* OK / NO / BYE after the one that ends the re-issued capabilities */
    ANSWER_IRC,     /* PONG with our token */
};

/* One line protocol: its dialogue's upgrade command exactly as it sends
 * it, the command appended to it, and how that one's answer looks. */
struct inject_row {
    const char *proto;
    const char *upgrade;
    const char *inject;
    enum answer_kind kind;
};

#define IRC_TOKEN "tlsaudit-injected"

static const struct inject_row rows[] = {
    {"smtp", "STARTTLS\r\n", "NOOP\r\n", ANSWER_NUMERIC},
    {"lmtp", "STARTTLS\r\n", "NOOP\r\n", ANSWER_NUMERIC},
    {"imap", "A2 STARTTLS\r\n", "A3 NOOP\r\n", ANSWER_IMAP},
    {"pop3", "STLS\r\n", "NOOP\r\n", ANSWER_POP3},
    {"sieve", "STARTTLS\r\n", "NOOP\r\n", ANSWER_SIEVE},
    {"ftp", "AUTH TLS\r\n", "NOOP\r\n", ANSWER_NUMERIC},
    {"nntp", "STARTTLS\r\n", "DATE\r\n", ANSWER_NUMERIC},
    {"irc", "STARTTLS\r\n", "PING :" IRC_TOKEN "\r\n", ANSWER_IRC},
};

static const struct inject_row *row_for(const char *proto)
{
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        if (strcmp(rows[i].proto, proto) == 0) {
            return &rows[i];
        }
    }
    return NULL;
}

/* The wrapped dialogue's argument and state. */
struct inject_arg {
    const struct net_dialogue *inner;
    const struct inject_row *row;
};

struct inject_ctx {
    struct starttls_text_ctx inner; /* the target's dialogue's state (every text dialogue's) */
    bool sent;                      /* the upgrade and the injected command went out together */
    bool failed_after;              /* the dialogue failed after that write */
    uint8_t after[SHOWN_LEN];       /* what the server said after it, before TLS */
    size_t after_len;
};

/* After a step of the inner dialogue that appended out[mark..]: when that
 * is the upgrade command, the injected one follows in the same write. */
static enum net_dialogue_step after_step(struct inject_ctx *w, const struct inject_arg *a,
                                         struct wbuf *out, size_t mark, enum net_dialogue_step step)
{
    if (w->sent) {
        w->failed_after = step == NET_DIALOGUE_FAILED;
        return step;
    }
    size_t ul = strlen(a->row->upgrade), n = wbuf_len(out);
    const uint8_t *d = wbuf_data(out);
    if (step == NET_DIALOGUE_MORE && d != NULL && n >= mark + ul &&
        memcmp(d + n - ul, a->row->upgrade, ul) == 0) {
        starttls_text_send(out, a->row->inject);
        w->sent = true;
    }
    return step;
}

static enum net_dialogue_step wrap_start(void *ctx, const void *arg, struct wbuf *out, char *why,
                                         size_t why_len)
{
    struct inject_ctx *w = ctx;
    const struct inject_arg *a = arg;
    size_t mark = wbuf_len(out);
    enum net_dialogue_step st = a->inner->ops->start(&w->inner, a->inner->arg, out, why, why_len);
    return after_step(w, a, out, mark, st);
}

static enum net_dialogue_step wrap_bytes(void *ctx, const void *arg, const uint8_t *in, size_t len,
                                         struct wbuf *out, char *why, size_t why_len)
{
    struct inject_ctx *w = ctx;
    const struct inject_arg *a = arg;
    if (w->sent) {
        size_t room = sizeof(w->after) - w->after_len;
        size_t n = len < room ? len : room;
        memcpy(w->after + w->after_len, in, n);
        w->after_len += n;
    }
    size_t mark = wbuf_len(out);
    enum net_dialogue_step st =
        a->inner->ops->on_bytes(&w->inner, a->inner->arg, in, len, out, why, why_len);
    return after_step(w, a, out, mark, st);
}

static const struct net_dialogue_ops inject_ops = {
    .name = "pipelined",
    .ctx_size = sizeof(struct inject_ctx),
    .start = wrap_start,
    .on_bytes = wrap_bytes,
};

/* Whether line[0..len) (inside TLS) answers the injected command;
 * *n_ok counts the ManageSieve status lines seen. */
static bool answers(enum answer_kind kind, const uint8_t *line, size_t len, int *n_ok)
{
    switch (kind) {
    case ANSWER_NUMERIC: {
        struct line_reply r = {0};
        const uint8_t *t;
        size_t tl;
        return line_reply_step(&r, line, len, &t, &tl) == LINE_REPLY_END;
    }
    case ANSWER_IMAP:
        return line_starts(line, len, "A3 ");
    case ANSWER_POP3:
        return line_starts(line, len, "+OK") || line_starts(line, len, "-ERR");
    case ANSWER_SIEVE:
        if (line_starts(line, len, "OK") || line_starts(line, len, "NO") ||
            line_starts(line, len, "BYE")) {
            return ++*n_ok > 1; /* RFC 5804 §2.2: the first ends the capabilities */
        }
        return false;
    case ANSWER_IRC:
        for (size_t i = 0; i + 4 <= len; i++) {
            if (line_starts(line + i, len - i, "PONG")) {
                size_t tl = strlen(IRC_TOKEN);
                for (size_t j = i; j + tl <= len; j++) {
                    if (memcmp(line + j, IRC_TOKEN, tl) == 0) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
    return false;
}

/* Whether the bytes read inside TLS hold an answer (whole lines only). */
static bool answered(const struct inject_row *row, const uint8_t *d, size_t n)
{
    int n_ok = 0;
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        if (d[i] != '\n') {
            continue;
        }
        size_t len = i - start;
        if (len > 0 && d[start + len - 1] == '\r') {
            len--;
        }
        if (answers(row->kind, d + start, len, &n_ok)) {
            return true;
        }
        start = i + 1;
    }
    return false;
}

int probe_injection_answered(const char *proto, const uint8_t *data, size_t n)
{
    const struct inject_row *row = row_for(proto);
    return row == NULL ? -1 : answered(row, data, n) ? 1 : 0;
}

/* Appends src[0..n) to dst (NUL-terminated, dst_size > 0) as text: CR and
 * LF as \r \n, other bytes outside printable ASCII as '?'. */
static void show(char *dst, size_t dst_size, const uint8_t *src, size_t n)
{
    size_t o = strlen(dst);
    for (size_t i = 0; i < n && o + 3 < dst_size; i++) {
        uint8_t b = src[i];
        if (b == '\r' || b == '\n') {
            dst[o++] = '\\';
            dst[o++] = b == '\r' ? 'r' : 'n';
        } else {
            dst[o++] = b >= 0x20 && b < 0x7f ? (char)b : '?';
        }
    }
    dst[o] = '\0';
}

static void show_text(char *dst, size_t dst_size, const char *s)
{
    show(dst, dst_size, (const uint8_t *)s, strlen(s));
}

/* The evidence: what was sent, what came before TLS and inside it. */
static void evidence(char *ev, size_t len, const struct inject_row *row, const struct inject_ctx *w,
                     const struct hs_after_out *out)
{
    ev[0] = '\0';
    show_text(ev, len, "sent in one write: ");
    show_text(ev, len, row->upgrade);
    show_text(ev, len, row->inject);
    show_text(ev, len, "; before TLS: ");
    show(ev, len, w->after, w->after_len);
    if (out->state == HS_AFTER_READ) {
        show_text(ev, len, "; inside TLS: ");
        show(ev, len, out->data, out->n < SHOWN_LEN ? out->n : SHOWN_LEN);
    }
}

/* What the probe found: a state and its detail. */
static enum probe_result_state judge(const struct inject_row *row, const struct inject_ctx *w,
                                     const struct hs_after_out *out, char *d, size_t dl)
{
    const char *p = row->proto;
    switch (out->state) {
    case HS_AFTER_READ:
        if (answered(row, out->data, out->n)) {
            snprintf(d, dl,
                     "%s: the server answered, inside TLS, a command sent in plaintext "
                     "with its STARTTLS (CVE-2011-0411 class)",
                     p);
            return PR_POSITIVE;
        }
        snprintf(d, dl, "%s: the command sent with STARTTLS was not answered inside TLS (%.160s)",
                 p, out->why);
        return PR_NEGATIVE;
    case HS_AFTER_REFUSED:
        snprintf(d, dl,
                 "%s: the server would not carry the command sent with STARTTLS into TLS "
                 "(%.160s, before any ServerHello)",
                 p, out->why);
        return PR_NEGATIVE;
    case HS_AFTER_NO_TLS:
        if (w->sent && w->failed_after && !out->timed_out) {
            snprintf(d, dl,
                     "%s: the server did not start TLS after the command sent with "
                     "STARTTLS (%.160s)",
                     p, out->why);
            return PR_NEGATIVE;
        }
        snprintf(d, dl, "%s: %s%.160s", p, w->sent ? "" : "before the upgrade command: ", out->why);
        return PR_COULD_NOT_TEST;
    case HS_AFTER_STOPPED:
        util_copy(d, dl, "interrupted");
        return PR_COULD_NOT_TEST;
    case HS_AFTER_FAILED:
        break;
    }
    snprintf(d, dl, "%s: %.160s", p, out->why);
    return PR_COULD_NOT_TEST;
}

/* The newest version the GnuTLS handshakes accepted, or TLSV_COUNT. */
static enum tls_version newest_accepted(const struct target_result *r)
{
    for (int v = TLSV_TLS13; v >= TLSV_HS_FIRST; v--) {
        if (r->versions[v].state == PROBE_ACCEPTED) {
            return (enum tls_version)v;
        }
    }
    return TLSV_COUNT;
}

/* Why the probe cannot run on c's target, or NULL. */
static const char *not_applicable(const struct probe_ctx *c, const struct inject_row **out_row)
{
    *out_row = NULL;
    if (c->hso.dialogue == NULL) {
        return "direct TLS: no plaintext dialogue";
    }
    *out_row = row_for(c->proto->name);
    if (*out_row == NULL) {
        return "not a line protocol: no command to pipeline after STARTTLS";
    }
    return NULL;
}

enum probe_step probe_starttls_injection_run(struct probe_ctx *c)
{
    char d[FACT_TEXT * 2]; /* probe_list_add keeps FACT_TEXT - 1 bytes */
    const struct inject_row *row;
    const char *na = not_applicable(c, &row);
    enum tls_version v = newest_accepted(c->r);
    if (na != NULL || v == TLSV_COUNT) {
        snprintf(d, sizeof(d), "%s", na != NULL ? na : "no version accepted");
        probe_record(c, ROW_ID, PROBE_NO_VERSION, 0, PR_NOT_APPLICABLE, d, NULL);
        return PROBE_NEXT;
    }
    int t = probe_handshake_timeout(c);
    if (t == 0) {
        c->out_of_time = true;
        probe_record(c, ROW_ID, PROBE_NO_VERSION, 0, PR_COULD_NOT_TEST, PROBE_NOT_TESTED_BUDGET,
                     NULL);
        return PROBE_NEXT;
    }
    struct inject_ctx *w = calloc(1, sizeof(*w));
    struct hs_after_out *out = calloc(1, sizeof(*out));
    char *ev = malloc(PROBE_EVIDENCE_MAX);
    if (w == NULL || out == NULL || ev == NULL) {
        probe_record(c, ROW_ID, PROBE_NO_VERSION, 0, PR_COULD_NOT_TEST, "out of memory", NULL);
        goto out;
    }
    if (c->dialogue.ops->ctx_size > sizeof(w->inner)) {
        probe_record(c, ROW_ID, PROBE_NO_VERSION, 0, PR_COULD_NOT_TEST,
                     "the dialogue's state does not fit the wrapper", NULL);
        goto out;
    }
    struct inject_arg arg = {.inner = &c->dialogue, .row = row};
    struct net_dialogue wrapped = {.ops = &inject_ops, .arg = &arg};
    struct hs_options o = c->hso;
    o.dialogue = &wrapped;
    int wait = INJECT_WAIT_MS < c->o->timeout_ms ? INJECT_WAIT_MS : c->o->timeout_ms;
    const struct target_addr *a = c->addr;
    (void)hs_read_after((const struct sockaddr *)&a->sa, a->sa_len, &o, w, v, t, wait, out);
    enum probe_result_state st = judge(row, w, out, d, sizeof(d));
    evidence(ev, PROBE_EVIDENCE_MAX, row, w, out);
    probe_record(c, ROW_ID, v, 0, st, d, ev);
out:
    free(ev);
    free(out);
    free(w);
    return PROBE_NEXT;
}
