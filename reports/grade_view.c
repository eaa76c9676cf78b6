/*
 * reports/grade_view.c - the grade's words shared by the report formats
 * and the text view's Grade lines (reports/grade_view.h).
 */
#include "reports/grade_view.h"

#include <stdio.h>
#include <string.h>

#include "reports/text.h"

const char *grade_view_letter(const struct grade *g, char *buf, size_t len)
{
    if (!g->graded) {
        (void)snprintf(buf, len, "-");
    } else if (g->letter == GRADE_T) {
        (void)snprintf(buf, len, "T (%s if trusted)", grade_letter_name(g->trust_ignored));
    } else if (g->letter == GRADE_M) {
        (void)snprintf(buf, len, "M (%s if the name matched)", grade_letter_name(g->trust_ignored));
    } else {
        (void)snprintf(buf, len, "%s", grade_letter_name(g->letter));
    }
    return buf;
}

const char *grade_view_scores(const struct grade *g, char *buf, size_t len)
{
    char kex[16] = "unknown";
    if (g->key_exchange >= 0) {
        (void)snprintf(kex, sizeof(kex), "%d", g->key_exchange);
    }
    (void)snprintf(buf, len, "score %d: protocol %d, key exchange %s, cipher %d", g->score,
                   g->protocol, kex, g->cipher);
    return buf;
}

void grade_view_text(FILE *out, const struct target_result *r, bool color)
{
    struct grade g;
    grade_target(r, &g);
    if (!g.graded) {
        return;
    }
    char letter[64], scores[96];
    const char *on = color ? "\033[1m" : "", *off = color ? "\033[0m" : "";
    fprintf(out, "  %-8s %s%s%s, %s; %s\n", "Grade", on,
            grade_view_letter(&g, letter, sizeof(letter)), off,
            grade_view_scores(&g, scores, sizeof(scores)), GRADE_LABEL);
    if (g.note[0] != '\0') {
        fprintf(out, "  %-8s note: %s\n", "", g.note);
    }
    for (size_t i = 0; i < g.n_caps; i++) {
        const struct grade_cap *c = &g.caps[i];
        if (c->cap == GRADE_A) {
            fprintf(out, "  %-8s %s: ", "", c->reason); /* "A+ withheld: ..." */
        } else {
            fprintf(out, "  %-8s capped at %s: %s: ", "", grade_letter_name(c->cap), c->reason);
        }
        text_visible(out, c->evidence);
        fprintf(out, " [%s; %s]\n", c->id, c->source);
    }
}
