/*
 * tests/unit/store_test.c - unit tests of the SQLite store (store/store.c).
 *
 * Every test works in its own mkdtemp directory and reads what the store
 * wrote back through a separate raw SQLite connection, so it checks the
 * file, not the store's own view of it. The crash tests fork a writer and
 * SIGKILL it; the concurrency tests fork two processes on one file.
 *
 * Invariant: each assertion compares against a concrete expected value, so
 * every test can fail.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "common/model/facts.h"
#include "store/store.h"

#define TEST_TIMEOUT_S 120

static char g_dir[256];

/* --- fixture and small helpers ------------------------------------------- */

static void tmpdir_setup(void)
{
    const char *base = getenv("TMPDIR");
    if (base == NULL || base[0] == '\0') {
        base = "/tmp";
    }
    int n = snprintf(g_dir, sizeof(g_dir), "%s/store_test.XXXXXX", base);
    ck_assert(n > 0 && (size_t)n < sizeof(g_dir));
    ck_assert_ptr_nonnull(mkdtemp(g_dir));
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        return;
    }
    struct dirent *e;
    char p[512];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            chmod(p, 0700);
            remove_tree(p);
        } else {
            unlink(p);
        }
    }
    closedir(d);
    rmdir(dir);
}

static void tmpdir_teardown(void)
{
    remove_tree(g_dir);
}

/* path_in returns g_dir/name in one of four rotating static buffers. */
static const char *path_in(const char *name)
{
    static char bufs[4][512];
    static int next;
    char *b = bufs[next++ % 4];
    int n = snprintf(b, sizeof(bufs[0]), "%s/%s", g_dir, name);
    ck_assert(n > 0 && (size_t)n < sizeof(bufs[0]));
    return b;
}

static unsigned char *read_all(const char *path, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    size_t cap = 4096;
    size_t len = 0;
    unsigned char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    size_t got;
    while ((got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            ck_assert_ptr_nonnull(buf);
        }
    }
    fclose(f);
    *out_len = len;
    return buf;
}

/* A file's bytes and modification time, to prove it was not touched. */
struct snapshot {
    unsigned char *bytes;
    size_t len;
    struct timespec mtime;
};

static void snapshot_take(const char *path, struct snapshot *snap)
{
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    snap->mtime = st.st_mtim;
    snap->bytes = read_all(path, &snap->len);
}

static void snapshot_check(const char *path, struct snapshot *snap)
{
    struct snapshot now;
    snapshot_take(path, &now);
    ck_assert_uint_eq(now.len, snap->len);
    ck_assert(memcmp(now.bytes, snap->bytes, snap->len) == 0);
    ck_assert_int_eq(now.mtime.tv_sec, snap->mtime.tv_sec);
    ck_assert_int_eq(now.mtime.tv_nsec, snap->mtime.tv_nsec);
    free(now.bytes);
    free(snap->bytes);
    snap->bytes = NULL;
}

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static sqlite3 *raw_open(const char *path)
{
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 30000);
    return db;
}

static void raw_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    ck_assert_msg(rc == SQLITE_OK, "%s: %s", sql, msg ? msg : "?");
    sqlite3_free(msg);
}

/* q_prepare prepares sql and binds ?1 to an integer or a text. */
static sqlite3_stmt *q_prepare(sqlite3 *db, const char *sql, int64_t p_int, const char *p_text)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    ck_assert_msg(rc == SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
    if (sqlite3_bind_parameter_count(st) >= 1) {
        if (p_text != NULL) {
            ck_assert_int_eq(sqlite3_bind_text(st, 1, p_text, -1, SQLITE_TRANSIENT), SQLITE_OK);
        } else {
            ck_assert_int_eq(sqlite3_bind_int64(st, 1, p_int), SQLITE_OK);
        }
    }
    return st;
}

