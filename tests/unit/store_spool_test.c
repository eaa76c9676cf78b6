/*
 * tests/unit/store_spool_test.c - the sort spool (store/spool.h): rows
 * come back by group then key whatever the order they were put in, with
 * their place in the group and its size; max_per_group cuts each group
 * but not its size; counts; the key encodings sort as the values do
 * (numbers ascending and descending, strings by strcmp even when one is a
 * prefix of another, then what follows them); ties keep the order put.
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/spool.h"

/* What a walk saw: "grp-body@index/n" per row, space-separated. */
struct seen {
    char s[1024];
    int stop_after; /* stop (return 7) after this many rows; 0: never */
    int rows;
};

static int record(void *arg, const struct store_spool_row *r)
{
    struct seen *x = arg;
    size_t n = strlen(x->s);
    snprintf(x->s + n, sizeof(x->s) - n, "%s%.*s-%.*s@%zu/%zu", n ? " " : "", (int)r->grp_len,
             (const char *)r->grp, (int)r->body_len, (const char *)r->body, r->index, r->n_group);
    x->rows++;
    return x->stop_after > 0 && x->rows >= x->stop_after ? 7 : 0;
}

static struct store_spool *open_spool(void)
{
    struct store_spool *sp = NULL;
    char err[256];
    ck_assert_msg(store_spool_open(&sp, err, sizeof(err)) == 0, "%s", err);
    return sp;
}

static void put(struct store_spool *sp, int sec, const char *grp, const char *key, const char *body)
{
    ck_assert_int_eq(
        store_spool_put(sp, sec, grp, strlen(grp), key, strlen(key), body, strlen(body)), 0);
}

START_TEST(test_order_and_groups)
{
    struct store_spool *sp = open_spool();
    put(sp, 1, "b", "2", "b2");
    put(sp, 1, "a", "9", "a9");
    put(sp, 2, "a", "0", "other-section");
    put(sp, 1, "b", "1", "b1");
    put(sp, 1, "a", "", "head");      /* the empty key sorts first */
    put(sp, 1, "b", "1", "b1-again"); /* a tie: after the first */
    struct seen x = {.s = ""};
    ck_assert_int_eq(store_spool_each(sp, 1, 0, record, &x), 0);
    ck_assert_str_eq(x.s, "a-head@0/2 a-a9@1/2 b-b1@0/3 b-b1-again@1/3 b-b2@2/3");
    size_t rows = 0, groups = 0;
    ck_assert_int_eq(store_spool_count(sp, 1, &rows, &groups), 0);
    ck_assert_uint_eq(rows, 5);
    ck_assert_uint_eq(groups, 2);
    bool has = false;
    ck_assert_int_eq(store_spool_has_group(sp, 1, "b", 1, &has), 0);
    ck_assert(has);
    ck_assert_int_eq(store_spool_has_group(sp, 1, "c", 1, &has), 0);
    ck_assert(!has);
    ck_assert_int_eq(store_spool_has_group(sp, 3, "a", 1, &has), 0);
    ck_assert(!has);
    /* At most 2 per group; the size still counts every row. */
    struct seen y = {.s = ""};
    ck_assert_int_eq(store_spool_each(sp, 1, 2, record, &y), 0);
    ck_assert_str_eq(y.s, "a-head@0/2 a-a9@1/2 b-b1@0/3 b-b1-again@1/3");
    /* The callback stops the walk with its value. */
    struct seen z = {.s = "", .stop_after = 2};
    ck_assert_int_eq(store_spool_each(sp, 1, 0, record, &z), 7);
    ck_assert_int_eq(z.rows, 2);
    /* An empty section. */
    struct seen e = {.s = ""};
    ck_assert_int_eq(store_spool_each(sp, 9, 0, record, &e), 0);
    ck_assert_int_eq(e.rows, 0);
    ck_assert_int_eq(store_spool_count(sp, 9, &rows, &groups), 0);
    ck_assert_uint_eq(rows + groups, 0);
    store_spool_close(sp);
}
END_TEST

/* put_key puts body under an encoded key (group "g"). */
static void put_key(struct store_spool *sp, const unsigned char *k, size_t n, const char *body)
{
    ck_assert_int_eq(store_spool_put(sp, 1, "g", 1, k, n, body, strlen(body)), 0);
}

START_TEST(test_key_encoding)
{
    struct store_spool *sp = open_spool();
    /* (rank descending, host by strcmp, port ascending), as the HTML
     * report's order of targets. */
    struct {
        uint64_t rank;
        const char *host;
        uint64_t port;
        const char *body;
    } rows[] = {
        {0, "a", 1, "0a1"},     {3, "abc", 2, "3abc2"}, {3, "ab", 70000, "3ab70000"},
        {3, "ab", 9, "3ab9"},   {4, "z", 1, "4z1"},     {3, "", 5, "3-5"},
        {1, "b", 256, "1b256"}, {1, "b", 255, "1b255"},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        unsigned char k[STORE_SPOOL_KEY_MAX];
        size_t n = 0;
        store_spool_key_u64(k, &n, rows[i].rank, true);
        store_spool_key_str(k, &n, rows[i].host);
        store_spool_key_u64(k, &n, rows[i].port, false);
        put_key(sp, k, n, rows[i].body);
    }
    struct seen x = {.s = ""};
    ck_assert_int_eq(store_spool_each(sp, 1, 0, record, &x), 0);
    ck_assert_str_eq(x.s, "g-4z1@0/8 g-3-5@1/8 g-3ab9@2/8 g-3ab70000@3/8 g-3abc2@4/8 "
                          "g-1b255@5/8 g-1b256@6/8 g-0a1@7/8");
    store_spool_close(sp);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("store_spool");
    TCase *tc = tcase_create("spool");
    tcase_add_test(tc, test_order_and_groups);
    tcase_add_test(tc, test_key_encoding);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
