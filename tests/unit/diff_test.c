/*
 * tests/unit/diff_test.c - unit tests of the diff computation
 * (reports/diff.c): two scans built in memory with known differences give
 * exactly the expected entries, in order, with the expected "worse" marks;
 * and the three renderers escape hostile strings. Also what `tlsaudit
 * history` prints of a row (reports/history.c): the verdict at the stored
 * gate and every deployment's leaf.
 *
 * Invariant: each assertion compares against a concrete expected value, so
 * every test can fail.
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "reports/diff.h"
#include "reports/history.h"
#include "store/store.h"

#define TEST_TIMEOUT_S 30

/* ---- building scans in memory ------------------------------------------- */

static char *xstrdup(const char *s)
{
    char *p = strdup(s);
    ck_assert_ptr_nonnull(p);
    return p;
}

static void set_suites(struct target_result *r, enum tls_version v, const uint32_t *codes, size_t n,
                       enum enum_order order)
{
    struct enum_version_fact *f = &r->enumeration.versions[v];
    free(f->suites);
    f->suites = calloc(n ? n : 1, sizeof(*f->suites));
    ck_assert_ptr_nonnull(f->suites);
    for (size_t i = 0; i < n; i++) {
        f->suites[i].code = codes[i];
        f->suites[i].server_rank = order == ORDER_SERVER ? (int)i : -1;
    }
    f->n_suites = n;
    f->order = order;
    f->state = n > 0 ? PROBE_ACCEPTED : PROBE_REFUSED;
    if (v >= TLSV_TLS10) {
        r->versions[v].state = f->state;
    }
}

static void set_groups12(struct target_result *r, const uint16_t *codes, size_t n)
{
    free(r->enumeration.groups12);
    r->enumeration.groups12 = calloc(n ? n : 1, sizeof(uint16_t));
    ck_assert_ptr_nonnull(r->enumeration.groups12);
    memcpy(r->enumeration.groups12, codes, n * sizeof(uint16_t));
    r->enumeration.n_groups12 = n;
}

/* set_chain gives r a chain of n certificates whose SHA-256 are 64 times
 * the given hex digit each. */
static void set_chain(struct target_result *r, const char *digits, const char *leaf_subject)
{
    size_t n = strlen(digits);
    fact_mark(&r->chain_header, true);
    r->certs = calloc(n, sizeof(*r->certs));
    ck_assert_ptr_nonnull(r->certs);
    r->n_certs = n;
    for (size_t i = 0; i < n; i++) {
        cert_fact_init(&r->certs[i]);
        memset(r->certs[i].sha256, digits[i], 64);
        r->certs[i].sha256[64] = '\0';
        r->certs[i].subject = xstrdup(i == 0 ? leaf_subject : "CN=int");
        r->certs[i].not_after = 1893456000; /* 2030-01-01 */
    }
    r->chain.trusted = true;
}

static struct target_result *add_target(struct report_data *d, const char *host, uint16_t port,
                                        const char *ip, int64_t id)
{
    d->targets = realloc(d->targets, (d->n_targets + 1) * sizeof(*d->targets));
    d->target_ids = realloc(d->target_ids, (d->n_targets + 1) * sizeof(*d->target_ids));
    ck_assert_ptr_nonnull(d->targets);
    ck_assert_ptr_nonnull(d->target_ids);
    struct target_result *r = &d->targets[d->n_targets];
    target_result_init(r);
    r->host = xstrdup(host);
    r->port = port;
    snprintf(r->ip, sizeof(r->ip), "%s", ip);
    r->status = TARGET_OK;
    fact_mark(&r->enumeration.header, true);
    for (int v = 0; v < TLSV_COUNT; v++) {
        r->enumeration.versions[v].state = PROBE_REFUSED;
    }
    for (int v = TLSV_HS_FIRST; v < TLSV_COUNT; v++) {
        r->versions[v].state = PROBE_REFUSED;
    }
    d->target_ids[d->n_targets] = id;
    d->n_targets++;
    return r;
}

static struct store_run *add_run(struct report_data *d, const char *policy_id)
{
    d->runs = realloc(d->runs, (d->n_runs + 1) * sizeof(*d->runs));
    ck_assert_ptr_nonnull(d->runs);
    struct store_run *r = &d->runs[d->n_runs++];
    memset(r, 0, sizeof(*r));
    r->id = (int64_t)d->n_runs;
    r->policy_id = xstrdup(policy_id);
    return r;
}

static void add_finding_sev(struct store_run *run, int64_t tid, const char *rule,
                            const char *verdict, const char *severity, const char *evidence)
{
    run->findings = realloc(run->findings, (run->n_findings + 1) * sizeof(*run->findings));
    ck_assert_ptr_nonnull(run->findings);
    struct store_finding_row *f = &run->findings[run->n_findings++];
    memset(f, 0, sizeof(*f));
    f->target_id = tid;
    f->rule_id = xstrdup(rule);
    f->title = xstrdup(rule);
    f->severity = xstrdup(severity);
    f->verdict = xstrdup(verdict);
    f->evidence = evidence != NULL ? xstrdup(evidence) : NULL;
}

static void add_finding(struct store_run *run, int64_t tid, const char *rule, const char *verdict,
                        const char *evidence)
{
    add_finding_sev(run, tid, rule, verdict, "high", evidence);
}

static void scan_init(struct report_data *d, int64_t id)
{
    memset(d, 0, sizeof(*d));
    d->info.id = id;
    d->info.started_ms = 1767225600000 + id * 1000;
    snprintf(d->info.state, sizeof(d->info.state), "complete");
}

static const uint32_t c02f_c030[] = {0xC02F, 0xC030};
static const uint32_t c030_c02f_009c[] = {0xC030, 0xC02F, 0x009C};
static const uint32_t rsa_aes128[] = {0x002F};
static const uint16_t x25519_p256[] = {0x001D, 0x0017};
static const uint16_t x25519[] = {0x001D};

/* The scenario: target x in both scans with many changes, y only in A,
 * z only in B; policy p1 in both, p2 only in B. */
