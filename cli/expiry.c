/*
 * cli/expiry.c - the `--fail-on-expiring DAYS` gate of `scan` and `check`
 * (cli/expiry.h): report_expiring over the stored scan, each certificate
 * it finds named on stderr.
 *
 * Pipeline position: a stored scan, loaded (reports/report.c,
 * report_load) or read one target at a time (store_each_target) ->
 * [cli_expiry_gate, cli_expiry_gate_scan] -> stderr and the command's exit
 * code. Either way each target's certificates are listed alone
 * (report_expiring of a one-target view) and only the lines of those that
 * expire are kept, sorted as report_expiring sorts the whole scan's
 * (soonest first, then target order, deployment, chain position).
 *
 * Invariant: every string that came from a server (the subject) and the
 * target's host and SNI as stored go through esc_visible.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/expiry.h"
#include "common/util.h"
#include "reports/escape.h"

/* put_expiry writes one certificate's line of target r to f: target,
 * deployment, position, subject, expiry, days, SHA-256 prefix. */
static void put_expiry(FILE *f, const struct target_result *r, const struct report_expiry *e)
{
    struct deployment_view v;
    char day[16];
    target_deployment(r, e->deployment, &v);
    bool v6 = r->host != NULL && strchr(r->host, ':') != NULL;
    fputs(v6 ? "  [" : "  ", f);
    esc_visible(f, r->host != NULL ? r->host : "");
    fprintf(f, "%s:%u", v6 ? "]" : "", (unsigned)r->port);
    if (r->sni != NULL) {
        fputs(" SNI ", f);
        esc_visible(f, r->sni);
    }
    fputs(": ", f);
    if (e->deployment > 0) {
        esc_visible(f, v.label);
        fputs(" ", f);
    }
    fprintf(f, "%s ", e->position == 0 ? "leaf" : "chain certificate");
    if (e->position > 0) {
        fprintf(f, "#%zu ", e->position);
    }
    esc_visible(f, e->cert->subject != NULL ? e->cert->subject : "");
    util_iso_date(e->not_after, day, sizeof(day));
    if (e->expired) {
        fprintf(f, " expired %s", day);
    } else {
        fprintf(f, " expires %s (in %lld day%s)", day, (long long)e->days_left,
                e->days_left == 1 ? "" : "s");
    }
    fprintf(f, ", sha256 %.16s\n", e->cert->sha256);
}

/* One certificate found so far: its sort key and its line. */
struct expiry_line {
    int64_t not_after;
    size_t target, deployment, position;
    char *text;
};

/* The certificates found so far, target after target. */
struct expiry_acc {
    int64_t now_ms;
    int days;
    size_t n_targets; /* targets seen: the index of the next */
    struct expiry_line *lines;
    size_t n, cap;
    bool failed; /* out of memory */
};

/* expiry_add_target adds the certificates of r (the next target) that
 * expire within acc's days. Returns 0 or -1 (out of memory). */
static int expiry_add_target(struct expiry_acc *acc, const struct target_result *r)
{
    struct report_data one = {.targets = (struct target_result *)r, .n_targets = 1};
    struct report_expiry *list = NULL;
    size_t n = 0;
    size_t t = acc->n_targets++;
    if (report_expiring(&one, acc->now_ms, acc->days, &list, &n) != 0) {
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (acc->n == acc->cap) {
            size_t cap = acc->cap ? acc->cap * 2 : 16;
            struct expiry_line *p = realloc(acc->lines, cap * sizeof(*p));
            if (p == NULL) {
                rc = -1;
                break;
            }
            acc->lines = p;
            acc->cap = cap;
        }
        struct expiry_line *l = &acc->lines[acc->n];
        *l = (struct expiry_line){list[i].not_after, t, list[i].deployment, list[i].position, NULL};
        size_t len = 0;
        FILE *mem = open_memstream(&l->text, &len);
        if (mem != NULL) {
            put_expiry(mem, r, &list[i]);
        }
        if (mem == NULL || fclose(mem) != 0) {
            free(l->text);
            rc = -1;
        } else {
            acc->n++;
        }
    }
    free(list);
    return rc;
}

static int expiry_cmp(const void *pa, const void *pb)
{
    const struct expiry_line *a = pa, *b = pb;
    if (a->not_after != b->not_after) {
        return a->not_after < b->not_after ? -1 : 1;
    }
    if (a->target != b->target) {
        return a->target < b->target ? -1 : 1;
    }
    if (a->deployment != b->deployment) {
        return a->deployment < b->deployment ? -1 : 1;
    }
    return a->position < b->position ? -1 : (a->position > b->position);
}

/* expiry_report prints what acc found (its header and lines, soonest
 * first; nothing when print is false) and frees it. Returns the number
 * found. */
static int expiry_report(const char *cmd, struct expiry_acc *acc, bool print)
{
    size_t n = acc->n;
    if (print && n > 0) {
        int days = acc->days;
        qsort(acc->lines, n, sizeof(*acc->lines), expiry_cmp);
        fprintf(stderr,
                "tlsaudit %s: --fail-on-expiring %d: %zu certificate%s expire%s within %d day%s:\n",
                cmd, days, n, n == 1 ? "" : "s", n == 1 ? "s" : "", days, days == 1 ? "" : "s");
    }
    for (size_t i = 0; i < n; i++) {
        if (print) {
            fputs(acc->lines[i].text, stderr);
        }
        free(acc->lines[i].text);
    }
    free(acc->lines);
    return n > 0x7fffffff ? 0x7fffffff : (int)n;
}

int cli_expiry_gate(const char *cmd, const struct report_data *d, int days)
{
    struct expiry_acc acc = {.now_ms = util_now_ms(), .days = days};
    for (size_t t = 0; t < d->n_targets && !acc.failed; t++) {
        acc.failed = expiry_add_target(&acc, &d->targets[t]) != 0;
    }
    if (acc.failed) {
        fprintf(stderr, "tlsaudit %s: --fail-on-expiring: out of memory\n", cmd);
    }
    int n = expiry_report(cmd, &acc, !acc.failed);
    return acc.failed ? -1 : n;
}

static int expiry_walk(void *arg, struct target_result *r, int64_t id)
{
    struct expiry_acc *acc = arg;
    (void)id;
    acc->failed = expiry_add_target(acc, r) != 0;
    return acc->failed ? 1 : 0;
}

int cli_expiry_gate_scan(const char *cmd, struct store *s, int64_t scan_id, int days)
{
    struct expiry_acc acc = {.now_ms = util_now_ms(), .days = days};
    int rc = store_each_target(s, scan_id, expiry_walk, &acc);
    if (rc != 0) {
        fprintf(stderr, "tlsaudit %s: --fail-on-expiring: %s\n", cmd,
                acc.failed ? "out of memory" : store_errmsg(s));
    }
    int n = expiry_report(cmd, &acc, rc == 0);
    return rc != 0 ? -1 : n;
}
