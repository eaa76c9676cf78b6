/*
 * store/open.c - opening a store: the file's identity checked before any
 * write (store_open_check), then every write of opening (store_prepare:
 * WAL switch, migrations, scans left by dead processes), and the
 * read-only open of the commands that only read (store_open_readonly).
 *
 * Pipeline position: the first store/ call of every command; the CLI
 * checks before sending any packet and prepares while the scan runs
 * (store_open does both).
 *
 * Invariants:
 * - store_open_check reads the file's identity (application_id,
 *   user_version, whether it has any schema) before it writes anything, so
 *   a file it refuses (not SQLite, another application's, a newer schema,
 *   read-only) is left byte for byte as it was.
 * - A brand-new file (zero pages) is switched to WAL with journal_mode
 *   MEMORY for that one write: page 1 is written and synced without a
 *   rollback journal file (see store_set_wal for why a crash there cannot
 *   leave a silently wrong file), and its migration commits under
 *   synchronous NORMAL (see store_prepare). Every commit of scan data,
 *   policy runs or cache entries runs with WAL and synchronous FULL.
 * - The busy timeout (STORE_BUSY_TIMEOUT_MS) makes a second process wait for
 *   the write lock instead of failing.
 * - store_open_readonly never writes the file: an older schema is migrated
 *   in an in-memory copy.
 */
#include "store/store.h"
#include "store/store_private.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "common/util.h"

/* 'TLSA': PRAGMA application_id of every tlsaudit database. */
#define STORE_APPLICATION_ID 0x544c5341
/* How long a writer waits for another process's write lock. */
#define STORE_BUSY_TIMEOUT_MS 30000
/* The pause between two attempts to switch a new file to WAL mode. */
#define STORE_WAL_RETRY_MS 10

/* store_check_identity reads, in one read transaction and without writing,
 * what the file is: a SQLite database at all, ours (application_id) or an
 * empty one, and its schema version. Returns 0 and *out_version, or -1. */
static int store_check_identity(struct store *s, int64_t *out_version)
{
    int ret = -1;
    int64_t app_id = 0;
    int64_t version = 0;
    int64_t n_objects = 0;
    int64_t n_pages = -1;
    int rc = sqlite3_exec(s->db, "BEGIN DEFERRED", NULL, NULL, NULL);
    if (rc == SQLITE_OK) {
        rc = store_pragma_int(s, "PRAGMA application_id", &app_id);
    }
    if (rc == SQLITE_OK) {
        rc = store_pragma_int(s, "PRAGMA user_version", &version);
    }
    if (rc == SQLITE_OK) {
        rc = store_pragma_int(s, "SELECT count(*) FROM sqlite_master", &n_objects);
    }
    if (rc == SQLITE_OK) {
        rc = store_pragma_int(s, "PRAGMA page_count", &n_pages);
    }
    if (rc != SQLITE_OK) {
        if ((rc & 0xff) == SQLITE_NOTADB) {
            store_fail(s, "%s is not a SQLite database (%s)", s->path, sqlite3_errmsg(s->db));
        } else {
            store_fail(s, "cannot read database %s: %s", s->path, sqlite3_errmsg(s->db));
        }
        goto out;
    }
    if (app_id != STORE_APPLICATION_ID) {
        if (app_id != 0) {
            store_fail(s,
                       "%s is not a tlsaudit database: its application_id is 0x%08llx, "
                       "tlsaudit uses 0x%08x",
                       s->path, (unsigned long long)(uint32_t)app_id, STORE_APPLICATION_ID);
            goto out;
        }
        if (version != 0 || n_objects != 0) {
            store_fail(s,
                       "%s is not a tlsaudit database: it is a SQLite database of another "
                       "application (no tlsaudit application_id, %lld schema objects, "
                       "user_version %lld)",
                       s->path, (long long)n_objects, (long long)version);
            goto out;
        }
    }
    if (version > STORE_SCHEMA_VERSION) {
        store_fail(s,
                   "%s has schema version %lld, newer than this tlsaudit supports (%d); "
                   "use a newer tlsaudit (the file was not changed)",
                   s->path, (long long)version, STORE_SCHEMA_VERSION);
        goto out;
    }
    *out_version = version;
    s->empty_file = n_pages == 0;
    ret = 0;
out:
    store_rollback(s);
    return ret;
}

