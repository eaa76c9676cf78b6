/*
 * tests/unit/net_loop_test.c - unit tests for the conversation loop
 * (scanner/net/loop.c) against listeners of its own on 127.0.0.1: done()
 * exactly once per
 * probe, done() callbacks that cancel the queue and submit more while a
 * probe fails the moment it starts (the queue walk must survive that), the
 * global and per-group caps, the retry after a reset, the timeout, file
 * descriptors running out (the cap lowered, the probes finished), and the
 * per-group deadline; conversations that write after reading (an echo
 * exchange, three writes) and the pre-TLS dialogue hook (a fake STARTTLS).
 *
 * Servers that answer run in a forked child (its own descriptor table, so
 * a test can lower this process's RLIMIT_NOFILE); silent ones are
 * listening sockets nobody accepts on (the kernel completes the TCP
 * handshake into the backlog). Each test runs in its own process (Check's
 * fork mode). Immediate failures need no network: connect() with an
 * address length too short for AF_INET fails with EINVAL, socket() with
 * AF_UNSPEC with EAFNOSUPPORT.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "scanner/net/loop.h"
#include "tests/unit/net_fake.h"

#define MAX_PROBES 64

static const uint8_t test_hello[] = "HELLO";

/* What one probe saw. */
struct pctx {
    int id;
    int n_done;
    enum net_outcome outcome;
    char why[160];
    int n_reset;
    size_t got;
    char in[64]; /* conversations: what arrived since the last answer */
    size_t in_len;
    int n_answers;  /* conversations: complete answers seen */
    size_t big_len; /* c_feed: bytes to append after "A1" instead of "B2" (0: "B2") */
    /* Called from done() before anything else is recorded, or NULL. */
    void (*on_done)(struct pctx *c);
};

static struct pctx ctxs[MAX_PROBES];
static int n_ctxs;
static struct net_loop *loop;
static int n_notices;
static char last_notice[256];

static void t_on_connect(void *ctx, struct wbuf *out)
{
    (void)ctx;
    (void)wbuf_put_bytes(out, test_hello, sizeof(test_hello));
}

static enum net_step t_feed(void *ctx, const uint8_t *data, size_t len, struct wbuf *out)
{
    struct pctx *c = ctx;
    (void)data;
    (void)out;
    c->got += len;
    return c->got >= 2 ? NET_DONE : NET_MORE;
}

static void t_reset(void *ctx)
{
    struct pctx *c = ctx;
    c->n_reset++;
    c->got = 0;
}

static void t_done(void *ctx, enum net_outcome o, const char *why)
{
    struct pctx *c = ctx;
    c->n_done++;
    c->outcome = o;
    util_copy(c->why, sizeof(c->why), why);
    if (c->on_done != NULL) {
        c->on_done(c);
    }
}

static void t_notice(void *arg, const char *text)
{
    (void)arg;
    n_notices++;
    util_copy(last_notice, sizeof(last_notice), text);
}

static const struct net_probe_ops t_ops = {
    .on_connect = t_on_connect,
    .on_bytes = t_feed,
    .reset = t_reset,
    .done = t_done,
};

enum serve_mode {
    SERVE_ANSWER,      /* read the hello, answer "OK", close */
    SERVE_RESET_FIRST, /* the first connection is reset after the hello, the rest answered */
    SERVE_RESET_ALL,   /* every connection reset after the hello */
    SERVE_CONVERSE,    /* after the hello: "A1", expect "B2", "A2", expect "B3", "A3", close */
    SERVE_CONVERSE_RESET_FIRST, /* SERVE_CONVERSE, the first connection reset after "B2" */

};

/* Closes c with an RST. */
static void reset_close(int c)
{
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    (void)setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    close(c);
}

/* The rest of a SERVE_CONVERSE exchange after the hello: each answer
 * only after the message that must follow the previous one. */
