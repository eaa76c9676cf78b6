/*
 * scanner/probes/ccs_injection.c - the "ccs_injection" probe (loop track,
 * after the enumeration; CVE-2014-0224): does the server take a
 * ChangeCipherSpec before the key exchange?
 *
 * One connection (conv.c's driver): a ClientHello under the newest
 * accepted version up to TLS 1.2 with a suite the enumeration found, the
 * server's flight up to ServerHelloDone, then, instead of a
 * ClientKeyExchange, two ChangeCipherSpec records in one write (as nmap's
 * ssl-ccs-injection and Ramon de C Valle's original test do): a patched
 * OpenSSL answers the first with a fatal unexpected_message alert; an
 * unpatched one takes it, switches its read state to keys from an empty
 * master secret and fails the second with bad_record_mac or
 * decryption_failed.
 *
 * Verdicts: unexpected_message (10), handshake_failure (40) or a close
 * without an alert (GnuTLS) is negative; bad_record_mac (20) or
 * decryption_failed (21), a record that is no alert, or silence with the
 * connection open until the deadline (the CCS was taken without a word)
 * is positive; another alert is could-not-test (neither the refusal nor
 * the sign of acceptance), as is a reset. The evidence names what was sent
 * and the alert or the silence (its length in ms).
 */
#include <stdio.h>

#include "scanner/probes/conv.h"
#include "scanner/probes/registry.h"
#include "scanner/scan.h"

#define ALERT_UNEXPECTED_MESSAGE 10
#define ALERT_BAD_RECORD_MAC 20
#define ALERT_DECRYPTION_FAILED 21
#define ALERT_HANDSHAKE_FAILURE 40

static void put_ccs(struct wbuf *out, uint16_t version)
{
    (void)wbuf_put_u8(out, TLS_CT_CHANGE_CIPHER_SPEC);
    (void)wbuf_put_u16(out, version);
    (void)wbuf_put_u16(out, 1);
    (void)wbuf_put_u8(out, 1); /* RFC 5246 §7.1: change_cipher_spec(1) */
}

static bool ccs_trigger(struct conv_probe *p, const struct hello_result *res, struct wbuf *out)
{
    (void)res;
    put_ccs(out, p->wire);
    put_ccs(out, p->wire);
    snprintf(p->sent, sizeof(p->sent),
             "two ChangeCipherSpec records right after ServerHelloDone (no ClientKeyExchange)");
    return true;
}

static void ccs_alert(struct conv_probe *p, const struct hello_alert *al)
{
    char a[64];
    conv_alert_text(al, a, sizeof(a));
    switch (al->description) {
    case ALERT_UNEXPECTED_MESSAGE:
    case ALERT_HANDSHAKE_FAILURE:
        conv_decide(p, PR_NEGATIVE, "the server refused the early ChangeCipherSpec",
                    "received: alert %s", a);
        return;
    case ALERT_BAD_RECORD_MAC:
    case ALERT_DECRYPTION_FAILED:
        conv_decide(p, PR_POSITIVE,
                    "the server took an early ChangeCipherSpec (CVE-2014-0224): it read the "
                    "second one under new keys",
                    "received: alert %s, no unexpected_message", a);
        return;
    default:
        conv_decide(p, PR_COULD_NOT_TEST,
                    "the server's alert neither refuses nor shows it took the early "
                    "ChangeCipherSpec",
                    "received: alert %s", a);
        return;
    }
}

static enum net_step ccs_on_record(struct conv_probe *p, const struct conv_event *ev)
{
    if (ev->kind == CONV_ALERT) {
        ccs_alert(p, &ev->alert);
        return NET_DONE;
    }
    conv_decide(p, PR_POSITIVE,
                "the server answered an early ChangeCipherSpec without an alert (CVE-2014-0224)",
                "received: a record of content type %u (%zu bytes), no alert", (unsigned)ev->type,
                ev->record_len);
    return NET_DONE;
}

static void ccs_on_end(struct conv_probe *p, enum net_outcome o, const char *why)
{
    switch (o) {
    case NET_CLOSED:
        conv_decide(p, PR_NEGATIVE,
                    "the server closed the connection after the early "
                    "ChangeCipherSpec",
                    "received: close without an alert");
        return;
    case NET_TIMEOUT:
        conv_decide(p, PR_POSITIVE,
                    "the server kept the connection open without an alert after an early "
                    "ChangeCipherSpec (CVE-2014-0224)",
                    "received: no answer before the %d ms deadline of the attempt (tried twice), "
                    "the connection open",
                    p->c->o->timeout_ms);
        return;
    default:
        conv_decide(p, PR_COULD_NOT_TEST, "the connection failed after the early ChangeCipherSpec",
                    "received: %s%s%s", net_outcome_name(o), why[0] != '\0' ? ": " : "", why);
        return;
    }
}

static const struct conv_ops ccs_ops = {
    .id = "ccs_injection",
    .trigger = ccs_trigger,
    .on_record = ccs_on_record,
    .on_end = ccs_on_end,
};

int probe_ccs_injection_start(struct probe_ctx *c, void (*done)(void *arg), void *arg)
{
    return conv_start(c, &ccs_ops, done, arg);
}
