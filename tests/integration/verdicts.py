#!/usr/bin/env python3
"""tests/integration/verdicts.py FORMAT FILE - the verdict of each (target,
policy) as one output format of tlsaudit states it, for the verdict
consistency test (tests/integration/verdicts.sh).

Prints one line per (target, policy), sorted: "HOST:PORT POLICY VERDICT",
VERDICT one of compliant, not-demonstrated, non-compliant (the names of
common/model/gate.h; the human formats' words "pass", "not demonstrated",
"fail" are mapped to them). Targets that were not scanned, and policies with
no finding on a target, are left out. Each format is read the way a person
or a CI reads it: the check and report text, the JSON documents, the CSV's
verdict rows, JUnit's per-target properties, the Markdown targets table and
the HTML targets table.

FORMAT: check-text, check-json, report-text, report-json, csv, junit,
markdown, html. For junit it also checks, per (target, policy), that the
testsuite has a <failure> under that policy (classname "POLICY @ SUITE")
exactly when the verdict fails
the gate the caller names in JUNIT_FAILS (a comma list of verdicts that
fail: "non-compliant" or "non-compliant,not-demonstrated"), and exits 1
when not.
"""
import csv
import html.parser
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

WORDS = {
    "pass": "compliant",
    "passes": "compliant",
    "compliant": "compliant",
    "fail": "non-compliant",
    "non-compliant": "non-compliant",
    "not demonstrated": "not-demonstrated",
    "not-demonstrated": "not-demonstrated",
}


def word(w):
    w = w.strip().strip("*").lower()
    if w not in WORDS:
        raise SystemExit(f"verdicts.py: unknown verdict word {w!r}")
    return WORDS[w]


TARGET_RE = re.compile(r"^(\[[^\]]*\]|[^\s:]+):(\d+)\b")


def text_verdicts(text, line_re):
    """The "  POLICY: VERDICT" lines of a text output under each target's
    "HOST:PORT ..." line; line_re matches them (policy, verdict word)."""
    out, target = [], None
    for line in text.splitlines():
        m = TARGET_RE.match(line)
        if m:
            target = f"{m.group(1)}:{m.group(2)}"
            continue
        m = re.match(line_re, line)
        if m and target:
            out.append((target, m.group(1), word(m.group(2))))
    return out


def check_text(text):
    return text_verdicts(text, r"^  (\S+): (FAIL|NOT DEMONSTRATED|passes|pass)\b")


def report_text(text):
    return text_verdicts(text, r"^  (\S+): (FAIL|NOT DEMONSTRATED|pass) at --fail-on \w+")


def label(t):
    h = t["host"]
    return f"[{h}]:{t['port']}" if ":" in h else f"{h}:{t['port']}"


def check_json(text):
    doc = json.loads(text)
    if doc.get("schema") == "tlsaudit-scan":
        doc = doc["policy_check"]
    out = []
    for t in doc["targets"]:
        if not t["evaluated"]:
            continue
        for p in t["policies"]:
            if p["verdict"] == "not-evaluated":
                continue
            out.append((label(t), p["policy"], p["verdict"]))
            if p["compliant"] != (p["verdict"] == "compliant"):
                raise SystemExit(f"verdicts.py: {label(t)} {p['policy']}: compliant "
                                 f"{p['compliant']} but verdict {p['verdict']}")
    return out


def report_json(text):
    doc = json.loads(text)
    names = {t["target_id"]: label(t) for t in doc["targets"]}
    out = []
    for run in doc["policy_runs"]:
        for v in run["verdicts"]:
            if v["verdict"] != "not-evaluated":
                out.append((names[v["target_id"]], run["policy"], v["verdict"]))
    return out


def from_csv(text):
    out = []
    for row in csv.DictReader(text.splitlines()):
        if row["record"] == "verdict" and row["verdict"] != "not-evaluated":
            host = row["host"]
            t = f"[{host}]:{row['port']}" if ":" in host else f"{host}:{row['port']}"
            out.append((t, row["policy"], row["verdict"]))
    return out


