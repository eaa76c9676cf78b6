/*
 * scanner/net/converse.c - one connection of the conversation loop: the
 * connect's result, the pre-TLS dialogue, then the conversation, written
 * and read half-duplex (see loop.h for the contract, loop.c for the queue,
 * caps and deadlines).
 *
 * A probe in flight is connecting (EPOLLOUT), writing (EPOLLOUT: p->out
 * holds unsent bytes; nothing is read meanwhile) or reading (EPOLLIN: p->out
 * is empty and holds no memory). Its dialogue state, if any, is zeroed at
 * every connect. After net_loop_finish or net_loop_fail_attempt nothing
 * here touches p again.
 */
#include "scanner/net/loop_private.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>

#include "scanner/net/connect.h"

/* Registers p for ev (EPOLLIN or EPOLLOUT). */
static void watch(struct net_loop *l, struct net_probe *p, uint32_t ev)
{
    struct epoll_event e = {.events = ev, .data.ptr = p};
    p->writing = ev == EPOLLOUT;
    (void)epoll_ctl(l->ep, EPOLL_CTL_MOD, p->fd, &e);
}

/* Sends what p->out holds. Returns true when all of it is sent (p then
 * reads), false when p waits for EPOLLOUT or has finished. */
static bool flush(struct net_loop *l, struct net_probe *p)
{
    if (!wbuf_ok(&p->out)) {
        char why[96];
        snprintf(why, sizeof(why), "more than %d bytes to send at once (or out of memory)",
                 NET_MAX_OUT);
        net_loop_finish(l, p, NET_LOCAL_ERROR, why);
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
            net_loop_fail_attempt(l, p, NET_RESET, "connection reset while sending");
        } else {
            char why[96];
            snprintf(why, sizeof(why), "send: %s", strerror(errno));
            net_loop_finish(l, p, NET_CLOSED, why);
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
static void converse(struct net_probe *p)
{
    p->phase = NET_PH_CONVERSE;
    p->req.ops->on_connect(p->req.ctx, &p->out);
}

/* Acts on what the dialogue said. Returns true when p may read on. */
static bool dialogue_step(struct net_loop *l, struct net_probe *p, enum net_dialogue_step step,
                          const char *reason)
{
    if (step == NET_DIALOGUE_FAILED) {
        char why[192];
        snprintf(why, sizeof(why), "%s: %s", p->dialogue.ops->name, reason);
        net_loop_finish(l, p, NET_PRE_TLS_FAILED, why);
        return false;
    }
    if (step == NET_DIALOGUE_READY) {
        converse(p);
    }
    return flush(l, p);
}

/* The connection is up: the dialogue, else the conversation, starts. */
static void connected(struct net_loop *l, struct net_probe *p)
{
    if (p->dialogue.ops == NULL) {
        converse(p);
        (void)flush(l, p);
        return;
    }
    char reason[128] = "";
    memset(p->dctx, 0, p->dialogue.ops->ctx_size);
    p->d_in = 0;
    p->phase = NET_PH_DIALOGUE;
    (void)dialogue_step(
        l, p, p->dialogue.ops->start(p->dctx, p->dialogue.arg, &p->out, reason, sizeof(reason)),
        reason);
}

/* Hands n received bytes to the dialogue or the conversation. Returns
 * true when p reads on, false when it finished or has bytes to send. */
static bool deliver(struct net_loop *l, struct net_probe *p, size_t n)
{
    if (p->phase == NET_PH_DIALOGUE) {
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
        net_loop_finish(l, p, NET_COMPLETED, "");
        return false;
    }
    if (f == NET_FAILED) {
        net_loop_finish(l, p, NET_BAD_ANSWER, "unparsable answer");
        return false;
    }
    return wbuf_len(&p->out) == 0 && wbuf_ok(&p->out) ? true : flush(l, p);
}

static void do_read(struct net_loop *l, struct net_probe *p)
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
            net_loop_finish(l, p, NET_CLOSED,
                            p->phase == NET_PH_DIALOGUE ? "closed by the server during the dialogue"
                                                        : "closed by the server");
            return;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            return;
        }
        if (errno == ECONNRESET) {
            net_loop_fail_attempt(l, p, NET_RESET, "connection reset");
        } else {
            char why[96];
            snprintf(why, sizeof(why), "recv: %s", strerror(errno));
            net_loop_finish(l, p, NET_CLOSED, why);
        }
        return;
    }
}

void net_conv_event(struct net_loop *l, struct net_probe *p, uint32_t events)
{
    if (p->phase == NET_PH_CONNECTING) {
        int soerr = net_connect_result(p->fd);
        if (soerr != 0) {
            char why[96];
            snprintf(why, sizeof(why), "connect: %s", strerror(soerr));
            net_loop_finish(l, p, NET_CONNECT_FAILED, why);
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
