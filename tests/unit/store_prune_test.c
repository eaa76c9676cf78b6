/*
 * tests/unit/store_prune_test.c - retention (store/prune.c, `tlsaudit
 * prune`): which scans go, that everything under them goes with them, that
 * a certificate a remaining scan still serves stays, that a dry run changes
 * no byte of the file, that a failure inside the transaction leaves the
 * store as it was, and that the space is reclaimed (incremental vacuum in a
 * new store, a converting VACUUM in one without auto-vacuum). The file is
 * read back through a separate raw SQLite connection.
 *
 * Invariant: each assertion compares against a concrete expected value.
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "common/model/facts.h"
#include "store/store.h"

#define DAY_MS 86400000LL
#define NOW_MS 1780000000000LL

static char g_dir[256];
static char g_db[300];

static void setup(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(g_dir, sizeof(g_dir), "%s/store_prune_test.XXXXXX",
             base != NULL && base[0] != '\0' ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(g_dir));
    snprintf(g_db, sizeof(g_db), "%s/t.db", g_dir);
}

static void teardown(void)
{
    char p[400];
    const char *suffix[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(p, sizeof(p), "%s%s", g_db, suffix[i]);
        unlink(p);
    }
    rmdir(g_dir);
}

static int64_t q_int(const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_open_v2(g_db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
                  sqlite3_errmsg(db));
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static char *q_text(const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_open_v2(g_db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    char *v = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void raw_exec(const char *sql)
{
    sqlite3 *db = NULL;
    char *msg = NULL;
    ck_assert_int_eq(sqlite3_open_v2(g_db, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK, "%s: %s", sql,
                  msg ? msg : "?");
    sqlite3_close(db);
}

static void ck_integrity(void)
{
    char *t = q_text("PRAGMA integrity_check");
    ck_assert_str_eq(t, "ok");
    free(t);
    ck_assert_int_eq(q_int("SELECT count(*) FROM pragma_foreign_key_check"), 0);
}

/* fill_cert: a fake certificate whose DER and SHA-256 derive from seed. */
static void fill_cert(struct cert_fact *c, int seed)
{
    cert_fact_init(c);
    c->der_len = 2000;
    c->der = malloc(c->der_len);
    ck_assert_ptr_nonnull(c->der);
    for (size_t i = 0; i < c->der_len; i++) {
        c->der[i] = (unsigned char)(seed * 31 + (int)i);
    }
    for (size_t i = 0; i < 32; i++) {
        snprintf(c->sha256 + 2 * i, sizeof(c->sha256) - 2 * i, "%02x",
                 (unsigned)((seed * 7 + (int)i) & 0xff));
    }
    c->subject = strdup("CN=x");
    c->issuer = strdup("CN=int");
    ck_assert_int_eq(strlist_add(&c->san, "DNS:x.example"), 0);
    c->not_after = 1800000000;
}

/* put_target stores host:443 with a chain (leaf seed leaf, intermediate
 * seed 1) and returns its targets.id. */
static int64_t put_target(struct store *s, int64_t scan, const char *host, int leaf)
{
    struct target_result r;
    target_result_init(&r);
    r.host = strdup(host);
    r.port = 443;
    snprintf(r.ip, sizeof(r.ip), "192.0.2.%d", leaf);
    r.status = TARGET_OK;
    r.versions[TLSV_TLS12].state = PROBE_ACCEPTED;
    fact_mark(&r.chain_header, true);
    r.n_certs = 2;
    r.certs = calloc(2, sizeof(*r.certs));
    ck_assert_ptr_nonnull(r.certs);
    fill_cert(&r.certs[0], leaf);
    fill_cert(&r.certs[1], 1);
    ck_assert_msg(store_put_target(s, scan, &r) == 0, "%s", store_errmsg(s));
    target_result_cleanup(&r);
    return q_int("SELECT max(id) FROM targets");
}

