/*
 * common/model/version.h - the protocol versions: the one version
 * vocabulary of the tree.
 *
 * enum tls_version is the index every array of per-version facts uses
 * (oldest first); each version has its wire code (what ClientHello and
 * ServerHello carry), its display name and its bit in the registry's
 * version masks. The GnuTLS handshakes cover TLS 1.0 to 1.3
 * (TLSV_HS_FIRST .. TLSV_TLS13); the raw prober covers all of them.
 */
#ifndef TLSAUDIT_COMMON_MODEL_VERSION_H
#define TLSAUDIT_COMMON_MODEL_VERSION_H

#include <stdbool.h>
#include <stdint.h>

enum tls_version {
    TLSV_SSL2,
    TLSV_SSL3,
    TLSV_TLS10,
    TLSV_TLS11,
    TLSV_TLS12,
    TLSV_TLS13,
    TLSV_COUNT
};

/* The first version the GnuTLS handshakes offer (they never offer SSL). */
#define TLSV_HS_FIRST TLSV_TLS10

/* The wire codes (legacy_version, supported_versions; SSLv2's 0x0002), for
 * the wire code's switch statements and byte builders. tls_version_wire
 * maps an enum value to one of these. */
#define TLS_WIRE_SSL2 0x0002
#define TLS_WIRE_SSL3 0x0300
#define TLS_WIRE_TLS10 0x0301
#define TLS_WIRE_TLS11 0x0302
#define TLS_WIRE_TLS12 0x0303
#define TLS_WIRE_TLS13 0x0304

/* The version's bit in the registry's version masks (registry.h). */
#define TLSV_BIT(v) (1u << (v))

/* tls_version_wire returns the wire code of v (0 out of range). */
uint16_t tls_version_wire(enum tls_version v);
/* tls_version_from_wire stores in *out the version whose wire code is
 * code, or returns false (and leaves *out) for any other code. */
bool tls_version_from_wire(uint16_t code, enum tls_version *out);
/* tls_version_name returns "SSL 2.0", "SSL 3.0", "TLS 1.0" .. "TLS 1.3"
 * ("?" out of range): the name every output and the store use. */
const char *tls_version_name(enum tls_version v);
/* tls_version_parse stores in *out the version named name (as
 * tls_version_name writes it), or returns false. */
bool tls_version_parse(const char *name, enum tls_version *out);
/* tls_version_is_hs is true for the versions the GnuTLS handshakes offer. */
bool tls_version_is_hs(enum tls_version v);

#endif
