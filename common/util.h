/*
 * common/util.h - small libc-only helpers: bounded string copies, strict
 * number parsing, time stamps and their text form.
 */
#ifndef TLSAUDIT_COMMON_UTIL_H
#define TLSAUDIT_COMMON_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* util_copy copies src into dst (of dst_size bytes, > 0), truncating, and
 * always NUL-terminates. Returns true when nothing was cut. */
bool util_copy(char *dst, size_t dst_size, const char *src);

/* util_parse_ulong parses all of s as a decimal number in [min, max].
 * Returns true and *out, or false (no sign, no spaces, no trailing bytes). */
bool util_parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out);

/* util_now_ms returns the wall-clock time in Unix milliseconds. */
int64_t util_now_ms(void);

/* util_mono_ms returns CLOCK_MONOTONIC in milliseconds: the clock of every
 * deadline (scanner/net/, scanner/handshake.c, scanner/scan.c). */
int64_t util_mono_ms(void);

/* util_iso_time writes ms (Unix milliseconds) as "2026-11-27T16:12:00Z"
 * into buf (at least 32 bytes). Returns buf. */
char *util_iso_time(int64_t ms, char *buf, size_t buf_size);

/* util_iso_date writes Unix seconds as "2026-11-27" into buf (>= 16 bytes). */
char *util_iso_date(int64_t secs, char *buf, size_t buf_size);

/* util_open_tmp creates and opens for writing a new file "PATH.tmp-XXXXXX"
 * next to path (mode 0666 less the umask), its name in tmp, so a report can
 * be written completely and then renamed over path. Returns NULL with errno
 * set (ENAMETOOLONG when the name does not fit in tmp_len). */
FILE *util_open_tmp(const char *path, char *tmp, size_t tmp_len);

/* util_copy_back copies what in holds, from its start (after flushing
 * it), to out: a part of a report written to a temporary file first.
 * Returns 0, or -1 (a read or write error). */
int util_copy_back(FILE *out, FILE *in);

#endif
