/*
 * scanner/rsa_raw.h - the raw RSA public operation (c = m^e mod n, no
 * padding), for the ROBOT probe, which must encrypt deliberately malformed
 * PKCS#1 v1.5 blocks that no library's encrypt function would build. The
 * arithmetic is GMP's (scanner/rsa_raw.c is GMP's one adapter); nothing
 * here is a hand-written bignum.
 */
#ifndef TLSAUDIT_SCANNER_RSA_RAW_H
#define TLSAUDIT_SCANNER_RSA_RAW_H

#include <stddef.h>
#include <stdint.h>

/* rsa_raw_public writes m^e mod n into out as exactly n_len big-endian
 * bytes (zeros on the left). n, e and m are big-endian; m holds n_len
 * bytes (an m >= n is reduced mod n first, as the server's decryption
 * would see it). Returns 0, or -1 when a length is 0, out_len differs
 * from n_len, n is even or below 3. Nothing to free. */
__attribute__((warn_unused_result)) int rsa_raw_public(const uint8_t *n, size_t n_len,
                                                       const uint8_t *e, size_t e_len,
                                                       const uint8_t *m, size_t m_len, uint8_t *out,
                                                       size_t out_len);

#endif
