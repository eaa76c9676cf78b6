/*
 * reports/diff.c - the changes between two loaded scans and their three
 * renderings (reports/diff.h; JSON layout in docs/diff-output.md).
 *
 * Pipeline position: reports/report.c (two report_data) -> [diff_compute]
 * -> struct diff -> [diff_write] -> cli/cmd_diff.c.
 *
 * Invariants:
 * - diff_compute reads its inputs only; the model owns copies of every
 *   string, so it outlives them.
 * - Entries are appended target by target, so those of one target are
 *   contiguous and in the targets' order.
 * - Every string that came from a server (certificate subject, evidence,
 *   error text, and the host/SNI/IP as stored) is written through the
 *   escaping of its format: esc_visible (text), esc_markdown (Markdown),
 *   jansson with non-UTF-8 bytes made visible first (JSON).
 * - Memory is bounded by the two inputs: at most one entry per fact of
 *   either scan.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "common/util.h"
#include "config.h"
#include "reports/diff.h"
#include "reports/escape.h"
#include "reports/json_private.h"
#include "common/model/registry.h"

static const char *const diff_kind_names[DIFF_KIND_COUNT] = {
    [DIFF_STATUS_CHANGED] = "status_changed",
    [DIFF_VERSION_ENABLED] = "version_enabled",
    [DIFF_VERSION_DISABLED] = "version_disabled",
    [DIFF_SUITE_ADDED] = "suite_added",
    [DIFF_SUITE_REMOVED] = "suite_removed",
    [DIFF_ORDER_CHANGED] = "order_changed",
    [DIFF_GROUP_ADDED] = "group_added",
    [DIFF_GROUP_REMOVED] = "group_removed",
    [DIFF_CERT_ROTATED] = "certificate_rotated",
    [DIFF_CHAIN_CHANGED] = "chain_changed",
    [DIFF_CHAIN_PROBLEM_NEW] = "chain_problem_new",
    [DIFF_CHAIN_PROBLEM_GONE] = "chain_problem_gone",
    [DIFF_FINDING_NEW] = "finding_new",
    [DIFF_FINDING_RESOLVED] = "finding_resolved",
    [DIFF_FINDING_CHANGED] = "finding_changed",
    [DIFF_POLICY_VERDICT] = "policy_verdict_changed",
};

const char *diff_kind_name(enum diff_kind k)
{
    return (unsigned)k < DIFF_KIND_COUNT ? diff_kind_names[k] : "?";
}

/* ---- per-target facts shared with history ----------------------------- */

bool diff_version_accepted(const struct target_result *r, enum wire_version v)
{
    if (r->enumeration.collected && r->enumeration.versions[v].state == PROBE_ACCEPTED) {
        return true;
    }
    if (v >= WV_TLS10) {
        enum probe_version pv = (enum probe_version)(v - WV_TLS10);
        return r->versions[pv].state == PROBE_ACCEPTED;
    }
    return false;
}

/* version_state returns the state name of v in r, enumeration first. */
static const char *version_state(const struct target_result *r, enum wire_version v)
{
    if (diff_version_accepted(r, v)) {
        return probe_state_name(PROBE_ACCEPTED);
    }
    if (r->enumeration.collected) {
        return probe_state_name(r->enumeration.versions[v].state);
    }
    if (v >= WV_TLS10) {
        return probe_state_name(r->versions[v - WV_TLS10].state);
    }
    return probe_state_name(PROBE_NOT_TESTED);
}

size_t diff_suite_count(const struct target_result *r)
{
    size_t n = 0;
    if (!r->enumeration.collected) {
        return 0;
    }
    for (int v = 0; v < WV_COUNT; v++) {
        n += r->enumeration.versions[v].n_suites;
    }
    return n;
}

/* newest_run returns the newest run of policy_id in d, or NULL. */
static const struct store_run *newest_run(const struct report_data *d, const char *policy_id)
{
    const struct store_run *found = NULL;
    for (size_t i = 0; i < d->n_runs; i++) {
        if (d->runs[i].policy_id != NULL && strcmp(d->runs[i].policy_id, policy_id) == 0) {
            found = &d->runs[i];
        }
    }
    return found;
}

size_t diff_policy_counts(const struct report_data *d, size_t t, struct diff_policy_counts *out,
                          size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < d->n_runs && n < cap; i++) {
        const char *pid = d->runs[i].policy_id;
        bool seen = false;
        for (size_t k = 0; k < n; k++) {
            seen = seen || strcmp(out[k].policy_id, pid) == 0;
        }
        if (pid == NULL || seen) {
            continue;
        }
        const struct store_run *run = newest_run(d, pid);
        struct diff_policy_counts *c = &out[n];
        memset(c, 0, sizeof(*c));
        c->policy_id = pid;
        size_t total = 0;
        for (size_t k = 0; k < run->n_findings; k++) {
            const struct store_finding_row *f = &run->findings[k];
            if (f->target_id != d->target_ids[t] || f->verdict == NULL) {
                continue;
            }
            total++;
            enum verdict v;
            size_t *count[VERDICT_COUNT] = {[VERDICT_FAIL] = &c->n_fail,
                                            [VERDICT_WARN] = &c->n_warn,
                                            [VERDICT_INCONCLUSIVE] = &c->n_inconclusive,
                                            [VERDICT_WAIVED] = &c->n_waived,
                                            [VERDICT_PASS] = &c->n_pass};
            if (verdict_parse(f->verdict, &v)) {
                (*count[v])++;
            }
        }
        if (total > 0) {
            n++;
        }
    }
    return n;
}

/* ---- building the model ---------------------------------------------- */

