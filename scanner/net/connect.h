/*
 * scanner/net/connect.h - the one way tlsaudit opens a TCP connection to a
 * target: a non-blocking, close-on-exec socket, connect(), the connect's
 * result from SO_ERROR, and the classification of a failure as ours (no
 * descriptor, no memory: EMFILE, ENFILE, ENOBUFS, ENOMEM) or the target's.
 *
 * Two users: the epoll loop (scanner/net/loop.c) takes the non-blocking
 * steps one at a time; the GnuTLS handshakes (scanner/handshake.c) call
 * net_connect, which waits with a deadline, and net_dialogue_run, which runs
 * a pre-TLS dialogue (scanner/net/dialogue.h) on the socket, blocking with
 * the same deadline, before the first TLS byte.
 *
 * Deadlines are util_mono_ms() times. A stop flag (may be NULL) that
 * becomes non-zero ends a wait within NET_WAIT_SLICE_MS.
 */
#ifndef TLSAUDIT_SCANNER_NET_CONNECT_H
#define TLSAUDIT_SCANNER_NET_CONNECT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "scanner/net/dialogue.h"

#define NET_WAIT_SLICE_MS 200

/* net_err_is_local is true when errno value err means this host ran out of
 * something (descriptors, buffers, memory), not that the target failed. */
bool net_err_is_local(int err);

/* net_socket opens a non-blocking close-on-exec stream socket of family.
 * Returns the fd, or -1 with errno set. */
int net_socket(int family);

/* net_connect_begin starts connecting fd to sa. Returns 0 (connected, or in
 * progress: wait for writability), or the errno value of the failure. */
int net_connect_begin(int fd, const struct sockaddr *sa, socklen_t sa_len);

/* net_connect_result returns the outcome of a connect in progress on fd
 * once it is writable: 0, or the errno value (SO_ERROR). */
int net_connect_result(int fd);

/* net_wait waits for ev (POLLIN / POLLOUT) on fd until deadline, in slices.
 * Returns 1 when ready, 0 at the deadline, -1 when a stop was requested. */
int net_wait(int fd, short ev, int64_t deadline, const volatile sig_atomic_t *stop);

/* Why a blocking connect or dialogue failed. */
struct net_error {
    bool local;       /* ours: out of descriptors / memory */
    bool interrupted; /* the stop flag was set */
    bool timed_out;
    bool reset;    /* the connection was reset or closed: worth a retry */
    char why[160]; /* "socket: ...", "connect: Connection refused", "connect: timed out" */
};

/* net_connect connects a new socket to sa before deadline. Out of
 * descriptors it waits for one (they come back as other connections end)
 * until the deadline. Returns the fd, or -1 with *err filled. */
int net_connect(const struct sockaddr *sa, socklen_t sa_len, int64_t deadline,
                const volatile sig_atomic_t *stop, struct net_error *err);

/* net_dialogue_run runs dialogue d on the connected socket fd (non-blocking)
 * until it says READY, all before deadline. Returns 0 (READY: the next byte
 * on fd is the server's first TLS byte), or -1 with *err filled: the
 * dialogue failed (why: "<name>: <its reason>"), the server closed or reset
 * (err->reset), the deadline passed (err->timed_out), a stop, or no memory
 * (err->local). A NULL d returns 0 at once. */
int net_dialogue_run(int fd, const struct net_dialogue *d, int64_t deadline,
                     const volatile sig_atomic_t *stop, struct net_error *err);

/* net_dialogue_run_ctx is net_dialogue_run (d not NULL) in the caller's
 * state: ctx holds d->ops->ctx_size zeroed bytes and keeps what the
 * dialogue left in it for the caller to read (the starttls probe). */
int net_dialogue_run_ctx(int fd, const struct net_dialogue *d, void *ctx, int64_t deadline,
                         const volatile sig_atomic_t *stop, struct net_error *err);

#endif
