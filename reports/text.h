/*
 * reports/text.h - the terminal view of scan results.
 *
 * Colour only when asked (the CLI asks when stdout is a terminal and
 * NO_COLOR is unset). Every string that came from a server is printed with
 * control characters made visible, so a certificate cannot drive the
 * terminal.
 */
#ifndef TLSAUDIT_REPORTS_TEXT_H
#define TLSAUDIT_REPORTS_TEXT_H

#include <stdbool.h>
#include <stdio.h>

#include "common/model/facts.h"

/* text_print_target writes the summary of one finished target. */
void text_print_target(FILE *out, const struct target_result *r, bool color);

/* text_visible writes s to out with every control byte (C0, DEL, C1 as
 * raw bytes, ESC) and every byte that is not valid UTF-8 shown as \xNN. */
void text_visible(FILE *out, const char *s);

#endif
