/*
 * scanner/probe.c - the epoll probe loop (see probe.h).
 *
 * Invariants: a probe is in exactly one place: the queue (not started), the
 * in-flight table (an open socket registered with epoll), the list of
 * probes that failed as they started (done() not called yet), or freed
 * after its done() call. group_count[g] is the number of in-flight probes
 * of group g; group_count[g] <= max_per_group, and a probe starts only
 * while n_in_flight < max_total (max_total can drop below n_in_flight when
 * descriptors run out, see lower_cap).
 *
 * done() is never called while the queue is being walked: a done() may
 * cancel queued probes or submit new ones (enumerate.c does both), which
 * would free or relink the very probes the walk holds. A probe that fails
 * as it starts (socket(), connect() or epoll_ctl failing at once, or its
 * group's deadline passed) goes to the failed list, which is drained once
 * the walk is over.
 */
#include "scanner/probe.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "common/util.h"

#define PROBE_READ_BUF (16 * 1024)
#define PROBE_SLICE_MS 200

struct probe {
    struct probe_req req;
    uint8_t *hello; /* owned copy of req.hello */
    size_t sent;
    int fd;
    bool connected;
    bool reading;
    int attempt; /* 0, then 1 for the retry */
    int64_t deadline;
    size_t slot;        /* index in the in-flight table */
    struct probe *next; /* queue link, or failed-list link */
    /* Set when it failed as it started (on the failed list). */
    enum probe_outcome fail_outcome;
    char fail_why[128];
};

struct probe_loop {
    int ep;
    unsigned max_total; /* the cap; lowered when descriptors run out */
    unsigned max_group;
    int timeout_ms;
    const volatile sig_atomic_t *stop;
    struct probe *q_head, *q_tail;
    size_t n_queued;
    struct probe *f_head, *f_tail; /* failed as they started: done() pending */
    struct probe **flight;         /* n_slots slots */
    size_t n_slots;                /* the cap given to probe_loop_new */
    size_t n_in_flight;
    unsigned *group_count;
    int64_t *group_deadline; /* mono_ms; 0: none */
    int64_t earliest_gd;     /* the soonest group deadline not yet acted on; 0: none */
    size_t n_groups;
    void (*notice)(void *arg, const char *text);
    void *notice_arg;
    struct probe_stats stats;
    uint8_t buf[PROBE_READ_BUF];
};

const char *probe_outcome_name(enum probe_outcome o)
{
    switch (o) {
    case PROBE_DONE:
        return "done";
    case PROBE_FAILED:
        return "unparsable answer";
    case PROBE_CLOSED:
        return "closed by the server";
    case PROBE_RESET:
        return "connection reset";
    case PROBE_TIMEOUT:
        return "timed out";
    case PROBE_CONNECT_FAILED:
        return "connect failed";
    case PROBE_CANCELLED:
        return "cancelled";
    case PROBE_LOCAL_ERROR:
        return "local error";
    case PROBE_EXPIRED:
        return "the target's time budget ran out";
    }
    return "?";
}

static int64_t mono_ms(void)
{
    return util_mono_ms();
}

struct probe_loop *probe_loop_new(unsigned max_conn_total, unsigned max_conn_per_group,
                                  int timeout_ms, const volatile sig_atomic_t *stop)
{
    struct probe_loop *l = calloc(1, sizeof(*l));
    if (l == NULL) {
        return NULL;
    }
    l->max_total = max_conn_total ? max_conn_total : 1;
    l->max_group = max_conn_per_group ? max_conn_per_group : 1;
    l->timeout_ms = timeout_ms > 0 ? timeout_ms : 1;
    l->stop = stop;
    l->n_slots = l->max_total;
    l->stats.cap_total = l->max_total;
    l->flight = calloc(l->n_slots, sizeof(*l->flight));
    l->ep = epoll_create1(EPOLL_CLOEXEC);
    if (l->flight == NULL || l->ep < 0) {
        probe_loop_free(l);
        return NULL;
    }
    return l;
}

static void probe_free(struct probe *p)
{
    free(p->hello);
    free(p);
}

void probe_loop_free(struct probe_loop *l)
{
    if (l == NULL) {
        return;
    }
    while (l->q_head != NULL) {
        struct probe *p = l->q_head;
        l->q_head = p->next;
        probe_free(p);
    }
    while (l->f_head != NULL) {
        struct probe *p = l->f_head;
        l->f_head = p->next;
        probe_free(p);
    }
    for (size_t i = 0; l->flight != NULL && i < l->n_slots; i++) {
        if (l->flight[i] != NULL) {
            close(l->flight[i]->fd);
            probe_free(l->flight[i]);
        }
    }
    free(l->flight);
    free(l->group_count);
    free(l->group_deadline);
    if (l->ep >= 0) {
        close(l->ep);
    }
    free(l);
}

