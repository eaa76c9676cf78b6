/*
 * tests/unit/x509_test.c - unit tests for scanner/x509.c (certificate facts,
 * trust loading, chain validation, OCSP staple).
 *
 * Every certificate is generated here with the GnuTLS API before the suite
 * runs (keys once, shared: RSA generation is slow), so the tests know every
 * field they assert. Check forks each test; the children inherit the
 * fixtures. Validity periods are relative to T0 (the generation time) and
 * the tests pass T0 or a fixed offset as `now`, never the clock.
 *
 * The OCSP responses are made by the openssl command as a local responder
 * (files only, no network); without openssl those tests say so and skip.
 */
#include "scanner/x509.h"

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509-ext.h>
#include <gnutls/x509.h>

#define DAY 86400
#define OID_SCTS "1.3.6.1.4.1.11129.2.4.2"

struct blob {
    unsigned char *data;
    size_t len;
};

/* --- fixtures ---------------------------------------------------------- */

static int64_t T0;
static char tmpdir[64];
static char path_root_pem[128];
static char path_root_der[128];
static char path_int_pem[128];
static char path_empty[128];
static char path_text[128];
static char path_old_root[128];
static struct x509_trust *trust_root; /* the root alone */
static struct x509_trust *trust_int;  /* the intermediate alone */
static struct x509_trust *trust_old;  /* the root's name and key, expired */

static gnutls_x509_privkey_t key_root, key_int, key_leaf, key_1024, key_ec, key_other;
static gnutls_x509_crt_t crt_root, crt_int, crt_other_root, crt_fake_issuer;

static struct blob der_root, der_int, der_good, der_ec, der_expired, der_future, der_self,
    der_fake_self, der_wrongname, der_rsa1024, der_sha1, der_long, der_other_root, der_other_leaf,
    der_cross, der_nul, der_int_expired, der_root_expired;

static int64_t good_not_before, good_not_after;

/* OCSP responses; have_ocsp is false when openssl is missing. */
static bool have_ocsp;
static struct blob ocsp_good, ocsp_revoked, ocsp_unknown_ec, ocsp_root_signed;

static void fx_fail(const char *what, int r)
{
    fprintf(stderr, "x509_test fixture: %s: %s\n", what, r < 0 ? gnutls_strerror(r) : "failed");
    abort();
}

static void fx(int r, const char *what)
{
    if (r < 0) {
        fx_fail(what, r);
    }
}

static gnutls_x509_privkey_t fx_key(gnutls_pk_algorithm_t pk, unsigned bits)
{
    gnutls_x509_privkey_t k = NULL;
    fx(gnutls_x509_privkey_init(&k), "privkey_init");
    fx(gnutls_x509_privkey_generate(k, pk, bits, 0), "privkey_generate");
    return k;
}

/* What a generated certificate looks like. */
struct spec {
    const char *cn;
    gnutls_x509_privkey_t key;
    gnutls_x509_crt_t issuer; /* NULL: self-signed with key */
    gnutls_x509_privkey_t issuer_key;
    int64_t not_before;
    int64_t not_after;
    int ca;       /* 1 CA:TRUE, 0 CA:FALSE */
    int path_len; /* -1 none */
    gnutls_digest_algorithm_t dig;
    const unsigned char *serial;
    size_t serial_len;
    const char *dns[4]; /* NULL-terminated SAN DNS names */
    bool ip4_localhost;
    bool full;   /* KU, EKU, IPv6, email, URI, AIA, CRL DP, must-staple, SCTs */
    bool no_aki; /* omit the authority key identifier */
};

/* fx_scts builds the value of an SCT list extension holding two v1 SCTs
 * (RFC 6962 §3.2/§3.3): OCTET STRING { u16 list length, { u16 len, SCT } x2 }. */
static size_t fx_scts(unsigned char *buf, size_t cap)
{
    unsigned char sct[55];
    size_t o = 0;
    sct[o++] = 0; /* v1 */
    for (int i = 0; i < 32; i++) {
        sct[o++] = (unsigned char)(0xa0 + i); /* log id */
    }
    for (int i = 0; i < 8; i++) {
        sct[o++] = (unsigned char)(i == 7 ? 1 : 0); /* timestamp */
    }
    sct[o++] = 0; /* no extensions */
    sct[o++] = 0;
    sct[o++] = 4; /* sha256 */
    sct[o++] = 3; /* ecdsa */
    sct[o++] = 0;
    sct[o++] = 8;
    for (int i = 0; i < 8; i++) {
        sct[o++] = (unsigned char)(0x55 + i);
    }
    size_t list_len = 2 * (2 + sizeof(sct));
    size_t total = 2 + 2 + list_len;
    if (total > cap || 2 + list_len > 127) {
        fx_fail("sct buffer", 0);
    }
    size_t w = 0;
    buf[w++] = 0x04;
    buf[w++] = (unsigned char)(2 + list_len);
    buf[w++] = (unsigned char)(list_len >> 8);
    buf[w++] = (unsigned char)list_len;
    for (int k = 0; k < 2; k++) {
        buf[w++] = 0;
        buf[w++] = (unsigned char)sizeof(sct);
        memcpy(buf + w, sct, sizeof(sct));
        buf[w + 1] ^= (unsigned char)k; /* distinct log ids */
        w += sizeof(sct);
    }
    return w;
}

static void fx_san(gnutls_x509_crt_t c, gnutls_x509_subject_alt_name_t type, const void *data,
                   size_t len)
{
    fx(gnutls_x509_crt_set_subject_alt_name(c, type, data, (unsigned)len, GNUTLS_FSAN_APPEND),
       "set SAN");
}

/* fx_policy appends a certificatePolicies entry without qualifiers. */
static void fx_policy(gnutls_x509_crt_t c, const char *oid)
{
    struct gnutls_x509_policy_st p;
    memset(&p, 0, sizeof(p));
    p.oid = (char *)oid;
    fx(gnutls_x509_crt_set_policy(c, &p, 0), "set policy");
}

