/*
 * cli/cmd_ciphers.c - `tlsaudit ciphers [--groups|--sigschemes] [FILTER...]`:
 * prints the registry (common/model/registry.h) as an aligned table.
 *
 * Read-only and offline: no network, no database. Each FILTER narrows the
 * rows (all of them must match): a code ("0xC02F", "0xC0,0x2F", a 3-byte SSLv2
 * code, a decimal group number), an attribute keyword from the tables below,
 * or else a case-insensitive substring of any of the row's names. The table
 * is printed in two passes over the registry (widths, then rows), so nothing
 * is allocated.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "common/model/registry.h"

enum opt_id {
    OPT_HELP = 'h',
    OPT_GROUPS = 256,
    OPT_SIGSCHEMES,
};

/* The one table of options: getopt_long and --help both come from it. */
static const struct opt_doc ciphers_opts[] = {
    {"groups", no_argument, OPT_GROUPS, NULL,
     "list the supported groups (key exchange) instead of the suites"},
    {"sigschemes", no_argument, OPT_SIGSCHEMES, NULL,
     "list the signature schemes instead of the suites"},
    {"help", no_argument, OPT_HELP, NULL, "show this help"},
};
#define N_CIPHERS_OPTS (sizeof(ciphers_opts) / sizeof(ciphers_opts[0]))

/* ---- suite keywords -------------------------------------------------------- */

static bool kw_export(const struct suite_info *s)
{
    return (s->attrs & SUITE_EXPORT) != 0;
}

static bool kw_null(const struct suite_info *s)
{
    return (s->attrs & SUITE_NULL_CIPHER) != 0;
}

static bool kw_anon(const struct suite_info *s)
{
    return (s->attrs & SUITE_ANON) != 0;
}

static bool kw_rc4(const struct suite_info *s)
{
    return (s->attrs & SUITE_RC4) != 0;
}

static bool kw_rc2(const struct suite_info *s)
{
    return (s->attrs & SUITE_RC2) != 0;
}

static bool kw_des(const struct suite_info *s)
{
    return (s->attrs & SUITE_DES) != 0;
}

static bool kw_3des(const struct suite_info *s)
{
    return (s->attrs & SUITE_3DES) != 0;
}

static bool kw_idea(const struct suite_info *s)
{
    return (s->attrs & SUITE_IDEA) != 0;
}

static bool kw_md5(const struct suite_info *s)
{
    return (s->attrs & SUITE_MD5) != 0;
}

static bool kw_sha1(const struct suite_info *s)
{
    return (s->attrs & SUITE_SHA1) != 0;
}

static bool kw_cbc(const struct suite_info *s)
{
    return (s->attrs & SUITE_CBC) != 0;
}

static bool kw_aead(const struct suite_info *s)
{
    return (s->attrs & SUITE_AEAD) != 0;
}

static bool kw_pfs(const struct suite_info *s)
{
    return (s->attrs & SUITE_FS) != 0;
}

static bool kw_nopfs(const struct suite_info *s)
{
    return (s->attrs & SUITE_FS) == 0;
}

static bool kw_psk(const struct suite_info *s)
{
    return (s->attrs & SUITE_PSK) != 0;
}

static bool kw_scsv(const struct suite_info *s)
{
    return registry_suite_is_scsv(s);
}

static bool kw_recommended(const struct suite_info *s)
{
    return s->recommended == 'Y';
}

static bool kw_ssl2(const struct suite_info *s)
{
    return (s->versions & TLSV_BIT(TLSV_SSL2)) != 0;
}

static bool kw_ssl3(const struct suite_info *s)
{
    return (s->versions & TLSV_BIT(TLSV_SSL3)) != 0;
}

static bool kw_tls10(const struct suite_info *s)
{
    return (s->versions & TLSV_BIT(TLSV_TLS10)) != 0;
}

static bool kw_tls11(const struct suite_info *s)
{
    return (s->versions & TLSV_BIT(TLSV_TLS11)) != 0;
}

static bool kw_tls12(const struct suite_info *s)
{
    return (s->versions & TLSV_BIT(TLSV_TLS12)) != 0;
}

static bool kw_tls13(const struct suite_info *s)
{
    return (s->versions & TLSV_BIT(TLSV_TLS13)) != 0;
}

/* Below 112 bits is what NIST SP 800-131A stopped accepting for symmetric keys. */
#define WEAK_BITS 112

