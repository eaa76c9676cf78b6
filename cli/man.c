/*
 * cli/man.c - `tlsaudit --man`: tlsaudit(1) in man(7), generated from the
 * texts --help prints (see man.h for what comes from where).
 *
 * The help texts are plain text laid out for a terminal; man_line turns
 * them into roff by their layout: a paragraph at column 0 is filled text,
 * "Usage: ..." a synopsis, an indented "- " line a bullet, an indented line
 * with a gap of two spaces (or with deeper-indented continuation lines) a
 * tagged paragraph ("  0  done", "  list   the shipped policies"), an
 * indented "$ " line an example. Lines opts_print wrote in roff mode
 * (OPTS_ROFF_MARK) pass through untouched. Everything else is escaped by
 * opts_roff_text, so no help text can inject a request.
 */
#include "cli/man.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/opts.h"
#include "config.h"
#include "policies/policy.h"

#ifndef TLSAUDIT_DOC_DIR
#define TLSAUDIT_DOC_DIR ""
#endif
#ifndef TLSAUDIT_SCHEMA_DIR
#define TLSAUDIT_SCHEMA_DIR ""
#endif

#define MAN_MAX_CMDS 32

/* A text cut into lines (its own copy, '\n' replaced by '\0'). */
struct man_text {
    char *buf;
    char **lines;
    size_t n;
};

static int man_text_init(struct man_text *t, const char *text)
{
    *t = (struct man_text){0};
    size_t len = strlen(text), n = 1;
    for (size_t i = 0; i < len; i++) {
        n += text[i] == '\n';
    }
    t->buf = malloc(len + 1);
    t->lines = calloc(n, sizeof(*t->lines));
    if (t->buf == NULL || t->lines == NULL) {
        free(t->buf);
        free(t->lines);
        return -1;
    }
    memcpy(t->buf, text, len + 1);
    char *p = t->buf;
    while (*p != '\0') {
        t->lines[t->n++] = p;
        char *nl = strchr(p, '\n');
        if (nl == NULL) {
            break;
        }
        *nl = '\0';
        p = nl + 1;
    }
    return 0;
}

static void man_text_cleanup(struct man_text *t)
{
    free(t->buf);
    free(t->lines);
}

/* ---- the text filter ------------------------------------------------------ */

enum man_state { MS_NONE, MS_PARA, MS_ITEM, MS_USAGE, MS_EXAMPLE, MS_RAW };

struct man_filter {
    FILE *out;
    enum man_state st;
    size_t item_indent;
    bool fresh; /* nothing written since .SH/.SS: no .PP needed (nor allowed) */
};

static size_t man_indent(const char *l)
{
    size_t n = 0;
    while (l[n] == ' ') {
        n++;
    }
    return n;
}

/* man_puts writes s as filled text, man_tag as one line (a .TP tag, a
 * line of an example). */
static void man_puts(FILE *out, const char *s)
{
    opts_roff_fill(out, s, 0);
    putc('\n', out);
}

static void man_tag(FILE *out, const char *s)
{
    opts_roff_text(out, s);
    putc('\n', out);
}

static void man_pp(struct man_filter *f)
{
    if (!f->fresh) {
        fputs(".PP\n", f->out);
    }
}

/* man_synopsis writes one synopsis line: "tlsaudit" and the command name
 * (a lower-case word) in bold, the rest as text. */
static void man_synopsis(FILE *out, const char *s)
{
    size_t n = strncmp(s, "tlsaudit", 8) == 0 ? 8 : 0;
    if (n > 0 && s[n] == ' ') {
        size_t w = n + 1;
        while ((s[w] >= 'a' && s[w] <= 'z') || (w > n + 1 && s[w] == '-')) {
            w++;
        }
        if (w > n + 1 && (s[w] == ' ' || s[w] == '\0')) {
            n = w;
        }
    }
    char head[64];
    snprintf(head, sizeof(head), "%.*s", (int)n, s);
    fputs("\\fB", out);
    opts_roff_text(out, head);
    fputs("\\fR", out);
    const char *rest = s + n + man_indent(s + n);
    if (rest[0] != '\0') {
        putc(' ', out);
    }
    man_puts(out, rest);
}

