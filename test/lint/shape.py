#!/usr/bin/env python3
"""The grep-proof of issue 11's "Done when": lists what still breaks the shape.

  test/lint/shape.py [--max-file-lines 450] [--max-function-lines 80] [REPO]

- source files under src/ (C++ and SQL) over --max-file-lines lines; the release scripts of
  src/upgrade (earlier versions' install scripts as they shipped, and the upgrade scripts from
  them) are listed apart and not counted: they are one script a release, not a room to split;
- C++ functions over --max-function-lines lines, from the first line of the definition to its
  closing brace (brace matching on definitions at namespace level and in extern "C" blocks;
  member functions defined inside a class body are not looked at);
- the boundary patterns written outside src/pg (comments left out), per file: ownership checks,
  system cache lookups, the extension owner read by hand, array decoding and building, and
  PostgreSQL version tests, each of which belongs in src/pg.

Prints one section each and a closing line `shape: N long files, N long functions, N boundary
uses outside src/pg`; the exit status is 1 when any of them is not zero. Reads files only.
"""
import argparse
import os
import re
import sys

BOUNDARY_PATTERNS = {
    "ownership check": r"\b(?:pg_class_ownercheck|object_ownercheck)\b",
    "system cache lookup": r"\bSearchSysCache\w*\b",
    "extension owner by hand": r"\bextension_owner\b",
    "array decoding/building": r"\b(?:deconstruct_array|construct_array)\w*\b",
    "version test": r"\bPG_VERSION_NUM\b",
}

CXX_ENDINGS = (".cpp", ".hpp", ".h", ".c", ".cc")
SOURCE_ENDINGS = CXX_ENDINGS + (".sql",)
TRANSPARENT = re.compile(r'^\s*(?:(?:inline\s+)?namespace\b[\w:\s]*|extern\s+"C(?:\+\+)?"\s*)$')
NOT_FUNCTION = re.compile(r"^\s*(?:template\s*<.*>\s*)?(?:class|struct|union|enum)\b")
BODY_SUFFIXES = {"const", "noexcept", "override", "final", "mutable", "try"}


def source_files(root, under):
    for folder, dirs, files in os.walk(os.path.join(root, under)):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(SOURCE_ENDINGS):
                yield os.path.join(folder, name)


def blank_out(text):
    """The text with comments, string and character literals replaced by spaces (newlines kept),
    and preprocessor lines blanked, so that braces and names count only in code."""
    out = []
    i, n = 0, len(text)
    line_start = True
    while i < n:
        c = text[i]
        if line_start and c == "#" :
            # A preprocessor line, with its continuations.
            while i < n and text[i] != "\n":
                if text[i] == "\\" and i + 1 < n and text[i + 1] == "\n":
                    out.append(" \n")
                    i += 2
                    continue
                out.append(" ")
                i += 1
            continue
        if c == "/" and text.startswith("//", i):
            while i < n and text[i] != "\n":
                out.append(" ")
                i += 1
            continue
        if c == "/" and text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
            continue
        if c == "R" and text.startswith('R"', i) and (i == 0 or not text[i - 1].isalnum()):
            m = re.match(r'R"([^(\s]*)\(', text[i:])
            if m:
                end = text.find(")" + m.group(1) + '"', i)
                end = n if end < 0 else end + len(m.group(1)) + 2
                out.append(re.sub(r"[^\n]", " ", text[i:end]))
                i = end
                continue
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(c + " " * (min(j, n) - i - 1) + (c if j < n else ""))
            i = j + 1
            continue
        out.append(c)
        if c == "\n":
            line_start = True
        elif not c.isspace():
            line_start = False
        i += 1
    return "".join(out)


def function_name(signature):
    flat = " ".join(signature.split())
    m = re.search(r"\b(PGDB_FUNCTION|PG_FUNCTION_INFO_V1)\s*\(\s*(\w+)", flat)
    if m:
        return m.group(2)
    m = re.search(r"([~\w:]+(?:\s*operator\s*[^\s(]+)?)\s*\(", flat)
    return m.group(1) if m else flat[:60]


