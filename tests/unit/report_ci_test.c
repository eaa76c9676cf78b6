/*
 * tests/unit/report_ci_test.c - unit tests of what the CI formats key on:
 * reports/names.c (one unique name per target, whatever the targets),
 * reports/report_sarif.c (results, levels, suppressions, locations and
 * hostile text over hand-built scans) and the JUnit suite names of
 * reports/report_junit.c.
 *
 * The SARIF documents are parsed back with jansson; every assertion
 * compares with a concrete expected string or number. Schema validation of
 * a whole document is tests/report/golden.sh's.
 */
#include <check.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"

/* A hand-built scan of up to 12 targets, each with its own strings. */
struct scan_fixture {
    struct target_result t[12];
    char hosts[12][700];
    char snis[12][64];
    int64_t ids[12];
    struct report_data d;
};

static void add_target(struct scan_fixture *f, const char *host, unsigned port, const char *sni,
                       const char *ip, const char *starttls)
{
    size_t i = f->d.n_targets++;
    ck_assert_uint_lt(i, 12);
    struct target_result *r = &f->t[i];
    memset(r, 0, sizeof(*r));
    snprintf(f->hosts[i], sizeof(f->hosts[i]), "%s", host);
    r->host = f->hosts[i];
    r->port = (uint16_t)port;
    if (sni != NULL) {
        snprintf(f->snis[i], sizeof(f->snis[i]), "%s", sni);
        r->sni = f->snis[i];
    }
    snprintf(r->ip, sizeof(r->ip), "%s", ip);
    snprintf(r->starttls, sizeof(r->starttls), "%s", starttls ? starttls : "none");
    r->status = TARGET_OK;
    f->ids[i] = (int64_t)(i + 1) * 10;
}

static void fixture_init(struct scan_fixture *f)
{
    memset(f, 0, sizeof(*f));
    f->d.targets = f->t;
    f->d.target_ids = f->ids;
    snprintf(f->d.info.state, sizeof(f->d.info.state), "%s", "complete");
    f->d.info.id = 1;
}

START_TEST(test_names_unique)
{
    struct scan_fixture f;
    fixture_init(&f);
    add_target(&f, "a.test", 443, "a.test", "192.0.2.1", NULL);  /* 0 */
    add_target(&f, "a.test", 443, "a.test", "192.0.2.2", NULL);  /* 1: another address */
    add_target(&f, "a.test", 443, NULL, "192.0.2.1", NULL);      /* 2: no SNI sent */
    add_target(&f, "10.0.0.1", 443, "x.test", "10.0.0.1", NULL); /* 3 */
    add_target(&f, "10.0.0.1", 443, "y.test", "10.0.0.1", NULL); /* 4: another SNI */
    add_target(&f, "10.0.0.1", 443, "x.test", "10.0.0.1", NULL); /* 5: 3 listed twice */
    add_target(&f, "::1", 25, NULL, "::1", "smtp");              /* 6 */
    add_target(&f, "::1", 25, NULL, "::1", NULL);                /* 7: direct TLS */
    add_target(&f, "mail.test", 25, "MAIL.test", "", "smtp");    /* 8: SNI = host, case */
    add_target(&f, "mail.test", 25, "mail.test", "", "smtp");    /* 9: no address */
    struct report_name *n = report_endpoint_names(&f.d);
    ck_assert_ptr_nonnull(n);
    ck_assert_str_eq(n[0].s, "a.test:443 @192.0.2.1 #10");
    ck_assert_str_eq(n[1].s, "a.test:443 @192.0.2.2");
    ck_assert_str_eq(n[2].s, "a.test:443 @192.0.2.1 #30");
    ck_assert_str_eq(n[3].s, "10.0.0.1:443 sni=x.test @10.0.0.1 #40");
    ck_assert_str_eq(n[4].s, "10.0.0.1:443 sni=y.test");
    ck_assert_str_eq(n[5].s, "10.0.0.1:443 sni=x.test @10.0.0.1 #60");
    ck_assert_str_eq(n[6].s, "[::1]:25 (smtp)");
    ck_assert_str_eq(n[7].s, "[::1]:25");
    ck_assert_str_eq(n[8].s, "mail.test:25 (smtp) @no-address #90");
    ck_assert_str_eq(n[9].s, "mail.test:25 (smtp) @no-address #100");
    for (size_t i = 0; i < f.d.n_targets; i++) {
        for (size_t k = i + 1; k < f.d.n_targets; k++) {
            ck_assert_str_ne(n[i].s, n[k].s);
        }
    }
    free(n);
}
END_TEST

