/*
 * scanner/probes/hsts.c - the "hsts" probe (worker track): HSTS of an
 * HTTPS target and, when asked, the port-80 redirect (scanner/http.c),
 * pinned to the scanned address. Asked for when the scan has HTTP options
 * (not --offline), run when some version was accepted.
 */
#include "scanner/probes/registry.h"
#include "scanner/scan.h"

bool probe_hsts_wanted(const struct scan_options *o)
{
    return o->http != NULL;
}

enum probe_step probe_hsts_run(struct probe_ctx *c)
{
    http_check(c->o->http, c->r);
    return PROBE_NEXT;
}
