/*
 * tests/unit/strlist_test.c - unit tests for common/strlist and common/util.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strlist.h"
#include "common/util.h"

START_TEST(test_add_join)
{
    struct strlist l;
    strlist_init(&l);
    char *empty = strlist_join(&l, ", ");
    ck_assert_str_eq(empty, "");
    free(empty);
    for (int i = 0; i < 100; i++) {
        char buf[16];
        snprintf(buf, sizeof(buf), "item%d", i);
        ck_assert_int_eq(strlist_add(&l, buf), 0);
    }
    ck_assert_uint_eq(l.n_items, 100);
    ck_assert_str_eq(l.items[99], "item99");
    ck_assert_int_eq(strlist_add_n(&l, "a\0b", 3), 0);
    ck_assert_str_eq(l.items[100], "a");
    strlist_cleanup(&l);
    ck_assert_uint_eq(l.n_items, 0);
    ck_assert_int_eq(strlist_add(&l, "x"), 0);
    ck_assert_int_eq(strlist_add(&l, "y"), 0);
    char *j = strlist_join(&l, ", ");
    ck_assert_str_eq(j, "x, y");
    free(j);
    strlist_cleanup(&l);
}
END_TEST

START_TEST(test_parse_ulong)
{
    unsigned long v = 0;
    ck_assert(util_parse_ulong("443", 1, 65535, &v));
    ck_assert_uint_eq(v, 443);
    ck_assert(!util_parse_ulong("0", 1, 65535, &v));
    ck_assert(!util_parse_ulong("65536", 1, 65535, &v));
    ck_assert(!util_parse_ulong("-1", 1, 65535, &v));
    ck_assert(!util_parse_ulong("+1", 1, 65535, &v));
    ck_assert(!util_parse_ulong(" 1", 1, 65535, &v));
    ck_assert(!util_parse_ulong("1x", 1, 65535, &v));
    ck_assert(!util_parse_ulong("", 1, 65535, &v));
    ck_assert(!util_parse_ulong("99999999999999999999999", 1, 65535, &v));
}
END_TEST

START_TEST(test_copy_and_time)
{
    char small[4];
    ck_assert(!util_copy(small, sizeof(small), "abcdef"));
    ck_assert_str_eq(small, "abc");
    ck_assert(util_copy(small, sizeof(small), "ab"));
    ck_assert_str_eq(small, "ab");
    char buf[40];
    ck_assert_str_eq(util_iso_time(1764259200000LL, buf, sizeof(buf)), "2025-11-27T16:00:00Z");
    ck_assert_str_eq(util_iso_date(0, buf, sizeof(buf)), "1970-01-01");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("strlist");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_add_join);
    tcase_add_test(tc, test_parse_ulong);
    tcase_add_test(tc, test_copy_and_time);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