static void build_scans(struct report_data *a, struct report_data *b)
{
    scan_init(a, 1);
    scan_init(b, 2);

    struct target_result *xa = add_target(a, "x.example", 443, "192.0.2.1", 10);
    set_suites(xa, TLSV_TLS12, c02f_c030, 2, ORDER_SERVER);
    set_groups12(xa, x25519_p256, 2);
    set_chain(xa, "ab", "CN=x.example");
    add_target(a, "y.example", 443, "192.0.2.2", 11);

    struct target_result *xb = add_target(b, "X.example", 443, "192.0.2.1", 20);
    set_suites(xb, TLSV_TLS10, rsa_aes128, 1, ORDER_UNKNOWN);
    set_suites(xb, TLSV_TLS12, c030_c02f_009c, 3, ORDER_SERVER);
    set_groups12(xb, x25519, 1);
    set_chain(xb, "cb", "CN=x.example\x1b[31m");
    xb->chain.trusted = false;
    xb->chain.expired = true;
    snprintf(xb->chain.verify_text, sizeof(xb->chain.verify_text), "certificate expired");
    add_target(b, "z.example", 8443, "192.0.2.3", 21);

    struct store_run *pa = add_run(a, "p1");
    add_finding(pa, 10, "r1", "pass", NULL);
    add_finding(pa, 10, "r2", "fail", "old problem");
    add_finding(pa, 10, "r3", "pass", NULL);
    add_finding(pa, 11, "r1", "fail", "y fails");
    struct store_run *pb = add_run(b, "p1");
    add_finding(pb, 20, "r1", "fail", "<script>alert(1)</script>");
    add_finding(pb, 20, "r2", "pass", NULL);
    add_finding(pb, 20, "r3", "warn", NULL);
    add_finding(pb, 21, "r1", "fail", "z fails");
    struct store_run *p2 = add_run(b, "p2");
    add_finding(p2, 20, "q1", "fail", "p2 is new");
}

static void check_stream(struct report_data *a, struct report_data *b);

struct want {
    enum diff_kind kind;
    bool worse;
    int version;
    uint32_t code;
    const char *rule_id;
    const char *before;
    const char *after;
};

static void check_entry(const struct diff_entry *e, const struct want *w, size_t i)
{
    ck_assert_msg(e->kind == w->kind, "entry %zu: kind %s, want %s", i, diff_kind_name(e->kind),
                  diff_kind_name(w->kind));
    ck_assert_msg(e->worse == w->worse, "entry %zu (%s): worse %d", i, diff_kind_name(e->kind),
                  e->worse);
    ck_assert_int_eq(e->version, w->version);
    ck_assert_uint_eq(e->code, w->code);
    if (w->rule_id != NULL) {
        ck_assert_str_eq(e->rule_id, w->rule_id);
    }
    if (w->before != NULL) {
        ck_assert_ptr_nonnull(e->before);
        ck_assert_str_eq(e->before, w->before);
    }
    if (w->after != NULL) {
        ck_assert_ptr_nonnull(e->after);
        ck_assert_str_eq(e->after, w->after);
    }
}

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

START_TEST(test_forward_entries)
{
    struct report_data a, b;
    build_scans(&a, &b);
    struct diff *d = diff_compute(&a, &b);
    ck_assert_ptr_nonnull(d);

    /* Targets: B's in order (x paired with A's x despite the case), then
     * A's y. */
    ck_assert_uint_eq(d->n_targets, 3);
    ck_assert_int_eq(d->targets[0].presence, DIFF_IN_BOTH);
    ck_assert_str_eq(d->targets[0].host, "X.example");
    ck_assert_int_eq(d->targets[0].a, 0);
    ck_assert_int_eq(d->targets[0].b, 0);
    ck_assert_int_eq(d->targets[1].presence, DIFF_ONLY_B);
    ck_assert_str_eq(d->targets[1].host, "z.example");
    ck_assert_int_eq(d->targets[2].presence, DIFF_ONLY_A);
    ck_assert_str_eq(d->targets[2].host, "y.example");

    ck_assert_uint_eq(d->policies_compared.n_items, 1);
    ck_assert_str_eq(d->policies_compared.items[0], "p1");
    ck_assert_uint_eq(d->policies_only_a.n_items, 0);
    ck_assert_uint_eq(d->policies_only_b.n_items, 1);
    ck_assert_str_eq(d->policies_only_b.items[0], "p2");

    const struct want want[] = {
        {DIFF_VERSION_ENABLED, true, TLSV_TLS10, 0, NULL, "refused", "accepted"},
        {DIFF_SUITE_ADDED, true, TLSV_TLS10, 0x002F, NULL, NULL, NULL},
        {DIFF_SUITE_ADDED, true, TLSV_TLS12, 0x009C, NULL, NULL, NULL},
        {DIFF_ORDER_CHANGED, false, TLSV_TLS12, 0, NULL,
         "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 > TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
         "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 > TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
        {DIFF_GROUP_REMOVED, false, TLSV_TLS12, 0x0017, NULL, NULL, NULL},
        {DIFF_CERT_ROTATED, false, -1, 0, NULL, SHA_A, SHA_C},
        {DIFF_CHAIN_PROBLEM_NEW, true, -1, 0, NULL, NULL, NULL},
        {DIFF_CHAIN_PROBLEM_NEW, true, -1, 0, NULL, NULL, NULL},
        {DIFF_FINDING_NEW, true, -1, 0, "r1", "pass", "fail"},
        {DIFF_FINDING_RESOLVED, false, -1, 0, "r2", "fail", "pass"},
        {DIFF_FINDING_CHANGED, false, -1, 0, "r3", "pass", "warn"},
    };
    size_t n_want = sizeof(want) / sizeof(want[0]);
    ck_assert_uint_eq(d->n_entries, n_want);
    for (size_t i = 0; i < n_want; i++) {
        ck_assert_uint_eq(d->entries[i].target, 0);
        check_entry(&d->entries[i], &want[i], i);
    }
    ck_assert_str_eq(d->entries[1].name, "TLS_RSA_WITH_AES_128_CBC_SHA");
    ck_assert_str_eq(d->entries[4].name, "secp256r1");
    ck_assert_str_eq(d->entries[6].name, "untrusted");
    ck_assert_str_eq(d->entries[6].detail, "certificate expired");
    ck_assert_str_eq(d->entries[7].name, "expired");
    ck_assert_str_eq(d->entries[8].policy_id, "p1");
    ck_assert_str_eq(d->entries[8].detail, "<script>alert(1)</script>");
    ck_assert_uint_eq(d->n_worse, 6);
    ck_assert_uint_eq(d->targets[0].n_changes, n_want);
    ck_assert_uint_eq(d->targets[0].n_worse, 6);
    ck_assert_uint_eq(d->targets[1].n_changes, 0);

    diff_free(d);
    check_stream(&a, &b);
    report_data_cleanup(&a);
    report_data_cleanup(&b);
}
END_TEST

START_TEST(test_reverse_entries)
{
    struct report_data a, b;
    build_scans(&a, &b);
    struct diff *d = diff_compute(&b, &a);
    ck_assert_ptr_nonnull(d);
    const struct want want[] = {
        {DIFF_VERSION_DISABLED, false, TLSV_TLS10, 0, NULL, "accepted", "refused"},
        {DIFF_SUITE_REMOVED, false, TLSV_TLS10, 0x002F, NULL, NULL, NULL},
        {DIFF_SUITE_REMOVED, false, TLSV_TLS12, 0x009C, NULL, NULL, NULL},
        {DIFF_ORDER_CHANGED, false, TLSV_TLS12, 0, NULL, NULL, NULL},
        {DIFF_GROUP_ADDED, false, TLSV_TLS12, 0x0017, NULL, NULL, NULL},
        {DIFF_CERT_ROTATED, false, -1, 0, NULL, SHA_C, SHA_A},
        {DIFF_CHAIN_PROBLEM_GONE, false, -1, 0, NULL, NULL, NULL},
        {DIFF_CHAIN_PROBLEM_GONE, false, -1, 0, NULL, NULL, NULL},
        {DIFF_FINDING_RESOLVED, false, -1, 0, "r1", "fail", "pass"},
        {DIFF_FINDING_NEW, true, -1, 0, "r2", "pass", "fail"},
        {DIFF_FINDING_CHANGED, false, -1, 0, "r3", "warn", "pass"},
    };
    size_t n_want = sizeof(want) / sizeof(want[0]);
    ck_assert_uint_eq(d->n_entries, n_want);
    for (size_t i = 0; i < n_want; i++) {
        check_entry(&d->entries[i], &want[i], i);
    }
    /* r2 fails again: the one worse change of the reverse direction. */
    ck_assert_uint_eq(d->n_worse, 1);
    ck_assert_str_eq(d->policies_only_a.items[0], "p2");
    diff_free(d);
    check_stream(&b, &a);
    report_data_cleanup(&a);
    report_data_cleanup(&b);
}
END_TEST

START_TEST(test_identical_is_empty)
{
    struct report_data a, b;
    build_scans(&a, &b);
    struct diff *d = diff_compute(&b, &b);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d->n_entries, 0);
    ck_assert_uint_eq(d->n_worse, 0);
    ck_assert_uint_eq(d->n_targets, 2);
    ck_assert_int_eq(d->targets[0].presence, DIFF_IN_BOTH);
    ck_assert_int_eq(d->targets[1].presence, DIFF_IN_BOTH);
    diff_free(d);
    report_data_cleanup(&a);
    report_data_cleanup(&b);
}
END_TEST

