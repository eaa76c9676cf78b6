#!/usr/bin/env python3
"""Validity checks of report files that are easier in Python than in shell.

usage:
  formats.py csv FILE      RFC 4180 round trip: every field quoted, same
                           column count on every row as the header, no
                           parsed value a spreadsheet would run as a
                           formula (first character = + - @ tab CR), no
                           control byte inside a field; prints
                           "ROWS record=N ..." counts
  formats.py inert FILE    no control byte but LF (no ESC, CR, NUL, DEL, C1)
                           and no raw "<script" anywhere (Markdown)
  formats.py controls FILE no control byte but LF (text: a terminal shows
                           "<script>" as the characters it is, so the text
                           report keeps a certificate's name as it is)
Exit 0 when the file passes, 1 with the reasons otherwise.
"""
import collections
import csv
import io
import re
import sys


def check_csv(path):
    raw = open(path, "rb").read()
    text = raw.decode("utf-8")
    problems = []
    if not text.endswith("\r\n"):
        problems.append("the last line does not end in CRLF")
    # Every field quoted: after splitting the raw lines (no field holds a
    # raw line break: controls are made visible), each line is "..."(,"...")*
    field = r'"(?:[^"]|"")*"'
    line_re = re.compile(rf"^{field}(?:,{field})*$")
    for n, line in enumerate(text[:-2].split("\r\n"), 1):
        if not line_re.match(line):
            problems.append(f"line {n}: not every field is quoted: {line[:120]!r}")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        problems.append("no header")
        return problems
    width = len(rows[0])
    kinds = collections.Counter()
    for n, row in enumerate(rows[1:], 2):
        if len(row) != width:
            problems.append(f"row {n}: {len(row)} fields, header has {width}")
        kinds[row[0]] += 1
        for v in row:
            if v[:1] in ("=", "+", "-", "@", "\t", "\r"):
                problems.append(f"row {n}: field starts with a formula character: {v[:80]!r}")
            if any(ord(c) < 0x20 or ord(c) == 0x7F for c in v):
                problems.append(f"row {n}: control byte in field {v[:80]!r}")
    print(f"ROWS {len(rows) - 1} " + " ".join(f"{k}={kinds[k]}" for k in sorted(kinds)))
    return problems


def check_inert(path, markup=True):
    raw = open(path, "rb").read()
    problems = []
    for i, b in enumerate(raw):
        if (b < 0x20 and b != 0x0A) or b == 0x7F:
            problems.append(f"byte {i}: control byte 0x{b:02x}")
            break
    text = raw.decode("utf-8", errors="strict")
    for m in re.finditer(r"(?i)<script", text if markup else ""):
        problems.append(f"offset {m.start()}: raw <script")
        break
    for m in re.finditer("[\u0080-\u009f]", text):
        problems.append(f"offset {m.start()}: C1 control")
        break
    return problems


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("csv", "inert", "controls"):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        if sys.argv[1] == "csv":
            problems = check_csv(sys.argv[2])
        else:
            problems = check_inert(sys.argv[2], markup=sys.argv[1] == "inert")
    except (UnicodeDecodeError, csv.Error) as e:
        problems = [str(e)]
    for p in problems:
        print(f"{sys.argv[2]}: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
