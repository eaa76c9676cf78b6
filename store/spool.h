/*
 * store/spool.h - a sort spool: rows that a renderer writes in one order
 * and reads back in another, sorted and grouped on disk by SQLite, so
 * that a report whose sections aggregate across targets (grouped by rule,
 * inventories, sorted by verdict) does not hold the scan in memory.
 *
 * Pipeline position: reports/html/stream.c (one walk over the targets)
 * -> [store_spool_put ...] -> [store_spool_each per section] -> the output.
 *
 * A spool is a private temporary SQLite database (an empty file name:
 * SQLite creates it in its temporary directory, never shared, deleted when
 * closed), with no journal and one transaction that is never committed.
 * Memory: SQLite's page cache (its default, about 2 MB) and one row at a
 * time; the rows themselves are on disk.
 *
 * Each row is (section, group, key, body): three byte strings compared as
 * memcmp, then by length (SQLite's BLOB order), so a caller encodes its
 * sort keys into group and key (store_spool_key_* below). store_spool_each
 * gives a section's rows by group then key (rows equal in both in the
 * order put), each with its place in its group and the group's size.
 *
 * Ownership: store_spool_open returns a spool store_spool_close frees;
 * the bytes a row hands to the callback are valid during the call only.
 */
#ifndef TLSAUDIT_STORE_SPOOL_H
#define TLSAUDIT_STORE_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store_spool;

/* store_spool_open creates an empty spool. Returns 0, or -1 with the
 * reason in err. */
__attribute__((warn_unused_result)) int store_spool_open(struct store_spool **out, char *err,
                                                         size_t err_len);

/* store_spool_close deletes the spool; accepts NULL. */
void store_spool_close(struct store_spool *sp);

/* store_spool_errmsg: the reason of the last failure. */
const char *store_spool_errmsg(const struct store_spool *sp);

/* store_spool_put adds one row to section sec. Returns 0, or -1 (disk
 * full, out of memory) with the reason in store_spool_errmsg. */
__attribute__((warn_unused_result)) int store_spool_put(struct store_spool *sp, int sec,
                                                        const void *grp, size_t grp_len,
                                                        const void *key, size_t key_len,
                                                        const void *body, size_t body_len);

/* store_spool_has_group sets *out to whether section sec has a row in
 * group grp. Returns 0, or -1 as store_spool_put. */
__attribute__((warn_unused_result)) int
store_spool_has_group(struct store_spool *sp, int sec, const void *grp, size_t grp_len, bool *out);

/* store_spool_count counts the rows and the groups of section sec. Returns
 * 0, or -1 as store_spool_put. */
__attribute__((warn_unused_result)) int store_spool_count(struct store_spool *sp, int sec,
                                                          size_t *n_rows, size_t *n_groups);

/* One row as store_spool_each hands it over. */
struct store_spool_row {
    const void *grp;
    size_t grp_len;
    const void *body;
    size_t body_len;
    size_t index;   /* its place in its group, from 0 */
    size_t n_group; /* how many rows its group has */
};

/* What store_spool_each calls per row: 0 to go on, non-zero to stop. */
typedef int (*store_spool_fn)(void *arg, const struct store_spool_row *row);

/* store_spool_each calls fn for the rows of section sec by group, then
 * key, at most max_per_group of each group (0: all; n_group still counts
 * every row). Returns 0; -1 on a database error (store_spool_errmsg); or
 * the non-zero value fn returned. */
__attribute__((warn_unused_result)) int store_spool_each(struct store_spool *sp, int sec,
                                                         size_t max_per_group, store_spool_fn fn,
                                                         void *arg);

/* Key encoding: appends to buf (of size STORE_SPOOL_KEY_MAX, *len bytes
 * used) a value whose memcmp order is the value's order: an unsigned
 * number big-endian in 8 bytes (store_spool_key_u64; its complement with
 * desc, for a descending order), or a string with its terminating NUL (so
 * "ab" sorts before "abc" and before what follows it). A value that does
 * not fit is cut, which only coarsens the order. */
#define STORE_SPOOL_KEY_MAX 1024
void store_spool_key_u64(unsigned char *buf, size_t *len, uint64_t v, bool desc);
void store_spool_key_str(unsigned char *buf, size_t *len, const char *s);

#endif
