/*
 * store/store_private.h - what the files of store/ share; included by
 * nothing outside store/.
 *
 * The handle (struct store), its statement cache (every statement that
 * carries data is prepared once per handle from store_stmt_sql[] in
 * handle.c, bound and reused), the binders that fill a cached statement's
 * parameters, and the calls that run statements and translate SQLite's
 * errors into the handle's error text. This header is the one place that
 * includes <sqlite3.h>: every SQLite call stays inside store/.
 *
 * Who owns what: the handle owns its connection and every cached
 * statement (finalized by store_close); a bound text or blob must outlive
 * the statement's next step (SQLITE_STATIC).
 */
#ifndef TLSAUDIT_STORE_STORE_PRIVATE_H
#define TLSAUDIT_STORE_STORE_PRIVATE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "store/store.h"

/* The cached statements; store_stmt_sql[i] (handle.c) is the text of
 * statement i. */
enum store_stmt_id {
    ST_INSERT_SCAN,
    ST_FINISH_SCAN,
    ST_RUNNING_SCANS,
    ST_MARK_INCOMPLETE,
    ST_INSERT_TARGET,
    ST_INSERT_VERSION,
    ST_INSERT_CERT,
    ST_INSERT_CERT_ITEM,
    ST_INSERT_CHAIN_CERT,
    ST_INSERT_CHAIN,
    ST_INSERT_DEPLOYMENT,
    ST_INSERT_DEP_CERT,
    ST_INSERT_DEP_CHAIN,
    ST_INSERT_DEP_REVOCATION,
    ST_INSERT_ENUM_VERSION,
    ST_INSERT_ENUM_SUITE,
    ST_INSERT_ENUM_LIST,
    ST_INSERT_ENUM_BEHAVIOUR,
    ST_INSERT_POLICY_RUN,
    ST_INSERT_FINDING,
    ST_STAGE_FINDING,
    ST_STAGE_FOREIGN,
    ST_STAGE_COPY,
    ST_RUN_TARGET_FINDINGS,
    ST_INSERT_TAG,
    ST_INSERT_REVOCATION,
    ST_INSERT_HTTP,
    ST_INSERT_STARTTLS,
    ST_INSERT_PROBE_RESULT,
    ST_INSERT_KEX_VALUE,
    ST_DROWN_TARGETS,
    ST_DROWN_ENDPOINTS,
    ST_DROWN_PEERS,
    ST_PROBE_COUNT,
    ST_CACHE_PUT,
    ST_CACHE_LOAD,
    ST_CACHE_PURGE,
    ST_COUNT
};

/* The columns a chain validation (chains, deployment_chains) and a
 * revocation row (revocations, deployment_revocations) are written and read
 * with, after their key, in this order. */
#define CHAIN_COLUMNS                                                                              \
    "trusted, verify_status, verify_text, hostname_checked, hostname, hostname_match, expired,"    \
    " not_yet_valid, self_signed, incomplete, wrong_order, min_days_left, ocsp_staple,"            \
    " ocsp_status, ocsp_detail, aia_attempted, aia_completed, aia_trusted, aia_fetched,"           \
    " aia_detail"
#define REVOC_COLUMNS                                                                              \
    "position, status, method, url, detail, revoked_at, reason, this_update, next_update,"         \
    " from_cache, staple"
#define CERT_COLUMNS                                                                               \
    "c.sha256, c.der, c.subject, c.issuer, c.serial, c.not_before, c.not_after, c.key_type,"       \
    " c.key_bits, c.curve, c.sig_alg, c.has_key_usage, c.ca, c.path_len, c.must_staple,"           \
    " c.n_scts, c.self_signed"

/* The handle store.h declares: one connection and its statement cache. */
struct store {
    sqlite3 *db;
    char *path;
    bool empty_file;               /* store_open_check saw a file of zero pages (brand new) */
    int64_t checked_version;       /* user_version as store_open_check read it */
    sqlite3_stmt *stmts[ST_COUNT]; /* prepared on first use, finalized by store_close */
    char hostname[256];            /* gethostname(), "" when unknown */
    bool read_only;                /* store_open_readonly: the file is never written */
    /* Inside store_tx_begin .. store_tx_end: the writes' own BEGIN and
     * COMMIT are left out (they are part of the one transaction), and a
     * failed write rolls the whole transaction back (tx_failed). */
    bool in_tx;
    bool tx_failed;
    char err[1024];
};

/* A cursor over a statement's parameters: each bind_* takes the next one
 * and the first failure sticks, so a caller checks once. */
struct binder {
    sqlite3_stmt *st;
    int idx;
    int rc;
};

static inline void binder_start(struct binder *b, sqlite3_stmt *st)
{
    b->st = st;
    b->idx = 0;
    b->rc = SQLITE_OK;
}

static inline void bind_int64(struct binder *b, int64_t v)
{
    b->idx++;
    if (b->rc == SQLITE_OK) {
        b->rc = sqlite3_bind_int64(b->st, b->idx, (sqlite3_int64)v);
    }
}

static inline void bind_bool(struct binder *b, bool v)
{
    bind_int64(b, v ? 1 : 0);
}

static inline void bind_null(struct binder *b)
{
    b->idx++;
    if (b->rc == SQLITE_OK) {
        b->rc = sqlite3_bind_null(b->st, b->idx);
    }
}