static gnutls_x509_crt_t fx_crt(const struct spec *s, struct blob *out)
{
    gnutls_x509_crt_t c = NULL;
    fx(gnutls_x509_crt_init(&c), "crt_init");
    fx(gnutls_x509_crt_set_version(c, 3), "set_version");
    static const unsigned char default_serial[] = {0x01, 0x02};
    fx(gnutls_x509_crt_set_serial(c, s->serial ? s->serial : default_serial,
                                  s->serial ? s->serial_len : sizeof(default_serial)),
       "set_serial");
    fx(gnutls_x509_crt_set_dn_by_oid(c, GNUTLS_OID_X520_ORGANIZATION_NAME, 0, "tlsaudit tests",
                                     strlen("tlsaudit tests")),
       "set O");
    fx(gnutls_x509_crt_set_dn_by_oid(c, GNUTLS_OID_X520_COMMON_NAME, 0, s->cn,
                                     (unsigned)strlen(s->cn)),
       "set CN");
    fx(gnutls_x509_crt_set_key(c, s->key), "set_key");
    fx(gnutls_x509_crt_set_activation_time(c, (time_t)s->not_before), "activation");
    fx(gnutls_x509_crt_set_expiration_time(c, (time_t)s->not_after), "expiration");
    fx(gnutls_x509_crt_set_basic_constraints(c, (unsigned)s->ca, s->path_len), "basic");

    unsigned char id[64];
    size_t id_len = sizeof(id);
    fx(gnutls_x509_crt_get_key_id(c, 0, id, &id_len), "key id");
    fx(gnutls_x509_crt_set_subject_key_id(c, id, id_len), "ski");
    if (s->issuer != NULL && !s->no_aki) {
        id_len = sizeof(id);
        fx(gnutls_x509_crt_get_subject_key_id(s->issuer, id, &id_len, NULL), "issuer ski");
        fx(gnutls_x509_crt_set_authority_key_id(c, id, id_len), "aki");
    }
    if (s->ca) {
        fx(gnutls_x509_crt_set_key_usage(c, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN), "ku");
    }
    for (int i = 0; i < 4 && s->dns[i] != NULL; i++) {
        fx_san(c, GNUTLS_SAN_DNSNAME, s->dns[i], strlen(s->dns[i]));
    }
    if (s->ip4_localhost) {
        static const unsigned char lo4[4] = {127, 0, 0, 1};
        fx_san(c, GNUTLS_SAN_IPADDRESS, lo4, sizeof(lo4));
    }
    if (s->full) {
        static const unsigned char lo6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        fx_san(c, GNUTLS_SAN_IPADDRESS, lo6, sizeof(lo6));
        fx_san(c, GNUTLS_SAN_RFC822NAME, "admin@good.test", strlen("admin@good.test"));
        fx_san(c, GNUTLS_SAN_URI, "https://good.test/", strlen("https://good.test/"));
        fx(gnutls_x509_crt_set_key_usage(c, GNUTLS_KEY_DIGITAL_SIGNATURE |
                                                GNUTLS_KEY_KEY_ENCIPHERMENT),
           "ku");
        fx(gnutls_x509_crt_set_key_purpose_oid(c, GNUTLS_KP_TLS_WWW_SERVER, 0), "eku");
        fx(gnutls_x509_crt_set_key_purpose_oid(c, GNUTLS_KP_TLS_WWW_CLIENT, 0), "eku");
        fx(gnutls_x509_crt_set_key_purpose_oid(c, "1.2.3.4.5", 0), "eku");
        gnutls_datum_t u = {(unsigned char *)"http://ocsp.good.test/", 22};
        fx(gnutls_x509_crt_set_authority_info_access(c, GNUTLS_IA_OCSP_URI, &u), "aia ocsp");
        u.data = (unsigned char *)"http://ca.good.test/int.der";
        u.size = 27;
        fx(gnutls_x509_crt_set_authority_info_access(c, GNUTLS_IA_CAISSUERS_URI, &u), "aia ca");
        const char *crl = "http://crl.good.test/int.crl";
        fx(gnutls_x509_crt_set_crl_dist_points2(c, GNUTLS_SAN_URI, crl, (unsigned)strlen(crl), 0),
           "crl dp");
        fx_policy(c, "2.23.140.1.2.1");
        fx_policy(c, "1.2.3.4.6");
        gnutls_x509_tlsfeatures_t feat = NULL;
        fx(gnutls_x509_tlsfeatures_init(&feat), "tlsfeatures_init");
        fx(gnutls_x509_tlsfeatures_add(feat, 5), "tlsfeatures_add");
        fx(gnutls_x509_crt_set_tlsfeatures(c, feat), "set_tlsfeatures");
        gnutls_x509_tlsfeatures_deinit(feat);
        unsigned char scts[160];
        size_t scts_len = fx_scts(scts, sizeof(scts));
        fx(gnutls_x509_crt_set_extension_by_oid(c, OID_SCTS, scts, scts_len, 0), "scts");
    }
    fx(gnutls_x509_crt_sign2(c, s->issuer ? s->issuer : c, s->issuer ? s->issuer_key : s->key,
                             s->dig ? s->dig : GNUTLS_DIG_SHA256, 0),
       "sign");
    gnutls_datum_t d = {NULL, 0};
    fx(gnutls_x509_crt_export2(c, GNUTLS_X509_FMT_DER, &d), "export");
    out->data = malloc(d.size);
    if (out->data == NULL) {
        fx_fail("malloc", 0);
    }
    memcpy(out->data, d.data, d.size);
    out->len = d.size;
    gnutls_free(d.data);
    return c;
}

static void fx_write(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        fx_fail(path, 0);
    }
}

static void fx_write_crt_pem(const char *path, gnutls_x509_crt_t c)
{
    gnutls_datum_t d = {NULL, 0};
    fx(gnutls_x509_crt_export2(c, GNUTLS_X509_FMT_PEM, &d), "export pem");
    fx_write(path, d.data, d.size);
    gnutls_free(d.data);
}

static void fx_write_key_pem(const char *path, gnutls_x509_privkey_t k)
{
    gnutls_datum_t d = {NULL, 0};
    fx(gnutls_x509_privkey_export2(k, GNUTLS_X509_FMT_PEM, &d), "export key");
    fx_write(path, d.data, d.size);
    gnutls_free(d.data);
}

static bool fx_read(const char *path, struct blob *out)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return false;
    }
    unsigned char buf[65536];
    size_t n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    out->data = malloc(n ? n : 1);
    if (out->data == NULL) {
        return false;
    }
    memcpy(out->data, buf, n);
    out->len = n;
    return n > 0;
}

