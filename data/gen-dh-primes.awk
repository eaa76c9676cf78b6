# data/gen-dh-primes.awk - data/dh-primes.tsv -> scanner/probes/dh_primes_table.c
# (the well-known DH primes by SHA-256, scanner/probes/dh_primes.h), run by
# every build. A row must have four tab-separated fields, a 64-digit
# lowercase hex hash and no quote or backslash in its text.
BEGIN {
    FS = "\t"
    print "/* Generated from data/dh-primes.tsv by data/gen-dh-primes.awk; do not edit. */"
    print "#include \"scanner/probes/dh_primes.h\""
    print ""
    print "const struct dh_known_prime dh_known_primes[] = {"
    n = 0
}
/^#/ || /^$/ { next }
{
    if (NF != 4 || $3 !~ /^[0-9a-f]+$/ || length($3) != 64 || $2 !~ /^[0-9]+$/ ||
        $0 ~ /["\\]/) {
        printf "gen-dh-primes.awk: bad row %d: %s\n", NR, $0 > "/dev/stderr"
        bad = 1
        exit 1
    }
    printf "    {.name = \"%s\", .bits = %s, .sha256 = \"%s\", .source = \"%s\"},\n", $1, $2, $3, $4
    n++
}
END {
    if (bad) {
        exit 1
    }
    print "};"
    printf "const size_t dh_known_primes_count = %d;\n", n
}