START_TEST(test_names_long_hosts)
{
    /* Two hosts longer than a name, equal in their first 600 bytes: the
     * names are cut, stay terminated and are still told apart. */
    struct scan_fixture f;
    fixture_init(&f);
    char host[650];
    memset(host, 'h', sizeof(host) - 1);
    host[sizeof(host) - 1] = '\0';
    add_target(&f, host, 443, NULL, "192.0.2.1", NULL);
    host[640] = 'x';
    add_target(&f, host, 443, NULL, "192.0.2.1", NULL);
    struct report_name *n = report_endpoint_names(&f.d);
    ck_assert_ptr_nonnull(n);
    ck_assert_uint_lt(strlen(n[0].s), sizeof(n[0].s));
    ck_assert_str_ne(n[0].s, n[1].s);
    ck_assert_ptr_nonnull(strstr(n[0].s, " #10"));
    ck_assert_ptr_nonnull(strstr(n[1].s, " #20"));
    free(n);
    struct report_data empty = {0};
    ck_assert_ptr_null(report_endpoint_names(&empty));
}
END_TEST

/* render runs format fmt over d and returns the output (caller frees). */
static char *render(enum report_format fmt, const struct report_data *d)
{
    char *buf = NULL;
    size_t len = 0;
    char err[256] = "";
    FILE *m = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(m);
    struct report_options o = {.now_ms = 1, .expiring_days = -1};
    ck_assert_int_eq(report_write(m, fmt, d, &o, err, sizeof(err)), 0);
    ck_assert_int_eq(fclose(m), 0);
    return buf;
}

static json_t *sarif_of(const struct report_data *d)
{
    char *s = render(REPORT_SARIF, d);
    json_error_t e;
    json_t *doc = json_loads(s, 0, &e);
    free(s);
    ck_assert_msg(doc != NULL, "SARIF is not JSON: %s (line %d)", e.text, e.line);
    return doc;
}

static const char *jstr(json_t *doc, const char *path)
{
    json_t *v = json_object_get(doc, path);
    return json_is_string(v) ? json_string_value(v) : "(none)";
}

START_TEST(test_sarif_results)
{
    struct scan_fixture f;
    fixture_init(&f);
    add_target(&f, "10.0.0.1", 443, "x.test", "10.0.0.1", NULL);
    add_target(&f, "10.0.0.1", 443, "y.test", "10.0.0.1", "smtp");
    add_target(&f, "down.test", 443, NULL, "", NULL);
    f.t[2].status = TARGET_UNREACHABLE;
    char pol[] = "p", r1[] = "r1", r2[] = "r2", r3[] = "r3", r4[] = "r4";
    char fail[] = "fail", pass[] = "pass", waived[] = "waived", inc[] = "inconclusive";
    char warn[] = "warn", high[] = "high", low[] = "low", ref[] = "Std 1.2.3";
    char ev[] = "CN=[click](https://x.test) \xff\x1b[31m \\ end", why[] = "accepted risk";
    struct store_finding_row rows[] = {
        {.target_id = 10,
         .rule_id = r1,
         .verdict = fail,
         .severity = high,
         .ref = ref,
         .evidence = ev},
        {.target_id = 10, .rule_id = r2, .verdict = pass, .severity = high},
        {.target_id = 20, .rule_id = r1, .verdict = fail, .severity = low},
        {.target_id = 20, .rule_id = r2, .verdict = waived, .severity = high, .waiver_reason = why},
        {.target_id = 20, .rule_id = r3, .verdict = inc, .severity = high},
        {.target_id = 20, .rule_id = r4, .verdict = warn, .severity = high},
    };
    struct store_run run = {
        .id = 5, .policy_id = pol, .findings = rows, .n_findings = 6, .gate = GATE_DEFAULT};
    f.d.runs = &run;
    f.d.n_runs = 1;
    json_t *doc = sarif_of(&f.d);
    json_t *r = json_array_get(json_object_get(doc, "runs"), 0);
    json_t *rules = json_object_get(json_object_get(json_object_get(r, "tool"), "driver"), "rules");
    ck_assert_uint_eq(json_array_size(rules), 4); /* every rule evaluated, once */
    ck_assert_str_eq(jstr(json_array_get(rules, 3), "id"), "p/r4");
    json_t *res = json_object_get(r, "results");
    /* fail >= gate, fail below it, waived; not pass, warn, or the
     * inconclusive one (the gate does not fail inconclusive ones) */
    ck_assert_uint_eq(json_array_size(res), 3);
    ck_assert_str_eq(jstr(json_array_get(res, 0), "level"), "error");
    ck_assert_str_eq(jstr(json_array_get(res, 1), "level"), "warning");
    ck_assert_str_eq(jstr(json_array_get(res, 2), "ruleId"), "p/r2");
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(res, 2), "ruleIndex")), 1);
    json_t *sup = json_array_get(json_object_get(json_array_get(res, 2), "suppressions"), 0);
    ck_assert_str_eq(jstr(sup, "status"), "accepted");
    ck_assert_ptr_null(json_object_get(json_array_get(res, 0), "suppressions"));
    /* hostile evidence: brackets and backslash escaped (no forged link),
     * bad UTF-8 visible, ESC kept as text for JSON to escape */
    const char *msg = jstr(json_object_get(json_array_get(res, 0), "message"), "text");
    ck_assert_str_eq(msg,
                     "10.0.0.1:443 sni=x.test: r1: fails. Severity high; requirement Std "
                     "1.2.3; evidence: CN=\\[click\\](https://x.test) \\xff\x1b\\[31m \\\\ end");
    json_t *loc = json_array_get(json_object_get(json_array_get(res, 1), "locations"), 0);
    json_t *pl = json_object_get(json_object_get(loc, "physicalLocation"), "artifactLocation");
    ck_assert_str_eq(jstr(pl, "uri"), "tls/10.0.0.1:443%20(smtp)%20sni=y.test");
    json_t *ll = json_array_get(json_object_get(loc, "logicalLocations"), 0);
    ck_assert_str_eq(jstr(ll, "fullyQualifiedName"),
                     "tls://10.0.0.1:443/?starttls=smtp&sni=y.test");
    json_t *inv = json_array_get(json_object_get(r, "invocations"), 0);
    ck_assert(json_is_false(json_object_get(inv, "executionSuccessful")));
    json_t *note = json_array_get(json_object_get(inv, "toolExecutionNotifications"), 0);
    ck_assert_str_eq(jstr(json_object_get(note, "message"), "text"),
                     "down.test:443 not scanned: unreachable");
    json_decref(doc);

    /* Under --fail-on-inconclusive the inconclusive one fails the gate. */
    run.gate.fail_on_inconclusive = true;
    doc = sarif_of(&f.d);
    res = json_object_get(json_array_get(json_object_get(doc, "runs"), 0), "results");
    ck_assert_uint_eq(json_array_size(res), 4);
    ck_assert_str_eq(jstr(json_array_get(res, 3), "ruleId"), "p/r3");
    ck_assert_str_eq(jstr(json_array_get(res, 3), "level"), "error");
    json_decref(doc);
}
END_TEST

