/*
 * cli/cli.h - the subcommands of the tlsaudit program.
 *
 * cli/ is the only place that decides exit codes and calls exit(). Each
 * subcommand gets argv with argv[0] set to the subcommand's name and
 * returns the process exit code.
 */
#ifndef TLSAUDIT_CLI_CLI_H
#define TLSAUDIT_CLI_CLI_H

/* Exit codes (README, --help and the man page document the same). */
#define EXIT_OK 0         /* done; compliant or no policy asked */
#define EXIT_FINDINGS 1   /* policy findings at or above --fail-on (reserved) */
#define EXIT_WORSE 1      /* diff: something got worse between the two scans */
#define EXIT_USAGE 2      /* usage, input, policy or database error */
#define EXIT_SCAN_ERROR 3 /* at least one target could not be scanned */

/* cmd_scan runs `tlsaudit scan`. */
int cmd_scan(int argc, char **argv);
/* cmd_ciphers runs `tlsaudit ciphers [FILTER]`: prints the registry. */
int cmd_ciphers(int argc, char **argv);
/* cmd_policies runs `tlsaudit policies list | show NAME | lint FILE`. */
int cmd_policies(int argc, char **argv);
/* cmd_report runs `tlsaudit report`: renders a stored scan. */
int cmd_report(int argc, char **argv);

/* cmd_history runs `tlsaudit history TARGET`: one line per scan of it. */
int cmd_history(int argc, char **argv);
/* cmd_diff runs `tlsaudit diff [SCAN_A [SCAN_B]]`: what changed. */
int cmd_diff(int argc, char **argv);
/* cmd_merge runs `tlsaudit merge --into DB SOURCE...`: copies scans in. */
int cmd_merge(int argc, char **argv);

/* cmd_simulate runs `tlsaudit simulate`: client handshakes from stored facts. */
int cmd_simulate(int argc, char **argv);

/* cmd_prune runs `tlsaudit prune`: deletes old scans (retention). */
int cmd_prune(int argc, char **argv);

/* cmd_check runs `tlsaudit check`: evaluates policies over a stored scan. */
int cmd_check(int argc, char **argv);

#endif
