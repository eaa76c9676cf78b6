/*
 * store/spool.c - the sort spool (store/spool.h): a private temporary
 * SQLite database with one table, its rows read back through an index on
 * (section, group, key).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/spool.h"
#include "store/store_private.h"

enum { SP_PUT, SP_HAS, SP_COUNT, SP_EACH, SP_GROUP_SIZE, SP_N };

static const char *const sp_sql[SP_N] = {
    [SP_PUT] = "INSERT INTO spool (sec, grp, key, body) VALUES (?1, ?2, ?3, ?4)",
    [SP_HAS] = "SELECT 1 FROM spool WHERE sec = ?1 AND grp = ?2 LIMIT 1",
    [SP_COUNT] = "SELECT COUNT(*), COUNT(DISTINCT grp) FROM spool WHERE sec = ?1",
    [SP_EACH] = "SELECT grp, body FROM spool WHERE sec = ?1 ORDER BY sec, grp, key",
    [SP_GROUP_SIZE] = "SELECT COUNT(*) FROM spool WHERE sec = ?1 AND grp = ?2",
};

struct store_spool {
    sqlite3 *db;
    sqlite3_stmt *st[SP_N];
    char err[256];
};

static int sp_fail(struct store_spool *sp, const char *what)
{
    snprintf(sp->err, sizeof(sp->err), "the report's temporary database: %s: %s", what,
             sp->db != NULL ? sqlite3_errmsg(sp->db) : "out of memory");
    return -1;
}

int store_spool_open(struct store_spool **out, char *err, size_t err_len)
{
    *out = NULL;
    struct store_spool *sp = calloc(1, sizeof(*sp));
    if (sp == NULL) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    /* "": a private temporary on-disk database, deleted when closed. */
    int rc = sqlite3_open_v2("", &sp->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_exec(sp->db,
                          "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
                          " PRAGMA temp_store = FILE;"
                          " CREATE TABLE spool (sec INTEGER NOT NULL, grp BLOB NOT NULL,"
                          " key BLOB NOT NULL, body BLOB NOT NULL);"
                          " CREATE INDEX spool_order ON spool (sec, grp, key);"
                          " BEGIN",
                          NULL, NULL, NULL);
    }
    for (int i = 0; rc == SQLITE_OK && i < SP_N; i++) {
        rc = sqlite3_prepare_v2(sp->db, sp_sql[i], -1, &sp->st[i], NULL);
    }
    if (rc != SQLITE_OK) {
        snprintf(err, err_len, "cannot create the report's temporary database: %s",
                 sp->db != NULL ? sqlite3_errmsg(sp->db) : "out of memory");
        store_spool_close(sp);
        return -1;
    }
    *out = sp;
    return 0;
}

void store_spool_close(struct store_spool *sp)
{
    if (sp == NULL) {
        return;
    }
    for (int i = 0; i < SP_N; i++) {
        sqlite3_finalize(sp->st[i]);
    }
    sqlite3_close(sp->db); /* the open transaction is rolled back, the file deleted */
    free(sp);
}

const char *store_spool_errmsg(const struct store_spool *sp)
{
    return sp->err;
}

/* sp_bind_grp binds section and group (?1, ?2) of statement i, reset. */
static sqlite3_stmt *sp_bind_grp(struct store_spool *sp, int i, int sec, const void *grp,
                                 size_t grp_len)
{
    sqlite3_stmt *st = sp->st[i];
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    sqlite3_bind_int(st, 1, sec);
    sqlite3_bind_blob64(st, 2, grp_len ? grp : "", grp_len, SQLITE_STATIC);
    return st;
}

