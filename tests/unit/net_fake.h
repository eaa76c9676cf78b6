/*
 * tests/unit/net_fake.h - test doubles for scanner/net/: a fake pre-TLS
 * dialogue (send "STARTTLS\r\n", READY on "OK\r\n", FAILED on any other
 * line or on bytes after it) and a local server in a forked child that
 * demands that dialogue before it reads what follows.
 */
#ifndef TLSAUDIT_TESTS_NET_FAKE_H
#define TLSAUDIT_TESTS_NET_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "scanner/net/dialogue.h"

extern const struct net_dialogue net_fake_dialogue;

/* A listening socket on 127.0.0.1 (aborts the test on failure). */
int net_fake_listen(uint16_t *port);

enum net_fake_mode {
    FAKE_STARTTLS_OK, /* "STARTTLS\r\n" -> "OK\r\n", then read what follows */
    FAKE_STARTTLS_NO, /* "STARTTLS\r\n" -> "NO\r\n", then read what follows */
    /* The first connection gets "O" (half a reply) and a reset; the second
     * is served as FAKE_STARTTLS_OK. */
    FAKE_STARTTLS_RESET_FIRST,
};

/* net_fake_server serves one connection on lfd in a forked child, then
 * writes to the pipe *out_report (the parent's end) one line: "line=<the
 * first line it got, escaped> after=<bytes received after it> first=<hex of
 * up to 6 of them>". In FAKE_STARTTLS_OK mode, after reading reply_after
 * bytes it sends reply (may be NULL) and closes. Returns the child's pid. */
pid_t net_fake_server(int lfd, enum net_fake_mode mode, size_t reply_after, const char *reply,
                      int *out_report);

/* net_fake_allow_fds sets RLIMIT_NOFILE so that exactly n more descriptors
 * can be opened. */
void net_fake_allow_fds(int n);

/* net_fake_read_exact reads exactly n bytes from fd into buf (n + 1 bytes:
 * NUL-terminated); false on a close or an error first. */
bool net_fake_read_exact(int fd, char *buf, size_t n);

/* net_fake_report reads the child's report into buf and reaps it. */
void net_fake_report(pid_t pid, int fd, char *buf, size_t size);

#endif
