/*
 * tests/unit/run_test.c - unit tests of the policy-run service
 * (policies/run.c), linked with the policies and store layers only.
 *
 * Each test builds a store with store_* calls in its own mkdtemp
 * directory (one scan: a target accepting TLS 1.0, one unreachable),
 * runs shipped policies over it (TLSAUDIT_POLICY_DIR points at the source
 * tree) and reads the stored runs back with store_load_runs, so it checks
 * what the database holds, not only what the service returned.
 */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/model/facts.h"
#include "common/model/gate.h"
#include "common/strlist.h"
#include "policies/run.h"
#include "store/store.h"

#define NOW_MS 1767225600000LL /* 2026-01-01T00:00:00Z */

static char g_dir[256];
static char g_db[320];

static void setup(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(g_dir, sizeof(g_dir), "%s/run_test.XXXXXX", base && base[0] ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(g_dir));
    snprintf(g_db, sizeof(g_db), "%s/t.db", g_dir);
}

static void teardown(void)
{
    char p[400];
    const char *sfx[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
        snprintf(p, sizeof(p), "%s%s", g_db, sfx[i]);
        unlink(p);
    }
    rmdir(g_dir);
}

/* put_scan stores one complete scan of two targets and returns its id:
 * legacy.example:443 (TLS 1.0 and 1.2 accepted by the GnuTLS handshakes)
 * and down.example:443 (unreachable). */
