/*
 * common/model/version.c - the protocol version table.
 */
#include "common/model/version.h"

#include <string.h>

static const struct {
    uint16_t wire;
    const char *name;
} versions[TLSV_COUNT] = {
    [TLSV_SSL2] = {TLS_WIRE_SSL2, "SSL 2.0"},   [TLSV_SSL3] = {TLS_WIRE_SSL3, "SSL 3.0"},
    [TLSV_TLS10] = {TLS_WIRE_TLS10, "TLS 1.0"}, [TLSV_TLS11] = {TLS_WIRE_TLS11, "TLS 1.1"},
    [TLSV_TLS12] = {TLS_WIRE_TLS12, "TLS 1.2"}, [TLSV_TLS13] = {TLS_WIRE_TLS13, "TLS 1.3"},
};

uint16_t tls_version_wire(enum tls_version v)
{
    return (unsigned)v < TLSV_COUNT ? versions[v].wire : 0;
}

bool tls_version_from_wire(uint16_t code, enum tls_version *out)
{
    for (int v = 0; v < TLSV_COUNT; v++) {
        if (versions[v].wire == code) {
            *out = (enum tls_version)v;
            return true;
        }
    }
    return false;
}

const char *tls_version_name(enum tls_version v)
{
    return (unsigned)v < TLSV_COUNT ? versions[v].name : "?";
}

bool tls_version_parse(const char *name, enum tls_version *out)
{
    for (int v = 0; v < TLSV_COUNT; v++) {
        if (strcmp(versions[v].name, name) == 0) {
            *out = (enum tls_version)v;
            return true;
        }
    }
    return false;
}

bool tls_version_is_hs(enum tls_version v)
{
    return v >= TLSV_HS_FIRST && v < TLSV_COUNT;
}