START_TEST(test_sarif_empty)
{
    /* No target, no run: still a valid log with one run and no result. */
    struct scan_fixture f;
    fixture_init(&f);
    json_t *doc = sarif_of(&f.d);
    ck_assert_str_eq(jstr(doc, "version"), "2.1.0");
    json_t *r = json_array_get(json_object_get(doc, "runs"), 0);
    ck_assert_uint_eq(json_array_size(json_object_get(r, "results")), 0);
    ck_assert(json_is_true(json_object_get(json_array_get(json_object_get(r, "invocations"), 0),
                                           "executionSuccessful")));
    json_decref(doc);
}
END_TEST

START_TEST(test_junit_suite_names)
{
    struct scan_fixture f;
    fixture_init(&f);
    add_target(&f, "10.0.0.1", 443, "x.test", "10.0.0.1", NULL);
    add_target(&f, "10.0.0.1", 443, "y.test", "10.0.0.1", NULL);
    add_target(&f, "a.test", 443, NULL, "192.0.2.1", NULL);
    add_target(&f, "a.test", 443, NULL, "192.0.2.2", NULL);
    char *x = render(REPORT_JUNIT, &f.d);
    ck_assert_ptr_nonnull(strstr(x, "<testsuite name=\"10.0.0.1:443 sni=x.test\""));
    ck_assert_ptr_nonnull(strstr(x, "<testsuite name=\"10.0.0.1:443 sni=y.test\""));
    ck_assert_ptr_nonnull(strstr(x, "<testsuite name=\"a.test:443 @192.0.2.1\""));
    ck_assert_ptr_nonnull(strstr(x, "<testsuite name=\"a.test:443 @192.0.2.2\""));
    char *ts = strstr(x, "<testsuites");
    ck_assert_ptr_nonnull(ts);
    *strchr(ts, '\n') = '\0';
    ck_assert_str_eq(
        ts, "<testsuites name=\"tlsaudit scan 1\" tests=\"4\" failures=\"0\" errors=\"0\">");
    free(x);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("report_ci");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_names_unique);
    tcase_add_test(tc, test_names_long_hosts);
    tcase_add_test(tc, test_sarif_results);
    tcase_add_test(tc, test_sarif_empty);
    tcase_add_test(tc, test_junit_suite_names);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
