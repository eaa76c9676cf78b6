/*
 * tests/unit/bytes_test.c - unit tests for common/bytes: every rbuf getter
 * at its boundaries (exactly enough bytes, one short, none), the rule that a
 * failed read moves nothing, nested vectors, and the wbuf: integers,
 * length-prefixed children patched on close (nested, each prefix size at
 * its maximum and one past it), the cap in caller storage and on the heap,
 * and the sticky error.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"

static const uint8_t seq[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};

/* r must still be a view of exactly want/want_len */
static void expect_view(const struct rbuf *r, const uint8_t *want, size_t want_len)
{
    ck_assert_ptr_eq(r->data, want);
    ck_assert_uint_eq(r->len, want_len);
}

START_TEST(test_get_ints)
{
    struct rbuf r;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;

    rbuf_init(&r, seq, sizeof(seq));
    ck_assert(rbuf_get_u8(&r, &u8));
    ck_assert_uint_eq(u8, 0x01);
    ck_assert(rbuf_get_u16(&r, &u16));
    ck_assert_uint_eq(u16, 0x0203);
    ck_assert(rbuf_get_u24(&r, &u32));
    ck_assert_uint_eq(u32, 0x040506);
    ck_assert(rbuf_get_u16(&r, &u16));
    ck_assert_uint_eq(u16, 0x0708);
    ck_assert(rbuf_at_end(&r));
    ck_assert_uint_eq(rbuf_remaining(&r), 0);
    ck_assert(!rbuf_get_u8(&r, &u8));

    rbuf_init(&r, seq, 4);
    ck_assert(rbuf_get_u32(&r, &u32));
    ck_assert_uint_eq(u32, 0x01020304);
    ck_assert(rbuf_at_end(&r));

    /* high bits survive (no sign extension) */
    static const uint8_t ff[] = {0xff, 0xff, 0xff, 0xff};
    rbuf_init(&r, ff, 4);
    ck_assert(rbuf_get_u32(&r, &u32));
    ck_assert_uint_eq(u32, 0xffffffffu);
    rbuf_init(&r, ff, 3);
    ck_assert(rbuf_get_u24(&r, &u32));
    ck_assert_uint_eq(u32, 0xffffffu);
}
END_TEST

/* Each getter one byte short: false, and neither the reader nor *out moves. */
START_TEST(test_get_short_moves_nothing)
{
    struct rbuf r;
    uint8_t u8 = 0xaa;
    uint16_t u16 = 0xaaaa;
    uint32_t u32 = 0xaaaaaaaa;
    struct rbuf v = {seq, 1};

    rbuf_init(&r, seq, 0);
    ck_assert(!rbuf_get_u8(&r, &u8));
    ck_assert_uint_eq(u8, 0xaa);
    rbuf_init(&r, seq, 1);
    ck_assert(!rbuf_get_u16(&r, &u16));
    expect_view(&r, seq, 1);
    ck_assert_uint_eq(u16, 0xaaaa);
    rbuf_init(&r, seq, 2);
    ck_assert(!rbuf_get_u24(&r, &u32));
    expect_view(&r, seq, 2);
    rbuf_init(&r, seq, 3);
    ck_assert(!rbuf_get_u32(&r, &u32));
    expect_view(&r, seq, 3);
    ck_assert_uint_eq(u32, 0xaaaaaaaa);
    ck_assert(!rbuf_get_bytes(&r, &v, 4));
    expect_view(&r, seq, 3);
    expect_view(&v, seq, 1);
    ck_assert(!rbuf_skip(&r, 4));
    expect_view(&r, seq, 3);
    uint8_t dst[4] = {0};
    ck_assert(!rbuf_copy_bytes(&r, dst, 4));
    expect_view(&r, seq, 3);
    ck_assert_uint_eq(dst[0], 0);

    /* a NULL view is empty */
    rbuf_init(&r, NULL, 5);
    ck_assert(rbuf_at_end(&r));
    ck_assert(!rbuf_get_u8(&r, &u8));
}
END_TEST

START_TEST(test_bytes_skip_copy)
{
    struct rbuf r;
    struct rbuf v;
    uint8_t dst[3];

    rbuf_init(&r, seq, sizeof(seq));
    ck_assert(rbuf_get_bytes(&r, &v, 0));
    expect_view(&v, seq, 0);
    ck_assert(rbuf_get_bytes(&r, &v, 2));
    expect_view(&v, seq, 2);
    ck_assert(rbuf_skip(&r, 1));
    ck_assert(rbuf_copy_bytes(&r, dst, 3));
    ck_assert_mem_eq(dst, seq + 3, 3);
    ck_assert_uint_eq(rbuf_remaining(&r), 2);
    ck_assert(rbuf_skip(&r, 2));
    ck_assert(rbuf_at_end(&r));
    ck_assert(rbuf_skip(&r, 0));
    ck_assert(rbuf_get_bytes(&r, &v, 0));
}
END_TEST