static bool kw_weak(const struct suite_info *s)
{
    const unsigned weak = SUITE_NULL_CIPHER | SUITE_ANON | SUITE_EXPORT | SUITE_RC4 | SUITE_RC2 |
                          SUITE_DES | SUITE_3DES | SUITE_IDEA | SUITE_MD5;
    return (s->attrs & weak) != 0 || s->bits < WEAK_BITS;
}

/* Keywords match on attributes and never match a signalling value (except "scsv"). */
static const struct suite_keyword {
    const char *name;
    const char *alias;
    bool (*match)(const struct suite_info *s);
    const char *help;
} suite_keywords[] = {
    {"weak", NULL, kw_weak,
     "any of null, anon, export, rc4, rc2, des, 3des, idea, md5, or below 112 bits"},
    {"export", NULL, kw_export, "export-grade (40/56-bit) suites"},
    {"null", NULL, kw_null, "no encryption (NULL cipher, incl. integrity-only TLS 1.3)"},
    {"anon", NULL, kw_anon, "no server authentication (anonymous DH/ECDH, NULL)"},
    {"rc4", NULL, kw_rc4, "RC4 stream cipher"},
    {"rc2", NULL, kw_rc2, "RC2"},
    {"des", NULL, kw_des, "single DES (56 or 40 bits), not 3DES"},
    {"3des", NULL, kw_3des, "triple DES"},
    {"idea", NULL, kw_idea, "IDEA"},
    {"md5", NULL, kw_md5, "HMAC-MD5 (or SSLv2 MD5) record MAC"},
    {"sha1", NULL, kw_sha1, "HMAC-SHA1 record MAC"},
    {"cbc", NULL, kw_cbc, "block cipher in CBC mode"},
    {"aead", NULL, kw_aead, "AEAD record protection (GCM, CCM, ChaCha20-Poly1305, ...)"},
    {"pfs", NULL, kw_pfs, "forward-secret key exchange (DHE, ECDHE, TLS 1.3, ...)"},
    {"nopfs", NULL, kw_nopfs, "no forward secrecy (RSA, static DH/ECDH, PSK, KRB5, ...)"},
    {"psk", NULL, kw_psk, "pre-shared key suites"},
    {"recommended", NULL, kw_recommended, "IANA Recommended = Y"},
    {"scsv", NULL, kw_scsv, "the signalling values (never negotiated)"},
    {"sslv2", "ssl2", kw_ssl2, "usable with SSL 2.0 (the SSLv2 cipher kinds)"},
    {"sslv3", "ssl3", kw_ssl3, "usable with SSL 3.0"},
    {"tls1.0", "tls10", kw_tls10, "usable with TLS 1.0"},
    {"tls1.1", "tls11", kw_tls11, "usable with TLS 1.1"},
    {"tls1.2", "tls12", kw_tls12, "usable with TLS 1.2"},
    {"tls1.3", "tls13", kw_tls13, "usable with TLS 1.3"},
};
#define N_SUITE_KEYWORDS (sizeof(suite_keywords) / sizeof(suite_keywords[0]))

static const struct suite_keyword *find_suite_keyword(const char *word)
{
    for (size_t i = 0; i < N_SUITE_KEYWORDS; i++) {
        const struct suite_keyword *k = &suite_keywords[i];
        if (strcasecmp(word, k->name) == 0 || (k->alias && strcasecmp(word, k->alias) == 0)) {
            return k;
        }
    }
    return NULL;
}

/* ---- filters ----------------------------------------------------------------- */

/* True when needle occurs in hay, ignoring ASCII case; a NULL hay never matches. */
static bool contains_ci(const char *hay, const char *needle)
{
    if (hay == NULL) {
        return false;
    }
    size_t n = strlen(needle);
    for (const char *p = hay; *p != '\0'; p++) {
        if (strncasecmp(p, needle, n) == 0) {
            return true;
        }
    }
    return n == 0;
}

/* Parses "0xC02F" (1-6 hex digits) or the byte form "0xC0,0x2F" / "0x01,0x00,0x80"
 * (2 or 3 parts of exactly 2 digits) into *out. Returns false when s is not a
 * hex code written so. */
