/*
 * cli/cmd_policies.c - `tlsaudit policies [list | show NAME|FILE | lint FILE...]`:
 * the shipped policies, the rules of one policy, and a validity check of
 * policy files for editors and CI.
 *
 * Offline: no network, no database. Everything comes from policies/policy.h;
 * this file only prints. Exit codes (cli/cli.h): 0 done / every file valid,
 * 2 usage error or an invalid policy (the loader's "FILE:LINE:COLUMN: what
 * was expected" goes to stderr).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "common/strlist.h"
#include "policies/policy.h"

/* Until cli/cli.h declares it next to the other subcommands. */

static const char policies_usage[] =
    "Usage: tlsaudit policies [list]\n"
    "       tlsaudit policies show NAME|FILE\n"
    "       tlsaudit policies lint FILE...\n"
    "\n"
    "  list         the shipped policies: name, id, version, title\n"
    "  show NAME    the rules of a policy (a shipped name or a .yaml file):\n"
    "               id, severity, requirement, title and check\n"
    "  lint FILE    check policy files; prints 'FILE: ok (N rules)' or the first\n"
    "               error as FILE:LINE:COLUMN: what was expected\n"
    "\n"
    "Shipped policies are looked up in $TLSAUDIT_POLICY_DIR, then the installed\n"
    "policy directory:\n";

static const char policies_usage_tail[] =
    "A tlsaudit run from its build tree (before 'make install') also looks in\n"
    "the source tree's policies/. The language: docs/policy-language.md.\n"
    "\n"
    "Exit codes: 0 done, 2 usage error or invalid policy.\n";

/* policies_put prints s with control characters shown as '?': policy
 * files are user input and the terminal should not interpret them. */
static void policies_put(const char *s)
{
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        putchar(c < 0x20 || c == 0x7f ? '?' : c);
    }
}

static int policies_list(void)
{
    struct strlist names;
    strlist_init(&names);
    int rc = EXIT_OK;
    if (policy_list_shipped(&names) != 0) {
        fputs("tlsaudit policies: out of memory\n", stderr);
        rc = EXIT_USAGE;
        goto out;
    }
    if (names.n_items == 0) {
        char where[2048];
        policy_shipped_where(where, sizeof(where));
        fprintf(stderr,
                "tlsaudit policies: no shipped policies found (searched: %s); set "
                "TLSAUDIT_POLICY_DIR to their directory\n",
                where);
        rc = EXIT_USAGE;
        goto out;
    }
    printf("%-24s %-24s %-10s %s\n", "NAME", "ID", "VERSION", "TITLE");
    for (size_t i = 0; i < names.n_items; i++) {
        char err[1024];
        struct policy *p = policy_load(names.items[i], err, sizeof(err));
        if (p == NULL) {
            fprintf(stderr, "%s\n", err);
            rc = EXIT_USAGE;
            continue;
        }
        printf("%-24s %-24s %-10s ", names.items[i], policy_id(p), policy_version(p));
        policies_put(policy_title(p));
        putchar('\n');
        policy_free(p);
    }
out:
    strlist_cleanup(&names);
    return rc;
}

static void policies_show_list(const char *label, const struct strlist *l, const char *sep)
{
    fputs(label, stdout);
    if (l->n_items == 0) {
        fputs("(none)", stdout);
    }
    for (size_t i = 0; i < l->n_items; i++) {
        if (i > 0) {
            fputs(sep, stdout);
        }
        policies_put(l->items[i]);
    }
    putchar('\n');
}

static int policies_show(const char *name)
{
    char err[1024];
    struct policy *p = policy_load(name, err, sizeof(err));
    if (p == NULL) {
        fprintf(stderr, "%s\n", err);
        return EXIT_USAGE;
    }
    printf("%s  version ", policy_id(p));
    policies_put(policy_version(p));
    fputs("\ntitle:    ", stdout);
    policies_put(policy_title(p));
    fputs("\nfile:     ", stdout);
    policies_put(policy_path(p));
    printf("\nsha256:   %s\nextends:  ", policy_sha256(p));
    policies_put(policy_extends(p)[0] != '\0' ? policy_extends(p) : "(none)");
    putchar('\n');
    policies_show_list("sources:  ", policy_sources(p), "\n          ");
    printf("rules:    %zu\n", policy_n_rules(p));
    struct policy_rule_info ri;
    for (size_t i = 0; policy_rule_at(p, i, &ri); i++) {
        fputs("\n  ", stdout);
        policies_put(ri.id);
        printf("  [%s]  ", severity_name(ri.severity));
        policies_put(ri.ref);
        fputs("\n      ", stdout);
        policies_put(ri.title);
        printf("\n      %s: ", ri.check);
        policies_put(ri.params);
        putchar('\n');
        if (ri.applies_to->n_items > 0) {
            policies_show_list("      applies_to: ", ri.applies_to, ", ");
        }
    }
    printf("\nwaivers:  %zu\n", policy_n_waivers(p));
    struct policy_waiver_info wi;
    for (size_t i = 0; policy_waiver_at(p, i, &wi); i++) {
        fputs("  ", stdout);
        policies_put(wi.rule);
        fputs(" until ", stdout);
        policies_put(wi.expires);
        fputs(" (", stdout);
        policies_put(wi.owner);
        fputs(")\n", stdout);
        policies_show_list("      targets: ", wi.targets, ", ");
        fputs("      ", stdout);
        policies_put(wi.justification);
        putchar('\n');
    }
    policy_free(p);
    return EXIT_OK;
}

static int policies_lint(int n, char **files)
{
    int rc = EXIT_OK;
    for (int i = 0; i < n; i++) {
        char err[1024];
        struct policy *p = policy_load_file(files[i], err, sizeof(err));
        if (p == NULL) {
            fprintf(stderr, "%s\n", err);
            rc = EXIT_USAGE;
            continue;
        }
        policies_put(files[i]);
        printf(": ok (%zu rule%s)\n", policy_n_rules(p), policy_n_rules(p) == 1 ? "" : "s");
        policy_free(p);
    }
    return rc;
}

int cmd_policies(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
                      strcmp(argv[1], "help") == 0)) {
        fputs(policies_usage, stdout);
        printf("  %s\n", policy_installed_dir()[0] != '\0' ? policy_installed_dir() : "(none)");
        fputs(policies_usage_tail, stdout);
        return EXIT_OK;
    }
    if (argc < 2 || strcmp(argv[1], "list") == 0) {
        if (argc > 2) {
            fputs("tlsaudit policies list: takes no arguments\n", stderr);
            return EXIT_USAGE;
        }
        return policies_list();
    }
    if (strcmp(argv[1], "show") == 0) {
        if (argc != 3) {
            fputs("tlsaudit policies show: expected one policy name or file\n", stderr);
            return EXIT_USAGE;
        }
        return policies_show(argv[2]);
    }
    if (strcmp(argv[1], "lint") == 0) {
        if (argc < 3) {
            fputs("tlsaudit policies lint: expected at least one policy file\n", stderr);
            return EXIT_USAGE;
        }
        return policies_lint(argc - 2, argv + 2);
    }
    fprintf(stderr, "tlsaudit policies: unknown action '%s' (try 'tlsaudit policies --help')\n",
            argv[1]);
    return EXIT_USAGE;
}
