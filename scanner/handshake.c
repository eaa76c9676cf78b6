/*
 * scanner/handshake.c - one GnuTLS handshake per protocol version.
 *
 * The socket is non-blocking and every wait goes through poll() with the
 * time left before one deadline, so a silent or trickling server cannot
 * hold a probe longer than its timeout. A hook on the incoming ServerHello
 * records what the server chose even when the handshake fails afterwards
 * on our side (e.g. a DH group GnuTLS will not use): the version was still
 * accepted. A reset or timeout is retried once, then recorded as
 * inconclusive. Only a fatal alert, a close before the server sent a byte
 * or a ServerHello naming an older version is a refusal: a malformed or
 * truncated answer, or a choice that was not offered, is inconclusive.
 *
 * No certificate is verified here; the chain is copied out for x509.c.
 */
#include "scanner/handshake.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "common/bytes.h"
#include "common/util.h"
#include "common/model/registry.h"
#include "scanner/handshake_private.h"
#include "scanner/hello.h"
#include "scanner/net/connect.h"

static gnutls_certificate_credentials_t hs_cert_cred;
static gnutls_anon_client_credentials_t hs_anon_cred;
static gnutls_priority_t hs_priority[TLSV_COUNT];
static const volatile sig_atomic_t *hs_stop;

/* The random of a HelloRetryRequest (RFC 8446 §4.1.3). */
static const unsigned char hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

/* What the handshake hook and the transport saw; reached through
 * gnutls_session_get_ptr (hook) and the transport pointer (pull). */
struct hs_seen {
    bool server_hello; /* a real ServerHello (not an HRR) arrived and GnuTLS took it */
    bool hrr;
    bool have_suite; /* suite below was read from the ServerHello */
    uint16_t suite;
    /* Before GnuTLS looks at it: a ServerHello message arrived (raw_hello),
     * hello.c's parser took it (raw_parsed) and the version it names
     * (supported_versions first). GnuTLS's errors do not say which. */
    bool raw_hello;
    bool raw_parsed;
    uint16_t raw_version;
    /* The transport: every byte the server sent is counted, so that a close
     * before the first byte (a refusal) is told from one inside the answer. */
    int fd;
    gnutls_session_t session;
    int64_t deadline;
    size_t n_read;
};

void hs_capture_cleanup(struct hs_capture *c)
{
    for (size_t i = 0; i < c->n_certs; i++) {
        free(c->der[i]);
    }
    free(c->ocsp);
    memset(c, 0, sizeof(*c));
}

int handshake_global_init(void)
{
    static const char *const vers[TLSV_COUNT] = {[TLSV_TLS10] = "TLS1.0",
                                                 [TLSV_TLS11] = "TLS1.1",
                                                 [TLSV_TLS12] = "TLS1.2",
                                                 [TLSV_TLS13] = "TLS1.3"};
    if (gnutls_global_init() < 0) {
        return -1;
    }
    if (gnutls_certificate_allocate_credentials(&hs_cert_cred) < 0 ||
        gnutls_anon_allocate_client_credentials(&hs_anon_cred) < 0) {
        return -1;
    }
    for (int v = TLSV_HS_FIRST; v < TLSV_COUNT; v++) {
        char prio[512];
        const char *errpos = NULL;
        snprintf(prio, sizeof(prio), HS_PRIORITY_FMT, vers[v]);
        if (gnutls_priority_init2(&hs_priority[v], prio, &errpos, 0) < 0) {
            fprintf(stderr, "tlsaudit: GnuTLS rejected priority string at '%s'\n",
                    errpos ? errpos : "?");
            return -1;
        }
    }
    return 0;
}

