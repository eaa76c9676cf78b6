/*
 * reports/grade_view.h - the words every report format uses for a
 * target's grade (common/model/grade.h), and its text-view block.
 *
 * Pipeline position: facts -> grade_target -> [this file] -> text,
 * Markdown, CSV, JUnit, HTML (JSON builds its object in reports/json.c).
 * Strings in a cap's evidence may come from a server (a certificate name,
 * a probe's detail): each caller escapes them for its format.
 */
#ifndef TLSAUDIT_REPORTS_GRADE_VIEW_H
#define TLSAUDIT_REPORTS_GRADE_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/model/facts.h"
#include "common/model/grade.h"

/* grade_view_letter writes the grade as every summary shows it into buf:
 * "A+", "B", "T (A+ if trusted)", "M (B if the name matched)", or "-"
 * when not graded. Returns buf. */
const char *grade_view_letter(const struct grade *g, char *buf, size_t len);

/* grade_view_scores writes "score 93: protocol 100, key exchange 90,
 * cipher 90" into buf. Returns buf. */
const char *grade_view_scores(const struct grade *g, char *buf, size_t len);

/* grade_view_text writes the text view's Grade lines for r (nothing for a
 * target not scanned): the grade, GRADE_LABEL, the scores, then one line
 * per cap with its reason, evidence (control characters made visible) and
 * source. */
void grade_view_text(FILE *out, const struct target_result *r, bool color);

#endif
