/*
 * tests/unit/report_test.c - unit tests of reports/escape.c (each format's
 * escaping of hostile strings) and of the helpers in reports/report.c
 * (verdict and severity names, counts, the expiring-certificate list) and
 * of reports/inventory.c (the PCI certificate and protocol inventories).
 * test_utf8_every_escaper runs each class of ill-formed UTF-8 through every
 * escaper (esc_visible, esc_html, esc_csv, esc_markdown, text_visible and
 * the JSON strings of json_text_value): all show it as the same \xNN.
 * test_json_splice copies jansson dumps into a document at depth 1
 * (reports/json_splice.c) and compares with jansson's own dump of the
 * parsed value there.
 *
 * Every assertion compares with a concrete expected string or number.
 */
#include <check.h>
#include <sqlite3.h>
#include <unistd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "policies/policy.h"
#include "reports/check_report.h"
#include "reports/escape.h"
#include "reports/history.h"
#include "reports/inventory.h"
#include "reports/json_private.h"
#include "reports/report.h"
#include "reports/text.h"
#include "store/store.h"

typedef void (*esc_fn)(FILE *out, const char *s);

/* esc_to runs fn over s and returns what it wrote (caller frees). */
static char *esc_to(esc_fn fn, const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(m);
    fn(m, s);
    ck_assert_int_eq(fclose(m), 0);
    return buf;
}

#define ESC_EQ(fn, in, want)                                                                       \
    do {                                                                                           \
        char *got_ = esc_to(fn, in);                                                               \
        ck_assert_str_eq(got_, want);                                                              \
        free(got_);                                                                                \
    } while (0)

START_TEST(test_visible)
{
    ESC_EQ(esc_visible, "plain <b> & \"q\"", "plain <b> & \"q\"");
    ESC_EQ(esc_visible, "a\nb\x1b[31mc\x7f", "a\\x0ab\\x1b[31mc\\x7f");
    ESC_EQ(esc_visible, "caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac"); /* é € kept */
    ESC_EQ(esc_visible, "c1 \xc2\x9b", "c1 \\xc2\\x9b");                         /* C1 CSI */
    ESC_EQ(esc_visible, "over \xc0\xaf", "over \\xc0\\xaf");                     /* overlong / */
    ESC_EQ(esc_visible, "over3 \xe0\x80\xaf", "over3 \\xe0\\x80\\xaf");
    ESC_EQ(esc_visible, "sur \xed\xa0\x80", "sur \\xed\\xa0\\x80");          /* a surrogate */
    ESC_EQ(esc_visible, "big \xf4\x90\x80\x80", "big \\xf4\\x90\\x80\\x80"); /* > U+10FFFF */
    ESC_EQ(esc_visible, "cut \xe2\x82", "cut \\xe2\\x82");                   /* truncated at end */
    ESC_EQ(esc_visible, "", "");
    ESC_EQ(esc_visible, NULL, "");
}
END_TEST

/* One class of ill-formed (or, for the last rows, well-formed) UTF-8: the
 * input after "x", and what esc_visible must write for it. */
struct utf8_case {
    const char *in;
    const char *want;
};

