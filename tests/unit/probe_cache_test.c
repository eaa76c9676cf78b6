/*
 * tests/unit/probe_cache_test.c - reused probe results within one scan
 * (scanner/probes/cache.c) through a real scan_run with a test-only table:
 * units at one address and port run a PROBE_REUSE_ADDR row once and the
 * others copy its rows (evidence "reused from ORIGIN (...)"), whatever the
 * SNI; a PROBE_REUSE_SNI row once per SNI; four workers asking at once
 * (-j 4, the row slow) run it once (the others wait); loop rows parked on
 * an entry while its owner's conversation is in flight (127.0.0.1 only);
 * a could-not-test result not kept (the next unit runs the row again);
 * --no-vuln-cache and units on other ports share nothing; a unit far
 * behind its endpoint's first one, beyond the scan's window of units in
 * progress, still reuses its result; probe_cache_forget drops an
 * endpoint's entries and no other's.
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
#include "scanner/probes/cache.h"
#include "scanner/probes/registry.h"
#include "scanner/scan.h"

static int n_addr_runs, n_sni_runs, n_flaky_runs, n_loop_runs;
static int n_reused, n_own, n_delivered;
static char first_reused[PROBE_EVIDENCE_MAX + 1];

static enum probe_step run_addr(struct probe_ctx *c)
{
    __atomic_add_fetch(&n_addr_runs, 1, __ATOMIC_SEQ_CST);
    usleep(100 * 1000); /* the other workers ask meanwhile */
    probe_record(c, "w_addr", TLSV_TLS12, 0x009c, PR_POSITIVE, "found", "ran here");
    probe_record(c, "w_addr", TLSV_TLS11, 0, PR_NEGATIVE, "second row", NULL);
    return PROBE_NEXT;
}

static enum probe_step run_sni(struct probe_ctx *c)
{
    __atomic_add_fetch(&n_sni_runs, 1, __ATOMIC_SEQ_CST);
    probe_record(c, "w_sni", PROBE_NO_VERSION, 0, PR_INFO, c->r->sni, "per name");
    return PROBE_NEXT;
}

/* could-not-test on its first run only */
static enum probe_step run_flaky(struct probe_ctx *c)
{
    int n = __atomic_add_fetch(&n_flaky_runs, 1, __ATOMIC_SEQ_CST);
    probe_record(c, "w_flaky", PROBE_NO_VERSION, 0, n == 1 ? PR_COULD_NOT_TEST : PR_NEGATIVE,
                 n == 1 ? "timeout" : "answered", NULL);
    return PROBE_NEXT;
}

/* A loop row: one connection to a closed port, its row recorded in done. */
struct lconv {
    struct probe_ctx *c;
    void (*done)(void *);
    void *arg;
};

static void lconv_connect(void *ctx, struct wbuf *out)
{
    (void)ctx;
    (void)out;
}

static enum net_step lconv_bytes(void *ctx, const uint8_t *in, size_t len, struct wbuf *out)
{
    (void)ctx;
    (void)in;
    (void)len;
    (void)out;
    return NET_DONE;
}

static void lconv_done(void *ctx, enum net_outcome outcome, const char *why)
{
    (void)outcome;
    (void)why;
    struct lconv *l = ctx;
    probe_record(l->c, "l_addr", PROBE_NO_VERSION, 0, PR_NEGATIVE, "closed", "sent: nothing");
    l->done(l->arg);
    free(l);
}

static const struct net_probe_ops lconv_ops = {
    .on_connect = lconv_connect, .on_bytes = lconv_bytes, .done = lconv_done};

static int start_loop(struct probe_ctx *c, void (*done)(void *), void *arg)
{
    n_loop_runs++; /* the loop thread only */
    struct lconv *l = calloc(1, sizeof(*l));
    ck_assert_ptr_nonnull(l);
    *l = (struct lconv){c, done, arg};
    struct net_req req = {
        .sa = c->addr->sa, .sa_len = c->addr->sa_len, .ops = &lconv_ops, .ctx = l};
    req.group = c->group;
    if (net_submit(c->loop, &req) != 0) {
        free(l);
        return -1;
    }
    return 0;
}

static const struct probe_def defs[] = {
    {.id = "w_addr", .track = PROBE_TRACK_WORKER, .flags = PROBE_REUSE_ADDR, .run = run_addr},
    {.id = "w_sni", .track = PROBE_TRACK_WORKER, .flags = PROBE_REUSE_SNI, .run = run_sni},
    {.id = "w_flaky", .track = PROBE_TRACK_WORKER, .flags = PROBE_REUSE_ADDR, .run = run_flaky},
    {.id = "l_addr", .track = PROBE_TRACK_LOOP, .flags = PROBE_REUSE_ADDR, .start = start_loop},
};
static const struct probe_table table = {defs, sizeof(defs) / sizeof(defs[0])};

