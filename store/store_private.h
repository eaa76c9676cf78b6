/*
 * store/store_private.h - what store/store.c shares with the other files of
 * store/ (store_read.c); included by nothing outside store/.
 *
 * The handle (struct store) stays defined in store.c alone. Other store/
 * files reach the SQLite connection and the handle's error text only
 * through these two functions, so error translation keeps one owner.
 */
#ifndef TLSAUDIT_STORE_STORE_PRIVATE_H
#define TLSAUDIT_STORE_STORE_PRIVATE_H

#include <sqlite3.h>

#include "store/store.h"

/* store_db returns the handle's SQLite connection (owned by the handle). */
sqlite3 *store_db(struct store *s);

/* store_fail records the handle's error text (what store_errmsg returns). */
void store_fail(struct store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

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