static const struct utf8_case utf8_cases[] = {
    /* overlong forms */
    {"x\xc0\xaf", "x\\xc0\\xaf"},
    {"x\xc1\xbf", "x\\xc1\\xbf"},
    {"x\xe0\x80\xaf", "x\\xe0\\x80\\xaf"},
    {"x\xe0\x9f\xbf", "x\\xe0\\x9f\\xbf"},
    {"x\xf0\x80\x80\xaf", "x\\xf0\\x80\\x80\\xaf"},
    {"x\xf0\x8f\xbf\xbf", "x\\xf0\\x8f\\xbf\\xbf"},
    /* surrogates (UTF-16 halves, CESU-8 pairs) */
    {"x\xed\xa0\x80", "x\\xed\\xa0\\x80"},
    {"x\xed\xbf\xbf", "x\\xed\\xbf\\xbf"},
    {"x\xed\xa0\xbd\xed\xb8\x80", "x\\xed\\xa0\\xbd\\xed\\xb8\\x80"},
    /* above U+10FFFF */
    {"x\xf4\x90\x80\x80", "x\\xf4\\x90\\x80\\x80"},
    {"x\xf5\x80\x80\x80", "x\\xf5\\x80\\x80\\x80"},
    {"x\xf7\xbf\xbf\xbf", "x\\xf7\\xbf\\xbf\\xbf"},
    {"x\xf8\x88\x80\x80\x80", "x\\xf8\\x88\\x80\\x80\\x80"},
    {"x\xfe\xff", "x\\xfe\\xff"},
    /* truncated sequences: at the end, and before another character */
    {"x\xe2\x82", "x\\xe2\\x82"},
    {"x\xf0\x9f\x98", "x\\xf0\\x9f\\x98"},
    {"x\xe2\x82y", "x\\xe2\\x82y"},
    {"x\xf0\x9f\x98\xc3\xa9", "x\\xf0\\x9f\\x98\xc3\xa9"},
    /* stray continuation bytes */
    {"x\x80\xbf", "x\\x80\\xbf"},
    /* well-formed edges, kept as they are */
    {"x\xc2\xa0", "x\xc2\xa0"},                 /* U+00A0 */
    {"x\xe0\xa0\x80", "x\xe0\xa0\x80"},         /* U+0800 */
    {"x\xed\x9f\xbf", "x\xed\x9f\xbf"},         /* U+D7FF */
    {"x\xee\x80\x80", "x\xee\x80\x80"},         /* U+E000 */
    {"x\xf0\x90\x80\x80", "x\xf0\x90\x80\x80"}, /* U+10000 */
    {"x\xf4\x8f\xbf\xbf", "x\xf4\x8f\xbf\xbf"}, /* U+10FFFF */
};

static void text_visible_fn(FILE *out, const char *s)
{
    text_visible(out, s);
}

START_TEST(test_utf8_every_escaper)
{
    const struct utf8_case *c = &utf8_cases[_i];
    /* No byte of these inputs is special to HTML, Markdown or CSV: each
     * format writes what esc_visible writes (CSV inside its quotes). */
    ESC_EQ(esc_visible, c->in, c->want);
    ESC_EQ(text_visible_fn, c->in, c->want);
    ESC_EQ(esc_html, c->in, c->want);
    ESC_EQ(esc_markdown, c->in, c->want);
    char csv[128];
    snprintf(csv, sizeof(csv), "\"%s\"", c->want);
    ESC_EQ(esc_csv, c->in, csv);
    json_t *j = json_text_value(c->in);
    ck_assert_ptr_nonnull(j);
    ck_assert_str_eq(json_string_value(j), c->want);
    json_decref(j);
    /* The validator itself: the lead byte after "x". */
    const unsigned char *p = (const unsigned char *)c->in + 1;
    size_t n = strlen(c->in) - 1;
    bool kept = strcmp(c->in, c->want) == 0;
    ck_assert_uint_eq(esc_utf8_len(p, n) == n, kept);
    ck_assert_uint_eq(esc_utf8_len(p, 0), 0);
}
END_TEST

/* A scan stored with times a damaged file could hold (+-2^63 in every
 * time column, in turn): report_load refuses it naming the column, so no
 * renderer does arithmetic on it. Should it load anyway, every format is
 * rendered with --expiring over it: under -fsanitize=undefined that is
 * where a signed overflow (s * 1000, not_after - now) would show. */
static const char *const damaged_cols[][2] = {
    {"certificates", "not_after"}, {"certificates", "not_before"},  {"chain_certs", "days_left"},
    {"revocations", "revoked_at"}, {"revocations", "this_update"},  {"targets", "finished_ms"},
    {"scans", "started_ms"},       {"policy_runs", "evaluated_ms"},
};
#define N_DAMAGED_COLS (sizeof(damaged_cols) / sizeof(damaged_cols[0]))

