/*
 * scanner/x509.h - certificate facts and chain validation (GnuTLS).
 *
 * Turns the DER certificates a server sent into struct cert_fact, and
 * validates the served chain against a trust store into struct chain_fact:
 * trusted or not and why, hostname/IP match, expiry, self-signed,
 * incomplete chain, wrong order, OCSP staple status. Everything here reads
 * bytes that came from a server: no input may crash it.
 *
 * GnuTLS types stay inside scanner/gnutls/ (x509_facts.c, x509_chain.c);
 * this header uses plain bytes.
 */
#ifndef TLSAUDIT_SCANNER_X509_H
#define TLSAUDIT_SCANNER_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/model/facts.h"

struct x509_trust;

/* x509_trust_new loads the trust anchors: the system store when ca_file is
 * NULL, else the PEM (or DER) file ca_file alone (a regular file of at most
 * 64 MiB). Returns 0 and *out, or -1 with a message naming the file in err
 * (unreadable, not a regular file, too large, empty, no certificate). The
 * result may be shared by threads for verification. */
__attribute__((warn_unused_result)) int x509_trust_new(const char *ca_file, struct x509_trust **out,
                                                       char *err, size_t err_len);
/* x509_trust_free frees t; accepts NULL. */
void x509_trust_free(struct x509_trust *t);

/* x509_cert_facts parses one DER certificate into out (cert_fact_init'ed by
 * the caller); days_left is computed against now (Unix seconds). The DER is
 * copied into out->der. Returns 0, or -1 with a reason in err when the bytes
 * are not a certificate (out then still holds the DER and its SHA-256). */
__attribute__((warn_unused_result)) int x509_cert_facts(const unsigned char *der, size_t der_len,
                                                        int64_t now, struct cert_fact *out,
                                                        char *err, size_t err_len);

/* x509_chain_check validates certs[0..n_certs) (leaf first, as served)
 * against t. hostname is the DNS name to match (the SNI), or NULL; ip is the
 * textual address to match when hostname is NULL (IP SAN), or NULL.
 * ocsp/ocsp_len is the stapled OCSP response, or NULL/0. now is Unix seconds.
 * Fills out; returns 0, or -1 on a local failure (out of memory). */
__attribute__((warn_unused_result)) int
x509_chain_check(const struct x509_trust *t, const struct cert_fact *certs, size_t n_certs,
                 const char *hostname, const char *ip, const unsigned char *ocsp, size_t ocsp_len,
                 int64_t now, struct chain_fact *out);

/* x509_anchor_issuer returns, in *out_der (malloc'ed, caller frees) and
 * *out_len, the DER of a trust anchor of t that issued the certificate
 * der/der_len (issuer name and key identifiers match; the signature is
 * checked by whoever uses it). Returns 1 when
 * found, 0 when t holds no such anchor, -1 when the bytes are not a
 * certificate or memory ran out. */
__attribute__((warn_unused_result)) int x509_anchor_issuer(const struct x509_trust *t,
                                                           const unsigned char *der, size_t der_len,
                                                           unsigned char **out_der,
                                                           size_t *out_len);

/* x509_fmt_time writes Unix seconds t as "YYYY-MM-DD HH:MM:SS UTC" (the
 * number itself when it cannot be formatted). */
void x509_fmt_time(int64_t t, char *buf, size_t buf_len);

/* x509_crl_reason_name names an RFC 5280 §5.3.1 CRLReason ("unknown
 * reason" for a value it does not define). */
const char *x509_crl_reason_name(unsigned reason);

/* The RSA key x509_rsa_public_key reads: modulus and public exponent,
 * big-endian without leading zero bytes; caller storage. Caps: a modulus
 * of X509_RSA_MIN_BITS .. X509_RSA_MAX_BITS, an exponent of at most
 * X509_RSA_MAX_E bytes, a certificate of at most X509_RSA_MAX_CERT bytes. */
#define X509_RSA_MIN_BITS 512
#define X509_RSA_MAX_BITS 16384
#define X509_RSA_MAX_E 512
#define X509_RSA_MAX_CERT (64u * 1024u)
struct x509_rsa_key {
    uint8_t n[X509_RSA_MAX_BITS / 8];
    size_t n_len;
    uint8_t e[X509_RSA_MAX_E];
    size_t e_len;
    unsigned bits; /* of the modulus */
};

/* x509_rsa_public_key reads the RSA public key of the DER certificate
 * der/der_len (server bytes) into out. Returns 0, or -1 with the reason in
 * why: not a certificate, a key that is not RSA (named), a key over the
 * caps, an even or tiny modulus. */
__attribute__((warn_unused_result)) int x509_rsa_public_key(const unsigned char *der,
                                                            size_t der_len,
                                                            struct x509_rsa_key *out, char *why,
                                                            size_t why_len);

#endif