/* Only better: a version and its suite gone, a finding resolved, the
 * policy verdict back to pass. */
START_TEST(test_better_is_not_worse)
{
    struct report_data a, b;
    scan_init(&a, 1);
    scan_init(&b, 2);
    struct target_result *ra = add_target(&a, "h", 443, "192.0.2.9", 1);
    set_suites(ra, TLSV_TLS10, rsa_aes128, 1, ORDER_UNKNOWN);
    set_suites(ra, TLSV_TLS12, c02f_c030, 2, ORDER_CLIENT);
    struct target_result *rb = add_target(&b, "h", 443, "192.0.2.9", 2);
    set_suites(rb, TLSV_TLS12, c02f_c030, 2, ORDER_CLIENT);
    add_finding(add_run(&a, "p"), 1, "no-tls10", "fail", "TLS 1.0 accepted");
    add_finding(add_run(&b, "p"), 2, "no-tls10", "pass", NULL);
    struct diff *d = diff_compute(&a, &b);
    ck_assert_ptr_nonnull(d);
    const struct want want[] = {
        {DIFF_VERSION_DISABLED, false, TLSV_TLS10, 0, NULL, "accepted", "refused"},
        {DIFF_SUITE_REMOVED, false, TLSV_TLS10, 0x002F, NULL, NULL, NULL},
        {DIFF_FINDING_RESOLVED, false, -1, 0, "no-tls10", "fail", "pass"},
        {DIFF_POLICY_VERDICT, false, -1, 0, NULL, "non-compliant", "compliant"},
    };
    ck_assert_uint_eq(d->n_entries, 4);
    for (size_t i = 0; i < 4; i++) {
        check_entry(&d->entries[i], &want[i], i);
    }
    ck_assert_uint_eq(d->n_worse, 0);
    diff_free(d);

    /* The other way round the verdict change is worse too. */
    d = diff_compute(&b, &a);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d->n_entries, 4);
    ck_assert_int_eq(d->entries[3].kind, DIFF_POLICY_VERDICT);
    ck_assert(d->entries[3].worse);
    ck_assert_uint_eq(d->n_worse, 4); /* enabled, suite added, new finding, verdict */
    diff_free(d);
    report_data_cleanup(&a);
    report_data_cleanup(&b);
}
END_TEST

/* A target that could not be scanned the second time: only the status
 * change, not every version "disabled", and worse (it stopped answering).
 * Pairing uses the address too. */
START_TEST(test_unreachable_and_address)
{
    struct report_data a, b;
    scan_init(&a, 1);
    scan_init(&b, 2);
    struct target_result *ra = add_target(&a, "h", 443, "192.0.2.9", 1);
    set_suites(ra, TLSV_TLS12, c02f_c030, 2, ORDER_CLIENT);
    add_target(&a, "h", 443, "192.0.2.10", 2);
    struct target_result *rb = add_target(&b, "h", 443, "192.0.2.9", 3);
    rb->status = TARGET_UNREACHABLE;
    fact_mark(&rb->enumeration.header, false);
    snprintf(rb->error, sizeof(rb->error), "connection refused");
    add_target(&b, "h", 443, "192.0.2.11", 4);
    struct diff *d = diff_compute(&a, &b);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d->n_entries, 1);
    ck_assert_int_eq(d->entries[0].kind, DIFF_STATUS_CHANGED);
    ck_assert_str_eq(d->entries[0].before, "ok");
    ck_assert_str_eq(d->entries[0].after, "unreachable");
    ck_assert_str_eq(d->entries[0].detail, "connection refused");
    ck_assert(d->entries[0].worse);
    ck_assert_uint_eq(d->n_worse, 1);
    /* Listed by identity ("192.0.2.11" < "192.0.2.9"), those only in A last. */
    ck_assert_uint_eq(d->n_targets, 3);
    ck_assert_int_eq(d->targets[0].presence, DIFF_ONLY_B);
    ck_assert_str_eq(d->targets[0].ip, "192.0.2.11");
    ck_assert_int_eq(d->targets[1].presence, DIFF_IN_BOTH);
    ck_assert_uint_eq(d->entries[0].target, 1);
    ck_assert_int_eq(d->targets[2].presence, DIFF_ONLY_A);
    ck_assert_str_eq(d->targets[2].ip, "192.0.2.10");
    diff_free(d);
    check_stream(&a, &b);
    check_stream(&b, &a);
    report_data_cleanup(&a);
    report_data_cleanup(&b);
}
END_TEST