START_TEST(test_damaged_times_not_rendered)
{
    const char *table = damaged_cols[_i / 2][0];
    const char *column = damaged_cols[_i / 2][1];
    const char *value = _i % 2 ? "9223372036854775807" : "-9223372036854775808";
    char dir[] = "/tmp/report_test.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char db[64];
    snprintf(db, sizeof(db), "%s/d.db", dir);
    struct store *s = NULL;
    char err[1024] = "";
    ck_assert_msg(store_open(db, &s, err, sizeof(err)) == 0, "%s", err);
    struct scan_meta meta = {
        .started_ms = 1760000000000LL, .tool_version = "t", .options = "", .trust_store = "system"};
    int64_t scan = 0;
    ck_assert_int_eq(store_scan_begin(s, &meta, &scan), 0);
    struct target_result r;
    target_result_init(&r);
    r.host = strdup("d.example.test");
    r.port = 443;
    r.status = TARGET_OK;
    r.started_ms = 1760000000000LL;
    r.finished_ms = 1760000001000LL;
    fact_mark(&r.chain_header, true);
    r.n_certs = 1;
    r.certs = calloc(1, sizeof(*r.certs));
    ck_assert_ptr_nonnull(r.certs);
    cert_fact_init(&r.certs[0]);
    r.certs[0].der = malloc(4);
    ck_assert_ptr_nonnull(r.certs[0].der);
    memcpy(r.certs[0].der, "\x30\x02\x05\x00", 4);
    r.certs[0].der_len = 4;
    memset(r.certs[0].sha256, 'a', 64);
    r.certs[0].sha256[64] = '\0';
    r.certs[0].not_before = 1700000000;
    r.certs[0].not_after = 1760500000; /* within --expiring 30 */
    r.certs[0].days_left = 5;
    fact_mark(&r.revoc_header, true);
    r.revoc = calloc(1, sizeof(*r.revoc));
    ck_assert_ptr_nonnull(r.revoc);
    r.n_revoc = 1;
    r.revoc[0].status = REVOC_REVOKED;
    r.revoc[0].revoked_at = 1750000000;
    r.revoc[0].this_update = 1750000000;
    ck_assert_msg(store_put_target(s, scan, &r) == 0, "%s", store_errmsg(s));
    target_result_cleanup(&r);
    ck_assert_int_eq(store_scan_finish(s, scan, "complete", 1760000002000LL), 0);
    struct store_policy_run run = {
        .policy_id = "p",
        .policy_version = "1",
        .policy_sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        .evaluated_ms = 1760000003000LL};
    int64_t run_id = 0;
    ck_assert_msg(store_put_findings(s, scan, &run, NULL, 0, &run_id) == 0, "%s", store_errmsg(s));

    sqlite3 *raw = NULL;
    ck_assert_int_eq(sqlite3_open(db, &raw), SQLITE_OK);
    char sql[160];
    snprintf(sql, sizeof(sql), "UPDATE %s SET %s = %s", table, column, value);
    ck_assert_int_eq(sqlite3_exec(raw, sql, NULL, NULL, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_changes(raw), 1);
    sqlite3_close(raw);

    struct report_data d = {0};
    int rc = report_load(s, scan, db, &d, err, sizeof(err));
    if (rc == 0) {
        struct report_options ro = {.now_ms = 1760000000000LL, .expiring_days = 30};
        for (int f = REPORT_TEXT; f <= REPORT_HTML; f++) {
            FILE *null = fopen("/dev/null", "w");
            ck_assert_ptr_nonnull(null);
            char werr[256];
            if (report_write(null, (enum report_format)f, &d, &ro, werr, sizeof(werr)) != 0) {
                /* a render that fails overflows nothing */
            }
            fclose(null);
        }
        report_data_cleanup(&d);
    }
    store_close(s);
    char want[160];
    snprintf(want, sizeof(want), "damaged value in the database: %s.%s = %s", table, column, value);
    ck_assert_msg(rc == -1, "%s.%s = %s was rendered as a time", table, column, value);
    ck_assert_msg(strstr(err, want) != NULL, "want '%s' in '%s'", want, err);
    char f[96];
    const char *const suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(f, sizeof(f), "%s%s", db, suffixes[i]);
        unlink(f);
    }
    rmdir(dir);
}
END_TEST

