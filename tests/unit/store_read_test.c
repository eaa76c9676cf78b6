/*
 * tests/unit/store_read_test.c - unit tests of reading stored scans back
 * (store/store_read.c) and of storing policy findings (store_put_findings
 * in store/store.c).
 *
 * The central test writes fully populated targets with store_put_target,
 * reads them with store_load_targets and compares every field of every
 * fact, so a column the reader forgets, maps wrongly or reorders fails it.
 * Findings are checked through a separate raw SQLite connection: the test
 * reads the file, not the store's own view of it.
 *
 * Invariant: each assertion compares against a concrete expected value, so
 * every test can fail.
 */
#include <check.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "common/model/facts.h"
#include "common/model/probe_result.h"
#include "store/store.h"

#define TEST_TIMEOUT_S 60

static char g_dir[256];
static char g_db[512];

/* --- fixture and small helpers ------------------------------------------- */

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        return;
    }
    struct dirent *e;
    char p[512];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

static void setup(void)
{
    const char *base = getenv("TMPDIR");
    if (base == NULL || base[0] == '\0') {
        base = "/tmp";
    }
    int n = snprintf(g_dir, sizeof(g_dir), "%s/store_read_test.XXXXXX", base);
    ck_assert(n > 0 && (size_t)n < sizeof(g_dir));
    ck_assert_ptr_nonnull(mkdtemp(g_dir));
    n = snprintf(g_db, sizeof(g_db), "%s/t.db", g_dir);
    ck_assert(n > 0 && (size_t)n < sizeof(g_db));
}

static void teardown(void)
{
    remove_tree(g_dir);
}

static struct store *open_ok(void)
{
    struct store *s = NULL;
    char err[512] = "unset";
    ck_assert_msg(store_open(g_db, &s, err, sizeof(err)) == 0, "store_open: %s", err);
    return s;
}

static int64_t begin_scan(struct store *s, int64_t started_ms)
{
    struct scan_meta meta = {
        .started_ms = started_ms,
        .tool_version = "0.1-test",
        .options = "scan -f targets.txt",
        .trust_store = "/etc/lab/ca.pem",
        .registry_version = "iana-test+1",
    };
    int64_t id = -1;
    ck_assert_msg(store_scan_begin(s, &meta, &id) == 0, "%s", store_errmsg(s));
    return id;
}

