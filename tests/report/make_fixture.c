/*
 * tests/report/make_fixture.c - a deterministic database for the report
 * golden-file tests, and the renderer those tests compare.
 *
 *   make_fixture write DB             write the fixture scan into DB (new file)
 *   make_fixture render DB FORMAT [DAYS]
 *                                     render the newest scan of DB in FORMAT
 *                                     (FORMAT-stream: text, json, csv,
 *                                     markdown, junit, sarif, html read
 *                                     one target at a time;
 *                                     html-summary[-stream]: --detail failing)
 *                                     to stdout, "now" fixed at FIXTURE_NOW_MS,
 *                                     --expiring DAYS when given
 *   make_fixture scan-json DB [DOC]  the scan document (reports/json.h) of
 *                                     DB's newest scan, each target's first
 *                                     probe added again as a cross-target
 *                                     one, the JSON document in file DOC
 *                                     (dumped with JSON_ENSURE_ASCII) nested
 *                                     as "attached"; fails unless it is byte
 *                                     for byte jansson's dump of its own tree
 *   make_fixture same-dump FILE [ascii]
 *                                     fails unless FILE (a document written
 *                                     in parts, e.g. `check --format json`)
 *                                     is byte for byte jansson's dump of its
 *                                     own tree (JSON_INDENT(2), and
 *                                     JSON_ENSURE_ASCII with ascii) and "\n"
 *
 * Pipeline position: test input for store -> report_load -> report_write.
 *
 * Everything is written through store/ (store_scan_begin, store_put_target,
 * store_scan_finish, store_put_findings) with fixed times and facts, so the
 * same build always renders the same bytes. The only two columns store/
 * fills from the machine (scans.pid, scans.hostname) are overwritten with
 * fixed values through SQLite afterwards. The facts carry hostile strings
 * (markup, quotes, a spreadsheet formula, a newline, an ANSI escape, bytes
 * that are not UTF-8) in certificate fields, error texts and evidence, and
 * the findings include every verdict, a waived one among them.
 *
 * Regenerate the golden files (tests/data/report/) after an intended change:
 *   tests/report/golden.sh --regenerate   (from the build directory)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "common/util.h"
#include "reports/json.h"
#include "reports/report.h"
#include "common/model/facts.h"
#include "common/model/probe_result.h"
#include "store/store.h"

/* 2026-01-15T12:00:00Z: "now" when rendering. */
#define FIXTURE_NOW_MS 1768478400000LL
#define FIXTURE_NOW_S (FIXTURE_NOW_MS / 1000)
#define DAY_S 86400LL
/* The scan: 2026-01-15T11:20:00Z to 11:21:00Z. */
#define SCAN_START_MS 1768476000000LL
#define SCAN_END_MS (SCAN_START_MS + 60000)

/* What every hostile field carries. */
#define HOSTILE_CN "<script>alert(1)</script>\"'&"
#define HOSTILE_O "=HYPERLINK(\"http://x\")"
#define HOSTILE_OU "line1\nline2\x1b[31mred\x1b[0m"

static void die(const char *what)
{
    fprintf(stderr, "make_fixture: %s\n", what);
    exit(1);
}

static void add(struct strlist *l, const char *s)
{
    if (strlist_add(l, s) != 0) {
        die("out of memory");
    }
}

static char *xdup(const char *s)
{
    char *d = strdup(s);
    if (d == NULL) {
        die("out of memory");
    }
    return d;
}

/* fixture_cert fills c; DER and SHA-256 derive from seed (the store does not
 * parse DER). not_after is FIXTURE_NOW + days_to_expiry days. */
static void fixture_cert(struct cert_fact *c, int seed, const char *subject, const char *issuer,
                         long days_to_expiry)
{
    cert_fact_init(c);
    c->der_len = 64 + (size_t)seed;
    c->der = malloc(c->der_len);
    if (c->der == NULL) {
        die("out of memory");
    }
    for (size_t i = 0; i < c->der_len; i++) {
        c->der[i] = (unsigned char)(seed * 31 + (int)i);
    }
    for (size_t i = 0; i < 32; i++) {
        snprintf(c->sha256 + 2 * i, sizeof(c->sha256) - 2 * i, "%02x",
                 (unsigned)((seed * 17 + (int)i * 5) & 0xff));
    }
    c->subject = xdup(subject);
    c->issuer = xdup(issuer);
    snprintf(c->serial, sizeof(c->serial), "0a1b%04x", (unsigned)seed);
    c->not_before = FIXTURE_NOW_S - 300 * DAY_S;
    c->not_after = FIXTURE_NOW_S + days_to_expiry * DAY_S;
    c->days_left = (c->not_after - SCAN_START_MS / 1000) / DAY_S;
    snprintf(c->key_type, sizeof(c->key_type), "RSA");
    c->key_bits = 2048;
    snprintf(c->sig_alg, sizeof(c->sig_alg), "RSA-SHA256");
    c->has_key_usage = true;
    add(&c->key_usage, "digitalSignature");
    add(&c->key_usage, "keyEncipherment");
    add(&c->eku, "serverAuth");
    c->ca = 0;
    c->path_len = -1;
    c->n_scts = 0;
}