START_TEST(test_html)
{
    ESC_EQ(esc_html, "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;");
    ESC_EQ(esc_html, "a&b \"q\" 's'", "a&amp;b &quot;q&quot; &#39;s&#39;");
    ESC_EQ(esc_html, "x\x1b[0m\ny", "x\\x1b[0m\\x0ay");
    ESC_EQ(esc_html, "\xff", "\\xff");
}
END_TEST

START_TEST(test_csv)
{
    ESC_EQ(esc_csv, "plain", "\"plain\"");
    ESC_EQ(esc_csv, "a \"q\", b", "\"a \"\"q\"\", b\"");
    ESC_EQ(esc_csv, "=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"");
    ESC_EQ(esc_csv, "+1", "\"'+1\"");
    ESC_EQ(esc_csv, "-5", "\"'-5\"");
    ESC_EQ(esc_csv, "@SUM(A1)", "\"'@SUM(A1)\"");
    ESC_EQ(esc_csv, "\tx", "\"'\\x09x\"");
    ESC_EQ(esc_csv, "a=1", "\"a=1\""); /* only the first character matters */
    ESC_EQ(esc_csv, "l1\r\nl2", "\"l1\\x0d\\x0al2\"");
    ESC_EQ(esc_csv, "", "\"\"");
    ESC_EQ(esc_csv, NULL, "\"\"");
}
END_TEST

START_TEST(test_markdown)
{
    ESC_EQ(esc_markdown, "<script>", "&lt;script&gt;");
    ESC_EQ(esc_markdown, "a|b *c* [d](e) `f`", "a\\|b \\*c\\* \\[d\\]\\(e\\) \\`f\\`");
    ESC_EQ(esc_markdown, "x\ny", "x\\x0ay");
    ESC_EQ(esc_markdown, "1.2-3", "1\\.2\\-3");
}
END_TEST

START_TEST(test_names)
{
    ck_assert_int_eq(report_verdict_parse("fail"), VERDICT_FAIL);
    ck_assert_int_eq(report_verdict_parse("waived"), VERDICT_WAIVED);
    ck_assert_int_eq(report_verdict_parse("pass"), VERDICT_PASS);
    ck_assert_int_eq(report_verdict_parse("maybe"), -1);
    ck_assert_int_eq(report_verdict_parse(NULL), -1);
    ck_assert_str_eq(verdict_name(VERDICT_INCONCLUSIVE), "inconclusive");
    ck_assert_int_eq(report_severity_rank("info"), 0);
    ck_assert_int_eq(report_severity_rank("critical"), 4);
    ck_assert_int_eq(report_severity_rank("huge"), -1);
    enum report_format f;
    ck_assert(report_format_parse("junit", &f));
    ck_assert_int_eq(f, REPORT_JUNIT);
    ck_assert(!report_format_parse("JUNIT", &f));
    ck_assert_str_eq(report_format_name(REPORT_MARKDOWN), "markdown");
}
END_TEST

START_TEST(test_count)
{
    struct store_finding_row rows[] = {
        {.target_id = 1, .verdict = "fail"},   {.target_id = 1, .verdict = "pass"},
        {.target_id = 2, .verdict = "fail"},   {.target_id = 2, .verdict = "waived"},
        {.target_id = 2, .verdict = "future"}, {.target_id = 1, .verdict = "inconclusive"},
    };
    struct store_run run = {.findings = rows, .n_findings = 6};
    struct report_counts k;
    report_count(&run, -1, &k);
    ck_assert_uint_eq(k.total, 6);
    ck_assert_uint_eq(k.v[VERDICT_FAIL], 2);
    ck_assert_uint_eq(k.v[VERDICT_WAIVED], 1);
    report_count(&run, 2, &k);
    ck_assert_uint_eq(k.total, 3); /* an unknown verdict counts in total only */
    ck_assert_uint_eq(k.v[VERDICT_FAIL] + k.v[VERDICT_WAIVED], 2);
}
END_TEST

#define NOW_S 1768478400LL /* 2026-01-15T12:00:00Z */

START_TEST(test_expiring)
{
    /* target 0: a leaf expiring in 1 s (0 days left), an intermediate in
     * exactly 30 days, a root in 30 days + 1 s; target 1: a leaf expired
     * 1 s ago (-1 day), a certificate without notAfter. */
    struct cert_fact c0[3];
    struct cert_fact c1[2];
    memset(c0, 0, sizeof(c0));
    memset(c1, 0, sizeof(c1));
    c0[0].not_after = NOW_S + 1;
    c0[1].not_after = NOW_S + 30 * 86400;
    c0[2].not_after = NOW_S + 30 * 86400 + 1;
    c1[0].not_after = NOW_S - 1;
    c1[1].not_after = 0;
    struct target_result t[2];
    memset(t, 0, sizeof(t));
    t[0].certs = c0;
    t[0].n_certs = 3;
    t[1].certs = c1;
    t[1].n_certs = 2;
    struct report_data d = {.targets = t, .n_targets = 2};
    struct report_expiry *e = NULL;
    size_t n = 0;
    ck_assert_int_eq(report_expiring(&d, NOW_S * 1000, 30, &e, &n), 0);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(e[0].target, 1); /* soonest first: the expired one */
    ck_assert_uint_eq(e[0].position, 0);
    ck_assert(e[0].expired);
    ck_assert_int_eq(e[0].days_left, -1);
    ck_assert_uint_eq(e[1].target, 0);
    ck_assert_uint_eq(e[1].position, 0);
    ck_assert(!e[1].expired);
    ck_assert_int_eq(e[1].days_left, 0);
    ck_assert_uint_eq(e[2].position, 1);
    ck_assert_int_eq(e[2].days_left, 30);
    free(e);
    ck_assert_int_eq(report_expiring(&d, NOW_S * 1000, 0, &e, &n), 0);
    ck_assert_uint_eq(n, 1); /* 0 days: the expired one only */
    free(e);
    d.n_targets = 0;
    ck_assert_int_eq(report_expiring(&d, NOW_S * 1000, 30, &e, &n), 0);
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_null(e);
}
END_TEST

START_TEST(test_inventory)
{
    /* Three targets. 0 and 2 serve the same leaf (one fingerprint) and 0
     * also an intermediate; 0 and 1 were enumerated (TLS 1.2: 0x002F on
     * both, 0xC02F on 0; TLS 1.3: 0x1301 on 1); 2 has no enumeration and
     * its GnuTLS handshake accepted TLS 1.2 with 0x009C. */
    struct cert_fact c0[2], c2[1];
    memset(c0, 0, sizeof(c0));
    memset(c2, 0, sizeof(c2));
    snprintf(c0[0].sha256, sizeof(c0[0].sha256), "%s", "bb");
    snprintf(c0[1].sha256, sizeof(c0[1].sha256), "%s", "aa");
    snprintf(c2[0].sha256, sizeof(c2[0].sha256), "%s", "bb");
    struct enum_suite s0[2] = {{.code = 0xC02F}, {.code = 0x002F}};
    struct enum_suite s1a[1] = {{.code = 0x002F}};
    struct enum_suite s1b[1] = {{.code = 0x1301}};
    struct target_result t[3];
    memset(t, 0, sizeof(t));
    t[0].certs = c0;
    t[0].n_certs = 2;
    fact_mark(&t[0].enumeration.header, true);
    t[0].enumeration.versions[TLSV_TLS12].suites = s0;
    t[0].enumeration.versions[TLSV_TLS12].n_suites = 2;
    fact_mark(&t[1].enumeration.header, true);
    t[1].enumeration.versions[TLSV_TLS12].suites = s1a;
    t[1].enumeration.versions[TLSV_TLS12].n_suites = 1;
    t[1].enumeration.versions[TLSV_TLS13].suites = s1b;
    t[1].enumeration.versions[TLSV_TLS13].n_suites = 1;
    t[2].certs = c2;
    t[2].n_certs = 1;
    t[2].versions[TLSV_TLS12].state = PROBE_ACCEPTED;
    t[2].versions[TLSV_TLS12].suite = 0x009C;
    t[2].versions[TLSV_TLS11].state = PROBE_REFUSED;
    t[2].versions[TLSV_TLS11].suite = 0x0005; /* not accepted: must not count */
    struct report_data d = {.targets = t, .n_targets = 3};
    struct inventory inv;
    ck_assert_int_eq(inventory_build(&d, &inv), 0);

    ck_assert_uint_eq(inv.n_certs, 2); /* by fingerprint: "aa", then "bb" */
    ck_assert_ptr_eq(inv.certs[0].cert, &c0[1]);
    ck_assert_uint_eq(inv.certs[0].n_places, 1);
    ck_assert_uint_eq(inv.certs[0].places[0].position, 1);
    ck_assert_str_eq(inv.certs[1].cert->sha256, "bb");
    ck_assert_uint_eq(inv.certs[1].n_places, 2);
    ck_assert_uint_eq(inv.certs[1].places[0].target, 0);
    ck_assert_uint_eq(inv.certs[1].places[1].target, 2);
    ck_assert_uint_eq(inv.certs[1].places[1].position, 0);

    ck_assert_uint_eq(inv.n_versions, 2); /* newest first, each target once */
    ck_assert_int_eq(inv.versions[0].version, TLSV_TLS13);
    ck_assert_uint_eq(inv.versions[0].n_targets, 1);
    ck_assert_uint_eq(inv.versions[0].targets[0], 1);
    ck_assert_int_eq(inv.versions[1].version, TLSV_TLS12);
    ck_assert_uint_eq(inv.versions[1].n_targets, 3);
    ck_assert_uint_eq(inv.versions[1].targets[0], 0);
    ck_assert_uint_eq(inv.versions[1].targets[1], 1);
    ck_assert_uint_eq(inv.versions[1].targets[2], 2);

    ck_assert_uint_eq(inv.n_suites, 4); /* TLS 1.3 0x1301; TLS 1.2 0x002F, 0x009C, 0xC02F */
    ck_assert_uint_eq(inv.suites[0].suite, 0x1301);
    ck_assert_uint_eq(inv.suites[1].suite, 0x002F);
    ck_assert_uint_eq(inv.suites[1].n_targets, 2);
    ck_assert_uint_eq(inv.suites[1].targets[0], 0);
    ck_assert_uint_eq(inv.suites[1].targets[1], 1);
    ck_assert_uint_eq(inv.suites[2].suite, 0x009C);
    ck_assert_uint_eq(inv.suites[2].targets[0], 2);
    ck_assert_uint_eq(inv.suites[3].suite, 0xC02F);
    ck_assert_uint_eq(inv.suites[3].n_targets, 1);
    inventory_cleanup(&inv);

    d.n_targets = 0;
    ck_assert_int_eq(inventory_build(&d, &inv), 0);
    ck_assert_uint_eq(inv.n_certs + inv.n_versions + inv.n_suites, 0);
    inventory_cleanup(&inv);
}
END_TEST

/* history_to renders one history row of d's target 0 in format f. */
static char *history_to(enum report_format f, const struct report_data *d)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(m);
    struct history_writer *w = history_begin(m, f, "h.test", 443);
    ck_assert_ptr_nonnull(w);
    ck_assert_int_eq(history_add(w, d, 0), 0);
    ck_assert_int_eq(history_end(w), 0);
    history_free(w);
    ck_assert_int_eq(fclose(m), 0);
    return buf;
}