/* Vectors: exact length, length+1 (fails, nothing moves), 0, prefix short. */
START_TEST(test_vectors)
{
    struct rbuf r;
    struct rbuf v;
    static const uint8_t v8[] = {0x03, 'a', 'b', 'c', 0xee};
    static const uint8_t v16[] = {0x00, 0x02, 'x', 'y'};
    static const uint8_t v24[] = {0x00, 0x00, 0x01, 'z'};
    static const uint8_t over8[] = {0x04, 'a', 'b', 'c'};
    static const uint8_t over16[] = {0x00, 0x03, 'a', 'b'};
    static const uint8_t over24[] = {0x00, 0x00, 0x02, 'a'};
    static const uint8_t empty[] = {0x00, 0x00, 0x00};

    rbuf_init(&r, v8, sizeof(v8));
    ck_assert(rbuf_get_vec8(&r, &v));
    expect_view(&v, v8 + 1, 3);
    expect_view(&r, v8 + 4, 1);
    rbuf_init(&r, v16, sizeof(v16));
    ck_assert(rbuf_get_vec16(&r, &v));
    expect_view(&v, v16 + 2, 2);
    ck_assert(rbuf_at_end(&r));
    rbuf_init(&r, v24, sizeof(v24));
    ck_assert(rbuf_get_vec24(&r, &v));
    expect_view(&v, v24 + 3, 1);
    ck_assert(rbuf_at_end(&r));

    v.data = NULL;
    v.len = 99;
    rbuf_init(&r, over8, sizeof(over8));
    ck_assert(!rbuf_get_vec8(&r, &v));
    expect_view(&r, over8, sizeof(over8));
    rbuf_init(&r, over16, sizeof(over16));
    ck_assert(!rbuf_get_vec16(&r, &v));
    expect_view(&r, over16, sizeof(over16));
    rbuf_init(&r, over24, sizeof(over24));
    ck_assert(!rbuf_get_vec24(&r, &v));
    expect_view(&r, over24, sizeof(over24));
    ck_assert_ptr_null(v.data);

    rbuf_init(&r, empty, 3);
    ck_assert(rbuf_get_vec24(&r, &v));
    ck_assert_uint_eq(v.len, 0);
    ck_assert(rbuf_at_end(&r));
    rbuf_init(&r, empty, 1);
    ck_assert(!rbuf_get_vec16(&r, &v)); /* the prefix itself is short */
    expect_view(&r, empty, 1);
    rbuf_init(&r, empty, 2);
    ck_assert(!rbuf_get_vec24(&r, &v));
    expect_view(&r, empty, 2);
}
END_TEST

/* A vector inside a vector, read with the child view. */
START_TEST(test_nested_vectors)
{
    static const uint8_t msg[] = {0x00, 0x06, 0x02, 0xaa, 0xbb, 0x00, 0x01, 0xcc, 0x00, 0x09};
    struct rbuf r;
    struct rbuf outer;
    struct rbuf a;
    struct rbuf b;
    struct rbuf c;

    rbuf_init(&r, msg, sizeof(msg));
    ck_assert(rbuf_get_vec16(&r, &outer));
    ck_assert_uint_eq(outer.len, 6);
    ck_assert(rbuf_get_vec8(&outer, &a));
    ck_assert_uint_eq(a.len, 2);
    ck_assert(rbuf_get_vec16(&outer, &b));
    ck_assert_uint_eq(b.len, 1);
    ck_assert(rbuf_at_end(&outer));
    /* the child cannot read past its own end, though the parent has more */
    rbuf_init(&c, msg + 2, 1);
    ck_assert(!rbuf_get_vec8(&c, &a));
    ck_assert_uint_eq(rbuf_remaining(&r), 2);
}
END_TEST

