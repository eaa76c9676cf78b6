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

#include "common/model/facts.h"
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

/* report_load_heads reads the scan row and its policy runs without their
 * findings, and no target: what report_each_target walks (for renderers
 * whose memory must not grow with the number of targets). report_keep_runs
 * and report_regate work on it as on a full load. Errors as report_load. */
__attribute__((warn_unused_result)) int report_load_heads(struct store *s, int64_t scan_id,
                                                          const char *db_path,
                                                          struct report_data *out, char *err,
                                                          size_t err_len);

/* What report_each_target calls per target: one a view of d holding only
 * that target (n_targets 1, its targets.id) and, in each run, only its
 * findings on it (in the order stored), valid during the call. Returns 0
 * to go on, non-zero to stop (report_each_target then returns -1 and
 * leaves err to the callback). */
typedef int (*report_target_fn)(void *arg, const struct report_data *one);

/* report_each_target walks the targets of d's scan in the order stored, one
 * at a time (store_each_target: one read snapshot, each target freed
 * before the next), for d loaded by report_load_heads. Returns 0, or -1
 * (a database error in err, or fn stopped it). */
__attribute__((warn_unused_result)) int report_each_target(struct store *s, struct report_data *d,
                                                           report_target_fn fn, void *arg,
                                                           char *err, size_t err_len);

/* report_data_cleanup frees what d owns and zeroes it; accepts a zeroed
 * struct. */
void report_data_cleanup(struct report_data *d);

/* report_target_index returns the index in d->targets of targets.id tid,
 * or -1 when it is not a target of the scan. */
long report_target_index(const struct report_data *d, int64_t tid);

/* Which targets the HTML report shows in detail (--detail, --summary). */
enum report_detail {
    REPORT_DETAIL_AUTO = 0, /* all up to REPORT_DETAIL_AUTO_MAX targets, else failing */
    REPORT_DETAIL_ALL,      /* every target */
    REPORT_DETAIL_FAILING,  /* targets not compliant under some policy, or not scanned */
};
#define REPORT_DETAIL_AUTO_MAX 100

struct report_options {
    bool color;                /* text only: ANSI colour (the CLI asks on a TTY without NO_COLOR) */
    enum report_detail detail; /* html only */
    int64_t now_ms;            /* Unix ms taken as "now" (expiry, days left); 0: the clock */
    int expiring_days; /* --expiring DAYS: list certificates expiring within DAYS; -1: not asked */
};

/* ---- helpers the renderers share (reports/report.c) ---------------------- */

/* report_verdict_parse returns the enum verdict (common/model/vocab.h: the
 * order every report lists them in) of a stored verdict name; -1 for NULL
 * or a name this build does not know. report_severity_rank does the same
 * for a stored severity: 0 (info) .. 4 (critical), -1 unknown/NULL. Both
 * are vocab's parse as an int, for counts and sort keys. */
int report_verdict_parse(const char *name);
int report_severity_rank(const char *severity);

/* Verdict counts of one run over one target or all targets. */
struct report_counts {
    size_t v[VERDICT_COUNT];
    size_t total;
};

/* report_count counts the findings of run whose target is target_id (all
 * targets when target_id < 0). */
void report_count(const struct store_run *run, int64_t target_id, struct report_counts *out);

/* report_run_verdict: the verdict of target target_id for run at the run's
 * gate (run->gate: as stored, or as report_regate set it; see
 * common/model/gate.h): not-evaluated when the run has no finding there.
 * Every renderer takes a target's verdict from here, so all formats agree
 * with each other and with the exit code. */
enum target_verdict report_run_verdict(const struct store_run *run, int64_t target_id);

/* report_blocks: finding f of run counts as a failure of run's gate
 * (gate_fails_ci: fail at or above fail_on; with fail_on_inconclusive an
 * inconclusive one there too). */
bool report_blocks(const struct store_run *run, const struct store_finding_row *f);

/* report_gate_fails: some scanned target's verdict under some run makes
 * the gate fail (gate_exit_fails): what exit 1 means. */
bool report_gate_fails(const struct report_data *d);

/* report_regate judges the runs of d again (`report --fail-on SEV`,
 * `--fail-on-inconclusive`): with set_fail_on every run at {fail_on,
 * fail_on_inconclusive} instead of its stored gate; without it each keeps
 * its stored severity and fail_on_inconclusive, when true, is added. */
void report_regate(struct report_data *d, bool set_fail_on, enum severity fail_on,
                   bool fail_on_inconclusive);

