#!/usr/bin/env python3
"""The layers' include boundaries, as the build draws them (README, "Layers, enforced by the
build"): for one translation unit of each layer, preprocesses a probe that includes one header
of every other layer with that unit's own flags from compile_commands.json, and checks that
exactly the headers of the layers it depends on are found. Fails when a layer can see a header
it must not (a dependency crept in), or cannot see one it needs.

Usage: check_layers.py <build dir> <source dir>
"""
import json
import os
import shlex
import subprocess
import sys
import tempfile

# layer -> the layers whose headers its translation units may include (besides its own).
ALLOWED = {
    "common": set(),
    "wire": {"common"},
    "policy": {"common"},
    "http": set(),
    "transport": {"http"},
    "spool": {"common"},
    "client": {"common", "wire", "policy", "http", "transport", "spool"},
    "cli": {"common"},
}


def probe_header(src, layer):
    folder = os.path.join(src, "src", layer, "include", layer)
    return f"{layer}/{sorted(os.listdir(folder))[0]}"


def flags_of(entry):
    words = shlex.split(entry["command"])
    keep, i = [], 0
    while i < len(words):
        w = words[i]
        if w in ("-I", "-isystem", "-D", "-std"):
            keep += [w, words[i + 1]]
            i += 2
            continue
        if w.startswith(("-I", "-D", "-std=", "-isystem")):
            keep.append(w)
        i += 1
    return keep


def main():
    build, src = sys.argv[1], os.path.realpath(sys.argv[2])
    with open(os.path.join(build, "compile_commands.json"), encoding="utf-8") as f:
        commands = json.load(f)
    compiler = shlex.split(commands[0]["command"])
    compiler = next(w for w in compiler if w.endswith(("clang++", "g++", "c++")))
    failures = []
    for layer, allowed in ALLOWED.items():
        prefix = os.path.join(src, "src", layer) + os.sep
        entry = next((c for c in commands if c["file"].startswith(prefix)), None)
        if entry is None:
            failures.append(f"{layer}: no translation unit in compile_commands.json")
            continue
        flags = flags_of(entry)
        for other in ALLOWED:
            header = probe_header(src, other)
            with tempfile.NamedTemporaryFile("w", suffix=".cpp", delete=False) as probe:
                probe.write(f'#include "{header}"\n')
            try:
                run = subprocess.run([compiler, *flags, "-E", "-o", os.devnull, probe.name],
                                     capture_output=True, text=True, check=False)
            finally:
                os.unlink(probe.name)
            found = run.returncode == 0
            expected = other == layer or other in allowed
            if found != expected:
                why = "sees" if found else "cannot see"
                failures.append(f"{layer} ({os.path.basename(entry['file'])}) {why} {header}"
                                + ("" if found else f": {run.stderr.strip().splitlines()[0]}"))
    for f in failures:
        print("check_layers:", f)
    print(f"check_layers: {len(ALLOWED)} layers, {len(failures)} boundary problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
