/*
 * scanner/probes/starttls.c - the target's application protocol and the
 * "starttls" probe (worker track, the first row).
 *
 * probe_dialogue_init (from probe_ctx_init) picks the target's row of the
 * protocol table (scanner/starttls/starttls.h: its own starttls=, else the
 * scan's --starttls, else auto by port) and, for a STARTTLS protocol,
 * builds its dialogue: every GnuTLS handshake (hso.dialogue) and every raw
 * probe of the enumeration run it before their first TLS byte.
 *
 * The probe runs the dialogue once on a connection of its own (one retry
 * when the greeting is late or the connection drops), before any
 * handshake, and records what it saw (r->dialogue: STARTTLS offered, the
 * plaintext capabilities, the failure) and two probe_result rows the
 * policies judge: `starttls_missing` (positive: the server does not offer
 * or refuses STARTTLS) and `plaintext_auth` (positive: it offers a
 * plaintext login before TLS). A server that does not upgrade ends the
 * worker track: the target's status is error with the dialogue's reason
 * (unreachable when it never answered). Direct-TLS targets get both rows
 * not-applicable and nothing else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "scanner/net/connect.h"
#include "scanner/probes/registry.h"
#include "scanner/scan.h"

#define ROW_MISSING "starttls_missing"
#define ROW_PLAIN_AUTH "plaintext_auth"

/* A dialogue whose argument could not be built: fails at once, saying why
 * (arg: the reason text). */
static enum net_dialogue_step broken_start(void *ctx, const void *arg, struct wbuf *out, char *why,
                                           size_t why_len)
{
    (void)ctx;
    (void)out;
    util_copy(why, why_len, arg);
    return NET_DIALOGUE_FAILED;
}

static enum net_dialogue_step broken_bytes(void *ctx, const void *arg, const uint8_t *in,
                                           size_t len, struct wbuf *out, char *why, size_t why_len)
{
    (void)in;
    (void)len;
    return broken_start(ctx, arg, out, why, why_len);
}

static const struct net_dialogue_ops broken_ops = {
    .name = "starttls",
    .ctx_size = 1,
    .start = broken_start,
    .on_bytes = broken_bytes,
};

void probe_dialogue_init(struct probe_ctx *c)
{
    const char *dflt = c->o != NULL ? c->o->starttls : NULL;
    c->proto = c->spec != NULL ? target_starttls(c->spec, dflt) : starttls_find(STARTTLS_NONE);
    if (!starttls_is_dialogue(c->proto)) {
        return;
    }
    struct starttls_params p = {
        .host = c->spec->host,
        .sni = c->r != NULL ? c->r->sni : NULL,
        .xmpp_host = c->o != NULL ? c->o->xmpp_host : NULL,
        .client_name = c->o != NULL ? c->o->client_name : NULL,
    };
    c->dialogue.ops = c->proto->ops;
    c->dialogue.arg = NULL;
    char why[FACT_TEXT / 2] = "";
    if (c->proto->arg_new != NULL &&
        c->proto->arg_new(&p, &c->dialogue_arg, why, sizeof(why)) != 0) {
        snprintf(c->dialogue_error, sizeof(c->dialogue_error), "cannot start the %s dialogue: %s",
                 c->proto->name, why);
        c->dialogue.ops = &broken_ops;
        c->dialogue.arg = c->dialogue_error;
    } else {
        c->dialogue.arg = c->dialogue_arg;
    }
    c->hso.dialogue = &c->dialogue;
}

int probe_greeting_ms(const struct probe_ctx *c)
{
    if (c->hso.dialogue == NULL || c->o == NULL) {
        return 0;
    }
    return c->o->greeting_timeout_ms > 0 ? c->o->greeting_timeout_ms : c->o->timeout_ms;
}

/* Runs the dialogue once on a new connection into ctx. Returns 0 (READY),
 * 1 when it failed for a reason worth one more try (closed, reset, timed
 * out), -1 otherwise; *err says why. */
static int run_once(struct probe_ctx *c, void *ctx, struct net_error *err, bool *connected)
{
    const struct target_addr *a = c->addr;
    int64_t now = util_mono_ms();
    int fd = net_connect((const struct sockaddr *)&a->sa, a->sa_len, now + c->o->timeout_ms,
                         c->o->stop, err);
    if (fd < 0) {
        *connected = false;
        return -1;
    }
    *connected = true;
    memset(ctx, 0, c->dialogue.ops->ctx_size ? c->dialogue.ops->ctx_size : 1);
    int64_t deadline = util_mono_ms() + c->o->timeout_ms + probe_greeting_ms(c);
    int rc = net_dialogue_run_ctx(fd, &c->dialogue, ctx, deadline, c->o->stop, err);
    close(fd);
    if (rc == 0) {
        return 0;
    }
    return (err->timed_out || err->reset) && !err->interrupted ? 1 : -1;
}

/* Copies what the dialogue saw into f (rows whose state starts with one);
 * returns whether the logins offered before TLS are known. */
