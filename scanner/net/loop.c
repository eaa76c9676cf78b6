/*
 * scanner/net/loop.c - the epoll conversation loop (see loop.h).
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
 *
 * A probe in flight is connecting (EPOLLOUT), writing (EPOLLOUT: p->out
 * holds unsent bytes; nothing is read meanwhile) or reading (EPOLLIN: p->out
 * is empty and holds no memory). Its dialogue state, if any, is zeroed at
 * every connect.
 */
#include "scanner/net/loop.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "common/util.h"
#include "scanner/net/connect.h"

#define NET_READ_BUF (16 * 1024)
#define NET_SLICE_MS 200

/* Where a connected probe is. */
enum phase {
    PH_CONNECTING, /* waiting for the connect to complete */
    PH_DIALOGUE,   /* the pre-TLS dialogue runs */
    PH_CONVERSE,   /* on_connect was called; on_bytes gets the bytes */
};

struct probe {
    struct net_req req;
    struct net_dialogue dialogue; /* copy of *req.dialogue (ops NULL: none) */
    void *dctx;                   /* the dialogue's state, ops->ctx_size bytes */
    size_t d_in;                  /* bytes received during the dialogue */
    struct wbuf out;              /* bytes to send (heap, cap NET_MAX_OUT) */
    size_t sent;                  /* of out */
    int fd;
    enum phase phase;
    bool writing; /* registered for EPOLLOUT: out has unsent bytes */
    int attempt;  /* 0, then 1 for the retry */
    int64_t deadline;
    size_t slot;        /* index in the in-flight table */
    struct probe *next; /* queue link, or failed-list link */
    /* Set when it failed as it started (on the failed list). */
    enum net_outcome fail_outcome;
    char fail_why[128];
};

struct net_loop {
    int ep;
    unsigned max_total; /* the cap; lowered when descriptors run out */
    unsigned max_group;
    int timeout_ms;
    const volatile sig_atomic_t *stop;
    struct probe *q_head, *q_tail;
    size_t n_queued;
    struct probe *f_head, *f_tail; /* failed as they started: done() pending */
    struct probe **flight;         /* n_slots slots */
    size_t n_slots;                /* the cap given to net_loop_new */
    size_t n_in_flight;
    unsigned *group_count;
    int64_t *group_deadline; /* mono_ms; 0: none */
    int64_t earliest_gd;     /* the soonest group deadline not yet acted on; 0: none */
    size_t n_groups;
    void (*notice)(void *arg, const char *text);
    void *notice_arg;
    struct net_stats stats;
    uint8_t buf[NET_READ_BUF];
};

const char *net_outcome_name(enum net_outcome o)
{
    switch (o) {
    case NET_COMPLETED:
        return "done";
    case NET_BAD_ANSWER:
        return "unparsable answer";
    case NET_CLOSED:
        return "closed by the server";
    case NET_RESET:
        return "connection reset";
    case NET_TIMEOUT:
        return "timed out";
    case NET_CONNECT_FAILED:
        return "connect failed";
    case NET_CANCELLED:
        return "cancelled";
    case NET_LOCAL_ERROR:
        return "local error";
    case NET_EXPIRED:
        return "the target's time budget ran out";
    case NET_PRE_TLS_FAILED:
        return "the pre-TLS dialogue failed";
    }
    return "?";
}

static int64_t mono_ms(void)
{
    return util_mono_ms();
}

struct net_loop *net_loop_new(unsigned max_conn_total, unsigned max_conn_per_group, int timeout_ms,
                              const volatile sig_atomic_t *stop)
{
    struct net_loop *l = calloc(1, sizeof(*l));
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
        net_loop_free(l);
        return NULL;
    }
    return l;
}

static void probe_free(struct probe *p)
{
    wbuf_cleanup(&p->out);
    free(p->dctx);
    free(p);
}

void net_loop_free(struct net_loop *l)
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

static int ensure_group(struct net_loop *l, unsigned g)
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

static void enqueue(struct net_loop *l, struct probe *p, bool front)
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

