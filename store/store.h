/*
 * store/store.h - the SQLite store of scans and their facts.
 *
 * The only module that includes <sqlite3.h>. One file holds every scan:
 * scans, targets, per-version results, certificates (DER stored once, keyed
 * by SHA-256) and chain validations. WAL mode, a busy timeout, and one
 * transaction per finished target, so a killed scan keeps every target it
 * finished and never leaves a corrupt file. The schema is versioned with
 * PRAGMA user_version and migrated forward on open; a file written by a
 * newer schema is refused.
 *
 * Ownership: store_open() returns a handle the caller frees with
 * store_close(). Error text lives in the handle (store_errmsg) or, for
 * store_open, in the caller's buffer.
 */
#ifndef TLSAUDIT_STORE_STORE_H
#define TLSAUDIT_STORE_STORE_H

#include <stdint.h>
#include <stddef.h>

#include "scanner/facts.h"

/* The schema version this build writes (PRAGMA user_version). */
#define STORE_SCHEMA_VERSION 1

struct store;

/* What is recorded about a scan when it starts. */
struct scan_meta {
    int64_t started_ms;       /* Unix milliseconds */
    const char *tool_version; /* PACKAGE_VERSION */
    const char *options;      /* the command line as given, for provenance */
    const char *trust_store;  /* "system" or the --ca-file path */
    const char *registry_version; /* registry_version of the suite tables, or NULL */
};

/* store_open opens or creates the database at path, migrates it to
 * STORE_SCHEMA_VERSION, and marks as "incomplete" every scan left
 * unfinished by a process that no longer runs. Returns 0 and *out_store,
 * or -1 with a message in err (naming the file) when the file cannot be
 * opened or written, is not a tlsaudit database, or has a newer schema.
 * Nothing stored is modified on failure. */
__attribute__((warn_unused_result)) int store_open(const char *path, struct store **out_store,
                                                   char *err, size_t err_len);

/* store_close closes the handle; accepts NULL. */
void store_close(struct store *s);

/* store_errmsg returns the text of the last failure on s. */
const char *store_errmsg(const struct store *s);

/* store_scan_begin inserts a scan in state "running" and returns its id. */
__attribute__((warn_unused_result)) int store_scan_begin(struct store *s,
                                                         const struct scan_meta *meta,
                                                         int64_t *out_scan_id);

/* store_put_target writes one finished target of scan_id, with its version
 * results, certificates and chain, in one transaction. Returns 0 or -1. */
__attribute__((warn_unused_result)) int store_put_target(struct store *s, int64_t scan_id,
                                                         const struct target_result *r);

/* store_scan_finish sets the scan's end time and its state: "complete" or
 * "interrupted". Returns 0 or -1. */
__attribute__((warn_unused_result)) int store_scan_finish(struct store *s, int64_t scan_id,
                                                          const char *state, int64_t finished_ms);

#endif