void handshake_global_deinit(void)
{
    for (int v = TLSV_HS_FIRST; v < TLSV_COUNT; v++) {
        if (hs_priority[v] != NULL) {
            gnutls_priority_deinit(hs_priority[v]);
            hs_priority[v] = NULL;
        }
    }
    if (hs_cert_cred != NULL) {
        gnutls_certificate_free_credentials(hs_cert_cred);
        hs_cert_cred = NULL;
    }
    if (hs_anon_cred != NULL) {
        gnutls_anon_free_client_credentials(hs_anon_cred);
        hs_anon_cred = NULL;
    }
    gnutls_global_deinit();
}

void handshake_set_stop_flag(const volatile sig_atomic_t *stop)
{
    hs_stop = stop;
}

gnutls_certificate_credentials_t handshake_cert_cred(void)
{
    return hs_cert_cred;
}

gnutls_anon_client_credentials_t handshake_anon_cred(void)
{
    return hs_anon_cred;
}

const volatile sig_atomic_t *handshake_stop_flag(void)
{
    return hs_stop;
}

static bool stop_requested(void)
{
    /* Set by a signal handler or, atomically, by another thread. */
    return hs_stop != NULL && __atomic_load_n(hs_stop, __ATOMIC_SEQ_CST);
}

static int64_t mono_ms(void)
{
    return util_mono_ms();
}

static int wait_fd(int fd, short ev, int64_t deadline)
{
    return net_wait(fd, ev, deadline, hs_stop);
}

/* Connects to sa and runs the options' pre-TLS dialogue within the
 * deadline (scanner/net/connect.h). Returns the fd, or -1 with the reason
 * in out->reason and *out_rc set: HS_LOCAL_ERROR (out of descriptors or
 * memory here), HS_CONNECT_FAILED (no connection), or HS_DONE with
 * out->state inconclusive when the dialogue failed (*again when worth a
 * retry: reset, timeout). */
static int connect_for_handshake(const struct sockaddr *sa, socklen_t sa_len,
                                 const struct hs_options *opt, int64_t deadline,
                                 struct version_fact *out, enum hs_result *out_rc, bool *again)
{
    struct net_error err;
    int fd = net_connect(sa, sa_len, deadline, hs_stop, &err);
    if (fd < 0) {
        if (err.local) {
            snprintf(out->reason, sizeof(out->reason),
                     "no socket for the handshake on this host: %s", err.why);
        } else {
            util_copy(out->reason, sizeof(out->reason), err.why);
        }
        /* Out of descriptors is a fact about this host, not the target. */
        out->state = err.local ? PROBE_NOT_TESTED : PROBE_INCONCLUSIVE;
        *out_rc = err.local ? HS_LOCAL_ERROR : HS_CONNECT_FAILED;
        return -1;
    }
    if (opt == NULL || opt->dialogue == NULL) {
        return fd;
    }
    if (net_dialogue_run(fd, opt->dialogue, deadline, hs_stop, &err) != 0) {
        close(fd);
        snprintf(out->reason, sizeof(out->reason), "pre-TLS dialogue failed: %s", err.why);
        out->state = err.local ? PROBE_NOT_TESTED : PROBE_INCONCLUSIVE;
        *out_rc = err.local ? HS_LOCAL_ERROR : HS_DONE;
        *again = !err.local && !err.interrupted && (err.reset || err.timed_out);
        return -1;
    }
    return fd;
}

/* The pull side of the transport: recv() on the socket, counting bytes. */
static ssize_t hs_pull(gnutls_transport_ptr_t ptr, void *buf, size_t len)
{
    struct hs_seen *seen = ptr;
    ssize_t n = recv(seen->fd, buf, len, 0);
    if (n > 0) {
        seen->n_read += (size_t)n;
    } else if (n < 0) {
        gnutls_transport_set_errno(seen->session, errno);
    }
    return n;
}