static bool parse_hex_code(const char *s, uint32_t *out)
{
    char digits[8];
    size_t n = 0;
    size_t n_parts = 0;
    bool byte_form = strchr(s, ',') != NULL;
    const char *p = s;
    for (;;) {
        if (p[0] != '0' || (p[1] != 'x' && p[1] != 'X')) {
            return false;
        }
        p += 2;
        size_t part = strspn(p, "0123456789abcdefABCDEF");
        if (part == 0 || (byte_form && part != 2) || n + part > 6) {
            return false;
        }
        memcpy(digits + n, p, part);
        n += part;
        n_parts++;
        p += part;
        if (*p == '\0') {
            break;
        }
        if (*p != ',') {
            return false;
        }
        p++;
    }
    if (byte_form && n_parts < 2) {
        return false;
    }
    digits[n] = '\0';
    *out = (uint32_t)strtoul(digits, NULL, 16);
    return true;
}

/* Parses a decimal number 0..65535 (a group's IANA value). */
static bool parse_dec_code(const char *s, uint32_t *out)
{
    if (s[0] == '\0' || strspn(s, "0123456789") != strlen(s) || strlen(s) > 5) {
        return false;
    }
    unsigned long v = strtoul(s, NULL, 10);
    if (v > 0xFFFFUL) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

static bool suite_matches_one(const struct suite_info *s, const char *f)
{
    uint32_t code;
    if (parse_hex_code(f, &code)) {
        return s->code == code;
    }
    const struct suite_keyword *k = find_suite_keyword(f);
    if (k != NULL) {
        return (k->match == kw_scsv || !registry_suite_is_scsv(s)) && k->match(s);
    }
    return contains_ci(s->iana_name, f) || contains_ci(s->openssl_name, f) ||
           contains_ci(s->gnutls_name, f);
}

static bool group_matches_one(const struct group_info *g, const char *f)
{
    uint32_t code;
    if (parse_hex_code(f, &code) || parse_dec_code(f, &code)) {
        return g->code == code;
    }
    if (strcasecmp(f, "recommended") == 0) {
        return g->recommended == 'Y';
    }
    if (strcasecmp(f, "hybrid") == 0) {
        return strcmp(g->kind, "hybrid-pq") == 0;
    }
    if (strcasecmp(f, g->kind) == 0) {
        return true;
    }
    return contains_ci(g->name, f);
}

static bool sigscheme_matches_one(const struct sigscheme_info *s, const char *f)
{
    uint32_t code;
    if (parse_hex_code(f, &code)) {
        return s->code == code;
    }
    if (strcasecmp(f, "recommended") == 0) {
        return s->recommended == 'Y';
    }
    return contains_ci(s->name, f);
}

struct filters {
    char **v;
    int n;
};

static bool suite_matches(const struct suite_info *s, const struct filters *fl)
{
    for (int i = 0; i < fl->n; i++) {
        if (!suite_matches_one(s, fl->v[i])) {
            return false;
        }
    }
    return true;
}

static bool group_matches(const struct group_info *g, const struct filters *fl)
{
    for (int i = 0; i < fl->n; i++) {
        if (!group_matches_one(g, fl->v[i])) {
            return false;
        }
    }
    return true;
}

static bool sigscheme_matches(const struct sigscheme_info *s, const struct filters *fl)
{
    for (int i = 0; i < fl->n; i++) {
        if (!sigscheme_matches_one(s, fl->v[i])) {
            return false;
        }
    }
    return true;
}

/* ---- printing ---------------------------------------------------------------- */

static const char *or_dash(const char *s)
{
    return s != NULL && s[0] != '\0' ? s : "-";
}

/* "0xC02F"; SSLv2 kinds with all three bytes, "0x010080". */
static void format_code(uint32_t code, char *buf, size_t buf_size)
{
    if (code > 0xFFFFu) {
        snprintf(buf, buf_size, "0x%06X", (unsigned)code);
    } else {
        snprintf(buf, buf_size, "0x%04X", (unsigned)code);
    }
}

static const char *rec_text(char rec)
{
    switch (rec) {
    case 'Y':
        return "Y";
    case 'N':
        return "N";
    case 'D':
        return "D";
    default:
        return "-";
    }
}

/* "AEAD,PFS", "EXPORT", "SCSV" or "-". */
static void format_flags(const struct suite_info *s, char *buf, size_t buf_size)
{
    snprintf(buf, buf_size, "%s%s%s%s", s->aead ? "AEAD," : "", s->pfs ? "PFS," : "",
             s->export_grade ? "EXPORT," : "", registry_suite_is_scsv(s) ? "SCSV," : "");
    size_t len = strlen(buf);
    if (len == 0) {
        snprintf(buf, buf_size, "-");
    } else {
        buf[len - 1] = '\0';
    }
}

/* Versions as runs: "SSL3-TLS1.2", "TLS1.3", "TLS1.2-TLS1.3", or "-". */
static void format_versions(unsigned versions, char *buf, size_t buf_size)
{
    static const unsigned order[] = {TLSV_BIT(TLSV_SSL2),  TLSV_BIT(TLSV_SSL3),
                                     TLSV_BIT(TLSV_TLS10), TLSV_BIT(TLSV_TLS11),
                                     TLSV_BIT(TLSV_TLS12), TLSV_BIT(TLSV_TLS13)};
    const size_t n = sizeof(order) / sizeof(order[0]);
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && len < buf_size; i++) {
        if ((versions & order[i]) == 0) {
            continue;
        }
        size_t j = i;
        while (j + 1 < n && (versions & order[j + 1]) != 0) {
            j++;
        }
        const char *first = registry_version_name(order[i]);
        int w;
        if (j > i) {
            w = snprintf(buf + len, buf_size - len, "%s%s-%s", len ? "," : "", first,
                         registry_version_name(order[j]));
        } else {
            w = snprintf(buf + len, buf_size - len, "%s%s", len ? "," : "", first);
        }
        len += w > 0 ? (size_t)w : 0;
        i = j;
    }
    if (buf[0] == '\0') {
        snprintf(buf, buf_size, "-");
    }
}

