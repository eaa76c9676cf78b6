#!/usr/bin/env python3
"""Validate a tlsaudit SARIF log against the SARIF 2.1.0 JSON schema.

usage: validate_sarif.py SCHEMA FILE
Exits 0 when FILE parses, validates against SCHEMA (the validator class the
schema's "$schema" names, with format checks where python3-jsonschema has
them) and keeps what tlsaudit promises beyond the schema (docs/ci.md):
  - version 2.1.0, exactly one run, tool.driver.name "tlsaudit" with a version;
  - every rule id unique, with short and full descriptions, help and the
    requirement it implements; every result's ruleId names a rule and its
    ruleIndex points at that rule;
  - every result has a level (error, warning), a message, one location with
    a relative artifactLocation URI (no scheme: GitHub code scanning refuses
    unknown schemes) and a logical location whose fullyQualifiedName is a
    tls:// URI; (ruleId, fingerprint) unique across results;
  - a waived result carries an accepted suppression, no other does;
  - one invocation with executionSuccessful.
Prints every problem and exits 1 otherwise. Needs python3-jsonschema.
"""
import json
import sys
import urllib.parse

import jsonschema


def check_rules(run, problems):
    rules = run["tool"]["driver"].get("rules", [])
    ids = [r["id"] for r in rules]
    if len(ids) != len(set(ids)):
        problems.append("rule ids are not unique")
    for r in rules:
        for key in ("shortDescription", "fullDescription", "help"):
            if not r.get(key, {}).get("text"):
                problems.append(f"rule {r['id']}: no {key}.text")
        if "requirement" not in r.get("properties", {}):
            problems.append(f"rule {r['id']}: no properties.requirement")
    return ids


def check_location(where, loc, problems):
    uri = loc.get("physicalLocation", {}).get("artifactLocation", {}).get("uri", "")
    if not uri or urllib.parse.urlsplit(uri).scheme:
        problems.append(f"{where}: artifactLocation.uri {uri!r} is not a relative URI")
    logical = loc.get("logicalLocations", [])
    if len(logical) != 1 or not logical[0].get("fullyQualifiedName", "").startswith("tls://"):
        problems.append(f"{where}: no logical location with a tls:// name")


def check_results(run, ids, problems):
    seen = set()
    for i, res in enumerate(run.get("results", [])):
        where = f"results/{i}"
        rid = res.get("ruleId")
        if rid not in ids:
            problems.append(f"{where}: ruleId {rid!r} names no rule")
        elif res.get("ruleIndex") != ids.index(rid):
            problems.append(f"{where}: ruleIndex {res.get('ruleIndex')} is not rule {rid}")
        if res.get("level") not in ("error", "warning"):
            problems.append(f"{where}: level {res.get('level')!r}")
        if not res.get("message", {}).get("text"):
            problems.append(f"{where}: no message text")
        locs = res.get("locations", [])
        if len(locs) != 1:
            problems.append(f"{where}: {len(locs)} locations, expected 1")
        for loc in locs:
            check_location(where, loc, problems)
        key = (rid, json.dumps(res.get("partialFingerprints"), sort_keys=True))
        if key in seen:
            problems.append(f"{where}: the same rule and fingerprint as an earlier result")
        seen.add(key)
        waived = res.get("properties", {}).get("verdict") == "waived"
        sup = res.get("suppressions")
        if waived != bool(sup) or (sup and sup[0].get("status") != "accepted"):
            problems.append(f"{where}: suppressions {sup!r} for verdict "
                            f"{res.get('properties', {}).get('verdict')!r}")


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    with open(sys.argv[2], "rb") as f:
        raw = f.read()
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        print(f"{sys.argv[2]}: not JSON: {e}", file=sys.stderr)
        return 1
    problems = []
    for e in cls(schema, format_checker=cls.FORMAT_CHECKER).iter_errors(doc):
        where = "/".join(str(p) for p in e.absolute_path)
        problems.append(f"schema: {where}: {e.message[:300]}")
    if not problems:
        if doc.get("version") != "2.1.0" or len(doc.get("runs", [])) != 1:
            problems.append("not one SARIF 2.1.0 run")
        else:
            run = doc["runs"][0]
            driver = run["tool"]["driver"]
            if driver.get("name") != "tlsaudit" or not driver.get("version"):
                problems.append("tool.driver is not tlsaudit with a version")
            invs = run.get("invocations", [])
            if len(invs) != 1 or "executionSuccessful" not in invs[0]:
                problems.append("not one invocation with executionSuccessful")
            check_results(run, check_rules(run, problems), problems)
    for p in problems:
        print(f"{sys.argv[2]}: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
