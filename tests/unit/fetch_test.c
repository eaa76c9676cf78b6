/*
 * tests/unit/fetch_test.c - unit tests for scanner/fetch.c's run-time
 * loading of libcurl: a library that cannot be opened, one that lacks the
 * curl functions, and the real one loaded by many threads at once.
 *
 * Each test runs in its own process (Check's fork mode, the default): the
 * load happens once per process, so every test starts unloaded. The
 * failure tests send nothing anywhere; the loading test talks only to a
 * listening socket of its own on 127.0.0.1.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "scanner/fetch.h"
#include "scanner/http.h"

/* A name no system has: dlopen must fail on it. */
#define NO_SUCH_LIBRARY "libtlsaudit-test-no-such-curl.so.4"

#define N_FETCHERS 8

/* fetch_fail asserts that a fetch fails with a reason starting with
 * prefix, and leaves nothing in the response. */
static void fetch_fail(const char *url, const char *prefix, char *err, size_t err_len)
{
    struct fetch_request req = {.url = url, .timeout_ms = 1000};
    struct fetch_response resp;
    ck_assert_int_eq(fetch_http(&req, &resp, err, err_len), -1);
    ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0, "got '%s'", err);
    ck_assert_int_eq(resp.status, 0);
    ck_assert_ptr_null(resp.body);
    ck_assert_ptr_null(resp.hsts);
    fetch_response_cleanup(&resp);
}

START_TEST(test_library_missing)
{
    char err[FACT_TEXT];
    ck_assert_msg(fetch_set_library_for_test(NO_SUCH_LIBRARY) == 0,
                  "libcurl already loaded in this process");
    ck_assert_int_eq(fetch_global_init(), 0); /* nothing loaded, nothing known yet */
    /* A scheme that is refused needs no library. */
    fetch_fail("file:///etc/passwd", "unsupported URL scheme", err, sizeof(err));
    fetch_fail("http://127.0.0.1:9/x.crl",
               "libcurl could not be loaded (" NO_SUCH_LIBRARY ": cannot open shared object file",
               err, sizeof(err));
    ck_assert_msg(strstr(err, "; use --offline") != NULL, "got '%s'", err);
    /* The failure is remembered: the second fetch does not retry. */
    char err2[FACT_TEXT];
    fetch_fail("https://127.0.0.1:9/", "libcurl could not be loaded", err2, sizeof(err2));
    ck_assert_str_eq(err, err2);
    ck_assert_int_eq(fetch_global_init(), -1);
    ck_assert_int_eq(fetch_set_library_for_test("libcurl-gnutls.so.4"), -1);

    /* The HSTS check records it as a failed request, never as an answer. */
    struct target_result r;
    target_result_init(&r);
    snprintf(r.ip, sizeof(r.ip), "127.0.0.1");
    r.port = 443;
    r.host = strdup("127.0.0.1");
    ck_assert_ptr_nonnull(r.host);
    struct http_options o = {.timeout_ms = 1000};
    http_check(&o, &r);
    ck_assert(fact_attempted(&r.http.hsts));
    ck_assert_str_eq(r.http.hsts.detail, err);
    ck_assert(!r.http.hsts_present);
    ck_assert_int_eq(r.http.https_status, 0);
    target_result_cleanup(&r);
}
END_TEST

START_TEST(test_library_without_curl)
{
    /* libc loads fine but has no curl_global_init. */
    char err[FACT_TEXT];
    ck_assert_int_eq(fetch_set_library_for_test("libc.so.6"), 0);
    fetch_fail("http://127.0.0.1:9/",
               "libcurl could not be loaded (libc.so.6 has no curl_global_init); use --offline",
               err, sizeof(err));
    ck_assert_int_eq(fetch_global_init(), -1);
}
END_TEST

/* A one-answer-per-connection HTTP responder on 127.0.0.1 for the
 * loading test: it reads until the blank line and sends a fixed answer. */
struct responder {
    int fd;
    int n_conns;
};