def junit(text):
    fails = set(os.environ.get("JUNIT_FAILS", "non-compliant").split(","))
    root = ET.fromstring(text)
    out, bad = [], []
    for suite in root.iter("testsuite"):
        # The suite is the target's unique name (reports/names.c): the other
        # formats' host:port, plus " sni=NAME", " @ADDRESS", " #ID" as needed.
        full = suite.get("name")
        name = re.sub(r" (sni=|@|#)\S+", "", full)
        for prop in suite.iter("property"):
            pname = prop.get("name")
            if not pname.startswith("verdict "):
                continue
            policy, verdict = pname[len("verdict "):], prop.get("value")
            if verdict == "not-evaluated":
                continue
            out.append((name, policy, verdict))
            failures = [tc for tc in suite.iter("testcase")
                        if tc.get("classname") == f"{policy} @ {full}"
                        and tc.find("failure") is not None]
            if bool(failures) != (verdict in fails):
                bad.append(f"{name} {policy}: verdict {verdict}, {len(failures)} <failure>")
    if bad:
        for b in bad:
            print(f"junit: failures do not follow the gate: {b}", file=sys.stderr)
        sys.exit(1)
    return out


def markdown(text):
    lines = text.splitlines()
    out = []
    for i, line in enumerate(lines):
        if not line.startswith("| target | status |"):
            continue
        head = [c.strip().replace("\\", "") for c in line.strip("|").split("|")]
        policies = head[5:]
        for row in lines[i + 2:]:
            if not row.startswith("|"):
                break
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", row.strip()[1:-1])]
            target = re.sub(r"\\(.)", r"\1", cells[0]).split(" ")[0]
            for p, cell in zip(policies, cells[5:]):
                if cell in ("\u2014", ""):
                    continue
                m = re.match(r"(\*\*FAIL\*\*|\*not demonstrated\*|pass)", cell)
                if not m:
                    raise SystemExit(f"verdicts.py: markdown cell {cell!r}")
                out.append((target, p, word(m.group(1))))
        break
    return out


class TargetsTable(html.parser.HTMLParser):
    """The rows of the summary's Targets table: link text, and the text of
    every cell (the policy columns hold one badge each), read by column
    so that the columns before the policies (SNI, status, grade) may hold
    a badge or none."""

    def __init__(self):
        super().__init__()
        self.in_table = self.in_th = self.in_a = self.in_badge = False
        self.heads, self.rows, self.row = [], [], None
        self.seen_targets_h3 = False
        self.h3 = False
        self.text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "h3":
            self.h3, self.text = True, ""
        elif tag == "table" and self.seen_targets_h3 and not self.rows and not self.heads:
            self.in_table = True
        elif self.in_table and tag == "th":
            self.in_th, self.text = True, ""
        elif self.in_table and tag == "tr":
            self.row = {"target": "", "cells": []}
        elif self.in_table and tag == "td" and self.row is not None:
            self.row["cells"].append("")
        elif self.in_table and tag == "a" and self.row is not None:
            self.in_a = True
        elif self.in_table and tag == "span" and "badge" in a.get("class", ""):
            self.in_badge, self.text = True, ""

    def handle_endtag(self, tag):
        if tag == "h3" and self.h3:
            self.h3 = False
            if self.text.strip() == "Targets":
                self.seen_targets_h3 = True
        elif tag == "table" and self.in_table:
            self.in_table = False
            self.seen_targets_h3 = False
        elif tag == "th" and self.in_th:
            self.in_th = False
            self.heads.append(self.text.strip())
        elif tag == "a":
            self.in_a = False
        elif tag == "span" and self.in_badge:
            self.in_badge = False
            pass
        elif tag == "tr" and self.row is not None and self.row["target"]:
            self.rows.append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.in_a and self.row is not None:
            self.row["target"] += data
        if self.in_table and self.row is not None and self.row["cells"]:
            self.row["cells"][-1] += data
        if self.h3 or self.in_th or self.in_badge:
            self.text += data


def from_html(text):
    p = TargetsTable()
    p.feed(text)
    first = p.heads.index("Grade (approximate)") + 1 if "Grade (approximate)" in p.heads else 3
    policies = p.heads[first:]
    out = []
    for row in p.rows:
        for pol, cell in zip(policies, row["cells"][first:]):
            badge = cell.strip()
            if badge in ("not scanned", "not evaluated"):
                continue
            out.append((row["target"].strip(), pol, word(badge)))
    return out


READERS = {
    "check-text": check_text,
    "check-json": check_json,
    "report-text": report_text,
    "report-json": report_json,
    "csv": from_csv,
    "junit": junit,
    "markdown": markdown,
    "html": from_html,
}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in READERS:
        raise SystemExit("usage: verdicts.py " + "|".join(READERS) + " FILE")
    with open(sys.argv[2], encoding="utf-8", newline="") as f:
        text = f.read()
    for t, p, v in sorted(set(READERS[sys.argv[1]](text))):
        print(f"{t} {p} {v}")


if __name__ == "__main__":
    main()
