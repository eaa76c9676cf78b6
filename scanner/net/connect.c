/*
 * scanner/net/connect.c - connect with a deadline, and the blocking runner
 * of a pre-TLS dialogue (see connect.h).
 */
#include "scanner/net/connect.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"

/* Waits between tries for a file descriptor. */
#define NET_FD_WAIT_MS 20

static bool stopped(const volatile sig_atomic_t *stop)
{
    /* Set by a signal handler or, atomically, by another thread. */
    return stop != NULL && __atomic_load_n(stop, __ATOMIC_SEQ_CST);
}

bool net_err_is_local(int err)
{
    return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM;
}

int net_socket(int family)
{
    return socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

int net_connect_begin(int fd, const struct sockaddr *sa, socklen_t sa_len)
{
    if (connect(fd, sa, sa_len) == 0 || errno == EINPROGRESS) {
        return 0;
    }
    return errno;
}

int net_connect_result(int fd)
{
    int soerr = 0;
    socklen_t len = sizeof(soerr);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0) {
        soerr = errno;
    }
    return soerr;
}

int net_wait(int fd, short ev, int64_t deadline, const volatile sig_atomic_t *stop)
{
    for (;;) {
        if (stopped(stop)) {
            return -1;
        }
        int64_t left = deadline - util_mono_ms();
        if (left <= 0) {
            return 0;
        }
        struct pollfd p = {.fd = fd, .events = ev};
        int n = poll(&p, 1, (int)(left < NET_WAIT_SLICE_MS ? left : NET_WAIT_SLICE_MS));
        if (n > 0) {
            return 1;
        }
    }
}

/* A socket for family. Out of descriptors (EMFILE/ENFILE: the loop's
 * connections, other handshakes), waits for one until the deadline.
 * Returns the fd, or -1 with errno set. */
static int socket_deadline(int family, int64_t deadline, const volatile sig_atomic_t *stop)
{
    for (;;) {
        int fd = net_socket(family);
        if (fd >= 0 || (errno != EMFILE && errno != ENFILE)) {
            return fd;
        }
        int err = errno;
        int64_t left = deadline - util_mono_ms();
        if (left <= 0 || stopped(stop)) {
            errno = err;
            return -1;
        }
        (void)poll(NULL, 0, (int)(left < NET_FD_WAIT_MS ? left : NET_FD_WAIT_MS));
    }
}

static void set_error(struct net_error *e, const char *what, int err)
{
    e->local = net_err_is_local(err);
    if (err != 0) {
        snprintf(e->why, sizeof(e->why), "%s: %s", what, strerror(err));
    } else {
        util_copy(e->why, sizeof(e->why), what);
    }
}

int net_connect(const struct sockaddr *sa, socklen_t sa_len, int64_t deadline,
                const volatile sig_atomic_t *stop, struct net_error *err)
{
    memset(err, 0, sizeof(*err));
    int fd = socket_deadline(sa->sa_family, deadline, stop);
    if (fd < 0) {
        set_error(err, "socket", errno);
        return -1;
    }
    int e = net_connect_begin(fd, sa, sa_len);
    if (e != 0) {
        set_error(err, "connect", e);
        close(fd);
        return -1;
    }
    int w = net_wait(fd, POLLOUT, deadline, stop);
    if (w <= 0) {
        err->interrupted = w < 0;
        err->timed_out = w == 0;
        util_copy(err->why, sizeof(err->why), w < 0 ? "interrupted" : "connect: timed out");
        close(fd);
        return -1;
    }
    e = net_connect_result(fd);
    if (e != 0) {
        set_error(err, "connect", e);
        close(fd);
        return -1;
    }
    return fd;
}

/* Sends all of out on fd before the deadline. Returns 0 or -1 (*err set). */
static int send_all(int fd, struct wbuf *out, int64_t deadline, const volatile sig_atomic_t *stop,
                    const char *name, struct net_error *err)
{
    const uint8_t *data = wbuf_data(out);
    size_t len = wbuf_len(out), sent = 0;
    while (sent < len) {
        ssize_t n = send(fd, data + sent, len - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += (size_t)n;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            int w = net_wait(fd, POLLOUT, deadline, stop);
            if (w > 0) {
                continue;
            }
            err->interrupted = w < 0;
            err->timed_out = w == 0;
            snprintf(err->why, sizeof(err->why), w < 0 ? "interrupted" : "%s dialogue: timed out",
                     name);
            return -1;
        }
        err->reset = errno == ECONNRESET || errno == EPIPE;
        snprintf(err->why, sizeof(err->why), "%s dialogue: send: %s", name, strerror(errno));
        return -1;
    }
    wbuf_cleanup(out);
    return 0;
}