static void man_end_example(struct man_filter *f)
{
    if (f->st == MS_EXAMPLE) {
        fputs(".fi\n.RE\n", f->out);
        f->st = MS_NONE;
    }
}

/* man_item starts a list item at indent ind with text t (next: the line
 * after it, NULL at the end). */
static void man_item(struct man_filter *f, const char *t, size_t ind, const char *next)
{
    f->st = MS_ITEM;
    f->item_indent = ind;
    if (t[0] == '-' && t[1] == ' ') {
        fputs(".IP \\(bu 2\n", f->out);
        man_puts(f->out, t + 2);
        return;
    }
    const char *gap = strstr(t, "  ");
    if (gap != NULL) {
        char tag[128];
        snprintf(tag, sizeof(tag), "%.*s", (int)(gap - t), t);
        fputs(".TP\n", f->out);
        man_tag(f->out, tag);
        man_puts(f->out, gap + man_indent(gap));
        return;
    }
    size_t next_ind = next != NULL ? man_indent(next) : 0;
    if (next != NULL && next[0] != OPTS_ROFF_MARK && next_ind > ind && next[next_ind] != '\0') {
        fputs(".TP\n", f->out); /* the body is in the continuation lines */
        man_tag(f->out, t);
    } else {
        fputs(".IP \"\" 4\n", f->out);
        man_puts(f->out, t);
    }
}

/* man_is_heading: a short line ending in ':' alone in its paragraph
 * ("Options:", "Exit codes:"), shown in bold. */
static bool man_is_heading(const char *t, const char *next)
{
    size_t n = strlen(t);
    return n <= 40 && t[n - 1] == ':' &&
           (next == NULL || next[0] == OPTS_ROFF_MARK || next[0] == ' ' || next[0] == '\0');
}

/* man_line_in converts one line l (next: the line after it, NULL at the
 * end). */
static void man_line_in(struct man_filter *f, const char *l, const char *next)
{
    if (l[0] == OPTS_ROFF_MARK) {
        man_end_example(f);
        fprintf(f->out, "%s\n", l + 1);
        f->st = MS_RAW;
        return;
    }
    size_t ind = man_indent(l);
    const char *t = l + ind;
    if (t[0] != '\0' && ind > 0 && t[0] == '$' && t[1] == ' ') {
        if (f->st != MS_EXAMPLE) {
            man_pp(f);
            fputs(".RS 4\n.nf\n", f->out);
        }
        f->st = MS_EXAMPLE;
        man_tag(f->out, t);
        return;
    }
    man_end_example(f);
    if (t[0] == '\0') {
        f->st = MS_NONE;
    } else if (ind == 0 && strncmp(t, "Usage: ", 7) == 0) {
        man_pp(f);
        man_synopsis(f->out, t + 7);
        f->st = MS_USAGE;
    } else if (f->st == MS_USAGE && ind > 0) {
        if (strncmp(t, "tlsaudit ", 9) == 0) {
            fputs(".br\n", f->out);
            man_synopsis(f->out, t);
        } else {
            man_puts(f->out, t);
        }
    } else if (ind == 0 && f->st == MS_PARA) {
        man_puts(f->out, t);
    } else if (ind == 0) {
        man_pp(f);
        if (man_is_heading(t, next)) {
            fputs("\\fB", f->out);
            opts_roff_text(f->out, t);
            fputs("\\fR\n", f->out);
            f->st = MS_NONE;
        } else {
            man_puts(f->out, t);
            f->st = MS_PARA;
        }
    } else if (f->st == MS_ITEM && ind > f->item_indent) {
        man_puts(f->out, t);
    } else {
        man_item(f, t, ind, next);
    }
}

