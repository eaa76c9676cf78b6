/*
 * policies/checks/chain.c - the certificate chain as the scanner judged it
 * (scanner/gnutls/x509_chain.c): chain_trusted_required, chain_complete_required,
 * chain_order_required and hostname_match_required. Their value is `true`
 * (chain_order_required: or `warn`, a wrong order then warns).
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

/* ev_chain_aia: what AIA chasing made of an incomplete chain. Completing
 * it does not make the served chain complete: a client that does not
 * fetch issuers (most non-browser clients) still fails, so the check
 * still fails and the evidence says what a fetching client gets. */
static void ev_chain_aia(struct ev *e, const struct chain_fact *ch)
{
    if (!ch->aia_attempted) {
        ev_add(e, "; AIA completion not tried");
        return;
    }
    ev_add(e, "; %s",
           !ch->aia_completed ? "not completed through AIA"
           : ch->aia_trusted  ? "completed through AIA: trusted (for a client that fetches issuers)"
                              : "completed through AIA: not trusted");
    if (ch->aia_detail[0] != '\0') {
        ev_add(e, ": %s", ch->aia_detail);
    }
}

static void check_chain(const struct target_result *r, enum check_kind k, bool warn_only,
                        struct judge *j)
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
            ev_chain_aia(e, ch);
        } else {
            ev_add(judge_ok(j), "the served chain is complete (%zu certificate%s)", r->n_certs,
                   r->n_certs == 1 ? "" : "s");
        }
        break;
    case CHECK_CHAIN_ORDER_REQUIRED:
        if (ch->wrong_order) {
            ev_add(warn_only ? judge_warn(j) : judge_fail(j),
                   "not every certificate is followed by its issuer (%zu certificate%s served)",
                   r->n_certs, r->n_certs == 1 ? "" : "s");
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
    check_chain(r, c->kind, c->warn_only, j);
}

bool load_c_chain_order(struct pfile *f, const yaml_node_t *v, struct check *c)
{
    if (load_scalar_is(v, "warn")) {
        const char *w = load_text(f, v, "'true' or 'warn'");
        c->warn_only = w != NULL;
        return w != NULL;
    }
    return load_true(f, v, "chain_order_required (or 'warn')");
}

void describe_chain_order(struct load_buf *b, const struct check *c)
{
    load_buf_add(b, "%s", c->warn_only ? "warn" : "true");
}
