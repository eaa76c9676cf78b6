# data/gen-registry.awk - turns the registry tables in data/ into C.
#
#   awk -f gen-registry.awk cipher-suites.tsv groups.tsv sigschemes.tsv > registry_tables.c
#
# Runs at build time (Makefile.am writes common/model/registry_tables.c, the tables
# declared in common/model/registry.h). Portable to mawk (Debian's awk), gawk and
# other POSIX awks: no gawk extensions, no gsub escapes, no regex intervals.
#
# Each file is tab-separated: '#' comment lines, one header line naming the
# columns (checked, so a reordered file cannot be misread), then one row per
# entry. A name of "-" means "none" and becomes NULL. cipher-suites.tsv carries
# a "# registry_version: ..." comment that becomes registry_version[].
#
# Any malformed row (wrong column count, bad code, unknown version, duplicate
# code, ...) stops the build with "file:line: reason" and exit status 1.
# The output is sorted by code, which registry.c's binary search relies on.

BEGIN {
    FS = "\t"
    failed = 0
    version = ""
    n_suites = 0
    n_groups = 0
    n_sigs = 0
    split("code iana_name openssl_name gnutls_name kx auth cipher bits mode mac aead pfs " \
          "export versions recommended", suite_cols, " ")
    split("code name kind bits recommended", group_cols, " ")
    split("code name recommended", sig_cols, " ")
    vbit["SSL2"] = "TLSV_BIT(TLSV_SSL2)"
    vbit["SSL3"] = "TLSV_BIT(TLSV_SSL3)"
    vbit["TLS1.0"] = "TLSV_BIT(TLSV_TLS10)"
    vbit["TLS1.1"] = "TLSV_BIT(TLSV_TLS11)"
    vbit["TLS1.2"] = "TLSV_BIT(TLSV_TLS12)"
    vbit["TLS1.3"] = "TLSV_BIT(TLSV_TLS13)"
}

# suite_attrs: the SUITE_* bits of common/model/registry.h, decided once here
# from the registry's words so that no caller compares strings.
function suite_attrs(kx, auth, cipher, mode, mac, aead, pfs, export,    a) {
    a = "0"
    if (cipher == "NULL") a = a " | SUITE_NULL_CIPHER"
    if (auth == "anon" || auth == "NULL") a = a " | SUITE_ANON"
    if (export == "1") a = a " | SUITE_EXPORT"
    if (cipher == "RC4") a = a " | SUITE_RC4"
    if (cipher == "RC2") a = a " | SUITE_RC2"
    if (cipher == "DES") a = a " | SUITE_DES"
    if (cipher == "3DES") a = a " | SUITE_3DES"
    if (cipher == "IDEA") a = a " | SUITE_IDEA"
    # 64-bit blocks (SWEET32, CVE-2016-2183): DES, 3DES, IDEA, RC2, GOST 28147-89, Magma
    if (cipher == "DES" || cipher == "3DES" || cipher == "IDEA" || cipher == "RC2" ||
        cipher == "GOST28147" || cipher == "MAGMA")
        a = a " | SUITE_BLOCK64"
    if (mac == "MD5") a = a " | SUITE_MD5"
    if (mac == "SHA") a = a " | SUITE_SHA1"
    if (mode == "CBC") a = a " | SUITE_CBC"
    if (kx ~ /PSK/ || auth == "PSK") a = a " | SUITE_PSK"
    if (aead == "1") a = a " | SUITE_AEAD"
    if (pfs == "1") a = a " | SUITE_FS"
    if (kx == "SCSV") a = a " | SUITE_SCSV"
    if (kx == "RSA") a = a " | SUITE_KX_RSA"
    if (kx == "DHE" || kx == "DHE_PSK" || (kx == "DH" && auth == "anon")) a = a " | SUITE_KX_DHE"
    if (kx == "ECDHE") a = a " | SUITE_KX_ECDHE"
    if (auth == "RSA") a = a " | SUITE_AUTH_RSA"
    return a
}

function fail(msg) {
    printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
    failed = 1
    exit 1
}

# Value of a hex string without its 0x prefix (validated by the caller).
function hexval(s,    i, v) {
    v = 0
    s = tolower(s)
    for (i = 1; i <= length(s); i++) {
        v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
    }
    return v
}

# A C string literal for s, built one character at a time (gsub escaping
# differs between awks). Only printable ASCII is accepted.
function cstr(s,    i, c, out) {
    if (s !~ /^[ -~]*$/) {
        fail("non-ASCII or control character in \"" s "\"")
    }
    out = ""
    for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (c == "\\" || c == "\"" || c == "?") {
            out = out "\\"
        }
        out = out c
    }
    return "\"" out "\""
}

function cname(s) {
    return s == "-" ? "NULL" : cstr(s)
}

function check_header(cols, n,    i) {
    if (NF != n) {
        fail("header has " NF " columns, expected " n)
    }
    for (i = 1; i <= n; i++) {
        if ($i != cols[i]) {
            fail("header column " i " is \"" $i "\", expected \"" cols[i] "\"")
        }
    }
}

