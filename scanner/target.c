/*
 * scanner/target.c - parsing and resolving scan targets (see target.h).
 *
 * Everything here handles user input: every rejection says what was
 * expected, and a failed file load leaves the list as it was.
 */
#include "scanner/target.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/infile.h"
#include "common/util.h"

#define TARGET_MAX_LINE 4096
#define TARGET_MAX_FILE (64 * 1024 * 1024) /* bytes of one targets file */
#define LINE_SYNTAX "TARGET [sni=NAME] [tags=TAG,...] [starttls=PROTO]"

void target_list_init(struct target_list *l)
{
    memset(l, 0, sizeof(*l));
}

static void spec_cleanup(struct target_spec *t)
{
    free(t->host);
    free(t->sni);
    free(t->origin);
    strlist_cleanup(&t->tags);
}

/* A tag: letters, digits, '-', '_', '.', 1..64 bytes. */
static bool valid_tag(const char *s, size_t len)
{
    if (len == 0 || len > 64) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isalnum(c) && c != '-' && c != '_' && c != '.') {
            return false;
        }
    }
    return true;
}

/* Splits "a,b,c" into t->tags. Returns 0 or -1 with the reason in why. */
static int parse_tags(struct target_spec *t, const char *tags, char *why, size_t why_len)
{
    const char *p = tags;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (!valid_tag(p, len)) {
            snprintf(why, why_len,
                     "tags '%s': expected comma-separated tags of letters, digits, '-', '_', '.'",
                     tags);
            return -1;
        }
        if (strlist_add_n(&t->tags, p, len) != 0) {
            snprintf(why, why_len, "out of memory");
            return -1;
        }
        if (comma == NULL) {
            return 0;
        }
        p = comma + 1;
    }
}

void target_list_cleanup(struct target_list *l)
{
    for (size_t i = 0; i < l->n_items; i++) {
        spec_cleanup(&l->items[i]);
    }
    free(l->items);
    target_list_init(l);
}

/* fnv1a folds the bytes of s (lower-cased when fold) into h. */
static uint64_t fnv1a(uint64_t h, const char *s, bool fold)
{
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        unsigned char ch = fold && *p >= 'A' && *p <= 'Z' ? (unsigned char)(*p + 32) : *p;
        h = (h ^ ch) * 0x100000001b3ULL;
    }
    return (h ^ 0xffu) * 0x100000001b3ULL; /* a separator no text contains */
}

int target_shard_of(const struct target_spec *t, const char *sni_default, int n)
{
    char port[8];
    snprintf(port, sizeof(port), "%u", (unsigned)t->port);
    const char *sni = t->sni != NULL ? t->sni : sni_default != NULL ? sni_default : "";
    uint64_t h = 0xcbf29ce484222325ULL;
    h = fnv1a(h, t->host, true);
    h = fnv1a(h, port, false);
    h = fnv1a(h, sni, true);
    h = fnv1a(h, t->starttls != NULL ? t->starttls->name : "", false);
    return n > 0 ? (int)(h % (uint64_t)n) + 1 : 1;
}

size_t target_list_keep_shard(struct target_list *l, const char *sni_default, int k, int n)
{
    size_t kept = 0;
    for (size_t i = 0; i < l->n_items; i++) {
        if (target_shard_of(&l->items[i], sni_default, n) == k) {
            l->items[kept++] = l->items[i];
        } else {
            spec_cleanup(&l->items[i]);
        }
    }
    l->n_items = kept;
    return kept;
}

bool target_is_ip_literal(const char *host)
{
    unsigned char buf[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

/* A DNS host name: labels of letters, digits, '-' and '_' (seen in the
 * wild), 1..63 bytes each, 253 bytes in all. */
static bool valid_hostname(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > 253) {
        return false;
    }
    size_t label = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c == '.') {
            if (label == 0) {
                return false;
            }
            label = 0;
            continue;
        }
        if (!isalnum(c) && c != '-' && c != '_') {
            return false;
        }
        if (++label > 63) {
            return false;
        }
    }
    return label > 0 || len > 1;
}