struct dctx {
    struct diff *d;
    const struct report_data *a, *b;
    size_t cap_entries;
    size_t cap_targets;
    bool oom;
};

static char *dup_str(struct dctx *c, const char *s)
{
    if (s == NULL) {
        return NULL;
    }
    char *p = strdup(s);
    if (p == NULL) {
        c->oom = true;
    }
    return p;
}

static char *fmt_str(struct dctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *fmt_str(struct dctx *c, const char *fmt, ...)
{
    char *p = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&p, fmt, ap);
    va_end(ap);
    if (n < 0) {
        c->oom = true;
        return NULL;
    }
    return p;
}

/* add_entry appends a zeroed entry of kind k on target t; NULL when out of
 * memory (c->oom set). */
static struct diff_entry *add_entry(struct dctx *c, enum diff_kind k, size_t t, bool worse)
{
    struct diff *d = c->d;
    if (c->oom) {
        return NULL;
    }
    if (d->n_entries == c->cap_entries) {
        size_t nc = c->cap_entries ? c->cap_entries * 2 : 32;
        struct diff_entry *p = realloc(d->entries, nc * sizeof(*p));
        if (p == NULL) {
            c->oom = true;
            return NULL;
        }
        d->entries = p;
        c->cap_entries = nc;
    }
    struct diff_entry *e = &d->entries[d->n_entries++];
    memset(e, 0, sizeof(*e));
    e->kind = k;
    e->target = t;
    e->worse = worse;
    e->version = -1;
    d->targets[t].n_changes++;
    if (worse) {
        d->targets[t].n_worse++;
        d->n_worse++;
    }
    return e;
}

static int add_target(struct dctx *c, const struct target_result *r, enum diff_presence p, long ia,
                      long ib, size_t *out_t)
{
    struct diff *d = c->d;
    if (d->n_targets == c->cap_targets) {
        size_t nc = c->cap_targets ? c->cap_targets * 2 : 16;
        struct diff_target *np = realloc(d->targets, nc * sizeof(*np));
        if (np == NULL) {
            c->oom = true;
            return -1;
        }
        d->targets = np;
        c->cap_targets = nc;
    }
    struct diff_target *t = &d->targets[d->n_targets];
    memset(t, 0, sizeof(*t));
    t->presence = p;
    t->host = dup_str(c, r->host != NULL ? r->host : "");
    t->port = r->port;
    t->ip = dup_str(c, r->ip);
    t->sni = dup_str(c, r->sni);
    t->a = ia;
    t->b = ib;
    *out_t = d->n_targets++;
    return c->oom ? -1 : 0;
}

static bool scanned(const struct target_result *r)
{
    return r->status == TARGET_OK || r->status == TARGET_NO_TLS;
}

static char *suite_name(struct dctx *c, uint32_t code)
{
    const struct suite_info *s = registry_suite_by_code(code);
    if (s != NULL && s->iana_name != NULL) {
        return dup_str(c, s->iana_name);
    }
    return fmt_str(c, "0x%04X", (unsigned)code);
}

static char *group_name(struct dctx *c, uint16_t code)
{
    const struct group_info *g = registry_group_by_code(code);
    if (g != NULL && g->name != NULL) {
        return dup_str(c, g->name);
    }
    return fmt_str(c, "0x%04X", (unsigned)code);
}

static bool has_suite(const struct enum_version_fact *v, uint32_t code)
{
    for (size_t i = 0; i < v->n_suites; i++) {
        if (v->suites[i].code == code) {
            return true;
        }
    }
    return false;
}

static bool has_code16(const uint16_t *list, size_t n, uint16_t code)
{
    for (size_t i = 0; i < n; i++) {
        if (list[i] == code) {
            return true;
        }
    }
    return false;
}

static void cmp_versions(struct dctx *c, size_t t, const struct target_result *ra,
                         const struct target_result *rb)
{
    for (int v = 0; v < WV_COUNT; v++) {
        bool in_a = diff_version_accepted(ra, (enum wire_version)v);
        bool in_b = diff_version_accepted(rb, (enum wire_version)v);
        if (in_a == in_b) {
            continue;
        }
        struct diff_entry *e =
            add_entry(c, in_b ? DIFF_VERSION_ENABLED : DIFF_VERSION_DISABLED, t, in_b);
        if (e == NULL) {
            return;
        }
        e->version = v;
        e->name = dup_str(c, wire_version_name((enum wire_version)v));
        e->before = dup_str(c, version_state(ra, (enum wire_version)v));
        e->after = dup_str(c, version_state(rb, (enum wire_version)v));
    }
}

/* suites_in_order joins the names of the suites of x that are also in y,
 * in x's order, with " > ". */
static char *suites_in_order(struct dctx *c, const struct enum_version_fact *x,
                             const struct enum_version_fact *y)
{
    struct strlist l;
    strlist_init(&l);
    for (size_t i = 0; i < x->n_suites && !c->oom; i++) {
        if (!has_suite(y, x->suites[i].code)) {
            continue;
        }
        char *n = suite_name(c, x->suites[i].code);
        if (n != NULL && strlist_add(&l, n) != 0) {
            c->oom = true;
        }
        free(n);
    }
    char *j = c->oom ? NULL : strlist_join(&l, " > ");
    if (j == NULL) {
        c->oom = true;
    }
    strlist_cleanup(&l);
    return j;
}

