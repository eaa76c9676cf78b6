/*
 * tests/unit/probes_test.c - the probe table and its runners
 * (scanner/probes/registry.c) with test-only tables: rows run in table
 * order per track, a row whose needs are unmet is skipped with exactly one
 * probe_result row (its id, state and reason), the budget's could-not-test
 * path, needs over hand-built target_results, the table check, the loop
 * track on a real loop (127.0.0.1 only), and the derived track after both
 * tracks in a real scan_run.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/model/probe_result.h"
#include "common/util.h"
#include "scanner/probes/registry.h"
#include "scanner/scan.h"

/* ---- a log of what ran, shared by the threads of a scan ------------- */

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char run_log[512];

static void log_add(const char *what)
{
    pthread_mutex_lock(&log_lock);
    size_t n = strlen(run_log);
    snprintf(run_log + n, sizeof(run_log) - n, "%s%s", n ? " " : "", what);
    pthread_mutex_unlock(&log_lock);
}

static bool log_has(const char *what)
{
    pthread_mutex_lock(&log_lock);
    bool has = strstr(run_log, what) != NULL;
    pthread_mutex_unlock(&log_lock);
    return has;
}

static void log_reset(void)
{
    run_log[0] = '\0';
}

static enum probe_step run_a(struct probe_ctx *c)
{
    (void)c;
    log_add("a");
    return PROBE_NEXT;
}

static enum probe_step run_b(struct probe_ctx *c)
{
    (void)c;
    log_add("b");
    return PROBE_NEXT;
}

static enum probe_step run_c(struct probe_ctx *c)
{
    (void)c;
    log_add("c");
    return PROBE_NEXT;
}

static enum probe_step run_end(struct probe_ctx *c)
{
    (void)c;
    log_add("end");
    return PROBE_END_TRACK;
}

static enum probe_step run_never(struct probe_ctx *c)
{
    (void)c;
    log_add("never");
    return PROBE_NEXT;
}

static bool not_wanted(const struct scan_options *o)
{
    (void)o;
    return false;
}

/* ---- hand-built target_results --------------------------------------- */

static void add_suite(struct target_result *r, enum tls_version v, uint32_t code)
{
    struct enum_version_fact *f = &r->enumeration.versions[v];
    struct enum_suite *s = realloc(f->suites, (f->n_suites + 1) * sizeof(*s));
    ck_assert_ptr_nonnull(s);
    f->suites = s;
    memset(&s[f->n_suites], 0, sizeof(s[0]));
    s[f->n_suites++].code = code;
    f->state = PROBE_ACCEPTED;
    fact_mark(&r->enumeration.header, true);
}

static void result_init(struct target_result *r)
{
    target_result_init(r);
    enum_facts_init(&r->enumeration);
}

START_TEST(needs_rsa_kx)
{
    struct target_result r;
    result_init(&r);
    char why[FACT_TEXT];
    /* Only ECDHE suites accepted: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
     * TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384. */
    add_suite(&r, TLSV_TLS12, 0xC02F);
    add_suite(&r, TLSV_TLS12, 0xC02C);
    ck_assert(probe_needs_met(NEED_ENUMERATION, &r, why, sizeof(why)));
    ck_assert(!probe_needs_met(NEED_RSA_KX, &r, why, sizeof(why)));
    ck_assert_str_eq(why, "no RSA key-exchange suite accepted");
    /* TLS_RSA_WITH_AES_128_CBC_SHA under TLS 1.0 */
    add_suite(&r, TLSV_TLS10, 0x002F);
    ck_assert(probe_needs_met(NEED_RSA_KX | NEED_ENUMERATION, &r, why, sizeof(why)));
    ck_assert_str_eq(why, "");
    target_result_cleanup(&r);
}
END_TEST

