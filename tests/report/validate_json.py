#!/usr/bin/env python3
"""Validate tlsaudit JSON documents against docs/schema/tlsaudit-v1.schema.json.

usage: validate_json.py SCHEMA FILE [EXPECTED_SCHEMA_NAME]
Exits 0 when FILE parses and validates (and, when given, its "schema" is
EXPECTED_SCHEMA_NAME), 1 with every error otherwise. Needs python3-jsonschema.
"""
import json
import sys

import jsonschema


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    with open(sys.argv[2], "rb") as f:
        raw = f.read()
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        print(f"{sys.argv[2]}: not JSON: {e}", file=sys.stderr)
        return 1
    # Validate against the document kind the file says it is, so errors
    # name the field (the top-level oneOf would only say "matches none").
    kinds = {"tlsaudit-scan": "scan_document", "tlsaudit-check": "check_document",
             "tlsaudit-report": "report_document", "tlsaudit-diff": "diff_document",
             "tlsaudit-history": "history_document", "tlsaudit-simulate": "simulate_document"}
    kind = kinds.get(doc.get("schema") if isinstance(doc, dict) else None)
    if kind is not None:
        schema = dict(schema)
        del schema["oneOf"]
        schema["$ref"] = "#/$defs/" + kind
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(doc))
    for e in errors:
        where = "/".join(str(p) for p in e.absolute_path)
        print(f"{sys.argv[2]}: {where}: {e.message[:300]}", file=sys.stderr)
    if len(sys.argv) == 4 and doc.get("schema") != sys.argv[3]:
        print(f"{sys.argv[2]}: schema is {doc.get('schema')!r}, expected {sys.argv[3]!r}",
              file=sys.stderr)
        return 1
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
