/*
 * tests/unit/starttls_test.c - the line engine (scanner/starttls/line.c)
 * and every text dialogue (text.c, mail.c, other.c) fed by hand: each
 * server transcript whole, byte by byte, and split in two at every
 * offset, with the same outcome, the same commands sent and the same
 * capabilities seen; the failures (no STARTTLS, a refusal, an oversized
 * line, bytes after the go-ahead, a greeting that is no reply); and the
 * protocol table (names, ports, auto).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/starttls/line.h"
#include "scanner/starttls/starttls.h"
#include "scanner/starttls/text.h"

struct outcome {
    enum net_dialogue_step step;
    char why[256];
    char sent[1024];
    struct starttls_seen seen;
};

/* Appends what the dialogue queued in w to o->sent and empties w. */
static void take(struct outcome *o, struct wbuf *w)
{
    ck_assert(wbuf_ok(w));
    size_t used = strlen(o->sent);
    size_t n = wbuf_len(w);
    ck_assert_uint_lt(used + n, sizeof(o->sent));
    if (n > 0) {
        memcpy(o->sent + used, wbuf_data(w), n);
    }
    o->sent[used + n] = '\0';
    wbuf_cleanup(w);
    wbuf_init(w, NET_MAX_OUT);
}

/* Runs ops over server[0..len) in chunks: cuts[] are the offsets where a
 * chunk ends (n_cuts of them, then the rest). */
static void run_cuts(const struct net_dialogue_ops *ops, const void *arg, const char *server,
                     size_t len, const size_t *cuts, size_t n_cuts, struct outcome *o)
{
    memset(o, 0, sizeof(*o));
    void *ctx = calloc(1, ops->ctx_size);
    ck_assert_ptr_nonnull(ctx);
    struct wbuf w;
    wbuf_init(&w, NET_MAX_OUT);
    o->step = ops->start(ctx, arg, &w, o->why, sizeof(o->why));
    take(o, &w);
    size_t pos = 0;
    for (size_t k = 0; k <= n_cuts && o->step == NET_DIALOGUE_MORE && pos < len; k++) {
        size_t end = k < n_cuts && cuts[k] < len ? cuts[k] : len;
        if (end <= pos) {
            continue;
        }
        o->step = ops->on_bytes(ctx, arg, (const uint8_t *)server + pos, end - pos, &w, o->why,
                                sizeof(o->why));
        take(o, &w);
        pos = end;
    }
    memcpy(&o->seen, ctx, sizeof(o->seen)); /* every text dialogue's state starts with it */
    wbuf_cleanup(&w);
    free(ctx);
}

static void same(const struct outcome *a, const struct outcome *b, const char *how)
{
    ck_assert_msg(a->step == b->step, "%s: step %d vs %d (%s / %s)", how, a->step, b->step, a->why,
                  b->why);
    ck_assert_msg(strcmp(a->why, b->why) == 0, "%s: '%s' vs '%s'", how, a->why, b->why);
    ck_assert_msg(strcmp(a->sent, b->sent) == 0, "%s: sent differs", how);
    ck_assert_msg(memcmp(&a->seen, &b->seen, sizeof(a->seen)) == 0, "%s: seen differs", how);
}

/* Runs the transcript whole, byte by byte and split at every offset: the
 * same outcome each time, returned in *o. */
static void run(const struct net_dialogue_ops *ops, const void *arg, const char *server,
                struct outcome *o)
{
    size_t len = strlen(server);
    run_cuts(ops, arg, server, len, NULL, 0, o);
    size_t *cuts = calloc(len + 1, sizeof(*cuts));
    ck_assert_ptr_nonnull(cuts);
    for (size_t i = 0; i < len; i++) {
        cuts[i] = i + 1;
    }
    struct outcome x;
    run_cuts(ops, arg, server, len, cuts, len, &x);
    same(o, &x, "byte by byte");
    for (size_t i = 1; i < len; i++) {
        run_cuts(ops, arg, server, len, &i, 1, &x);
        same(o, &x, "split in two");
    }
    free(cuts);
}

static const struct starttls_text_arg smtp_arg = {.client_name = "scanner.example"};

#define SMTP_GREETING "220-mx.example ESMTP\r\n220 mx.example ready\r\n"
#define SMTP_EHLO_OK                                                                               \
    "250-mx.example\r\n250-PIPELINING\r\n250-AUTH PLAIN LOGIN\r\n250-STARTTLS\r\n250 8BITMIME\r\n"