static void converse_serve(int c, bool reset_after_b2)
{
    static const char *const answer[] = {"A1", "A2", "A3"}, *const expect[] = {"B2", "B3"};
    char buf[8];
    for (int k = 0; k < 3; k++) {
        (void)!write(c, answer[k], 2);
        if (k < 2 && (!net_fake_read_exact(c, buf, 2) || strcmp(buf, expect[k]) != 0)) {
            (void)!write(c, "XX", 2);
            break;
        }
        if (k == 0 && reset_after_b2) {
            reset_close(c);
            return;
        }
    }
    close(c);
}

static void serve(int lfd, enum serve_mode mode)
{
    int n = 0;
    for (;;) {
        int c = accept(lfd, NULL, NULL);
        if (c < 0) {
            continue;
        }
        char buf[64];
        if (mode == SERVE_CONVERSE || mode == SERVE_CONVERSE_RESET_FIRST) {
            if (net_fake_read_exact(c, buf, sizeof(test_hello))) {
                converse_serve(c, mode == SERVE_CONVERSE_RESET_FIRST && n == 0);
            } else {
                close(c);
            }
            n++;
            continue;
        }
        ssize_t got = 0;
        while (got < (ssize_t)sizeof(test_hello)) {
            ssize_t r = read(c, buf, sizeof(buf));
            if (r <= 0) {
                break;
            }
            got += r;
        }
        if (mode == SERVE_RESET_ALL || (mode == SERVE_RESET_FIRST && n == 0)) {
            reset_close(c);
        } else {
            (void)!write(c, "OK", 2);
            close(c);
        }
        n++;
    }
}

static pid_t server_pid = -1;

/* Starts an answering server in a child process; returns its port. */
static uint16_t server_start(enum serve_mode mode)
{
    uint16_t port;
    int lfd = net_fake_listen(&port);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
        alarm(60);
        signal(SIGPIPE, SIG_IGN); /* a client gone early must not kill the server */
        serve(lfd, mode);
        _exit(0);
    }
    close(lfd);
    server_pid = pid;
    return port;
}

static void server_stop(void)
{
    if (server_pid > 0) {
        kill(server_pid, SIGKILL);
        (void)waitpid(server_pid, NULL, 0);
        server_pid = -1;
    }
}

/* A new probe context. */
static struct pctx *new_ctx(void)
{
    ck_assert_int_lt(n_ctxs, MAX_PROBES);
    struct pctx *c = &ctxs[n_ctxs];
    memset(c, 0, sizeof(*c));
    c->id = n_ctxs++;
    return c;
}

/* Submits a probe to 127.0.0.1:port in group; sa_len 0 means the right
 * length; unspec makes the family AF_UNSPEC. Returns its context. */
static struct pctx *submit_req(uint16_t port, unsigned group, socklen_t sa_len, bool unspec,
                               const struct net_probe_ops *ops, const struct net_dialogue *d)
{
    struct pctx *c = new_ctx();
    struct net_req r = {.group = group, .ops = ops, .ctx = c, .dialogue = d};
    struct sockaddr_in *a = (struct sockaddr_in *)&r.sa;
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    r.sa_len = sa_len ? sa_len : sizeof(*a);
    if (unspec) {
        r.sa.ss_family = AF_UNSPEC;
    }
    ck_assert_int_eq(net_submit(loop, &r), 0);
    return c;
}

static struct pctx *submit_x(uint16_t port, unsigned group, socklen_t sa_len, bool unspec)
{
    return submit_req(port, group, sa_len, unspec, &t_ops, NULL);
}

static struct pctx *submit(uint16_t port, unsigned group)
{
    return submit_x(port, group, 0, false);
}

static void assert_done_once(void)
{
    for (int i = 0; i < n_ctxs; i++) {
        ck_assert_msg(ctxs[i].n_done == 1, "probe %d: done() called %d times", i, ctxs[i].n_done);
    }
}

static void setup(void)
{
    n_ctxs = 0;
    n_notices = 0;
    last_notice[0] = '\0';
    loop = NULL;
}

static void teardown(void)
{
    net_loop_free(loop);
    loop = NULL;
    server_stop();
}