/* GnuTLS asks whether data arrives within ms; never past the deadline. */
static int hs_pull_timeout(gnutls_transport_ptr_t ptr, unsigned int ms)
{
    struct hs_seen *seen = ptr;
    int64_t left = seen->deadline - mono_ms();
    if (left < 0) {
        left = 0;
    }
    if (ms != GNUTLS_INDEFINITE_TIMEOUT && (int64_t)ms < left) {
        left = ms;
    }
    struct pollfd p = {.fd = seen->fd, .events = POLLIN};
    return poll(&p, 1, (int)left);
}

static int hello_hook(gnutls_session_t s, unsigned int htype, unsigned when, unsigned int incoming,
                      const gnutls_datum_t *msg)
{
    struct hs_seen *seen = gnutls_session_get_ptr(s);
    if (seen == NULL || !incoming) {
        return 0;
    }
    if (when == GNUTLS_HOOK_PRE) {
        /* The last one counts (after a HelloRetryRequest, the real one). */
        if (htype == GNUTLS_HANDSHAKE_SERVER_HELLO) {
            struct rbuf r;
            struct hello_server_hello sh;
            struct hello_error err;
            rbuf_init(&r, msg != NULL ? msg->data : NULL, msg != NULL ? msg->size : 0);
            seen->raw_hello = true;
            seen->raw_parsed = hello_parse_server_hello(&r, &sh, &err);
            seen->raw_version = seen->raw_parsed ? sh.version : 0;
        }
        return 0;
    }
    if (when != GNUTLS_HOOK_POST) {
        return 0;
    }
    if (htype == GNUTLS_HANDSHAKE_HELLO_RETRY_REQUEST) {
        seen->hrr = true;
    } else if (htype == GNUTLS_HANDSHAKE_SERVER_HELLO) {
        /* body: legacy_version(2) random(32) ... (RFC 8446 §4.1.3) */
        if (msg != NULL && msg->size >= 34 && memcmp(msg->data + 2, hrr_random, 32) == 0) {
            seen->hrr = true;
        } else {
            seen->server_hello = true;
            /* ... legacy_session_id<0..32> cipher_suite(2): the suite as the
             * server sent it (GnuTLS has already checked the framing). */
            if (msg != NULL && msg->size >= 35) {
                size_t off = 35 + (size_t)msg->data[34];
                if (msg->data[34] <= 32 && off + 2 <= msg->size) {
                    seen->suite = (uint16_t)(msg->data[off] << 8 | msg->data[off + 1]);
                    seen->have_suite = true;
                }
            }
        }
    }
    return 0;
}

/* The IANA code of the negotiated suite, found among GnuTLS's suites. */
static bool negotiated_code(gnutls_session_t s, uint16_t *out_code)
{
    gnutls_kx_algorithm_t kx = gnutls_kx_get(s);
    gnutls_cipher_algorithm_t cipher = gnutls_cipher_get(s);
    gnutls_mac_algorithm_t mac = gnutls_mac_get(s);
    bool tls13 = gnutls_protocol_get_version(s) == GNUTLS_TLS1_3;
    for (size_t i = 0;; i++) {
        unsigned char id[2];
        gnutls_kx_algorithm_t k;
        gnutls_cipher_algorithm_t c;
        gnutls_mac_algorithm_t m;
        gnutls_protocol_t minv;
        const char *name = gnutls_cipher_suite_info(i, id, &k, &c, &m, &minv);
        if (name == NULL) {
            return false;
        }
        bool suite13 = id[0] == 0x13;
        if (c == cipher && m == mac && suite13 == tls13 && (tls13 || k == kx)) {
            *out_code = (uint16_t)(id[0] << 8 | id[1]);
            return true;
        }
    }
}

static void lowercase_copy(char *dst, size_t dst_size, const char *src)
{
    size_t i = 0;
    for (; src[i] != '\0' && i + 1 < dst_size; i++) {
        dst[i] = (char)tolower((unsigned char)src[i]);
    }
    dst[i] = '\0';
}