/* The application protocol is part of the endpoint: port 25 scanned as
 * smtp and as direct TLS are two targets, never one compared with the
 * other; the same protocol in both scans pairs. */
START_TEST(test_starttls_is_part_of_the_key)
{
    struct report_data a, b;
    scan_init(&a, 1);
    scan_init(&b, 2);
    struct target_result *ra = add_target(&a, "mx", 25, "192.0.2.9", 1);
    snprintf(ra->starttls, sizeof(ra->starttls), "smtp");
    set_suites(ra, TLSV_TLS12, c02f_c030, 2, ORDER_CLIENT);
    struct target_result *rb = add_target(&b, "mx", 25, "192.0.2.9", 2);
    snprintf(rb->starttls, sizeof(rb->starttls), "none");
    rb->status = TARGET_NO_TLS;
    struct target_result *rc = add_target(&b, "mx", 25, "192.0.2.9", 3);
    snprintf(rc->starttls, sizeof(rc->starttls), "smtp");
    set_suites(rc, TLSV_TLS12, c02f_c030, 2, ORDER_CLIENT);
    struct diff *d = diff_compute(&a, &b);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d->n_entries, 0); /* smtp pairs with smtp: nothing changed */
    ck_assert_uint_eq(d->n_targets, 2);
    for (size_t i = 0; i < d->n_targets; i++) {
        bool smtp = strcmp(d->targets[i].starttls, "smtp") == 0;
        ck_assert_int_eq(d->targets[i].presence, smtp ? DIFF_IN_BOTH : DIFF_ONLY_B);
    }
    ck_assert_str_ne(d->targets[0].starttls, d->targets[1].starttls);
    diff_free(d);
    check_stream(&a, &b);
    report_data_cleanup(&a);
    report_data_cleanup(&b);
}
END_TEST

/* render writes d in format f into a malloc'ed string. */
static char *render(const struct diff *d, enum report_format f)
{
    char *buf = NULL;
    size_t len = 0;
    char err[256];
    FILE *m = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(diff_write(m, f, d, err, sizeof(err)), 0);
    ck_assert_int_eq(fclose(m), 0);
    return buf;
}

/* ---- the streamed diff (diff_stream over a store) against the diff of
 * the same two scans loaded whole ------------------------------------------ */

#define TEST_SHA "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* give_der gives each certificate of d without one a DER (its SHA-256's
 * text: the store keeps DER; nothing here reads it back). */
static void give_der(struct cert_fact *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (c[i].der == NULL) {
            c[i].der = (unsigned char *)xstrdup(c[i].sha256);
            c[i].der_len = strlen(c[i].sha256);
        }
    }
}

/* put_scan stores d (its targets in their order, its runs with the target
 * ids mapped, its state) as a new scan of s; returns the scan's id. */
static int64_t put_scan(struct store *s, struct report_data *d)
{
    struct scan_meta meta = {.started_ms = d->info.started_ms, .tool_version = "t", .options = "t"};
    int64_t id = 0;
    ck_assert_msg(store_scan_begin(s, &meta, &id) == 0, "%s", store_errmsg(s));
    int64_t *ids = calloc(d->n_targets + 1, sizeof(*ids));
    ck_assert_ptr_nonnull(ids);
    for (size_t i = 0; i < d->n_targets; i++) {
        struct target_result *r = &d->targets[i];
        give_der(r->certs, r->n_certs);
        for (size_t k = 0; k < r->n_deployments; k++) {
            give_der(r->deployments[k].certs, r->deployments[k].n_certs);
        }
        ck_assert_msg(store_put_target_id(s, id, r, &ids[i]) == 0, "%s", store_errmsg(s));
    }
    for (size_t r = 0; r < d->n_runs; r++) {
        const struct store_run *run = &d->runs[r];
        struct store_finding *f = calloc(run->n_findings + 1, sizeof(*f));
        ck_assert_ptr_nonnull(f);
        for (size_t k = 0; k < run->n_findings; k++) {
            const struct store_finding_row *x = &run->findings[k];
            int64_t to = -1;
            for (size_t i = 0; i < d->n_targets; i++) {
                to = d->target_ids[i] == x->target_id ? ids[i] : to;
            }
            ck_assert_int_ge(to, 0);
            f[k] = (struct store_finding){.target_id = to,
                                          .rule_id = x->rule_id,
                                          .title = x->title,
                                          .severity = x->severity,
                                          .verdict = x->verdict,
                                          .evidence = x->evidence};
        }
        struct store_policy_run pr = {.policy_id = run->policy_id,
                                      .policy_sha256 = TEST_SHA,
                                      .evaluated_ms = 1767225600000 + (int64_t)r,
                                      .tool_version = "t",
                                      .gate = &run->gate};
        ck_assert_msg(store_put_findings(s, id, &pr, f, run->n_findings, NULL) == 0, "%s",
                      store_errmsg(s));
        free(f);
    }
    free(ids);
    ck_assert_int_eq(store_scan_finish(s, id, "complete", d->info.started_ms + 1000), 0);
    return id;
}

/* check_stream stores a and b in a new database, and compares, in each
 * format, diff_stream's bytes and counts over it with diff_write of
 * diff_compute over the two scans loaded whole (report_load). */
