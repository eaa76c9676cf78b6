/*
 * policies/hash.h - SHA-256 (FIPS 180-4) for the policy files' fingerprint.
 *
 * policy_sha256() reports which policy text decided a set of findings; the
 * policy layer may not include GnuTLS (one adapter per third-party library,
 * DESIGN.md), so it carries this small, self-contained implementation.
 * Tested against the FIPS 180-2 example vectors in tests/unit/policy_test.c.
 *
 * Ownership: the context lives in caller storage; nothing is allocated.
 */
#ifndef TLSAUDIT_POLICIES_HASH_H
#define TLSAUDIT_POLICIES_HASH_H

#include <stddef.h>
#include <stdint.h>

struct policy_hash {
    uint32_t state[8];
    uint64_t n_bytes; /* message length so far */
    unsigned char block[64];
    size_t block_len; /* bytes waiting in block, < 64 */
};

/* policy_hash_init starts a SHA-256 computation in h. */
void policy_hash_init(struct policy_hash *h);
/* policy_hash_update feeds data_len bytes of data. */
void policy_hash_update(struct policy_hash *h, const void *data, size_t data_len);
/* policy_hash_final writes the digest as 64 lowercase hex digits and a NUL
 * into hex (at least 65 bytes); h must be initialised again before reuse. */
void policy_hash_final(struct policy_hash *h, char hex[65]);

#endif