static int64_t raw_count(const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_open_v2(g_db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
                  sqlite3_errmsg(db));
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* raw_text returns a copy of column 0 of the single row ("<NULL>" for NULL). */
static char *raw_text(const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_open_v2(g_db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
                  sqlite3_errmsg(db));
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    const unsigned char *t = sqlite3_column_text(st, 0);
    char *v = strdup(t != NULL ? (const char *)t : "<NULL>");
    ck_assert_ptr_nonnull(v);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void raw_exec(const char *sql)
{
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open_v2(g_db, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 10000);
    ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK, "%s: %s", sql,
                  sqlite3_errmsg(db));
    sqlite3_close(db);
}

#define ck_raw_text(sql, expected)                                                                 \
    do {                                                                                           \
        char *got_ = raw_text(sql);                                                                \
        ck_assert_str_eq(got_, (expected));                                                        \
        free(got_);                                                                                \
    } while (0)

/* --- building facts by hand ----------------------------------------------- */

static void add(struct strlist *l, const char *s)
{
    ck_assert_int_eq(strlist_add(l, s), 0);
}

static char *xdup(const char *s)
{
    char *d = strdup(s);
    ck_assert_ptr_nonnull(d);
    return d;
}

/* fill_cert makes a certificate whose DER and SHA-256 derive from seed (the
 * store does not parse DER, so any bytes do, NULs included). Every field is
 * set to a value other than its "absent" value. */
static void fill_cert(struct cert_fact *c, int seed)
{
    cert_fact_init(c);
    c->der_len = 200 + (size_t)seed;
    c->der = malloc(c->der_len);
    ck_assert_ptr_nonnull(c->der);
    for (size_t i = 0; i < c->der_len; i++) {
        c->der[i] = (unsigned char)(seed * 13 + (int)i * 7);
    }
    c->der[5] = 0; /* a NUL inside the blob */
    for (size_t i = 0; i < 32; i++) {
        snprintf(c->sha256 + 2 * i, sizeof(c->sha256) - 2 * i, "%02x",
                 (unsigned)((seed * 11 + (int)i * 3) & 0xff));
    }
    char buf[128];
    snprintf(buf, sizeof(buf), "CN=cert%d.example.test,O=Example\\, Inc.", seed);
    c->subject = xdup(buf);
    snprintf(buf, sizeof(buf), "CN=issuer of %d", seed);
    c->issuer = xdup(buf);
    snprintf(c->serial, sizeof(c->serial), "00ff%04x", (unsigned)seed);
    c->not_before = 1700000000 + seed;
    c->not_after = 1710000000 + seed;
    c->days_left = -3 - seed; /* negative: expired */
    snprintf(c->key_type, sizeof(c->key_type), "EC");
    c->key_bits = 384;
    snprintf(c->curve, sizeof(c->curve), "secp384r1");
    snprintf(c->sig_alg, sizeof(c->sig_alg), "ECDSA-SHA384");
    c->has_key_usage = true;
    add(&c->key_usage, "digitalSignature");
    add(&c->key_usage, "keyAgreement");
    add(&c->eku, "serverAuth");
    add(&c->eku, "1.3.6.1.5.5.7.3.2");
    c->ca = 0;
    c->path_len = 3;
    add(&c->san, "DNS:z.example.test"); /* order kept, not sorted */
    add(&c->san, "DNS:evil.test\nDNS:injected.test, DNS:comma.test");
    add(&c->san, "IP:2001:db8::1");
    add(&c->ocsp_urls, "http://ocsp.example.test/a");
    add(&c->ocsp_urls, "http://ocsp.example.test/b");
    add(&c->ca_issuer_urls, "http://ca.example.test/ca.der");
    add(&c->crl_urls, "http://crl.example.test/1.crl");
    add(&c->crl_urls, "ldap://crl.example.test/2");
    add(&c->policy_oids, "2.23.140.1.2.2"); /* order kept */
    add(&c->policy_oids, "1.3.6.1.4.1.99999.1");
    c->must_staple = true;
    c->n_scts = 3;
    c->self_signed = true;
}

static void fill_enum_version(struct enum_version_fact *f, enum probe_state state,
                              const uint32_t *codes, size_t n, enum enum_order order)
{
    f->state = state;
    f->order = order;
    if (n == 0) {
        return;
    }
    f->suites = calloc(n, sizeof(*f->suites));
    ck_assert_ptr_nonnull(f->suites);
    f->n_suites = n;
    for (size_t i = 0; i < n; i++) {
        f->suites[i].code = codes[i];
        f->suites[i].server_rank = order == ORDER_SERVER ? (int)i : -1;
        f->suites[i].ec_group = (codes[i] & 0xff00) == 0xc000 ? 0x001d : 0;
        f->suites[i].kx_bits = (codes[i] & 0xff00) == 0xc000 ? 253 : ((i % 2) ? 1024 : 0);
    }
}

static uint16_t *u16s(const uint16_t *src, size_t n)
{
    uint16_t *a = malloc(n * sizeof(*a));
    ck_assert_ptr_nonnull(a);
    memcpy(a, src, n * sizeof(*a));
    return a;
}

/* fill_full builds a target in which every fact is set: every version
 * state, a three-certificate chain, and an enumeration with suites in a
 * server order that is neither ascending nor descending, all three
 * tri-state values and every list. */
static void fill_deployments(struct target_result *r, int seed);

static void fill_full(struct target_result *r, const char *host, uint16_t port, int seed)
{
    target_result_init(r);
    r->host = xdup(host);
    r->sni = xdup("sni.example.test");
    r->port = port;
    add(&r->tags, "pan");
    add(&r->tags, seed % 2 ? "prod" : "dmz");
    add(&r->tags, "odd, tag\nwith newline");
    snprintf(r->ip, sizeof(r->ip), "2001:db8::%d", seed);
    r->started_ms = 1760000000000LL + seed;
    r->finished_ms = 1760000009999LL + seed;
    r->status = TARGET_OK;
    /* a STARTTLS target: the protocol and every field of its dialogue */
    snprintf(r->starttls, sizeof(r->starttls), "%s", seed % 2 ? "smtp" : "imap");
    fact_set_result(&r->dialogue.header, NULL);
    r->dialogue.greeted = true;
    r->dialogue.capabilities_read = seed % 2 == 0;
    r->dialogue.offered = true;
    r->dialogue.plain_auth = seed % 2 == 1;
    r->dialogue.upgraded = seed % 3 != 0;
    snprintf(r->dialogue.caps, sizeof(r->dialogue.caps), "STARTTLS AUTH=PLAIN %d", seed);
    snprintf(r->dialogue.banner, sizeof(r->dialogue.banner), "mx %d 'ESMTP'", seed);
    snprintf(r->dialogue.failure, sizeof(r->dialogue.failure), "%s",
             seed % 3 != 0 ? "" : "smtp: STARTTLS refused: 454 4.7.0");
    snprintf(r->error, sizeof(r->error), "partial: TLS 1.1 timed out");

    r->versions[TLSV_TLS10].state = PROBE_REFUSED;
    snprintf(r->versions[TLSV_TLS10].reason, FACT_TEXT, "alert protocol_version (70)");
    r->versions[TLSV_TLS11].state = PROBE_INCONCLUSIVE;
    snprintf(r->versions[TLSV_TLS11].reason, FACT_TEXT, "timed out");
    struct version_fact *v = &r->versions[TLSV_TLS12];
    v->state = PROBE_ACCEPTED;
    v->suite = 0x009e;
    snprintf(v->suite_name, sizeof(v->suite_name), "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256");
    snprintf(v->group, sizeof(v->group), "ffdhe3072");
    v->dh_bits = 3072;
    v = &r->versions[TLSV_TLS13];
    v->state = PROBE_ACCEPTED;
    v->suite = 0x1302;
    snprintf(v->suite_name, sizeof(v->suite_name), "TLS_AES_256_GCM_SHA384");
    snprintf(v->group, sizeof(v->group), "x25519");
    v->hrr = true;

    fact_mark(&r->chain_header, true);
    r->n_certs = 3;
    r->certs = calloc(3, sizeof(*r->certs));
    ck_assert_ptr_nonnull(r->certs);
    fill_cert(&r->certs[0], seed);
    fill_cert(&r->certs[1], 1);
    fill_cert(&r->certs[2], 2);
    /* The intermediate: different "absent" fields. */
    struct cert_fact *c = &r->certs[1];
    c->ca = 1;
    c->path_len = -1;
    c->has_key_usage = false;
    strlist_cleanup(&c->key_usage);
    strlist_cleanup(&c->san);
    c->curve[0] = '\0';
    snprintf(c->key_type, sizeof(c->key_type), "RSA");
    c->key_bits = 4096;
    c->self_signed = false;
    c->must_staple = false;
    c->n_scts = 0;
    /* The root: no basicConstraints, no subject (NULL, not ""). */
    c = &r->certs[2];
    c->ca = -1;
    c->path_len = -1;
    free(c->subject);
    c->subject = NULL;
    c->days_left = 4000;

    struct chain_fact *ch = &r->chain;
    ch->trusted = true;
    ch->verify_status = 0x1002;
    snprintf(ch->verify_text, sizeof(ch->verify_text), "expired, signer not found");
    ch->hostname_checked = true;
    ch->hostname_match = false;
    snprintf(ch->hostname, sizeof(ch->hostname), "sni.example.test");
    ch->expired = true;
    ch->not_yet_valid = true;
    ch->self_signed = true;
    ch->incomplete = true;
    ch->wrong_order = true;
    ch->min_days_left = -7;
    ch->ocsp_staple = true;
    snprintf(ch->ocsp_status, sizeof(ch->ocsp_status), "revoked");

    /* Generic probe results: every state, no version, a 3-byte SSLv2
     * kind, no detail, and evidence with control bytes and bad UTF-8. */
    r->probes.header.state = FACT_COULD_NOT_TEST;
    snprintf(r->probes.header.detail, sizeof(r->probes.header.detail), "budget ran out %d", seed);
    for (int st = 0; st < PR_STATE_COUNT; st++) {
        char id[32];
        snprintf(id, sizeof(id), "probe_%d_%d", st, seed);
        ck_assert_int_eq(probe_list_add(&r->probes, id,
                                        st == 0 ? PROBE_NO_VERSION : (enum tls_version)(st - 1),
                                        st == 1 ? 0x010080 : (uint32_t)(0xc02f * (st % 2)),
                                        (enum probe_result_state)st, st == 2 ? NULL : "why <x>",
                                        st == 3 ? "\x01\x1b[2J\xff\xc0\xaf\n=1+1" : NULL),
                         0);
    }
    snprintf(ch->ocsp_detail, sizeof(ch->ocsp_detail), "revoked at 2025-01-01");
    fill_deployments(r, seed);

    struct enum_facts *e = &r->enumeration;
    fact_mark(&e->header, true);
    static const uint32_t ssl2[] = {0x0700c0, 0x010080};
    static const uint32_t tls10[] = {0xc014, 0x0039, 0x002f, 0x0005};
    static const uint32_t tls12[] = {0xc030, 0x009f, 0xcca8, 0x003d, 0xc02f};
    static const uint32_t tls13[] = {0x1302, 0x1301};
    fill_enum_version(&e->versions[TLSV_SSL2], PROBE_ACCEPTED, ssl2, 2, ORDER_UNKNOWN);
    fill_enum_version(&e->versions[TLSV_SSL3], PROBE_REFUSED, NULL, 0, ORDER_UNKNOWN);
    snprintf(e->versions[TLSV_SSL3].reason, FACT_TEXT, "handshake_failure (40)");
    fill_enum_version(&e->versions[TLSV_TLS10], PROBE_ACCEPTED, tls10, 4, ORDER_SERVER);
    fill_enum_version(&e->versions[TLSV_TLS11], PROBE_INCONCLUSIVE, NULL, 0, ORDER_UNKNOWN);
    snprintf(e->versions[TLSV_TLS11].reason, FACT_TEXT, "reset");
    fill_enum_version(&e->versions[TLSV_TLS12], PROBE_ACCEPTED, tls12, 5, ORDER_SERVER);
    e->versions[TLSV_TLS12].incomplete = true;
    snprintf(e->versions[TLSV_TLS12].incomplete_why, FACT_TEXT, "bundle 3 timed out");
    fill_enum_version(&e->versions[TLSV_TLS13], PROBE_ACCEPTED, tls13, 2, ORDER_CLIENT);
    static const uint16_t g12[] = {0x0017, 0x001d, 0x0018};
    static const uint16_t g13[] = {0x001d};
    static const uint16_t sa[] = {0x0804, 0x0401, 0x0601, 0x0201};
    e->groups12 = u16s(g12, 3);
    e->n_groups12 = 3;
    e->groups13 = u16s(g13, 1);
    e->n_groups13 = 1;
    e->sigalgs12 = u16s(sa, 4);
    e->n_sigalgs12 = 4;
    e->sigalgs13[0] = 0x0403;
    e->sigalgs13[1] = 0x0804;
    e->sigalgs13[2] = 0x0807;
    e->n_sigalgs13 = 3;
    fact_mark(&e->sigalgs13_header, true);
    e->secure_renegotiation = TRI_YES;
    e->extended_master_secret = TRI_NO;
    e->encrypt_then_mac = TRI_UNKNOWN;
    e->status_request = TRI_YES;
    e->session_ticket = TRI_NO;
    e->heartbeat = TRI_UNKNOWN;
    snprintf(e->alpn, sizeof(e->alpn), "h2");
    e->unoffered_choice = true;
    snprintf(e->anomalies, sizeof(e->anomalies), "chose suite 0x0005 it was not offered");
    e->n_probes = 123456;
}

/* fill_deployments gives r two further deployments: an ECDSA chain,
 * checked and with revocation,
 * and a "no SNI" one that was not collected. */
static void fill_deployments(struct target_result *r, int seed)
{
    r->deployments = calloc(2, sizeof(*r->deployments));
    ck_assert_ptr_nonnull(r->deployments);
    r->n_deployments = 2;
    struct deployment *d = &r->deployments[0];
    deployment_init(d);
    snprintf(d->label, sizeof(d->label), "ECDSA");
    fact_mark(&d->chain_header, true);
    d->certs = calloc(2, sizeof(*d->certs));
    ck_assert_ptr_nonnull(d->certs);
    d->n_certs = 2;
    fill_cert(&d->certs[0], 40 + seed);
    fill_cert(&d->certs[1], 60 + seed);
    d->chain.expired = true;
    d->chain.verify_status = 0x402;
    snprintf(d->chain.verify_text, sizeof(d->chain.verify_text), "expired");
    d->chain.hostname_checked = true;
    d->chain.hostname_match = true;
    snprintf(d->chain.hostname, sizeof(d->chain.hostname), "sni.example.test");
    d->chain.min_days_left = -31;
    d->chain.aia_fetched = 2;
    snprintf(d->chain.aia_detail, sizeof(d->chain.aia_detail), "aia %d", seed);
    fact_mark(&d->revoc_header, true);
    d->revoc = calloc(2, sizeof(*d->revoc));
    ck_assert_ptr_nonnull(d->revoc);
    d->n_revoc = 2;
    d->revoc[0].status = REVOC_REVOKED;
    snprintf(d->revoc[0].method, sizeof(d->revoc[0].method), "ocsp");
    snprintf(d->revoc[0].url, sizeof(d->revoc[0].url), "http://ocsp.example.test/");
    snprintf(d->revoc[0].reason, sizeof(d->revoc[0].reason), "keyCompromise");
    d->revoc[0].revoked_at = 1750000000;
    d->revoc[0].this_update = 1750000100;
    d->revoc[0].next_update = 1750600100;
    snprintf(d->revoc[0].staple, sizeof(d->revoc[0].staple), "agrees");
    d->revoc[1].status = REVOC_NOT_CHECKED;
    snprintf(d->revoc[1].detail, sizeof(d->revoc[1].detail), "no OCSP or CRL URL");
    d->revoc[1].from_cache = true;
    deployment_init(&r->deployments[1]);
    snprintf(r->deployments[1].label, sizeof(r->deployments[1].label), "no SNI");
}

/* fill_minimal: an unreachable target (no chain, no enumeration). */
static void fill_minimal(struct target_result *r, const char *host, uint16_t port)
{
    target_result_init(r);
    r->host = xdup(host);
    r->port = port;
    r->status = TARGET_UNREACHABLE;
    snprintf(r->error, sizeof(r->error), "connection refused");
    r->started_ms = 1760000000000LL;
    r->finished_ms = 1760000000001LL;
}

/* --- comparing every field ------------------------------------------------- */

static void ck_opt_str(const char *what, const char *a, const char *b)
{
    if (a == NULL || b == NULL) {
        ck_assert_msg(a == b, "%s: %s vs %s", what, a ? a : "NULL", b ? b : "NULL");
        return;
    }
    ck_assert_msg(strcmp(a, b) == 0, "%s: '%s' vs '%s'", what, a, b);
}

static void ck_list(const char *what, const struct strlist *a, const struct strlist *b)
{
    ck_assert_msg(a->n_items == b->n_items, "%s: %zu vs %zu items", what, a->n_items, b->n_items);
    for (size_t i = 0; i < a->n_items; i++) {
        ck_assert_msg(strcmp(a->items[i], b->items[i]) == 0, "%s[%zu]: '%s' vs '%s'", what, i,
                      a->items[i], b->items[i]);
    }
}

static void ck_cert(const struct cert_fact *a, const struct cert_fact *b)
{
    ck_assert_uint_eq(a->der_len, b->der_len);
    ck_assert(memcmp(a->der, b->der, a->der_len) == 0);
    ck_assert_str_eq(a->sha256, b->sha256);
    ck_opt_str("subject", a->subject, b->subject);
    ck_opt_str("issuer", a->issuer, b->issuer);
    ck_assert_str_eq(a->serial, b->serial);
    ck_assert_int_eq(a->not_before, b->not_before);
    ck_assert_int_eq(a->not_after, b->not_after);
    ck_assert_int_eq(a->days_left, b->days_left);
    ck_assert_str_eq(a->key_type, b->key_type);
    ck_assert_int_eq(a->key_bits, b->key_bits);
    ck_assert_str_eq(a->curve, b->curve);
    ck_assert_str_eq(a->sig_alg, b->sig_alg);
    ck_assert_int_eq(a->has_key_usage, b->has_key_usage);
    ck_list("key_usage", &a->key_usage, &b->key_usage);
    ck_list("eku", &a->eku, &b->eku);
    ck_assert_int_eq(a->ca, b->ca);
    ck_assert_int_eq(a->path_len, b->path_len);
    ck_list("san", &a->san, &b->san);
    ck_list("ocsp_urls", &a->ocsp_urls, &b->ocsp_urls);
    ck_list("ca_issuer_urls", &a->ca_issuer_urls, &b->ca_issuer_urls);
    ck_list("crl_urls", &a->crl_urls, &b->crl_urls);
    ck_list("policy_oids", &a->policy_oids, &b->policy_oids);
    ck_assert_int_eq(a->must_staple, b->must_staple);
    ck_assert_int_eq(a->n_scts, b->n_scts);
    ck_assert_int_eq(a->self_signed, b->self_signed);
}

static void ck_u16s(const char *what, const uint16_t *a, size_t na, const uint16_t *b, size_t nb)
{
    ck_assert_msg(na == nb, "%s: %zu vs %zu", what, na, nb);
    for (size_t i = 0; i < na; i++) {
        ck_assert_msg(a[i] == b[i], "%s[%zu]: 0x%04x vs 0x%04x", what, i, a[i], b[i]);
    }
}

static void ck_enum(const struct enum_facts *a, const struct enum_facts *b)
{
    ck_assert_int_eq(fact_collected(&a->header), fact_collected(&b->header));
    for (int v = 0; v < TLSV_COUNT; v++) {
        const struct enum_version_fact *x = &a->versions[v];
        const struct enum_version_fact *y = &b->versions[v];
        ck_assert_msg(x->state == y->state, "version %d state", v);
        ck_assert_str_eq(x->reason, y->reason);
        ck_assert_msg(x->order == y->order, "version %d order", v);
        ck_assert_int_eq(x->incomplete, y->incomplete);
        ck_assert_str_eq(x->incomplete_why, y->incomplete_why);
        ck_assert_msg(x->n_suites == y->n_suites, "version %d: %zu vs %zu suites", v, x->n_suites,
                      y->n_suites);
        for (size_t i = 0; i < x->n_suites; i++) {
            ck_assert_msg(x->suites[i].code == y->suites[i].code, "version %d suite %zu: %x/%x", v,
                          i, x->suites[i].code, y->suites[i].code);
            ck_assert_int_eq(x->suites[i].server_rank, y->suites[i].server_rank);
            ck_assert_uint_eq(x->suites[i].ec_group, y->suites[i].ec_group);
            ck_assert_int_eq(x->suites[i].kx_bits, y->suites[i].kx_bits);
        }
        /* Not stored (see store.h): the loaded value is always 0. */
        ck_assert_uint_eq(y->echoed_exts, 0);
    }
    ck_u16s("groups12", a->groups12, a->n_groups12, b->groups12, b->n_groups12);
    ck_u16s("groups13", a->groups13, a->n_groups13, b->groups13, b->n_groups13);
    ck_u16s("sigalgs12", a->sigalgs12, a->n_sigalgs12, b->sigalgs12, b->n_sigalgs12);
    ck_u16s("sigalgs13", a->sigalgs13, a->n_sigalgs13, b->sigalgs13, b->n_sigalgs13);
    ck_assert_int_eq(fact_collected(&a->sigalgs13_header), fact_collected(&b->sigalgs13_header));
    ck_assert_int_eq(a->secure_renegotiation, b->secure_renegotiation);
    ck_assert_int_eq(a->extended_master_secret, b->extended_master_secret);
    ck_assert_int_eq(a->encrypt_then_mac, b->encrypt_then_mac);
    ck_assert_int_eq(a->status_request, b->status_request);
    ck_assert_int_eq(a->session_ticket, b->session_ticket);
    ck_assert_int_eq(a->heartbeat, b->heartbeat);
    ck_assert_str_eq(a->alpn, b->alpn);
    ck_assert_int_eq(a->unoffered_choice, b->unoffered_choice);
    ck_assert_str_eq(a->anomalies, b->anomalies);
    ck_assert_uint_eq(a->n_probes, b->n_probes);
}

static void ck_chain(const struct chain_fact *x, const struct chain_fact *y)
{
    ck_assert_int_eq(x->trusted, y->trusted);
    ck_assert_uint_eq(x->verify_status, y->verify_status);
    ck_assert_str_eq(x->verify_text, y->verify_text);
    ck_assert_int_eq(x->hostname_checked, y->hostname_checked);
    ck_assert_int_eq(x->hostname_match, y->hostname_match);
    ck_assert_str_eq(x->hostname, y->hostname);
    ck_assert_int_eq(x->expired, y->expired);
    ck_assert_int_eq(x->not_yet_valid, y->not_yet_valid);
    ck_assert_int_eq(x->self_signed, y->self_signed);
    ck_assert_int_eq(x->incomplete, y->incomplete);
    ck_assert_int_eq(x->wrong_order, y->wrong_order);
    ck_assert_int_eq(x->min_days_left, y->min_days_left);
    ck_assert_int_eq(x->ocsp_staple, y->ocsp_staple);
    ck_assert_str_eq(x->ocsp_status, y->ocsp_status);
    ck_assert_str_eq(x->ocsp_detail, y->ocsp_detail);
    ck_assert_int_eq(x->aia_attempted, y->aia_attempted);
    ck_assert_int_eq(x->aia_completed, y->aia_completed);
    ck_assert_int_eq(x->aia_trusted, y->aia_trusted);
    ck_assert_int_eq(x->aia_fetched, y->aia_fetched);
    ck_assert_str_eq(x->aia_detail, y->aia_detail);
}

/* ck_deployments: the further deployments, field by field. */
static void ck_deployments(const struct target_result *a, const struct target_result *b)
{
    ck_assert_uint_eq(a->n_deployments, b->n_deployments);
    for (size_t i = 0; i < a->n_deployments; i++) {
        const struct deployment *x = &a->deployments[i];
        const struct deployment *y = &b->deployments[i];
        ck_assert_str_eq(x->label, y->label);
        ck_assert_int_eq(fact_collected(&x->chain_header), fact_collected(&y->chain_header));
        ck_assert_uint_eq(x->n_certs, y->n_certs);
        for (size_t k = 0; k < x->n_certs; k++) {
            ck_cert(&x->certs[k], &y->certs[k]);
        }
        if (fact_collected(&x->chain_header)) {
            ck_chain(&x->chain, &y->chain);
        }
        ck_assert_int_eq(fact_collected(&x->revoc_header), fact_collected(&y->revoc_header));
        ck_assert_uint_eq(x->n_revoc, y->n_revoc);
        for (size_t k = 0; k < x->n_revoc; k++) {
            const struct revoc_fact *f = &x->revoc[k];
            const struct revoc_fact *g = &y->revoc[k];
            ck_assert_int_eq(f->status, g->status);
            ck_assert_str_eq(f->method, g->method);
            ck_assert_str_eq(f->url, g->url);
            ck_assert_str_eq(f->detail, g->detail);
            ck_assert_int_eq(f->revoked_at, g->revoked_at);
            ck_assert_str_eq(f->reason, g->reason);
            ck_assert_int_eq(f->this_update, g->this_update);
            ck_assert_int_eq(f->next_update, g->next_update);
            ck_assert_int_eq(f->from_cache, g->from_cache);
            ck_assert_str_eq(f->staple, g->staple);
        }
    }
}

static void ck_target(const struct target_result *a, const struct target_result *b)
{
    ck_opt_str("host", a->host, b->host);
    ck_assert_uint_eq(a->port, b->port);
    ck_opt_str("sni", a->sni, b->sni);
    ck_assert_str_eq(a->ip, b->ip);
    ck_list("tags", &a->tags, &b->tags);
    ck_assert_int_eq(a->started_ms, b->started_ms);
    ck_assert_int_eq(a->finished_ms, b->finished_ms);
    ck_assert_int_eq(a->status, b->status);
    ck_assert_str_eq(a->error, b->error);
    ck_assert_str_eq(a->starttls, b->starttls);
    ck_assert_int_eq(a->dialogue.header.state, b->dialogue.header.state);
    ck_assert_str_eq(a->dialogue.header.detail, b->dialogue.header.detail);
    ck_assert_int_eq(a->dialogue.greeted, b->dialogue.greeted);
    ck_assert_int_eq(a->dialogue.capabilities_read, b->dialogue.capabilities_read);
    ck_assert_int_eq(a->dialogue.offered, b->dialogue.offered);
    ck_assert_int_eq(a->dialogue.plain_auth, b->dialogue.plain_auth);
    ck_assert_int_eq(a->dialogue.upgraded, b->dialogue.upgraded);
    ck_assert_str_eq(a->dialogue.caps, b->dialogue.caps);
    ck_assert_str_eq(a->dialogue.banner, b->dialogue.banner);
    ck_assert_str_eq(a->dialogue.failure, b->dialogue.failure);
    for (int v = TLSV_HS_FIRST; v < TLSV_COUNT; v++) {
        const struct version_fact *x = &a->versions[v];
        const struct version_fact *y = &b->versions[v];
        ck_assert_msg(x->state == y->state, "version %d state", v);
        ck_assert_str_eq(x->reason, y->reason);
        ck_assert_uint_eq(x->suite, y->suite);
        ck_assert_str_eq(x->suite_name, y->suite_name);
        ck_assert_str_eq(x->group, y->group);
        ck_assert_int_eq(x->dh_bits, y->dh_bits);
        ck_assert_int_eq(x->hrr, y->hrr);
    }
    ck_enum(&a->enumeration, &b->enumeration);
    ck_assert_int_eq(fact_collected(&a->chain_header), fact_collected(&b->chain_header));
    ck_assert_uint_eq(a->n_certs, b->n_certs);
    for (size_t i = 0; i < a->n_certs; i++) {
        ck_cert(&a->certs[i], &b->certs[i]);
    }
    ck_chain(&a->chain, &b->chain);
    ck_deployments(a, b);
    ck_assert_int_eq(a->probes.header.state, b->probes.header.state);
    ck_assert_str_eq(a->probes.header.detail, b->probes.header.detail);
    ck_assert_uint_eq(a->probes.n_items, b->probes.n_items);
    for (size_t i = 0; i < a->probes.n_items; i++) {
        const struct probe_result *p = &a->probes.items[i];
        const struct probe_result *q = &b->probes.items[i];
        ck_assert_str_eq(p->id, q->id);
        ck_assert_int_eq(p->version, q->version);
        ck_assert_uint_eq(p->suite, q->suite);
        ck_assert_int_eq(p->state, q->state);
        ck_assert_str_eq(p->detail, q->detail);
        ck_opt_str("evidence", p->evidence, q->evidence);
    }
}

/* --- tests ----------------------------------------------------------------- */

START_TEST(test_roundtrip_every_field)
{
    struct store *s = open_ok();
    int64_t other = begin_scan(s, 1750000000000LL);
    int64_t scan = begin_scan(s, 1760000000000LL);
    struct target_result in[3];
    fill_full(&in[0], "a.example.test", 443, 10);
    fill_minimal(&in[1], "2001:db8::99", 8443);
    fill_full(&in[2], "b.example.test", 4433, 11); /* shares two certificates with in[0] */
    /* A target without enumeration but with a chain, in between. */
    enum_facts_cleanup(&in[2].enumeration);
    in[2].status = TARGET_NO_TLS;
    for (size_t i = 0; i < 3; i++) {
        ck_assert_msg(store_put_target(s, scan, &in[i]) == 0, "%s", store_errmsg(s));
    }
    struct target_result decoy;
    fill_minimal(&decoy, "decoy.example.test", 1);
    ck_assert_int_eq(store_put_target(s, other, &decoy), 0);
    target_result_cleanup(&decoy);

    struct target_result *out = NULL;
    int64_t *ids = NULL;
    size_t n = 0;
    ck_assert_msg(store_load_targets(s, scan, &out, &ids, &n) == 0, "%s", store_errmsg(s));
    ck_assert_uint_eq(n, 3);
    for (size_t i = 0; i < 3; i++) {
        ck_target(&in[i], &out[i]);
        char sql[160];
        snprintf(sql, sizeof(sql),
                 "SELECT count(*) FROM targets WHERE id = %lld AND scan_id = %lld"
                 " AND port = %u",
                 (long long)ids[i], (long long)scan, (unsigned)in[i].port);
        ck_assert_int_eq(raw_count(sql), 1);
    }
    ck_assert_int_lt(ids[0], ids[1]);
    ck_assert_int_lt(ids[1], ids[2]);
    /* Store the loaded targets again: the same rows come back. */
    int64_t again = begin_scan(s, 1770000000000LL);
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(store_put_target(s, again, &out[i]), 0);
    }
    struct target_result *out2 = NULL;
    size_t n2 = 0;
    ck_assert_int_eq(store_load_targets(s, again, &out2, NULL, &n2), 0);
    ck_assert_uint_eq(n2, 3);
    for (size_t i = 0; i < 3; i++) {
        ck_target(&in[i], &out2[i]);
    }
    store_targets_free(out2, n2);
    store_targets_free(out, n);
    free(ids);
    for (size_t i = 0; i < 3; i++) {
        target_result_cleanup(&in[i]);
    }
    store_close(s);
}
END_TEST

