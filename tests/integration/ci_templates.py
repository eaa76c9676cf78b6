#!/usr/bin/env python3
"""Check the CI templates of contrib/ci/ and extract their gate scripts.

usage: ci_templates.py check gitlab|github FILE
       ci_templates.py env gitlab|github FILE      (export lines of the variables)
       ci_templates.py script gitlab|github FILE   (the gate, as one bash script)

check parses FILE with PyYAML and asserts the structure the template
promises (contrib/ci/README.md): the job, the install, a `tlsaudit scan`
with --policy and --fail-on whose exit code is kept and becomes the job's,
the JUnit, HTML and SARIF reports written with `tlsaudit report`, and each
published where the CI reads it (GitLab: artifacts:reports:junit and
artifacts:paths, when: always; GitHub: actions/upload-artifact and
github/codeql-action/upload-sarif, if: always(), security-events: write).
Prints every problem and exits 1, or exits 0.

script prints what a runner would execute for the gate (GitLab: the job's
script lines; GitHub: the Scan step, then the Gate step with SCAN_EXIT read
from $GITHUB_OUTPUT), so a test can run it against real servers. It does
not emulate the runners: the install steps, `actions/checkout`, artifact
upload and GitHub's expression syntax are not run.
"""
import re
import shlex
import sys

import yaml


def report_outputs(text):
    """{format: file} of every `tlsaudit report ... --format F -o FILE`."""
    out = {}
    for m in re.finditer(r"tlsaudit report [^\n]*--format (\w+) -o (\S+)", text):
        out[m.group(1)] = m.group(2)
    return out


def check_scan(text, problems):
    m = re.search(r"tlsaudit scan (.*?)\|\| rc=\$\?", text, re.S)
    if m is None:
        problems.append("no `tlsaudit scan ... || rc=$?` keeping the gate's exit code")
        return
    for opt in ("--policy", "--fail-on", "-f", "--db"):
        if not re.search(r"(^|\s)" + re.escape(opt) + r"\s", m.group(1)):
            problems.append(f"the scan has no {opt}")


def gitlab_job(doc):
    jobs = {k: v for k, v in doc.items() if isinstance(v, dict) and "script" in v}
    if len(jobs) != 1:
        raise ValueError(f"{len(jobs)} jobs with a script, expected 1")
    return next(iter(jobs.values()))


def check_gitlab(doc, problems):
    job = gitlab_job(doc)
    script = "\n".join(job["script"])
    install = "\n".join(job.get("before_script", []))
    if "make" not in install or "apt-get install" not in install:
        problems.append("before_script does not install and build tlsaudit")
    if not str(job.get("image", "")).startswith("debian:12"):
        problems.append("the image is not debian:12")
    check_scan(script, problems)
    if job["script"][-1].strip() != 'exit "$rc"':
        problems.append("the last script line is not exit \"$rc\"")
    outs = report_outputs(script)
    art = job.get("artifacts", {})
    if art.get("when") != "always":
        problems.append("artifacts are not kept when the gate fails (when: always)")
    if art.get("reports", {}).get("junit") != outs.get("junit"):
        problems.append(f"artifacts:reports:junit {art.get('reports', {}).get('junit')!r} "
                        f"is not the JUnit file written ({outs.get('junit')!r})")
    for fmt in ("html", "sarif"):
        if outs.get(fmt) not in art.get("paths", []):
            problems.append(f"the {fmt} report {outs.get(fmt)!r} is not in artifacts:paths")


def github_steps(doc):
    jobs = doc["jobs"]
    if len(jobs) != 1:
        raise ValueError(f"{len(jobs)} jobs, expected 1")
    job = next(iter(jobs.values()))
    return job, {s.get("name", s.get("uses", "")): s for s in job["steps"]}


def check_github(doc, problems):
    on = doc.get("on", doc.get(True))  # YAML 1.1 reads the key `on` as true
    if not isinstance(on, dict) or "pull_request" not in on:
        problems.append("no pull_request trigger")
    job, steps = github_steps(doc)
    if job.get("permissions", {}).get("security-events") != "write":
        problems.append("no security-events: write (upload-sarif needs it)")
    if not str(job.get("container", "")).startswith("debian:12"):
        problems.append("the container is not debian:12")
    install = next((s["run"] for n, s in steps.items() if n.startswith("Install")), "")
    if "make" not in install or "GITHUB_PATH" not in install:
        problems.append("no install step that builds tlsaudit and puts it on the PATH")
    scan = steps.get("Scan", {}).get("run", "")
    check_scan(scan, problems)
    if 'echo "exit=$rc" >> "$GITHUB_OUTPUT"' not in scan:
        problems.append("the Scan step does not record its exit code")
    outs = report_outputs(scan)
    uses = {s.get("uses", "").split("@")[0]: s for s in steps.values()}
    art = uses.get("actions/upload-artifact", {})
    paths = art.get("with", {}).get("path", "").split()
    for fmt in ("html", "junit", "sarif"):
        if outs.get(fmt) not in paths:
            problems.append(f"the {fmt} report {outs.get(fmt)!r} is not uploaded as an artifact")
    sarif = uses.get("github/codeql-action/upload-sarif", {})
    if sarif.get("with", {}).get("sarif_file") != outs.get("sarif"):
        problems.append("upload-sarif does not upload the SARIF file written")
    for name, s in (("upload-artifact", art), ("upload-sarif", sarif),
                    ("Gate", steps.get("Gate", {}))):
        if s.get("if") != "always()":
            problems.append(f"{name} does not run when the gate fails (if: always())")
    gate = steps.get("Gate", {})
    if gate.get("env", {}).get("SCAN_EXIT") != "${{ steps.scan.outputs.exit }}" or \
            'exit "${SCAN_EXIT:-2}"' not in gate.get("run", ""):
        problems.append("the Gate step does not exit with the scan's exit code")


def variables(kind, doc):
    if kind == "gitlab":
        return gitlab_job(doc).get("variables", {})
    return github_steps(doc)[0].get("env", {})


def script(kind, doc):
    if kind == "gitlab":
        return "\n".join(gitlab_job(doc)["script"]) + "\n"
    _, steps = github_steps(doc)
    return (steps["Scan"]["run"] +
            '\nSCAN_EXIT=$(sed -n "s/^exit=//p" "$GITHUB_OUTPUT")\n' +
            steps["Gate"]["run"])


def main():
    if len(sys.argv) != 4 or sys.argv[2] not in ("gitlab", "github"):
        print(__doc__, file=sys.stderr)
        return 2
    what, kind, path = sys.argv[1:]
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    if what == "env":
        for k, v in variables(kind, doc).items():
            print(f"export {k}={shlex.quote(str(v))}")
        return 0
    if what == "script":
        sys.stdout.write(script(kind, doc))
        return 0
    problems = []
    try:
        (check_gitlab if kind == "gitlab" else check_github)(doc, problems)
    except (KeyError, TypeError, ValueError, AttributeError, StopIteration) as e:
        problems.append(f"unexpected structure: {e!r}")
    for p in problems:
        print(f"{path}: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
