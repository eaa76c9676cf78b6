/*
 * scanner/probes/hello_probes.h - the "one extra ClientHello" probes of the
 * loop track (issue 13), private to scanner/probes/ and their unit test:
 * each sends one ClientHello built from what the enumeration found
 * accepted and judges only the server's first flight (a ServerHello, an
 * alert, a close); no handshake is completed, no key is computed.
 *
 *   compression             CRIME (CVE-2012-4929): DEFLATE(1) offered before
 *                           null(0) at the highest accepted TLS <= 1.2 version
 *   fallback_scsv           RFC 7507: TLS_FALLBACK_SCSV (0x5600) at the version
 *                           below the highest accepted; alert 86 expected
 *   grease_intolerance      RFC 8701: GREASE values in the suites, extensions,
 *                           groups, signature algorithms, supported_versions and
 *                           key_share; also the extension-intolerance test (the
 *                           GREASE extension is a type the server cannot know)
 *   version_intolerance     an unknown higher version: supported_versions
 *                           {0x0305, 0x0304} when TLS 1.3 is accepted, else
 *                           legacy_version 0x0304; the highest accepted version
 *                           must be negotiated
 *   long_hello_intolerance  a ClientHello padded (RFC 7685) to HP_LONG_HELLO_LEN bytes
 *
 * Split in two: hello_plan.c decides each probe's hello from the facts
 * (hp_plan_make) and judges an answer (hp_judge), pure functions a unit
 * test drives with hostile bytes; hello_conv.c runs the conversation on
 * the probe loop and records the verdict.
 */
#ifndef TLSAUDIT_SCANNER_PROBES_HELLO_PROBES_H
#define TLSAUDIT_SCANNER_PROBES_HELLO_PROBES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/model/facts.h"
#include "common/model/probe_result.h"
#include "scanner/hello.h"
#include "scanner/net/loop.h"

enum hp_kind { HP_COMPRESSION, HP_FALLBACK_SCSV, HP_GREASE, HP_VERSION, HP_LONG_HELLO, HP_COUNT };

/* The suites of one hello at most (the accepted suites of the version(s)
 * asked, in the enumeration's order), the size of the long hello, the
 * unknown version the version probe offers. */
#define HP_MAX_SUITES 128
#define HP_LONG_HELLO_LEN 1024
#define HP_FUTURE_VERSION 0x0305

/* hp_id returns the stored probe id of k ("compression" ...). */
const char *hp_id(enum hp_kind k);

/* One probe's hello, made from the enumeration's facts. params points into
 * the plan's own arrays: the plan must not be copied or moved once made. */
struct hp_plan {
    enum hp_kind kind;
    enum tls_version wv;      /* the version the hello is about */
    enum tls_version highest; /* the highest version the enumeration found accepted */
    enum tls_version expect;  /* the version a tolerant server negotiates */
    uint32_t suites[HP_MAX_SUITES + 1];
    size_t n_suites;
    uint16_t versions[4];
    size_t n_versions;
    struct hello_params params;
    char sent[160]; /* what the hello offers, in words (the evidence's first half) */
};

/* hp_plan_make fills *p for probe k from e (sni: the hello's server_name
 * or NULL, kept as a pointer); true when the hello can be sent, else false
 * with the row to record instead: *out_state (not-applicable or
 * could-not-test) and why. */
bool hp_plan_make(enum hp_kind k, const struct enum_facts *e, const char *sni, struct hp_plan *p,
                  enum probe_result_state *out_state, char *why, size_t why_len);

/* The row a probe records. */
struct hp_verdict {
    enum probe_result_state state;
    enum tls_version version; /* the version the row is about (p->wv) */
    uint32_t suite;           /* the suite the server chose, or 0 */
    char detail[FACT_TEXT];
    char evidence[512]; /* "sent: ...; got: ..." */
};

/* hp_judge judges the end of p's conversation: outcome o (its text why),
 * f the first flight fed with every byte the server sent (hp_judge calls
 * hello_flight_eof on a close). Only a complete answer or a refusal the
 * parser saw is evidence; a timeout, reset or local failure is
 * could-not-test unless the probe counts it as intolerance (a reset). */
void hp_judge(const struct hp_plan *p, enum net_outcome o, const char *why, struct hello_flight *f,
              struct hp_verdict *out);

#endif
