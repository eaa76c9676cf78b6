/*
 * common/model/grade.h - an SSL Labs-style letter grade of one target,
 * computed from its stored facts (no network, no clock, no store).
 *
 * Pipeline position: facts -> [grade_target] -> every report format and
 * `history`. It is a pure function of a struct target_result, so a report
 * of an old scan grades it again the same way byte for byte.
 *
 * The grade is APPROXIMATE (GRADE_LABEL): it follows the published SSL
 * Labs "SSL Server Rating Guide" (version 2009: the three category scores
 * and the letter thresholds) and the caps SSL Labs announced later, each
 * rule citing its source in grade.c's table, but tlsaudit runs no client
 * simulation: where SSL Labs asks "is this negotiated with a modern
 * client?", grade.c reads the server's stored order instead (each such
 * rule says so). STARTTLS and other non-HTTP services get no cap for what
 * only HTTP has (HSTS is asked only of HTTP services).
 *
 * Ownership: struct grade is caller storage with no pointers to free; the
 * caps' id, reason and source are static strings.
 */
#ifndef TLSAUDIT_MODEL_GRADE_H
#define TLSAUDIT_MODEL_GRADE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/model/facts.h"

/* The label every output prints next to a grade. */
#define GRADE_LABEL "approximate (SSL Labs rating guide 2009 + later caps)"

/* The letters, best first; T (trust) and M (name mismatch) are the
 * guide's "out of scope" grades that replace A+..F; GRADE_NONE: not
 * graded (the target was not scanned). */
enum grade_letter {
    GRADE_A_PLUS = 0,
    GRADE_A,
    GRADE_A_MINUS,
    GRADE_B,
    GRADE_C,
    GRADE_D,
    GRADE_E,
    GRADE_F,
    GRADE_T,
    GRADE_M,
    GRADE_NONE,
};
#define GRADE_LETTER_COUNT (GRADE_NONE + 1)

/* grade_letter_name: "A+", "A", "A-", "B" .. "F", "T", "M", "-" (none);
 * "?" out of range. Static text. */
const char *grade_letter_name(enum grade_letter g);

#define GRADE_TEXT 200
#define GRADE_CAPS_MAX 48

/* One cap that applied: the grade it limits the target to (GRADE_A:
 * "A+ withheld"; GRADE_T / GRADE_M: a trust or name problem), why, and the
 * facts that triggered it. */
struct grade_cap {
    enum grade_letter cap;
    const char *id;     /* stable id ("tls10_tls11", "rc4_modern" ...), static */
    const char *reason; /* in words, static */
    const char *source; /* where the rule comes from, static */
    char evidence[GRADE_TEXT];
};

struct grade {
    bool graded;                     /* false: not scanned (why_not says why) */
    char why_not[GRADE_TEXT];        /* "" when graded */
    enum grade_letter letter;        /* the grade: A+ .. F, or T / M */
    enum grade_letter trust_ignored; /* A+ .. F as if T / M did not apply */
    enum grade_letter score_letter;  /* from the score alone (Table 1) */
    int score;                       /* 0 .. 100: 30% protocol, 30% key exchange, 40% cipher */
    int protocol;                    /* category scores, 0 .. 100 */
    int key_exchange;                /* -1: no size known (note says so) */
    int cipher;
    bool from_enumeration;                 /* suites from the enumeration (else the handshakes) */
    char note[GRADE_TEXT];                 /* what limits the approximation here; "" none */
    struct grade_cap caps[GRADE_CAPS_MAX]; /* in rule order, each rule at most once */
    size_t n_caps;
};

/* grade_score_letter: the letter of a numerical score (the guide's Table 1). */
enum grade_letter grade_score_letter(int score);

/* grade_target fills *out with the grade of r. A target that was not
 * scanned (status other than ok) is not graded. */
void grade_target(const struct target_result *r, struct grade *out);

#endif