def long_functions(code, limit):
    """(first line, last line, name) of each definition at namespace level over limit lines."""
    found = []
    depth = 0  # braces that are not transparent (namespaces, extern "C")
    transparent = []  # for each open brace at depth 0: whether it was transparent
    signature, sig_line = "", None
    line = 1
    i, n = 0, len(code)
    while i < n:
        c = code[i]
        if c == "\n":
            line += 1
        if depth > 0:
            i += 1
            continue
        if c == "{":
            before = signature.rstrip()
            word = re.search(r"(\w+)$", before)
            in_init_list = re.search(r"\)\s*:(?!:)", before) is not None
            if TRANSPARENT.match(before):
                transparent.append(True)
                signature, sig_line = "", None
            elif in_init_list and word and word.group(1) not in BODY_SUFFIXES:
                # A member's brace initializer in a constructor's initializer list.
                end = matching_brace(code, i)
                signature += code[i : end + 1]
                line += code.count("\n", i, end + 1)
                i = end + 1
                continue
            else:
                end = matching_brace(code, i)
                last = line + code.count("\n", i, end + 1)
                is_function = (
                    "(" in before
                    and not NOT_FUNCTION.match(before)
                    and not before.endswith(("=", ",", "return"))
                )
                first = sig_line if sig_line is not None else line
                if is_function and last - first + 1 > limit:
                    found.append((first, last, function_name(before)))
                line = last
                i = end + 1
                signature, sig_line = "", None
                continue
        elif c == "}":
            if transparent:
                transparent.pop()
            signature, sig_line = "", None
        elif c == ";":
            signature, sig_line = "", None
        else:
            if not c.isspace() and sig_line is None:
                sig_line = line
            if sig_line is not None:
                signature += c
        i += 1
    return found


def matching_brace(code, start):
    depth = 0
    for j in range(start, len(code)):
        if code[j] == "{":
            depth += 1
        elif code[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return len(code) - 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", nargs="?", default=os.path.join(os.path.dirname(__file__), "..", ".."))
    parser.add_argument("--max-file-lines", type=int, default=450)
    parser.add_argument("--max-function-lines", type=int, default=80)
    args = parser.parse_args()
    root = os.path.normpath(args.repo)

    long_files, release_scripts, functions, boundary = [], [], [], []
    for path in source_files(root, "src"):
        rel = os.path.relpath(path, root)
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
        if lines > args.max_file_lines:
            frozen = rel.startswith(os.path.join("src", "upgrade") + os.sep)
            (release_scripts if frozen else long_files).append((lines, rel))
        if not path.endswith(CXX_ENDINGS):
            continue
        code = blank_out(text)
        for first, last, name in long_functions(code, args.max_function_lines):
            functions.append((last - first + 1, f"{rel}:{first}-{last}", name))
        if rel.startswith("src" + os.sep + "pg" + os.sep):
            continue
        for what, pattern in BOUNDARY_PATTERNS.items():
            hits = [code.count("\n", 0, m.start()) + 1 for m in re.finditer(pattern, code)]
            if hits:
                boundary.append((rel, what, hits))

    print(f"== source files over {args.max_file_lines} lines")
    for lines, rel in sorted(long_files, reverse=True):
        print(f"{lines:6d}  {rel}")
    for lines, rel in sorted(release_scripts, reverse=True):
        print(f"{lines:6d}  {rel}  (release script, not counted)")
    print(f"== functions over {args.max_function_lines} lines")
    for lines, where, name in sorted(functions, reverse=True):
        print(f"{lines:6d}  {where}  {name}")
    print("== boundary patterns outside src/pg")
    for rel, what, hits in boundary:
        print(f"{len(hits):6d}  {rel}  {what} (lines {', '.join(map(str, hits))})")
    uses = sum(len(h) for _, _, h in boundary)
    print(
        f"shape: {len(long_files)} long files, {len(functions)} long functions, "
        f"{uses} boundary uses outside src/pg"
    )
    return 1 if long_files or functions or uses else 0


if __name__ == "__main__":
    sys.exit(main())