/* A certificate stored before schema 6 has no policy OIDs: storing it
 * again adds them, and storing it once more changes nothing. */
START_TEST(test_policy_oids_added_to_old_cert)
{
    struct store *s = open_ok();
    struct target_result in;
    fill_full(&in, "a.example.test", 443, 10);
    ck_assert_int_eq(store_put_target(s, begin_scan(s, 1750000000000LL), &in), 0);
    const char *count = "SELECT count(*) FROM certificate_items WHERE field = 'policy_oid'";
    int64_t n_policies = raw_count(count);
    ck_assert_int_gt(n_policies, 0);
    raw_exec("DELETE FROM certificate_items WHERE field = 'policy_oid'");
    int64_t scan = begin_scan(s, 1760000000000LL);
    ck_assert_msg(store_put_target(s, scan, &in) == 0, "%s", store_errmsg(s));
    ck_assert_msg(store_put_target(s, begin_scan(s, 1770000000000LL), &in) == 0, "%s",
                  store_errmsg(s));
    ck_assert_int_eq(raw_count(count), n_policies);
    struct target_result *out = NULL;
    size_t n = 0;
    ck_assert_int_eq(store_load_targets(s, scan, &out, NULL, &n), 0);
    ck_assert_uint_eq(n, 1);
    ck_target(&in, &out[0]);
    store_targets_free(out, n);
    target_result_cleanup(&in);
    store_close(s);
}
END_TEST

