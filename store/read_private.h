/*
 * store/read_private.h - what the readers of a stored scan share (read.c,
 * read_facts.c): the statements of one store_load_targets call, its
 * context, and the step and column helpers; included by nothing outside
 * store/.
 *
 * The statements are prepared once per store_load_targets call (read.c),
 * reused for every target, then finalized; nothing here writes.
 */
#ifndef TLSAUDIT_STORE_READ_PRIVATE_H
#define TLSAUDIT_STORE_READ_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "store/store.h"
#include "store/store_private.h"

/* The statements store_load_targets uses, prepared once per call. */
enum rd_stmt_id {
    RD_TARGETS,
    RD_VERSIONS,
    RD_CHAIN_CERTS,
    RD_CERT_ITEMS,
    RD_CHAIN,
    RD_ENUM_VERSIONS,
    RD_ENUM_SUITES,
    RD_ENUM_LISTS,
    RD_ENUM_BEHAVIOUR,
    RD_TAGS,
    RD_REVOCATIONS,
    RD_HTTP,
    RD_STARTTLS,
    RD_PROBES,
    RD_DEPLOYMENTS,
    RD_DEP_CERTS,
    RD_DEP_CHAIN,
    RD_DEP_REVOCATIONS,
    RD_KEX,
    RD_COUNT
};

/* The columns of a target row store_rd_target reads, in its order. */
#define RD_TARGET_COLUMNS                                                                          \
    "id, host, port, sni, ip, status, error, started_ms, finished_ms, chain_collected,"            \
    " revoc_collected, probes_state, probes_detail, kex_state, starttls"

/* The statements' SQL (read.c), by id; RD_TARGETS selects RD_TARGET_COLUMNS
 * of one scan's targets in the order stored. */
extern const char *const store_rd_sql[RD_COUNT];

/* One store_load_targets call: the connection and its statements. */
struct rd_ctx {
    struct store *s;
    sqlite3 *db;
    sqlite3_stmt *st[RD_COUNT];
};

/* rd_sql_err records "context: sqlite message". */
static inline void rd_sql_err(struct rd_ctx *c, const char *context)
{
    store_fail(c->s, "%s: %s", context, sqlite3_errmsg(c->db));
}

/* rd_start resets st and binds its one integer parameter. Returns 0 or -1. */
static inline int rd_start(struct rd_ctx *c, sqlite3_stmt *st, int64_t param, const char *context)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (sqlite3_bind_int64(st, 1, (sqlite3_int64)param) != SQLITE_OK) {
        rd_sql_err(c, context);
        return -1;
    }
    return 0;
}

/* rd_step steps st: 1 for a row, 0 when done, -1 (error recorded). */
static inline int rd_step(struct rd_ctx *c, sqlite3_stmt *st, const char *context)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        return 1;
    }
    if (rc == SQLITE_DONE) {
        return 0;
    }
    rd_sql_err(c, context);
    return -1;
}

static inline bool col_null(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL;
}

static inline int64_t col_int(sqlite3_stmt *st, int i)
{
    return (int64_t)sqlite3_column_int64(st, i);
}

/* col_text returns column i as text, "" for NULL. */
static inline const char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t != NULL ? (const char *)t : "";
}

/* col_buf copies column i into a fixed facts buffer (NULL gives ""). */
static inline void col_buf(sqlite3_stmt *st, int i, char *buf, size_t cap)
{
    util_copy(buf, cap, col_text(st, i));
}

/* col_dup returns a malloc'ed copy of column i in *out (NULL for NULL).
 * Returns 0 or -1 (out of memory). */
static inline int col_dup(sqlite3_stmt *st, int i, char **out)
{
    *out = NULL;
    if (col_null(st, i)) {
        return 0;
    }
    const char *t = col_text(st, i);
    size_t n = (size_t)sqlite3_column_bytes(st, i);
    char *d = malloc(n + 1);
    if (d == NULL) {
        return -1;
    }
    memcpy(d, t, n);
    d[n] = '\0';
    *out = d;
    return 0;
}

/* The tri-state of a nullable 0/1 column (bind_tri in write.c). */
static inline enum fact_tri col_tri(sqlite3_stmt *st, int i)
{
    if (col_null(st, i)) {
        return TRI_UNKNOWN;
    }
    return col_int(st, i) != 0 ? TRI_YES : TRI_NO;
}

/* store_rd_target_rows (read_facts.c) fills the facts under target tid
 * from the tables under targets, the targets statement finished first
 * (each reader steps its own). Returns 0 or -1 (error recorded; what was
 * read stays in r for the caller to clean up). */
int store_rd_target_rows(struct rd_ctx *c, int64_t tid, struct target_result *r);

/* rd_starttls reads the STARTTLS dialogue's facts, when they were stored
 * (store/starttls.c). Returns 0 or -1. */
int rd_starttls(struct rd_ctx *c, int64_t tid, struct target_result *r);

/* store_rd_target fills r (initialised by the caller) from the current row
 * of c->st[RD_TARGETS] (RD_TARGET_COLUMNS); the facts under it are
 * store_rd_target_rows'. Returns 0 or -1 (error recorded). */
int store_rd_target(struct rd_ctx *c, struct target_result *r, int64_t *out_id);

/* store_rd_finalize finalizes every statement of c. */
void store_rd_finalize(struct rd_ctx *c);

/* store_rd_scan_exists looks scan_id up; returns 0 and *out, or -1. */
int store_rd_scan_exists(struct store *s, int64_t scan_id, bool *out);

#endif
