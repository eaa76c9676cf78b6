/*
 * tests/fuzz/capture.c - records a real server's first flight for the
 * parser tests and the fuzz corpus (run by tests/fuzz/capture.sh, not by
 * make check).
 *
 *     capture PORT VERSION OUT [SUITE...]
 *
 * connects to 127.0.0.1:PORT (never anywhere else), sends a hello built by
 * hello_build for VERSION (ssl2 ssl3 tls10 tls11 tls12 tls13 tls13-hrr
 * tls12-alpn tls12-status), offering the given suites (hex) or every
 * registry suite of that version, and writes every byte the server sends
 * until it goes quiet for half a second into OUT. A summary of the parsed
 * flight goes to stderr.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "common/util.h"
#include "scanner/hello.h"
#include "common/model/registry.h"

#define CAPTURE_MAX (256 * 1024)

static int capture_version(const char *name, struct hello_params *p, unsigned *reg)
{
    static const char *const alpn[] = {"h2", "http/1.1"};
    if (strcmp(name, "ssl2") == 0) {
        hello_params_init(p, TLS_WIRE_SSL2);
        *reg = TLSV_BIT(TLSV_SSL2);
    } else if (strcmp(name, "ssl3") == 0) {
        hello_params_init(p, TLS_WIRE_SSL3);
        *reg = TLSV_BIT(TLSV_SSL3);
    } else if (strcmp(name, "tls10") == 0) {
        hello_params_init(p, TLS_WIRE_TLS10);
        *reg = TLSV_BIT(TLSV_TLS10);
    } else if (strcmp(name, "tls11") == 0) {
        hello_params_init(p, TLS_WIRE_TLS11);
        *reg = TLSV_BIT(TLSV_TLS11);
    } else if (strncmp(name, "tls12", 5) == 0) {
        hello_params_init(p, TLS_WIRE_TLS12);
        *reg = TLSV_BIT(TLSV_TLS12);
        if (strcmp(name, "tls12-alpn") == 0) {
            p->alpn = alpn;
            p->n_alpn = 2;
            p->ext |= HELLO_EXT_HEARTBEAT;
        } else if (strcmp(name, "tls12-status") == 0) {
            p->ext |= HELLO_EXT_STATUS_REQUEST;
        }
    } else if (strncmp(name, "tls13", 5) == 0) {
        hello_params_init(p, TLS_WIRE_TLS13);
        *reg = TLSV_BIT(TLSV_TLS13);
        if (strcmp(name, "tls13-hrr") == 0) {
            p->shares = 0; /* an empty key_share provokes a HelloRetryRequest */
        }
    } else {
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int rc = 1;
    int fd = -1;
    FILE *out = NULL;
    uint32_t *suites = NULL;
    uint8_t *got = NULL;
    struct hello_params p;
    unsigned reg = 0;
    unsigned long port;
    size_t n_suites = 0;

    if (argc < 4 || !util_parse_ulong(argv[1], 1, 65535, &port) ||
        capture_version(argv[2], &p, &reg) != 0) {
        fprintf(stderr, "usage: capture PORT VERSION OUT [SUITE...]\n");
        return 2;
    }
    suites = calloc(registry_n_suites + (size_t)argc, sizeof(*suites));
    got = malloc(CAPTURE_MAX);
    if (suites == NULL || got == NULL) {
        goto out;
    }
    for (int i = 4; i < argc; i++) {
        char *end = NULL;
        errno = 0;
        unsigned long v = strtoul(argv[i], &end, 16);
        if (errno != 0 || end == argv[i] || *end != '\0' || v > 0xffffff) {
            fprintf(stderr, "capture: bad suite %s\n", argv[i]);
            goto out;
        }
        suites[n_suites++] = (uint32_t)v;
    }
    if (n_suites == 0) {
        for (size_t i = 0; i < registry_n_suites; i++) {
            const struct suite_info *s = &registry_suites[i];
            if ((s->versions & reg) && !registry_suite_is_scsv(s)) {
                suites[n_suites++] = s->code;
            }
        }
    }
    p.suites = suites;
    p.n_suites = n_suites;

    uint8_t hello[HELLO_MAX_LEN];
    struct wbuf w;
    wbuf_init_fixed(&w, hello, sizeof(hello));
    int brc = hello_build(&p, &w);
    if (brc != HELLO_OK) {
        fprintf(stderr, "capture: hello_build: %d\n", brc);
        goto out;
    }

    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    struct timeval tv = {0, 500000};
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
        connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        perror("capture: connect");
        goto out;
    }
    if (write(fd, wbuf_data(&w), wbuf_len(&w)) != (ssize_t)wbuf_len(&w)) {
        perror("capture: write");
        goto out;
    }
    size_t n_got = 0;
    for (;;) {
        ssize_t n = read(fd, got + n_got, CAPTURE_MAX - n_got);
        if (n <= 0) {
            break;
        }
        n_got += (size_t)n;
        if (n_got == CAPTURE_MAX) {
            break;
        }
    }
    out = fopen(argv[3], "wb");
    if (out == NULL || fwrite(got, 1, n_got, out) != n_got) {
        perror("capture: output");
        goto out;
    }

    struct hello_flight f;
    if (hello_flight_init(&f, &p, 0, 0) != HELLO_OK) {
        goto out;
    }
    enum hello_status st = hello_flight_feed(&f, got, n_got);
    st = hello_flight_eof(&f);
    const struct hello_result *res = hello_flight_result(&f);
    fprintf(stderr,
            "capture: %zu bytes, hello %zu bytes, status %d (%s at %zu), answer %d, version "
            "0x%04x, suite 0x%04x, certs %zu, ske %d (p %u bits, group %u), done %d\n",
            n_got, wbuf_len(&w), (int)st,
            hello_flight_error(&f)->reason ? hello_flight_error(&f)->reason : "-",
            hello_flight_error(&f)->offset, (int)res->answer, res->sh.version, res->sh.suite,
            res->certificate.n_certs, res->have_ske, res->ske.dh_p_bits, res->ske.ec_group,
            res->have_done);
    hello_flight_cleanup(&f);
    rc = 0;
out:
    if (out != NULL && fclose(out) != 0) {
        rc = 1;
    }
    if (fd >= 0) {
        close(fd);
    }
    free(suites);
    free(got);
    return rc;
}