static void check_stream(struct report_data *a, struct report_data *b)
{
    const char *base = getenv("TMPDIR");
    char dir[256], db[300], err[512];
    snprintf(dir, sizeof(dir), "%s/diff_test.XXXXXX", base != NULL && base[0] ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(db, sizeof(db), "%s/t.db", dir);
    struct store *s = NULL;
    ck_assert_int_eq(store_open(db, &s, err, sizeof(err)), 0);
    int64_t ia = put_scan(s, a), ib = put_scan(s, b);
    store_close(s);
    ck_assert_int_eq(store_open_readonly(db, &s, err, sizeof(err)), 0);
    const enum report_format fmts[] = {REPORT_TEXT, REPORT_JSON, REPORT_MARKDOWN};
    for (size_t k = 0; k < 3; k++) {
        struct report_data la, lb, ha, hb;
        ck_assert_int_eq(report_load(s, ia, db, &la, err, sizeof(err)), 0);
        ck_assert_int_eq(report_load(s, ib, db, &lb, err, sizeof(err)), 0);
        struct diff *d = diff_compute(&la, &lb);
        ck_assert_ptr_nonnull(d);
        char *whole = render(d, fmts[k]);
        char *buf = NULL;
        size_t len = 0;
        struct diff_summary sum;
        FILE *m = open_memstream(&buf, &len);
        ck_assert_ptr_nonnull(m);
        ck_assert_int_eq(report_load_heads(s, ia, db, &ha, err, sizeof(err)), 0);
        ck_assert_int_eq(report_load_heads(s, ib, db, &hb, err, sizeof(err)), 0);
        ck_assert_msg(diff_stream(m, fmts[k], s, &ha, &hb, &sum, err, sizeof(err)) == 0, "%s", err);
        ck_assert_int_eq(fclose(m), 0);
        ck_assert_str_eq(buf, whole);
        ck_assert_uint_eq(sum.n_entries, d->n_entries);
        ck_assert_uint_eq(sum.n_worse, d->n_worse);
        free(buf);
        free(whole);
        diff_free(d);
        report_data_cleanup(&la);
        report_data_cleanup(&lb);
        report_data_cleanup(&ha);
        report_data_cleanup(&hb);
    }
    store_close(s);
    const char *suffix[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        char p[320];
        snprintf(p, sizeof(p), "%s%s", db, suffix[i]);
        unlink(p);
    }
    rmdir(dir);
}

/* sni_scan builds a scan of two targets sharing address and port, told
 * apart by SNI only, stored in the order given (0: a first, 1: b first);
 * the target with SNI "b.example" accepts TLS 1.0 when b10 is set. */
static void sni_scan(struct report_data *d, int64_t id, int order, bool b10)
{
    scan_init(d, id);
    for (int k = 0; k < 2; k++) {
        bool is_b = (k == 0) == (order == 1);
        struct target_result *r = add_target(d, "127.0.0.1", 8443, "127.0.0.1", id * 10 + k);
        r->sni = xstrdup(is_b ? "b.example" : "a.example");
        if (is_b && b10) {
            r->enumeration.versions[TLSV_TLS10].state = PROBE_ACCEPTED;
        }
    }
}

/* Targets that differ only by SNI pair by SNI, whatever order either scan
 * stored them in (issue 15: finishing order made every night "worse"). */
START_TEST(test_sni_pairing_any_order)
{
    for (int oa = 0; oa < 2; oa++) {
        for (int ob = 0; ob < 2; ob++) {
            struct report_data a, b;
            sni_scan(&a, 1, oa, false);
            sni_scan(&b, 2, ob, false);
            struct diff *d = diff_compute(&a, &b);
            ck_assert_ptr_nonnull(d);
            ck_assert_msg(d->n_entries == 0, "orders %d/%d: %zu changes", oa, ob, d->n_entries);
            ck_assert_uint_eq(d->n_targets, 2);
            /* Listed by identity: a.example before b.example. */
            ck_assert_str_eq(d->targets[0].sni, "a.example");
            ck_assert_str_eq(d->targets[1].sni, "b.example");
            diff_free(d);
            report_data_cleanup(&b);
            /* One real regression on b.example: exactly one worse entry, on it. */
            sni_scan(&b, 2, ob, true);
            d = diff_compute(&a, &b);
            ck_assert_ptr_nonnull(d);
            ck_assert_uint_eq(d->n_entries, 1);
            ck_assert_uint_eq(d->n_worse, 1);
            ck_assert_str_eq(d->targets[d->entries[0].target].sni, "b.example");
            ck_assert_int_eq(d->entries[0].kind, DIFF_VERSION_ENABLED);
            diff_free(d);
            check_stream(&a, &b);
            report_data_cleanup(&a);
            report_data_cleanup(&b);
        }
    }
}
END_TEST

/* flap_scan: one target, up (with a failing rule r1 and a passing r2) or
 * down (unreachable, not evaluated: no finding). */
static void flap_scan(struct report_data *d, int64_t id, bool up)
{
    scan_init(d, id);
    struct target_result *r = add_target(d, "h.example", 443, "192.0.2.1", id);
    struct store_run *run = add_run(d, "p1");
    if (up) {
        add_finding(run, id, "r1", "fail", "TLS 1.0 accepted");
        add_finding(run, id, "r2", "pass", NULL);
    } else {
        r->status = TARGET_UNREACHABLE;
        fact_mark(&r->enumeration.header, false);
    }
}

/* A flap (down one night, up the next): going down is worse, and the old
 * failure is "not evaluated" both nights, never resolved and then new. */
START_TEST(test_flap_not_evaluated)
{
    struct report_data n1, n2, n3;
    flap_scan(&n1, 1, true);
    flap_scan(&n2, 2, false);
    flap_scan(&n3, 3, true);
    struct diff *d = diff_compute(&n1, &n2);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d->n_entries, 2);
    ck_assert_int_eq(d->entries[0].kind, DIFF_STATUS_CHANGED);
    ck_assert(d->entries[0].worse);
    ck_assert_int_eq(d->entries[1].kind, DIFF_NOT_EVALUATED);
    ck_assert(!d->entries[1].worse);
    ck_assert_str_eq(d->entries[1].before, "non-compliant");
    ck_assert_str_eq(d->entries[1].after, "not-evaluated");
    ck_assert_uint_eq(d->n_worse, 1);
    char *text = render(d, REPORT_TEXT);
    ck_assert_ptr_nonnull(strstr(text, "~ WORSE unreachable now, was reachable: status ok -> "
                                       "unreachable"));
    ck_assert_ptr_null(strstr(text, "resolved finding"));
    ck_assert_ptr_nonnull(strstr(text, "not evaluated now (the target was not scanned), not "
                                       "resolved"));
    free(text);
    diff_free(d);

    d = diff_compute(&n2, &n3);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d->n_entries, 2);
    ck_assert_int_eq(d->entries[0].kind, DIFF_STATUS_CHANGED);
    ck_assert(!d->entries[0].worse);
    ck_assert_int_eq(d->entries[1].kind, DIFF_NOT_EVALUATED);
    ck_assert_uint_eq(d->n_worse, 0);
    text = render(d, REPORT_TEXT);
    ck_assert_ptr_null(strstr(text, "new failing"));
    free(text);
    diff_free(d);

    /* Across the flap (1 -> 3) nothing changed. */
    d = diff_compute(&n1, &n3);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d->n_entries, 0);
    diff_free(d);
    check_stream(&n1, &n2);
    check_stream(&n2, &n3);
    report_data_cleanup(&n1);
    report_data_cleanup(&n2);
    report_data_cleanup(&n3);
}
END_TEST

