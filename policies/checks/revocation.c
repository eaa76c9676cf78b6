/*
 * policies/checks/revocation.c - revocation: ocsp_staple_required,
 * cert_not_revoked_required (stapled OCSP, fetched OCSP and CRLs) and
 * must_staple_honoured (RFC 7633). Their value is `true`.
 *
 * Where it sits: check_table (table.c) -> [eval here]. Invariant: a
 * revocation status nobody could establish is inconclusive, never a pass.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "common/model/registry.h"
#include "policies/checks/checks.h"

static void check_ocsp_staple(const struct target_result *r, struct judge *j)
{
    if (!eval_have_certs(r, j)) {
        return;
    }
    const struct cert_fact *leaf = &r->certs[0];
    const struct chain_fact *ch = &r->chain;
    if (leaf->ocsp_urls.n_items == 0 && !leaf->must_staple) {
        ev_add(judge_ok(j), "not applicable: the leaf has no OCSP URL");
        return;
    }
    const char *url = leaf->ocsp_urls.n_items > 0 ? leaf->ocsp_urls.items[0] : "none";
    if (!ch->ocsp_staple) {
        ev_add(judge_fail(j), "no OCSP response stapled; the leaf has OCSP URL %s%s", url,
               leaf->must_staple ? " and must-staple" : "");
    } else if (strcmp(ch->ocsp_status, "good") == 0) {
        ev_add(judge_ok(j), "OCSP response stapled: good");
    } else if (strcmp(ch->ocsp_status, "unknown") == 0) {
        ev_add(judge_warn(j), "OCSP response stapled, but the responder does not know the leaf");
    } else {
        ev_add(judge_fail(j), "OCSP response stapled: %s%s%s", ch->ocsp_status,
               ch->ocsp_detail[0] != '\0' ? ": " : "", ch->ocsp_detail);
    }
}

/* check_not_revoked_staple judges from the stapled response alone: scans
 * stored before revocation was fetched (schema 1) and --offline scans. */
static void check_not_revoked_staple(const struct target_result *r, struct judge *j)
{
    const struct chain_fact *ch = &r->chain;
    if (ch->ocsp_staple && strcmp(ch->ocsp_status, "revoked") == 0) {
        ev_add(judge_fail(j), "the stapled OCSP response says the leaf is revoked%s%s",
               ch->ocsp_detail[0] != '\0' ? ": " : "", ch->ocsp_detail);
    } else if (ch->ocsp_staple && strcmp(ch->ocsp_status, "good") == 0) {
        ev_add(judge_ok(j), "the stapled OCSP response says the leaf is good");
    } else {
        ev_add(judge_unknown(j), "revocation status not known (OCSP staple: %s)",
               ch->ocsp_status[0] != '\0' ? ch->ocsp_status : "none");
    }
}

/* check_not_revoked: PCI DSS v4.0.1 Req 4.2.1 "not revoked". Any served
 * certificate found revoked (fetched OCSP/CRL, or the staple) fails; the
 * leaf must be known good (fetched, or a valid staple); an intermediate
 * that names a revocation source must be known good too. Anything else is
 * inconclusive with the reason, never a pass: a self-signed leaf with no
 * OCSP or CRL URL (and no good staple) is inconclusive, "no revocation
 * information", since nothing can show it is not revoked (PCI DSS asks
 * that it be confirmed; a waiver records an accepted exception). A
 * self-signed certificate the server sends after the leaf (a root) is
 * skipped: RFC 5280 6.1 checks no revocation for a trust anchor. */