START_TEST(test_history_verdict)
{
    /* A policy whose rules on the target passed or were inconclusive at the
     * run's gate: the row must say not demonstrated, never pass; the
     * verdict is the one report gives, at the gate stored with the run. */
    char pol[] = "p", pass[] = "pass", inc[] = "inconclusive", fail[] = "fail";
    char high[] = "high", low[] = "low";
    struct store_finding_row f[2] = {{.target_id = 7, .verdict = pass, .severity = high},
                                     {.target_id = 7, .verdict = inc, .severity = high}};
    struct store_run run = {.policy_id = pol, .findings = f, .n_findings = 2, .gate = GATE_DEFAULT};
    struct target_result t;
    memset(&t, 0, sizeof(t));
    int64_t ids[1] = {7};
    struct report_data d = {
        .targets = &t, .target_ids = ids, .n_targets = 1, .runs = &run, .n_runs = 1};
    snprintf(d.info.state, sizeof(d.info.state), "%s", "complete");
    char *js = history_to(REPORT_JSON, &d);
    ck_assert_ptr_nonnull(strstr(js, "\"verdict\": \"not-demonstrated\""));
    ck_assert_ptr_null(strstr(js, "\"verdict\": \"compliant\""));
    free(js);
    char *txt = history_to(REPORT_TEXT, &d);
    ck_assert_ptr_nonnull(
        strstr(txt, "p NOT DEMONSTRATED at --fail-on high (0 fail, 1 pass, 1 inconclusive)"));
    free(txt);
    f[1].verdict = fail;
    txt = history_to(REPORT_MARKDOWN, &d);
    ck_assert_ptr_nonnull(strstr(txt, "p FAIL at --fail-on high (1 fail, 1 pass)"));
    free(txt);
    /* A rule failing below the gate: compliant, as report says. */
    f[1].severity = low;
    txt = history_to(REPORT_TEXT, &d);
    ck_assert_ptr_nonnull(strstr(txt, "p pass at --fail-on high (1 fail, 1 pass)"));
    free(txt);
    f[1].verdict = pass;
    js = history_to(REPORT_JSON, &d);
    ck_assert_ptr_nonnull(strstr(js, "\"verdict\": \"compliant\""));
    free(js);
}
END_TEST