function check_hex_code(s, ndigits) {
    if (s !~ /^0x[0-9A-Fa-f]+$/ || length(s) != ndigits + 2) {
        return 0
    }
    return 1
}

function check_word(s, what) {
    if (s !~ /^[A-Za-z0-9_.-]+$/) {
        fail("bad " what " \"" s "\"")
    }
}

function check_rec(s) {
    if (s !~ /^[YND-]$/) {
        fail("bad recommended \"" s "\" (Y, N, D or -)")
    }
}

function check_flag(s, what) {
    if (s != "0" && s != "1") {
        fail("bad " what " \"" s "\" (0 or 1)")
    }
}

# The REG_* expression for a comma-separated version list.
function versions_expr(s,    n, parts, i, out, seen) {
    n = split(s, parts, ",")
    if (n == 0) {
        fail("empty versions")
    }
    out = ""
    for (i = 1; i <= n; i++) {
        if (!(parts[i] in vbit)) {
            fail("unknown version \"" parts[i] "\"")
        }
        if (parts[i] in seen) {
            fail("version \"" parts[i] "\" listed twice")
        }
        seen[parts[i]] = 1
        out = out (i > 1 ? " | " : "") vbit[parts[i]]
    }
    return out
}

function suite_row(    code, ndig, bits, line) {
    if (NF != 15) {
        fail("suite row has " NF " columns, expected 15")
    }
    code = $1
    if (!check_hex_code(code, 4) && !check_hex_code(code, 6)) {
        fail("bad code \"" code "\" (0xHHHH, or 0xHHHHHH for SSLv2 kinds)")
    }
    ndig = length(code) - 2
    if ((ndig == 6) != ($14 == "SSL2")) {
        fail("a 3-byte code must go with versions \"SSL2\" and only then")
    }
    if ($2 == "-" || $2 == "") {
        fail("missing IANA name")
    }
    check_word($2, "IANA name")
    if ($3 != "-") {
        check_word($3, "OpenSSL name")
    }
    if ($4 != "-") {
        check_word($4, "GnuTLS name")
    }
    check_word($5, "kx")
    check_word($6, "auth")
    check_word($7, "cipher")
    if ($8 !~ /^[0-9]+$/) {
        fail("bad bits \"" $8 "\"")
    }
    check_word($9, "mode")
    check_word($10, "mac")
    check_flag($11, "aead")
    check_flag($12, "pfs")
    check_flag($13, "export")
    if ($11 == "1" && $10 != "AEAD") {
        fail("an AEAD suite must have mac \"AEAD\"")
    }
    check_rec($15)
    line = sprintf("    {.code = 0x%sU, .iana_name = %s, .openssl_name = %s, .gnutls_name = %s, " \
                   ".kx = %s, .auth = %s, .cipher = %s, .bits = %d, .mode = %s, .mac = %s, " \
                   ".aead = %s, .pfs = %s, .export_grade = %s, .versions = %s, " \
                   ".recommended = '%s', .attrs = %s, .strength = %d},",
                   toupper(substr(code, 3)), cstr($2), cname($3), cname($4), cstr($5), cstr($6),
                   cstr($7), $8 + 0, cstr($9), cstr($10),
                   $11 == "1" ? "true" : "false", $12 == "1" ? "true" : "false",
                   $13 == "1" ? "true" : "false", versions_expr($14), $15,
                   suite_attrs($5, $6, $7, $9, $10, $11, $12, $13),
                   $7 == "3DES" ? 112 : $8 + 0)
    n_suites++
    suite_key[n_suites] = hexval(substr(code, 3))
    suite_text[n_suites] = line
    suite_where[n_suites] = FILENAME ":" FNR
}

function group_row(    line) {
    if (NF != 5) {
        fail("group row has " NF " columns, expected 5")
    }
    if ($1 !~ /^[0-9]+$/ || length($1) > 5 || $1 + 0 > 65535) {
        fail("bad code \"" $1 "\" (decimal 0..65535)")
    }
    if ($2 == "-" || $2 == "") {
        fail("missing name")
    }
    check_word($2, "name")
    if ($3 != "ecdhe" && $3 != "ffdhe" && $3 != "hybrid-pq" && $3 != "pq" && $3 != "other") {
        fail("bad kind \"" $3 "\" (ecdhe, ffdhe, hybrid-pq, pq or other)")
    }
    if ($4 !~ /^[0-9]+$/) {
        fail("bad bits \"" $4 "\"")
    }
    check_rec($5)
    line = sprintf("    {.code = %d, .name = %s, .kind = %s, .bits = %d, .recommended = '%s'},",
                   $1 + 0, cstr($2), cstr($3), $4 + 0, $5)
    n_groups++
    group_key[n_groups] = $1 + 0
    group_text[n_groups] = line
    group_where[n_groups] = FILENAME ":" FNR
}

