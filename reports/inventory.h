/*
 * reports/inventory.h - the inventories an assessor asks for, computed once
 * from a loaded scan for every report format that shows them.
 *
 * Pipeline position: report_load (reports/report.c) -> [inventory_build]
 * -> the HTML, JSON and Markdown renderers.
 *
 * - Certificates (PCI DSS v4.0.1 Req 4.2.1.1, "an inventory of the
 *   trusted keys and certificates"): every certificate a scanned target
 *   served, once per SHA-256 fingerprint, with every (target, chain
 *   position) that serves it.
 * - Protocols and cipher suites (Req 12.3.3, "cryptographic cipher suites
 *   and protocols in use"): every accepted version, and every accepted
 *   (version, suite), with the targets that accept it. From each target's
 *   enumeration; a target without one contributes what its GnuTLS
 *   handshakes negotiated.
 *
 * Ownership: inventory_build fills caller storage that inventory_cleanup
 * frees; the certificates it points to are borrowed from the report_data,
 * which must outlive it.
 */
#ifndef TLSAUDIT_REPORTS_INVENTORY_H
#define TLSAUDIT_REPORTS_INVENTORY_H

#include <stddef.h>
#include <stdint.h>

#include "reports/report.h"

/* One place a certificate is served. */
struct inventory_place {
    size_t target;     /* index in report_data.targets */
    size_t position;   /* 0 = leaf, in the chain as served */
    size_t deployment; /* which of the target's chains (0: its first, facts.h) */
};

/* One distinct certificate. */
struct inventory_cert {
    const struct cert_fact *cert;         /* borrowed: its first place's copy */
    const struct inventory_place *places; /* n_places, by target then position */
    size_t n_places;
};

/* One protocol version in use, or one (version, suite) in use. */
struct inventory_use {
    enum tls_version version;
    uint32_t suite;        /* IANA code; 0 in a version row */
    const size_t *targets; /* n_targets distinct indexes in report_data.targets, ascending */
    size_t n_targets;
};

struct inventory {
    struct inventory_cert *certs; /* by SHA-256 */
    size_t n_certs;
    struct inventory_use *versions; /* newest version first */
    size_t n_versions;
    struct inventory_use *suites; /* newest version first, then by code */
    size_t n_suites;
    /* storage the arrays above point into */
    struct inventory_place *place_buf;
    size_t *target_buf;
};

/* inventory_build computes the inventories of d into *out. Returns 0, or
 * -1 when out of memory (with *out zeroed). */
__attribute__((warn_unused_result)) int inventory_build(const struct report_data *d,
                                                        struct inventory *out);

/* inventory_cleanup frees what inv owns and zeroes it; accepts a zeroed
 * struct. */
void inventory_cleanup(struct inventory *inv);

#endif