/* q_int returns column 0 of the single row of sql (?1 = p). */
static int64_t q_int(sqlite3 *db, const char *sql, int64_t p)
{
    sqlite3_stmt *st = q_prepare(db, sql, p, NULL);
    ck_assert_msg(sqlite3_step(st) == SQLITE_ROW, "%s: no row", sql);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int64_t q_int_s(sqlite3 *db, const char *sql, const char *p)
{
    sqlite3_stmt *st = q_prepare(db, sql, 0, p);
    ck_assert_msg(sqlite3_step(st) == SQLITE_ROW, "%s: no row", sql);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* q_is_null tells whether column 0 of the single row is NULL. */
static bool q_is_null(sqlite3 *db, const char *sql, int64_t p)
{
    sqlite3_stmt *st = q_prepare(db, sql, p, NULL);
    ck_assert_msg(sqlite3_step(st) == SQLITE_ROW, "%s: no row", sql);
    bool v = sqlite3_column_type(st, 0) == SQLITE_NULL;
    sqlite3_finalize(st);
    return v;
}

/* q_text returns a copy of column 0 of the single row ("<NULL>" for NULL). */
static char *q_text_impl(sqlite3 *db, const char *sql, int64_t p_int, const char *p_text)
{
    sqlite3_stmt *st = q_prepare(db, sql, p_int, p_text);
    ck_assert_msg(sqlite3_step(st) == SQLITE_ROW, "%s: no row", sql);
    const unsigned char *t = sqlite3_column_text(st, 0);
    char *v = strdup(t ? (const char *)t : "<NULL>");
    ck_assert_ptr_nonnull(v);
    sqlite3_finalize(st);
    return v;
}

#define ck_text_eq(db, sql, p, expected)                                                           \
    do {                                                                                           \
        char *got_ = q_text_impl((db), (sql), (p), NULL);                                          \
        ck_assert_str_eq(got_, (expected));                                                        \
        free(got_);                                                                                \
    } while (0)

#define ck_text_eq_s(db, sql, p, expected)                                                         \
    do {                                                                                           \
        char *got_ = q_text_impl((db), (sql), 0, (p));                                             \
        ck_assert_str_eq(got_, (expected));                                                        \
        free(got_);                                                                                \
    } while (0)

static void ck_integrity_ok(const char *path)
{
    sqlite3 *db = raw_open(path);
    ck_text_eq(db, "PRAGMA integrity_check", 0, "ok");
    ck_text_eq(db, "SELECT count(*) FROM pragma_foreign_key_check", 0, "0");
    sqlite3_close(db);
}

/* --- building facts by hand ----------------------------------------------- */

static void add_item(struct strlist *l, const char *s)
{
    ck_assert_int_eq(strlist_add(l, s), 0);
}

/* fill_cert makes a fake certificate whose DER and SHA-256 derive from seed
 * (the store does not parse DER, so any bytes do). */
static void fill_cert(struct cert_fact *c, int seed, const char *subject, const char *issuer)
{
    cert_fact_init(c);
    c->der_len = 100 + (size_t)seed;
    c->der = malloc(c->der_len);
    ck_assert_ptr_nonnull(c->der);
    for (size_t i = 0; i < c->der_len; i++) {
        c->der[i] = (unsigned char)(seed * 31 + (int)i);
    }
    for (size_t i = 0; i < 32; i++) {
        snprintf(c->sha256 + 2 * i, sizeof(c->sha256) - 2 * i, "%02x",
                 (unsigned)((seed * 7 + (int)i) & 0xff));
    }
    c->subject = strdup(subject);
    c->issuer = strdup(issuer);
    ck_assert_ptr_nonnull(c->subject);
    ck_assert_ptr_nonnull(c->issuer);
    snprintf(c->serial, sizeof(c->serial), "0a1b2c%02x", (unsigned)seed);
    c->not_before = 1700000000 + seed;
    c->not_after = 1800000000 + seed;
    c->days_left = 300 + seed;
    snprintf(c->key_type, sizeof(c->key_type), "RSA");
    c->key_bits = 2048;
    snprintf(c->sig_alg, sizeof(c->sig_alg), "RSA-SHA256");
    c->has_key_usage = true;
    add_item(&c->key_usage, "digitalSignature");
    add_item(&c->key_usage, "keyEncipherment");
    add_item(&c->crl_urls, "http://crl.example.test/ca.crl");
    add_item(&c->ca_issuer_urls, "http://ca.example.test/ca.der");
}

static void fill_leaf(struct cert_fact *c, int seed, const char *host)
{
    char subject[128];
    snprintf(subject, sizeof(subject), "CN=%s", host);
    fill_cert(c, seed, subject, "CN=Test Intermediate,O=Example");
    c->ca = 0;
    add_item(&c->eku, "serverAuth");
    add_item(&c->eku, "1.3.6.1.5.5.7.3.2");
    char san[160];
    snprintf(san, sizeof(san), "DNS:%s", host);
    add_item(&c->san, san);
    /* A hostile entry: a newline must not split it into two SAN entries. */
    add_item(&c->san, "DNS:evil.test\nDNS:injected.test");
    add_item(&c->san, "IP:192.0.2.1");
    add_item(&c->ocsp_urls, "http://ocsp.example.test");
    c->must_staple = true;
    c->n_scts = 2;
}

static void fill_intermediate(struct cert_fact *c)
{
    fill_cert(c, 1, "CN=Test Intermediate,O=Example", "CN=Test Root,O=Example");
    snprintf(c->key_type, sizeof(c->key_type), "EC");
    c->key_bits = 384;
    snprintf(c->curve, sizeof(c->curve), "secp384r1");
    snprintf(c->sig_alg, sizeof(c->sig_alg), "ECDSA-SHA384");
    c->ca = 1;
    c->path_len = 0;
}

/* fill_target builds a finished target: TLS 1.0 refused, TLS 1.1 not
 * tested, TLS 1.2 accepted (ECDHE), TLS 1.3 accepted after an HRR, and a
 * two-certificate chain (leaf seed leaf_seed + the shared intermediate). */
static void fill_target(struct target_result *r, const char *host, uint16_t port, int leaf_seed)
{
    target_result_init(r);
    r->host = strdup(host);
    r->sni = strdup(host);
    ck_assert_ptr_nonnull(r->host);
    ck_assert_ptr_nonnull(r->sni);
    r->port = port;
    snprintf(r->ip, sizeof(r->ip), "192.0.2.%d", leaf_seed);
    r->started_ms = 1760000000000LL + leaf_seed;
    r->finished_ms = 1760000001234LL + leaf_seed;
    r->status = TARGET_OK;

    r->versions[TLSV_TLS10].state = PROBE_REFUSED;
    snprintf(r->versions[TLSV_TLS10].reason, FACT_TEXT, "alert protocol_version (70)");
    r->versions[TLSV_TLS11].state = PROBE_NOT_TESTED;
    struct version_fact *v12 = &r->versions[TLSV_TLS12];
    v12->state = PROBE_ACCEPTED;
    v12->suite = 0xc02f;
    snprintf(v12->suite_name, sizeof(v12->suite_name), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    snprintf(v12->group, sizeof(v12->group), "x25519");
    struct version_fact *v13 = &r->versions[TLSV_TLS13];
    v13->state = PROBE_ACCEPTED;
    v13->suite = 0x1301;
    snprintf(v13->suite_name, sizeof(v13->suite_name), "TLS_AES_128_GCM_SHA256");
    snprintf(v13->group, sizeof(v13->group), "ffdhe2048");
    v13->dh_bits = 2048;
    v13->hrr = true;

    fact_mark(&r->chain_header, true);
    r->n_certs = 2;
    r->certs = calloc(2, sizeof(*r->certs));
    ck_assert_ptr_nonnull(r->certs);
    fill_leaf(&r->certs[0], leaf_seed, host);
    fill_intermediate(&r->certs[1]);

    struct chain_fact *ch = &r->chain;
    ch->trusted = false;
    ch->verify_status = 0x42;
    snprintf(ch->verify_text, sizeof(ch->verify_text), "signer not found");
    ch->hostname_checked = true;
    ch->hostname_match = true;
    snprintf(ch->hostname, sizeof(ch->hostname), "%s", host);
    ch->incomplete = true;
    ch->min_days_left = 301;
    ch->ocsp_staple = true;
    snprintf(ch->ocsp_status, sizeof(ch->ocsp_status), "good");
}

/* The certificate_items of schemas 1 to 5 (before step 6 let 'policy_oid'
 * in), rebuilt from the current one with every row. */
#define OLD_CERT_ITEMS                                                                             \
    "CREATE TABLE old_items (sha256 TEXT NOT NULL REFERENCES certificates (sha256)"                \
    "  ON DELETE CASCADE, field TEXT NOT NULL CHECK (field IN ('key_usage', 'eku', 'san',"         \
    "  'ocsp_url', 'ca_issuer_url', 'crl_url')), position INTEGER NOT NULL,"                       \
    "  value TEXT NOT NULL, PRIMARY KEY (sha256, field, position)) WITHOUT ROWID;"                 \
    "INSERT INTO old_items SELECT sha256, field, position, value FROM certificate_items;"          \
    "DROP TABLE certificate_items; ALTER TABLE old_items RENAME TO certificate_items;"             \
    "CREATE INDEX certificate_items_value ON certificate_items (field, value);"

/* Takes a current file back to schema 1: what steps 7, 6, 4, 3 and 2 add,
 * dropped (the tests of old files start from a file written now). */
#define TO_SCHEMA_1                                                                                \
    "DROP TABLE starttls_dialogues; ALTER TABLE targets DROP COLUMN starttls;"                     \
    "DROP TABLE scan_sources; DROP INDEX scans_uuid; DROP INDEX scans_run_id;"                     \
    "ALTER TABLE scans DROP COLUMN uuid; ALTER TABLE scans DROP COLUMN run_id;"                    \
    "ALTER TABLE scans DROP COLUMN shard_k; ALTER TABLE scans DROP COLUMN shard_n;" OLD_CERT_ITEMS \
    "DROP TABLE kex_values; ALTER TABLE targets DROP COLUMN kex_state;"                            \
    "DROP TABLE deployment_revocations; DROP TABLE deployment_chains;"                             \
    "DROP TABLE deployment_certs; DROP TABLE deployments;"                                         \
    "DROP TABLE probe_results; ALTER TABLE targets DROP COLUMN probes_state;"                      \
    "ALTER TABLE targets DROP COLUMN probes_detail;"                                               \
    "DROP TABLE revocations; DROP TABLE http_headers; DROP TABLE fetch_cache;"                     \
    "ALTER TABLE targets DROP COLUMN revoc_collected;"                                             \
    "ALTER TABLE chains DROP COLUMN aia_attempted;"                                                \
    "ALTER TABLE chains DROP COLUMN aia_completed;"                                                \
    "ALTER TABLE chains DROP COLUMN aia_trusted;"                                                  \
    "ALTER TABLE chains DROP COLUMN aia_fetched;"                                                  \
    "ALTER TABLE chains DROP COLUMN aia_detail;"                                                   \
    "ALTER TABLE policy_runs DROP COLUMN fail_on;"                                                 \
    "ALTER TABLE policy_runs DROP COLUMN fail_on_inconclusive;"                                    \
    "PRAGMA user_version = 1;"

static struct store *open_ok(const char *path)
{
    struct store *s = NULL;
    char err[512] = "unset";
    int rc = store_open(path, &s, err, sizeof(err));
    ck_assert_msg(rc == 0, "store_open(%s): %s", path, err);
    ck_assert_ptr_nonnull(s);
    return s;
}

static int64_t begin_scan(struct store *s, const char *options)
{
    struct scan_meta meta = {
        .started_ms = 1760000000000LL,
        .tool_version = "0.1-test",
        .options = options,
        .trust_store = "system",
    };
    int64_t id = -1;
    ck_assert_msg(store_scan_begin(s, &meta, &id) == 0, "%s", store_errmsg(s));
    ck_assert_int_gt(id, 0);
    return id;
}

static void put_ok(struct store *s, int64_t scan_id, const char *host, uint16_t port, int seed)
{
    struct target_result r;
    fill_target(&r, host, port, seed);
    ck_assert_msg(store_put_target(s, scan_id, &r) == 0, "%s", store_errmsg(s));
    target_result_cleanup(&r);
}

/* open_fails asserts store_open refuses path with a message holding the
 * path and every one of the NULL-terminated expected fragments. */
static void open_fails(const char *path, const char *const *expect)
{
    struct store *s = (struct store *)&s; /* must be reset to NULL */
    char err[1024] = "";
    ck_assert_int_eq(store_open(path, &s, err, sizeof(err)), -1);
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(err, path) != NULL, "message does not name %s: %s", path, err);
    for (size_t i = 0; expect[i] != NULL; i++) {
        ck_assert_msg(strstr(err, expect[i]) != NULL, "\"%s\" not in: %s", expect[i], err);
    }
}

/* --- tests -------------------------------------------------------------- */

START_TEST(test_create_reopen)
{
    const char *db = path_in("a.db");
    ck_assert(!file_exists(db));
    struct store *s = open_ok(db);
    ck_assert(file_exists(db));
    ck_assert_str_eq(store_errmsg(s), "");
    int64_t id = begin_scan(s, "scan example.test");
    ck_assert_int_eq(id, 1);
    put_ok(s, id, "example.test", 443, 10);
    ck_assert_int_eq(store_scan_finish(s, id, "complete", 1760000009999LL), 0);
    store_close(s);

    s = open_ok(db);
    sqlite3 *raw = raw_open(db);
    ck_text_eq(raw, "SELECT state FROM scans WHERE id = ?", 1, "complete");
    ck_assert_int_eq(q_int(raw, "SELECT finished_ms FROM scans WHERE id = ?", 1), 1760000009999LL);
    ck_text_eq(raw, "SELECT options FROM scans WHERE id = ?", 1, "scan example.test");
    ck_text_eq(raw, "SELECT tool_version FROM scans WHERE id = ?", 1, "0.1-test");
    ck_text_eq(raw, "SELECT trust_store FROM scans WHERE id = ?", 1, "system");
    ck_assert_int_eq(q_int(raw, "SELECT started_ms FROM scans WHERE id = ?", 1), 1760000000000LL);
    ck_assert_int_eq(q_int(raw, "SELECT count(*) FROM targets WHERE scan_id = ?", 1), 1);
    sqlite3_close(raw);
    ck_assert_int_eq(begin_scan(s, "second"), 2);
    store_close(s);
    store_close(NULL);
    ck_integrity_ok(db);
}
END_TEST

START_TEST(test_schema_version)
{
    const char *db = path_in("v.db");
    struct store *s = open_ok(db);
    store_close(s);
    s = open_ok(db); /* reopening runs no migration again */
    store_close(s);

    sqlite3 *raw = raw_open(db);
    ck_assert_int_eq(q_int(raw, "PRAGMA user_version", 0), STORE_SCHEMA_VERSION);
    ck_assert_int_eq(q_int(raw, "PRAGMA application_id", 0), 0x544c5341);
    ck_text_eq(raw, "PRAGMA journal_mode", 0, "wal");
    static const char *const tables[] = {"scans",        "targets",           "versions",
                                         "certificates", "certificate_items", "chain_certs",
                                         "chains"};
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        ck_assert_msg(q_int_s(raw,
                              "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                              " AND name = ?",
                              tables[i]) == 1,
                      "table %s missing", tables[i]);
    }
    static const char *const indexes[] = {"targets_scan", "targets_host_port",
                                          "chain_certs_sha256"};
    for (size_t i = 0; i < sizeof(indexes) / sizeof(indexes[0]); i++) {
        ck_assert_msg(q_int_s(raw,
                              "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
                              " AND name = ?",
                              indexes[i]) == 1,
                      "index %s missing", indexes[i]);
    }
    ck_text_eq(raw, "SELECT group_concat(name) FROM pragma_index_info('targets_host_port')", 0,
               "host,port");
    sqlite3_close(raw);
}
END_TEST

START_TEST(test_newer_schema_refused)
{
    const char *db = path_in("new.db");
    struct store *s = open_ok(db);
    int64_t id = begin_scan(s, "old");
    put_ok(s, id, "example.test", 443, 3);
    store_close(s);

    /* One version past this build's (the step numbers change with each
     * schema step, this test does not). */
    const int newer = STORE_SCHEMA_VERSION + 1;
    char sql[64];
    snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", newer);
    sqlite3 *raw = raw_open(db);
    raw_exec(raw, sql);
    sqlite3_close(raw);
    ck_assert(!file_exists(path_in("new.db-wal"))); /* the last close checkpointed */

    struct snapshot snap;
    snapshot_take(db, &snap);
    char want_version[64];
    char want_supports[64];
    snprintf(want_version, sizeof(want_version), "schema version %d", newer);
    snprintf(want_supports, sizeof(want_supports), "supports (%d)", STORE_SCHEMA_VERSION);
    const char *const expect[] = {want_version, want_supports, NULL};
    open_fails(db, expect);
    snapshot_check(db, &snap);

    raw = raw_open(db);
    ck_assert_int_eq(q_int(raw, "PRAGMA user_version", 0), newer);
    ck_text_eq(raw, "SELECT state FROM scans WHERE id = ?", id, "running");
    sqlite3_close(raw);
}
END_TEST

START_TEST(test_foreign_files_refused)
{
    struct snapshot snap;

    /* A SQLite database of another application. */
    const char *other = path_in("other.db");
    sqlite3 *raw = NULL;
    ck_assert_int_eq(sqlite3_open(other, &raw), SQLITE_OK);
    raw_exec(raw, "CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('keep me')");
    sqlite3_close(raw);
    snapshot_take(other, &snap);
    static const char *const expect_other[] = {"not a tlsaudit database", "another application",
                                               NULL};
    open_fails(other, expect_other);
    snapshot_check(other, &snap);

    /* Another application's id, even with no tables yet. */
    const char *tagged = path_in("tagged.db");
    ck_assert_int_eq(sqlite3_open(tagged, &raw), SQLITE_OK);
    raw_exec(raw, "PRAGMA application_id = 305419896"); /* 0x12345678 */
    sqlite3_close(raw);
    snapshot_take(tagged, &snap);
    static const char *const expect_tagged[] = {"not a tlsaudit database", "0x12345678", NULL};
    open_fails(tagged, expect_tagged);
    snapshot_check(tagged, &snap);

    /* Not SQLite at all. */
    const char *text = path_in("notes.txt");
    FILE *f = fopen(text, "w");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 200; i++) {
        fprintf(f, "line %d: this is a plain text file, not a database\n", i);
    }
    ck_assert_int_eq(fclose(f), 0);
    snapshot_take(text, &snap);
    static const char *const expect_text[] = {"not a SQLite database", NULL};
    open_fails(text, expect_text);
    snapshot_check(text, &snap);
    ck_assert(!file_exists(path_in("notes.txt-wal")));
}
END_TEST

