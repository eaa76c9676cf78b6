/*
 * scanner/probes/cache.h - results of vulnerability probes reused within
 * one scan when several (target, address) units reach the same server.
 *
 * A scan may list one server more than once: the same host twice, two
 * names on one address, or two SNI values on one address and port. A probe
 * whose result is a property of the TLS stack behind address:port (how it
 * answers a heartbeat, an early ChangeCipherSpec, a GREASE hello ...) need
 * not run again for each of them. A probe_def row says which of its
 * results may be reused (registry.h):
 *
 *   PROBE_REUSE_ADDR  keyed by (probe id, address, port, STARTTLS protocol,
 *                     the fingerprint below): the stack's behaviour, the
 *                     same whatever SNI name the hello carries
 *   PROBE_REUSE_SNI   the same key plus the SNI sent (none counts as a
 *                     value of its own): the answer depends on what the
 *                     virtual host chosen by SNI configures (its key, its
 *                     session cache and tickets, its renegotiation and
 *                     early-data settings, its compression option)
 *
 * A STARTTLS protocol whose dialogue names the host (XMPP's to=: the
 * protocol row has an argument builder) picks the virtual host before TLS,
 * so on such a target every key also carries the host and the SNI.
 *
 * The fingerprint is what the probe's hello is made from: the loop track's
 * rows start from the enumeration's facts (each version's state, suites in
 * order with rank, group and size, the lists of groups and signature
 * schemes, the echoed extensions), the worker track's from the GnuTLS
 * handshakes' versions and suites. Two units whose facts differ (different
 * virtual-host configurations, or a server that answered differently) do
 * not share a result. It is the SHA-256 of those facts (wire/digest.c).
 *
 * Who runs: the first unit to ask for a key runs the probe (owner) and
 * settles the entry with the rows it recorded. A worker-track unit asking
 * while the owner runs waits (a condition variable); a loop-track unit is
 * parked on the entry and resumed by the owner's settle (on the loop
 * thread, where every loop-track row runs). Then each gets a copy of the
 * rows, its evidence "reused from ORIGIN (HOST:PORT, sni NAME, address
 * IP): " and the owner's evidence (just the first part when it had none):
 * ORIGIN is the target's place in the targets file or the arguments. State,
 * detail, version and suite are the owner's. A result with a could-not-test or not-run row is not
 * reused: the entry opens again and the next asker runs the probe itself.
 *
 * Ownership: the cache owns its entries and their rows until
 * probe_cache_forget (the scan calls it for an endpoint once its last unit
 * is delivered: no unit still to come can reuse them, so the cache holds
 * only the endpoints of units in progress or still to come) or
 * probe_cache_free; a waiting context is borrowed (it lives in its unit
 * until the unit is delivered, after its loop track ends). At most
 * PROBE_CACHE_MAX entries; past that a probe runs uncached.
 */
#ifndef TLSAUDIT_SCANNER_PROBES_CACHE_H
#define TLSAUDIT_SCANNER_PROBES_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scanner/probes/registry.h"

#define PROBE_CACHE_MAX 65536
#define PROBE_CACHE_FROM "reused from "

struct probe_cache;

/* probe_cache_new returns an empty cache (NULL out of memory);
 * probe_cache_free frees it and every entry (no claim or waiter may be
 * outstanding; NULL is fine). */
struct probe_cache *probe_cache_new(void);
void probe_cache_free(struct probe_cache *pc);

enum probe_cache_claim {
    PROBE_CACHE_OFF,    /* not a shared row (or no cache, or no room): run it as usual */
    PROBE_CACHE_OWNER,  /* run it, then probe_cache_settle(c, ...) */
    PROBE_CACHE_REUSED, /* its rows were copied into c->rows: do not run it */
    PROBE_CACHE_WAIT,   /* (block false only) parked: the owner's settle resumes c */
};

/* probe_cache_claim asks c->cache for row d's result for c's unit. With
 * block true (worker track) it waits while another unit runs the probe and
 * never returns PROBE_CACHE_WAIT; with block false (loop track) it parks c
 * instead. OWNER records the claim in c (c->claim, and c->claim_first
 * from c->rows). */
enum probe_cache_claim probe_cache_claim(struct probe_ctx *c, const struct probe_def *d,
                                         bool block);

/* probe_cache_settle ends c's claim (nothing when c holds none): the rows
 * c->rows[c->claim_first ..] are the probe's result, kept for later askers
 * unless one is could-not-test or not-run. Every parked context is then
 * handed to resume (outside the cache's lock, in the order they asked),
 * which must make it ask again. */
void probe_cache_settle(struct probe_ctx *c, void (*resume)(struct probe_ctx *waiter));

/* probe_cache_forget frees every settled entry of the endpoint (ip, port,
 * STARTTLS protocol name as in target_starttls; NULL counts as none): the
 * caller knows that no unit of it still runs or is to come (an entry
 * still running is kept). NULL pc is fine. */
void probe_cache_forget(struct probe_cache *pc, const char *ip, uint16_t port, const char *proto);

#endif
