/*
 * common/infile.c - whole-file reads of user-named inputs (see infile.h).
 *
 * The open uses O_NONBLOCK so that a FIFO without a writer cannot hold the
 * program in open(); the file type is checked on the descriptor (no race
 * with a rename between a stat and the open). The cap is checked against
 * the size before reading and again while reading, since a file may grow.
 */
#include "common/infile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* infile_slurp reads fd to its end into a buffer of initial capacity cap0. */
static char *infile_slurp(int fd, const char *name, size_t max_len, size_t cap0, size_t *out_len,
                          char *err, size_t err_len)
{
    size_t cap = cap0 > 0 ? cap0 : 4096;
    size_t len = 0;
    char *buf = malloc(cap + 1);
    if (buf == NULL) {
        snprintf(err, err_len, "%s: out of memory", name);
        return NULL;
    }
    for (;;) {
        if (len == cap) {
            if (cap > max_len) {
                snprintf(err, err_len,
                         "%s: too large (more than %zu bytes): expected at most %zu bytes", name,
                         max_len, max_len);
                goto fail;
            }
            size_t ncap = cap * 2 > max_len + 1 ? max_len + 1 : cap * 2;
            char *n = realloc(buf, ncap + 1);
            if (n == NULL) {
                snprintf(err, err_len, "%s: out of memory", name);
                goto fail;
            }
            buf = n;
            cap = ncap;
        }
        ssize_t got = read(fd, buf + len, cap - len);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            snprintf(err, err_len, "%s: read error: %s", name, strerror(errno));
            goto fail;
        }
        if (got == 0) {
            break;
        }
        len += (size_t)got;
    }
    if (len > max_len) {
        snprintf(err, err_len, "%s: too large (more than %zu bytes): expected at most %zu bytes",
                 name, max_len, max_len);
        goto fail;
    }
    buf[len] = '\0';
    *out_len = len;
    return buf;
fail:
    free(buf);
    return NULL;
}

char *infile_read_fd(int fd, const char *name, size_t max_len, size_t *out_len, char *err,
                     size_t err_len)
{
    return infile_slurp(fd, name, max_len, 0, out_len, err, err_len);
}

char *infile_read(const char *path, const char *what, size_t max_len, size_t *out_len, char *err,
                  size_t err_len)
{
    char *buf = NULL;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, err_len, "%s: cannot open%s%s: %s", path, what != NULL ? " " : "",
                 what != NULL ? what : "", strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(err, err_len, "%s: read error: %s", path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, err_len, "%s: not a regular file", path);
        goto out;
    }
    if (st.st_size < 0 || (unsigned long long)st.st_size > max_len) {
        snprintf(err, err_len, "%s: too large (%lld bytes): expected at most %zu bytes", path,
                 (long long)st.st_size, max_len);
        goto out;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
        snprintf(err, err_len, "%s: read error: %s", path, strerror(errno));
        goto out;
    }
    /* one byte more than the size, so a file that grew is seen at once */
    buf = infile_slurp(fd, path, max_len, (size_t)st.st_size + 1, out_len, err, err_len);
out:
    close(fd);
    return buf;
}