static int64_t scan_at(struct store *s, int64_t started_ms, bool finish)
{
    struct scan_meta meta = {.started_ms = started_ms, .tool_version = "test", .options = "t"};
    int64_t id = 0;
    ck_assert_msg(store_scan_begin(s, &meta, &id) == 0, "%s", store_errmsg(s));
    if (finish) {
        ck_assert_int_eq(store_scan_finish(s, id, "complete", started_ms + 1000), 0);
    }
    return id;
}

static void put_run(struct store *s, int64_t scan, int64_t tid)
{
    struct store_policy_run run = {.policy_id = "p",
                                   .policy_sha256 = "0123456789abcdef0123456789abcdef"
                                                    "0123456789abcdef0123456789abcdef",
                                   .evaluated_ms = NOW_MS,
                                   .tool_version = "test"};
    struct store_finding f[2] = {
        {.target_id = tid, .rule_id = "r1", .severity = "high", .verdict = "fail"},
        {.target_id = tid, .rule_id = "r2", .severity = "high", .verdict = "pass"},
    };
    ck_assert_msg(store_put_findings(s, scan, &run, f, 2, NULL) == 0, "%s", store_errmsg(s));
}

/* build: scan 1 (100 days ago: a leaf 10, b leaf 11, a policy run), scan 2
 * (50 days ago: a leaf 10, c leaf 12, a run), scan 3 (now: a leaf 10, d
 * leaf 13), scan 4 (200 days ago, still running: e leaf 14), two cache
 * entries, one expired. Leaf 10 and the intermediate stay in use. */
static struct store *build(void)
{
    struct store *s = NULL;
    char err[512];
    ck_assert_msg(store_open(g_db, &s, err, sizeof(err)) == 0, "%s", err);
    int64_t s1 = scan_at(s, NOW_MS - 100 * DAY_MS, true);
    put_run(s, s1, put_target(s, s1, "a.example", 10));
    put_target(s, s1, "b.example", 11);
    int64_t s2 = scan_at(s, NOW_MS - 50 * DAY_MS, true);
    put_target(s, s2, "a.example", 10);
    put_run(s, s2, put_target(s, s2, "c.example", 12));
    int64_t s3 = scan_at(s, NOW_MS, true);
    put_target(s, s3, "a.example", 10);
    put_target(s, s3, "d.example", 13);
    int64_t s4 = scan_at(s, NOW_MS - 200 * DAY_MS, false);
    put_target(s, s4, "e.example", 14);
    const unsigned char data[4] = {1, 2, 3, 4};
    ck_assert_int_eq(store_cache_put(s, "crl", "http://old", data, 4, NOW_MS / 1000 - 10), 0);
    ck_assert_int_eq(store_cache_put(s, "crl", "http://new", data, 4, NOW_MS / 1000 + 3600), 0);
    return s;
}

