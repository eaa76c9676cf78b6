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
    ck_assert_msg(policy_run_scan(s, scan, pols, 2, &gate, NOW_MS, &run, err, sizeof(err)) == 0,
                  "%s", err);
    ck_assert_int_eq(run.n_targets, 2);
    ck_assert_int_eq(run.n_stored, 2);
    ck_assert_int_eq(run.evaluated_ms, NOW_MS);
    char want[256];
    snprintf(want, sizeof(want),
             "policy runs %lld (pci-dss-4.0), %lld (mozilla-modern) of scan %lld",
             (long long)run.run_ids[0], (long long)run.run_ids[1], (long long)scan);
    ck_assert_str_eq(run.stored, want);
    ck_assert_int_gt(run.run_ids[1], run.run_ids[0]);

    size_t legacy = strcmp(run.targets[0].host, "legacy.example") == 0 ? 0 : 1;
    size_t down = 1 - legacy;
    ck_assert_str_eq(run.targets[down].host, "down.example");
    /* The unreachable target is not evaluated; the other is, by each policy. */
    ck_assert_int_eq(policy_run_findings(&run, 0, down)->n_items, 0);
    ck_assert_int_eq(policy_run_findings(&run, 1, down)->n_items, 0);
    ck_assert_int_gt(policy_run_findings(&run, 0, legacy)->n_items, 0);
    ck_assert_int_gt(policy_run_findings(&run, 1, legacy)->n_items, 0);

    struct policy_run_summary sum;
    policy_run_summarize(&run, &sum);
    ck_assert_int_ge(sum.n_blocking, 1); /* pci-4.2.1-no-tls10 is high */
    ck_assert_int_ge(sum.n_failing, 1);
    ck_assert(sum.gate_fails);
    ck_assert_int_eq(policy_run_verdict(&run, 0, legacy), TV_NON_COMPLIANT);
    ck_assert_int_eq(policy_run_verdict(&run, 0, down), TV_NOT_EVALUATED);
    ck_assert_int_eq(sum.n_not_scanned, 1);
    ck_assert(sum.complete);
    struct policy_run_summary crit;
    run.gate.fail_on = SEV_CRITICAL;
    policy_run_summarize(&run, &crit);
    run.gate.fail_on = SEV_HIGH;
    ck_assert_int_lt(crit.n_blocking, sum.n_blocking);

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
    ck_assert_int_eq(runs[0].n_findings, policy_run_findings(&run, 0, legacy)->n_items);
    ck_assert_int_eq(runs[1].n_findings, policy_run_findings(&run, 1, legacy)->n_items);
    const struct store_finding_row *f = find_row(&runs[0], "pci-4.2.1-no-tls10");
    ck_assert_ptr_nonnull(f);
    ck_assert_str_eq(f->verdict, "fail");
    ck_assert_str_eq(f->severity, "high");
    ck_assert_int_eq(f->target_id, run.ids[legacy]);
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
    ck_assert_int_eq(policy_run_scan(s, scan + 41, pols, 1, NULL, NOW_MS, &run, err, sizeof(err)),
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
    ck_assert_int_eq(policy_run_scan(s, scan, pols, 1, NULL, NOW_MS, &run, err, sizeof(err)), -1);
    ck_assert_int_gt(strlen(err), 0);
    ck_assert_int_eq(run.n_stored, 0);
    ck_assert_str_eq(run.stored, "");
    policy_run_cleanup(&run);
    policy_run_free_policies(pols, 1);
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
