/*
 * scanner/hs_session.c - the GnuTLS sessions of hs_session.h: a second
 * handshake on one connection (client-initiated renegotiation), a second
 * connection resuming the first one's session (by id, by ticket, with
 * early data), and the Ticketbleed echo.
 *
 * Each connection is non-blocking; every wait goes through net_wait with
 * the call's one deadline, so the whole call costs at most its timeout. A
 * hook reads the NewSessionTicket (TLS 1.3: its early_data extension, RFC
 * 8446 §4.6.1) and, for Ticketbleed, the ServerHello's session id with
 * hello.c's parser. For Ticketbleed the transport's push rewrites
 * GnuTLS's first ClientHello: the session id GnuTLS put next to the ticket
 * becomes HS_TICKETBLEED_ID_LEN bytes of ours (the record and handshake
 * lengths follow); the ServerHello alone decides, so the handshake is
 * abandoned right after it. Server memory an echo carries is counted,
 * never kept. hs_read_after (the STARTTLS injection probe) completes one
 * handshake behind a dialogue whose state the caller keeps and reads what
 * the server sends unasked.
 */
#include "scanner/hs_session.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/bytes.h"
#include "common/util.h"
#include "scanner/handshake_private.h"
#include "scanner/hello.h"
#include "scanner/net/connect.h"

#define TLS_EXT_EARLY_DATA 42           /* RFC 8446 §4.2.10 */
#define SESS_MAX_DRAIN (64 * 1024)      /* application bytes read while waiting for a ticket */
#define SESS_TICKET_WAIT_MIN_MS 1000    /* at least this long for a TLS 1.3 ticket ... */
#define SESS_TICKET_WAIT_FACTOR 4       /* ... or this many times the handshake's duration */
#define SESS_MAX_HELLO (16384 + 5 + 32) /* a ClientHello record we rewrite, and some room */

/* One connection and its GnuTLS session; what the hook and push saw. */
struct conn {
    int fd;
    gnutls_session_t s;
    int64_t deadline;
    bool stopped; /* the stop flag ended a wait */
    bool dialogue_timed_out;
    void *dctx;  /* the dialogue's state in the caller's storage, or NULL (ours) */
    bool sh_any; /* a ServerHello arrived */
    /* NewSessionTicket (any version); TLS 1.3: its max_early_data_size */
    bool nst_seen;
    uint32_t nst_max_early;
    /* Ticketbleed: rewrite the first ClientHello's session id to rewrite_id */
    bool rewrite;
    bool hello_pushed; /* the first ClientHello went out ... */
    bool rewritten;    /* ... with the session id replaced */
    uint8_t rewrite_id[HS_TICKETBLEED_ID_LEN];
    /* the ServerHello as hello.c read it */
    bool sh_seen;
    bool sh_parsed;
    uint8_t sh_id_len;
    uint8_t sh_id[32];
};

static const char *const sess_vers[TLSV_COUNT] = {[TLSV_TLS10] = "TLS1.0",
                                                  [TLSV_TLS11] = "TLS1.1",
                                                  [TLSV_TLS12] = "TLS1.2",
                                                  [TLSV_TLS13] = "TLS1.3"};

/* Reads a TLS 1.3 NewSessionTicket body (RFC 8446 §4.6.1) for its
 * early_data extension; a malformed one counts as allowing none. */
static uint32_t nst13_max_early(const gnutls_datum_t *msg)
{
    struct rbuf r, skip, exts;
    uint32_t u32;
    rbuf_init(&r, msg->data, msg->size);
    if (!rbuf_get_u32(&r, &u32) || !rbuf_get_u32(&r, &u32) || !rbuf_get_vec8(&r, &skip) ||
        !rbuf_get_vec16(&r, &skip) || !rbuf_get_vec16(&r, &exts)) {
        return 0;
    }
    while (!rbuf_at_end(&exts)) {
        uint16_t type;
        struct rbuf body;
        if (!rbuf_get_u16(&exts, &type) || !rbuf_get_vec16(&exts, &body)) {
            return 0;
        }
        if (type == TLS_EXT_EARLY_DATA) {
            return rbuf_get_u32(&body, &u32) && rbuf_at_end(&body) ? u32 : 0;
        }
    }
    return 0;
}