/* read_file returns the file's bytes (checkpointed first by the caller). */
static unsigned char *read_file(size_t *len)
{
    FILE *f = fopen(g_db, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static void ck_counts(const struct store_prune_result *r)
{
    ck_assert_int_eq(r->n_counts[STORE_PRUNE_SCANS], 2); /* 1 and 2; 4 runs */
    ck_assert_int_eq(r->n_counts[STORE_PRUNE_TARGETS], 4);
    ck_assert_int_eq(r->n_counts[STORE_PRUNE_RUNS], 2);
    ck_assert_int_eq(r->n_counts[STORE_PRUNE_FINDINGS], 4);
    ck_assert_int_eq(r->n_counts[STORE_PRUNE_CERTS], 2); /* leaves 11 and 12 */
    ck_assert_int_eq(r->n_counts[STORE_PRUNE_CACHE], 1);
    ck_assert_uint_eq(r->n_scans, 2);
    ck_assert_int_eq(r->scans[0].id, 1);
    ck_assert_int_eq(r->scans[1].id, 2);
    ck_assert_int_eq(r->scans[1].n_targets, 2);
    ck_assert_str_eq(r->scans[0].state, "complete");
}

START_TEST(test_keep_days)
{
    struct store *s = build();
    ck_assert_int_eq(q_int("PRAGMA auto_vacuum"), 2); /* a new store: incremental */
    ck_assert_int_eq(q_int("SELECT count(*) FROM certificates"), 6);
    store_close(s);
    raw_exec("PRAGMA wal_checkpoint(TRUNCATE)");
    size_t n0, n1;
    unsigned char *b0 = read_file(&n0);

    /* Dry run: the counts, and not one byte of the file changes. */
    char err[512];
    ck_assert_int_eq(store_open_readonly(g_db, &s, err, sizeof(err)), 0);
    struct store_prune_options o = {.keep_days = 30, .now_ms = NOW_MS, .dry_run = true};
    struct store_prune_result r;
    ck_assert_msg(store_prune(s, &o, &r) == 0, "%s", store_errmsg(s));
    ck_counts(&r);
    store_prune_result_cleanup(&r);
    store_close(s);
    unsigned char *b1 = read_file(&n1);
    ck_assert_uint_eq(n0, n1);
    ck_assert(memcmp(b0, b1, n0) == 0);
    free(b0);
    free(b1);
    ck_assert_int_eq(q_int("SELECT count(*) FROM scans"), 4);

    /* For real. */
    ck_assert_int_eq(store_open(g_db, &s, err, sizeof(err)), 0);
    o.dry_run = false;
    ck_assert_msg(store_prune(s, &o, &r) == 0, "%s", store_errmsg(s));
    ck_counts(&r);
    ck_assert(r.incremental);
    ck_assert(!r.converted);
    ck_assert_int_lt(r.bytes_after, r.bytes_before);
    store_prune_result_cleanup(&r);
    store_close(s);
    ck_integrity();
    ck_assert_int_eq(
        q_int("SELECT group_concat(id) = '3,4' FROM (SELECT id FROM scans ORDER BY id)"), 1);
    ck_assert_int_eq(q_int("SELECT count(*) FROM targets"), 3);
    ck_assert_int_eq(q_int("SELECT count(*) FROM policy_runs"), 0);
    ck_assert_int_eq(q_int("SELECT count(*) FROM findings"), 0);
    ck_assert_int_eq(q_int("SELECT count(*) FROM chain_certs"), 6);
    /* leaf 10 (served by scan 3 too), the intermediate, 13, 14 stay */
    ck_assert_int_eq(q_int("SELECT count(*) FROM certificates"), 4);
    ck_assert_int_eq(q_int("SELECT count(*) FROM certificates c WHERE NOT EXISTS (SELECT 1 FROM"
                           " chain_certs cc WHERE cc.sha256 = c.sha256)"),
                     0);
    ck_assert_int_eq(q_int("SELECT count(*) FROM certificate_items WHERE sha256 NOT IN (SELECT"
                           " sha256 FROM certificates)"),
                     0);
    ck_assert_int_eq(q_int("SELECT count(*) FROM fetch_cache"), 1);
    ck_assert_int_eq(q_int("PRAGMA freelist_count"), 0);

    /* Again: nothing left to delete. */
    ck_assert_int_eq(store_open(g_db, &s, err, sizeof(err)), 0);
    ck_assert_int_eq(store_prune(s, &o, &r), 0);
    ck_assert_int_eq(r.n_counts[STORE_PRUNE_SCANS], 0);
    store_prune_result_cleanup(&r);
    store_close(s);
}
END_TEST

START_TEST(test_keep_scans)
{
    struct store *s = build();
    struct store_prune_options o = {.keep_scans = 2, .keep_days = -1, .now_ms = NOW_MS};
    struct store_prune_result r;
    /* The two newest (3 and the running 4) kept: 1 and 2 go. */
    ck_assert_msg(store_prune(s, &o, &r) == 0, "%s", store_errmsg(s));
    ck_counts(&r);
    store_prune_result_cleanup(&r);
    store_close(s);
    ck_integrity();
    ck_assert_int_eq(q_int("SELECT count(*) FROM scans"), 2);
}
END_TEST

/* With both rules a scan goes only when neither keeps it. */
START_TEST(test_both_rules)
{
    struct store *s = build();
    struct store_prune_options o = {.keep_scans = 3, .keep_days = 30, .now_ms = NOW_MS};
    struct store_prune_result r;
    ck_assert_int_eq(store_prune(s, &o, &r), 0);
    ck_assert_int_eq(r.n_counts[STORE_PRUNE_SCANS], 1); /* scan 2 is one of the 3 newest */
    ck_assert_int_eq(r.scans[0].id, 1);
    ck_assert_int_eq(r.n_counts[STORE_PRUNE_CERTS], 1); /* leaf 11 */
    store_prune_result_cleanup(&r);
    store_close(s);
    ck_integrity();
}
END_TEST

/* A failure inside the transaction (a trigger refusing the certificates'
 * deletion, after the scans were deleted) leaves every row in place. */
START_TEST(test_failure_rolls_back)
{
    struct store *s = build();
    store_close(s);
    raw_exec("CREATE TRIGGER no_cert_delete BEFORE DELETE ON certificates"
             " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;");
    char err[512];
    ck_assert_int_eq(store_open(g_db, &s, err, sizeof(err)), 0);
    struct store_prune_options o = {.keep_days = 30, .now_ms = NOW_MS};
    struct store_prune_result r;
    ck_assert_int_eq(store_prune(s, &o, &r), -1);
    ck_assert_ptr_nonnull(strstr(store_errmsg(s), "refused by the test"));
    store_prune_result_cleanup(&r);
    store_close(s);
    ck_integrity();
    ck_assert_int_eq(q_int("SELECT count(*) FROM scans"), 4);
    ck_assert_int_eq(q_int("SELECT count(*) FROM targets"), 7);
    ck_assert_int_eq(q_int("SELECT count(*) FROM findings"), 4);
    ck_assert_int_eq(q_int("SELECT count(*) FROM certificates"), 6);
    ck_assert_int_eq(q_int("SELECT count(*) FROM fetch_cache"), 2);
}
END_TEST

/* A store made before incremental auto-vacuum: one VACUUM converts it. */
START_TEST(test_converts_old_store)
{
    struct store *s = build();
    store_close(s);
    raw_exec("PRAGMA auto_vacuum = NONE; VACUUM;");
    ck_assert_int_eq(q_int("PRAGMA auto_vacuum"), 0);
    char err[512];
    ck_assert_int_eq(store_open(g_db, &s, err, sizeof(err)), 0);
    struct store_prune_options o = {.keep_days = 30, .now_ms = NOW_MS};
    struct store_prune_result r;
    ck_assert_msg(store_prune(s, &o, &r) == 0, "%s", store_errmsg(s));
    ck_assert(!r.incremental);
    ck_assert(r.converted);
    ck_assert_int_lt(r.bytes_after, r.bytes_before);
    store_prune_result_cleanup(&r);
    store_close(s);
    ck_integrity();
    ck_assert_int_eq(q_int("PRAGMA auto_vacuum"), 2);
    ck_assert_int_eq(q_int("SELECT count(*) FROM scans"), 2);
}
END_TEST

static Suite *prune_suite(void)
{
    Suite *su = suite_create("store_prune");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_keep_days);
    tcase_add_test(tc, test_keep_scans);
    tcase_add_test(tc, test_both_rules);
    tcase_add_test(tc, test_failure_rolls_back);
    tcase_add_test(tc, test_converts_old_store);
    suite_add_tcase(su, tc);
    return su;
}

int main(void)
{
    SRunner *sr = srunner_create(prune_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