static int on_result(const struct target_result *r, void *arg)
{
    (void)arg;
    n_delivered++;
    for (size_t i = 0; i < r->probes.n_items; i++) {
        const struct probe_result *p = &r->probes.items[i];
        const char *ev = p->evidence != NULL ? p->evidence : "";
        if (strncmp(ev, PROBE_CACHE_FROM, strlen(PROBE_CACHE_FROM)) == 0) {
            n_reused++;
            if (first_reused[0] == '\0' && strcmp(p->id, "w_addr") == 0 && p->suite == 0x009c) {
                snprintf(first_reused, sizeof(first_reused), "%s|%s|%d", ev, p->detail,
                         (int)p->state);
            }
        } else {
            n_own++;
        }
    }
    return 0;
}

static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    socklen_t len = sizeof(sin);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
    return fd; /* bound, not listening: connections are refused */
}

static int port_of(int fd)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
    return ntohs(sin.sin_port);
}

/* Scans n targets: port ports[i], sni snis[i] (NULL: none), with jobs
 * GnuTLS workers and max_conn_total enumeration connections. */
static void scan_with(size_t n, const int *ports, const char *const *snis, bool no_cache, int jobs,
                      unsigned max_conn_total)
{
    n_addr_runs = n_sni_runs = n_flaky_runs = n_loop_runs = 0;
    n_reused = n_own = n_delivered = 0;
    first_reused[0] = '\0';
    struct target_list tl;
    target_list_init(&tl);
    for (size_t i = 0; i < n; i++) {
        char text[64], origin[32], err[256];
        snprintf(text, sizeof(text), "127.0.0.1:%d", ports[i]);
        snprintf(origin, sizeof(origin), "t.txt:%zu", i + 1);
        ck_assert_int_eq(target_list_add(&tl, text, snis[i], NULL, origin, err, sizeof(err)), 0);
    }
    struct scan_options o = {.jobs = jobs,
                             .enumerate = true,
                             .max_conn = max_conn_total < 2 ? max_conn_total : 2,
                             .max_conn_total = max_conn_total,
                             .timeout_ms = 2000,
                             .no_vuln_cache = no_cache,
                             .probes = &table};
    ck_assert_int_eq(scan_run(&tl, &o, on_result, NULL), 0);
    ck_assert_int_eq(n_delivered, (int)n);
    target_list_cleanup(&tl);
}

static void scan(size_t n, const int *ports, const char *const *snis, bool no_cache)
{
    scan_with(n, ports, snis, no_cache, 4, 8);
}

START_TEST(shared_once_per_key)
{
    int fd = closed_port(), p = port_of(fd);
    const int ports[] = {p, p, p, p};
    const char *const snis[] = {"a.test", "a.test", "b.test", NULL};
    scan(4, ports, snis, false);
    ck_assert_int_eq(n_addr_runs, 1);  /* four workers at once: one ran, three waited */
    ck_assert_int_eq(n_sni_runs, 3);   /* a.test, b.test, none */
    ck_assert_int_eq(n_flaky_runs, 2); /* the could-not-test result was not kept */
    ck_assert_int_eq(n_loop_runs, 1);  /* the other loop units parked, then copied */
    /* w_addr 2 rows x 3, w_sni 1, w_flaky 2 (after the rerun), l_addr 3 */
    ck_assert_int_eq(n_reused, 6 + 1 + 2 + 3);
    /* the owner's rows and the first (could-not-test) flaky row */
    ck_assert_int_eq(n_own, 2 + 3 + 2 + 1);
    ck_assert_msg(strncmp(first_reused, "reused from t.txt:", 18) == 0, "%s", first_reused);
    ck_assert_msg(strstr(first_reused, ", address 127.0.0.1): ran here|found|") != NULL, "%s",
                  first_reused);
    char want[64];
    snprintf(want, sizeof(want), "(127.0.0.1:%d", p);
    ck_assert_msg(strstr(first_reused, want) != NULL, "%s", first_reused);
    close(fd);
}
END_TEST

START_TEST(no_cache_and_other_ports)
{
    int fd = closed_port(), p = port_of(fd);
    int fd2 = closed_port(), p2 = port_of(fd2);
    const int ports[] = {p, p, p};
    const char *const snis[] = {"a.test", "a.test", "a.test"};
    scan(3, ports, snis, true);
    ck_assert_int_eq(n_addr_runs, 3);
    ck_assert_int_eq(n_sni_runs, 3);
    ck_assert_int_eq(n_loop_runs, 3);
    ck_assert_int_eq(n_reused, 0);
    const int ports2[] = {p, p2};
    scan(2, ports2, snis, false);
    ck_assert_int_eq(n_addr_runs, 2);
    ck_assert_int_eq(n_loop_runs, 2);
    ck_assert_int_eq(n_reused, 0);
    close(fd);
    close(fd2);
}
END_TEST

