/*
 * cli/opts.h - one table per subcommand describes its options; getopt_long,
 * --help and the man page (cli/man.h) all come from it, so neither the help
 * nor the man page can drift from the parser.
 */
#ifndef TLSAUDIT_CLI_OPTS_H
#define TLSAUDIT_CLI_OPTS_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* One option: an id below 256 is also its short letter. */
struct opt_doc {
    const char *name;
    int has_arg; /* no_argument / required_argument */
    int id;
    const char *arg; /* the value's name in --help, NULL for none */
    const char *help;
};

/* opts_to_getopt fills out[0..n] (n + 1 entries, the last all zero) from
 * docs for getopt_long. */
void opts_to_getopt(const struct opt_doc *docs, size_t n, struct option *out);

/* opts_print writes the "  -x, --name ARG   help" lines of docs to out,
 * with the left column width wide. In roff mode (opts_set_roff) it writes
 * each option as a man(7) .TP paragraph instead, every line prefixed with
 * OPTS_ROFF_MARK so that cli/man.c passes them through its text filter
 * untouched. */
void opts_print(FILE *out, const struct opt_doc *docs, size_t n, int width);

/* The first byte of a line opts_print wrote in roff mode: help texts never
 * hold control characters, so it cannot clash with one of their lines. */
#define OPTS_ROFF_MARK '\001'

/* opts_set_roff switches opts_print between --help text (false, the
 * default) and man(7) source (true); process-wide, set only by
 * `tlsaudit --man` (cli/man.c) while it captures the help texts. */
void opts_set_roff(bool on);

/* opts_roff_text writes s to out as man(7) text: backslashes as \e, '-' as
 * \-, a line never starting with '.' or '\'' (a request), control bytes
 * dropped. Writes no newline. */
void opts_roff_text(FILE *out, const char *s);

/* opts_roff_fill writes s as opts_roff_text does, for filled text: the
 * source lines are broken at spaces after about 72 bytes (man(7) source
 * lines stay under 80), each new one starting with mark unless mark is 0.
 * Writes no final newline. */
void opts_roff_fill(FILE *out, const char *s, char mark);

#endif