START_TEST(needs_first_missing_named)
{
    struct target_result r;
    result_init(&r);
    char why[FACT_TEXT];
    r.status = TARGET_NO_TLS;
    ck_assert(!probe_needs_met(NEED_TLS_ACCEPTED | NEED_RSA_KX, &r, why, sizeof(why)));
    ck_assert_str_eq(why, "no protocol version accepted");
    ck_assert(!probe_needs_met(NEED_ENUMERATION, &r, why, sizeof(why)));
    ck_assert_str_eq(why, "the enumeration did not run");
    r.status = TARGET_OK;
    ck_assert(!probe_needs_met(NEED_TLS_ACCEPTED | NEED_TLS13, &r, why, sizeof(why)));
    ck_assert_str_eq(why, "no TLS 1.3 handshake completed");
    r.versions[TLSV_TLS13].state = PROBE_ACCEPTED;
    ck_assert(probe_needs_met(NEED_TLS_ACCEPTED | NEED_TLS13, &r, why, sizeof(why)));
    /* accepted, but the handshake did not complete on our side */
    util_copy(r.versions[TLSV_TLS13].reason, sizeof(r.versions[TLSV_TLS13].reason), "cut short");
    ck_assert(!probe_needs_met(NEED_TLS13, &r, why, sizeof(why)));
    ck_assert(!probe_needs_met(NEED_CHAIN, &r, why, sizeof(why)));
    ck_assert_str_eq(why, "no certificate chain collected");
    fact_mark(&r.chain_header, true);
    ck_assert(probe_needs_met(NEED_CHAIN, &r, why, sizeof(why)));
    ck_assert(!probe_needs_met(NEED_HTTPS, &r, why, sizeof(why)));
    ck_assert_str_eq(why, "no HTTPS answer");
    fact_mark(&r.http.hsts, true);
    ck_assert(probe_needs_met(NEED_HTTPS, &r, why, sizeof(why)));
    fact_set_result(&r.http.hsts, "refused");
    ck_assert(!probe_needs_met(NEED_HTTPS, &r, why, sizeof(why)));
    ck_assert(probe_needs_met(0, &r, why, sizeof(why)));
    target_result_cleanup(&r);
}
END_TEST

/* ---- the synchronous runner ------------------------------------------ */

static const struct probe_def order_defs[] = {
    {.id = "t_a", .track = PROBE_TRACK_WORKER, .run = run_a},
    {.id = "t_derived", .track = PROBE_TRACK_DERIVED, .run = run_never},
    {.id = "t_rsa",
     .track = PROBE_TRACK_WORKER,
     .needs = NEED_TLS_ACCEPTED | NEED_CHAIN,
     .unmet_state = PR_NOT_APPLICABLE,
     .run = run_never},
    {.id = "t_b",
     .track = PROBE_TRACK_WORKER,
     .needs = NEED_TLS_ACCEPTED,
     .unmet_state = PR_NOT_APPLICABLE,
     .run = run_b},
    {.id = "t_own",
     .track = PROBE_TRACK_WORKER,
     .needs = NEED_TLS13,
     .flags = PROBE_OWN_FACTS,
     .run = run_never},
    {.id = "t_unwanted", .track = PROBE_TRACK_WORKER, .wanted = not_wanted, .run = run_never},
    {.id = "t_c", .track = PROBE_TRACK_WORKER, .run = run_c},
    {.id = "t_end", .track = PROBE_TRACK_WORKER, .run = run_end},
    {.id = "t_after_end", .track = PROBE_TRACK_WORKER, .run = run_never},
};
static const struct probe_table order_table = {order_defs, 9};

START_TEST(worker_order_and_unmet_row)
{
    struct target_result r;
    result_init(&r);
    r.status = TARGET_OK; /* accepted, but no chain collected */
    struct scan_options o = {.timeout_ms = 1000};
    struct probe_ctx c;
    probe_ctx_init(&c, NULL, NULL, &o, &r, 0);
    log_reset();
    probe_track_run(&order_table, PROBE_TRACK_WORKER, &c);
    ck_assert_str_eq(run_log, "a b c end");
    /* exactly one row: the unmet row's, with its state and reason */
    ck_assert_uint_eq(r.probes.n_items, 1);
    ck_assert_str_eq(r.probes.items[0].id, "t_rsa");
    ck_assert_int_eq(r.probes.items[0].state, PR_NOT_APPLICABLE);
    ck_assert_str_eq(r.probes.items[0].detail, "no certificate chain collected");
    ck_assert_int_eq(r.probes.items[0].version, PROBE_NO_VERSION);
    ck_assert_int_eq(r.probes.header.state, FACT_COLLECTED);
    ck_assert(!c.out_of_time);
    probe_ctx_cleanup(&c);

    /* the derived track of the same table runs only its own row */
    log_reset();
    probe_ctx_init(&c, NULL, NULL, &o, &r, 0);
    probe_track_run(&order_table, PROBE_TRACK_DERIVED, &c);
    ck_assert_str_eq(run_log, "never");
    probe_ctx_cleanup(&c);
    target_result_cleanup(&r);
}
END_TEST

