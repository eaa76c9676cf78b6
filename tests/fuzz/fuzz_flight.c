/*
 * tests/fuzz/fuzz_flight.c - fuzz target for the first-flight driver and
 * its parsers (hello_flight_* in scanner/hello.c).
 *
 * Input: byte 0 picks the offer the answer is judged against (TLS 1.2 full
 * flight, TLS 1.2 hello only, TLS 1.3, SSLv3, SSLv2, TLS 1.0 with the SCSV
 * and DEFLATE), byte 1 the read sizes; the rest is what the server sends.
 * The flight is run on the whole input and on pseudo-random reads, then told
 * the connection closed: both runs must agree on everything learned and on
 * the error. Every view in the result is read in full so ASan sees a
 * dangling one. Any mismatch or broken invariant aborts.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/hello.h"
#include "tests/fuzz/fuzz.h"

static const uint32_t flight_tls_suites[] = {
    0xC02F, 0xC030, 0xC02B, 0xC02C, 0xCCA8, 0x009E, 0x009F, 0x0033, 0x0039, 0x002F,
    0x0035, 0x000A, 0x0005, 0x0004, 0x0003, 0x0014, 0x0018, 0xC011, 0xC013, 0x008C,
    0x0090, 0xC0A4, 0x1301, 0x1302, 0x1303, 0xC01D, 0xC018, 0x00AA, 0x0062, 0x0064};
static const uint32_t flight_ssl2_kinds[] = {0x010080, 0x020080, 0x030080, 0x040080,
                                             0x050080, 0x060040, 0x0700c0};

static void flight_params(uint8_t which, struct hello_params *p, unsigned *flags)
{
    *flags = 0;
    switch (which % 6) {
    case 0:
        hello_params_init(p, TLS_WIRE_TLS12);
        break;
    case 1:
        hello_params_init(p, TLS_WIRE_TLS12);
        *flags = HELLO_FLIGHT_HELLO_ONLY;
        break;
    case 2:
        hello_params_init(p, TLS_WIRE_TLS13);
        break;
    case 3:
        hello_params_init(p, TLS_WIRE_SSL3);
        break;
    case 4:
        hello_params_init(p, TLS_WIRE_SSL2);
        break;
    default:
        hello_params_init(p, TLS_WIRE_TLS10);
        p->ext &= ~HELLO_EXT_RENEGOTIATION_INFO;
        p->options |= HELLO_OPT_SCSV_RENEGOTIATION | HELLO_OPT_DEFLATE;
        break;
    }
    if (p->version == TLS_WIRE_SSL2) {
        p->suites = flight_ssl2_kinds;
        p->n_suites = sizeof(flight_ssl2_kinds) / sizeof(flight_ssl2_kinds[0]);
    } else {
        p->suites = flight_tls_suites;
        p->n_suites = sizeof(flight_tls_suites) / sizeof(flight_tls_suites[0]);
    }
}

struct flight_trace {
    uint64_t hash;
    enum hello_status status;
    size_t err_offset;
    const char *reason;
};

static void flight_mix(uint64_t *h, uint64_t v)
{
    *h = (*h ^ v) * 0x100000001b3ull;
}

static void flight_mix_view(uint64_t *h, const struct rbuf *v)
{
    flight_mix(h, v->len);
    for (size_t i = 0; i < v->len; i++) {
        flight_mix(h, v->data[i]);
    }
}

static uint32_t flight_rand(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Folds everything the result says into one hash (and reads every view). */
static uint64_t flight_hash(const struct hello_result *res)
{
    uint64_t h = 0xcbf29ce484222325ull;
    const struct hello_server_hello *sh = &res->sh;
    flight_mix(&h, res->answer);
    flight_mix(&h, res->record_version);
    flight_mix(&h, sh->legacy_version);
    flight_mix(&h, sh->version);
    flight_mix(&h, sh->suite);
    flight_mix(&h, sh->compression);
    flight_mix(&h, sh->hrr);
    flight_mix(&h, sh->downgrade);
    flight_mix(&h, sh->exts);
    flight_mix(&h, sh->n_ext_types);
    for (size_t i = 0; i < sh->n_ext_types; i++) {
        flight_mix(&h, sh->ext_types[i]);
    }
    flight_mix(&h, sh->key_share_group);
    flight_mix(&h, sh->key_share_len);
    flight_mix(&h, sh->alpn_len);
    flight_mix(&h, res->suite_not_offered);
    flight_mix(&h, res->version_not_offered);
    flight_mix(&h, res->group_not_offered);
    flight_mix(&h, res->compression_not_offered);
    flight_mix(&h, res->exts_not_offered);
    flight_mix(&h, res->kx);
    flight_mix(&h, res->have_alert ? 0x100u + res->alert.description : 0);
    flight_mix(&h, res->have_warning ? 0x100u + res->warning.description : 0);
    flight_mix(&h, res->have_certificate);
    if (res->have_certificate) {
        if (res->certificate.n_certs > HELLO_MAX_CERTS) {
            abort();
        }
        for (size_t i = 0; i < res->certificate.n_certs; i++) {
            flight_mix_view(&h, &res->certificate.certs[i]);
        }
    }
    flight_mix(&h, res->have_ske);
    if (res->have_ske) {
        const struct hello_ske *s = &res->ske;
        flight_mix(&h, s->dh_p_bits);
        flight_mix(&h, s->dh_g_value);
        flight_mix(&h, s->ec_curve_type);
        flight_mix(&h, s->ec_group);
        flight_mix(&h, s->ec_field_bits);
        flight_mix(&h, s->sig_scheme);
        flight_mix_view(&h, &s->dh_p);
        flight_mix_view(&h, &s->dh_g);
        flight_mix_view(&h, &s->dh_ys);
        flight_mix_view(&h, &s->ec_point);
        flight_mix_view(&h, &s->rsa_modulus);
        flight_mix_view(&h, &s->rsa_exponent);
        flight_mix_view(&h, &s->psk_hint);
        flight_mix_view(&h, &s->srp_n);
        flight_mix_view(&h, &s->srp_b);
        flight_mix_view(&h, &s->signature);
    }
    flight_mix(&h, res->have_certificate_status);
    flight_mix(&h, res->have_certificate_request);
    flight_mix(&h, res->have_done);
    flight_mix(&h, res->trailing_bytes);
    if (res->answer == HELLO_ANS_SSL2_SERVER_HELLO) {
        flight_mix_view(&h, &res->ssl2.certificate);
        flight_mix_view(&h, &res->ssl2.connection_id);
        flight_mix(&h, res->ssl2.n_kinds);
    }
    flight_mix(&h, res->ssl2_error);
    flight_mix(&h, res->n_bytes);
    return h;
}

