/*
 * tests/unit/target_test.c - unit tests for scanner/target: the target
 * syntax, targets files (with their error messages naming file and line)
 * and resolution of literals.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scanner/target.h"

static char tmpdir[64];

static void setup(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/target_test.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static void expect_ok(const char *text, const char *host, unsigned port)
{
    char *h = NULL;
    uint16_t p = 0;
    char err[256] = "";
    ck_assert_msg(target_parse(text, &h, &p, err, sizeof(err)) == 0, "%s: %s", text, err);
    ck_assert_str_eq(h, host);
    ck_assert_uint_eq(p, port);
    free(h);
}

static void expect_bad(const char *text, const char *needle)
{
    char *h = NULL;
    uint16_t p = 0;
    char err[256] = "";
    ck_assert_msg(target_parse(text, &h, &p, err, sizeof(err)) == -1, "accepted '%s'", text);
    ck_assert_ptr_null(h);
    ck_assert_msg(strstr(err, needle) != NULL, "'%s' -> '%s' (wanted '%s')", text, err, needle);
}

START_TEST(test_parse_good)
{
    expect_ok("example.com", "example.com", 443);
    expect_ok("example.com:8443", "example.com", 8443);
    expect_ok("127.0.0.1", "127.0.0.1", 443);
    expect_ok("127.0.0.1:1", "127.0.0.1", 1);
    expect_ok("[::1]:65535", "::1", 65535);
    expect_ok("[2001:db8::1]", "2001:db8::1", 443);
    expect_ok("2001:db8::1", "2001:db8::1", 443);
    expect_ok("a-b_c.example", "a-b_c.example", 443);
    expect_ok("localhost", "localhost", 443);
}
END_TEST

START_TEST(test_parse_bad)
{
    expect_bad("", "empty target");
    expect_bad("example.com:0", "1 to 65535");
    expect_bad("example.com:65536", "1 to 65535");
    expect_bad("example.com:", "1 to 65535");
    expect_bad("example.com:https", "not a number");
    expect_bad("example.com:-1", "not a number");
    expect_bad("[::1", "missing ']'");
    expect_bad("[::1]x", "expected ':port'");
    expect_bad("[not-v6]:443", "not an IPv6 address");
    expect_bad("[::1]:99999", "1 to 65535");
    expect_bad("1:2:3:zz", "not an IPv6 address");
    expect_bad("bad host", "not a host name");
    expect_bad("exa..mple", "not a host name");
    expect_bad("http://example.com", "not a number");
    char longname[600];
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    expect_bad(longname, "longer than");
}
END_TEST

START_TEST(test_file_good)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/targets", tmpdir);
    write_file(path, "# lab\n\n  127.0.0.1:4433   sni=good.lab.test  # the good one\r\n"
                     "[::1]:8443 tags=pan,prod-eu\nexample.com\t sni=www.example.com\n"
                     "last.example:1");
    struct target_list l;
    target_list_init(&l);
    char err[512] = "";
    ck_assert_msg(target_list_load_file(&l, path, err, sizeof(err)) == 0, "%s", err);
    ck_assert_uint_eq(l.n_items, 4);
    ck_assert_str_eq(l.items[0].host, "127.0.0.1");
    ck_assert_uint_eq(l.items[0].port, 4433);
    ck_assert_str_eq(l.items[0].sni, "good.lab.test");
    ck_assert_ptr_null(l.items[1].sni);
    ck_assert_uint_eq(l.items[1].tags.n_items, 2);
    ck_assert_str_eq(l.items[1].tags.items[0], "pan");
    ck_assert_str_eq(l.items[1].tags.items[1], "prod-eu");
    ck_assert_uint_eq(l.items[0].tags.n_items, 0);
    ck_assert_str_eq(l.items[1].host, "::1");
    ck_assert_str_eq(l.items[2].sni, "www.example.com");
    ck_assert_str_eq(l.items[3].host, "last.example");
    ck_assert_uint_eq(l.items[3].port, 1);
    char want_origin[160];
    snprintf(want_origin, sizeof(want_origin), "%s:3", path);
    ck_assert_str_eq(l.items[0].origin, want_origin);
    target_list_cleanup(&l);
}
END_TEST

/* starttls=: a row by name, auto by port, absent: the scan's default. */
START_TEST(test_file_starttls)
{
    const char *text = "mx.example:25 starttls=auto\nmx.example:2525 starttls=smtp sni=mx.example\n"
                       "web.example starttls=auto\nimap.example:143\nsmtps.example:465 "
                       "starttls=auto\nplain.example:25 starttls=none\n";
    struct target_list l;
    target_list_init(&l);
    char err[512] = "";
    ck_assert_msg(target_list_load_text(&l, "t", text, strlen(text), err, sizeof(err)) == 0, "%s",
                  err);
    ck_assert_uint_eq(l.n_items, 6);
    ck_assert_str_eq(l.items[0].starttls->name, "smtp");
    ck_assert_str_eq(l.items[1].starttls->name, "smtp");
    ck_assert_str_eq(l.items[2].starttls->name, "none");
    ck_assert_ptr_null(l.items[3].starttls);
    ck_assert_str_eq(target_starttls(&l.items[3], NULL)->name, "imap");
    ck_assert_str_eq(target_starttls(&l.items[3], "none")->name, "none");
    ck_assert_str_eq(target_starttls(&l.items[3], "pop3")->name, "pop3");
    ck_assert_str_eq(target_starttls(&l.items[0], "none")->name, "smtp"); /* its own wins */
    ck_assert_str_eq(l.items[4].starttls->name, "smtps");
    ck_assert(!starttls_is_dialogue(l.items[4].starttls));
    ck_assert_str_eq(l.items[5].starttls->name, "none");
    target_list_cleanup(&l);
    /* auto by port, every well-known one */
    static const struct {
        uint16_t port;
        const char *name;
    } ports[] = {{25, "smtp"},    {587, "smtp"},  {24, "lmtp"},   {110, "pop3"}, {143, "imap"},
                 {4190, "sieve"}, {21, "ftp"},    {119, "nntp"},  {6667, "irc"}, {465, "smtps"},
                 {993, "imaps"},  {995, "pop3s"}, {636, "ldaps"}, {990, "ftps"}, {5223, "xmpps"},
                 {853, "dot"},    {443, "none"},  {8443, "none"}};
    for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
        ck_assert_str_eq(starttls_for_port(ports[i].port)->name, ports[i].name);
    }
}
END_TEST