/* fx_run runs argv (no shell) with output discarded; true on exit 0. */
static bool fx_run(char *const argv[])
{
    pid_t pid = fork();
    if (pid < 0) {
        return false;
    }
    if (pid == 0) {
        if (freopen("/dev/null", "w", stdout) == NULL ||
            freopen("/dev/null", "w", stderr) == NULL) {
            _exit(126);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    int st = 0;
    if (waitpid(pid, &st, 0) != pid) {
        return false;
    }
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void fx_path(char *dst, size_t len, const char *name)
{
    snprintf(dst, len, "%s/%s", tmpdir, name);
}

/* fx_ocsp makes a response for cert (PEM file) from index, signed by
 * signer/signer_key, into out. */
static bool fx_ocsp(const char *cert_pem, const char *index, const char *signer,
                    const char *signer_key, struct blob *out)
{
    char req[128];
    char resp[128];
    fx_path(req, sizeof(req), "req.der");
    fx_path(resp, sizeof(resp), "resp.der");
    char *const mkreq[] = {"openssl",        "ocsp",      "-issuer", path_int_pem, "-cert",
                           (char *)cert_pem, "-no_nonce", "-reqout", req,          NULL};
    char *const mkresp[] = {"openssl",
                            "ocsp",
                            "-index",
                            (char *)index,
                            "-rsigner",
                            (char *)signer,
                            "-rkey",
                            (char *)signer_key,
                            "-CA",
                            path_int_pem,
                            "-reqin",
                            req,
                            "-respout",
                            resp,
                            "-ndays",
                            "1",
                            "-resp_no_certs",
                            NULL};
    bool ok = fx_run(mkreq) && fx_run(mkresp) && fx_read(resp, out);
    unlink(req);
    unlink(resp);
    return ok;
}

static void fx_ocsp_all(void)
{
    char good_pem[128], ec_pem[128], int_key[128], root_key[128], idx_good[128], idx_rev[128];
    fx_path(good_pem, sizeof(good_pem), "good.pem");
    fx_path(ec_pem, sizeof(ec_pem), "ec.pem");
    fx_path(int_key, sizeof(int_key), "int.key");
    fx_path(root_key, sizeof(root_key), "root.key");
    fx_path(idx_good, sizeof(idx_good), "index-good.txt");
    fx_path(idx_rev, sizeof(idx_rev), "index-revoked.txt");

    gnutls_x509_crt_t g = NULL;
    gnutls_x509_crt_t e = NULL;
    gnutls_datum_t d = {der_good.data, (unsigned)der_good.len};
    fx(gnutls_x509_crt_init(&g), "init");
    fx(gnutls_x509_crt_import(g, &d, GNUTLS_X509_FMT_DER), "import good");
    fx_write_crt_pem(good_pem, g);
    d.data = der_ec.data;
    d.size = (unsigned)der_ec.len;
    fx(gnutls_x509_crt_init(&e), "init");
    fx(gnutls_x509_crt_import(e, &d, GNUTLS_X509_FMT_DER), "import ec");
    fx_write_crt_pem(ec_pem, e);
    gnutls_x509_crt_deinit(g);
    gnutls_x509_crt_deinit(e);
    fx_write_key_pem(int_key, key_int);
    fx_write_key_pem(root_key, key_root);

    /* openssl ca index: status, expiry, revocation, serial (upper hex), file, DN. */
    const char *good_line = "V\t301231235959Z\t\t0A1B2C3D\tunknown\t/CN=good.test\n";
    const char *rev_line =
        "R\t301231235959Z\t200101000000Z,keyCompromise\t0A1B2C3D\tunknown\t/CN=good.test\n";
    fx_write(idx_good, good_line, strlen(good_line));
    fx_write(idx_rev, rev_line, strlen(rev_line));

    have_ocsp = fx_ocsp(good_pem, idx_good, path_int_pem, int_key, &ocsp_good) &&
                fx_ocsp(good_pem, idx_rev, path_int_pem, int_key, &ocsp_revoked) &&
                fx_ocsp(ec_pem, idx_good, path_int_pem, int_key, &ocsp_unknown_ec) &&
                fx_ocsp(good_pem, idx_good, path_root_pem, root_key, &ocsp_root_signed);
    if (!have_ocsp) {
        fprintf(stderr, "x509_test: openssl ocsp unavailable: OCSP staple tests skipped\n");
    }
    unlink(good_pem);
    unlink(ec_pem);
    unlink(int_key);
    unlink(root_key);
    unlink(idx_good);
    unlink(idx_rev);
}

static void fx_setup(void)
{
    T0 = (int64_t)time(NULL);
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/x509_test.XXXXXX");
    if (mkdtemp(tmpdir) == NULL) {
        fx_fail("mkdtemp", 0);
    }
    fx_path(path_root_pem, sizeof(path_root_pem), "root.pem");
    fx_path(path_root_der, sizeof(path_root_der), "root.der");
    fx_path(path_int_pem, sizeof(path_int_pem), "int.pem");
    fx_path(path_empty, sizeof(path_empty), "empty.pem");
    fx_path(path_text, sizeof(path_text), "text.pem");
    fx_path(path_old_root, sizeof(path_old_root), "old-root.pem");

    key_root = fx_key(GNUTLS_PK_RSA, 2048);
    key_int = fx_key(GNUTLS_PK_RSA, 2048);
    key_leaf = fx_key(GNUTLS_PK_RSA, 2048);
    key_1024 = fx_key(GNUTLS_PK_RSA, 1024);
    key_ec = fx_key(GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1));
    key_other = fx_key(GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1));

    struct spec s;
    s = (struct spec){.cn = "tlsaudit Test Root",
                      .key = key_root,
                      .ca = 1,
                      .path_len = -1,
                      .not_before = T0 - 30 * DAY,
                      .not_after = T0 + 3650 * DAY};
    crt_root = fx_crt(&s, &der_root);
    s = (struct spec){.cn = "tlsaudit Test Intermediate",
                      .key = key_int,
                      .issuer = crt_root,
                      .issuer_key = key_root,
                      .ca = 1,
                      .path_len = 0,
                      .not_before = T0 - 20 * DAY,
                      .not_after = T0 + 1000 * DAY};
    crt_int = fx_crt(&s, &der_int);

    static const unsigned char good_serial[] = {0x0a, 0x1b, 0x2c, 0x3d};
    good_not_before = T0 - DAY;
    good_not_after = T0 + 90 * DAY + 3600;
    struct spec leaf = {.cn = "good.test",
                        .key = key_leaf,
                        .issuer = crt_int,
                        .issuer_key = key_int,
                        .ca = 0,
                        .path_len = -1,
                        .not_before = good_not_before,
                        .not_after = good_not_after,
                        .serial = good_serial,
                        .serial_len = sizeof(good_serial),
                        .dns = {"good.test", "www.good.test", NULL},
                        .ip4_localhost = true,
                        .full = true};
    gnutls_x509_crt_deinit(fx_crt(&leaf, &der_good));

    s = leaf;
    s.full = false;
    s.ip4_localhost = false;
    s.cn = "ec.test";
    s.key = key_ec;
    s.dns[0] = "ec.test";
    s.dns[1] = NULL;
    s.serial = NULL;
    gnutls_x509_crt_deinit(fx_crt(&s, &der_ec));

    s.cn = "expired.test";
    s.key = key_leaf;
    s.dns[0] = "expired.test";
    s.not_before = T0 - 400 * DAY;
    s.not_after = T0 - 10 * DAY + 100;
    gnutls_x509_crt_deinit(fx_crt(&s, &der_expired));

    s.cn = "future.test";
    s.dns[0] = "future.test";
    s.not_before = T0 + 10 * DAY;
    s.not_after = T0 + 100 * DAY;
    gnutls_x509_crt_deinit(fx_crt(&s, &der_future));

    s.cn = "wrong.test";
    s.dns[0] = "other.test";
    s.not_before = T0 - DAY;
    s.not_after = T0 + 90 * DAY;
    gnutls_x509_crt_deinit(fx_crt(&s, &der_wrongname));

    static const unsigned char padded_serial[] = {0x00, 0x85, 0x01};
    s.cn = "rsa1024.test";
    s.dns[0] = "rsa1024.test";
    s.key = key_1024;
    s.serial = padded_serial;
    s.serial_len = sizeof(padded_serial);
    gnutls_x509_crt_deinit(fx_crt(&s, &der_rsa1024));
    s.serial = NULL;

    s.cn = "sha1.test";
    s.dns[0] = "sha1.test";
    s.key = key_leaf;
    s.dig = GNUTLS_DIG_SHA1;
    gnutls_x509_crt_deinit(fx_crt(&s, &der_sha1));
    s.dig = GNUTLS_DIG_UNKNOWN;

    s.cn = "long.test";
    s.dns[0] = "long.test";
    s.not_after = T0 + 500 * DAY;
    gnutls_x509_crt_deinit(fx_crt(&s, &der_long));

    s = (struct spec){.cn = "self.test",
                      .key = key_leaf,
                      .ca = 0,
                      .path_len = -1,
                      .not_before = T0 - DAY,
                      .not_after = T0 + 90 * DAY,
                      .dns = {"self.test", NULL}};
    gnutls_x509_crt_deinit(fx_crt(&s, &der_self));

    /* Same name as self.test, but signed by another key: not self-signed.
     * No key identifiers tell them apart: only the signature does. */
    struct blob unused;
    s.key = key_other;
    crt_fake_issuer = fx_crt(&s, &unused);
    free(unused.data);
    s.key = key_leaf;
    s.issuer = crt_fake_issuer;
    s.issuer_key = key_other;
    s.no_aki = true;
    gnutls_x509_crt_deinit(fx_crt(&s, &der_fake_self));

    s = (struct spec){.cn = "Other Root",
                      .key = key_other,
                      .ca = 1,
                      .path_len = -1,
                      .not_before = T0 - 30 * DAY,
                      .not_after = T0 + 3650 * DAY};
    crt_other_root = fx_crt(&s, &der_other_root);
    s = (struct spec){.cn = "good.test",
                      .key = key_leaf,
                      .issuer = crt_other_root,
                      .issuer_key = key_other,
                      .ca = 0,
                      .path_len = -1,
                      .not_before = T0 - DAY,
                      .not_after = T0 + 90 * DAY,
                      .dns = {"good.test", NULL}};
    gnutls_x509_crt_deinit(fx_crt(&s, &der_other_leaf));

    /* The test root's name and key, cross-signed by Other Root and expired:
     * served after the intermediate, as in the 2020 AddTrust expiry. */
    s = (struct spec){.cn = "tlsaudit Test Root",
                      .key = key_root,
                      .issuer = crt_other_root,
                      .issuer_key = key_other,
                      .ca = 1,
                      .path_len = -1,
                      .not_before = T0 - 400 * DAY,
                      .not_after = T0 - 5 * DAY};
    gnutls_x509_crt_deinit(fx_crt(&s, &der_cross));

    /* The intermediate's name and key, expired; the root's, expired. */
    s = (struct spec){.cn = "tlsaudit Test Intermediate",
                      .key = key_int,
                      .issuer = crt_root,
                      .issuer_key = key_root,
                      .ca = 1,
                      .path_len = 0,
                      .not_before = T0 - 400 * DAY,
                      .not_after = T0 - DAY};
    gnutls_x509_crt_deinit(fx_crt(&s, &der_int_expired));
    s = (struct spec){.cn = "tlsaudit Test Root",
                      .key = key_root,
                      .ca = 1,
                      .path_len = -1,
                      .not_before = T0 - 400 * DAY,
                      .not_after = T0 - DAY};
    gnutls_x509_crt_t old_root = fx_crt(&s, &der_root_expired);
    fx_write_crt_pem(path_old_root, old_root);
    gnutls_x509_crt_deinit(old_root);

    /* Hostile names: a NUL inside a CN and a SAN, a backslash in a SAN. */
    static const unsigned char nul_cn[] = {'n', 'u', 'l', 0, 'c', 'n'};
    {
        /* fx_crt takes only NUL-free names; build this one by hand. */
        gnutls_x509_crt_t n = NULL;
        fx(gnutls_x509_crt_init(&n), "init");
        fx(gnutls_x509_crt_set_version(n, 3), "version");
        static const unsigned char serial[] = {0x42};
        fx(gnutls_x509_crt_set_serial(n, serial, sizeof(serial)), "serial");
        fx(gnutls_x509_crt_set_dn_by_oid(n, GNUTLS_OID_X520_COMMON_NAME, 0, nul_cn, sizeof(nul_cn)),
           "cn");
        fx(gnutls_x509_crt_set_key(n, key_leaf), "key");
        fx(gnutls_x509_crt_set_activation_time(n, (time_t)(T0 - DAY)), "nb");
        fx(gnutls_x509_crt_set_expiration_time(n, (time_t)(T0 + 90 * DAY)), "na");
        /* GnuTLS's SAN writers stop at a NUL, as a careful CA would; a
         * hostile one does not. SEQUENCE { [2] dNSName, [2] dNSName }. */
        static const char evil[] = "evil.test\0.good.test";
        static const char back[] = "back\\slash.test";
        static const char crlf[] = "http://a/\r\nX\x7f\xc3\xa9";
        unsigned char san[2 + 2 + sizeof(evil) - 1 + 2 + sizeof(back) - 1 + 2 + sizeof(crlf) - 1];
        size_t w = 0;
        san[w++] = 0x30;
        san[w++] = (unsigned char)(sizeof(san) - 2);
        san[w++] = 0x82;
        san[w++] = (unsigned char)(sizeof(evil) - 1);
        memcpy(san + w, evil, sizeof(evil) - 1);
        w += sizeof(evil) - 1;
        san[w++] = 0x82;
        san[w++] = (unsigned char)(sizeof(back) - 1);
        memcpy(san + w, back, sizeof(back) - 1);
        w += sizeof(back) - 1;
        san[w++] = 0x86; /* [6] uniformResourceIdentifier */
        san[w++] = (unsigned char)(sizeof(crlf) - 1);
        memcpy(san + w, crlf, sizeof(crlf) - 1);
        fx(gnutls_x509_crt_set_extension_by_oid(n, "2.5.29.17", san, sizeof(san), 0), "san");
        fx(gnutls_x509_crt_sign2(n, crt_int, key_int, GNUTLS_DIG_SHA256, 0), "sign");
        gnutls_datum_t d = {NULL, 0};
        fx(gnutls_x509_crt_export2(n, GNUTLS_X509_FMT_DER, &d), "export");
        der_nul.data = malloc(d.size);
        if (der_nul.data == NULL) {
            fx_fail("malloc", 0);
        }
        memcpy(der_nul.data, d.data, d.size);
        der_nul.len = d.size;
        gnutls_free(d.data);
        gnutls_x509_crt_deinit(n);
    }

    fx_write_crt_pem(path_root_pem, crt_root);
    fx_write_crt_pem(path_int_pem, crt_int);
    fx_write(path_root_der, der_root.data, der_root.len);
    fx_write(path_empty, "", 0);
    fx_write(path_text, "this is not a certificate\n", 26);

    char err[256];
    if (x509_trust_new(path_root_pem, &trust_root, err, sizeof(err)) != 0 ||
        x509_trust_new(path_int_pem, &trust_int, err, sizeof(err)) != 0 ||
        x509_trust_new(path_old_root, &trust_old, err, sizeof(err)) != 0) {
        fprintf(stderr, "x509_trust_new: %s\n", err);
        abort();
    }
    fx_ocsp_all();
}

static void fx_teardown(void)
{
    x509_trust_free(trust_root);
    x509_trust_free(trust_int);
    x509_trust_free(trust_old);
    unlink(path_old_root);
    unlink(path_root_pem);
    unlink(path_root_der);
    unlink(path_int_pem);
    unlink(path_empty);
    unlink(path_text);
    rmdir(tmpdir);
    struct blob *blobs[] = {&der_root,        &der_int,          &der_good,  &der_ec,
                            &der_expired,     &der_future,       &der_self,  &der_fake_self,
                            &der_wrongname,   &der_rsa1024,      &der_sha1,  &der_long,
                            &der_other_root,  &der_other_leaf,   &der_cross, &der_nul,
                            &der_int_expired, &der_root_expired, &ocsp_good, &ocsp_revoked,
                            &ocsp_unknown_ec, &ocsp_root_signed};
    for (size_t i = 0; i < sizeof(blobs) / sizeof(blobs[0]); i++) {
        free(blobs[i]->data);
    }
    gnutls_x509_crt_t crts[] = {crt_root, crt_int, crt_other_root, crt_fake_issuer};
    for (size_t i = 0; i < sizeof(crts) / sizeof(crts[0]); i++) {
        gnutls_x509_crt_deinit(crts[i]);
    }
    gnutls_x509_privkey_t keys[] = {key_root, key_int, key_leaf, key_1024, key_ec, key_other};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        gnutls_x509_privkey_deinit(keys[i]);
    }
}

