/*
 * scanner/gnutls/x509_util.c - the helpers the GnuTLS certificate files
 * share (declared in x509_private.h): messages into a caller's buffer,
 * fixed text fields, the escaping of certificate text (the rule is
 * x509_facts.c's header), validity times and the self-signature test.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "common/strlist.h"
#include "scanner/gnutls/x509_private.h"

#define X509_SECONDS_PER_DAY 86400

static const char x509_hexdig[] = "0123456789abcdef";

void x509_errf(char *err, size_t err_len, const char *fmt, ...)
{
    if (err == NULL || err_len == 0) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

/* x509_warn appends a warning to err, "; "-separated, truncating. */
void x509_warn(char *err, size_t err_len, const char *fmt, ...)
{
    if (err == NULL || err_len == 0) {
        return;
    }
    size_t used = strnlen(err, err_len - 1);
    if (used > 0 && used + 2 < err_len) {
        memcpy(err + used, "; ", 3);
        used += 2;
    }
    if (used + 1 >= err_len) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + used, err_len - used, fmt, ap);
    va_end(ap);
}

void x509_set(char *dst, size_t dst_len, const char *s)
{
    snprintf(dst, dst_len, "%s", s);
}

void x509_text_add(char *text, size_t text_len, const char *phrase)
{
    size_t used = strnlen(text, text_len - 1);
    snprintf(text + used, text_len - used, "%s%s", used > 0 ? ", " : "", phrase);
}

void x509_flag_words(unsigned flags, const struct x509_flag_word *words, size_t n_words, char *text,
                     size_t text_len)
{
    for (size_t i = 0; i < n_words; i++) {
        if (flags & words[i].flag) {
            x509_text_add(text, text_len, words[i].word);
        }
    }
}

/* x509_hex writes n bytes as lowercase hex into out (out_len >= 1). When
 * they do not fit, as many as fit are written followed by "..". */
void x509_hex(const unsigned char *p, size_t n, char *out, size_t out_len)
{
    size_t o = 0;
    bool cut = n * 2 + 1 > out_len;
    size_t room = cut ? (out_len > 3 ? (out_len - 3) / 2 : 0) : n;
    for (size_t i = 0; i < room; i++) {
        out[o++] = x509_hexdig[p[i] >> 4];
        out[o++] = x509_hexdig[p[i] & 0x0f];
    }
    if (cut && out_len >= 3) {
        out[o++] = '.';
        out[o++] = '.';
    }
    out[o] = '\0';
}

/* x509_escape returns a new string: prefix, then the n bytes at p with the
 * bytes described in the file header written as \xNN (ia5 selects the
 * strict ASCII rule). NULL when out of memory. */
char *x509_escape(const char *prefix, const unsigned char *p, size_t n, bool ia5)
{
    size_t plen = strlen(prefix);
    if (n > (SIZE_MAX - plen - 1) / 4) {
        return NULL;
    }
    char *s = malloc(plen + 4 * n + 1);
    if (s == NULL) {
        return NULL;
    }
    memcpy(s, prefix, plen);
    size_t o = plen;
    for (size_t i = 0; i < n; i++) {
        unsigned char b = p[i];
        bool esc = b < 0x20 || b == 0x7f || (ia5 && (b >= 0x80 || b == '\\'));
        if (esc) {
            s[o++] = '\\';
            s[o++] = 'x';
            s[o++] = x509_hexdig[b >> 4];
            s[o++] = x509_hexdig[b & 0x0f];
        } else {
            s[o++] = (char)b;
        }
    }
    s[o] = '\0';
    return s;
}

/* x509_list_add appends prefix + escaped bytes to l. Returns 0 or -1 (OOM). */
int x509_list_add(struct strlist *l, const char *prefix, const unsigned char *p, size_t n, bool ia5)
{
    char *s = x509_escape(prefix, p, n, ia5);
    if (s == NULL) {
        return -1;
    }
    int rc = strlist_add(l, s);
    free(s);
    return rc;
}

/* x509_datum_is reports whether the OID text in d equals oid (GnuTLS may
 * count a trailing NUL in the size). */
bool x509_datum_is(const gnutls_datum_t *d, const char *oid)
{
    size_t n = d->size;
    while (n > 0 && d->data[n - 1] == '\0') {
        n--;
    }
    return d->data != NULL && n == strlen(oid) && memcmp(d->data, oid, n) == 0;
}

int64_t x509_days_left(int64_t not_after, int64_t now)
{
    int64_t d = not_after - now;
    int64_t q = d / X509_SECONDS_PER_DAY;
    if (d % X509_SECONDS_PER_DAY != 0 && d < 0) {
        q--;
    }
    return q;
}

void x509_crt_times(gnutls_x509_crt_t crt, int64_t *not_before, int64_t *not_after)
{
    *not_before = (int64_t)gnutls_x509_crt_get_activation_time(crt);
    *not_after = (int64_t)gnutls_x509_crt_get_expiration_time(crt);
}

/* x509_crt_self_signed reports whether crt names itself as issuer
 * (subject/issuer and key identifiers, gnutls_x509_crt_check_issuer) and its
 * signature verifies with its own key. CA bit, time and algorithm strength
 * do not matter here: a SHA-1 self-signed leaf is still self-signed. */
bool x509_crt_self_signed(gnutls_x509_crt_t crt)
{
    if (!gnutls_x509_crt_check_issuer(crt, crt)) {
        return false;
    }
    /* DO_NOT_ALLOW_SAME: otherwise GnuTLS accepts a certificate found in
     * the CA list without checking any signature. */
    unsigned flags = GNUTLS_VERIFY_DO_NOT_ALLOW_SAME | GNUTLS_VERIFY_DISABLE_CA_SIGN |
                     GNUTLS_VERIFY_DISABLE_TIME_CHECKS | GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS |
                     GNUTLS_VERIFY_ALLOW_BROKEN;
    unsigned status = 0;
    gnutls_x509_crt_t self[1] = {crt};
    if (gnutls_x509_crt_verify(crt, self, 1, flags, &status) < 0) {
        return false;
    }
    return status == 0;
}
