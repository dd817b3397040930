#!/usr/bin/env python3
"""Compiles every ```cpp block of the given Markdown files with the project's compiler and
settings (markdown_snippets.py says how each block is marked). Program blocks are built by the
build: their extracted source must match the text (else the build is stale). Exit 1 on any
failure, with the compiler's diagnostics pointing at the Markdown lines."""
import argparse
import concurrent.futures
import os
import pathlib
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import markdown_snippets  # noqa: E402
from markdown_snippets import Snippet, SnippetError  # noqa: E402

PLACEHOLDER = "{{snippet}}"


def wrapped(s: Snippet, wrappers: pathlib.Path) -> str:
    wrapper = wrappers / f"{s.name}.cpp"
    if not wrapper.is_file():
        raise SnippetError(f"{s.where()}: no wrapper {wrapper}")
    lines = wrapper.read_text(encoding="utf-8").splitlines()
    at = [i for i, l in enumerate(lines) if PLACEHOLDER in l]
    if len(at) != 1:
        raise SnippetError(f"{wrapper}: needs exactly one line with {PLACEHOLDER}")
    i = at[0]
    return "\n".join(lines[:i] + [markdown_snippets.with_line_directive(s), f'#line {i + 2} "{wrapper}"']
                     + lines[i + 1:]) + "\n"


def compile_one(s: Snippet, source: str, command: list[str], scratch: pathlib.Path):
    file = scratch / f"{s.path.stem}_{s.line}.cpp"
    file.write_text(source, encoding="utf-8")
    r = subprocess.run(command + ["-fsyntax-only", str(file)], capture_output=True, text=True)
    return s, r.returncode, r.stdout + r.stderr


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--flags", required=True, type=pathlib.Path,
                    help="the compiler, then one argument a line (#implicit DIR: an include dir to leave out)")
    ap.add_argument("--wrappers", required=True, type=pathlib.Path)
    ap.add_argument("--programs", required=True, type=pathlib.Path, help="where the build extracted programs")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("markdown", nargs="+", type=pathlib.Path)
    a = ap.parse_args()
    lines = [l.strip() for l in a.flags.read_text(encoding="utf-8").splitlines() if l.strip()]
    implicit = {"-I" + l.split(" ", 1)[1] for l in lines if l.startswith("#implicit ")}
    command = []
    for arg in lines:
        if not arg.startswith("#") and arg not in implicit and (arg not in command or not arg.startswith(("-I", "-D"))):
            command.append(arg)

    failures = []
    jobs = []
    counts = {"unit": 0, "fragment": 0, "program": 0, "not-compiled": 0}
    for md in a.markdown:
        try:
            found = markdown_snippets.snippets(md)
        except SnippetError as e:
            failures.append(str(e))
            continue
        for s in found:
            counts[s.kind] += 1
            try:
                if s.kind == "unit":
                    jobs.append((s, markdown_snippets.with_line_directive(s)))
                elif s.kind == "fragment":
                    jobs.append((s, wrapped(s, a.wrappers)))
                elif s.kind == "program":
                    built = a.programs / f"{s.name}.cpp"
                    if not built.is_file() or built.read_text(encoding="utf-8") != markdown_snippets.with_line_directive(s):
                        failures.append(f"{s.where()}: program '{s.name}' differs from what was built: rebuild")
                else:
                    print(f"{s.where()}: not compiled ({s.name})")
            except SnippetError as e:
                failures.append(str(e))

    with tempfile.TemporaryDirectory(prefix="flowtrack-snippets-") as scratch, \
            concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        results = pool.map(lambda job: compile_one(job[0], job[1], command, pathlib.Path(scratch)), jobs)
        for s, rc, output in results:
            if rc != 0:
                failures.append(f"{s.where()}: {s.kind} {s.name} does not compile:\n{output}")
            else:
                print(f"{s.where()}: compiles ({s.kind}{' ' + s.name if s.name else ''})")

    print(f"{counts['unit']} translation units, {counts['fragment']} fragments compiled; "
          f"{counts['program']} programs built; {counts['not-compiled']} not compiled")
    for f in failures:
        print(f"FAILED {f}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
