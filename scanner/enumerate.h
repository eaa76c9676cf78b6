/*
 * scanner/enumerate.h - complete enumeration of one target with raw
 * ClientHellos on the shared probe loop (scanner/net/loop.c).
 *
 * For each of SSLv2, SSLv3, TLS 1.0-1.3: which registry suites the server
 * accepts (bundles offered in parallel, the pick recorded and dropped until
 * the server refuses), whether it enforces its own order and that order;
 * then the TLS 1.2 ECDHE groups and signature schemes, the TLS 1.3 groups
 * (HelloRetryRequest), the key-exchange size of each accepted
 * forward-secret suite, and the extensions the server echoes.
 *
 * Everything runs as callbacks of the probe loop: enum_start only queues
 * the first probes; the job submits the next ones as answers come, and
 * calls on_done once, from inside net_loop_run, when it has finished.
 */
#ifndef TLSAUDIT_SCANNER_ENUMERATE_H
#define TLSAUDIT_SCANNER_ENUMERATE_H

#include <stdint.h>
#include <sys/socket.h>

#include "common/model/facts.h"
#include "scanner/net/loop.h"

/* enum_start enumerates the server at sa (its probes in probe-loop group
 * `group`), sending sni when not NULL, each probe after dialogue (the
 * target's STARTTLS dialogue, scanner/net/dialogue.h; NULL: none; it must
 * outlive the job), into *out (enum_facts_init'ed; must
 * stay valid until on_done). deadline_ms (util_mono_ms() time, 0: none) is
 * the target's time budget: the group's probes end there, and what was not
 * finished is recorded as inconclusive / incomplete with the reason, and
 * out->budget_ran_out set. Returns 0, or -1 when nothing could be queued
 * (out of memory): on_done is then not called. */
__attribute__((warn_unused_result)) int
enum_start(struct net_loop *l, unsigned group, const struct sockaddr_storage *sa, socklen_t sa_len,
           const char *sni, const struct net_dialogue *dialogue, int64_t deadline_ms,
           struct enum_facts *out, void (*on_done)(void *arg), void *arg);

#endif