/* Records the version's outcome from a session that got a ServerHello. */
static void record_choice(gnutls_session_t s, const struct hs_seen *seen, struct version_fact *out)
{
    out->state = PROBE_ACCEPTED;
    uint16_t code = 0;
    const struct suite_info *si = NULL;
    if (seen->have_suite || negotiated_code(s, &code)) {
        out->suite = seen->have_suite ? seen->suite : code;
        si = registry_suite_by_code(out->suite);
    }
    if (si != NULL) {
        util_copy(out->suite_name, sizeof(out->suite_name), si->iana_name);
    } else {
        const char *n = gnutls_ciphersuite_get(s);
        util_copy(out->suite_name, sizeof(out->suite_name), n ? n : "unknown");
    }
    gnutls_group_t g = gnutls_group_get(s);
    if (g != GNUTLS_GROUP_INVALID && gnutls_group_get_name(g) != NULL) {
        lowercase_copy(out->group, sizeof(out->group), gnutls_group_get_name(g));
    }
    switch (gnutls_kx_get(s)) {
    case GNUTLS_KX_DHE_RSA:
    case GNUTLS_KX_DHE_DSS:
    case GNUTLS_KX_ANON_DH:
    case GNUTLS_KX_DHE_PSK: {
        int bits = gnutls_dh_get_prime_bits(s);
        out->dh_bits = bits > 0 ? bits : 0;
        break;
    }
    default:
        break;
    }
    if (out->dh_bits == 0 && strncmp(out->group, "ffdhe", 5) == 0) {
        unsigned long bits;
        if (util_parse_ulong(out->group + 5, 1, 65536, &bits)) {
            out->dh_bits = (int)bits;
        }
    }
}

static void capture_chain(gnutls_session_t s, struct hs_capture *cap)
{
    unsigned int n = 0;
    const gnutls_datum_t *peers = gnutls_certificate_get_peers(s, &n);
    cap->n_certs_sent = peers ? n : 0;
    for (unsigned int i = 0; peers != NULL && i < n && i < HS_MAX_CERTS; i++) {
        unsigned char *copy = malloc(peers[i].size ? peers[i].size : 1);
        if (copy == NULL) {
            break;
        }
        memcpy(copy, peers[i].data, peers[i].size);
        cap->der[cap->n_certs] = copy;
        cap->der_len[cap->n_certs] = peers[i].size;
        cap->n_certs++;
    }
    gnutls_datum_t resp = {NULL, 0};
    if (gnutls_ocsp_status_request_get2(s, 0, &resp) == 0 && resp.size > 0 &&
        resp.size <= HS_MAX_OCSP) {
        cap->ocsp = malloc(resp.size);
        if (cap->ocsp != NULL) {
            memcpy(cap->ocsp, resp.data, resp.size);
            cap->ocsp_len = resp.size;
        }
    }
}

/* Outcome of one attempt; RETRY means reset or timeout (worth once more). */
enum attempt { ATTEMPT_FINAL, ATTEMPT_RETRY };

/* A refusal is a fatal alert, a close before the server sent a byte, or a
 * ServerHello naming an older version than the one offered; anything else
 * GnuTLS gives up on (a malformed or truncated answer, a suite, version or
 * parameter that was not offered, a close inside the answer) is no evidence
 * either way: inconclusive, never a refusal. */
static enum attempt classify_failure(int ret, const struct hs_seen *seen, gnutls_session_t s,
                                     enum tls_version v, struct version_fact *out)
{
    char what[160];
    bool closed = ret == GNUTLS_E_PREMATURE_TERMINATION || ret == GNUTLS_E_UNEXPECTED_PACKET_LENGTH;
    if (ret == GNUTLS_E_FATAL_ALERT_RECEIVED) {
        const char *a = gnutls_alert_get_name(gnutls_alert_get(s));
        snprintf(what, sizeof(what), "alert: %s", a ? a : "unknown");
    } else if (closed && seen->n_read == 0) {
        snprintf(what, sizeof(what), "connection closed by the server");
    } else if (closed) {
        snprintf(what, sizeof(what), "answer cut short or malformed after %zu bytes: %s",
                 seen->n_read, gnutls_strerror(ret));
    } else {
        snprintf(what, sizeof(what), "%s", gnutls_strerror(ret));
    }