bool target_valid_sni(const char *name)
{
    size_t len = strlen(name);
    return valid_hostname(name) && name[len - 1] != '.' && !target_is_ip_literal(name);
}

static int parse_port(const char *s, uint16_t *out, char *err, size_t err_len)
{
    unsigned long v;
    if (!util_parse_ulong(s, 1, 65535, &v)) {
        snprintf(err, err_len, "port '%s' is not a number from 1 to 65535", s);
        return -1;
    }
    *out = (uint16_t)v;
    return 0;
}

int target_parse(const char *text, char **out_host, uint16_t *out_port, char *err, size_t err_len)
{
    char host[512];
    uint16_t port = TARGET_DEFAULT_PORT;
    size_t len = strlen(text);

    if (len == 0) {
        snprintf(err, err_len, "empty target (expected host, host:port or [ipv6]:port)");
        return -1;
    }
    if (len >= sizeof(host)) {
        snprintf(err, err_len, "target longer than %zu bytes", sizeof(host) - 1);
        return -1;
    }
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (close == NULL) {
            snprintf(err, err_len, "'%s': missing ']' after the IPv6 address", text);
            return -1;
        }
        size_t hlen = (size_t)(close - text - 1);
        memcpy(host, text + 1, hlen);
        host[hlen] = '\0';
        unsigned char buf[sizeof(struct in6_addr)];
        if (inet_pton(AF_INET6, host, buf) != 1) {
            snprintf(err, err_len, "'%s': '%s' is not an IPv6 address", text, host);
            return -1;
        }
        if (close[1] == ':') {
            if (parse_port(close + 2, &port, err, err_len) != 0) {
                return -1;
            }
        } else if (close[1] != '\0') {
            snprintf(err, err_len, "'%s': expected ':port' after ']'", text);
            return -1;
        }
    } else {
        const char *colon = strchr(text, ':');
        if (colon != NULL && strchr(colon + 1, ':') != NULL) {
            /* More than one colon and no brackets: a bare IPv6 address. */
            unsigned char buf[sizeof(struct in6_addr)];
            if (inet_pton(AF_INET6, text, buf) != 1) {
                snprintf(err, err_len,
                         "'%s' is not an IPv6 address (write [address]:port to give a port)", text);
                return -1;
            }
            memcpy(host, text, len + 1);
        } else {
            size_t hlen = colon ? (size_t)(colon - text) : len;
            memcpy(host, text, hlen);
            host[hlen] = '\0';
            if (colon != NULL && parse_port(colon + 1, &port, err, err_len) != 0) {
                return -1;
            }
            if (!valid_hostname(host) && !target_is_ip_literal(host)) {
                snprintf(err, err_len,
                         "'%s' is not a host name or IP address (expected host, host:port "
                         "or [ipv6]:port)",
                         host);
                return -1;
            }
        }
    }
    char *h = strdup(host);
    if (h == NULL) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    *out_host = h;
    *out_port = port;
    return 0;
}

int target_list_add(struct target_list *l, const char *text, const char *sni, const char *tags,
                    const char *origin, char *err, size_t err_len)
{
    return target_list_add_proto(l, text, sni, tags, NULL, origin, err, err_len);
}

const struct starttls_proto *target_starttls(const struct target_spec *t, const char *scan_default)
{
    if (t->starttls != NULL) {
        return t->starttls;
    }
    const struct starttls_proto *p = starttls_resolve(scan_default, t->port);
    return p != NULL ? p : starttls_find(STARTTLS_NONE);
}