START_TEST(test_done_once_each)
{
    uint16_t port = server_start(SERVE_ANSWER);
    loop = net_loop_new(8, 2, 5000, NULL);
    ck_assert_ptr_nonnull(loop);
    for (int i = 0; i < 30; i++) {
        submit(port, (unsigned)(i % 5));
    }
    ck_assert_int_eq(net_loop_run(loop), 0);
    assert_done_once();
    for (int i = 0; i < n_ctxs; i++) {
        ck_assert_msg(ctxs[i].outcome == NET_COMPLETED, "probe %d: %s (%s)", i,
                      net_outcome_name(ctxs[i].outcome), ctxs[i].why);
    }
    struct net_stats st;
    net_loop_stats(loop, &st);
    ck_assert_uint_eq(st.submitted, 30);
    ck_assert_uint_eq(st.finished, 30);
    ck_assert_uint_le(st.max_in_flight, 8);
    ck_assert_uint_eq(st.queued, 0);
    ck_assert_uint_eq(st.in_flight, 0);
}
END_TEST

/* ---- done() that cancels and submits while a probe fails at start ------ */

static uint16_t answer_port;

/* The immediate failure's done(): cancel the rest of group 0, queue two
 * more there (the freed probes' memory is likely reused for them). */
static void cancel_and_submit(struct pctx *c)
{
    (void)c;
    net_cancel_queued(loop, 0);
    submit(answer_port, 0);
    submit(answer_port, 0);
}

START_TEST(test_immediate_failure_cancels_next)
{
    answer_port = server_start(SERVE_ANSWER);
    /* One connection per group: of g1..g3 only g1 can start while the
     * queue is walked; g2 and g3 are still queued when bad's done() runs. */
    loop = net_loop_new(8, 1, 5000, NULL);
    ck_assert_ptr_nonnull(loop);
    /* connect() with 3 bytes of address: EINVAL at once. */
    struct pctx *bad = submit_x(answer_port, 0, 3, false);
    bad->on_done = cancel_and_submit;
    struct pctx *g1 = submit(answer_port, 0);
    struct pctx *g2 = submit(answer_port, 0);
    struct pctx *g3 = submit(answer_port, 0);
    /* socket(AF_UNSPEC): EAFNOSUPPORT at once. */
    struct pctx *bad2 = submit_x(answer_port, 1, 0, true);
    struct pctx *h = submit(answer_port, 1);
    ck_assert_int_eq(net_loop_run(loop), 0);
    assert_done_once();
    ck_assert_int_eq(n_ctxs, 8);
    ck_assert_int_eq(bad->outcome, NET_CONNECT_FAILED);
    ck_assert_msg(strstr(bad->why, "connect: ") != NULL, "why: %s", bad->why);
    ck_assert_int_eq(bad2->outcome, NET_CONNECT_FAILED);
    ck_assert_msg(strstr(bad2->why, "socket: ") != NULL, "why: %s", bad2->why);
    ck_assert_int_eq(g1->outcome, NET_COMPLETED);
    ck_assert_int_eq(g2->outcome, NET_CANCELLED);
    ck_assert_int_eq(g3->outcome, NET_CANCELLED);
    ck_assert_int_eq(h->outcome, NET_COMPLETED);
    ck_assert_int_eq(ctxs[6].outcome, NET_COMPLETED); /* submitted by bad's done() */
    ck_assert_int_eq(ctxs[7].outcome, NET_COMPLETED);
}
END_TEST

START_TEST(test_immediate_failure_cancels_prev)
{
    answer_port = server_start(SERVE_ANSWER);
    uint16_t silent_port;
    int silent = net_fake_listen(&silent_port);
    /* One connection per group: a1 runs, a2 waits in the queue before bad. */
    loop = net_loop_new(8, 1, 300, NULL);
    ck_assert_ptr_nonnull(loop);
    struct pctx *a1 = submit(silent_port, 0);
    struct pctx *a2 = submit(silent_port, 0);
    struct pctx *bad = submit_x(answer_port, 2, 3, false);
    bad->on_done = cancel_and_submit;
    struct pctx *c = submit(answer_port, 3);
    struct pctx *d = submit(answer_port, 4);
    ck_assert_int_eq(net_loop_run(loop), 0);
    assert_done_once();
    ck_assert_int_eq(n_ctxs, 7);
    ck_assert_int_eq(a1->outcome, NET_TIMEOUT);
    ck_assert_int_eq(a2->outcome, NET_CANCELLED);
    ck_assert_int_eq(bad->outcome, NET_CONNECT_FAILED);
    ck_assert_int_eq(c->outcome, NET_COMPLETED);
    ck_assert_int_eq(d->outcome, NET_COMPLETED);
    ck_assert_int_eq(ctxs[5].outcome, NET_COMPLETED);
    ck_assert_int_eq(ctxs[6].outcome, NET_COMPLETED);
    close(silent);
}
END_TEST