static void cmp_suites(struct dctx *c, size_t t, const struct target_result *ra,
                       const struct target_result *rb)
{
    if (!ra->enumeration.collected || !rb->enumeration.collected) {
        return;
    }
    for (int v = 0; v < WV_COUNT && !c->oom; v++) {
        const struct enum_version_fact *va = &ra->enumeration.versions[v];
        const struct enum_version_fact *vb = &rb->enumeration.versions[v];
        for (size_t i = 0; i < vb->n_suites; i++) {
            if (!has_suite(va, vb->suites[i].code)) {
                struct diff_entry *e = add_entry(c, DIFF_SUITE_ADDED, t, true);
                if (e == NULL) {
                    return;
                }
                e->version = v;
                e->code = vb->suites[i].code;
                e->name = suite_name(c, e->code);
            }
        }
        for (size_t i = 0; i < va->n_suites; i++) {
            if (!has_suite(vb, va->suites[i].code)) {
                struct diff_entry *e = add_entry(c, DIFF_SUITE_REMOVED, t, false);
                if (e == NULL) {
                    return;
                }
                e->version = v;
                e->code = va->suites[i].code;
                e->name = suite_name(c, e->code);
            }
        }
        if (va->n_suites == 0 || vb->n_suites == 0) {
            continue;
        }
        if (va->order != vb->order) {
            struct diff_entry *e = add_entry(c, DIFF_ORDER_CHANGED, t, false);
            if (e == NULL) {
                return;
            }
            e->version = v;
            e->name = dup_str(c, "who decides");
            e->before = dup_str(c, enum_order_name(va->order));
            e->after = dup_str(c, enum_order_name(vb->order));
        } else if (va->order == ORDER_SERVER) {
            char *oa = suites_in_order(c, va, vb);
            char *ob = suites_in_order(c, vb, va);
            if (oa != NULL && ob != NULL && strcmp(oa, ob) != 0) {
                struct diff_entry *e = add_entry(c, DIFF_ORDER_CHANGED, t, false);
                if (e != NULL) {
                    e->version = v;
                    e->name = dup_str(c, "server order");
                    e->before = oa;
                    e->after = ob;
                    oa = ob = NULL;
                }
            }
            free(oa);
            free(ob);
        }
    }
}

static void cmp_group_list(struct dctx *c, size_t t, int version, const uint16_t *la, size_t na,
                           const uint16_t *lb, size_t nb)
{
    for (size_t i = 0; i < nb; i++) {
        if (!has_code16(la, na, lb[i])) {
            struct diff_entry *e = add_entry(c, DIFF_GROUP_ADDED, t, false);
            if (e == NULL) {
                return;
            }
            e->version = version;
            e->code = lb[i];
            e->name = group_name(c, lb[i]);
        }
    }
    for (size_t i = 0; i < na; i++) {
        if (!has_code16(lb, nb, la[i])) {
            struct diff_entry *e = add_entry(c, DIFF_GROUP_REMOVED, t, false);
            if (e == NULL) {
                return;
            }
            e->version = version;
            e->code = la[i];
            e->name = group_name(c, la[i]);
        }
    }
}

static void cmp_groups(struct dctx *c, size_t t, const struct target_result *ra,
                       const struct target_result *rb)
{
    if (!ra->enumeration.collected || !rb->enumeration.collected) {
        return;
    }
    const struct enum_facts *a = &ra->enumeration, *b = &rb->enumeration;
    cmp_group_list(c, t, WV_TLS12, a->groups12, a->n_groups12, b->groups12, b->n_groups12);
    cmp_group_list(c, t, WV_TLS13, a->groups13, a->n_groups13, b->groups13, b->n_groups13);
}

/* chain_tail joins the first 16 hex digits of the SHA-256 of every
 * certificate after the leaf, with ",". */
static char *chain_tail(struct dctx *c, const struct target_result *r)
{
    struct strlist l;
    strlist_init(&l);
    for (size_t i = 1; i < r->n_certs; i++) {
        if (strlist_add_n(&l, r->certs[i].sha256, strnlen(r->certs[i].sha256, 16)) != 0) {
            c->oom = true;
        }
    }
    char *j = c->oom ? NULL : strlist_join(&l, ",");
    if (j == NULL) {
        c->oom = true;
    }
    strlist_cleanup(&l);
    return j;
}

/* The chain problems compared, with whether r has each. */
#define N_PROBLEMS 7
static void chain_problems(const struct target_result *r, bool out[N_PROBLEMS])
{
    const struct chain_fact *ch = &r->chain;
    out[0] = !ch->trusted;
    out[1] = ch->expired;
    out[2] = ch->not_yet_valid;
    out[3] = ch->self_signed;
    out[4] = ch->incomplete;
    out[5] = ch->wrong_order;
    out[6] = ch->hostname_checked && !ch->hostname_match;
}
static const char *const problem_names[N_PROBLEMS] = {
    "untrusted",  "expired",     "not-yet-valid",     "self-signed",
    "incomplete", "wrong-order", "hostname-mismatch",
};

