#!/usr/bin/env python3
"""Check a JUnit file against what GitLab's JUnit parser reads.

usage: junit_gitlab.py FILE
GitLab (docs "Unit test reports", JUnit XML format specification) shows a
test case's classname as its suite and its name as the test, keys a test on
(classname, name) and ignores later duplicates, reads failure, error and
skipped from the element's text (not the message attribute) and system-out
only inside a testcase. This checks that every testcase has both
attributes, that no (classname, name) pair repeats (so no result is
dropped), and that every failure, error and skipped has text. Prints every
problem and exits 1, or prints "TESTCASES N" and exits 0.
"""
import sys
import xml.etree.ElementTree as ET


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = ET.parse(sys.argv[1]).getroot()
    problems = []
    seen = {}
    cases = list(root.iter("testcase"))
    for tc in cases:
        key = (tc.get("classname"), tc.get("name"))
        if not key[0] or not key[1]:
            problems.append(f"testcase without classname or name: {key}")
        if key in seen:
            problems.append(f"duplicate (classname, name) {key}: GitLab drops it")
        seen[key] = True
        for kind in ("failure", "error", "skipped"):
            for el in tc.findall(kind):
                if not (el.text or "").strip():
                    problems.append(f"{key}: <{kind}> without text (GitLab shows none)")
    for p in problems:
        print(f"{sys.argv[1]}: {p}", file=sys.stderr)
    if problems:
        return 1
    print(f"TESTCASES {len(cases)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