/* ---- caps ---------------------------------------------------------------- */

static volatile sig_atomic_t stop_flag;

static void *run_thread(void *arg)
{
    (void)arg;
    (void)net_loop_run(loop);
    return NULL;
}

/* Accepts every pending connection on fd (non-blocking); returns how many. */
static int accept_all(int fd, int *keep, int *n_keep)
{
    int n = 0;
    for (;;) {
        int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK);
        if (c < 0) {
            return n;
        }
        keep[(*n_keep)++] = c;
        n++;
    }
}

START_TEST(test_caps)
{
    uint16_t pa, pb;
    int la = net_fake_listen(&pa), lb = net_fake_listen(&pb);
    ck_assert_int_eq(fcntl(la, F_SETFL, O_NONBLOCK), 0);
    ck_assert_int_eq(fcntl(lb, F_SETFL, O_NONBLOCK), 0);
    stop_flag = 0;
    /* Three at once in all, two per group; nothing answers, nothing
     * times out while the test looks. */
    loop = net_loop_new(3, 2, 20000, &stop_flag);
    ck_assert_ptr_nonnull(loop);
    for (int i = 0; i < 5; i++) {
        submit(pa, 0);
    }
    for (int i = 0; i < 4; i++) {
        submit(pb, 1);
    }
    pthread_t tid;
    ck_assert_int_eq(pthread_create(&tid, NULL, run_thread, NULL), 0);
    int keep[32], n_keep = 0, na = 0, nb = 0;
    int64_t until = util_mono_ms() + 10000;
    while (na + nb < 3 && util_mono_ms() < until) {
        na += accept_all(la, keep, &n_keep);
        nb += accept_all(lb, keep, &n_keep);
        (void)poll(NULL, 0, 10);
    }
    /* Whatever a broken cap would let through has had time to arrive. */
    (void)poll(NULL, 0, 300);
    na += accept_all(la, keep, &n_keep);
    nb += accept_all(lb, keep, &n_keep);
    __atomic_store_n(&stop_flag, 1, __ATOMIC_SEQ_CST);
    ck_assert_int_eq(pthread_join(tid, NULL), 0);
    ck_assert_int_eq(na, 2); /* group 0 at its cap */
    ck_assert_int_eq(nb, 1); /* the rest of the global cap */
    assert_done_once();
    for (int i = 0; i < n_ctxs; i++) {
        ck_assert_int_eq(ctxs[i].outcome, NET_CANCELLED);
    }
    struct net_stats st;
    net_loop_stats(loop, &st);
    ck_assert_uint_eq(st.max_in_flight, 3);
    for (int i = 0; i < n_keep; i++) {
        close(keep[i]);
    }
    close(la);
    close(lb);
}
END_TEST

/* A group's own cap (net_group_limits: a STARTTLS target's 2) holds below
 * the loop's per-group cap, and the other groups keep the loop's. */