static void write_bytes(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

/* expect_file_error_n: a targets file of len bytes (NULs allowed) fails
 * with "PATH:" needle, and leaves the list as it was. */
static void expect_file_error_n(const char *text, size_t text_len, const char *needle)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/bad", tmpdir);
    write_bytes(path, text, text_len);
    struct target_list l;
    target_list_init(&l);
    ck_assert_int_eq(target_list_add(&l, "keep.example", NULL, NULL, "argument 1", NULL, 0), 0);
    char err[512] = "";
    ck_assert_int_eq(target_list_load_file(&l, path, err, sizeof(err)), -1);
    char want[256];
    snprintf(want, sizeof(want), "%s:%s", path, needle);
    ck_assert_msg(strstr(err, want) != NULL, "got '%s', wanted '%s'", err, want);
    /* A failed load leaves what was there before. */
    ck_assert_uint_eq(l.n_items, 1);
    ck_assert_str_eq(l.items[0].host, "keep.example");
    target_list_cleanup(&l);
}

static void expect_file_error(const char *text, const char *needle)
{
    expect_file_error_n(text, strlen(text), needle);
}

START_TEST(test_file_errors)
{
    expect_file_error("a.example\nb.example:70000\n", "2: port '70000'");
    expect_file_error("a.example sni=\n", "1: sni '' is not a DNS host name");
    expect_file_error("\n\na.example foo=bar\n", "3: unexpected 'foo=bar'");
    expect_file_error("a.example sni=x.example extra\n", "1: unexpected 'extra'");
    expect_file_error("a.example sni=x.example tags=a b c\n", "1: too many fields");
    expect_file_error("a.example sni=x.example tags=a b\n", "1: unexpected 'b'");
    expect_file_error("a.example:25 starttls=smtps2\n",
                      "1: unknown starttls protocol 'smtps2' (expected one of: auto, none, ");
    expect_file_error("a.example starttls=SMTP\n", "1: unknown starttls protocol 'SMTP'");
    expect_file_error("a.example starttls=smtp starttls=imap\n", "1: unexpected 'starttls=imap'");
    expect_file_error("a.example tags=a,,b\n", "1: tags 'a,,b'");
    expect_file_error("a.example tags=pan tags=x\n", "1: unexpected 'tags=x'");
    expect_file_error("a.example sni=127.0.0.1\n", "1: sni '127.0.0.1'");
    expect_file_error("ok.example\n[::1\n", "2: '[::1': missing ']'");
}
END_TEST

/* Bytes no targets file holds are named for what they are: a NUL byte
 * used to be reported as a line longer than 4096 bytes. */
