/*
 * tests/unit/vulns_conv_probe_test.c - the heartbleed and ccs_injection
 * probes (scanner/probes/heartbleed.c, ccs_injection.c) end to end on a
 * real conversation loop against a local server thread (127.0.0.1 only)
 * that answers with canned bytes: a first flight captured from openssl
 * s_server (tests/data/hello/openssl-tls12-ecdhe-rsa.bin), with the
 * heartbeat extension spliced into its ServerHello where a case needs it,
 * then a scripted answer to the trigger: a Heartbleed response, one
 * claiming 65535 bytes in 35, garbage, a truncated record and a close,
 * alerts 10 / 20 / 47, a record that is no alert, a close; and a flight cut
 * in half. Each gives exactly one row with the state the probe defines.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/model/probe_result.h"
#include "scanner/probes/registry.h"
#include "scanner/scan.h"

/* What the server thread does on its one connection. */
struct script {
    uint8_t flight[4096];
    size_t flight_len; /* sent after the ClientHello */
    bool cut_flight;   /* send half of it and close */
    uint8_t answer[256];
    size_t answer_len; /* sent after the trigger arrives */
    bool close_after;  /* close at once after the answer, else wait for the client */
    int lfd;
};

static size_t load_flight(uint8_t *buf, size_t cap)
{
    char path[1024];
    const char *top = getenv("top_srcdir");
    snprintf(path, sizeof(path), "%s/tests/data/hello/openssl-tls12-ecdhe-rsa.bin",
             top != NULL ? top : VULNS_CONV_SRCDIR);
    FILE *fp = fopen(path, "rb");
    ck_assert_msg(fp != NULL, "cannot open %s", path);
    size_t n = fread(buf, 1, cap, fp);
    fclose(fp);
    ck_assert(n > 60 && n < cap);
    return n;
}

/* Adds the heartbeat extension (peer_allowed_to_send) to the ServerHello
 * alone in the first record: record, message and extensions lengths + 5. */
static void splice_heartbeat(struct script *s)
{
    uint8_t *b = s->flight;
    ck_assert_uint_eq(b[5], 2);      /* ServerHello */
    ck_assert_uint_eq(b[5 + 38], 0); /* no session id */
    size_t rec = (size_t)(b[3] << 8 | b[4]);
    size_t ext_at = 5 + 4 + 2 + 32 + 1 + 2 + 1; /* extensions length */
    size_t end = 5 + rec;
    static const uint8_t hb[] = {0, 15, 0, 1, 1};
    memmove(b + end + sizeof(hb), b + end, s->flight_len - end);
    memcpy(b + end, hb, sizeof(hb));
    s->flight_len += sizeof(hb);
    rec += sizeof(hb);
    b[3] = (uint8_t)(rec >> 8);
    b[4] = (uint8_t)rec;
    b[8] = (uint8_t)(rec - 4); /* the message is shorter than 256 bytes */
    size_t el = (size_t)(b[ext_at] << 8 | b[ext_at + 1]) + sizeof(hb);
    b[ext_at] = (uint8_t)(el >> 8);
    b[ext_at + 1] = (uint8_t)el;
}

/* Reads one whole TLS record (or until the peer closes). */
static void read_record(int fd)
{
    uint8_t h[5];
    size_t got = 0;
    while (got < 5) {
        ssize_t n = recv(fd, h + got, 5 - got, 0);
        if (n <= 0) {
            return;
        }
        got += (size_t)n;
    }
    size_t len = (size_t)(h[3] << 8 | h[4]);
    uint8_t buf[4096];
    while (len > 0) {
        ssize_t n = recv(fd, buf, len < sizeof(buf) ? len : sizeof(buf), 0);
        if (n <= 0) {
            return;
        }
        len -= (size_t)n;
    }
}

/* Ends our side with a FIN (not a close with unread bytes, which would be
 * a reset) and reads until the client closes. */
static void finish(int fd)
{
    uint8_t buf[512];
    shutdown(fd, SHUT_WR);
    while (recv(fd, buf, sizeof(buf), 0) > 0) {
    }
    close(fd);
}