static int ensure_group(struct probe_loop *l, unsigned g)
{
    if (g < l->n_groups) {
        return 0;
    }
    size_t n = l->n_groups ? l->n_groups : 16;
    while (n <= g) {
        n *= 2;
    }
    unsigned *c = realloc(l->group_count, n * sizeof(*c));
    if (c == NULL) {
        return -1;
    }
    l->group_count = c;
    int64_t *d = realloc(l->group_deadline, n * sizeof(*d));
    if (d == NULL) {
        return -1; /* group_count grew, n_groups did not: harmless */
    }
    l->group_deadline = d;
    memset(c + l->n_groups, 0, (n - l->n_groups) * sizeof(*c));
    memset(d + l->n_groups, 0, (n - l->n_groups) * sizeof(*d));
    l->n_groups = n;
    return 0;
}

static void enqueue(struct probe_loop *l, struct probe *p, bool front)
{
    p->next = NULL;
    if (l->q_head == NULL) {
        l->q_head = l->q_tail = p;
    } else if (front) {
        p->next = l->q_head;
        l->q_head = p;
    } else {
        l->q_tail->next = p;
        l->q_tail = p;
    }
    l->n_queued++;
}

int probe_submit(struct probe_loop *l, const struct probe_req *r)
{
    if (r->hello_len == 0 || r->hello_len > PROBE_MAX_HELLO || r->sa_len > sizeof(r->sa) ||
        ensure_group(l, r->group) != 0) {
        return -1;
    }
    struct probe *p = calloc(1, sizeof(*p));
    if (p == NULL) {
        return -1;
    }
    p->hello = malloc(r->hello_len);
    if (p->hello == NULL) {
        free(p);
        return -1;
    }
    memcpy(p->hello, r->hello, r->hello_len);
    p->req = *r;
    p->req.hello = NULL; /* the caller's buffer may go away */
    p->fd = -1;
    enqueue(l, p, false);
    l->stats.submitted++;
    return 0;
}

/* Removes p from flight, closes its socket, calls done and frees it. */
static void finish(struct probe_loop *l, struct probe *p, enum probe_outcome o, const char *why)
{
    if (p->fd >= 0) {
        (void)epoll_ctl(l->ep, EPOLL_CTL_DEL, p->fd, NULL);
        close(p->fd);
        p->fd = -1;
    }
    l->flight[p->slot] = NULL;
    l->n_in_flight--;
    l->group_count[p->req.group]--;
    l->stats.finished++;
    p->req.done(p->req.ctx, o, why ? why : "");
    probe_free(p);
}

/* The stop flag is set by a signal handler or, atomically, by another
 * thread (tlsaudit scan when its database fails): read it atomically. */
static bool stop_requested(const struct probe_loop *l)
{
    return l->stop != NULL && __atomic_load_n(l->stop, __ATOMIC_SEQ_CST);
}

/* The group's deadline (0: none). */
static int64_t group_deadline(const struct probe_loop *l, unsigned g)
{
    return g < l->n_groups ? l->group_deadline[g] : 0;
}

static bool group_expired(const struct probe_loop *l, unsigned g, int64_t now)
{
    int64_t d = group_deadline(l, g);
    return d != 0 && d <= now;
}

/* A reset or a timeout: retry once from a fresh connection, else finish.
 * No retry once the group's deadline has passed. */
static void fail_attempt(struct probe_loop *l, struct probe *p, enum probe_outcome o,
                         const char *why)
{
    if (group_expired(l, p->req.group, mono_ms())) {
        finish(l, p, PROBE_EXPIRED, "");
        return;
    }
    if (p->attempt > 0 || stop_requested(l)) {
        finish(l, p, o, why);
        return;
    }
    (void)epoll_ctl(l->ep, EPOLL_CTL_DEL, p->fd, NULL);
    close(p->fd);
    p->fd = -1;
    l->flight[p->slot] = NULL;
    l->n_in_flight--;
    l->group_count[p->req.group]--;
    p->attempt = 1;
    p->sent = 0;
    p->connected = false;
    p->reading = false;
    if (p->req.reset != NULL) {
        p->req.reset(p->req.ctx);
    }
    l->stats.retries++;
    enqueue(l, p, true);
}