START_TEST(test_smtp_ok)
{
    struct outcome o;
    run(&starttls_smtp_ops, &smtp_arg,
        SMTP_GREETING SMTP_EHLO_OK "220 2.0.0 Ready to start TLS\r\n", &o);
    ck_assert_int_eq(o.step, NET_DIALOGUE_READY);
    ck_assert_str_eq(o.sent, "EHLO scanner.example\r\nSTARTTLS\r\n");
    ck_assert(o.seen.greeted && o.seen.capabilities_read && o.seen.offered && o.seen.plain_auth);
    ck_assert_str_eq(o.seen.caps, "AUTH=PLAIN AUTH=LOGIN STARTTLS");
    ck_assert_str_eq(o.seen.banner, "mx.example ESMTP");
    /* LMTP: the same with LHLO, and no AUTH here */
    run(&starttls_lmtp_ops, NULL, "220 lmtp ready\r\n250-lmtp\r\n250 STARTTLS\r\n220 go\r\n", &o);
    ck_assert_int_eq(o.step, NET_DIALOGUE_READY);
    ck_assert_str_eq(o.sent, "LHLO " STARTTLS_CLIENT_NAME "\r\nSTARTTLS\r\n");
    ck_assert(o.seen.offered && !o.seen.plain_auth);
}
END_TEST

START_TEST(test_smtp_failures)
{
    struct outcome o;
    run(&starttls_smtp_ops, &smtp_arg, "220 mx\r\n250-mx\r\n250-AUTH PLAIN\r\n250 SIZE 10\r\n", &o);
    ck_assert_int_eq(o.step, NET_DIALOGUE_FAILED);
    ck_assert_str_eq(o.why, STARTTLS_NOT_OFFERED);
    ck_assert(o.seen.capabilities_read && !o.seen.offered && o.seen.plain_auth);
    ck_assert_str_eq(o.sent, "EHLO scanner.example\r\n"); /* no STARTTLS sent */
    run(&starttls_smtp_ops, &smtp_arg,
        "220 mx\r\n250-mx\r\n250 STARTTLS\r\n454 4.7.0 TLS not available\r\n", &o);
    ck_assert_int_eq(o.step, NET_DIALOGUE_FAILED);
    ck_assert_str_eq(o.why, "STARTTLS refused: 454 4.7.0 TLS not available");
    run(&starttls_smtp_ops, &smtp_arg, "554 5.7.1 go away\r\n", &o);
    ck_assert_str_eq(o.why, "greeting refused: 554 5.7.1 go away");
    ck_assert_str_eq(o.sent, "");
    run(&starttls_smtp_ops, &smtp_arg, "220 mx\r\n500 what\r\n", &o);
    ck_assert_str_eq(o.why, "EHLO refused: 500 what");
    run(&starttls_smtp_ops, &smtp_arg, "HTTP/1.1 400 Bad Request\r\n", &o);
    ck_assert_str_eq(o.why, "not an SMTP reply: HTTP/1.1 400 Bad Request");
    /* TLS (or an injected reply) right after the go-ahead, in the same read
     * (in a later one it is the handshake's to see) */
    const char *early = "220 mx\r\n250-mx\r\n250 STARTTLS\r\n220 go\r\n\x16\x03\x03";
    run_cuts(&starttls_smtp_ops, &smtp_arg, early, strlen(early), NULL, 0, &o);
    ck_assert_int_eq(o.step, NET_DIALOGUE_FAILED);
    ck_assert_str_eq(o.why, "3 bytes after the server's go-ahead, before TLS");
    /* hostile text is printable in the reason */
    run(&starttls_smtp_ops, &smtp_arg, "554 \x1b[31mred\x01\r\n", &o);
    ck_assert_str_eq(o.why, "greeting refused: 554 ?[31mred?");
}
END_TEST

