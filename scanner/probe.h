/*
 * scanner/probe.h - the probe loop: one epoll event loop that drives every
 * raw-ClientHello probe of every target over non-blocking sockets.
 *
 * A probe is: connect, send the hello bytes, hand every byte received to
 * the caller's feed function until it says it has seen enough (or failed),
 * close. The loop enforces a global cap on connections in flight and a cap
 * per target (a "group"), one deadline per attempt, and one retry after a
 * reset or timeout. Completion callbacks may submit further probes (that is
 * how enumeration proceeds: offer, record the pick, offer the rest).
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
    PROBE_CONNECT_FAILED, /* refused / unreachable: no retry */
    PROBE_CANCELLED,      /* the loop was stopped */
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
     * for failures ("" on PROBE_DONE). It may call probe_submit. */
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

/* Counters for benchmarks and progress. */
struct probe_stats {
    uint64_t submitted, finished, retries, connects;
    unsigned max_in_flight;
    size_t queued, in_flight;
};
void probe_loop_stats(const struct probe_loop *l, struct probe_stats *out);

#endif
