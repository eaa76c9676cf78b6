/*
 * common/util.c - libc-only helpers (see util.h).
 */
#include "common/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

bool util_copy(char *dst, size_t dst_size, const char *src)
{
    size_t n = strlen(src);
    bool whole = n < dst_size;
    if (!whole) {
        n = dst_size - 1;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
    return whole;
}

bool util_parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
    if (s == NULL || *s < '0' || *s > '9') {
        return false;
    }
    errno = 0;
    char *end = NULL;
    unsigned long v = strtoul(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
        return false;
    }
    *out = v;
    return true;
}

int64_t util_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t util_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *util_iso_time(int64_t ms, char *buf, size_t buf_size)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL || strftime(buf, buf_size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        util_copy(buf, buf_size, "?");
    }
    return buf;
}

char *util_iso_date(int64_t secs, char *buf, size_t buf_size)
{
    time_t t = (time_t)secs;
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL || strftime(buf, buf_size, "%Y-%m-%d", &tm) == 0) {
        util_copy(buf, buf_size, "?");
    }
    return buf;
}

FILE *util_open_tmp(const char *path, char *tmp, size_t tmp_len)
{
    int n = snprintf(tmp, tmp_len, "%s.tmp-XXXXXX", path);
    if (n < 0 || (size_t)n >= tmp_len) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        return NULL;
    }
    mode_t mask = umask(0);
    umask(mask);
    FILE *f = NULL;
    if (fchmod(fd, 0666 & ~mask) != 0 || (f = fdopen(fd, "w")) == NULL) {
        int e = errno;
        close(fd);
        unlink(tmp);
        errno = e;
    }
    return f;
}

int util_copy_back(FILE *out, FILE *in)
{
    char buf[65536];
    size_t n;
    if (fflush(in) != 0 || ferror(in) || fseek(in, 0, SEEK_SET) != 0) {
        return -1;
    }
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
        if (fwrite(buf, 1, n, out) != n) {
            return -1;
        }
    }
    return ferror(in) ? -1 : 0;
}