/* ---- the check report written one target at a time ---------------------- */

/* check_doc renders a check report of n targets (every other one
 * unreachable) the streamed way: each target into its own file, then the
 * document around them. Returns the malloc'ed text. */
static char *check_doc(struct policy *pol, size_t n)
{
    struct store_scan_info info = {.id = 7, .started_ms = 1767225600000LL, .finished_ms = -1};
    snprintf(info.state, sizeof(info.state), "running");
    struct policy *pols[1] = {pol};
    int64_t run_ids[1] = {42};
    struct check_report c = {.scan_id = 7,
                             .info = &info,
                             .db_path = "t.db",
                             .gate = GATE_DEFAULT,
                             .evaluated_ms = 1767225600000LL,
                             .pols = pols,
                             .n_pols = 1,
                             .run_ids = run_ids,
                             .n_targets = n};
    struct check_totals tot = {0};
    FILE *body = tmpfile();
    ck_assert_ptr_nonnull(body);
    for (size_t t = 0; t < n; t++) {
        struct target_result r;
        target_result_init(&r);
        r.host = strdup("h\x1b\"x\n.example");
        ck_assert_ptr_nonnull(r.host);
        r.port = (uint16_t)(443 + t);
        r.status = t % 2 == 0 ? TARGET_OK : TARGET_UNREACHABLE;
        r.versions[TLSV_TLS10].state = PROBE_ACCEPTED;
        struct finding_list l;
        finding_list_init(&l);
        if (r.status == TARGET_OK) {
            ck_assert_int_eq(policy_eval(pol, &r, NULL, 1767225600, &l), 0);
        }
        struct check_target ct = {.target = &r, .id = (int64_t)t + 1, .findings = &l};
        check_report_add_totals(&c, &ct, &tot);
        ck_assert_int_eq(check_report_json_target(body, &c, &ct, t == 0), 0);
        finding_list_cleanup(&l);
        target_result_cleanup(&r);
    }
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(check_report_json_finish(out, &c, body, n, &tot, 1), 0);
    ck_assert_int_eq(fclose(out), 0);
    fclose(body);
    return text;
}

