/*
 * cli/main.c - the tlsaudit program: dispatches to a subcommand.
 *
 * The only place (with the other cli/ files) that decides exit codes.
 * Whatever the command, its exit code passes through cli_stdout_finish
 * (cli/output.h): output lost on stdout is exit 2, never 0.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/man.h"
#include "cli/output.h"
#include "config.h"

static const char usage_text[] =
    "Usage: tlsaudit COMMAND [OPTIONS] [ARGS]\n"
    "\n"
    "TLS certificate and cipher-suite compliance scanner.\n"
    "\n"
    "Commands:\n"
    "  scan [OPTIONS] TARGET...   scan targets, store the results, print a summary\n"
    "  check --policy P [--scan ID|--latest]\n"
    "                             evaluate policies over a stored scan (no network)\n"
    "  report [--scan ID|--latest] [--format F] [-o FILE]\n"
    "                             render a stored scan: text, json, csv, junit,\n"
    "                             markdown, html or sarif (no network)\n"
    "  history TARGET [--format F]\n"
    "                             every stored scan of one target, oldest first\n"
    "  diff [SCAN_A [SCAN_B]] [--format F] [-o FILE]\n"
    "                             what changed between two stored scans (default:\n"
    "                             the last two sharing targets); exit 1 when\n"
    "                             something got worse\n"
    "  merge --into DB SOURCE...  copy the scans of other databases (shards) into DB\n"
    "  prune (--keep-days N | --keep-scans N) [--dry-run]\n"
    "                             delete old scans and what only they use, then\n"
    "                             reclaim the space\n"
    "  policies [list | show NAME | lint FILE]\n"
    "                             the shipped policies; check a policy file\n"
    "  ciphers [FILTER]           list the cipher-suite registry\n"
    "  help [COMMAND]             show help (same as COMMAND --help)\n"
    "  version                    show the version\n"
    "\n"
    "Exit codes:\n"
    "  0  done (every target scanned)\n"
    "  1  a policy failed: a finding at or above --fail-on that is not waived\n"
    "     (with --fail-on-inconclusive also a target 'not demonstrated': an\n"
    "     inconclusive finding there); report: the same, only with --fail-on or\n"
    "     --fail-on-inconclusive; scan, check: also a certificate expiring\n"
    "     within --fail-on-expiring DAYS; diff: something got worse\n"
    "  2  usage, input, database or output error; nothing stored is changed, but\n"
    "     when scan or check fail after storing (output lost, a write to the\n"
    "     database that failed), what was stored stays and the message says what\n"
    "  3  at least one target could not be scanned, or the scan was interrupted\n"
    "\n"
    "Run 'tlsaudit COMMAND --help' for the options of a command.\n";

/* dispatch runs the command named by argv[1]; returns its exit code. */
static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "scan") == 0) {
        return cmd_scan(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "ciphers") == 0) {
        return cmd_ciphers(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "policies") == 0) {
        return cmd_policies(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "check") == 0) {
        return cmd_check(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "report") == 0) {
        return cmd_report(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "history") == 0) {
        return cmd_history(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "diff") == 0) {
        return cmd_diff(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "merge") == 0) {
        return cmd_merge(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "prune") == 0) {
        return cmd_prune(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        if (argc >= 3 && strcmp(cmd, "help") == 0) {
            char *sub_argv[] = {argv[2], (char *)"--help", NULL};
            if (strcmp(argv[2], "scan") == 0) {
                return cmd_scan(2, sub_argv);
            }
            if (strcmp(argv[2], "ciphers") == 0) {
                return cmd_ciphers(2, sub_argv);
            }
            if (strcmp(argv[2], "policies") == 0) {
                return cmd_policies(2, sub_argv);
            }
            if (strcmp(argv[2], "check") == 0) {
                return cmd_check(2, sub_argv);
            }
            if (strcmp(argv[2], "report") == 0) {
                return cmd_report(2, sub_argv);
            }
            if (strcmp(argv[2], "history") == 0) {
                return cmd_history(2, sub_argv);
            }
            if (strcmp(argv[2], "diff") == 0) {
                return cmd_diff(2, sub_argv);
            }
            if (strcmp(argv[2], "merge") == 0) {
                return cmd_merge(2, sub_argv);
            }
            if (strcmp(argv[2], "prune") == 0) {
                return cmd_prune(2, sub_argv);
            }
            fprintf(stderr, "tlsaudit: no help for unknown command '%s'\n", argv[2]);
            return EXIT_USAGE;
        }
        fputs(usage_text, stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
        return EXIT_OK;
    }
    fprintf(stderr, "tlsaudit: unknown command '%s' (try 'tlsaudit --help')\n", cmd);
    return EXIT_USAGE;
}

/* man_page runs the hidden `tlsaudit --man DATE` that make runs to write
 * tlsaudit.1 (cli/man.h): the page from the help of every command. */
static int man_page(int argc, char **argv)
{
    if (argc != 3) {
        fputs("tlsaudit --man: expected the page's date (YYYY-MM-DD)\n", stderr);
        return EXIT_USAGE;
    }
    return man_write(stdout, usage_text, dispatch, argv[2]);
}

int main(int argc, char **argv)
{
    /* Output that is not a terminal is buffered in 64 KiB blocks, so that
     * a help text or a report up to that size fails (full disk, closed
     * pipe) in cli_stdout_finish's flush, where the system's reason is
     * still known; stdio's default (the file's block size, often 4 KiB)
     * loses it in an earlier write of a longer text. */
    static char stdout_buf[64 * 1024];
    if (!isatty(STDOUT_FILENO)) {
        (void)setvbuf(stdout, stdout_buf, _IOFBF, sizeof(stdout_buf));
    }
    if (argc >= 2 && strcmp(argv[1], "--man") == 0) {
        return cli_stdout_finish(man_page(argc, argv));
    }
    return cli_stdout_finish(dispatch(argc, argv));
}
