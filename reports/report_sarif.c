/*
 * reports/report_sarif.c - `--format sarif`: the failing policy findings of
 * a stored scan as one SARIF 2.1.0 log (OASIS), for code-scanning
 * dashboards (GitHub code scanning, SARIF viewers).
 *
 * Pipeline position: report_load (reports/report.c) -> [this file] -> out;
 * the streamed log (reports/report_sarif_stream.c, one target at a time)
 * is put together from this file's pieces (reports/sarif_private.h).
 *
 * Layout (docs/ci.md; validated against the OASIS schema,
 * docs/schema/sarif-schema-2.1.0.json, by tests/report/golden.sh):
 *   { "$schema", "version": "2.1.0", "runs": [ one run ] }
 *   run.tool.driver     name "tlsaudit", the scan's tool version, rules[]:
 *                       one reportingDescriptor per (policy, rule) that the
 *                       kept policy runs evaluated, id "POLICY/RULE", with
 *                       the title, the requirement it implements (the
 *                       clause) and the policy in its descriptions and
 *                       properties, defaultConfiguration.level from the
 *                       severity at the run's gate
 *   run.invocations[0]  the scan: start and end, the machine, the command
 *                       line stored with it, executionSuccessful (complete
 *                       and every target scanned), one error notification
 *                       per target not scanned, and the policy runs
 *   run.results[]       one per failing finding of a scanned target, in run
 *                       then stored order: a fail (level "error" when it
 *                       fails the run's gate, "warning" below it), a waived
 *                       one (its level as a fail, with an accepted external
 *                       suppression carrying the justification), an
 *                       inconclusive one that fails the gate under
 *                       --fail-on-inconclusive ("error"); pass, warn and
 *                       other inconclusive findings make no result
 *   a result's location the target: a logical location (the endpoint's
 *                       unique name, report_endpoint_names, and its
 *                       tls://HOST:PORT URI) and a physical location whose
 *                       artifactLocation is the relative URI "tls/NAME"
 *                       (percent-encoded): GitHub code scanning requires a
 *                       physical location and refuses absolute URIs of
 *                       schemes it does not know
 * Every string is built with jansson; text from a server goes through
 * json_text_value (valid UTF-8 kept, other bytes as visible \xNN), and
 * message texts escape '[', ']' and '\' (SARIF §3.11.6: an embedded link is
 * [text](target), so hostile text cannot forge one).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "config.h"
#include "reports/json_private.h"
#include "reports/report.h"
#include "reports/sarif_private.h"

#define SARIF_SCHEMA_URI "https://json.schemastore.org/sarif-2.1.0.json"

/* set takes the reference of v; a NULL v (out of memory) fails. */
static int set(json_t *o, const char *key, json_t *v)
{
    if (v == NULL) {
        return -1;
    }
    return json_object_set_new(o, key, v);
}

static int push(json_t *a, json_t *v)
{
    if (v == NULL) {
        return -1;
    }
    return json_array_append_new(a, v);
}

/* A growable C string for the texts put together here. */
struct sbuf {
    char *s;
    size_t len, cap;
    bool failed;
};