    if (seen->server_hello && out->state == PROBE_ACCEPTED) {
        /* The server chose this version; what failed came later. */
        snprintf(out->reason, sizeof(out->reason), "handshake not completed: %s", what);
        return ATTEMPT_FINAL;
    }
    uint16_t offered = tls_version_wire(v);
    switch (ret) {
    case GNUTLS_E_FATAL_ALERT_RECEIVED:
        out->state = PROBE_REFUSED;
        util_copy(out->reason, sizeof(out->reason), what);
        return ATTEMPT_FINAL;
    case GNUTLS_E_PREMATURE_TERMINATION:
    case GNUTLS_E_UNEXPECTED_PACKET_LENGTH:
        out->state = seen->n_read == 0 ? PROBE_REFUSED : PROBE_INCONCLUSIVE;
        util_copy(out->reason, sizeof(out->reason), what);
        return ATTEMPT_FINAL;
    case GNUTLS_E_UNSUPPORTED_VERSION_PACKET:
        if (seen->raw_parsed && seen->raw_version >= TLS_WIRE_SSL3 && seen->raw_version < offered) {
            out->state = PROBE_REFUSED;
            snprintf(out->reason, sizeof(out->reason), "server answered with version 0x%04x",
                     seen->raw_version);
        } else if (seen->raw_parsed) {
            out->state = PROBE_INCONCLUSIVE;
            snprintf(out->reason, sizeof(out->reason),
                     "server answered with version 0x%04x that was not offered", seen->raw_version);
        } else {
            /* The record layer's version, or a ServerHello hello.c cannot read. */
            out->state = PROBE_INCONCLUSIVE;
            snprintf(out->reason, sizeof(out->reason),
                     "server answered with a version that was not offered (%s)", what);
        }
        return ATTEMPT_FINAL;
    case GNUTLS_E_UNKNOWN_CIPHER_SUITE:
        out->state = PROBE_INCONCLUSIVE;
        snprintf(out->reason, sizeof(out->reason), "server chose a suite that was not offered");
        return ATTEMPT_FINAL;
    case GNUTLS_E_PULL_ERROR:
    case GNUTLS_E_PUSH_ERROR:
    case GNUTLS_E_TIMEDOUT:
        out->state = PROBE_INCONCLUSIVE;
        util_copy(out->reason, sizeof(out->reason), what);
        return ATTEMPT_RETRY;
    default:
        out->state = PROBE_INCONCLUSIVE;
        util_copy(out->reason, sizeof(out->reason), what);
        return ATTEMPT_FINAL;
    }
}

/* One connection and handshake. Returns HS_DONE with *again set when the
 * failure is worth one retry. */
/* Sets up the GnuTLS session *sp for one probe over fd: priorities,
 * credentials, SNI, OCSP status request, the hello hook and the counting
 * pull. False with out->reason on failure (*sp may then be set: the caller
 * deinits it). */
