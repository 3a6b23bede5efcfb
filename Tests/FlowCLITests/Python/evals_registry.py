"""Reads the OpenAI evals registry from the PyPI `evals` wheel (downloaded by make deps), for
tests that meet the real thing: `fuzzy` runs the wheel's own normalize/fuzzy_match functions
(taken from evals/elsuite/utils.py by name, without importing the package, whose imports need
the OpenAI client and more) on pairs of strings; `extract` unpacks the registry's eval files
whose samples total at most a byte budget, with those samples and the modelgraded specs.
Written here; it copies nothing from evals but calls its functions."""
import ast
import json
import sys
import zipfile


def functions(wheel, names):
    with zipfile.ZipFile(wheel) as archive:
        source = archive.read("evals/elsuite/utils.py").decode("utf-8")
    tree = ast.parse(source)
    module = ast.Module(body=[node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name in names], type_ignores=[])
    scope = {}
    exec("import re, string", scope)
    exec(compile(module, "evals/elsuite/utils.py", "exec"), scope)
    return [scope[name] for name in names]


def fuzzy(wheel, pairs_path):
    normalize, fuzzy_match = functions(wheel, ["normalize", "fuzzy_match"])
    pairs = json.load(open(pairs_path, encoding="utf-8"))
    json.dump([[normalize(a), fuzzy_match(a, b)] for a, b in pairs], sys.stdout)


def extract(wheel, destination, budget):
    import yaml  # PyYAML ships with the test dependencies (jsonschema's, pygls')
    budget = int(budget)
    with zipfile.ZipFile(wheel) as archive:
        sizes = {info.filename: info.file_size for info in archive.infolist()}
        prefix = "evals/registry/"
        chosen, total = [], 0
        for name in sorted(sizes):
            if not name.startswith(prefix + "evals/") or not name.endswith((".yaml", ".yml")):
                continue
            total += 1
            try:
                spec = yaml.safe_load(archive.read(name)) or {}
            except yaml.YAMLError:
                chosen.append((name, []))  # the import must refuse it, placed
                continue
            samples = []
            for value in spec.values() if isinstance(spec, dict) else []:
                args = value.get("args") if isinstance(value, dict) else None
                for key, path in (args or {}).items():
                    if key.endswith("_jsonl") and isinstance(path, str):
                        samples.append(prefix + "data/" + path)
            if sum(sizes.get(path, 0) for path in samples) <= budget:
                chosen.append((name, [path for path in samples if path in sizes]))
        members = {name for name, _ in chosen} | {path for _, paths in chosen for path in paths}
        members |= {name for name in sizes if name.startswith(prefix + "modelgraded/")}
        for member in members:
            archive.extract(member, destination)
    json.dump({"chosen": len(chosen), "files": total}, sys.stdout)


if __name__ == "__main__":
    {"fuzzy": fuzzy, "extract": extract}[sys.argv[1]](*sys.argv[2:])
