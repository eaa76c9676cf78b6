/*
 * cli/output.c - a command's output to stdout or -o FILE, checked once
 * (output.h).
 *
 * A -o FILE that exists and is not a regular file (a device such as
 * /dev/null or /dev/full, a FIFO, /dev/stdout) is written in place: a
 * temporary file renamed over it would replace the device node, and there
 * is no old content to keep.
 */
#include "cli/output.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/util.h"

/* Set once cli_out_commit has reported a failure on stdout. */
static bool stdout_reported;

void cli_out_init(struct cli_out *o)
{
    o->f = stdout;
    o->path = NULL;
    o->tmp[0] = '\0';
}

int cli_out_open(struct cli_out *o, const char *path)
{
    cli_out_init(o);
    if (path == NULL) {
        return 0;
    }
    struct stat st;
    FILE *f = NULL;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        f = fopen(path, "w");
    } else {
        f = util_open_tmp(path, o->tmp, sizeof(o->tmp));
        if (f == NULL) {
            o->tmp[0] = '\0';
        }
    }
    if (f == NULL) {
        return -1;
    }
    o->f = f;
    o->path = path;
    return 0;
}

const char *cli_out_name(const struct cli_out *o)
{
    return o->path != NULL ? o->path : "stdout";
}

/* flush_error checks f after its last write: 0, or -1 with the reason. */
static int flush_error(FILE *f, char *err, size_t err_len)
{
    errno = 0;
    if (fflush(f) != 0) {
        snprintf(err, err_len, "%s", strerror(errno ? errno : EIO));
        return -1;
    }
    if (ferror(f)) {
        /* An earlier write failed; its errno is gone (cli/main.c buffers
         * stdout in 64 KiB so that shorter output keeps its reason). */
        snprintf(err, err_len, "an earlier write failed (the system's reason was not kept)");
        return -1;
    }
    return 0;
}

/* reason_again: after a write to -o FILE failed with its errno lost (a
 * later write or flush that succeeded overwrote it; which one fails depends
 * only on the output's size and the stdio buffer), ask the system once more
 * with a one-byte write to the same descriptor: the file is a temporary one
 * that is unlinked on failure, or a device written in place (/dev/full),
 * so the byte changes nothing anyone keeps. Never used on stdout. */
static void reason_again(FILE *f, char *err, size_t err_len)
{
    errno = 0;
    if (write(fileno(f), "\n", 1) < 0 && errno != 0) {
        snprintf(err, err_len, "%s", strerror(errno));
    }
}

int cli_out_commit(struct cli_out *o, char *err, size_t err_len)
{
    if (o->f == NULL) {
        return 0;
    }
    if (o->f == stdout) {
        if (flush_error(stdout, err, err_len) != 0) {
            stdout_reported = true;
            return -1;
        }
        return 0;
    }
    FILE *f = o->f;
    o->f = NULL;
    bool lost = ferror(f) != 0;
    int ret = flush_error(f, err, err_len);
    if (ret != 0 && lost) {
        reason_again(f, err, err_len);
    }
    if (ret == 0 && o->tmp[0] != '\0' && fsync(fileno(f)) != 0) {
        snprintf(err, err_len, "%s", strerror(errno));
        ret = -1;
    }
    errno = 0;
    if (fclose(f) != 0 && ret == 0) {
        snprintf(err, err_len, "%s", strerror(errno ? errno : EIO));
        ret = -1;
    }
    if (o->tmp[0] != '\0') {
        if (ret == 0 && rename(o->tmp, o->path) != 0) {
            snprintf(err, err_len, "%s", strerror(errno));
            ret = -1;
        }
        if (ret != 0) {
            unlink(o->tmp);
        }
        o->tmp[0] = '\0';
    }
    return ret;
}

bool cli_out_write_failed(struct cli_out *o, int saved_errno, char *err, size_t err_len)
{
    if (o->f == NULL) {
        return false;
    }
    bool had_error = ferror(o->f) != 0;
    if (flush_error(o->f, err, err_len) == 0) {
        return false;
    }
    if (had_error && saved_errno != 0) {
        snprintf(err, err_len, "%s", strerror(saved_errno));
    } else if (had_error && o->f != stdout) {
        reason_again(o->f, err, err_len);
    }
    if (o->f == stdout) {
        stdout_reported = true;
    }
    return true;
}

void cli_out_discard(struct cli_out *o)
{
    if (o->f == NULL || o->f == stdout) {
        return;
    }
    fclose(o->f);
    o->f = NULL;
    if (o->tmp[0] != '\0') {
        unlink(o->tmp);
        o->tmp[0] = '\0';
    }
}

int cli_stdout_finish(int rc)
{
    char err[256];
    bool failed = flush_error(stdout, err, sizeof(err)) != 0;
    errno = 0;
    /* A closed stdout (EBADF) that nothing was written to is no loss. */
    if (fclose(stdout) != 0 && !failed && errno != EBADF) {
        snprintf(err, sizeof(err), "%s", strerror(errno ? errno : EIO));
        failed = true;
    }
    if (!failed) {
        return rc;
    }
    if (!stdout_reported) {
        fprintf(stderr, "tlsaudit: writing to stdout: %s\n", err);
    }
    return EXIT_USAGE;
}
