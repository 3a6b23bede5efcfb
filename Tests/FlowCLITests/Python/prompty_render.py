"""The messages the real Prompty runtime sends for a .prompty file and inputs, as JSON.

Usage: prompty_render.py FILE.prompty INPUTS.json

Prompty 2 files go through the `prompty` package itself (load + prepare). Prompty 1 files, which
that package no longer loads, are rendered the way Prompty 1 rendered them: Jinja2's sandboxed
environment with the trailing newline kept, the sample merged under the inputs, then split into
messages by the role-line pattern of Prompty's own parser, each message stripped of blank lines
at its ends. Prints [{"role": …, "content": …}] or exits 2 with the reason on stderr.
"""
import json
import os
import sys

import jinja2.sandbox
import yaml
from prompty.parsers.prompty import _BOUNDARY_RE


def version1(path, inputs):
    text = open(path, encoding="utf-8").read().replace("\r\n", "\n").lstrip()
    _, front, body = text.split("---", 2)
    meta = yaml.safe_load(front) or {}
    values = {}
    for name, spec in (meta.get("inputs") or {}).items():
        if isinstance(spec, dict) and "default" in spec:
            values[name] = spec["default"]
    sample = meta.get("sample") or {}
    if isinstance(sample, str) and sample.startswith("${file:"):
        sample = json.load(open(os.path.join(os.path.dirname(path), sample[7:-1]), encoding="utf-8"))
    values.update(sample)
    values.update(inputs)
    environment = jinja2.sandbox.ImmutableSandboxedEnvironment(keep_trailing_newline=True)
    rendered = environment.from_string(body.lstrip("\n")).render(**values)
    messages, role, buffer = [], "system", []
    for line in rendered.splitlines():
        match = _BOUNDARY_RE.match(line.strip())
        if match:
            if buffer:
                messages.append({"role": role, "content": "\n".join(buffer).strip("\n")})
            role, buffer = match.group(1).strip().lower(), []
            continue
        buffer.append(line)
    if buffer:
        messages.append({"role": role, "content": "\n".join(buffer).strip("\n")})
    return messages


def version2(path, inputs):
    import prompty
    import re
    # Connection settings name environment variables Prompty reads when it loads the file;
    # nothing is sent, so stand-in values do.
    for name in re.findall(r"\$\{env:([A-Za-z_][A-Za-z0-9_]*)", open(path, encoding="utf-8").read()):
        os.environ.setdefault(name, "https://stand-in.invalid")
    agent = prompty.load(path)
    return [{"role": m.role, "content": m.text} for m in prompty.prepare(agent, inputs)]


def main():
    path, inputs = sys.argv[1], json.load(open(sys.argv[2], encoding="utf-8"))
    text = open(path, encoding="utf-8").read()
    is_version2 = "\n  id:" in text or "kind:" in text
    try:
        messages = version2(path, inputs) if is_version2 else version1(path, inputs)
    except Exception as error:  # the reason goes to the test's output
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(2)
    print(json.dumps(messages))


main()