static void man_line(struct man_filter *f, const char *l, const char *next)
{
    man_line_in(f, l, next);
    if (l[0] != '\0') {
        f->fresh = false;
    }
}

/* man_lines filters lines [from, to) of t; fresh: right after .SH/.SS. */
static void man_lines(FILE *out, const struct man_text *t, size_t from, size_t to, bool fresh)
{
    struct man_filter f = {.out = out, .st = MS_NONE, .fresh = fresh};
    for (size_t i = from; i < to; i++) {
        man_line(&f, t->lines[i], i + 1 < to ? t->lines[i + 1] : NULL);
    }
    man_end_example(&f);
}

/* man_prose filters a text written here (the sections --help lacks). */
static int man_prose(FILE *out, const char *text)
{
    struct man_text t;
    if (man_text_init(&t, text) != 0) {
        return -1;
    }
    man_lines(out, &t, 0, t.n, true);
    man_text_cleanup(&t);
    return 0;
}

/* ---- the help texts ----------------------------------------------------------- */

/* man_capture runs `tlsaudit help NAME` with stdout in a temporary file
 * (stderr in /dev/null) and opts_print in roff mode. Returns 0 and *out
 * (malloc'd), 1 when the command has no help of its own, -1 on a system
 * error. */
static int man_capture(man_run_fn run, const char *name, char **out)
{
    *out = NULL;
    int rc = -1;
    FILE *tmp = tmpfile();
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    int saved_out = dup(STDOUT_FILENO), saved_err = dup(STDERR_FILENO);
    if (tmp == NULL || null < 0 || saved_out < 0 || saved_err < 0 || fflush(stdout) != 0 ||
        dup2(fileno(tmp), STDOUT_FILENO) < 0 || dup2(null, STDERR_FILENO) < 0) {
        goto out;
    }
    char *argv[] = {(char *)"tlsaudit", (char *)"help", (char *)name, NULL};
    opts_set_roff(true);
    int status = run(3, argv);
    opts_set_roff(false);
    bool flushed = fflush(stdout) == 0;
    if (dup2(saved_out, STDOUT_FILENO) < 0 || dup2(saved_err, STDERR_FILENO) < 0 || !flushed) {
        goto out;
    }
    /* The help went through another stream on the same file: its end is
     * the length. */
    long len = fseek(tmp, 0, SEEK_END) == 0 ? ftell(tmp) : -1;
    if (len < 0) {
        goto out;
    }
    if (status != 0 || len == 0) {
        rc = 1;
        goto out;
    }
    *out = malloc((size_t)len + 1);
    if (*out == NULL || fseek(tmp, 0, SEEK_SET) != 0 ||
        fread(*out, 1, (size_t)len, tmp) != (size_t)len) {
        free(*out);
        *out = NULL;
        goto out;
    }
    (*out)[len] = '\0';
    rc = 0;
out:
    if (saved_out >= 0) {
        (void)dup2(saved_out, STDOUT_FILENO);
        close(saved_out);
    }
    if (saved_err >= 0) {
        (void)dup2(saved_err, STDERR_FILENO);
        close(saved_err);
    }
    if (null >= 0) {
        close(null);
    }
    if (tmp != NULL) {
        fclose(tmp);
    }
    return rc;
}

/* The parts of the usage text: each a range of its lines. */
struct man_usage {
    struct man_text t;
    size_t usage_from, usage_to; /* "Usage: ..." */
    size_t name_line;            /* the one-line description */
    size_t cmds_from, cmds_to;   /* after "Commands:" */
    size_t exit_from, exit_to;   /* after "Exit codes:" */
    size_t rest_from, rest_to;   /* after the exit codes */
    const char *cmds[MAN_MAX_CMDS];
    char cmd_buf[MAN_MAX_CMDS][32];
    size_t n_cmds;
};

/* man_block_end: the first blank line from i on (or t->n). */
static size_t man_block_end(const struct man_text *t, size_t i)
{
    while (i < t->n && t->lines[i][0] != '\0') {
        i++;
    }
    return i;
}