static void fixture_suites(struct enum_version_fact *f, const uint32_t *codes, size_t n,
                           enum enum_order order)
{
    f->state = PROBE_ACCEPTED;
    f->order = order;
    f->suites = calloc(n, sizeof(*f->suites));
    if (f->suites == NULL) {
        die("out of memory");
    }
    f->n_suites = n;
    for (size_t i = 0; i < n; i++) {
        f->suites[i].code = codes[i];
        f->suites[i].server_rank = order == ORDER_SERVER ? (int)i : -1;
        bool ecdhe = (codes[i] & 0xff00) == 0xc000 || (codes[i] & 0xff00) == 0x1300;
        f->suites[i].ec_group = ecdhe ? 0x001d : 0;
        f->suites[i].kx_bits = ecdhe ? 253 : 0;
    }
}

static void fixture_refused(struct enum_version_fact *f, const char *why)
{
    f->state = PROBE_REFUSED;
    snprintf(f->reason, sizeof(f->reason), "%s", why);
}

static uint16_t *u16s(const uint16_t *src, size_t n)
{
    uint16_t *a = malloc(n * sizeof(*a));
    if (a == NULL) {
        die("out of memory");
    }
    memcpy(a, src, n * sizeof(*a));
    return a;
}

static void fixture_accepted(struct version_fact *v, uint16_t suite, const char *name,
                             const char *group)
{
    v->state = PROBE_ACCEPTED;
    v->suite = suite;
    snprintf(v->suite_name, sizeof(v->suite_name), "%s", name);
    snprintf(v->group, sizeof(v->group), "%s", group);
}

/* The modern server's second certificate deployment, as ECDSA clients get
 * it: an ECDSA leaf that expired 3 days ago under the same intermediate
 * (the store keeps that certificate once), not trusted, with no revocation
 * check. Every format must show it beside deployment 0. */
static void fixture_ecdsa_deployment(struct target_result *r)
{
    r->deployments = calloc(1, sizeof(*r->deployments));
    if (r->deployments == NULL) {
        die("out of memory");
    }
    r->n_deployments = 1;
    struct deployment *d = &r->deployments[0];
    snprintf(d->label, sizeof(d->label), "ECDSA");
    fact_mark(&d->chain_header, true);
    d->n_certs = 2;
    d->certs = calloc(2, sizeof(*d->certs));
    if (d->certs == NULL) {
        die("out of memory");
    }
    fixture_cert(&d->certs[0], 5, "CN=www.example.test,O=Fixture ECDSA",
                 "CN=Fixture Intermediate <b>CA</b>,O=Fixture", -3);
    add(&d->certs[0].san, "DNS:www.example.test");
    snprintf(d->certs[0].key_type, sizeof(d->certs[0].key_type), "EC");
    d->certs[0].key_bits = 256;
    snprintf(d->certs[0].curve, sizeof(d->certs[0].curve), "secp256r1");
    snprintf(d->certs[0].sig_alg, sizeof(d->certs[0].sig_alg), "RSA-SHA256");
    fixture_cert(&d->certs[1], 2, "CN=Fixture Intermediate <b>CA</b>,O=Fixture",
                 "CN=Fixture Root,O=Fixture", 10);
    d->certs[1].ca = 1;
    d->certs[1].path_len = 0;
    strlist_cleanup(&d->certs[1].eku);
    struct chain_fact *ch = &d->chain;
    ch->trusted = false;
    ch->verify_status = 0x2;
    snprintf(ch->verify_text, sizeof(ch->verify_text),
             "The certificate chain uses expired "
             "certificate.");
    ch->expired = true;
    ch->hostname_checked = true;
    ch->hostname_match = true;
    snprintf(ch->hostname, sizeof(ch->hostname), "www.example.test");
    ch->min_days_left = d->certs[0].days_left;
    snprintf(ch->ocsp_status, sizeof(ch->ocsp_status), "none");
}

/* The modern server: TLS 1.2 and 1.3, a hostile leaf that expires in 20
 * days, an intermediate that expires in 10 days, a long-lived root. */
