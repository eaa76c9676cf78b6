/*
 * scanner/starttls/starttls.c - the table of application protocols (see
 * starttls.h): one row per protocol, in the order --help lists them.
 * Adding a protocol is one row here (its ops in text.h or binary.h).
 */
#include "scanner/starttls/starttls.h"

#include <stdio.h>
#include <string.h>

#include "scanner/starttls/binary.h"
#include "scanner/starttls/text.h"

static const struct starttls_proto protos[] = {
    /* direct TLS: no dialogue */
    {.name = STARTTLS_NONE, .ports = {443}, .direct = true, .summary = "TLS from the first byte"},
    {.name = "smtps", .ports = {465}, .direct = true, .summary = "SMTP over TLS (RFC 8314)"},
    {.name = "imaps", .ports = {993}, .direct = true, .summary = "IMAP over TLS (RFC 8314)"},
    {.name = "pop3s", .ports = {995}, .direct = true, .summary = "POP3 over TLS (RFC 8314)"},
    {.name = "ldaps", .ports = {636}, .direct = true, .summary = "LDAP over TLS"},
    {.name = "ftps", .ports = {990}, .direct = true, .summary = "FTP over TLS (implicit)"},
    {.name = "xmpps", .ports = {5223}, .direct = true, .summary = "XMPP over TLS (XEP-0368)"},
    {.name = "dot", .ports = {853}, .direct = true, .summary = "DNS over TLS (RFC 7858)"},
    /* STARTTLS: a plaintext dialogue first */
    {.name = "smtp",
     .ports = {25, 587},
     .ops = &starttls_smtp_ops,
     .arg_new = starttls_text_arg_new,
     .seen = true,
     .summary = "SMTP / submission (RFC 3207)"},
    {.name = "lmtp",
     .ports = {24},
     .ops = &starttls_lmtp_ops,
     .arg_new = starttls_text_arg_new,
     .seen = true,
     .summary = "LMTP (RFC 2033, LHLO)"},
    {.name = "imap",
     .ports = {143},
     .ops = &starttls_imap_ops,
     .seen = true,
     .summary = "IMAP (RFC 9051)"},
    {.name = "pop3",
     .ports = {110},
     .ops = &starttls_pop3_ops,
     .seen = true,
     .summary = "POP3 (RFC 2595, STLS)"},
    {.name = "sieve",
     .ports = {4190},
     .ops = &starttls_sieve_ops,
     .seen = true,
     .summary = "ManageSieve (RFC 5804)"},
    {.name = "ftp",
     .ports = {21},
     .ops = &starttls_ftp_ops,
     .seen = true,
     .summary = "FTP (RFC 4217, AUTH TLS)"},
    {.name = "nntp",
     .ports = {119},
     .ops = &starttls_nntp_ops,
     .seen = true,
     .summary = "NNTP (RFC 4642)"},
    {.name = "irc",
     .ports = {6667},
     .ops = &starttls_irc_ops,
     .seen = true,
     .summary = "IRC (IRCv3 STARTTLS, 670)"},
    /* the binary and XML dialogues (binary.h) */
    {.name = "ldap",
     .ports = {389},
     .ops = &starttls_ldap_ops,
     .summary = "LDAP (RFC 4511 StartTLS extended operation)"},
    {.name = "xmpp",
     .ports = {5222},
     .ops = &starttls_xmpp_ops,
     .arg_new = starttls_xmpp_arg_new,
     .seen = true,
     .summary = "XMPP client-to-server (RFC 6120; to= from --xmpp-host)"},
    {.name = "xmpp-server",
     .ports = {5269},
     .ops = &starttls_xmpp_ops,
     .arg_new = starttls_xmpp_server_arg_new,
     .seen = true,
     .summary = "XMPP server-to-server (RFC 6120)"},
    {.name = "postgres",
     .ports = {5432},
     .ops = &starttls_postgres_ops,
     .summary = "PostgreSQL (SSLRequest)"},
    {.name = "mysql",
     .ports = {3306},
     .ops = &starttls_mysql_ops,
     .seen = true,
     .summary = "MySQL / MariaDB (CLIENT_SSL, SSLRequest)"},
};

#define N_PROTOS (sizeof(protos) / sizeof(protos[0]))

size_t starttls_count(void)
{
    return N_PROTOS;
}

const struct starttls_proto *starttls_at(size_t i)
{
    return i < N_PROTOS ? &protos[i] : NULL;
}

const struct starttls_proto *starttls_find(const char *name)
{
    for (size_t i = 0; name != NULL && i < N_PROTOS; i++) {
        if (strcmp(protos[i].name, name) == 0) {
            return &protos[i];
        }
    }
    return NULL;
}

const struct starttls_proto *starttls_for_port(uint16_t port)
{
    for (size_t i = 0; i < N_PROTOS; i++) {
        for (size_t k = 0; k < STARTTLS_MAX_PORTS && protos[i].ports[k] != 0; k++) {
            if (protos[i].ports[k] == port) {
                return &protos[i];
            }
        }
    }
    return &protos[0];
}

const struct starttls_proto *starttls_resolve(const char *name, uint16_t port)
{
    if (name == NULL || strcmp(name, STARTTLS_AUTO) == 0) {
        return starttls_for_port(port);
    }
    return starttls_find(name);
}

void starttls_names(char *buf, size_t buf_size)
{
    size_t used = (size_t)snprintf(buf, buf_size, "%s", STARTTLS_AUTO);
    for (size_t i = 0; i < N_PROTOS && used < buf_size; i++) {
        used += (size_t)snprintf(buf + used, buf_size - used, ", %s", protos[i].name);
    }
}

bool starttls_is_dialogue(const struct starttls_proto *p)
{
    return p != NULL && !p->direct && p->ops != NULL;
}
