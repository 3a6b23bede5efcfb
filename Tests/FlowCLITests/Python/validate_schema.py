"""Validates JSON documents against a JSON Schema (draft 2020-12) with the `jsonschema` package:
an independent validator for flow's `flow schema`. Prints one line per document: its path, then
"ok" or "invalid: <the first error's message> at <its path>"."""
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
for path in sys.argv[2:]:
    document = json.load(open(path))
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path)
        print(f"{path}: invalid: {first.message} at /{where}")
    else:
        print(f"{path}: ok")