static void cmp_chain(struct dctx *c, size_t t, const struct target_result *ra,
                      const struct target_result *rb)
{
    if (!ra->chain_collected || !rb->chain_collected) {
        return;
    }
    const char *la = ra->n_certs > 0 ? ra->certs[0].sha256 : "";
    const char *lb = rb->n_certs > 0 ? rb->certs[0].sha256 : "";
    if (strcmp(la, lb) != 0) {
        struct diff_entry *e = add_entry(c, DIFF_CERT_ROTATED, t, false);
        if (e == NULL) {
            return;
        }
        e->before = dup_str(c, la);
        e->after = dup_str(c, lb);
        if (rb->n_certs > 0) {
            char day[16];
            e->detail =
                fmt_str(c, "%s, expires %s", rb->certs[0].subject ? rb->certs[0].subject : "",
                        util_iso_date(rb->certs[0].not_after, day, sizeof(day)));
        }
    }
    char *ta = chain_tail(c, ra);
    char *tb = chain_tail(c, rb);
    if (ta != NULL && tb != NULL && strcmp(ta, tb) != 0) {
        struct diff_entry *e = add_entry(c, DIFF_CHAIN_CHANGED, t, false);
        if (e != NULL) {
            e->before = ta;
            e->after = tb;
            ta = tb = NULL;
        }
    }
    free(ta);
    free(tb);
    bool pa[N_PROBLEMS], pb[N_PROBLEMS];
    chain_problems(ra, pa);
    chain_problems(rb, pb);
    for (int i = 0; i < N_PROBLEMS; i++) {
        if (pa[i] == pb[i]) {
            continue;
        }
        struct diff_entry *e =
            add_entry(c, pb[i] ? DIFF_CHAIN_PROBLEM_NEW : DIFF_CHAIN_PROBLEM_GONE, t, pb[i]);
        if (e == NULL) {
            return;
        }
        e->name = dup_str(c, problem_names[i]);
        if (i == 0 && pb[i] && rb->chain.verify_text[0] != '\0') {
            e->detail = dup_str(c, rb->chain.verify_text);
        }
    }
}

/* find_rule returns the finding of rule_id on target tid in run, or NULL. */
static const struct store_finding_row *find_rule(const struct store_run *run, int64_t tid,
                                                 const char *rule_id)
{
    for (size_t i = 0; i < run->n_findings; i++) {
        const struct store_finding_row *f = &run->findings[i];
        if (f->target_id == tid && f->rule_id != NULL && strcmp(f->rule_id, rule_id) == 0) {
            return f;
        }
    }
    return NULL;
}

static bool is_fail(const struct store_finding_row *f)
{
    return f != NULL && verdict_is(f->verdict, VERDICT_FAIL);
}

/* target_verdict: -1 not evaluated, 0 pass, 1 fail; *n_fail counted. */
static int target_verdict(const struct store_run *run, int64_t tid, size_t *n_fail)
{
    int v = -1;
    *n_fail = 0;
    for (size_t i = 0; i < run->n_findings; i++) {
        if (run->findings[i].target_id != tid) {
            continue;
        }
        if (v < 0) {
            v = 0;
        }
        if (is_fail(&run->findings[i])) {
            v = 1;
            (*n_fail)++;
        }
    }
    return v;
}

static void finding_entry(struct dctx *c, size_t t, enum diff_kind k, const char *pid,
                          const struct store_finding_row *fa, const struct store_finding_row *fb)
{
    const struct store_finding_row *f = fb != NULL ? fb : fa;
    struct diff_entry *e = add_entry(c, k, t, k == DIFF_FINDING_NEW);
    if (e == NULL) {
        return;
    }
    e->policy_id = dup_str(c, pid);
    e->rule_id = dup_str(c, f->rule_id);
    e->name = dup_str(c, f->title);
    e->severity = dup_str(c, f->severity);
    e->before = dup_str(c, fa != NULL ? fa->verdict : NULL);
    e->after = dup_str(c, fb != NULL ? fb->verdict : NULL);
    e->detail = dup_str(c, f->evidence);
}

static void cmp_findings(struct dctx *c, size_t t, int64_t tid_a, int64_t tid_b)
{
    const struct strlist *pols = &c->d->policies_compared;
    for (size_t p = 0; p < pols->n_items && !c->oom; p++) {
        const char *pid = pols->items[p];
        const struct store_run *run_a = newest_run(c->a, pid);
        const struct store_run *run_b = newest_run(c->b, pid);
        for (size_t i = 0; i < run_b->n_findings; i++) {
            const struct store_finding_row *fb = &run_b->findings[i];
            if (fb->target_id != tid_b || fb->rule_id == NULL) {
                continue;
            }
            const struct store_finding_row *fa = find_rule(run_a, tid_a, fb->rule_id);
            if (is_fail(fb) && !is_fail(fa)) {
                finding_entry(c, t, DIFF_FINDING_NEW, pid, fa, fb);
            } else if (is_fail(fa) && !is_fail(fb)) {
                finding_entry(c, t, DIFF_FINDING_RESOLVED, pid, fa, fb);
            } else if (fa != NULL && fa->verdict != NULL && fb->verdict != NULL &&
                       strcmp(fa->verdict, fb->verdict) != 0) {
                finding_entry(c, t, DIFF_FINDING_CHANGED, pid, fa, fb);
            }
        }
        /* A rule that failed in A and has no finding in B (removed from the
         * policy, or out of scope now) no longer fails. */
        for (size_t i = 0; i < run_a->n_findings; i++) {
            const struct store_finding_row *fa = &run_a->findings[i];
            if (fa->target_id == tid_a && fa->rule_id != NULL && is_fail(fa) &&
                find_rule(run_b, tid_b, fa->rule_id) == NULL) {
                finding_entry(c, t, DIFF_FINDING_RESOLVED, pid, fa, NULL);
            }
        }
        size_t nfa, nfb;
        int va = target_verdict(run_a, tid_a, &nfa);
        int vb = target_verdict(run_b, tid_b, &nfb);
        if (va >= 0 && vb >= 0 && va != vb) {
            struct diff_entry *e = add_entry(c, DIFF_POLICY_VERDICT, t, vb == 1);
            if (e == NULL) {
                return;
            }
            e->policy_id = dup_str(c, pid);
            e->before = dup_str(c, va ? "fail" : "pass");
            e->after = dup_str(c, vb ? "fail" : "pass");
            e->detail =
                fmt_str(c, "%zu failing rule%s before, %zu now", nfa, nfa == 1 ? "" : "s", nfb);
        }
    }
}