/* The further deployments: one row each (none for a one-chain target),
 * their certificates in the one certificates table, and a gap in their numbering
 * refused as damage. */
START_TEST(test_deployments_rows)
{
    struct store *s = open_ok();
    int64_t scan = begin_scan(s, 1760000000000LL);
    struct target_result in[2];
    fill_full(&in[0], "a.example.test", 443, 10);
    fill_minimal(&in[1], "b.example.test", 443);
    for (size_t i = 0; i < 2; i++) {
        ck_assert_msg(store_put_target(s, scan, &in[i]) == 0, "%s", store_errmsg(s));
    }
    ck_assert_int_eq(raw_count("SELECT count(*) FROM deployments"), 2);
    ck_assert_int_eq(raw_count("SELECT count(*) FROM deployments WHERE chain_collected = 1"
                               " AND revoc_collected = 1 AND label = 'ECDSA' AND position = 1"),
                     1);
    ck_assert_int_eq(raw_count("SELECT count(*) FROM deployment_certs"), 2);
    ck_assert_int_eq(raw_count("SELECT count(*) FROM deployment_chains"), 1);
    ck_assert_int_eq(raw_count("SELECT count(*) FROM deployment_revocations"), 2);
    /* Every certificate once: deployment 0's three and the ECDSA chain's two. */
    ck_assert_int_eq(raw_count("SELECT count(*) FROM certificates"), 5);
    struct target_result *out = NULL;
    size_t n = 0;
    ck_assert_msg(store_load_targets(s, scan, &out, NULL, &n) == 0, "%s", store_errmsg(s));
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(out[0].n_deployments, 2);
    ck_assert_uint_eq(out[1].n_deployments, 0);
    ck_assert_uint_eq(target_n_deployments(&out[1]), 1);
    store_targets_free(out, n);

    raw_exec("UPDATE deployments SET position = 3 WHERE position = 2");
    out = NULL;
    ck_assert_int_ne(store_load_targets(s, scan, &out, NULL, &n), 0);
    ck_assert_ptr_nonnull(strstr(store_errmsg(s), "deployment 3 unexpected"));
    for (size_t i = 0; i < 2; i++) {
        target_result_cleanup(&in[i]);
    }
    store_close(s);
}
END_TEST

