/*
 * policies/checks/inventory.c - inventories (PCI DSS v4.0.1 Req 4.2.1.1 and
 * 12.3.3): `inventory: certificates` and `inventory: protocols_and_suites`
 * list what is in use as the evidence of an informational finding.
 *
 * Where it sits: check_table (table.c) -> [load, describe, eval here].
 * Invariant: an inventory with nothing collected is inconclusive.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "common/model/registry.h"
#include "policies/checks/checks.h"

bool load_c_inventory(struct pfile *f, const yaml_node_t *v, struct check *c)
{
    const char *w = load_text(f, v, "'certificates' or 'protocols_and_suites'");
    if (w == NULL) {
        return false;
    }
    if (strcmp(w, "certificates") == 0) {
        c->inventory = INVENTORY_CERTIFICATES;
    } else if (strcmp(w, "protocols_and_suites") == 0) {
        c->inventory = INVENTORY_PROTOCOLS_AND_SUITES;
    } else {
        return load_fail(f, v, "expected 'certificates' or 'protocols_and_suites', found '%s'", w);
    }
    return true;
}

/* ---- inventories (PCI DSS 4.2.1.1, 12.3.3) ------------------------------------ */

/* eval_cn returns the CN= value of an RFC 4514 name, or the whole name. */
static void eval_cn(const char *dn, char *out, size_t out_size)
{
    const char *p = dn != NULL ? strstr(dn, "CN=") : NULL;
    if (dn == NULL) {
        util_copy(out, out_size, "?");
        return;
    }
    if (p == NULL) {
        util_copy(out, out_size, dn);
        return;
    }
    p += 3;
    size_t n = 0;
    while (p[n] != '\0' && !(p[n] == ',' && (n == 0 || p[n - 1] != '\\'))) {
        n++;
    }
    if (n >= out_size) {
        n = out_size - 1;
    }
    memcpy(out, p, n);
    out[n] = '\0';
}

static void check_inventory(const struct target_result *r, const struct check *c, struct judge *j)
{
    char lbuf[40];
    char date[16];
    char cn[96];
    if (c->inventory == INVENTORY_CERTIFICATES) {
        if (!eval_have_certs(r, j)) {
            return;
        }
        struct ev *e = judge_ok(j);
        ev_add(e, "%zu certificate%s in use", r->n_certs, r->n_certs == 1 ? "" : "s");
        for (size_t i = 0; i < r->n_certs; i++) {
            const struct cert_fact *cf = &r->certs[i];
            eval_cn(cf->subject, cn, sizeof(cn));
            ev_add(e, "; %s: CN=%s, %s %d, %s, expires %s, sha256 %.16s",
                   eval_cert_label(i, lbuf, sizeof(lbuf)), cn, cf->key_type, cf->key_bits,
                   cf->sig_alg, util_iso_date(cf->not_after, date, sizeof(date)), cf->sha256);
        }
        return;
    }
    struct ev *e = judge_ok(j);
    size_t n_accepted = 0;
    for (unsigned v = 0; v < TLSV_COUNT; v++) {
        struct vview vv;
        struct vsuites s;
        eval_version(r, (enum tls_version)v, &vv);
        eval_suites(r, (enum tls_version)v, &vv, &s);
        const char *name = tls_version_name((enum tls_version)v);
        if (vv.state == PROBE_INCONCLUSIVE) {
            ev_add(judge_unknown(j), "%s not determined: %s", name, vv.why);
        }
        if (vv.state != PROBE_ACCEPTED) {
            continue;
        }
        if (!s.complete) {
            ev_add(judge_unknown(j), "%s: %s", name, s.why);
        }
        ev_add(e, "%s%s (%s): ", n_accepted++ ? "; " : "", name, vv.source);
        ev_suites(e, &s);
    }
    if (n_accepted == 0) {
        ev_add(e, "no protocol version accepted");
    }
}

/* ---- the table's functions -------------------------------------------------- */

void describe_inventory(struct load_buf *b, const struct check *c)
{
    load_buf_add(b, "%s",
                 c->inventory == INVENTORY_CERTIFICATES ? "certificates" : "protocols_and_suites");
}

static void one_inventory(const struct target_result *r, const struct check *c, int64_t now,
                          struct judge *j)
{
    (void)now;
    check_inventory(r, c, j);
}

void eval_inventory(const struct target_result *r, const struct check *c, int64_t now,
                    struct judge *j)
{
    /* The certificate inventory lists every deployment's certificates. */
    if (c->inventory == INVENTORY_CERTIFICATES) {
        eval_each_deployment(r, c, now, j, one_inventory);
    } else {
        one_inventory(r, c, now, j);
    }
}