static void cmp_pair(struct dctx *c, size_t t, size_t ia, size_t ib)
{
    const struct target_result *ra = &c->a->targets[ia];
    const struct target_result *rb = &c->b->targets[ib];
    if (ra->status != rb->status) {
        struct diff_entry *e = add_entry(c, DIFF_STATUS_CHANGED, t, false);
        if (e == NULL) {
            return;
        }
        e->before = dup_str(c, target_status_name(ra->status));
        e->after = dup_str(c, target_status_name(rb->status));
        if (rb->error[0] != '\0') {
            e->detail = dup_str(c, rb->error);
        }
    }
    if (scanned(ra) && scanned(rb)) {
        cmp_versions(c, t, ra, rb);
        cmp_suites(c, t, ra, rb);
        cmp_groups(c, t, ra, rb);
        cmp_chain(c, t, ra, rb);
    }
    cmp_findings(c, t, c->a->target_ids[ia], c->b->target_ids[ib]);
}

static bool same_key(const struct target_result *x, const struct target_result *y)
{
    return x->port == y->port && strcmp(x->ip, y->ip) == 0 && x->host != NULL && y->host != NULL &&
           strcasecmp(x->host, y->host) == 0;
}

static bool in_list(const struct strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n_items; i++) {
        if (strcmp(l->items[i], s) == 0) {
            return true;
        }
    }
    return false;
}

/* split_policies sorts the policy ids of a and b into compared / only. */
static void split_policies(struct dctx *c)
{
    struct diff *d = c->d;
    for (size_t i = 0; i < c->b->n_runs && !c->oom; i++) {
        const char *pid = c->b->runs[i].policy_id;
        if (pid == NULL || in_list(&d->policies_compared, pid) ||
            in_list(&d->policies_only_b, pid)) {
            continue;
        }
        struct strlist *to =
            newest_run(c->a, pid) != NULL ? &d->policies_compared : &d->policies_only_b;
        if (strlist_add(to, pid) != 0) {
            c->oom = true;
        }
    }
    for (size_t i = 0; i < c->a->n_runs && !c->oom; i++) {
        const char *pid = c->a->runs[i].policy_id;
        if (pid == NULL || in_list(&d->policies_compared, pid) ||
            in_list(&d->policies_only_a, pid)) {
            continue;
        }
        if (strlist_add(&d->policies_only_a, pid) != 0) {
            c->oom = true;
        }
    }
}

struct diff *diff_compute(const struct report_data *a, const struct report_data *b)
{
    struct diff *d = calloc(1, sizeof(*d));
    bool *used = calloc(a->n_targets ? a->n_targets : 1, sizeof(*used));
    struct dctx c = {.d = d, .a = a, .b = b};
    if (d == NULL || used == NULL) {
        free(used);
        free(d);
        return NULL;
    }
    strlist_init(&d->policies_compared);
    strlist_init(&d->policies_only_a);
    strlist_init(&d->policies_only_b);
    d->scan_a = a->info.id;
    d->scan_b = b->info.id;
    d->started_a_ms = a->info.started_ms;
    d->started_b_ms = b->info.started_ms;
    util_copy(d->state_a, sizeof(d->state_a), a->info.state);
    util_copy(d->state_b, sizeof(d->state_b), b->info.state);
    split_policies(&c);
    for (size_t ib = 0; ib < b->n_targets && !c.oom; ib++) {
        long ia = -1;
        for (size_t i = 0; i < a->n_targets; i++) {
            if (!used[i] && same_key(&a->targets[i], &b->targets[ib])) {
                ia = (long)i;
                used[i] = true;
                break;
            }
        }
        size_t t;
        if (add_target(&c, &b->targets[ib], ia >= 0 ? DIFF_IN_BOTH : DIFF_ONLY_B, ia, (long)ib,
                       &t) != 0) {
            break;
        }
        if (ia >= 0) {
            cmp_pair(&c, t, (size_t)ia, ib);
        }
    }
    for (size_t ia = 0; ia < a->n_targets && !c.oom; ia++) {
        size_t t;
        if (!used[ia] && add_target(&c, &a->targets[ia], DIFF_ONLY_A, (long)ia, -1, &t) != 0) {
            break;
        }
    }
    free(used);
    if (c.oom) {
        diff_free(d);
        return NULL;
    }
    return d;
}

void diff_free(struct diff *d)
{
    if (d == NULL) {
        return;
    }
    for (size_t i = 0; i < d->n_entries; i++) {
        struct diff_entry *e = &d->entries[i];
        free(e->name);
        free(e->policy_id);
        free(e->rule_id);
        free(e->severity);
        free(e->before);
        free(e->after);
        free(e->detail);
    }
    free(d->entries);
    for (size_t i = 0; i < d->n_targets; i++) {
        free(d->targets[i].host);
        free(d->targets[i].ip);
        free(d->targets[i].sni);
    }
    free(d->targets);
    strlist_cleanup(&d->policies_compared);
    strlist_cleanup(&d->policies_only_a);
    strlist_cleanup(&d->policies_only_b);
    free(d);
}

/* ---- text and Markdown -------------------------------------------------- */

typedef void (*esc_fn)(FILE *out, const char *s);

/* put_target writes host:port (IPv6 in brackets) [ip] (SNI name). */
static void put_target(FILE *out, const struct diff_target *t, esc_fn esc)
{
    bool v6 = strchr(t->host, ':') != NULL;
    fputs(v6 ? "[" : "", out);
    esc(out, t->host);
    fprintf(out, "%s:%u", v6 ? "]" : "", (unsigned)t->port);
    if (t->ip[0] != '\0' && strcmp(t->ip, t->host) != 0) {
        fputs(" address ", out);
        esc(out, t->ip);
    }
    if (t->sni != NULL) {
        fputs(" SNI ", out);
        esc(out, t->sni);
    }
}

