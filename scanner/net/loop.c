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
 * What a probe in flight does with its connection (dialogue, writes,
 * reads) is in converse.c; the structs they share are in loop_private.h.
 */
#include "scanner/net/loop.h"
#include "scanner/net/loop_private.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "common/util.h"
#include "scanner/net/connect.h"

#define NET_SLICE_MS 200

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

static void probe_free(struct net_probe *p)
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
        struct net_probe *p = l->q_head;
        l->q_head = p->next;
        probe_free(p);
    }
    while (l->f_head != NULL) {
        struct net_probe *p = l->f_head;
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
    free(l->group_cap);
    free(l->group_extra_ms);
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
    unsigned *cap = realloc(l->group_cap, n * sizeof(*cap));
    if (cap == NULL) {
        return -1;
    }
    l->group_cap = cap;
    int *extra = realloc(l->group_extra_ms, n * sizeof(*extra));
    if (extra == NULL) {
        return -1;
    }
    l->group_extra_ms = extra;
    memset(c + l->n_groups, 0, (n - l->n_groups) * sizeof(*c));
    memset(d + l->n_groups, 0, (n - l->n_groups) * sizeof(*d));
    memset(cap + l->n_groups, 0, (n - l->n_groups) * sizeof(*cap));
    memset(extra + l->n_groups, 0, (n - l->n_groups) * sizeof(*extra));
    l->n_groups = n;
    return 0;
}

static void enqueue(struct net_loop *l, struct net_probe *p, bool front)
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
    struct net_probe *p = calloc(1, sizeof(*p));
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
void net_loop_finish(struct net_loop *l, struct net_probe *p, enum net_outcome o, const char *why)
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
void net_loop_fail_attempt(struct net_loop *l, struct net_probe *p, enum net_outcome o,
                           const char *why)
{
    if (group_expired(l, p->req.group, mono_ms())) {
        net_loop_finish(l, p, NET_EXPIRED, "");
        return;
    }
    if (p->attempt > 0 || stop_requested(l)) {
        net_loop_finish(l, p, o, why);
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
    p->phase = NET_PH_CONNECTING;
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
static void defer_failure(struct net_loop *l, struct net_probe *p, enum net_outcome o,
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
static void drain_failed(struct net_loop *l)
{
    while (l->f_head != NULL) {
        struct net_probe *p = l->f_head;
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
static enum start_result start(struct net_loop *l, struct net_probe *p)
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
    p->deadline = now + l->timeout_ms + l->group_extra_ms[p->req.group];
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
    struct net_probe *prev = NULL;
    struct net_probe *p = l->q_head;
    while (p != NULL && l->n_in_flight < l->max_total) {
        struct net_probe *next = p->next;
        unsigned g = p->req.group;
        if (l->group_count[g] < (l->group_cap[g] != 0 ? l->group_cap[g] : l->max_group)) {
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

static void cancel_all(struct net_loop *l)
{
    drain_failed(l);
    for (size_t i = 0; i < l->n_slots; i++) {
        if (l->flight[i] != NULL) {
            net_loop_finish(l, l->flight[i], NET_CANCELLED, "cancelled");
        }
    }
    while (l->q_head != NULL) {
        struct net_probe *p = l->q_head;
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
    struct net_probe *cancelled = NULL;
    struct net_probe **pp = &l->q_head;
    l->q_tail = NULL;
    while (*pp != NULL) {
        struct net_probe *p = *pp;
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
        struct net_probe *p = cancelled;
        cancelled = p->next;
        p->req.ops->done(p->req.ctx, NET_CANCELLED, "cancelled: the server does not answer");
        probe_free(p);
    }
}

/* Ends every queued probe whose group's deadline has passed with
 * NET_EXPIRED, and finds the next deadline to act on. */
static void expire_queued(struct net_loop *l, int64_t now)
{
    struct net_probe *expired = NULL;
    struct net_probe **pp = &l->q_head;
    l->q_tail = NULL;
    while (*pp != NULL) {
        struct net_probe *p = *pp;
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
        struct net_probe *p = expired;
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
        struct net_probe *p = l->flight[i];
        if (p != NULL && p->req.group == group && p->deadline > deadline_ms) {
            p->deadline = deadline_ms;
        }
    }
    return 0;
}

int net_group_limits(struct net_loop *l, unsigned group, unsigned max_conn, int extra_ms)
{
    if (ensure_group(l, group) != 0) {
        return -1;
    }
    l->group_cap[group] = max_conn;
    l->group_extra_ms[group] = extra_ms > 0 ? extra_ms : 0;
    return 0;
}

void net_loop_set_notice(struct net_loop *l, void (*fn)(void *arg, const char *text), void *arg)
{
    l->notice = fn;
    l->notice_arg = arg;
}

void net_loop_set_tick(struct net_loop *l, void (*fn)(void *arg), void *arg)
{
    l->tick = fn;
    l->tick_arg = arg;
}

int net_loop_run(struct net_loop *l)
{
    struct epoll_event evs[64];
    for (;;) {
        if (l->tick != NULL && !stop_requested(l)) {
            l->tick(l->tick_arg);
        }
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
            struct net_probe *p = evs[i].data.ptr;
            /* A probe finished earlier in this batch has been freed: only
             * act on pointers still in the table. */
            bool live = false;
            for (size_t k = 0; k < l->n_slots && !live; k++) {
                live = l->flight[k] == p;
            }
            if (live) {
                net_conv_event(l, p, evs[i].events);
            }
        }
        now = mono_ms();
        for (size_t i = 0; i < l->n_slots; i++) {
            struct net_probe *p = l->flight[i];
            if (p != NULL && p->deadline <= now) {
                net_loop_fail_attempt(l, p, NET_TIMEOUT,
                                      p->phase == NET_PH_CONNECTING ? "connect timed out"
                                      : p->phase == NET_PH_DIALOGUE
                                          ? "timed out in the pre-TLS dialogue"
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