static void sb_putc(struct sbuf *b, char c)
{
    if (b->failed) {
        return;
    }
    if (b->len + 2 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        char *s = realloc(b->s, cap);
        if (s == NULL) {
            b->failed = true;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
    b->s[b->len++] = c;
    b->s[b->len] = '\0';
}

/* sb_text appends s; with message set, '[', ']' and '\' get a backslash. */
static void sb_text(struct sbuf *b, const char *s, bool message)
{
    for (; s != NULL && *s != '\0'; s++) {
        if (message && (*s == '[' || *s == ']' || *s == '\\')) {
            sb_putc(b, '\\');
        }
        sb_putc(b, *s);
    }
}

/* sb_take returns the text as a JSON string and frees the buffer. */
static json_t *sb_take(struct sbuf *b)
{
    json_t *v = b->failed ? NULL : json_text_value(b->s ? b->s : "");
    free(b->s);
    memset(b, 0, sizeof(*b));
    return v;
}

static json_t *sarif_message(json_t *text)
{
    return text ? json_pack("{s:o}", "text", text) : NULL;
}

/* sb_pct appends s percent-encoded as RFC 3986 pchar: unreserved,
 * sub-delims, ':' and '@' stay, every other byte is %XX. */
static void sb_pct(struct sbuf *b, const char *s)
{
    static const char keep[] = "-._~!$&'()*+,;=:@";
    static const char hex[] = "0123456789ABCDEF";
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (alnum || (c != '\0' && strchr(keep, c) != NULL)) {
            sb_putc(b, (char)c);
        } else {
            sb_putc(b, '%');
            sb_putc(b, hex[c >> 4]);
            sb_putc(b, hex[c & 15]);
        }
    }
}

/* sarif_endpoint_uri: tls://HOST:PORT, with ?starttls=PROTO and &sni=NAME
 * (or ?sni=) when the target has them. */
static json_t *sarif_endpoint_uri(const struct target_result *r)
{
    struct sbuf b = {0};
    bool v6 = strchr(r->host, ':') != NULL;
    sb_text(&b, "tls://", false);
    sb_text(&b, v6 ? "[" : "", false);
    if (v6) {
        sb_text(&b, r->host, false); /* target.c accepted it as an IPv6 address */
    } else {
        sb_pct(&b, r->host);
    }
    char port[16];
    snprintf(port, sizeof(port), "%s:%u", v6 ? "]" : "", (unsigned)r->port);
    sb_text(&b, port, false);
    bool app = r->starttls[0] != '\0' && strcmp(r->starttls, "none") != 0;
    bool sni = r->sni != NULL && r->sni[0] != '\0' && strcasecmp(r->sni, r->host) != 0;
    if (app) {
        sb_text(&b, "/?starttls=", false);
        sb_pct(&b, r->starttls);
    }
    if (sni) {
        sb_text(&b, app ? "&sni=" : "/?sni=", false);
        sb_pct(&b, r->sni);
    }
    return sb_take(&b);
}

/* sarif_location: target t as a result's location. */
static json_t *sarif_location(const struct report_data *d, size_t t, const char *name)
{
    const struct target_result *r = &d->targets[t];
    struct sbuf path = {0};
    sb_text(&path, "tls/", false);
    sb_pct(&path, name);
    json_t *uri = sb_take(&path);
    json_t *fqn = sarif_endpoint_uri(r);
    struct sbuf msg = {0};
    sb_text(&msg, "TLS endpoint ", true);
    sb_text(&msg, name, true);
    if (r->ip[0] != '\0') {
        sb_text(&msg, " at ", true);
        sb_text(&msg, r->ip, true);
    }
    json_t *text = sb_take(&msg);
    json_t *o = NULL;
    if (uri != NULL && fqn != NULL && text != NULL) {
        o = json_pack("{s:{s:{s:o}}, s:[{s:o, s:O, s:s}], s:o}", "physicalLocation",
                      "artifactLocation", "uri", uri, "logicalLocations", "name",
                      json_text_value(name), "fullyQualifiedName", fqn, "kind", "resource",
                      "message", sarif_message(text));
        json_decref(fqn);
        return o;
    }
    json_decref(uri);
    json_decref(fqn);
    json_decref(text);
    return NULL;
}

/* sarif_level: "error" when a fail of severity sev fails run's gate,
 * "warning" below it. */
static const char *sarif_level(const struct store_run *run, const char *sev)
{
    int rank = report_severity_rank(sev);
    return rank >= (int)run->gate.fail_on ? "error" : "warning";
}

/* GitHub code scanning's security-severity (0.1-10.0, read as low 0.1-3.9,
 * medium 4.0-6.9, high 7.0-8.9, critical 9.0-10.0) for tlsaudit's
 * severities; info has none. */
static const char *sarif_security_severity(const char *sev)
{
    static const char *const scores[] = {NULL, "3.0", "5.5", "8.0", "9.5"};
    int rank = report_severity_rank(sev);
    return rank >= 0 && rank < 5 ? scores[rank] : NULL;
}

long sarif_rule_index(const struct sarif_rules *rules, const struct store_run *run,
                      const char *rule_id)
{
    for (size_t i = 0; i < rules->n; i++) {
        if (strcmp(rules->v[i].run->policy_id, run->policy_id) == 0 &&
            strcmp(rules->v[i].f->rule_id, rule_id) == 0) {
            return (long)i;
        }
    }
    return -1;
}

/* sarif_collect_rules lists every (policy, rule) of the kept runs once, in
 * run then finding order. Returns 0, or -1 when out of memory. */
static int sarif_collect_rules(const struct report_data *d, struct sarif_rules *out)
{
    size_t cap = 0;
    for (size_t r = 0; r < d->n_runs; r++) {
        cap += d->runs[r].n_findings;
    }
    out->v = calloc(cap ? cap : 1, sizeof(*out->v));
    out->n = 0;
    if (out->v == NULL) {
        return -1;
    }
    for (size_t r = 0; r < d->n_runs; r++) {
        const struct store_run *run = &d->runs[r];
        for (size_t i = 0; i < run->n_findings; i++) {
            const struct store_finding_row *f = &run->findings[i];
            if (f->rule_id != NULL && sarif_rule_index(out, run, f->rule_id) < 0) {
                out->v[out->n++] = (struct sarif_rule){.run = run, .f = f};
            }
        }
    }
    return 0;
}

static json_t *sarif_rule_id(const struct store_run *run, const char *rule_id)
{
    struct sbuf b = {0};
    sb_text(&b, run->policy_id, false);
    sb_putc(&b, '/');
    sb_text(&b, rule_id, false);
    return sb_take(&b);
}

/* sarif_rule_descriptions sets shortDescription, fullDescription and help
 * of rule descriptor o. */
static int sarif_rule_descriptions(json_t *o, const struct sarif_rule *sr)
{
    const struct store_run *run = sr->run;
    const struct store_finding_row *f = sr->f;
    const char *title = f->title ? f->title : f->rule_id;
    struct sbuf full = {0}, help = {0};
    sb_text(&full, title, true);
    sb_text(&full, " (", true);
    sb_text(&full, f->ref ? f->ref : "no requirement named", true);
    sb_text(&full, "; policy ", true);
    sb_text(&full, run->policy_id, true);
    sb_text(&full, " ", true);
    sb_text(&full, run->policy_version ? run->policy_version : "", true);
    sb_text(&full, ")", true);
    sb_text(&help, "Requirement: ", true);
    sb_text(&help, f->ref ? f->ref : "(none)", true);
    sb_text(&help, ". Severity: ", true);
    sb_text(&help, f->severity, true);
    sb_text(&help, ". Policy ", true);
    sb_text(&help, run->policy_id, true);
    sb_text(&help, " version ", true);
    sb_text(&help, run->policy_version ? run->policy_version : "?", true);
    sb_text(&help, " (SHA-256 ", true);
    sb_text(&help, run->policy_sha256 ? run->policy_sha256 : "?", true);
    sb_text(&help, "); the rule and its check: tlsaudit policies show ", true);
    sb_text(&help, run->policy_id, true);
    sb_text(&help, ".", true);
    struct sbuf shrt = {0};
    sb_text(&shrt, title, true);
    int rc = 0;
    rc |= set(o, "shortDescription", sarif_message(sb_take(&shrt)));
    rc |= set(o, "fullDescription", sarif_message(sb_take(&full)));
    rc |= set(o, "help", sarif_message(sb_take(&help)));
    return rc;
}

json_t *sarif_rule(const struct sarif_rule *sr)
{
    const struct store_run *run = sr->run;
    const struct store_finding_row *f = sr->f;
    json_t *o = json_object();
    json_t *props = json_object();
    int rc = o == NULL || props == NULL ? -1 : 0;
    if (rc == 0) {
        rc |= set(o, "id", sarif_rule_id(run, f->rule_id));
        rc |= set(o, "name", json_text_value(f->rule_id));
        rc |= sarif_rule_descriptions(o, sr);
        rc |= set(o, "defaultConfiguration",
                  json_pack("{s:s}", "level", sarif_level(run, f->severity)));
        rc |= set(props, "requirement", json_text_value(f->ref));
        rc |= set(props, "severity", json_text_value(f->severity));
        rc |= set(props, "policy", json_text_value(run->policy_id));
        rc |= set(props, "policy_version", json_text_value(run->policy_version));
        rc |= set(props, "tags",
                  json_pack("[s,s,o]", "security", "tls", json_text_value(run->policy_id)));
        const char *score = sarif_security_severity(f->severity);
        if (score != NULL) {
            rc |= set(props, "security-severity", json_string(score));
        }
    }
    if (rc != 0 || set(o, "properties", props) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

bool sarif_is_result(const struct store_run *run, const struct store_finding_row *f)
{
    int v = report_verdict_parse(f->verdict);
    return v == VERDICT_FAIL || v == VERDICT_WAIVED || report_blocks(run, f);
}

/* sarif_result_text: the result's message. */
static json_t *sarif_result_text(const struct store_run *run, const struct store_finding_row *f,
                                 const char *name)
{
    int v = report_verdict_parse(f->verdict);
    bool blocks = report_blocks(run, f);
    struct sbuf b = {0};
    sb_text(&b, name, true);
    sb_text(&b, ": ", true);
    sb_text(&b, f->title ? f->title : f->rule_id, true);
    sb_text(&b,
            v == VERDICT_INCONCLUSIVE ? ": not demonstrated (inconclusive, fails the gate with "
                                        "--fail-on-inconclusive)"
            : v == VERDICT_WAIVED     ? ": fails, waived"
            : blocks                  ? ": fails"
                                      : ": fails below the gate (--fail-on ",
            true);
    if (v == VERDICT_FAIL && !blocks) {
        sb_text(&b, severity_name(run->gate.fail_on), true);
        sb_text(&b, ")", true);
    }
    sb_text(&b, ". Severity ", true);
    sb_text(&b, f->severity, true);
    sb_text(&b, "; requirement ", true);
    sb_text(&b, f->ref ? f->ref : "(none)", true);
    sb_text(&b, "; evidence: ", true);
    sb_text(&b, f->evidence ? f->evidence : "(none)", true);
    return sb_take(&b);
}

/* sarif_suppression: the waiver of a waived finding. */
static json_t *sarif_suppression(const struct store_finding_row *f)
{
    struct sbuf b = {0};
    sb_text(&b, f->waiver_reason ? f->waiver_reason : "(no justification)", false);
    sb_text(&b, " (owner ", false);
    sb_text(&b, f->waiver_owner ? f->waiver_owner : "?", false);
    sb_text(&b, ", expires ", false);
    sb_text(&b, f->waiver_expires ? f->waiver_expires : "?", false);
    sb_text(&b, ")", false);
    json_t *j = sb_take(&b);
    return j ? json_pack("[{s:s, s:s, s:o}]", "kind", "external", "status", "accepted",
                         "justification", j)
             : NULL;
}

static json_t *sarif_result_props(const struct store_run *run, const struct store_finding_row *f)
{
    return json_pack("{s:o, s:o, s:o, s:o, s:b, s:I, s:I}", "verdict", json_text_value(f->verdict),
                     "severity", json_text_value(f->severity), "requirement",
                     json_text_value(f->ref), "evidence", json_text_value(f->evidence), "blocking",
                     report_blocks(run, f), "policy_run", (json_int_t)run->id, "target_id",
                     (json_int_t)f->target_id);
}

/* sarif_fingerprint: what identifies a result across scans: the rule and
 * the endpoint's name. */
static json_t *sarif_fingerprint(const struct store_run *run, const struct store_finding_row *f,
                                 const char *name)
{
    struct sbuf b = {0};
    sb_text(&b, run->policy_id, false);
    sb_putc(&b, '/');
    sb_text(&b, f->rule_id, false);
    sb_putc(&b, '|');
    sb_text(&b, name, false);
    json_t *v = sb_take(&b);
    return v ? json_pack("{s:o}", "tlsauditFinding/v1", v) : NULL;
}

json_t *sarif_result(const struct report_data *d, size_t t, const char *name,
                     const struct store_run *run, const struct store_finding_row *f,
                     long rule_index)
{
    int v = report_verdict_parse(f->verdict);
    json_t *o = json_object();
    if (o == NULL) {
        return NULL;
    }
    int rc = 0;
    rc |= set(o, "ruleId", sarif_rule_id(run, f->rule_id));
    rc |= set(o, "ruleIndex", json_integer(rule_index));
    rc |= set(o, "level",
              json_string(report_blocks(run, f) ? "error" : sarif_level(run, f->severity)));
    rc |= set(o, "message", sarif_message(sarif_result_text(run, f, name)));
    rc |= set(o, "locations", json_pack("[o]", sarif_location(d, t, name)));
    rc |= set(o, "partialFingerprints", sarif_fingerprint(run, f, name));
    if (v == VERDICT_WAIVED) {
        rc |= set(o, "suppressions", sarif_suppression(f));
    }
    rc |= set(o, "properties", sarif_result_props(run, f));
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* sarif_results: every result, in run then stored order. */
static json_t *sarif_results(const struct report_data *d, const struct report_name *names,
                             const struct sarif_rules *rules)
{
    json_t *a = json_array();
    for (size_t r = 0; a != NULL && r < d->n_runs; r++) {
        const struct store_run *run = &d->runs[r];
        for (size_t i = 0; i < run->n_findings; i++) {
            const struct store_finding_row *f = &run->findings[i];
            long t = report_target_index(d, f->target_id);
            if (t < 0 || f->rule_id == NULL || !report_scanned(&d->targets[t]) ||
                !sarif_is_result(run, f)) {
                continue;
            }
            long ri = sarif_rule_index(rules, run, f->rule_id);
            if (push(a, sarif_result(d, (size_t)t, names[t].s, run, f, ri)) != 0) {
                json_decref(a);
                return NULL;
            }
        }
    }
    return a;
}

json_t *sarif_target_notification(const struct report_data *d, size_t t, const char *name)
{
    const struct target_result *r = &d->targets[t];
    struct sbuf b = {0};
    sb_text(&b, name, true);
    sb_text(&b, " not scanned: ", true);
    sb_text(&b, target_status_name(r->status), true);
    sb_text(&b, r->error[0] != '\0' ? ": " : "", true);
    sb_text(&b, r->error, true);
    return json_pack("{s:s, s:o, s:[o]}", "level", "error", "message", sarif_message(sb_take(&b)),
                     "locations", sarif_location(d, t, name));
}

json_t *sarif_state_notification(const struct report_data *d)
{
    struct sbuf b = {0};
    sb_text(&b, "the scan is ", true);
    sb_text(&b, d->info.state, true);
    sb_text(&b, d->info.note ? ": " : "", true);
    sb_text(&b, d->info.note, true);
    return json_pack("{s:s, s:o}", "level", "error", "message", sarif_message(sb_take(&b)));
}

/* sarif_notifications: one error per target not scanned, and one for a
 * scan that did not complete. */
static json_t *sarif_notifications(const struct report_data *d, const struct report_name *names)
{
    json_t *a = json_array();
    for (size_t t = 0; a != NULL && t < d->n_targets; t++) {
        if (!report_scanned(&d->targets[t]) &&
            push(a, sarif_target_notification(d, t, names[t].s)) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    if (a != NULL && strcmp(d->info.state, "complete") != 0 &&
        push(a, sarif_state_notification(d)) != 0) {
        json_decref(a);
        return NULL;
    }
    return a;
}

/* sarif_policy_runs: the kept policy runs, for the invocation's properties. */
static json_t *sarif_policy_runs(const struct report_data *d)
{
    json_t *a = json_array();
    for (size_t r = 0; a != NULL && r < d->n_runs; r++) {
        const struct store_run *run = &d->runs[r];
        char gate[64];
        if (push(a, json_pack("{s:I, s:o, s:o, s:o, s:o, s:s}", "id", (json_int_t)run->id, "policy",
                              json_text_value(run->policy_id), "version",
                              json_text_value(run->policy_version), "sha256",
                              json_text_value(run->policy_sha256), "evaluated",
                              json_time_value(run->evaluated_ms), "gate",
                              report_gate_text(&run->gate, gate, sizeof(gate)))) != 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* sarif_invocation: the scan's invocation, with notifications (its
 * reference taken). */
static json_t *sarif_invocation(const struct report_data *d, json_t *notifications,
                                bool all_scanned, bool gate_fails)
{
    const struct store_scan_info *i = &d->info;
    bool ok = strcmp(i->state, "complete") == 0 && i->n_not_scanned == 0 && all_scanned;
    json_t *o = json_object();
    if (o == NULL) {
        json_decref(notifications);
        return NULL;
    }
    int rc = 0;
    rc |= set(o, "executionSuccessful", json_boolean(ok));
    if (i->options != NULL) {
        rc |= set(o, "commandLine", json_text_value(i->options));
    }
    if (i->started_ms > 0) {
        rc |= set(o, "startTimeUtc", json_time_value(i->started_ms));
    }
    if (i->finished_ms > 0) {
        rc |= set(o, "endTimeUtc", json_time_value(i->finished_ms));
    }
    if (i->hostname != NULL) {
        rc |= set(o, "machine", json_text_value(i->hostname));
    }
    rc |= set(o, "toolExecutionNotifications", notifications);
    rc |=
        set(o, "properties",
            json_pack("{s:I, s:o, s:s, s:o, s:o, s:o, s:b, s:o}", "scan_id", (json_int_t)i->id,
                      "scan_uuid", json_text_value(i->uuid), "scan_state", i->state, "trust_store",
                      json_text_value(i->trust_store), "registry_version",
                      json_text_value(i->registry_version), "database", json_text_value(d->db_path),
                      "gate_fails", gate_fails, "policy_runs", sarif_policy_runs(d)));
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *sarif_driver(const struct report_data *d, const struct sarif_rules *rules)
{
    json_t *ra = json_array();
    for (size_t i = 0; ra != NULL && i < rules->n; i++) {
        if (push(ra, sarif_rule(&rules->v[i])) != 0) {
            json_decref(ra);
            return NULL;
        }
    }
    const char *version = d->info.tool_version ? d->info.tool_version : PACKAGE_VERSION;
    return ra ? json_pack("{s:s, s:o, s:o}", "name", "tlsaudit", "version",
                          json_text_value(version), "rules", ra)
              : NULL;
}

json_t *sarif_document(const struct report_data *d, const struct sarif_rules *rules,
                       json_t *notifications, json_t *results, bool all_scanned, bool gate_fails)
{
    json_t *run = json_object();
    int rc = run == NULL ? -1 : 0;
    if (rc == 0) {
        struct sbuf id = {0};
        sb_text(&id, "tlsaudit/", false);
        sb_text(&id, d->info.uuid, false);
        rc |= set(run, "tool", json_pack("{s:o}", "driver", sarif_driver(d, rules)));
        rc |= set(run, "invocations",
                  json_pack("[o]", sarif_invocation(d, notifications, all_scanned, gate_fails)));
        rc |= set(run, "automationDetails", json_pack("{s:o}", "id", sb_take(&id)));
        rc |= set(run, "results", results);
    } else {
        json_decref(notifications);
        json_decref(results);
    }
    json_t *doc = rc == 0 ? json_pack("{s:s, s:s, s:[o]}", "$schema", SARIF_SCHEMA_URI, "version",
                                      "2.1.0", "runs", run)
                          : NULL;
    if (doc == NULL) {
        json_decref(run);
    }
    return doc;
}

/* sarif_whole builds the log of d, loaded whole; NULL when out of memory. */
static json_t *sarif_whole(const struct report_data *d, const struct report_name *names)
{
    struct sarif_rules rules = {0};
    if (sarif_collect_rules(d, &rules) != 0) {
        return NULL;
    }
    bool all_scanned = true;
    for (size_t t = 0; t < d->n_targets; t++) {
        all_scanned = all_scanned && report_scanned(&d->targets[t]);
    }
    json_t *doc =
        sarif_document(d, &rules, sarif_notifications(d, names), sarif_results(d, names, &rules),
                       all_scanned, report_gate_fails(d));
    free(rules.v);
    return doc;
}

int report_write_sarif(FILE *out, const struct report_data *d, const struct report_options *o,
                       char *err, size_t err_len)
{
    (void)o;
    struct report_name *names = report_endpoint_names(d);
    json_t *doc = names != NULL || d->n_targets == 0 ? sarif_whole(d, names) : NULL;
    free(names);
    if (doc == NULL) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    int rc = json_dumpf(doc, out, SARIF_DUMP_FLAGS);
    json_decref(doc);
    fputc('\n', out);
    if (rc != 0) {
        snprintf(err, err_len, "writing the SARIF log failed");
        return -1;
    }
    return 0;
}