START_TEST(test_group_limits)
{
    uint16_t pa, pb;
    int la = net_fake_listen(&pa), lb = net_fake_listen(&pb);
    ck_assert_int_eq(fcntl(la, F_SETFL, O_NONBLOCK), 0);
    ck_assert_int_eq(fcntl(lb, F_SETFL, O_NONBLOCK), 0);
    stop_flag = 0;
    loop = net_loop_new(8, 4, 20000, &stop_flag);
    ck_assert_ptr_nonnull(loop);
    ck_assert_int_eq(net_group_limits(loop, 0, 1, 5000), 0);
    for (int i = 0; i < 5; i++) {
        submit(pa, 0);
        submit(pb, 1);
    }
    pthread_t tid;
    ck_assert_int_eq(pthread_create(&tid, NULL, run_thread, NULL), 0);
    int keep[32], n_keep = 0, na = 0, nb = 0;
    int64_t until = util_mono_ms() + 10000;
    while (na + nb < 5 && util_mono_ms() < until) {
        na += accept_all(la, keep, &n_keep);
        nb += accept_all(lb, keep, &n_keep);
        (void)poll(NULL, 0, 10);
    }
    /* Whatever a broken cap would let through has had time to arrive. */
    (void)poll(NULL, 0, 300);
    na += accept_all(la, keep, &n_keep);
    nb += accept_all(lb, keep, &n_keep);
    __atomic_store_n(&stop_flag, 1, __ATOMIC_SEQ_CST);
    ck_assert_int_eq(pthread_join(tid, NULL), 0);
    ck_assert_int_eq(na, 1); /* group 0 at its own cap */
    ck_assert_int_eq(nb, 4); /* group 1 at the loop's */
    assert_done_once();
    for (int i = 0; i < n_keep; i++) {
        close(keep[i]);
    }
    close(la);
    close(lb);
}
END_TEST

/* ---- retry and timeout --------------------------------------------------- */

START_TEST(test_retry_after_reset)
{
    uint16_t port = server_start(SERVE_RESET_FIRST);
    loop = net_loop_new(4, 4, 5000, NULL);
    ck_assert_ptr_nonnull(loop);
    struct pctx *c = submit(port, 0);
    ck_assert_int_eq(net_loop_run(loop), 0);
    assert_done_once();
    ck_assert_msg(c->outcome == NET_COMPLETED, "%s (%s)", net_outcome_name(c->outcome), c->why);
    ck_assert_int_eq(c->n_reset, 1);
    struct net_stats st;
    net_loop_stats(loop, &st);
    ck_assert_uint_eq(st.retries, 1);
    ck_assert_uint_eq(st.connects, 2);
}
END_TEST

START_TEST(test_reset_twice)
{
    uint16_t port = server_start(SERVE_RESET_ALL);
    loop = net_loop_new(4, 4, 5000, NULL);
    ck_assert_ptr_nonnull(loop);
    struct pctx *c = submit(port, 0);
    ck_assert_int_eq(net_loop_run(loop), 0);
    assert_done_once();
    ck_assert_msg(c->outcome == NET_RESET, "%s (%s)", net_outcome_name(c->outcome), c->why);
    ck_assert_int_eq(c->n_reset, 1); /* one retry, no more */
}
END_TEST

START_TEST(test_timeout)
{
    uint16_t port;
    int silent = net_fake_listen(&port);
    loop = net_loop_new(4, 4, 200, NULL);
    ck_assert_ptr_nonnull(loop);
    struct pctx *c = submit(port, 0);
    ck_assert_int_eq(net_loop_run(loop), 0);
    assert_done_once();
    ck_assert_int_eq(c->outcome, NET_TIMEOUT);
    ck_assert_msg(strstr(c->why, "timed out") != NULL, "why: %s", c->why);
    ck_assert_int_eq(c->n_reset, 1);
    struct net_stats st;
    net_loop_stats(loop, &st);
    ck_assert_uint_eq(st.retries, 1);
    close(silent);
}
END_TEST

/* ---- the group deadline -------------------------------------------------- */

START_TEST(test_group_deadline)
{
    uint16_t silent_port;
    int silent = net_fake_listen(&silent_port);
    uint16_t port = server_start(SERVE_ANSWER);
    loop = net_loop_new(8, 1, 20000, NULL);
    ck_assert_ptr_nonnull(loop);
    ck_assert_int_eq(net_group_deadline(loop, 0, util_mono_ms() + 300), 0);
    struct pctx *a = submit(silent_port, 0);
    struct pctx *b = submit(silent_port, 0); /* waits behind a, then expires unstarted */
    struct pctx *other = submit(port, 1);
    ck_assert_int_eq(net_loop_run(loop), 0);
    assert_done_once();
    ck_assert_int_eq(a->outcome, NET_EXPIRED);
    ck_assert_int_eq(a->n_reset, 0); /* no retry after the deadline */
    ck_assert_int_eq(b->outcome, NET_EXPIRED);
    ck_assert_int_eq(other->outcome, NET_COMPLETED);
    struct net_stats st;
    net_loop_stats(loop, &st);
    ck_assert_uint_eq(st.connects, 2); /* a and other; b never connected */
    close(silent);
}
END_TEST

