/*
 * policies/load_yaml.h - the loader's view of libyaml, shared by load.c (the
 * document: caps, rules, extends, waivers) and load_node.c (typed reads of
 * nodes with FILE:LINE:COLUMN errors). One of libyaml's adapter files
 * (tests/layers.sh): the check files see only policies/checks/checks.h.
 *
 * Ownership: struct load owns its canon/display strings and the hash
 * state until load.c's cleanup; struct pfile owns its yaml document.
 */
#ifndef TLSAUDIT_POLICIES_LOAD_YAML_H
#define TLSAUDIT_POLICIES_LOAD_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "policies/checks/checks.h"
#include "policies/hash.h"
#include "policies/policy_int.h"

#define LOAD_MAX_FILE (1024 * 1024) /* bytes of one policy file */
#define LOAD_MAX_DEPTH 16           /* files in one `extends` chain */
#define LOAD_MAX_LIST 1024          /* items of any one list, keys of any one mapping */
#define LOAD_MAX_NODES 100000       /* nodes in a document, aliases counted each time used */
#define LOAD_MAX_NESTING 32         /* lists and mappings inside each other */
#define LOAD_MAX_ANCHORS 256        /* &anchors in one file */

/* The state of one policy_load call across the files of an `extends` chain. */
struct load {
    char *err;
    size_t err_len;
    struct policy_hash hash;
    char *canon[LOAD_MAX_DEPTH];   /* real paths of the files being loaded, outermost first */
    char *display[LOAD_MAX_DEPTH]; /* their names as shown in errors */
    size_t depth;
};

/* One file being parsed. */
struct pfile {
    struct load *ld;
    const char *path; /* display name, for errors */
    yaml_document_t doc;
};

/* load_fail_at reports a problem at a 1-based line and column. */
__attribute__((format(printf, 4, 5))) bool load_fail_at(struct pfile *f, size_t line, size_t col,
                                                        const char *fmt, ...);
/* load_escape_err rewrites the control characters of err (C0, DEL, and C1
 * in UTF-8) as \xNN, so that an error quoting the file's text stays one
 * line and cannot drive a terminal. Idempotent. */
void load_escape_err(char *err, size_t err_len);
yaml_node_t *load_node(struct pfile *f, int index);
/* load_id checks an id: letters, digits, '.', '_', '-', starting with a
 * letter or digit, at most 63 characters. */
bool load_id(struct pfile *f, const yaml_node_t *n, const char *what, char out[64]);
/* load_strings appends a string or a list of strings to out. */
bool load_strings(struct pfile *f, const yaml_node_t *n, const char *what, struct strlist *out);
/* load_yaml_error formats libyaml's error (a reader error's byte offset
 * becomes a line and column). */
bool load_yaml_error(struct pfile *f, const yaml_parser_t *p, const char *text, size_t len);
/* load_walk bounds the nodes (an alias counted each time it is used) and
 * the nesting under n; false at the first node over a limit. */
bool load_walk(struct pfile *f, const yaml_node_t *n, unsigned depth, size_t *count);

#endif
