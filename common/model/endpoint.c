/*
 * common/model/endpoint.c - the identity of a scanned endpoint and its
 * total order (common/model/endpoint.h).
 *
 * Pipeline position: stored targets (report_data) -> [endpoint_of,
 * endpoint_cmp] -> reports/diff.c's pairing.
 *
 * Invariant: the order depends only on the identity's bytes, never on the
 * order targets finished or were stored in, so pairing and output are the
 * same however a scan's targets happened to finish.
 */
#include <string.h>
#include <strings.h>

#include "common/model/endpoint.h"

struct endpoint_id endpoint_of(const struct target_result *r)
{
    return (struct endpoint_id){
        .host = r->host != NULL ? r->host : "",
        .port = r->port,
        .sni = r->sni != NULL ? r->sni : "",
        .ip = r->ip,
        .starttls = r->starttls[0] != '\0' ? r->starttls : "none",
    };
}

int endpoint_cmp_but_address(const struct endpoint_id *a, const struct endpoint_id *b)
{
    int c = strcasecmp(a->host, b->host);
    if (c != 0) {
        return c;
    }
    if (a->port != b->port) {
        return a->port < b->port ? -1 : 1;
    }
    int d = strcmp(a->sni, b->sni);
    return d != 0 ? d : strcmp(a->starttls, b->starttls);
}

int endpoint_cmp(const struct endpoint_id *a, const struct endpoint_id *b)
{
    int c = endpoint_cmp_but_address(a, b);
    return c != 0 ? c : strcmp(a->ip, b->ip);
}