static int sess_hook(gnutls_session_t s, unsigned int htype, unsigned when, unsigned int incoming,
                     const gnutls_datum_t *msg)
{
    struct conn *k = gnutls_session_get_ptr(s);
    if (k == NULL || !incoming || when != GNUTLS_HOOK_PRE || msg == NULL) {
        return 0;
    }
    if (htype == GNUTLS_HANDSHAKE_SERVER_HELLO) {
        k->sh_any = true;
    }
    if (htype == GNUTLS_HANDSHAKE_NEW_SESSION_TICKET) {
        k->nst_seen = true;
        if (gnutls_protocol_get_version(s) == GNUTLS_TLS1_3) {
            uint32_t m = nst13_max_early(msg);
            k->nst_max_early = m > k->nst_max_early ? m : k->nst_max_early;
        }
    } else if (htype == GNUTLS_HANDSHAKE_SERVER_HELLO && k->rewrite) {
        struct rbuf r;
        struct hello_server_hello sh;
        struct hello_error err;
        rbuf_init(&r, msg->data, msg->size);
        k->sh_seen = true;
        k->sh_parsed = hello_parse_server_hello(&r, &sh, &err);
        if (k->sh_parsed) {
            k->sh_id_len = sh.session_id_len;
            memcpy(k->sh_id, sh.session_id, sizeof(k->sh_id));
        }
        return GNUTLS_E_APPLICATION_ERROR_MIN; /* the ServerHello decides: stop here */
    }
    return 0;
}

static ssize_t sess_pull(gnutls_transport_ptr_t ptr, void *buf, size_t len)
{
    struct conn *k = ptr;
    ssize_t n = recv(k->fd, buf, len, 0);
    if (n < 0) {
        gnutls_transport_set_errno(k->s, errno);
    }
    return n;
}

static int sess_pull_timeout(gnutls_transport_ptr_t ptr, unsigned int ms)
{
    struct conn *k = ptr;
    int64_t left = k->deadline - util_mono_ms();
    left = left < 0 ? 0 : left;
    if (ms != GNUTLS_INDEFINITE_TIMEOUT && (int64_t)ms < left) {
        left = ms;
    }
    struct pollfd p = {.fd = k->fd, .events = POLLIN};
    return poll(&p, 1, (int)left);
}

/* Sends all n bytes of buf before the deadline; false (errno set) when not. */
static bool send_all(struct conn *k, const uint8_t *buf, size_t n)
{
    size_t off = 0;
    while (off < n) {
        ssize_t w = send(k->fd, buf + off, n - off, MSG_NOSIGNAL);
        if (w > 0) {
            off += (size_t)w;
            continue;
        }
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            return false;
        }
        if (net_wait(k->fd, POLLOUT, k->deadline, handshake_stop_flag()) <= 0) {
            errno = ETIMEDOUT;
            return false;
        }
    }
    return true;
}

/* Writes the ClientHello record in rec (one record holding only the
 * ClientHello, RFC 5246 §6.2.1 and §7.4.1.2) into out with its session id
 * replaced by k->rewrite_id; false when rec is not such a record. */
static bool rewrite_hello(const struct conn *k, const uint8_t *rec, size_t n, struct wbuf *out)
{
    struct rbuf r, body, msg, random, id;
    uint8_t type, mtype;
    uint16_t rv, cv;
    rbuf_init(&r, rec, n);
    if (!rbuf_get_u8(&r, &type) || type != 22 || !rbuf_get_u16(&r, &rv) ||
        !rbuf_get_vec16(&r, &body) || !rbuf_at_end(&r) || !rbuf_get_u8(&body, &mtype) ||
        mtype != 1 || !rbuf_get_vec24(&body, &msg) || !rbuf_at_end(&body) ||
        !rbuf_get_u16(&msg, &cv) || !rbuf_get_bytes(&msg, &random, 32) ||
        !rbuf_get_vec8(&msg, &id)) {
        return false;
    }
    struct wbuf recw, hs, idw;
    bool ok = wbuf_put_u8(out, 22) && wbuf_put_u16(out, rv) && wbuf_open_vec16(out, &recw) &&
              wbuf_put_u8(&recw, 1) && wbuf_open_vec24(&recw, &hs) && wbuf_put_u16(&hs, cv) &&
              wbuf_put_bytes(&hs, random.data, 32) && wbuf_open_vec8(&hs, &idw) &&
              wbuf_put_bytes(&idw, k->rewrite_id, sizeof(k->rewrite_id)) && wbuf_close(&idw) &&
              wbuf_put_bytes(&hs, msg.data, msg.len) && wbuf_close(&hs) && wbuf_close(&recw);
    return ok && wbuf_ok(out);
}