static int max_width(int w, const char *s)
{
    size_t len = strlen(s);
    return len > (size_t)w ? (int)len : w;
}

enum suite_col {
    SC_CODE,
    SC_IANA,
    SC_OPENSSL,
    SC_KX,
    SC_AUTH,
    SC_CIPHER,
    SC_BITS,
    SC_MODE,
    SC_MAC,
    SC_FLAGS,
    SC_VERSIONS,
    SC_REC,
    SC_COUNT
};

/* The cells a row formats itself (code, bits ...): ROW_BUFS of ROW_BUF bytes. */
#define ROW_BUFS 4
#define ROW_BUF 48

static const char *const suite_headers[SC_COUNT] = {"code", "IANA name", "OpenSSL name", "kx",
                                                    "auth", "cipher",    "bits",         "mode",
                                                    "mac",  "flags",     "versions",     "rec"};

/* Fills cells[] with the text of one suite row; bufs hold the formatted ones. */
static void suite_cells(const struct suite_info *s, const char **cells, char bufs[][ROW_BUF])
{
    format_code(s->code, bufs[0], sizeof(bufs[0]));
    snprintf(bufs[1], sizeof(bufs[1]), "%d", s->bits);
    format_flags(s, bufs[2], sizeof(bufs[2]));
    format_versions(s->versions, bufs[3], sizeof(bufs[3]));
    cells[SC_CODE] = bufs[0];
    cells[SC_IANA] = or_dash(s->iana_name);
    cells[SC_OPENSSL] = or_dash(s->openssl_name);
    cells[SC_KX] = or_dash(s->kx);
    cells[SC_AUTH] = or_dash(s->auth);
    cells[SC_CIPHER] = or_dash(s->cipher);
    cells[SC_BITS] = bufs[1];
    cells[SC_MODE] = or_dash(s->mode);
    cells[SC_MAC] = or_dash(s->mac);
    cells[SC_FLAGS] = bufs[2];
    cells[SC_VERSIONS] = bufs[3];
    cells[SC_REC] = rec_text(s->recommended);
}

/* Prints one row: columns left-aligned except bits, two spaces apart, no trailing blanks. */
static void print_cells(FILE *out, const char *const *cells, const int *width, int n, int right_col)
{
    for (int c = 0; c < n; c++) {
        if (c + 1 == n) {
            fprintf(out, "%s\n", cells[c]);
        } else if (c == right_col) {
            fprintf(out, "%*s  ", width[c], cells[c]);
        } else {
            fprintf(out, "%-*s  ", width[c], cells[c]);
        }
    }
}

enum group_col { GC_CODE, GC_HEX, GC_NAME, GC_KIND, GC_BITS, GC_REC, GC_COUNT };