/* A line one byte over the cap fails; one at the cap does not. */
START_TEST(test_line_cap)
{
    size_t n = STARTTLS_LINE_MAX + 64;
    char *s = malloc(n + 8);
    ck_assert_ptr_nonnull(s);
    memcpy(s, "220-", 4);
    memset(s + 4, 'a', STARTTLS_LINE_MAX - 4);
    memcpy(s + STARTTLS_LINE_MAX, "\r\n220 ok\r\n", 11);
    struct outcome o;
    run_cuts(&starttls_smtp_ops, &smtp_arg, s, strlen(s), NULL, 0, &o);
    /* 4096 bytes plus the CR do not fit: the CR counts until the LF comes */
    ck_assert_int_eq(o.step, NET_DIALOGUE_FAILED);
    ck_assert_str_eq(o.why, "line longer than 4096 bytes");
    memset(s + 4, 'a', STARTTLS_LINE_MAX - 5);
    memcpy(s + STARTTLS_LINE_MAX - 1, "\r\n220 ok\r\n", 11);
    run_cuts(&starttls_smtp_ops, &smtp_arg, s, strlen(s), NULL, 0, &o);
    ck_assert_int_eq(o.step, NET_DIALOGUE_MORE);
    ck_assert_str_eq(o.sent, "EHLO scanner.example\r\n");
    /* a greeting that never ends: no LF at all */
    memset(s, 'x', n);
    run_cuts(&starttls_smtp_ops, &smtp_arg, s, n, NULL, 0, &o);
    ck_assert_str_eq(o.why, "line longer than 4096 bytes");
    free(s);
}
END_TEST

START_TEST(test_reply_parser)
{
    struct line_reply r = {.in_reply = false};
    const uint8_t *t;
    size_t tl;
    ck_assert_int_eq(line_reply_step(&r, (const uint8_t *)"230-hi", 6, &t, &tl), LINE_REPLY_PART);
    ck_assert_int_eq(line_reply_step(&r, (const uint8_t *)"free text", 9, &t, &tl),
                     LINE_REPLY_PART);
    ck_assert_int_eq(line_reply_step(&r, (const uint8_t *)"231 no", 6, &t, &tl), LINE_REPLY_PART);
    ck_assert_int_eq(line_reply_step(&r, (const uint8_t *)"230 end", 7, &t, &tl), LINE_REPLY_END);
    ck_assert_int_eq(r.code, 230);
    ck_assert_uint_eq(tl, 3);
    ck_assert_int_eq(line_reply_step(&r, (const uint8_t *)"250", 3, &t, &tl), LINE_REPLY_END);
    ck_assert_int_eq(line_reply_step(&r, (const uint8_t *)"25", 2, &t, &tl), LINE_REPLY_BAD);
    ck_assert_int_eq(line_reply_step(&r, (const uint8_t *)"099 x", 5, &t, &tl), LINE_REPLY_BAD);
    ck_assert_int_eq(line_reply_step(&r, (const uint8_t *)"250x", 4, &t, &tl), LINE_REPLY_BAD);
    char buf[8];
    line_printable(buf, sizeof(buf), (const uint8_t *)"abcdefghij", 10);
    ck_assert_str_eq(buf, "abcd...");
    char caps[16] = "";
    line_caps_add(caps, sizeof(caps), (const uint8_t *)"STLS", 4);
    line_caps_add(caps, sizeof(caps), (const uint8_t *)"stls", 4);
    line_caps_add(caps, sizeof(caps), (const uint8_t *)"USER", 4);
    line_caps_add(caps, sizeof(caps), (const uint8_t *)"TOOLONGWORD", 11);
    ck_assert_str_eq(caps, "STLS USER");
}
END_TEST

START_TEST(test_imap)
{
    struct outcome o;
    run(&starttls_imap_ops, NULL,
        "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] Dovecot ready.\r\n"
        "* CAPABILITY IMAP4rev1 SASL-IR STARTTLS LOGINDISABLED\r\nA1 OK done\r\n"
        "A2 OK Begin TLS negotiation now.\r\n",
        &o);
    ck_assert_int_eq(o.step, NET_DIALOGUE_READY);
    ck_assert_str_eq(o.sent, "A1 CAPABILITY\r\nA2 STARTTLS\r\n");
    ck_assert(o.seen.offered && !o.seen.plain_auth);
    ck_assert_str_eq(o.seen.caps, "STARTTLS LOGINDISABLED");
    run(&starttls_imap_ops, NULL,
        "* OK hi\r\n* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN\r\nA1 OK\r\nA2 OK go\r\n", &o);
    ck_assert(o.step == NET_DIALOGUE_READY && o.seen.plain_auth);
    run(&starttls_imap_ops, NULL, "* OK hi\r\n* CAPABILITY IMAP4rev1 LOGINDISABLED\r\nA1 OK\r\n",
        &o);
    ck_assert_str_eq(o.why, STARTTLS_NOT_OFFERED);
    run(&starttls_imap_ops, NULL,
        "* OK hi\r\n* CAPABILITY STARTTLS\r\nA1 OK\r\nA2 NO [UNAVAILABLE] no TLS\r\n", &o);
    ck_assert_str_eq(o.why, "STARTTLS refused: A2 NO [UNAVAILABLE] no TLS");
    run(&starttls_imap_ops, NULL, "* PREAUTH welcome\r\n", &o);
    ck_assert_int_eq(o.step, NET_DIALOGUE_FAILED);
    run(&starttls_imap_ops, NULL, "* BYE busy\r\n", &o);
    ck_assert_str_eq(o.why, "greeting refused: * BYE busy");
}
END_TEST

