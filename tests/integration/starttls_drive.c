/*
 * tests/integration/starttls_drive.c - drives one binary pre-TLS dialogue
 * (scanner/starttls/binary.h) against a real server for
 * tests/integration/starttls_bin.sh, through the scanner's own paths: the
 * blocking runner (net_connect, net_dialogue_run) and then one GnuTLS
 * handshake per version (handshake_probe with hs_options.dialogue, so the
 * dialogue runs again on each connection before the first TLS byte).
 *
 *   starttls_drive ldap|postgres|mysql|xmpp|xmpp-server|tls PORT [XMPP-DOMAIN]
 *
 * ("tls": no dialogue, TLS at once, for the same servers' direct-TLS ports)
 * connects to 127.0.0.1:PORT and prints "dialogue: ready" or "dialogue:
 * failed: <why>", then (when ready) one line per version:
 * "TLS 1.2: accepted TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" or
 * "TLS 1.0: refused <reason>". Exit 0 when it could run, 2 on bad usage.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "scanner/handshake.h"
#include "scanner/net/connect.h"
#include "scanner/starttls/binary.h"

#define DRIVE_TIMEOUT_MS 10000

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s PROTO PORT [XMPP-DOMAIN]\n", argv[0]);
        return 2;
    }
    struct starttls_xmpp_arg xa = {.domain = argc > 3 ? argv[3] : "localhost"};
    struct net_dialogue d = {.ops = NULL, .arg = NULL};
    if (strcmp(argv[1], "tls") == 0) {
        d.ops = NULL;
    } else if (strcmp(argv[1], "ldap") == 0) {
        d.ops = &starttls_ldap_ops;
    } else if (strcmp(argv[1], "postgres") == 0) {
        d.ops = &starttls_postgres_ops;
    } else if (strcmp(argv[1], "mysql") == 0) {
        d.ops = &starttls_mysql_ops;
    } else if (strcmp(argv[1], "xmpp") == 0 || strcmp(argv[1], "xmpp-server") == 0) {
        xa.server = strcmp(argv[1], "xmpp-server") == 0;
        d.ops = &starttls_xmpp_ops;
        d.arg = &xa;
    } else {
        fprintf(stderr, "%s: unknown protocol %s\n", argv[0], argv[1]);
        return 2;
    }
    unsigned long port;
    if (!util_parse_ulong(argv[2], 1, 65535, &port)) {
        fprintf(stderr, "%s: bad port %s\n", argv[0], argv[2]);
        return 2;
    }
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    struct net_error err;
    int64_t deadline = util_mono_ms() + DRIVE_TIMEOUT_MS;
    int fd = net_connect((const struct sockaddr *)&a, sizeof(a), deadline, NULL, &err);
    if (fd < 0) {
        printf("connect: %s\n", err.why);
        return 0;
    }
    int rc = net_dialogue_run(fd, d.ops != NULL ? &d : NULL, deadline, NULL, &err);
    close(fd);
    if (rc != 0) {
        printf("dialogue: failed: %s\n", err.why);
        return 0;
    }
    printf("dialogue: ready\n");

    if (handshake_global_init() != 0) {
        fprintf(stderr, "%s: GnuTLS setup failed\n", argv[0]);
        return 1;
    }
    struct hs_options opt = {.sni = NULL, .dialogue = d.ops != NULL ? &d : NULL};
    for (enum tls_version v = TLSV_HS_FIRST; v <= TLSV_TLS13; v++) {
        struct version_fact f;
        memset(&f, 0, sizeof(f));
        enum hs_result r = handshake_probe((const struct sockaddr *)&a, sizeof(a), &opt, v,
                                           DRIVE_TIMEOUT_MS, &f, NULL);
        if (r != HS_DONE) {
            printf("%s: error %s\n", tls_version_name(v), f.reason);
        } else if (f.state == PROBE_ACCEPTED) {
            printf("%s: accepted %s\n", tls_version_name(v), f.suite_name);
        } else {
            printf("%s: %s %s\n", tls_version_name(v), probe_state_name(f.state), f.reason);
        }
    }
    handshake_global_deinit();
    return 0;
}