/* Puts p (not queued, not in flight) on the failed list; its done() is
 * called by drain_failed, after the queue walk. */
static void defer_failure(struct probe_loop *l, struct probe *p, enum probe_outcome o,
                          const char *what, int err)
{
    if (err != 0) {
        snprintf(p->fail_why, sizeof(p->fail_why), "%s: %s", what, strerror(err));
    } else {
        util_copy(p->fail_why, sizeof(p->fail_why), what);
    }
    p->fail_outcome = o;
    p->next = NULL;
    if (l->f_tail == NULL) {
        l->f_head = p;
    } else {
        l->f_tail->next = p;
    }
    l->f_tail = p;
}

/* Calls done() for every probe that failed as it started, oldest first.
 * Runs outside any queue walk; done() may submit or cancel freely (it
 * cannot add to this list: only start_ready does). */
static void drain_failed(struct probe_loop *l)
{
    while (l->f_head != NULL) {
        struct probe *p = l->f_head;
        l->f_head = p->next;
        if (l->f_head == NULL) {
            l->f_tail = NULL;
        }
        l->stats.finished++;
        p->req.done(p->req.ctx, p->fail_outcome, p->fail_why);
        probe_free(p);
    }
}

/* Out of descriptors with n_in_flight > 0: from now on at most half of
 * what is in flight. Not all of it: the descriptors are shared with the
 * process's other users (the GnuTLS handshakes on other threads, the
 * database, fetches), which have no way to wait for the loop; the half
 * left to them also makes a second shortage unlikely. A later shortage
 * halves again. The cap never rises again. */
static void lower_cap(struct probe_loop *l, int err)
{
    unsigned cap = (unsigned)(l->n_in_flight / 2);
    if (cap < 1) {
        cap = 1;
    }
    if (cap >= l->max_total) {
        return;
    }
    l->max_total = cap;
    l->stats.cap_total = cap;
    l->stats.cap_lowered++;
    if (l->notice != NULL) {
        char text[192];
        snprintf(text, sizeof(text),
                 "out of file descriptors (%s) with %zu connections open: the enumeration now "
                 "keeps at most %u open at once",
                 strerror(err), l->n_in_flight, cap);
        l->notice(l->notice_arg, text);
    }
}

static bool is_local_shortage(int err)
{
    return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM;
}

enum start_result {
    START_OK,     /* in flight */
    START_FAILED, /* on the failed list */
    START_NO_FD,  /* back at the head of the queue; the cap was lowered */
};

/* Opens p's socket, starts the connect and puts p in flight. Calls no
 * done(): an immediate failure puts p on the failed list. */
static enum start_result start(struct probe_loop *l, struct probe *p)
{
    int64_t now = mono_ms();
    if (group_expired(l, p->req.group, now)) {
        defer_failure(l, p, PROBE_EXPIRED, "", 0);
        return START_FAILED;
    }
    int fd = socket(p->req.sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        int err = errno;
        if ((err == EMFILE || err == ENFILE) && l->n_in_flight > 0) {
            /* Descriptors come back as probes in flight end: wait for
             * them with a lower cap instead of failing this probe. */
            lower_cap(l, err);
            enqueue(l, p, true);
            return START_NO_FD;
        }
        defer_failure(l, p, is_local_shortage(err) ? PROBE_LOCAL_ERROR : PROBE_CONNECT_FAILED,
                      "socket", err);
        return START_FAILED;
    }
    l->stats.connects++;
    if (connect(fd, (const struct sockaddr *)&p->req.sa, p->req.sa_len) != 0 &&
        errno != EINPROGRESS) {
        /* No route, an address that is not there, a bad address: the
         * target cannot be reached from here. */
        int err = errno;
        close(fd);
        defer_failure(l, p, is_local_shortage(err) ? PROBE_LOCAL_ERROR : PROBE_CONNECT_FAILED,
                      "connect", err);
        return START_FAILED;
    }
    struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = p};
    if (epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
        int err = errno;
        close(fd);
        defer_failure(l, p, PROBE_LOCAL_ERROR, "epoll", err);
        return START_FAILED;
    }
    size_t slot = 0;
    while (l->flight[slot] != NULL) {
        slot++;
    }
    p->fd = fd;
    p->slot = slot;
    l->flight[slot] = p;
    l->n_in_flight++;
    l->group_count[p->req.group]++;
    if (l->n_in_flight > l->stats.max_in_flight) {
        l->stats.max_in_flight = (unsigned)l->n_in_flight;
    }
    p->deadline = now + l->timeout_ms;
    int64_t gd = group_deadline(l, p->req.group);
    if (gd != 0 && gd < p->deadline) {
        p->deadline = gd;
    }
    return START_OK;
}

