/*
 * scanner/rsa_raw.c - GMP's adapter: the raw RSA public operation of
 * scanner/rsa_raw.h (mpz_powm over imported big-endian bytes).
 */
#include "scanner/rsa_raw.h"

#include <string.h>

#include <gmp.h>

int rsa_raw_public(const uint8_t *n, size_t n_len, const uint8_t *e, size_t e_len, const uint8_t *m,
                   size_t m_len, uint8_t *out, size_t out_len)
{
    if (n == NULL || e == NULL || m == NULL || out == NULL || n_len == 0 || e_len == 0 ||
        m_len != n_len || out_len != n_len || (n[n_len - 1] & 1) == 0) {
        return -1;
    }
    int ret = -1;
    mpz_t zn, ze, zm, zc;
    mpz_inits(zn, ze, zm, zc, NULL);
    mpz_import(zn, n_len, 1, 1, 1, 0, n);
    mpz_import(ze, e_len, 1, 1, 1, 0, e);
    mpz_import(zm, m_len, 1, 1, 1, 0, m);
    if (mpz_cmp_ui(zn, 3) < 0) {
        goto out;
    }
    mpz_powm(zc, zm, ze, zn);
    /* zc < n: at most n_len bytes; written right-aligned. */
    size_t len = (mpz_sizeinbase(zc, 2) + 7) / 8;
    if (len > out_len) {
        goto out;
    }
    memset(out, 0, out_len);
    if (mpz_sgn(zc) != 0) {
        size_t written = 0;
        mpz_export(out + (out_len - len), &written, 1, 1, 1, 0, zc);
        if (written != len) {
            goto out;
        }
    }
    ret = 0;
out:
    mpz_clears(zn, ze, zm, zc, NULL);
    return ret;
}
