/*
 * tests/unit/vocab_test.c - unit tests for common/model/vocab: every name
 * of every set round-trips through its parse, the names are the ones on
 * disk and in the outputs, unknown names (and NULL) are refused without
 * touching the output, out-of-range values are "?", and the one order.
 */
#include <check.h>
#include <stdbool.h>
#include <string.h>

#include "common/model/vocab.h"

/* The names as the store, the JSON and the reports spell them, in enum
 * order: changing one breaks every stored database. */
static const char *const want_severity[] = {"info", "low", "medium", "high", "critical"};
static const char *const want_verdict[] = {"fail", "warn", "inconclusive", "waived", "pass"};
static const char *const want_fact_state[] = {"not-collected", "collected", "could-not-test"};
static const char *const want_probe_state[] = {"not-tested", "accepted", "refused", "inconclusive"};
static const char *const want_target_status[] = {
    "ok", "no-tls", "unreachable", "resolve-failed", "error", "interrupted"};
static const char *const want_kex_kind[] = {"dh_prime", "dh_public", "ecdh_public", "cert_spki"};
static const char *const want_pr_state[] = {"not-run",  "not-applicable", "could-not-test",
                                            "negative", "positive",       "info"};
static const char *const want_revoc[] = {"not-checked", "good", "revoked", "unknown",
                                         "inconclusive"};
static const char *const want_order[] = {"unknown", "server", "client"};

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ROUND_TRIP checks one set: count, each name in order, name -> parse ->
 * the same value, unknown names and NULL refused with *out untouched, and
 * the name of an out-of-range value. */
#define ROUND_TRIP(type, prefix, count, want, oor)                                                 \
    do {                                                                                           \
        ck_assert_int_eq(count, N(want));                                                          \
        for (int i = 0; i < (count); i++) {                                                        \
            ck_assert_str_eq(prefix##_name((enum type)i), want[i]);                                \
            enum type got = (enum type)((i + 1) % (count));                                        \
            ck_assert_msg(prefix##_parse(want[i], &got), "%s refused", want[i]);                   \
            ck_assert_int_eq(got, i);                                                              \
        }                                                                                          \
        static const char *const bad[] = {"",      "?",          "nope",       "pass ",            \
                                          " fail", "accepted\n", "not_tested", "resolve_failed",   \
                                          "not-"};                                                 \
        for (int i = 0; i < N(bad); i++) {                                                         \
            enum type got = (enum type)((count)-1);                                                \
            bool hit = false;                                                                      \
            for (int k = 0; k < (count); k++) {                                                    \
                hit |= strcmp(bad[i], want[k]) == 0;                                               \
            }                                                                                      \
            ck_assert(!hit);                                                                       \
            ck_assert_msg(!prefix##_parse(bad[i], &got), "\"%s\" accepted", bad[i]);               \
            ck_assert_int_eq(got, (count)-1);                                                      \
        }                                                                                          \
        enum type got = (enum type)0;                                                              \
        ck_assert(!prefix##_parse(NULL, &got));                                                    \
        ck_assert_int_eq(got, 0);                                                                  \
        ck_assert_str_eq(prefix##_name((enum type)(count)), oor);                                  \
        ck_assert_str_eq(prefix##_name((enum type) - 1), oor);                                     \
    } while (0)

START_TEST(test_round_trips)
{
    ROUND_TRIP(severity, severity, SEV_COUNT, want_severity, "?");
    ROUND_TRIP(verdict, verdict, VERDICT_COUNT, want_verdict, "?");
    ROUND_TRIP(fact_state, fact_state, FACT_STATE_COUNT, want_fact_state, "?");
    ROUND_TRIP(probe_state, probe_state, PROBE_STATE_COUNT, want_probe_state, "?");
    ROUND_TRIP(target_status, target_status, TARGET_STATUS_COUNT, want_target_status, "?");
    ROUND_TRIP(probe_result_state, probe_result_state, PR_STATE_COUNT, want_pr_state, "?");
    ROUND_TRIP(kex_kind, kex_kind, KEX_KIND_COUNT, want_kex_kind, "?");
    ROUND_TRIP(revoc_status, revoc_status, REVOC_STATUS_COUNT, want_revoc, "?");
    ROUND_TRIP(enum_order, enum_order, ORDER_COUNT, want_order, "unknown");
}
END_TEST

/* Only the severities ignore case (policy files, --fail-on); the names
 * read back from the store match exactly. */
START_TEST(test_case)
{
    enum severity s = SEV_INFO;
    ck_assert(severity_parse("High", &s));
    ck_assert_int_eq(s, SEV_HIGH);
    ck_assert(severity_parse("CRITICAL", &s));
    ck_assert_int_eq(s, SEV_CRITICAL);
    enum verdict v = VERDICT_PASS;
    ck_assert(!verdict_parse("Fail", &v));
    ck_assert_int_eq(v, VERDICT_PASS);
    enum target_status t = TARGET_OK;
    ck_assert(!target_status_parse("UNREACHABLE", &t));
    ck_assert_int_eq(t, TARGET_OK);
    enum probe_state p = PROBE_NOT_TESTED;
    ck_assert(!probe_state_parse("Accepted", &p));
    ck_assert_int_eq(p, PROBE_NOT_TESTED);
}
END_TEST

/* The one order: severities ascend (--fail-on compares with >=), verdicts
 * run from the worst to the best as every count list prints them, and the
 * zero value of each state is "nothing known yet". */
START_TEST(test_order)
{
    ck_assert(SEV_INFO < SEV_LOW && SEV_LOW < SEV_MEDIUM && SEV_MEDIUM < SEV_HIGH &&
              SEV_HIGH < SEV_CRITICAL);
    ck_assert_int_eq(VERDICT_FAIL, 0);
    ck_assert(VERDICT_FAIL < VERDICT_WARN && VERDICT_WARN < VERDICT_INCONCLUSIVE &&
              VERDICT_INCONCLUSIVE < VERDICT_WAIVED && VERDICT_WAIVED < VERDICT_PASS);
    ck_assert_int_eq(VERDICT_COUNT, VERDICT_PASS + 1);
    ck_assert_int_eq(FACT_NOT_COLLECTED, 0);
    ck_assert_int_eq(PROBE_NOT_TESTED, 0);
    ck_assert_int_eq(TARGET_OK, 0);
    ck_assert_int_eq(PR_NOT_RUN, 0);
    ck_assert_int_eq(REVOC_NOT_CHECKED, 0);
    ck_assert_int_eq(ORDER_UNKNOWN, 0);
}
END_TEST

START_TEST(test_verdict_is)
{
    ck_assert(verdict_is("fail", VERDICT_FAIL));
    ck_assert(!verdict_is("fail", VERDICT_PASS));
    ck_assert(!verdict_is("FAIL", VERDICT_FAIL));
    ck_assert(!verdict_is(NULL, VERDICT_FAIL));
    ck_assert(!verdict_is("", VERDICT_FAIL));
    for (int v = 0; v < VERDICT_COUNT; v++) {
        ck_assert(verdict_is(verdict_name((enum verdict)v), (enum verdict)v));
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vocab");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_round_trips);
    tcase_add_test(tc, test_case);
    tcase_add_test(tc, test_order);
    tcase_add_test(tc, test_verdict_is);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