/* The push side: writev, except that the first ClientHello is rewritten
 * (Ticketbleed) and then sent whole before returning. */
static ssize_t sess_push(gnutls_transport_ptr_t ptr, const giovec_t *iov, int iovcnt)
{
    struct conn *k = ptr;
    if (!k->rewrite || k->hello_pushed) {
        ssize_t n = writev(k->fd, (const struct iovec *)iov, iovcnt);
        if (n < 0) {
            gnutls_transport_set_errno(k->s, errno);
        }
        return n;
    }
    static _Thread_local uint8_t in[SESS_MAX_HELLO], outb[SESS_MAX_HELLO];
    size_t n = 0;
    for (int i = 0; i < iovcnt; i++) {
        if (iov[i].iov_len > sizeof(in) - n) {
            gnutls_transport_set_errno(k->s, EMSGSIZE);
            return -1;
        }
        memcpy(in + n, iov[i].iov_base, iov[i].iov_len);
        n += iov[i].iov_len;
    }
    struct wbuf out;
    wbuf_init_fixed(&out, outb, sizeof(outb));
    k->hello_pushed = true;
    k->rewritten = rewrite_hello(k, in, n, &out);
    bool ok = k->rewritten ? send_all(k, outb, wbuf_len(&out)) : send_all(k, in, n);
    if (!ok) {
        gnutls_transport_set_errno(k->s, errno);
        return -1;
    }
    return (ssize_t)n;
}

/* Opens k: connects to sa, runs opt's dialogue, sets up a GnuTLS client
 * session offering only v (extra: more priority keywords, gnutls_init
 * flags beside GNUTLS_CLIENT and GNUTLS_NONBLOCK). 0, or -1 with why;
 * k->s and k->fd are then released already. */
static int conn_open(struct conn *k, const struct sockaddr *sa, socklen_t sa_len,
                     const struct hs_options *opt, enum tls_version v, const char *extra,
                     unsigned flags, struct hs_sess_out *out)
{
    struct net_error err;
    char base[512], prio[640];
    k->s = NULL;
    k->fd = net_connect(sa, sa_len, k->deadline, handshake_stop_flag(), &err);
    if (k->fd < 0) {
        k->stopped = err.interrupted;
        util_copy(out->why, sizeof(out->why), err.why);
        return -1;
    }
    out->n_conns++;
    int drc = 0;
    if (opt != NULL && opt->dialogue != NULL && k->dctx != NULL) {
        memset(k->dctx, 0, opt->dialogue->ops->ctx_size);
        drc = net_dialogue_run_ctx(k->fd, opt->dialogue, k->dctx, k->deadline,
                                   handshake_stop_flag(), &err);
    } else if (opt != NULL) {
        drc = net_dialogue_run(k->fd, opt->dialogue, k->deadline, handshake_stop_flag(), &err);
    }
    if (drc != 0) {
        k->stopped = err.interrupted;
        k->dialogue_timed_out = err.timed_out;
        snprintf(out->why, sizeof(out->why), "pre-TLS dialogue failed: %s", err.why);
        goto fail;
    }
    snprintf(base, sizeof(base), HS_PRIORITY_FMT, sess_vers[v]);
    snprintf(prio, sizeof(prio), "%s%s", base, extra);
    if (gnutls_init(&k->s, GNUTLS_CLIENT | GNUTLS_NONBLOCK | flags) < 0 ||
        gnutls_priority_set_direct(k->s, prio, NULL) < 0 ||
        gnutls_credentials_set(k->s, GNUTLS_CRD_CERTIFICATE, handshake_cert_cred()) < 0 ||
        gnutls_credentials_set(k->s, GNUTLS_CRD_ANON, handshake_anon_cred()) < 0) {
        util_copy(out->why, sizeof(out->why), "GnuTLS session set-up failed on this host");
        goto fail;
    }
    if (opt != NULL && opt->sni != NULL) {
        (void)gnutls_server_name_set(k->s, GNUTLS_NAME_DNS, opt->sni, strlen(opt->sni));
    }
    gnutls_dh_set_prime_bits(k->s, 512);
    gnutls_session_set_ptr(k->s, k);
    gnutls_handshake_set_hook_function(k->s, GNUTLS_HANDSHAKE_ANY, GNUTLS_HOOK_PRE, sess_hook);
    gnutls_transport_set_ptr(k->s, k);
    gnutls_transport_set_pull_function(k->s, sess_pull);
    gnutls_transport_set_pull_timeout_function(k->s, sess_pull_timeout);
    gnutls_transport_set_vec_push_function(k->s, sess_push);
    return 0;
fail:
    if (k->s != NULL) {
        gnutls_deinit(k->s);
        k->s = NULL;
    }
    close(k->fd);
    k->fd = -1;
    return -1;
}