/* --- helpers ------------------------------------------------------------- */

static void facts(const struct blob *b, int64_t now, struct cert_fact *cf)
{
    char err[256] = "x";
    cert_fact_init(cf);
    int rc = x509_cert_facts(b->data, b->len, now, cf, err, sizeof(err));
    ck_assert_msg(rc == 0, "x509_cert_facts failed: %s", err);
    ck_assert_msg(err[0] == '\0', "unexpected warning: %s", err);
}

static void assert_list(const struct strlist *l, const char *const *want, size_t n_want)
{
    ck_assert_uint_eq(l->n_items, n_want);
    for (size_t i = 0; i < n_want; i++) {
        ck_assert_str_eq(l->items[i], want[i]);
    }
}

#define LIST(l, ...)                                                                               \
    do {                                                                                           \
        static const char *const want_[] = {__VA_ARGS__};                                          \
        assert_list((l), want_, sizeof(want_) / sizeof(want_[0]));                                 \
    } while (0)

/* check_chain runs x509_chain_check over blobs (as served) and asserts
 * the invariant trusted == (verify_status == 0). */
static void check_chain(const struct x509_trust *t, const struct blob *const *chain, size_t n,
                        const char *host, const char *ip, const struct blob *ocsp, int64_t now,
                        struct chain_fact *out)
{
    struct cert_fact cf[24];
    ck_assert_uint_le(n, 24);
    for (size_t i = 0; i < n; i++) {
        char err[256];
        cert_fact_init(&cf[i]);
        /* Garbage is allowed here: the DER is kept even when rc is -1. */
        (void)!x509_cert_facts(chain[i]->data, chain[i]->len, now, &cf[i], err, sizeof(err));
    }
    int rc = x509_chain_check(t, cf, n, host, ip, ocsp ? ocsp->data : NULL, ocsp ? ocsp->len : 0,
                              now, out);
    ck_assert_int_eq(rc, 0);
    ck_assert_msg(out->trusted == (out->verify_status == 0), "trusted %d but status %#x",
                  out->trusted, out->verify_status);
    ck_assert_msg(out->trusted == (out->verify_text[0] == '\0'), "trusted %d but text '%s'",
                  out->trusted, out->verify_text);
    for (size_t i = 0; i < n; i++) {
        cert_fact_cleanup(&cf[i]);
    }
}

static void sha256_hex(const unsigned char *p, size_t n, char out[65])
{
    unsigned char dig[32];
    size_t dig_len = sizeof(dig);
    gnutls_datum_t d = {(unsigned char *)p, (unsigned)n};
    ck_assert_int_eq(gnutls_fingerprint(GNUTLS_DIG_SHA256, &d, dig, &dig_len), 0);
    for (size_t i = 0; i < 32; i++) {
        snprintf(out + 2 * i, 3, "%02x", dig[i]);
    }
}

/* --- certificate facts ------------------------------------------------- */

START_TEST(test_good_facts)
{
    struct cert_fact cf;
    facts(&der_good, T0, &cf);
    ck_assert_uint_eq(cf.der_len, der_good.len);
    ck_assert(memcmp(cf.der, der_good.data, der_good.len) == 0);
    ck_assert(cf.der != der_good.data);
    char want[65];
    sha256_hex(der_good.data, der_good.len, want);
    ck_assert_str_eq(cf.sha256, want);
    ck_assert_str_eq(cf.subject, "CN=good.test,O=tlsaudit tests");
    ck_assert_str_eq(cf.issuer, "CN=tlsaudit Test Intermediate,O=tlsaudit tests");
    ck_assert_str_eq(cf.serial, "0a1b2c3d");
    ck_assert_int_eq(cf.not_before, good_not_before);
    ck_assert_int_eq(cf.not_after, good_not_after);
    ck_assert_int_eq(cf.days_left, 90);
    ck_assert_str_eq(cf.key_type, "RSA");
    ck_assert_int_eq(cf.key_bits, 2048);
    ck_assert_str_eq(cf.curve, "");
    ck_assert_str_eq(cf.sig_alg, "RSA-SHA256");
    ck_assert(cf.has_key_usage);
    LIST(&cf.key_usage, "digitalSignature", "keyEncipherment");
    LIST(&cf.eku, "serverAuth", "clientAuth", "1.2.3.4.5");
    ck_assert_int_eq(cf.ca, 0);
    ck_assert_int_eq(cf.path_len, -1);
    LIST(&cf.san, "DNS:good.test", "DNS:www.good.test", "IP:127.0.0.1", "IP:::1",
         "email:admin@good.test", "URI:https://good.test/");
    LIST(&cf.ocsp_urls, "http://ocsp.good.test/");
    LIST(&cf.ca_issuer_urls, "http://ca.good.test/int.der");
    LIST(&cf.crl_urls, "http://crl.good.test/int.crl");
    LIST(&cf.policy_oids, "2.23.140.1.2.1", "1.2.3.4.6");
    ck_assert(cf.must_staple);
    ck_assert_int_eq(cf.n_scts, 2);
    ck_assert(!cf.self_signed);
    cert_fact_cleanup(&cf);
}
END_TEST

