/*
 * reports/json_private.h - the pieces of the scan document (reports/json.c)
 * that the stored-scan report (reports/report_json.c) reuses, so both
 * documents describe a target, a certificate and a chain in exactly the
 * same way (docs/schema/tlsaudit-v1.schema.json, $defs/target).
 *
 * Only reports/ includes this header (it exposes jansson types).
 *
 * Ownership: each function returns a new reference (NULL when out of
 * memory) that the caller passes on or releases with json_decref.
 */
#ifndef TLSAUDIT_REPORTS_JSON_PRIVATE_H
#define TLSAUDIT_REPORTS_JSON_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include <jansson.h>

#include "common/model/facts.h"

/* json_text_value: a JSON string for s (valid UTF-8 kept, other bytes as
 * the visible text \xNN); JSON null for NULL. */
json_t *json_text_value(const char *s);

/* json_time_value: ISO 8601 UTC for Unix ms; null when ms <= 0. */
json_t *json_time_value(int64_t ms);

/* json_target_value: the TARGET object of docs/json-output.md. */
json_t *json_target_value(const struct target_result *r);

/* json_grade_value: the "grade" object of r (grade_target), new reference. */
json_t *json_grade_value(const struct target_result *r);

/* json_put_element writes v (its reference taken) as an element of an
 * array at depth in jansson's JSON_INDENT(2) layout: after "," unless
 * first, a newline and the indentation, v's own lines indented to that
 * depth (a dump never holds a raw newline inside a string). The caller
 * writes "[" before the first and "\n" plus depth - 1 levels and "]"
 * after the last. Returns 0 or -1. */
int json_put_element(FILE *out, json_t *v, int depth, bool first);

/* json_splice_doc copies the document in (dumped by jansson with
 * JSON_INDENT(2) and a final newline, read from its start) to out at depth
 * (2 spaces each) with every non-ASCII character escaped: the bytes of
 * jansson's JSON_INDENT(2) | JSON_ENSURE_ASCII dump of the parsed document
 * as a value at that depth (reports/json_splice.c says why). Returns 0, or
 * -1 on a read or write error, an empty document or invalid UTF-8. */
int json_splice_doc(FILE *out, FILE *in, int depth);

/* ---- the report document's pieces (reports/report_json.c), shared with
 * its streamed writer (reports/report_json_stream.c) ---------------------- */
struct report_data;
struct report_counts;
struct store_run;
struct store_finding_row;
struct inventory;

/* report_json_finding: one finding of run. */
json_t *report_json_finding(const struct store_run *run, const struct store_finding_row *f);

/* report_json_run: run's object with its counts k; it takes the references
 * of verdicts and findings (the arrays, or what stands in their place). */
json_t *report_json_run(const struct store_run *run, const struct report_counts *k,
                        json_t *verdicts, json_t *findings);

/* report_json_inventory: the "inventory" object of inv, the targets named
 * by d->target_ids. */
json_t *report_json_inventory(const struct report_data *d, const struct inventory *inv);

/* report_json_root: the document around targets and runs (their references
 * taken, and those of expiring and inventory). */
json_t *report_json_root(const struct report_data *d, int64_t now_ms, json_t *targets, json_t *runs,
                         json_t *expiring, json_t *inventory, size_t n_targets, size_t n_scanned);

#endif
