/*
 * tests/unit/report_html_test.c - unit tests of the HTML audit report
 * (reports/html/) over a scan built in memory.
 *
 * The fixture is a deterministic struct report_data whose server- and
 * file-controlled strings (certificate subject, issuer, SANs, SNI, tags,
 * error text, finding evidence, waiver text, the command line) carry
 * markup, event handlers, quotes, a spreadsheet formula, newlines, ESC and
 * invalid UTF-8. The tests check:
 * - structure: every tag in the output is one the renderer writes, every
 *   attribute is one of a short list, every link stays inside the file;
 *   nothing from the data became an element or an attribute;
 * - escaping: the hostile text is present, escaped, as text;
 * - content: sections, suites in server order, verdicts per policy,
 *   waivers, the expiring list, the banner of an interrupted scan;
 * - robustness: a scan without targets and without policy runs;
 * - the golden file tests/data/report/report_html_test.html (byte for byte).
 *
 * `report_html_test --write FILE` writes the fixture's report to FILE and
 * exits (used by tests/integration/report_html.sh to open it in Chromium,
 * and to regenerate the golden file:
 *   tests/unit/report_html_test --write $(top_srcdir)/tests/data/report/report_html_test.html).
 */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/model/probe_result.h"
#include "reports/report.h"

#ifndef REPORT_HTML_TEST_SRCDIR
#define REPORT_HTML_TEST_SRCDIR "."
#endif

/* 2026-01-15T00:00:00Z: "now" for the fixture's expiry arithmetic. */
#define FIX_NOW_S INT64_C(1768435200)
#define DAY_S INT64_C(86400)

/* The hostile strings, each also searched for in escaped form below. */
#define H_SCRIPT "<script>alert(1)</script>"
#define H_IMG "<img src=x onerror=alert(2)>"
#define H_QUOTES "\"dq\" 'sq'"
#define H_FORMULA "=HYPERLINK(\"http://evil.example/\",\"click\")"
#define H_BREAKOUT "</td></tr></table><iframe src=x></iframe>"
#define H_CTRL "line1\nline2\x1b[31mred\xff\xfe\xc0\xaf"

/* Set for --write, outside Check (whose assertions need a running test). */
static bool g_writing;

/* fix_need fails the test, or ends --write, when building the fixture
 * failed (out of memory). */
static void fix_need(bool ok)
{
    if (g_writing) {
        if (!ok) {
            fprintf(stderr, "report_html_test: out of memory building the fixture\n");
            exit(EXIT_FAILURE);
        }
        return;
    }
    ck_assert_msg(ok, "out of memory building the fixture");
}

static char *xstrdup(const char *s)
{
    char *p = strdup(s);
    fix_need(p != NULL);
    return p;
}

static void add(struct strlist *l, const char *s)
{
    fix_need(strlist_add(l, s) == 0);
}

static void fill_cert(struct cert_fact *c, const char *subject, const char *issuer,
                      const char *sha_seed, int64_t not_after, int64_t days_left)
{
    cert_fact_init(c);
    c->subject = xstrdup(subject);
    c->issuer = xstrdup(issuer);
    for (int i = 0; i < 64; i++) {
        c->sha256[i] = sha_seed[i % strlen(sha_seed)];
    }
    c->sha256[64] = '\0';
    snprintf(c->serial, sizeof(c->serial), "%s", "0a1b2c");
    c->not_before = not_after - 90 * DAY_S;
    c->not_after = not_after;
    c->days_left = days_left;
    snprintf(c->key_type, sizeof(c->key_type), "RSA");
    c->key_bits = 2048;
    snprintf(c->sig_alg, sizeof(c->sig_alg), "RSA-SHA256");
    c->ca = 0;
    c->path_len = -1;
}

/* fixture_hostile fills d: three targets (hostile, unreachable, one
 * without enumeration), one policy run, an interrupted scan. */
