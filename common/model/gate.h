/*
 * common/model/gate.h - the gate of a policy run (`--fail-on SEV`,
 * `--fail-on-inconclusive`) and the one verdict it gives each target for
 * each policy: what every output (check and report text, JSON, CSV, JUnit,
 * Markdown, HTML) and the exit code say, computed here once.
 *
 * A target's verdict for one policy, from its findings under that policy:
 * - "non-compliant": some finding is "fail" (not waived) with a severity
 *   at or above the gate's severity;
 * - "not-demonstrated": none fails at the gate, but some finding is
 *   "inconclusive" (a fact the rule needs could not be established, e.g. a
 *   revocation check that could not be done) at or above the gate's
 *   severity: nothing shows the target fails, nothing shows it complies;
 * - "compliant": neither (fails below the gate, warnings, waivers, and
 *   inconclusive findings below the gate do not count);
 * - "not-evaluated": the target has no finding under the policy (not
 *   scanned, or outside every rule's scope).
 * Over several policies the worst counts: non-compliant > not-demonstrated
 * > compliant (not-evaluated only when every policy is).
 *
 * The exit code: a non-compliant target makes a CI gate fail (exit 1);
 * a not-demonstrated one does only with fail_on_inconclusive.
 *
 * The names are in the JSON, CSV and JUnit outputs: never rename one.
 * Libc only (common/model/).
 */
#ifndef TLSAUDIT_MODEL_GATE_H
#define TLSAUDIT_MODEL_GATE_H

#include <stdbool.h>

#include "common/model/vocab.h"

/* The gate a policy run was judged at. */
struct gate {
    enum severity fail_on;     /* --fail-on (default SEV_HIGH) */
    bool fail_on_inconclusive; /* --fail-on-inconclusive */
};

/* GATE_DEFAULT: --fail-on high without --fail-on-inconclusive, the gate of
 * a policy run stored before the gate was (schema 3 and older). */
#define GATE_DEFAULT ((struct gate){.fail_on = SEV_HIGH, .fail_on_inconclusive = false})

/* A target's verdict for a policy, best first (a larger value is worse,
 * but TV_NOT_EVALUATED is no verdict: see target_verdict_worst). */
enum target_verdict {
    TV_NOT_EVALUATED,
    TV_COMPLIANT,
    TV_NOT_DEMONSTRATED,
    TV_NON_COMPLIANT,
};
#define TV_COUNT (TV_NON_COMPLIANT + 1)

/* target_verdict_name: "not-evaluated", "compliant", "not-demonstrated",
 * "non-compliant" ("?" out of range). target_verdict_label: the words of
 * the human outputs: "not evaluated", "pass", "not demonstrated", "fail". */
const char *target_verdict_name(enum target_verdict v);
const char *target_verdict_label(enum target_verdict v);
bool target_verdict_parse(const char *name, enum target_verdict *out);

/* gate_blocks: a finding of verdict v and severity s makes the target
 * non-compliant at g ("fail", severity >= fail_on). */
bool gate_blocks(const struct gate *g, enum verdict v, enum severity s);

/* gate_undemonstrated: the finding makes the target at best
 * not-demonstrated at g ("inconclusive", severity >= fail_on). */
bool gate_undemonstrated(const struct gate *g, enum verdict v, enum severity s);

/* gate_fails_ci: with fail_on_inconclusive, an inconclusive finding at the
 * gate counts as a CI failure too: gate_blocks || (fail_on_inconclusive &&
 * gate_undemonstrated). What JUnit reports as a <failure>. */
bool gate_fails_ci(const struct gate *g, enum verdict v, enum severity s);

/* gate_step folds one finding into a target's verdict so far (start with
 * TV_NOT_EVALUATED): the finding makes it at least compliant, and worse
 * when it blocks or is undemonstrated at g. */
enum target_verdict gate_step(enum target_verdict acc, const struct gate *g, enum verdict v,
                              enum severity s);

/* target_verdict_worst: the worse of two verdicts (not-evaluated loses to
 * every verdict). */
enum target_verdict target_verdict_worst(enum target_verdict a, enum target_verdict b);

/* gate_exit_fails: a target with verdict v makes the exit code 1 at g. */
bool gate_exit_fails(const struct gate *g, enum target_verdict v);

#endif
