/*
 * scanner/handshake.h - one complete GnuTLS handshake offering exactly one
 * protocol version (TLS 1.0 .. 1.3), recording what the server chose.
 *
 * This is the "does the server accept version V, and with what" probe of
 * the foundation, and the way the certificate chain and OCSP staple are
 * obtained (also under TLS 1.3, where they are encrypted). GnuTLS is used
 * only inside handshake.c; no certificate is verified here (x509.c does).
 *
 * Ownership: a struct hs_capture filled by handshake_probe owns its
 * buffers; hs_capture_cleanup frees them.
 */
#ifndef TLSAUDIT_SCANNER_HANDSHAKE_H
#define TLSAUDIT_SCANNER_HANDSHAKE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "common/model/facts.h"
#include "scanner/net/dialogue.h"

/* Caps on what is kept from a server (it controls these). */
#define HS_MAX_CERTS 16
#define HS_MAX_OCSP (64 * 1024)

/* What a successful handshake captured: the chain as served and the staple. */
struct hs_capture {
    unsigned char *der[HS_MAX_CERTS]; /* owned; leaf first */
    size_t der_len[HS_MAX_CERTS];
    size_t n_certs;
    size_t n_certs_sent; /* how many the server sent (may exceed HS_MAX_CERTS) */
    unsigned char *ocsp; /* stapled OCSP response for the leaf, owned, or NULL */
    size_t ocsp_len;
};

void hs_capture_cleanup(struct hs_capture *c);

enum hs_result {
    HS_DONE = 0,            /* out->state says accepted / refused / inconclusive */
    HS_CONNECT_FAILED = -1, /* no TCP connection: out->reason says why */
    HS_LOCAL_ERROR = -2,    /* out of memory or a GnuTLS setup failure */
};

/* handshake_global_init prepares GnuTLS; call once before any probe.
 * Returns 0 or -1. handshake_global_deinit undoes it. */
int handshake_global_init(void);
void handshake_global_deinit(void);

/* handshake_set_stop_flag makes every probe give up (as "interrupted")
 * within a fraction of a second once *stop becomes non-zero. */
void handshake_set_stop_flag(const volatile sig_atomic_t *stop);

/* What a handshake sends besides its offer; a NULL struct means the
 * defaults (no SNI, no dialogue). */
struct hs_options {
    const char *sni; /* the server_name to send, or NULL */
    /* A pre-TLS dialogue run on the socket before the first TLS byte
     * (scanner/net/dialogue.h; a STARTTLS protocol), or NULL. When it fails
     * the version is inconclusive, reason "pre-TLS dialogue failed: ...",
     * and no TLS byte is sent; a reset or timeout in it is retried once. */
    const struct net_dialogue *dialogue;
};

/* handshake_probe connects to sa (scanner/net/connect.h), runs opt's
 * dialogue, offers only version v (and every cipher suite and group GnuTLS
 * can do with it), sends opt's SNI, and fills out. timeout_ms bounds the
 * connect, dialogue and handshake together. When cap is not NULL and the
 * handshake completes, the certificate chain and staple are copied into it.
 * opt may be NULL. */
enum hs_result handshake_probe(const struct sockaddr *sa, socklen_t sa_len,
                               const struct hs_options *opt, enum tls_version v, int timeout_ms,
                               struct version_fact *out, struct hs_capture *cap);

/* The authentication types a server may hold a certificate for (one
 * deployment each, scanner/probes/deployments.c). */
enum hs_auth { HS_AUTH_RSA, HS_AUTH_ECDSA, HS_AUTH_EDDSA, HS_AUTH_DSA, HS_AUTH_COUNT };

/* handshake_auth_name: "RSA", "ECDSA", "EdDSA", "DSA". handshake_auth_allows:
 * a can authenticate a handshake of version v (DSA: not TLS 1.3). */
const char *handshake_auth_name(enum hs_auth a);
bool handshake_auth_allows(enum hs_auth a, enum tls_version v);

/* handshake_auth is handshake_probe offering only the key exchanges (TLS
 * 1.2 and older) and signature algorithms of authentication type a, so the
 * server must answer with its certificate of that type, or refuse. cap as
 * in handshake_probe. HS_LOCAL_ERROR also when a cannot be used with v. */
enum hs_result handshake_auth(const struct sockaddr *sa, socklen_t sa_len,
                              const struct hs_options *opt, enum tls_version v, enum hs_auth a,
                              int timeout_ms, struct version_fact *out, struct hs_capture *cap);

/* The TLS 1.3 signature schemes GnuTLS can offer, one at a time. */
struct hs_sigscheme {
    uint16_t code;        /* IANA SignatureScheme */
    const char *priority; /* GnuTLS priority keyword ("SIGN-RSA-PSS-RSAE-SHA256") */
};
extern const struct hs_sigscheme hs_sigschemes13[];
extern const size_t hs_n_sigschemes13;

/* handshake_sigscheme13 completes a TLS 1.3 handshake offering only the
 * signature scheme s (and every suite and group), so the server's
 * CertificateVerify must use it. Sets *out_state to accepted (the server
 * signed with it), refused, or inconclusive (timeout, reset). Returns
 * HS_DONE, HS_CONNECT_FAILED or HS_LOCAL_ERROR. */
enum hs_result handshake_sigscheme13(const struct sockaddr *sa, socklen_t sa_len,
                                     const struct hs_options *opt, const struct hs_sigscheme *s,
                                     int timeout_ms, enum probe_state *out_state);

#endif