START_TEST(test_load_empty_and_missing)
{
    struct store *s = open_ok();
    int64_t id = 0;
    ck_assert_int_eq(store_latest_scan(s, &id), -1);
    ck_assert_msg(strstr(store_errmsg(s), "no scan in") != NULL, "%s", store_errmsg(s));
    ck_assert_msg(strstr(store_errmsg(s), "t.db") != NULL, "%s", store_errmsg(s));

    int64_t scan = begin_scan(s, 1760000000000LL);
    struct target_result *out = (struct target_result *)&out;
    int64_t *ids = (int64_t *)&ids;
    size_t n = 99;
    ck_assert_int_eq(store_load_targets(s, scan, &out, &ids, &n), 0);
    ck_assert_ptr_null(out);
    ck_assert_ptr_null(ids);
    ck_assert_uint_eq(n, 0);

    out = (struct target_result *)&out;
    ck_assert_int_eq(store_load_targets(s, scan + 41, &out, NULL, &n), -1);
    ck_assert_ptr_null(out);
    ck_assert_uint_eq(n, 0);
    char want[64];
    snprintf(want, sizeof(want), "no scan %lld", (long long)(scan + 41));
    ck_assert_str_eq(store_errmsg(s), want);

    bool exists = false;
    ck_assert_int_eq(store_scan_exists(s, scan, &exists), 0);
    ck_assert(exists);
    ck_assert_int_eq(store_scan_exists(s, scan + 1, &exists), 0);
    ck_assert(!exists);
    store_close(s);
}
END_TEST

START_TEST(test_latest_and_info)
{
    struct store *s = open_ok();
    int64_t a = begin_scan(s, 1760000000000LL);
    int64_t b = begin_scan(s, 1750000000000LL); /* started earlier, but the newer scan */
    struct target_result r;
    fill_full(&r, "ok.example.test", 443, 3);
    ck_assert_int_eq(store_put_target(s, a, &r), 0);
    target_result_cleanup(&r);
    fill_minimal(&r, "down.example.test", 443);
    ck_assert_int_eq(store_put_target(s, a, &r), 0);
    target_result_cleanup(&r);
    ck_assert_int_eq(store_scan_finish(s, a, "complete", 1760000005000LL), 0);

    int64_t id = 0;
    ck_assert_int_eq(store_latest_scan(s, &id), 0);
    ck_assert_int_eq(id, b);

    struct store_scan_info info;
    ck_assert_int_eq(store_scan_info(s, a, &info), 0);
    ck_assert_int_eq(info.id, a);
    ck_assert_int_eq(info.started_ms, 1760000000000LL);
    ck_assert_int_eq(info.finished_ms, 1760000005000LL);
    ck_assert_str_eq(info.state, "complete");
    ck_assert_str_eq(info.tool_version, "0.1-test");
    ck_assert_str_eq(info.options, "scan -f targets.txt");
    ck_assert_str_eq(info.trust_store, "/etc/lab/ca.pem");
    ck_assert_str_eq(info.registry_version, "iana-test+1");
    ck_assert_ptr_null(info.note);
    ck_assert_uint_eq(info.n_targets, 2);
    ck_assert_uint_eq(info.n_not_scanned, 1);
    store_scan_info_cleanup(&info);

    ck_assert_int_eq(store_scan_info(s, b, &info), 0);
    ck_assert_str_eq(info.state, "running");
    ck_assert_int_eq(info.finished_ms, -1);
    ck_assert_uint_eq(info.n_targets, 0);
    store_scan_info_cleanup(&info);

    ck_assert_int_eq(store_scan_info(s, b + 5, &info), -1);
    ck_assert_ptr_null(info.tool_version);
    ck_assert_msg(strstr(store_errmsg(s), "no scan") != NULL, "%s", store_errmsg(s));
    store_close(s);
}
END_TEST

START_TEST(test_list_tags)
{
    struct store *s = open_ok();
    int64_t a = begin_scan(s, 1760000000000LL);
    int64_t b = begin_scan(s, 1760000000001LL);
    struct target_result r;
    fill_full(&r, "one.example.test", 443, 1); /* pan, prod, odd */
    ck_assert_int_eq(store_put_target(s, a, &r), 0);
    target_result_cleanup(&r);
    fill_full(&r, "two.example.test", 443, 2); /* pan, dmz, odd */
    ck_assert_int_eq(store_put_target(s, a, &r), 0);
    target_result_cleanup(&r);
    fill_minimal(&r, "three.example.test", 443);
    add(&r.tags, "zeta");
    ck_assert_int_eq(store_put_target(s, b, &r), 0);
    target_result_cleanup(&r);

    struct strlist tags;
    strlist_init(&tags);
    add(&tags, "kept");
    ck_assert_int_eq(store_list_tags(s, a, &tags), 0);
    char *joined = strlist_join(&tags, "|");
    ck_assert_str_eq(joined, "kept|dmz|odd, tag\nwith newline|pan|prod");
    free(joined);
    strlist_cleanup(&tags);
    ck_assert_int_eq(store_list_tags(s, b + 1, &tags), 0);
    ck_assert_uint_eq(tags.n_items, 0);
    ck_assert_int_eq(raw_count("SELECT count(*) FROM target_tags"), 7);
    store_close(s);
}
END_TEST

START_TEST(test_unknown_name_is_an_error)
{
    struct store *s = open_ok();
    int64_t scan = begin_scan(s, 1760000000000LL);
    struct target_result r;
    fill_full(&r, "x.example.test", 443, 4);
    ck_assert_int_eq(store_put_target(s, scan, &r), 0);
    target_result_cleanup(&r);
    raw_exec("UPDATE versions SET state = 'maybe' WHERE version = 771");
    struct target_result *out = NULL;
    size_t n = 0;
    ck_assert_int_eq(store_load_targets(s, scan, &out, NULL, &n), -1);
    ck_assert_ptr_null(out);
    ck_assert_msg(strstr(store_errmsg(s), "unknown version state 'maybe'") != NULL, "%s",
                  store_errmsg(s));
    raw_exec("UPDATE versions SET state = 'accepted' WHERE version = 771");
    raw_exec("UPDATE targets SET status = 'sideways'");
    ck_assert_int_eq(store_load_targets(s, scan, &out, NULL, &n), -1);
    ck_assert_msg(strstr(store_errmsg(s), "unknown status 'sideways'") != NULL, "%s",
                  store_errmsg(s));
    store_close(s);
}
END_TEST

/* The probe-result and fact-header states: one order, each name parses
 * back to its state, an unknown name is refused. */
START_TEST(test_probe_state_names)
{
    static const char *const pr[] = {"not-run",  "not-applicable", "could-not-test",
                                     "negative", "positive",       "info"};
    ck_assert_int_eq(PR_STATE_COUNT, 6);
    for (int i = 0; i < PR_STATE_COUNT; i++) {
        enum probe_result_state st = PR_INFO;
        ck_assert_str_eq(probe_result_state_name((enum probe_result_state)i), pr[i]);
        ck_assert(probe_result_state_parse(pr[i], &st));
        ck_assert_int_eq(st, i);
    }
    enum probe_result_state keep = PR_POSITIVE;
    ck_assert(!probe_result_state_parse("Positive", &keep));
    ck_assert(!probe_result_state_parse("", &keep));
    ck_assert(!probe_result_state_parse(NULL, &keep));
    ck_assert_int_eq(keep, PR_POSITIVE);
    ck_assert_str_eq(probe_result_state_name(PR_STATE_COUNT), "?");
    static const char *const fs[] = {"not-collected", "collected", "could-not-test"};
    for (int i = 0; i < FACT_STATE_COUNT; i++) {
        enum fact_state st = FACT_STATE_COUNT;
        ck_assert_str_eq(fact_state_name((enum fact_state)i), fs[i]);
        ck_assert(fact_state_parse(fs[i], &st));
        ck_assert_int_eq(st, i);
    }
    enum fact_state fkeep = FACT_COLLECTED;
    ck_assert(!fact_state_parse("not-run", &fkeep));
    ck_assert_int_eq(fkeep, FACT_COLLECTED);
}
END_TEST