function sig_row(    line) {
    if (NF != 3) {
        fail("signature-scheme row has " NF " columns, expected 3")
    }
    if (!check_hex_code($1, 4)) {
        fail("bad code \"" $1 "\" (0xHHHH)")
    }
    if ($2 == "-" || $2 == "") {
        fail("missing name")
    }
    check_word($2, "name")
    check_rec($3)
    line = sprintf("    {.code = 0x%sU, .name = %s, .recommended = '%s'},",
                   toupper(substr($1, 3)), cstr($2), $3)
    n_sigs++
    sig_key[n_sigs] = hexval(substr($1, 3))
    sig_text[n_sigs] = line
    sig_where[n_sigs] = FILENAME ":" FNR
}

{
    sub(/\r$/, "")
    if (FILENAME ~ /cipher-suites\.tsv$/) {
        kind = "suites"
    } else if (FILENAME ~ /groups\.tsv$/) {
        kind = "groups"
    } else if (FILENAME ~ /sigschemes\.tsv$/) {
        kind = "sigs"
    } else {
        fail("unknown input file (expected cipher-suites.tsv, groups.tsv, sigschemes.tsv)")
    }
    seen_file[kind] = 1
}

/^#/ {
    if (kind == "suites" && $0 ~ /^# registry_version: /) {
        if (version != "") {
            fail("registry_version given twice")
        }
        version = substr($0, length("# registry_version: ") + 1)
        if (version !~ /^[A-Za-z0-9_.+-]+$/) {
            fail("bad registry_version \"" version "\"")
        }
    }
    next
}

/^[ \t]*$/ {
    next
}

!(kind in header_seen) {
    header_seen[kind] = 1
    if (kind == "suites") {
        check_header(suite_cols, 15)
    } else if (kind == "groups") {
        check_header(group_cols, 5)
    } else {
        check_header(sig_cols, 3)
    }
    next
}

kind == "suites" {
    suite_row()
    next
}

kind == "groups" {
    group_row()
    next
}

kind == "sigs" {
    sig_row()
    next
}

# Sorts idx[1..n] by key[] (insertion sort: a few hundred rows).
function sort_by_key(key, idx, n,    i, j, t) {
    for (i = 1; i <= n; i++) {
        idx[i] = i
    }
    for (i = 2; i <= n; i++) {
        t = idx[i]
        for (j = i - 1; j >= 1 && key[idx[j]] > key[t]; j--) {
            idx[j + 1] = idx[j]
        }
        idx[j + 1] = t
    }
}

function end_fail(where, msg) {
    printf "%s: %s\n", where, msg > "/dev/stderr"
    failed = 1
    exit 1
}

function check_sorted_unique(key, idx, n, where, what,    i) {
    if (n == 0) {
        end_fail(what, "no rows")
    }
    for (i = 2; i <= n; i++) {
        if (key[idx[i]] == key[idx[i - 1]]) {
            end_fail(where[idx[i]], "duplicate code (also at " where[idx[i - 1]] ")")
        }
    }
}

END {
    if (failed) {
        exit 1
    }
    if (!("suites" in seen_file) || !("groups" in seen_file) || !("sigs" in seen_file)) {
        end_fail("gen-registry.awk", "needs cipher-suites.tsv, groups.tsv and sigschemes.tsv")
    }
    if (version == "") {
        end_fail("cipher-suites.tsv", "no \"# registry_version: ...\" line")
    }
    sort_by_key(suite_key, sidx, n_suites)
    check_sorted_unique(suite_key, sidx, n_suites, suite_where, "cipher-suites.tsv")
    sort_by_key(group_key, gidx, n_groups)
    check_sorted_unique(group_key, gidx, n_groups, group_where, "groups.tsv")
    sort_by_key(sig_key, xidx, n_sigs)
    check_sorted_unique(sig_key, xidx, n_sigs, sig_where, "sigschemes.tsv")

    print "/*"
    print " * common/model/registry_tables.c - GENERATED by data/gen-registry.awk from"
    print " * data/cipher-suites.tsv, data/groups.tsv and data/sigschemes.tsv."
    print " * Do not edit: change the TSV files (see data/README.md). Sorted by code."
    print " */"
    print "#include \"common/model/registry.h\""
    print ""
    print "const char registry_version[] = " cstr(version) ";"
    print ""
    print "const struct suite_info registry_suites[] = {"
    for (i = 1; i <= n_suites; i++) {
        print suite_text[sidx[i]]
    }
    print "};"
    print "const size_t registry_n_suites = sizeof registry_suites / sizeof registry_suites[0];"
    print ""
    print "const struct group_info registry_groups[] = {"
    for (i = 1; i <= n_groups; i++) {
        print group_text[gidx[i]]
    }
    print "};"
    print "const size_t registry_n_groups = sizeof registry_groups / sizeof registry_groups[0];"
    print ""
    print "const struct sigscheme_info registry_sigschemes[] = {"
    for (i = 1; i <= n_sigs; i++) {
        print sig_text[xidx[i]]
    }
    print "};"
    print "const size_t registry_n_sigschemes ="
    print "    sizeof registry_sigschemes / sizeof registry_sigschemes[0];"
}
