/*
 * cli/expiry.c - the `--fail-on-expiring DAYS` gate of `scan` and `check`
 * (cli/expiry.h): report_expiring over the stored scan, each certificate
 * it finds named on stderr.
 *
 * Pipeline position: a stored scan read back (reports/report.c,
 * report_load) -> [cli_expiry_gate] -> stderr and the command's exit code.
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

/* put_expiry writes one certificate's line: target, deployment, position,
 * subject, expiry, days, SHA-256 prefix. */
static void put_expiry(const struct report_data *d, const struct report_expiry *e)
{
    const struct target_result *r = &d->targets[e->target];
    struct deployment_view v;
    char day[16];
    target_deployment(r, e->deployment, &v);
    bool v6 = r->host != NULL && strchr(r->host, ':') != NULL;
    fputs(v6 ? "  [" : "  ", stderr);
    esc_visible(stderr, r->host != NULL ? r->host : "");
    fprintf(stderr, "%s:%u", v6 ? "]" : "", (unsigned)r->port);
    if (r->sni != NULL) {
        fputs(" SNI ", stderr);
        esc_visible(stderr, r->sni);
    }
    fputs(": ", stderr);
    if (e->deployment > 0) {
        esc_visible(stderr, v.label);
        fputs(" ", stderr);
    }
    fprintf(stderr, "%s ", e->position == 0 ? "leaf" : "chain certificate");
    if (e->position > 0) {
        fprintf(stderr, "#%zu ", e->position);
    }
    esc_visible(stderr, e->cert->subject != NULL ? e->cert->subject : "");
    util_iso_date(e->not_after, day, sizeof(day));
    if (e->expired) {
        fprintf(stderr, " expired %s", day);
    } else {
        fprintf(stderr, " expires %s (in %lld day%s)", day, (long long)e->days_left,
                e->days_left == 1 ? "" : "s");
    }
    fprintf(stderr, ", sha256 %.16s\n", e->cert->sha256);
}

int cli_expiry_gate(const char *cmd, const struct report_data *d, int days)
{
    struct report_expiry *list = NULL;
    size_t n = 0;
    if (report_expiring(d, util_now_ms(), days, &list, &n) != 0) {
        fprintf(stderr, "tlsaudit %s: --fail-on-expiring: out of memory\n", cmd);
        return -1;
    }
    if (n > 0) {
        fprintf(stderr,
                "tlsaudit %s: --fail-on-expiring %d: %zu certificate%s expire%s within %d day%s:\n",
                cmd, days, n, n == 1 ? "" : "s", n == 1 ? "s" : "", days, days == 1 ? "" : "s");
    }
    for (size_t i = 0; i < n; i++) {
        put_expiry(d, &list[i]);
    }
    free(list);
    return n > 0x7fffffff ? 0x7fffffff : (int)n;
}