START_TEST(test_wbuf_ints)
{
    uint8_t buf[16];
    struct wbuf w;
    static const uint8_t want[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                   0x08, 0x09, 0x0a, 0xfe, 0xff, 0x00, 0x00};

    wbuf_init_fixed(&w, buf, sizeof(buf));
    ck_assert(wbuf_put_u8(&w, 0x01));
    ck_assert(wbuf_put_u16(&w, 0x0203));
    ck_assert(wbuf_put_u24(&w, 0x040506));
    ck_assert(wbuf_put_u32(&w, 0x0708090a));
    ck_assert(wbuf_put_bytes(&w, (const uint8_t[]){0xfe, 0xff}, 2));
    ck_assert(wbuf_put_zeros(&w, 2));
    ck_assert(wbuf_put_bytes(&w, NULL, 0));
    ck_assert(wbuf_ok(&w));
    ck_assert_uint_eq(wbuf_len(&w), sizeof(want));
    ck_assert_ptr_eq(wbuf_data(&w), buf);
    ck_assert_mem_eq(wbuf_data(&w), want, sizeof(want));
    /* a u24 that does not fit 24 bits is an error */
    ck_assert(!wbuf_put_u24(&w, 0x1000000));
    ck_assert(!wbuf_ok(&w));
}
END_TEST

/* The cap: exactly full works; one more byte fails and the error sticks. */
START_TEST(test_wbuf_cap)
{
    uint8_t buf[4];
    struct wbuf w;

    wbuf_init_fixed(&w, buf, sizeof(buf));
    ck_assert(wbuf_put_u32(&w, 0xdeadbeef));
    ck_assert(wbuf_ok(&w));
    ck_assert(!wbuf_put_u8(&w, 0));
    ck_assert(!wbuf_ok(&w));
    ck_assert_uint_eq(wbuf_len(&w), 4);

    wbuf_init_fixed(&w, buf, sizeof(buf));
    ck_assert(wbuf_put_u16(&w, 1));
    ck_assert(!wbuf_put_u24(&w, 1)); /* 2 + 3 > 4: nothing written */
    ck_assert_uint_eq(wbuf_len(&w), 2);
    ck_assert(!wbuf_put_u8(&w, 1)); /* sticky, though it would fit */
    ck_assert_uint_eq(wbuf_len(&w), 2);

    /* heap: grows through several reallocations, then stops at the cap */
    wbuf_init(&w, 1000);
    ck_assert_ptr_null(wbuf_data(&w));
    for (int i = 0; i < 1000; i++) {
        ck_assert(wbuf_put_u8(&w, (uint8_t)i));
    }
    ck_assert(!wbuf_put_u8(&w, 0));
    ck_assert_uint_eq(wbuf_len(&w), 1000);
    ck_assert_uint_eq(wbuf_data(&w)[999], (uint8_t)999);
    wbuf_cleanup(&w);
    ck_assert_uint_eq(wbuf_len(&w), 0);
    ck_assert(wbuf_ok(&w));
    ck_assert(wbuf_put_bytes(&w, seq, sizeof(seq)));
    ck_assert_mem_eq(wbuf_data(&w), seq, sizeof(seq));
    wbuf_cleanup(&w);

    /* a zero cap takes nothing */
    wbuf_init(&w, 0);
    ck_assert(!wbuf_put_u8(&w, 1));
    wbuf_cleanup(&w);
}
END_TEST

START_TEST(test_wbuf_children)
{
    uint8_t buf[64];
    struct wbuf w;
    struct wbuf a;
    struct wbuf b;
    struct wbuf c;
    static const uint8_t want[] = {0x00, 0x00, 0x0a, 0x00, 0x06, 0x01, 0xaa,
                                   0x00, 0x00, 0x00, 0x00, 0xbb, 0xcc, 0x00};

    wbuf_init_fixed(&w, buf, sizeof(buf));
    ck_assert(wbuf_open_vec24(&w, &a));
    ck_assert(wbuf_open_vec16(&a, &b));
    ck_assert(wbuf_open_vec8(&b, &c));
    ck_assert(wbuf_put_u8(&c, 0xaa));
    ck_assert(!wbuf_put_u8(&b, 0x00)); /* b has an open child: error */
    ck_assert(!wbuf_ok(&w));
    wbuf_cleanup(&w);

    wbuf_init_fixed(&w, buf, sizeof(buf));
    ck_assert(wbuf_open_vec24(&w, &a));
    ck_assert(wbuf_open_vec16(&a, &b));
    ck_assert(wbuf_open_vec8(&b, &c));
    ck_assert(wbuf_put_u8(&c, 0xaa));
    ck_assert_uint_eq(wbuf_len(&b), 2); /* counts the open grandchild */
    ck_assert(!wbuf_ok(&b));            /* ... which is still open */
    ck_assert(wbuf_close(&c));
    ck_assert(wbuf_put_u8(&b, 0x00));
    ck_assert(wbuf_open_vec24(&b, &c));
    ck_assert(wbuf_close(&c)); /* empty vector */
    ck_assert(wbuf_close(&b));
    ck_assert(wbuf_put_u16(&a, 0xbbcc));
    ck_assert(!wbuf_ok(&w)); /* a still open */
    ck_assert(wbuf_close(&a));
    ck_assert(wbuf_put_u8(&w, 0x00));
    ck_assert(wbuf_ok(&w));
    ck_assert_uint_eq(wbuf_len(&w), sizeof(want));
    ck_assert_mem_eq(wbuf_data(&w), want, sizeof(want));
    ck_assert_uint_eq(wbuf_len(&a), 10);
    ck_assert_ptr_eq(wbuf_data(&a), buf + 3);
    ck_assert(wbuf_ok(&w));

    /* writing to a closed child, or closing twice, is an error */
    ck_assert(!wbuf_put_u8(&a, 1));
    ck_assert(!wbuf_ok(&w));
    wbuf_cleanup(&w);
    ck_assert(wbuf_open_vec8(&w, &a));
    ck_assert(wbuf_close(&a));
    ck_assert(!wbuf_close(&a));
    ck_assert(!wbuf_ok(&w));
    /* closing a parent whose child is open is an error */
    wbuf_cleanup(&w);
    ck_assert(wbuf_open_vec8(&w, &a));
    ck_assert(wbuf_open_vec8(&a, &b));
    ck_assert(!wbuf_close(&a));
    ck_assert(!wbuf_ok(&w));
    /* a root cannot be closed */
    wbuf_cleanup(&w);
    ck_assert(!wbuf_close(&w));
}
END_TEST