/* The spliced document is byte for byte what jansson dumps of the parsed
 * whole, for no target, one and several; a policy title that is the mark
 * the targets replace does not move them. */
START_TEST(test_check_json_streamed)
{
    static const char yaml[] =
        "id: t\ntitle: \"@@tlsaudit-check-targets@@\"\nversion: \"1\"\nrules:\n"
        "  - id: r\n    title: the rule\n    ref: Test 1\n    severity: high\n"
        "    protocols_forbidden: [SSLv3, TLS1.0]\n";
    char err[1024];
    struct policy *pol = policy_load_buffer("t.yaml", yaml, strlen(yaml), err, sizeof(err));
    ck_assert_msg(pol != NULL, "%s", err);
    size_t counts[] = {0, 1, 4};
    for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
        char *text = check_doc(pol, counts[k]);
        json_error_t je;
        json_t *root = json_loads(text, 0, &je);
        ck_assert_msg(root != NULL, "%zu targets: %s at %d:%d", counts[k], je.text, je.line,
                      je.column);
        ck_assert_int_eq(json_array_size(json_object_get(root, "targets")), counts[k]);
        json_t *p = json_array_get(json_object_get(root, "policies"), 0);
        ck_assert_str_eq(json_string_value(json_object_get(p, "title")),
                         "@@tlsaudit-check-targets@@");
        char *again = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        ck_assert_ptr_nonnull(again);
        size_t n = strlen(again);
        ck_assert_msg(strncmp(text, again, n) == 0 && strcmp(text + n, "\n") == 0,
                      "%zu targets: the streamed document differs from jansson's dump:\n%s",
                      counts[k], text);
        if (counts[k] > 0) {
            json_t *t0 = json_array_get(json_object_get(root, "targets"), 0);
            json_t *p0 = json_array_get(json_object_get(t0, "policies"), 0);
            ck_assert_str_eq(json_string_value(json_object_get(p0, "verdict")), "non-compliant");
        }
        free(again);
        json_decref(root);
        free(text);
    }
    policy_free(pol);
}
END_TEST

