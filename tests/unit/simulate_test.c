/*
 * tests/unit/simulate_test.c - unit tests of the client simulation
 * (reports/simulate.c) over targets and clients built in memory: version
 * choice (and "unknown" for an undecided version), the server's and the
 * client's order and an unknown one, ECDHE without a common group, the TLS
 * 1.3 key share and HelloRetryRequest, the client's DH / RSA limits, the
 * signature schemes, the what-if's words and errors, a policy what-if, and
 * the generated client table's invariants.
 *
 * Invariant: each assertion compares against a concrete expected value.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/model/registry.h"
#include "policies/policy.h"
#include "reports/simulate.h"

#define TEST_TIMEOUT_S 30

static void set_suites(struct target_result *r, enum tls_version v, const uint32_t *codes, size_t n,
                       enum enum_order order, int kx_bits)
{
    struct enum_version_fact *f = &r->enumeration.versions[v];
    free(f->suites);
    f->suites = calloc(n ? n : 1, sizeof(*f->suites));
    ck_assert_ptr_nonnull(f->suites);
    for (size_t i = 0; i < n; i++) {
        f->suites[i].code = codes[i];
        f->suites[i].server_rank = order == ORDER_SERVER ? (int)i : -1;
        f->suites[i].kx_bits = kx_bits;
    }
    f->n_suites = n;
    f->order = order;
    f->state = n > 0 ? PROBE_ACCEPTED : PROBE_REFUSED;
}

/* make_target: enumeration collected, every version refused, an RSA leaf
 * of rsa_bits. */
static void make_target(struct target_result *r, int rsa_bits)
{
    target_result_init(r);
    r->host = strdup("example.test");
    ck_assert_ptr_nonnull(r->host);
    r->port = 443;
    fact_mark(&r->enumeration.header, true);
    for (int v = 0; v < TLSV_COUNT; v++) {
        r->enumeration.versions[v].state = PROBE_REFUSED;
    }
    fact_mark(&r->chain_header, true);
    r->certs = calloc(1, sizeof(*r->certs));
    ck_assert_ptr_nonnull(r->certs);
    r->n_certs = 1;
    cert_fact_init(&r->certs[0]);
    strcpy(r->certs[0].key_type, "RSA");
    r->certs[0].key_bits = rsa_bits;
}

static void set_groups(uint16_t **dst, size_t *n_dst, const uint16_t *codes, size_t n)
{
    free(*dst);
    *dst = calloc(n, sizeof(uint16_t));
    ck_assert_ptr_nonnull(*dst);
    memcpy(*dst, codes, n * sizeof(uint16_t));
    *n_dst = n;
}

static const uint16_t c_suites[] = {0x1301, 0x1302, 0xC02F, 0xC030, 0x009E, 0x009C, 0x002F};
static const uint16_t c_groups[] = {0x001D, 0x0017};
static const uint16_t c_shares[] = {0x001D};
static const uint16_t c_sigs[] = {0x0804, 0x0401, 0x0403};

/* a modern client: TLS 1.2 and 1.3, x25519 then P-256, RSA-PSS */
static struct sim_client client(void)
{
    struct sim_client c = {
        .name = "test client",
        .version = "1",
        .versions = TLSV_BIT(TLSV_TLS12) | TLSV_BIT(TLSV_TLS13),
        .suites = c_suites,
        .n_suites = sizeof(c_suites) / sizeof(c_suites[0]),
        .groups = c_groups,
        .n_groups = 2,
        .key_shares = c_shares,
        .n_key_shares = 1,
        .sigschemes = c_sigs,
        .n_sigschemes = 3,
        .exts = SIM_EXT_SNI,
    };
    return c;
}

START_TEST(test_order)
{
    struct target_result r;
    struct sim_result out;
    struct sim_client c = client();
    make_target(&r, 2048);
    const uint32_t s12[] = {0xC030, 0xC02F};
    set_suites(&r, TLSV_TLS12, s12, 2, ORDER_SERVER, 0);
    sim_negotiate(&r, NULL, &c, &out);
    ck_assert_int_eq(out.outcome, SIM_OK);
    ck_assert_int_eq(out.version, TLSV_TLS12);
    ck_assert_uint_eq(out.suite, 0xC030); /* the server's first */
    ck_assert_uint_eq(out.group, 0);      /* no ECDHE groups stored: none named */
    ck_assert_str_eq(out.key_type, "RSA");
    ck_assert_int_eq(out.key_bits, 2048);
    ck_assert_str_eq(out.note, "");
    set_suites(&r, TLSV_TLS12, s12, 2, ORDER_CLIENT, 0);
    sim_negotiate(&r, NULL, &c, &out);
    ck_assert_uint_eq(out.suite, 0xC02F); /* the client's first */
    ck_assert_str_eq(out.note, "");
    set_suites(&r, TLSV_TLS12, s12, 2, ORDER_UNKNOWN, 0);
    sim_negotiate(&r, NULL, &c, &out);
    ck_assert_uint_eq(out.suite, 0xC02F);
    ck_assert_ptr_nonnull(strstr(out.note, "order is unknown"));
    r.sni = strdup("example.test");
    c.exts = 0;
    sim_negotiate(&r, NULL, &c, &out);
    ck_assert_ptr_nonnull(strstr(out.note, "sends no SNI"));
    target_result_cleanup(&r);
}
END_TEST

