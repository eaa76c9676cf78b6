/*
 * scanner/probes/dh_primes.c - the lookup in the table of well-known DH
 * primes (dh_primes.h; the table is generated: dh_primes_table.c).
 */
#include "scanner/probes/dh_primes.h"

#include <string.h>

const struct dh_known_prime *dh_known_prime_find(const char *sha256)
{
    for (size_t i = 0; sha256 != NULL && i < dh_known_primes_count; i++) {
        if (strcmp(dh_known_primes[i].sha256, sha256) == 0) {
            return &dh_known_primes[i];
        }
    }
    return NULL;
}