/* bind_text binds s, or NULL when s is NULL. The text must outlive the
 * statement's next step (SQLITE_STATIC). */
static inline void bind_text(struct binder *b, const char *s)
{
    if (s == NULL) {
        bind_null(b);
        return;
    }
    b->idx++;
    if (b->rc == SQLITE_OK) {
        b->rc = sqlite3_bind_text64(b->st, b->idx, s, strlen(s), SQLITE_STATIC, SQLITE_UTF8);
    }
}

/* bind_buf binds a fixed-size text field of the facts (never read past
 * cap, even unterminated); an empty field is stored as NULL. */
static inline void bind_buf(struct binder *b, const char *buf, size_t cap)
{
    size_t n = strnlen(buf, cap);
    if (n == 0) {
        bind_null(b);
        return;
    }
    b->idx++;
    if (b->rc == SQLITE_OK) {
        b->rc = sqlite3_bind_text64(b->st, b->idx, buf, n, SQLITE_STATIC, SQLITE_UTF8);
    }
}

static inline void bind_blob(struct binder *b, const void *data, size_t len)
{
    b->idx++;
    if (b->rc == SQLITE_OK) {
        b->rc = sqlite3_bind_blob64(b->st, b->idx, data, len, SQLITE_STATIC);
    }
}

/* store_db returns the handle's SQLite connection (owned by the handle). */
sqlite3 *store_db(struct store *s);

/* store_fail records the handle's error text (what store_errmsg returns). */
void store_fail(struct store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* store_prefix_err puts "WHAT: " before the recorded error text, WHAT
 * formatted from fmt (naming the file or the row the failure was about). */
void store_prefix_err(struct store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* store_abort rolls the open transaction back (store_rollback) and puts
 * "WHAT: " before the recorded error text, as store_prefix_err does. */
void store_abort(struct store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* store_sql_err records "context: sqlite message" for the last failure. */
void store_sql_err(struct store *s, const char *context);

/* store_exec runs constant SQL (no values in it). Returns 0 or -1 with the
 * error recorded under context. */
int store_exec(struct store *s, const char *sql, const char *context);

/* store_rollback ends the open transaction, if SQLite has not already
 * rolled it back itself; the recorded error text is kept. */
void store_rollback(struct store *s);

/* store_stmt returns the cached statement id, preparing it on first use,
 * or NULL with the error recorded. The statement is reset and unbound. */
sqlite3_stmt *store_stmt(struct store *s, enum store_stmt_id id);

/* store_run steps a bound statement that returns no rows, then resets it.
 * Returns 0, or -1 with "context: ..." recorded (binding errors included). */
int store_run(struct store *s, const struct binder *b, const char *context);

/* store_commit commits a write's own transaction (nothing inside
 * store_tx_begin: the outer transaction commits). Returns 0 or -1. */
int store_commit(struct store *s, const char *context);

/* store_put_starttls writes the STARTTLS dialogue's facts of target
 * target_id (store/starttls.c). Returns 0 or -1 (error in the handle). */
int store_put_starttls(struct store *s, int64_t target_id, const struct starttls_fact *f);

/* store_begin_insert starts the BEGIN IMMEDIATE transaction of a write
 * whose first row is an insert of statement id, and starts b on that
 * statement. Returns 0, or -1 (error recorded; the caller ends the write
 * with store_abort either way). */
int store_begin_insert(struct store *s, enum store_stmt_id id, struct binder *b);

/* store_insert runs the bound insert b (store_run) and gives the new row's
 * id in *out_id. Returns 0 or -1 (error recorded under context). */
int store_insert(struct store *s, const struct binder *b, const char *context, int64_t *out_id);

/* store_pragma_int reads an integer PRAGMA (constant text) into *out.
 * Returns the SQLite result code. */
int store_pragma_int(struct store *s, const char *sql, int64_t *out);

/* store_migrate (migrate.c) takes the file from version to
 * STORE_SCHEMA_VERSION in one transaction, or leaves it as it was.
 * Returns 0 or -1 (error recorded). */
int store_migrate(struct store *s, int64_t version);

/* store_valid_sha256 tells whether h is 64 lowercase hex digits. */
bool store_valid_sha256(const char *h, size_t cap);

/* The unit of a stored time column. */
enum store_time_unit {
    STORE_TIME_S,   /* Unix seconds (certificate validity, revocation times) */
    STORE_TIME_MS,  /* Unix milliseconds (scan, target and policy run times) */
    STORE_TIME_DAYS /* a number of days between two such times (days_left) */
};

/* store_col_time reads integer column col of st's current row as a time
 * in unit and checks it lies within the years 0000-9999 (all an X.509
 * time can say; for days, the span between two such times), so that no
 * reader, report or policy doing arithmetic on it (ms = s * 1000, days
 * between two times) can overflow. Returns 0 and *out, or -1 with
 * "damaged value in the database: WHAT = N is not a time ..." recorded on
 * s (a damaged value is an error, never clamped into a plausible date). */
__attribute__((warn_unused_result)) int store_col_time(struct store *s, sqlite3_stmt *st, int col,
                                                       enum store_time_unit unit, const char *what,
                                                       int64_t *out);

#endif
