/*
 * cli/output.h - where a command's output goes, and the one check that it
 * got there.
 *
 * Every command writes its output to stdout or, with -o FILE, through a
 * cli_out: the output is written to a temporary file next to FILE
 * (util_open_tmp) and renamed over FILE only by cli_out_commit, after
 * every byte was written (fflush, ferror, fsync, fclose). A run that fails
 * or is killed leaves the old FILE as it was (at worst a FILE.tmp-XXXXXX
 * beside it after a SIGKILL).
 *
 * stdout is checked once for every command, at the end of main
 * (cli_stdout_finish: fflush, ferror, fclose): a write or close that
 * failed gives exit 2 with the reason, whatever the command returned.
 * A command that must say more (what it stored before the output failed)
 * checks stdout itself first with cli_out_commit; main then adds no second
 * message.
 *
 * Ownership: a cli_out is caller storage; cli_out_commit or
 * cli_out_discard ends it (each accepts one that was never opened).
 */
#ifndef TLSAUDIT_CLI_OUTPUT_H
#define TLSAUDIT_CLI_OUTPUT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct cli_out {
    FILE *f;          /* where to write: stdout, or the temporary file */
    const char *path; /* -o FILE, or NULL for stdout */
    char tmp[PATH_MAX];
};

/* cli_out_init sets o to stdout (nothing opened yet). */
void cli_out_init(struct cli_out *o);

/* cli_out_open starts the output: path NULL is stdout, else a temporary
 * file next to path (path is not touched). Returns 0, or -1 with errno
 * set (o is then stdout again). */
__attribute__((warn_unused_result)) int cli_out_open(struct cli_out *o, const char *path);

/* cli_out_name returns what the output is called in messages: "stdout"
 * or the -o path. */
const char *cli_out_name(const struct cli_out *o);

/* cli_out_commit ends a complete output: for a file, every byte flushed,
 * synced and closed, then renamed over path; for stdout, flushed and its
 * error flag read. Returns 0, or -1 with the reason in err ("No space left
 * on device"); a file's old content is then kept and the temporary file
 * removed. A failure on stdout is remembered, so cli_stdout_finish exits 2
 * without a second message. */
__attribute__((warn_unused_result)) int cli_out_commit(struct cli_out *o, char *err,
                                                       size_t err_len);

/* cli_out_write_failed tells, after a writer (report_write, json_dumpf...)
 * returned an error, whether the output itself failed: returns true with
 * the reason in err (saved_errno, the errno the writer left, when it is
 * set, else what a flush says) when the stream has its error flag set or
 * cannot be flushed, false when the writer failed for another reason (out
 * of memory). A failure on stdout is remembered as by cli_out_commit. */
bool cli_out_write_failed(struct cli_out *o, int saved_errno, char *err, size_t err_len);

/* cli_out_discard ends an output that is not complete: a temporary file is
 * closed and removed, path keeps its old content; stdout is left alone. */
void cli_out_discard(struct cli_out *o);

/* cli_stdout_finish is main's last step: flushes and closes stdout and
 * returns rc, or EXIT_USAGE after "tlsaudit: writing to stdout: REASON" on
 * stderr when a write or the close failed (no message when a command
 * already said so through cli_out_commit). */
int cli_stdout_finish(int rc);

#endif