static void *serve(void *arg)
{
    struct script *s = arg;
    int fd = accept(s->lfd, NULL, NULL);
    if (fd < 0) {
        return NULL;
    }
    read_record(fd); /* the ClientHello */
    if (s->cut_flight) {
        (void)send(fd, s->flight, s->flight_len / 2, MSG_NOSIGNAL);
        finish(fd);
        return NULL;
    }
    (void)send(fd, s->flight, s->flight_len, MSG_NOSIGNAL);
    read_record(fd); /* the trigger's first record */
    if (s->answer_len > 0) {
        (void)send(fd, s->answer, s->answer_len, MSG_NOSIGNAL);
    }
    if (s->close_after) {
        finish(fd);
        return NULL;
    }
    uint8_t buf[512];
    while (recv(fd, buf, sizeof(buf), 0) > 0) {
    }
    close(fd);
    return NULL;
}

static void count_done(void *arg)
{
    (*(int *)arg)++;
}

/* Runs probe start against s; returns the one row's state, detail in out. */
static enum probe_result_state run_probe(struct script *s,
                                         int (*start)(struct probe_ctx *, void (*)(void *), void *),
                                         struct probe_result *out)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof(sin);
    s->lfd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(s->lfd, 0);
    ck_assert_int_eq(bind(s->lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    ck_assert_int_eq(listen(s->lfd, 4), 0);
    ck_assert_int_eq(getsockname(s->lfd, (struct sockaddr *)&sin, &sl), 0);
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, serve, s), 0);

    struct target_result r;
    target_result_init(&r);
    fact_mark(&r.enumeration.header, true);
    for (int v = 0; v < TLSV_COUNT; v++) {
        r.enumeration.versions[v].state = PROBE_REFUSED;
    }
    struct enum_version_fact *vf = &r.enumeration.versions[TLSV_TLS12];
    vf->state = PROBE_ACCEPTED;
    vf->suites = calloc(1, sizeof(*vf->suites));
    ck_assert_ptr_nonnull(vf->suites);
    vf->n_suites = 1;
    vf->suites[0].code = 0xC02F; /* the captured flight's suite */
    vf->suites[0].server_rank = 0;
    struct target_addr addr;
    memset(&addr, 0, sizeof(addr));
    memcpy(&addr.sa, &sin, sizeof(sin));
    addr.sa_len = sizeof(sin);
    struct scan_options o;
    memset(&o, 0, sizeof(o));
    o.timeout_ms = 2000;
    struct probe_ctx c;
    probe_ctx_init(&c, NULL, &addr, &o, &r, 0);
    struct net_loop *l = net_loop_new(4, 4, 2000, NULL);
    ck_assert_ptr_nonnull(l);
    c.loop = l;
    int n_done = 0;
    ck_assert_int_eq(start(&c, count_done, &n_done), 0);
    ck_assert_int_eq(net_loop_run(l), 0);
    ck_assert_int_eq(n_done, 1);
    net_loop_free(l);
    pthread_join(th, NULL);
    close(s->lfd);
    ck_assert_uint_eq(r.probes.n_items, 1);
    *out = r.probes.items[0];
    out->evidence = NULL; /* freed with r */
    ck_assert_int_eq(out->version, TLSV_TLS12);
    ck_assert_uint_eq(out->suite, 0xC02F);
    enum probe_result_state st = r.probes.items[0].state;
    target_result_cleanup(&r);
    return st;
}

static void script_init(struct script *s, bool heartbeat)
{
    memset(s, 0, sizeof(*s));
    s->flight_len = load_flight(s->flight, sizeof(s->flight) - 16);
    if (heartbeat) {
        splice_heartbeat(s);
    }
}

static void answer(struct script *s, const uint8_t *b, size_t n, bool close_after)
{
    memcpy(s->answer, b, n);
    s->answer_len = n;
    s->close_after = close_after;
}

#define HB_RECORD(len) 24, 3, 3, 0, (len)