/* man_usage_commands collects the command names: the first word of each
 * line of the Commands block indented by exactly two. */
static void man_usage_commands(struct man_usage *u)
{
    for (size_t i = u->cmds_from; i < u->cmds_to && u->n_cmds < MAN_MAX_CMDS; i++) {
        const char *l = u->t.lines[i];
        if (man_indent(l) != 2) {
            continue;
        }
        size_t w = strcspn(l + 2, " ");
        snprintf(u->cmd_buf[u->n_cmds], sizeof(u->cmd_buf[0]), "%.*s", (int)w, l + 2);
        u->cmds[u->n_cmds] = u->cmd_buf[u->n_cmds];
        u->n_cmds++;
    }
}

static int man_usage_parse(struct man_usage *u, const char *usage)
{
    memset(u, 0, sizeof(*u));
    if (man_text_init(&u->t, usage) != 0) {
        return -1;
    }
    const struct man_text *t = &u->t;
    bool have_name = false;
    for (size_t i = 0; i < t->n;) {
        if (t->lines[i][0] == '\0') {
            i++;
            continue;
        }
        size_t end = man_block_end(t, i);
        const char *l = t->lines[i];
        if (strncmp(l, "Usage:", 6) == 0) {
            u->usage_from = i;
            u->usage_to = end;
        } else if (strncmp(l, "Commands:", 9) == 0) {
            u->cmds_from = i + 1;
            u->cmds_to = end;
        } else if (strncmp(l, "Exit codes", 10) == 0) {
            u->exit_from = i + 1;
            u->exit_to = end;
            u->rest_from = end;
            u->rest_to = t->n;
            break;
        } else if (!have_name) {
            u->name_line = i;
            have_name = true;
        }
        i = end;
    }
    if (!have_name || u->usage_to == 0 || u->cmds_to == 0 || u->exit_to == 0) {
        man_text_cleanup(&u->t);
        return -1;
    }
    man_usage_commands(u);
    return 0;
}

/* ---- the page ---------------------------------------------------------------- */

static const char man_description[] =
    "tlsaudit scans TLS servers (HTTPS, and mail, directory and database servers\n"
    "through STARTTLS), stores every fact it finds (protocol versions, cipher\n"
    "suites and their order, groups, signature schemes, certificate chains,\n"
    "revocation, vulnerabilities) in one SQLite database, and evaluates\n"
    "compliance policies (PCI DSS, NIST SP 800-52r2, Mozilla, BSI TR-02102-2,\n"
    "CA/B Forum; or a YAML file of your own) over the stored facts. Only scan\n"
    "touches the network; check, report, history, diff, merge and prune work on\n"
    "the database alone, and their exit codes make tlsaudit a CI gate.\n";

static const char man_environment[] =
    "  TLSAUDIT_DB  the database when --db is not given (default: tlsaudit.db in\n"
    "               the current directory)\n"
    "  TLSAUDIT_POLICY_DIR  the directory searched first for a shipped policy\n"
    "               name (--policy NAME, extends: NAME, tlsaudit policies): the\n"
    "               override when the policies are not where they were installed\n"
    "  TLSAUDIT_RUN_ID  the run a scan --shard belongs to when --run-id is not\n"
    "               given\n"
    "  SLURM_ARRAY_JOB_ID  without either, the run is slurm-$SLURM_ARRAY_JOB_ID\n"
    "  NO_COLOR  when set, --color auto (the default) never colours\n";