static bool copy_seen(struct starttls_fact *f, const struct starttls_proto *p, const void *ctx)
{
    if (!p->seen) {
        return false;
    }
    const struct starttls_seen *s = ctx;
    f->greeted = s->greeted;
    f->capabilities_read = s->capabilities_read;
    f->offered = s->offered;
    f->plain_auth = s->plain_auth;
    util_copy(f->caps, sizeof(f->caps), s->caps);
    util_copy(f->banner, sizeof(f->banner), s->banner);
    return s->auth_known;
}

/* The two rows the policies judge, from f. */
static void record_rows(struct probe_ctx *c, const struct starttls_fact *f, bool auth_known)
{
    char d[FACT_TEXT];
    if (f->upgraded) {
        snprintf(d, sizeof(d), "%s: STARTTLS offered and accepted", c->proto->name);
        probe_record(c, ROW_MISSING, PROBE_NO_VERSION, 0, PR_NEGATIVE, d,
                     f->caps[0] ? f->caps : NULL);
    } else if (f->header.state == FACT_COLLECTED) {
        probe_record(c, ROW_MISSING, PROBE_NO_VERSION, 0, PR_POSITIVE, f->failure,
                     f->caps[0] ? f->caps : NULL);
    } else {
        probe_record(c, ROW_MISSING, PROBE_NO_VERSION, 0, PR_COULD_NOT_TEST, f->header.detail,
                     NULL);
    }
    const char *ev = f->caps[0] ? f->caps : NULL;
    if (!auth_known) {
        snprintf(d, sizeof(d), "%s: %s", c->proto->name,
                 f->capabilities_read ? "the protocol does not list its logins before TLS"
                                      : "no capability list was read before TLS");
        probe_record(c, ROW_PLAIN_AUTH, PROBE_NO_VERSION, 0, PR_COULD_NOT_TEST, d, NULL);
    } else if (f->plain_auth) {
        snprintf(d, sizeof(d), "%s: a plaintext login is offered before TLS", c->proto->name);
        probe_record(c, ROW_PLAIN_AUTH, PROBE_NO_VERSION, 0, PR_POSITIVE, d, ev);
    } else {
        snprintf(d, sizeof(d), "%s: no plaintext login before TLS", c->proto->name);
        probe_record(c, ROW_PLAIN_AUTH, PROBE_NO_VERSION, 0, PR_NEGATIVE, d, ev);
    }
}

/* Ends the track with status st and why (the dialogue did not upgrade). */
static enum probe_step fail_target(struct target_result *r, enum target_status st, const char *why)
{
    r->status = st;
    util_copy(r->error, sizeof(r->error), why);
    for (int v = TLSV_HS_FIRST; v < TLSV_COUNT; v++) {
        r->versions[v].state = PROBE_INCONCLUSIVE;
        snprintf(r->versions[v].reason, sizeof(r->versions[v].reason),
                 "not tested: the pre-TLS dialogue failed: %s", why);
    }
    return PROBE_END_TRACK;
}

enum probe_step probe_starttls_run(struct probe_ctx *c)
{
    struct target_result *r = c->r;
    util_copy(r->starttls, sizeof(r->starttls), c->proto->name);
    if (c->hso.dialogue == NULL) {
        probe_record(c, ROW_MISSING, PROBE_NO_VERSION, 0, PR_NOT_APPLICABLE,
                     "direct TLS: no plaintext dialogue", NULL);
        probe_record(c, ROW_PLAIN_AUTH, PROBE_NO_VERSION, 0, PR_NOT_APPLICABLE,
                     "direct TLS: no plaintext dialogue", NULL);
        return PROBE_NEXT;
    }
    struct starttls_fact *f = &r->dialogue;
    void *ctx = calloc(1, c->dialogue.ops->ctx_size ? c->dialogue.ops->ctx_size : 1);
    if (ctx == NULL) {
        return fail_target(r, TARGET_ERROR, "out of memory for the dialogue");
    }
    struct net_error err;
    bool connected = false;
    int rc = run_once(c, ctx, &err, &connected);
    if (rc == 1 && !probe_stopping(c->o)) {
        rc = run_once(c, ctx, &err, &connected); /* a late greeting or a busy server */
    }
    if (!connected) {
        /* Unreachable: the versions probe finds and records it. */
        fact_set_result(&f->header, err.why[0] ? err.why : "no answer");
        free(ctx);
        record_rows(c, f, false);
        return PROBE_NEXT;
    }
    bool auth_known = copy_seen(f, c->proto, ctx);
    free(ctx);
    enum probe_step step = PROBE_NEXT;
    if (rc == 0) {
        f->upgraded = true;
        fact_set_result(&f->header, NULL);
    } else if (err.interrupted) {
        r->status = TARGET_INTERRUPTED;
        util_copy(r->error, sizeof(r->error), "scan interrupted");
        return PROBE_END_TRACK;
    } else if (rc == 1 || err.local) {
        fact_set_result(&f->header, err.why[0] ? err.why : "no answer");
        step = fail_target(r, err.local ? TARGET_ERROR : TARGET_UNREACHABLE, err.why);
    } else {
        fact_set_result(&f->header, NULL);
        util_copy(f->failure, sizeof(f->failure), err.why);
        step = fail_target(r, TARGET_ERROR, err.why);
    }
    record_rows(c, f, auth_known);
    return step;
}
