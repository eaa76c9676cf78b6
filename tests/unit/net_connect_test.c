/*
 * tests/unit/net_connect_test.c - unit tests for scanner/net/connect.c: the
 * one connect-with-deadline (a listener, a refusal, descriptors running
 * out: ours, not the target's), the blocking runner of a pre-TLS dialogue
 * over a socketpair, and a GnuTLS handshake (scanner/handshake.c) that runs
 * the fake dialogue before its first TLS byte, or sends none when the
 * dialogue fails. Listeners are on 127.0.0.1; each test runs in its own
 * process (Check's fork mode).
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/util.h"
#include "scanner/handshake.h"
#include "scanner/net/connect.h"
#include "tests/unit/net_fake.h"

static struct sockaddr_in local_addr(uint16_t port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

START_TEST(test_connect_ok)
{
    uint16_t port;
    int lfd = net_fake_listen(&port);
    struct sockaddr_in a = local_addr(port);
    struct net_error err;
    int fd = net_connect((const struct sockaddr *)&a, sizeof(a), util_mono_ms() + 5000, NULL, &err);
    ck_assert_msg(fd >= 0, "why: %s", err.why);
    ck_assert_int_ne(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
    ck_assert_int_ne(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
    close(fd);
    close(lfd);
}
END_TEST

START_TEST(test_connect_refused)
{
    uint16_t port;
    int lfd = net_fake_listen(&port);
    close(lfd); /* nothing listens there now */
    struct sockaddr_in a = local_addr(port);
    struct net_error err;
    int fd = net_connect((const struct sockaddr *)&a, sizeof(a), util_mono_ms() + 5000, NULL, &err);
    ck_assert_int_lt(fd, 0);
    ck_assert(!err.local);
    ck_assert_msg(strstr(err.why, "connect: ") != NULL, "why: %s", err.why);
}
END_TEST

START_TEST(test_connect_out_of_fds)
{
    uint16_t port;
    int lfd = net_fake_listen(&port);
    struct sockaddr_in a = local_addr(port);
    struct net_error err;
    net_fake_allow_fds(0);
    int fd = net_connect((const struct sockaddr *)&a, sizeof(a), util_mono_ms() + 200, NULL, &err);
    ck_assert_int_lt(fd, 0);
    ck_assert(err.local); /* ours, not the target's */
    ck_assert_msg(strstr(err.why, "socket: ") != NULL, "why: %s", err.why);
    close(lfd);
}
END_TEST

/* ---- the blocking dialogue runner over a socketpair ------------------------ */

/* Runs the fake dialogue on one end of a socketpair while this side plays
 * the server with answer; returns the runner's result, the command it got
 * in cmd. */
static int run_dialogue(const char *answer, char *cmd, size_t cmd_size, struct net_error *err)
{
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
    /* The answer is written before the runner starts: it must still send
     * its command first and read the answer after. */
    ck_assert_int_eq(write(sv[1], answer, strlen(answer)), (ssize_t)strlen(answer));
    int rc = net_dialogue_run(sv[0], &net_fake_dialogue, util_mono_ms() + 5000, NULL, err);
    ssize_t n = read(sv[1], cmd, cmd_size - 1);
    cmd[n > 0 ? n : 0] = '\0';
    close(sv[0]);
    close(sv[1]);
    return rc;
}

START_TEST(test_dialogue_ready)
{
    char cmd[64];
    struct net_error err;
    int rc = run_dialogue("OK\r\n", cmd, sizeof(cmd), &err);
    ck_assert_msg(rc == 0, "why: %s", err.why);
    ck_assert_str_eq(cmd, "STARTTLS\r\n");
}
END_TEST

START_TEST(test_dialogue_refused)
{
    char cmd[64];
    struct net_error err;
    int rc = run_dialogue("NO\r\n", cmd, sizeof(cmd), &err);
    ck_assert_int_eq(rc, -1);
    ck_assert(!err.reset && !err.timed_out && !err.local);
    ck_assert_msg(strcmp(err.why, "fake: server said \"NO\"") == 0, "why: %s", err.why);
}
END_TEST

START_TEST(test_dialogue_trailing_bytes)
{
    char cmd[64];
    struct net_error err;
    int rc = run_dialogue("OK\r\n\x16\x03\x01", cmd, sizeof(cmd), &err);
    ck_assert_int_eq(rc, -1);
    ck_assert_msg(strstr(err.why, "3 bytes after the reply") != NULL, "why: %s", err.why);
}
END_TEST

START_TEST(test_dialogue_closed)
{
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
    ck_assert_int_eq(shutdown(sv[1], SHUT_WR), 0);
    struct net_error err;
    int rc = net_dialogue_run(sv[0], &net_fake_dialogue, util_mono_ms() + 5000, NULL, &err);
    ck_assert_int_eq(rc, -1);
    ck_assert(err.reset);
    ck_assert_msg(strstr(err.why, "fake dialogue: closed by the server") != NULL, "why: %s",
                  err.why);
    close(sv[0]);
    close(sv[1]);
}
END_TEST

