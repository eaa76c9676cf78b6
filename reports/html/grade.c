/*
 * reports/html/grade.c - the HTML report's Grade block of one target
 * (common/model/grade.h): the letter, GRADE_LABEL, the three category
 * scores, and a table of the caps with their reason, evidence (escaped:
 * it may quote a certificate or a server's answer) and source; and the
 * grade's badge in the summary's table of targets.
 */
#include <stdio.h>

#include "common/model/grade.h"
#include "reports/grade_view.h"
#include "reports/html/html.h"

static const char *grade_class(enum grade_letter l)
{
    if (l <= GRADE_A_MINUS) {
        return "v-pass";
    }
    return l == GRADE_B || l == GRADE_C ? "v-warn" : "v-fail";
}

void html_put_grade_badge(struct html_ctx *c, const struct target_result *r)
{
    struct grade g;
    grade_target(r, &g);
    char letter[64];
    if (!g.graded) {
        fputs("-", c->out);
        return;
    }
    html_put_badge(c, grade_class(g.letter), grade_view_letter(&g, letter, sizeof(letter)));
}

void html_put_grade(struct html_ctx *c, const struct target_result *r)
{
    struct grade g;
    grade_target(r, &g);
    if (!g.graded) {
        return;
    }
    char letter[64], scores[96];
    fputs("<h4>Grade</h4>\n<p>", c->out);
    html_put_badge(c, grade_class(g.letter), grade_view_letter(&g, letter, sizeof(letter)));
    fprintf(c->out, " %s <span class=\"muted\">(%s)</span></p>\n",
            grade_view_scores(&g, scores, sizeof(scores)), GRADE_LABEL);
    if (g.note[0] != '\0') {
        fputs("<p class=\"muted\">", c->out);
        html_text(c, g.note);
        fputs("</p>\n", c->out);
    }
    if (g.n_caps == 0) {
        return;
    }
    fputs("<table>\n<thead><tr><th>Cap</th><th>Rule</th><th>Reason</th><th>Evidence</th>"
          "<th>Source</th></tr></thead>\n<tbody>\n",
          c->out);
    for (size_t i = 0; i < g.n_caps; i++) {
        const struct grade_cap *k = &g.caps[i];
        fputs("<tr><td>", c->out);
        html_put_badge(c, grade_class(k->cap), grade_letter_name(k->cap));
        fputs("</td><td class=\"mono\">", c->out);
        html_text(c, k->id);
        fputs("</td><td>", c->out);
        html_text(c, k->reason);
        fputs("</td><td>", c->out);
        html_text(c, k->evidence);
        fputs("</td><td>", c->out);
        html_text(c, k->source);
        fputs("</td></tr>\n", c->out);
    }
    fputs("</tbody>\n</table>\n", c->out);
}