/* report_keep_runs keeps one policy run per policy: the newest (highest
 * id), or, when run_id > 0, that run for its policy. Returns 0, or -1 with
 * "no policy run N in scan S" in err when run_id is not a run of d. */
__attribute__((warn_unused_result)) int report_keep_runs(struct report_data *d, int64_t run_id,
                                                         char *err, size_t err_len);

/* report_gate_text writes "high" or "high, inconclusive fails" for g. */
const char *report_gate_text(const struct gate *g, char *buf, size_t len);

/* report_scanned: the target was scanned (status ok or no-tls); the others
 * have no findings and are listed as not scanned. */
bool report_scanned(const struct target_result *r);

/* report_target_label writes "host:port" ("[v6]:port") into buf. */
const char *report_target_label(const struct target_result *r, char *buf, size_t len);

/* report_endpoint_names (reports/names.c) names every target of d once,
 * unique within d, for formats whose consumers key on a name (JUnit suite
 * names, SARIF locations): report_target_label, then " sni=NAME" when the
 * SNI sent is not the host, then " @ADDRESS" when another target has the
 * same name so far (one host resolved to several addresses), then
 * " #TARGET_ID" when that is still not unique. Returns a malloc'ed array of
 * d->n_targets names in target order (NULL when out of memory or d has
 * no target); the caller frees it. */
struct report_name {
    char s[512];
};
struct report_name *report_endpoint_names(const struct report_data *d);

/* The duplicates report_endpoint_names resolves, for naming the targets of
 * a scan one at a time (the streamed JUnit and SARIF): the base names
 * (label and SNI) that several targets share, and the names after step
 * " @ADDRESS" that several still share, sorted, each once. Only duplicated
 * names are kept (none for distinct targets). */
struct report_names {
    char **dup_base, **dup_at;
    size_t n_dup_base, n_dup_at;
};

/* report_names_scan fills out for the targets of scan_id, read from s by
 * one pass over their rows (store_each_target_row: no fact), which holds
 * two names per target (each at most 512 bytes, typically ~40) until the
 * duplicates are found and frees them. Returns 0, or -1 with the reason in
 * err (database error, out of memory) and out empty. report_names_cleanup
 * frees what out holds. */
__attribute__((warn_unused_result)) int report_names_scan(struct store *s, int64_t scan_id,
                                                          struct report_names *out, char *err,
                                                          size_t err_len);
void report_names_cleanup(struct report_names *n);

/* report_names_name writes into out the name report_endpoint_names gives
 * target r (targets.id id) of the scan n was made for. */
void report_names_name(const struct report_names *n, const struct target_result *r, int64_t id,
                       struct report_name *out);

/* One certificate of a served chain that expires within the asked days. */
struct report_expiry {
    size_t target;                /* index in report_data.targets */
    size_t position;              /* 0 = leaf, in the chain as served */
    size_t deployment;            /* which of the target's chains (facts.h; 0: its first) */
    const struct cert_fact *cert; /* borrowed from d */
    int64_t not_after;            /* Unix seconds */
    int64_t days_left;            /* whole days from "now" to notAfter, rounded down; < 0 expired */
    bool expired;                 /* notAfter is at or before "now" */
};

/* report_expiring lists every certificate of every served chain (leaf,
 * intermediates, a sent root; of every deployment, a certificate two
 * chains of one target share listed once, in the first) whose notAfter is
 * at or before now_ms + days days, expired ones included, soonest first (then target order, then
 * chain position). Returns 0 with a malloc'ed array (NULL when none; the
 * caller frees) or -1 when out of memory. */
__attribute__((warn_unused_result)) int report_expiring(const struct report_data *d, int64_t now_ms,
                                                        int days, struct report_expiry **out,
                                                        size_t *n_out);

/* report_now_ms returns o->now_ms, or the clock when it is 0. */
int64_t report_now_ms(const struct report_options *o);

/* ---- rendering ---------------------------------------------------------- */

