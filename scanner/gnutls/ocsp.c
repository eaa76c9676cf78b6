/*
 * scanner/gnutls/ocsp.c - the OCSP response verifier shared by the staple and the
 * fetch paths (see ocsp.h).
 *
 * Order of the checks (the first failure is the reason given): parse,
 * responseStatus successful, a SingleResponse about the certificate,
 * signature by the issuer or a responder it delegated to (GnuTLS, with its
 * time checks off: times are judged here at `now`), the delegated
 * responder's validity at now, the nonce when one was sent, thisUpdate not
 * in the future beyond OCSP_SKEW, nextUpdate not passed; then the
 * certificate status.
 */
#include "scanner/gnutls/ocsp.h"

#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/ocsp.h>

#include "common/util.h"
#include "scanner/gnutls/x509_private.h"
#include "scanner/x509.h"

/* SingleResponses examined at most: a hostile response may carry many. */
#define OCSP_MAX_SINGLE 64

static void ocsp_invalid(struct ocsp_result *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void ocsp_invalid(struct ocsp_result *out, const char *fmt, ...)
{
    out->verdict = OCSP_INVALID;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->detail, sizeof(out->detail), fmt, ap);
    va_end(ap);
}

/* ocsp_status_name names an RFC 6960 §4.2.1 OCSPResponseStatus. */
static const char *ocsp_status_name(int status)
{
    switch (status) {
    case GNUTLS_OCSP_RESP_MALFORMEDREQUEST:
        return "malformedRequest";
    case GNUTLS_OCSP_RESP_INTERNALERROR:
        return "internalError";
    case GNUTLS_OCSP_RESP_TRYLATER:
        return "tryLater";
    case GNUTLS_OCSP_RESP_SIGREQUIRED:
        return "sigRequired";
    case GNUTLS_OCSP_RESP_UNAUTHORIZED:
        return "unauthorized";
    default:
        return "unknown status";
    }
}

/* ocsp_verify_words: GnuTLS's OCSP verification flags as words. */
static void ocsp_verify_words(unsigned verify, char *why, size_t why_len)
{
    static const struct x509_flag_word words[] = {
        {GNUTLS_OCSP_VERIFY_SIGNER_NOT_FOUND, "signer not found"},
        {GNUTLS_OCSP_VERIFY_SIGNER_KEYUSAGE_ERROR, "signer key usage"},
        {GNUTLS_OCSP_VERIFY_UNTRUSTED_SIGNER, "untrusted signer"},
        {GNUTLS_OCSP_VERIFY_INSECURE_ALGORITHM, "insecure algorithm"},
        {GNUTLS_OCSP_VERIFY_SIGNATURE_FAILURE, "signature mismatch"},
        {GNUTLS_OCSP_VERIFY_CERT_EXPIRED, "responder certificate expired"},
        {GNUTLS_OCSP_VERIFY_CERT_NOT_ACTIVATED, "responder certificate not yet valid"},
    };
    why[0] = '\0';
    x509_flag_words(verify, words, sizeof(words) / sizeof(words[0]), why, why_len);
    if (why[0] == '\0') {
        util_copy(why, why_len, "rejected");
    }
}

/* ocsp_signer_times_ok: every delegated responder certificate embedded in
 * the response (one issued by issuer) is valid at now. */
static bool ocsp_signer_times_ok(gnutls_ocsp_resp_t resp, gnutls_x509_crt_t issuer, int64_t now)
{
    gnutls_x509_crt_t *certs = NULL;
    size_t n = 0;
    bool ok = true;
    if (gnutls_ocsp_resp_get_certs(resp, &certs, &n) < 0) {
        return true;
    }
    for (size_t i = 0; i < n; i++) {
        if (gnutls_x509_crt_check_issuer(certs[i], issuer) != 0) {
            time_t nb = gnutls_x509_crt_get_activation_time(certs[i]);
            time_t na = gnutls_x509_crt_get_expiration_time(certs[i]);
            if (nb == (time_t)-1 || na == (time_t)-1 || now < (int64_t)nb || now > (int64_t)na) {
                ok = false;
            }
        }
        gnutls_x509_crt_deinit(certs[i]);
    }
    gnutls_free(certs);
    return ok;
}

/* ocsp_nonce_ok: the response echoes the request's nonce, or has none
 * (RFC 8954 §2.1 lets a responder leave it out; a different one is a
 * replayed or substituted answer). */
static bool ocsp_nonce_ok(gnutls_ocsp_resp_t resp, const struct ocsp_input *in)
{
    if (in->nonce == NULL) {
        return true;
    }
    gnutls_datum_t rn = {NULL, 0};
    unsigned critical = 0;
    int r = gnutls_ocsp_resp_get_nonce(resp, &critical, &rn);
    bool ok =
        r != 0 || (rn.size == in->nonce_len && memcmp(rn.data, in->nonce, in->nonce_len) == 0);
    gnutls_free(rn.data);
    return ok;
}