static void fixture_hostile(struct report_data *d)
{
    memset(d, 0, sizeof(*d));
    d->db_path = "/var/lib/tlsaudit/<db>.db";
    d->info.id = 7;
    d->info.started_ms = FIX_NOW_S * 1000 - 3600 * 1000;
    d->info.finished_ms = -1;
    snprintf(d->info.state, sizeof(d->info.state), "interrupted");
    d->info.tool_version = xstrdup("0.1.0");
    d->info.options = xstrdup("scan --policy pci-dss-4.0 " H_SCRIPT);
    d->info.trust_store = xstrdup("/etc/ca/" H_IMG ".pem");
    d->info.registry_version = xstrdup("IANA 2025-01-01");
    d->info.hostname = xstrdup("auditor-host");
    d->info.note = xstrdup("stopped by SIGINT " H_QUOTES);
    d->info.n_targets = 3;
    d->info.n_not_scanned = 1;

    d->n_targets = 3;
    d->targets = calloc(3, sizeof(*d->targets));
    d->target_ids = calloc(3, sizeof(*d->target_ids));
    fix_need(d->targets != NULL);
    fix_need(d->target_ids != NULL);
    d->target_ids[0] = 31;
    d->target_ids[1] = 32;
    d->target_ids[2] = 30; /* ids need not follow the stored order */

    /* Target 0: everything, with hostile certificate fields. */
    struct target_result *r = &d->targets[0];
    target_result_init(r);
    enum_facts_init(&r->enumeration);
    r->host = xstrdup("hostile.lab.test");
    r->port = 443;
    r->sni = xstrdup("hostile.lab.test");
    snprintf(r->ip, sizeof(r->ip), "127.0.0.1");
    add(&r->tags, "pci");
    add(&r->tags, H_IMG);
    r->started_ms = FIX_NOW_S * 1000 - 3000 * 1000;
    r->finished_ms = r->started_ms + 2500;
    r->status = TARGET_OK;
    r->versions[TLSV_TLS12].state = PROBE_ACCEPTED;
    r->versions[TLSV_TLS12].suite = 0xC02F;
    snprintf(r->versions[TLSV_TLS12].suite_name, sizeof(r->versions[TLSV_TLS12].suite_name),
             "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    snprintf(r->versions[TLSV_TLS12].group, sizeof(r->versions[TLSV_TLS12].group), "x25519");
    r->versions[TLSV_TLS13].state = PROBE_REFUSED;
    snprintf(r->versions[TLSV_TLS13].reason, sizeof(r->versions[TLSV_TLS13].reason),
             "alert: " H_SCRIPT);
    r->versions[TLSV_TLS10].state = PROBE_REFUSED;
    r->versions[TLSV_TLS11].state = PROBE_INCONCLUSIVE;
    snprintf(r->versions[TLSV_TLS11].reason, sizeof(r->versions[TLSV_TLS11].reason), "timeout");

    struct enum_facts *e = &r->enumeration;
    fact_mark(&e->header, true);
    struct enum_version_fact *v12 = &e->versions[TLSV_TLS12];
    v12->state = PROBE_ACCEPTED;
    v12->order = ORDER_SERVER;
    v12->n_suites = 3;
    v12->suites = calloc(3, sizeof(*v12->suites));
    fix_need(v12->suites != NULL);
    /* Server order: RC4 first, then ECDHE-GCM, then an export suite. */
    v12->suites[0] = (struct enum_suite){.code = 0x0005, .server_rank = 0};
    v12->suites[1] =
        (struct enum_suite){.code = 0xC02F, .server_rank = 1, .ec_group = 0x001D, .kx_bits = 255};
    v12->suites[2] = (struct enum_suite){.code = 0x0003, .server_rank = 2, .kx_bits = 512};
    v12->incomplete = true;
    snprintf(v12->incomplete_why, sizeof(v12->incomplete_why), "reset " H_IMG);
    e->versions[TLSV_TLS13].state = PROBE_REFUSED;
    snprintf(e->versions[TLSV_TLS13].reason, sizeof(e->versions[TLSV_TLS13].reason), "%s", H_CTRL);
    e->groups12 = calloc(2, sizeof(uint16_t));
    fix_need(e->groups12 != NULL);
    e->groups12[0] = 0x001D;
    e->groups12[1] = 0x0017;
    e->n_groups12 = 2;
    e->sigalgs12 = calloc(1, sizeof(uint16_t));
    fix_need(e->sigalgs12 != NULL);
    e->sigalgs12[0] = 0x0804;
    e->n_sigalgs12 = 1;
    e->secure_renegotiation = TRI_YES;
    e->extended_master_secret = TRI_NO;
    snprintf(e->alpn, sizeof(e->alpn), "%s", H_QUOTES);
    snprintf(e->anomalies, sizeof(e->anomalies), "%s", H_BREAKOUT);
    e->n_probes = 42;

    r->n_certs = 2;
    r->certs = calloc(2, sizeof(*r->certs));
    fix_need(r->certs != NULL);
    fill_cert(&r->certs[0], "CN=" H_SCRIPT ",O=" H_FORMULA, "CN=" H_IMG ",O=" H_CTRL, "ab12",
              FIX_NOW_S + 10 * DAY_S, 10);
    add(&r->certs[0].san, "DNS:" H_SCRIPT);
    add(&r->certs[0].san, "DNS:" H_BREAKOUT);
    add(&r->certs[0].san, "URI:javascript:alert(3)");
    add(&r->certs[0].ocsp_urls, "http://ocsp.example/" H_QUOTES);
    r->certs[0].has_key_usage = true;
    add(&r->certs[0].key_usage, "digitalSignature");
    add(&r->certs[0].eku, "serverAuth");
    fill_cert(&r->certs[1], "CN=" H_IMG ",O=" H_CTRL, "CN=Fixture Root", "cd34",
              FIX_NOW_S + 400 * DAY_S, 400);
    r->certs[1].ca = 1;
    r->certs[1].path_len = 0;
    fact_mark(&r->chain_header, true);
    r->chain.trusted = false;
    snprintf(r->chain.verify_text, sizeof(r->chain.verify_text), "signer not found " H_SCRIPT);
    r->chain.hostname_checked = true;
    r->chain.hostname_match = false;
    snprintf(r->chain.hostname, sizeof(r->chain.hostname), "hostile.lab.test");
    r->chain.incomplete = true;
    r->chain.min_days_left = 10;
    snprintf(r->chain.ocsp_status, sizeof(r->chain.ocsp_status), "none");
    /* Generic probe results, the evidence hostile. */
    r->probes.header.state = FACT_COLLECTED;
    fix_need(probe_list_add(&r->probes, "heartbeat_echo", TLSV_TLS12, 0xC02F, PR_POSITIVE, H_SCRIPT,
                            H_BREAKOUT H_CTRL) == 0);
    fix_need(probe_list_add(&r->probes, "fallback_scsv", PROBE_NO_VERSION, 0, PR_NEGATIVE, NULL,
                            NULL) == 0);

    /* Target 1: unreachable, with hostile error text. */
    r = &d->targets[1];
    target_result_init(r);
    enum_facts_init(&r->enumeration);
    r->host = xstrdup("2001:db8::1");
    r->port = 8443;
    r->status = TARGET_UNREACHABLE;
    snprintf(r->error, sizeof(r->error), "connect: %s", H_SCRIPT);
    r->started_ms = FIX_NOW_S * 1000 - 2000 * 1000;
    r->finished_ms = r->started_ms + 5000;

    /* Target 2: scanned without the enumeration; expired certificate. */
    r = &d->targets[2];
    target_result_init(r);
    enum_facts_init(&r->enumeration);
    r->host = xstrdup("plain.lab.test");
    r->port = 4433;
    snprintf(r->ip, sizeof(r->ip), "127.0.0.2");
    r->status = TARGET_OK;
    r->started_ms = FIX_NOW_S * 1000 - 1000 * 1000;
    r->finished_ms = r->started_ms + 900;
    r->versions[TLSV_TLS13].state = PROBE_ACCEPTED;
    r->versions[TLSV_TLS13].suite = 0x1301;
    snprintf(r->versions[TLSV_TLS13].suite_name, sizeof(r->versions[TLSV_TLS13].suite_name),
             "TLS_AES_128_GCM_SHA256");
    r->n_certs = 1;
    r->certs = calloc(1, sizeof(*r->certs));
    fix_need(r->certs != NULL);
    fill_cert(&r->certs[0], "CN=plain.lab.test", "CN=Fixture Root", "ef56", FIX_NOW_S - 5 * DAY_S,
              -5);
    fact_mark(&r->chain_header, true);
    r->chain.trusted = false;
    r->chain.expired = true;
    r->chain.min_days_left = -5;
    snprintf(r->chain.ocsp_status, sizeof(r->chain.ocsp_status), "none");

    /* One policy run: a critical failure, a waiver, a pass, an
     * inconclusive, all on target 0 (id 31); a failure on target 2 (id 30). */
    d->n_runs = 1;
    d->runs = calloc(1, sizeof(*d->runs));
    fix_need(d->runs != NULL);
    struct store_run *run = &d->runs[0];
    run->id = 3;
    run->policy_id = xstrdup("pci-dss-4.0");
    run->policy_version = xstrdup("1.0");
    run->policy_sha256 =
        xstrdup("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    run->policy_path = xstrdup("/usr/share/tlsaudit/policies/pci-dss-4.0.yaml");
    run->evaluated_ms = FIX_NOW_S * 1000;
    run->tool_version = xstrdup("0.1.0");
    run->gate = GATE_DEFAULT; /* --fail-on high: the medium failure on id 30 is below it */
    run->gate_stored = true;
    run->n_findings = 5;
    run->findings = calloc(5, sizeof(*run->findings));
    fix_need(run->findings != NULL);
    struct {
        int64_t tid;
        const char *rule, *sev, *verdict, *evidence, *wreason, *wowner, *wexp;
    } f[] = {
        {31, "pci-no-rc4", "high", "fail", "RC4 accepted: " H_SCRIPT, NULL, NULL, NULL},
        {31, "pci-no-export", "critical", "fail", "export suite " H_FORMULA, NULL, NULL, NULL},
        {31, "pci-no-tls10", "high", "waived", "TLS 1.0 accepted", "legacy POS " H_IMG,
         "ops " H_QUOTES, "2026-06-30"},
        {31, "pci-cert-valid", "high", "inconclusive", H_CTRL, NULL, NULL, NULL},
        {30, "pci-cert-valid", "medium", "fail", "leaf expired 5 days ago", NULL, NULL, NULL},
    };
    for (size_t i = 0; i < 5; i++) {
        struct store_finding_row *fr = &run->findings[i];
        fr->target_id = f[i].tid;
        fr->rule_id = xstrdup(f[i].rule);
        fr->title = xstrdup("Title of " H_SCRIPT);
        fr->ref = xstrdup("PCI DSS v4.0.1 Req 4.2.1");
        fr->severity = xstrdup(f[i].sev);
        fr->verdict = xstrdup(f[i].verdict);
        fr->evidence = xstrdup(f[i].evidence);
        fr->waiver_reason = f[i].wreason ? xstrdup(f[i].wreason) : NULL;
        fr->waiver_owner = f[i].wowner ? xstrdup(f[i].wowner) : NULL;
        fr->waiver_expires = f[i].wexp ? xstrdup(f[i].wexp) : NULL;
    }
}

static const struct report_options fix_opts = {
    .color = false, .now_ms = FIX_NOW_S * 1000, .expiring_days = 30};

/* render writes d's report into a malloc'ed string (caller frees). */
static char *render(const struct report_data *d, const struct report_options *o)
{
    char *buf = NULL;
    size_t len = 0;
    char err[256] = "";
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    int rc = report_write_html(f, d, o, err, sizeof(err));
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_msg(rc == 0, "report_write_html failed: %s", err);
    ck_assert_uint_eq(strlen(buf), len); /* no NUL in the output */
    return buf;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle)) {
        n++;
    }
    return n;
}

