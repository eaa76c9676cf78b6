#!/usr/bin/env python3
"""tests/integration/man_check.py - does the rendered man page say what --help says?

Usage: man_check.py RENDERED USAGE HELPDIR

RENDERED is tlsaudit.1 rendered by groff -Tutf8 -P-cbou (plain text), USAGE
the output of `tlsaudit --help`, HELPDIR a directory with CMD.txt, the output
of `tlsaudit CMD --help`, for every command that has its own help. Checks:
  - every command of the usage text is listed under COMMANDS;
  - every command with help has its section ("tlsaudit CMD"), and in it every
    option of its --help: a line starting with its tag (-x, --name), and the
    whole --help line (tag, value name, help text) read on in order;
  - the usage lines of every command with help are in the SYNOPSIS and at
    the top of its section;
  - every exit code of the usage text is under EXIT STATUS with its text.
Prints one line per failure and exits 1 if any; prints the counts and exits
0 otherwise.
"""
import os
import re
import sys


def norm(s):
    return " ".join(s.split())


def sections(text):
    """{heading: body} for the .SH (column 0) and .SS (column 3) headings."""
    out, name, body = {}, None, []
    for line in text.split("\n"):
        if re.match(r"^\S", line) or re.match(r"^   \S", line):
            if name is not None:
                out[name] = "\n".join(body)
            name, body = line.strip(), []
        else:
            body.append(line)
    if name is not None:
        out[name] = "\n".join(body)
    return out


def usage_parts(usage):
    """The command names and the exit-code items (code, text) of --help."""
    cmds, codes, block = [], [], None
    for line in usage.split("\n"):
        if line.startswith("Commands:"):
            block = "cmds"
            continue
        if line.startswith("Exit codes"):
            block = "exit"
            continue
        if line.strip() == "":
            block = None
            continue
        indent = len(line) - len(line.lstrip(" "))
        if block == "cmds" and indent == 2:
            cmds.append(line.split()[0])
        elif block == "exit" and indent == 2:
            code, text = line.strip().split(None, 1)
            codes.append([code, text])
        elif block == "exit" and codes:
            codes[-1][1] += " " + line.strip()
    return cmds, codes


OPT_RE = re.compile(r"^ {2}(?:-(\w), |    )--([a-z0-9-]+)")


def check_command(name, help_text, body, fail):
    """Checks the options of one command; returns how many were found."""
    lines = [l.strip() for l in body.split("\n")]
    flat = norm(body)
    n = 0
    for line in help_text.split("\n"):
        m = OPT_RE.match(line)
        if not m:
            continue
        short, long_name = m.group(1), m.group(2)
        head = ("-%s, " % short if short else "") + "--" + long_name
        # A tagged paragraph: its tag starts a line (the text follows on the
        # same line when the tag is short); tag and text read on in order.
        if not any(l == head or l.startswith(head + " ") for l in lines):
            fail("%s: option %s has no tag line in the man page" % (name, head))
            continue
        if norm(line) not in flat:
            fail("%s: %s is not in the man page as in --help: %s" % (name, head, norm(line)))
            continue
        n += 1
    return n


def main():
    rendered = open(sys.argv[1], encoding="utf-8").read()
    # groff marks a hyphenation break with U+2010 at the end of a line.
    rendered = re.sub("\u2010\n *", "", rendered)
    usage = open(sys.argv[2], encoding="utf-8").read()
    helpdir = sys.argv[3]
    secs = sections(rendered)
    failures = []
    fail = failures.append
    cmds, codes = usage_parts(usage)
    listed = [l.strip() for l in secs.get("COMMANDS", "").split("\n")]
    n_opts = n_sections = 0
    for c in cmds:
        if not any(l == c or l.startswith(c + " ") for l in listed):
            fail("command %s is not listed under COMMANDS" % c)
        path = os.path.join(helpdir, c + ".txt")
        if not os.path.exists(path):
            continue
        body = secs.get("tlsaudit " + c)
        if body is None:
            fail("command %s has no section 'tlsaudit %s'" % (c, c))
            continue
        n_sections += 1
        help_text = open(path, encoding="utf-8").read()
        n_opts += check_command(c, help_text, body, fail)
        # Its usage (the first block, "Usage: " dropped) is in the SYNOPSIS
        # and at the top of its section.
        usage_block = norm(help_text.split("\n\n")[0].replace("Usage: ", " "))
        for where, text in (("SYNOPSIS", secs.get("SYNOPSIS", "")), ("its section", body)):
            if usage_block not in norm(text):
                fail("%s: the usage is not in %s: %s" % (c, where, usage_block))
    exit_body = secs.get("EXIT STATUS", "")
    exit_lines = [l.strip() for l in exit_body.split("\n")]
    for code, text in codes:
        if not any(l.split()[:1] == [code] for l in exit_lines) or norm(text) not in norm(exit_body):
            fail("exit code %s is not under EXIT STATUS: %s" % (code, text))
    for f in failures:
        print("FAIL " + f)
    if not cmds or not codes or n_opts == 0:
        print("FAIL nothing found to compare (commands %d, exit codes %d, options %d)"
              % (len(cmds), len(codes), n_opts))
        return 1
    print("%d commands, %d sections, %d options, %d exit codes compared"
          % (len(cmds), n_sections, n_opts, len(codes)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
