/*
 * tests/unit/opts_test.c - unit tests for cli/opts: the roff escaping and
 * filling the man page is written with (no text becomes a request, no word
 * is lost, source lines stay short) and opts_print in both modes.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/opts.h"

/* run_text / run_fill: what opts_roff_text / opts_roff_fill write for s. */
static char *run_text(const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    opts_roff_text(f, s);
    fclose(f);
    return buf;
}

static char *run_fill(const char *s, char mark)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    opts_roff_fill(f, s, mark);
    fclose(f);
    return buf;
}

START_TEST(test_text_escapes)
{
    struct {
        const char *in, *want;
    } cases[] = {
        {"plain words", "plain words"},
        {"--fail-on", "\\-\\-fail\\-on"},
        {"a\\b", "a\\eb"},
        {".TH evil", "\\&.TH evil"},
        {"'br", "\\&'br"},
        {"...", "\\&..."},
        {"a.b 'c'", "a.b 'c'"},
        {"x\n.SH y", "x\n\\&.SH y"},
        {"bell\a del\x7f tab\t", "bell del tab"},
        {"\\fBbold", "\\efBbold"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *got = run_text(cases[i].in);
        ck_assert_msg(strcmp(got, cases[i].want) == 0, "'%s': want '%s', got '%s'", cases[i].in,
                      cases[i].want, got);
        free(got);
    }
}
END_TEST

/* fill_words: the words of a filled output, each unescaped back. */
static void check_fill(const char *in, char mark)
{
    char *got = run_fill(in, mark);
    /* No source line longer than 80 bytes, none starting with a request,
     * each after the first starting with mark. */
    size_t n_lines = 0;
    for (char *line = got; line != NULL;) {
        char *nl = strchr(line, '\n');
        size_t len = nl != NULL ? (size_t)(nl - line) : strlen(line);
        ck_assert_msg(len <= 80, "line of %zu bytes: %.*s", len, (int)len, line);
        const char *t = line;
        if (n_lines > 0 && mark != 0) {
            ck_assert_int_eq(t[0], mark);
            t++;
        }
        ck_assert_msg(t[0] != '.' && t[0] != '\'', "a line starts a request: %.*s", (int)len, line);
        n_lines++;
        line = nl != NULL ? nl + 1 : NULL;
    }
    /* The same words in the same order: unescape and compare. */
    char *flat = malloc(strlen(got) + 1);
    size_t k = 0;
    for (const char *p = got; *p != '\0'; p++) {
        if (*p == mark && mark != 0) {
            continue;
        }
        if (p[0] == '\\' && p[1] == '&') {
            p++;
            continue;
        }
        if (p[0] == '\\' && p[1] == '-') {
            flat[k++] = '-';
            p++;
            continue;
        }
        flat[k++] = *p == '\n' ? ' ' : *p;
    }
    flat[k] = '\0';
    char *want = malloc(strlen(in) + 1);
    k = 0;
    for (const char *p = in; *p != '\0'; p++) {
        if (*p == ' ' && (k == 0 || want[k - 1] == ' ')) {
            continue;
        }
        want[k++] = *p;
    }
    while (k > 0 && want[k - 1] == ' ') {
        k--;
    }
    want[k] = '\0';
    ck_assert_str_eq(flat, want);
    free(want);
    free(flat);
    free(got);
}

START_TEST(test_fill)
{
    check_fill("short", 0);
    check_fill("", 0);
    check_fill("   leading and  double   spaces collapse  ", 0);
    /* A long help text with options and a word that starts with '.'. */
    check_fill("exit 1 when a certificate of any served chain expires within DAYS (expired ones "
               "included; the certificates --expiring DAYS lists), each one named on stderr "
               ".yaml files and 'quoted' words ---------------------------- more text after it",
               0);
    check_fill("the same text with a mark: read targets from FILE (one per line: TARGET "
               "[sni=NAME] [tags=TAG,...] [starttls=PROTO]; '#' comments; '-' = stdin) and "
               "some more words to pass two lines of source",
               OPTS_ROFF_MARK);
    /* Every word a candidate for a line start. */
    char many[2048] = "";
    for (int i = 0; i < 150; i++) {
        strcat(many, i % 3 == 0 ? ".dot " : i % 3 == 1 ? "'q " : "-x ");
    }
    check_fill(many, 0);
}
END_TEST

START_TEST(test_print_modes)
{
    static const struct opt_doc docs[] = {
        {"policy", required_argument, 'p', "P", "evaluate policy P"},
        {"dry-run", no_argument, 300, NULL, ".starts with a dot"},
    };
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    opts_print(f, docs, 2, 20);
    fclose(f);
    ck_assert_str_eq(buf, "  -p, --policy P       evaluate policy P\n"
                          "      --dry-run        .starts with a dot\n");
    free(buf);

    opts_set_roff(true);
    f = open_memstream(&buf, &len);
    opts_print(f, docs, 2, 20);
    fclose(f);
    opts_set_roff(false);
    ck_assert_str_eq(buf, "\001.TP\n\001\\fB\\-p\\fR, \\fB\\-\\-policy\\fR \\fIP\\fR\n"
                          "\001evaluate policy P\n"
                          "\001.TP\n\001\\fB\\-\\-dry\\-run\\fR\n"
                          "\001\\&.starts with a dot\n");
    free(buf);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("opts");
    TCase *tc = tcase_create("roff");
    tcase_add_test(tc, test_text_escapes);
    tcase_add_test(tc, test_fill);
    tcase_add_test(tc, test_print_modes);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