int target_list_add_proto(struct target_list *l, const char *text, const char *sni,
                          const char *tags, const char *starttls, const char *origin, char *err,
                          size_t err_len)
{
    char why[600];
    struct target_spec t = {0};
    strlist_init(&t.tags);

    if (target_parse(text, &t.host, &t.port, why, sizeof(why)) != 0) {
        snprintf(err, err_len, "%s: %s", origin, why);
        return -1;
    }
    if (starttls != NULL) {
        t.starttls = starttls_resolve(starttls, t.port);
        if (t.starttls == NULL) {
            char names[512];
            starttls_names(names, sizeof(names));
            snprintf(err, err_len, "%s: unknown starttls protocol '%s' (expected one of: %s)",
                     origin, starttls, names);
            spec_cleanup(&t);
            return -1;
        }
    }
    if (tags != NULL && parse_tags(&t, tags, why, sizeof(why)) != 0) {
        snprintf(err, err_len, "%s: %s", origin, why);
        spec_cleanup(&t);
        return -1;
    }
    if (sni != NULL && !target_valid_sni(sni)) {
        snprintf(err, err_len, "%s: sni '%s' is not a DNS host name", origin, sni);
        spec_cleanup(&t);
        return -1;
    }
    t.sni = sni ? strdup(sni) : NULL;
    t.origin = strdup(origin);
    if ((sni && t.sni == NULL) || t.origin == NULL) {
        goto oom;
    }
    if (l->n_items == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 8;
        struct target_spec *n = realloc(l->items, ncap * sizeof(*n));
        if (n == NULL) {
            goto oom;
        }
        l->items = n;
        l->cap = ncap;
    }
    l->items[l->n_items++] = t;
    return 0;
oom:
    spec_cleanup(&t);
    snprintf(err, err_len, "%s: out of memory", origin);
    return -1;
}

/* Splits line (modified in place) into whitespace-separated words. */
static size_t split_words(char *line, char **words, size_t max_words)
{
    size_t n = 0;
    char *p = line;
    while (*p != '\0') {
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (*p == '\0') {
            break;
        }
        if (n == max_words) {
            return max_words + 1;
        }
        words[n++] = p;
        while (*p != '\0' && *p != ' ' && *p != '\t') {
            p++;
        }
        if (*p != '\0') {
            *p++ = '\0';
        }
    }
    return n;
}

/* check_line rejects bytes no target, option or comment holds: a NUL or
 * another control character anywhere (tab aside), and outside a comment a
 * byte that is not ASCII (host names are ASCII: IDNs as xn-- A-labels).
 * Returns 0, or -1 with "NAME:LINE: ..." in err. */
static int check_line(const char *line, size_t len, const char *name, unsigned long lineno,
                      char *err, size_t err_len)
{
    bool comment = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)line[i];
        if (c == '\0') {
            snprintf(err, err_len, "%s:%lu: NUL byte in the line", name, lineno);
            return -1;
        }
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            snprintf(err, err_len, "%s:%lu: control character 0x%02x in the line", name, lineno, c);
            return -1;
        }
        comment = comment || c == '#';
        if (c >= 0x80 && !comment) {
            snprintf(err, err_len,
                     "%s:%lu: byte 0x%02x is not ASCII: expected host names in ASCII (xn-- for "
                     "international names)",
                     name, lineno, c);
            return -1;
        }
    }
    return 0;
}

int target_list_load_text(struct target_list *l, const char *name, const char *text,
                          size_t text_len, char *err, size_t err_len)
{
    size_t n_before = l->n_items;
    char line[TARGET_MAX_LINE + 1];
    unsigned long lineno = 0;
    int rc = -1;

    for (size_t pos = 0; pos < text_len;) {
        lineno++;
        const char *nl = memchr(text + pos, '\n', text_len - pos);
        size_t len = nl != NULL ? (size_t)(nl - (text + pos)) : text_len - pos;
        const char *start = text + pos;
        pos += len + (nl != NULL ? 1 : 0);
        if (len > 0 && start[len - 1] == '\r') {
            len--;
        }
        if (len > TARGET_MAX_LINE) {
            snprintf(err, err_len, "%s:%lu: line longer than %d bytes", name, lineno,
                     TARGET_MAX_LINE);
            goto out;
        }
        if (check_line(start, len, name, lineno, err, err_len) != 0) {
            goto out;
        }
        memcpy(line, start, len);
        line[len] = '\0';
        char *hash = strchr(line, '#');
        if (hash != NULL) {
            *hash = '\0';
        }
        char *words[4];
        size_t n = split_words(line, words, 4);
        if (n == 0) {
            continue;
        }
        char origin[600];
        snprintf(origin, sizeof(origin), "%s:%lu", name, lineno);
        if (n > 4) {
            snprintf(err, err_len, "%s: too many fields (expected: %s)", origin, LINE_SYNTAX);
            goto out;
        }
        const char *sni = NULL;
        const char *tags = NULL;
        const char *proto = NULL;
        for (size_t i = 1; i < n; i++) {
            if (strncmp(words[i], "sni=", 4) == 0 && sni == NULL) {
                sni = words[i] + 4;
            } else if (strncmp(words[i], "tags=", 5) == 0 && tags == NULL) {
                tags = words[i] + 5;
            } else if (strncmp(words[i], "starttls=", 9) == 0 && proto == NULL) {
                proto = words[i] + 9;
            } else {
                snprintf(err, err_len, "%s: unexpected '%s' (expected: %s)", origin, words[i],
                         LINE_SYNTAX);
                goto out;
            }
        }
        if (target_list_add_proto(l, words[0], sni, tags, proto, origin, err, err_len) != 0) {
            goto out;
        }
    }
    rc = 0;
out:
    if (rc != 0) {
        while (l->n_items > n_before) {
            spec_cleanup(&l->items[--l->n_items]);
        }
    }
    return rc;
}

