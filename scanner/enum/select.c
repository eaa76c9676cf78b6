/*
 * scanner/enum/select.c - registry selections of the enumeration (see
 * enum.h): the suites of a version, the accepted suites of a kind, the
 * groups and signature schemes to eliminate over, and the suite predicates
 * that pick the cheapest answers.
 */
#include "scanner/enum/enum.h"

#include <string.h>

/* Suites whose key exchange is finite-field Diffie-Hellman (RFC 7919 §4
 * "FFDHE cipher suites"). */
bool enum_is_ffdhe_kx(const struct suite_info *s)
{
    return (s->attrs & SUITE_KX_DHE) != 0;
}

/* Suites for which the server signs no key exchange (RSA, PSK, static DH,
 * anon ...): the cheapest answers a server can give. */
bool enum_is_unsigned_kx(uint32_t code)
{
    const struct suite_info *s = registry_suite_by_code(code);
    if (s == NULL || (s->attrs & (SUITE_ANON | SUITE_PSK)) != 0) {
        return true;
    }
    return (s->attrs & (SUITE_KX_ECDHE | SUITE_KX_DHE)) == 0;
}

/* Registry suites usable with version wv, SCSVs left out. */
size_t enum_candidates(enum tls_version wv, uint32_t *out, size_t max)
{
    static const unsigned bit[TLSV_COUNT] = {TLSV_BIT(TLSV_SSL2),  TLSV_BIT(TLSV_SSL3),
                                             TLSV_BIT(TLSV_TLS10), TLSV_BIT(TLSV_TLS11),
                                             TLSV_BIT(TLSV_TLS12), TLSV_BIT(TLSV_TLS13)};
    size_t n = 0;
    for (size_t i = 0; i < registry_n_suites && n < max; i++) {
        const struct suite_info *s = &registry_suites[i];
        if ((s->versions & bit[wv]) && !registry_suite_is_scsv(s)) {
            out[n++] = s->code;
        }
    }
    return n;
}

/* Accepted suites of vf whose registry entry satisfies pred. */
size_t enum_pick_suites(const struct enum_version_fact *vf, bool (*pred)(const struct suite_info *),
                        uint32_t *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < vf->n_suites && n < max; i++) {
        const struct suite_info *s = registry_suite_by_code(vf->suites[i].code);
        if (s != NULL && pred(s)) {
            out[n++] = s->code;
        }
    }
    return n;
}

bool enum_is_ecdhe_signed(const struct suite_info *s)
{
    return (s->attrs & SUITE_KX_ECDHE) != 0 && (s->attrs & (SUITE_ANON | SUITE_PSK)) == 0;
}

bool enum_is_ecdhe_rsa(const struct suite_info *s)
{
    return (s->attrs & (SUITE_KX_ECDHE | SUITE_AUTH_RSA)) == (SUITE_KX_ECDHE | SUITE_AUTH_RSA);
}

bool enum_is_fs_signed(const struct suite_info *s)
{
    return (s->attrs & (SUITE_KX_ECDHE | SUITE_KX_DHE)) != 0 &&
           (s->attrs & (SUITE_ANON | SUITE_PSK)) == 0;
}

bool enum_is_cbc(const struct suite_info *s)
{
    return (s->attrs & SUITE_CBC) != 0;
}

bool enum_is_any(const struct suite_info *s)
{
    (void)s;
    return true;
}

bool enum_is_unsigned(const struct suite_info *s)
{
    return enum_is_unsigned_kx(s->code);
}

bool enum_is_unsigned_cbc(const struct suite_info *s)
{
    return enum_is_cbc(s) && enum_is_unsigned_kx(s->code);
}

size_t enum_groups_of_kind(uint16_t *out, size_t max, bool tls13)
{
    size_t n = 0;
    for (size_t i = 0; i < registry_n_groups && n < max; i++) {
        const struct group_info *g = &registry_groups[i];
        bool ec = strcmp(g->kind, "ecdhe") == 0;
        if (tls13 ? (ec || strcmp(g->kind, "ffdhe") == 0 || strcmp(g->kind, "hybrid-pq") == 0 ||
                     strcmp(g->kind, "pq") == 0)
                  : ec) {
            out[n++] = g->code;
        }
    }
    return n;
}

/* Registry suites of version wv that satisfy pred, SCSVs left out. */
size_t enum_candidates_where(enum tls_version wv, bool (*pred)(const struct suite_info *),
                             uint32_t *out, size_t max)
{
    uint32_t all[ENUM_MAX_LIST];
    size_t n = enum_candidates(wv, all, ENUM_MAX_LIST);
    size_t m = 0;
    for (size_t i = 0; i < n && m < max; i++) {
        const struct suite_info *s = registry_suite_by_code(all[i]);
        if (s != NULL && pred(s)) {
            out[m++] = all[i];
        }
    }
    return m;
}

size_t enum_sigschemes_all(uint16_t *out, size_t max)
{
    size_t m = 0;
    for (size_t i = 0; i < registry_n_sigschemes && m < max; i++) {
        out[m++] = registry_sigschemes[i].code;
    }
    return m;
}