START_TEST(reused_across_the_window)
{
    /* -j 1 and one enumeration connection: a window of 6 units
     * (scanner/scan.c), so unit 11 starts long after unit 0 is delivered. */
    enum { N = 12 };
    int fds[N - 1], ports[N];
    const char *snis[N];
    for (int i = 0; i < N - 1; i++) {
        fds[i] = closed_port();
        ports[i] = port_of(fds[i]);
        snis[i] = "a.test";
    }
    ports[N - 1] = ports[0];
    snis[N - 1] = "a.test";
    scan_with(N, ports, snis, false, 1, 1);
    ck_assert_int_eq(n_addr_runs, N - 1); /* unit 11 reused unit 0's */
    ck_assert_int_eq(n_sni_runs, N - 1);
    ck_assert_int_eq(n_loop_runs, N - 1);
    /* w_addr 2 rows, w_sni 1, l_addr 1 (w_flaky's first result is not kept) */
    ck_assert_int_eq(n_reused, 2 + 1 + 1);
    for (int i = 0; i < N - 1; i++) {
        close(fds[i]);
    }
}
END_TEST

/* claim_once asks pc for row d of a unit at 127.0.0.1:port and settles a
 * claim it gets with one row; returns what the claim was. */
static enum probe_cache_claim claim_once(struct probe_cache *pc, const struct target_spec *spec,
                                         const struct probe_def *d)
{
    struct scan_options o = {.jobs = 1};
    struct target_addr addr = {.sa_len = 0};
    snprintf(addr.ip, sizeof(addr.ip), "127.0.0.1");
    struct target_result r;
    target_result_init(&r);
    struct probe_ctx c;
    probe_ctx_init(&c, spec, &addr, &o, &r, 0);
    c.cache = pc;
    enum probe_cache_claim got = probe_cache_claim(&c, d, true);
    if (got == PROBE_CACHE_OWNER) {
        probe_record(&c, d->id, TLSV_TLS12, 0, PR_NEGATIVE, "kept", NULL);
        probe_cache_settle(&c, NULL);
    }
    probe_ctx_cleanup(&c);
    target_result_cleanup(&r);
    return got;
}

START_TEST(forget_drops_one_endpoint)
{
    struct target_list tl;
    target_list_init(&tl);
    char err[256];
    ck_assert_int_eq(target_list_add(&tl, "127.0.0.1:4433", NULL, NULL, "t:1", err, sizeof(err)),
                     0);
    ck_assert_int_eq(target_list_add(&tl, "127.0.0.1:4434", NULL, NULL, "t:2", err, sizeof(err)),
                     0);
    const struct target_spec *a = &tl.items[0], *b = &tl.items[1];
    const char *proto = target_starttls(a, NULL)->name;
    struct probe_cache *pc = probe_cache_new();
    ck_assert_ptr_nonnull(pc);
    ck_assert_int_eq(claim_once(pc, a, &defs[0]), PROBE_CACHE_OWNER);
    ck_assert_int_eq(claim_once(pc, b, &defs[0]), PROBE_CACHE_OWNER);
    ck_assert_int_eq(claim_once(pc, a, &defs[0]), PROBE_CACHE_REUSED);
    probe_cache_forget(pc, "127.0.0.1", 4434, proto); /* b's only */
    ck_assert_int_eq(claim_once(pc, a, &defs[0]), PROBE_CACHE_REUSED);
    ck_assert_int_eq(claim_once(pc, b, &defs[0]), PROBE_CACHE_OWNER);
    probe_cache_forget(pc, "127.0.0.1", 4433, "not-this-protocol");
    ck_assert_int_eq(claim_once(pc, a, &defs[0]), PROBE_CACHE_REUSED);
    probe_cache_forget(pc, "127.0.0.1", 4433, proto);
    ck_assert_int_eq(claim_once(pc, a, &defs[0]), PROBE_CACHE_OWNER);
    ck_assert_int_eq(claim_once(pc, b, &defs[0]), PROBE_CACHE_REUSED);
    probe_cache_free(pc);
    target_list_cleanup(&tl);
}
END_TEST

START_TEST(table_check_refuses_reused_derived)
{
    const struct probe_def bad[] = {
        {.id = "d", .track = PROBE_TRACK_DERIVED, .flags = PROBE_REUSE_ADDR, .run = run_sni}};
    const struct probe_table t = {bad, 1};
    char why[256];
    ck_assert_int_eq(probe_table_check(&t, why, sizeof(why)), -1);
    ck_assert_ptr_nonnull(strstr(why, "may be reused"));
    ck_assert_int_eq(probe_table_check(&table, why, sizeof(why)), 0);
    ck_assert_int_eq(probe_table_check(&probe_table_default, why, sizeof(why)), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("probe_cache");
    TCase *tc = tcase_create("cache");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, shared_once_per_key);
    tcase_add_test(tc, no_cache_and_other_ports);
    tcase_add_test(tc, table_check_refuses_reused_derived);
    tcase_add_test(tc, reused_across_the_window);
    tcase_add_test(tc, forget_drops_one_endpoint);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
