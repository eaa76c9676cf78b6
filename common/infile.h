/*
 * common/infile.h - reading a whole input file a user named (a policy, a
 * targets file, a --ca-file) into memory, safely: only a regular file (a
 * FIFO, a device or a directory is refused at once, without blocking on
 * the open), and never more than a cap.
 */
#ifndef TLSAUDIT_COMMON_INFILE_H
#define TLSAUDIT_COMMON_INFILE_H

#include <stddef.h>

/* infile_read reads all of the regular file path, at most max_len bytes,
 * into a new buffer with a NUL after the last byte (which may hold NUL
 * bytes of its own: *out_len is the count). The caller frees it. On
 * failure returns NULL and an error starting with path in err:
 *   "PATH: cannot open WHAT: <strerror>"   (WHAT and its space left out when NULL)
 *   "PATH: not a regular file"
 *   "PATH: too large (N bytes): expected at most MAX bytes"
 *   "PATH: read error: <strerror>" / "PATH: out of memory" */
char *infile_read(const char *path, const char *what, size_t max_len, size_t *out_len, char *err,
                  size_t err_len);

/* infile_read_fd is infile_read for an open descriptor of any type (the
 * standard input "-" may well be a pipe), named name in errors. It reads
 * until end of file or until more than max_len bytes came, which is the
 * "too large" error. The descriptor stays open. */
char *infile_read_fd(int fd, const char *name, size_t max_len, size_t *out_len, char *err,
                     size_t err_len);

#endif
