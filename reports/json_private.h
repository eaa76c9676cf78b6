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

#endif
