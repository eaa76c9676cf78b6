/*
 * scanner/net/loop.h - the conversation loop: one epoll event loop that
 * drives every raw probe of every target over non-blocking sockets.
 *
 * A probe is a conversation: connect (scanner/net/connect.h), run the
 * request's pre-TLS dialogue if it carries one (scanner/net/dialogue.h),
 * then on_connect() gives the bytes to send first (a ClientHello); every
 * byte received goes to on_bytes(), which says MORE (keep reading), DONE or
 * FAILED, and may append bytes to send after reading (a heartbeat request,
 * a ClientKeyExchange): the loop then writes them (EPOLLOUT) before it
 * reads again. The conversation is half-duplex: nothing is read while
 * bytes wait to be sent.
 *
 * The loop enforces a global cap on connections in flight and a cap per
 * target (a "group"), one deadline per attempt (connect, dialogue and
 * conversation together), an optional deadline per group (the target's
 * time budget), and one retry after a reset or timeout (reset() first; the
 * dialogue and on_connect start again). Completion callbacks may submit
 * further probes or cancel queued ones (that is how enumeration proceeds:
 * offer, record the pick, offer the rest); the loop never calls one while
 * it walks its queue, so a probe that fails the moment it starts is
 * reported after the walk.
 *
 * Running out of file descriptors (EMFILE/ENFILE) with connections open
 * lowers the global cap (see net_loop_set_notice) and the probe waits in
 * the queue; only with nothing in flight does it fail (NET_LOCAL_ERROR).
 *
 * Memory: the loop keeps per probe a small fixed struct, the bytes waiting
 * to be sent (at most NET_MAX_OUT per write, freed once sent) and the
 * dialogue's state; received bytes go straight from one shared 16 KiB read
 * buffer to on_bytes(), so the loop itself holds O(in-flight x struct)
 * bytes while it reads. What the parser keeps is the parser's cap (see
 * hello.h).
 *
 * Not thread-safe: one loop per thread.
 */
#ifndef TLSAUDIT_SCANNER_NET_LOOP_H
#define TLSAUDIT_SCANNER_NET_LOOP_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "common/bytes.h"
#include "scanner/net/dialogue.h"

/* What on_bytes says about the conversation. */
enum net_step {
    NET_MORE = 0, /* keep going: read more (after sending what was appended) */
    NET_DONE,     /* the conversation has what it needs: close */
    NET_FAILED,   /* the bytes make no sense: close */
};

enum net_outcome {
    NET_COMPLETED = 0,  /* on_bytes returned DONE */
    NET_BAD_ANSWER,     /* on_bytes returned FAILED */
    NET_CLOSED,         /* the server closed before the conversation was done */
    NET_RESET,          /* connection reset (after the retry) */
    NET_TIMEOUT,        /* no complete answer before the deadline (after the retry) */
    NET_CONNECT_FAILED, /* refused / unreachable (also at once: no route): no retry */
    NET_CANCELLED,      /* the loop was stopped */
    NET_LOCAL_ERROR,    /* no descriptor or memory here, nothing in flight to wait for;
                           or more bytes to send than NET_MAX_OUT */
    NET_EXPIRED,        /* the group's deadline passed (queued or in flight): no retry */
    NET_PRE_TLS_FAILED, /* the pre-TLS dialogue said FAILED: no retry */
};

/* net_outcome_name returns a short text for o ("done", "connection reset", ...). */
const char *net_outcome_name(enum net_outcome o);

/* The conversation's callbacks; ctx is the request's. */
struct net_probe_ops {
    /* on_connect appends the bytes to send first (may append none: the
     * server speaks first). Called on every attempt, after the dialogue. */
    void (*on_connect)(void *ctx, struct wbuf *out);
    /* on_bytes receives the bytes as they arrive; bytes it appends to out
     * are sent (after MORE only) before the loop reads again. */
    enum net_step (*on_bytes)(void *ctx, const uint8_t *in, size_t len, struct wbuf *out);
    /* reset (may be NULL) is called before the retry: the conversation's
     * state must start over. */
    void (*reset)(void *ctx);
    /* done is called exactly once per submitted probe. why is a short text
     * for failures ("" on NET_COMPLETED). It may call net_submit and
     * net_cancel_queued. */
    void (*done)(void *ctx, enum net_outcome outcome, const char *why);
};