/* ---- file descriptors running out ------------------------------------------ */

START_TEST(test_out_of_fds_lowers_cap)
{
    uint16_t port = server_start(SERVE_ANSWER);
    loop = net_loop_new(64, 64, 5000, NULL);
    ck_assert_ptr_nonnull(loop);
    net_loop_set_notice(loop, t_notice, NULL);
    for (int i = 0; i < 40; i++) {
        submit(port, 0);
    }
    net_fake_allow_fds(6);
    ck_assert_int_eq(net_loop_run(loop), 0);
    assert_done_once();
    for (int i = 0; i < n_ctxs; i++) {
        ck_assert_msg(ctxs[i].outcome == NET_COMPLETED, "probe %d: %s (%s)", i,
                      net_outcome_name(ctxs[i].outcome), ctxs[i].why);
    }
    struct net_stats st;
    net_loop_stats(loop, &st);
    ck_assert_uint_ge(st.cap_lowered, 1);
    ck_assert_uint_le(st.cap_total, 3); /* half of the 6 that could be open */
    ck_assert_uint_le(st.max_in_flight, 6);
    ck_assert_int_eq(n_notices, (int)st.cap_lowered);
    ck_assert_msg(strstr(last_notice, "out of file descriptors") != NULL, "notice: %s",
                  last_notice);
}
END_TEST

START_TEST(test_out_of_fds_nothing_in_flight)
{
    uint16_t port;
    int lfd = net_fake_listen(&port);
    loop = net_loop_new(64, 64, 5000, NULL);
    ck_assert_ptr_nonnull(loop);
    struct pctx *a = submit(port, 0);
    struct pctx *b = submit(port, 1);
    net_fake_allow_fds(0);
    ck_assert_int_eq(net_loop_run(loop), 0);
    assert_done_once();
    ck_assert_int_eq(a->outcome, NET_LOCAL_ERROR);
    ck_assert_int_eq(b->outcome, NET_LOCAL_ERROR);
    ck_assert_msg(strstr(a->why, "socket: ") != NULL, "why: %s", a->why);
    close(lfd);
}
END_TEST

/* ---- conversations: writing after reading --------------------------------- */

/* SERVE_CONVERSE's client: after "A1" send "B2", after "A2" send "B3",
 * done at "A3". Answers may arrive split; each is two bytes. */
static enum net_step c_feed(void *ctx, const uint8_t *data, size_t len, struct wbuf *out)
{
    struct pctx *c = ctx;
    for (size_t i = 0; i < len; i++) {
        if (c->in_len + 1 >= sizeof(c->in)) {
            return NET_FAILED;
        }
        c->in[c->in_len++] = (char)data[i];
        c->in[c->in_len] = '\0';
        if (c->in_len < 2) {
            continue;
        }
        c->n_answers++;
        c->in_len = 0;
        if (i + 1 != len) {
            return NET_FAILED; /* the server must wait for our next message */
        }
        if (strcmp(c->in, "A1") == 0 && c->big_len > 0) {
            (void)wbuf_put_zeros(out, c->big_len);
        } else if (strcmp(c->in, "A1") == 0) {
            (void)wbuf_put_bytes(out, (const uint8_t *)"B2", 2);
        } else if (strcmp(c->in, "A2") == 0) {
            (void)wbuf_put_bytes(out, (const uint8_t *)"B3", 2);
        } else if (strcmp(c->in, "A3") == 0) {
            return NET_DONE;
        } else {
            return NET_FAILED;
        }
    }
    return NET_MORE;
}