START_TEST(test_dialogue_timeout)
{
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
    struct net_error err;
    int rc = net_dialogue_run(sv[0], &net_fake_dialogue, util_mono_ms() + 200, NULL, &err);
    ck_assert_int_eq(rc, -1);
    ck_assert(err.timed_out);
    close(sv[0]);
    close(sv[1]);
}
END_TEST

/* ---- GnuTLS handshakes ------------------------------------------------------- */

/* The GnuTLS handshakes share the process's descriptors with the loop: one
 * that gets none within its timeout is a local error, never a refusal or
 * an unreachable target. */
START_TEST(test_handshake_out_of_fds)
{
    uint16_t port;
    int lfd = net_fake_listen(&port);
    ck_assert_int_eq(handshake_global_init(), 0);
    struct sockaddr_in a = local_addr(port);
    struct version_fact vf;
    net_fake_allow_fds(0);
    enum hs_result hr =
        handshake_probe((const struct sockaddr *)&a, sizeof(a), NULL, TLSV_TLS12, 300, &vf, NULL);
    ck_assert_int_eq(hr, HS_LOCAL_ERROR);
    ck_assert_int_ne(vf.state, PROBE_REFUSED);
    ck_assert_int_ne(vf.state, PROBE_ACCEPTED);
    ck_assert_msg(strstr(vf.reason, "no socket for the handshake") != NULL, "reason: %s",
                  vf.reason);
    handshake_global_deinit();
    close(lfd);
}
END_TEST

/* The handshake runs the dialogue, then sends its ClientHello: the server
 * sees "STARTTLS\r\n" and, after its "OK\r\n", a TLS handshake record
 * (0x16) holding a ClientHello (type 1 at byte 5). It then closes without
 * a byte: a refusal, as without a dialogue. */
START_TEST(test_handshake_dialogue)
{
    uint16_t port;
    int lfd = net_fake_listen(&port);
    int rep;
    pid_t pid = net_fake_server(lfd, FAKE_STARTTLS_OK, 6, NULL, &rep);
    close(lfd);
    ck_assert_int_eq(handshake_global_init(), 0);
    struct sockaddr_in a = local_addr(port);
    struct version_fact vf;
    struct hs_options opt = {.sni = NULL, .dialogue = &net_fake_dialogue};
    enum hs_result hr =
        handshake_probe((const struct sockaddr *)&a, sizeof(a), &opt, TLSV_TLS12, 5000, &vf, NULL);
    char report[256];
    net_fake_report(pid, rep, report, sizeof(report));
    ck_assert_int_eq(hr, HS_DONE);
    ck_assert_msg(strncmp(report, "line=STARTTLS__ after=", 22) == 0, "server: %s", report);
    ck_assert_msg(strstr(report, " first=1603") != NULL, "server: %s", report);
    ck_assert_msg(strlen(report) >= 12 && strcmp(report + strlen(report) - 2, "01") == 0,
                  "server: %s", report);
    ck_assert_msg(vf.state == PROBE_REFUSED, "%s: %s", probe_state_name(vf.state), vf.reason);
    handshake_global_deinit();
}
END_TEST

/* A dialogue the server refuses: no TLS byte is sent, the version is
 * inconclusive (nothing was asked of TLS) and the reason says why. */
START_TEST(test_handshake_dialogue_refused)
{
    uint16_t port;
    int lfd = net_fake_listen(&port);
    int rep;
    pid_t pid = net_fake_server(lfd, FAKE_STARTTLS_NO, 0, NULL, &rep);
    close(lfd);
    ck_assert_int_eq(handshake_global_init(), 0);
    struct sockaddr_in a = local_addr(port);
    struct version_fact vf;
    struct hs_options opt = {.dialogue = &net_fake_dialogue};
    enum hs_result hr =
        handshake_probe((const struct sockaddr *)&a, sizeof(a), &opt, TLSV_TLS12, 5000, &vf, NULL);
    char report[256];
    net_fake_report(pid, rep, report, sizeof(report));
    ck_assert_int_eq(hr, HS_DONE);
    ck_assert_str_eq(report, "line=STARTTLS__ after=0 first=");
    ck_assert_int_eq(vf.state, PROBE_INCONCLUSIVE);
    ck_assert_msg(strstr(vf.reason, "pre-TLS dialogue failed: fake: server said \"NO\"") != NULL,
                  "reason: %s", vf.reason);
    handshake_global_deinit();
}
END_TEST

static Suite *net_connect_suite(void)
{
    Suite *s = suite_create("net_connect");
    TCase *tc = tcase_create("connect");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_connect_ok);
    tcase_add_test(tc, test_connect_refused);
    tcase_add_test(tc, test_connect_out_of_fds);
    tcase_add_test(tc, test_dialogue_ready);
    tcase_add_test(tc, test_dialogue_refused);
    tcase_add_test(tc, test_dialogue_trailing_bytes);
    tcase_add_test(tc, test_dialogue_closed);
    tcase_add_test(tc, test_dialogue_timeout);
    tcase_add_test(tc, test_handshake_out_of_fds);
    tcase_add_test(tc, test_handshake_dialogue);
    tcase_add_test(tc, test_handshake_dialogue_refused);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(net_connect_suite());
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
