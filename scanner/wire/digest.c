/*
 * scanner/wire/digest.c - the digests the enumeration keeps of what a
 * server sent (hello.h): SHA-256 of a key-exchange value and of a leaf
 * certificate's SubjectPublicKeyInfo. The GnuTLS adapter of the wire code
 * for hashing (tests/layers.sh lists it): the bytes are only read, never
 * kept, and a certificate that does not parse gives no digest.
 */
#include "scanner/hello.h"

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <limits.h>

static void to_hex(const uint8_t *d, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 15];
    }
    out[2 * n] = '\0';
}

bool hello_sha256_hex(const uint8_t *data, size_t len, char out[65])
{
    uint8_t d[32];
    out[0] = '\0';
    if (gnutls_hash_fast(GNUTLS_DIG_SHA256, len ? data : d, len, d) != 0) {
        return false;
    }
    to_hex(d, sizeof(d), out);
    return true;
}

bool hello_spki_sha256_hex(const uint8_t *der, size_t len, char out[65])
{
    gnutls_x509_crt_t crt = NULL;
    gnutls_pubkey_t key = NULL;
    gnutls_datum_t spki = {NULL, 0};
    bool ok = false;
    out[0] = '\0';
    if (len == 0 || len > UINT_MAX) {
        return false;
    }
    gnutls_datum_t in = {(unsigned char *)der, (unsigned)len};
    if (gnutls_x509_crt_init(&crt) != 0 || gnutls_pubkey_init(&key) != 0) {
        goto out;
    }
    if (gnutls_x509_crt_import(crt, &in, GNUTLS_X509_FMT_DER) != 0 ||
        gnutls_pubkey_import_x509(key, crt, 0) != 0 ||
        gnutls_pubkey_export2(key, GNUTLS_X509_FMT_DER, &spki) != 0) {
        goto out;
    }
    ok = hello_sha256_hex(spki.data, spki.size, out);
out:
    gnutls_free(spki.data);
    gnutls_pubkey_deinit(key);
    gnutls_x509_crt_deinit(crt);
    return ok;
}
