/*
 * policies/hash.c - SHA-256 (FIPS 180-4 §6.2) for policy fingerprints.
 *
 * Invariant: block_len < 64 between calls; n_bytes counts every byte fed.
 */
#include "policies/hash.h"

#include <string.h>

static const uint32_t hash_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t hash_rotr(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32 - n));
}

/* hash_block processes one 64-byte block (FIPS 180-4 §6.2.2). */
static void hash_block(uint32_t state[8], const unsigned char *p)
{
    uint32_t w[64];
    for (unsigned t = 0; t < 16; t++) {
        w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 |
               (uint32_t)p[4 * t + 2] << 8 | (uint32_t)p[4 * t + 3];
    }
    for (unsigned t = 16; t < 64; t++) {
        uint32_t s0 = hash_rotr(w[t - 15], 7) ^ hash_rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
        uint32_t s1 = hash_rotr(w[t - 2], 17) ^ hash_rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    for (unsigned t = 0; t < 64; t++) {
        uint32_t s1 = hash_rotr(e, 6) ^ hash_rotr(e, 11) ^ hash_rotr(e, 25);
        uint32_t ch = (e & f) ^ (~e & g);
        uint32_t t1 = h + s1 + ch + hash_k[t] + w[t];
        uint32_t s0 = hash_rotr(a, 2) ^ hash_rotr(a, 13) ^ hash_rotr(a, 22);
        uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
        uint32_t t2 = s0 + maj;
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
}

void policy_hash_init(struct policy_hash *h)
{
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(h->state, iv, sizeof(iv));
    h->n_bytes = 0;
    h->block_len = 0;
}

void policy_hash_update(struct policy_hash *h, const void *data, size_t data_len)
{
    const unsigned char *p = data;
    h->n_bytes += data_len;
    while (data_len > 0) {
        size_t take = 64 - h->block_len;
        if (take > data_len) {
            take = data_len;
        }
        memcpy(h->block + h->block_len, p, take);
        h->block_len += take;
        p += take;
        data_len -= take;
        if (h->block_len == 64) {
            hash_block(h->state, h->block);
            h->block_len = 0;
        }
    }
}

void policy_hash_final(struct policy_hash *h, char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    uint64_t bits = h->n_bytes * 8;
    unsigned char pad = 0x80;
    /* Padding (§5.1.1): 0x80, zeros up to 56 mod 64, the 64-bit length. */
    uint64_t keep = h->n_bytes;
    policy_hash_update(h, &pad, 1);
    pad = 0;
    while (h->block_len != 56) {
        policy_hash_update(h, &pad, 1);
    }
    unsigned char len[8];
    for (unsigned i = 0; i < 8; i++) {
        len[i] = (unsigned char)(bits >> (56 - 8 * i));
    }
    policy_hash_update(h, len, sizeof(len));
    h->n_bytes = keep;
    for (unsigned i = 0; i < 8; i++) {
        for (unsigned j = 0; j < 4; j++) {
            unsigned char byte = (unsigned char)(h->state[i] >> (24 - 8 * j));
            hex[8 * i + 2 * j] = digits[byte >> 4];
            hex[8 * i + 2 * j + 1] = digits[byte & 0x0f];
        }
    }
    hex[64] = '\0';
}
