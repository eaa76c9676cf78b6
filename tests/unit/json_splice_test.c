/*
 * tests/unit/json_splice_test.c - unit tests of reports/json_splice.c: a
 * document written with its arrays streamed (into a temporary file, or
 * straight into the output) and a whole document copied into a hole must
 * be byte for byte jansson's dump of the same tree, at every depth, for
 * empty and non-empty arrays, with and without JSON_ENSURE_ASCII; a string
 * equal to the hole does not move a part; a hole asked for at the wrong
 * key or depth fails.
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "reports/json_splice.h"

/* The hole's text as a hostile server could send it (json_splice.c). */
#define HOLE_TEXT "@@tlsaudit-splice@@"

/* element i of an array: an object with nested values, hostile strings
 * (a newline, an ESC, a quote, non-ASCII, the hole's own text). */
static json_t *element(size_t i)
{
    return json_pack("{s:I, s:s, s:[s, {s:s}], s:{}, s:[]}", "i", (json_int_t)i, "name",
                     i % 2 ? "l\xc3\xa9gacy\n\x1b[31m\"x\"" : HOLE_TEXT, "list", "a", "deep",
                     HOLE_TEXT, "empty_object", "empty_array");
}

static json_t *array_of(size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(a, element(i));
    }
    return a;
}

/* read_all returns what f holds from its start (malloc'ed). */
static char *read_all(FILE *f)
{
    ck_assert_int_eq(fflush(f), 0);
    long len = ftell(f);
    ck_assert_int_ge(len, 0);
    char *buf = calloc((size_t)len + 1, 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_int_eq(fseek(f, 0, SEEK_SET), 0);
    ck_assert_uint_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
    return buf;
}

/* The document: {"title": HOLE_TEXT, "doc": {...}, "runs": [{"items": [...]}],
 * "targets": [...], "tail": ...} with n targets, n_items items in the run
 * and an embedded document; written in parts, and whole. */
static void check_document(size_t n, size_t n_items, size_t flags)
{
    json_t *doc = json_pack("{s:s, s:o, s:[]}", "schema", "inner", "targets", array_of(n), "none");
    json_t *whole =
        json_pack("{s:s, s:O, s:[{s:s, s:o}], s:o, s:s}", "title", HOLE_TEXT, "doc", doc, "runs",
                  "id", "r1", "items", array_of(n_items), "targets", array_of(n), "tail", "end");
    char *want = json_dumps(whole, JSON_INDENT(2) | flags);
    ck_assert_ptr_nonnull(want);

    /* The embedded document, written as check_report writes one: its dump
     * and a newline, in a file of its own. */
    FILE *docf = tmpfile();
    ck_assert_ptr_nonnull(docf);
    char *doctext = json_dumps(doc, JSON_INDENT(2) | flags);
    fprintf(docf, "%s\n", doctext);
    free(doctext);

    struct json_part items;
    ck_assert_int_eq(json_part_open(&items, 4, flags), 0);
    for (size_t i = 0; i < n_items; i++) {
        ck_assert_int_eq(json_part_add(&items, element(i)), 0);
    }
    json_t *skel = json_pack("{s:s, s:o, s:[{s:s, s:o}], s:o, s:s}", "title", HOLE_TEXT, "doc",
                             json_splice_hole(), "runs", "id", "r1", "items", json_splice_hole(),
                             "targets", json_splice_hole(), "tail", "end");
    FILE *out = tmpfile();
    ck_assert_ptr_nonnull(out);
    struct json_splice s;
    ck_assert_int_eq(json_splice_begin(&s, out, skel, flags), 0);
    json_decref(skel);
    ck_assert_int_eq(json_splice_value(&s, "doc", 1, docf), 0);
    ck_assert_int_eq(json_splice_part(&s, "items", &items), 0);
    ck_assert_int_eq(json_splice_open(&s, "targets", 1), 0);
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(json_splice_put(out, element(i), 2, flags, i == 0), 0);
    }
    ck_assert_int_eq(json_splice_close(&s, 1, n), 0);
    ck_assert_int_eq(json_splice_finish(&s, 0), 0);
    char *got = read_all(out);
    size_t len = strlen(want);
    ck_assert_msg(strncmp(got, want, len) == 0 && strcmp(got + len, "\n") == 0,
                  "%zu targets, %zu items, flags %zx:\n--- want\n%s\n--- got\n%s", n, n_items,
                  flags, want, got);
    for (const unsigned char *p = (const unsigned char *)got; flags != 0 && *p != '\0'; p++) {
        ck_assert_uint_lt(*p, 0x80);
    }
    free(got);
    free(want);
    json_part_close(&items);
    fclose(docf);
    fclose(out);
    json_decref(doc);
    json_decref(whole);
}

START_TEST(test_splice_equals_dump)
{
    size_t counts[] = {0, 1, 3};
    size_t flags[] = {0, JSON_ENSURE_ASCII};
    for (size_t a = 0; a < 3; a++) {
        for (size_t b = 0; b < 3; b++) {
            for (size_t f = 0; f < 2; f++) {
                check_document(counts[a], counts[b], flags[f]);
            }
        }
    }
}
END_TEST

/* A hole is found only as the value of its key at its depth: asked at
 * another depth or under another key, nothing is written and it fails;
 * holes must be filled in the order of the document. */
START_TEST(test_wrong_hole_fails)
{
    json_t *skel =
        json_pack("{s:{s:o}, s:o}", "a", "inner", json_splice_hole(), "b", json_splice_hole());
    FILE *out = tmpfile();
    ck_assert_ptr_nonnull(out);
    struct json_splice s;
    ck_assert_int_eq(json_splice_begin(&s, out, skel, 0), 0);
    ck_assert_int_eq(json_splice_open(&s, "inner", 1), -1); /* it is at depth 2 */
    ck_assert_int_eq(json_splice_open(&s, "c", 1), -1);
    ck_assert_int_eq(ftell(out), 0);
    ck_assert_int_eq(json_splice_open(&s, "b", 1), 0); /* past a's hole */
    ck_assert_int_eq(json_splice_close(&s, 1, 0), 0);
    ck_assert_int_eq(json_splice_open(&s, "inner", 2), -1); /* behind: not found */
    ck_assert_int_eq(json_splice_finish(&s, -1), -1);
    ck_assert_ptr_null(s.text);
    ck_assert_int_eq(json_splice_begin(&s, out, NULL, 0), -1);
    ck_assert_int_eq(json_splice_finish(&s, -1), -1);
    json_decref(skel);
    fclose(out);
}
END_TEST

/* A part whose file cannot be read back fails the splice. */
START_TEST(test_unreadable_part_fails)
{
    json_t *skel = json_pack("{s:o}", "a", json_splice_hole());
    FILE *out = tmpfile();
    FILE *wo = fopen("/dev/null", "w"); /* write-only: reading it back fails */
    ck_assert_ptr_nonnull(out);
    ck_assert_ptr_nonnull(wo);
    struct json_part p = {.f = wo, .n = 1, .depth = 2};
    struct json_splice s;
    ck_assert_int_eq(json_splice_begin(&s, out, skel, 0), 0);
    ck_assert_int_eq(json_splice_part(&s, "a", &p), -1);
    ck_assert_int_eq(json_splice_finish(&s, -1), -1);
    ck_assert_int_eq(json_splice_put(out, NULL, 1, 0, true), -1);
    fclose(wo);
    fclose(out);
    json_decref(skel);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("json_splice");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_splice_equals_dump);
    tcase_add_test(tc, test_wrong_hole_fails);
    tcase_add_test(tc, test_unreadable_part_fails);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