/* store_journal_mode runs a journal_mode PRAGMA (constant text) and
 * copies the resulting mode into mode. Returns the SQLite result code. */
static int store_journal_mode(struct store *s, const char *sql, char *mode, size_t mode_len)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            const unsigned char *m = sqlite3_column_text(st, 0);
            snprintf(mode, mode_len, "%s", m ? (const char *)m : "?");
            rc = SQLITE_OK;
        } else if (rc == SQLITE_DONE) {
            rc = SQLITE_ERROR;
        }
    }
    sqlite3_finalize(st);
    return rc;
}

/* store_set_wal switches the file to WAL mode (persistent in the file).
 * The switch takes a read lock and then upgrades it, and SQLite does not
 * call the busy handler for such an upgrade, so a busy answer (another
 * process opening the same new file) is retried here for as long as the
 * busy timeout.
 *
 * The switch is one write transaction of page 1 (its format bytes), run in
 * the journal mode the connection had before. For a file that had zero
 * pages when store_open_check read it, that mode is set to MEMORY first
 * (OFF is refused under SQLITE_DBCONFIG_DEFENSIVE; SQLite goes from MEMORY
 * to OFF itself for a switch to WAL): page 1 is then written and synced
 * (synchronous stays FULL) with no rollback journal file, which saves
 * creating, syncing and deleting one (4 fdatasync calls, 1 left). Why a crash cannot leave a
 * silently wrong file: the "before" state is an empty file, so there is nothing to roll back to; a
 * brand-new page 1 has non-zero bytes only in its first 108 (the 100-byte
 * header and the empty sqlite_master page header), one disk sector, so
 * after a crash the file is either empty (the next run creates it again),
 * or a valid empty WAL database at schema version 0 (the next run
 * migrates it), or holds no SQLite header ("is not a SQLite database",
 * exit 2 naming the file). No data is written before this sync: the
 * migration and every scan commit come after it, in WAL with synchronous
 * FULL, and SQLite discards a WAL whose database file is empty, which is
 * why page 1 must be durable before the first WAL commit. If another
 * process made the file a WAL database meanwhile, SQLite reads page 1 under
 * the lock, finds it already in WAL format and writes nothing. */
static int store_set_wal(struct store *s)
{
    char mode[32] = "";
    int rc = store_journal_mode(s, "PRAGMA journal_mode", mode, sizeof(mode));
    if (rc == SQLITE_OK && s->empty_file && strcasecmp(mode, "wal") != 0) {
        rc = store_journal_mode(s, "PRAGMA journal_mode = MEMORY", mode, sizeof(mode));
        mode[0] = '\0';
        /* A new file gets incremental auto-vacuum before its first page is
         * written (the WAL switch writes page 1; later only a VACUUM can
         * change the mode): `tlsaudit prune` then gives the pages it frees
         * back with PRAGMA incremental_vacuum in its transaction
         * (store/prune.c). */
        if (rc == SQLITE_OK) {
            rc = sqlite3_exec(s->db, "PRAGMA auto_vacuum = INCREMENTAL", NULL, NULL, NULL);
        }
    }
    for (int waited = 0; rc == SQLITE_OK && strcasecmp(mode, "wal") != 0;) {
        rc = store_journal_mode(s, "PRAGMA journal_mode = WAL", mode, sizeof(mode));
        if ((rc & 0xff) == SQLITE_BUSY && waited < STORE_BUSY_TIMEOUT_MS) {
            waited += sqlite3_sleep(STORE_WAL_RETRY_MS);
            rc = SQLITE_OK;
            mode[0] = '\0';
            continue;
        }
        break;
    }
    if (rc != SQLITE_OK) {
        store_fail(s, "cannot switch %s to WAL mode: %s", s->path, sqlite3_errmsg(s->db));
        return -1;
    }
    const char *file = sqlite3_db_filename(s->db, "main");
    bool in_memory = file == NULL || file[0] == '\0';
    if (!in_memory && strcasecmp(mode, "wal") != 0) {
        store_fail(s, "cannot switch %s to WAL mode: journal mode stays \"%s\"", s->path, mode);
        return -1;
    }
    return 0;
}

