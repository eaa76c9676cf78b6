# data/gen-clients.awk - turns data/clients.tsv into C (reports/sim_clients_table.c).
#
#   awk -f gen-clients.awk clients.tsv > sim_clients_table.c
#
# Runs at build time (Makefile.am), as gen-registry.awk does: POSIX awk only.
# The table is the one declared in reports/simulate.h (struct sim_client), in
# file order. A malformed row (column count, a version, code or extension
# word it does not know, a size that is no number, a duplicate name and
# version) stops the build with "file:line: reason" and exit status 1.
# Codes outside the IANA registry (pre-RFC ChaCha20 0xcc13, EXPORT1024 ...)
# are kept: they are what the client sent, and never match a stored suite.

BEGIN {
    FS = "\t"
    failed = 0
    n = 0
    split("name version kind source versions suites groups key_shares sigschemes exts " \
          "min_dh max_dh min_rsa notes", cols, " ")
    vbit["SSL3"] = "TLSV_BIT(TLSV_SSL3)"
    vbit["TLS1.0"] = "TLSV_BIT(TLSV_TLS10)"
    vbit["TLS1.1"] = "TLSV_BIT(TLSV_TLS11)"
    vbit["TLS1.2"] = "TLSV_BIT(TLSV_TLS12)"
    vbit["TLS1.3"] = "TLSV_BIT(TLSV_TLS13)"
    ebit["sni"] = "SIM_EXT_SNI"
    ebit["ems"] = "SIM_EXT_EMS"
    ebit["etm"] = "SIM_EXT_ETM"
    ebit["reneg"] = "SIM_EXT_RENEG"
    ebit["status_request"] = "SIM_EXT_STATUS"
    ebit["ticket"] = "SIM_EXT_TICKET"
    ebit["alpn"] = "SIM_EXT_ALPN"
    print "/* reports/sim_clients_table.c - generated from data/clients.tsv by"
    print " * data/gen-clients.awk at build time; do not edit. */"
    print "#include \"reports/simulate.h\""
    print ""
}

function fail(msg) {
    printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
    failed = 1
}

function cstr(s,    out, i, c) {
    out = ""
    for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (c == "\\" || c == "\"") out = out "\\"
        if (c < " " || c > "~") { fail("non-ASCII or control byte in a text column"); c = "?" }
        out = out c
    }
    return "\"" out "\""
}

# codes: emits "static const uint16_t NAME[] = {...};", returns the count.
function codes(text, var, what,    parts, k, i, line) {
    if (text == "-") return 0
    k = split(text, parts, ",")
    line = "static const uint16_t " var "[] = {"
    for (i = 1; i <= k; i++) {
        if (parts[i] !~ /^0x[0-9a-f][0-9a-f][0-9a-f][0-9a-f]$/) {
            fail(what " \"" parts[i] "\" is not 0xhhhh")
            return 0
        }
        line = line (i > 1 ? ", " : "") parts[i]
    }
    print line "};"
    return k
}

function size(text, what) {
    if (text == "-") return "0"
    if (text !~ /^[1-9][0-9]*$/ || text + 0 > 65536) { fail(what " \"" text "\" is not a number of bits"); return "0" }
    return text
}

/^#/ { next }

!header_seen {
    header_seen = 1
    if (NF != 14) { fail("the header has " NF " columns, expected 14"); next }
    for (i = 1; i <= 14; i++)
        if ($i != cols[i]) fail("column " i " is \"" $i "\", expected \"" cols[i] "\"")
    next
}

{
    if (NF != 14) { fail(NF " columns, expected 14"); next }
    if ($1 == "" || $2 == "") { fail("empty name or version"); next }
    key = $1 "\t" $2
    if (key in seen) { fail("\"" $1 " " $2 "\" twice (line " seen[key] ")"); next }
    seen[key] = FNR
    if ($3 != "captured" && $3 != "published") { fail("kind \"" $3 "\": captured or published"); next }
    if ($4 !~ /^(captured|published): /) { fail("source must begin with \"" $3 ": \""); next }
    nv = split($5, vs, ",")
    vmask = "0"
    for (i = 1; i <= nv; i++) {
        if (!(vs[i] in vbit)) { fail("unknown version \"" vs[i] "\""); next }
        vmask = vmask " | " vbit[vs[i]]
    }
    ns = codes($6, "s" n, "suite")
    ng = codes($7, "g" n, "group")
    nk = codes($8, "k" n, "key share")
    nsig = codes($9, "sig" n, "signature scheme")
    emask = "0"
    if ($10 != "-") {
        ne = split($10, es, ",")
        for (i = 1; i <= ne; i++) {
            if (!(es[i] in ebit)) { fail("unknown extension \"" es[i] "\""); next }
            emask = emask " | " ebit[es[i]]
        }
    }
    if (ns == 0) fail("a client with no suites")
    row[n] = sprintf("    {%s, %s, %s, %s, %s, %s, %d, %s, %d, %s, %d, %s, %d, %s, %s, %s, %s, %s},",
                     cstr($1), cstr($2), $3 == "captured" ? "true" : "false", cstr($4), vmask,
                     ns ? "s" n : "NULL", ns, ng ? "g" n : "NULL", ng, nk ? "k" n : "NULL", nk,
                     nsig ? "sig" n : "NULL", nsig, emask, size($11, "min_dh"),
                     size($12, "max_dh"), size($13, "min_rsa"), $14 == "-" ? "NULL" : cstr($14))
    n++
}

END {
    if (!header_seen) { printf "%s: no header line\n", FILENAME > "/dev/stderr"; failed = 1 }
    if (failed) exit 1
    print ""
    print "const struct sim_client sim_clients[] = {"
    for (i = 0; i < n; i++) print row[i]
    print "};"
    print "const size_t sim_n_clients = " n ";"
}
