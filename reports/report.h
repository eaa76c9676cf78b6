/*
 * reports/report.h - everything stored about one scan, loaded once for the
 * report renderers (`tlsaudit report`, `scan --format`, history, diff).
 *
 * Pipeline position: store -> [report_load] -> reports/<format>.c.
 *
 * Every string in the model that came from a server (certificate fields,
 * error text, evidence quoting them) is hostile: each renderer escapes it
 * for its format (reports/escape.h).
 *
 * Ownership: report_load fills caller storage that report_data_cleanup
 * frees.
 */
#ifndef TLSAUDIT_REPORTS_REPORT_H
#define TLSAUDIT_REPORTS_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "scanner/facts.h"
#include "store/store.h"

struct report_data {
    struct store_scan_info info;   /* the scan's row (provenance) */
    struct target_result *targets; /* in the order they were stored */
    int64_t *target_ids;           /* targets.id of each, same order */
    size_t n_targets;
    struct store_run *runs; /* policy runs of the scan, oldest first */
    size_t n_runs;
    const char *db_path; /* borrowed: the database file, for provenance */
};

/* report_load reads scan_id from s: the scan row, every target and every
 * policy run with its findings. Returns 0, or -1 with the reason in err
 * ("no scan N", database error) and *out zeroed. */
__attribute__((warn_unused_result)) int report_load(struct store *s, int64_t scan_id,
                                                    const char *db_path, struct report_data *out,
                                                    char *err, size_t err_len);

/* report_data_cleanup frees what d owns and zeroes it; accepts a zeroed
 * struct. */
void report_data_cleanup(struct report_data *d);

/* report_target_index returns the index in d->targets of targets.id tid,
 * or -1 when it is not a target of the scan. */
long report_target_index(const struct report_data *d, int64_t tid);

/* ---- rendering ---------------------------------------------------------- */

enum report_format {
    REPORT_TEXT,
    REPORT_JSON,
    REPORT_CSV,
    REPORT_JUNIT,
    REPORT_MARKDOWN,
    REPORT_HTML,
};

/* The names report_format_parse accepts, for --help and errors. */
#define REPORT_FORMAT_NAMES "text, json, csv, junit, markdown, html"

struct report_options {
    bool color;        /* text only: ANSI colour (the CLI asks on a TTY without NO_COLOR) */
    int64_t now_ms;    /* Unix ms taken as "now" (expiry, days left); 0: the clock */
    int expiring_days; /* --expiring DAYS: list certificates expiring within DAYS; -1: not asked */
};

/* report_format_parse maps a --format value to its format. */
bool report_format_parse(const char *name, enum report_format *out);

/* report_format_name returns the --format name of f. */
const char *report_format_name(enum report_format f);

/* report_write renders d in format f to out. Returns 0, or -1 with the
 * reason in err (out of memory, a format that cannot be written). Write
 * errors of out are the caller's to check (ferror / fclose). */
__attribute__((warn_unused_result)) int report_write(FILE *out, enum report_format f,
                                                     const struct report_data *d,
                                                     const struct report_options *o, char *err,
                                                     size_t err_len);

/* The renderers report_write dispatches to, one file each under reports/;
 * same contract as report_write. */
int report_write_text(FILE *out, const struct report_data *d, const struct report_options *o,
                      char *err, size_t err_len);
int report_write_json(FILE *out, const struct report_data *d, const struct report_options *o,
                      char *err, size_t err_len);
int report_write_csv(FILE *out, const struct report_data *d, const struct report_options *o,
                     char *err, size_t err_len);
int report_write_junit(FILE *out, const struct report_data *d, const struct report_options *o,
                       char *err, size_t err_len);
int report_write_markdown(FILE *out, const struct report_data *d, const struct report_options *o,
                          char *err, size_t err_len);
int report_write_html(FILE *out, const struct report_data *d, const struct report_options *o,
                      char *err, size_t err_len);

#endif