START_TEST(test_versions)
{
    struct target_result r;
    struct sim_result out;
    struct sim_client c = client();
    make_target(&r, 2048);
    const uint32_t s12[] = {0x002F};
    set_suites(&r, TLSV_TLS12, s12, 1, ORDER_UNKNOWN, 0);
    sim_negotiate(&r, NULL, &c, &out);
    ck_assert_int_eq(out.outcome, SIM_OK);
    ck_assert_int_eq(out.version, TLSV_TLS12);
    ck_assert_str_eq(out.note, ""); /* one common suite: the order does not matter */
    r.enumeration.versions[TLSV_TLS13].state = PROBE_INCONCLUSIVE;
    sim_negotiate(&r, NULL, &c, &out);
    ck_assert_int_eq(out.outcome, SIM_UNKNOWN);
    ck_assert_str_eq(out.reason, "not determined by the scan: TLS 1.3");
    r.enumeration.versions[TLSV_TLS13].state = PROBE_REFUSED;
    c.versions = TLSV_BIT(TLSV_TLS10) | TLSV_BIT(TLSV_TLS11);
    sim_negotiate(&r, NULL, &c, &out);
    ck_assert_int_eq(out.outcome, SIM_FAIL);
    ck_assert_str_eq(out.reason, "no common protocol version");
    ck_assert_uint_eq(out.suite, 0);
    fact_mark(&r.enumeration.header, false);
    sim_negotiate(&r, NULL, &c, &out);
    ck_assert_int_eq(out.outcome, SIM_UNKNOWN);
    ck_assert_ptr_nonnull(strstr(out.reason, "no suite enumeration"));
    target_result_cleanup(&r);
}
END_TEST

START_TEST(test_ecdhe_groups)
{
    struct target_result r;
    struct sim_result out;
    struct sim_client c = client();
    make_target(&r, 2048);
    const uint32_t s12[] = {0xC02F, 0x009C};
    const uint16_t p384[] = {0x0018};
    const uint16_t both[] = {0x0017, 0x001D};
    set_suites(&r, TLSV_TLS12, s12, 2, ORDER_SERVER, 0);
    set_groups(&r.enumeration.groups12, &r.enumeration.n_groups12, p384, 1);
    sim_negotiate(&r, NULL, &c, &out);
    ck_assert_uint_eq(out.suite, 0x009C); /* ECDHE skipped: no common group */
    set_suites(&r, TLSV_TLS12, s12, 1, ORDER_SERVER, 0);
    sim_negotiate(&r, NULL, &c, &out);
    ck_assert_int_eq(out.outcome, SIM_FAIL);
    ck_assert_str_eq(out.reason,
                     "no common suite in TLS 1.2 (the common ECDHE suites lack a common group)");
    set_groups(&r.enumeration.groups12, &r.enumeration.n_groups12, both, 2);
    sim_negotiate(&r, NULL, &c, &out);
    ck_assert_uint_eq(out.group, 0x0017); /* server order: the server's first common group */
    ck_assert_int_eq(out.kx_bits, 256);
    set_suites(&r, TLSV_TLS12, s12, 1, ORDER_CLIENT, 0);
    sim_negotiate(&r, NULL, &c, &out);
    ck_assert_uint_eq(out.group, 0x001D); /* client order: x25519 first */
    target_result_cleanup(&r);
}
END_TEST