/* probe_list_add keeps the caps: an empty or too long id and a full list
 * are refused with the list unchanged; evidence is cut at its cap. */
START_TEST(test_probe_list_caps)
{
    struct probe_list l = {0};
    char id[PROBE_ID_LEN + 1];
    memset(id, 'a', sizeof(id));
    id[PROBE_ID_LEN] = '\0'; /* PROBE_ID_LEN bytes: one too many */
    ck_assert_int_eq(probe_list_add(&l, "", PROBE_NO_VERSION, 0, PR_INFO, NULL, NULL), -1);
    ck_assert_int_eq(probe_list_add(&l, NULL, PROBE_NO_VERSION, 0, PR_INFO, NULL, NULL), -1);
    ck_assert_int_eq(probe_list_add(&l, id, PROBE_NO_VERSION, 0, PR_INFO, NULL, NULL), -1);
    ck_assert_int_eq(probe_list_add(&l, "x", PROBE_NO_VERSION, 0, PR_STATE_COUNT, NULL, NULL), -1);
    ck_assert_uint_eq(l.n_items, 0);
    id[PROBE_ID_LEN - 1] = '\0'; /* the longest id allowed */
    char *big = malloc(PROBE_EVIDENCE_MAX + 100);
    ck_assert_ptr_nonnull(big);
    memset(big, 'e', PROBE_EVIDENCE_MAX + 99);
    big[PROBE_EVIDENCE_MAX + 99] = '\0';
    ck_assert_int_eq(probe_list_add(&l, id, TLSV_TLS13, 0x1301, PR_NEGATIVE, NULL, big), 0);
    ck_assert_uint_eq(strlen(l.items[0].id), PROBE_ID_LEN - 1);
    ck_assert_uint_eq(strlen(l.items[0].evidence), PROBE_EVIDENCE_MAX);
    free(big);
    while (l.n_items < PROBE_LIST_MAX) {
        ck_assert_int_eq(probe_list_add(&l, "x", PROBE_NO_VERSION, 0, PR_INFO, NULL, NULL), 0);
    }
    ck_assert_int_eq(probe_list_add(&l, "x", PROBE_NO_VERSION, 0, PR_INFO, NULL, NULL), -1);
    ck_assert_uint_eq(l.n_items, PROBE_LIST_MAX);
    probe_list_cleanup(&l);
    ck_assert_uint_eq(l.n_items, 0);
    ck_assert_ptr_null(l.items);
}
END_TEST

/* A damaged probe_results row (unknown state, a gap in the positions,
 * an unknown version, evidence over the cap, an unknown header state, a
 * stored suite 0) is an error when read, never a guess (each damage is
 * undone, and the target reads again, before the next). */
START_TEST(test_probe_damaged_rows)
{
    static const char *const damage[][2] = {
        {"UPDATE probe_results SET state = 'maybe' WHERE position = 1",
         "UPDATE probe_results SET state = 'not-applicable' WHERE position = 1"},
        {"UPDATE probe_results SET position = 9 WHERE position = 5",
         "UPDATE probe_results SET position = 5 WHERE position = 9"},
        {"UPDATE probe_results SET version = 1 WHERE position = 2",
         "UPDATE probe_results SET version = 769 WHERE position = 2"},
        {"UPDATE probe_results SET evidence = printf('%.*c', 4097, 'x') WHERE position = 3",
         "UPDATE probe_results SET evidence = NULL WHERE position = 3"},
        {"UPDATE targets SET probes_state = 'half'",
         "UPDATE targets SET probes_state = 'collected'"},
        {"UPDATE probe_results SET suite = 0 WHERE position = 1",
         "UPDATE probe_results SET suite = 65664 WHERE position = 1"},
    };
    struct store *s = open_ok();
    int64_t scan = begin_scan(s, 1760000000000LL);
    struct target_result r;
    fill_full(&r, "x.example.test", 443, 4);
    ck_assert_int_eq(store_put_target(s, scan, &r), 0);
    target_result_cleanup(&r);
    struct target_result *out = NULL;
    size_t n = 0;
    for (size_t i = 0; i < sizeof(damage) / sizeof(damage[0]); i++) {
        raw_exec(damage[i][0]);
        ck_assert_msg(store_load_targets(s, scan, &out, NULL, &n) == -1, "%s", damage[i][0]);
        ck_assert_ptr_null(out);
        raw_exec(damage[i][1]);
        ck_assert_msg(store_load_targets(s, scan, &out, NULL, &n) == 0, "%s: %s", damage[i][1],
                      store_errmsg(s));
        ck_assert_uint_eq(out[0].probes.n_items, PR_STATE_COUNT);
        store_targets_free(out, n);
        out = NULL;
    }
    store_close(s);
}
END_TEST

/* A version with accepted suites is accepted (issue 17): rows written with
 * such a version left "not-tested" (by the enumeration's early end before
 * the fix) or "refused" read back as accepted and incomplete, with the
 * stored state named; a stored reason does not survive as a refusal. */
START_TEST(test_version_with_suites_is_accepted)
{
    struct store *s = open_ok();
    int64_t scan = begin_scan(s, 1760000000000LL);
    struct target_result r;
    fill_full(&r, "x.example.test", 443, 4);
    ck_assert_int_eq(store_put_target(s, scan, &r), 0);
    target_result_cleanup(&r);
    ck_assert_int_gt(raw_count("SELECT count(*) FROM enum_suites WHERE version = 771"), 0);
    raw_exec(
        "UPDATE enum_versions SET state = 'not-tested', incomplete = 0, incomplete_reason = NULL"
        " WHERE version = 771");
    raw_exec("UPDATE enum_versions SET state = 'refused', reason = 'alert: handshake_failure',"
             " incomplete = 0, incomplete_reason = NULL WHERE version = 772");
    int n12 = raw_count("SELECT count(*) FROM enum_suites WHERE version = 771");
    struct target_result *out = NULL;
    size_t n = 0;
    ck_assert_int_eq(store_load_targets(s, scan, &out, NULL, &n), 0);
    ck_assert_uint_eq(n, 1);
    const struct enum_version_fact *f = &out[0].enumeration.versions[TLSV_TLS12];
    ck_assert_int_eq(f->state, PROBE_ACCEPTED);
    ck_assert_uint_eq(f->n_suites, (size_t)n12);
    ck_assert(f->incomplete);
    ck_assert_msg(strstr(f->incomplete_why, "the version was left not-tested") != NULL, "%s",
                  f->incomplete_why);
    f = &out[0].enumeration.versions[TLSV_TLS13];
    ck_assert_uint_eq(f->n_suites, 2);
    ck_assert_int_eq(f->state, PROBE_ACCEPTED);
    ck_assert_str_eq(f->reason, "");
    ck_assert_msg(strstr(f->incomplete_why, "left refused: alert: handshake_failure") != NULL, "%s",
                  f->incomplete_why);
    store_targets_free(out, n);
    store_close(s);
}
END_TEST

static const char sha_a[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

static struct store_policy_run run_meta(void)
{
    struct store_policy_run run = {
        .policy_id = "pci-dss-4.0",
        .policy_version = "4.0.1-1",
        .policy_sha256 = sha_a,
        .policy_path = "/usr/share/tlsaudit/policies/pci-dss-4.0.yaml",
        .evaluated_ms = 1761000000000LL,
        .tool_version = "0.1-test",
    };
    return run;
}

START_TEST(test_put_findings)
{
    struct store *s = open_ok();
    int64_t scan = begin_scan(s, 1760000000000LL);
    struct target_result r;
    fill_full(&r, "a.example.test", 443, 5);
    ck_assert_int_eq(store_put_target(s, scan, &r), 0);
    target_result_cleanup(&r);
    fill_minimal(&r, "b.example.test", 443);
    ck_assert_int_eq(store_put_target(s, scan, &r), 0);
    target_result_cleanup(&r);
    struct target_result *t = NULL;
    int64_t *ids = NULL;
    size_t n = 0;
    ck_assert_int_eq(store_load_targets(s, scan, &t, &ids, &n), 0);
    ck_assert_uint_eq(n, 2);

    struct store_policy_run run = run_meta();
    struct store_finding f[3] = {
        {.target_id = ids[0],
         .rule_id = "pci-4.2.1-tls10",
         .title = "No TLS 1.0",
         .ref = "PCI DSS v4.0.1 Req 4.2.1",
         .severity = "high",
         .verdict = "fail",
         .evidence = "TLS 1.0 accepted; suites: TLS_RSA_WITH_AES_128_CBC_SHA"},
        {.target_id = ids[0],
         .rule_id = "pci-4.2.1-cert",
         .title = "Trusted certificate",
         .ref = "PCI DSS v4.0.1 Req 4.2.1",
         .severity = "critical",
         .verdict = "waived",
         .evidence = "self-signed",
         .waiver_reason = "internal only",
         .waiver_owner = "ops",
         .waiver_expires = "2099-12-31"},
        {.target_id = ids[1],
         .rule_id = "pci-4.2.1-tls10",
         .title = "",
         .ref = NULL,
         .severity = "high",
         .verdict = "inconclusive",
         .evidence = ""},
    };
    int64_t run_id = 0;
    ck_assert_msg(store_put_findings(s, scan, &run, f, 3, &run_id) == 0, "%s", store_errmsg(s));
    ck_assert_int_gt(run_id, 0);
    ck_assert_int_eq(raw_count("SELECT count(*) FROM policy_runs"), 1);
    ck_raw_text("SELECT scan_id || '|' || policy_id || '|' || policy_version || '|' ||"
                " policy_sha256 || '|' || policy_path || '|' || evaluated_ms || '|' ||"
                " tool_version FROM policy_runs",
                "1|pci-dss-4.0|4.0.1-1|0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
                "abcdef|/usr/share/tlsaudit/policies/pci-dss-4.0.yaml|1761000000000|0.1-test");
    ck_assert_int_eq(raw_count("SELECT count(*) FROM findings"), 3);
    ck_raw_text("SELECT group_concat(rule_id || ':' || severity || ':' || verdict, ',')"
                " FROM (SELECT * FROM findings ORDER BY id)",
                "pci-4.2.1-tls10:high:fail,pci-4.2.1-cert:critical:waived,"
                "pci-4.2.1-tls10:high:inconclusive");
    ck_raw_text("SELECT waiver_reason || '|' || waiver_owner || '|' || waiver_expires"
                " FROM findings WHERE verdict = 'waived'",
                "internal only|ops|2099-12-31");
    ck_raw_text("SELECT evidence FROM findings WHERE verdict = 'fail'",
                "TLS 1.0 accepted; suites: TLS_RSA_WITH_AES_128_CBC_SHA");
    /* Empty texts are stored as NULL. */
    ck_assert_int_eq(raw_count("SELECT count(*) FROM findings WHERE verdict = 'inconclusive'"
                               " AND title IS NULL AND ref IS NULL AND evidence IS NULL"
                               " AND waiver_reason IS NULL"),
                     1);
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM findings WHERE target_id = %lld",
             (long long)ids[1]);
    ck_assert_int_eq(raw_count(sql), 1);

    store_targets_free(t, n);
    free(ids);
    store_close(s);
}
END_TEST

