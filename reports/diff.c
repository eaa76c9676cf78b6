/*
 * reports/diff.c - the model of what changed between two scans
 * (reports/diff.h; JSON layout in docs/diff-output.md): one paired
 * target's versions, suites, order, groups and chain compared
 * (diff_cmp_pair), the model's appenders, and diff_write, which renders a
 * whole model through the streamed writer.
 *
 * Pipeline position: the pairing (reports/diff_pair.c, over two loaded
 * scans or the store's walk in reports/diff_stream.c) -> [diff_cmp_pair]
 * -> struct diff (whole, or one target at a time) -> the writer
 * (reports/diff_out.c) -> reports/diff_text.c (text, Markdown) or
 * reports/diff_json.c (JSON) -> cli/cmd_diff.c. The policies and findings
 * are compared in reports/diff_findings.c; what the files share is
 * reports/diff_private.h.
 *
 * Invariants:
 * - The comparison reads its inputs only; the model owns copies of every
 *   string, so it outlives them.
 * - Entries are appended target by target, so those of one target are
 *   contiguous and in the targets' order.
 * - Memory: at most one entry per fact of either side of a pair; a whole
 *   model (diff_compute) holds every target, a streamed one one target.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "reports/diff_private.h"
#include "common/model/endpoint.h"
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
    [DIFF_DEPLOYMENT_ADDED] = "deployment_added",
    [DIFF_DEPLOYMENT_REMOVED] = "deployment_removed",
    [DIFF_NOT_EVALUATED] = "findings_not_evaluated",
};

const char *diff_kind_name(enum diff_kind k)
{
    return (unsigned)k < DIFF_KIND_COUNT ? diff_kind_names[k] : "?";
}

/* ---- per-target facts shared with history ----------------------------- */

bool diff_version_accepted(const struct target_result *r, enum tls_version v)
{
    if (fact_collected(&r->enumeration.header) &&
        r->enumeration.versions[v].state == PROBE_ACCEPTED) {
        return true;
    }
    if (tls_version_is_hs(v)) {
        return r->versions[v].state == PROBE_ACCEPTED;
    }
    return false;
}

/* version_state returns the state name of v in r, enumeration first. */
static const char *version_state(const struct target_result *r, enum tls_version v)
{
    if (diff_version_accepted(r, v)) {
        return probe_state_name(PROBE_ACCEPTED);
    }
    if (fact_collected(&r->enumeration.header)) {
        return probe_state_name(r->enumeration.versions[v].state);
    }
    if (tls_version_is_hs(v)) {
        return probe_state_name(r->versions[v].state);
    }
    return probe_state_name(PROBE_NOT_TESTED);
}

size_t diff_suite_count(const struct target_result *r)
{
    size_t n = 0;
    if (!fact_collected(&r->enumeration.header)) {
        return 0;
    }
    for (int v = 0; v < TLSV_COUNT; v++) {
        n += r->enumeration.versions[v].n_suites;
    }
    return n;
}

/* ---- building the model ---------------------------------------------- */

char *diff_dup_str(struct diff_build *c, const char *s)
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

char *diff_fmt_str(struct diff_build *c, const char *fmt, ...)
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

struct diff_entry *diff_add_entry(struct diff_build *c, enum diff_kind k, size_t t, bool worse)
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

int diff_add_target(struct diff_build *c, const struct diff_key *k, enum diff_presence p, long ia,
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
    t->host = diff_dup_str(c, k->host);
    t->port = k->port;
    t->ip = diff_dup_str(c, k->ip);
    t->sni = diff_dup_str(c, k->sni);
    t->starttls = diff_dup_str(c, k->starttls[0] ? k->starttls : "none");
    t->a = ia;
    t->b = ib;
    *out_t = d->n_targets++;
    return c->oom ? -1 : 0;
}

static bool scanned(const struct target_result *r)
{
    return r->status == TARGET_OK || r->status == TARGET_NO_TLS;
}

/* went_away says whether a target reached in A stopped answering in B
 * (unreachable, or its name no longer resolves): worse. */
static bool went_away(const struct target_result *ra, const struct target_result *rb)
{
    return scanned(ra) && (rb->status == TARGET_UNREACHABLE || rb->status == TARGET_RESOLVE_FAILED);
}

static char *suite_name(struct diff_build *c, uint32_t code)
{
    const struct suite_info *s = registry_suite_by_code(code);
    if (s != NULL && s->iana_name != NULL) {
        return diff_dup_str(c, s->iana_name);
    }
    return diff_fmt_str(c, "0x%04X", (unsigned)code);
}