/* A growing list of scan ids. */
struct store_ids {
    int64_t *ids;
    size_t n;
    size_t cap;
};

/* store_ids_push appends id. Returns 0, or -1 when out of memory. */
static int store_ids_push(struct store_ids *l, int64_t id)
{
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 8;
        int64_t *n = realloc(l->ids, ncap * sizeof(*n));
        if (n == NULL) {
            return -1;
        }
        l->ids = n;
        l->cap = ncap;
    }
    l->ids[l->n++] = id;
    return 0;
}

/* store_find_abandoned lists in *dead the scans still "running" that were
 * started on this host by a process that no longer exists. A scan on
 * another host, or whose process lives (or cannot be signalled: EPERM),
 * is left out. Returns 0, or -1 (error recorded). */
static int store_find_abandoned(struct store *s, struct store_ids *dead)
{
    int ret = -1;
    struct binder b;
    int rc;

    sqlite3_stmt *st = store_stmt(s, ST_RUNNING_SCANS);
    if (st == NULL) {
        return -1;
    }
    binder_start(&b, st);
    bind_text(&b, s->hostname[0] ? s->hostname : NULL); /* as store_scan_begin stores it */
    if (b.rc != SQLITE_OK) {
        store_fail(s, "finding unfinished scans: %s", sqlite3_errstr(b.rc));
        goto out;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t pid = (int64_t)sqlite3_column_int64(st, 1);
        if (pid <= 0 || pid > INT_MAX) {
            continue; /* kill(0 or -n) would signal process groups */
        }
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) {
            continue;
        }
        if (store_ids_push(dead, (int64_t)sqlite3_column_int64(st, 0)) != 0) {
            store_fail(s, "finding unfinished scans: out of memory");
            goto out;
        }
    }
    if (rc != SQLITE_DONE) {
        store_sql_err(s, "finding unfinished scans");
        goto out;
    }
    ret = 0;
out:
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return ret;
}

/* store_mark_incomplete marks the scans of dead "incomplete", with a note
 * naming this host and process, in one transaction. Returns 0 or -1. */
static int store_mark_incomplete(struct store *s, const struct store_ids *dead)
{
    struct binder b;
    char note[512];

    if (store_exec(s, "BEGIN IMMEDIATE", "marking unfinished scans") != 0) {
        return -1;
    }
    sqlite3_stmt *st = store_stmt(s, ST_MARK_INCOMPLETE);
    if (st == NULL) {
        goto fail;
    }
    snprintf(note, sizeof(note),
             "the process that ran this scan on %s ended before the scan finished; "
             "marked incomplete by pid %ld",
             s->hostname[0] ? s->hostname : "this host", (long)getpid());
    for (size_t i = 0; i < dead->n; i++) {
        binder_start(&b, st);
        bind_text(&b, note);
        bind_int64(&b, dead->ids[i]);
        if (store_run(s, &b, "marking an unfinished scan incomplete") != 0) {
            goto fail;
        }
    }
    if (store_exec(s, "COMMIT", "marking unfinished scans") != 0) {
        goto fail;
    }
    return 0;
fail:
    store_rollback(s);
    return -1;
}

/* store_mark_abandoned marks "incomplete" every scan still "running" that
 * was started on this host by a process that no longer exists
 * (store_find_abandoned). Returns 0 or -1 (error recorded). */
static int store_mark_abandoned(struct store *s)
{
    struct store_ids dead = {0};
    int ret = store_find_abandoned(s, &dead);
    if (ret == 0 && dead.n > 0) {
        ret = store_mark_incomplete(s, &dead);
    }
    free(dead.ids);
    return ret;
}

