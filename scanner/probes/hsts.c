/*
 * scanner/probes/hsts.c - the "hsts" probe (worker track): HSTS of an
 * HTTPS target and, when asked, the port-80 redirect (scanner/http.c),
 * pinned to the scanned address. Asked for when the scan has HTTP options
 * (not --offline), run when some version was accepted, on direct-TLS
 * targets of no known application protocol (not on smtps, imaps ...).
 */
#include <string.h>

#include "scanner/probes/registry.h"
#include "scanner/scan.h"

bool probe_hsts_wanted(const struct scan_options *o)
{
    return o->http != NULL;
}

enum probe_step probe_hsts_run(struct probe_ctx *c)
{
    if (strcmp(c->proto->name, STARTTLS_NONE) != 0) {
        return PROBE_NEXT; /* HTTP means nothing to an SMTP or IMAP server */
    }
    http_check(c->o->http, c->r);
    return PROBE_NEXT;
}
