/*
 * scanner/net/dialogue.h - the pre-TLS dialogue hook: a plaintext exchange
 * on a fresh connection before the first TLS byte (a STARTTLS protocol:
 * SMTP, IMAP, ...). The same dialogue runs on the epoll loop's sockets
 * (scanner/net/loop.h: a probe request may carry one) and, blocking with a
 * deadline, on the GnuTLS handshakes' sockets (net_dialogue_run in
 * scanner/net/connect.h). A NULL dialogue means TLS starts at once.
 *
 * A dialogue is a table of ops plus a read-only argument; its state is per
 * connection: whoever runs it allocates ops->ctx_size bytes, zeroed before
 * every start (so a retry starts from scratch), and frees them.
 *
 * Contract: start() may append bytes to send first (a command) and returns
 * MORE (wait for the server's bytes), READY (TLS may start now) or FAILED
 * (why says why). on_bytes() receives every byte the server sends until it
 * returns READY or FAILED, and may append bytes to send. The server sends
 * nothing of TLS before our ClientHello, so every byte received belongs to
 * the dialogue: bytes after its last expected line are the dialogue's to
 * reject (FAILED). Bytes appended on READY are sent before the TLS bytes.
 * Whoever runs the dialogue caps what it sends (NET_MAX_OUT) and what the
 * server may send during it (NET_DIALOGUE_MAX_IN).
 */
#ifndef TLSAUDIT_SCANNER_NET_DIALOGUE_H
#define TLSAUDIT_SCANNER_NET_DIALOGUE_H

#include <stddef.h>
#include <stdint.h>

#include "common/bytes.h"

/* Cap on the bytes one write of a conversation or dialogue may queue. */
#define NET_MAX_OUT (16 * 1024)
/* Cap on the bytes a server may send during a dialogue. */
#define NET_DIALOGUE_MAX_IN (64 * 1024)

enum net_dialogue_step {
    NET_DIALOGUE_MORE = 0, /* wait for more bytes from the server */
    NET_DIALOGUE_READY,    /* the TLS part may start */
    NET_DIALOGUE_FAILED,   /* the server said no, or made no sense: why says which */
};

struct net_dialogue_ops {
    const char *name; /* names the dialogue in failure reasons ("smtp") */
    size_t ctx_size;  /* per-connection state, zeroed before every start */
    enum net_dialogue_step (*start)(void *ctx, const void *arg, struct wbuf *out, char *why,
                                    size_t why_len);
    enum net_dialogue_step (*on_bytes)(void *ctx, const void *arg, const uint8_t *in, size_t len,
                                       struct wbuf *out, char *why, size_t why_len);
};

/* A dialogue to run: ops and arg must outlive every connection using it. */
struct net_dialogue {
    const struct net_dialogue_ops *ops;
    const void *arg;
};

#endif
