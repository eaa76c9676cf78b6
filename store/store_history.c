/*
 * store/store_history.c - the queries behind `tlsaudit history` and
 * `tlsaudit diff`: which scans hold a given endpoint, and which earlier
 * scan shares targets with a given one.
 *
 * Pipeline position: store -> [this file] -> cli/cmd_history.c and
 * cli/cmd_diff.c, which then load whole scans with report_load.
 *
 * Invariants:
 * - Read only; every value is bound to a prepared statement.
 * - Each call reads in one statement (hence one consistent snapshot) and
 *   returns owned memory only.
 * - Endpoints are matched on (host, port, application protocol) as stored
 *   (history: the protocol only when asked for, --starttls): the host as the user
 *   typed it (IPv6 without brackets), ASCII case-insensitively, so
 *   `Example.COM` and `example.com` are one endpoint. SNI and the address
 *   connected to are not part of the match.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_private.h"

int store_target_history(struct store *s, const char *host, uint16_t port, const char *starttls,
                         struct store_target_ref **out, size_t *n_out)
{
    static const char sql[] = "SELECT scan_id, id FROM targets"
                              " WHERE port = ?2 AND host = ?1 COLLATE NOCASE"
                              " AND (?3 IS NULL OR starttls = ?3)"
                              " ORDER BY scan_id, id";
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st = NULL;
    struct store_target_ref *refs = NULL;
    size_t n = 0;
    size_t cap = 0;
    int ret = -1;
    *out = NULL;
    *n_out = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_bind_text(st, 1, host, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
        sqlite3_bind_int(st, 2, (int)port) != SQLITE_OK ||
        (starttls != NULL ? sqlite3_bind_text(st, 3, starttls, -1, SQLITE_TRANSIENT)
                          : sqlite3_bind_null(st, 3)) != SQLITE_OK) {
        store_fail(s, "reading the history of %s: %s", host, sqlite3_errmsg(db));
        goto out;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            struct store_target_ref *p = realloc(refs, nc * sizeof(*refs));
            if (p == NULL) {
                store_fail(s, "reading the history of %s: out of memory", host);
                goto out;
            }
            refs = p;
            cap = nc;
        }
        refs[n].scan_id = (int64_t)sqlite3_column_int64(st, 0);
        refs[n].target_id = (int64_t)sqlite3_column_int64(st, 1);
        n++;
    }
    if (rc != SQLITE_DONE) {
        store_fail(s, "reading the history of %s: %s", host, sqlite3_errmsg(db));
        goto out;
    }
    *out = refs;
    *n_out = n;
    refs = NULL;
    ret = 0;
out:
    free(refs);
    sqlite3_finalize(st);
    return ret;
}

int store_previous_sharing_scan(struct store *s, int64_t scan_b, int64_t *out_scan_a,
                                bool *out_found)
{
    /* targets_host_port serves the join; max() over no row is NULL. */
    static const char sql[] = "SELECT max(a.scan_id) FROM targets b"
                              " JOIN targets a ON a.host = b.host AND a.port = b.port"
                              " AND a.starttls = b.starttls"
                              " WHERE b.scan_id = ?1 AND a.scan_id < ?1";
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st = NULL;
    int ret = -1;
    *out_found = false;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_bind_int64(st, 1, (sqlite3_int64)scan_b) != SQLITE_OK) {
        store_fail(s, "finding the scan before scan %lld: %s", (long long)scan_b,
                   sqlite3_errmsg(db));
        goto out;
    }
    if (sqlite3_step(st) != SQLITE_ROW) {
        store_fail(s, "finding the scan before scan %lld: %s", (long long)scan_b,
                   sqlite3_errmsg(db));
        goto out;
    }
    if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
        *out_scan_a = (int64_t)sqlite3_column_int64(st, 0);
        *out_found = true;
    }
    ret = 0;
out:
    sqlite3_finalize(st);
    return ret;
}

int store_count_scans(struct store *s, size_t *out_n)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *st = NULL;
    int ret = -1;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM scans", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        store_fail(s, "counting scans: %s", sqlite3_errmsg(db));
        goto out;
    }
    *out_n = (size_t)sqlite3_column_int64(st, 0);
    ret = 0;
out:
    sqlite3_finalize(st);
    return ret;
}