static bool session_setup(gnutls_session_t *sp, int fd, gnutls_priority_t prio, const char *sni,
                          struct hs_seen *seen, int64_t deadline, struct version_fact *out)
{
    if (gnutls_init(sp, GNUTLS_CLIENT | GNUTLS_NONBLOCK | GNUTLS_NO_TICKETS) < 0) {
        util_copy(out->reason, sizeof(out->reason), "gnutls_init failed");
        return false;
    }
    gnutls_session_t s = *sp;
    if (gnutls_priority_set(s, prio) < 0 ||
        gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, hs_cert_cred) < 0 ||
        gnutls_credentials_set(s, GNUTLS_CRD_ANON, hs_anon_cred) < 0) {
        util_copy(out->reason, sizeof(out->reason), "GnuTLS session set-up failed");
        return false;
    }
    if (sni != NULL) {
        (void)gnutls_server_name_set(s, GNUTLS_NAME_DNS, sni, strlen(sni));
    }
    (void)gnutls_ocsp_status_request_enable_client(s, NULL, 0, NULL);
    gnutls_dh_set_prime_bits(s, 512);
    seen->fd = fd;
    seen->session = s;
    seen->deadline = deadline;
    gnutls_session_set_ptr(s, seen);
    gnutls_handshake_set_hook_function(s, GNUTLS_HANDSHAKE_ANY, GNUTLS_HOOK_BOTH, hello_hook);
    /* Sends go through GnuTLS's own socket code (the fd as send pointer),
     * receives through hs_pull (the counting one). */
    gnutls_transport_set_ptr2(s, seen, (gnutls_transport_ptr_t)(intptr_t)fd);
    gnutls_transport_set_pull_function(s, hs_pull);
    gnutls_transport_set_pull_timeout_function(s, hs_pull_timeout);
    return true;
}

/* Runs the handshake to its end: GNUTLS_E_SUCCESS, the fatal error, or
 * GNUTLS_E_TIMEDOUT at the deadline. Records the server's choice as soon as
 * its hello names version v. *interrupted: the wait failed (out says so). */
static int handshake_run(gnutls_session_t s, struct hs_seen *seen, int fd, enum tls_version v,
                         int64_t deadline, struct version_fact *out, bool *interrupted)
{
    *interrupted = false;
    for (;;) {
        int ret = gnutls_handshake(s);
        if (seen->server_hello && out->state != PROBE_ACCEPTED &&
            gnutls_protocol_get_version(s) ==
                (gnutls_protocol_t)(GNUTLS_TLS1_0 + (int)(v - TLSV_TLS10))) {
            record_choice(s, seen, out);
        }
        if (ret == GNUTLS_E_SUCCESS) {
            return ret;
        }
        if (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED) {
            int w = wait_fd(fd, gnutls_record_get_direction(s) ? POLLOUT : POLLIN, deadline);
            if (w == 0) {
                return GNUTLS_E_TIMEDOUT;
            }
            if (w < 0) {
                out->state = PROBE_INCONCLUSIVE;
                util_copy(out->reason, sizeof(out->reason), "interrupted");
                *interrupted = true;
                return ret;
            }
            continue;
        }
        if (!gnutls_error_is_fatal(ret)) {
            continue; /* a warning alert, e.g. unrecognized_name */
        }
        return ret;
    }
}

static enum hs_result probe_once(const struct sockaddr *sa, socklen_t sa_len,
                                 const struct hs_options *opt, enum tls_version v,
                                 gnutls_priority_t prio, int timeout_ms, struct version_fact *out,
                                 struct hs_capture *cap, bool *again)
{
    *again = false;
    memset(out, 0, sizeof(*out));
    int64_t deadline = mono_ms() + timeout_ms;
    enum hs_result crc = HS_LOCAL_ERROR;
    int fd = connect_for_handshake(sa, sa_len, opt, deadline, out, &crc, again);
    if (fd < 0) {
        return crc;
    }
    const char *sni = opt != NULL ? opt->sni : NULL;

    enum hs_result rc = HS_LOCAL_ERROR;
    gnutls_session_t s = NULL;
    struct hs_seen seen = {0};
    bool interrupted;
    int ret;
    if (!session_setup(&s, fd, prio, sni, &seen, deadline, out)) {
        goto out;
    }
    ret = handshake_run(s, &seen, fd, v, deadline, out, &interrupted);
    rc = HS_DONE;
    if (interrupted) {
        goto out;
    }
    out->hrr = seen.hrr;
    if (ret == GNUTLS_E_SUCCESS) {
        /* Now every parameter is final (group, DH size): record again. */
        record_choice(s, &seen, out);
        if (cap != NULL) {
            capture_chain(s, cap);
        }
        (void)gnutls_bye(s, GNUTLS_SHUT_WR);
    } else {
        *again = classify_failure(ret, &seen, s, v, out) == ATTEMPT_RETRY;
    }
out:
    if (s != NULL) {
        gnutls_deinit(s);
    }
    close(fd);
    return rc;
}