static void fixture_www(struct target_result *r)
{
    target_result_init(r);
    r->host = xdup("www.example.test");
    r->sni = xdup("www.example.test");
    r->port = 443;
    snprintf(r->ip, sizeof(r->ip), "127.0.0.1");
    add(&r->tags, "prod");
    add(&r->tags, "pan");
    r->started_ms = SCAN_START_MS + 1000;
    r->finished_ms = SCAN_START_MS + 4000;
    r->status = TARGET_OK;
    r->versions[TLSV_TLS10].state = PROBE_REFUSED;
    snprintf(r->versions[TLSV_TLS10].reason, FACT_TEXT, "alert: protocol version");
    r->versions[TLSV_TLS11].state = PROBE_REFUSED;
    snprintf(r->versions[TLSV_TLS11].reason, FACT_TEXT, "alert: protocol version");
    fixture_accepted(&r->versions[TLSV_TLS12], 0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                     "x25519");
    fixture_accepted(&r->versions[TLSV_TLS13], 0x1301, "TLS_AES_128_GCM_SHA256", "x25519");

    struct enum_facts *e = &r->enumeration;
    fact_mark(&e->header, true);
    e->n_probes = 42;
    fixture_refused(&e->versions[TLSV_SSL2], "connection closed");
    fixture_refused(&e->versions[TLSV_SSL3], "alert: handshake failure");
    fixture_refused(&e->versions[TLSV_TLS10], "alert: protocol version");
    fixture_refused(&e->versions[TLSV_TLS11], "alert: protocol version");
    static const uint32_t s12[] = {0xc02f, 0xc030, 0xc013, 0x009c};
    fixture_suites(&e->versions[TLSV_TLS12], s12, 4, ORDER_SERVER);
    static const uint32_t s13[] = {0x1302, 0x1301, 0x1303};
    fixture_suites(&e->versions[TLSV_TLS13], s13, 3, ORDER_SERVER);
    static const uint16_t g12[] = {0x001d, 0x0017};
    e->groups12 = u16s(g12, 2);
    e->n_groups12 = 2;
    static const uint16_t g13[] = {0x001d, 0x0017, 0x0018};
    e->groups13 = u16s(g13, 3);
    e->n_groups13 = 3;
    static const uint16_t sa12[] = {0x0804, 0x0401};
    e->sigalgs12 = u16s(sa12, 2);
    e->n_sigalgs12 = 2;
    e->sigalgs13[0] = 0x0804;
    e->sigalgs13[1] = 0x0805;
    e->n_sigalgs13 = 2;
    fact_mark(&e->sigalgs13_header, true);
    e->secure_renegotiation = TRI_YES;
    e->extended_master_secret = TRI_YES;
    e->encrypt_then_mac = TRI_NO;
    e->status_request = TRI_NO;
    e->session_ticket = TRI_YES;
    e->heartbeat = TRI_NO;
    snprintf(e->alpn, sizeof(e->alpn), "h2");
    /* Key-exchange values by hash: the RFC 7919 ffdhe2048 prime, an ECDHE
     * point seen twice, the leaf's SPKI. */
    fact_mark(&e->kex.header, true);
    const struct kex_value kv[] = {
        {.kind = KEX_DH_PRIME,
         .version = TLSV_TLS12,
         .suite = 0x009E,
         .sha256 = "9cd3b7f336872f46c09428d1bbc19877a4d440512cda8d1c1cf0cd6e33698966",
         .bits = 2048,
         .generator = 2},
        {.kind = KEX_ECDH_PUBLIC,
         .version = TLSV_TLS12,
         .suite = 0xC02F,
         .group = 0x001D,
         .sha256 = "1111111111111111111111111111111111111111111111111111111111111111"},
        {.kind = KEX_ECDH_PUBLIC,
         .version = TLSV_TLS12,
         .suite = 0xC02F,
         .group = 0x001D,
         .sha256 = "1111111111111111111111111111111111111111111111111111111111111111"},
        {.kind = KEX_CERT_SPKI,
         .version = TLSV_TLS12,
         .suite = 0xC02F,
         .sha256 = "2222222222222222222222222222222222222222222222222222222222222222"},
    };
    for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++) {
        if (kex_list_add(&e->kex, &kv[i]) != 0) {
            die("out of memory");
        }
    }

    fact_mark(&r->chain_header, true);
    r->n_certs = 3;
    r->certs = calloc(3, sizeof(*r->certs));
    if (r->certs == NULL) {
        die("out of memory");
    }
    fixture_cert(&r->certs[0], 1, "CN=" HOSTILE_CN ",OU=" HOSTILE_OU ",O=" HOSTILE_O ",C=\xff\xfe",
                 "CN=Fixture Intermediate <b>CA</b>,O=Fixture", 20);
    add(&r->certs[0].san, "DNS:www.example.test");
    add(&r->certs[0].san, "DNS:" HOSTILE_CN);
    add(&r->certs[0].san, "DNS:=HYPERLINK(\"http://x\")");
    add(&r->certs[0].san, "DNS:-2+3");
    add(&r->certs[0].san, "DNS:@SUM(A1)");
    add(&r->certs[0].ocsp_urls, "http://ocsp.example.test/");
    fixture_cert(&r->certs[1], 2, "CN=Fixture Intermediate <b>CA</b>,O=Fixture",
                 "CN=Fixture Root,O=Fixture", 10);
    r->certs[1].ca = 1;
    r->certs[1].path_len = 0;
    strlist_cleanup(&r->certs[1].eku);
    fixture_cert(&r->certs[2], 3, "CN=Fixture Root,O=Fixture", "CN=Fixture Root,O=Fixture", 3000);
    r->certs[2].ca = 1;
    r->certs[2].self_signed = true;
    strlist_cleanup(&r->certs[2].eku);
    snprintf(r->certs[2].key_type, sizeof(r->certs[2].key_type), "EC");
    r->certs[2].key_bits = 384;
    snprintf(r->certs[2].curve, sizeof(r->certs[2].curve), "secp384r1");
    snprintf(r->certs[2].sig_alg, sizeof(r->certs[2].sig_alg), "ECDSA-SHA384");

    struct chain_fact *ch = &r->chain;
    ch->trusted = true;
    ch->hostname_checked = true;
    ch->hostname_match = true;
    snprintf(ch->hostname, sizeof(ch->hostname), "www.example.test");
    ch->min_days_left = r->certs[1].days_left;
    snprintf(ch->ocsp_status, sizeof(ch->ocsp_status), "none");

    fixture_ecdsa_deployment(r);

    /* Generic probe results: one plain, one whose evidence is hostile
     * (markup, a formula, ESC, a newline, bytes that are not UTF-8). */
    r->probes.header.state = FACT_COLLECTED;
    if (probe_list_add(&r->probes, "fallback_scsv", TLSV_TLS12, 0, PR_NEGATIVE,
                       "inappropriate_fallback alert to a TLS 1.1 retry", NULL) != 0 ||
        probe_list_add(&r->probes, "heartbeat_echo", TLSV_TLS12, 0xC02F, PR_POSITIVE,
                       "<b>echoed</b> 16 bytes more than sent",
                       "=1+1 <script>x</script>\x1b[31m\nline2 \xff\xfe") != 0) {
        fprintf(stderr, "make_fixture: probe_list_add failed\n");
        exit(1);
    }
}

