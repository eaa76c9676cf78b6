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
