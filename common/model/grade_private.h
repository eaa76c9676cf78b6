/*
 * common/model/grade_private.h - what the files of the grade share
 * (grade.c: the rules and the driver; grade_suites.c: the accepted suites
 * and the three scores; grade_caps.c: the caps over suites, sizes and
 * probe results). Not for other modules: they call grade_target (grade.h).
 */
#ifndef TLSAUDIT_MODEL_GRADE_PRIVATE_H
#define TLSAUDIT_MODEL_GRADE_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/model/facts.h"
#include "common/model/grade.h"
#include "common/model/registry.h"

/* The rules, in the order their caps are listed (grade.c's table). */
enum rule_id {
    R_SSL2,
    R_SSL3_ONLY,
    R_SSL3_POODLE,
    R_SSL3,
    R_TLS10_11,
    R_NO_TLS12,
    R_ANON,
    R_WEAK_CIPHER,
    R_RC4_ONLY,
    R_RC4_MODERN,
    R_RC4,
    R_BLOCK64_MODERN,
    R_NO_FS,
    R_NO_FS_TLS12,
    R_NO_AEAD,
    R_NO_AEAD_TLS12,
    R_DH_1024,
    R_DH_2048,
    R_KEY_1024,
    R_KEY_2048,
    R_CRIME,
    R_INSECURE_RENEG,
    R_HEARTBLEED,
    R_CCS,
    R_TICKETBLEED,
    R_ROBOT,
    R_DROWN,
    R_INCOMPLETE,
    R_MISMATCH,
    R_UNTRUSTED,
    R_SELF_SIGNED,
    R_EXPIRED,
    R_NOT_YET_VALID,
    R_REVOKED,
    R_MD5_SIG,
    R_PLUS_CHAIN,
    R_PLUS_HSTS,
    R_PLUS_SCSV,
    R_PLUS_SHA1,
    R_COUNT
};

/* grade_add_cap adds rule id's cap to g with the evidence fmt (at most
 * once per rule; GRADE_CAPS_MAX at most). */
__attribute__((format(printf, 3, 4))) void grade_add_cap(struct grade *g, enum rule_id id,
                                                         const char *fmt, ...);

/* One accepted suite: from the enumeration, or the suite a GnuTLS
 * handshake negotiated (then rank -1: the only one known at v). */
struct gsuite {
    const struct suite_info *s;
    enum tls_version v;
    int rank;       /* the server's order (0 first); -1 when the client decides */
    int kx_bits;    /* DHE prime / ECDHE curve bits; 0 unknown */
    uint16_t group; /* the group chosen with it; 0 unknown */
};

/* An iterator over the accepted suites, version by version from v. */
struct suite_it {
    const struct target_result *r;
    int v;
    size_t i;
};

/* grade_suite_next gives the next accepted suite; false at the end. */
bool grade_suite_next(struct suite_it *it, struct gsuite *out);
/* grade_from_enumeration: the suites come from the enumeration. */
bool grade_from_enumeration(const struct target_result *r);
/* grade_accepted: version v was accepted (enumeration or handshake). */
bool grade_accepted(const struct target_result *r, enum tls_version v);

/* The weakest leaf key of every deployment, RSA-equivalent bits by kind
 * (0: no such leaf). */
struct leaf_bits {
    int rsa, ec, dsa, all;
    const char *all_label; /* the deployment of `all` (borrowed) */
    bool any_chain;        /* some deployment's chain was collected */
};

void grade_leaf_bits(const struct target_result *r, struct leaf_bits *lb);
/* grade_scores fills the three category scores, the score and its letter. */
void grade_scores(const struct target_result *r, const struct leaf_bits *lb, struct grade *g);

/* grade_probe_positive: a result of probe id is positive (*detail: its
 * detail, borrowed). */
bool grade_probe_positive(const struct target_result *r, const char *id, const char **detail);

/* The caps over the suites, the sizes and the probe results (grade_caps.c). */
void grade_protocol_caps(const struct target_result *r, struct grade *g);
void grade_cipher_caps(const struct target_result *r, struct grade *g);
void grade_modern_caps(const struct target_result *r, struct grade *g, unsigned bit,
                       enum rule_id none, enum rule_id tls12);
void grade_kex_caps(const struct target_result *r, const struct leaf_bits *lb, struct grade *g);
void grade_probe_caps(const struct target_result *r, struct grade *g);

#endif