/* The legacy server: TLS 1.0 with 3DES, an expired self-signed certificate
 * whose subject carries a NUL-free control mix. */
static void fixture_legacy(struct target_result *r)
{
    target_result_init(r);
    r->host = xdup("legacy.example.test");
    r->sni = xdup("legacy.example.test");
    r->port = 8443;
    snprintf(r->ip, sizeof(r->ip), "127.0.0.2");
    add(&r->tags, "legacy");
    /* A STARTTLS target (issue 14): SMTP offering AUTH before STARTTLS,
     * its greeting hostile. */
    snprintf(r->starttls, sizeof(r->starttls), "smtp");
    fact_set_result(&r->dialogue.header, NULL);
    r->dialogue.greeted = true;
    r->dialogue.capabilities_read = true;
    r->dialogue.offered = true;
    r->dialogue.plain_auth = true;
    r->dialogue.upgraded = true;
    snprintf(r->dialogue.caps, sizeof(r->dialogue.caps), "AUTH=PLAIN AUTH=LOGIN STARTTLS");
    snprintf(r->dialogue.banner, sizeof(r->dialogue.banner), "mx <b>ESMTP</b> =cmd \x1b[31m");
    r->started_ms = SCAN_START_MS + 1500;
    r->finished_ms = SCAN_START_MS + 9000;
    r->status = TARGET_OK;
    fixture_accepted(&r->versions[TLSV_TLS10], 0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "");
    fixture_accepted(&r->versions[TLSV_TLS11], 0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "");
    fixture_accepted(&r->versions[TLSV_TLS12], 0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256", "");
    r->versions[TLSV_TLS13].state = PROBE_INCONCLUSIVE;
    snprintf(r->versions[TLSV_TLS13].reason, FACT_TEXT, "timed out \x1b]0;pwned\x07");

    struct enum_facts *e = &r->enumeration;
    fact_mark(&e->header, true);
    e->n_probes = 17;
    fixture_refused(&e->versions[TLSV_SSL2], "connection closed");
    static const uint32_t s3[] = {0x000a};
    fixture_suites(&e->versions[TLSV_SSL3], s3, 1, ORDER_UNKNOWN);
    static const uint32_t s10[] = {0x000a, 0x002f};
    fixture_suites(&e->versions[TLSV_TLS10], s10, 2, ORDER_CLIENT);
    fixture_suites(&e->versions[TLSV_TLS11], s10, 2, ORDER_CLIENT);
    static const uint32_t s12[] = {0x009c, 0x002f, 0x000a};
    fixture_suites(&e->versions[TLSV_TLS12], s12, 3, ORDER_CLIENT);
    e->versions[TLSV_TLS12].incomplete = true;
    snprintf(e->versions[TLSV_TLS12].incomplete_why, FACT_TEXT, "bundle 3: connection reset");
    fixture_refused(&e->versions[TLSV_TLS13], "alert: protocol version");
    e->secure_renegotiation = TRI_NO;
    e->extended_master_secret = TRI_NO;
    e->encrypt_then_mac = TRI_NO;
    e->status_request = TRI_UNKNOWN;
    e->session_ticket = TRI_NO;
    e->heartbeat = TRI_UNKNOWN;

    fact_mark(&r->chain_header, true);
    r->n_certs = 1;
    r->certs = calloc(1, sizeof(*r->certs));
    if (r->certs == NULL) {
        die("out of memory");
    }
    fixture_cert(&r->certs[0], 4, "CN=legacy.example.test,O=+cmd|' /C calc'!A0",
                 "CN=legacy.example.test,O=+cmd|' /C calc'!A0", -5);
    r->certs[0].self_signed = true;
    add(&r->certs[0].san, "DNS:legacy.example.test");
    snprintf(r->certs[0].sig_alg, sizeof(r->certs[0].sig_alg), "RSA-SHA1");
    r->certs[0].key_bits = 1024;

    struct chain_fact *ch = &r->chain;
    ch->trusted = false;
    ch->verify_status = 0x42;
    snprintf(ch->verify_text, sizeof(ch->verify_text), "signer not found; expired");
    ch->hostname_checked = true;
    ch->hostname_match = true;
    snprintf(ch->hostname, sizeof(ch->hostname), "legacy.example.test");
    ch->expired = true;
    ch->self_signed = true;
    ch->min_days_left = r->certs[0].days_left;
    snprintf(ch->ocsp_status, sizeof(ch->ocsp_status), "none");
}

/* A target that could not be scanned. */
static void fixture_down(struct target_result *r)
{
    target_result_init(r);
    r->host = xdup("down.example.test");
    r->port = 443;
    snprintf(r->ip, sizeof(r->ip), "127.0.0.3");
    r->started_ms = SCAN_START_MS + 2000;
    r->finished_ms = SCAN_START_MS + 12000;
    r->status = TARGET_UNREACHABLE;
    snprintf(r->error, sizeof(r->error), "connect: Connection refused");
}

#define F(tid_, rule_, title_, ref_, sev_, verdict_, evidence_)                                    \
    {                                                                                              \
        .target_id = (tid_), .rule_id = (rule_), .title = (title_), .ref = (ref_),                 \
        .severity = (sev_), .verdict = (verdict_), .evidence = (evidence_)                         \
    }

static void fixture_findings(struct store *s, int64_t scan_id, const int64_t *tid)
{
    /* The gates the runs were judged at: PCI at the default, Mozilla at
     * medium with inconclusive findings failing there too. */
    static const struct gate pci_gate = {.fail_on = SEV_HIGH, .fail_on_inconclusive = false};
    static const struct gate moz_gate = {.fail_on = SEV_MEDIUM, .fail_on_inconclusive = true};
    struct store_policy_run pci = {
        .policy_id = "pci-dss-4.0",
        .policy_version = "4.0.1-1",
        .policy_sha256 = "5d41402abc4b2a76b9719d911017c5925d41402abc4b2a76b9719d911017c592",
        .policy_path = "/usr/share/tlsaudit/policies/pci-dss-4.0.yaml",
        .evaluated_ms = SCAN_END_MS + 1000,
        .tool_version = "0.1.0",
        .gate = &pci_gate,
    };
    struct store_finding f[] = {
        F(tid[0], "pci-versions", "Only TLS 1.2 and later", "PCI DSS v4.0.1 Req 4.2.1", "high",
          "pass", "accepted: TLS 1.2, TLS 1.3"),
        F(tid[0], "pci-suites-strong", "No weak cipher suites", "PCI DSS v4.0.1 Req 4.2.1", "high",
          "fail",
          "TLS 1.2 accepts TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA (CBC without encrypt-then-MAC)"),
        F(tid[0], "pci-cert-hostname", "Certificate matches the name", "PCI DSS v4.0.1 Req 4.2.1",
          "medium", "warn", "leaf subject CN=" HOSTILE_CN " OU=" HOSTILE_OU " O=" HOSTILE_O),
        F(tid[0], "pci-ocsp-staple", "OCSP stapling", "PCI DSS v4.0.1 Req 4.2.1", "low",
          "inconclusive", "status_request not determined"),
        F(tid[0], "pci-cert-valid", "Every served certificate is within its validity",
          "PCI DSS v4.0.1 Req 4.2.1", "high", "fail",
          "deployment ECDSA: leaf CN=www.example.test,O=Fixture ECDSA expired 3 days ago; "
          "deployment RSA: valid"),
        {.target_id = tid[0],
         .rule_id = "pci-cert-lifetime",
         .title = "Certificate lifetime at most 398 days",
         .ref = "PCI DSS v4.0.1 Req 4.2.1.1",
         .severity = "medium",
         .verdict = "waived",
         .evidence = "leaf valid for 320 days",
         .waiver_reason = "Vendor appliance; replacement <b>ordered</b> =1+1",
         .waiver_owner = "ops@example.test",
         .waiver_expires = "2026-06-30"},
        F(tid[1], "pci-versions", "Only TLS 1.2 and later", "PCI DSS v4.0.1 Req 4.2.1", "high",
          "fail", "accepted: TLS 1.0, TLS 1.1, SSL 3.0"),
        F(tid[1], "pci-suites-strong", "No weak cipher suites", "PCI DSS v4.0.1 Req 4.2.1",
          "critical", "fail", "accepts TLS_RSA_WITH_3DES_EDE_CBC_SHA (3DES, no forward secrecy)"),
        F(tid[1], "pci-cert-hostname", "Certificate matches the name", "PCI DSS v4.0.1 Req 4.2.1",
          "medium", "pass", "legacy.example.test matches"),
        F(tid[1], "pci-ocsp-staple", "OCSP stapling", "PCI DSS v4.0.1 Req 4.2.1", "low", "fail",
          "no staple"),
        F(tid[1], "pci-cert-lifetime", "Certificate lifetime at most 398 days",
          "PCI DSS v4.0.1 Req 4.2.1.1", "medium", "fail",
          "expired 5 days ago: CN=legacy.example.test,O=+cmd|' /C calc'!A0"),
    };
    if (store_put_findings(s, scan_id, &pci, f, sizeof(f) / sizeof(f[0]), NULL) != 0) {
        die(store_errmsg(s));
    }
    struct store_policy_run moz = {
        .policy_id = "mozilla-intermediate",
        .policy_version = "6.0",
        .policy_sha256 = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
        .policy_path = "/usr/share/tlsaudit/policies/mozilla-intermediate.yaml",
        .evaluated_ms = SCAN_END_MS + 2000,
        .tool_version = "0.1.0",
        .gate = &moz_gate,
    };
    struct store_finding m[] = {
        F(tid[0], "moz-versions", "TLS 1.2 and 1.3 only", "Mozilla Server Side TLS 6.0", "high",
          "pass", "accepted: TLS 1.2, TLS 1.3"),
        F(tid[0], "moz-groups", "Groups x25519, secp256r1, secp384r1",
          "Mozilla Server Side TLS 6.0", "medium", "pass", "x25519, secp256r1, secp384r1"),
        F(tid[1], "moz-versions", "TLS 1.2 and 1.3 only", "Mozilla Server Side TLS 6.0", "high",
          "fail", "accepted: TLS 1.0, TLS 1.1"),
        F(tid[1], "moz-groups", "Groups x25519, secp256r1, secp384r1",
          "Mozilla Server Side TLS 6.0", "medium", "inconclusive", "no ECDHE suite accepted"),
    };
    if (store_put_findings(s, scan_id, &moz, m, sizeof(m) / sizeof(m[0]), NULL) != 0) {
        die(store_errmsg(s));
    }
}

static int fixture_write(const char *db)
{
    if (access(db, F_OK) == 0) {
        die("the database exists already: give a new file");
    }
    struct store *s = NULL;
    char err[512];
    if (store_open(db, &s, err, sizeof(err)) != 0) {
        die(err);
    }
    struct scan_meta meta = {
        .started_ms = SCAN_START_MS,
        .tool_version = "0.1.0",
        .options = "tlsaudit scan -f targets.txt --policy pci-dss-4.0 --policy "
                   "mozilla-intermediate",
        .trust_store = "/etc/tlsaudit/fixture-ca.pem",
        .registry_version = "iana-fixture+tlsaudit-1",
    };
    int64_t scan_id = 0;
    if (store_scan_begin(s, &meta, &scan_id) != 0) {
        die(store_errmsg(s));
    }
    struct target_result t[3];
    fixture_www(&t[0]);
    fixture_legacy(&t[1]);
    fixture_down(&t[2]);
    for (size_t i = 0; i < 3; i++) {
        if (store_put_target(s, scan_id, &t[i]) != 0) {
            die(store_errmsg(s));
        }
        target_result_cleanup(&t[i]);
    }
    if (store_scan_finish(s, scan_id, "complete", SCAN_END_MS) != 0) {
        die(store_errmsg(s));
    }
    struct target_result *loaded = NULL;
    int64_t *ids = NULL;
    size_t n = 0;
    if (store_load_targets(s, scan_id, &loaded, &ids, &n) != 0 || n != 3) {
        die("reading the targets back failed");
    }
    fixture_findings(s, scan_id, ids);
    store_targets_free(loaded, n);
    free(ids);
    store_close(s);

    /* The machine-dependent columns, fixed. */
    sqlite3 *db3 = NULL;
    if (sqlite3_open(db, &db3) != SQLITE_OK ||
        sqlite3_exec(db3,
                     "UPDATE scans SET pid = 1, hostname = 'fixture-host',"
                     " uuid = '00112233445566778899aabbccddeeff'",
                     NULL, NULL, NULL) != SQLITE_OK) {
        die(sqlite3_errmsg(db3));
    }
    sqlite3_close(db3);
    return 0;
}

static int fixture_render(const char *db, const char *format, const char *days)
{
    enum report_format f;
    /* "FORMAT-stream" (every format report_streams takes): the report read
     * one target at a time (report_stream), which must give the bytes of
     * "FORMAT". "html-summary", "html-summary-stream": the HTML in the
     * summary layout (--detail failing), every run judged at --fail-on
     * critical (so that a target passes and is left out of the detail). */
    char name[32];
    snprintf(name, sizeof(name), "%s", format);
    size_t len = strlen(name);
    bool stream = len > 7 && strcmp(name + len - 7, "-stream") == 0;
    if (stream) {
        name[len - 7] = '\0';
    }
    bool summary = strcmp(name, "html-summary") == 0;
    if (summary) {
        name[4] = '\0';
    }
    if (!report_format_parse(name, &f) || (stream && !report_streams(f, days != NULL))) {
        die("unknown format");
    }
    struct store *s = NULL;
    char err[512];
    if (store_open(db, &s, err, sizeof(err)) != 0) {
        die(err);
    }
    int64_t scan_id = 0;
    if (store_latest_scan(s, &scan_id) != 0) {
        die(store_errmsg(s));
    }
    struct report_data d;
    if ((stream ? report_load_heads(s, scan_id, "fixture.db", &d, err, sizeof(err))
                : report_load(s, scan_id, "fixture.db", &d, err, sizeof(err))) != 0) {
        die(err);
    }
    if (summary) {
        report_regate(&d, true, SEV_CRITICAL, false);
    }
    struct report_options o = {
        .color = false,
        .now_ms = FIXTURE_NOW_MS,
        .expiring_days = -1,
        .detail = summary ? REPORT_DETAIL_FAILING : REPORT_DETAIL_AUTO,
    };
    if (days != NULL) {
        char *end = NULL;
        long v = strtol(days, &end, 10);
        if (end == days || *end != '\0' || v < 0 || v > 36500) {
            die("DAYS: a number from 0 to 36500");
        }
        o.expiring_days = (int)v;
    }
    bool fails = false;
    int rc = !stream ? report_write(stdout, f, &d, &o, err, sizeof(err))
                     : report_stream(stdout, f, s, &d, &o, &fails, err, sizeof(err));
    report_data_cleanup(&d);
    store_close(s);
    if (rc != 0) {
        die(err);
    }
    return fflush(stdout) == 0 ? 0 : 1;
}

/* One fixture_scan_json walk: every target added to jr. */
static int fixture_scan_target(void *arg, struct target_result *r, int64_t id)
{
    (void)id;
    return json_report_add_target(arg, r) != 0 ? -1 : 0;
}

/* A second walk: each target's first probe added again as a cross-target
 * probe (json_report_add_probe), as scan adds drown_shared_key. */
struct fixture_probe_walk {
    struct json_report *jr;
    size_t i;
};

static int fixture_scan_probe(void *arg, struct target_result *r, int64_t id)
{
    struct fixture_probe_walk *w = arg;
    (void)id;
    if (r->probes.n_items > 0 && json_report_add_probe(w->jr, w->i, &r->probes.items[0]) != 0) {
        return -1;
    }
    w->i++;
    return 0;
}

/* fixture_same_dump fails unless the len bytes of buf are jansson's dump
 * of their own tree with JSON_INDENT(2) | flags, and a newline. */
static void fixture_same_dump(const char *what, const char *buf, size_t len, size_t flags)
{
    json_error_t e;
    json_t *whole = json_loadb(buf, len, 0, &e);
    if (whole == NULL) {
        fprintf(stderr, "make_fixture: %s: line %d: %s\n", what, e.line, e.text);
        exit(1);
    }
    char *again = json_dumps(whole, JSON_INDENT(2) | flags);
    if (again == NULL || strlen(again) + 1 != len || memcmp(again, buf, len - 1) != 0 ||
        buf[len - 1] != '\n') {
        size_t at = 0;
        while (again != NULL && at < len && again[at] == buf[at]) {
            at++;
        }
        fprintf(stderr, "make_fixture: %s: not jansson's dump of its own tree (from byte %zu)\n",
                what, at);
        exit(1);
    }
    free(again);
    json_decref(whole);
}

/* fixture_file reads all of path (malloc'ed, *len bytes). */
static char *fixture_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0;
    FILE *mem = open_memstream(&buf, &cap);
    if (f == NULL || mem == NULL || util_copy_back(mem, f) != 0 || fclose(mem) != 0) {
        die(path);
    }
    fclose(f);
    *len = cap;
    return buf;
}

