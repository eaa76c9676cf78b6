/*
 * common/model/registry.c - lookups in the cipher-suite, group and signature-scheme
 * registries declared in registry.h.
 *
 * The tables live in registry_tables.c, which data/gen-registry.awk generates
 * at build time from the data/ TSV files, sorted by code with no duplicates (the
 * generator refuses anything else). That invariant is what makes the lookups
 * by code binary searches; lookups by name are linear scans over a few hundred
 * rows, done when reading policies and reports, not per packet.
 */
#include "common/model/registry.h"

#include <stdlib.h>
#include <strings.h>

static int suite_cmp(const void *key, const void *elem)
{
    uint32_t code = *(const uint32_t *)key;
    const struct suite_info *s = elem;
    return code < s->code ? -1 : code > s->code ? 1 : 0;
}

static int group_cmp(const void *key, const void *elem)
{
    uint16_t code = *(const uint16_t *)key;
    const struct group_info *g = elem;
    return code < g->code ? -1 : code > g->code ? 1 : 0;
}

static int sigscheme_cmp(const void *key, const void *elem)
{
    uint16_t code = *(const uint16_t *)key;
    const struct sigscheme_info *s = elem;
    return code < s->code ? -1 : code > s->code ? 1 : 0;
}

/* Case-insensitive equality where either side may be NULL (no name). */
static bool name_eq(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcasecmp(a, b) == 0;
}

const struct suite_info *registry_suite_by_code(uint32_t code)
{
    return bsearch(&code, registry_suites, registry_n_suites, sizeof(registry_suites[0]),
                   suite_cmp);
}

const struct suite_info *registry_suite_by_name(const char *name)
{
    if (name == NULL || name[0] == '\0') {
        return NULL;
    }
    /* Code order puts every SSLv3/TLS suite before the 3-byte SSLv2 kinds. */
    for (size_t i = 0; i < registry_n_suites; i++) {
        const struct suite_info *s = &registry_suites[i];
        if (name_eq(name, s->iana_name) || name_eq(name, s->openssl_name) ||
            name_eq(name, s->gnutls_name)) {
            return s;
        }
    }
    return NULL;
}

const struct group_info *registry_group_by_code(uint16_t code)
{
    return bsearch(&code, registry_groups, registry_n_groups, sizeof(registry_groups[0]),
                   group_cmp);
}

const struct group_info *registry_group_by_name(const char *name)
{
    for (size_t i = 0; i < registry_n_groups; i++) {
        if (name_eq(name, registry_groups[i].name)) {
            return &registry_groups[i];
        }
    }
    return NULL;
}

const struct sigscheme_info *registry_sigscheme_by_code(uint16_t code)
{
    return bsearch(&code, registry_sigschemes, registry_n_sigschemes,
                   sizeof(registry_sigschemes[0]), sigscheme_cmp);
}

const struct sigscheme_info *registry_sigscheme_by_name(const char *name)
{
    for (size_t i = 0; i < registry_n_sigschemes; i++) {
        if (name_eq(name, registry_sigschemes[i].name)) {
            return &registry_sigschemes[i];
        }
    }
    return NULL;
}

bool registry_suite_is_scsv(const struct suite_info *s)
{
    return s != NULL && (s->attrs & SUITE_SCSV) != 0;
}

const char *registry_version_name(unsigned v)
{
    switch (v) {
    case TLSV_BIT(TLSV_SSL2):
        return "SSL2";
    case TLSV_BIT(TLSV_SSL3):
        return "SSL3";
    case TLSV_BIT(TLSV_TLS10):
        return "TLS1.0";
    case TLSV_BIT(TLSV_TLS11):
        return "TLS1.1";
    case TLSV_BIT(TLSV_TLS12):
        return "TLS1.2";
    case TLSV_BIT(TLSV_TLS13):
        return "TLS1.3";
    default:
        return NULL;
    }
}

const struct suite_attr_name registry_suite_attr_names[] = {
    {SUITE_NULL_CIPHER, "null"},  {SUITE_ANON, "anon"},         {SUITE_EXPORT, "export"},
    {SUITE_RC4, "rc4"},           {SUITE_RC2, "rc2"},           {SUITE_DES, "des"},
    {SUITE_3DES, "3des"},         {SUITE_IDEA, "idea"},         {SUITE_BLOCK64, "block64"},
    {SUITE_MD5, "md5"},           {SUITE_SHA1, "sha1"},         {SUITE_CBC, "cbc"},
    {SUITE_PSK, "psk"},           {SUITE_AEAD, "aead"},         {SUITE_FS, "forward_secrecy"},
    {SUITE_SCSV, "scsv"},         {SUITE_KX_RSA, "rsa_kx"},     {SUITE_KX_DHE, "dhe_kx"},
    {SUITE_KX_ECDHE, "ecdhe_kx"}, {SUITE_AUTH_RSA, "rsa_auth"},
};
const size_t n_registry_suite_attr_names =
    sizeof(registry_suite_attr_names) / sizeof(registry_suite_attr_names[0]);

unsigned registry_suite_attr_by_name(const char *name)
{
    for (size_t i = 0; i < n_registry_suite_attr_names; i++) {
        if (strcasecmp(name, registry_suite_attr_names[i].name) == 0) {
            return registry_suite_attr_names[i].bit;
        }
    }
    return 0;
}
