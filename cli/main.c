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
    "  simulate [OPTIONS] [TARGET...]\n"
    "                             what each client profile would negotiate with the\n"
    "                             stored targets, and which clients a change breaks\n"
    "                             (no network); exit 1 when a change breaks one\n"
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
    "     within --fail-on-expiring DAYS; diff: something got worse;\n"
    "     simulate: a what-if breaks a client\n"
    "  2  usage, input, database or output error; nothing stored is changed, but\n"
    "     when scan or check fail after storing (output lost, a write to the\n"
    "     database that failed), what was stored stays and the message says what\n"
    "  3  at least one target could not be scanned, or the scan was interrupted\n"
    "\n"
    "Run 'tlsaudit COMMAND --help' for the options of a command.\n";

/* The commands, by name: one row each, for dispatch and `help COMMAND`. */
static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"scan", cmd_scan},   {"ciphers", cmd_ciphers}, {"policies", cmd_policies},
    {"check", cmd_check}, {"report", cmd_report},   {"history", cmd_history},
    {"diff", cmd_diff},   {"merge", cmd_merge},     {"simulate", cmd_simulate},
    {"prune", cmd_prune},
};

static int (*command_named(const char *name))(int, char **)
{
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(commands[i].name, name) == 0) {
            return commands[i].run;
        }
    }
    return NULL;
}

/* dispatch runs the command named by argv[1]; returns its exit code. */
static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    int (*run)(int, char **) = command_named(cmd);
    if (run != NULL) {
        return run(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        if (argc >= 3 && strcmp(cmd, "help") == 0) {
            char *sub_argv[] = {argv[2], (char *)"--help", NULL};
            run = command_named(argv[2]);
            if (run != NULL) {
                return run(2, sub_argv);
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
