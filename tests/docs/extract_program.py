#!/usr/bin/env python3
"""Writes the program snippet NAME of the given Markdown files to OUT (the build compiles it);
the file is rewritten only when the text changed, so an unrelated edit rebuilds nothing."""
import argparse
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import markdown_snippets  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--out", required=True, type=pathlib.Path)
    ap.add_argument("markdown", nargs="+")
    a = ap.parse_args()
    try:
        text = markdown_snippets.with_line_directive(markdown_snippets.program(a.markdown, a.name))
    except markdown_snippets.SnippetError as e:
        print(f"extract_program: {e}", file=sys.stderr)
        return 1
    if not a.out.exists() or a.out.read_text(encoding="utf-8") != text:
        a.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