START_TEST(test_heartbleed_cases)
{
    struct script s;
    struct probe_result row;
    /* the captured s_server flight has no heartbeat extension */
    script_init(&s, false);
    ck_assert_int_eq(run_probe(&s, probe_heartbleed_start, &row), PR_NEGATIVE);
    ck_assert_str_eq(row.detail, "heartbeat extension not negotiated");

    /* a vulnerable answer: payload_length 32, our 16 bytes and 16 more */
    uint8_t vuln[5 + 51] = {HB_RECORD(51), 2, 0, 32};
    memset(vuln + 8, 0xA5, 16);
    memset(vuln + 24, 0x4C, 16);
    script_init(&s, true);
    answer(&s, vuln, sizeof(vuln), false);
    ck_assert_int_eq(run_probe(&s, probe_heartbleed_start, &row), PR_POSITIVE);

    /* 65535 claimed in 35 bytes */
    uint8_t lies[5 + 35] = {HB_RECORD(35), 2, 0xff, 0xff};
    memset(lies + 8, 0xA5, 16);
    script_init(&s, true);
    answer(&s, lies, sizeof(lies), false);
    ck_assert_int_eq(run_probe(&s, probe_heartbleed_start, &row), PR_COULD_NOT_TEST);

    /* a well-formed echo of the second request */
    uint8_t good[5 + 35] = {HB_RECORD(35), 2, 0, 16};
    memset(good + 8, 0x5A, 16);
    script_init(&s, true);
    answer(&s, good, sizeof(good), false);
    ck_assert_int_eq(run_probe(&s, probe_heartbleed_start, &row), PR_NEGATIVE);

    /* garbage after the flight */
    static const uint8_t junk[] = {0x47, 0x45, 0x54, 0x20, 0x2f, 0x20, 0x48};
    script_init(&s, true);
    answer(&s, junk, sizeof(junk), false);
    ck_assert_int_eq(run_probe(&s, probe_heartbleed_start, &row), PR_COULD_NOT_TEST);
    ck_assert_str_eq(row.detail, "the server's answer could not be read");

    /* a response cut short, then a close: no response, closed */
    script_init(&s, true);
    answer(&s, vuln, 20, true);
    ck_assert_int_eq(run_probe(&s, probe_heartbleed_start, &row), PR_NEGATIVE);

    /* an alert */
    static const uint8_t a10[] = {21, 3, 3, 0, 2, 2, 10};
    script_init(&s, true);
    answer(&s, a10, sizeof(a10), true);
    ck_assert_int_eq(run_probe(&s, probe_heartbleed_start, &row), PR_NEGATIVE);

    /* the flight cut in half */
    script_init(&s, true);
    s.cut_flight = true;
    ck_assert_int_eq(run_probe(&s, probe_heartbleed_start, &row), PR_COULD_NOT_TEST);
}
END_TEST

START_TEST(test_ccs_cases)
{
    struct script s;
    struct probe_result row;
    static const uint8_t a10[] = {21, 3, 3, 0, 2, 2, 10};
    static const uint8_t a20[] = {21, 3, 3, 0, 2, 2, 20};
    static const uint8_t a47[] = {21, 3, 3, 0, 2, 2, 47};
    static const uint8_t appdata[] = {23, 3, 3, 0, 3, 1, 2, 3};
    script_init(&s, false);
    answer(&s, a10, sizeof(a10), true);
    ck_assert_int_eq(run_probe(&s, probe_ccs_injection_start, &row), PR_NEGATIVE);
    script_init(&s, false);
    answer(&s, a20, sizeof(a20), true);
    ck_assert_int_eq(run_probe(&s, probe_ccs_injection_start, &row), PR_POSITIVE);
    script_init(&s, false);
    answer(&s, a47, sizeof(a47), true);
    ck_assert_int_eq(run_probe(&s, probe_ccs_injection_start, &row), PR_COULD_NOT_TEST);
    script_init(&s, false);
    answer(&s, appdata, sizeof(appdata), false);
    ck_assert_int_eq(run_probe(&s, probe_ccs_injection_start, &row), PR_POSITIVE);
    script_init(&s, false);
    s.close_after = true; /* no answer, a close */
    ck_assert_int_eq(run_probe(&s, probe_ccs_injection_start, &row), PR_NEGATIVE);
    ck_assert_str_eq(row.detail, "the server closed the connection after the early "
                                 "ChangeCipherSpec");
}
END_TEST

int main(void)
{
    Suite *su = suite_create("vulns_conv_probe");
    TCase *tc = tcase_create("conversations");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_heartbleed_cases);
    tcase_add_test(tc, test_ccs_cases);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
