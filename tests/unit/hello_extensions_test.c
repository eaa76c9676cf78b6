/*
 * tests/unit/hello_extensions_test.c - unit tests for scanner/wire/extensions.c,
 * the extension table: every extension the prober sends or parses has its
 * IANA name, every other type is "unknown". What the table writes is pinned
 * by hello_bytes_test.c, what it parses by hello_test.c (test_sh_extensions).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/hello.h"

START_TEST(test_names)
{
    static const struct {
        uint16_t type;
        const char *name;
    } known[] = {
        {TLS_EXT_SERVER_NAME, "server_name"},
        {TLS_EXT_MAX_FRAGMENT_LENGTH, "max_fragment_length"},
        {TLS_EXT_STATUS_REQUEST, "status_request"},
        {TLS_EXT_SUPPORTED_GROUPS, "supported_groups"},
        {TLS_EXT_EC_POINT_FORMATS, "ec_point_formats"},
        {TLS_EXT_SIGNATURE_ALGORITHMS, "signature_algorithms"},
        {TLS_EXT_HEARTBEAT, "heartbeat"},
        {TLS_EXT_ALPN, "application_layer_protocol_negotiation"},
        {TLS_EXT_PADDING, "padding"},
        {TLS_EXT_ENCRYPT_THEN_MAC, "encrypt_then_mac"},
        {TLS_EXT_EXTENDED_MASTER_SECRET, "extended_master_secret"},
        {TLS_EXT_SESSION_TICKET, "session_ticket"},
        {TLS_EXT_PRE_SHARED_KEY, "pre_shared_key"},
        {TLS_EXT_SUPPORTED_VERSIONS, "supported_versions"},
        {TLS_EXT_COOKIE, "cookie"},
        {TLS_EXT_PSK_KEY_EXCHANGE_MODES, "psk_key_exchange_modes"},
        {TLS_EXT_KEY_SHARE, "key_share"},
        {TLS_EXT_RENEGOTIATION_INFO, "renegotiation_info"},
        {TLS_GREASE_EXT, "GREASE"},
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        ck_assert_str_eq(hello_extension_name(known[i].type), known[i].name);
    }
    ck_assert_str_eq(hello_extension_name(0x1234), "unknown");
    ck_assert_str_eq(hello_extension_name(0xffff), "unknown");
    ck_assert_str_eq(hello_extension_name(2), "unknown");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hello_extensions");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_names);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
