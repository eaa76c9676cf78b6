/*
 * scanner/enum/ffdhe.c - the FFDHE follow-up of TLS 1.0-1.2: the suite
 * probes offer EC groups only; one more chain offers the DHE suites not
 * accepted yet with the RFC 7919 FFDHE groups too.
 */
#include "scanner/enum/enum.h"

/* Suite probes for TLS 1.2 and older offer hello.c's default groups, which
 * leave out the RFC 7919 FFDHE groups: a server then signs its DHE
 * exchange with its own DH parameters, the size a client without RFC 7919
 * gets (and the cheaper key generation for servers like GnuTLS, which
 * otherwise generate a full-size FFDHE exponent per probe). DHE suites
 * that a server accepts only with an FFDHE group offered (RFC 7919 §4)
 * are looked for afterwards with this list: the EC groups, then FFDHE. */
const uint16_t enum_groups_ffdhe[] = {29, 23, 24, 25, 30, 26, 27,  28,  22,  21,  20, 19,
                                      18, 17, 16, 15, 14, 13, 12,  11,  10,  9,   8,  7,
                                      6,  5,  4,  3,  2,  1,  256, 257, 258, 259, 260};
const size_t enum_n_groups_ffdhe = sizeof(enum_groups_ffdhe) / sizeof(enum_groups_ffdhe[0]);

/* Queues one probe offering the DHE suites of wv not accepted so far, with
 * the FFDHE groups offered too (see enum_groups_ffdhe). Returns whether it
 * was queued. */
bool enum_ffdhe_probe(struct job *j, enum tls_version wv)
{
    struct vstate *vs = &j->vs[wv];
    const struct enum_version_fact *vf = &j->out->versions[wv];
    vs->ffdhe_tried = true;
    if (wv < TLSV_TLS10 || wv > TLSV_TLS12 || j->silent || j->out_of_time) {
        return false;
    }
    uint32_t all[ENUM_MAX_LIST], rest[ENUM_MAX_LIST];
    size_t n = enum_candidates(wv, all, ENUM_MAX_LIST);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const struct suite_info *s = registry_suite_by_code(all[i]);
        bool seen = false;
        for (size_t k = 0; k < vf->n_suites && !seen; k++) {
            seen = vf->suites[k].code == all[i];
        }
        if (s != NULL && enum_is_ffdhe_kx(s) && !seen) {
            rest[m++] = all[i];
        }
    }
    if (m == 0 || !enum_spawn_x(j, T_SUITES, wv, rest, m, NULL, 0, true)) {
        return false;
    }
    vs->bundles_left = 1;
    return true;
}