static char *group_name(struct diff_build *c, uint16_t code)
{
    const struct group_info *g = registry_group_by_code(code);
    if (g != NULL && g->name != NULL) {
        return diff_dup_str(c, g->name);
    }
    return diff_fmt_str(c, "0x%04X", (unsigned)code);
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

static void cmp_versions(struct diff_build *c, size_t t, const struct target_result *ra,
                         const struct target_result *rb)
{
    for (int v = 0; v < TLSV_COUNT; v++) {
        bool in_a = diff_version_accepted(ra, (enum tls_version)v);
        bool in_b = diff_version_accepted(rb, (enum tls_version)v);
        if (in_a == in_b) {
            continue;
        }
        struct diff_entry *e =
            diff_add_entry(c, in_b ? DIFF_VERSION_ENABLED : DIFF_VERSION_DISABLED, t, in_b);
        if (e == NULL) {
            return;
        }
        e->version = v;
        e->name = diff_dup_str(c, tls_version_name((enum tls_version)v));
        e->before = diff_dup_str(c, version_state(ra, (enum tls_version)v));
        e->after = diff_dup_str(c, version_state(rb, (enum tls_version)v));
    }
}

/* suites_in_order joins the names of the suites of x that are also in y,
 * in x's order, with " > ". */
static char *suites_in_order(struct diff_build *c, const struct enum_version_fact *x,
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

static void cmp_suites(struct diff_build *c, size_t t, const struct target_result *ra,
                       const struct target_result *rb)
{
    if (!fact_collected(&ra->enumeration.header) || !fact_collected(&rb->enumeration.header)) {
        return;
    }
    for (int v = 0; v < TLSV_COUNT && !c->oom; v++) {
        const struct enum_version_fact *va = &ra->enumeration.versions[v];
        const struct enum_version_fact *vb = &rb->enumeration.versions[v];
        for (size_t i = 0; i < vb->n_suites; i++) {
            if (!has_suite(va, vb->suites[i].code)) {
                struct diff_entry *e = diff_add_entry(c, DIFF_SUITE_ADDED, t, true);
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
                struct diff_entry *e = diff_add_entry(c, DIFF_SUITE_REMOVED, t, false);
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
            struct diff_entry *e = diff_add_entry(c, DIFF_ORDER_CHANGED, t, false);
            if (e == NULL) {
                return;
            }
            e->version = v;
            e->name = diff_dup_str(c, "who decides");
            e->before = diff_dup_str(c, enum_order_name(va->order));
            e->after = diff_dup_str(c, enum_order_name(vb->order));
        } else if (va->order == ORDER_SERVER) {
            char *oa = suites_in_order(c, va, vb);
            char *ob = suites_in_order(c, vb, va);
            if (oa != NULL && ob != NULL && strcmp(oa, ob) != 0) {
                struct diff_entry *e = diff_add_entry(c, DIFF_ORDER_CHANGED, t, false);
                if (e != NULL) {
                    e->version = v;
                    e->name = diff_dup_str(c, "server order");
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

static void cmp_group_list(struct diff_build *c, size_t t, int version, const uint16_t *la,
                           size_t na, const uint16_t *lb, size_t nb)
{
    for (size_t i = 0; i < nb; i++) {
        if (!has_code16(la, na, lb[i])) {
            struct diff_entry *e = diff_add_entry(c, DIFF_GROUP_ADDED, t, false);
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
            struct diff_entry *e = diff_add_entry(c, DIFF_GROUP_REMOVED, t, false);
            if (e == NULL) {
                return;
            }
            e->version = version;
            e->code = la[i];
            e->name = group_name(c, la[i]);
        }
    }
}

static void cmp_groups(struct diff_build *c, size_t t, const struct target_result *ra,
                       const struct target_result *rb)
{
    if (!fact_collected(&ra->enumeration.header) || !fact_collected(&rb->enumeration.header)) {
        return;
    }
    const struct enum_facts *a = &ra->enumeration, *b = &rb->enumeration;
    cmp_group_list(c, t, TLSV_TLS12, a->groups12, a->n_groups12, b->groups12, b->n_groups12);
    cmp_group_list(c, t, TLSV_TLS13, a->groups13, a->n_groups13, b->groups13, b->n_groups13);
}

/* chain_tail joins the first 16 hex digits of the SHA-256 of every
 * certificate after the leaf, with ",". */
static char *chain_tail(struct diff_build *c, const struct target_result *r)
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

/* The chain problems compared, with whether chain ch has each. */
#define N_PROBLEMS 7
static void chain_problems(const struct chain_fact *ch, bool out[N_PROBLEMS])
{
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

/* dep_view fills v with deployment i of r and returns its leaf when its
 * chain was collected with a certificate, else NULL. */
static const struct cert_fact *dep_view(const struct target_result *r, size_t i,
                                        struct deployment_view *v)
{
    target_deployment(r, i, v);
    return fact_collected(&v->chain_header) && v->n_certs > 0 ? &v->certs[0] : NULL;
}

/* cmp_problems adds the chain problems of deployment vb that va (NULL: a
 * deployment new in B, which had none) did not have, and those gone; the
 * detail names the deployment when either side serves several
 * (several), then the verification error of a new "untrusted". */
static void cmp_problems(struct diff_build *c, size_t t, const struct deployment_view *va,
                         const struct deployment_view *vb, bool several)
{
    bool pa[N_PROBLEMS] = {false}, pb[N_PROBLEMS];
    if (va != NULL) {
        chain_problems(va->chain, pa);
    }
    chain_problems(vb->chain, pb);
    for (int i = 0; i < N_PROBLEMS && !c->oom; i++) {
        if (pa[i] == pb[i]) {
            continue;
        }
        struct diff_entry *e =
            diff_add_entry(c, pb[i] ? DIFF_CHAIN_PROBLEM_NEW : DIFF_CHAIN_PROBLEM_GONE, t, pb[i]);
        if (e == NULL) {
            return;
        }
        e->name = diff_dup_str(c, problem_names[i]);
        const char *why = i == 0 && pb[i] ? vb->chain->verify_text : "";
        if (several) {
            e->detail = diff_fmt_str(c, "deployment %s%s%s", vb->label, why[0] ? ": " : "", why);
        } else if (why[0] != '\0') {
            e->detail = diff_dup_str(c, why);
        }
    }
}

/* dep_entry adds a deployment entry of kind k about leaf (label name):
 * added (after: its SHA-256), removed (before) or rotated (from before). */
static void dep_entry(struct diff_build *c, size_t t, enum diff_kind k, const char *label,
                      const struct cert_fact *before, const struct cert_fact *leaf)
{
    struct diff_entry *e = diff_add_entry(c, k, t, false);
    if (e == NULL) {
        return;
    }
    char day[16];
    e->name = diff_dup_str(c, label);
    if (k == DIFF_DEPLOYMENT_REMOVED) {
        e->before = diff_dup_str(c, leaf->sha256);
    } else {
        e->before = before != NULL ? diff_dup_str(c, before->sha256) : NULL;
        e->after = diff_dup_str(c, leaf->sha256);
    }
    e->detail = diff_fmt_str(c, "%s, expires %s", leaf->subject ? leaf->subject : "",
                             util_iso_date(leaf->not_after, day, sizeof(day)));
}

/* cmp_deployments compares every certificate deployment (a collected chain
 * with a certificate): the deployments pair by label, the k-th of a label
 * in A with the k-th of that label in B; a pair whose leaves differ is a
 * rotation, the others were added or removed. The chain problems of each
 * pair are compared, and those of an added deployment are new. */
static void cmp_deployments(struct diff_build *c, size_t t, const struct target_result *ra,
                            const struct target_result *rb)
{
    enum { N = DEPLOYMENTS_MAX + 1 };
    size_t na = target_n_deployments(ra), nb = target_n_deployments(rb);
    na = na < N ? na : N;
    nb = nb < N ? nb : N;
    bool several = na > 1 || nb > 1;
    bool paired[N] = {false};
    for (size_t j = 0; j < nb && !c->oom; j++) {
        struct deployment_view vb, va;
        const struct cert_fact *lb = dep_view(rb, j, &vb), *la = NULL;
        for (size_t i = 0; lb != NULL && la == NULL && i < na; i++) {
            const struct cert_fact *x = dep_view(ra, i, &va);
            if (x != NULL && !paired[i] && strcmp(va.label, vb.label) == 0) {
                la = x;
                paired[i] = true;
            }
        }
        if (lb == NULL) {
            continue;
        }
        if (la == NULL) {
            dep_entry(c, t, DIFF_DEPLOYMENT_ADDED, vb.label, NULL, lb);
        } else if (strcmp(la->sha256, lb->sha256) != 0) {
            dep_entry(c, t, DIFF_CERT_ROTATED, vb.label, la, lb);
        }
        cmp_problems(c, t, la != NULL ? &va : NULL, &vb, several);
    }
    for (size_t i = 0; i < na && !c->oom; i++) {
        struct deployment_view va;
        const struct cert_fact *la = dep_view(ra, i, &va);
        if (la != NULL && !paired[i]) {
            dep_entry(c, t, DIFF_DEPLOYMENT_REMOVED, va.label, NULL, la);
        }
    }
}

static void cmp_chain(struct diff_build *c, size_t t, const struct target_result *ra,
                      const struct target_result *rb)
{
    if (!fact_collected(&ra->chain_header) || !fact_collected(&rb->chain_header)) {
        return;
    }
    char *ta = chain_tail(c, ra);
    char *tb = chain_tail(c, rb);
    if (ta != NULL && tb != NULL && strcmp(ta, tb) != 0) {
        struct diff_entry *e = diff_add_entry(c, DIFF_CHAIN_CHANGED, t, false);
        if (e != NULL) {
            e->before = ta;
            e->after = tb;
            ta = tb = NULL;
        }
    }
    free(ta);
    free(tb);
    cmp_deployments(c, t, ra, rb);
}

void diff_cmp_pair(struct diff_build *c, size_t t, const struct target_result *ra, int64_t tid_a,
                   const struct target_result *rb, int64_t tid_b)
{
    if (ra->status != rb->status) {
        struct diff_entry *e = diff_add_entry(c, DIFF_STATUS_CHANGED, t, went_away(ra, rb));
        if (e == NULL) {
            return;
        }
        e->before = diff_dup_str(c, target_status_name(ra->status));
        e->after = diff_dup_str(c, target_status_name(rb->status));
        if (rb->error[0] != '\0') {
            e->detail = diff_dup_str(c, rb->error);
        }
    }
    if (scanned(ra) && scanned(rb)) {
        cmp_versions(c, t, ra, rb);
        cmp_suites(c, t, ra, rb);
        cmp_groups(c, t, ra, rb);
        cmp_chain(c, t, ra, rb);
    }
    diff_cmp_findings(c, t, tid_a, tid_b, scanned(ra), scanned(rb));
}

void diff_head_init(struct diff_build *c, struct diff *d)
{
    const struct report_data *a = c->a, *b = c->b;
    strlist_init(&d->policies_compared);
    strlist_init(&d->policies_only_a);
    strlist_init(&d->policies_only_b);
    d->scan_a = a->info.id;
    d->scan_b = b->info.id;
    d->started_a_ms = a->info.started_ms;
    d->started_b_ms = b->info.started_ms;
    util_copy(d->state_a, sizeof(d->state_a), a->info.state);
    util_copy(d->state_b, sizeof(d->state_b), b->info.state);
    diff_split_policies(c);
}

void diff_clear_targets(struct diff *d)
{
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
    for (size_t i = 0; i < d->n_targets; i++) {
        free(d->targets[i].host);
        free(d->targets[i].ip);
        free(d->targets[i].sni);
        free(d->targets[i].starttls);
    }
    d->n_entries = 0;
    d->n_targets = 0;
    d->n_worse = 0;
}

int diff_target_done(struct diff_build *c)
{
    if (c->emit == NULL || c->oom) {
        return c->oom ? -1 : 0;
    }
    if (c->emit(c->emit_arg, c->d) != 0) {
        c->failed = true;
        return -1;
    }
    diff_clear_targets(c->d);
    return 0;
}

void diff_free(struct diff *d)
{
    if (d == NULL) {
        return;
    }
    diff_clear_targets(d);
    free(d->entries);
    free(d->targets);
    strlist_cleanup(&d->policies_compared);
    strlist_cleanup(&d->policies_only_a);
    strlist_cleanup(&d->policies_only_b);
    free(d);
}

int diff_write(FILE *out, enum report_format f, const struct diff *d, char *err, size_t err_len)
{
    struct diff_writer w;
    struct diff head = *d;
    head.n_targets = head.n_entries = 0;
    if (diff_writer_begin(&w, out, f, &head, err, err_len) != 0) {
        return -1;
    }
    int rc = 0;
    size_t k = 0; /* the entries of target i follow those of i - 1 */
    for (size_t i = 0; rc == 0 && i < d->n_targets; i++) {
        struct diff one = head;
        size_t first = k;
        while (k < d->n_entries && d->entries[k].target == i) {
            k++;
        }
        one.targets = &d->targets[i];
        one.n_targets = 1;
        one.entries = &d->entries[first];
        one.n_entries = k - first;
        rc = diff_writer_target(&w, &one);
    }
    if (rc != 0) {
        snprintf(err, err_len, "writing the diff: out of memory or a temporary file failed");
    }
    rc = rc == 0 ? diff_writer_end(&w, err, err_len) : -1;
    diff_writer_cleanup(&w);
    return rc;
}