static const char *const group_headers[GC_COUNT] = {"code", "hex", "name", "kind", "bits", "rec"};

static void group_cells(const struct group_info *g, const char **cells, char bufs[][ROW_BUF])
{
    snprintf(bufs[0], sizeof(bufs[0]), "%u", (unsigned)g->code);
    snprintf(bufs[1], sizeof(bufs[1]), "0x%04X", (unsigned)g->code);
    snprintf(bufs[2], sizeof(bufs[2]), "%d", g->bits);
    cells[GC_CODE] = bufs[0];
    cells[GC_HEX] = bufs[1];
    cells[GC_NAME] = or_dash(g->name);
    cells[GC_KIND] = or_dash(g->kind);
    cells[GC_BITS] = bufs[2];
    cells[GC_REC] = rec_text(g->recommended);
}

enum sig_col { XC_CODE, XC_NAME, XC_REC, XC_COUNT };

static const char *const sig_headers[XC_COUNT] = {"code", "name", "rec"};

static void sig_cells(const struct sigscheme_info *s, const char **cells, char bufs[][ROW_BUF])
{
    snprintf(bufs[0], sizeof(bufs[0]), "0x%04X", (unsigned)s->code);
    cells[XC_CODE] = bufs[0];
    cells[XC_NAME] = or_dash(s->name);
    cells[XC_REC] = rec_text(s->recommended);
}

_Static_assert((int)GC_COUNT <= (int)SC_COUNT && (int)XC_COUNT <= (int)SC_COUNT,
               "print_table sizes by the suites");

/* One table kind: row(i) says whether registry row i matches the filters
 * and, when it does, fills its cells (strings in bufs or the registry). */
struct table_kind {
    const char *what; /* "cipher suites": the count line */
    const size_t *n_rows;
    int n_cols;
    const char *const *headers;
    int right_col; /* the right-aligned column, -1 none */
    bool (*row)(size_t i, const struct filters *fl, const char **cells, char bufs[][ROW_BUF]);
};

static bool suite_row(size_t i, const struct filters *fl, const char **cells, char bufs[][ROW_BUF])
{
    bool hit = suite_matches(&registry_suites[i], fl);
    if (hit) {
        suite_cells(&registry_suites[i], cells, bufs);
    }
    return hit;
}

static bool group_row(size_t i, const struct filters *fl, const char **cells, char bufs[][ROW_BUF])
{
    bool hit = group_matches(&registry_groups[i], fl);
    if (hit) {
        group_cells(&registry_groups[i], cells, bufs);
    }
    return hit;
}

static bool sig_row(size_t i, const struct filters *fl, const char **cells, char bufs[][ROW_BUF])
{
    bool hit = sigscheme_matches(&registry_sigschemes[i], fl);
    if (hit) {
        sig_cells(&registry_sigschemes[i], cells, bufs);
    }
    return hit;
}

static const struct table_kind table_suites = {
    "cipher suites", &registry_n_suites, SC_COUNT, suite_headers, SC_BITS, suite_row};
static const struct table_kind table_groups = {
    "groups", &registry_n_groups, GC_COUNT, group_headers, GC_BITS, group_row};
static const struct table_kind table_sigschemes = {
    "signature schemes", &registry_n_sigschemes, XC_COUNT, sig_headers, -1, sig_row};

/* print_table prints the rows of k matching fl in two passes (widths, then
 * rows; the header only when something matched) and the count line.
 * Returns the number of rows matched. */
static size_t print_table(FILE *out, const struct table_kind *k, const struct filters *fl)
{
    int width[SC_COUNT];
    const char *cells[SC_COUNT];
    char bufs[ROW_BUFS][ROW_BUF];
    for (int c = 0; c < k->n_cols; c++) {
        width[c] = max_width(0, k->headers[c]);
    }
    size_t n_match = 0;
    for (size_t i = 0; i < *k->n_rows; i++) {
        if (k->row(i, fl, cells, bufs)) {
            n_match++;
            for (int c = 0; c < k->n_cols; c++) {
                width[c] = max_width(width[c], cells[c]);
            }
        }
    }
    if (n_match > 0) {
        print_cells(out, k->headers, width, k->n_cols, k->right_col);
        for (size_t i = 0; i < *k->n_rows; i++) {
            if (k->row(i, fl, cells, bufs)) {
                print_cells(out, cells, width, k->n_cols, k->right_col);
            }
        }
    }
    fprintf(out, "%zu of %zu %s matched (registry %s)\n", n_match, *k->n_rows, k->what,
            registry_version);
    return n_match;
}