static const struct probe_def cnt_defs[] = {
    {.id = "t_cnt",
     .track = PROBE_TRACK_DERIVED,
     .needs = NEED_ENUMERATION | NEED_RSA_KX,
     .unmet_state = PR_COULD_NOT_TEST,
     .run = run_never},
    {.id = "t_late", .track = PROBE_TRACK_DERIVED, .run = run_never},
    {.id = "t_late_own", .track = PROBE_TRACK_DERIVED, .flags = PROBE_OWN_FACTS, .run = run_a},
};
static const struct probe_table cnt_table = {cnt_defs, 3};

START_TEST(could_not_test_paths)
{
    struct target_result r;
    result_init(&r);
    add_suite(&r, TLSV_TLS12, 0xC02F); /* ECDHE only */
    struct scan_options o = {.timeout_ms = 1000};
    struct probe_ctx c;
    /* a deadline already past: the budget is spent */
    probe_ctx_init(&c, NULL, NULL, &o, &r, util_mono_ms() - 1);
    log_reset();
    probe_track_run(&cnt_table, PROBE_TRACK_DERIVED, &c);
    /* unmet need first (its own state), then the budget's could-not-test;
     * a PROBE_OWN_FACTS row handles the budget itself and runs */
    ck_assert_str_eq(run_log, "a");
    ck_assert_uint_eq(r.probes.n_items, 2);
    ck_assert_str_eq(r.probes.items[0].id, "t_cnt");
    ck_assert_int_eq(r.probes.items[0].state, PR_COULD_NOT_TEST);
    ck_assert_str_eq(r.probes.items[0].detail, "no RSA key-exchange suite accepted");
    ck_assert_str_eq(r.probes.items[1].id, "t_late");
    ck_assert_int_eq(r.probes.items[1].state, PR_COULD_NOT_TEST);
    ck_assert_str_eq(r.probes.items[1].detail, PROBE_NOT_TESTED_BUDGET);
    ck_assert(c.out_of_time);
    probe_ctx_cleanup(&c);
    target_result_cleanup(&r);
}
END_TEST

static const struct probe_def left_out_defs[] = {
    {.id = "t_vuln", .track = PROBE_TRACK_DERIVED, .flags = PROBE_VULN, .run = run_a},
    {.id = "t_intrusive",
     .track = PROBE_TRACK_DERIVED,
     .flags = PROBE_VULN | PROBE_INTRUSIVE,
     .run = run_b},
    {.id = "t_plain", .track = PROBE_TRACK_DERIVED, .run = run_c},
};
static const struct probe_table left_out_table = {left_out_defs, 3};

/* Runs left_out_table's derived track with o into r (the log says what ran). */
static void run_left_out(const struct scan_options *o, struct target_result *r)
{
    result_init(r);
    struct probe_ctx c;
    probe_ctx_init(&c, NULL, NULL, o, r, 0);
    log_reset();
    probe_track_run(&left_out_table, PROBE_TRACK_DERIVED, &c);
    probe_ctx_cleanup(&c);
}

START_TEST(no_vulns_and_ids_friendly_rows)
{
    struct target_result r;
    struct scan_options o = {.timeout_ms = 1000};
    run_left_out(&o, &r);
    ck_assert_str_eq(run_log, "a b c");
    ck_assert_uint_eq(r.probes.n_items, 0);
    target_result_cleanup(&r);

    /* --ids-friendly: the intrusive row gets one not-run row, the rest run */
    o.ids_friendly = true;
    run_left_out(&o, &r);
    ck_assert_str_eq(run_log, "a c");
    ck_assert_uint_eq(r.probes.n_items, 1);
    ck_assert_str_eq(r.probes.items[0].id, "t_intrusive");
    ck_assert_int_eq(r.probes.items[0].state, PR_NOT_RUN);
    ck_assert_ptr_nonnull(strstr(r.probes.items[0].detail, "--ids-friendly"));
    target_result_cleanup(&r);

    /* --no-vulns: every vulnerability row is not-run, the others run */
    o.ids_friendly = false;
    o.no_vulns = true;
    run_left_out(&o, &r);
    ck_assert_str_eq(run_log, "c");
    ck_assert_uint_eq(r.probes.n_items, 2);
    ck_assert_str_eq(r.probes.items[0].id, "t_vuln");
    ck_assert_int_eq(r.probes.items[0].state, PR_NOT_RUN);
    ck_assert_ptr_nonnull(strstr(r.probes.items[0].detail, "--no-vulns"));
    ck_assert_str_eq(r.probes.items[1].id, "t_intrusive");
    ck_assert_int_eq(r.probes.items[1].state, PR_NOT_RUN);
    target_result_cleanup(&r);
}
END_TEST