START_TEST(test_pop3)
{
    struct outcome o;
    run(&starttls_pop3_ops, NULL,
        "+OK Dovecot ready.\r\n+OK\r\nCAPA\r\nTOP\r\nSTLS\r\nUSER\r\nSASL PLAIN LOGIN\r\n.\r\n"
        "+OK Begin TLS negotiation now.\r\n",
        &o);
    ck_assert_int_eq(o.step, NET_DIALOGUE_READY);
    ck_assert_str_eq(o.sent, "CAPA\r\nSTLS\r\n");
    ck_assert(o.seen.offered && o.seen.plain_auth);
    ck_assert_str_eq(o.seen.caps, "STLS USER SASL=PLAIN SASL=LOGIN");
    run(&starttls_pop3_ops, NULL, "+OK hi\r\n+OK\r\nTOP\r\n.\r\n", &o);
    ck_assert_str_eq(o.why, STARTTLS_NOT_OFFERED);
    run(&starttls_pop3_ops, NULL, "+OK hi\r\n-ERR no CAPA\r\n-ERR no STLS\r\n", &o);
    ck_assert_str_eq(o.why, "STLS refused: -ERR no STLS");
    ck_assert_str_eq(o.sent, "CAPA\r\nSTLS\r\n");
}
END_TEST

START_TEST(test_sieve)
{
    struct outcome o;
    run(&starttls_sieve_ops, NULL,
        "\"IMPLEMENTATION\" \"Dovecot Pigeonhole\"\r\n\"SIEVE\" \"fileinto\"\r\n"
        "\"STARTTLS\"\r\n\"SASL\" \"\"\r\nOK \"Dovecot ready.\"\r\n"
        "OK \"Begin TLS negotiation now.\"\r\n",
        &o);
    ck_assert_int_eq(o.step, NET_DIALOGUE_READY);
    ck_assert_str_eq(o.sent, "STARTTLS\r\n");
    ck_assert(o.seen.offered && !o.seen.plain_auth);
    ck_assert_str_eq(o.seen.banner, "Dovecot Pigeonhole");
    run(&starttls_sieve_ops, NULL, "\"SASL\" \"PLAIN LOGIN\"\r\nOK\r\n", &o);
    ck_assert_str_eq(o.why, STARTTLS_NOT_OFFERED);
    ck_assert(o.seen.plain_auth);
    run(&starttls_sieve_ops, NULL, "\"STARTTLS\"\r\nOK\r\nNO \"nope\"\r\n", &o);
    ck_assert_str_eq(o.why, "STARTTLS refused: NO \"nope\"");
}
END_TEST

START_TEST(test_ftp)
{
    struct outcome o;
    run(&starttls_ftp_ops, NULL,
        "220-Welcome\r\nfree text\r\n220 (vsFTPd 3.0.3)\r\n211-Features:\r\n AUTH TLS\r\n "
        "PBSZ\r\n211 End\r\n234 Proceed with negotiation.\r\n",
        &o);
    ck_assert_int_eq(o.step, NET_DIALOGUE_READY);
    ck_assert_str_eq(o.sent, "FEAT\r\nAUTH TLS\r\n");
    ck_assert(o.seen.offered);
    ck_assert_str_eq(o.seen.banner, "Welcome");
    /* vsftpd lists no AUTH in FEAT: AUTH TLS decides */
    run(&starttls_ftp_ops, NULL,
        "120 wait\r\n220 ok\r\n211-Features:\r\n MDTM\r\n PBSZ\r\n211 End\r\n234 go\r\n", &o);
    ck_assert(o.step == NET_DIALOGUE_READY && o.seen.offered && o.seen.capabilities_read);
    run(&starttls_ftp_ops, NULL,
        "220 ok\r\n211-Features:\r\n MDTM\r\n211 End\r\n500 AUTH not understood\r\n", &o);
    ck_assert_str_eq(o.why, STARTTLS_NOT_OFFERED " (AUTH TLS refused): 500 AUTH not understood");
    ck_assert(!o.seen.offered);
    run(&starttls_ftp_ops, NULL, "220 ok\r\n500 no FEAT\r\n431 Please login\r\n", &o);
    ck_assert_str_eq(o.why, "AUTH TLS refused: 431 Please login");
    run(&starttls_ftp_ops, NULL, "220 ok\r\n211-x\r\n AUTH SSL;TLS\r\n211 e\r\n234 go\r\n", &o);
    ck_assert(o.step == NET_DIALOGUE_READY && o.seen.offered);
}
END_TEST