int net_submit(struct net_loop *l, const struct net_req *r)
{
    if (r->ops == NULL || r->ops->on_connect == NULL || r->ops->on_bytes == NULL ||
        r->ops->done == NULL || r->sa_len > sizeof(r->sa) || ensure_group(l, r->group) != 0) {
        return -1;
    }
    const struct net_dialogue *d = r->dialogue;
    if (d != NULL && (d->ops == NULL || d->ops->start == NULL || d->ops->on_bytes == NULL)) {
        return -1;
    }
    struct probe *p = calloc(1, sizeof(*p));
    if (p == NULL) {
        return -1;
    }
    if (d != NULL) {
        p->dialogue = *d;
        p->dctx = calloc(1, d->ops->ctx_size ? d->ops->ctx_size : 1);
        if (p->dctx == NULL) {
            free(p);
            return -1;
        }
    }
    p->req = *r;
    p->req.dialogue = NULL; /* the caller's struct may go away: p->dialogue is the copy */
    wbuf_init(&p->out, NET_MAX_OUT);
    p->fd = -1;
    enqueue(l, p, false);
    l->stats.submitted++;
    return 0;
}

/* Removes p from flight, closes its socket, calls done and frees it. */
static void finish(struct net_loop *l, struct probe *p, enum net_outcome o, const char *why)
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
    p->req.ops->done(p->req.ctx, o, why ? why : "");
    probe_free(p);
}

/* The stop flag is set by a signal handler or, atomically, by another
 * thread (tlsaudit scan when its database fails): read it atomically. */
static bool stop_requested(const struct net_loop *l)
{
    return l->stop != NULL && __atomic_load_n(l->stop, __ATOMIC_SEQ_CST);
}

/* The group's deadline (0: none). */
static int64_t group_deadline(const struct net_loop *l, unsigned g)
{
    return g < l->n_groups ? l->group_deadline[g] : 0;
}

static bool group_expired(const struct net_loop *l, unsigned g, int64_t now)
{
    int64_t d = group_deadline(l, g);
    return d != 0 && d <= now;
}

/* A reset or a timeout: retry once from a fresh connection, else finish.
 * No retry once the group's deadline has passed. */
