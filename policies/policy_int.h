/*
 * policies/policy_int.h - the in-memory form of a loaded policy, shared by
 * the loader (policies/load.c), the evaluator (policies/eval.c) and the
 * accessors (policies/policy.c). Not installed, not used outside policies/.
 *
 * Invariants of a struct policy returned by policy_load:
 * - every rule has a unique id, a severity and exactly one valid check whose
 *   parameters were all resolved at load time (suite codes, group codes,
 *   key types, dates): evaluation never meets an unknown name;
 * - the rules of an extended policy come first, in its order, each replaced
 *   in place by a child rule with the same id; the child's new rules follow;
 * - every waiver names one of the rules and has an expiry date.
 *
 * Ownership: struct policy owns everything it points to; policy_free frees.
 */
#ifndef TLSAUDIT_POLICIES_POLICY_INT_H
#define TLSAUDIT_POLICIES_POLICY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/strlist.h"
#include "policies/policy.h"
#include "common/model/facts.h"
#include "common/model/probe_result.h"

/* The checks, in the order docs/policy-language.md lists them. */
enum check_kind {
    CHECK_PROTOCOLS_FORBIDDEN,
    CHECK_PROTOCOLS_ALLOWED,
    CHECK_PROTOCOLS_REQUIRED,
    CHECK_SUITES_ALLOWED,
    CHECK_SUITES_FORBIDDEN,
    CHECK_GROUPS_ALLOWED,
    CHECK_GROUPS_REQUIRED,
    CHECK_DH_MIN_BITS,
    CHECK_ECDH_MIN_BITS,
    CHECK_SERVER_ORDER_REQUIRED,
    CHECK_SECURE_RENEGOTIATION_REQUIRED,
    CHECK_EXTENDED_MASTER_SECRET_REQUIRED,
    CHECK_ENCRYPT_THEN_MAC_REQUIRED,
    CHECK_HEARTBEAT_FORBIDDEN,
    CHECK_CERT_KEY,
    CHECK_CERT_SIGNATURE_FORBIDDEN,
    CHECK_CERT_SIGNATURE_ALLOWED,
    CHECK_CERT_MAX_LIFETIME,
    CHECK_CERT_EXPIRY,
    CHECK_CERT_SAN_REQUIRED,
    CHECK_CERT_SERVER_AUTH_EKU_REQUIRED,
    CHECK_CERT_KEY_USAGE_VALID,
    CHECK_CERT_SERIAL_VALID,
    CHECK_CERT_AIA_REQUIRED,
    CHECK_CERT_OCSP_URL_REQUIRED,
    CHECK_CERT_CRL_URL_REQUIRED,
    CHECK_CERT_POLICY_REQUIRED,
    CHECK_CHAIN_TRUSTED_REQUIRED,
    CHECK_CHAIN_COMPLETE_REQUIRED,
    CHECK_CHAIN_ORDER_REQUIRED,
    CHECK_HOSTNAME_MATCH_REQUIRED,
    CHECK_OCSP_STAPLE_REQUIRED,
    CHECK_CERT_NOT_REVOKED_REQUIRED,
    CHECK_MUST_STAPLE_HONOURED,
    CHECK_HSTS_MIN_MAX_AGE,
    CHECK_HTTP_REDIRECT_REQUIRED,
    CHECK_INVENTORY,
    CHECK_PROBE,
    CHECK_COUNT
};

/* policy_check_name returns the YAML key of a check ("protocols_forbidden"). */
const char *policy_check_name(enum check_kind k);

/* Forbidden suite attributes (suites_forbidden.attributes), one bit each. */
enum suite_attr {
    ATTR_NULL = 1u << 0,
    ATTR_ANON = 1u << 1,
    ATTR_EXPORT = 1u << 2,
    ATTR_RC4 = 1u << 3,
    ATTR_RC2 = 1u << 4,
    ATTR_DES = 1u << 5,
    ATTR_3DES = 1u << 6,
    ATTR_IDEA = 1u << 7,
    ATTR_MD5 = 1u << 8,
    ATTR_CBC = 1u << 9,
    ATTR_NO_FS = 1u << 10,
    ATTR_NO_AEAD = 1u << 11,
};

/* Forbidden certificate signature hashes (cert_signature_forbidden). */
enum sig_hash {
    SIGHASH_MD2 = 1u << 0,
    SIGHASH_MD5 = 1u << 1,
    SIGHASH_SHA1 = 1u << 2,
};

enum inventory_kind { INVENTORY_CERTIFICATES, INVENTORY_PROTOCOLS_AND_SUITES };

#define CHECK_MAX_GROUPS 64
#define CHECK_MAX_KEY_TYPES 8
#define CHECK_MAX_CURVES 16
#define CHECK_MAX_STEPS 16
#define CHECK_MAX_SIGS 16