/* Values whose dump json_splice_doc must move to depth 1 and make ASCII as
 * jansson does: 2-, 3- and 4-byte UTF-8 (a surrogate pair), escapes kept,
 * nesting, empty containers, numbers. */
static const char *const splice_cases[] = {
    "{\"a\": \"x\\u00e9\\u20ac\\ud83d\\ude00\\u0001/\\\"\\\\\", \"b\": [1, {}, [], -2.5e-07]}",
    "[]",
    "{\"k\": {\"n\": [[\"\\u00ff\"], {\"m\": null, \"t\": true}], \"z\": 0}}",
    "\"only a string \\u10ffff\"",
};

START_TEST(test_json_splice)
{
    json_error_t e;
    json_t *v = json_loads(splice_cases[_i], JSON_DECODE_ANY, &e);
    ck_assert_ptr_nonnull(v);
    /* The check's way: no JSON_ENSURE_ASCII, a final newline. */
    FILE *doc = tmpfile();
    ck_assert_ptr_nonnull(doc);
    ck_assert_int_eq(json_dumpf(v, doc, JSON_INDENT(2) | JSON_ENCODE_ANY), 0);
    fputc('\n', doc);
    char *got = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&got, &len);
    fputs("{\n  \"k\": ", out);
    ck_assert_int_eq(json_splice_doc(out, doc, 1), 0);
    fputs("\n}", out);
    fclose(out);
    json_t *root = json_object();
    json_object_set(root, "k", v);
    char *want = json_dumps(root, JSON_INDENT(2) | JSON_ENSURE_ASCII);
    ck_assert_str_eq(got, want);
    free(want);
    free(got);
    json_decref(root);
    json_decref(v);
    /* Invalid UTF-8 (jansson never writes it) is refused. */
    rewind(doc);
    fputs("\"\xc3(\"\n", doc);
    fflush(doc);
    if (ftruncate(fileno(doc), 5) == 0) {
        FILE *sink = fopen("/dev/null", "w");
        ck_assert_int_eq(json_splice_doc(sink, doc, 1), -1);
        fclose(sink);
    }
    fclose(doc);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_visible);
    tcase_add_loop_test(tc, test_utf8_every_escaper, 0,
                        (int)(sizeof(utf8_cases) / sizeof(utf8_cases[0])));
    tcase_add_test(tc, test_html);
    tcase_add_loop_test(tc, test_damaged_times_not_rendered, 0, (int)(N_DAMAGED_COLS * 2));
    tcase_add_test(tc, test_csv);
    tcase_add_test(tc, test_markdown);
    tcase_add_test(tc, test_names);
    tcase_add_test(tc, test_count);
    tcase_add_test(tc, test_expiring);
    tcase_add_test(tc, test_inventory);
    tcase_add_test(tc, test_history_verdict);
    tcase_add_test(tc, test_check_json_streamed);
    tcase_add_loop_test(tc, test_json_splice, 0,
                        (int)(sizeof(splice_cases) / sizeof(splice_cases[0])));
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
