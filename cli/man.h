/*
 * cli/man.h - the man page tlsaudit(1), written by the hidden command
 * `tlsaudit --man DATE` that `make` runs to build tlsaudit.1.
 *
 * Nothing in it is typed twice: the command list, the exit codes and the
 * one-line description come from the usage text of `tlsaudit --help`
 * (cli/main.c), each command's section from its own --help, whose option
 * lists opts_print writes straight from the option tables in roff mode
 * (cli/opts.h). A new command or option therefore appears in the man page
 * as soon as it appears in --help. Only the sections --help has no room
 * for (ENVIRONMENT, FILES, EXAMPLES, SEE ALSO) are written here.
 */
#ifndef TLSAUDIT_CLI_MAN_H
#define TLSAUDIT_CLI_MAN_H

#include <stdio.h>

/* man_run_fn runs the program's command line argv (argc entries); it is
 * cli/main.c's dispatcher, called with {"tlsaudit", "help", NAME}. */
typedef int (*man_run_fn)(int argc, char **argv);

/* man_write writes tlsaudit(1) in man(7) to out: usage is the text of
 * `tlsaudit --help`, run the dispatcher that prints each command's help
 * (captured from stdout through a temporary file), date the page's date
 * (YYYY-MM-DD). Returns 0, or 2 after "tlsaudit --man: ..." on stderr. */
int man_write(FILE *out, const char *usage, man_run_fn run, const char *date);

#endif