/* The gate a run was judged at is stored with it and read back; a run
 * stored without one (as before schema 4) reads back as the default gate,
 * marked not stored. */
START_TEST(test_run_gate)
{
    struct store *s = open_ok();
    int64_t scan = begin_scan(s, 1760000000000LL);
    struct target_result r;
    fill_minimal(&r, "a.example.test", 443);
    ck_assert_int_eq(store_put_target(s, scan, &r), 0);
    target_result_cleanup(&r);
    int64_t tid = raw_count("SELECT min(id) FROM targets");
    struct store_finding f = {
        .target_id = tid, .rule_id = "r1", .severity = "medium", .verdict = "inconclusive"};
    struct store_policy_run run = run_meta();
    ck_assert_int_eq(store_put_findings(s, scan, &run, &f, 1, NULL), 0);
    struct gate g = {.fail_on = SEV_MEDIUM, .fail_on_inconclusive = true};
    run.gate = &g;
    ck_assert_int_eq(store_put_findings(s, scan, &run, &f, 1, NULL), 0);
    ck_raw_text("SELECT group_concat(coalesce(fail_on, 'NULL') || ':' ||"
                " coalesce(fail_on_inconclusive, 'NULL'), ',') FROM (SELECT * FROM policy_runs"
                " ORDER BY id)",
                "NULL:NULL,medium:1");
    struct store_run *runs = NULL;
    size_t n = 0;
    ck_assert_int_eq(store_load_runs(s, scan, &runs, &n), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert(!runs[0].gate_stored);
    ck_assert_int_eq(runs[0].gate.fail_on, SEV_HIGH);
    ck_assert(!runs[0].gate.fail_on_inconclusive);
    ck_assert(runs[1].gate_stored);
    ck_assert_int_eq(runs[1].gate.fail_on, SEV_MEDIUM);
    ck_assert(runs[1].gate.fail_on_inconclusive);
    store_runs_free(runs, n);
    store_close(s);
}
END_TEST

/* A run is stored whole or not at all: a bad finding at the end (a target
 * of another scan, an unknown verdict) leaves no run and no finding. */
START_TEST(test_put_findings_atomic)
{
    struct store *s = open_ok();
    int64_t scan = begin_scan(s, 1760000000000LL);
    int64_t other = begin_scan(s, 1760000000001LL);
    struct target_result r;
    fill_minimal(&r, "a.example.test", 443);
    ck_assert_int_eq(store_put_target(s, scan, &r), 0);
    ck_assert_int_eq(store_put_target(s, other, &r), 0);
    target_result_cleanup(&r);
    int64_t mine = raw_count("SELECT min(id) FROM targets");
    int64_t theirs = raw_count("SELECT max(id) FROM targets");

    struct store_policy_run run = run_meta();
    struct store_finding f[2] = {
        {.target_id = mine, .rule_id = "r1", .severity = "low", .verdict = "pass"},
        {.target_id = theirs, .rule_id = "r2", .severity = "low", .verdict = "fail"},
    };
    ck_assert_int_eq(store_put_findings(s, scan, &run, f, 2, NULL), -1);
    ck_assert_msg(strstr(store_errmsg(s), "is not a target of scan") != NULL, "%s",
                  store_errmsg(s));
    ck_assert_int_eq(raw_count("SELECT count(*) FROM policy_runs"), 0);
    ck_assert_int_eq(raw_count("SELECT count(*) FROM findings"), 0);

    f[1].target_id = mine;
    f[1].verdict = "maybe";
    ck_assert_int_eq(store_put_findings(s, scan, &run, f, 2, NULL), -1);
    ck_assert_msg(strstr(store_errmsg(s), "pci-dss-4.0") != NULL, "%s", store_errmsg(s));
    ck_assert_int_eq(raw_count("SELECT count(*) FROM policy_runs"), 0);
    ck_assert_int_eq(raw_count("SELECT count(*) FROM findings"), 0);

    f[1].verdict = "fail";
    f[1].rule_id = "";
    ck_assert_int_eq(store_put_findings(s, scan, &run, f, 2, NULL), -1);
    run.policy_sha256 = "abc";
    f[1].rule_id = "r2";
    ck_assert_int_eq(store_put_findings(s, scan, &run, f, 2, NULL), -1);
    ck_assert_int_eq(store_put_findings(s, scan + 100, &run, f, 2, NULL), -1);
    ck_assert_int_eq(raw_count("SELECT count(*) FROM policy_runs"), 0);

    /* The same findings, corrected, go in; a run with no findings too. */
    run.policy_sha256 = sha_a;
    int64_t r1 = 0;
    int64_t r2 = 0;
    ck_assert_msg(store_put_findings(s, scan, &run, f, 2, &r1) == 0, "%s", store_errmsg(s));
    ck_assert_int_eq(store_put_findings(s, scan, &run, NULL, 0, &r2), 0);
    ck_assert_int_eq(r2, r1 + 1);
    ck_assert_int_eq(raw_count("SELECT count(*) FROM findings"), 2);
    ck_assert_int_eq(raw_count("SELECT count(*) FROM policy_runs"), 2);

    /* Deleting the scan removes its runs and findings. */
    raw_exec("PRAGMA foreign_keys = ON; DELETE FROM scans WHERE id = 1");
    ck_assert_int_eq(raw_count("SELECT count(*) FROM findings"), 0);
    ck_assert_int_eq(raw_count("SELECT count(*) FROM policy_runs"), 0);
    store_close(s);
}
END_TEST

/* --- damaged times -------------------------------------------------------- */

/* A stored time set to an extreme by a damaged (or hostile) file: the
 * UPDATE that damages it and the column the error must name. */
struct damage {
    const char *table;
    const char *column;
};

static const struct damage damages[] = {
    {"certificates", "not_after"},  {"certificates", "not_before"}, {"chain_certs", "days_left"},
    {"chains", "min_days_left"},    {"revocations", "revoked_at"},  {"revocations", "this_update"},
    {"revocations", "next_update"}, {"targets", "started_ms"},      {"targets", "finished_ms"},
    {"scans", "started_ms"},        {"scans", "finished_ms"},       {"policy_runs", "evaluated_ms"},
};
#define N_DAMAGES (sizeof(damages) / sizeof(damages[0]))

static const char *const extremes[] = {"-9223372036854775808", "9223372036854775807"};

/* Each damaged column at -2^63 and at 2^63-1 (loop index: damage * 2 +
 * extreme). Reading the scan back must fail naming the column and the
 * value, so no report or policy ever does arithmetic on it
 * (tests/unit/report_test.c renders such a file in every format). */
START_TEST(test_damaged_time_is_an_error)
{
    const struct damage *dmg = &damages[_i / 2];
    const char *value = extremes[_i % 2];
    struct store *s = open_ok();
    int64_t scan = begin_scan(s, 1760000000000LL);
    ck_assert_int_eq(store_scan_finish(s, scan, "complete", 1760000099000LL), 0);
    struct target_result r;
    fill_full(&r, "t.example.test", 443, 6);
    fact_mark(&r.revoc_header, true);
    r.revoc = calloc(r.n_certs, sizeof(*r.revoc));
    ck_assert_ptr_nonnull(r.revoc);
    r.n_revoc = r.n_certs;
    for (size_t i = 0; i < r.n_revoc; i++) {
        r.revoc[i].status = REVOC_REVOKED;
        r.revoc[i].revoked_at = 1750000000;
        r.revoc[i].this_update = 1750000000;
        r.revoc[i].next_update = 1760000000;
    }
    ck_assert_int_eq(store_put_target(s, scan, &r), 0);
    target_result_cleanup(&r);
    struct store_policy_run run = run_meta();
    int64_t run_id = 0;
    ck_assert_int_eq(store_put_findings(s, scan, &run, NULL, 0, &run_id), 0);

    char sql[256];
    snprintf(sql, sizeof(sql), "UPDATE %s SET %s = %s", dmg->table, dmg->column, value);
    raw_exec(sql);
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE %s = %s", dmg->table, dmg->column,
             value);
    ck_assert_int_ge(raw_count(sql), 1); /* the damage is there */

    /* What every reader of a scan calls: the scan row, its targets, its
     * policy runs. One of them must fail naming the column and value. */
    char err[1024] = "";
    int rc = 0;
    struct store_scan_info info;
    if (store_scan_info(s, scan, &info) != 0) {
        rc = -1;
    } else {
        store_scan_info_cleanup(&info);
        struct target_result *out = NULL;
        size_t n = 0;
        if (store_load_targets(s, scan, &out, NULL, &n) != 0) {
            rc = -1;
        } else {
            store_targets_free(out, n);
            struct store_run *runs = NULL;
            size_t n_runs = 0;
            if (store_load_runs(s, scan, &runs, &n_runs) != 0) {
                rc = -1;
            }
            store_runs_free(runs, n_runs);
        }
    }
    if (rc != 0) {
        snprintf(err, sizeof(err), "%s", store_errmsg(s));
    }
    ck_assert_msg(rc == -1, "%s.%s = %s was loaded as if it were a time", dmg->table, dmg->column,
                  value);
    char want[256];
    snprintf(want, sizeof(want), "damaged value in the database: %s.%s = %s is not a time",
             dmg->table, dmg->column, value);
    ck_assert_msg(strstr(err, want) != NULL, "want '%s' in '%s'", want, err);
    store_close(s);
}
END_TEST