START_TEST(test_tls13_groups)
{
    struct target_result r;
    struct sim_result out;
    struct sim_client c = client();
    make_target(&r, 2048);
    const uint32_t s13[] = {0x1302, 0x1301};
    const uint16_t g13[] = {0x0017, 0x001D};
    const uint16_t p256[] = {0x0017};
    const uint16_t p521[] = {0x0019};
    set_suites(&r, TLSV_TLS13, s13, 2, ORDER_SERVER, 0);
    set_groups(&r.enumeration.groups13, &r.enumeration.n_groups13, g13, 2);
    sim_negotiate(&r, NULL, &c, &out);
    ck_assert_int_eq(out.outcome, SIM_OK);
    ck_assert_int_eq(out.version, TLSV_TLS13);
    ck_assert_uint_eq(out.suite, 0x1302);
    ck_assert_uint_eq(out.group, 0x001D); /* the client's key share */
    ck_assert(!out.hrr);
    set_groups(&r.enumeration.groups13, &r.enumeration.n_groups13, p256, 1);
    sim_negotiate(&r, NULL, &c, &out);
    ck_assert_uint_eq(out.group, 0x0017);
    ck_assert(out.hrr);
    set_groups(&r.enumeration.groups13, &r.enumeration.n_groups13, p521, 1);
    sim_negotiate(&r, NULL, &c, &out);
    ck_assert_int_eq(out.outcome, SIM_FAIL);
    ck_assert_str_eq(out.reason, "no common group for the TLS 1.3 key exchange");
    ck_assert_uint_eq(out.suite, 0);
    target_result_cleanup(&r);
}
END_TEST

START_TEST(test_limits)
{
    struct target_result r;
    struct sim_result out;
    struct sim_client c = client();
    make_target(&r, 2048);
    const uint32_t dhe[] = {0x009E};
    set_suites(&r, TLSV_TLS12, dhe, 1, ORDER_SERVER, 1024);
    sim_negotiate(&r, NULL, &c, &out);
    ck_assert_int_eq(out.outcome, SIM_OK);
    ck_assert_int_eq(out.kx_bits, 1024);
    c.min_dh = 2048;
    sim_negotiate(&r, NULL, &c, &out);
    ck_assert_int_eq(out.outcome, SIM_FAIL);
    ck_assert_str_eq(out.reason, "DH too small (1024 bits < the client's 2048)");
    ck_assert_uint_eq(out.suite, 0x009E); /* the server chose: after the ServerHello */
    c.min_dh = 0;
    c.max_dh = 768;
    sim_negotiate(&r, NULL, &c, &out);
    ck_assert_str_eq(out.reason, "DH too large for the client (1024 bits > its 768)");
    c.max_dh = 0;
    r.certs[0].key_bits = 1024;
    c.min_rsa = 2048;
    sim_negotiate(&r, NULL, &c, &out);
    ck_assert_str_eq(out.reason, "RSA key too small (1024 bits < the client's 2048)");
    c.min_rsa = 0;
    /* TLS 1.3 with an RSA key needs RSA-PSS */
    const uint32_t s13[] = {0x1301};
    const uint16_t pkcs1[] = {0x0401};
    set_suites(&r, TLSV_TLS13, s13, 1, ORDER_SERVER, 0);
    c.sigschemes = pkcs1;
    c.n_sigschemes = 1;
    sim_negotiate(&r, NULL, &c, &out);
    ck_assert_int_eq(out.outcome, SIM_FAIL);
    ck_assert_str_eq(out.reason, "no common signature scheme for the server's certificate key");
    c.versions = TLSV_BIT(TLSV_TLS12);
    sim_negotiate(&r, NULL, &c, &out);
    ck_assert_int_eq(out.outcome, SIM_OK); /* rsa_pkcs1_sha256 is enough in TLS 1.2 */
    target_result_cleanup(&r);
}
END_TEST

START_TEST(test_what_if)
{
    struct target_result r;
    struct sim_result before, after;
    struct sim_client c = client();
    struct sim_change ch = {0};
    char err[256];
    make_target(&r, 2048);
    const uint32_t s12[] = {0xC02F, 0x002F};
    const uint32_t s11[] = {0x002F};
    set_suites(&r, TLSV_TLS12, s12, 2, ORDER_SERVER, 0);
    set_suites(&r, TLSV_TLS11, s11, 1, ORDER_SERVER, 0);
    c.versions |= TLSV_BIT(TLSV_TLS11);
    ck_assert(!sim_change_active(&ch));
    ck_assert_int_eq(sim_parse_versions(&ch, "tls1.2, TLS 1.3", err, sizeof(err)), 0);
    ck_assert_uint_eq(ch.versions, TLSV_BIT(TLSV_TLS12) | TLSV_BIT(TLSV_TLS13));
    sim_negotiate(&r, NULL, &c, &before);
    sim_negotiate(&r, &ch, &c, &after);
    ck_assert_int_eq(before.version, TLSV_TLS12);
    ck_assert_int_eq(after.version, TLSV_TLS11);
    ck_assert(!sim_same(&before, &after));
    ck_assert_int_eq(sim_parse_suites(&ch, "cbc", err, sizeof(err)), 0);
    sim_negotiate(&r, &ch, &c, &after);
    ck_assert_int_eq(after.outcome, SIM_FAIL);
    ck_assert_str_eq(after.reason, "no common protocol version (the change leaves a version the "
                                   "client offers without suites)");
    struct sim_change names = {0};
    ck_assert_int_eq(sim_parse_suites(&names, "AES128-SHA,0xc02f,non-fs,rsa-kex", err, sizeof(err)),
                     0);
    ck_assert_uint_eq(names.n_suites, 2);
    ck_assert_uint_eq(names.suites[0], 0x002F);
    ck_assert_uint_eq(names.suites[1], 0xC02F);
    ck_assert(names.no_fs);
    ck_assert_uint_eq(names.attrs, SUITE_KX_RSA);
    ck_assert_int_eq(sim_parse_versions(&names, "tls9", err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "'tls9' is not a protocol version"));
    ck_assert_int_eq(sim_parse_versions(&names, "sslv2", err, sizeof(err)), -1);
    ck_assert_int_eq(sim_parse_versions(&names, ",", err, sizeof(err)), -1);
    ck_assert_int_eq(sim_parse_suites(&names, "cbc,blue", err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "'blue' is not a suite class"));
    ck_assert_int_eq(sim_parse_suites(&names, "0x12345", err, sizeof(err)), -1);
    target_result_cleanup(&r);
}
END_TEST