START_TEST(list_move_keeps_order)
{
    struct probe_list a = {0}, b = {0};
    ck_assert_int_eq(probe_list_add(&a, "w1", PROBE_NO_VERSION, 0, PR_NEGATIVE, "", NULL), 0);
    ck_assert_int_eq(probe_list_add(&b, "l1", TLSV_TLS12, 0xC02F, PR_POSITIVE, "d", "ev"), 0);
    ck_assert_int_eq(probe_list_add(&b, "l2", PROBE_NO_VERSION, 0, PR_INFO, "", NULL), 0);
    b.header.state = FACT_COLLECTED;
    ck_assert_int_eq(probe_list_move(&a, &b), 0);
    ck_assert_uint_eq(a.n_items, 3);
    ck_assert_str_eq(a.items[0].id, "w1");
    ck_assert_str_eq(a.items[1].id, "l1");
    ck_assert_str_eq(a.items[1].evidence, "ev");
    ck_assert_str_eq(a.items[2].id, "l2");
    ck_assert_int_eq(a.header.state, FACT_COLLECTED);
    ck_assert_uint_eq(b.n_items, 0);
    ck_assert_ptr_null(b.items);
    probe_list_cleanup(&a);
}
END_TEST

START_TEST(stop_ends_track)
{
    struct target_result r;
    result_init(&r);
    volatile sig_atomic_t stop = 1;
    struct scan_options o = {.timeout_ms = 1000, .stop = &stop};
    struct probe_ctx c;
    probe_ctx_init(&c, NULL, NULL, &o, &r, 0);
    log_reset();
    probe_track_run(&order_table, PROBE_TRACK_WORKER, &c);
    ck_assert_str_eq(run_log, "");
    ck_assert_uint_eq(r.probes.n_items, 0);
    ck_assert_int_eq(r.status, TARGET_INTERRUPTED);
    ck_assert_str_eq(r.error, "scan interrupted");
    probe_ctx_cleanup(&c);
    target_result_cleanup(&r);
}
END_TEST

/* ---- the table check ---------------------------------------------------- */

static int start_fails(struct probe_ctx *c, void (*done)(void *), void *arg);

START_TEST(table_check)
{
    char why[256];
    ck_assert_int_eq(probe_table_check(&probe_table_default, why, sizeof(why)), 0);
    ck_assert_int_eq(probe_table_check(&order_table, why, sizeof(why)), 0);
    const struct probe_def bad_need[] = {
        {.id = "w_rsa", .track = PROBE_TRACK_WORKER, .needs = NEED_RSA_KX, .run = run_a}};
    const struct probe_table t1 = {bad_need, 1};
    ck_assert_int_eq(probe_table_check(&t1, why, sizeof(why)), -1);
    ck_assert_ptr_nonnull(strstr(why, "w_rsa"));
    const struct probe_def bad_id[] = {
        {.id = "Bad-Id", .track = PROBE_TRACK_DERIVED, .run = run_a}};
    const struct probe_table t2 = {bad_id, 1};
    ck_assert_int_eq(probe_table_check(&t2, why, sizeof(why)), -1);
    const struct probe_def no_start[] = {{.id = "l", .track = PROBE_TRACK_LOOP, .run = run_a}};
    const struct probe_table t3 = {no_start, 1};
    ck_assert_int_eq(probe_table_check(&t3, why, sizeof(why)), -1);
    const struct probe_def bad_state[] = {{.id = "s",
                                           .track = PROBE_TRACK_DERIVED,
                                           .needs = NEED_CHAIN,
                                           .unmet_state = PR_POSITIVE,
                                           .run = run_a}};
    const struct probe_table t4 = {bad_state, 1};
    ck_assert_int_eq(probe_table_check(&t4, why, sizeof(why)), -1);
    /* a loop row may need the enumeration's facts only after the
     * enumeration's row, never the worker track's */
    const struct probe_def loop_needs[] = {
        {.id = "l_rsa",
         .track = PROBE_TRACK_LOOP,
         .needs = NEED_RSA_KX,
         .unmet_state = PR_NOT_APPLICABLE,
         .start = start_fails},
        {.id = "enumeration", .track = PROBE_TRACK_LOOP, .start = start_fails},
        {.id = "l_rsa_after",
         .track = PROBE_TRACK_LOOP,
         .needs = NEED_RSA_KX,
         .unmet_state = PR_NOT_APPLICABLE,
         .start = start_fails},
        {.id = "l_chain",
         .track = PROBE_TRACK_LOOP,
         .needs = NEED_CHAIN,
         .unmet_state = PR_NOT_APPLICABLE,
         .start = start_fails}};
    const struct probe_table t5 = {loop_needs, 4};
    ck_assert_int_eq(probe_table_check(&t5, why, sizeof(why)), -1);
    ck_assert_ptr_nonnull(strstr(why, "(l_rsa)"));
    const struct probe_table t6 = {loop_needs + 1, 2};
    ck_assert_int_eq(probe_table_check(&t6, why, sizeof(why)), 0);
    const struct probe_table t7 = {loop_needs + 1, 3};
    ck_assert_int_eq(probe_table_check(&t7, why, sizeof(why)), -1);
    ck_assert_ptr_nonnull(strstr(why, "(l_chain)"));
}
END_TEST

