#!/usr/bin/python3
"""Run ONNX's own model checker on Stepwise model files.

Usage: /usr/bin/python3 scripts/check_onnx.py FILE_OR_DIR...

Every .onnx file given, and every .onnx file under a folder given (searched recursively), is loaded and checked
with onnx.checker.check_model(model, full_check=True), which includes strict shape inference. One line is printed
per file. The exit status is 0 only when at least one file was found and all of them passed.
"""
import sys
from pathlib import Path


def find_models(arguments):
    """Yields the .onnx files named by the arguments; reports arguments that are neither."""
    missing = []
    files = []
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.onnx") if p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            missing.append(argument)
    return files, missing


def check(path, onnx):
    """Returns a one-line verdict for one file and whether it passed."""
    try:
        model = onnx.load(str(path))
        onnx.checker.check_model(model, full_check=True)
    except Exception as error:  # the checker raises several exception types; all mean "failed"
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return f"FAIL {path}: {type(error).__name__}: {first_line}", False
    opsets = ",".join(f"{o.domain or 'ai.onnx'}:{o.version}" for o in model.opset_import)
    return f"OK   {path} (IR {model.ir_version}, opset {opsets})", True


def main(arguments):
    if not arguments:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        import onnx
        import onnx.checker
    except ImportError as error:
        print(f"check_onnx: cannot import onnx ({error}); run it with /usr/bin/python3", file=sys.stderr)
        return 2
    files, missing = find_models(arguments)
    for argument in missing:
        print(f"MISSING {argument}: no such file or folder", file=sys.stderr)
    if not files:
        print("check_onnx: no .onnx file found in " + " ".join(arguments), file=sys.stderr)
        return 1
    failures = 0
    for path in files:
        line, passed = check(path, onnx)
        print(line)
        failures += 0 if passed else 1
    print(f"check_onnx: {len(files) - failures} of {len(files)} passed (onnx {onnx.__version__})")
    return 1 if failures or missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
