#!/usr/bin/env python3
"""clang-tidy over a build's compile database, skipping translation units already found clean.

Usage: clang_tidy_cached.py BUILD_DIR FILE_REGEX [clang-tidy options...]

A translation unit is clean when clang-tidy printed no diagnostic for it. Its cache key is the
SHA-256 of: clang-tidy's version, every .clang-tidy file of the source tree, the compile command
and the preprocessed source with comments kept (so a NOLINT, a project header, a system header or a
flag that changes also changes the key), with the source and build directories replaced by
placeholders, so another clone of the repository in another folder hits the same entries.
Translation units with findings are never cached: they run again every time.

clang-tidy reads a copy of the compile database without the precompiled-header flags (a
translation unit is checked on its own includes, as a build without FLOWTRACK_PCH compiles it).

Runs os.cpu_count() clang-tidy processes at once; prints each finding block, then one summary line.
Exit status: 0 when every translation unit is clean, 1 otherwise, 2 on a usage error.
The cache lives in $FLOWTRACK_TIDY_CACHE (default ~/.cache/flowtrack/clang-tidy); delete it to
force a full run, or set FLOWTRACK_TIDY_CACHE=off.
"""
import concurrent.futures
import hashlib
import json
import os
import pathlib
import re
import shlex
import subprocess
import sys
import tempfile
import time

TIDY = os.environ.get("CLANG_TIDY", "clang-tidy-14")
NOISE = re.compile(r"^([0-9]+ (warning|error)s? (and [0-9]+ errors? )?generated\.|Suppressed [0-9]+ warnings.*|"
                   r"Use -header-filter=.*|Error while processing .*)$")


def command_of(entry):
    if "arguments" in entry:
        return list(entry["arguments"])
    return shlex.split(entry["command"])


# Flags CMake adds for a precompiled header, each a `-Xclang <flag> [-Xclang <path>]` group.
PCH_FLAGS_WITH_PATH = ("-include-pch", "-include")
PCH_FLAGS_ALONE = ("-fno-pch-timestamp", "-emit-pch")


def without_pch(args):
    """The compile command without the precompiled-header flags (use, creation, timestamp)."""
    out, i = [], 0
    while i < len(args):
        if args[i] == "-Xclang" and i + 1 < len(args):
            flag = args[i + 1]
            if flag in PCH_FLAGS_WITH_PATH and i + 3 < len(args) and args[i + 2] == "-Xclang":
                i += 4
                continue
            if flag in PCH_FLAGS_ALONE:
                i += 2
                continue
        out.append(args[i])
        i += 1
    return out


def preprocess_command(args, source):
    """The compile command turned into `-E -C -P` on the same flags, writing to stdout."""
    out, skip = [], False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg in ("-o", "-MF", "-MT", "-MQ"):
            skip = True
            continue
        if arg in ("-c", "-MD", "-MMD") or arg == source:
            continue
        out.append(arg)
    return out + ["-E", "-C", "-P", "-w", source, "-o", "-"]


def normalise(text, source_dir, build_dir):
    return text.replace(build_dir, "@BUILD@").replace(source_dir, "@SRC@")


def cache_key(entry, source_dir, build_dir, salt):
    args = command_of(entry)
    source = entry["file"]
    pre = subprocess.run(preprocess_command(args, source), cwd=entry["directory"], capture_output=True)
    if pre.returncode != 0:
        return None  # let clang-tidy itself report what is wrong
    digest = hashlib.sha256(salt)
    digest.update(normalise(" ".join(args), source_dir, build_dir).encode())
    digest.update(b"\0")
    digest.update(normalise(pre.stdout.decode("utf-8", "replace"), source_dir, build_dir).encode())
    return digest.hexdigest()


def findings_of(output):
    lines = [line for line in output.splitlines() if line.strip() and not NOISE.match(line)]
    return "\n".join(lines)


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    build_dir = os.path.realpath(sys.argv[1])
    file_re = re.compile(sys.argv[2])
    extra = sys.argv[3:]
    cache_setting = os.environ.get("FLOWTRACK_TIDY_CACHE",
                                   os.path.expanduser("~/.cache/flowtrack/clang-tidy"))
    cache_dir = None if cache_setting == "off" else pathlib.Path(cache_setting)
    if cache_dir:
        cache_dir.mkdir(parents=True, exist_ok=True)

    source_dir = None
    for line in open(os.path.join(build_dir, "CMakeCache.txt"), encoding="utf-8"):
        if line.startswith("CMAKE_HOME_DIRECTORY:INTERNAL="):
            source_dir = os.path.realpath(line.split("=", 1)[1].strip())
    entries = [{"directory": e["directory"], "file": e["file"], "arguments": without_pch(command_of(e))}
               for e in json.load(open(os.path.join(build_dir, "compile_commands.json")))
               if file_re.search(e["file"])]
    database_dir = tempfile.TemporaryDirectory(prefix="flowtrack-tidy-")
    with open(os.path.join(database_dir.name, "compile_commands.json"), "w", encoding="utf-8") as out:
        json.dump(entries, out)

    salt = hashlib.sha256()
    salt.update(subprocess.run([TIDY, "--version"], capture_output=True).stdout)
    salt.update(" ".join(extra).encode())
    for config in sorted(pathlib.Path(source_dir).rglob(".clang-tidy")):
        if not any(part.startswith("build") for part in config.relative_to(source_dir).parts[:-1]):
            salt.update(config.read_bytes())
    salt = salt.digest()

    def check(entry):
        key = cache_key(entry, source_dir, build_dir, salt) if cache_dir else None
        if key and (cache_dir / key).exists():
            return entry["file"], True, ""
        run = subprocess.run([TIDY, "-p", database_dir.name, "--quiet", *extra, entry["file"]],
                             capture_output=True, text=True, errors="replace")
        findings = findings_of(run.stdout + run.stderr)
        clean = run.returncode == 0 and not findings
        if clean and key:
            (cache_dir / key).touch()
        return entry["file"], False, "" if clean else (findings or f"clang-tidy exited {run.returncode}")

    start = time.monotonic()
    cached = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for file, was_cached, findings in pool.map(check, entries):
            cached += was_cached
            if findings:
                failed += 1
                print(f"--- {os.path.relpath(file, source_dir)}\n{findings}", flush=True)
    seconds = round(time.monotonic() - start)
    verdict = "clean" if failed == 0 else f"FINDINGS in {failed} files"
    print(f"clang-tidy: {len(entries)} files ({cached} unchanged since a clean run, "
          f"{len(entries) - cached} checked) in {seconds} s: {verdict}")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
