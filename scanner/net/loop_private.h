/*
 * scanner/net/loop_private.h - what scanner/net/loop.c (the queue, the
 * caps, the deadlines) and scanner/net/converse.c (one connection's
 * dialogue and conversation) share. Not for other modules.
 */
#ifndef TLSAUDIT_SCANNER_NET_LOOP_PRIVATE_H
#define TLSAUDIT_SCANNER_NET_LOOP_PRIVATE_H

#include <stdbool.h>

#include "scanner/net/loop.h"

#define NET_READ_BUF (16 * 1024)

/* Where a connected probe is. */
enum net_phase {
    NET_PH_CONNECTING, /* waiting for the connect to complete */
    NET_PH_DIALOGUE,   /* the pre-TLS dialogue runs */
    NET_PH_CONVERSE,   /* on_connect was called; on_bytes gets the bytes */
};

struct net_probe {
    struct net_req req;
    struct net_dialogue dialogue; /* copy of *req.dialogue (ops NULL: none) */
    void *dctx;                   /* the dialogue's state, ops->ctx_size bytes */
    size_t d_in;                  /* bytes received during the dialogue */
    struct wbuf out;              /* bytes to send (heap, cap NET_MAX_OUT) */
    size_t sent;                  /* of out */
    int fd;
    enum net_phase phase;
    bool writing; /* registered for EPOLLOUT: out has unsent bytes */
    int attempt;  /* 0, then 1 for the retry */
    int64_t deadline;
    size_t slot;            /* index in the in-flight table */
    struct net_probe *next; /* queue link, or failed-list link */
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
    struct net_probe *q_head, *q_tail;
    size_t n_queued;
    struct net_probe *f_head, *f_tail; /* failed as they started: done() pending */
    struct net_probe **flight;         /* n_slots slots */
    size_t n_slots;                    /* the cap given to net_loop_new */
    size_t n_in_flight;
    unsigned *group_count;
    int64_t *group_deadline; /* mono_ms; 0: none */
    unsigned *group_cap;     /* the group's own per-target cap; 0: max_group */
    int *group_extra_ms;     /* added to each attempt's timeout (a dialogue's greeting) */
    int64_t earliest_gd;     /* the soonest group deadline not yet acted on; 0: none */
    size_t n_groups;
    void (*notice)(void *arg, const char *text);
    void *notice_arg;
    void (*tick)(void *arg); /* net_loop_set_tick */
    void *tick_arg;
    struct net_stats stats;
    uint8_t buf[NET_READ_BUF];
};

/* net_loop_finish removes p from flight, closes its socket, calls done and
 * frees it. */
void net_loop_finish(struct net_loop *l, struct net_probe *p, enum net_outcome o, const char *why);

/* net_loop_fail_attempt: a reset or a timeout: retry once from a fresh
 * connection (p back in the queue), else finish. */
void net_loop_fail_attempt(struct net_loop *l, struct net_probe *p, enum net_outcome o,
                           const char *why);

/* net_conv_event acts on epoll events for p in flight (converse.c): the
 * connect's result, the dialogue, the conversation's writes and reads. p
 * may be finished (freed) or requeued on return. */
void net_conv_event(struct net_loop *l, struct net_probe *p, uint32_t events);

#endif