START_TEST(test_unwritable_location)
{
    /* A directory that does not exist. */
    static const char *const expect_open[] = {"cannot open database", NULL};
    open_fails(path_in("no-such-dir/x.db"), expect_open);
    ck_assert(!file_exists(path_in("no-such-dir")));

    /* A "directory" that is a regular file. */
    const char *plain = path_in("plain");
    FILE *f = fopen(plain, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fclose(f), 0);
    open_fails(path_in("plain/x.db"), expect_open);

    /* The path is a directory. */
    const char *sub = path_in("sub");
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    open_fails(sub, expect_open);

    if (geteuid() != 0) {
        /* Permission bits do not stop root, so these run unprivileged only. */
        const char *ro_dir = path_in("ro");
        ck_assert_int_eq(mkdir(ro_dir, 0500), 0);
        open_fails(path_in("ro/x.db"), expect_open);

        const char *ro_db = path_in("ro.db");
        store_close(open_ok(ro_db));
        ck_assert_int_eq(chmod(ro_db, 0444), 0);
        struct snapshot snap;
        snapshot_take(ro_db, &snap);
        static const char *const expect_ro[] = {"read-only", NULL};
        open_fails(ro_db, expect_ro);
        snapshot_check(ro_db, &snap);
    }

    /* No name at all. */
    struct store *s = NULL;
    char err[256] = "";
    ck_assert_int_eq(store_open("", &s, err, sizeof(err)), -1);
    ck_assert_ptr_null(s);
    ck_assert(strstr(err, "no database file name") != NULL);
}
END_TEST