START_TEST(test_policy)
{
    static const char yaml[] = "id: t\n"
                               "title: t\n"
                               "version: \"1\"\n"
                               "rules:\n"
                               "  - id: no-old\n"
                               "    title: no TLS 1.1\n"
                               "    ref: test\n"
                               "    severity: high\n"
                               "    protocols_forbidden: [TLS1.1]\n"
                               "  - id: no-cbc\n"
                               "    title: no CBC\n"
                               "    ref: test\n"
                               "    severity: high\n"
                               "    suites_forbidden: {attributes: [cbc]}\n";
    char err[512];
    struct policy *p = policy_load_buffer("t.yaml", yaml, sizeof(yaml) - 1, err, sizeof(err));
    ck_assert_msg(p != NULL, "%s", err);
    char why[128];
    ck_assert(!policy_permits_version(p, NULL, TLSV_TLS11, why, sizeof(why)));
    ck_assert_str_eq(why, "no-old (protocols_forbidden)");
    ck_assert(policy_permits_version(p, NULL, TLSV_TLS12, why, sizeof(why)));
    ck_assert(!policy_permits_suite(p, NULL, TLSV_TLS12, 0x002F, why, sizeof(why)));
    ck_assert_str_eq(why, "no-cbc (suites_forbidden)");
    ck_assert(policy_permits_suite(p, NULL, TLSV_TLS12, 0xC02F, why, sizeof(why)));

    struct target_result r;
    struct sim_result out;
    struct sim_client c = client();
    make_target(&r, 2048);
    const uint32_t s12[] = {0x002F, 0xC02F};
    set_suites(&r, TLSV_TLS12, s12, 2, ORDER_SERVER, 0);
    struct sim_change ch = {.policy = p};
    ck_assert(sim_change_active(&ch));
    sim_negotiate(&r, &ch, &c, &out);
    ck_assert_uint_eq(out.suite, 0xC02F); /* AES128-SHA removed, the server's second left */
    target_result_cleanup(&r);
    policy_free(p);
}
END_TEST

START_TEST(test_table)
{
    size_t n_captured = 0;
    ck_assert_uint_ge(sim_n_clients, 30);
    for (size_t i = 0; i < sim_n_clients; i++) {
        const struct sim_client *c = &sim_clients[i];
        ck_assert(c->name[0] != '\0' && c->version[0] != '\0');
        ck_assert_uint_gt(c->n_suites, 0);
        ck_assert_uint_ne(c->versions, 0);
        ck_assert_ptr_nonnull(strstr(c->source, c->captured ? "captured: " : "published: "));
        n_captured += c->captured;
    }
    ck_assert_uint_eq(n_captured, 11);
    struct sim_options o = {0};
    const char *pat[] = {"android*"};
    o.clients = pat;
    o.n_clients = 1;
    size_t n_android = 0;
    for (size_t i = 0; i < sim_n_clients; i++) {
        n_android += sim_client_selected(&o, &sim_clients[i]);
    }
    ck_assert_uint_eq(n_android, 8);
}
END_TEST

static Suite *simulate_suite(void)
{
    Suite *s = suite_create("simulate");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, TEST_TIMEOUT_S);
    tcase_add_test(tc, test_order);
    tcase_add_test(tc, test_versions);
    tcase_add_test(tc, test_ecdhe_groups);
    tcase_add_test(tc, test_tls13_groups);
    tcase_add_test(tc, test_limits);
    tcase_add_test(tc, test_what_if);
    tcase_add_test(tc, test_policy);
    tcase_add_test(tc, test_table);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(simulate_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
