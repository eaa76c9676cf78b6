/*
 * common/model/probe_result.h - the generic per-probe result record.
 *
 * Most behaviour and vulnerability tests (Heartbleed, CCS injection,
 * fallback SCSV, ROBOT ...) say one thing per (probe, version, suite):
 * vulnerable or not, present or not, could not test, and why. They add
 * ROWS of this record to struct target_result's probe list, not fields to
 * the facts: the store keeps them in one table (probe_results) and every
 * report renders them generically, so a new probe needs no schema
 * migration and no renderer change (docs/ARCHITECTURE.md, "How to add a
 * probe result").
 *
 * Libc only (common/model/). Ownership: struct probe_list (in facts.h)
 * owns its array and each record's evidence; probe_list_cleanup (called
 * by target_result_cleanup) frees them.
 */
#ifndef TLSAUDIT_MODEL_PROBE_RESULT_H
#define TLSAUDIT_MODEL_PROBE_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/model/facts.h"
#include "common/model/vocab.h"

/* Caps: a target holds at most PROBE_LIST_MAX results; a probe id is at
 * most PROBE_ID_LEN - 1 bytes; evidence at most PROBE_EVIDENCE_MAX bytes. */
#define PROBE_LIST_MAX 4096
#define PROBE_ID_LEN 48
#define PROBE_EVIDENCE_MAX 4096

/* The version of a result that is about no one protocol version. */
#define PROBE_NO_VERSION TLSV_COUNT

/* What a probe found: enum probe_result_state and its names are in vocab.h. */

/* One result of one probe. */
struct probe_result {
    char id[PROBE_ID_LEN];    /* stable probe id: "heartbleed", "fallback_scsv" */
    enum tls_version version; /* the version it was about, or PROBE_NO_VERSION */
    uint32_t suite;           /* IANA code of the suite it was about, 0 = none */
    enum probe_result_state state;
    char detail[FACT_TEXT]; /* why, in words; "" when nothing to say */
    char *evidence;         /* owned, optional (NULL), <= PROBE_EVIDENCE_MAX bytes:
                               what decided it (bytes seen, as text) */
};

/* probe_list_add appends a result to l: id (required, non-empty, shorter
 * than PROBE_ID_LEN), version, suite, state, detail (NULL for "";
 * truncated to FACT_TEXT - 1 bytes) and evidence (NULL for none; copied,
 * truncated to PROBE_EVIDENCE_MAX bytes). Returns 0, or -1 (a bad id, the
 * list already holds PROBE_LIST_MAX results, out of memory) with l
 * unchanged. l's header is not touched: the caller says whether the
 * collection ran (fact_header). */
__attribute__((warn_unused_result)) int probe_list_add(struct probe_list *l, const char *id,
                                                       enum tls_version version, uint32_t suite,
                                                       enum probe_result_state state,
                                                       const char *detail, const char *evidence);

/* probe_list_move appends every result of src to dst, in order, and
 * leaves src empty (its header reset); dst's header becomes collected
 * when src's was, could-not-test (with src's detail) when src's was.
 * Returns 0, or -1 when dst cannot grow (out of memory, PROBE_LIST_MAX):
 * the results that did not fit are dropped and dst's header says so. */
int probe_list_move(struct probe_list *dst, struct probe_list *src);

/* probe_list_cleanup frees what l owns and resets it (header "not
 * collected", no result). */
void probe_list_cleanup(struct probe_list *l);

#endif
