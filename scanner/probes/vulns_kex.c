/*
 * scanner/probes/vulns_kex.c - key reuse (Raccoon, CVE-2020-1968 class),
 * a derived check (derived track, no connection) over the enumeration's
 * key-exchange values by hash (facts.h, struct kex_list): the same DH or
 * ECDH public value in two handshakes of this scan means the server keeps
 * its "ephemeral" key. One probe_result row per target:
 *
 *   positive        a DHE public value (TLS <= 1.2) came back: Raccoon
 *                   needs a reused (or static) DH secret and TLS <= 1.2;
 *   negative        at least two DHE handshakes, no DHE value reused (or no
 *                   DHE at all and at least two ECDHE handshakes);
 *   could-not-test  one DHE handshake, or fewer than two of either kind;
 *   and, after the negative or could-not-test row, an info row when ECDHE
 *   (or TLS 1.3) public values came back: the forward secrecy of those
 *   sessions is lost, but that is not Raccoon.
 *
 * The evidence names each reused value (kind, version, suite or group, the
 * first 16 hex digits of its SHA-256, how many handshakes carried it).
 */
#include <stdio.h>
#include <string.h>

#include "common/model/registry.h"
#include "scanner/probes/registry.h"

struct reuse {
    unsigned long samples[KEX_KIND_COUNT]; /* handshakes per kind */
    size_t reused[KEX_KIND_COUNT];         /* values seen twice or more, per kind */
    size_t reused_dhe12;                   /* of those: DH values of TLS <= 1.2 */
    char evidence[1024];
    size_t len;
};

static void reuse_note(struct reuse *r, const struct kex_value *v)
{
    char what[48], one[200];
    const struct suite_info *s = v->suite ? registry_suite_by_code(v->suite) : NULL;
    const struct group_info *g = v->group ? registry_group_by_code(v->group) : NULL;
    snprintf(what, sizeof(what), "%s", s != NULL ? s->iana_name : g != NULL ? g->name : "?");
    int n =
        snprintf(one, sizeof(one), "%s%s %s %s %.16s... in %u handshakes", r->len ? "; " : "",
                 kex_kind_name(v->kind), tls_version_name(v->version), what, v->sha256, v->n_seen);
    if (n > 0 && r->len + (size_t)n + 4 < sizeof(r->evidence)) {
        memcpy(r->evidence + r->len, one, (size_t)n + 1);
        r->len += (size_t)n;
    } else if (r->len + 4 < sizeof(r->evidence) && strstr(r->evidence, "...;") == NULL) {
        memcpy(r->evidence + r->len, "...;", 5);
        r->len += 4;
    }
}

static void reuse_walk(const struct kex_list *l, struct reuse *r)
{
    memset(r, 0, sizeof(*r));
    for (size_t i = 0; i < l->n_items; i++) {
        const struct kex_value *v = &l->items[i];
        if (v->kind != KEX_DH_PUBLIC && v->kind != KEX_ECDH_PUBLIC) {
            continue;
        }
        r->samples[v->kind] += v->n_seen;
        if (v->n_seen < 2) {
            continue;
        }
        r->reused[v->kind]++;
        if (v->kind == KEX_DH_PUBLIC && v->version <= TLSV_TLS12) {
            r->reused_dhe12++;
        }
        reuse_note(r, v);
    }
}

/* The info row for reuse that is not Raccoon's: ECDHE, or TLS 1.3 DHE. */
static void record_other_reuse(struct probe_ctx *c, const struct reuse *r)
{
    size_t n = r->reused[KEX_ECDH_PUBLIC] + r->reused[KEX_DH_PUBLIC] - r->reused_dhe12;
    if (n == 0) {
        return;
    }
    char detail[FACT_TEXT];
    snprintf(detail, sizeof(detail),
             "the same %s public value in more than one handshake (%zu reused): no forward "
             "secrecy between those sessions; not Raccoon, which needs finite-field DH reused "
             "under TLS 1.2 or older",
             r->reused[KEX_ECDH_PUBLIC] ? "ECDHE" : "TLS 1.3 DHE", n);
    probe_record(c, "key_reuse", PROBE_NO_VERSION, 0, PR_INFO, detail, r->evidence);
}

/* key_reuse: the Raccoon answer first (positive, negative or
 * could-not-test), then, when ECDHE or TLS 1.3 values came back, an info
 * row (alone it would leave a policy rule inconclusive). */
enum probe_step probe_key_reuse_run(struct probe_ctx *c)
{
    const struct kex_list *l = &c->r->enumeration.kex;
    char detail[FACT_TEXT];
    if (!fact_collected(&l->header)) {
        probe_record(c, "key_reuse", PROBE_NO_VERSION, 0, PR_COULD_NOT_TEST,
                     "the key-exchange values were not collected", NULL);
        return PROBE_NEXT;
    }
    struct reuse r;
    reuse_walk(l, &r);
    unsigned long dh = r.samples[KEX_DH_PUBLIC], ec = r.samples[KEX_ECDH_PUBLIC];
    if (r.reused_dhe12 > 0) {
        snprintf(detail, sizeof(detail),
                 "CVE-2020-1968 (Raccoon): the same DHE public value in more than one handshake "
                 "(%zu reused of %lu DHE handshakes): the server reuses its DH secret",
                 r.reused[KEX_DH_PUBLIC], dh);
        probe_record(c, "key_reuse", PROBE_NO_VERSION, 0, PR_POSITIVE, detail, r.evidence);
        return PROBE_NEXT;
    }
    if (dh >= 2 || (dh == 0 && ec >= 2)) {
        snprintf(detail, sizeof(detail),
                 "no DHE public value reused: %lu DHE handshakes%s, %lu ECDHE handshakes%s%s", dh,
                 dh == 0 ? " (no DHE: Raccoon does not arise)" : "", ec,
                 r.reused[KEX_ECDH_PUBLIC] ? " (some values reused: see the info row)"
                 : ec < 2                  ? " (too few to tell)"
                                           : ", every value distinct",
                 l->n_dropped ? " (some values over the cap were not kept)" : "");
        probe_record(c, "key_reuse", PROBE_NO_VERSION, 0, PR_NEGATIVE, detail, NULL);
    } else {
        snprintf(detail, sizeof(detail),
                 "fewer than two DHE handshakes (%lu; %lu ECDHE): nothing to compare for Raccoon",
                 dh, ec);
        probe_record(c, "key_reuse", PROBE_NO_VERSION, 0, PR_COULD_NOT_TEST, detail, NULL);
    }
    record_other_reuse(c, &r);
    return PROBE_NEXT;
}