struct key_min {
    char type[16]; /* as cert_fact.key_type: "RSA", "RSA-PSS", "EC", "Ed25519", ... */
    int min_bits;
};

struct lifetime_step {
    int64_t from;       /* Unix seconds of 00:00 UTC that day; INT64_MIN: always */
    char from_text[16]; /* "2026-03-15", "" for always */
    int max_days;
};

/* One check with its resolved parameters; which fields count depends on kind. */
struct check {
    enum check_kind kind;
    unsigned versions; /* protocols_*, server_order: 1u << enum tls_version */
    bool any_of;       /* protocols_required, groups_required: one of the list suffices */
    uint32_t *suites[TLSV_COUNT]; /* suites_allowed: owned, per version */
    size_t n_suites[TLSV_COUNT];
    unsigned suite_versions;           /* suites_allowed: versions that have a list */
    unsigned attrs;                    /* suites_forbidden: enum suite_attr bits */
    int min_bits;                      /* suites_forbidden min_bits, dh/ecdh_min_bits */
    uint16_t groups[CHECK_MAX_GROUPS]; /* groups_allowed / groups_required */
    size_t n_groups;
    bool whole_chain; /* cert_key, cert_signature_allowed: every certificate, not just the leaf */
    int rsa_multiple_of; /* cert_key: RSA modulus bits divisible by this; 0: not checked */
    struct key_min keys[CHECK_MAX_KEY_TYPES];
    size_t n_keys;
    char curves[CHECK_MAX_CURVES][32]; /* cert_key: allowed EC curves; none = any */
    size_t n_curves;
    unsigned sig_hashes;              /* cert_signature_forbidden: enum sig_hash bits */
    const char *sigs[CHECK_MAX_SIGS]; /* cert_signature_allowed: GnuTLS names (static) */
    size_t n_sigs;
    /* cert_max_lifetime: the limits; cert_crl_url_required: the short-lived
     * schedule (a leaf within the step in force needs no CRL URL) */
    struct lifetime_step steps[CHECK_MAX_STEPS];
    size_t n_steps;
    bool unless_ocsp; /* cert_crl_url_required: an OCSP URL stands in for the CRL URL */
    bool warn_only;   /* chain_order_required: warn: a wrong order warns instead of failing */
    int warn_days;    /* cert_expiry */
    int fail_days;
    enum inventory_kind inventory;
    int min_max_age;          /* hsts_min_max_age: seconds */
    char probe[PROBE_ID_LEN]; /* probe: the probe id */
    bool probe_has_version;
    enum tls_version probe_version; /* probe's `version`, when probe_has_version */
};

struct rule {
    char id[64];
    char title[256];
    char ref[256];
    enum severity severity;
    struct strlist applies_to; /* target tags; empty: every target */
    struct check check;
    char *params; /* the check's parameters in one line, for `show`; owned */
};

struct waiver {
    char rule[64];
    struct strlist targets; /* fnmatch patterns over "host:port" */
    char justification[512];
    char owner[128];
    char expires[16]; /* YYYY-MM-DD as written */
    int64_t end;      /* Unix seconds: the waiver applies while now < end */
    char *where;      /* "FILE:LINE:COLUMN" of its `rule` value, owned */
};

struct policy {
    char *path; /* the file it was loaded from, owned */
    char id[64];
    char title[256];
    char version[64];
    char extends[256]; /* as written, "" when none */
    struct strlist sources;
    char sha256[65];
    struct rule *rules;
    size_t n_rules;
    size_t cap_rules;
    struct waiver *waivers;
    size_t n_waivers;
    size_t cap_waivers;
};

/* load_find_shipped writes DIR/NAME.yaml of the first shipped-policy
 * directory that has NAME; load_is_path: a name that is a path (a '/', or
 * ending in .yaml/.yml). (policies/shipped.c) */
bool load_find_shipped(const char *name, char *out, size_t out_size);
bool load_is_path(const char *s);
/* load_not_found writes the error for a shipped name that no directory
 * has: the shipped names there are, or, when there is none, every
 * directory searched and why it gave nothing. (policies/shipped.c) */
void load_not_found(const char *name, char *err, size_t err_len);

/* eval_in_scope: rule applies to a target with tags (no applies_to, or one
 * of its tags). (policies/eval.c) */
bool eval_in_scope(const struct rule *rule, const struct strlist *tags);

/* check_suite_attrs: the policy language's suite attributes (enum
 * suite_attr) of a registry suite. (policies/checks/suites.c) */
struct suite_info;
unsigned check_suite_attrs(const struct suite_info *s);

/* policy_rule_cleanup / policy_waiver_cleanup free what one entry owns. */
void policy_rule_cleanup(struct rule *r);
void policy_waiver_cleanup(struct waiver *w);

#endif
