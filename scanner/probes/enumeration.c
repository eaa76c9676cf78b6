/*
 * scanner/probes/enumeration.c - the "enumeration" probe (loop track):
 * the complete raw-ClientHello enumeration of scanner/enumerate.c, queued
 * on the unit's loop group within the unit's budget deadline; its
 * enum_facts go into the target's enumeration.
 */
#include "scanner/enumerate.h"
#include "scanner/probes/registry.h"
#include "scanner/scan.h"

bool probe_enumeration_wanted(const struct scan_options *o)
{
    return o->enumerate;
}

int probe_enumeration_start(struct probe_ctx *c, void (*done)(void *arg), void *arg)
{
    if (c->hso.dialogue != NULL) {
        /* A STARTTLS target: gentler (mail servers rate-limit), and each
         * attempt gets the greeting's time too. */
        unsigned cap = c->o->starttls_max_conn;
        if (net_group_limits(c->loop, c->group, cap, probe_greeting_ms(c)) != 0) {
            return -1;
        }
    }
    return enum_start(c->loop, c->group, &c->addr->sa, c->addr->sa_len, c->r->sni, c->hso.dialogue,
                      c->deadline, &c->r->enumeration, done, arg);
}
