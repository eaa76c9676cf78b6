/*
 * scanner/hs_session.h - GnuTLS sessions that take more than one
 * handshake: client-initiated renegotiation, session resumption by id and
 * by ticket, TLS 1.3 early data (0-RTT), and the Ticketbleed echo
 * (CVE-2016-9244). The vulnerability probes of scanner/probes/vulns_full.c
 * call them; GnuTLS stays inside hs_session.c (an adapter, as handshake.c).
 *
 * Each call opens at most two connections (hs_sess_out.n_conns says how
 * many it did) to sa, each with opt's SNI and pre-TLS dialogue, and all of
 * them together finish within timeout_ms: a silent or trickling server
 * costs the timeout, never more. Nothing is retried. Nothing here is
 * owned by the caller afterwards (no allocation survives a call).
 */
#ifndef TLSAUDIT_SCANNER_HS_SESSION_H
#define TLSAUDIT_SCANNER_HS_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "common/model/facts.h"
#include "scanner/handshake.h"

/* What one session test found. */
enum hs_sess_state {
    HS_SESS_YES,     /* renegotiated / resumed / early data accepted / an over-long echo */
    HS_SESS_NO,      /* refused / not resumed / early data rejected / the id echoed as sent */
    HS_SESS_UNKNOWN, /* no evidence either way (timeout, reset, a failed first handshake) */
    HS_SESS_NA,      /* the precondition is missing (no ticket issued, no session id) */
    HS_SESS_STOPPED, /* the scan's stop flag ended it */
};

struct hs_sess_out {
    enum hs_sess_state state;
    unsigned n_conns; /* connections opened */
    bool secure;      /* renegotiation: RFC 5746 in use on the first handshake */
    /* early data: the ticket's max_early_data_size (RFC 8446 §4.6.1), sent bytes */
    uint32_t max_early;
    size_t early_sent;
    /* Ticketbleed: the session id sent with the ticket and the one echoed */
    size_t sent_id_len;
    size_t echo_id_len;
    char why[FACT_TEXT]; /* the evidence in words (never server memory) */
};

/* hs_renegotiate completes a handshake of version v (TLS 1.0 - 1.2;
 * unsafe legacy renegotiation allowed on our side, RFC 5746 still offered)
 * and then starts a second handshake on the same connection from the
 * client: YES (out->secure says whether RFC 5746 protected it), NO (the
 * server answered no_renegotiation, another alert, or closed), UNKNOWN (no
 * answer within the time, or the first handshake failed). One connection. */
int hs_renegotiate(const struct sockaddr *sa, socklen_t sa_len, const struct hs_options *opt,
                   enum tls_version v, int timeout_ms, struct hs_sess_out *out);

/* hs_resume completes a handshake of version v, keeps its session and
 * resumes it on a second connection: by session id with tickets disabled
 * (ticket false; TLS 1.0 - 1.2), or by ticket (ticket true: a TLS 1.2
 * session ticket, RFC 5077, or a TLS 1.3 PSK ticket, RFC 8446 §4.6.1,
 * waited for after the handshake). YES resumed, NO not resumed, NA when the
 * first handshake gave no session id / no ticket (one connection). */
int hs_resume(const struct sockaddr *sa, socklen_t sa_len, const struct hs_options *opt,
              enum tls_version v, bool ticket, int timeout_ms, struct hs_sess_out *out);

/* HS_EARLY_DATA is what hs_early_data sends as 0-RTT data: one empty line.
 * It cannot change a server's state: HTTP/1.1 servers ignore an empty line
 * before a request (RFC 9112 §2.2), line protocols answer it with an
 * error. */
#define HS_EARLY_DATA "\r\n"

/* hs_early_data gets a TLS 1.3 ticket; when the ticket allows early data
 * (max_early_data_size > 0) it resumes with HS_EARLY_DATA sent as early
 * data: YES the server accepted it (early_data in EncryptedExtensions), NO
 * it was rejected or the ticket allows none (one connection), NA no ticket. */
int hs_early_data(const struct sockaddr *sa, socklen_t sa_len, const struct hs_options *opt,
                  int timeout_ms, struct hs_sess_out *out);

/* HS_TICKETBLEED_ID_LEN is the session id length sent with the ticket. */
#define HS_TICKETBLEED_ID_LEN 16

/* hs_ticketbleed gets a TLS <= 1.2 session ticket (version v), then offers
 * it again with a HS_TICKETBLEED_ID_LEN-byte session id of its own and
 * reads only the ServerHello: YES when the echoed id is 32 bytes starting
 * with the sent ones (the rest is server memory; only the count is kept),
 * NO when it echoed exactly what was sent (the ticket resumed), UNKNOWN
 * when the server did not resume its own ticket (another id) or no
 * ServerHello came, NA when no ticket was issued (one connection). */
int hs_ticketbleed(const struct sockaddr *sa, socklen_t sa_len, const struct hs_options *opt,
                   enum tls_version v, int timeout_ms, struct hs_sess_out *out);

/* What hs_read_after found: the bytes a server sent inside TLS, unasked,
 * after a dialogue and a completed handshake (the STARTTLS injection
 * probe: scanner/probes/starttls_inject.c). */
#define HS_AFTER_MAX 4096
enum hs_after_state {
    HS_AFTER_READ,    /* the handshake completed: data[0..n) came within the wait */
    HS_AFTER_NO_TLS,  /* the connect or the pre-TLS dialogue failed (why; timed_out) */
    HS_AFTER_REFUSED, /* the handshake failed with no ServerHello: the server closed, reset,
                       * sent an alert or bytes that are not TLS (why) */
    HS_AFTER_FAILED,  /* the handshake failed after the ServerHello, or timed out (why) */
    HS_AFTER_STOPPED, /* the scan's stop flag ended it */
};

struct hs_after_out {
    enum hs_after_state state;
    bool timed_out;   /* NO_TLS / FAILED: the time ran out */
    bool closed;      /* READ: the server closed (or reset) within the wait */
    unsigned n_conns; /* connections opened (0 or 1) */
    size_t n;         /* READ: bytes in data (at most HS_AFTER_MAX; more are not read) */
    uint8_t data[HS_AFTER_MAX];
    char why[FACT_TEXT];
};

/* hs_read_after connects, runs opt's dialogue in the caller's state
 * dialogue_ctx (opt->dialogue->ops->ctx_size bytes; zeroed here; what the
 * dialogue left in it stays for the caller), completes a handshake of
 * version v, sends nothing and reads what the server sends within wait_ms
 * (at most HS_AFTER_MAX bytes, hostile: only kept, never parsed here).
 * connect, dialogue and handshake share timeout_ms; the wait follows
 * them. One connection. */
int hs_read_after(const struct sockaddr *sa, socklen_t sa_len, const struct hs_options *opt,
                  void *dialogue_ctx, enum tls_version v, int timeout_ms, int wait_ms,
                  struct hs_after_out *out);

#endif
