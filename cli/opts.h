/*
 * cli/opts.h - one table per subcommand describes its options; getopt_long
 * and --help both come from it, so the help cannot drift from the parser.
 */
#ifndef TLSAUDIT_CLI_OPTS_H
#define TLSAUDIT_CLI_OPTS_H

#include <getopt.h>
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
 * with the left column width wide. */
void opts_print(FILE *out, const struct opt_doc *docs, size_t n, int width);

#endif