/* ---- command ----------------------------------------------------------------- */

static void ciphers_usage(FILE *out)
{
    fprintf(out, "Usage: tlsaudit ciphers [OPTIONS] [FILTER...]\n"
                 "\n"
                 "Print the registry tlsaudit scans with: every IANA cipher suite plus the\n"
                 "SSLv2 cipher kinds (or, with an option, the groups or signature schemes).\n"
                 "Each FILTER narrows the list; a row must match all of them. A FILTER is\n"
                 "  - a code: 0xC02F, 0xC0,0x2F, an SSLv2 kind 0x010080 (groups: also 29);\n"
                 "  - a keyword, below;\n"
                 "  - otherwise a case-insensitive substring of the IANA, OpenSSL or\n"
                 "    GnuTLS name (e.g. ECDHE, CHACHA, GCM_SHA384).\n"
                 "\n"
                 "Options:\n");
    opts_print(out, ciphers_opts, N_CIPHERS_OPTS, 18);
    fprintf(out, "\nSuite keywords (signalling values match only 'scsv'):\n");
    for (size_t i = 0; i < N_SUITE_KEYWORDS; i++) {
        const struct suite_keyword *k = &suite_keywords[i];
        char left[32];
        snprintf(left, sizeof(left), "%s%s%s", k->name, k->alias ? ", " : "",
                 k->alias ? k->alias : "");
        fprintf(out, "  %-18s %s\n", left, k->help);
    }
    fprintf(out, "\n"
                 "Group keywords: ecdhe, ffdhe, pq, hybrid-pq (or hybrid), other, recommended.\n"
                 "Signature-scheme keywords: recommended.\n"
                 "\n"
                 "Flags: AEAD, PFS (forward secrecy), EXPORT, SCSV. rec: IANA Recommended\n"
                 "(Y, N, D = discouraged, - = not in IANA's registry). The last line gives\n"
                 "the number of rows matched and the registry version.\n"
                 "\n"
                 "Exit codes: 0 listed (also when nothing matched); 2 usage error.\n");
}

int cmd_ciphers(int argc, char **argv)
{
    struct option long_opts[N_CIPHERS_OPTS + 1];
    opts_to_getopt(ciphers_opts, N_CIPHERS_OPTS, long_opts);

    bool groups = false;
    bool sigschemes = false;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
        switch (c) {
        case OPT_HELP:
            ciphers_usage(stdout);
            return EXIT_OK;
        case OPT_GROUPS:
            groups = true;
            break;
        case OPT_SIGSCHEMES:
            sigschemes = true;
            break;
        default:
            if (optopt != 0) {
                fprintf(stderr, "tlsaudit ciphers: unknown option '-%c'\n", optopt);
            } else {
                fprintf(stderr, "tlsaudit ciphers: unknown option '%s'\n", argv[optind - 1]);
            }
            fprintf(stderr, "Try 'tlsaudit ciphers --help'.\n");
            return EXIT_USAGE;
        }
    }
    if (groups && sigschemes) {
        fprintf(stderr, "tlsaudit ciphers: --groups and --sigschemes cannot be combined\n");
        return EXIT_USAGE;
    }
    struct filters fl = {argv + optind, argc - optind};
    for (int i = 0; i < fl.n; i++) {
        const char *f = fl.v[i];
        uint32_t code;
        if (f[0] == '\0') {
            fprintf(stderr, "tlsaudit ciphers: empty FILTER\n");
            return EXIT_USAGE;
        }
        /* No name contains "0x": a FILTER starting so is meant as a code. */
        if (f[0] == '0' && (f[1] == 'x' || f[1] == 'X') && !parse_hex_code(f, &code)) {
            fprintf(stderr,
                    "tlsaudit ciphers: '%s' is not a code (0xHHHH, 0xHH,0xHH, or 0xHHHHHH for "
                    "an SSLv2 kind)\n",
                    f);
            return EXIT_USAGE;
        }
    }

    print_table(stdout,
                groups       ? &table_groups
                : sigschemes ? &table_sigschemes
                             : &table_suites,
                &fl);
    return EXIT_OK; /* a failed write to stdout: main's cli_stdout_finish, exit 2 */
}
