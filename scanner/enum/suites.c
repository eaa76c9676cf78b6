/*
 * scanner/enum/suites.c - per-version suite bundles (see enum.h): the
 * version's registry suites cut into bundles, one chain of probes per
 * bundle; each pick is recorded and dropped from the bundle, which is
 * offered again until the server refuses; a bundle without a clear answer
 * is split in two. When the chains end the version's state is settled and
 * the order phase starts (order.c).
 */
#include "scanner/enum/enum.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

static int suite_index(const uint32_t *list, size_t n, uint32_t code)
{
    for (size_t i = 0; i < n; i++) {
        if (list[i] == code) {
            return (int)i;
        }
    }
    return -1;
}

struct enum_suite *enum_find_suite(struct enum_version_fact *vf, uint32_t code)
{
    for (size_t i = 0; i < vf->n_suites; i++) {
        if (vf->suites[i].code == code) {
            return &vf->suites[i];
        }
    }
    return NULL;
}

static void add_suite(struct enum_version_fact *vf, uint32_t code, const struct hello_result *res)
{
    if (enum_find_suite(vf, code) != NULL) {
        return;
    }
    struct enum_suite *n = realloc(vf->suites, (vf->n_suites + 1) * sizeof(*n));
    if (n == NULL) {
        return;
    }
    vf->suites = n;
    struct enum_suite *s = &vf->suites[vf->n_suites++];
    memset(s, 0, sizeof(*s));
    s->code = code;
    s->server_rank = -1;
    if (res != NULL && res->have_ske) {
        const struct hello_ske *k = &res->ske;
        switch (k->kx) {
        case HELLO_KX_DHE:
        case HELLO_KX_DH_ANON:
        case HELLO_KX_DHE_PSK:
            s->kx_bits = (int)k->dh_p_bits;
            break;
        case HELLO_KX_ECDHE:
        case HELLO_KX_ECDH_ANON:
        case HELLO_KX_ECDHE_PSK:
            s->ec_group = k->ec_group;
            if (k->ec_curve_type == 3) {
                const struct group_info *g = registry_group_by_code(k->ec_group);
                s->kx_bits = g ? g->bits : 0;
            } else {
                s->kx_bits = (int)k->ec_field_bits;
            }
            break;
        case HELLO_KX_RSA_EXPORT:
            s->kx_bits = (int)k->rsa_modulus_bits;
            break;
        default:
            break;
        }
    } else if (res != NULL && res->sh.key_share_group != 0) {
        s->ec_group = res->sh.key_share_group;
        const struct group_info *g = registry_group_by_code(s->ec_group);
        s->kx_bits = g ? g->bits : 0;
    }
}

/* A SUITES answer: record the pick and offer the rest of the bundle. */
void enum_on_suites(struct task *t, enum answer a, const struct hello_result *res, const char *why)
{
    struct job *j = t->job;
    struct vstate *vs = &j->vs[t->wv];
    struct enum_version_fact *vf = &j->out->versions[t->wv];
    if (a == ANS_PICK && t->wv == TLSV_SSL2) {
        /* The SSLv2 SERVER-HELLO lists every kind the server has. */
        for (size_t i = 0; i < res->ssl2.n_kinds; i++) {
            if (suite_index(t->suites, t->n_suites, res->ssl2.kinds[i]) >= 0) {
                add_suite(vf, res->ssl2.kinds[i], NULL);
                vf->suites[vf->n_suites - 1].server_rank = (int)vf->n_suites - 1;
            }
        }
        if (vf->n_suites == 0) {
            vs->any_refused = true;
            enum_note(vs->refusal, sizeof(vs->refusal), "SSLv2 SERVER-HELLO with no shared cipher");
        }
        vs->bundles_left--;
        return;
    }
    if (a == ANS_PICK) {
        vf->echoed_exts |= res->sh.exts;
        add_suite(vf, res->sh.suite, res);
        if (t->wv == TLSV_TLS12) {
            enum_early_extras(j, res->sh.suite);
        }
        int idx = suite_index(t->suites, t->n_suites, res->sh.suite);
        if (idx >= 0) {
            memmove(&t->suites[idx], &t->suites[idx + 1],
                    (t->n_suites - (size_t)idx - 1) * sizeof(*t->suites));
            t->n_suites--;
        }
        if (t->ffdhe) {
            /* Accepted only with FFDHE groups offered: the discovery
             * chain's picks no longer cover every suite. */
            vs->ffdhe_found = true;
            vs->single_bundle = false;
        }
        if (t->n_suites > 0 &&
            enum_spawn_x(j, T_SUITES, t->wv, t->suites, t->n_suites, NULL, 0, t->ffdhe)) {
            return; /* the chain goes on */
        }
        /* The chain ends here (spawn_x noted why when it could not go on):
         * it must be counted down, or the version would never be decided
         * and stay "not-tested" with the suites it accepted. */
    } else if (a == ANS_REFUSED) {
        vs->any_refused = true;
        enum_note(vs->refusal, sizeof(vs->refusal), why);
    } else if (t->n_suites >= 2 * ENUM_MIN_SPLIT && !j->silent && !j->out_of_time &&
               !j->out->unoffered_choice && !(t->outcome == NET_TIMEOUT && vs->timeout_split)) {
        /* Some servers choke on long hellos (reset, silence, garbage):
         * offer the two halves of the bundle instead, down to a small
         * size, before calling the evidence unclear. A slow server times
         * out whatever the length: after a timeout, split once only. */
        size_t half = t->n_suites / 2;
        vs->single_bundle = false;
        if (t->outcome == NET_TIMEOUT) {
            vs->timeout_split = true;
        }
        bool a_ok = enum_spawn_x(j, T_SUITES, t->wv, t->suites, half, NULL, 0, t->ffdhe);
        bool b_ok = enum_spawn_x(j, T_SUITES, t->wv, t->suites + half, t->n_suites - half, NULL, 0,
                                 t->ffdhe);
        vs->bundles_left += (int)a_ok + (int)b_ok;
        if (!a_ok || !b_ok) {
            vs->any_inconclusive = true;
            enum_note(vs->inconclusive, sizeof(vs->inconclusive), why);
        }
    } else {
        vs->any_inconclusive = true;
        enum_note(vs->inconclusive, sizeof(vs->inconclusive), why);
    }
    vs->bundles_left--;
}