static void conn_close(struct conn *k)
{
    if (k->s != NULL) {
        gnutls_deinit(k->s);
        k->s = NULL;
    }
    if (k->fd >= 0) {
        close(k->fd);
        k->fd = -1;
    }
}

/* Waits for k's socket in the direction GnuTLS wants; false at the
 * deadline or a stop (k->stopped). */
static bool conn_wait(struct conn *k, short ev)
{
    int w = net_wait(k->fd, ev, k->deadline, handshake_stop_flag());
    k->stopped = w < 0;
    return w > 0;
}

/* Runs (or, on an established session, starts again) the handshake:
 * GNUTLS_E_SUCCESS, the fatal error, GNUTLS_E_WARNING_ALERT_RECEIVED for a
 * no_renegotiation alert, or GNUTLS_E_TIMEDOUT (deadline or stop). */
static int conn_handshake(struct conn *k)
{
    for (;;) {
        int ret = gnutls_handshake(k->s);
        if (ret == GNUTLS_E_SUCCESS || k->sh_seen) {
            return ret;
        }
        if (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED) {
            if (!conn_wait(k, gnutls_record_get_direction(k->s) ? POLLOUT : POLLIN)) {
                return GNUTLS_E_TIMEDOUT;
            }
            continue;
        }
        if (ret == GNUTLS_E_WARNING_ALERT_RECEIVED &&
            gnutls_alert_get(k->s) == GNUTLS_A_NO_RENEGOTIATION) {
            return ret;
        }
        if (!gnutls_error_is_fatal(ret)) {
            continue; /* a warning alert, application data before the answer */
        }
        return ret;
    }
}

/* Why ret ended a handshake, in words. */
static void describe(const struct conn *k, int ret, const char *what, char *buf, size_t len)
{
    if (ret == GNUTLS_E_FATAL_ALERT_RECEIVED || ret == GNUTLS_E_WARNING_ALERT_RECEIVED) {
        const char *a = gnutls_alert_get_name(gnutls_alert_get(k->s));
        snprintf(buf, len, "%s: alert %s", what, a != NULL ? a : "unknown");
    } else if (ret == GNUTLS_E_TIMEDOUT) {
        snprintf(buf, len, "%s: %s", what, k->stopped ? "interrupted" : "no answer in time");
    } else if (ret == GNUTLS_E_PREMATURE_TERMINATION || ret == GNUTLS_E_PULL_ERROR ||
               ret == GNUTLS_E_PUSH_ERROR || ret == GNUTLS_E_UNEXPECTED_PACKET_LENGTH) {
        snprintf(buf, len, "%s: the server closed the connection", what);
    } else {
        snprintf(buf, len, "%s: %s", what, gnutls_strerror(ret));
    }
}

/* Sets out from a failed handshake: stopped, or no evidence. */
static void unknown(struct hs_sess_out *out, const struct conn *k, int ret, const char *what)
{
    out->state = k->stopped ? HS_SESS_STOPPED : HS_SESS_UNKNOWN;
    describe(k, ret, what, out->why, sizeof(out->why));
}