int store_spool_put(struct store_spool *sp, int sec, const void *grp, size_t grp_len,
                    const void *key, size_t key_len, const void *body, size_t body_len)
{
    sqlite3_stmt *st = sp_bind_grp(sp, SP_PUT, sec, grp, grp_len);
    sqlite3_bind_blob64(st, 3, key_len ? key : "", key_len, SQLITE_STATIC);
    sqlite3_bind_blob64(st, 4, body_len ? body : "", body_len, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : sp_fail(sp, "writing a row");
}

int store_spool_has_group(struct store_spool *sp, int sec, const void *grp, size_t grp_len,
                          bool *out)
{
    sqlite3_stmt *st = sp_bind_grp(sp, SP_HAS, sec, grp, grp_len);
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sp_fail(sp, "reading a group");
}

int store_spool_count(struct store_spool *sp, int sec, size_t *n_rows, size_t *n_groups)
{
    sqlite3_stmt *st = sp_bind_grp(sp, SP_COUNT, sec, NULL, 0);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *n_rows = (size_t)sqlite3_column_int64(st, 0);
        *n_groups = (size_t)sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : sp_fail(sp, "counting rows");
}

/* sp_group_size counts the rows of group grp of section sec. */
static int sp_group_size(struct store_spool *sp, int sec, const void *grp, size_t grp_len,
                         size_t *n)
{
    sqlite3_stmt *st = sp_bind_grp(sp, SP_GROUP_SIZE, sec, grp, grp_len);
    int rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? (size_t)sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : sp_fail(sp, "counting a group");
}

/* One store_spool_each walk: the current group, copied (the statement's
 * bytes change with each step). */
struct sp_walk {
    unsigned char *grp;
    size_t grp_len, cap;
    bool have;
    struct store_spool_row row;
};

/* sp_new_group: whether the row's group g differs from w's; if so it
 * becomes w's. Returns -1 when out of memory. */
static int sp_new_group(struct sp_walk *w, const void *g, size_t len)
{
    if (w->have && len == w->grp_len && (len == 0 || memcmp(g, w->grp, len) == 0)) {
        return 0;
    }
    if (len > w->cap) {
        unsigned char *p = realloc(w->grp, len);
        if (p == NULL) {
            return -1;
        }
        w->grp = p;
        w->cap = len;
    }
    if (len > 0) {
        memcpy(w->grp, g, len);
    }
    w->grp_len = len;
    w->have = true;
    return 1;
}

int store_spool_each(struct store_spool *sp, int sec, size_t max_per_group, store_spool_fn fn,
                     void *arg)
{
    sqlite3_stmt *st = sp_bind_grp(sp, SP_EACH, sec, NULL, 0);
    struct sp_walk w = {0};
    int ret = 0, rc;
    while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const void *g = sqlite3_column_blob(st, 0);
        size_t glen = (size_t)sqlite3_column_bytes(st, 0);
        int k = sp_new_group(&w, g, glen);
        if (k < 0) {
            snprintf(sp->err, sizeof(sp->err), "out of memory reading the report's rows");
            ret = -1;
            break;
        }
        if (k > 0) {
            w.row.index = 0;
            if (sp_group_size(sp, sec, w.grp, w.grp_len, &w.row.n_group) != 0) {
                ret = -1;
                break;
            }
        } else {
            w.row.index++;
        }
        if (max_per_group > 0 && w.row.index >= max_per_group) {
            continue;
        }
        w.row.grp = w.grp;
        w.row.grp_len = w.grp_len;
        w.row.body = sqlite3_column_blob(st, 1);
        w.row.body_len = (size_t)sqlite3_column_bytes(st, 1);
        ret = fn(arg, &w.row);
    }
    if (ret == 0 && rc != SQLITE_DONE) {
        ret = sp_fail(sp, "reading the rows");
    }
    sqlite3_reset(st);
    free(w.grp);
    return ret;
}

void store_spool_key_u64(unsigned char *buf, size_t *len, uint64_t v, bool desc)
{
    v = desc ? ~v : v;
    for (int i = 7; i >= 0 && *len < STORE_SPOOL_KEY_MAX; i--) {
        buf[(*len)++] = (unsigned char)(v >> (8 * i));
    }
}

void store_spool_key_str(unsigned char *buf, size_t *len, const char *s)
{
    for (; s != NULL && *s != '\0' && *len < STORE_SPOOL_KEY_MAX - 1; s++) {
        buf[(*len)++] = (unsigned char)*s;
    }
    if (*len < STORE_SPOOL_KEY_MAX) {
        buf[(*len)++] = '\0';
    }
}
