/*
 * reports/json_splice.h - a JSON document written with jansson whose
 * large parts are not held in memory: the document is built with a hole
 * (json_splice_hole) where each such part goes, dumped, and written with
 * the parts spliced into the holes at their depth, so the bytes are those
 * of one json_dumps of the whole tree (JSON_INDENT(2) and the caller's
 * other flags). Used by the scan document (reports/json.c), the streamed
 * report (reports/report_json_stream.c) and the check document
 * (reports/check_report.c).
 *
 * A part is either an array whose elements are dumped one at a time as
 * they come (json_splice_put: into a temporary file, struct json_part,
 * or straight into the output between json_splice_open and
 * json_splice_close), or a whole document written before into a file of
 * its own (json_splice_value), indented to its depth as it is copied.
 *
 * Why the holes are safe: a hole is found with its key, the newline and
 * the indentation before it; a raw newline never occurs inside a dumped
 * JSON string (jansson escapes it), so no string of a server, a policy or
 * a path can make that text, even one equal to the hole's.
 *
 * Only reports/ includes this header (it exposes jansson types).
 * Ownership: json_splice_put takes v's reference; struct json_part owns
 * its temporary file; struct json_splice owns the skeleton's dump and
 * borrows out and every file it copies.
 */
#ifndef TLSAUDIT_REPORTS_JSON_SPLICE_H
#define TLSAUDIT_REPORTS_JSON_SPLICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* Two spaces a level: the layout the splice reproduces. */
#define JSON_SPLICE_INDENT 2

/* json_splice_put writes v (its reference taken; NULL fails) to f as an
 * element of an array whose elements are at depth (the top level's
 * members are at depth 1), dumped with JSON_INDENT(2) | flags: after ","
 * unless first, a newline and the indentation, v's own lines indented to
 * that depth. Returns 0 or -1. */
int json_splice_put(FILE *f, json_t *v, int depth, size_t flags, bool first);

/* One array's elements written to a temporary file as they come. */
struct json_part {
    FILE *f;
    size_t n;     /* elements so far */
    int depth;    /* the elements' depth */
    size_t flags; /* dump flags besides JSON_INDENT(2) */
};

/* json_part_open opens p's temporary file. Returns 0, or -1 (no file). */
int json_part_open(struct json_part *p, int depth, size_t flags);

/* json_part_add appends v (reference taken) to p. Returns 0 or -1. */
int json_part_add(struct json_part *p, json_t *v);

/* json_part_close closes p's file (p zeroed; a zeroed p is a no-op). */
void json_part_close(struct json_part *p);

/* json_splice_hole returns the value standing for a part (new reference). */
json_t *json_splice_hole(void);

/* One document being written: the skeleton's dump, and how far of it is
 * written to out. */
struct json_splice {
    FILE *out;
    char *text;
    const char *pos;
};

/* json_splice_begin dumps root (borrowed) with JSON_INDENT(2) | flags for
 * writing to out; nothing is written yet. Returns 0, or -1 (no memory). */
int json_splice_begin(struct json_splice *s, FILE *out, const json_t *root, size_t flags);

/* json_splice_open writes the skeleton up to the next hole, which must be
 * the value of key at key_depth, and the "[" of the array in its place;
 * the caller then writes the elements (json_splice_put at key_depth + 1)
 * to s->out and json_splice_close ends the array of n elements. Holes are
 * filled in the order of the document. Each returns 0 or -1 (no such hole
 * there, write error). */
int json_splice_open(struct json_splice *s, const char *key, int key_depth);
int json_splice_close(struct json_splice *s, int key_depth, size_t n);

/* json_splice_part fills the next hole, the value of key one level above
 * p's elements, with p's array (its file read from the start). */
int json_splice_part(struct json_splice *s, const char *key, struct json_part *p);

/* json_splice_value fills the next hole, the value of key at key_depth,
 * with the document in doc (read from its start: one value dumped at top
 * level with the same flags and JSON_INDENT(2), and at most one newline
 * after it, which is dropped), its lines indented to that depth. */
int json_splice_value(struct json_splice *s, const char *key, int key_depth, FILE *doc);

/* json_splice_finish writes the rest of the skeleton and a newline when
 * rc is 0, frees the dump in any case and returns rc, or -1 when that
 * write failed. */
int json_splice_finish(struct json_splice *s, int rc);

#endif