/* After a TLS 1.3 handshake: reads (and drops) what the server sends until
 * a NewSessionTicket arrived, the server closes, SESS_MAX_DRAIN bytes, or
 * wait_ms (at most the deadline). True when a ticket came. */
static bool wait_ticket13(struct conn *k, int64_t wait_ms)
{
    int64_t saved = k->deadline;
    int64_t until = util_mono_ms() + wait_ms;
    k->deadline = until < saved ? until : saved;
    size_t drained = 0;
    uint8_t buf[4096];
    while ((gnutls_session_get_flags(k->s) & GNUTLS_SFLAGS_SESSION_TICKET) == 0 &&
           drained < SESS_MAX_DRAIN) {
        ssize_t n = gnutls_record_recv(k->s, buf, sizeof(buf));
        if (n > 0) {
            drained += (size_t)n;
        } else if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED) {
            if (!conn_wait(k, POLLIN)) {
                break;
            }
        } else if (n == 0 || gnutls_error_is_fatal((int)n)) {
            break;
        }
    }
    k->deadline = saved;
    return (gnutls_session_get_flags(k->s) & GNUTLS_SFLAGS_SESSION_TICKET) != 0;
}

/* The first connection of a resumption: a full handshake of version v that
 * leaves its session in *data (freed with gnutls_free); ticket: a session
 * ticket must have come (TLS 1.3: waited for). 0, or -1 with out set. */
static int first_session(const struct sockaddr *sa, socklen_t sa_len, const struct hs_options *opt,
                         enum tls_version v, bool ticket, unsigned flags, int64_t deadline,
                         struct hs_sess_out *out, gnutls_datum_t *data)
{
    struct conn k = {.fd = -1, .deadline = deadline};
    int rc = -1;
    if (conn_open(&k, sa, sa_len, opt, v, "", flags, out) != 0) {
        out->state = k.stopped ? HS_SESS_STOPPED : HS_SESS_UNKNOWN;
        return -1;
    }
    int64_t t0 = util_mono_ms();
    int ret = conn_handshake(&k);
    if (ret != GNUTLS_E_SUCCESS) {
        unknown(out, &k, ret, "the first handshake failed");
        goto out;
    }
    if (ticket && v == TLSV_TLS13) {
        int64_t took = util_mono_ms() - t0;
        int64_t wait = took * SESS_TICKET_WAIT_FACTOR;
        (void)wait_ticket13(&k, wait > SESS_TICKET_WAIT_MIN_MS ? wait : SESS_TICKET_WAIT_MIN_MS);
    }
    bool got_ticket = (gnutls_session_get_flags(k.s) & GNUTLS_SFLAGS_SESSION_TICKET) != 0;
    out->max_early = k.nst_max_early;
    if (ticket && !got_ticket) {
        out->state = k.stopped ? HS_SESS_STOPPED : HS_SESS_NA;
        snprintf(out->why, sizeof(out->why), "the server sent no %s session ticket%s",
                 tls_version_name(v), v == TLSV_TLS13 ? " after the handshake" : "");
        goto out;
    }
    gnutls_datum_t id = {NULL, 0};
    if (!ticket && (gnutls_session_get_id2(k.s, &id) < 0 || id.size == 0)) {
        out->state = HS_SESS_NA;
        util_copy(out->why, sizeof(out->why), "the server gave the session no session id");
        goto out;
    }
    if (gnutls_session_get_data2(k.s, data) < 0) {
        out->state = HS_SESS_UNKNOWN;
        util_copy(out->why, sizeof(out->why), "GnuTLS kept no session data");
        goto out;
    }
    (void)gnutls_bye(k.s, GNUTLS_SHUT_WR);
    rc = 0;
out:
    conn_close(&k);
    return rc;
}

static void out_init(struct hs_sess_out *out)
{
    memset(out, 0, sizeof(*out));
    out->state = HS_SESS_UNKNOWN;
}