static const char man_examples[] =
    "Scan two servers into ./tlsaudit.db and gate on PCI DSS 4.0 (exit 1 when a\n"
    "finding at or above high fails):\n"
    "  $ tlsaudit scan --policy pci-dss-4.0 www.example.com mail.example.com:465\n"
    "\n"
    "Scan the targets of a file into audit.db, then judge and render the stored\n"
    "scan in CI:\n"
    "  $ export TLSAUDIT_DB=audit.db\n"
    "  $ tlsaudit scan -f targets.txt\n"
    "  $ tlsaudit check --policy mozilla-intermediate --fail-on medium\n"
    "  $ tlsaudit report --format junit -o junit.xml\n"
    "  $ tlsaudit report --format html -o report.html\n"
    "\n"
    "What changed since the previous scan (exit 1 when something got worse):\n"
    "  $ tlsaudit diff\n"
    "\n"
    "The shipped policies, the rules of one, and a check of a policy of your own:\n"
    "  $ tlsaudit policies list\n"
    "  $ tlsaudit policies show nist-sp800-52r2\n"
    "  $ tlsaudit policies lint my-policy.yaml\n";

/* man_path writes a path with a break point (\:) after each '/' and no
 * hyphenation (\%), so that a path longer than the line (a deep prefix)
 * can still be set (in FILES, which is not adjusted: .na). */
static void man_path(FILE *out, const char *path)
{
    while (*path != '\0') {
        size_t n = strcspn(path, "/");
        char seg[256];
        snprintf(seg, sizeof(seg), "%.*s", (int)n, path);
        fputs("\\%", out);
        opts_roff_text(out, seg);
        path += n;
        if (*path == '/') {
            fputs("/\\:", out);
            path++;
        }
    }
}

/* man_tp writes a tagged paragraph: tag (a file, in italics) and body. */
static void man_tp(FILE *out, const char *dir, const char *file, const char *body)
{
    fputs(".TP\n\\fI", out);
    man_path(out, dir);
    man_path(out, file);
    fputs("\\fR\n", out);
    man_puts(out, body);
}

static void man_files(FILE *out)
{
    fputs(".SH FILES\n.na\n", out);
    man_tp(out, "", "tlsaudit.db",
           "the database of the commands that are given neither --db nor $TLSAUDIT_DB, in "
           "the current directory");
    if (policy_installed_dir()[0] != '\0') {
        man_tp(out, policy_installed_dir(), "/*.yaml",
               "the shipped policies, by name: pci-dss-4.0.yaml is --policy pci-dss-4.0 "
               "(searched after $TLSAUDIT_POLICY_DIR; when neither has the name, the error "
               "names every directory searched)");
    }
    if (TLSAUDIT_SCHEMA_DIR[0] != '\0') {
        man_tp(out, TLSAUDIT_SCHEMA_DIR, "/tlsaudit-v1.schema.json",
               "the JSON Schema of the documents of --format json (scan, check and report)");
    }
    if (TLSAUDIT_DOC_DIR[0] != '\0') {
        man_tp(out, TLSAUDIT_DOC_DIR, "/",
               "the documentation: README.md, ARCHITECTURE.md (a tour of the source), "
               "policy-language.md, json-output.md, store-schema.md, diff-output.md");
    }
    fputs(".ad\n", out);
}

static void man_see_also(FILE *out)
{
    static const char *const pages[] = {"openssl-s_client", "gnutls-cli", "sqlite3", "testssl",
                                        "sslscan"};
    size_t n = sizeof(pages) / sizeof(pages[0]);
    fputs(".SH SEE ALSO\n", out);
    for (size_t i = 0; i < n; i++) {
        fputs(".BR ", out);
        opts_roff_text(out, pages[i]);
        fprintf(out, " (1)%s\n", i + 1 < n ? "," : "");
    }
    fputs(".PP\n", out);
    man_puts(out, "The policy language, the JSON output and the database schema are described "
                  "in the documentation under FILES.");
}

/* man_head writes .TH, NAME and SYNOPSIS (the usage lines of the program
 * and of every command with help). */