static const char *or_none(const char *s)
{
    return s != NULL ? s : "none";
}

/* put_entry writes one change as a sentence (no sign, no newline). */
static void put_entry(FILE *out, const struct diff_entry *e, esc_fn esc)
{
    const char *ver = e->version >= 0 ? wire_version_name((enum wire_version)e->version) : "";
    switch (e->kind) {
    case DIFF_STATUS_CHANGED:
        fputs("status ", out);
        esc(out, e->before);
        fputs(" -> ", out);
        esc(out, e->after);
        break;
    case DIFF_VERSION_ENABLED:
    case DIFF_VERSION_DISABLED:
        fprintf(out, "%s %s (", ver, e->kind == DIFF_VERSION_ENABLED ? "enabled" : "disabled");
        esc(out, e->before);
        fputs(" -> ", out);
        esc(out, e->after);
        fputs(")", out);
        break;
    case DIFF_SUITE_ADDED:
    case DIFF_SUITE_REMOVED:
        fprintf(out, "%s suite %s: ", ver, e->kind == DIFF_SUITE_ADDED ? "added" : "removed");
        esc(out, e->name);
        fprintf(out, " (0x%04X)", (unsigned)e->code);
        break;
    case DIFF_ORDER_CHANGED:
        fprintf(out, "%s ", ver);
        esc(out, e->name);
        fputs(": ", out);
        esc(out, e->before);
        fputs(" -> ", out);
        esc(out, e->after);
        break;
    case DIFF_GROUP_ADDED:
    case DIFF_GROUP_REMOVED:
        fprintf(out, "%s group %s: ", ver, e->kind == DIFF_GROUP_ADDED ? "added" : "removed");
        esc(out, e->name);
        break;
    case DIFF_CERT_ROTATED:
        fputs("certificate rotated: ", out);
        esc(out, e->before[0] ? e->before : "none");
        fputs(" -> ", out);
        esc(out, e->after[0] ? e->after : "none");
        if (e->detail != NULL) {
            fputs(" (", out);
            esc(out, e->detail);
            fputs(")", out);
        }
        break;
    case DIFF_CHAIN_CHANGED:
        fputs("chain changed (after the leaf): ", out);
        esc(out, e->before[0] ? e->before : "none");
        fputs(" -> ", out);
        esc(out, e->after[0] ? e->after : "none");
        break;
    case DIFF_CHAIN_PROBLEM_NEW:
    case DIFF_CHAIN_PROBLEM_GONE:
        fprintf(out,
                "chain problem %s: ", e->kind == DIFF_CHAIN_PROBLEM_NEW ? "appeared" : "resolved");
        esc(out, e->name);
        if (e->detail != NULL) {
            fputs(" (", out);
            esc(out, e->detail);
            fputs(")", out);
        }
        break;
    case DIFF_FINDING_NEW:
    case DIFF_FINDING_RESOLVED:
    case DIFF_FINDING_CHANGED:
        fputs(e->kind == DIFF_FINDING_NEW        ? "new failing finding "
              : e->kind == DIFF_FINDING_RESOLVED ? "resolved finding "
                                                 : "finding ",
              out);
        esc(out, e->policy_id);
        fputs(" ", out);
        esc(out, e->rule_id);
        if (e->severity != NULL) {
            fputs(" (", out);
            esc(out, e->severity);
            fputs(")", out);
        }
        fputs(": ", out);
        esc(out, or_none(e->before));
        fputs(" -> ", out);
        esc(out, or_none(e->after));
        if (e->detail != NULL && e->kind != DIFF_FINDING_RESOLVED) {
            fputs(": ", out);
            esc(out, e->detail);
        }
        break;
    case DIFF_POLICY_VERDICT:
        fputs("policy ", out);
        esc(out, e->policy_id);
        fputs(" verdict: ", out);
        esc(out, e->before);
        fputs(" -> ", out);
        esc(out, e->after);
        fputs(" (", out);
        esc(out, e->detail);
        fputs(")", out);
        break;
    case DIFF_KIND_COUNT:
        break;
    }
}

static char entry_sign(const struct diff_entry *e)
{
    switch (e->kind) {
    case DIFF_VERSION_ENABLED:
    case DIFF_SUITE_ADDED:
    case DIFF_GROUP_ADDED:
    case DIFF_CHAIN_PROBLEM_NEW:
    case DIFF_FINDING_NEW:
        return '+';
    case DIFF_VERSION_DISABLED:
    case DIFF_SUITE_REMOVED:
    case DIFF_GROUP_REMOVED:
    case DIFF_CHAIN_PROBLEM_GONE:
    case DIFF_FINDING_RESOLVED:
        return '-';
    default:
        return '~';
    }
}

static void put_scan(FILE *out, int64_t id, int64_t started_ms, const char *state)
{
    char t[32];
    fprintf(out, "scan %lld (%s, %s)", (long long)id, util_iso_time(started_ms, t, sizeof(t)),
            state);
}

static void put_list(FILE *out, const struct strlist *l, esc_fn esc)
{
    for (size_t i = 0; i < l->n_items; i++) {
        fputs(i ? ", " : "", out);
        esc(out, l->items[i]);
    }
}

static size_t count_presence(const struct diff *d, enum diff_presence p)
{
    size_t n = 0;
    for (size_t i = 0; i < d->n_targets; i++) {
        n += d->targets[i].presence == p;
    }
    return n;
}