static void check_not_revoked(const struct target_result *r, struct judge *j)
{
    if (!fact_collected(&r->chain_header)) {
        ev_add(judge_unknown(j), "certificate chain not collected");
        return;
    }
    if (!fact_collected(&r->revoc_header) || r->n_revoc != r->n_certs || r->n_certs == 0) {
        check_not_revoked_staple(r, j);
        return;
    }
    const struct chain_fact *ch = &r->chain;
    bool staple_good = ch->ocsp_staple && strcmp(ch->ocsp_status, "good") == 0;
    bool staple_revoked = ch->ocsp_staple && strcmp(ch->ocsp_status, "revoked") == 0;
    if (staple_revoked) {
        ev_add(judge_fail(j), "the stapled OCSP response says the leaf is revoked%s%s",
               ch->ocsp_detail[0] != '\0' ? ": " : "", ch->ocsp_detail);
    }
    for (size_t i = 0; i < r->n_revoc; i++) {
        const struct revoc_fact *f = &r->revoc[i];
        const struct cert_fact *c = &r->certs[i];
        char buf[48];
        const char *label = eval_cert_label(i, buf, sizeof(buf));
        bool has_source = c->ocsp_urls.n_items > 0 || c->crl_urls.n_items > 0;
        switch (f->status) {
        case REVOC_REVOKED:
            ev_add(judge_fail(j), "%s is revoked (%s%s%s)", label, f->detail,
                   f->url[0] != '\0' ? " from " : "", f->url);
            break;
        case REVOC_GOOD:
            ev_add(judge_ok(j), "%s not revoked (%s%s)", label, f->detail,
                   f->from_cache ? ", cached" : "");
            break;
        case REVOC_UNKNOWN:
            if (i == 0 && staple_good) {
                ev_add(judge_ok(j), "leaf: stapled OCSP response good (responder: unknown)");
            } else {
                ev_add(judge_unknown(j), "%s: the OCSP responder does not know it", label);
            }
            break;
        case REVOC_INCONCLUSIVE:
            if (i == 0 && staple_good) {
                ev_add(judge_ok(j), "leaf: stapled OCSP response good (fetch: %s)", f->detail);
            } else {
                ev_add(judge_unknown(j), "%s: %s", label, f->detail);
            }
            break;
        case REVOC_NOT_CHECKED:
            if (c->self_signed && i > 0 && !has_source) {
                break; /* a trust anchor sent along: RFC 5280 6.1 checks no revocation for it */
            }
            if (c->self_signed && i == 0 && !has_source && !staple_good) {
                ev_add(judge_unknown(j), "leaf: no revocation information (self-signed, no OCSP or "
                                         "CRL URL): nothing demonstrates it is not revoked");
                break;
            }
            if (i == 0 && staple_good) {
                ev_add(judge_ok(j), "leaf: stapled OCSP response good");
            } else if (i == 0 || has_source) {
                ev_add(judge_unknown(j), "%s: %s", label,
                       f->detail[0] != '\0' ? f->detail : "not checked");
            }
            break;
        }
    }
}

/* check_must_staple: RFC 7633 §4.2.3: a client that honours the TLS
 * feature extension rejects a handshake without the status it promises. */
static void check_must_staple(const struct target_result *r, struct judge *j)
{
    if (!eval_have_certs(r, j)) {
        return;
    }
    const struct cert_fact *leaf = &r->certs[0];
    const struct chain_fact *ch = &r->chain;
    if (!leaf->must_staple) {
        ev_add(judge_ok(j), "not applicable: the leaf does not require stapling");
    } else if (!ch->ocsp_staple) {
        ev_add(judge_fail(j), "the leaf requires OCSP stapling (TLS feature status_request) but "
                              "the server stapled no response: clients honouring it refuse");
    } else if (strcmp(ch->ocsp_status, "good") == 0) {
        ev_add(judge_ok(j), "must-staple leaf, good OCSP response stapled");
    } else {
        ev_add(judge_fail(j), "must-staple leaf, stapled response %s%s%s", ch->ocsp_status,
               ch->ocsp_detail[0] != '\0' ? ": " : "", ch->ocsp_detail);
    }
}

/* ---- the table's functions -------------------------------------------------- */

void eval_ocsp_staple(const struct target_result *r, const struct check *c, int64_t now,
                      struct judge *j)
{
    (void)c;
    (void)now;
    check_ocsp_staple(r, j);
}

void eval_not_revoked(const struct target_result *r, const struct check *c, int64_t now,
                      struct judge *j)
{
    (void)c;
    (void)now;
    check_not_revoked(r, j);
}

void eval_must_staple(const struct target_result *r, const struct check *c, int64_t now,
                      struct judge *j)
{
    (void)c;
    (void)now;
    check_must_staple(r, j);
}
