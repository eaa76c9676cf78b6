/*
 * scanner/gnutls/x509_rsa.c - the RSA public key of a served certificate,
 * as plain big-endian bytes (x509_rsa_public_key in scanner/x509.h), for
 * the ROBOT probe (scanner/probes/robot.c), which encrypts premaster
 * blocks to it. The DER came from a server: GnuTLS parses it; every size
 * is capped before anything is copied.
 */
#include <stdio.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "scanner/x509.h"

/* Copies d into out (cap bytes) without its leading zero bytes; false
 * when nothing is left or it does not fit. */
static bool copy_unsigned(const gnutls_datum_t *d, uint8_t *out, size_t cap, size_t *out_len)
{
    size_t i = 0;
    while (i < d->size && d->data[i] == 0) {
        i++;
    }
    size_t n = d->size - i;
    if (n == 0 || n > cap) {
        return false;
    }
    memcpy(out, d->data + i, n);
    *out_len = n;
    return true;
}

/* The number of significant bits of the big-endian n (n[0] != 0). */
static unsigned bit_length(const uint8_t *n, size_t len)
{
    unsigned bits = (unsigned)(len - 1) * 8;
    for (uint8_t top = n[0]; top != 0; top >>= 1) {
        bits++;
    }
    return bits;
}

static const char *pk_name(int pk)
{
    const char *name = pk >= 0 ? gnutls_pk_algorithm_get_name((gnutls_pk_algorithm_t)pk) : NULL;
    return name != NULL ? name : "an unknown algorithm";
}

int x509_rsa_public_key(const unsigned char *der, size_t der_len, struct x509_rsa_key *out,
                        char *why, size_t why_len)
{
    int ret = -1;
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t m = {NULL, 0};
    gnutls_datum_t e = {NULL, 0};
    memset(out, 0, sizeof(*out));
    snprintf(why, why_len, "%s", "");
    if (der == NULL || der_len == 0 || der_len > X509_RSA_MAX_CERT) {
        snprintf(why, why_len, "the certificate is empty or over %u bytes", X509_RSA_MAX_CERT);
        return -1;
    }
    if (gnutls_x509_crt_init(&crt) < 0) {
        snprintf(why, why_len, "out of memory");
        return -1;
    }
    gnutls_datum_t in = {(unsigned char *)der, (unsigned)der_len};
    int r = gnutls_x509_crt_import(crt, &in, GNUTLS_X509_FMT_DER);
    if (r < 0) {
        snprintf(why, why_len, "the server's certificate does not parse: %s", gnutls_strerror(r));
        goto out;
    }
    int pk = gnutls_x509_crt_get_pk_algorithm(crt, NULL);
    if (pk != GNUTLS_PK_RSA) {
        snprintf(why, why_len, "the server's certificate key is %s, not RSA", pk_name(pk));
        goto out;
    }
    r = gnutls_x509_crt_get_pk_rsa_raw(crt, &m, &e);
    if (r < 0) {
        snprintf(why, why_len, "the certificate's RSA key is unreadable: %s", gnutls_strerror(r));
        goto out;
    }
    if (!copy_unsigned(&m, out->n, sizeof(out->n), &out->n_len) ||
        !copy_unsigned(&e, out->e, sizeof(out->e), &out->e_len)) {
        snprintf(why, why_len, "the certificate's RSA key is empty or over %u bits",
                 X509_RSA_MAX_BITS);
        goto out;
    }
    out->bits = bit_length(out->n, out->n_len);
    if (out->bits < X509_RSA_MIN_BITS || (out->n[out->n_len - 1] & 1) == 0) {
        snprintf(why, why_len, "the certificate's RSA modulus (%u bits) is no usable key",
                 out->bits);
        goto out;
    }
    ret = 0;
out:
    gnutls_free(m.data);
    gnutls_free(e.data);
    gnutls_x509_crt_deinit(crt);
    return ret;
}