START_TEST(test_file_bad_bytes)
{
    static const char nul[] = "a.example\nb.exa\0mple\nc.example\n";
    expect_file_error_n(nul, sizeof(nul) - 1, "2: NUL byte in the line");
    static const char nul_comment[] = "a.example # x\0y\n";
    expect_file_error_n(nul_comment, sizeof(nul_comment) - 1, "1: NUL byte in the line");
    expect_file_error("a.example\nb.ex\x01"
                      "ample\n",
                      "2: control character 0x01 in the line");
    expect_file_error("a.example\rb.example\n", "1: control character 0x0d in the line");
    expect_file_error("ok.example\nb\xc3\xbcro.example\n", "2: byte 0xc3 is not ASCII");
    /* a long line is still one: 4096 bytes are fine, 4097 are not */
    char *text = malloc(2 * 4097 + 16);
    ck_assert_ptr_nonnull(text);
    memset(text, 'a', 4097);
    text[4097] = '\n';
    expect_file_error_n(text, 4098, "1: line longer than 4096 bytes");
    free(text);
}
END_TEST

/* UTF-8 in a comment is fine, a comment-only or CRLF file too. */
START_TEST(test_file_comment_utf8)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/utf8", tmpdir);
    write_file(path, "# B\xc3\xbcro-Server\r\nhost.example # f\xc3\xbcr Z\xc3\xbcrich\r\n");
    struct target_list l;
    target_list_init(&l);
    char err[512] = "";
    ck_assert_msg(target_list_load_file(&l, path, err, sizeof(err)) == 0, "%s", err);
    ck_assert_uint_eq(l.n_items, 1);
    ck_assert_str_eq(l.items[0].host, "host.example");
    target_list_cleanup(&l);
}
END_TEST

/* A FIFO or a device as targets file is refused at once (the open used to
 * wait for a writer for ever), and a file over 64 MiB is refused unread. */
START_TEST(test_file_not_regular)
{
    struct target_list l;
    target_list_init(&l);
    char err[512] = "";
    char path[128];
    char want[256];
    snprintf(path, sizeof(path), "%s/fifo", tmpdir);
    ck_assert_int_eq(mkfifo(path, 0600), 0);
    ck_assert_int_eq(target_list_load_file(&l, path, err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "%s: not a regular file", path);
    ck_assert_str_eq(err, want);
    ck_assert_int_eq(target_list_load_file(&l, "/dev/zero", err, sizeof(err)), -1);
    ck_assert_str_eq(err, "/dev/zero: not a regular file");
    snprintf(path, sizeof(path), "%s/big", tmpdir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(ftruncate(fileno(f), 64 * 1024 * 1024 + 1), 0); /* sparse */
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(target_list_load_file(&l, path, err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "%s: too large (67108865 bytes): expected at most 67108864 bytes",
             path);
    ck_assert_str_eq(err, want);
    ck_assert_uint_eq(l.n_items, 0);
}
END_TEST

START_TEST(test_file_unreadable)
{
    struct target_list l;
    target_list_init(&l);
    char err[512] = "";
    char path[128];
    snprintf(path, sizeof(path), "%s/missing", tmpdir);
    ck_assert_int_eq(target_list_load_file(&l, path, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, path) != NULL && strstr(err, "No such file") != NULL, "%s", err);
    target_list_cleanup(&l);
}
END_TEST

START_TEST(test_resolve_literals)
{
    struct target_list l;
    target_list_init(&l);
    char err[256] = "";
    ck_assert_int_eq(
        target_list_add(&l, "127.0.0.1:4433", NULL, NULL, "argument 1", err, sizeof(err)), 0);
    ck_assert_int_eq(target_list_add(&l, "[::1]:4433", NULL, NULL, "argument 2", err, sizeof(err)),
                     0);
    struct target_addr *a = NULL;
    size_t n = 0;
    ck_assert_int_eq(target_resolve(&l.items[0], false, &a, &n, err, sizeof(err)), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(a[0].ip, "127.0.0.1");
    free(a);
    ck_assert_int_eq(target_resolve(&l.items[1], true, &a, &n, err, sizeof(err)), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(a[0].ip, "::1");
    free(a);
    target_list_cleanup(&l);
}
END_TEST

START_TEST(test_sni_rules)
{
    ck_assert(target_valid_sni("good.lab.test"));
    ck_assert(!target_valid_sni("127.0.0.1"));
    ck_assert(!target_valid_sni("::1"));
    ck_assert(!target_valid_sni("trailing.dot."));
    ck_assert(!target_valid_sni(""));
    ck_assert(!target_valid_sni("sp ace"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("target");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_parse_good);
    tcase_add_test(tc, test_parse_bad);
    tcase_add_test(tc, test_file_good);
    tcase_add_test(tc, test_file_starttls);
    tcase_add_test(tc, test_file_errors);
    tcase_add_test(tc, test_file_unreadable);
    tcase_add_test(tc, test_file_bad_bytes);
    tcase_add_test(tc, test_file_comment_utf8);
    tcase_add_test(tc, test_file_not_regular);
    tcase_add_test(tc, test_resolve_literals);
    tcase_add_test(tc, test_sni_rules);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
