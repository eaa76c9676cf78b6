/*
 * common/model/endpoint.h - the identity of a scanned endpoint: what makes
 * two stored targets "the same target" across scans (`tlsaudit diff`
 * pairing, and whatever else must match targets of two scans).
 *
 * The identity is (host, port, SNI, address): the host as the user gave it
 * (ASCII case ignored), the port, the SNI name sent (none and "" are the
 * same) and the address connected to. Two targets of one scan that share
 * an address and port but send another SNI (nginx with two server_names on
 * one port) are two endpoints. A field added to the identity (the STARTTLS
 * protocol) is one member of struct endpoint_id, one line in endpoint_of
 * and one comparison in endpoint_cmp: every user picks it up.
 *
 * Libc only (common/model/). Nothing is owned: an endpoint_id borrows the
 * target_result's strings and is valid while it is.
 */
#ifndef TLSAUDIT_MODEL_ENDPOINT_H
#define TLSAUDIT_MODEL_ENDPOINT_H

#include <stdint.h>

#include "common/model/facts.h"

struct endpoint_id {
    const char *host; /* never NULL ("" when none) */
    uint16_t port;
    const char *sni;      /* never NULL ("" when none sent) */
    const char *ip;       /* never NULL ("" when no address was connected to) */
    const char *starttls; /* the application protocol, "none" for direct TLS */
};

/* endpoint_of returns the identity of r (borrowed strings). */
struct endpoint_id endpoint_of(const struct target_result *r);

/* endpoint_cmp orders two identities deterministically: host (ASCII case
 * ignored), port, SNI, application protocol, address. Returns <0, 0, >0; 0 means the same
 * endpoint. */
int endpoint_cmp(const struct endpoint_id *a, const struct endpoint_id *b);

/* endpoint_cmp_but_address is endpoint_cmp without the address: the same
 * name, port, SNI and protocol, perhaps resolved to another address (or to none). */
int endpoint_cmp_but_address(const struct endpoint_id *a, const struct endpoint_id *b);

#endif
