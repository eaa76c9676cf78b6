/*
 * scanner/probes/plaintext.c - the "plaintext_session" probe (worker
 * track, the first row, before the STARTTLS dialogue): does a database
 * that can do TLS also take sessions without it, as far as can be seen
 * without credentials?
 *
 * PostgreSQL only (a `postgres` target; every other one is
 * not-applicable): one connection whose first bytes are a StartupMessage
 * for user and database STARTTLS_PG_USER with no SSLRequest before it
 * (scanner/starttls/postgres.c), and the server's first message. An
 * AuthenticationRequest means pg_hba.conf matched a `host` line for the
 * plaintext connection: positive, naming the method asked (a cleartext
 * password or trust is the worst: the password, or nothing, in clear). An
 * ErrorResponse 28000 whose message says "no encryption" (PostgreSQL 12+;
 * "SSL off" before) means only `hostssl` lines match: negative. Any other
 * error (another 28000 such as a failed ident, too many connections, a
 * server starting up; a message in another language) is could-not-test
 * with the server's words: it says nothing about TLS. Nothing is sent
 * after the first answer: the connection closes before any password.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "scanner/net/connect.h"
#include "scanner/probes/registry.h"
#include "scanner/scan.h"
#include "scanner/starttls/binary.h"
#include "scanner/starttls/starttls.h"

#define ROW_ID "plaintext_session"
#define PG_SQLSTATE_INVALID_AUTHORIZATION "28000"

/* Whether an error message says the connection was refused for want of
 * TLS (pg_hba.conf's "no pg_hba.conf entry ..., no encryption"). */
static bool says_no_tls(const char *m)
{
    return strstr(m, "no encryption") != NULL || strstr(m, "SSL off") != NULL;
}

static void evidence(const struct starttls_pg_reply *rep, char *ev, size_t len)
{
    int n = snprintf(ev, len,
                     "sent: StartupMessage (protocol 3.0) user=" STARTTLS_PG_USER
                     " database=" STARTTLS_PG_USER ", no SSLRequest; received: ");
    if (n < 0 || (size_t)n >= len) {
        return;
    }
    if (rep->answer == STARTTLS_PG_AUTH) {
        snprintf(ev + n, len - (size_t)n, "AuthenticationRequest %lu",
                 (unsigned long)rep->auth_code);
    } else {
        snprintf(ev + n, len - (size_t)n, "ErrorResponse %s %s: %s", rep->severity, rep->sqlstate,
                 rep->message);
    }
}

/* The state and detail of a reply. */
static enum probe_result_state judge(const struct starttls_pg_reply *rep, char *d, size_t dl)
{
    if (rep->answer == STARTTLS_PG_AUTH) {
        snprintf(d, dl,
                 "postgres: a session without TLS is accepted (user " STARTTLS_PG_USER
                 "): the server asked for %s",
                 starttls_pg_auth_name(rep->auth_code));
        return PR_POSITIVE;
    }
    if (strcmp(rep->sqlstate, PG_SQLSTATE_INVALID_AUTHORIZATION) == 0 &&
        says_no_tls(rep->message)) {
        snprintf(d, dl, "postgres: a session without TLS is refused: %s", rep->message);
        return PR_NEGATIVE;
    }
    snprintf(d, dl, "postgres: the answer says nothing of TLS: %s%s%s", rep->sqlstate,
             rep->sqlstate[0] != '\0' ? " " : "", rep->message);
    return PR_COULD_NOT_TEST;
}

enum probe_step probe_plaintext_session_run(struct probe_ctx *c)
{
    if (strcmp(c->proto->name, "postgres") != 0) {
        probe_record(c, ROW_ID, PROBE_NO_VERSION, 0, PR_NOT_APPLICABLE,
                     "asked of PostgreSQL only (a StartupMessage without SSLRequest)", NULL);
        return PROBE_NEXT;
    }
    struct starttls_pg_plain st;
    struct net_dialogue d = {.ops = &starttls_pg_plain_ops, .arg = NULL};
    struct net_error err;
    char detail[FACT_TEXT * 2], ev[FACT_TEXT * 2];
    const struct target_addr *a = c->addr;
    int t = probe_handshake_timeout(c);
    if (t == 0) {
        c->out_of_time = true;
        probe_record(c, ROW_ID, PROBE_NO_VERSION, 0, PR_COULD_NOT_TEST, PROBE_NOT_TESTED_BUDGET,
                     NULL);
        return PROBE_NEXT;
    }
    int64_t deadline = util_mono_ms() + t;
    int fd = net_connect((const struct sockaddr *)&a->sa, a->sa_len, deadline, c->o->stop, &err);
    if (fd < 0) {
        snprintf(detail, sizeof(detail), "postgres: %s", err.why);
        probe_record(c, ROW_ID, PROBE_NO_VERSION, 0, PR_COULD_NOT_TEST, detail, NULL);
        return PROBE_NEXT;
    }
    memset(&st, 0, sizeof(st));
    int rc = net_dialogue_run_ctx(fd, &d, &st, deadline, c->o->stop, &err);
    close(fd);
    if (rc != 0) {
        snprintf(detail, sizeof(detail), "%s", err.why);
        probe_record(c, ROW_ID, PROBE_NO_VERSION, 0, PR_COULD_NOT_TEST, detail, NULL);
        return PROBE_NEXT;
    }
    enum probe_result_state s = judge(&st.reply, detail, sizeof(detail));
    evidence(&st.reply, ev, sizeof(ev));
    probe_record(c, ROW_ID, PROBE_NO_VERSION, 0, s, detail, ev);
    return PROBE_NEXT;
}