/* ---- the loop track: conversations to a bound, non-listening port ---- */

static int closed_fd = -1;
static uint16_t closed_port;

static void closed_port_open(void)
{
    closed_fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(closed_fd, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET};
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(closed_fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    socklen_t len = sizeof(sin);
    ck_assert_int_eq(getsockname(closed_fd, (struct sockaddr *)&sin, &len), 0);
    closed_port = ntohs(sin.sin_port);
}

struct lrow {
    const char *name;
    bool slow; /* its done waits 200 ms: the loop track finishes last */
    void (*done)(void *arg);
    void *arg;
};

static void lrow_on_connect(void *ctx, struct wbuf *out)
{
    (void)ctx;
    (void)out;
}

static enum net_step lrow_on_bytes(void *ctx, const uint8_t *in, size_t len, struct wbuf *out)
{
    (void)ctx;
    (void)in;
    (void)len;
    (void)out;
    return NET_DONE;
}

static void lrow_done(void *ctx, enum net_outcome outcome, const char *why)
{
    (void)outcome;
    (void)why;
    struct lrow *l = ctx;
    if (l->slow) {
        usleep(200 * 1000);
    }
    char text[64];
    snprintf(text, sizeof(text), "%s-done", l->name);
    log_add(text);
    l->done(l->arg);
    free(l);
}

static const struct net_probe_ops lrow_ops = {
    .on_connect = lrow_on_connect, .on_bytes = lrow_on_bytes, .done = lrow_done};

static int lrow_submit(struct probe_ctx *c, const char *name, bool slow, void (*done)(void *),
                       void *arg)
{
    struct lrow *l = calloc(1, sizeof(*l));
    ck_assert_ptr_nonnull(l);
    *l = (struct lrow){name, slow, done, arg};
    struct net_req req = {.sa = c->addr->sa, .sa_len = c->addr->sa_len, .ops = &lrow_ops, .ctx = l};
    req.group = c->group;
    log_add(name);
    if (net_submit(c->loop, &req) != 0) {
        free(l);
        return -1;
    }
    return 0;
}

static int start_l1(struct probe_ctx *c, void (*done)(void *), void *arg)
{
    return lrow_submit(c, "l1", false, done, arg);
}

static int start_l2(struct probe_ctx *c, void (*done)(void *), void *arg)
{
    return lrow_submit(c, "l2", false, done, arg);
}

static int start_fails(struct probe_ctx *c, void (*done)(void *), void *arg)
{
    (void)c;
    (void)done;
    (void)arg;
    log_add("fails");
    return -1;
}

static void track_done(void *arg)
{
    int *n = arg;
    (*n)++;
    log_add("track-done");
}

static const struct probe_def loop_defs[] = {
    {.id = "l_1", .track = PROBE_TRACK_LOOP, .start = start_l1},
    {.id = "w_x", .track = PROBE_TRACK_WORKER, .run = run_never},
    {.id = "l_fails", .track = PROBE_TRACK_LOOP, .start = start_fails},
    {.id = "l_unmet",
     .track = PROBE_TRACK_LOOP,
     .needs = NEED_CHAIN, /* not a need a loop row may declare, but the runner still skips it */
     .unmet_state = PR_NOT_APPLICABLE,
     .start = start_l1},
    {.id = "l_2", .track = PROBE_TRACK_LOOP, .start = start_l2},
};
static const struct probe_table loop_table = {loop_defs, 5};

static void addr_of_closed(struct target_addr *a)
{
    memset(a, 0, sizeof(*a));
    struct sockaddr_in *sin = (struct sockaddr_in *)&a->sa;
    sin->sin_family = AF_INET;
    sin->sin_port = htons(closed_port);
    sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a->sa_len = sizeof(*sin);
    util_copy(a->ip, sizeof(a->ip), "127.0.0.1");
}

/* The STARTTLS injection row: a worker vulnerability check after an
 * accepted version, not intrusive (it runs with --ids-friendly). */
START_TEST(starttls_injection_row)
{
    const struct probe_def *row = NULL;
    for (size_t i = 0; i < probe_table_default.n_defs; i++) {
        if (strcmp(probe_table_default.defs[i].id, "starttls_injection") == 0) {
            row = &probe_table_default.defs[i];
        }
    }
    ck_assert_ptr_nonnull(row);
    ck_assert_int_eq(row->track, PROBE_TRACK_WORKER);
    ck_assert_uint_eq(row->needs, NEED_TLS_ACCEPTED);
    ck_assert_uint_eq(row->flags, PROBE_VULN);
    ck_assert_int_eq(row->unmet_state, PR_NOT_APPLICABLE);
}
END_TEST

static int inj(const char *proto, const char *bytes)
{
    return probe_injection_answered(proto, (const uint8_t *)bytes, strlen(bytes));
}

/* What counts as an answer inside TLS: whole lines only, per protocol;
 * hostile bytes (no LF, NULs, a line cut at every offset) never crash. */
START_TEST(starttls_injection_answers)
{
    ck_assert_int_eq(inj("smtp", "250 2.0.0 Ok\r\n"), 1);
    ck_assert_int_eq(inj("smtp", "502 5.5.2 Error\r\n"), 1); /* refused, but run */
    ck_assert_int_eq(inj("smtp", "250 2.0.0 Ok"), 0);        /* no line end yet */
    ck_assert_int_eq(inj("smtp", "250-part\r\n"), 0);
    ck_assert_int_eq(inj("smtp", "garbage\r\n"), 0);
    ck_assert_int_eq(inj("ftp", "200 NOOP ok.\r\n"), 1);
    ck_assert_int_eq(inj("nntp", "111 20261203160000\r\n"), 1);
    ck_assert_int_eq(inj("imap", "* OK still here\r\n"), 0);
    ck_assert_int_eq(inj("imap", "* OK still here\r\nA3 OK NOOP completed\r\n"), 1);
    ck_assert_int_eq(inj("imap", "A33 OK\r\n"), 0);
    ck_assert_int_eq(inj("pop3", "-ERR unknown command\r\n"), 1);
    ck_assert_int_eq(inj("pop3", "+OK\n"), 1);
    /* ManageSieve re-issues its capabilities after TLS (RFC 5804 §2.2) */
    ck_assert_int_eq(inj("sieve", "\"STARTTLS\"\r\nOK \"ready\"\r\n"), 0);
    ck_assert_int_eq(inj("sieve", "\"SASL\" \"PLAIN\"\r\nOK\r\nOK \"NOOP\"\r\n"), 1);
    ck_assert_int_eq(inj("irc", ":irc.test NOTICE * :hi\r\n"), 0);
    ck_assert_int_eq(inj("irc", ":irc.test PONG irc.test :tlsaudit-injected\r\n"), 1);
    ck_assert_int_eq(inj("irc", ":irc.test PONG irc.test :other\r\n"), 0);
    ck_assert_int_eq(inj("ldap", "anything\r\n"), -1);
    ck_assert_int_eq(inj("none", ""), -1);
    static const char whole[] = "A3 OK NOOP completed\r\n";
    for (size_t cut = 0; cut < sizeof(whole) - 1; cut++) {
        ck_assert_int_eq(probe_injection_answered("imap", (const uint8_t *)whole, cut), 0);
    }
    static const uint8_t nuls[] = {0, 0, '\n', 0xff, '\n', '2', '5', '0', '\n'};
    ck_assert_int_eq(probe_injection_answered("smtp", nuls, sizeof(nuls)), 1);
    ck_assert_int_eq(probe_injection_answered("smtp", nuls, 3), 0);
}
END_TEST

START_TEST(loop_order)
{
    closed_port_open();
    struct target_result r;
    result_init(&r);
    struct target_addr a;
    addr_of_closed(&a);
    struct scan_options o = {.timeout_ms = 2000};
    struct net_loop *l = net_loop_new(4, 4, 2000, NULL);
    ck_assert_ptr_nonnull(l);
    struct probe_ctx c;
    probe_ctx_init(&c, NULL, &a, &o, &r, 0);
    c.loop = l;
    int n_done = 0;
    log_reset();
    ck_assert_int_eq(probe_loop_start(&loop_table, &c, track_done, &n_done), 1);
    ck_assert_str_eq(run_log, "l1"); /* the next row waits for l1's done */
    ck_assert_int_eq(net_loop_run(l), 0);
    ck_assert_str_eq(run_log, "l1 l1-done fails l2 l2-done track-done");
    ck_assert_int_eq(n_done, 1);
    ck_assert_uint_eq(r.probes.n_items, 1);
    ck_assert_str_eq(r.probes.items[0].id, "l_unmet");
    ck_assert_str_eq(r.probes.items[0].detail, "no certificate chain collected");
    net_loop_free(l);

    /* a track with nothing to start finishes at once, without on_done */
    const struct probe_def only_fails[] = {
        {.id = "l_fails", .track = PROBE_TRACK_LOOP, .start = start_fails}};
    const struct probe_table t = {only_fails, 1};
    ck_assert_int_eq(probe_loop_start(&t, &c, track_done, &n_done), 0);
    ck_assert_int_eq(n_done, 1);
    target_result_cleanup(&r);
    close(closed_fd);
}
END_TEST

/* ---- the derived track runs after both tracks, before delivery ------- */

static enum probe_step run_slow_worker(struct probe_ctx *c)
{
    (void)c;
    usleep(200 * 1000); /* the worker track finishes last */
    log_add("w");
    return PROBE_NEXT;
}

static enum probe_step run_worker(struct probe_ctx *c)
{
    (void)c;
    log_add("w");
    return PROBE_NEXT;
}

static enum probe_step run_derived(struct probe_ctx *c)
{
    /* both tracks are done when a derived row runs */
    log_add(log_has("w") && log_has("l1-done") ? "d-after-both" : "d-too-early");
    c->r->enumeration.n_probes = 7; /* seen by the delivery */
    return PROBE_NEXT;
}

static int start_slow_l1(struct probe_ctx *c, void (*done)(void *), void *arg)
{
    return lrow_submit(c, "l1", true, done, arg);
}

static int delivered;

static int on_result(const struct target_result *r, void *arg)
{
    (void)arg;
    delivered++;
    ck_assert_uint_eq(r->enumeration.n_probes, 7);
    ck_assert_uint_eq(r->probes.n_items, 1);
    ck_assert_str_eq(r->probes.items[0].id, "d_rsa");
    ck_assert_int_eq(r->probes.items[0].state, PR_NOT_APPLICABLE);
    ck_assert_str_eq(r->probes.items[0].detail, "no RSA key-exchange suite accepted");
    log_add("delivered");
    return 0;
}

static void derived_scan(enum probe_step (*worker_run)(struct probe_ctx *),
                         int (*loop_start)(struct probe_ctx *, void (*)(void *), void *))
{
    closed_port_open();
    const struct probe_def defs[] = {
        {.id = "d_first", .track = PROBE_TRACK_DERIVED, .run = run_derived},
        {.id = "d_rsa",
         .track = PROBE_TRACK_DERIVED,
         .needs = NEED_RSA_KX,
         .unmet_state = PR_NOT_APPLICABLE,
         .run = run_derived},
        {.id = "w", .track = PROBE_TRACK_WORKER, .run = worker_run},
        {.id = "l", .track = PROBE_TRACK_LOOP, .start = loop_start},
    };
    const struct probe_table t = {defs, 4};
    struct target_list tl;
    target_list_init(&tl);
    char text[64], err[256];
    snprintf(text, sizeof(text), "127.0.0.1:%u", (unsigned)closed_port);
    ck_assert_int_eq(target_list_add(&tl, text, NULL, NULL, "test", err, sizeof(err)), 0);
    struct scan_options o = {.jobs = 1,
                             .enumerate = true,
                             .max_conn = 2,
                             .max_conn_total = 4,
                             .timeout_ms = 2000,
                             .probes = &t};
    log_reset();
    delivered = 0;
    ck_assert_int_eq(scan_run(&tl, &o, on_result, NULL), 0);
    ck_assert_int_eq(delivered, 1);
    ck_assert(log_has("d-after-both"));
    ck_assert(!log_has("d-too-early"));
    /* d_first's line comes before the delivery */
    ck_assert_ptr_nonnull(strstr(run_log, "d-after-both delivered"));
    target_list_cleanup(&tl);
    close(closed_fd);
}

START_TEST(derived_after_both_worker_last)
{
    derived_scan(run_slow_worker, start_l1);
}
END_TEST

START_TEST(derived_after_both_loop_last)
{
    derived_scan(run_worker, start_slow_l1);
}
END_TEST

/* A scan without the loop: each loop row still gets its one row, none starts. */
START_TEST(loop_skipped_rows)
{
    static const struct probe_def defs[] = {
        {.id = "enumeration",
         .track = PROBE_TRACK_LOOP,
         .flags = PROBE_OWN_FACTS,
         .start = start_fails},
        {.id = "l_needs",
         .track = PROBE_TRACK_LOOP,
         .needs = NEED_ENUMERATION,
         .unmet_state = PR_COULD_NOT_TEST,
         .flags = PROBE_VULN,
         .start = start_fails},
        {.id = "l_free", .track = PROBE_TRACK_LOOP, .start = start_fails},
        {.id = "w_x", .track = PROBE_TRACK_WORKER, .run = run_never}};
    static const struct probe_table t = {defs, sizeof(defs) / sizeof(defs[0])};
    struct target_result r;
    struct probe_ctx c;
    struct scan_options o = {.timeout_ms = 1000};
    for (int no_vulns = 0; no_vulns <= 1; no_vulns++) {
        o.no_vulns = no_vulns;
        result_init(&r);
        probe_ctx_init(&c, NULL, NULL, &o, &r, 0);
        log_reset();
        probe_loop_skipped(&t, &c);
        ck_assert_str_eq(run_log, "");
        ck_assert_uint_eq(r.probes.n_items, 2);
        ck_assert_str_eq(r.probes.items[0].id, "l_needs");
        ck_assert_int_eq(r.probes.items[0].state, no_vulns ? PR_NOT_RUN : PR_COULD_NOT_TEST);
        ck_assert_str_eq(r.probes.items[0].detail,
                         no_vulns ? "not run: the scan was asked for no vulnerability checks "
                                    "(--no-vulns)"
                                  : "the enumeration did not run");
        ck_assert_str_eq(r.probes.items[1].id, "l_free");
        ck_assert_int_eq(r.probes.items[1].state, PR_COULD_NOT_TEST);
        probe_ctx_cleanup(&c);
        target_result_cleanup(&r);
    }
}
END_TEST

static Suite *probes_suite(void)
{
    Suite *s = suite_create("probes");
    TCase *tc = tcase_create("registry");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, needs_rsa_kx);
    tcase_add_test(tc, needs_first_missing_named);
    tcase_add_test(tc, worker_order_and_unmet_row);
    tcase_add_test(tc, could_not_test_paths);
    tcase_add_test(tc, stop_ends_track);
    tcase_add_test(tc, table_check);
    tcase_add_test(tc, loop_order);
    tcase_add_test(tc, derived_after_both_worker_last);
    tcase_add_test(tc, derived_after_both_loop_last);
    tcase_add_test(tc, no_vulns_and_ids_friendly_rows);
    tcase_add_test(tc, list_move_keeps_order);
    tcase_add_test(tc, loop_skipped_rows);
    tcase_add_test(tc, starttls_injection_row);
    tcase_add_test(tc, starttls_injection_answers);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(probes_suite());
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