/* ocsp_check_signed: the response is signed by the issuer or its delegate. */
static bool ocsp_check_signed(gnutls_ocsp_resp_t resp, const struct ocsp_input *in,
                              struct ocsp_result *out)
{
    unsigned verify = 0;
    int r = gnutls_ocsp_resp_verify_direct(resp, in->issuer, &verify,
                                           GNUTLS_VERIFY_DISABLE_TIME_CHECKS);
    if (r < 0) {
        ocsp_invalid(out, "signature not verifiable: %s", gnutls_strerror(r));
        return false;
    }
    if (verify != 0) {
        char why[FACT_TEXT];
        ocsp_verify_words(verify, why, sizeof(why));
        ocsp_invalid(out, "bad response signature (%s)", why);
        return false;
    }
    if (!ocsp_signer_times_ok(resp, in->issuer, in->now)) {
        ocsp_invalid(out, "responder certificate not valid at scan time");
        return false;
    }
    return true;
}

/* ocsp_judge_parsed: everything after the parse (resp is successful). */
static void ocsp_judge_parsed(gnutls_ocsp_resp_t resp, const struct ocsp_input *in,
                              struct ocsp_result *out)
{
    unsigned cert_status = 0, reason = 0;
    time_t this_update = -1, next_update = -1, revoked_at = -1;
    bool found = false;
    for (unsigned i = 0; !found && i < OCSP_MAX_SINGLE; i++) {
        if (gnutls_ocsp_resp_get_single(resp, i, NULL, NULL, NULL, NULL, &cert_status, &this_update,
                                        &next_update, &revoked_at, &reason) < 0) {
            break;
        }
        found = gnutls_ocsp_resp_check_crt(resp, i, in->cert) == 0;
    }
    if (!found) {
        ocsp_invalid(out, "the response is not about this certificate");
        return;
    }
    if (!ocsp_check_signed(resp, in, out)) {
        return;
    }
    if (!ocsp_nonce_ok(resp, in)) {
        ocsp_invalid(out, "the response's nonce does not match the request's (replay?)");
        return;
    }
    char when[40];
    out->this_update = this_update == (time_t)-1 ? 0 : (int64_t)this_update;
    out->next_update = next_update == (time_t)-1 ? 0 : (int64_t)next_update;
    if (this_update == (time_t)-1 || (int64_t)this_update > in->now + OCSP_SKEW) {
        x509_fmt_time((int64_t)this_update, when, sizeof(when));
        ocsp_invalid(out, "thisUpdate %s is in the future", when);
        return;
    }
    if (next_update != (time_t)-1 && (int64_t)next_update < in->now) {
        x509_fmt_time((int64_t)next_update, when, sizeof(when));
        ocsp_invalid(out, "stale response: nextUpdate %s has passed", when);
        return;
    }
    switch (cert_status) {
    case GNUTLS_OCSP_CERT_GOOD:
        out->verdict = OCSP_GOOD;
        util_copy(out->detail, sizeof(out->detail), "good");
        break;
    case GNUTLS_OCSP_CERT_REVOKED:
        out->verdict = OCSP_REVOKED;
        out->revoked_at = (int64_t)revoked_at;
        util_copy(out->reason, sizeof(out->reason), x509_crl_reason_name(reason));
        x509_fmt_time((int64_t)revoked_at, when, sizeof(when));
        snprintf(out->detail, sizeof(out->detail), "revoked at %s (%s)", when, out->reason);
        break;
    default:
        out->verdict = OCSP_UNKNOWN;
        util_copy(out->detail, sizeof(out->detail), "the responder does not know the certificate");
        break;
    }
}

void ocsp_judge(const struct ocsp_input *in, struct ocsp_result *out)
{
    gnutls_ocsp_resp_t resp = NULL;
    memset(out, 0, sizeof(*out));
    if (in->cert == NULL || in->issuer == NULL) {
        ocsp_invalid(out, in->cert == NULL
                              ? "no certificate to match the response against"
                              : "issuer unknown: cannot verify the response signature");
        return;
    }
    if (in->resp_len == 0 || in->resp_len > UINT_MAX) {
        ocsp_invalid(out, "cannot parse the response: %s",
                     in->resp_len == 0 ? "empty" : "too large");
        return;
    }
    if (gnutls_ocsp_resp_init(&resp) < 0) {
        ocsp_invalid(out, "out of memory");
        return;
    }
    gnutls_datum_t d = {(unsigned char *)in->resp, (unsigned)in->resp_len};
    int r = gnutls_ocsp_resp_import(resp, &d);
    if (r >= 0) {
        r = gnutls_ocsp_resp_get_status(resp);
    }
    if (r < 0) {
        ocsp_invalid(out, "cannot parse the response: %s", gnutls_strerror(r));
    } else if (r != GNUTLS_OCSP_RESP_SUCCESSFUL) {
        ocsp_invalid(out, "responder status %s (%d), not successful", ocsp_status_name(r), r);
    } else {
        ocsp_judge_parsed(resp, in, out);
    }
    gnutls_ocsp_resp_deinit(resp);
}