static void c_reset(void *ctx)
{
    struct pctx *c = ctx;
    c->n_reset++;
    c->in_len = 0;
    c->n_answers = 0;
}

static const struct net_probe_ops c_ops = {
    .on_connect = t_on_connect,
    .on_bytes = c_feed,
    .reset = c_reset,
    .done = t_done,
};

/* Three writes (the hello, "B2", "B3"), each only after the server's
 * answer to the one before: the loop switches to writing and back. */
START_TEST(test_write_after_read)
{
    uint16_t port = server_start(SERVE_CONVERSE);
    loop = net_loop_new(4, 4, 5000, NULL);
    ck_assert_ptr_nonnull(loop);
    struct pctx *c[3];
    for (int i = 0; i < 3; i++) {
        c[i] = submit_req(port, 0, 0, false, &c_ops, NULL);
    }
    ck_assert_int_eq(net_loop_run(loop), 0);
    assert_done_once();
    for (int i = 0; i < 3; i++) {
        ck_assert_msg(c[i]->outcome == NET_COMPLETED, "probe %d: %s (%s)", i,
                      net_outcome_name(c[i]->outcome), c[i]->why);
        ck_assert_int_eq(c[i]->n_answers, 3);
    }
    struct net_stats st;
    net_loop_stats(loop, &st);
    ck_assert_uint_eq(st.writes, 9); /* three per conversation */
    ck_assert_uint_eq(st.retries, 0);
}
END_TEST

/* A reset in the middle of a conversation: the retry starts it over
 * (reset(), on_connect's bytes again) and completes it. */
START_TEST(test_write_after_read_retry)
{
    uint16_t port = server_start(SERVE_CONVERSE_RESET_FIRST);
    loop = net_loop_new(4, 4, 5000, NULL);
    ck_assert_ptr_nonnull(loop);
    struct pctx *c = submit_req(port, 0, 0, false, &c_ops, NULL);
    ck_assert_int_eq(net_loop_run(loop), 0);
    assert_done_once();
    ck_assert_msg(c->outcome == NET_COMPLETED, "%s (%s)", net_outcome_name(c->outcome), c->why);
    ck_assert_int_eq(c->n_reset, 1);
    ck_assert_int_eq(c->n_answers, 3);
    struct net_stats st;
    net_loop_stats(loop, &st);
    ck_assert_uint_eq(st.retries, 1);
    ck_assert_uint_eq(st.writes, 5); /* hello, B2; then hello, B2, B3 */
}
END_TEST

/* More bytes to send than NET_MAX_OUT: a local error, not the server's. */
START_TEST(test_write_over_cap)
{
    uint16_t port = server_start(SERVE_CONVERSE);
    loop = net_loop_new(4, 4, 5000, NULL);
    ck_assert_ptr_nonnull(loop);
    struct pctx *c = submit_req(port, 0, 0, false, &c_ops, NULL);
    c->big_len = NET_MAX_OUT + 1;
    ck_assert_int_eq(net_loop_run(loop), 0);
    assert_done_once();
    ck_assert_int_eq(c->outcome, NET_LOCAL_ERROR);
    ck_assert_msg(strstr(c->why, "bytes to send") != NULL, "why: %s", c->why);
    ck_assert_int_eq(c->n_reset, 0);
}
END_TEST

/* ---- the pre-TLS dialogue --------------------------------------------------- */

/* The server demands "STARTTLS\r\n", answers "OK\r\n" and only then reads
 * the hello; the probe's on_connect bytes follow the dialogue. */
START_TEST(test_dialogue_then_hello)
{
    uint16_t port;
    int lfd = net_fake_listen(&port);
    int rep;
    pid_t pid = net_fake_server(lfd, FAKE_STARTTLS_OK, sizeof(test_hello), "OK", &rep);
    close(lfd);
    loop = net_loop_new(4, 4, 5000, NULL);
    ck_assert_ptr_nonnull(loop);
    struct pctx *c = submit_req(port, 0, 0, false, &t_ops, &net_fake_dialogue);
    ck_assert_int_eq(net_loop_run(loop), 0);
    char report[256];
    net_fake_report(pid, rep, report, sizeof(report));
    assert_done_once();
    ck_assert_msg(c->outcome == NET_COMPLETED, "%s (%s)", net_outcome_name(c->outcome), c->why);
    ck_assert_int_eq(c->got, 2); /* "OK" to the hello; the dialogue's bytes were not fed */
    ck_assert_str_eq(report, "line=STARTTLS__ after=6 first=48454c4c4f00");
    struct net_stats st;
    net_loop_stats(loop, &st);
    ck_assert_uint_eq(st.writes, 2); /* the command, then the hello */
}
END_TEST

