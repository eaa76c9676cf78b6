/*
 * common/model/registry.h - the cipher-suite, group and signature-scheme
 * registries (every IANA entry), as C tables generated at build time from
 * the data/ TSV files by data/gen-registry.awk.
 *
 * The tables are static and read-only: nothing here is freed.
 */
#ifndef TLSAUDIT_MODEL_REGISTRY_H
#define TLSAUDIT_MODEL_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/model/version.h"

/* suite_info.versions is a mask of TLSV_BIT(v) (common/model/version.h):
 * the protocol versions a suite can be used with. */

struct suite_info {
    uint32_t code;            /* IANA two-byte code; SSLv2 kinds use three bytes */
    const char *iana_name;    /* "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" */
    const char *openssl_name; /* "ECDHE-RSA-AES128-GCM-SHA256", or NULL */
    const char *gnutls_name;  /* "TLS_ECDHE_RSA_AES_128_GCM_SHA256", or NULL */
    const char *kx;     /* "RSA", "DHE", "ECDHE", "DH", "ECDH", "PSK", ... or "any" (TLS 1.3) */
    const char *auth;   /* "RSA", "ECDSA", "DSS", "anon", "PSK", ... or "any" */
    const char *cipher; /* "AES", "CHACHA20", "3DES", "RC4", "NULL", ... */
    int bits;           /* cipher key bits (0 for NULL) */
    const char *mode;   /* "CBC", "GCM", "CCM", "CCM_8", "POLY1305", "stream", "NULL" */
    const char *mac;    /* "SHA256", "SHA", "MD5", "AEAD", ... */
    bool aead;
    bool pfs; /* forward secret key exchange */
    bool export_grade;
    unsigned versions; /* REG_* bits */
    char recommended;  /* IANA "Recommended": 'Y', 'N', 'D', or '-' */
    unsigned attrs;    /* SUITE_* bits, decided at build time from the words above */
    int strength;      /* effective cipher key bits: bits, except 3DES = 112 */
};

/* Attributes of a suite, computed once by data/gen-registry.awk: callers
 * test bits, never the registry's strings. */
enum registry_suite_attr {
    SUITE_NULL_CIPHER = 1u << 0, /* no encryption (cipher NULL) */
    SUITE_ANON = 1u << 1,        /* no authentication (auth anon or NULL) */
    SUITE_EXPORT = 1u << 2,      /* export grade */
    SUITE_RC4 = 1u << 3,
    SUITE_RC2 = 1u << 4,
    SUITE_DES = 1u << 5,
    SUITE_3DES = 1u << 6,
    SUITE_IDEA = 1u << 7,
    SUITE_BLOCK64 = 1u << 8, /* a 64-bit block cipher (SWEET32): DES, 3DES, IDEA, RC2, GOST */
    SUITE_MD5 = 1u << 9,     /* HMAC-MD5 */
    SUITE_SHA1 = 1u << 10,   /* HMAC-SHA1 */
    SUITE_CBC = 1u << 11,    /* a block cipher in CBC mode (LUCKY13, BEAST, POODLE) */
    SUITE_PSK = 1u << 12,    /* pre-shared key (kx or auth PSK) */
    SUITE_AEAD = 1u << 13,
    SUITE_FS = 1u << 14,     /* forward secret key exchange */
    SUITE_SCSV = 1u << 15,   /* a signalling value, never negotiated */
    SUITE_KX_RSA = 1u << 16, /* RSA key transport (ROBOT, no forward secrecy) */
    SUITE_KX_DHE =
        1u << 17, /* finite-field ephemeral DH (RFC 7919 "FFDHE suites"): DHE, DHE_PSK, DH_anon */
    SUITE_KX_ECDHE = 1u << 18, /* ECDHE (not ECDHE_PSK) */
    SUITE_AUTH_RSA = 1u << 19, /* authenticated by an RSA certificate */
};

/* One attribute's name, as policies and `tlsaudit ciphers` spell it. */
struct suite_attr_name {
    unsigned bit;
    const char *name;
};
/* registry_suite_attr_names: every SUITE_* bit with its name ("null",
 * "anon", "export", "rc4", ...), n_registry_suite_attr_names entries. */
extern const struct suite_attr_name registry_suite_attr_names[];
extern const size_t n_registry_suite_attr_names;
/* registry_suite_attr_by_name returns the bit named name, or 0. */
unsigned registry_suite_attr_by_name(const char *name);

struct group_info {
    uint16_t code;
    const char *name; /* IANA description ("x25519", "secp256r1", "X25519MLKEM768") */
    const char *kind; /* "ecdhe", "ffdhe", "hybrid-pq", "pq", "other" */
    int bits;         /* classical security size (curve / prime bits), 0 when unknown */
    char recommended;
};

struct sigscheme_info {
    uint16_t code;
    const char *name; /* "rsa_pss_rsae_sha256" */
    char recommended;
};

extern const struct suite_info registry_suites[];
extern const size_t registry_n_suites;
extern const struct group_info registry_groups[];
extern const size_t registry_n_groups;
extern const struct sigscheme_info registry_sigschemes[];
extern const size_t registry_n_sigschemes;
/* A short text that identifies the registry data (IANA export dates). */
extern const char registry_version[];

/* registry_suite_by_code returns the suite with this code, or NULL. */
const struct suite_info *registry_suite_by_code(uint32_t code);
/* registry_suite_by_name matches the IANA, OpenSSL or GnuTLS name
 * (case-insensitive); returns NULL when none does. OpenSSL gives a few SSLv2
 * kinds the name of an SSLv3 suite ("RC4-MD5"): the SSLv3/TLS suite wins. */
const struct suite_info *registry_suite_by_name(const char *name);
const struct group_info *registry_group_by_code(uint16_t code);
/* registry_group_by_name matches the IANA name case-insensitively, or NULL. */
const struct group_info *registry_group_by_name(const char *name);
const struct sigscheme_info *registry_sigscheme_by_code(uint16_t code);
/* registry_sigscheme_by_name matches the IANA name case-insensitively, or NULL. */
const struct sigscheme_info *registry_sigscheme_by_name(const char *name);

/* registry_suite_is_scsv is true for the signalling values
 * (TLS_EMPTY_RENEGOTIATION_INFO_SCSV, TLS_FALLBACK_SCSV; kx "SCSV"), which
 * are sent in a ClientHello but never negotiated: enumeration skips them. */
bool registry_suite_is_scsv(const struct suite_info *s);
/* registry_version_name returns "SSL2", "SSL3", "TLS1.0" ... "TLS1.3" for
 * one REG_* bit, or NULL when v is not exactly one known bit. Static text. */
const char *registry_version_name(unsigned v);

#endif