/* store_alloc makes the handle of a store about to be opened at path.
 * Returns it, or NULL with the reason in err ("no database file name
 * given", out of memory). */
static struct store *store_alloc(const char *path, char *err, size_t err_len)
{
    const char *why = NULL;
    struct store *s = NULL;
    if (path == NULL || path[0] == '\0') {
        why = "no database file name given";
    } else if ((s = calloc(1, sizeof(*s))) == NULL || (s->path = strdup(path)) == NULL) {
        why = "opening database: out of memory";
        free(s);
        s = NULL;
    }
    if (err != NULL && err_len > 0) {
        snprintf(err, err_len, "%s", why != NULL ? why : "");
    }
    return s;
}

/* store_open_end finishes an open: on ret 0 hands s to *out_store, else
 * copies its error into err and closes it. Returns ret. */
static int store_open_end(struct store *s, int ret, struct store **out_store, char *err,
                          size_t err_len)
{
    if (ret != 0) {
        if (err != NULL && err_len > 0) {
            snprintf(err, err_len, "%s", s->err);
        }
        store_close(s);
        return -1;
    }
    *out_store = s;
    return 0;
}

/* store_configure sets what every connection of ours has: extended
 * result codes, the busy timeout, defensive mode, no trusted schema,
 * foreign keys. Returns 0 or -1 (error recorded). */
static int store_configure(struct store *s)
{
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
    /* The file may come from anywhere: no schema tricks, no functions run
     * from its schema. */
    (void)sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
    (void)sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
    return store_exec(s, "PRAGMA foreign_keys = ON", "enabling foreign keys");
}

int store_open_check(const char *path, struct store **out_store, char *err, size_t err_len)
{
    int ret = -1;
    int64_t version = 0;

    *out_store = NULL;
    struct store *s = store_alloc(path, err, err_len);
    if (s == NULL) {
        return -1;
    }
    if (gethostname(s->hostname, sizeof(s->hostname)) != 0) {
        s->hostname[0] = '\0';
    }
    s->hostname[sizeof(s->hostname) - 1] = '\0';

    int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        int sys = s->db ? sqlite3_system_errno(s->db) : 0;
        char ebuf[128] = "";
        store_fail(s, "cannot open database %s: %s%s%s%s", path,
                   s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc), sys ? " (" : "",
                   sys ? strerror_r(sys, ebuf, sizeof(ebuf)) : "", sys ? ")" : "");
        goto out;
    }
    if (sqlite3_db_readonly(s->db, "main") == 1) {
        store_fail(s, "cannot write database %s: the file is read-only", path);
        goto out;
    }
    if (store_configure(s) != 0 || store_check_identity(s, &version) != 0) {
        goto out;
    }
    s->checked_version = version;
    ret = 0;
out:
    return store_open_end(s, ret, out_store, err, err_len);
}

/* store_uri writes "file:PATH?PARAMS" into buf with every byte of path
 * but [A-Za-z0-9._~-] percent-encoded (so '?', '#', '%' and a leading
 * "//" in a file name mean nothing to SQLite's URI parser). Returns 0, or
 * -1 when it does not fit. */
