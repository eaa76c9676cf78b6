/*
 * policies/checks/extensions.c - TLS extensions the server must honour:
 * secure_renegotiation_required (RFC 5746), extended_master_secret_required
 * (RFC 7627) and encrypt_then_mac_required (RFC 7366, where CBC suites are
 * accepted). Their value is `true` (table.c loads and describes it).
 *
 * Where it sits: check_table (table.c) -> [eval here]. Invariant: only
 * TLS 1.3 accepted is "not applicable" (pass), nothing accepted is no pass.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "common/model/registry.h"
#include "policies/checks/checks.h"

/* ---- extensions ------------------------------------------------------------ */

/* eval_legacy: SSLv3-TLS 1.2 (where renegotiation, EMS and ETM exist):
 * ACCEPTED when one is, REFUSED when all are, else INCONCLUSIVE. */
static enum probe_state eval_legacy(const struct target_result *r)
{
    bool all_refused = true;
    for (unsigned v = TLSV_SSL3; v < TLSV_TLS13; v++) {
        struct vview vv;
        eval_version(r, (enum tls_version)v, &vv);
        if (vv.state == PROBE_ACCEPTED) {
            return PROBE_ACCEPTED;
        }
        all_refused = all_refused && vv.state == PROBE_REFUSED;
    }
    return all_refused ? PROBE_REFUSED : PROBE_INCONCLUSIVE;
}

static void check_tri(const struct target_result *r, enum fact_tri t, const char *ext,
                      const char *what_if_missing, struct judge *j)
{
    enum probe_state legacy = eval_legacy(r);
    if (legacy == PROBE_REFUSED) {
        /* Nothing before TLS 1.3: the check applies only if TLS 1.3 is
         * known to be accepted; with nothing accepted there is nothing to
         * test, which is no pass. */
        struct vview v13;
        eval_version(r, TLSV_TLS13, &v13);
        if (v13.state == PROBE_ACCEPTED) {
            ev_add(judge_ok(j), "not applicable: only TLS 1.3 accepted (%s is built in)", ext);
        } else if (v13.state == PROBE_REFUSED) {
            ev_add(judge_unknown(j), "%s not tested: no protocol version accepted", ext);
        } else {
            ev_add(judge_unknown(j),
                   "%s not tested: SSL 3.0-TLS 1.2 refused, TLS 1.3 not "
                   "determined: %s",
                   ext, v13.why);
        }
        return;
    }
    if (!fact_collected(&r->enumeration.header)) {
        ev_add(judge_unknown(j), "%s not tested (enumeration not collected)", ext);
        return;
    }
    if (t == TRI_YES) {
        ev_add(judge_ok(j), "%s echoed by the server (enumeration)", ext);
    } else if (t == TRI_NO) {
        ev_add(judge_fail(j), "%s not echoed by the server (enumeration): %s", ext,
               what_if_missing);
    } else {
        ev_add(judge_unknown(j), "%s: the test gave no answer", ext);
    }
}

static void check_etm(const struct target_result *r, struct judge *j)
{
    char hex[16];
    size_t n_cbc = 0;
    bool complete = true;
    const char *why = "";
    struct ev cbc;
    ev_init(&cbc);
    for (unsigned v = TLSV_TLS10; v < TLSV_TLS13; v++) {
        struct vview vv;
        struct vsuites s;
        eval_version(r, (enum tls_version)v, &vv);
        eval_suites(r, (enum tls_version)v, &vv, &s);
        if (vv.state != PROBE_REFUSED && !s.complete && complete) {
            complete = false;
            why = s.why;
        }
        for (size_t i = 0; i < vs_count(&s); i++) {
            const struct suite_info *si = registry_suite_by_code(vs_code(&s, i));
            if (si != NULL && (si->attrs & SUITE_CBC) != 0) {
                if (n_cbc++ < 4) {
                    ev_add(&cbc, "%s%s", n_cbc > 1 ? ", " : "",
                           eval_suite_name(vs_code(&s, i), hex, sizeof(hex)));
                }
            }
        }
    }
    if (n_cbc == 0) {
        if (complete) {
            ev_add(judge_ok(j), "not applicable: no CBC suite accepted in TLS 1.0-1.2");
        } else {
            ev_add(judge_unknown(j), "CBC suites not known: %s", why);
        }
        return;
    }
    enum fact_tri t =
        fact_collected(&r->enumeration.header) ? r->enumeration.encrypt_then_mac : TRI_UNKNOWN;
    if (t == TRI_YES) {
        ev_add(judge_ok(j), "encrypt_then_mac echoed with CBC suites (%zu CBC suites accepted)",
               n_cbc);
    } else if (t == TRI_NO) {
        ev_add(judge_fail(j), "%zu CBC suites accepted without encrypt_then_mac: %s%s", n_cbc,
               cbc.buf, n_cbc > 4 ? ", ..." : "");
    } else {
        ev_add(judge_unknown(j), "%zu CBC suites accepted; encrypt_then_mac not tested%s", n_cbc,
               fact_collected(&r->enumeration.header) ? "" : " (enumeration not collected)");
    }
}

/* ---- the table's functions -------------------------------------------------- */

void eval_secure_renegotiation(const struct target_result *r, const struct check *c, int64_t now,
                               struct judge *j)
{
    (void)c;
    (void)now;
    check_tri(r, r->enumeration.secure_renegotiation, "renegotiation_info",
              "insecure renegotiation (RFC 5746, CVE-2009-3555)", j);
}

void eval_extended_master_secret(const struct target_result *r, const struct check *c, int64_t now,
                                 struct judge *j)
{
    (void)c;
    (void)now;
    check_tri(r, r->enumeration.extended_master_secret, "extended_master_secret",
              "no session hash (RFC 7627, triple handshake)", j);
}

void eval_encrypt_then_mac(const struct target_result *r, const struct check *c, int64_t now,
                           struct judge *j)
{
    (void)c;
    (void)now;
    check_etm(r, j);
}