static int fixture_same_dump_file(const char *path, const char *mode)
{
    if (mode != NULL && strcmp(mode, "ascii") != 0) {
        die("same-dump FILE [ascii]");
    }
    size_t len = 0;
    char *buf = fixture_file(path, &len);
    fixture_same_dump(path, buf, len, mode != NULL ? JSON_ENSURE_ASCII : 0);
    free(buf);
    return 0;
}

/* fixture_scan_json writes the scan document (reports/json.h: targets
 * dumped one at a time to a temporary file, spliced in at the end; doc,
 * when not NULL, attached from its file) of the fixture's newest scan to
 * stdout, and fails unless its bytes are jansson's own dump of the tree
 * they describe. */
static int fixture_scan_json(const char *db, const char *doc)
{
    struct store *s = NULL;
    char err[512];
    int64_t scan_id = 0;
    if (store_open(db, &s, err, sizeof(err)) != 0) {
        die(err);
    }
    if (store_latest_scan(s, &scan_id) != 0) {
        die(store_errmsg(s));
    }
    struct json_scan_info info = {scan_id, FIXTURE_NOW_MS, "fixture.db", "system"};
    struct json_report *jr = json_report_new(&info);
    struct fixture_probe_walk w = {.jr = jr};
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    FILE *attach = doc != NULL ? fopen(doc, "rb") : NULL;
    if (doc != NULL &&
        (attach == NULL || jr == NULL || json_report_attach_file(jr, "attached", attach) != 0)) {
        die("scan-json: attaching DOC failed");
    }
    if (jr == NULL || mem == NULL || store_each_target(s, scan_id, fixture_scan_target, jr) != 0 ||
        store_each_target(s, scan_id, fixture_scan_probe, &w) != 0 ||
        json_report_write(jr, mem, FIXTURE_NOW_MS, "complete") != 0 || fclose(mem) != 0) {
        die("scan-json: building the scan document failed");
    }
    json_report_free(jr);
    store_close(s);
    fixture_same_dump("scan-json", buf, len, JSON_ENSURE_ASCII);
    fwrite(buf, 1, len, stdout);
    free(buf);
    return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "write") == 0) {
        return fixture_write(argv[2]);
    }
    if ((argc == 4 || argc == 5) && strcmp(argv[1], "render") == 0) {
        return fixture_render(argv[2], argv[3], argc == 5 ? argv[4] : NULL);
    }
    if ((argc == 3 || argc == 4) && strcmp(argv[1], "scan-json") == 0) {
        return fixture_scan_json(argv[2], argc == 4 ? argv[3] : NULL);
    }
    if ((argc == 3 || argc == 4) && strcmp(argv[1], "same-dump") == 0) {
        return fixture_same_dump_file(argv[2], argc == 4 ? argv[3] : NULL);
    }
    fprintf(stderr, "usage: make_fixture write DB | make_fixture render DB FORMAT [DAYS]"
                    " | make_fixture scan-json DB [DOC] | make_fixture same-dump FILE [ascii]\n");
    return 2;
}