static void *responder_run(void *arg)
{
    struct responder *r = arg;
    static const char answer[] = "HTTP/1.1 200 OK\r\n"
                                 "Content-Type: application/ocsp-response\r\n"
                                 "Strict-Transport-Security: max-age=60\r\n"
                                 "Content-Length: 5\r\n"
                                 "Connection: close\r\n\r\n"
                                 "hello";
    for (int i = 0; i < r->n_conns; i++) {
        int c = accept(r->fd, NULL, NULL);
        if (c < 0) {
            break;
        }
        char buf[4096];
        size_t got = 0;
        while (got < sizeof(buf) - 1) {
            ssize_t n = read(c, buf + got, sizeof(buf) - 1 - got);
            if (n <= 0) {
                break;
            }
            got += (size_t)n;
            buf[got] = '\0';
            if (strstr(buf, "\r\n\r\n") != NULL) {
                break;
            }
        }
        ssize_t w = write(c, answer, sizeof(answer) - 1);
        (void)w;
        close(c);
    }
    return NULL;
}

struct fetcher {
    char url[64];
    int rc;
    long status;
    char body[16];
    char hsts[32];
    char err[FACT_TEXT];
};

static void *fetcher_run(void *arg)
{
    struct fetcher *f = arg;
    struct fetch_request req = {.url = f->url, .timeout_ms = 5000};
    struct fetch_response resp;
    f->rc = fetch_http(&req, &resp, f->err, sizeof(f->err));
    f->status = resp.status;
    if (resp.body != NULL) {
        snprintf(f->body, sizeof(f->body), "%s", (const char *)resp.body);
    }
    if (resp.hsts != NULL) {
        snprintf(f->hsts, sizeof(f->hsts), "%s", resp.hsts);
    }
    fetch_response_cleanup(&resp);
    return NULL;
}

START_TEST(test_concurrent_first_load)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    ck_assert_int_eq(listen(fd, N_FETCHERS), 0);
    socklen_t alen = sizeof(a);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &alen), 0);

    struct responder resp = {.fd = fd, .n_conns = N_FETCHERS};
    pthread_t rt;
    ck_assert_int_eq(pthread_create(&rt, NULL, responder_run, &resp), 0);
    /* Every fetcher is a first user: they race into the one-time load. */
    struct fetcher f[N_FETCHERS];
    pthread_t ft[N_FETCHERS];
    memset(f, 0, sizeof(f));
    for (int i = 0; i < N_FETCHERS; i++) {
        snprintf(f[i].url, sizeof(f[i].url), "http://127.0.0.1:%u/%d", ntohs(a.sin_port), i);
        ck_assert_int_eq(pthread_create(&ft[i], NULL, fetcher_run, &f[i]), 0);
    }
    for (int i = 0; i < N_FETCHERS; i++) {
        ck_assert_int_eq(pthread_join(ft[i], NULL), 0);
    }
    ck_assert_int_eq(pthread_join(rt, NULL), 0);
    close(fd);
    for (int i = 0; i < N_FETCHERS; i++) {
        ck_assert_msg(f[i].rc == 0, "fetch %d: %s", i, f[i].err);
        ck_assert_int_eq(f[i].status, 200);
        ck_assert_str_eq(f[i].body, "hello");
        ck_assert_str_eq(f[i].hsts, "max-age=60");
    }
    ck_assert_int_eq(fetch_global_init(), 0);
    ck_assert_int_eq(fetch_set_library_for_test(NO_SUCH_LIBRARY), -1);
    /* Loaded: a closed port is now a network error, not a loader one. */
    char err[FACT_TEXT];
    fetch_fail("http://127.0.0.1:9/", "", err, sizeof(err));
    ck_assert_msg(strstr(err, "libcurl") == NULL, "got '%s'", err);
}
END_TEST

static Suite *fetch_suite(void)
{
    Suite *s = suite_create("fetch");
    TCase *tc = tcase_create("load");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_library_missing);
    tcase_add_test(tc, test_library_without_curl);
    tcase_add_test(tc, test_concurrent_first_load);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(fetch_suite());
    /* Fork mode is what gives each test an unloaded process. */
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
