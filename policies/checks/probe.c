/*
 * policies/checks/probe.c - the generic check over the per-probe results
 * (common/model/probe_result.h, struct target_result.probes): `probe: ID`
 * with an optional `version:`. One rule per probe, no new C: this is what
 * the vulnerability checks are written with (docs/policy-language.md).
 *
 * Where it sits: check_table (table.c) -> [load, describe, eval here].
 * Invariants (over the results with that id, and that version when given):
 * - any positive is a fail;
 * - otherwise any negative is a pass;
 * - otherwise any not-applicable is a pass that says so;
 * - otherwise (no result, or only not-run, could-not-test or info) it is
 *   inconclusive: never a pass without evidence.
 * Evidence names each result's probe, version, suite, state and detail.
 */
#include <stdio.h>
#include <string.h>

#include "common/model/probe_result.h"
#include "policies/checks/checks.h"

/* load_probe_id: lowercase letters, digits, '-' and '_', < PROBE_ID_LEN bytes. */
static bool load_probe_id(struct pfile *f, const yaml_node_t *n, char out[PROBE_ID_LEN])
{
    const char *id = load_text(f, n, "a probe id");
    if (id == NULL) {
        return false;
    }
    bool ok = id[0] != '\0' && strlen(id) < PROBE_ID_LEN;
    for (const char *p = id; ok && *p != '\0'; p++) {
        ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_';
    }
    if (!ok) {
        return load_fail(f, n,
                         "expected a probe id of lowercase letters, digits, '-' and '_' (at most "
                         "%d characters), found '%.60s'",
                         PROBE_ID_LEN - 1, id);
    }
    memcpy(out, id, strlen(id) + 1);
    return true;
}

bool load_c_probe(struct pfile *f, const yaml_node_t *v, struct check *c)
{
    static const char *const keys[] = {"probe", "version", NULL};
    struct load_map m;
    if (!load_map_open(f, v, "probe (a probe id and an optional version)", keys, "probe or version",
                       &m)) {
        return false;
    }
    yaml_node_t *id = load_map_get(f, &m, "probe", NULL);
    if (id == NULL) {
        return load_fail(f, v, "probe has no 'probe': expected a probe id such as heartbleed");
    }
    if (!load_probe_id(f, id, c->probe)) {
        return false;
    }
    yaml_node_t *ver = load_map_get(f, &m, "version", NULL);
    if (ver == NULL) {
        return true;
    }
    c->probe_has_version = true;
    return load_version(f, ver, &c->probe_version);
}

void describe_probe(struct load_buf *b, const struct check *c)
{
    load_buf_add(b, "%s", c->probe);
    if (c->probe_has_version) {
        load_buf_add(b, " (%s)", check_version_canon(c->probe_version));
    }
}

static bool probe_matches(const struct probe_result *p, const struct check *c)
{
    return strcmp(p->id, c->probe) == 0 &&
           (!c->probe_has_version || p->version == c->probe_version);
}

/* ev_probe: "heartbleed TLS 1.2 TLS_...: positive: detail". */
static void ev_probe(struct ev *e, const struct probe_result *p)
{
    char hex[16];
    ev_add(e, "%s", p->id);
    if (p->version != PROBE_NO_VERSION) {
        ev_add(e, " %s", tls_version_name(p->version));
    }
    if (p->suite != 0) {
        ev_add(e, " %s", eval_suite_name(p->suite, hex, sizeof(hex)));
    }
    ev_add(e, ": %s", probe_result_state_name(p->state));
    if (p->detail[0] != '\0') {
        ev_add(e, ": %s", p->detail);
    }
}

/* ev_probes lists the results of c's probe whose state is s (same) or is
 * not s (!same), continuing the list *first says whether it has begun. */
static void ev_probes(struct ev *e, const struct target_result *r, const struct check *c,
                      enum probe_result_state s, bool same, bool *first)
{
    for (size_t i = 0; i < r->probes.n_items; i++) {
        const struct probe_result *p = &r->probes.items[i];
        if (probe_matches(p, c) && (p->state == s) == same) {
            ev_add(e, "%s", *first ? "" : "; ");
            ev_probe(e, p);
            *first = false;
        }
    }
}

/* ev_probes_by lists the deciding results (state s) first, then the others
 * (all: the others too, so that a pass still shows what was not tested). */
static void ev_probes_by(struct ev *e, const struct target_result *r, const struct check *c,
                         enum probe_result_state s, bool all)
{
    bool first = true;
    ev_probes(e, r, c, s, true, &first);
    if (all) {
        ev_probes(e, r, c, s, false, &first);
    }
}

static void eval_probe_none(const struct target_result *r, const struct check *c, struct judge *j)
{
    struct ev *e = judge_unknown(j);
    ev_add(e, "no result for probe %s", c->probe);
    if (c->probe_has_version) {
        ev_add(e, " with %s", tls_version_name(c->probe_version));
    }
    const struct fact_header *h = &r->probes.header;
    if (h->state != FACT_COLLECTED) {
        ev_add(e, " (probe results %s%s%s)", fact_state_name(h->state),
               h->detail[0] != '\0' ? ": " : "", h->detail);
    }
}

void eval_probe(const struct target_result *r, const struct check *c, int64_t now, struct judge *j)
{
    (void)now;
    size_t n[PR_STATE_COUNT] = {0};
    size_t total = 0;
    for (size_t i = 0; i < r->probes.n_items; i++) {
        const struct probe_result *p = &r->probes.items[i];
        if (probe_matches(p, c) && (unsigned)p->state < PR_STATE_COUNT) {
            n[p->state]++;
            total++;
        }
    }
    if (total == 0) {
        eval_probe_none(r, c, j);
    } else if (n[PR_POSITIVE] > 0) {
        ev_probes_by(judge_fail(j), r, c, PR_POSITIVE, false);
    } else if (n[PR_NEGATIVE] > 0) {
        ev_probes_by(judge_ok(j), r, c, PR_NEGATIVE, true);
    } else if (n[PR_NOT_APPLICABLE] > 0) {
        struct ev *e = judge_ok(j);
        ev_add(e, "not applicable: ");
        ev_probes_by(e, r, c, PR_NOT_APPLICABLE, true);
    } else {
        ev_probes_by(judge_unknown(j), r, c, PR_STATE_COUNT, true);
    }
}
