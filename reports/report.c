/*
 * reports/report.c - loading one scan for the renderers (reports/report.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/report.h"

int report_load(struct store *s, int64_t scan_id, const char *db_path, struct report_data *out,
                char *err, size_t err_len)
{
    memset(out, 0, sizeof(*out));
    out->db_path = db_path;
    if (store_scan_info(s, scan_id, &out->info) != 0 ||
        store_load_targets(s, scan_id, &out->targets, &out->target_ids, &out->n_targets) != 0 ||
        store_load_runs(s, scan_id, &out->runs, &out->n_runs) != 0) {
        snprintf(err, err_len, "%s", store_errmsg(s));
        report_data_cleanup(out);
        return -1;
    }
    return 0;
}

void report_data_cleanup(struct report_data *d)
{
    store_scan_info_cleanup(&d->info);
    store_targets_free(d->targets, d->n_targets);
    free(d->target_ids);
    store_runs_free(d->runs, d->n_runs);
    memset(d, 0, sizeof(*d));
}

long report_target_index(const struct report_data *d, int64_t tid)
{
    for (size_t i = 0; i < d->n_targets; i++) {
        if (d->target_ids[i] == tid) {
            return (long)i;
        }
    }
    return -1;
}

static const char *const report_format_names[] = {
    [REPORT_TEXT] = "text",   [REPORT_JSON] = "json",         [REPORT_CSV] = "csv",
    [REPORT_JUNIT] = "junit", [REPORT_MARKDOWN] = "markdown", [REPORT_HTML] = "html",
};

bool report_format_parse(const char *name, enum report_format *out)
{
    for (size_t i = 0; i < sizeof(report_format_names) / sizeof(report_format_names[0]); i++) {
        if (strcmp(name, report_format_names[i]) == 0) {
            *out = (enum report_format)i;
            return true;
        }
    }
    return false;
}

const char *report_format_name(enum report_format f)
{
    return report_format_names[f];
}

int report_write(FILE *out, enum report_format f, const struct report_data *d,
                 const struct report_options *o, char *err, size_t err_len)
{
    switch (f) {
    case REPORT_TEXT:
        return report_write_text(out, d, o, err, err_len);
    case REPORT_JSON:
        return report_write_json(out, d, o, err, err_len);
    case REPORT_CSV:
        return report_write_csv(out, d, o, err, err_len);
    case REPORT_JUNIT:
        return report_write_junit(out, d, o, err, err_len);
    case REPORT_MARKDOWN:
        return report_write_markdown(out, d, o, err, err_len);
    case REPORT_HTML:
        return report_write_html(out, d, o, err, err_len);
    }
    snprintf(err, err_len, "unknown report format %d", (int)f);
    return -1;
}