START_TEST(test_renderers_escape)
{
    struct report_data a, b;
    build_scans(&a, &b);
    struct diff *d = diff_compute(&a, &b);
    ck_assert_ptr_nonnull(d);

    char *text = render(d, REPORT_TEXT);
    ck_assert_ptr_null(strchr(text, '\x1b'));
    ck_assert_ptr_nonnull(strstr(text, "CN=x.example\\x1b[31m"));
    ck_assert_ptr_nonnull(strstr(text, "+ WORSE TLS 1.0 enabled (refused -> accepted)"));
    ck_assert_ptr_nonnull(strstr(text, "6 changes are worse."));
    free(text);

    char *md = render(d, REPORT_MARKDOWN);
    ck_assert_ptr_null(strchr(md, '\x1b'));
    ck_assert_ptr_null(strstr(md, "<script>"));
    ck_assert_ptr_nonnull(strstr(md, "&lt;script&gt;"));
    ck_assert_ptr_nonnull(strstr(md, "- **worse** TLS 1.0 enabled"));
    free(md);

    char *js = render(d, REPORT_JSON);
    json_error_t jerr;
    json_t *root = json_loads(js, 0, &jerr);
    ck_assert_msg(root != NULL, "JSON does not parse: %s", jerr.text);
    ck_assert_str_eq(json_string_value(json_object_get(root, "schema")), "tlsaudit-diff");
    ck_assert_int_eq(json_integer_value(json_object_get(root, "schema_version")),
                     DIFF_JSON_SCHEMA_VERSION);
    ck_assert(json_is_true(json_object_get(root, "worse")));
    json_t *changes =
        json_object_get(json_array_get(json_object_get(root, "targets"), 0), "changes");
    ck_assert_uint_eq(json_array_size(changes), d->n_entries);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(changes, 8), "detail")),
                     "<script>alert(1)</script>");
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(changes, 0), "kind")),
                     "version_enabled");
    json_decref(root);
    free(js);

    char err[128];
    ck_assert_int_eq(diff_write(stdout, REPORT_CSV, d, err, sizeof(err)), -1);
    diff_free(d);
    report_data_cleanup(&a);
    report_data_cleanup(&b);
}
END_TEST

START_TEST(test_history_summary)
{
    struct report_data a, b;
    build_scans(&a, &b);
    ck_assert(diff_version_accepted(&b.targets[0], TLSV_TLS10));
    ck_assert(!diff_version_accepted(&a.targets[0], TLSV_TLS10));
    ck_assert_uint_eq(diff_suite_count(&b.targets[0]), 4);
    struct diff_policy_counts pc[4];
    ck_assert_uint_eq(diff_policy_counts(&b, 0, pc, 4), 2);
    ck_assert_str_eq(pc[0].policy_id, "p1");
    ck_assert_uint_eq(pc[0].n_fail, 1);
    ck_assert_uint_eq(pc[0].n_pass, 1);
    ck_assert_uint_eq(pc[0].n_warn, 1);
    ck_assert_str_eq(pc[1].policy_id, "p2");
    ck_assert_uint_eq(pc[1].n_fail, 1);
    /* z has no p2 finding: only p1 is listed for it. */
    ck_assert_uint_eq(diff_policy_counts(&b, 1, pc, 4), 1);
    report_data_cleanup(&a);
    report_data_cleanup(&b);
}
END_TEST

/* ---- the verdict at the stored gate (diff and history) ------------------ */

/* gate_scan: one target (id tid) and one run of policy "p" at --fail-on
 * high: r1 fails at low severity (below the gate), r2 has verdict v2 at
 * high severity. */
static void gate_scan(struct report_data *d, int64_t id, int64_t tid, const char *v2)
{
    scan_init(d, id);
    add_target(d, "h", 443, "192.0.2.9", tid);
    struct store_run *run = add_run(d, "p");
    run->gate = GATE_DEFAULT;
    add_finding_sev(run, tid, "r1", "fail", "low", "weak but below the gate");
    add_finding_sev(run, tid, "r2", v2, "high", NULL);
}

/* gate_scans: a compliant (r2 passes), a not demonstrated (r2
 * inconclusive) and a non-compliant (r2 fails) scan at --fail-on high. */
static void gate_scans(struct report_data *a, struct report_data *b, struct report_data *c)
{
    gate_scan(a, 1, 1, "pass");
    gate_scan(b, 2, 2, "inconclusive");
    gate_scan(c, 3, 3, "fail");
}

/* verdict_entry returns the policy_verdict_changed entry of d, or NULL. */
static const struct diff_entry *verdict_entry(const struct diff *d)
{
    for (size_t i = 0; i < d->n_entries; i++) {
        if (d->entries[i].kind == DIFF_POLICY_VERDICT) {
            return &d->entries[i];
        }
    }
    return NULL;
}

/* A failing rule below the gate: the target is compliant at the gate, as
 * `report` says; an inconclusive rule at the gate makes it not
 * demonstrated; a failing one non-compliant. Each step worse is worse. */
START_TEST(test_verdict_at_gate)
{
    struct report_data a, b, c;
    gate_scans(&a, &b, &c);
    const char *names[3] = {"compliant", "not-demonstrated", "non-compliant"};
    const struct report_data *scans[3] = {&a, &b, &c};
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++) {
            struct diff *d = diff_compute(scans[i], scans[j]);
            ck_assert_ptr_nonnull(d);
            const struct diff_entry *e = verdict_entry(d);
            if (i == j) {
                ck_assert_ptr_null(e);
            } else {
                ck_assert_msg(e != NULL, "no verdict change %s -> %s", names[i], names[j]);
                ck_assert_str_eq(e->before, names[i]);
                ck_assert_str_eq(e->after, names[j]);
                ck_assert_msg(e->worse == (j > i), "%s -> %s worse %d", names[i], names[j],
                              e->worse);
                char want[96];
                snprintf(want, sizeof(want), "at --fail-on high; %d failing rule%s before, %d now",
                         i == 2 ? 2 : 1, i == 2 ? "s" : "", j == 2 ? 2 : 1);
                ck_assert_str_eq(e->detail, want);
            }
            diff_free(d);
        }
    }
    check_stream(&a, &b);
    check_stream(&b, &c);
    report_data_cleanup(&a);
    report_data_cleanup(&b);
    report_data_cleanup(&c);
}
END_TEST

/* A rule that newly fails below the gate stored with B's run is listed as
 * new but is not worse (the gate accepts it, as `report` and JUnit say);
 * the same rule at the gate's severity is worse. */