static void fail_attempt(struct net_loop *l, struct probe *p, enum net_outcome o, const char *why)
{
    if (group_expired(l, p->req.group, mono_ms())) {
        finish(l, p, NET_EXPIRED, "");
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
    wbuf_cleanup(&p->out);
    p->sent = 0;
    p->phase = PH_CONNECTING;
    p->writing = false;
    p->d_in = 0;
    if (p->req.ops->reset != NULL) {
        p->req.ops->reset(p->req.ctx);
    }
    l->stats.retries++;
    enqueue(l, p, true);
}

/* Puts p (not queued, not in flight) on the failed list; its done() is
 * called by drain_failed, after the queue walk. */
static void defer_failure(struct net_loop *l, struct probe *p, enum net_outcome o, const char *what,
                          int err)
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
static void drain_failed(struct net_loop *l)
{
    while (l->f_head != NULL) {
        struct probe *p = l->f_head;
        l->f_head = p->next;
        if (l->f_head == NULL) {
            l->f_tail = NULL;
        }
        l->stats.finished++;
        p->req.ops->done(p->req.ctx, p->fail_outcome, p->fail_why);
        probe_free(p);
    }
}

/* Out of descriptors with n_in_flight > 0: from now on at most half of
 * what is in flight. Not all of it: the descriptors are shared with the
 * process's other users (the GnuTLS handshakes on other threads, the
 * database, fetches), which have no way to wait for the loop; the half
 * left to them also makes a second shortage unlikely. A later shortage
 * halves again. The cap never rises again. */
static void lower_cap(struct net_loop *l, int err)
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

enum start_result {
    START_OK,     /* in flight */
    START_FAILED, /* on the failed list */
    START_NO_FD,  /* back at the head of the queue; the cap was lowered */
};

/* Opens p's socket, starts the connect and puts p in flight. Calls no
 * done(): an immediate failure puts p on the failed list. */
static enum start_result start(struct net_loop *l, struct probe *p)
{
    int64_t now = mono_ms();
    if (group_expired(l, p->req.group, now)) {
        defer_failure(l, p, NET_EXPIRED, "", 0);
        return START_FAILED;
    }
    int fd = net_socket(p->req.sa.ss_family);
    if (fd < 0) {
        int err = errno;
        if ((err == EMFILE || err == ENFILE) && l->n_in_flight > 0) {
            /* Descriptors come back as probes in flight end: wait for
             * them with a lower cap instead of failing this probe. */
            lower_cap(l, err);
            enqueue(l, p, true);
            return START_NO_FD;
        }
        defer_failure(l, p, net_err_is_local(err) ? NET_LOCAL_ERROR : NET_CONNECT_FAILED, "socket",
                      err);
        return START_FAILED;
    }
    l->stats.connects++;
    int cerr = net_connect_begin(fd, (const struct sockaddr *)&p->req.sa, p->req.sa_len);
    if (cerr != 0) {
        /* No route, an address that is not there, a bad address: the
         * target cannot be reached from here. */
        close(fd);
        defer_failure(l, p, net_err_is_local(cerr) ? NET_LOCAL_ERROR : NET_CONNECT_FAILED,
                      "connect", cerr);
        return START_FAILED;
    }
    struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = p};
    if (epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
        int err = errno;
        close(fd);
        defer_failure(l, p, NET_LOCAL_ERROR, "epoll", err);
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
static void start_ready(struct net_loop *l)
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

/* Registers p for ev (EPOLLIN or EPOLLOUT). */
static void watch(struct net_loop *l, struct probe *p, uint32_t ev)
{
    struct epoll_event e = {.events = ev, .data.ptr = p};
    p->writing = ev == EPOLLOUT;
    (void)epoll_ctl(l->ep, EPOLL_CTL_MOD, p->fd, &e);
}

/* Sends what p->out holds. Returns true when all of it is sent (p then
 * reads), false when p waits for EPOLLOUT or has finished. */
static bool flush(struct net_loop *l, struct probe *p)
{
    if (!wbuf_ok(&p->out)) {
        char why[96];
        snprintf(why, sizeof(why), "more than %d bytes to send at once (or out of memory)",
                 NET_MAX_OUT);
        finish(l, p, NET_LOCAL_ERROR, why);
        return false;
    }
    const uint8_t *data = wbuf_data(&p->out);
    size_t len = wbuf_len(&p->out);
    while (p->sent < len) {
        ssize_t n = send(p->fd, data + p->sent, len - p->sent, MSG_NOSIGNAL);
        if (n > 0) {
            p->sent += (size_t)n;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            if (!p->writing) {
                watch(l, p, EPOLLOUT);
            }
            return false;
        }
        if (errno == ECONNRESET || errno == EPIPE) {
            fail_attempt(l, p, NET_RESET, "connection reset while sending");
        } else {
            char why[96];
            snprintf(why, sizeof(why), "send: %s", strerror(errno));
            finish(l, p, NET_CLOSED, why);
        }
        return false;
    }
    if (len > 0) {
        l->stats.writes++;
    }
    wbuf_cleanup(&p->out); /* nothing kept while reading */
    p->sent = 0;
    if (p->writing) {
        watch(l, p, EPOLLIN);
    }
    return true;
}

/* The TLS part starts: on_connect's bytes follow whatever the dialogue
 * left to send. */
static void converse(struct probe *p)
{
    p->phase = PH_CONVERSE;
    p->req.ops->on_connect(p->req.ctx, &p->out);
}

/* Acts on what the dialogue said. Returns true when p may read on. */
static bool dialogue_step(struct net_loop *l, struct probe *p, enum net_dialogue_step step,
                          const char *reason)
{
    if (step == NET_DIALOGUE_FAILED) {
        char why[192];
        snprintf(why, sizeof(why), "%s: %s", p->dialogue.ops->name, reason);
        finish(l, p, NET_PRE_TLS_FAILED, why);
        return false;
    }
    if (step == NET_DIALOGUE_READY) {
        converse(p);
    }
    return flush(l, p);
}

/* The connection is up: the dialogue, else the conversation, starts. */
static void connected(struct net_loop *l, struct probe *p)
{
    if (p->dialogue.ops == NULL) {
        converse(p);
        (void)flush(l, p);
        return;
    }
    char reason[128] = "";
    memset(p->dctx, 0, p->dialogue.ops->ctx_size);
    p->d_in = 0;
    p->phase = PH_DIALOGUE;
    (void)dialogue_step(
        l, p, p->dialogue.ops->start(p->dctx, p->dialogue.arg, &p->out, reason, sizeof(reason)),
        reason);
}

/* Hands n received bytes to the dialogue or the conversation. Returns
 * true when p reads on, false when it finished or has bytes to send. */
static bool deliver(struct net_loop *l, struct probe *p, size_t n)
{
    if (p->phase == PH_DIALOGUE) {
        char reason[128] = "";
        enum net_dialogue_step step = NET_DIALOGUE_FAILED;
        p->d_in += n;
        if (p->d_in > NET_DIALOGUE_MAX_IN) {
            snprintf(reason, sizeof(reason), "the server sent more than %d bytes",
                     NET_DIALOGUE_MAX_IN);
        } else {
            step = p->dialogue.ops->on_bytes(p->dctx, p->dialogue.arg, l->buf, n, &p->out, reason,
                                             sizeof(reason));
        }
        return dialogue_step(l, p, step, reason);
    }
    enum net_step f = p->req.ops->on_bytes(p->req.ctx, l->buf, n, &p->out);
    if (f == NET_DONE) {
        finish(l, p, NET_COMPLETED, "");
        return false;
    }
    if (f == NET_FAILED) {
        finish(l, p, NET_BAD_ANSWER, "unparsable answer");
        return false;
    }
    return wbuf_len(&p->out) == 0 && wbuf_ok(&p->out) ? true : flush(l, p);
}

static void do_read(struct net_loop *l, struct probe *p)
{
    for (;;) {
        ssize_t n = recv(p->fd, l->buf, sizeof(l->buf), 0);
        if (n > 0) {
            if (!deliver(l, p, (size_t)n)) {
                return;
            }
            continue;
        }
        if (n == 0) {
            finish(l, p, NET_CLOSED,
                   p->phase == PH_DIALOGUE ? "closed by the server during the dialogue"
                                           : "closed by the server");
            return;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            return;
        }
        if (errno == ECONNRESET) {
            fail_attempt(l, p, NET_RESET, "connection reset");
        } else {
            char why[96];
            snprintf(why, sizeof(why), "recv: %s", strerror(errno));
            finish(l, p, NET_CLOSED, why);
        }
        return;
    }
}

static void on_event(struct net_loop *l, struct probe *p, uint32_t events)
{
    if (p->phase == PH_CONNECTING) {
        int soerr = net_connect_result(p->fd);
        if (soerr != 0) {
            char why[96];
            snprintf(why, sizeof(why), "connect: %s", strerror(soerr));
            finish(l, p, NET_CONNECT_FAILED, why);
            return;
        }
        if (!(events & (EPOLLOUT | EPOLLIN))) {
            return;
        }
        p->writing = true; /* registered for EPOLLOUT by start() */
        connected(l, p);
        return;
    }
    if (p->writing) {
        (void)flush(l, p);
        return;
    }
    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        do_read(l, p);
    }
}

static void cancel_all(struct net_loop *l)
{
    drain_failed(l);
    for (size_t i = 0; i < l->n_slots; i++) {
        if (l->flight[i] != NULL) {
            finish(l, l->flight[i], NET_CANCELLED, "cancelled");
        }
    }
    while (l->q_head != NULL) {
        struct probe *p = l->q_head;
        l->q_head = p->next;
        l->n_queued--;
        p->req.ops->done(p->req.ctx, NET_CANCELLED, "cancelled");
        probe_free(p);
    }
    l->q_tail = NULL;
}

void net_cancel_queued(struct net_loop *l, unsigned group)
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
        p->req.ops->done(p->req.ctx, NET_CANCELLED, "cancelled: the server does not answer");
        probe_free(p);
    }
}

/* Ends every queued probe whose group's deadline has passed with
 * NET_EXPIRED, and finds the next deadline to act on. */
static void expire_queued(struct net_loop *l, int64_t now)
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
        p->req.ops->done(p->req.ctx, NET_EXPIRED, "");
        probe_free(p);
    }
}

int net_group_deadline(struct net_loop *l, unsigned group, int64_t deadline_ms)
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

void net_loop_set_notice(struct net_loop *l, void (*fn)(void *arg, const char *text), void *arg)
{
    l->notice = fn;
    l->notice_arg = arg;
}

int net_loop_run(struct net_loop *l)
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
        int64_t wait = NET_SLICE_MS;
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
                fail_attempt(l, p, NET_TIMEOUT,
                             p->phase == PH_CONNECTING ? "connect timed out"
                             : p->phase == PH_DIALOGUE ? "timed out in the pre-TLS dialogue"
                                                       : "timed out waiting for the server");
            }
        }
        if (l->earliest_gd != 0 && l->earliest_gd <= now) {
            expire_queued(l, now);
        }
    }
}

void net_loop_stats(const struct net_loop *l, struct net_stats *out)
{
    *out = l->stats;
    out->queued = l->n_queued;
    out->in_flight = l->n_in_flight;
}