static int64_t put_scan(struct store *s)
{
    struct scan_meta meta = {.started_ms = NOW_MS - 60000, .tool_version = "run-test"};
    int64_t id = 0;
    ck_assert_msg(store_scan_begin(s, &meta, &id) == 0, "%s", store_errmsg(s));
    struct target_result r;
    target_result_init(&r);
    r.host = strdup("legacy.example");
    ck_assert_ptr_nonnull(r.host);
    r.port = 443;
    snprintf(r.ip, sizeof(r.ip), "127.0.0.1");
    r.started_ms = NOW_MS - 60000;
    r.finished_ms = NOW_MS - 59000;
    r.status = TARGET_OK;
    r.versions[TLSV_TLS10].state = PROBE_ACCEPTED;
    r.versions[TLSV_TLS10].suite = 0xc013;
    snprintf(r.versions[TLSV_TLS10].suite_name, sizeof(r.versions[TLSV_TLS10].suite_name),
             "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA");
    r.versions[TLSV_TLS12].state = PROBE_ACCEPTED;
    r.versions[TLSV_TLS12].suite = 0xc02f;
    snprintf(r.versions[TLSV_TLS12].suite_name, sizeof(r.versions[TLSV_TLS12].suite_name),
             "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    ck_assert_msg(store_put_target(s, id, &r) == 0, "%s", store_errmsg(s));
    target_result_cleanup(&r);

    target_result_init(&r);
    r.host = strdup("down.example");
    ck_assert_ptr_nonnull(r.host);
    r.port = 443;
    r.status = TARGET_UNREACHABLE;
    snprintf(r.error, sizeof(r.error), "connection refused");
    ck_assert_msg(store_put_target(s, id, &r) == 0, "%s", store_errmsg(s));
    target_result_cleanup(&r);
    ck_assert_msg(store_scan_finish(s, id, "complete", NOW_MS - 1000) == 0, "%s", store_errmsg(s));
    return id;
}

static const struct store_finding_row *find_row(const struct store_run *run, const char *rule)
{
    for (size_t i = 0; i < run->n_findings; i++) {
        if (strcmp(run->findings[i].rule_id, rule) == 0) {
            return &run->findings[i];
        }
    }
    return NULL;
}

/* What the policy run handed over, target by target (the callback copies
 * what it needs: the target and its findings are freed after the call). */
#define REC_MAX 64
struct rec {
    size_t n;
    char host[REC_MAX][64];
    int64_t id[REC_MAX];
    bool scanned[REC_MAX];
    size_t n_findings[REC_MAX][8];
    enum target_verdict verdict[REC_MAX][8];
    struct gate gate;
    int stop_at; /* return non-zero at this target (-1: never) */
};

static int rec_target(void *arg, const struct policy_run *r, const struct policy_run_target *t)
{
    struct rec *c = arg;
    ck_assert_int_lt(c->n, REC_MAX);
    ck_assert_int_eq(t->index, c->n);
    if (c->stop_at >= 0 && (size_t)c->stop_at == t->index) {
        return 1;
    }
    snprintf(c->host[c->n], sizeof(c->host[c->n]), "%s", t->target->host);
    c->id[c->n] = t->id;
    c->scanned[c->n] = t->scanned;
    for (size_t p = 0; p < r->n_pols && p < 8; p++) {
        c->n_findings[c->n][p] = t->findings[p].n_items;
        c->verdict[c->n][p] = policy_run_verdict(&r->gate, &t->findings[p]);
    }
    c->n++;
    return 0;
}

START_TEST(test_run_stores_every_policy)
{
    char err[1024] = "";
    struct store *s = NULL;
    ck_assert_msg(store_open(g_db, &s, err, sizeof(err)) == 0, "%s", err);
    int64_t scan = put_scan(s);
    char *names[] = {"pci-dss-4.0", "mozilla-modern"};
    struct policy **pols = NULL;
    ck_assert_msg(policy_run_load_policies(names, 2, &pols, err, sizeof(err)) == 0, "%s", err);

    struct policy_run run;
    struct gate gate = {.fail_on = SEV_HIGH, .fail_on_inconclusive = true};
    struct rec rc = {.stop_at = -1};
    ck_assert_msg(policy_run_scan(s, scan, pols, 2, &gate, NOW_MS, rec_target, &rc, &run, err,
                                  sizeof(err)) == 0,
                  "%s", err);
    ck_assert_int_eq(rc.n, 2);
    ck_assert_int_eq(run.n_targets, 2);
    ck_assert_int_eq(run.n_stored, 2);
    ck_assert_int_eq(run.evaluated_ms, NOW_MS);
    char want[256];
    snprintf(want, sizeof(want),
             "policy runs %lld (pci-dss-4.0), %lld (mozilla-modern) of scan %lld",
             (long long)run.run_ids[0], (long long)run.run_ids[1], (long long)scan);
    ck_assert_str_eq(run.stored, want);
    ck_assert_int_gt(run.run_ids[1], run.run_ids[0]);

    size_t legacy = strcmp(rc.host[0], "legacy.example") == 0 ? 0 : 1;
    size_t down = 1 - legacy;
    ck_assert_str_eq(rc.host[down], "down.example");
    /* The unreachable target is not evaluated; the other is, by each policy. */
    ck_assert(!rc.scanned[down] && rc.scanned[legacy]);
    ck_assert_int_eq(rc.n_findings[down][0], 0);
    ck_assert_int_eq(rc.n_findings[down][1], 0);
    ck_assert_int_gt(rc.n_findings[legacy][0], 0);
    ck_assert_int_gt(rc.n_findings[legacy][1], 0);

    struct policy_run_summary sum;
    policy_run_summarize(&run, &sum);
    ck_assert_int_ge(sum.n_blocking, 1); /* pci-4.2.1-no-tls10 is high */
    ck_assert_int_ge(sum.n_failing, 1);
    ck_assert(sum.gate_fails);
    ck_assert_int_eq(rc.verdict[legacy][0], TV_NON_COMPLIANT);
    ck_assert_int_eq(rc.verdict[down][0], TV_NOT_EVALUATED);
    ck_assert_int_eq(sum.n_not_scanned, 1);
    ck_assert(sum.complete);

    /* What the database holds: one run per policy, every finding. */
    struct store_run *runs = NULL;
    size_t n_runs = 0;
    ck_assert_msg(store_load_runs(s, scan, &runs, &n_runs) == 0, "%s", store_errmsg(s));
    ck_assert_int_eq(n_runs, 2);
    ck_assert_int_eq(runs[0].id, run.run_ids[0]);
    ck_assert_str_eq(runs[0].policy_id, "pci-dss-4.0");
    ck_assert_str_eq(runs[1].policy_id, "mozilla-modern");
    ck_assert_int_eq(runs[0].evaluated_ms, NOW_MS);
    /* The gate is stored with each run. */
    ck_assert(runs[0].gate_stored && runs[1].gate_stored);
    ck_assert_int_eq(runs[1].gate.fail_on, SEV_HIGH);
    ck_assert(runs[1].gate.fail_on_inconclusive);
    ck_assert_int_eq(strlen(runs[0].policy_sha256), 64);
    ck_assert_int_eq(runs[0].n_findings, rc.n_findings[legacy][0]);
    ck_assert_int_eq(runs[1].n_findings, rc.n_findings[legacy][1]);
    const struct store_finding_row *f = find_row(&runs[0], "pci-4.2.1-no-tls10");
    ck_assert_ptr_nonnull(f);
    ck_assert_str_eq(f->verdict, "fail");
    ck_assert_str_eq(f->severity, "high");
    ck_assert_int_eq(f->target_id, rc.id[legacy]);
    f = find_row(&runs[0], "pci-4.2.1-no-ssl");
    ck_assert_ptr_nonnull(f);
    ck_assert_str_ne(f->verdict, "fail");
    store_runs_free(runs, n_runs);

    policy_run_cleanup(&run);
    policy_run_free_policies(pols, 2);
    store_close(s);
}
END_TEST

START_TEST(test_run_load_all_or_nothing)
{
    char err[1024] = "";
    char *names[] = {"pci-dss-4.0", "no-such-policy-anywhere"};
    struct policy **pols = (struct policy **)1;
    ck_assert_int_eq(policy_run_load_policies(names, 2, &pols, err, sizeof(err)), -1);
    ck_assert_ptr_null(pols);
    ck_assert_msg(strstr(err, "no-such-policy-anywhere") != NULL, "%s", err);
}
END_TEST

START_TEST(test_run_no_such_scan_stores_nothing)
{
    char err[1024] = "";
    struct store *s = NULL;
    ck_assert_msg(store_open(g_db, &s, err, sizeof(err)) == 0, "%s", err);
    int64_t scan = put_scan(s);
    char *names[] = {"pci-dss-4.0"};
    struct policy **pols = NULL;
    ck_assert_msg(policy_run_load_policies(names, 1, &pols, err, sizeof(err)) == 0, "%s", err);
    struct policy_run run;
    ck_assert_int_eq(
        policy_run_scan(s, scan + 41, pols, 1, NULL, NOW_MS, NULL, NULL, &run, err, sizeof(err)),
        -1);
    ck_assert_str_eq(run.stored, "");
    ck_assert_int_eq(run.n_stored, 0);
    ck_assert_int_gt(strlen(err), 0);
    policy_run_cleanup(&run);
    struct store_run *runs = NULL;
    size_t n_runs = 9;
    ck_assert_int_eq(store_load_runs(s, scan, &runs, &n_runs), 0);
    ck_assert_int_eq(n_runs, 0);
    policy_run_free_policies(pols, 1);
    store_close(s);
}
END_TEST

START_TEST(test_run_store_failure_is_reported)
{
    char err[1024] = "";
    struct store *s = NULL;
    ck_assert_msg(store_open(g_db, &s, err, sizeof(err)) == 0, "%s", err);
    int64_t scan = put_scan(s);
    store_close(s);
    /* A read-only handle: the evaluation runs, storing its run fails. */
    ck_assert_msg(store_open_readonly(g_db, &s, err, sizeof(err)) == 0, "%s", err);
    char *names[] = {"pci-dss-4.0"};
    struct policy **pols = NULL;
    ck_assert_msg(policy_run_load_policies(names, 1, &pols, err, sizeof(err)) == 0, "%s", err);
    struct policy_run run;
    err[0] = '\0';
    ck_assert_int_eq(
        policy_run_scan(s, scan, pols, 1, NULL, NOW_MS, NULL, NULL, &run, err, sizeof(err)), -1);
    ck_assert_int_gt(strlen(err), 0);
    ck_assert_int_eq(run.n_stored, 0);
    ck_assert_str_eq(run.stored, "");
    policy_run_cleanup(&run);
    policy_run_free_policies(pols, 1);
    store_close(s);
}
END_TEST

/* ---- streamed evaluation against the whole-scan one ---------------------- */

#define FLEET_N 30

/* put_fleet stores a scan of FLEET_N targets of six kinds (legacy TLS 1.0,
 * modern 1.2 + 1.3, unreachable, no TLS, a tagged "pan" TLS 1.2 target, a
 * TLS 1.1 one tagged "internal") after a first scan of other targets, so
 * target ids of two scans exist. Returns the fleet's scan id. */
static int64_t put_fleet(struct store *s)
{
    (void)put_scan(s);
    struct scan_meta meta = {.started_ms = NOW_MS - 30000, .tool_version = "run-test"};
    int64_t id = 0;
    ck_assert_msg(store_scan_begin(s, &meta, &id) == 0, "%s", store_errmsg(s));
    for (int i = 0; i < FLEET_N; i++) {
        struct target_result r;
        target_result_init(&r);
        char host[64];
        snprintf(host, sizeof(host), "host%02d.example", i);
        r.host = strdup(host);
        r.sni = strdup(host);
        ck_assert(r.host != NULL && r.sni != NULL);
        r.port = (uint16_t)(443 + i % 3);
        snprintf(r.ip, sizeof(r.ip), "127.0.0.%d", 1 + i % 5);
        r.started_ms = NOW_MS - 30000;
        r.finished_ms = NOW_MS - 29000;
        r.status = TARGET_OK;
        int kind = i % 6;
        enum tls_version v = kind == 0 ? TLSV_TLS10 : kind == 5 ? TLSV_TLS11 : TLSV_TLS12;
        r.versions[v].state = PROBE_ACCEPTED;
        r.versions[v].suite = 0xc02f;
        snprintf(r.versions[v].suite_name, sizeof(r.versions[v].suite_name),
                 "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        if (kind == 1) {
            r.versions[TLSV_TLS13].state = PROBE_ACCEPTED;
            r.versions[TLSV_TLS13].suite = 0x1301;
            r.versions[TLSV_TLS12].state = PROBE_ACCEPTED;
        }
        if (kind == 2) {
            r.status = TARGET_UNREACHABLE;
            snprintf(r.error, sizeof(r.error), "connection refused");
        }
        if (kind == 3) {
            r.status = TARGET_NO_TLS;
        }
        if (kind == 4 || kind == 5) {
            ck_assert_int_eq(strlist_add(&r.tags, kind == 4 ? "pan" : "internal"), 0);
        }
        ck_assert_msg(store_put_target(s, id, &r) == 0, "%s", store_errmsg(s));
        target_result_cleanup(&r);
    }
    ck_assert_msg(store_scan_finish(s, id, "complete", NOW_MS - 1000) == 0, "%s", store_errmsg(s));
    return id;
}

/* opt_eq: a stored optional text (NULL for "") against the finding's. */
static void opt_eq(const char *stored, const char *want)
{
    ck_assert_str_eq(stored != NULL ? stored : "", want);
}

/* row_eq: the stored row is finding f of target tid. */
static void row_eq(const struct store_finding_row *row, int64_t tid, const struct finding *f)
{
    ck_assert_int_eq(row->target_id, tid);
    ck_assert_str_eq(row->rule_id, f->rule_id);
    opt_eq(row->title, f->title);
    opt_eq(row->ref, f->ref);
    ck_assert_str_eq(row->severity, severity_name(f->severity));
    ck_assert_str_eq(row->verdict, verdict_name(f->verdict));
    opt_eq(row->evidence, f->evidence);
    opt_eq(row->waiver_reason, f->waiver_reason);
    opt_eq(row->waiver_owner, f->waiver_owner);
    opt_eq(row->waiver_expires, f->waiver_expires);
}

/* The streamed run (one target in memory at a time, the findings staged in
 * the store) stores exactly what evaluating the whole scan at once gives:
 * every finding of every policy, in target then rule order, field by
 * field; and its summary is the one counted over all of them. */
START_TEST(test_run_streamed_equals_whole_scan)
{
    char err[1024] = "";
    struct store *s = NULL;
    ck_assert_msg(store_open(g_db, &s, err, sizeof(err)) == 0, "%s", err);
    int64_t scan = put_fleet(s);
    char *names[] = {"pci-dss-4.0", "mozilla-modern", "nist-sp800-52r2"};
    struct policy **pols = NULL;
    ck_assert_msg(policy_run_load_policies(names, 3, &pols, err, sizeof(err)) == 0, "%s", err);
    struct gate gate = {.fail_on = SEV_MEDIUM, .fail_on_inconclusive = false};

    /* Twice on one handle: the staging table starts empty each time. */
    for (int round = 0; round < 2; round++) {
        struct policy_run run;
        struct rec rc = {.stop_at = -1};
        ck_assert_msg(policy_run_scan(s, scan, pols, 3, &gate, NOW_MS, rec_target, &rc, &run, err,
                                      sizeof(err)) == 0,
                      "%s", err);
        ck_assert_int_eq(rc.n, FLEET_N);
        ck_assert_int_eq(run.n_targets, FLEET_N);

        /* The whole scan at once, as before the streaming. */
        struct target_result *t = NULL;
        int64_t *ids = NULL;
        size_t n = 0;
        ck_assert_msg(store_load_targets(s, scan, &t, &ids, &n) == 0, "%s", store_errmsg(s));
        ck_assert_int_eq(n, FLEET_N);
        struct store_run *runs = NULL;
        size_t n_runs = 0;
        ck_assert_msg(store_load_runs(s, scan, &runs, &n_runs) == 0, "%s", store_errmsg(s));
        ck_assert_int_eq(n_runs, 3 * (size_t)(round + 1));
        struct policy_run_summary want = {.complete = true};
        for (size_t p = 0; p < 3; p++) {
            const struct store_run *sr = &runs[n_runs - 3 + p];
            ck_assert_int_eq(sr->id, run.run_ids[p]);
            ck_assert_str_eq(sr->policy_id, names[p]);
            size_t k = 0;
            for (size_t i = 0; i < n; i++) {
                ck_assert_int_eq(ids[i], rc.id[i]);
                ck_assert_str_eq(t[i].host, rc.host[i]);
                struct finding_list l;
                finding_list_init(&l);
                bool scanned = policy_run_target_scanned(&t[i]);
                ck_assert(scanned == rc.scanned[i]);
                if (scanned) {
                    ck_assert_int_eq(policy_eval(pols[p], &t[i], &t[i].tags, NOW_MS / 1000, &l), 0);
                }
                ck_assert_int_eq(l.n_items, rc.n_findings[i][p]);
                for (size_t j = 0; j < l.n_items; j++, k++) {
                    ck_assert_int_lt(k, sr->n_findings);
                    row_eq(&sr->findings[k], ids[i], &l.items[j]);
                    want.n_blocking += gate_blocks(&gate, l.items[j].verdict, l.items[j].severity);
                }
                enum target_verdict v = policy_run_verdict(&gate, &l);
                ck_assert_int_eq(v, rc.verdict[i][p]);
                if (scanned) {
                    want.n_failing += v == TV_NON_COMPLIANT;
                    want.n_undemonstrated += v == TV_NOT_DEMONSTRATED;
                    want.gate_fails = want.gate_fails || gate_exit_fails(&gate, v);
                } else if (p == 0) {
                    want.n_not_scanned++;
                }
                finding_list_cleanup(&l);
            }
            ck_assert_int_eq(k, sr->n_findings);
            ck_assert_int_gt(k, 0);
        }
        struct policy_run_summary got;
        policy_run_summarize(&run, &got);
        ck_assert_int_eq(got.n_blocking, want.n_blocking);
        ck_assert_int_eq(got.n_failing, want.n_failing);
        ck_assert_int_eq(got.n_undemonstrated, want.n_undemonstrated);
        ck_assert_int_eq(got.n_not_scanned, want.n_not_scanned);
        ck_assert_int_eq(got.n_not_scanned, 5); /* kind 2 (no TLS is evaluated) */
        ck_assert(got.gate_fails == want.gate_fails);
        ck_assert(got.complete);
        store_runs_free(runs, n_runs);
        store_targets_free(t, n);
        free(ids);
        policy_run_cleanup(&run);
    }
    policy_run_free_policies(pols, 3);
    store_close(s);
}
END_TEST

/* A caller that stops the walk stores nothing. */
START_TEST(test_run_stopped_stores_nothing)
{
    char err[1024] = "";
    struct store *s = NULL;
    ck_assert_msg(store_open(g_db, &s, err, sizeof(err)) == 0, "%s", err);
    int64_t scan = put_fleet(s);
    char *names[] = {"pci-dss-4.0", "mozilla-modern"};
    struct policy **pols = NULL;
    ck_assert_msg(policy_run_load_policies(names, 2, &pols, err, sizeof(err)) == 0, "%s", err);
    struct policy_run run;
    struct rec rc = {.stop_at = 7};
    ck_assert_int_eq(
        policy_run_scan(s, scan, pols, 2, NULL, NOW_MS, rec_target, &rc, &run, err, sizeof(err)),
        -1);
    ck_assert_str_eq(err, "stopped");
    ck_assert_int_eq(rc.n, 7);
    ck_assert_int_eq(run.n_stored, 0);
    policy_run_cleanup(&run);
    struct store_run *runs = NULL;
    size_t n_runs = 9;
    ck_assert_int_eq(store_load_runs(s, scan, &runs, &n_runs), 0);
    ck_assert_int_eq(n_runs, 0);
    policy_run_free_policies(pols, 2);
    store_close(s);
}
END_TEST

static Suite *run_suite(void)
{
    Suite *su = suite_create("policy_run");
    TCase *tc = tcase_create("run");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_run_stores_every_policy);
    tcase_add_test(tc, test_run_load_all_or_nothing);
    tcase_add_test(tc, test_run_no_such_scan_stores_nothing);
    tcase_add_test(tc, test_run_store_failure_is_reported);
    tcase_add_test(tc, test_run_streamed_equals_whole_scan);
    tcase_add_test(tc, test_run_stopped_stores_nothing);
    suite_add_tcase(su, tc);
    return su;
}

int main(void)
{
    const char *top = getenv("top_srcdir");
    char dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "%s/policies",
             top != NULL && top[0] != '\0' ? top : RUN_TEST_SRCDIR);
    setenv("TLSAUDIT_POLICY_DIR", dir, 1);
    SRunner *sr = srunner_create(run_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