/* One handshake under prio, retried once after a reset or timeout. */
static enum hs_result probe_retried(const struct sockaddr *sa, socklen_t sa_len,
                                    const struct hs_options *opt, enum tls_version v,
                                    gnutls_priority_t prio, int timeout_ms,
                                    struct version_fact *out, struct hs_capture *cap)
{
    bool again = false;
    enum hs_result rc = probe_once(sa, sa_len, opt, v, prio, timeout_ms, out, cap, &again);
    if (rc == HS_DONE && again && !stop_requested()) {
        rc = probe_once(sa, sa_len, opt, v, prio, timeout_ms, out, cap, &again);
    }
    return rc;
}

enum hs_result handshake_probe(const struct sockaddr *sa, socklen_t sa_len,
                               const struct hs_options *opt, enum tls_version v, int timeout_ms,
                               struct version_fact *out, struct hs_capture *cap)
{
    return probe_retried(sa, sa_len, opt, v, hs_priority[v], timeout_ms, out, cap);
}

/* Per authentication type: the TLS 1.2 key exchanges that use it and the
 * signature algorithms that name it (TLS 1.3 picks the certificate by the
 * signature algorithms alone). */
static const struct {
    const char *name;
    const char *kx;
    const char *sign;
    bool tls13;
} hs_auths[HS_AUTH_COUNT] = {
    [HS_AUTH_RSA] =
        {"RSA", "+RSA:+ECDHE-RSA:+DHE-RSA",
         "+SIGN-RSA-SHA256:+SIGN-RSA-SHA384:+SIGN-RSA-SHA512:+SIGN-RSA-SHA1:"
         "+SIGN-RSA-PSS-RSAE-SHA256:+SIGN-RSA-PSS-RSAE-SHA384:+SIGN-RSA-PSS-RSAE-SHA512",
         true},
    [HS_AUTH_ECDSA] = {"ECDSA", "+ECDHE-ECDSA",
                       "+SIGN-ECDSA-SHA256:+SIGN-ECDSA-SHA384:+SIGN-ECDSA-SHA512:+SIGN-ECDSA-SHA1:"
                       "+SIGN-ECDSA-SECP256R1-SHA256:+SIGN-ECDSA-SECP384R1-SHA384:"
                       "+SIGN-ECDSA-SECP521R1-SHA512",
                       true},
    [HS_AUTH_EDDSA] = {"EdDSA", "+ECDHE-ECDSA", "+SIGN-EdDSA-Ed25519:+SIGN-EdDSA-Ed448", true},
    [HS_AUTH_DSA] = {"DSA", "+DHE-DSS",
                     "+SIGN-DSA-SHA1:+SIGN-DSA-SHA224:+SIGN-DSA-SHA256:+SIGN-DSA-SHA384:"
                     "+SIGN-DSA-SHA512",
                     false},
};

const char *handshake_auth_name(enum hs_auth a)
{
    return a < HS_AUTH_COUNT ? hs_auths[a].name : "?";
}

bool handshake_auth_allows(enum hs_auth a, enum tls_version v)
{
    return a < HS_AUTH_COUNT && v >= TLSV_HS_FIRST && v <= TLSV_TLS13 &&
           (v != TLSV_TLS13 || hs_auths[a].tls13);
}