static void man_head(FILE *out, const struct man_usage *u, char *const help[], const char *date)
{
    fputs(".\\\" tlsaudit.1: generated by 'tlsaudit --man' (cli/man.c) from --help and the\n"
          ".\\\" option tables; edit those, not this file.\n",
          out);
    fprintf(out, ".TH TLSAUDIT 1 \"%s\" \"%s %s\" \"User Commands\"\n", date, PACKAGE_NAME,
            PACKAGE_VERSION);
    fputs(".SH NAME\ntlsaudit \\- ", out);
    char name[256];
    snprintf(name, sizeof(name), "%s", u->t.lines[u->name_line]);
    size_t n = strlen(name);
    if (n > 0 && name[n - 1] == '.') {
        name[n - 1] = '\0';
    }
    man_puts(out, name);
    fputs(".SH SYNOPSIS\n.nh\n", out); /* no hyphenation of option names */
    man_lines(out, &u->t, u->usage_from, u->usage_to, true);
    for (size_t i = 0; i < u->n_cmds; i++) {
        struct man_text t;
        if (help[i] == NULL || man_text_init(&t, help[i]) != 0) {
            continue;
        }
        man_lines(out, &t, 0, man_block_end(&t, 0), false);
        man_text_cleanup(&t);
    }
    fputs(".hy\n", out);
}

/* man_body writes DESCRIPTION, COMMANDS and EXIT STATUS. */
static int man_body(FILE *out, const struct man_usage *u, char *const help[])
{
    fputs(".SH DESCRIPTION\n", out);
    if (man_prose(out, man_description) != 0) {
        return -1;
    }
    man_lines(out, &u->t, u->rest_from, u->rest_to, false);
    fputs(".SH COMMANDS\n", out);
    man_lines(out, &u->t, u->cmds_from, u->cmds_to, true);
    for (size_t i = 0; i < u->n_cmds; i++) {
        struct man_text t;
        if (help[i] == NULL) {
            continue;
        }
        if (man_text_init(&t, help[i]) != 0) {
            return -1;
        }
        fputs(".SS \"tlsaudit ", out);
        opts_roff_text(out, u->cmds[i]);
        fputs("\"\n", out);
        man_lines(out, &t, 0, t.n, true);
        man_text_cleanup(&t);
    }
    fputs(".SH \"EXIT STATUS\"\n", out);
    man_lines(out, &u->t, u->exit_from, u->exit_to, true);
    return 0;
}

/* man_date_ok: a date for .TH: YYYY-MM-DD. */
static bool man_date_ok(const char *d)
{
    if (strlen(d) != 10 || d[4] != '-' || d[7] != '-') {
        return false;
    }
    for (size_t i = 0; i < 10; i++) {
        if (i != 4 && i != 7 && (d[i] < '0' || d[i] > '9')) {
            return false;
        }
    }
    return true;
}

int man_write(FILE *out, const char *usage, man_run_fn run, const char *date)
{
    struct man_usage u;
    char *help[MAN_MAX_CMDS] = {NULL};
    int rc = 2;
    if (!man_date_ok(date)) {
        fprintf(stderr, "tlsaudit --man: '%s' is not a date: expected YYYY-MM-DD\n", date);
        return 2;
    }
    if (man_usage_parse(&u, usage) != 0) {
        fputs("tlsaudit --man: the usage text has no Usage, description, Commands or Exit "
              "codes part\n",
              stderr);
        return 2;
    }
    for (size_t i = 0; i < u.n_cmds; i++) {
        if (man_capture(run, u.cmds[i], &help[i]) < 0) {
            fprintf(stderr, "tlsaudit --man: capturing 'tlsaudit help %s' failed\n", u.cmds[i]);
            goto out;
        }
    }
    man_head(out, &u, help, date);
    if (man_body(out, &u, help) != 0) {
        fputs("tlsaudit --man: out of memory\n", stderr);
        goto out;
    }
    fputs(".SH ENVIRONMENT\n", out);
    if (man_prose(out, man_environment) != 0) {
        goto out;
    }
    man_files(out);
    fputs(".SH EXAMPLES\n", out);
    if (man_prose(out, man_examples) != 0) {
        goto out;
    }
    man_see_also(out);
    rc = 0;
out:
    for (size_t i = 0; i < u.n_cmds; i++) {
        free(help[i]);
    }
    man_text_cleanup(&u.t);
    return rc;
}