static void put_policies(FILE *out, const struct diff *d, esc_fn esc, const char *bullet)
{
    fprintf(out, "%sPolicies compared: ", bullet);
    if (d->policies_compared.n_items == 0) {
        fputs("none (no policy was evaluated over both scans)", out);
    }
    put_list(out, &d->policies_compared, esc);
    fputs("\n", out);
    if (d->policies_only_a.n_items > 0) {
        fprintf(out, "%sOnly evaluated over scan %lld (not compared): ", bullet,
                (long long)d->scan_a);
        put_list(out, &d->policies_only_a, esc);
        fputs("\n", out);
    }
    if (d->policies_only_b.n_items > 0) {
        fprintf(out, "%sOnly evaluated over scan %lld (not compared): ", bullet,
                (long long)d->scan_b);
        put_list(out, &d->policies_only_b, esc);
        fputs("\n", out);
    }
}

static void write_text(FILE *out, const struct diff *d)
{
    fputs("tlsaudit diff: ", out);
    put_scan(out, d->scan_a, d->started_a_ms, d->state_a);
    fputs(" -> ", out);
    put_scan(out, d->scan_b, d->started_b_ms, d->state_b);
    fputs("\n", out);
    put_policies(out, d, esc_visible, "");
    size_t unchanged = 0, changed = 0;
    for (size_t i = 0; i < d->n_targets; i++) {
        const struct diff_target *t = &d->targets[i];
        if (t->presence != DIFF_IN_BOTH) {
            continue;
        }
        if (t->n_changes == 0) {
            unchanged++;
            continue;
        }
        changed++;
        fputs("\n", out);
        put_target(out, t, esc_visible);
        fprintf(out, ": %zu change%s, %zu worse\n", t->n_changes, t->n_changes == 1 ? "" : "s",
                t->n_worse);
        for (size_t k = 0; k < d->n_entries; k++) {
            const struct diff_entry *e = &d->entries[k];
            if (e->target != i) {
                continue;
            }
            fprintf(out, "  %c %s", entry_sign(e), e->worse ? "WORSE " : "");
            put_entry(out, e, esc_visible);
            fputs("\n", out);
        }
    }
    for (int p = DIFF_ONLY_A; p <= DIFF_ONLY_B; p++) {
        if (count_presence(d, (enum diff_presence)p) == 0) {
            continue;
        }
        fprintf(out, "\nOnly in scan %lld:\n",
                (long long)(p == DIFF_ONLY_A ? d->scan_a : d->scan_b));
        for (size_t i = 0; i < d->n_targets; i++) {
            if (d->targets[i].presence == (enum diff_presence)p) {
                fputs("  ", out);
                put_target(out, &d->targets[i], esc_visible);
                fputs("\n", out);
            }
        }
    }
    fprintf(out,
            "\n%zu target%s changed, %zu unchanged, %zu only in scan %lld, %zu only in scan "
            "%lld; %zu change%s worse.\n",
            changed, changed == 1 ? "" : "s", unchanged, count_presence(d, DIFF_ONLY_A),
            (long long)d->scan_a, count_presence(d, DIFF_ONLY_B), (long long)d->scan_b, d->n_worse,
            d->n_worse == 1 ? " is" : "s are");
}

static void write_markdown(FILE *out, const struct diff *d)
{
    fprintf(out, "## tlsaudit diff: scan %lld → scan %lld\n\n", (long long)d->scan_a,
            (long long)d->scan_b);
    fputs("- From: ", out);
    put_scan(out, d->scan_a, d->started_a_ms, d->state_a);
    fputs("\n- To: ", out);
    put_scan(out, d->scan_b, d->started_b_ms, d->state_b);
    fputs("\n", out);
    put_policies(out, d, esc_markdown, "- ");
    fprintf(out, "- **%zu change%s worse**\n", d->n_worse, d->n_worse == 1 ? " is" : "s are");
    for (size_t i = 0; i < d->n_targets; i++) {
        const struct diff_target *t = &d->targets[i];
        if (t->presence != DIFF_IN_BOTH || t->n_changes == 0) {
            continue;
        }
        fputs("\n### ", out);
        put_target(out, t, esc_markdown);
        fprintf(out, "\n\n%zu change%s, %zu worse\n\n", t->n_changes, t->n_changes == 1 ? "" : "s",
                t->n_worse);
        for (size_t k = 0; k < d->n_entries; k++) {
            const struct diff_entry *e = &d->entries[k];
            if (e->target != i) {
                continue;
            }
            fputs(e->worse ? "- **worse** " : "- ", out);
            put_entry(out, e, esc_markdown);
            fputs("\n", out);
        }
    }
    for (int p = DIFF_ONLY_A; p <= DIFF_ONLY_B; p++) {
        if (count_presence(d, (enum diff_presence)p) == 0) {
            continue;
        }
        fprintf(out, "\n### Only in scan %lld\n\n",
                (long long)(p == DIFF_ONLY_A ? d->scan_a : d->scan_b));
        for (size_t i = 0; i < d->n_targets; i++) {
            if (d->targets[i].presence == (enum diff_presence)p) {
                fputs("- ", out);
                put_target(out, &d->targets[i], esc_markdown);
                fputs("\n", out);
            }
        }
    }
}

/* ---- JSON ------------------------------------------------------------------ */

static json_t *jtime(int64_t ms)
{
    char t[32];
    return json_string(util_iso_time(ms, t, sizeof(t)));
}