enum hs_result handshake_auth(const struct sockaddr *sa, socklen_t sa_len,
                              const struct hs_options *opt, enum tls_version v, enum hs_auth a,
                              int timeout_ms, struct version_fact *out, struct hs_capture *cap)
{
    static const char *const vers[TLSV_COUNT] = {[TLSV_TLS10] = "TLS1.0",
                                                 [TLSV_TLS11] = "TLS1.1",
                                                 [TLSV_TLS12] = "TLS1.2",
                                                 [TLSV_TLS13] = "TLS1.3"};
    memset(out, 0, sizeof(*out));
    if (!handshake_auth_allows(a, v)) {
        util_copy(out->reason, sizeof(out->reason), "authentication type not in this version");
        return HS_LOCAL_ERROR;
    }
    char text[768];
    gnutls_priority_t prio = NULL;
    snprintf(text, sizeof(text),
             "NONE:+VERS-%s:+CIPHER-ALL:+3DES-CBC:+CAMELLIA-128-CBC:+CAMELLIA-256-CBC:"
             "+CAMELLIA-128-GCM:+CAMELLIA-256-GCM:+MAC-ALL:%s:+COMP-NULL:%s:+GROUP-ALL:"
             "+CTYPE-X509:%%COMPAT",
             vers[v], hs_auths[a].kx, hs_auths[a].sign);
    if (gnutls_priority_init2(&prio, text, NULL, 0) < 0) {
        util_copy(out->reason, sizeof(out->reason), "GnuTLS rejected the priority string");
        return HS_LOCAL_ERROR;
    }
    enum hs_result rc = probe_retried(sa, sa_len, opt, v, prio, timeout_ms, out, cap);
    gnutls_priority_deinit(prio);
    return rc;
}

const struct hs_sigscheme hs_sigschemes13[] = {
    {0x0403, "SIGN-ECDSA-SECP256R1-SHA256"}, {0x0503, "SIGN-ECDSA-SECP384R1-SHA384"},
    {0x0603, "SIGN-ECDSA-SECP521R1-SHA512"}, {0x0804, "SIGN-RSA-PSS-RSAE-SHA256"},
    {0x0805, "SIGN-RSA-PSS-RSAE-SHA384"},    {0x0806, "SIGN-RSA-PSS-RSAE-SHA512"},
    {0x0807, "SIGN-EdDSA-Ed25519"},          {0x0808, "SIGN-EdDSA-Ed448"},
    {0x0809, "SIGN-RSA-PSS-SHA256"},         {0x080a, "SIGN-RSA-PSS-SHA384"},
    {0x080b, "SIGN-RSA-PSS-SHA512"},
};
const size_t hs_n_sigschemes13 = sizeof(hs_sigschemes13) / sizeof(hs_sigschemes13[0]);

enum hs_result handshake_sigscheme13(const struct sockaddr *sa, socklen_t sa_len,
                                     const struct hs_options *opt, const struct hs_sigscheme *sig,
                                     int timeout_ms, enum probe_state *out_state)
{
    char prio_text[256];
    gnutls_priority_t prio = NULL;
    snprintf(prio_text, sizeof(prio_text),
             "NONE:+VERS-TLS1.3:+CIPHER-ALL:+MAC-ALL:+GROUP-ALL:+CTYPE-X509:+%s", sig->priority);
    if (gnutls_priority_init2(&prio, prio_text, NULL, 0) < 0) {
        *out_state = PROBE_NOT_TESTED;
        return HS_LOCAL_ERROR;
    }
    struct version_fact vf;
    enum hs_result rc = probe_retried(sa, sa_len, opt, TLSV_TLS13, prio, timeout_ms, &vf, NULL);
    gnutls_priority_deinit(prio);
    /* "accepted" from the ServerHello alone is not enough here: the
     * signature comes later, so only a completed handshake counts. */
    if (vf.state == PROBE_ACCEPTED && vf.reason[0] != '\0') {
        vf.state = PROBE_REFUSED;
    }
    *out_state = vf.state;
    return rc;
}
