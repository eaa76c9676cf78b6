/*
 * reports/json.h - the JSON output of a scan (schema: docs/json-output.md).
 *
 * Targets are added as they finish, each dumped to a temporary file and
 * freed; the document is written at the end with the targets read back
 * one at a time (memory flat in the number of targets). Strings that came from a server are
 * escaped by jansson; bytes that are not UTF-8 are made visible first
 * (\xNN), since JSON strings must be Unicode.
 *
 * Ownership: json_report_new returns a report the caller frees with
 * json_report_free.
 */
#ifndef TLSAUDIT_REPORTS_JSON_H
#define TLSAUDIT_REPORTS_JSON_H

#include <stdint.h>
#include <stdio.h>

#include "common/model/facts.h"
#include "common/model/probe_result.h"

/* Version of the JSON document's layout; bumped on incompatible change. */
#define JSON_SCHEMA_VERSION 1

struct json_report;

struct json_scan_info {
    int64_t scan_id; /* id in the store */
    int64_t started_ms;
    const char *db_path;
    const char *trust_store;
};

/* json_report_new returns NULL when out of memory or no temporary file
 * can be made. */
struct json_report *json_report_new(const struct json_scan_info *info);
void json_report_free(struct json_report *j);

/* json_report_scan_limit sets the scan object's "target_budget_ms" (the
 * time budget each target had; 0 = none, written as null) so a reader can
 * bound the scan's duration from its own figures. Returns 0 or -1. */
__attribute__((warn_unused_result)) int json_report_scan_limit(struct json_report *j,
                                                               int64_t target_budget_ms);

/* json_report_add_target appends one target. Returns 0 or -1 (no memory). */
__attribute__((warn_unused_result)) int json_report_add_target(struct json_report *j,
                                                               const struct target_result *r);

/* json_report_add_probe appends result p to the "probes" of the target
 * added index-th (0-based; the checks across targets that the store adds
 * once the scan is stored, store_drown_shared_key), called with index
 * ascending (several calls for one index keep their order). Returns 0, or
 * -1 (no such target, an index below the previous call's, no memory or a
 * temporary file that cannot be written). */
__attribute__((warn_unused_result)) int json_report_add_probe(struct json_report *j, size_t index,
                                                              const struct probe_result *p);

/* json_report_attach parses json_text (a complete JSON document, e.g. the
 * policy check's) and adds it to the top level under key. Returns 0, or -1
 * when the text does not parse or memory runs out. */
__attribute__((warn_unused_result)) int json_report_attach(struct json_report *j, const char *key,
                                                           const char *json_text, size_t len);

/* json_report_attach_file adds the document in doc (a temporary file
 * holding a complete document that jansson dumped with JSON_INDENT(2), the
 * policy check's) to the top level under key, without reading it:
 * json_report_write copies it into place, the bytes json_report_attach
 * would give for its text (reports/json_splice.c), so memory does not
 * grow with its size. doc is the report's from then on (closed by
 * json_report_free), also on failure. One document per report. Returns 0,
 * or -1 (one attached already, a key too long, no memory). */
__attribute__((warn_unused_result)) int json_report_attach_file(struct json_report *j,
                                                                const char *key, FILE *doc);

/* json_report_write writes the document with the scan's end time and state
 * ("complete", "interrupted") to out. Returns 0 or -1. */
__attribute__((warn_unused_result)) int json_report_write(struct json_report *j, FILE *out,
                                                          int64_t finished_ms, const char *state);

#endif