START_TEST(test_put_target_roundtrip)
{
    const char *db = path_in("rt.db");
    struct store *s = open_ok(db);
    int64_t scan = begin_scan(s, "rt");
    struct target_result r;
    fill_target(&r, "www.example.test", 8443, 20);
    ck_assert_msg(store_put_target(s, scan, &r) == 0, "%s", store_errmsg(s));

    /* A second target that failed: no chain, no SNI, an error text. */
    struct target_result bad;
    target_result_init(&bad);
    bad.host = strdup("2001:db8::1");
    ck_assert_ptr_nonnull(bad.host);
    bad.port = 443;
    bad.status = TARGET_UNREACHABLE;
    snprintf(bad.error, sizeof(bad.error), "connection refused");
    ck_assert_msg(store_put_target(s, scan, &bad) == 0, "%s", store_errmsg(s));
    target_result_cleanup(&bad);
    store_close(s);

    sqlite3 *raw = raw_open(db);
    ck_assert_int_eq(q_int(raw, "SELECT count(*) FROM targets", 0), 2);
    int64_t t = q_int(raw, "SELECT id FROM targets WHERE host = 'www.example.test'", 0);
    ck_assert_int_eq(q_int(raw, "SELECT scan_id FROM targets WHERE id = ?", t), scan);
    ck_assert_int_eq(q_int(raw, "SELECT port FROM targets WHERE id = ?", t), 8443);
    ck_text_eq(raw, "SELECT sni FROM targets WHERE id = ?", t, "www.example.test");
    ck_text_eq(raw, "SELECT ip FROM targets WHERE id = ?", t, "192.0.2.20");
    ck_text_eq(raw, "SELECT status FROM targets WHERE id = ?", t, "ok");
    ck_assert(q_is_null(raw, "SELECT error FROM targets WHERE id = ?", t));
    ck_assert_int_eq(q_int(raw, "SELECT started_ms FROM targets WHERE id = ?", t), 1760000000020LL);
    ck_assert_int_eq(q_int(raw, "SELECT finished_ms FROM targets WHERE id = ?", t),
                     1760000001254LL);
    ck_assert_int_eq(q_int(raw, "SELECT chain_collected FROM targets WHERE id = ?", t), 1);

    /* Versions: one row per probed version, wire code and name. */
    ck_assert_int_eq(q_int(raw, "SELECT count(*) FROM versions WHERE target_id = ?", t), 4);
    ck_text_eq(raw,
               "SELECT group_concat(printf('%x', version) || '=' || name || '=' || state, ';')"
               " FROM (SELECT * FROM versions WHERE target_id = ? ORDER BY version)",
               t,
               "301=TLS 1.0=refused;302=TLS 1.1=not-tested;303=TLS 1.2=accepted;"
               "304=TLS 1.3=accepted");
    ck_text_eq(raw, "SELECT reason FROM versions WHERE target_id = ? AND version = 769", t,
               "alert protocol_version (70)");
    ck_assert(
        q_is_null(raw, "SELECT suite FROM versions WHERE target_id = ? AND version = 769", t));
    ck_assert_int_eq(
        q_int(raw, "SELECT suite FROM versions WHERE target_id = ? AND version = 771", t), 0xc02f);
    ck_text_eq(raw, "SELECT suite_name FROM versions WHERE target_id = ? AND version = 771", t,
               "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    ck_text_eq(raw, "SELECT grp FROM versions WHERE target_id = ? AND version = 771", t, "x25519");
    ck_assert(
        q_is_null(raw, "SELECT dh_bits FROM versions WHERE target_id = ? AND version = 771", t));
    ck_assert_int_eq(
        q_int(raw, "SELECT hrr FROM versions WHERE target_id = ? AND version = 771", t), 0);
    ck_assert_int_eq(
        q_int(raw, "SELECT suite FROM versions WHERE target_id = ? AND version = 772", t), 0x1301);
    ck_assert_int_eq(
        q_int(raw, "SELECT dh_bits FROM versions WHERE target_id = ? AND version = 772", t), 2048);
    ck_assert_int_eq(
        q_int(raw, "SELECT hrr FROM versions WHERE target_id = ? AND version = 772", t), 1);

    /* Certificates, in served order, with their parsed fields. */
    const char *leaf = r.certs[0].sha256;
    const char *inter = r.certs[1].sha256;
    ck_text_eq(raw, "SELECT sha256 FROM chain_certs WHERE target_id = ? AND position = 0", t, leaf);
    ck_text_eq(raw, "SELECT sha256 FROM chain_certs WHERE target_id = ? AND position = 1", t,
               inter);
    ck_assert_int_eq(
        q_int(raw, "SELECT days_left FROM chain_certs WHERE target_id = ? AND position = 0", t),
        320);
    ck_assert_int_eq(q_int_s(raw, "SELECT length(der) FROM certificates WHERE sha256 = ?", leaf),
                     (int64_t)r.certs[0].der_len);
    {
        sqlite3_stmt *st = q_prepare(raw, "SELECT der FROM certificates WHERE sha256 = ?", 0, leaf);
        ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
        ck_assert_int_eq(sqlite3_column_bytes(st, 0), (int)r.certs[0].der_len);
        ck_assert(memcmp(sqlite3_column_blob(st, 0), r.certs[0].der, r.certs[0].der_len) == 0);
        sqlite3_finalize(st);
    }
    ck_text_eq_s(raw, "SELECT subject FROM certificates WHERE sha256 = ?", leaf,
                 "CN=www.example.test");
    ck_text_eq_s(raw, "SELECT issuer FROM certificates WHERE sha256 = ?", leaf,
                 "CN=Test Intermediate,O=Example");
    ck_text_eq_s(raw, "SELECT serial FROM certificates WHERE sha256 = ?", leaf, "0a1b2c14");
    ck_assert_int_eq(q_int_s(raw, "SELECT not_before FROM certificates WHERE sha256 = ?", leaf),
                     1700000020);
    ck_assert_int_eq(q_int_s(raw, "SELECT not_after FROM certificates WHERE sha256 = ?", leaf),
                     1800000020);
    ck_text_eq_s(raw, "SELECT key_type || key_bits FROM certificates WHERE sha256 = ?", leaf,
                 "RSA2048");
    ck_text_eq_s(raw, "SELECT curve FROM certificates WHERE sha256 = ?", leaf, "<NULL>");
    ck_text_eq_s(raw, "SELECT curve FROM certificates WHERE sha256 = ?", inter, "secp384r1");
    ck_text_eq_s(raw, "SELECT sig_alg FROM certificates WHERE sha256 = ?", inter, "ECDSA-SHA384");
    ck_text_eq_s(raw,
                 "SELECT printf('%d/%s/%s/%d/%d/%d', has_key_usage, ifnull(ca, 'absent'),"
                 " ifnull(path_len, 'absent'), must_staple, n_scts, self_signed)"
                 " FROM certificates WHERE sha256 = ?",
                 leaf, "1/0/absent/1/2/0");
    ck_text_eq_s(raw,
                 "SELECT printf('%d/%s/%s', has_key_usage, ifnull(ca, 'absent'),"
                 " ifnull(path_len, 'absent')) FROM certificates WHERE sha256 = ?",
                 inter, "1/1/0");

    /* Lists: one row per item, in order, the hostile newline kept inside. */
    ck_assert_int_eq(q_int_s(raw,
                             "SELECT count(*) FROM certificate_items WHERE sha256 = ?"
                             " AND field = 'san'",
                             leaf),
                     3);
    ck_text_eq_s(raw,
                 "SELECT value FROM certificate_items WHERE sha256 = ? AND field = 'san'"
                 " AND position = 1",
                 leaf, "DNS:evil.test\nDNS:injected.test");
    ck_text_eq_s(raw,
                 "SELECT group_concat(value, '|') FROM (SELECT value FROM certificate_items"
                 " WHERE sha256 = ? AND field = 'eku' ORDER BY position)",
                 leaf, "serverAuth|1.3.6.1.5.5.7.3.2");
    ck_text_eq_s(raw,
                 "SELECT group_concat(value, '|') FROM (SELECT value FROM certificate_items"
                 " WHERE sha256 = ? AND field = 'key_usage' ORDER BY position)",
                 leaf, "digitalSignature|keyEncipherment");
    ck_text_eq_s(raw, "SELECT value FROM certificate_items WHERE sha256 = ? AND field = 'ocsp_url'",
                 leaf, "http://ocsp.example.test");
    ck_text_eq_s(raw, "SELECT value FROM certificate_items WHERE sha256 = ? AND field = 'crl_url'",
                 inter, "http://crl.example.test/ca.crl");
    ck_text_eq_s(raw,
                 "SELECT value FROM certificate_items WHERE sha256 = ?"
                 " AND field = 'ca_issuer_url'",
                 inter, "http://ca.example.test/ca.der");

    /* The chain validation. */
    ck_text_eq(raw,
               "SELECT printf('%d/%d/%s/%d/%s/%d/%d/%d/%d/%d/%d/%d/%d/%s/%s', trusted,"
               " verify_status, verify_text, hostname_checked, hostname, hostname_match,"
               " expired, not_yet_valid, self_signed, incomplete, wrong_order, min_days_left,"
               " ocsp_staple, ocsp_status, ifnull(ocsp_detail, 'NULL'))"
               " FROM chains WHERE target_id = ?",
               t, "0/66/signer not found/1/www.example.test/1/0/0/0/1/0/301/1/good/NULL");

    /* The failed target: no chain rows, NULL where nothing applies. */
    int64_t t2 = q_int(raw, "SELECT id FROM targets WHERE host = '2001:db8::1'", 0);
    ck_text_eq(raw, "SELECT status FROM targets WHERE id = ?", t2, "unreachable");
    ck_text_eq(raw, "SELECT error FROM targets WHERE id = ?", t2, "connection refused");
    ck_assert(q_is_null(raw, "SELECT sni FROM targets WHERE id = ?", t2));
    ck_assert(q_is_null(raw, "SELECT ip FROM targets WHERE id = ?", t2));
    ck_assert_int_eq(q_int(raw, "SELECT chain_collected FROM targets WHERE id = ?", t2), 0);
    ck_assert_int_eq(q_int(raw, "SELECT count(*) FROM chains WHERE target_id = ?", t2), 0);
    ck_assert_int_eq(q_int(raw, "SELECT count(*) FROM chain_certs WHERE target_id = ?", t2), 0);
    ck_assert_int_eq(q_int(raw,
                           "SELECT count(*) FROM versions WHERE target_id = ?"
                           " AND state = 'not-tested'",
                           t2),
                     4);
    sqlite3_close(raw);
    target_result_cleanup(&r);
    ck_integrity_ok(db);
}
END_TEST

START_TEST(test_der_stored_once)
{
    const char *db = path_in("once.db");
    struct store *s = open_ok(db);
    int64_t scan = begin_scan(s, "once");
    put_ok(s, scan, "a.example.test", 443, 30);
    put_ok(s, scan, "b.example.test", 443, 31);
    int64_t scan2 = begin_scan(s, "again");
    put_ok(s, scan2, "a.example.test", 443, 30);
    store_close(s);

    struct cert_fact inter;
    fill_intermediate(&inter);
    sqlite3 *raw = raw_open(db);
    ck_assert_int_eq(q_int(raw, "SELECT count(*) FROM targets", 0), 3);
    ck_assert_int_eq(q_int(raw, "SELECT count(*) FROM chain_certs", 0), 6);
    /* leaf 30, leaf 31 and the shared intermediate */
    ck_assert_int_eq(q_int(raw, "SELECT count(*) FROM certificates", 0), 3);
    ck_assert_int_eq(
        q_int_s(raw, "SELECT count(*) FROM chain_certs WHERE sha256 = ?", inter.sha256), 3);
    /* its list items once too: key_usage x2, crl, ca_issuer */
    ck_assert_int_eq(
        q_int_s(raw, "SELECT count(*) FROM certificate_items WHERE sha256 = ?", inter.sha256), 4);
    ck_assert_int_eq(q_int(raw, "SELECT count(*) FROM certificate_items", 0), 4 + 2 * 10);
    sqlite3_close(raw);
    cert_fact_cleanup(&inter);
    ck_integrity_ok(db);
}
END_TEST

START_TEST(test_put_target_atomic)
{
    const char *db = path_in("atomic.db");
    struct store *s = open_ok(db);
    int64_t scan = begin_scan(s, "atomic");

    /* The second certificate is broken: nothing of the target may remain,
     * not even the first certificate. */
    struct target_result r;
    fill_target(&r, "broken.example.test", 443, 40);
    r.certs[1].sha256[0] = '\0';
    ck_assert_int_eq(store_put_target(s, scan, &r), -1);
    ck_assert_msg(strstr(store_errmsg(s), "broken.example.test:443") != NULL, "%s",
                  store_errmsg(s));
    ck_assert_msg(strstr(store_errmsg(s), "certificate 1") != NULL, "%s", store_errmsg(s));
    target_result_cleanup(&r);

    /* An unknown scan: the foreign key refuses it. */
    fill_target(&r, "orphan.example.test", 443, 41);
    ck_assert_int_eq(store_put_target(s, scan + 100, &r), -1);
    ck_assert_msg(strstr(store_errmsg(s), "inserting target row") != NULL, "%s", store_errmsg(s));
    ck_assert_msg(strstr(store_errmsg(s), "FOREIGN KEY") != NULL, "%s", store_errmsg(s));
    target_result_cleanup(&r);

    sqlite3 *raw = raw_open(db);
    ck_assert_int_eq(q_int(raw, "SELECT count(*) FROM targets", 0), 0);
    ck_assert_int_eq(q_int(raw, "SELECT count(*) FROM versions", 0), 0);
    ck_assert_int_eq(q_int(raw, "SELECT count(*) FROM certificates", 0), 0);
    ck_assert_int_eq(q_int(raw, "SELECT count(*) FROM certificate_items", 0), 0);
    ck_assert_int_eq(q_int(raw, "SELECT count(*) FROM chain_certs", 0), 0);
    ck_assert_int_eq(q_int(raw, "SELECT count(*) FROM chains", 0), 0);

    /* The handle is usable after the failures. */
    put_ok(s, scan, "good.example.test", 443, 42);
    ck_assert_int_eq(q_int(raw, "SELECT count(*) FROM targets", 0), 1);
    ck_assert_int_eq(q_int(raw, "SELECT count(*) FROM certificates", 0), 2);
    sqlite3_close(raw);
    store_close(s);
}
END_TEST

START_TEST(test_scan_finish)
{
    const char *db = path_in("finish.db");
    struct store *s = open_ok(db);
    int64_t a = begin_scan(s, "a");
    int64_t b = begin_scan(s, "b");
    ck_assert_int_eq(store_scan_finish(s, a, "done", 5), -1);
    ck_assert(strstr(store_errmsg(s), "complete") != NULL);
    ck_assert_int_eq(store_scan_finish(s, a, NULL, 5), -1);
    ck_assert_int_eq(store_scan_finish(s, 999, "complete", 5), -1);
    ck_assert(strstr(store_errmsg(s), "no such scan") != NULL);
    ck_assert_int_eq(store_scan_finish(s, b, "interrupted", 77), 0);
    store_close(s);

    sqlite3 *raw = raw_open(db);
    ck_text_eq(raw, "SELECT state FROM scans WHERE id = ?", a, "running");
    ck_assert(q_is_null(raw, "SELECT finished_ms FROM scans WHERE id = ?", a));
    ck_text_eq(raw, "SELECT state FROM scans WHERE id = ?", b, "interrupted");
    ck_assert_int_eq(q_int(raw, "SELECT finished_ms FROM scans WHERE id = ?", b), 77);
    ck_assert_int_eq(q_int(raw, "SELECT pid FROM scans WHERE id = ?", b), getpid());
    sqlite3_close(raw);
}
END_TEST

/* check_killed_scan verifies the file after a writer was SIGKILLed: the scan
 * is marked incomplete on reopen, every stored target is whole. Returns the
 * number of targets. */
static int64_t check_killed_scan(const char *db, int64_t min_targets)
{
    sqlite3 *raw = raw_open(db);
    ck_text_eq(raw, "SELECT state FROM scans WHERE id = ?", 1, "running");
    sqlite3_close(raw);

    struct store *s = open_ok(db);
    store_close(s);

    raw = raw_open(db);
    ck_text_eq(raw, "SELECT state FROM scans WHERE id = ?", 1, "incomplete");
    ck_assert(q_is_null(raw, "SELECT finished_ms FROM scans WHERE id = ?", 1));
    ck_assert(!q_is_null(raw, "SELECT note FROM scans WHERE id = ?", 1));
    int64_t n = q_int(raw, "SELECT count(*) FROM targets WHERE scan_id = ?", 1);
    ck_assert_int_ge(n, min_targets);
    /* No target is half-written. */
    ck_assert_int_eq(q_int(raw,
                           "SELECT count(*) FROM targets t WHERE"
                           " (SELECT count(*) FROM versions WHERE target_id = t.id) != 4"
                           " OR (SELECT count(*) FROM chain_certs WHERE target_id = t.id) != 2"
                           " OR (SELECT count(*) FROM chains WHERE target_id = t.id) != 1",
                           0),
                     0);
    sqlite3_close(raw);
    ck_integrity_ok(db);
    return n;
}

START_TEST(test_killed_scan_after_two_targets)
{
    const char *db = path_in("killed.db");
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        struct store *s = NULL;
        char err[512];
        int64_t scan = 0;
        struct scan_meta meta = {.started_ms = 1, .tool_version = "t"};
        struct target_result r;
        if (store_open(db, &s, err, sizeof(err)) != 0 || store_scan_begin(s, &meta, &scan) != 0) {
            _exit(1);
        }
        for (int i = 0; i < 2; i++) {
            fill_target(&r, i == 0 ? "one.example.test" : "two.example.test", 443, 50 + i);
            if (store_put_target(s, scan, &r) != 0) {
                _exit(2);
            }
            target_result_cleanup(&r);
        }
        raise(SIGKILL);
        _exit(3);
    }
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "child status %d", status);
    ck_assert_int_eq(check_killed_scan(db, 2), 2);
}
END_TEST