START_TEST(test_ec_facts)
{
    struct cert_fact cf;
    facts(&der_ec, T0, &cf);
    ck_assert_str_eq(cf.key_type, "EC");
    ck_assert_int_eq(cf.key_bits, 256);
    ck_assert_str_eq(cf.curve, "secp256r1");
    ck_assert_str_eq(cf.sig_alg, "RSA-SHA256"); /* signed by the RSA intermediate */
    ck_assert(!cf.has_key_usage);
    ck_assert_uint_eq(cf.key_usage.n_items, 0);
    ck_assert_uint_eq(cf.eku.n_items, 0);
    LIST(&cf.san, "DNS:ec.test");
    ck_assert_uint_eq(cf.ocsp_urls.n_items, 0);
    ck_assert_uint_eq(cf.ca_issuer_urls.n_items, 0);
    ck_assert_uint_eq(cf.crl_urls.n_items, 0);
    ck_assert_uint_eq(cf.policy_oids.n_items, 0);
    ck_assert(!cf.must_staple);
    ck_assert_int_eq(cf.n_scts, 0);
    ck_assert_str_eq(cf.serial, "0102");
    cert_fact_cleanup(&cf);

    /* The other root is EC and signs with ECDSA. */
    facts(&der_other_root, T0, &cf);
    ck_assert_str_eq(cf.sig_alg, "ECDSA-SHA256");
    ck_assert(cf.self_signed);
    cert_fact_cleanup(&cf);
}
END_TEST

START_TEST(test_ca_facts)
{
    struct cert_fact cf;
    facts(&der_root, T0, &cf);
    ck_assert_int_eq(cf.ca, 1);
    ck_assert_int_eq(cf.path_len, -1);
    ck_assert(cf.self_signed);
    ck_assert_str_eq(cf.subject, cf.issuer);
    LIST(&cf.key_usage, "keyCertSign", "cRLSign");
    ck_assert_uint_eq(cf.san.n_items, 0);
    cert_fact_cleanup(&cf);

    facts(&der_int, T0, &cf);
    ck_assert_int_eq(cf.ca, 1);
    ck_assert_int_eq(cf.path_len, 0);
    ck_assert(!cf.self_signed);
    ck_assert_str_eq(cf.issuer, "CN=tlsaudit Test Root,O=tlsaudit tests");
    ck_assert_int_eq(cf.days_left, 1000);
    cert_fact_cleanup(&cf);
}
END_TEST

START_TEST(test_weak_and_long_facts)
{
    struct cert_fact cf;
    facts(&der_rsa1024, T0, &cf);
    ck_assert_str_eq(cf.key_type, "RSA");
    ck_assert_int_eq(cf.key_bits, 1024);
    ck_assert_str_eq(cf.serial, "8501"); /* DER sign padding dropped */
    cert_fact_cleanup(&cf);

    facts(&der_sha1, T0, &cf);
    ck_assert_str_eq(cf.sig_alg, "RSA-SHA1");
    cert_fact_cleanup(&cf);

    facts(&der_long, T0, &cf);
    ck_assert_int_gt(cf.not_after - cf.not_before, 398 * DAY);
    ck_assert_int_eq(cf.days_left, 500);
    cert_fact_cleanup(&cf);
}
END_TEST

START_TEST(test_days_left)
{
    struct cert_fact cf;
    /* not_after = T0 - 10 days + 100 s: 9.99 days ago, floor gives -10. */
    facts(&der_expired, T0, &cf);
    ck_assert_int_eq(cf.days_left, -10);
    cert_fact_cleanup(&cf);

    facts(&der_good, good_not_after, &cf);
    ck_assert_int_eq(cf.days_left, 0);
    cert_fact_cleanup(&cf);
    facts(&der_good, good_not_after + 1, &cf);
    ck_assert_int_eq(cf.days_left, -1);
    cert_fact_cleanup(&cf);
    facts(&der_good, good_not_after - DAY, &cf);
    ck_assert_int_eq(cf.days_left, 1);
    cert_fact_cleanup(&cf);
}
END_TEST

START_TEST(test_self_signed_facts)
{
    struct cert_fact cf;
    facts(&der_self, T0, &cf);
    ck_assert(cf.self_signed);
    ck_assert_int_eq(cf.ca, 0);
    cert_fact_cleanup(&cf);

    /* Same subject and issuer name, but another key signed it. */
    facts(&der_fake_self, T0, &cf);
    ck_assert_str_eq(cf.subject, cf.issuer);
    ck_assert(!cf.self_signed);
    cert_fact_cleanup(&cf);
}
END_TEST

START_TEST(test_hostile_names)
{
    struct cert_fact cf;
    facts(&der_nul, T0, &cf);
    /* The NUL is kept visibly; the name never reads as "evil.test". */
    LIST(&cf.san, "DNS:evil.test\\x00.good.test", "DNS:back\\x5cslash.test",
         "URI:http://a/\\x0d\\x0aX\\x7f\\xc3\\xa9");
    /* GnuTLS prints a value with a NUL as its DER in hex (RFC 4514 §2.4):
     * UTF8String "nul\0cn". */
    ck_assert_str_eq(cf.subject, "CN=#0c066e756c00636e");
    cert_fact_cleanup(&cf);

    struct chain_fact ch;
    const struct blob *chain[] = {&der_nul, &der_int};
    check_chain(trust_root, chain, 2, "evil.test", NULL, NULL, T0, &ch);
    ck_assert(ch.hostname_checked);
    ck_assert(!ch.hostname_match);
}
END_TEST