/* Each prefix at its largest length closes; one byte more fails. */
static void check_prefix_limit(bool (*open)(struct wbuf *, struct wbuf *), size_t limit,
                               size_t prefix)
{
    struct wbuf w;
    struct wbuf child;

    wbuf_init(&w, limit + 16);
    ck_assert(open(&w, &child));
    ck_assert(wbuf_put_zeros(&child, limit));
    ck_assert(wbuf_close(&child));
    ck_assert(wbuf_ok(&w));
    ck_assert_uint_eq(wbuf_len(&w), prefix + limit);
    struct rbuf r;
    struct rbuf v;
    rbuf_init(&r, wbuf_data(&w), wbuf_len(&w));
    bool ok = prefix == 1   ? rbuf_get_vec8(&r, &v)
              : prefix == 2 ? rbuf_get_vec16(&r, &v)
                            : rbuf_get_vec24(&r, &v);
    ck_assert(ok);
    ck_assert_uint_eq(v.len, limit);
    ck_assert(rbuf_at_end(&r));
    wbuf_cleanup(&w);

    ck_assert(open(&w, &child));
    ck_assert(wbuf_put_zeros(&child, limit + 1));
    ck_assert(!wbuf_close(&child));
    ck_assert(!wbuf_ok(&w));
    ck_assert(!wbuf_put_u8(&w, 0));
    wbuf_cleanup(&w);
}

START_TEST(test_wbuf_prefix_overflow)
{
    check_prefix_limit(wbuf_open_vec8, 0xff, 1);
    check_prefix_limit(wbuf_open_vec16, 0xffff, 2);
    check_prefix_limit(wbuf_open_vec24, 0xffffff, 3);
}
END_TEST

/* The cap applies across children, and a failed open leaves a dead child. */
START_TEST(test_wbuf_child_cap)
{
    uint8_t buf[5];
    struct wbuf w;
    struct wbuf a;
    struct wbuf b;

    wbuf_init_fixed(&w, buf, sizeof(buf));
    ck_assert(wbuf_open_vec16(&w, &a));
    ck_assert(wbuf_put_u24(&a, 1));
    ck_assert(!wbuf_put_u8(&a, 1));
    ck_assert(!wbuf_close(&a));
    ck_assert(!wbuf_ok(&w));

    wbuf_init_fixed(&w, buf, 1);
    ck_assert(!wbuf_open_vec16(&w, &a));
    ck_assert(!wbuf_put_u8(&a, 1));
    ck_assert(!wbuf_open_vec8(&a, &b));
    ck_assert(!wbuf_close(&a));
    ck_assert(!wbuf_ok(&w));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("bytes");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_get_ints);
    tcase_add_test(tc, test_get_short_moves_nothing);
    tcase_add_test(tc, test_bytes_skip_copy);
    tcase_add_test(tc, test_vectors);
    tcase_add_test(tc, test_nested_vectors);
    tcase_add_test(tc, test_wbuf_ints);
    tcase_add_test(tc, test_wbuf_cap);
    tcase_add_test(tc, test_wbuf_children);
    tcase_add_test(tc, test_wbuf_prefix_overflow);
    tcase_add_test(tc, test_wbuf_child_cap);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
