/*
 * scanner/gnutls/x509_private.h - what the GnuTLS certificate files share
 * (x509_util.c defines it; x509_facts.c, x509_chain.c and ocsp.c use it);
 * nothing outside scanner/gnutls/ includes it. The public interface is scanner/x509.h (plain
 * bytes).
 *
 * The trust store's layout, the message and text helpers, the escaping of
 * certificate text, the time and self-signature helpers both the facts and
 * the chain check apply to a certificate, and the one table type and writer
 * for "the words of the set flags" (key usage, verification status, OCSP
 * verification).
 */
#ifndef TLSAUDIT_SCANNER_GNUTLS_X509_PRIVATE_H
#define TLSAUDIT_SCANNER_GNUTLS_X509_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gnutls/x509.h>

#include "common/strlist.h"

/* Served certificates considered in a chain; handshake.c caps it lower. */
#define X509_MAX_CHAIN 64

struct x509_trust {
    gnutls_x509_trust_list_t tl;
};

/* One flag of a GnuTLS bit set and its word. */
struct x509_flag_word {
    unsigned flag;
    const char *word;
};

/* x509_errf writes a message into err (when err has room). */
void x509_errf(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* x509_warn appends a warning to err, "; "-separated, truncating. */
void x509_warn(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* x509_set copies s into the fixed field dst of dst_len bytes, truncating. */
void x509_set(char *dst, size_t dst_len, const char *s);

/* x509_text_add appends a phrase to a fixed text field, ", "-separated. */
void x509_text_add(char *text, size_t text_len, const char *phrase);

/* x509_flag_words appends (x509_text_add) the word of every flag of
 * words[0..n_words) set in flags, in table order. */
void x509_flag_words(unsigned flags, const struct x509_flag_word *words, size_t n_words, char *text,
                     size_t text_len);

/* x509_hex writes n bytes as lowercase hex into out (out_len >= 1). When
 * they do not fit, as many as fit are written followed by "..". */
void x509_hex(const unsigned char *p, size_t n, char *out, size_t out_len);

/* x509_escape returns a new string (caller frees): prefix, then the n bytes
 * at p with control bytes and 0x7f (and, when ia5, bytes >= 0x80 and the
 * backslash) written as \xNN. NULL when out of memory. */
char *x509_escape(const char *prefix, const unsigned char *p, size_t n, bool ia5);

/* x509_list_add appends prefix + escaped bytes to l. Returns 0 or -1 (OOM). */
int x509_list_add(struct strlist *l, const char *prefix, const unsigned char *p, size_t n,
                  bool ia5);

/* x509_datum_is reports whether the OID text in d equals oid (GnuTLS may
 * count a trailing NUL in the size). */
bool x509_datum_is(const gnutls_datum_t *d, const char *oid);

/* x509_days_left returns floor((not_after - now) / 86400). */
int64_t x509_days_left(int64_t not_after, int64_t now);

/* x509_crt_times reads the validity period of crt (-1 when unreadable). */
void x509_crt_times(gnutls_x509_crt_t crt, int64_t *not_before, int64_t *not_after);

/* x509_crt_self_signed reports whether crt names itself as issuer and its
 * signature verifies with its own key (CA bit, time and algorithm strength
 * do not matter). */
bool x509_crt_self_signed(gnutls_x509_crt_t crt);

#endif