START_TEST(test_killed_scan_while_writing)
{
    const char *db = path_in("killed2.db");
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        struct store *s = NULL;
        char err[512];
        int64_t scan = 0;
        struct scan_meta meta = {.started_ms = 1, .tool_version = "t"};
        if (store_open(db, &s, err, sizeof(err)) != 0 || store_scan_begin(s, &meta, &scan) != 0) {
            _exit(1);
        }
        for (int i = 0; i < 1000000; i++) {
            struct target_result r;
            char host[64];
            snprintf(host, sizeof(host), "h%d.example.test", i);
            fill_target(&r, host, 443, 60 + i % 100);
            if (store_put_target(s, scan, &r) != 0) {
                _exit(2);
            }
            target_result_cleanup(&r);
            if (write(fds[1], "x", 1) != 1) {
                _exit(3);
            }
        }
        _exit(4);
    }
    close(fds[1]);
    char buf[5];
    size_t got = 0;
    while (got < sizeof(buf)) {
        ssize_t n = read(fds[0], buf + got, sizeof(buf) - got);
        ck_assert_int_gt(n, 0);
        got += (size_t)n;
    }
    ck_assert_int_eq(kill(pid, SIGKILL), 0);
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "child status %d", status);
    close(fds[0]);
    check_killed_scan(db, 5);
}
END_TEST

START_TEST(test_live_scan_not_marked)
{
    const char *db = path_in("live.db");
    char host[256] = "";
    ck_assert_int_eq(gethostname(host, sizeof(host) - 1), 0);

    /* A pid that certainly ended: a reaped child. */
    pid_t dead = fork();
    ck_assert_int_ge(dead, 0);
    if (dead == 0) {
        _exit(0);
    }
    ck_assert_int_eq(waitpid(dead, NULL, 0), dead);

    struct store *s = open_ok(db);
    int64_t live = begin_scan(s, "live"); /* this process, still running */
    store_close(s);

    sqlite3 *raw = raw_open(db);
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_prepare_v2(raw,
                                        "INSERT INTO scans (id, started_ms, state, pid, hostname)"
                                        " VALUES (?, 1, 'running', ?, ?)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    /* 10: dead pid on this host; 11: dead pid on another host */
    for (int i = 0; i < 2; i++) {
        sqlite3_bind_int64(st, 1, 10 + i);
        sqlite3_bind_int64(st, 2, dead);
        sqlite3_bind_text(st, 3, i == 0 ? host : "other-host.invalid", -1, SQLITE_STATIC);
        ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    sqlite3_close(raw);

    s = open_ok(db);
    /* A second handle in this process sees the first scan as live too. */
    struct store *s2 = open_ok(db);
    store_close(s2);

    raw = raw_open(db);
    ck_text_eq(raw, "SELECT state FROM scans WHERE id = ?", live, "running");
    ck_assert_int_eq(q_int(raw, "SELECT pid FROM scans WHERE id = ?", live), getpid());
    ck_text_eq(raw, "SELECT hostname FROM scans WHERE id = ?", live, host);
    ck_text_eq(raw, "SELECT state FROM scans WHERE id = ?", 10, "incomplete");
    ck_text_eq(raw, "SELECT state FROM scans WHERE id = ?", 11, "running");
    sqlite3_close(raw);

    /* The live scan can still finish normally. */
    ck_assert_int_eq(store_scan_finish(s, live, "complete", 2), 0);
    store_close(s);
}
END_TEST

/* writer_child: wait on the barrier, open db, write one scan of n targets. */
static void writer_child(const char *db, int barrier_fd, int n, int tag)
{
    char c;
    if (read(barrier_fd, &c, 1) != 0) {
        _exit(10);
    }
    struct store *s = NULL;
    char err[512];
    int64_t scan = 0;
    struct scan_meta meta = {.started_ms = tag, .tool_version = "t"};
    if (store_open(db, &s, err, sizeof(err)) != 0) {
        fprintf(stderr, "writer %d: %s\n", tag, err);
        _exit(1);
    }
    if (store_scan_begin(s, &meta, &scan) != 0) {
        fprintf(stderr, "writer %d: %s\n", tag, store_errmsg(s));
        _exit(2);
    }
    for (int i = 0; i < n; i++) {
        struct target_result r;
        char host[64];
        snprintf(host, sizeof(host), "w%d-%d.example.test", tag, i);
        fill_target(&r, host, 443, 100 + i);
        if (store_put_target(s, scan, &r) != 0) {
            fprintf(stderr, "writer %d: %s\n", tag, store_errmsg(s));
            _exit(3);
        }
        target_result_cleanup(&r);
    }
    if (store_scan_finish(s, scan, "complete", 2) != 0) {
        _exit(4);
    }
    store_close(s);
    _exit(0);
}

START_TEST(test_concurrent_writers)
{
    const char *db = path_in("conc.db"); /* both create the file at once */
    enum { N_TARGETS = 40 };
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        ck_assert_int_ge(kids[k], 0);
        if (kids[k] == 0) {
            close(fds[1]);
            writer_child(db, fds[0], N_TARGETS, k + 1);
        }
    }
    close(fds[0]);
    close(fds[1]); /* releases both at once */
    for (int k = 0; k < 2; k++) {
        int status = 0;
        ck_assert_int_eq(waitpid(kids[k], &status, 0), kids[k]);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer %d status %d", k,
                      status);
    }
    sqlite3 *raw = raw_open(db);
    ck_assert_int_eq(q_int(raw, "SELECT count(*) FROM scans WHERE state = 'complete'", 0), 2);
    ck_assert_int_eq(q_int(raw, "SELECT count(*) FROM targets", 0), 2 * N_TARGETS);
    ck_assert_int_eq(q_int(raw,
                           "SELECT count(*) FROM targets WHERE scan_id ="
                           " (SELECT id FROM scans WHERE started_ms = ?)",
                           1),
                     N_TARGETS);
    /* the two writers served the same leaf certificates: stored once */
    ck_assert_int_eq(q_int(raw, "SELECT count(*) FROM certificates", 0), N_TARGETS + 1);
    sqlite3_close(raw);
    ck_integrity_ok(db);
}
END_TEST

/* Two processes creating the same new file at the same moment: both must
 * succeed (this races the switch to WAL mode and the first migration). */
START_TEST(test_concurrent_create)
{
    for (int round = 0; round < 20; round++) {
        char name[32];
        snprintf(name, sizeof(name), "race%d.db", round);
        const char *db = path_in(name);
        int fds[2];
        ck_assert_int_eq(pipe(fds), 0);
        pid_t kids[2];
        for (int k = 0; k < 2; k++) {
            kids[k] = fork();
            ck_assert_int_ge(kids[k], 0);
            if (kids[k] == 0) {
                close(fds[1]);
                writer_child(db, fds[0], 1, k + 1);
            }
        }
        close(fds[0]);
        close(fds[1]);
        for (int k = 0; k < 2; k++) {
            int status = 0;
            ck_assert_int_eq(waitpid(kids[k], &status, 0), kids[k]);
            ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                          "round %d writer %d status %d", round, k, status);
        }
        sqlite3 *raw = raw_open(db);
        ck_assert_int_eq(q_int(raw, "PRAGMA user_version", 0), STORE_SCHEMA_VERSION);
        ck_assert_int_eq(q_int(raw, "SELECT count(*) FROM scans WHERE state = 'complete'", 0), 2);
        sqlite3_close(raw);
    }
}
END_TEST

