/*
 * policies/checks/chain.c - the certificate chain as the scanner judged it
 * (scanner/gnutls/x509_chain.c): chain_trusted_required, chain_complete_required,
 * chain_order_required and hostname_match_required. Their value is `true`.
 *
 * Where it sits: check_table (table.c) -> [eval here]. Invariant: a chain
 * not collected, or a judgement the scanner could not make, is
 * inconclusive.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "common/model/registry.h"
#include "policies/checks/checks.h"

static void check_chain(const struct target_result *r, enum check_kind k, struct judge *j)
{
    if (!fact_collected(&r->chain_header)) {
        ev_add(judge_unknown(j), "certificate chain not collected");
        return;
    }
    const struct chain_fact *ch = &r->chain;
    switch (k) {
    case CHECK_CHAIN_TRUSTED_REQUIRED:
        if (ch->trusted) {
            ev_add(judge_ok(j), "the chain verifies to a trust anchor");
        } else {
            ev_add(judge_fail(j), "the chain does not verify to a trust anchor: %s",
                   ch->verify_text[0] != '\0' ? ch->verify_text : "not trusted");
        }
        break;
    case CHECK_CHAIN_COMPLETE_REQUIRED:
        if (ch->incomplete) {
            struct ev *e = judge_fail(j);
            ev_add(e,
                   "an issuer needed to reach a trust anchor was not sent "
                   "(%zu certificate%s served)",
                   r->n_certs, r->n_certs == 1 ? "" : "s");
            if (ch->aia_attempted) {
                ev_add(e, "; %s",
                       !ch->aia_completed ? "not completed through AIA"
                       : ch->aia_trusted  ? "completed through AIA: trusted"
                                          : "completed through AIA: not trusted");
            }
        } else {
            ev_add(judge_ok(j), "the served chain is complete (%zu certificate%s)", r->n_certs,
                   r->n_certs == 1 ? "" : "s");
        }
        break;
    case CHECK_CHAIN_ORDER_REQUIRED:
        if (ch->wrong_order) {
            ev_add(judge_fail(j), "not every certificate is followed by its issuer");
        } else {
            ev_add(judge_ok(j), "every certificate is followed by its issuer");
        }
        break;
    case CHECK_HOSTNAME_MATCH_REQUIRED:
        if (!ch->hostname_checked) {
            ev_add(judge_unknown(j), "no host name (SNI) or IP address to check the leaf against");
        } else if (ch->hostname_match) {
            ev_add(judge_ok(j), "leaf matches %s", ch->hostname);
        } else {
            ev_add(judge_fail(j), "leaf does not match %s", ch->hostname);
        }
        break;
    default:
        break;
    }
}

/* ---- the table's functions -------------------------------------------------- */

void eval_chain(const struct target_result *r, const struct check *c, int64_t now, struct judge *j)
{
    (void)now;
    check_chain(r, c->kind, j);
}