static int store_uri(const char *path, const char *params, char *buf, size_t buf_len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    int n = snprintf(buf, buf_len, "file:");
    if (n < 0 || (size_t)n >= buf_len) {
        return -1;
    }
    o = (size_t)n;
    for (const unsigned char *p = (const unsigned char *)path; *p != '\0'; p++) {
        bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                     (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '~' || *p == '-';
        if (o + 4 >= buf_len) {
            return -1;
        }
        if (plain) {
            buf[o++] = (char)*p;
        } else {
            buf[o++] = '%';
            buf[o++] = hex[*p >> 4];
            buf[o++] = hex[*p & 0xf];
        }
    }
    n = snprintf(buf + o, buf_len - o, "?%s", params);
    return n < 0 || (size_t)n >= buf_len - o ? -1 : 0;
}

/* store_ro_connect opens s->path with URI params ("mode=rw" opens it
 * read-write but query_only, "mode=ro..." read-only) and reads its
 * identity (store_check_identity). Returns 0, or the SQLite result code
 * (error recorded). */
static int store_ro_connect(struct store *s, const char *params, int64_t *out_version)
{
    bool rw = strncmp(params, "mode=rw", 7) == 0;
    char uri[PATH_MAX * 3 + 64];
    if (store_uri(s->path, params, uri, sizeof(uri)) != 0) {
        store_fail(s, "cannot open database %s: the name is too long", s->path);
        return SQLITE_CANTOPEN;
    }
    sqlite3_close(s->db);
    s->db = NULL;
    int rc = sqlite3_open_v2(
        uri, &s->db, (rw ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY) | SQLITE_OPEN_URI, NULL);
    if (rc != SQLITE_OK) {
        store_fail(s, "cannot open database %s: %s", s->path,
                   s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        return rc;
    }
    if (store_configure(s) != 0 ||
        (rw && store_exec(s, "PRAGMA query_only = 1", "opening read-only") != 0)) {
        return sqlite3_extended_errcode(s->db);
    }
    /* The first read is where a WAL file's missing -shm shows (CANTOPEN);
     * store_check_identity words the other failures. */
    int64_t n_objects = 0;
    rc = store_pragma_int(s, "SELECT count(*) FROM sqlite_master", &n_objects);
    if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_NOTADB) {
        store_fail(s, "cannot read database %s: %s", s->path, sqlite3_errmsg(s->db));
        return rc;
    }
    if (store_check_identity(s, out_version) != 0) {
        rc = sqlite3_extended_errcode(s->db);
        return rc != SQLITE_OK ? rc : SQLITE_ERROR;
    }
    return SQLITE_OK;
}

/* store_ro_upgrade gives a read-only handle on a file of an older schema
 * (or an empty file) the current one without writing the file: the file
 * is copied into an in-memory database (SQLite's backup API), migrated
 * there, and that copy, made query_only, is what s reads from then on. */
static int store_ro_upgrade(struct store *s, int64_t version)
{
    sqlite3 *mem = NULL;
    int rc = sqlite3_open_v2(":memory:", &mem, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_backup *b = sqlite3_backup_init(mem, "main", s->db, "main");
        if (b == NULL) {
            rc = sqlite3_errcode(mem);
        } else {
            rc = sqlite3_backup_step(b, -1);
            int frc = sqlite3_backup_finish(b);
            rc = rc == SQLITE_DONE ? frc : rc;
        }
    }
    if (rc != SQLITE_OK) {
        store_fail(s, "cannot read database %s (schema version %lld) into memory: %s", s->path,
                   (long long)version, mem ? sqlite3_errmsg(mem) : sqlite3_errstr(rc));
        sqlite3_close(mem);
        return -1;
    }
    sqlite3_close(s->db);
    s->db = mem;
    if (store_configure(s) != 0 || store_migrate(s, version) != 0) {
        store_prefix_err(s,
                         "%s has schema version %lld, older than this tlsaudit reads (%d), and "
                         "cannot be read without migrating it",
                         s->path, (long long)version, STORE_SCHEMA_VERSION);
        return -1;
    }
    return store_exec(s, "PRAGMA query_only = 1", "opening read-only");
}

int store_open_readonly(const char *path, struct store **out_store, char *err, size_t err_len)
{
    int ret = -1;
    int64_t version = 0;

    *out_store = NULL;
    struct store *s = store_alloc(path, err, err_len);
    if (s == NULL) {
        return -1;
    }
    s->read_only = true;
    char wal[PATH_MAX];
    struct stat st;
    int n = snprintf(wal, sizeof(wal), "%s-wal", path);
    bool wal_ok = n > 0 && (size_t)n < sizeof(wal);
    bool wal_empty = wal_ok && (stat(wal, &st) != 0 ? errno == ENOENT : st.st_size == 0);
    char dir[PATH_MAX];
    util_copy(dir, sizeof(dir), path);
    char *slash = strrchr(dir, '/');
    if (slash == NULL) {
        util_copy(dir, sizeof(dir), ".");
    } else {
        slash[slash == dir ? 1 : 0] = '\0';
    }
    /* Where the file and its directory may be written, it is opened as any
     * reader of the live database would be, with SQLite's locking (a scan
     * writing it meanwhile is read consistently), but query_only: for a
     * WAL file SQLite makes the -wal and -shm files next to it and, as the
     * last connection, removes them again on close (checkpointing nothing
     * when the -wal was empty; when it held commits, checkpoint-on-close is
     * off, so not even they move into the database file). Elsewhere
     * (mode=ro) it can only read. Either way the database's bytes stay. */
    bool writable = access(path, W_OK) == 0 && access(dir, W_OK) == 0;
    int rc = store_ro_connect(s, writable ? "mode=rw" : "mode=ro", &version);
    if (rc == SQLITE_OK && writable && !wal_empty) {
        (void)sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)NULL);
    }
    if ((rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_READONLY) {
        /* A WAL file in a place where the -shm file cannot be created (a
         * read-only directory or mount). If the -wal file is absent or
         * empty, the database file holds every commit and, in a place
         * nobody can write through, cannot change: SQLite may read it as
         * immutable (no locks, no -shm). A -wal holding commits would be
         * ignored that way, so it is an error instead. */
        if (!wal_empty) {
            store_fail(s,
                       "cannot read database %s: its write-ahead log %s-wal holds commits "
                       "not yet in the database file, and SQLite cannot create the shared "
                       "memory file %s-shm it needs to read them here (read-only "
                       "location); copy the database and its -wal file to a writable "
                       "directory",
                       path, path, path);
            goto out;
        }
        rc = store_ro_connect(s, "mode=ro&immutable=1", &version);
    }
    if (rc != SQLITE_OK) {
        goto out;
    }
    s->checked_version = version;
    if (version < STORE_SCHEMA_VERSION && store_ro_upgrade(s, version) != 0) {
        goto out;
    }
    ret = 0;
out:
    return store_open_end(s, ret, out_store, err, err_len);
}