START_TEST(test_finding_new_below_gate)
{
    struct report_data a, b;
    gate_scan(&a, 1, 1, "pass");
    gate_scan(&b, 2, 2, "pass");
    free(a.runs[0].findings[0].verdict); /* r1 (low) passed in A, fails in B */
    a.runs[0].findings[0].verdict = xstrdup("pass");
    struct diff *d = diff_compute(&a, &b);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(d->n_entries, 1);
    ck_assert_int_eq(d->entries[0].kind, DIFF_FINDING_NEW);
    ck_assert_str_eq(d->entries[0].rule_id, "r1");
    ck_assert(!d->entries[0].worse);
    ck_assert_uint_eq(d->n_worse, 0);
    diff_free(d);
    b.runs[0].gate.fail_on = SEV_LOW; /* judged at --fail-on low, it fails the gate */
    d = diff_compute(&a, &b);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_ge(d->n_entries, 1);
    ck_assert_int_eq(d->entries[0].kind, DIFF_FINDING_NEW);
    ck_assert(d->entries[0].worse);
    diff_free(d);
    report_data_cleanup(&a);
    report_data_cleanup(&b);
}
END_TEST

/* history_render writes the history of target 0 of each scan in format f
 * into a malloc'ed string. */
static char *history_render(const struct report_data *const *scans, size_t n, enum report_format f)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(m);
    struct history_writer *w = history_begin(m, f, "h", 443);
    ck_assert_ptr_nonnull(w);
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(history_add(w, scans[i], 0), 0);
    }
    ck_assert_int_eq(history_end(w), 0);
    history_free(w);
    ck_assert_int_eq(fclose(m), 0);
    return buf;
}

/* history gives the verdict at the stored gate too, with the counts. */
START_TEST(test_history_verdict_at_gate)
{
    struct report_data a, b, c;
    gate_scans(&a, &b, &c);
    struct diff_policy_counts pc[2];
    ck_assert_uint_eq(diff_policy_counts(&a, 0, pc, 2), 1);
    ck_assert_int_eq(pc[0].verdict, TV_COMPLIANT);
    ck_assert_uint_eq(pc[0].n_fail, 1);
    ck_assert_int_eq(pc[0].gate.fail_on, SEV_HIGH);
    const struct report_data *scans[3] = {&a, &b, &c};
    char *text = history_render(scans, 3, REPORT_TEXT);
    ck_assert_ptr_nonnull(strstr(text, "p pass at --fail-on high (1 fail, 1 pass)"));
    ck_assert_ptr_nonnull(
        strstr(text, "p NOT DEMONSTRATED at --fail-on high (1 fail, 0 pass, 1 inconclusive)"));
    ck_assert_ptr_nonnull(strstr(text, "p FAIL at --fail-on high (2 fail, 0 pass)"));
    free(text);
    char *js = history_render(scans, 3, REPORT_JSON);
    json_error_t jerr;
    json_t *root = json_loads(js, 0, &jerr);
    ck_assert_msg(root != NULL, "JSON does not parse: %s", jerr.text);
    ck_assert_int_eq(json_integer_value(json_object_get(root, "schema_version")), 2);
    const char *want[3] = {"compliant", "not-demonstrated", "non-compliant"};
    for (size_t i = 0; i < 3; i++) {
        json_t *p = json_array_get(
            json_object_get(json_array_get(json_object_get(root, "scans"), i), "policies"), 0);
        ck_assert_str_eq(json_string_value(json_object_get(p, "verdict")), want[i]);
        ck_assert_str_eq(json_string_value(json_object_get(p, "fail_on")), "high");
        ck_assert(json_is_false(json_object_get(p, "fail_on_inconclusive")));
    }
    json_decref(root);
    free(js);
    report_data_cleanup(&a);
    report_data_cleanup(&b);
    report_data_cleanup(&c);
}
END_TEST

/* ---- every certificate deployment (diff and history) -------------------- */

/* add_deployment gives r one more deployment labelled label whose leaf's
 * SHA-256 is 64 times digit. */
static void add_deployment(struct target_result *r, const char *label, char digit)
{
    r->deployments = realloc(r->deployments, (r->n_deployments + 1) * sizeof(*r->deployments));
    ck_assert_ptr_nonnull(r->deployments);
    struct deployment *d = &r->deployments[r->n_deployments++];
    deployment_init(d);
    snprintf(d->label, sizeof(d->label), "%s", label);
    fact_mark(&d->chain_header, true);
    d->certs = calloc(1, sizeof(*d->certs));
    ck_assert_ptr_nonnull(d->certs);
    d->n_certs = 1;
    cert_fact_init(&d->certs[0]);
    memset(d->certs[0].sha256, digit, 64);
    d->certs[0].sha256[64] = '\0';
    d->certs[0].subject = xstrdup("CN=h");
    d->certs[0].not_after = 1893456000; /* 2030-01-01 */
    d->chain.trusted = true;
}

/* dep_scan: target h with an RSA leaf of a's, then the given deployments
 * (labels[i] with leaf digit digits[i]). */
static void dep_scan(struct report_data *d, int64_t id, const char *const *labels,
                     const char *digits)
{
    scan_init(d, id);
    struct target_result *r = add_target(d, "h", 443, "192.0.2.9", id);
    set_chain(r, "a", "CN=h");
    snprintf(r->certs[0].key_type, sizeof(r->certs[0].key_type), "RSA");
    for (size_t i = 0; digits[i] != '\0'; i++) {
        add_deployment(r, labels[i], digits[i]);
    }
}

#define SHA_D "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
#define SHA_E "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
#define SHA_F "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"

/* The leaf of every deployment counts, not only the first one's: one
 * rotated (ECDSA), one added (EdDSA), one removed (no SNI); deployment 0
 * (RSA) unchanged gives no entry. */