/* Settles a version's state when its chains have ended: accepted with a
 * suite (incomplete when some bundle gave no clear answer), else
 * inconclusive when some bundle did, else refused with the first refusal. */
void enum_version_settle(const struct vstate *vs, struct enum_version_fact *vf, enum tls_version wv)
{
    if (vf->n_suites > 0) {
        vf->state = PROBE_ACCEPTED;
        if (vs->any_inconclusive) {
            vf->incomplete = true;
            enum_note(vf->incomplete_why, sizeof(vf->incomplete_why), vs->inconclusive);
        }
    } else if (vs->any_inconclusive) {
        vf->state = PROBE_INCONCLUSIVE;
        util_copy(vf->reason, sizeof(vf->reason), vs->inconclusive);
    } else {
        vf->state = PROBE_REFUSED;
        util_copy(vf->reason, sizeof(vf->reason), vs->refusal);
    }
    if (vf->n_suites == 1 && wv != TLSV_SSL2) {
        vf->suites[0].server_rank = 0;
    }
}

/* Called when a version's SUITES chains have all ended. */
void enum_suites_finished(struct job *j, enum tls_version wv)
{
    struct vstate *vs = &j->vs[wv];
    struct enum_version_fact *vf = &j->out->versions[wv];
    if (!vs->ffdhe_tried && enum_ffdhe_probe(j, wv)) {
        return; /* back here when that chain ends */
    }
    enum_version_settle(vs, vf, wv);
    if (vf->n_suites < 2 || wv == TLSV_SSL2) {
        enum_version_final(j, wv);
        return;
    }
    enum_order_start(j, wv);
}

/* The size of each bundle when n suites are cut into bundles of at most
 * ENUM_MAX_BUNDLE and of at most fit (what one hello holds), the sizes as
 * even as possible; *out_n_bundles gets their number. */
size_t enum_bundle_size(size_t n, size_t fit, size_t *out_n_bundles)
{
    size_t bundle = fit < ENUM_MAX_BUNDLE ? fit : ENUM_MAX_BUNDLE;
    if (bundle == 0) {
        bundle = 1;
    }
    size_t n_bundles = (n + bundle - 1) / bundle;
    *out_n_bundles = n_bundles;
    return (n + n_bundles - 1) / n_bundles; /* even sizes */
}

/* Starts version wv: its registry suites in bundles, one chain each. */
void enum_start_version(struct job *j, enum tls_version wv)
{
    uint32_t all[ENUM_MAX_LIST];
    size_t n = enum_candidates(wv, all, ENUM_MAX_LIST);
    struct vstate *vs = &j->vs[wv];
    if (n == 0) {
        j->out->versions[wv].state = PROBE_NOT_TESTED;
        vs->done = true;
        return;
    }
    if (wv == TLSV_SSL2) {
        vs->bundles_left = 1;
        if (!enum_spawn(j, T_SSL2, wv, all, n, NULL, 0)) {
            vs->bundles_left = 0;
            enum_suites_finished(j, wv);
        }
        return;
    }
    struct hello_params p;
    hello_params_init(&p, tls_version_wire(wv));
    p.suites = all;
    p.n_suites = n;
    p.sni = j->sni;
    size_t n_bundles;
    size_t bundle = enum_bundle_size(n, hello_max_suites(&p, HELLO_MAX_LEN), &n_bundles);
    vs->bundles_left = (int)n_bundles;
    vs->single_bundle = n_bundles == 1;
    for (size_t off = 0; off < n; off += bundle) {
        size_t len = n - off < bundle ? n - off : bundle;
        if (!enum_spawn(j, T_SUITES, wv, all + off, len, NULL, 0)) {
            vs->bundles_left--;
        }
    }
    if (vs->bundles_left == 0) {
        enum_suites_finished(j, wv);
    }
}
