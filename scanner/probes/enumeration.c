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
    return enum_start(c->loop, c->group, &c->addr->sa, c->addr->sa_len, c->r->sni, c->deadline,
                      &c->r->enumeration, done, arg);
}