/* Starts queued probes while the caps allow, oldest first; then calls
 * done() for those that failed as they started (see the invariants). */
static void start_ready(struct probe_loop *l)
{
    struct probe *prev = NULL;
    struct probe *p = l->q_head;
    while (p != NULL && l->n_in_flight < l->max_total) {
        struct probe *next = p->next;
        if (l->group_count[p->req.group] < l->max_group) {
            if (prev == NULL) {
                l->q_head = next;
            } else {
                prev->next = next;
            }
            if (l->q_tail == p) {
                l->q_tail = prev;
            }
            l->n_queued--;
            p->next = NULL;
            if (start(l, p) == START_NO_FD) {
                break; /* p is back at the head; the lower cap is reached */
            }
        } else {
            prev = p;
        }
        p = next;
    }
    drain_failed(l);
}

static void do_write(struct probe_loop *l, struct probe *p)
{
    while (p->sent < p->req.hello_len) {
        ssize_t n = send(p->fd, p->hello + p->sent, p->req.hello_len - p->sent, MSG_NOSIGNAL);
        if (n > 0) {
            p->sent += (size_t)n;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            return; /* wait for EPOLLOUT */
        }
        if (errno == ECONNRESET || errno == EPIPE) {
            fail_attempt(l, p, PROBE_RESET, "connection reset while sending");
        } else {
            char why[96];
            snprintf(why, sizeof(why), "send: %s", strerror(errno));
            finish(l, p, PROBE_CLOSED, why);
        }
        return;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = p};
    p->reading = true;
    (void)epoll_ctl(l->ep, EPOLL_CTL_MOD, p->fd, &ev);
}

static void do_read(struct probe_loop *l, struct probe *p)
{
    for (;;) {
        ssize_t n = recv(p->fd, l->buf, sizeof(l->buf), 0);
        if (n > 0) {
            enum probe_feed f = p->req.feed(p->req.ctx, l->buf, (size_t)n);
            if (f == PROBE_FEED_DONE) {
                finish(l, p, PROBE_DONE, "");
                return;
            }
            if (f == PROBE_FEED_FAILED) {
                finish(l, p, PROBE_FAILED, "unparsable answer");
                return;
            }
            continue;
        }
        if (n == 0) {
            finish(l, p, PROBE_CLOSED, "closed by the server");
            return;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            return;
        }
        if (errno == ECONNRESET) {
            fail_attempt(l, p, PROBE_RESET, "connection reset");
        } else {
            char why[96];
            snprintf(why, sizeof(why), "recv: %s", strerror(errno));
            finish(l, p, PROBE_CLOSED, why);
        }
        return;
    }
}

static void on_event(struct probe_loop *l, struct probe *p, uint32_t events)
{
    if (!p->connected) {
        int soerr = 0;
        socklen_t len = sizeof(soerr);
        if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0) {
            soerr = errno;
        }
        if (soerr != 0) {
            char why[96];
            snprintf(why, sizeof(why), "connect: %s", strerror(soerr));
            finish(l, p, PROBE_CONNECT_FAILED, why);
            return;
        }
        if (!(events & (EPOLLOUT | EPOLLIN))) {
            return;
        }
        p->connected = true;
    }
    if (!p->reading) {
        do_write(l, p);
        return;
    }
    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        do_read(l, p);
    }
}

static void cancel_all(struct probe_loop *l)
{
    drain_failed(l);
    for (size_t i = 0; i < l->n_slots; i++) {
        if (l->flight[i] != NULL) {
            finish(l, l->flight[i], PROBE_CANCELLED, "cancelled");
        }
    }
    while (l->q_head != NULL) {
        struct probe *p = l->q_head;
        l->q_head = p->next;
        l->n_queued--;
        p->req.done(p->req.ctx, PROBE_CANCELLED, "cancelled");
        probe_free(p);
    }
    l->q_tail = NULL;
}

void probe_cancel_queued(struct probe_loop *l, unsigned group)
{
    /* Unlink first, then call done: done() may submit or cancel again. */
    struct probe *cancelled = NULL;
    struct probe **pp = &l->q_head;
    l->q_tail = NULL;
    while (*pp != NULL) {
        struct probe *p = *pp;
        if (p->req.group == group) {
            *pp = p->next;
            l->n_queued--;
            p->next = cancelled;
            cancelled = p;
        } else {
            l->q_tail = p;
            pp = &p->next;
        }
    }
    while (cancelled != NULL) {
        struct probe *p = cancelled;
        cancelled = p->next;
        p->req.done(p->req.ctx, PROBE_CANCELLED, "cancelled: the server does not answer");
        probe_free(p);
    }
}