/* Reads what the server sent into buf. Returns the count (> 0), or -1
 * (*err set: closed, reset, timeout, stop). */
static ssize_t recv_some(int fd, uint8_t *buf, size_t size, int64_t deadline,
                         const volatile sig_atomic_t *stop, const char *name, struct net_error *err)
{
    for (;;) {
        ssize_t n = recv(fd, buf, size, 0);
        if (n > 0) {
            return n;
        }
        if (n == 0) {
            err->reset = true;
            snprintf(err->why, sizeof(err->why), "%s dialogue: closed by the server", name);
            return -1;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            err->reset = errno == ECONNRESET;
            snprintf(err->why, sizeof(err->why), "%s dialogue: recv: %s", name, strerror(errno));
            return -1;
        }
        int w = net_wait(fd, POLLIN, deadline, stop);
        if (w <= 0) {
            err->interrupted = w < 0;
            err->timed_out = w == 0;
            snprintf(err->why, sizeof(err->why),
                     w < 0 ? "interrupted" : "%s dialogue: timed out waiting for the server", name);
            return -1;
        }
    }
}

int net_dialogue_run(int fd, const struct net_dialogue *d, int64_t deadline,
                     const volatile sig_atomic_t *stop, struct net_error *err)
{
    memset(err, 0, sizeof(*err));
    if (d == NULL) {
        return 0;
    }
    void *ctx = calloc(1, d->ops->ctx_size ? d->ops->ctx_size : 1);
    if (ctx == NULL) {
        err->local = true;
        util_copy(err->why, sizeof(err->why), "out of memory for the dialogue");
        return -1;
    }
    int rc = net_dialogue_run_ctx(fd, d, ctx, deadline, stop, err);
    free(ctx);
    return rc;
}

int net_dialogue_run_ctx(int fd, const struct net_dialogue *d, void *ctx, int64_t deadline,
                         const volatile sig_atomic_t *stop, struct net_error *err)
{
    memset(err, 0, sizeof(*err));
    const struct net_dialogue_ops *ops = d->ops;
    int rc = -1;
    struct wbuf out;
    wbuf_init(&out, NET_MAX_OUT);
    char reason[128] = "";
    uint8_t buf[4096];
    size_t n_in = 0;
    enum net_dialogue_step step = ops->start(ctx, d->arg, &out, reason, sizeof(reason));
    for (;;) {
        if (step != NET_DIALOGUE_FAILED && !wbuf_ok(&out)) {
            snprintf(reason, sizeof(reason), "more than %d bytes to send", NET_MAX_OUT);
            step = NET_DIALOGUE_FAILED;
        }
        if (step == NET_DIALOGUE_FAILED) {
            snprintf(err->why, sizeof(err->why), "%s: %s", ops->name, reason);
            goto out;
        }
        if (send_all(fd, &out, deadline, stop, ops->name, err) != 0) {
            goto out;
        }
        if (step == NET_DIALOGUE_READY) {
            rc = 0;
            goto out;
        }
        size_t room = NET_DIALOGUE_MAX_IN - n_in;
        if (room == 0) {
            snprintf(err->why, sizeof(err->why), "%s: the server sent more than %d bytes",
                     ops->name, NET_DIALOGUE_MAX_IN);
            goto out;
        }
        ssize_t n = recv_some(fd, buf, room < sizeof(buf) ? room : sizeof(buf), deadline, stop,
                              ops->name, err);
        if (n < 0) {
            goto out;
        }
        n_in += (size_t)n;
        step = ops->on_bytes(ctx, d->arg, buf, (size_t)n, &out, reason, sizeof(reason));
    }
out:
    wbuf_cleanup(&out);
    return rc;
}