int target_list_load_file(struct target_list *l, const char *path, char *err, size_t err_len)
{
    bool is_stdin = strcmp(path, "-") == 0;
    const char *name = is_stdin ? "<stdin>" : path;
    size_t text_len = 0;
    char *text = is_stdin
                     ? infile_read_fd(0, name, TARGET_MAX_FILE, &text_len, err, err_len)
                     : infile_read(path, "targets file", TARGET_MAX_FILE, &text_len, err, err_len);
    if (text == NULL) {
        return -1;
    }
    int rc = target_list_load_text(l, name, text, text_len, err, err_len);
    free(text);
    return rc;
}

int target_resolve(const struct target_spec *t, bool first_only, struct target_addr **out,
                   size_t *n_out, char *err, size_t err_len)
{
    struct addrinfo hints = {0};
    struct addrinfo *res = NULL;
    char port[8];
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    hints.ai_flags = AI_ADDRCONFIG;
    if (target_is_ip_literal(t->host)) {
        hints.ai_flags = AI_NUMERICHOST;
    }
    snprintf(port, sizeof(port), "%u", (unsigned)t->port);
    int gai = getaddrinfo(t->host, port, &hints, &res);
    if (gai == EAI_ADDRFAMILY || gai == EAI_NONAME) {
        /* AI_ADDRCONFIG hides loopback-only answers in a namespace with no
         * other interface; ask again without it. */
        hints.ai_flags &= ~AI_ADDRCONFIG;
        gai = getaddrinfo(t->host, port, &hints, &res);
    }
    if (gai != 0) {
        snprintf(err, err_len, "cannot resolve '%s': %s", t->host, gai_strerror(gai));
        return -1;
    }
    size_t n = 0;
    for (struct addrinfo *a = res; a != NULL; a = a->ai_next) {
        n++;
    }
    struct target_addr *addrs = calloc(n ? n : 1, sizeof(*addrs));
    if (addrs == NULL) {
        freeaddrinfo(res);
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    size_t k = 0;
    for (struct addrinfo *a = res; a != NULL; a = a->ai_next) {
        if (a->ai_addrlen > sizeof(addrs[k].sa)) {
            continue;
        }
        struct target_addr *ta = &addrs[k];
        memcpy(&ta->sa, a->ai_addr, a->ai_addrlen);
        ta->sa_len = a->ai_addrlen;
        if (getnameinfo(a->ai_addr, a->ai_addrlen, ta->ip, sizeof(ta->ip), NULL, 0,
                        NI_NUMERICHOST) != 0) {
            continue;
        }
        bool dup = false;
        for (size_t j = 0; j < k; j++) {
            dup = dup || strcmp(addrs[j].ip, ta->ip) == 0;
        }
        if (!dup) {
            k++;
        }
        if (first_only && k == 1) {
            break;
        }
    }
    freeaddrinfo(res);
    if (k == 0) {
        free(addrs);
        snprintf(err, err_len, "'%s' resolved to no usable address", t->host);
        return -1;
    }
    *out = addrs;
    *n_out = k;
    return 0;
}
