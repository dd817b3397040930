#!/usr/bin/env python3
"""Writes a consumer project from the README's own text, as a new user would copy it:

  readme_consumer.py README.md OUT_DIR

OUT_DIR/app.cpp      the README's "Using the client" program (snippet `readme-client`)
OUT_DIR/CMakeLists.txt  a minimal project around the README's ```cmake lines (find_package +
                     target_link_libraries, verbatim)
OUT_DIR/pkg-config.sh  the README's pkg-config line (verbatim but for `c++`, which becomes "$CXX")

A README edit that breaks any of them breaks the package matrix (scripts/package-matrix.sh)."""
import pathlib
import re
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "docs"))
import markdown_snippets  # noqa: E402  (tests/docs: the snippet markers)


def fenced_blocks(text: str, language: str) -> list[str]:
    return re.findall(r"^```" + language + r"\n(.*?)^```", text, flags=re.M | re.S)


def main() -> int:
    readme, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    text = readme.read_text()
    out.mkdir(parents=True, exist_ok=True)
    (out / "app.cpp").write_text(markdown_snippets.program([readme], "readme-client").code)

    cmake = [b for b in fenced_blocks(text, "cmake") if "find_package(flowtrack" in b]
    if len(cmake) != 1:
        sys.exit("readme_consumer: README.md has no single ```cmake block with find_package(flowtrack")
    (out / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.25)\nproject(app LANGUAGES CXX)\n"
        "add_executable(app app.cpp)\n" + cmake[0])

    lines = [line for b in fenced_blocks(text, "sh") for line in b.splitlines()
             if "pkg-config --cflags --libs flowtrack" in line]
    if len(lines) != 1 or not lines[0].startswith("c++ "):
        sys.exit("readme_consumer: README.md has no single `c++ ... $(pkg-config --cflags --libs flowtrack)` line")
    (out / "pkg-config.sh").write_text('"$CXX" ' + lines[0][len("c++ "):] + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
