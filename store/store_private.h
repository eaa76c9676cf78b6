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

#endif