/* The server says no: the probe ends NET_PRE_TLS_FAILED with the
 * dialogue's reason, no retry, and the hello is never sent. */
START_TEST(test_dialogue_refused)
{
    uint16_t port;
    int lfd = net_fake_listen(&port);
    int rep;
    pid_t pid = net_fake_server(lfd, FAKE_STARTTLS_NO, 0, NULL, &rep);
    close(lfd);
    loop = net_loop_new(4, 4, 5000, NULL);
    ck_assert_ptr_nonnull(loop);
    struct pctx *c = submit_req(port, 0, 0, false, &t_ops, &net_fake_dialogue);
    ck_assert_int_eq(net_loop_run(loop), 0);
    char report[256];
    net_fake_report(pid, rep, report, sizeof(report));
    assert_done_once();
    ck_assert_int_eq(c->outcome, NET_PRE_TLS_FAILED);
    ck_assert_str_eq(c->why, "fake: server said \"NO\"");
    ck_assert_int_eq(c->n_reset, 0);
    ck_assert_int_eq(c->got, 0);
    ck_assert_str_eq(report, "line=STARTTLS__ after=0 first=");
}
END_TEST

/* A reset inside the dialogue: the retry starts it over with its state
 * zeroed (the half reply "O" of the first connection is forgotten), then
 * the hello follows the second dialogue. */
START_TEST(test_dialogue_retry)
{
    uint16_t port;
    int lfd = net_fake_listen(&port);
    int rep;
    pid_t pid = net_fake_server(lfd, FAKE_STARTTLS_RESET_FIRST, sizeof(test_hello), "OK", &rep);
    close(lfd);
    loop = net_loop_new(4, 4, 5000, NULL);
    ck_assert_ptr_nonnull(loop);
    struct pctx *c = submit_req(port, 0, 0, false, &t_ops, &net_fake_dialogue);
    ck_assert_int_eq(net_loop_run(loop), 0);
    char report[256];
    net_fake_report(pid, rep, report, sizeof(report));
    assert_done_once();
    ck_assert_msg(c->outcome == NET_COMPLETED, "%s (%s)", net_outcome_name(c->outcome), c->why);
    ck_assert_int_eq(c->n_reset, 1);
    ck_assert_str_eq(report, "line=STARTTLS__ after=6 first=48454c4c4f00");
}
END_TEST

static Suite *net_loop_suite(void)
{
    Suite *s = suite_create("net_loop");
    TCase *tc = tcase_create("loop");
    tcase_set_timeout(tc, 30);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_done_once_each);
    tcase_add_test(tc, test_immediate_failure_cancels_next);
    tcase_add_test(tc, test_immediate_failure_cancels_prev);
    tcase_add_test(tc, test_caps);
    tcase_add_test(tc, test_group_limits);
    tcase_add_test(tc, test_retry_after_reset);
    tcase_add_test(tc, test_reset_twice);
    tcase_add_test(tc, test_timeout);
    tcase_add_test(tc, test_group_deadline);
    tcase_add_test(tc, test_out_of_fds_lowers_cap);
    tcase_add_test(tc, test_out_of_fds_nothing_in_flight);
    tcase_add_test(tc, test_write_after_read);
    tcase_add_test(tc, test_write_after_read_retry);
    tcase_add_test(tc, test_write_over_cap);
    tcase_add_test(tc, test_dialogue_then_hello);
    tcase_add_test(tc, test_dialogue_refused);
    tcase_add_test(tc, test_dialogue_retry);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(net_loop_suite());
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