int hs_renegotiate(const struct sockaddr *sa, socklen_t sa_len, const struct hs_options *opt,
                   enum tls_version v, int timeout_ms, struct hs_sess_out *out)
{
    out_init(out);
    if (v < TLSV_HS_FIRST || v > TLSV_TLS12) {
        util_copy(out->why, sizeof(out->why), "no renegotiation in this version");
        out->state = HS_SESS_NA;
        return 0;
    }
    /* Unsafe renegotiation allowed on our side, so that a server without
     * RFC 5746 can be asked too; the extension is offered all the same. */
    struct conn k = {.fd = -1, .deadline = util_mono_ms() + timeout_ms};
    if (conn_open(&k, sa, sa_len, opt, v, ":%UNSAFE_RENEGOTIATION", GNUTLS_NO_TICKETS, out) != 0) {
        out->state = k.stopped ? HS_SESS_STOPPED : HS_SESS_UNKNOWN;
        return 0;
    }
    int ret = conn_handshake(&k);
    if (ret != GNUTLS_E_SUCCESS) {
        unknown(out, &k, ret, "the first handshake failed");
        goto out;
    }
    out->secure = gnutls_safe_renegotiation_status(k.s) != 0;
    const char *how = out->secure ? "secure (RFC 5746)" : "insecure (no RFC 5746)";
    ret = conn_handshake(&k);
    if (ret == GNUTLS_E_SUCCESS) {
        out->state = HS_SESS_YES;
        snprintf(out->why, sizeof(out->why),
                 "%s: the server completed a client-initiated renegotiation, %s",
                 tls_version_name(v), how);
    } else if (ret == GNUTLS_E_WARNING_ALERT_RECEIVED || ret == GNUTLS_E_FATAL_ALERT_RECEIVED ||
               ret == GNUTLS_E_PREMATURE_TERMINATION || ret == GNUTLS_E_PULL_ERROR ||
               ret == GNUTLS_E_UNEXPECTED_PACKET_LENGTH) {
        out->state = HS_SESS_NO;
        char what[96];
        snprintf(what, sizeof(what), "%s, %s: renegotiation refused", tls_version_name(v), how);
        describe(&k, ret, what, out->why, sizeof(out->why));
    } else {
        char what[96];
        snprintf(what, sizeof(what), "%s, %s: renegotiation not answered", tls_version_name(v),
                 how);
        unknown(out, &k, ret, what);
    }
out:
    conn_close(&k);
    return 0;
}

int hs_resume(const struct sockaddr *sa, socklen_t sa_len, const struct hs_options *opt,
              enum tls_version v, bool ticket, int timeout_ms, struct hs_sess_out *out)
{
    out_init(out);
    if (!ticket && v == TLSV_TLS13) {
        util_copy(out->why, sizeof(out->why), "TLS 1.3 resumes by ticket only");
        out->state = HS_SESS_NA;
        return 0;
    }
    int64_t deadline = util_mono_ms() + timeout_ms;
    unsigned flags = ticket ? 0 : GNUTLS_NO_TICKETS;
    gnutls_datum_t data = {NULL, 0};
    if (first_session(sa, sa_len, opt, v, ticket, flags, deadline, out, &data) != 0) {
        return 0;
    }
    struct conn k = {.fd = -1, .deadline = deadline};
    if (conn_open(&k, sa, sa_len, opt, v, "", flags, out) != 0) {
        out->state = k.stopped ? HS_SESS_STOPPED : HS_SESS_UNKNOWN;
        goto out;
    }
    int ret = gnutls_session_set_data(k.s, data.data, data.size);
    if (ret == 0) {
        ret = conn_handshake(&k);
    }
    const char *by =
        ticket ? (v == TLSV_TLS13 ? "a PSK ticket" : "a session ticket") : "its session id";
    if (ret != GNUTLS_E_SUCCESS) {
        unknown(out, &k, ret, "the resuming handshake failed");
    } else if (gnutls_session_is_resumed(k.s)) {
        out->state = HS_SESS_YES;
        snprintf(out->why, sizeof(out->why), "%s: the server resumed the session by %s",
                 tls_version_name(v), by);
        (void)gnutls_bye(k.s, GNUTLS_SHUT_WR);
    } else {
        out->state = HS_SESS_NO;
        snprintf(out->why, sizeof(out->why), "%s: the server made a full handshake when offered %s",
                 tls_version_name(v), by);
        (void)gnutls_bye(k.s, GNUTLS_SHUT_WR);
    }
out:
    conn_close(&k);
    gnutls_free(data.data);
    return 0;
}

