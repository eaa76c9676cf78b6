/*
 * tests/fuzz/fuzz_revocation.c - fuzz target for the judgement of fetched
 * OCSP responses and CRLs (revoc_judge_ocsp, revoc_judge_crl in
 * scanner/revocation.c), as revocation_check calls them on the bytes a
 * responder or CRL server sent.
 *
 * Input: byte 0 bit 0 picks OCSP (0) or CRL (1), bit 1 says a nonce is
 * expected; bytes 1-4 are "now" (Unix seconds, big-endian; the seeds say
 * a day after their answers were made); then the issuer's DER and the certificate's DER, each with
 * a 2-byte big-endian length; with bit 1, a 1-byte length and the nonce; the rest is the fetched
 * response. The seeds hold a real CA, leaf and signed answers (seed_inputs.sh), so mutations reach
 * the checks after the signature too. Invariants: the status is one the function may give; only
 * REVOKED has a revocation time; texts are NUL-terminated; the same bytes give the same judgement
 * twice. Any broken invariant aborts.
 */
#include <stdlib.h>
#include <string.h>

#include "scanner/revocation.h"
#include "tests/fuzz/fuzz.h"

struct revoc_fz_in {
    const uint8_t *p;
    size_t n;
};

static bool revoc_fz_take(struct revoc_fz_in *in, size_t len_bytes, const uint8_t **out,
                          size_t *out_len)
{
    if (in->n < len_bytes) {
        return false;
    }
    size_t len = len_bytes == 2 ? ((size_t)in->p[0] << 8 | in->p[1]) : in->p[0];
    in->p += len_bytes;
    in->n -= len_bytes;
    if (in->n < len) {
        return false;
    }
    *out = in->p;
    *out_len = len;
    in->p += len;
    in->n -= len;
    return true;
}

static void revoc_fz_text(const char *s, size_t cap)
{
    if (memchr(s, '\0', cap) == NULL) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 5) {
        return 0;
    }
    uint8_t mode = data[0];
    int64_t now = (int64_t)((uint32_t)data[1] << 24 | (uint32_t)data[2] << 16 |
                            (uint32_t)data[3] << 8 | data[4]);
    struct revoc_fz_in in = {data + 5, size - 5};
    const uint8_t *issuer, *cert, *nonce = NULL;
    size_t issuer_len, cert_len, nonce_len = 0;
    if (!revoc_fz_take(&in, 2, &issuer, &issuer_len) || !revoc_fz_take(&in, 2, &cert, &cert_len)) {
        return 0;
    }
    if ((mode & 2) && !revoc_fz_take(&in, 1, &nonce, &nonce_len)) {
        return 0;
    }
    struct revoc_fact *a = calloc(1, sizeof(*a));
    struct revoc_fact *b = calloc(1, sizeof(*b));
    if (a == NULL || b == NULL) {
        abort();
    }
    if ((mode & 1) == 0) {
        revoc_judge_ocsp(in.p, in.n, cert, cert_len, issuer, issuer_len, nonce, nonce_len, now, a);
        revoc_judge_ocsp(in.p, in.n, cert, cert_len, issuer, issuer_len, nonce, nonce_len, now, b);
    } else {
        revoc_judge_crl(in.p, in.n, cert, cert_len, issuer, issuer_len, now, a);
        revoc_judge_crl(in.p, in.n, cert, cert_len, issuer, issuer_len, now, b);
    }
    bool allowed = a->status == REVOC_GOOD || a->status == REVOC_REVOKED ||
                   a->status == REVOC_INCONCLUSIVE ||
                   ((mode & 1) == 0 && a->status == REVOC_UNKNOWN);
    if (!allowed) {
        abort();
    }
    revoc_fz_text(a->detail, sizeof(a->detail));
    revoc_fz_text(a->reason, sizeof(a->reason));
    revoc_fz_text(a->method, sizeof(a->method));
    if (a->status != REVOC_REVOKED && (a->revoked_at != 0 || a->reason[0] != '\0')) {
        abort();
    }
    if (a->status == REVOC_INCONCLUSIVE && a->detail[0] == '\0') {
        abort();
    }
    if (a->status != b->status || a->revoked_at != b->revoked_at ||
        a->this_update != b->this_update || a->next_update != b->next_update ||
        strcmp(a->detail, b->detail) != 0 || strcmp(a->reason, b->reason) != 0) {
        abort();
    }
    free(a);
    free(b);
    return 0;
}