static void flight_run(const struct hello_params *p, unsigned flags, const uint8_t *data,
                       size_t size, uint32_t seed, size_t max_read, struct flight_trace *t)
{
    struct hello_flight f;
    if (hello_flight_init(&f, p, flags, 0) != HELLO_OK) {
        abort();
    }
    size_t pos = 0;
    enum hello_status st = HELLO_NEED_MORE;
    while (pos < size && st == HELLO_NEED_MORE) {
        size_t n = max_read == 0 ? size - pos : 1 + flight_rand(&seed) % max_read;
        if (n > size - pos) {
            n = size - pos;
        }
        st = hello_flight_feed(&f, data + pos, n);
        pos += n;
    }
    st = hello_flight_eof(&f);
    const struct hello_result *res = hello_flight_result(&f);
    const struct hello_error *err = hello_flight_error(&f);
    if (st == HELLO_NEED_MORE || (st == HELLO_DONE && res->answer == HELLO_ANS_NONE) ||
        (st == HELLO_FAILED && err->reason == NULL) || res->n_bytes > size) {
        abort();
    }
    t->status = st;
    t->err_offset = st == HELLO_FAILED ? err->offset : 0;
    t->reason = st == HELLO_FAILED ? err->reason : NULL;
    t->hash = flight_hash(res);
    hello_flight_cleanup(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return 0;
    }
    struct hello_params p;
    unsigned flags;
    flight_params(data[0], &p, &flags);
    uint8_t mode = data[1];
    data += 2;
    size -= 2;
    struct flight_trace whole;
    struct flight_trace split;
    flight_run(&p, flags, data, size, 0, 0, &whole);
    flight_run(&p, flags, data, size, 0x85ebca6bu ^ mode, 1 + mode % 97, &split);
    if (whole.status != split.status || whole.err_offset != split.err_offset ||
        whole.reason != split.reason || whole.hash != split.hash) {
        abort();
    }
    return 0;
}
