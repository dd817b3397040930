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

Batches: translation units that need checking and share one compile command (same target, same
flags) are checked together, up to $FLOWTRACK_TIDY_BATCH (default 8) at a time, as one generated
file that #includes them (under BUILD_DIR/tidy-unity). Most of a translation unit's cost is the
checks matching over Asio, Beast and GoogleTest, which a batch walks once instead of once per file:
measured on 4 unit-test files, 10.9 s as one batch against 36.4 s one by one. A batch is only ever
trusted when it is clean: one that prints anything (a finding, or a compile error because two
files define the same internal name) is split in halves and checked again, down to single
translation units, whose verdict is the authoritative one. The price is one kind of miss: a
namespace-scope using-declaration unused in its own file but used by a later file of the same
batch is not reported (misc-unused-using-decls). FLOWTRACK_TIDY_BATCH=1 checks file by file.

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


MAIN = re.compile(rb"^\s*((int|auto)\s+main|BENCHMARK_MAIN)\s*\(", re.MULTILINE)
REDEFINITION = re.compile(r"^(.*?):[0-9]+:[0-9]+: error: redefinition of ", re.MULTILINE)


def defines_main(path):
    with open(path, "rb") as source:
        return bool(MAIN.search(source.read()))


def split_point(batch, findings):
    """Where to cut a batch that was not clean: just before the file that redefines a name an
    earlier file of the batch defined (the two land in different parts), else in the middle."""
    clash = REDEFINITION.search(findings)
    if clash:
        files = [e["file"] for e in batch]
        if clash.group(1) in files and files.index(clash.group(1)) > 0:
            return files.index(clash.group(1))
    return len(batch) // 2


def flags_key(entry):
    """What translation units must share to be checked as one batch: directory and flags."""
    args, out, skip = command_of(entry), [], False
    for arg in args:
        if skip:
            skip = False
        elif arg in ("-o", "-MF", "-MT", "-MQ"):
            skip = True
        elif arg != entry["file"]:
            out.append(arg)
    return entry["directory"], tuple(out)


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

    keys, same = {}, {}

    def key_of(entry):
        keys[id(entry)] = cache_key(entry, source_dir, build_dir, salt) if cache_dir else None
        return bool(keys[id(entry)] and (cache_dir / keys[id(entry)]).exists())

    unity_dir = pathlib.Path(build_dir) / "tidy-unity"
    unity_dir.mkdir(exist_ok=True)
    config = os.path.join(source_dir, ".clang-tidy")

    def run_tidy(batch):
        """clang-tidy over one translation unit, or over a batch as one generated file."""
        if len(batch) == 1:
            run = subprocess.run([TIDY, "-p", database_dir.name, "--quiet", *extra, batch[0]["file"]],
                                 capture_output=True, text=True, errors="replace")
        else:
            name = hashlib.sha256("\n".join(e["file"] for e in batch).encode()).hexdigest()[:16]
            unity = unity_dir / f"{name}.cpp"
            unity.write_text("".join(f'#include "{e["file"]}"  // NOLINT(bugprone-suspicious-include)\n'
                                     for e in batch))
            first = batch[0]
            args = [str(unity) if a == first["file"] else a for a in first["arguments"]]
            with tempfile.TemporaryDirectory(prefix="flowtrack-tidy-batch-") as db:
                with open(os.path.join(db, "compile_commands.json"), "w", encoding="utf-8") as out:
                    json.dump([{"directory": first["directory"], "file": str(unity), "arguments": args}], out)
                run = subprocess.run([TIDY, "-p", db, "--quiet", f"--config-file={config}", *extra, str(unity)],
                                     capture_output=True, text=True, errors="replace")
            unity.unlink(missing_ok=True)
        findings = findings_of(run.stdout + run.stderr)
        clean = run.returncode == 0 and not findings
        if clean:
            for e in batch:
                for twin in same[(e["file"], flags_key(e))]:
                    if keys.get(id(twin)):
                        (cache_dir / keys[id(twin)]).touch()
        return batch, clean, findings or ("" if clean else f"clang-tidy exited {run.returncode}")

    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        unchanged = list(pool.map(key_of, entries))
        pending = [e for e, hit in zip(entries, unchanged) if not hit]
        cached = len(entries) - len(pending)
        if os.environ.get("FLOWTRACK_TIDY_VERBOSE"):
            for e in pending:
                print(f"clang-tidy: to check: {os.path.relpath(e['file'], source_dir)}", flush=True)

        size = max(1, int(os.environ.get("FLOWTRACK_TIDY_BATCH", "8")))
        if any(a.startswith(("-fix", "--fix")) for a in extra):
            size = 1  # fixes are applied file by file, never through a generated batch
        # A file built by two targets with the same flags is checked once, for both entries.
        groups = {}
        for e in pending:
            k = flags_key(e)
            if (e["file"], k) in same:
                same[(e["file"], k)].append(e)
                continue
            same[(e["file"], k)] = [e]
            groups.setdefault(k, []).append(e)
        batches = []
        for group in groups.values():
            # Programs of one flag set (benchmarks, examples, helpers) each define main: one a batch.
            mains = [e for e in group if defines_main(e["file"])]
            others = [e for e in group if not defines_main(e["file"])]
            for e in mains:
                batches.append([e] + others[:size - 1])
                others = others[size - 1:]
            batches += [others[i:i + size] for i in range(0, len(others), size)]

        failed, runs = [], 0
        running = {pool.submit(run_tidy, b) for b in batches}
        while running:
            done, running = concurrent.futures.wait(running, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in done:
                batch, clean, findings = future.result()
                runs += 1
                if clean:
                    continue
                if len(batch) > 1:  # not trusted: check each part on its own
                    if os.environ.get("FLOWTRACK_TIDY_VERBOSE"):
                        print(f"clang-tidy: batch of {len(batch)} split: {findings.splitlines()[0]}", flush=True)
                    cut = split_point(batch, findings)
                    running |= {pool.submit(run_tidy, batch[:cut]), pool.submit(run_tidy, batch[cut:])}
                    continue
                failed.append(batch[0]["file"])
                print(f"--- {os.path.relpath(batch[0]['file'], source_dir)}\n{findings}", flush=True)
    seconds = round(time.monotonic() - start)
    verdict = "clean" if not failed else f"FINDINGS in {len(failed)} files"
    print(f"clang-tidy: {len(entries)} files ({cached} unchanged since a clean run, "
          f"{len(pending)} checked in {runs} clang-tidy runs) in {seconds} s: {verdict}")
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