int store_prepare(struct store *s)
{
    if (s->read_only) {
        store_fail(s, "%s was opened read-only", s->path);
        return -1;
    }
    /* From here on the file is ours (or new) and may be written. */
    if (store_set_wal(s) != 0) {
        return -1;
    }
    /* A brand-new file's migration commit holds no scan data, so it need
     * not be durable at once: under synchronous NORMAL the WAL keeps it
     * atomic (a commit frame whose checksums fail is dropped at recovery),
     * and a crash before the next sync leaves the valid empty database of
     * store_set_wal, which the next run migrates again. The first commit
     * of scan data (synchronous FULL again) syncs the WAL and with it the
     * migration frames before it. Saves the commit's sync (SQLite still
     * syncs the new WAL's header once). */
    char ctx[256];
    snprintf(ctx, sizeof(ctx), "opening %s", s->path);
    int64_t sync_level = 0;
    bool relaxed = s->empty_file &&
                   store_pragma_int(s, "PRAGMA synchronous", &sync_level) == SQLITE_OK &&
                   sync_level == 2; /* FULL, the default, is what is put back */
    if (relaxed && store_exec(s, "PRAGMA synchronous = NORMAL", ctx) != 0) {
        return -1;
    }
    int mrc = store_migrate(s, s->checked_version);
    if (relaxed && store_exec(s, "PRAGMA synchronous = FULL", ctx) != 0) {
        return -1;
    }
    if (mrc != 0) {
        return -1;
    }
    if (store_mark_abandoned(s) != 0) {
        store_prefix_err(s, "%s", s->path);
        return -1;
    }
    return 0;
}

int store_open(const char *path, struct store **out_store, char *err, size_t err_len)
{
    struct store *s = NULL;
    if (store_open_check(path, &s, err, err_len) != 0) {
        *out_store = NULL;
        return -1;
    }
    if (store_prepare(s) != 0) {
        if (err != NULL && err_len > 0) {
            snprintf(err, err_len, "%s", s->err);
        }
        store_close(s);
        *out_store = NULL;
        return -1;
    }
    *out_store = s;
    return 0;
}
