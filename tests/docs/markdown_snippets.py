"""The ```cpp blocks of Markdown files and the marker that says how each is compiled.

A block is preceded (blank lines aside) by at most one marker comment:
  (none)                                  a whole translation unit, compiled as it is
  <!-- snippet: fragment NAME -->         compiled inside tests/docs/wrappers/NAME.cpp, at the
                                          line holding {{snippet}}
  <!-- snippet: program NAME -->          a whole program: built by the build (target
                                          flowtrack-docs-NAME) and run by the docs tests
  <!-- snippet: not-compiled (REASON) --> not compiled; the reason is required
Any other marker, or a block fenced as c++/cxx/cc, is an error: nothing is skipped silently.
"""
import dataclasses
import pathlib
import re

MARKER = re.compile(r"^\s*<!--\s*snippet:\s*(.*?)\s*-->\s*$")
FENCE = re.compile(r"^(\s*)```\s*([A-Za-z0-9+#-]*)\s*$")
OTHER_CPP_FENCES = {"c++", "cxx", "cc", "hpp", "h++"}


@dataclasses.dataclass
class Snippet:
    path: pathlib.Path
    line: int  # 1-based line of the first line of code
    code: str
    kind: str  # "unit", "fragment", "program", "not-compiled"
    name: str = ""  # the wrapper (fragment), the program's name, or the reason (not-compiled)

    def where(self) -> str:
        return f"{self.path.name}:{self.line}"


class SnippetError(Exception):
    pass


def parse_marker(text: str, where: str):
    m = re.fullmatch(r"fragment\s+([A-Za-z0-9_-]+)", text)
    if m:
        return "fragment", m.group(1)
    m = re.fullmatch(r"program\s+([A-Za-z0-9_-]+)", text)
    if m:
        return "program", m.group(1)
    m = re.fullmatch(r"not-compiled\s*\((.+)\)", text)
    if m and m.group(1).strip():
        return "not-compiled", m.group(1).strip()
    raise SnippetError(f"{where}: unknown snippet marker '{text}' "
                       "(fragment NAME, program NAME or not-compiled (REASON))")


def snippets(path: pathlib.Path) -> list[Snippet]:
    lines = path.read_text(encoding="utf-8").splitlines()
    out = []
    marker = None  # (text, line) of the last marker not yet used
    i = 0
    while i < len(lines):
        line = lines[i]
        m = MARKER.match(line)
        if m:
            marker = (m.group(1), i + 1)
            i += 1
            continue
        fence = FENCE.match(line)
        if not fence:
            if line.strip():
                marker = None  # a marker applies to the block right after it only
            i += 1
            continue
        indent, lang = fence.group(1), fence.group(2).lower()
        end = i + 1
        while end < len(lines) and not re.match(r"^\s*```\s*$", lines[end]):
            end += 1
        if end == len(lines):
            raise SnippetError(f"{path.name}:{i + 1}: unterminated code block")
        body = [l[len(indent):] if l.startswith(indent) else l.lstrip() for l in lines[i + 1:end]]
        where = f"{path.name}:{i + 1}"
        if lang in OTHER_CPP_FENCES:
            raise SnippetError(f"{where}: fence the block as ```cpp so that it is compiled")
        if lang == "cpp":
            kind, name = ("unit", "") if marker is None else parse_marker(marker[0], f"{path.name}:{marker[1]}")
            out.append(Snippet(path, i + 2, "\n".join(body) + "\n", kind, name))
        elif marker is not None:
            raise SnippetError(f"{path.name}:{marker[1]}: a snippet marker before a ```{lang} block")
        marker = None
        i = end + 1
    return out


def program(paths, name: str) -> Snippet:
    found = [s for p in paths for s in snippets(pathlib.Path(p)) if s.kind == "program" and s.name == name]
    if len(found) != 1:
        raise SnippetError(f"program snippet '{name}': found {len(found)} (expected exactly one)")
    return found[0]


def with_line_directive(s: Snippet) -> str:
    """The code, its diagnostics pointing at the Markdown file's own lines."""
    return f'#line {s.line} "{s.path}"\n{s.code}'
