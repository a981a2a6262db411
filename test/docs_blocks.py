#!/usr/bin/env python3
"""Turns the fenced code blocks of one Markdown file into one psql script (PG-free).

    docs_blocks.py FILE.md OUT.sql CHECK.psql

OUT.sql has exactly one line per line of FILE.md, so psql's "psql:OUT.sql:LINE:" messages name
the Markdown line. Lines outside ```sql blocks become empty; the lines of a ```sql block are
copied (without the indentation of its fence); its fences become psql meta-commands. A block whose
first line is `-- error: SQLSTATE` runs with ON_ERROR_STOP off, and its closing fence includes
CHECK.psql, which prints a DOCS-FAIL line and ends the script unless the block's last statement
failed with exactly that SQLSTATE. Blocks of other languages (```sql-norun, ```sh, ```python, ...) are skipped.

Prints one line: "<run> <errors> <skipped>" (blocks run, of which expecting an error, skipped).
Exits 2 with a message naming FILE:LINE for what is surely a mistake: an unclosed fence, a fence
language that looks like SQL but is neither `sql` nor `sql-norun` (`SQL`, `psql`, `pgsql`), an
error block with a malformed SQLSTATE or more than one statement, or a psql meta-command that
would leave the file's database (`\\c`, `\\connect`) or the script (`\\q`, `\\i` of other files).
"""
import re
import sys

FENCE = re.compile(r"^(\s*)(```+|~~~+)\s*([^\s`]*)\s*$")
ERROR_LINE = re.compile(r"^--\s*error:\s*(\S+)\s*$")
SQLSTATE = re.compile(r"^[0-9A-Z]{5}$")
FORBIDDEN_META = re.compile(r"^\s*\\(c|connect|q|quit|i|ir|include|include_relative|o|out|!)(\s|$)")


def fail(path, line, message):
    print(f"{path}:{line}: {message}", file=sys.stderr)
    sys.exit(2)


def statement_count(lines):
    # Naive on purpose: error blocks are one short statement; a line ending in ';' ends one.
    return sum(1 for l in lines if re.sub(r"--.*$", "", l).rstrip().endswith(";"))


def main():
    path, out_path, check_path = sys.argv[1:4]
    with open(path, encoding="utf-8") as f:
        md = f.read().split("\n")
    out = [""] * len(md)
    run = errors = skipped = 0
    i = 0
    while i < len(md):
        m = FENCE.match(md[i])
        if not m:
            i += 1
            continue
        indent, fence, lang = m.group(1), m.group(2), m.group(3)
        start = i
        i += 1
        while i < len(md):
            c = FENCE.match(md[i])
            if c and c.group(2).startswith(fence[0]) and len(c.group(2)) >= len(fence) and not c.group(3):
                break
            i += 1
        else:
            fail(path, start + 1, f"the {fence} fence opened here is never closed")
        end = i  # the closing fence
        i += 1
        if lang != "sql":
            if lang != "sql-norun" and re.search(r"sql", lang, re.IGNORECASE):
                fail(path, start + 1, f"fence language '{lang}': write sql (runs) or sql-norun (skipped)")
            skipped += 1
            continue
        body = [l[len(indent):] if l.startswith(indent) else l.lstrip() for l in md[start + 1:end]]
        for n, l in enumerate(body):
            if FORBIDDEN_META.match(l):
                fail(path, start + 2 + n, "a runnable block may not leave its database or script: use sql-norun")
        first = next((l for l in body if l.strip()), "")
        e = ERROR_LINE.match(first.strip())
        if e:
            if not SQLSTATE.match(e.group(1)):
                fail(path, start + 1, f"'-- error: {e.group(1)}' is not a SQLSTATE (five digits or capitals)")
            if statement_count(body) != 1:
                fail(path, start + 1, "an error block holds exactly one statement")
            out[start] = f"\\set ON_ERROR_STOP 0 \\set pgdb_docs_expect {e.group(1)} \\set pgdb_docs_line {start + 1}"
            out[end] = f"\\i {check_path} \\if :pgdb_docs_ok \\else \\q \\endif"
            errors += 1
        else:
            out[start] = "\\set ON_ERROR_STOP 1"
            out[end] = ""
        out[start + 1:end] = body
        run += 1
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("\n".join(out))
    print(run, errors, skipped)


if __name__ == "__main__":
    main()