START_TEST(test_nntp_irc)
{
    struct outcome o;
    run(&starttls_nntp_ops, NULL,
        "200 news ready\r\n101 Capability list:\r\nVERSION 2\r\nSTARTTLS\r\nAUTHINFO USER\r\n.\r\n"
        "382 Continue with TLS negotiation\r\n",
        &o);
    ck_assert_int_eq(o.step, NET_DIALOGUE_READY);
    ck_assert_str_eq(o.sent, "CAPABILITIES\r\nSTARTTLS\r\n");
    ck_assert(o.seen.offered && o.seen.plain_auth);
    run(&starttls_nntp_ops, NULL, "201 ro\r\n101 c\r\nVERSION 2\r\n.\r\n", &o);
    ck_assert_str_eq(o.why, STARTTLS_NOT_OFFERED);
    run(&starttls_nntp_ops, NULL, "200 ok\r\n101 c\r\nSTARTTLS\r\n.\r\n580 no\r\n", &o);
    ck_assert_str_eq(o.why, "STARTTLS refused: 580 no");
    run(&starttls_irc_ops, NULL,
        ":irc.example NOTICE * :*** Looking up your hostname\r\n"
        ":irc.example 670 * :STARTTLS successful, go ahead with TLS handshake\r\n",
        &o);
    ck_assert_int_eq(o.step, NET_DIALOGUE_READY);
    ck_assert_str_eq(o.sent, "STARTTLS\r\n");
    run(&starttls_irc_ops, NULL, ":irc.example 421 * STARTTLS :Unknown command\r\n", &o);
    ck_assert_str_eq(o.why, STARTTLS_NOT_OFFERED " (421 unknown command)");
    run(&starttls_irc_ops, NULL, ":irc.example 691 * :STARTTLS failure\r\n", &o);
    ck_assert_str_eq(o.why, "STARTTLS refused: :irc.example 691 * :STARTTLS failure");
}
END_TEST

START_TEST(test_table)
{
    char names[512];
    starttls_names(names, sizeof(names));
    ck_assert_msg(strncmp(names, "auto, none, ", 12) == 0, "%s", names);
    for (size_t i = 0; i < starttls_count(); i++) {
        const struct starttls_proto *p = starttls_at(i);
        ck_assert_ptr_eq(starttls_find(p->name), p);
        ck_assert_uint_lt(strlen(p->name), STARTTLS_NAME_LEN);
        ck_assert(p->direct == (p->ops == NULL));
        ck_assert(starttls_is_dialogue(p) == !p->direct);
        for (size_t k = 0; k < STARTTLS_MAX_PORTS && p->ports[k] != 0; k++) {
            ck_assert_ptr_eq(starttls_for_port(p->ports[k]), p); /* each port in one row */
        }
    }
    ck_assert_ptr_null(starttls_at(starttls_count()));
    ck_assert_ptr_null(starttls_resolve("bogus", 25));
    ck_assert_str_eq(starttls_resolve("auto", 587)->name, "smtp");
    ck_assert_str_eq(starttls_resolve(NULL, 443)->name, "none");
    void *arg = NULL;
    char why[128];
    struct starttls_params p = {.client_name = "bad name"};
    ck_assert_int_eq(starttls_text_arg_new(&p, &arg, why, sizeof(why)), -1);
    ck_assert_ptr_null(arg);
    p.client_name = NULL;
    ck_assert_int_eq(starttls_text_arg_new(&p, &arg, why, sizeof(why)), 0);
    ck_assert_str_eq(((struct starttls_text_arg *)arg)->client_name, STARTTLS_CLIENT_NAME);
    free(arg);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("starttls");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_smtp_ok);
    tcase_add_test(tc, test_smtp_failures);
    tcase_add_test(tc, test_line_cap);
    tcase_add_test(tc, test_reply_parser);
    tcase_add_test(tc, test_imap);
    tcase_add_test(tc, test_pop3);
    tcase_add_test(tc, test_sieve);
    tcase_add_test(tc, test_ftp);
    tcase_add_test(tc, test_nntp_irc);
    tcase_add_test(tc, test_table);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
