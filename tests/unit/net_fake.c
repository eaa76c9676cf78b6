/*
 * tests/unit/net_fake.c - the fake dialogue and its server (net_fake.h).
 */
#include "tests/unit/net_fake.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

struct fake_ctx {
    char line[64];
    size_t len;
};

static enum net_dialogue_step fake_start(void *ctx, const void *arg, struct wbuf *out, char *why,
                                         size_t why_len)
{
    (void)ctx;
    (void)arg;
    (void)why;
    (void)why_len;
    static const char cmd[] = "STARTTLS\r\n";
    (void)wbuf_put_bytes(out, (const uint8_t *)cmd, sizeof(cmd) - 1);
    return NET_DIALOGUE_MORE;
}

static enum net_dialogue_step fake_on_bytes(void *ctx, const void *arg, const uint8_t *in,
                                            size_t len, struct wbuf *out, char *why, size_t why_len)
{
    struct fake_ctx *c = ctx;
    (void)arg;
    (void)out;
    for (size_t i = 0; i < len; i++) {
        if (c->len + 1 >= sizeof(c->line)) {
            snprintf(why, why_len, "reply line too long");
            return NET_DIALOGUE_FAILED;
        }
        c->line[c->len++] = (char)in[i];
        c->line[c->len] = '\0';
        if (c->len >= 2 && c->line[c->len - 2] == '\r' && c->line[c->len - 1] == '\n') {
            if (i + 1 != len) {
                snprintf(why, why_len, "%zu bytes after the reply", len - i - 1);
                return NET_DIALOGUE_FAILED;
            }
            if (strcmp(c->line, "OK\r\n") == 0) {
                return NET_DIALOGUE_READY;
            }
            c->line[c->len - 2] = '\0';
            snprintf(why, why_len, "server said \"%s\"", c->line);
            return NET_DIALOGUE_FAILED;
        }
    }
    return NET_DIALOGUE_MORE;
}

static const struct net_dialogue_ops fake_ops = {
    .name = "fake",
    .ctx_size = sizeof(struct fake_ctx),
    .start = fake_start,
    .on_bytes = fake_on_bytes,
};

const struct net_dialogue net_fake_dialogue = {.ops = &fake_ops, .arg = NULL};

int net_fake_listen(uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    ck_assert_int_eq(listen(fd, 128), 0);
    socklen_t len = sizeof(a);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

/* Reads one line (up to \n) from c into buf. */
static void read_line(int c, char *buf, size_t size)
{
    size_t n = 0;
    while (n + 1 < size) {
        char ch;
        if (read(c, &ch, 1) != 1) {
            break;
        }
        buf[n++] = ch;
        if (ch == '\n') {
            break;
        }
    }
    buf[n] = '\0';
}

static void serve_one(int lfd, enum net_fake_mode mode, size_t reply_after, const char *reply,
                      int report)
{
    int c = accept(lfd, NULL, NULL);
    if (c < 0) {
        _exit(1);
    }
    char line[64];
    if (mode == FAKE_STARTTLS_RESET_FIRST) {
        read_line(c, line, sizeof(line));
        (void)!write(c, "O", 1);
        (void)poll(NULL, 0, 200); /* let the client take the "O" before the reset */
        struct linger lg = {.l_onoff = 1, .l_linger = 0};
        (void)setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
        close(c);
        mode = FAKE_STARTTLS_OK;
        c = accept(lfd, NULL, NULL);
        if (c < 0) {
            _exit(1);
        }
    }
    read_line(c, line, sizeof(line));
    bool ok = strcmp(line, "STARTTLS\r\n") == 0;
    const char *answer = ok && mode == FAKE_STARTTLS_OK ? "OK\r\n" : "NO\r\n";
    (void)!write(c, answer, strlen(answer));
    uint8_t after[4096];
    size_t n_after = 0;
    for (;;) {
        if (mode == FAKE_STARTTLS_OK && reply_after > 0 && n_after >= reply_after) {
            break;
        }
        struct pollfd p = {.fd = c, .events = POLLIN};
        if (poll(&p, 1, 3000) <= 0) {
            break;
        }
        ssize_t r = read(c, after + n_after, sizeof(after) - n_after);
        if (r <= 0) {
            break;
        }
        n_after += (size_t)r;
    }
    if (reply != NULL && mode == FAKE_STARTTLS_OK) {
        (void)!write(c, reply, strlen(reply));
    }
    close(c);
    for (char *q = line; *q != '\0'; q++) {
        if (*q == '\r' || *q == '\n') {
            *q = '_';
        }
    }
    char text[256];
    int len = snprintf(text, sizeof(text), "line=%s after=%zu first=", line, n_after);
    for (size_t i = 0; i < n_after && i < 6 && len > 0 && (size_t)len + 3 < sizeof(text); i++) {
        len += snprintf(text + len, sizeof(text) - (size_t)len, "%02x", after[i]);
    }
    (void)!write(report, text, strlen(text));
}

pid_t net_fake_server(int lfd, enum net_fake_mode mode, size_t reply_after, const char *reply,
                      int *out_report)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
        alarm(30);
        signal(SIGPIPE, SIG_IGN); /* a client gone early must not kill the server */
        close(fds[0]);
        serve_one(lfd, mode, reply_after, reply, fds[1]);
        _exit(0);
    }
    close(fds[1]);
    *out_report = fds[0];
    return pid;
}

void net_fake_report(pid_t pid, int fd, char *buf, size_t size)
{
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, buf + n, size - 1 - n);
        if (r <= 0 || n + (size_t)r >= size - 1) {
            n += r > 0 ? (size_t)r : 0;
            break;
        }
        n += (size_t)r;
    }
    buf[n] = '\0';
    close(fd);
    (void)waitpid(pid, NULL, 0);
}

/* Sets RLIMIT_NOFILE so that exactly n more descriptors can be opened. */
void net_fake_allow_fds(int n)
{
    int fd = 0;
    for (int free_seen = 0;; fd++) {
        if (fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
            if (free_seen == n) {
                break;
            }
            free_seen++;
        }
    }
    struct rlimit rl;
    ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
    rl.rlim_cur = (rlim_t)fd;
    ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
}

/* Reads exactly n bytes from c into buf (NUL-terminated). */
bool net_fake_read_exact(int c, char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(c, buf + got, n - got);
        if (r <= 0) {
            return false;
        }
        got += (size_t)r;
    }
    buf[n] = '\0';
    return true;
}