enum report_format {
    REPORT_TEXT,
    REPORT_JSON,
    REPORT_CSV,
    REPORT_JUNIT,
    REPORT_MARKDOWN,
    REPORT_HTML,
    REPORT_SARIF,
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

/* report_streams: format f has a streamed writer (report_stream): text,
 * json, csv, markdown, junit and sarif, with or without --expiring
 * (expiring: o->expiring_days >= 0), and html without it. */
bool report_streams(enum report_format f, bool expiring);

/* report_stream writes what report_write(f) writes for a full load (the
 * same bytes), reading the targets one at a time from s
 * (report_each_target) for d loaded by report_load_heads: memory flat in
 * the number of targets but for what each format says below. *gate_fails
 * says what report_gate_fails says of the full load. Returns 0, or -1 with
 * the reason in err (database error, out of memory, a temporary file that
 * cannot be written, a format without a streamed writer). Findings are
 * read per target, in the order stored: the whole run's order, as policy
 * runs store their findings target by target.
 * - text: the targets' part in a temporary file, provenance and summary
 *   written around it at the end;
 * - json: each target's object, and its verdict and findings per run, in
 *   temporary files, spliced into the document; the inventory (each
 *   distinct certificate, the targets' indexes per version and suite) is
 *   kept in memory;
 * - csv: each target's rows written as it is read, the verdict and finding
 *   rows of each run in temporary files copied after them;
 * - markdown: the tables and lists in temporary files, the worst findings
 *   kept as the MD_WORST worst so far;
 * - with --expiring (o->expiring_days >= 0; text, json, markdown) each
 *   expiring certificate's text goes to a temporary file and a 48-byte key
 *   stays in memory until they are sorted (reports/expiry_acc.h);
 * - junit, sarif: see report_stream_junit below. */
__attribute__((warn_unused_result)) int report_stream(FILE *out, enum report_format f,
                                                      struct store *s, struct report_data *d,
                                                      const struct report_options *o,
                                                      bool *gate_fails, char *err, size_t err_len);

/* The streamed writers report_stream dispatches to; same contract. */
__attribute__((warn_unused_result)) int
report_stream_text(FILE *out, struct store *s, struct report_data *d,
                   const struct report_options *o, bool *gate_fails, char *err, size_t err_len);
__attribute__((warn_unused_result)) int
report_stream_json(FILE *out, struct store *s, struct report_data *d,
                   const struct report_options *o, bool *gate_fails, char *err, size_t err_len);
__attribute__((warn_unused_result)) int
report_stream_csv(FILE *out, struct store *s, struct report_data *d, const struct report_options *o,
                  bool *gate_fails, char *err, size_t err_len);
__attribute__((warn_unused_result)) int
report_stream_markdown(FILE *out, struct store *s, struct report_data *d,
                       const struct report_options *o, bool *gate_fails, char *err, size_t err_len);

/* report_stream_junit and report_stream_sarif do for REPORT_JUNIT and
 * REPORT_SARIF what report_stream_text does for text (same contract, the
 * bytes of report_write for a full load; neither format lists expiring
 * certificates, so o->expiring_days does not matter): one target at a
 * time, memory flat in the number of targets but for the names several
 * targets share (report_names_scan) and, for SARIF, one stored finding per
 * rule of each run (store_load_run_rules: the rules come before the
 * results). */
__attribute__((warn_unused_result)) int
report_stream_junit(FILE *out, struct store *s, struct report_data *d,
                    const struct report_options *o, bool *gate_fails, char *err, size_t err_len);
__attribute__((warn_unused_result)) int
report_stream_sarif(FILE *out, struct store *s, struct report_data *d,
                    const struct report_options *o, bool *gate_fails, char *err, size_t err_len);

/* report_stream_html does for REPORT_HTML what report_stream_text does
 * for text (same contract, same bytes as report_write for a full load
 * without --expiring): each target's pieces (its summary row, its detail,
 * its failing findings, the certificates, versions and suites it serves)
 * are rendered one target at a time into a sort spool (store/spool.h: a
 * temporary SQLite database on disk), which gives them back grouped and
 * in the report's order. Memory: one target and its findings, the
 * per-policy-run counts and SQLite's page cache, flat in the number of
 * targets; the spool takes about the report's size on disk. */
__attribute__((warn_unused_result)) int
report_stream_html(FILE *out, struct store *s, struct report_data *d,
                   const struct report_options *o, bool *gate_fails, char *err, size_t err_len);

/* report_write_expiring_text writes the text report's "Certificates
 * expiring within DAYS" section (o->expiring_days >= 0), for `scan`'s
 * streaming text output. Same contract as report_write. */
int report_write_expiring_text(FILE *out, const struct report_data *d,
                               const struct report_options *o, char *err, size_t err_len);

/* report_write_expiring_json writes the report document's "expiring"
 * object (docs/json-output.md) as one JSON text, for `scan --format json`
 * to add to its own document. Same contract as report_write. */
int report_write_expiring_json(FILE *out, const struct report_data *d,
                               const struct report_options *o, char *err, size_t err_len);

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
int report_write_sarif(FILE *out, const struct report_data *d, const struct report_options *o,
                       char *err, size_t err_len);

#endif
