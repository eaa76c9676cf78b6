/*
 * scanner/wire/wire.h - what the files of the raw prober's wire code share
 * beyond hello.h (private to scanner/wire/): helpers one file defines and
 * another calls.
 */
#ifndef TLSAUDIT_SCANNER_WIRE_WIRE_H
#define TLSAUDIT_SCANNER_WIRE_WIRE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/bytes.h"
#include "scanner/hello.h"

/* wire/client_hello.c */
bool hello_has_extensions(const struct hello_params *p);
/* wire/server_msgs.c */
bool hello_parse_certificate_request(const struct rbuf *msg, uint16_t version,
                                     struct hello_error *err);
/* wire/server_msgs.c */
bool hello_parse_certificate_status(const struct rbuf *msg, struct hello_error *err);
/* wire/server_msgs.c */
bool hello_parse_ssl2_error(const struct rbuf *msg, uint16_t *out_code, struct hello_error *err);

#endif
