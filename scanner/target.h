/*
 * scanner/target.h - scan targets: parsing what the user gives (arguments
 * and targets files) and resolving names to the addresses to connect to.
 *
 * Syntax: `host`, `host:port`, `[ipv6]:port` or a bare IPv6 address; the
 * port defaults to 443. A targets file has one target per line, optionally
 * followed by `sni=NAME`, `tags=TAG[,TAG...]` (tags scope policy rules,
 * e.g. `tags=pan`) and `starttls=PROTO` (a row of scanner/starttls/starttls.h,
 * or `auto`: by port); `#` starts a comment; blank lines are ignored.
 *
 * Ownership: a target_list owns its specs and their strings;
 * target_list_cleanup() frees them.
 */
#ifndef TLSAUDIT_SCANNER_TARGET_H
#define TLSAUDIT_SCANNER_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "common/strlist.h"
#include "scanner/starttls/starttls.h"

#define TARGET_DEFAULT_PORT 443

struct target_spec {
    char *host; /* name or address literal (IPv6 without brackets), owned */
    uint16_t port;
    char *sni;           /* explicit SNI name (sni= or --sni), NULL when not given, owned */
    char *origin;        /* where it came from, for messages: "FILE:LINE" or "argument N", owned */
    struct strlist tags; /* tags= of the targets file, owned */
    /* starttls= of the targets file (auto already resolved by port), a row
     * of the static table; NULL when not given: the scan's --starttls
     * (scan_options.starttls) decides (target_starttls). */
    const struct starttls_proto *starttls;
};

struct target_list {
    struct target_spec *items;
    size_t n_items;
    size_t cap;
};

/* One address a target resolved to. */
struct target_addr {
    struct sockaddr_storage sa;
    socklen_t sa_len;
    char ip[64]; /* textual form */
};

void target_list_init(struct target_list *l);
void target_list_cleanup(struct target_list *l);

/* target_parse parses one target text (`host[:port]`, `[v6]:port`, bare v6)
 * into host and port. Returns 0, or -1 with what was expected in err. */
__attribute__((warn_unused_result)) int target_parse(const char *text, char **out_host,
                                                     uint16_t *out_port, char *err, size_t err_len);

/* target_list_add parses text and appends it with the given sni (may be
 * NULL), tags (comma-separated, may be NULL) and origin. Returns 0, or -1 with the reason (prefixed
 * by origin) in err. */
__attribute__((warn_unused_result)) int target_list_add(struct target_list *l, const char *text,
                                                        const char *sni, const char *tags,
                                                        const char *origin, char *err,
                                                        size_t err_len);

/* target_list_add_proto is target_list_add with a starttls= value (NULL:
 * none given; "auto": by the target's port; else a row's name). An unknown
 * name is an error naming the accepted ones. */
__attribute__((warn_unused_result)) int
target_list_add_proto(struct target_list *l, const char *text, const char *sni, const char *tags,
                      const char *starttls, const char *origin, char *err, size_t err_len);

/* target_starttls returns t's protocol row: its own starttls=, else
 * scan_default (a name: --starttls; NULL means auto) resolved for t's
 * port, else the "none" row. Never NULL. */
const struct starttls_proto *target_starttls(const struct target_spec *t, const char *scan_default);

/* target_list_load_file reads a targets file ("-" is standard input, which
 * may be a pipe; a named file must be a regular file), at most 64 MiB.
 * Returns 0, or -1 with "FILE:LINE: what was expected" (or the reason the
 * file cannot be read: "FILE: not a regular file", ...) in err; the list
 * then holds nothing from this file. */
__attribute__((warn_unused_result)) int
target_list_load_file(struct target_list *l, const char *path, char *err, size_t err_len);

/* target_list_load_text is target_list_load_file for text_len bytes of
 * text already in memory (NUL bytes allowed: they are an error), named
 * name in errors. */
__attribute__((warn_unused_result)) int target_list_load_text(struct target_list *l,
                                                              const char *name, const char *text,
                                                              size_t text_len, char *err,
                                                              size_t err_len);

/* target_shard_of gives the shard (1..n) of t among n: a hash (64-bit
 * FNV-1a) of its endpoint identity, the host in ASCII lower case, the port,
 * the SNI it is scanned with (its sni=, else sni_default, the --sni) and
 * its starttls= (a --starttls given to every target changes no shard),
 * so the same target falls in the same shard on every machine and run.
 * target_list_keep_shard keeps only the targets of shard k of n in l, in
 * their order, and returns how many it kept. */
int target_shard_of(const struct target_spec *t, const char *sni_default, int n);
size_t target_list_keep_shard(struct target_list *l, const char *sni_default, int k, int n);

/* target_is_ip_literal says whether host is an IPv4 or IPv6 address. */
bool target_is_ip_literal(const char *host);

/* target_valid_sni says whether name can be sent as an SNI host name
 * (RFC 6066 §3: a DNS name, no IP literal, no trailing dot). */
bool target_valid_sni(const char *name);

/* target_resolve resolves t->host (TCP). Returns 0 and a malloc'ed array
 * *out of *n_out addresses (caller frees; all of them, or only the first
 * when first_only), or -1 with the resolver's reason in err. */
__attribute__((warn_unused_result)) int target_resolve(const struct target_spec *t, bool first_only,
                                                       struct target_addr **out, size_t *n_out,
                                                       char *err, size_t err_len);

#endif
