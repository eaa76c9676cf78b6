/*
 * policies/checks/judge.c - what every check writes with: bounded evidence
 * text (struct ev), the four piles of evidence a check collects and the
 * verdict they give (struct judge: fail > inconclusive > warn > pass), and
 * the growing text of a check's parameters for `policies show`.
 *
 * Where it sits: a check's eval function -> [judge] -> eval.c's finding.
 * Invariant: evidence never exceeds EVAL_TEXT bytes; cut text ends "...".
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "policies/checks/checks.h"

/* ---- evidence text ------------------------------------------------------- */

void ev_init(struct ev *e)
{
    e->buf[0] = '\0';
    e->len = 0;
    e->cut = false;
}

__attribute__((format(printf, 2, 3))) void ev_add(struct ev *e, const char *fmt, ...)
{
    if (e->cut) {
        return;
    }
    size_t room = sizeof(e->buf) - e->len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(e->buf + e->len, room, fmt, ap);
    va_end(ap);
    if (n < 0) {
        e->buf[e->len] = '\0';
        return;
    }
    if ((size_t)n < room) {
        e->len += (size_t)n;
        return;
    }
    e->cut = true;
    e->len = sizeof(e->buf) - 1;
    memcpy(e->buf + sizeof(e->buf) - 4, "...", 4);
}

/* ev_sep starts a new item: "; " unless e is empty. */
void ev_sep(struct ev *e)
{
    if (e->len > 0) {
        ev_add(e, "; ");
    }
}

void judge_init(struct judge *j)
{
    ev_init(&j->fail);
    ev_init(&j->warn);
    ev_init(&j->unknown);
    ev_init(&j->ok);
    j->failed = false;
    j->warned = false;
    j->unsure = false;
}

struct ev *judge_fail(struct judge *j)
{
    j->failed = true;
    ev_sep(&j->fail);
    return &j->fail;
}

struct ev *judge_warn(struct judge *j)
{
    j->warned = true;
    ev_sep(&j->warn);
    return &j->warn;
}

struct ev *judge_unknown(struct judge *j)
{
    j->unsure = true;
    ev_sep(&j->unknown);
    return &j->unknown;
}

struct ev *judge_ok(struct judge *j)
{
    ev_sep(&j->ok);
    return &j->ok;
}

/* judge_end picks the verdict (fail > inconclusive > warn > pass) and its
 * evidence; a failure also mentions what could not be determined. */
enum verdict judge_end(struct judge *j, char *out, size_t out_size)
{
    if (j->failed) {
        if (j->unsure) {
            ev_add(&j->fail, " (not determined: %s)", j->unknown.buf);
        }
        util_copy(out, out_size, j->fail.buf);
        return VERDICT_FAIL;
    }
    if (j->unsure) {
        util_copy(out, out_size, j->unknown.buf);
        return VERDICT_INCONCLUSIVE;
    }
    if (j->warned) {
        util_copy(out, out_size, j->warn.buf);
        return VERDICT_WARN;
    }
    util_copy(out, out_size, j->ok.buf);
    return VERDICT_PASS;
}

/* ---- the parameters in one line, for `policies show` ----------------------- */

__attribute__((format(printf, 2, 3))) void load_buf_add(struct load_buf *b, const char *fmt, ...)
{
    if (b->oom) {
        return;
    }
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->s != NULL ? b->s + b->len : NULL, b->s != NULL ? b->cap - b->len : 0,
                          fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = true;
            return;
        }
        if (b->s != NULL && (size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t ncap = (b->cap ? b->cap * 2 : 128) + (size_t)n;
        char *grown = realloc(b->s, ncap);
        if (grown == NULL) {
            b->oom = true;
            return;
        }
        b->s = grown;
        b->cap = ncap;
    }
}