static json_t *jlist(const struct strlist *l)
{
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < l->n_items; i++) {
        if (json_array_append_new(a, json_text_value(l->items[i])) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static json_t *jentry(const struct diff_entry *e)
{
    json_t *o = json_object();
    if (o == NULL) {
        return NULL;
    }
    int bad = 0;
    bad |= json_object_set_new(o, "kind", json_string(diff_kind_name(e->kind)));
    bad |= json_object_set_new(o, "worse", json_boolean(e->worse));
    bad |= json_object_set_new(o, "version",
                               e->version >= 0
                                   ? json_string(wire_version_name((enum wire_version)e->version))
                                   : json_null());
    bool coded = e->kind == DIFF_SUITE_ADDED || e->kind == DIFF_SUITE_REMOVED ||
                 e->kind == DIFF_GROUP_ADDED || e->kind == DIFF_GROUP_REMOVED;
    bad |= json_object_set_new(o, "code", coded ? json_integer((json_int_t)e->code) : json_null());
    bad |= json_object_set_new(o, "name", json_text_value(e->name));
    bad |= json_object_set_new(o, "policy", json_text_value(e->policy_id));
    bad |= json_object_set_new(o, "rule_id", json_text_value(e->rule_id));
    bad |= json_object_set_new(o, "severity", json_text_value(e->severity));
    bad |= json_object_set_new(o, "before", json_text_value(e->before));
    bad |= json_object_set_new(o, "after", json_text_value(e->after));
    bad |= json_object_set_new(o, "detail", json_text_value(e->detail));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static const char *presence_name(enum diff_presence p)
{
    return p == DIFF_IN_BOTH ? "both" : p == DIFF_ONLY_A ? "only_a" : "only_b";
}

static json_t *jtarget(const struct diff *d, size_t i)
{
    const struct diff_target *t = &d->targets[i];
    json_t *o = json_object();
    json_t *ch = json_array();
    if (o == NULL || ch == NULL) {
        json_decref(o);
        json_decref(ch);
        return NULL;
    }
    int bad = 0;
    for (size_t k = 0; k < d->n_entries && !bad; k++) {
        if (d->entries[k].target == i) {
            bad |= json_array_append_new(ch, jentry(&d->entries[k]));
        }
    }
    bad |= json_object_set_new(o, "host", json_text_value(t->host));
    bad |= json_object_set_new(o, "port", json_integer(t->port));
    bad |= json_object_set_new(o, "ip", t->ip[0] ? json_text_value(t->ip) : json_null());
    bad |= json_object_set_new(o, "sni", json_text_value(t->sni));
    bad |= json_object_set_new(o, "presence", json_string(presence_name(t->presence)));
    bad |= json_object_set_new(o, "worse", json_integer((json_int_t)t->n_worse));
    bad |= json_object_set_new(o, "changes", ch);
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *jscan(int64_t id, int64_t started_ms, const char *state)
{
    return json_pack("{s:I, s:o, s:s}", "id", (json_int_t)id, "started", jtime(started_ms), "state",
                     state);
}

static int write_json(FILE *out, const struct diff *d, char *err, size_t err_len)
{
    json_t *root = json_object();
    json_t *targets = json_array();
    int bad = root == NULL || targets == NULL;
    size_t changed = 0;
    for (size_t i = 0; i < d->n_targets && !bad; i++) {
        changed += d->targets[i].presence == DIFF_IN_BOTH && d->targets[i].n_changes > 0;
        bad |= json_array_append_new(targets, jtarget(d, i));
    }
    if (!bad) {
        bad |= json_object_set_new(root, "schema", json_string("tlsaudit-diff"));
        bad |= json_object_set_new(root, "schema_version", json_integer(DIFF_JSON_SCHEMA_VERSION));
        bad |= json_object_set_new(
            root, "tool",
            json_pack("{s:s, s:s}", "name", PACKAGE_NAME, "version", PACKAGE_VERSION));
        bad |= json_object_set_new(root, "scan_a", jscan(d->scan_a, d->started_a_ms, d->state_a));
        bad |= json_object_set_new(root, "scan_b", jscan(d->scan_b, d->started_b_ms, d->state_b));
        bad |= json_object_set_new(root, "worse", json_boolean(d->n_worse > 0));
        bad |= json_object_set_new(
            root, "summary",
            json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "changes", (json_int_t)d->n_entries,
                      "worse", (json_int_t)d->n_worse, "targets_changed", (json_int_t)changed,
                      "targets_in_both", (json_int_t)count_presence(d, DIFF_IN_BOTH),
                      "targets_only_a", (json_int_t)count_presence(d, DIFF_ONLY_A),
                      "targets_only_b", (json_int_t)count_presence(d, DIFF_ONLY_B)));
        bad |= json_object_set_new(
            root, "policies",
            json_pack("{s:o, s:o, s:o}", "compared", jlist(&d->policies_compared), "only_a",
                      jlist(&d->policies_only_a), "only_b", jlist(&d->policies_only_b)));
        bad |= json_object_set(root, "targets", targets);
    }
    json_decref(targets);
    if (bad) {
        json_decref(root);
        snprintf(err, err_len, "building the JSON diff: out of memory");
        return -1;
    }
    int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputs("\n", out);
    json_decref(root);
    if (rc != 0) {
        snprintf(err, err_len, "writing the JSON diff failed");
        return -1;
    }
    return 0;
}

int diff_write(FILE *out, enum report_format f, const struct diff *d, char *err, size_t err_len)
{
    switch (f) {
    case REPORT_TEXT:
        write_text(out, d);
        return 0;
    case REPORT_MARKDOWN:
        write_markdown(out, d);
        return 0;
    case REPORT_JSON:
        return write_json(out, d, err, err_len);
    default:
        break;
    }
    snprintf(err, err_len, "a diff is written as text, json or markdown, not %s",
             report_format_name(f));
    return -1;
}