int hs_early_data(const struct sockaddr *sa, socklen_t sa_len, const struct hs_options *opt,
                  int timeout_ms, struct hs_sess_out *out)
{
    out_init(out);
    int64_t deadline = util_mono_ms() + timeout_ms;
    gnutls_datum_t data = {NULL, 0};
    if (first_session(sa, sa_len, opt, TLSV_TLS13, true, GNUTLS_ENABLE_EARLY_DATA, deadline, out,
                      &data) != 0) {
        return 0;
    }
    struct conn k = {.fd = -1, .deadline = deadline};
    if (out->max_early == 0) {
        out->state = HS_SESS_NO;
        util_copy(out->why, sizeof(out->why),
                  "TLS 1.3: the server's ticket allows no early data (no early_data extension)");
        goto out;
    }
    if (conn_open(&k, sa, sa_len, opt, TLSV_TLS13, "", GNUTLS_ENABLE_EARLY_DATA, out) != 0) {
        out->state = k.stopped ? HS_SESS_STOPPED : HS_SESS_UNKNOWN;
        goto out;
    }
    int ret = gnutls_session_set_data(k.s, data.data, data.size);
    if (ret == 0 && gnutls_record_send_early_data(k.s, HS_EARLY_DATA, strlen(HS_EARLY_DATA)) < 0) {
        ret = GNUTLS_E_INTERNAL_ERROR;
    }
    out->early_sent = strlen(HS_EARLY_DATA);
    if (ret == 0) {
        ret = conn_handshake(&k);
    }
    if (ret != GNUTLS_E_SUCCESS) {
        unknown(out, &k, ret, "the resuming handshake with early data failed");
        goto out;
    }
    bool accepted = (gnutls_session_get_flags(k.s) & GNUTLS_SFLAGS_EARLY_DATA) != 0;
    out->state = accepted ? HS_SESS_YES : HS_SESS_NO;
    snprintf(out->why, sizeof(out->why),
             "TLS 1.3: ticket max_early_data_size %lu; %zu bytes of early data %s%s",
             (unsigned long)out->max_early, out->early_sent, accepted ? "accepted" : "rejected",
             gnutls_session_is_resumed(k.s) ? "" : " (the ticket was not resumed)");
    (void)gnutls_bye(k.s, GNUTLS_SHUT_WR);
out:
    conn_close(&k);
    gnutls_free(data.data);
    return 0;
}

/* Judges the ServerHello k saw after a ticket with k->rewrite_id. */
static void judge_echo(const struct conn *k, struct hs_sess_out *out)
{
    out->sent_id_len = sizeof(k->rewrite_id);
    out->echo_id_len = k->sh_id_len;
    bool prefix = k->sh_id_len >= sizeof(k->rewrite_id) &&
                  memcmp(k->sh_id, k->rewrite_id, sizeof(k->rewrite_id)) == 0;
    if (prefix && k->sh_id_len == 32) {
        out->state = HS_SESS_YES;
        snprintf(out->why, sizeof(out->why),
                 "sent a %zu-byte session id with the ticket; the ServerHello echoed 32 bytes: "
                 "the %zu bytes after ours are not ours (server memory, not kept)",
                 out->sent_id_len, 32 - out->sent_id_len);
    } else if (prefix && k->sh_id_len == sizeof(k->rewrite_id)) {
        out->state = HS_SESS_NO;
        snprintf(out->why, sizeof(out->why),
                 "sent a %zu-byte session id with the ticket; the ServerHello echoed exactly it",
                 out->sent_id_len);
    } else {
        out->state = HS_SESS_UNKNOWN;
        snprintf(out->why, sizeof(out->why),
                 "the server did not resume its own ticket (it answered a %zu-byte session id "
                 "with another %u-byte one), so the echo could not be tested",
                 out->sent_id_len, (unsigned)k->sh_id_len);
    }
}