struct net_req {
    struct sockaddr_storage sa;
    socklen_t sa_len;
    unsigned group;                  /* per-target cap applies per group id */
    const struct net_probe_ops *ops; /* must outlive the probe */
    void *ctx;
    /* The pre-TLS dialogue (NULL: none). Copied by net_submit; its ops and
     * arg must outlive the probe. */
    const struct net_dialogue *dialogue;
};

struct net_loop;

/* net_loop_new makes a loop with these caps (each >= 1) and a per-attempt
 * timeout. stop may be NULL; when *stop becomes non-zero the loop cancels
 * everything. Returns NULL when out of memory or epoll fails. */
struct net_loop *net_loop_new(unsigned max_conn_total, unsigned max_conn_per_group, int timeout_ms,
                              const volatile sig_atomic_t *stop);
void net_loop_free(struct net_loop *l);

/* net_submit queues a probe; it starts when the caps allow. Returns 0, or
 * -1 (out of memory, a bad request) without calling done. */
__attribute__((warn_unused_result)) int net_submit(struct net_loop *l, const struct net_req *r);

/* net_loop_run runs until no probe is queued or in flight. Returns 0, or
 * -1 when epoll itself fails (every probe then gets NET_CANCELLED). */
int net_loop_run(struct net_loop *l);

/* net_cancel_queued removes every queued (not yet started) probe of
 * group, calling its done with NET_CANCELLED. Probes in flight go on. */
void net_cancel_queued(struct net_loop *l, unsigned group);

/* net_group_deadline sets a deadline for every probe of group, queued or
 * in flight, now or later (util_mono_ms() milliseconds; 0: none). From
 * then on its attempt in flight ends with NET_EXPIRED (no retry) and its
 * queued probes end with NET_EXPIRED without starting. Returns 0, or -1
 * when out of memory. */
__attribute__((warn_unused_result)) int net_group_deadline(struct net_loop *l, unsigned group,
                                                           int64_t deadline_ms);

/* net_group_limits sets group's own per-target cap (max_conn; 0: the
 * loop's) and extra_ms more for each of its attempts beyond the loop's
 * timeout (a STARTTLS dialogue's greeting time), for probes started from
 * now on. Returns 0, or -1 when out of memory. */
__attribute__((warn_unused_result)) int net_group_limits(struct net_loop *l, unsigned group,
                                                         unsigned max_conn, int extra_ms);

/* net_loop_set_notice: fn (may be NULL) receives a one-line text when the
 * loop changes its own limits (the global cap lowered because descriptors
 * ran out). Called on the loop's thread. */
void net_loop_set_notice(struct net_loop *l, void (*fn)(void *arg, const char *text), void *arg);

/* net_loop_set_tick: fn (may be NULL) is called on the loop's thread at
 * the start of every turn of net_loop_run (after each batch of events, at
 * least every 200 ms while probes are queued or in flight); it may call
 * net_submit. The scan uses it to start targets held back until a slot
 * of its window freed on another thread (scanner/scan.c). */
void net_loop_set_tick(struct net_loop *l, void (*fn)(void *arg), void *arg);

/* Counters for benchmarks and progress. */
struct net_stats {
    uint64_t submitted, finished, retries, connects;
    uint64_t writes; /* bytes-out batches written in full (one per on_connect/on_bytes that queued
                        some) */
    unsigned max_in_flight;
    unsigned cap_total;   /* the global cap now (lower than asked when descriptors ran out) */
    unsigned cap_lowered; /* how often it was lowered */
    size_t queued, in_flight;
};
void net_loop_stats(const struct net_loop *l, struct net_stats *out);

#endif