/* check_structure walks every tag of html: each element must be one the
 * renderer writes, each attribute one of a short list, every href "#..."
 * and every class and id plain ASCII words. Fails the test otherwise. */
static void check_structure(const char *html)
{
    static const char *const elements[] = {
        "!DOCTYPE", "html",    "head",  "meta",  "title", "style", "body",    "header",
        "h1",       "h2",      "h3",    "h4",    "p",     "nav",   "ol",      "li",
        "a",        "section", "table", "thead", "tbody", "tr",    "th",      "td",
        "span",     "strong",  "em",    "code",  "br",    "ul",    "article", "footer",
    };
    static const char *const attributes[] = {"lang",  "charset", "http-equiv", "content", "name",
                                             "class", "id",      "href",       "colspan"};
    size_t n_tags = 0;
    const char *p = html;
    /* The style sheet is the only raw-text element; skip its body. */
    while ((p = strchr(p, '<')) != NULL) {
        p++;
        bool closing = *p == '/';
        if (closing) {
            p++;
        }
        char name[32];
        size_t n = 0;
        while (*p != '\0' && *p != ' ' && *p != '>' && n + 1 < sizeof(name)) {
            name[n++] = *p++;
        }
        name[n] = '\0';
        bool known = false;
        for (size_t i = 0; i < sizeof(elements) / sizeof(elements[0]); i++) {
            known = known || strcmp(name, elements[i]) == 0;
        }
        ck_assert_msg(known, "unexpected element <%s> in the report", name);
        n_tags++;
        /* Attributes: name="value" pairs up to '>'. */
        while (*p == ' ') {
            p++;
            char attr[32];
            size_t k = 0;
            while (*p != '\0' && *p != '=' && *p != ' ' && *p != '>' && k + 1 < sizeof(attr)) {
                attr[k++] = *p++;
            }
            attr[k] = '\0';
            if (strcmp(name, "!DOCTYPE") == 0) {
                ck_assert_str_eq(attr, "html");
                continue;
            }
            bool ok = false;
            for (size_t i = 0; i < sizeof(attributes) / sizeof(attributes[0]); i++) {
                ok = ok || strcmp(attr, attributes[i]) == 0;
            }
            ck_assert_msg(ok, "unexpected attribute %s on <%s>", attr, name);
            ck_assert_msg(p[0] == '=' && p[1] == '"', "attribute %s not quoted", attr);
            p += 2;
            const char *end = strchr(p, '"');
            ck_assert_ptr_nonnull(end);
            if (strcmp(attr, "href") == 0) {
                ck_assert_msg(p[0] == '#', "a link leaves the file: %.40s", p);
            }
            for (const char *q = p; q < end; q++) {
                ck_assert_msg(*q != '<' && *q != '>' && (unsigned char)*q >= 0x20 &&
                                  (unsigned char)*q < 0x7f,
                              "attribute %s of <%s> holds %.40s", attr, name, p);
                if (strcmp(attr, "class") == 0 || strcmp(attr, "id") == 0) {
                    ck_assert_msg((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') ||
                                      *q == '-' || *q == ' ',
                                  "%s=\"%.*s\"", attr, (int)(end - p), p);
                }
            }
            p = end + 1;
        }
        ck_assert_msg(*p == '>', "tag <%s> not closed", name);
        if (!closing && strcmp(name, "style") == 0) {
            const char *close = strstr(p, "</style>");
            ck_assert_ptr_nonnull(close);
            ck_assert_msg(memchr(p, '<', (size_t)(close - p)) == NULL, "markup inside <style>");
            p = close;
        }
    }
    ck_assert_uint_gt(n_tags, 20);
}

START_TEST(test_hostile_is_inert)
{
    struct report_data d;
    fixture_hostile(&d);
    char *html = render(&d, &fix_opts);
    check_structure(html);
    ck_assert_uint_eq(count(html, "<script"), 0);
    ck_assert_uint_eq(count(html, "<img"), 0);
    ck_assert_uint_eq(count(html, "<iframe"), 0);
    ck_assert_uint_eq(count(html, "<style>"), 1);
    /* The hostile text is there, escaped. */
    ck_assert_ptr_nonnull(strstr(html, "CN=&lt;script&gt;alert(1)&lt;/script&gt;,O="
                                       "=HYPERLINK(&quot;http://evil.example/&quot;,&quot;"
                                       "click&quot;)"));
    ck_assert_ptr_nonnull(strstr(html, "&lt;img src=x onerror=alert(2)&gt;"));
    ck_assert_ptr_nonnull(strstr(html, "&quot;dq&quot; &#39;sq&#39;"));
    ck_assert_ptr_nonnull(strstr(html, "&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;iframe"));
    ck_assert_ptr_nonnull(strstr(html, "line1\\x0aline2\\x1b[31mred\\xff\\xfe\\xc0\\xaf"));
    ck_assert_ptr_nonnull(strstr(html, "DNS:&lt;script&gt;"));
    /* A probe result's hostile evidence, escaped in its cell. */
    ck_assert_ptr_nonnull(strstr(html, "<td class=\"mono\">&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;"
                                       "&lt;iframe src=x&gt;&lt;/iframe&gt;line1\\x0aline2"
                                       "\\x1b[31mred\\xff\\xfe\\xc0\\xaf</td></tr>"));
    ck_assert_ptr_nonnull(strstr(html, "<span class=\"badge v-fail\">positive</span>"));
    ck_assert_ptr_nonnull(strstr(html, "URI:javascript:alert(3)"));
    ck_assert_ptr_nonnull(strstr(html, "/var/lib/tlsaudit/&lt;db&gt;.db"));
    /* No raw control byte and no invalid UTF-8 reaches the file. */
    for (const unsigned char *q = (const unsigned char *)html; *q != '\0'; q++) {
        ck_assert_msg(*q >= 0x20 || *q == '\n', "control byte 0x%02x in the report", *q);
        ck_assert_msg(*q != 0xff && *q != 0xfe && *q != 0xc0, "invalid UTF-8 byte 0x%02x", *q);
    }
    free(html);
    report_data_cleanup(&d);
}
END_TEST

START_TEST(test_content)
{
    struct report_data d;
    fixture_hostile(&d);
    char *html = render(&d, &fix_opts);
    ck_assert_ptr_nonnull(strstr(html, "<meta http-equiv=\"Content-Security-Policy\" "
                                       "content=\"default-src 'none'; style-src "
                                       "'unsafe-inline'\">"));
    const char *sections[] = {"summary",  "targets",   "cert-inventory", "protocol-inventory",
                              "expiring", "provenance"};
    for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
        char want[64];
        snprintf(want, sizeof(want), "<section id=\"%s\">", sections[i]);
        ck_assert_msg(count(html, want) == 1, "section %s", sections[i]);
    }
    ck_assert_uint_eq(count(html, "<article class=\"target\""), 3);
    /* The interrupted scan is said so, with its note. */
    ck_assert_ptr_nonnull(strstr(html, "<p class=\"banner\">This scan did not complete (state "
                                       "interrupted)"));
    /* Suites of target 0 in server order: RC4, then ECDHE-GCM, then export. */
    const char *t0 = strstr(html, "<article class=\"target\" id=\"t0\">");
    ck_assert_ptr_nonnull(t0);
    const char *rc4 = strstr(t0, "TLS_RSA_WITH_RC4_128_SHA");
    const char *gcm = strstr(t0, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256</span></td>");
    const char *exp = strstr(t0, "TLS_RSA_EXPORT_WITH_RC4_40_MD5");
    ck_assert_ptr_nonnull(rc4);
    ck_assert_ptr_nonnull(gcm);
    ck_assert_ptr_nonnull(exp);
    ck_assert_msg(rc4 < gcm && gcm < exp, "suites not in server order");
    ck_assert_ptr_nonnull(strstr(t0, "in the server's order of preference"));
    ck_assert_ptr_nonnull(strstr(t0, "<span class=\"v-fail\">export</span>"));
    ck_assert_ptr_nonnull(strstr(t0, "x25519, 255 bits"));
    ck_assert_ptr_nonnull(strstr(t0, "<span class=\"mono\">rsa_pss_rsae_sha256</span>"));
    /* Verdicts at the run's gate (--fail-on high): pci-dss-4.0 fails on
     * target 0 (critical), passes on target 2 (its failure is medium,
     * below the gate, and says so), target 1 not scanned. */
    ck_assert_ptr_nonnull(strstr(html, "<td>high</td><td><span class=\"badge v-fail\">fail</span>"
                                       "</td><td class=\"num\">1</td><td class=\"num\">1</td>"));
    ck_assert_uint_eq(count(html, "<em>below the gate</em>"), 1);
    ck_assert_uint_eq(count(html, "<td><span class=\"badge v-na\">not scanned</span></td>"), 1);
    /* Worst findings: the critical one first. */
    const char *worst = strstr(html, "<h3>Worst findings</h3>");
    ck_assert_ptr_nonnull(worst);
    const char *crit = strstr(worst, "pci-no-export");
    const char *high = strstr(worst, "pci-no-rc4");
    const char *med = strstr(worst, "leaf expired 5 days ago");
    ck_assert_ptr_nonnull(crit);
    ck_assert_ptr_nonnull(high);
    ck_assert_ptr_nonnull(med);
    ck_assert_msg(crit < high && high < med, "worst findings not by severity");
    /* The waiver with justification, owner and expiry. */
    ck_assert_ptr_nonnull(strstr(html, "<strong>Waived:</strong> legacy POS &lt;img"));
    ck_assert_ptr_nonnull(strstr(html, "owner ops &quot;dq&quot; &#39;sq&#39;, expires "
                                       "2026-06-30"));
    /* The target without enumeration still appears in the suite inventory. */
    const char *inv = strstr(html, "<section id=\"protocol-inventory\">");
    ck_assert_ptr_nonnull(inv);
    ck_assert_ptr_nonnull(strstr(inv, "TLS_AES_128_GCM_SHA256"));
    ck_assert_ptr_nonnull(strstr(inv, "<a href=\"#t2\">plain.lab.test:4433</a>"));
    /* IPv6 host in brackets. */
    ck_assert_ptr_nonnull(strstr(html, "[2001:db8::1]:8443"));
    /* Certificate inventory: 3 distinct certificates. */
    ck_assert_ptr_nonnull(strstr(html, "<strong>3</strong> distinct certificates"));
    /* Provenance. */
    const char *prov = strstr(html, "<section id=\"provenance\">");
    ck_assert_ptr_nonnull(prov);
    ck_assert_ptr_nonnull(strstr(prov, "IANA 2025-01-01"));
    ck_assert_ptr_nonnull(
        strstr(prov, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
    ck_assert_ptr_nonnull(strstr(prov, "<td class=\"mono\">127.0.0.2</td>"));
    free(html);
    report_data_cleanup(&d);
}
END_TEST

START_TEST(test_expiring)
{
    struct report_data d;
    fixture_hostile(&d);
    char *html = render(&d, &fix_opts);
    const char *sec = strstr(html, "<section id=\"expiring\">");
    ck_assert_ptr_nonnull(sec);
    const char *end = strstr(sec, "</section>");
    ck_assert_ptr_nonnull(end);
    size_t len = (size_t)(end - sec);
    char *part = strndup(sec, len);
    ck_assert_ptr_nonnull(part);
    /* The leaf (10 days) and the expired certificate (-5), not the
     * intermediate (400 days); the expired one first. */
    ck_assert_ptr_nonnull(strstr(part, "within <strong>30</strong> days of 2026-01-15T00:00:00Z"));
    ck_assert_ptr_nonnull(strstr(part, ": <strong>2</strong>.</p>"));
    const char *expired = strstr(part, "<td class=\"num v-fail\">-5</td>");
    const char *leaf = strstr(part, "<td class=\"num v-warn\">10</td>");
    ck_assert_ptr_nonnull(expired);
    ck_assert_ptr_nonnull(leaf);
    ck_assert_msg(expired < leaf, "expiring certificates not by date");
    ck_assert_ptr_null(strstr(part, "cd34cd34"));
    free(part);
    free(html);

    /* Not asked: no section, no link to it. */
    struct report_options o = fix_opts;
    o.expiring_days = -1;
    html = render(&d, &o);
    ck_assert_ptr_null(strstr(html, "id=\"expiring\""));
    ck_assert_ptr_null(strstr(html, "#expiring"));
    free(html);

    /* 400 days: the intermediate too. */
    o.expiring_days = 400;
    html = render(&d, &o);
    sec = strstr(html, "<section id=\"expiring\">");
    ck_assert_ptr_nonnull(sec);
    ck_assert_ptr_nonnull(strstr(sec, ": <strong>3</strong>.</p>"));
    free(html);
    report_data_cleanup(&d);
}
END_TEST

START_TEST(test_empty_scan)
{
    struct report_data d;
    memset(&d, 0, sizeof(d));
    d.info.id = 1;
    d.info.started_ms = FIX_NOW_S * 1000;
    d.info.finished_ms = FIX_NOW_S * 1000 + 10;
    snprintf(d.info.state, sizeof(d.info.state), "complete");
    char *html = render(&d, &fix_opts);
    check_structure(html);
    ck_assert_ptr_nonnull(strstr(html, "<strong>0</strong> targets"));
    ck_assert_uint_eq(count(html, "This scan has no targets."), 2);
    ck_assert_ptr_nonnull(strstr(html, "No policy was evaluated over this scan"));
    ck_assert_ptr_nonnull(strstr(html, "No certificate was collected."));
    ck_assert_ptr_nonnull(strstr(html, "No protocol version was accepted by any target."));
    ck_assert_ptr_nonnull(strstr(html, ": <strong>0</strong>.</p>")); /* expiring */
    ck_assert_ptr_null(strstr(html, "class=\"banner\""));
    ck_assert_ptr_nonnull(strstr(html, "</html>\n"));
    free(html);
    report_data_cleanup(&d);
}
END_TEST

/* A finding whose target is not a target of the scan, a run without
 * findings and unknown verdict/severity words still render. */
START_TEST(test_odd_rows)
{
    struct report_data d;
    fixture_hostile(&d);
    struct store_finding_row *fr = &d.runs[0].findings[0];
    fr->target_id = 999;
    free(fr->severity);
    fr->severity = xstrdup("<b>severe</b>");
    free(d.runs[0].findings[3].verdict);
    d.runs[0].findings[3].verdict = xstrdup("\"maybe\"");
    char *html = render(&d, &fix_opts);
    check_structure(html);
    ck_assert_ptr_nonnull(strstr(html, "(not a target of this scan)"));
    ck_assert_ptr_nonnull(strstr(html, "<span class=\"sev-info\">&lt;b&gt;severe&lt;/b&gt;"));
    ck_assert_ptr_nonnull(strstr(html, "<span class=\"badge v-na\">&quot;maybe&quot;</span>"));
    free(html);
    report_data_cleanup(&d);
}
END_TEST

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    char *buf = NULL;
    size_t cap = 0;
    *len = 0;
    for (;;) {
        if (*len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 65536;
            char *p = realloc(buf, cap);
            if (p == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = p;
        }
        size_t n = fread(buf + *len, 1, 4096, f);
        *len += n;
        if (n < 4096) {
            break;
        }
    }
    fclose(f);
    buf[*len] = '\0';
    return buf;
}

START_TEST(test_golden)
{
    const char *path = REPORT_HTML_TEST_SRCDIR "/tests/data/report/report_html_test.html";
    struct report_data d;
    fixture_hostile(&d);
    char *html = render(&d, &fix_opts);
    size_t len = 0;
    char *want = read_file(path, &len);
    ck_assert_msg(want != NULL, "cannot read %s", path);
    if (strcmp(html, want) != 0) {
        size_t line = 1, i = 0;
        while (html[i] != '\0' && html[i] == want[i]) {
            line += html[i] == '\n';
            i++;
        }
        ck_abort_msg("the report differs from %s at line %zu (regenerate with "
                     "tests/unit/report_html_test --write %s if the change is intended)",
                     path, line, path);
    }
    free(want);
    free(html);
    report_data_cleanup(&d);
}
END_TEST

static Suite *report_html_suite(void)
{
    Suite *s = suite_create("report_html");
    TCase *tc = tcase_create("html");
    tcase_add_test(tc, test_hostile_is_inert);
    tcase_add_test(tc, test_content);
    tcase_add_test(tc, test_expiring);
    tcase_add_test(tc, test_empty_scan);
    tcase_add_test(tc, test_odd_rows);
    tcase_add_test(tc, test_golden);
    suite_add_tcase(s, tc);
    return s;
}

/* write_fixture: --write FILE, the fixture the tests use. */
static int write_fixture(const char *path)
{
    struct report_data d;
    fixture_hostile(&d);
    char err[256] = "";
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        report_data_cleanup(&d);
        return EXIT_FAILURE;
    }
    int rc = report_write_html(f, &d, &fix_opts, err, sizeof(err));
    if (fclose(f) != 0 || rc != 0) {
        fprintf(stderr, "report_html_test: writing %s failed: %s\n", path, err);
        report_data_cleanup(&d);
        return EXIT_FAILURE;
    }
    report_data_cleanup(&d);
    return EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--write") == 0) {
        g_writing = true;
        return write_fixture(argv[2]);
    }
    if (argc != 1) {
        fprintf(stderr, "usage: report_html_test [--write FILE]\n");
        return 2;
    }
    SRunner *sr = srunner_create(report_html_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