/* Ends every queued probe whose group's deadline has passed with
 * PROBE_EXPIRED, and finds the next deadline to act on. */
static void expire_queued(struct probe_loop *l, int64_t now)
{
    struct probe *expired = NULL;
    struct probe **pp = &l->q_head;
    l->q_tail = NULL;
    while (*pp != NULL) {
        struct probe *p = *pp;
        if (group_expired(l, p->req.group, now)) {
            *pp = p->next;
            l->n_queued--;
            p->next = expired;
            expired = p;
        } else {
            l->q_tail = p;
            pp = &p->next;
        }
    }
    l->earliest_gd = 0;
    for (size_t g = 0; g < l->n_groups; g++) {
        int64_t d = l->group_deadline[g];
        if (d > now && (l->earliest_gd == 0 || d < l->earliest_gd)) {
            l->earliest_gd = d;
        }
    }
    /* Unlinked first: done() may submit or cancel. */
    while (expired != NULL) {
        struct probe *p = expired;
        expired = p->next;
        l->stats.finished++;
        p->req.done(p->req.ctx, PROBE_EXPIRED, "");
        probe_free(p);
    }
}

int probe_group_deadline(struct probe_loop *l, unsigned group, int64_t deadline_ms)
{
    if (ensure_group(l, group) != 0) {
        return -1;
    }
    l->group_deadline[group] = deadline_ms > 0 ? deadline_ms : 0;
    if (deadline_ms <= 0) {
        return 0;
    }
    if (l->earliest_gd == 0 || deadline_ms < l->earliest_gd) {
        l->earliest_gd = deadline_ms;
    }
    for (size_t i = 0; i < l->n_slots; i++) {
        struct probe *p = l->flight[i];
        if (p != NULL && p->req.group == group && p->deadline > deadline_ms) {
            p->deadline = deadline_ms;
        }
    }
    return 0;
}

void probe_loop_set_notice(struct probe_loop *l, void (*fn)(void *arg, const char *text), void *arg)
{
    l->notice = fn;
    l->notice_arg = arg;
}

int probe_loop_run(struct probe_loop *l)
{
    struct epoll_event evs[64];
    for (;;) {
        if (stop_requested(l)) {
            cancel_all(l);
            /* done() callbacks may have queued more: cancel those too. */
            if (l->q_head == NULL && l->n_in_flight == 0) {
                return 0;
            }
            continue;
        }
        start_ready(l);
        if (l->n_in_flight == 0) {
            if (l->q_head == NULL) {
                return 0;
            }
            continue; /* start_ready finished some at once; go again */
        }
        int64_t now = mono_ms();
        int64_t wait = PROBE_SLICE_MS;
        if (l->earliest_gd != 0 && l->earliest_gd - now < wait) {
            wait = l->earliest_gd - now;
        }
        for (size_t i = 0; i < l->n_slots; i++) {
            if (l->flight[i] != NULL && l->flight[i]->deadline - now < wait) {
                wait = l->flight[i]->deadline - now;
            }
        }
        int n = epoll_wait(l->ep, evs, 64, wait > 0 ? (int)wait : 0);
        if (n < 0 && errno != EINTR) {
            cancel_all(l);
            return -1;
        }
        for (int i = 0; i < n; i++) {
            struct probe *p = evs[i].data.ptr;
            /* A probe finished earlier in this batch has been freed: only
             * act on pointers still in the table. */
            bool live = false;
            for (size_t k = 0; k < l->n_slots && !live; k++) {
                live = l->flight[k] == p;
            }
            if (live) {
                on_event(l, p, evs[i].events);
            }
        }
        now = mono_ms();
        for (size_t i = 0; i < l->n_slots; i++) {
            struct probe *p = l->flight[i];
            if (p != NULL && p->deadline <= now) {
                fail_attempt(l, p, PROBE_TIMEOUT,
                             p->connected ? "timed out waiting for the server"
                                          : "connect timed out");
            }
        }
        if (l->earliest_gd != 0 && l->earliest_gd <= now) {
            expire_queued(l, now);
        }
    }
}

void probe_loop_stats(const struct probe_loop *l, struct probe_stats *out)
{
    *out = l->stats;
    out->queued = l->n_queued;
    out->in_flight = l->n_in_flight;
}