START_TEST(test_deployments)
{
    const char *la[] = {"ECDSA", "no SNI"}, *lb[] = {"ECDSA", "EdDSA"};
    struct report_data a, b;
    dep_scan(&a, 1, la, "de");
    dep_scan(&b, 2, lb, "fc");
    struct diff *d = diff_compute(&a, &b);
    ck_assert_ptr_nonnull(d);
    const struct want want[] = {
        {DIFF_CERT_ROTATED, false, -1, 0, NULL, SHA_D, SHA_F},
        {DIFF_DEPLOYMENT_ADDED, false, -1, 0, NULL, NULL, SHA_C},
        {DIFF_DEPLOYMENT_REMOVED, false, -1, 0, NULL, SHA_E, NULL},
    };
    ck_assert_uint_eq(d->n_entries, 3);
    const char *names[] = {"ECDSA", "EdDSA", "no SNI"};
    for (size_t i = 0; i < 3; i++) {
        check_entry(&d->entries[i], &want[i], i);
        ck_assert_str_eq(d->entries[i].name, names[i]);
    }
    ck_assert_ptr_null(d->entries[2].after);
    ck_assert_uint_eq(d->n_worse, 0);
    char *text = render(d, REPORT_TEXT);
    ck_assert_ptr_nonnull(strstr(text, "~ certificate rotated: " SHA_D " -> " SHA_F
                                       " (ECDSA: CN=h, expires 2030-01-01)"));
    ck_assert_ptr_nonnull(strstr(text, "+ certificate deployment added: " SHA_C " (EdDSA: "));
    ck_assert_ptr_nonnull(strstr(text, "- certificate deployment removed: " SHA_E " (no SNI: "));
    free(text);
    char *js = render(d, REPORT_JSON);
    ck_assert_ptr_nonnull(strstr(js, "\"deployment_added\""));
    free(js);
    diff_free(d);

    /* history lists every deployment's leaf with its label. */
    const struct report_data *scans[2] = {&a, &b};
    char *h = history_render(scans, 2, REPORT_TEXT);
    ck_assert_ptr_nonnull(strstr(h, "leaf RSA:aaaaaaaaaaaaaaaa expires 2030-01-01, "
                                    "ECDSA:dddddddddddddddd expires 2030-01-01, "
                                    "no SNI:eeeeeeeeeeeeeeee expires 2030-01-01  "));
    ck_assert_ptr_nonnull(strstr(h, "leaf RSA:aaaaaaaaaaaaaaaa expires 2030-01-01, "
                                    "ECDSA:ffffffffffffffff expires 2030-01-01, "
                                    "EdDSA:cccccccccccccccc expires 2030-01-01  "));
    free(h);
    h = history_render(scans, 1, REPORT_MARKDOWN);
    ck_assert_ptr_nonnull(strstr(h, "| RSA:aaaaaaaaaaaaaaaa, ECDSA:dddddddddddddddd, no "
                                    "SNI:eeeeeeeeeeeeeeee | 2030-01-01, 2030-01-01, 2030-01-01 |"));
    free(h);
    h = history_render(scans + 1, 1, REPORT_JSON);
    json_error_t jerr;
    json_t *root = json_loads(h, 0, &jerr);
    ck_assert_msg(root != NULL, "JSON does not parse: %s", jerr.text);
    json_t *leaves = json_object_get(json_array_get(json_object_get(root, "scans"), 0), "leaves");
    ck_assert_uint_eq(json_array_size(leaves), 3);
    const char *labels[] = {"RSA", "ECDSA", "EdDSA"}, *shas[] = {SHA_A, SHA_F, SHA_C};
    for (size_t i = 0; i < 3; i++) {
        json_t *l = json_array_get(leaves, i);
        ck_assert_str_eq(json_string_value(json_object_get(l, "deployment")), labels[i]);
        ck_assert_str_eq(json_string_value(json_object_get(l, "sha256")), shas[i]);
        ck_assert_str_eq(json_string_value(json_object_get(l, "not_after")), "2030-01-01");
    }
    json_decref(root);
    free(h);
    check_stream(&a, &b);
    report_data_cleanup(&a);
    report_data_cleanup(&b);
}
END_TEST

/* The chain problems of every deployment count: a paired deployment whose
 * chain expired and an added one that is not trusted are new problems
 * (worse), each naming its deployment; one that recovered is gone. */
START_TEST(test_deployment_problems)
{
    const char *la[] = {"ECDSA", "no SNI"}, *lb[] = {"ECDSA", "no SNI", "EdDSA"};
    struct report_data a, b;
    dep_scan(&a, 1, la, "de");
    dep_scan(&b, 2, lb, "dec");
    a.targets[0].deployments[1].chain.expired = true;  /* no SNI: expired before */
    b.targets[0].deployments[0].chain.expired = true;  /* ECDSA: expired now */
    b.targets[0].deployments[2].chain.trusted = false; /* EdDSA: added, untrusted */
    snprintf(b.targets[0].deployments[2].chain.verify_text, FACT_TEXT, "signer not found");
    struct diff *d = diff_compute(&a, &b);
    ck_assert_ptr_nonnull(d);
    const struct want want[] = {
        {DIFF_CHAIN_PROBLEM_NEW, true, -1, 0, NULL, NULL, NULL},
        {DIFF_CHAIN_PROBLEM_GONE, false, -1, 0, NULL, NULL, NULL},
        {DIFF_DEPLOYMENT_ADDED, false, -1, 0, NULL, NULL, SHA_C},
        {DIFF_CHAIN_PROBLEM_NEW, true, -1, 0, NULL, NULL, NULL},
    };
    ck_assert_uint_eq(d->n_entries, 4);
    const char *names[] = {"expired", "expired", "EdDSA", "untrusted"};
    for (size_t i = 0; i < 4; i++) {
        check_entry(&d->entries[i], &want[i], i);
        ck_assert_str_eq(d->entries[i].name, names[i]);
    }
    ck_assert_str_eq(d->entries[0].detail, "deployment ECDSA");
    ck_assert_str_eq(d->entries[1].detail, "deployment no SNI");
    ck_assert_str_eq(d->entries[3].detail, "deployment EdDSA: signer not found");
    ck_assert_uint_eq(d->n_worse, 2);
    diff_free(d);
    check_stream(&a, &b);
    report_data_cleanup(&a);
    report_data_cleanup(&b);
}
END_TEST

static Suite *diff_suite(void)
{
    Suite *s = suite_create("diff");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, TEST_TIMEOUT_S);
    tcase_add_test(tc, test_forward_entries);
    tcase_add_test(tc, test_reverse_entries);
    tcase_add_test(tc, test_identical_is_empty);
    tcase_add_test(tc, test_better_is_not_worse);
    tcase_add_test(tc, test_unreachable_and_address);
    tcase_add_test(tc, test_sni_pairing_any_order);
    tcase_add_test(tc, test_flap_not_evaluated);
    tcase_add_test(tc, test_starttls_is_part_of_the_key);
    tcase_add_test(tc, test_renderers_escape);
    tcase_add_test(tc, test_history_summary);
    tcase_add_test(tc, test_verdict_at_gate);
    tcase_add_test(tc, test_history_verdict_at_gate);
    tcase_add_test(tc, test_deployments);
    tcase_add_test(tc, test_deployment_problems);
    tcase_add_test(tc, test_finding_new_below_gate);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(diff_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