START_TEST(test_garbage)
{
    static const struct {
        const char *data;
        size_t len;
        const char *sha256;
    } cases[] = {
        {"", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"hello", 5, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"},
        {"\x30\x82\xff\xff\x30", 5, NULL},
        {"\x30\x03\x02\x01\x00", 5, NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct cert_fact cf;
        char err[128] = "";
        cert_fact_init(&cf);
        int rc = x509_cert_facts((const unsigned char *)cases[i].data, cases[i].len, T0, &cf, err,
                                 sizeof(err));
        ck_assert_int_eq(rc, -1);
        ck_assert_msg(err[0] != '\0', "no reason for case %zu", i);
        ck_assert_uint_eq(cf.der_len, cases[i].len);
        ck_assert(cases[i].len == 0 || memcmp(cf.der, cases[i].data, cases[i].len) == 0);
        if (cases[i].sha256 != NULL) {
            ck_assert_str_eq(cf.sha256, cases[i].sha256);
        } else {
            ck_assert_uint_eq(strlen(cf.sha256), 64);
        }
        ck_assert_ptr_null(cf.subject);
        cert_fact_cleanup(&cf);
    }
    /* A tiny error buffer still gets a terminated (truncated) reason. */
    struct cert_fact cf;
    char err[4];
    cert_fact_init(&cf);
    ck_assert_int_eq(x509_cert_facts((const unsigned char *)"x", 1, T0, &cf, err, sizeof(err)), -1);
    ck_assert_uint_eq(strlen(err), 3);
    cert_fact_cleanup(&cf);
}
END_TEST

START_TEST(test_truncated_and_flipped)
{
    unsigned char *buf = malloc(der_good.len);
    ck_assert_ptr_nonnull(buf);
    for (size_t len = 0; len < der_good.len; len++) {
        struct cert_fact cf;
        char err[128];
        cert_fact_init(&cf);
        memcpy(buf, der_good.data, len);
        ck_assert_msg(x509_cert_facts(buf, len, T0, &cf, err, sizeof(err)) == -1,
                      "truncated at %zu accepted", len);
        ck_assert_uint_eq(cf.der_len, len);
        cert_fact_cleanup(&cf);
    }
    /* Every byte inverted in turn: must not crash, whatever it returns; the
     * chain check copes with whatever came out. */
    size_t accepted = 0;
    for (size_t off = 0; off < der_good.len; off++) {
        struct cert_fact cf[2];
        char err[128];
        memcpy(buf, der_good.data, der_good.len);
        buf[off] ^= 0xff;
        cert_fact_init(&cf[0]);
        cert_fact_init(&cf[1]);
        if (x509_cert_facts(buf, der_good.len, T0, &cf[0], err, sizeof(err)) == 0) {
            accepted++;
            ck_assert_ptr_nonnull(cf[0].subject);
            ck_assert_ptr_nonnull(cf[0].issuer);
        }
        ck_assert_int_eq(x509_cert_facts(der_int.data, der_int.len, T0, &cf[1], err, sizeof(err)),
                         0);
        if (off % 16 == 0) {
            struct chain_fact ch;
            ck_assert_int_eq(
                x509_chain_check(trust_root, cf, 2, "good.test", NULL, NULL, 0, T0, &ch), 0);
            ck_assert_msg(!ch.trusted, "leaf with byte %zu inverted trusted", off);
        }
        cert_fact_cleanup(&cf[0]);
        cert_fact_cleanup(&cf[1]);
    }
    ck_assert_uint_gt(accepted, 0); /* flips inside strings still parse */
    free(buf);
}
END_TEST

/* --- trust --------------------------------------------------------------- */

START_TEST(test_trust_files)
{
    struct x509_trust *t = NULL;
    char err[256];

    ck_assert_int_eq(x509_trust_new(path_root_der, &t, err, sizeof(err)), 0);
    struct chain_fact ch;
    const struct blob *chain[] = {&der_good, &der_int};
    check_chain(t, chain, 2, "good.test", NULL, NULL, T0, &ch);
    ck_assert(ch.trusted);
    x509_trust_free(t);
    t = NULL;

    char missing[160];
    fx_path(missing, sizeof(missing), "does-not-exist.pem");
    ck_assert_int_eq(x509_trust_new(missing, &t, err, sizeof(err)), -1);
    ck_assert_ptr_null(t);
    ck_assert_msg(strstr(err, missing) != NULL, "path not in '%s'", err);
    ck_assert_msg(strstr(err, "No such file") != NULL, "reason not in '%s'", err);

    ck_assert_int_eq(x509_trust_new(path_empty, &t, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, path_empty) != NULL && strstr(err, "empty") != NULL, "%s", err);

    ck_assert_int_eq(x509_trust_new(path_text, &t, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, path_text) != NULL && strstr(err, "no certificate") != NULL, "%s",
                  err);

    ck_assert_int_eq(x509_trust_new(tmpdir, &t, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, tmpdir) != NULL, "%s", err);
    ck_assert_ptr_null(t);

    x509_trust_free(NULL);
}
END_TEST

START_TEST(test_trust_system)
{
    struct x509_trust *t = NULL;
    char err[256];
    if (x509_trust_new(NULL, &t, err, sizeof(err)) != 0) {
        ck_assert_msg(err[0] != '\0', "failure without a reason");
        ck_assert_ptr_null(t);
        return;
    }
    /* Our private root is in no system store. */
    struct chain_fact ch;
    const struct blob *chain[] = {&der_good, &der_int};
    check_chain(t, chain, 2, "good.test", NULL, NULL, T0, &ch);
    ck_assert(!ch.trusted);
    ck_assert(ch.incomplete);
    x509_trust_free(t);
}
END_TEST

/* --- chains -------------------------------------------------------------- */

START_TEST(test_chain_good)
{
    struct chain_fact ch;
    const struct blob *chain[] = {&der_good, &der_int};
    check_chain(trust_root, chain, 2, "good.test", NULL, NULL, T0, &ch);
    ck_assert(ch.trusted);
    ck_assert_uint_eq(ch.verify_status, 0);
    ck_assert_str_eq(ch.verify_text, "");
    ck_assert(ch.hostname_checked);
    ck_assert(ch.hostname_match);
    ck_assert_str_eq(ch.hostname, "good.test");
    ck_assert(!ch.expired);
    ck_assert(!ch.not_yet_valid);
    ck_assert(!ch.self_signed);
    ck_assert(!ch.incomplete);
    ck_assert(!ch.wrong_order);
    ck_assert_int_eq(ch.min_days_left, 90);
    ck_assert(!ch.ocsp_staple);
    ck_assert_str_eq(ch.ocsp_status, "none");
    ck_assert_str_eq(ch.ocsp_detail, "");

    /* The root served too, in order: still fine. */
    const struct blob *full[] = {&der_good, &der_int, &der_root};
    check_chain(trust_root, full, 3, "www.good.test", NULL, NULL, T0, &ch);
    ck_assert(ch.trusted);
    ck_assert(ch.hostname_match);
    ck_assert(!ch.wrong_order);

    /* An intermediate as the only anchor completes [leaf] by itself. */
    const struct blob *leaf_only[] = {&der_good};
    check_chain(trust_int, leaf_only, 1, "good.test", NULL, NULL, T0, &ch);
    ck_assert_msg(ch.trusted, "%s", ch.verify_text);
    ck_assert(!ch.incomplete);

    /* ECDSA leaf. */
    const struct blob *ec[] = {&der_ec, &der_int};
    check_chain(trust_root, ec, 2, "ec.test", NULL, NULL, T0, &ch);
    ck_assert(ch.trusted);
    ck_assert(ch.hostname_match);
}
END_TEST

START_TEST(test_chain_hostname)
{
    struct chain_fact ch;
    const struct blob *chain[] = {&der_good, &der_int};

    check_chain(trust_root, chain, 2, "GOOD.test", NULL, NULL, T0, &ch);
    ck_assert(ch.hostname_match);

    /* A mismatch leaves the chain trusted: hostname_match is separate. */
    check_chain(trust_root, chain, 2, "bad.test", NULL, NULL, T0, &ch);
    ck_assert(ch.trusted);
    ck_assert(ch.hostname_checked);
    ck_assert(!ch.hostname_match);
    ck_assert_str_eq(ch.hostname, "bad.test");

    check_chain(trust_root, chain, 2, NULL, "127.0.0.1", NULL, T0, &ch);
    ck_assert(ch.hostname_checked);
    ck_assert(ch.hostname_match);
    ck_assert_str_eq(ch.hostname, "127.0.0.1");
    check_chain(trust_root, chain, 2, NULL, "127.0.0.2", NULL, T0, &ch);
    ck_assert(!ch.hostname_match);
    check_chain(trust_root, chain, 2, NULL, "::1", NULL, T0, &ch);
    ck_assert(ch.hostname_match);
    check_chain(trust_root, chain, 2, NULL, "not-an-ip", NULL, T0, &ch);
    ck_assert(ch.hostname_checked);
    ck_assert(!ch.hostname_match);

    /* Nothing to check against. */
    check_chain(trust_root, chain, 2, NULL, NULL, NULL, T0, &ch);
    ck_assert(!ch.hostname_checked);
    ck_assert(!ch.hostname_match);
    ck_assert_str_eq(ch.hostname, "");

    const struct blob *wrong[] = {&der_wrongname, &der_int};
    check_chain(trust_root, wrong, 2, "wrong.test", NULL, NULL, T0, &ch);
    ck_assert(ch.trusted);
    ck_assert(!ch.hostname_match); /* the CN is ignored when a SAN exists */
    check_chain(trust_root, wrong, 2, "other.test", NULL, NULL, T0, &ch);
    ck_assert(ch.hostname_match);
}
END_TEST

START_TEST(test_chain_expiry)
{
    struct chain_fact ch;
    const struct blob *expired[] = {&der_expired, &der_int};
    check_chain(trust_root, expired, 2, "expired.test", NULL, NULL, T0, &ch);
    ck_assert(!ch.trusted);
    ck_assert(ch.expired);
    ck_assert(!ch.not_yet_valid);
    ck_assert(ch.verify_status & GNUTLS_CERT_EXPIRED);
    ck_assert_msg(strstr(ch.verify_text, "expired") != NULL, "%s", ch.verify_text);
    ck_assert_int_eq(ch.min_days_left, -10);
    ck_assert(ch.hostname_match);

    const struct blob *future[] = {&der_future, &der_int};
    check_chain(trust_root, future, 2, "future.test", NULL, NULL, T0, &ch);
    ck_assert(!ch.trusted);
    ck_assert(ch.not_yet_valid);
    ck_assert(!ch.expired);
    ck_assert(ch.verify_status & GNUTLS_CERT_NOT_ACTIVATED);
    ck_assert_msg(strstr(ch.verify_text, "not yet valid") != NULL, "%s", ch.verify_text);

    /* An expired intermediate breaks the path though the leaf is fine. */
    const struct blob *old_int[] = {&der_good, &der_int_expired};
    check_chain(trust_root, old_int, 2, "good.test", NULL, NULL, T0, &ch);
    ck_assert(!ch.trusted);
    ck_assert(ch.expired);
    ck_assert(ch.verify_status & GNUTLS_CERT_EXPIRED);
    ck_assert_int_eq(ch.min_days_left, -1);

    /* So does an expired trust anchor, though nothing served expired. */
    const struct blob *good_chain[] = {&der_good, &der_int};
    check_chain(trust_old, good_chain, 2, "good.test", NULL, NULL, T0, &ch);
    ck_assert(!ch.trusted);
    ck_assert(!ch.expired);
    ck_assert_msg(strstr(ch.verify_text, "trust anchor expired") != NULL, "%s", ch.verify_text);
    check_chain(trust_old, good_chain, 2, "good.test", NULL, NULL, T0 - 2 * DAY, &ch);
    ck_assert_msg(strstr(ch.verify_text, "trust anchor") == NULL, "%s", ch.verify_text);

    /* `now` decides, not the clock. */
    const struct blob *good[] = {&der_good, &der_int};
    check_chain(trust_root, good, 2, "good.test", NULL, NULL, T0 + 200 * DAY, &ch);
    ck_assert(!ch.trusted);
    ck_assert(ch.expired);
    ck_assert_int_eq(ch.min_days_left, -110);
    check_chain(trust_root, good, 2, "good.test", NULL, NULL, T0 - 2 * DAY, &ch);
    ck_assert(!ch.trusted);
    ck_assert(ch.not_yet_valid);
    check_chain(trust_root, good, 2, "good.test", NULL, NULL, good_not_after, &ch);
    ck_assert(ch.trusted);

    /* min_days_left is the smallest in the chain: the intermediate's 1000
     * days lose to the leaf's 90; alone the intermediate gives 1000. */
    check_chain(trust_root, good, 2, NULL, NULL, NULL, T0, &ch);
    ck_assert_int_eq(ch.min_days_left, 90);
    const struct blob *int_only[] = {&der_int};
    check_chain(trust_root, int_only, 1, NULL, NULL, NULL, T0, &ch);
    ck_assert_int_eq(ch.min_days_left, 1000);
}
END_TEST

START_TEST(test_chain_self_signed)
{
    struct chain_fact ch;
    const struct blob *self[] = {&der_self};
    check_chain(trust_root, self, 1, "self.test", NULL, NULL, T0, &ch);
    ck_assert(!ch.trusted);
    ck_assert(ch.self_signed);
    ck_assert(!ch.incomplete);
    ck_assert(ch.hostname_match);
    ck_assert(ch.verify_status & GNUTLS_CERT_SIGNER_NOT_FOUND);
    ck_assert_msg(strstr(ch.verify_text, "self-signed") != NULL, "%s", ch.verify_text);

    /* An untrusted root served with its leaf: not incomplete either. */
    const struct blob *other[] = {&der_other_leaf, &der_other_root};
    check_chain(trust_root, other, 2, "good.test", NULL, NULL, T0, &ch);
    ck_assert(!ch.trusted);
    ck_assert(!ch.self_signed);
    ck_assert(!ch.incomplete);
    ck_assert(!ch.wrong_order);
    ck_assert_msg(strstr(ch.verify_text, "self-signed certificate not trusted") != NULL, "%s",
                  ch.verify_text);

    /* The root itself, served alone and trusted. */
    const struct blob *root[] = {&der_root};
    check_chain(trust_root, root, 1, NULL, NULL, NULL, T0, &ch);
    ck_assert(ch.self_signed);
    ck_assert(!ch.incomplete);
}
END_TEST

START_TEST(test_chain_incomplete)
{
    struct chain_fact ch;
    const struct blob *leaf[] = {&der_good};
    check_chain(trust_root, leaf, 1, "good.test", NULL, NULL, T0, &ch);
    ck_assert(!ch.trusted);
    ck_assert(ch.incomplete);
    ck_assert(!ch.self_signed);
    ck_assert(!ch.wrong_order);
    ck_assert(ch.verify_status & GNUTLS_CERT_SIGNER_NOT_FOUND);
    ck_assert_msg(strstr(ch.verify_text, "incomplete") != NULL, "%s", ch.verify_text);
    ck_assert(ch.hostname_match);

    /* The leaf of another root, without that root. */
    const struct blob *other[] = {&der_other_leaf};
    check_chain(trust_root, other, 1, "good.test", NULL, NULL, T0, &ch);
    ck_assert(ch.incomplete);
}
END_TEST

START_TEST(test_chain_order)
{
    struct chain_fact ch;
    /* The root between the leaf and its issuer: GnuTLS sorts, so the chain
     * is trusted, but the order is reported. */
    const struct blob *a[] = {&der_good, &der_root, &der_int};
    check_chain(trust_root, a, 3, "good.test", NULL, NULL, T0, &ch);
    ck_assert(ch.wrong_order);
    ck_assert_msg(ch.trusted, "%s", ch.verify_text);

    /* An unrelated certificate between the leaf and its issuer. */
    const struct blob *b[] = {&der_good, &der_other_leaf, &der_int};
    check_chain(trust_root, b, 3, "good.test", NULL, NULL, T0, &ch);
    ck_assert(ch.wrong_order);
    ck_assert(!ch.incomplete);

    /* Issuer before subject. */
    const struct blob *c[] = {&der_good, &der_root, &der_int, &der_good};
    check_chain(trust_root, c, 4, "good.test", NULL, NULL, T0, &ch);
    ck_assert(ch.wrong_order);

    /* An unrelated extra at the end is not an order problem. */
    const struct blob *d[] = {&der_good, &der_int, &der_other_root};
    check_chain(trust_root, d, 3, "good.test", NULL, NULL, T0, &ch);
    ck_assert(!ch.wrong_order);
}
END_TEST

START_TEST(test_chain_cross_expired)
{
    /* An expired cross-certificate served after the intermediate: clients
     * stop at the trusted root, so the chain is trusted, but expired says
     * that something served is past its date. */
    struct chain_fact ch;
    const struct blob *chain[] = {&der_good, &der_int, &der_cross};
    check_chain(trust_root, chain, 3, "good.test", NULL, NULL, T0, &ch);
    ck_assert_msg(ch.trusted, "%s", ch.verify_text);
    ck_assert(ch.expired);
    ck_assert(!ch.wrong_order);
    ck_assert_int_eq(ch.min_days_left, -5);
}
END_TEST

START_TEST(test_chain_weak)
{
    struct chain_fact ch;
    const struct blob *sha1[] = {&der_sha1, &der_int};
    check_chain(trust_root, sha1, 2, "sha1.test", NULL, NULL, T0, &ch);
    ck_assert(!ch.trusted);
    ck_assert(ch.verify_status & GNUTLS_CERT_INSECURE_ALGORITHM);
    ck_assert_msg(strstr(ch.verify_text, "insecure algorithm") != NULL, "%s", ch.verify_text);
    ck_assert(!ch.incomplete);

    /* A fake self-signed certificate: the name says self, the signature
     * does not verify with its key. */
    const struct blob *fake[] = {&der_fake_self};
    check_chain(trust_root, fake, 1, "self.test", NULL, NULL, T0, &ch);
    ck_assert(!ch.trusted);
    ck_assert(!ch.self_signed);
}
END_TEST

START_TEST(test_chain_degenerate)
{
    struct chain_fact ch;
    memset(&ch, 0x5a, sizeof(ch));
    ck_assert_int_eq(x509_chain_check(trust_root, NULL, 0, "good.test", NULL, NULL, 0, T0, &ch), 0);
    ck_assert(!ch.trusted);
    ck_assert_uint_ne(ch.verify_status, 0);
    ck_assert_str_eq(ch.verify_text, "no certificate");
    ck_assert(ch.hostname_checked);
    ck_assert(!ch.hostname_match);
    ck_assert(!ch.ocsp_staple);
    ck_assert_str_eq(ch.ocsp_status, "none");
    ck_assert(!ch.expired && !ch.self_signed && !ch.incomplete && !ch.wrong_order);

    struct blob junk = {(unsigned char *)"junk", 4};
    const struct blob *bad_leaf[] = {&junk, &der_int};
    check_chain(trust_root, bad_leaf, 2, "good.test", NULL, NULL, T0, &ch);
    ck_assert(!ch.trusted);
    ck_assert(!ch.hostname_match);
    ck_assert_msg(strstr(ch.verify_text, "not a certificate") != NULL, "%s", ch.verify_text);

    const struct blob *bad_mid[] = {&der_good, &junk, &der_int};
    check_chain(trust_root, bad_mid, 3, "good.test", NULL, NULL, T0, &ch);
    ck_assert(!ch.trusted);
    ck_assert(ch.hostname_match);
    ck_assert_msg(strstr(ch.verify_text, "served certificate #2 of 3 is not a certificate") != NULL,
                  "%s", ch.verify_text);

    /* Duplicates, and more certificates than GnuTLS verifies (16). */
    const struct blob *many[20];
    for (size_t i = 0; i < 20; i++) {
        many[i] = i == 0 ? &der_good : &der_int;
    }
    check_chain(trust_root, many, 8, "good.test", NULL, NULL, T0, &ch);
    ck_assert_msg(ch.trusted, "%s", ch.verify_text);
    ck_assert(!ch.wrong_order);
    check_chain(trust_root, many, 20, "good.test", NULL, NULL, T0, &ch);
    ck_assert_msg(ch.trusted, "%s", ch.verify_text); /* GnuTLS drops the duplicates */
}
END_TEST

/* --- OCSP staple ----------------------------------------------------------- */

START_TEST(test_ocsp)
{
    if (!have_ocsp) {
        fprintf(stderr, "test_ocsp: skipped (no openssl)\n");
        return;
    }
    struct chain_fact ch;
    const struct blob *chain[] = {&der_good, &der_int};

    check_chain(trust_root, chain, 2, "good.test", NULL, &ocsp_good, T0, &ch);
    ck_assert(ch.ocsp_staple);
    ck_assert_msg(strcmp(ch.ocsp_status, "good") == 0, "%s: %s", ch.ocsp_status, ch.ocsp_detail);
    ck_assert(ch.trusted);

    check_chain(trust_root, chain, 2, "good.test", NULL, &ocsp_revoked, T0, &ch);
    ck_assert_str_eq(ch.ocsp_status, "revoked");
    ck_assert_msg(strstr(ch.ocsp_detail, "keyCompromise") != NULL &&
                      strstr(ch.ocsp_detail, "2020-01-01") != NULL,
                  "%s", ch.ocsp_detail);

    /* A response about another certificate. */
    check_chain(trust_root, chain, 2, "good.test", NULL, &ocsp_unknown_ec, T0, &ch);
    ck_assert_str_eq(ch.ocsp_status, "invalid");
    ck_assert_msg(strstr(ch.ocsp_detail, "not about this certificate") != NULL, "%s",
                  ch.ocsp_detail);

    /* The EC leaf is not in the responder's index. */
    const struct blob *ec[] = {&der_ec, &der_int};
    check_chain(trust_root, ec, 2, "ec.test", NULL, &ocsp_unknown_ec, T0, &ch);
    ck_assert_msg(strcmp(ch.ocsp_status, "unknown") == 0, "%s: %s", ch.ocsp_status, ch.ocsp_detail);

    /* Stale: -ndays 1, checked three days later. */
    check_chain(trust_root, chain, 2, "good.test", NULL, &ocsp_good, T0 + 3 * DAY, &ch);
    ck_assert_str_eq(ch.ocsp_status, "invalid");
    ck_assert_msg(strstr(ch.ocsp_detail, "stale") != NULL, "%s", ch.ocsp_detail);

    /* Issued in the future of `now`. */
    check_chain(trust_root, chain, 2, "good.test", NULL, &ocsp_good, T0 - 1 * DAY, &ch);
    ck_assert_str_eq(ch.ocsp_status, "invalid");
    ck_assert_msg(strstr(ch.ocsp_detail, "future") != NULL, "%s", ch.ocsp_detail);

    /* Signed by the root, which did not issue the leaf. */
    check_chain(trust_root, chain, 2, "good.test", NULL, &ocsp_root_signed, T0, &ch);
    ck_assert_str_eq(ch.ocsp_status, "invalid");
    ck_assert_msg(strstr(ch.ocsp_detail, "signature") != NULL, "%s", ch.ocsp_detail);

    /* Signature bytes damaged (the response ends with its signature). */
    struct blob bad = {malloc(ocsp_good.len), ocsp_good.len};
    ck_assert_ptr_nonnull(bad.data);
    memcpy(bad.data, ocsp_good.data, ocsp_good.len);
    bad.data[bad.len - 1] ^= 0x01;
    check_chain(trust_root, chain, 2, "good.test", NULL, &bad, T0, &ch);
    ck_assert_str_eq(ch.ocsp_status, "invalid");
    ck_assert_msg(strstr(ch.ocsp_detail, "signature") != NULL, "%s", ch.ocsp_detail);

    /* Every truncation parses as nothing good. */
    for (size_t len = 0; len < ocsp_good.len; len++) {
        struct blob cut = {ocsp_good.data, len};
        check_chain(trust_root, chain, 2, "good.test", NULL, &cut, T0, &ch);
        ck_assert(ch.ocsp_staple);
        ck_assert_str_eq(ch.ocsp_status, "invalid");
    }
    free(bad.data);

    /* The leaf's issuer only in the trust store: found there. */
    const struct blob *leaf_only[] = {&der_good};
    check_chain(trust_int, leaf_only, 1, "good.test", NULL, &ocsp_good, T0, &ch);
    ck_assert_msg(strcmp(ch.ocsp_status, "good") == 0, "%s: %s", ch.ocsp_status, ch.ocsp_detail);
    /* ... and nowhere at all. */
    check_chain(trust_root, leaf_only, 1, "good.test", NULL, &ocsp_good, T0, &ch);
    ck_assert_str_eq(ch.ocsp_status, "invalid");
    ck_assert_msg(strstr(ch.ocsp_detail, "issuer") != NULL, "%s", ch.ocsp_detail);
}
END_TEST

START_TEST(test_ocsp_garbage)
{
    struct chain_fact ch;
    const struct blob *chain[] = {&der_good, &der_int};
    struct blob junk = {(unsigned char *)"\x30\x03\x0a\x01\x00", 5};
    check_chain(trust_root, chain, 2, "good.test", NULL, &junk, T0, &ch);
    ck_assert(ch.ocsp_staple);
    ck_assert_str_eq(ch.ocsp_status, "invalid");
    ck_assert(ch.trusted); /* the staple does not change the chain verdict */

    /* OCSPResponse { responseStatus tryLater } (RFC 6960 §4.2.1). */
    struct blob later = {(unsigned char *)"\x30\x03\x0a\x01\x03", 5};
    check_chain(trust_root, chain, 2, "good.test", NULL, &later, T0, &ch);
    ck_assert_str_eq(ch.ocsp_status, "invalid");
    ck_assert_msg(strstr(ch.ocsp_detail, "tryLater") != NULL, "%s", ch.ocsp_detail);

    struct blob text = {(unsigned char *)"not ocsp", 8};
    check_chain(trust_root, chain, 2, "good.test", NULL, &text, T0, &ch);
    ck_assert_str_eq(ch.ocsp_status, "invalid");
    ck_assert_msg(strstr(ch.ocsp_detail, "cannot parse") != NULL, "%s", ch.ocsp_detail);

    struct blob empty = {(unsigned char *)"", 0};
    check_chain(trust_root, chain, 2, "good.test", NULL, &empty, T0, &ch);
    ck_assert(ch.ocsp_staple);
    ck_assert_str_eq(ch.ocsp_status, "invalid");
}
END_TEST

static Suite *x509_suite(void)
{
    Suite *s = suite_create("x509");
    TCase *tc = tcase_create("facts");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_good_facts);
    tcase_add_test(tc, test_ec_facts);
    tcase_add_test(tc, test_ca_facts);
    tcase_add_test(tc, test_weak_and_long_facts);
    tcase_add_test(tc, test_days_left);
    tcase_add_test(tc, test_self_signed_facts);
    tcase_add_test(tc, test_hostile_names);
    tcase_add_test(tc, test_garbage);
    tcase_add_test(tc, test_truncated_and_flipped);
    suite_add_tcase(s, tc);

    tc = tcase_create("chain");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_trust_files);
    tcase_add_test(tc, test_trust_system);
    tcase_add_test(tc, test_chain_good);
    tcase_add_test(tc, test_chain_hostname);
    tcase_add_test(tc, test_chain_expiry);
    tcase_add_test(tc, test_chain_self_signed);
    tcase_add_test(tc, test_chain_incomplete);
    tcase_add_test(tc, test_chain_order);
    tcase_add_test(tc, test_chain_cross_expired);
    tcase_add_test(tc, test_chain_weak);
    tcase_add_test(tc, test_chain_degenerate);
    tcase_add_test(tc, test_ocsp);
    tcase_add_test(tc, test_ocsp_garbage);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    fx_setup();
    SRunner *sr = srunner_create(x509_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    fx_teardown();
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
