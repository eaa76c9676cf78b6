/*
 * scanner/probe.h - the probe loop: one epoll event loop that drives every
 * raw-ClientHello probe of every target over non-blocking sockets.
 *
 * A probe is: connect, send the hello bytes, hand every byte received to
 * the caller's feed function until it says it has seen enough (or failed),
 * close. The loop enforces a global cap on connections in flight and a cap
 * per target (a "group"), one deadline per attempt, an optional deadline
 * per group (the target's time budget), and one retry after a reset or
 * timeout. Completion callbacks may submit further probes or cancel queued
 * ones (that is how enumeration proceeds: offer, record the pick, offer the
 * rest); the loop never calls one while it walks its queue, so a probe
 * that fails the moment it starts is reported after the walk.
 *
 * Running out of file descriptors (EMFILE/ENFILE) with connections open
 * lowers the global cap (see probe_loop_set_notice) and the probe waits in
 * the queue; only with nothing in flight does it fail (PROBE_LOCAL_ERROR).
 *
 * Memory: the loop keeps per probe the hello bytes (the caller's buffer is
 * copied, at most PROBE_MAX_HELLO bytes) and a small fixed struct; received
 * bytes go straight from one shared 16 KiB read buffer to feed(), so the
 * loop itself holds O(in-flight x (struct + hello)) bytes. What the parser
 * keeps is the parser's cap (see hello.h).
 *
 * Not thread-safe: one loop per thread.
 */
#ifndef TLSAUDIT_SCANNER_PROBE_H
#define TLSAUDIT_SCANNER_PROBE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define PROBE_MAX_HELLO (16 * 1024)

enum probe_feed {
    PROBE_FEED_MORE = 0, /* keep reading */
    PROBE_FEED_DONE,     /* the parser has what it needs: close */
    PROBE_FEED_FAILED,   /* the bytes make no sense: close */
};

enum probe_outcome {
    PROBE_DONE = 0,       /* feed() returned DONE */
    PROBE_FAILED,         /* feed() returned FAILED */
    PROBE_CLOSED,         /* the server closed before feed() was done */
    PROBE_RESET,          /* connection reset (after the retry) */
    PROBE_TIMEOUT,        /* no complete answer before the deadline (after the retry) */
    PROBE_CONNECT_FAILED, /* refused / unreachable (also at once: no route): no retry */
    PROBE_CANCELLED,      /* the loop was stopped */
    PROBE_LOCAL_ERROR,    /* no descriptor or memory here, nothing in flight to wait for */
    PROBE_EXPIRED,        /* the group's deadline passed (queued or in flight): no retry */
};

/* probe_outcome_name returns a short word for o ("done", "reset", ...). */
const char *probe_outcome_name(enum probe_outcome o);

struct probe_req {
    struct sockaddr_storage sa;
    socklen_t sa_len;
    unsigned group;       /* per-target cap applies per group id */
    const uint8_t *hello; /* bytes to send; copied by probe_submit */
    size_t hello_len;
    /* feed receives the bytes as they arrive. On a retry the parser state
     * must be reset: reset() is called before the second attempt. */
    enum probe_feed (*feed)(void *ctx, const uint8_t *data, size_t len);
    void (*reset)(void *ctx);
    /* done is called exactly once per submitted probe. why is a short text
     * for failures ("" on PROBE_DONE). It may call probe_submit and
     * probe_cancel_queued. */
    void (*done)(void *ctx, enum probe_outcome outcome, const char *why);
    void *ctx;
};

struct probe_loop;

/* probe_loop_new makes a loop with these caps (each >= 1) and a per-attempt
 * timeout. stop may be NULL; when *stop becomes non-zero the loop cancels
 * everything. Returns NULL when out of memory or epoll fails. */
struct probe_loop *probe_loop_new(unsigned max_conn_total, unsigned max_conn_per_group,
                                  int timeout_ms, const volatile sig_atomic_t *stop);
void probe_loop_free(struct probe_loop *l);

/* probe_submit queues a probe; it starts when the caps allow. Returns 0,
 * or -1 (out of memory, hello too long) without calling done. */
__attribute__((warn_unused_result)) int probe_submit(struct probe_loop *l,
                                                     const struct probe_req *r);

/* probe_loop_run runs until no probe is queued or in flight. Returns 0, or
 * -1 when epoll itself fails (every probe then gets PROBE_CANCELLED). */
int probe_loop_run(struct probe_loop *l);

/* probe_cancel_queued removes every queued (not yet started) probe of
 * group, calling its done with PROBE_CANCELLED. Probes in flight go on. */
void probe_cancel_queued(struct probe_loop *l, unsigned group);

/* probe_group_deadline sets a deadline for every probe of group, queued
 * or in flight, now or later (util_mono_ms() milliseconds; 0: none). From
 * then on its attempt in flight ends with PROBE_EXPIRED (no retry) and its
 * queued probes end with PROBE_EXPIRED without starting. Returns 0, or -1
 * when out of memory. */
__attribute__((warn_unused_result)) int probe_group_deadline(struct probe_loop *l, unsigned group,
                                                             int64_t deadline_ms);

/* probe_loop_set_notice: fn (may be NULL) receives a one-line text when the
 * loop changes its own limits (the global cap lowered because descriptors
 * ran out). Called on the loop's thread. */
void probe_loop_set_notice(struct probe_loop *l, void (*fn)(void *arg, const char *text),
                           void *arg);

/* Counters for benchmarks and progress. */
struct probe_stats {
    uint64_t submitted, finished, retries, connects;
    unsigned max_in_flight;
    unsigned cap_total;   /* the global cap now (lower than asked when descriptors ran out) */
    unsigned cap_lowered; /* how often it was lowered */
    size_t queued, in_flight;
};
void probe_loop_stats(const struct probe_loop *l, struct probe_stats *out);

#endif