/* The edges of the accepted range still load: year 0000 and year 9999. */
START_TEST(test_time_range_edges_load)
{
    struct store *s = open_ok();
    int64_t scan = begin_scan(s, 1760000000000LL);
    struct target_result r;
    fill_full(&r, "t.example.test", 443, 7);
    ck_assert_int_eq(store_put_target(s, scan, &r), 0);
    target_result_cleanup(&r);
    raw_exec("UPDATE certificates SET not_before = -62167219200, not_after = 253402300799");
    raw_exec("UPDATE targets SET started_ms = -62167219200000, finished_ms = 253402300799999");
    struct target_result *out = NULL;
    size_t n = 0;
    ck_assert_msg(store_load_targets(s, scan, &out, NULL, &n) == 0, "%s", store_errmsg(s));
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(out[0].certs[0].not_before, -62167219200LL);
    ck_assert_int_eq(out[0].certs[0].not_after, 253402300799LL);
    ck_assert_int_eq(out[0].finished_ms, 253402300799999LL);
    store_targets_free(out, n);
    raw_exec("UPDATE certificates SET not_after = 253402300800");
    ck_assert_int_eq(store_load_targets(s, scan, &out, NULL, &n), -1);
    ck_assert_msg(strstr(store_errmsg(s), "certificates.not_after = 253402300800") != NULL, "%s",
                  store_errmsg(s));
    store_close(s);
}
END_TEST

/* What the streamed SARIF reads first: the first stored finding of each
 * rule of a run (store_load_run_rules), in stored order, and the target
 * rows alone (store_each_target_row). */
struct row_walk {
    char seen[256];
    size_t n_certs; /* facts handed over with a row: must stay 0 */
};

static int row_walk_fn(void *arg, struct target_result *r, int64_t id)
{
    struct row_walk *w = arg;
    size_t len = strlen(w->seen);
    snprintf(w->seen + len, sizeof(w->seen) - len, "%s%lld:%s:%u:%s", len ? "," : "", (long long)id,
             r->host, (unsigned)r->port, r->error);
    w->n_certs += r->n_certs;
    return 0;
}

START_TEST(test_run_rules_and_rows)
{
    struct store *s = open_ok();
    int64_t scan = begin_scan(s, 1760000000000LL);
    struct target_result r;
    fill_full(&r, "a.example.test", 443, 1);
    ck_assert_int_eq(store_put_target(s, scan, &r), 0);
    target_result_cleanup(&r);
    fill_minimal(&r, "b.example.test", 8443);
    ck_assert_int_eq(store_put_target(s, scan, &r), 0);
    target_result_cleanup(&r);
    int64_t a = raw_count("SELECT min(id) FROM targets");
    int64_t b = raw_count("SELECT max(id) FROM targets");
    /* r2 first seen on a, r1 on a, r3 only on b; r1 again on b differs. */
    struct store_finding f[5] = {
        {.target_id = a, .rule_id = "r2", .title = "two", .severity = "low", .verdict = "pass"},
        {.target_id = a, .rule_id = "r1", .title = "one", .severity = "high", .verdict = "fail"},
        {.target_id = b, .rule_id = "r1", .title = "one b", .severity = "low", .verdict = "pass"},
        {.target_id = b, .rule_id = "r3", .title = "three", .severity = "info", .verdict = "warn"},
        {.target_id = b, .rule_id = "r2", .title = "two b", .severity = "low", .verdict = "fail"},
    };
    struct store_policy_run meta = run_meta();
    int64_t run_id = 0;
    ck_assert_int_eq(store_put_findings(s, scan, &meta, f, 5, &run_id), 0);
    struct store_run *runs = NULL;
    size_t n = 0;
    ck_assert_int_eq(store_load_run_heads(s, scan, &runs, &n), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(runs[0].n_findings, 0);
    ck_assert_int_eq(store_load_run_rules(s, &runs[0]), 0);
    ck_assert_uint_eq(runs[0].n_findings, 3);
    ck_assert_str_eq(runs[0].findings[0].rule_id, "r2");
    ck_assert_str_eq(runs[0].findings[0].title, "two");
    ck_assert_int_eq(runs[0].findings[0].target_id, a);
    ck_assert_str_eq(runs[0].findings[1].rule_id, "r1");
    ck_assert_str_eq(runs[0].findings[1].severity, "high");
    ck_assert_str_eq(runs[0].findings[2].rule_id, "r3");
    ck_assert_int_eq(runs[0].findings[2].target_id, b);
    /* A run that does not exist has no rules; loading again replaces. */
    runs[0].id += 1000;
    ck_assert_int_eq(store_load_run_rules(s, &runs[0]), 0);
    ck_assert_uint_eq(runs[0].n_findings, 0);
    store_runs_free(runs, n);

    struct row_walk w = {{0}, 0};
    ck_assert_int_eq(store_each_target_row(s, scan, row_walk_fn, &w), 0);
    char want[256];
    snprintf(want, sizeof(want),
             "%lld:a.example.test:443:partial: TLS 1.1 timed "
             "out,%lld:b.example.test:8443:connection refused",
             (long long)a, (long long)b);
    ck_assert_str_eq(w.seen, want);
    ck_assert_uint_eq(w.n_certs, 0);
    struct row_walk full = {{0}, 0};
    ck_assert_int_eq(store_each_target(s, scan, row_walk_fn, &full), 0);
    ck_assert_str_eq(full.seen, want);
    ck_assert_uint_gt(full.n_certs, 0); /* fill_full stored a chain for a */
    ck_assert_int_eq(store_each_target_row(s, scan + 7, row_walk_fn, &w), -1);
    ck_assert_msg(strstr(store_errmsg(s), "no scan") != NULL, "%s", store_errmsg(s));
    store_close(s);
}
END_TEST

static Suite *store_read_suite(void)
{
    Suite *s = suite_create("store_read");
    TCase *tc = tcase_create("read");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, TEST_TIMEOUT_S);
    tcase_add_test(tc, test_roundtrip_every_field);
    tcase_add_test(tc, test_policy_oids_added_to_old_cert);
    tcase_add_test(tc, test_deployments_rows);
    tcase_add_test(tc, test_probe_state_names);
    tcase_add_test(tc, test_probe_list_caps);
    tcase_add_test(tc, test_probe_damaged_rows);
    tcase_add_test(tc, test_load_empty_and_missing);
    tcase_add_test(tc, test_latest_and_info);
    tcase_add_test(tc, test_list_tags);
    tcase_add_test(tc, test_unknown_name_is_an_error);
    tcase_add_loop_test(tc, test_damaged_time_is_an_error, 0, (int)(N_DAMAGES * 2));
    tcase_add_test(tc, test_time_range_edges_load);
    tcase_add_test(tc, test_version_with_suites_is_accepted);
    suite_add_tcase(s, tc);

    tc = tcase_create("findings");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, TEST_TIMEOUT_S);
    tcase_add_test(tc, test_put_findings);
    tcase_add_test(tc, test_run_gate);
    tcase_add_test(tc, test_put_findings_atomic);
    tcase_add_test(tc, test_run_rules_and_rows);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(store_read_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
