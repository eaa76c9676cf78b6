/*
 * scanner/handshake_private.h - what the GnuTLS handshake adapters share
 * (handshake.c, the one-version handshakes, and hs_session.c, the
 * multi-step sessions: renegotiation, resumption, early data, Ticketbleed).
 * Private to those two files: it includes GnuTLS.
 *
 * The credentials and the stop flag belong to handshake.c
 * (handshake_global_init, handshake_set_stop_flag); the getters only lend
 * them.
 */
#ifndef TLSAUDIT_SCANNER_HANDSHAKE_PRIVATE_H
#define TLSAUDIT_SCANNER_HANDSHAKE_PRIVATE_H

#include <signal.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

/* Every suite, key exchange, MAC, group and signature GnuTLS can offer, so
 * that the handshake succeeds whenever the server accepts the version with
 * anything GnuTLS speaks. %s is the one version ("TLS1.2"). */
#define HS_PRIORITY_FMT                                                                            \
    "NONE:+VERS-%s:+CIPHER-ALL:+ARCFOUR-128:+3DES-CBC:+CAMELLIA-128-CBC:+CAMELLIA-256-CBC:"        \
    "+CAMELLIA-128-GCM:+CAMELLIA-256-GCM:+MAC-ALL:+MD5:+KX-ALL:+ANON-DH:+ANON-ECDH:"               \
    "+COMP-NULL:+SIGN-ALL:+GROUP-ALL:+CTYPE-X509:%%COMPAT"

/* The client credentials handshake_global_init allocated (borrowed). */
gnutls_certificate_credentials_t handshake_cert_cred(void);
gnutls_anon_client_credentials_t handshake_anon_cred(void);
/* The flag handshake_set_stop_flag set, or NULL. */
const volatile sig_atomic_t *handshake_stop_flag(void);

#endif