int hs_ticketbleed(const struct sockaddr *sa, socklen_t sa_len, const struct hs_options *opt,
                   enum tls_version v, int timeout_ms, struct hs_sess_out *out)
{
    out_init(out);
    if (v < TLSV_HS_FIRST || v > TLSV_TLS12) {
        util_copy(out->why, sizeof(out->why), "no TLS 1.2 session tickets in this version");
        out->state = HS_SESS_NA;
        return 0;
    }
    int64_t deadline = util_mono_ms() + timeout_ms;
    gnutls_datum_t data = {NULL, 0};
    if (first_session(sa, sa_len, opt, v, true, 0, deadline, out, &data) != 0) {
        return 0;
    }
    struct conn k = {.fd = -1, .deadline = deadline, .rewrite = true};
    if (gnutls_rnd(GNUTLS_RND_NONCE, k.rewrite_id, sizeof(k.rewrite_id)) < 0 ||
        conn_open(&k, sa, sa_len, opt, v, "", 0, out) != 0) {
        out->state = k.stopped ? HS_SESS_STOPPED : HS_SESS_UNKNOWN;
        goto out;
    }
    int ret = gnutls_session_set_data(k.s, data.data, data.size);
    if (ret == 0) {
        ret = conn_handshake(&k);
    }
    if (k.hello_pushed && !k.rewritten) {
        out->state = HS_SESS_UNKNOWN;
        util_copy(out->why, sizeof(out->why), "GnuTLS's ClientHello could not be rewritten");
    } else if (!k.sh_seen) {
        unknown(out, &k, ret, "no ServerHello to the ticket");
    } else if (!k.sh_parsed) {
        out->state = HS_SESS_UNKNOWN;
        util_copy(out->why, sizeof(out->why), "the ServerHello to the ticket was malformed");
    } else {
        judge_echo(&k, out);
    }
out:
    conn_close(&k);
    gnutls_free(data.data);
    return 0;
}

/* Reads what k's server sends until wait_ms pass (from now: the wait is
 * not cut short by a slow handshake), it closes, or out is full;
 * out->closed when it closed or reset. */
static void read_unasked(struct conn *k, int wait_ms, struct hs_after_out *out)
{
    k->deadline = util_mono_ms() + wait_ms;
    while (out->n < sizeof(out->data)) {
        ssize_t n = gnutls_record_recv(k->s, out->data + out->n, sizeof(out->data) - out->n);
        if (n > 0) {
            out->n += (size_t)n;
        } else if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED) {
            if (!conn_wait(k, POLLIN)) {
                return;
            }
        } else if (n == 0 || gnutls_error_is_fatal((int)n)) {
            out->closed = true;
            return;
        }
    }
}

int hs_read_after(const struct sockaddr *sa, socklen_t sa_len, const struct hs_options *opt,
                  void *dialogue_ctx, enum tls_version v, int timeout_ms, int wait_ms,
                  struct hs_after_out *out)
{
    memset(out, 0, sizeof(*out));
    struct conn k = {.fd = -1, .deadline = util_mono_ms() + timeout_ms, .dctx = dialogue_ctx};
    struct hs_sess_out o;
    out_init(&o);
    int rc = conn_open(&k, sa, sa_len, opt, v, "", GNUTLS_NO_TICKETS, &o);
    out->n_conns = o.n_conns;
    if (rc != 0) {
        out->state = k.stopped ? HS_AFTER_STOPPED : HS_AFTER_NO_TLS;
        out->timed_out = k.dialogue_timed_out;
        util_copy(out->why, sizeof(out->why), o.why);
        return 0;
    }
    int ret = conn_handshake(&k);
    if (ret != GNUTLS_E_SUCCESS) {
        out->timed_out = ret == GNUTLS_E_TIMEDOUT;
        out->state = k.stopped                               ? HS_AFTER_STOPPED
                     : !k.sh_any && ret != GNUTLS_E_TIMEDOUT ? HS_AFTER_REFUSED
                                                             : HS_AFTER_FAILED;
        describe(&k, ret, "the handshake failed", out->why, sizeof(out->why));
        goto out;
    }
    read_unasked(&k, wait_ms, out);
    out->state = k.stopped ? HS_AFTER_STOPPED : HS_AFTER_READ;
    snprintf(out->why, sizeof(out->why), "%s: %zu bytes inside TLS within %d ms%s",
             tls_version_name(v), out->n, wait_ms, out->closed ? ", then the server closed" : "");
    (void)gnutls_bye(k.s, GNUTLS_SHUT_WR);
out:
    conn_close(&k);
    return 0;
}