/* read_byte waits for one byte (or end of file) on fd. */
static char read_byte(int fd)
{
    char c = 0;
    ck_assert_int_eq(read(fd, &c, 1), 1);
    return c;
}

START_TEST(test_busy_waits_for_lock)
{
    const char *db = path_in("busy.db");
    store_close(open_ok(db));

    /* A locker process holds the write lock until told to commit. (No
     * SQLite connection may be open in a process that forks a user of the
     * same file, so the test process itself holds none.) */
    int locked[2];
    int go[2];
    int ready[2];
    ck_assert_int_eq(pipe(locked), 0);
    ck_assert_int_eq(pipe(go), 0);
    ck_assert_int_eq(pipe(ready), 0);
    pid_t locker = fork();
    ck_assert_int_ge(locker, 0);
    if (locker == 0) {
        sqlite3 *raw = NULL;
        char c;
        if (sqlite3_open(db, &raw) != SQLITE_OK ||
            sqlite3_exec(raw, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_exec(raw, "INSERT INTO scans (started_ms, state) VALUES (7, 'complete')", NULL,
                         NULL, NULL) != SQLITE_OK ||
            write(locked[1], "L", 1) != 1 || read(go[0], &c, 1) != 1 ||
            sqlite3_exec(raw, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
            _exit(1);
        }
        sqlite3_close(raw);
        _exit(0);
    }
    ck_assert_int_eq(read_byte(locked[0]), 'L');

    pid_t writer = fork();
    ck_assert_int_ge(writer, 0);
    if (writer == 0) {
        struct store *s = NULL;
        char err[512];
        int64_t scan = 0;
        struct scan_meta meta = {.started_ms = 8, .tool_version = "t"};
        if (store_open(db, &s, err, sizeof(err)) != 0) {
            fprintf(stderr, "busy writer: %s\n", err);
            _exit(1);
        }
        if (write(ready[1], "W", 1) != 1) {
            _exit(2);
        }
        if (store_scan_begin(s, &meta, &scan) != 0) {
            fprintf(stderr, "busy writer: %s\n", store_errmsg(s));
            _exit(3); /* SQLITE_BUSY at once without a busy timeout */
        }
        struct target_result r;
        fill_target(&r, "busy.example.test", 443, 70);
        if (store_put_target(s, scan, &r) != 0) {
            _exit(4);
        }
        target_result_cleanup(&r);
        store_close(s);
        _exit(0);
    }
    ck_assert_int_eq(read_byte(ready[0]), 'W');
    struct timespec pause = {.tv_sec = 0, .tv_nsec = 400 * 1000 * 1000};
    nanosleep(&pause, NULL);
    /* Still waiting for the lock, not failed. */
    int status = 0;
    ck_assert_int_eq(waitpid(writer, &status, WNOHANG), 0);

    ck_assert_int_eq(write(go[1], "G", 1), 1);
    ck_assert_int_eq(waitpid(locker, &status, 0), locker);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "locker status %d", status);
    ck_assert_int_eq(waitpid(writer, &status, 0), writer);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer status %d", status);
    for (int i = 0; i < 2; i++) {
        close(locked[i]);
        close(go[i]);
        close(ready[i]);
    }

    sqlite3 *raw = raw_open(db);
    ck_assert_int_eq(q_int(raw, "SELECT count(*) FROM scans", 0), 2);
    ck_assert_int_eq(q_int(raw, "SELECT started_ms FROM scans ORDER BY id LIMIT 1", 0), 7);
    ck_assert_int_eq(q_int(raw, "SELECT count(*) FROM targets", 0), 1);
    sqlite3_close(raw);
    ck_integrity_ok(db);
}
END_TEST

/* Revocation, AIA and HTTP facts (schema 2) come back as written. */
START_TEST(test_revocation_roundtrip)
{
    const char *db = path_in("revoc.db");
    struct store *s = open_ok(db);
    int64_t id = begin_scan(s, "revoc");
    struct target_result r;
    fill_target(&r, "revoc.example.test", 443, 7);
    r.chain.aia_attempted = true;
    r.chain.aia_completed = true;
    r.chain.aia_trusted = true;
    r.chain.aia_fetched = 1;
    snprintf(r.chain.aia_detail, sizeof(r.chain.aia_detail), "1 issuer fetched");
    fact_mark(&r.revoc_header, true);
    r.n_revoc = 2;
    r.revoc = calloc(2, sizeof(*r.revoc));
    ck_assert_ptr_nonnull(r.revoc);
    r.revoc[0].status = REVOC_REVOKED;
    snprintf(r.revoc[0].method, sizeof(r.revoc[0].method), "ocsp");
    snprintf(r.revoc[0].url, sizeof(r.revoc[0].url), "http://ocsp.example.test/");
    snprintf(r.revoc[0].detail, sizeof(r.revoc[0].detail), "OCSP: revoked");
    snprintf(r.revoc[0].reason, sizeof(r.revoc[0].reason), "keyCompromise");
    snprintf(r.revoc[0].staple, sizeof(r.revoc[0].staple), "disagrees");
    r.revoc[0].revoked_at = 1750000000;
    r.revoc[0].this_update = 1760000000;
    r.revoc[0].next_update = 1760086400;
    r.revoc[1].status = REVOC_INCONCLUSIVE;
    r.revoc[1].from_cache = true;
    snprintf(r.revoc[1].detail, sizeof(r.revoc[1].detail), "stale CRL");
    fact_mark(&r.http.hsts, true);
    r.http.https_status = 200;
    r.http.hsts_present = true;
    r.http.hsts_valid = true;
    r.http.hsts_max_age = 31536000;
    r.http.hsts_include_subdomains = true;
    snprintf(r.http.hsts_header, sizeof(r.http.hsts_header), "max-age=31536000; includeSubDomains");
    fact_set_result(&r.http.redirect, "connection refused");
    ck_assert_msg(store_put_target(s, id, &r) == 0, "%s", store_errmsg(s));

    struct target_result *out = NULL;
    size_t n = 0;
    ck_assert_msg(store_load_targets(s, id, &out, NULL, &n) == 0, "%s", store_errmsg(s));
    ck_assert_uint_eq(n, 1);
    const struct target_result *g = &out[0];
    ck_assert(fact_collected(&g->revoc_header));
    ck_assert_uint_eq(g->n_revoc, 2);
    ck_assert_int_eq(g->revoc[0].status, REVOC_REVOKED);
    ck_assert_str_eq(g->revoc[0].method, "ocsp");
    ck_assert_str_eq(g->revoc[0].url, "http://ocsp.example.test/");
    ck_assert_str_eq(g->revoc[0].reason, "keyCompromise");
    ck_assert_str_eq(g->revoc[0].staple, "disagrees");
    ck_assert_int_eq(g->revoc[0].revoked_at, 1750000000);
    ck_assert_int_eq(g->revoc[0].next_update, 1760086400);
    ck_assert(!g->revoc[0].from_cache);
    ck_assert_int_eq(g->revoc[1].status, REVOC_INCONCLUSIVE);
    ck_assert(g->revoc[1].from_cache);
    ck_assert_str_eq(g->revoc[1].detail, "stale CRL");
    ck_assert(g->chain.aia_attempted && g->chain.aia_completed && g->chain.aia_trusted);
    ck_assert_int_eq(g->chain.aia_fetched, 1);
    ck_assert_str_eq(g->chain.aia_detail, "1 issuer fetched");
    ck_assert(fact_attempted(&g->http.hsts) && g->http.hsts_present && g->http.hsts_valid);
    ck_assert_int_eq(g->http.hsts_max_age, 31536000);
    ck_assert(g->http.hsts_include_subdomains && !g->http.hsts_preload);
    ck_assert_str_eq(g->http.hsts_header, "max-age=31536000; includeSubDomains");
    ck_assert(fact_attempted(&g->http.redirect) && !g->http.redirects_to_https);
    ck_assert_str_eq(g->http.redirect.detail, "connection refused");
    store_targets_free(out, n);

    /* A target without revocation facts reads back as not collected. */
    put_ok(s, id, "plain.example.test", 443, 8);
    ck_assert_int_eq(store_load_targets(s, id, &out, NULL, &n), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert(!fact_collected(&out[1].revoc_header));
    ck_assert_uint_eq(out[1].n_revoc, 0);
    ck_assert(!fact_attempted(&out[1].http.hsts));
    store_targets_free(out, n);
    target_result_cleanup(&r);
    store_close(s);
}
END_TEST

struct cache_seen {
    int n;
    char kinds[64];
};

static int cache_seen_fn(void *arg, const char *kind, const char *key, const unsigned char *data,
                         size_t len, int64_t expires)
{
    struct cache_seen *c = arg;
    ck_assert_int_gt(expires, 1000);
    ck_assert_uint_eq(len, 3);
    ck_assert_int_eq(data[0], 'a');
    ck_assert_ptr_nonnull(key);
    c->n++;
    strncat(c->kinds, kind, sizeof(c->kinds) - strlen(c->kinds) - 1);
    return 0;
}

/* The fetch cache keeps entries until they expire; expired ones go. */
START_TEST(test_fetch_cache)
{
    const char *db = path_in("cache.db");
    struct store *s = open_ok(db);
    ck_assert_int_eq(
        store_cache_put(s, "crl", "http://x/a.crl", (const unsigned char *)"abc", 3, 2000), 0);
    ck_assert_int_eq(
        store_cache_put(s, "ocsp", "http://x/ abc", (const unsigned char *)"abc", 3, 1500), 0);
    /* Replaced, not duplicated. */
    ck_assert_int_eq(
        store_cache_put(s, "crl", "http://x/a.crl", (const unsigned char *)"abd", 3, 3000), 0);
    struct cache_seen seen = {0, ""};
    ck_assert_int_eq(store_cache_load(s, 1000, cache_seen_fn, &seen), 0);
    ck_assert_int_eq(seen.n, 2);
    ck_assert_str_eq(seen.kinds, "crlocsp");
    memset(&seen, 0, sizeof(seen));
    ck_assert_int_eq(store_cache_load(s, 1600, cache_seen_fn, &seen), 0);
    ck_assert_int_eq(seen.n, 1);
    store_close(s);
    sqlite3 *raw = raw_open(db);
    ck_assert_int_eq(q_int(raw, "SELECT count(*) FROM fetch_cache WHERE expires > ?", 0), 1);
    sqlite3_close(raw);
}
END_TEST

/* A schema-1 file (as an older tlsaudit left it) migrates to the current schema and keeps
 * every fact; its targets read back without revocation facts. */
/* Every certificate item as hex, in key order; and a 'policy_oid' item. */
#define ITEMS_DUMP                                                                                 \
    "SELECT group_concat(hex(sha256) || hex(field) || position || hex(value), ',')"                \
    "  FROM (SELECT * FROM certificate_items ORDER BY sha256, field, position)"
#define POLICY_ITEM                                                                                \
    "INSERT INTO certificate_items SELECT sha256, 'policy_oid', 0, '2.23.140.1.2.1'"               \
    "  FROM certificates LIMIT 1"

START_TEST(test_migrate_v1)
{
    const char *db = path_in("v1.db");
    struct store *s = open_ok(db);
    int64_t id = begin_scan(s, "old");
    put_ok(s, id, "old.example.test", 443, 3);
    store_close(s);

    /* Take the file back to schema 1: what step 2 adds, removed. */
    sqlite3 *raw = raw_open(db);
    raw_exec(raw, TO_SCHEMA_1);
    char *items_before = q_text_impl(raw, ITEMS_DUMP, 0, NULL);
    ck_assert_int_ne(sqlite3_exec(raw, POLICY_ITEM, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(raw);

    s = open_ok(db);
    raw = raw_open(db);
    ck_assert_int_eq(q_int(raw, "PRAGMA user_version", 0), STORE_SCHEMA_VERSION);
    /* Step 6 kept every certificate item byte for byte and lets
     * 'policy_oid' in. */
    char *items_after = q_text_impl(raw, ITEMS_DUMP, 0, NULL);
    ck_assert_str_eq(items_after, items_before);
    free(items_before);
    free(items_after);
    raw_exec(raw, POLICY_ITEM);
    /* Step 7 gave the old scan a uuid derived from its own row (the same
     * file always gives the same one) and no shard. */
    char want_uuid[96];
    snprintf(want_uuid, sizeof(want_uuid), "m%llx-%llx-%s", 1760000000000ULL,
             (unsigned long long)id, "");
    char *uuid = q_text_impl(raw, "SELECT uuid FROM scans", 0, NULL);
    ck_assert_ptr_nonnull(uuid);
    ck_assert_uint_eq(strncmp(uuid, want_uuid, strlen(want_uuid)), 0);
    free(uuid);
    ck_assert_int_eq(q_int(raw, "SELECT count(*) FROM scans WHERE run_id IS NULL", 0), 1);
    ck_assert_int_eq(q_int(raw, "SELECT count(*) FROM chains WHERE aia_attempted = 0", 0), 1);
    ck_assert_int_eq(
        q_int(raw, "SELECT count(*) FROM targets WHERE probes_state = 'not-collected'", 0), 1);
    sqlite3_close(raw);
    struct target_result *out = NULL;
    size_t n = 0;
    ck_assert_msg(store_load_targets(s, id, &out, NULL, &n) == 0, "%s", store_errmsg(s));
    ck_assert_uint_eq(n, 1);
    ck_assert(fact_collected(&out[0].chain_header));
    ck_assert_uint_eq(out[0].n_certs, 2);
    ck_assert_str_eq(out[0].chain.ocsp_status, "good");
    ck_assert(!fact_collected(&out[0].revoc_header));
    ck_assert(!out[0].chain.aia_attempted);
    store_targets_free(out, n);
    /* And a new target can be written into the migrated file. */
    put_ok(s, id, "new.example.test", 443, 4);
    store_close(s);
    ck_integrity_ok(db);
}
END_TEST

/* Every new scan gets its own random uuid; a shard's run and place are
 * stored and read back (schema 7). */
START_TEST(test_scan_identity)
{
    struct store *s = open_ok(path_in("ident.db"));
    int64_t a = begin_scan(s, "a");
    struct scan_meta meta = {.started_ms = 1760000000000LL,
                             .tool_version = "0.1-test",
                             .run_id = "nightly-2026-12-03",
                             .shard_k = 2,
                             .shard_n = 4};
    int64_t b = -1;
    ck_assert_msg(store_scan_begin(s, &meta, &b) == 0, "%s", store_errmsg(s));
    struct store_scan_info ia, ib;
    ck_assert_int_eq(store_scan_info(s, a, &ia), 0);
    ck_assert_int_eq(store_scan_info(s, b, &ib), 0);
    ck_assert_uint_eq(strlen(ia.uuid), 32);
    ck_assert_uint_eq(strspn(ia.uuid, "0123456789abcdef"), 32);
    ck_assert_str_ne(ia.uuid, ib.uuid);
    ck_assert_ptr_null(ia.run_id);
    ck_assert_int_eq(ia.shard_n, 0);
    ck_assert_str_eq(ib.run_id, "nightly-2026-12-03");
    ck_assert_int_eq(ib.shard_k, 2);
    ck_assert_int_eq(ib.shard_n, 4);
    ck_assert_uint_eq(ib.n_sources, 0);
    store_scan_info_cleanup(&ia);
    store_scan_info_cleanup(&ib);
    store_close(s);
}
END_TEST

/* store_open_readonly never writes the file: a scan left "running" by a
 * process that is gone stays running (store_open would mark it
 * incomplete), a schema-1 file is read through a migration in memory and
 * stays schema 1, the bytes are unchanged, and writes through the handle
 * fail. */
START_TEST(test_open_readonly)
{
    const char *db = path_in("ro.db");
    struct store *s = open_ok(db);
    int64_t id = begin_scan(s, "old");
    put_ok(s, id, "old.example.test", 443, 3);
    store_close(s);
    sqlite3 *raw = raw_open(db);
    raw_exec(raw, "UPDATE scans SET pid = 2147483646"); /* no such process */
    raw_exec(raw, TO_SCHEMA_1);
    sqlite3_close(raw);
    size_t len_before = 0;
    unsigned char *before = read_all(db, &len_before);

    char err[1024] = "";
    s = NULL;
    ck_assert_msg(store_open_readonly(db, &s, err, sizeof(err)) == 0, "%s", err);
    struct target_result *out = NULL;
    size_t n = 0;
    ck_assert_msg(store_load_targets(s, id, &out, NULL, &n) == 0, "%s", store_errmsg(s));
    ck_assert_uint_eq(n, 1);
    ck_assert(fact_collected(&out[0].chain_header));
    ck_assert_uint_eq(out[0].n_certs, 2);
    ck_assert(!fact_collected(&out[0].revoc_header));
    store_targets_free(out, n);
    struct store_scan_info info;
    ck_assert_int_eq(store_scan_info(s, id, &info), 0);
    ck_assert_str_eq(info.state, "running");
    store_scan_info_cleanup(&info);
    struct scan_meta meta = {
        .started_ms = 1, .tool_version = "t", .options = "", .trust_store = ""};
    int64_t id2 = 0;
    ck_assert_int_eq(store_scan_begin(s, &meta, &id2), -1);
    ck_assert_int_eq(store_prepare(s), -1);
    store_close(s);

    size_t len_after = 0;
    unsigned char *after = read_all(db, &len_after);
    ck_assert_uint_eq(len_after, len_before);
    ck_assert_int_eq(memcmp(before, after, len_before), 0);
    free(before);
    free(after);
    raw = raw_open(db);
    ck_assert_int_eq(q_int(raw, "PRAGMA user_version", 0), 1);
    ck_assert_int_eq(q_int_s(raw, "SELECT count(*) FROM scans WHERE state = ?", "running"), 1);
    sqlite3_close(raw);

    /* What store_open refuses, store_open_readonly refuses too. */
    ck_assert_int_eq(store_open_readonly(path_in("missing.db"), &s, err, sizeof(err)), -1);
    ck_assert_ptr_null(s);
    ck_assert(!file_exists(path_in("missing.db")));
    FILE *f = fopen(path_in("text.db"), "w");
    ck_assert_ptr_nonnull(f);
    fputs("this is not a database, just text that is long enough to be read\n", f);
    fclose(f);
    ck_assert_int_eq(store_open_readonly(path_in("text.db"), &s, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "is not a SQLite database") != NULL, "%s", err);
}
END_TEST

/* Every pending migration step runs in one transaction: when the last step
 * fails, the earlier ones are not kept either (no half-migrated file). The
 * file is ours (application_id) at version 0, but already has a table that
 * step 2 creates, so step 1 succeeds and step 2 fails. */
START_TEST(test_migrate_all_or_nothing)
{
    const char *db = path_in("half.db");
    sqlite3 *raw = NULL;
    ck_assert_int_eq(sqlite3_open(db, &raw), SQLITE_OK);
    raw_exec(raw, "PRAGMA application_id = 1414288193;" /* 'TLSA' */
                  "CREATE TABLE fetch_cache (x);"
                  "INSERT INTO fetch_cache VALUES ('keep me')");
    sqlite3_close(raw);

    static const char *const expect[] = {"schema version 2", "fetch_cache", NULL};
    open_fails(db, expect);

    raw = raw_open(db);
    ck_assert_int_eq(q_int(raw, "PRAGMA user_version", 0), 0);
    ck_assert_int_eq(q_int_s(raw, "SELECT count(*) FROM sqlite_master WHERE name = ?", "scans"), 0);
    ck_assert_int_eq(q_int_s(raw, "SELECT count(*) FROM sqlite_master WHERE name = ?", "targets"),
                     0);
    ck_text_eq(raw, "SELECT x FROM fetch_cache WHERE rowid = ?", 1, "keep me");
    sqlite3_close(raw);
    ck_integrity_ok(db);

    /* Without the conflict, a brand-new file goes from 0 to the current
     * version in one store_open, and again in one go from version 0 of an
     * empty file of ours. */
    const char *fresh = path_in("fresh.db");
    store_close(open_ok(fresh));
    raw = raw_open(fresh);
    ck_assert_int_eq(q_int(raw, "PRAGMA user_version", 0), STORE_SCHEMA_VERSION);
    ck_text_eq(raw, "PRAGMA journal_mode", 0, "wal");
    ck_assert_int_eq(
        q_int_s(raw, "SELECT count(*) FROM sqlite_master WHERE name = ?", "fetch_cache"), 1);
    sqlite3_close(raw);
    ck_integrity_ok(fresh);
}
END_TEST

/* store_open_check reads only: a file it accepts is left byte for byte as
 * it was (an old schema is not migrated yet), a new file stays empty, and
 * it refuses what store_open refuses. store_prepare then does the writing. */
START_TEST(test_open_check_writes_nothing)
{
    /* A schema-1 database. (path_in's buffers rotate: keep copies.) */
    char db[512];
    snprintf(db, sizeof(db), "%s", path_in("old.db"));
    struct store *s = open_ok(db);
    int64_t id = begin_scan(s, "old");
    put_ok(s, id, "old.example.test", 443, 5);
    store_close(s);
    sqlite3 *raw = raw_open(db);
    raw_exec(raw, TO_SCHEMA_1);
    sqlite3_close(raw);
    ck_assert(!file_exists(path_in("old.db-wal")));

    struct snapshot snap;
    snapshot_take(db, &snap);
    char err[512] = "unset";
    s = NULL;
    ck_assert_msg(store_open_check(db, &s, err, sizeof(err)) == 0, "%s", err);
    ck_assert_ptr_nonnull(s);
    store_close(s);
    snapshot_check(db, &snap);
    ck_assert(!file_exists(path_in("old.db-wal")));

    s = NULL;
    ck_assert_msg(store_open_check(db, &s, err, sizeof(err)) == 0, "%s", err);
    ck_assert_msg(store_prepare(s) == 0, "%s", store_errmsg(s));
    ck_assert_int_eq(begin_scan(s, "after prepare"), id + 1);
    store_close(s);
    raw = raw_open(db);
    ck_assert_int_eq(q_int(raw, "PRAGMA user_version", 0), STORE_SCHEMA_VERSION);
    ck_assert_int_eq(q_int(raw, "SELECT count(*) FROM targets", 0), 1);
    sqlite3_close(raw);

    /* A new file is created empty and nothing is written into it. */
    char fresh[512];
    snprintf(fresh, sizeof(fresh), "%s", path_in("new.db"));
    s = NULL;
    ck_assert_msg(store_open_check(fresh, &s, err, sizeof(err)) == 0, "%s", err);
    store_close(s);
    struct stat st;
    ck_assert_int_eq(stat(fresh, &st), 0);
    ck_assert_int_eq(st.st_size, 0);
    ck_assert(!file_exists(path_in("new.db-wal")));
    ck_assert(!file_exists(path_in("new.db-journal")));

    /* A newer schema is refused by the check alone, untouched. */
    raw = raw_open(db);
    char newer[64];
    snprintf(newer, sizeof(newer), "PRAGMA user_version = %d", STORE_SCHEMA_VERSION + 1);
    raw_exec(raw, newer);
    sqlite3_close(raw);
    snapshot_take(db, &snap);
    s = (struct store *)&s;
    ck_assert_int_eq(store_open_check(db, &s, err, sizeof(err)), -1);
    ck_assert_ptr_null(s);
    snprintf(newer, sizeof(newer), "schema version %d", STORE_SCHEMA_VERSION + 1);
    ck_assert_msg(strstr(err, newer) != NULL && strstr(err, db) != NULL, "%s", err);
    snapshot_check(db, &snap);
}
END_TEST

/* A VFS that counts xSync calls (each is one fdatasync of the file, plus
 * one of its directory for a newly created journal or WAL) and forwards
 * everything to the default VFS: the real file object, with a copy of its
 * method table whose xSync counts. */
static sqlite3_vfs *g_base_vfs;
#define COUNT_IO_MAX 8
static const sqlite3_io_methods *g_base_io[COUNT_IO_MAX]; /* the unix VFS has several */
static sqlite3_io_methods g_count_io[COUNT_IO_MAX];
static size_t g_n_io;
static sqlite3_vfs g_count_vfs;
static int g_n_syncs;

static int count_sync(sqlite3_file *f, int flags)
{
    g_n_syncs++;
    for (size_t i = 0; i < g_n_io; i++) {
        if (f->pMethods == &g_count_io[i]) {
            return g_base_io[i]->xSync(f, flags);
        }
    }
    ck_abort_msg("xSync on a file the counting VFS did not open");
    return SQLITE_IOERR;
}

static int count_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
                      int *out_flags)
{
    (void)vfs;
    int rc = g_base_vfs->xOpen(g_base_vfs, name, f, flags, out_flags);
    if (rc == SQLITE_OK && f->pMethods != NULL) {
        size_t i = 0;
        while (i < g_n_io && g_base_io[i] != f->pMethods) {
            i++;
        }
        if (i == g_n_io) {
            ck_assert_uint_lt(g_n_io, COUNT_IO_MAX);
            g_base_io[i] = f->pMethods;
            g_count_io[i] = *f->pMethods;
            g_count_io[i].xSync = count_sync;
            g_n_io++;
        }
        f->pMethods = &g_count_io[i];
    }
    return rc;
}

static void count_vfs_install(void)
{
    g_base_vfs = sqlite3_vfs_find(NULL);
    ck_assert_ptr_nonnull(g_base_vfs);
    g_count_vfs = *g_base_vfs;
    g_count_vfs.zName = "tlsaudit-test-count";
    g_count_vfs.xOpen = count_open;
    g_count_vfs.pNext = NULL;
    ck_assert_int_eq(sqlite3_vfs_register(&g_count_vfs, 1), SQLITE_OK);
}

/* The syncs of opening: a brand-new file costs three xSync calls (page 1 of
 * the database file, which must be durable before any WAL commit, the
 * new WAL's header, which SQLite syncs even under synchronous NORMAL, and
 * one more since a new file is made with incremental auto-vacuum for
 * `prune`, store/open.c: measured, 2 without it), where a rollback-journal WAL switch and
 * one synced commit per migration step cost six (9 fdatasync); an
 * existing current file costs none. The first scan row
 * commits with synchronous FULL (it syncs), so the relaxed settings of the
 * new file's creation did not stay on. (Runs in its own forked process,
 * as every test here, so the default VFS change does not leak.) */
START_TEST(test_open_syncs)
{
    count_vfs_install();
    const char *db = path_in("sync.db");
    g_n_syncs = 0;
    struct store *s = open_ok(db);
    ck_assert_int_eq(g_n_syncs, 3);
    g_n_syncs = 0;
    int64_t id = begin_scan(s, "synced");
    ck_assert_int_ge(g_n_syncs, 1);
    g_n_syncs = 0;
    put_ok(s, id, "sync.example.test", 443, 9);
    ck_assert_int_ge(g_n_syncs, 1);
    store_close(s);

    g_n_syncs = 0;
    s = open_ok(db);
    ck_assert_int_eq(g_n_syncs, 0);
    store_close(s);

    sqlite3 *raw = raw_open(db);
    ck_assert_int_eq(q_int(raw, "PRAGMA user_version", 0), STORE_SCHEMA_VERSION);
    ck_assert_int_eq(q_int(raw, "SELECT count(*) FROM targets", 0), 1);
    sqlite3_close(raw);
    ck_integrity_ok(db);
}
END_TEST

static Suite *store_suite(void)
{
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("open");
    tcase_add_checked_fixture(tc, tmpdir_setup, tmpdir_teardown);
    tcase_set_timeout(tc, TEST_TIMEOUT_S);
    tcase_add_test(tc, test_create_reopen);
    tcase_add_test(tc, test_schema_version);
    tcase_add_test(tc, test_newer_schema_refused);
    tcase_add_test(tc, test_foreign_files_refused);
    tcase_add_test(tc, test_unwritable_location);
    suite_add_tcase(s, tc);

    tc = tcase_create("write");
    tcase_add_checked_fixture(tc, tmpdir_setup, tmpdir_teardown);
    tcase_set_timeout(tc, TEST_TIMEOUT_S);
    tcase_add_test(tc, test_put_target_roundtrip);
    tcase_add_test(tc, test_der_stored_once);
    tcase_add_test(tc, test_put_target_atomic);
    tcase_add_test(tc, test_scan_finish);
    tcase_add_test(tc, test_revocation_roundtrip);
    tcase_add_test(tc, test_fetch_cache);
    tcase_add_test(tc, test_migrate_v1);
    tcase_add_test(tc, test_scan_identity);
    tcase_add_test(tc, test_open_readonly);
    tcase_add_test(tc, test_migrate_all_or_nothing);
    tcase_add_test(tc, test_open_check_writes_nothing);
    tcase_add_test(tc, test_open_syncs);
    suite_add_tcase(s, tc);

    tc = tcase_create("processes");
    tcase_add_checked_fixture(tc, tmpdir_setup, tmpdir_teardown);
    tcase_set_timeout(tc, TEST_TIMEOUT_S);
    tcase_add_test(tc, test_killed_scan_after_two_targets);
    tcase_add_test(tc, test_killed_scan_while_writing);
    tcase_add_test(tc, test_live_scan_not_marked);
    tcase_add_test(tc, test_concurrent_writers);
    tcase_add_test(tc, test_concurrent_create);
    tcase_add_test(tc, test_busy_waits_for_lock);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(store_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
