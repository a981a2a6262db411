#!/usr/bin/env python3
"""Drafts an upgrade script from two install scripts (a release's and the current one).

    python3 test/upgrade_draft.py src/upgrade/pgdb_tools--0.1.0.sql build/pgdb_tools--0.2.0.sql
    python3 test/upgrade_draft.py --refresh UPGRADE.sql build/pgdb_tools--0.2.0.sql

Functions and procedures that are new or changed come out as CREATE OR REPLACE (or DROP and
CREATE when the change is one CREATE OR REPLACE cannot make: arguments, their names or defaults,
the result type), removed ones as DROP, changed COMMENTs as COMMENT. Every other statement that
differs (tables, views, grants, DO blocks) is printed as a MANUAL block with the old and new text:
those need a hand-written migration that keeps the data. The draft is reviewed and edited into
src/upgrade/pgdb_tools--<old>--<new>.sql; test/e2e/upgrade.sh proves the result equals a fresh
install. A development tool: not run by make test. With --refresh, the routines an upgrade script already
replaces are rewritten, in place, as the current install script defines them.
"""
import re
import sys


def statements(sql):
    """Splits SQL text into statements, honouring quotes, dollar quotes and comments."""
    out, start, i, n = [], 0, 0, len(sql)
    while i < n:
        c = sql[i]
        if c == "-" and sql.startswith("--", i):
            i = sql.find("\n", i)
            i = n if i < 0 else i
        elif c == "/" and sql.startswith("/*", i):
            i = sql.find("*/", i) + 2
        elif c in "'\"":
            j = i + 1
            while j < n:
                if sql[j] == c and sql[j + 1 : j + 2] == c:
                    j += 2
                elif sql[j] == c:
                    break
                else:
                    j += 1
            i = j + 1
        elif c == "$":
            m = re.match(r"\$[A-Za-z_0-9]*\$", sql[i:])
            if m:
                end = sql.find(m.group(0), i + len(m.group(0)))
                i = end + len(m.group(0))
            else:
                i += 1
        elif c == ";":
            out.append(sql[start : i + 1].strip())
            start = i + 1
            i += 1
        elif c == "\\" and sql[i - 1 : i] in ("", "\n"):
            i = sql.find("\n", i)  # psql meta-command line
            start = i
        else:
            i += 1
    return [strip_comments(s) for s in out if strip_comments(s)]


def strip_comments(stmt):
    """The statement without the comment lines before it (those inside it stay)."""
    lines = stmt.split("\n")
    while lines and (lines[0].lstrip().startswith("--") or not lines[0].strip()):
        lines.pop(0)
    return "\n".join(lines).strip()


ROUTINE = re.compile(r"CREATE\s+(?:OR\s+REPLACE\s+)?(FUNCTION|PROCEDURE)\s+([\w.\"]+)\s*\(", re.I)
COMMENT = re.compile(r"COMMENT\s+ON\s+(FUNCTION|PROCEDURE)\s+([\w.\"]+)\s*\(([^)]*)\)", re.I)


def split_params(text):
    depth, cur, parts = 0, "", []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur)
    return [p.strip() for p in parts]


def params_of(stmt):
    m = ROUTINE.match(stmt)
    i, depth = m.end(), 1
    j = i
    while depth:
        if stmt[j] == "(":
            depth += 1
        elif stmt[j] == ")":
            depth -= 1
        j += 1
    return split_params(stmt[i : j - 1]), stmt[j:]


def arg_type(param):
    """The type of one parameter declaration (mode and name dropped, default cut)."""
    p = re.split(r"\s+(?:DEFAULT\b|=)", param, flags=re.I)[0].strip()
    words = p.split()
    if words and words[0].upper() in ("IN", "OUT", "INOUT", "VARIADIC"):
        mode = words.pop(0).upper()
        if mode == "OUT":
            return None
    if len(words) > 1:
        words = words[1:]  # a name, then the type
    return " ".join(words).lower()


def routine_key(stmt):
    m = ROUTINE.match(stmt)
    params, _ = params_of(stmt)
    types = [t for t in (arg_type(p) for p in params) if t is not None]
    return m.group(1).upper(), m.group(2).lower(), tuple(types)


def returns_of(stmt):
    _, rest = params_of(stmt)
    m = re.match(r"\s*RETURNS\s+(.*?)\s+(?:LANGUAGE|AS|SET|STABLE|VOLATILE|IMMUTABLE|STRICT|SECURITY|PARALLEL|CALLED)\b", rest, re.I | re.S)
    return m.group(1).strip().lower() if m else None


def index(sql):
    routines, comments, others = {}, {}, []
    for s in statements(sql):
        if ROUTINE.match(s):
            routines[routine_key(s)] = s
        elif COMMENT.match(s):
            comments[s.split(" IS ")[0]] = s
        else:
            others.append(s)
    return routines, comments, others


def signature(key):
    kind, name, types = key
    return f"{kind} {name}({', '.join(types)})"


def main(old_path, new_path):
    old_r, old_c, old_o = index(open(old_path).read())
    new_r, new_c, new_o = index(open(new_path).read())
    print("-- draft: review every line")
    for key in old_r:
        if key not in new_r:
            print(f"DROP {signature(key)};\n")
    for key, stmt in new_r.items():
        before = old_r.get(key)
        if before == stmt:
            continue
        replaced = ROUTINE.sub(lambda m: f"CREATE OR REPLACE {m.group(1)} {m.group(2)}(", stmt, count=1)
        if before is not None and (params_of(before)[0] != params_of(stmt)[0] or returns_of(before) != returns_of(stmt)):
            print(f"-- signature details changed\nDROP {signature(key)};")
            replaced = stmt
        print(replaced + "\n")
    for key, stmt in new_c.items():
        if old_c.get(key) != stmt:
            print(stmt + "\n")
    old_set, new_set = set(old_o), set(new_o)
    for s in old_o:
        if s not in new_set:
            print("-- MANUAL (only in old):\n-- " + s.replace("\n", "\n-- ") + "\n")
    for s in new_o:
        if s not in old_set:
            print("-- MANUAL (only in new):\n" + s + "\n")


def refresh(upgrade_path, new_path):
    new_r, _, _ = index(open(new_path).read())
    text = open(upgrade_path).read()
    for stmt in statements(text):
        if not ROUTINE.match(stmt) or routine_key(stmt) not in new_r:
            continue
        current = ROUTINE.sub(lambda m: f"CREATE OR REPLACE {m.group(1)} {m.group(2)}(",
                              new_r[routine_key(stmt)], count=1)
        text = text.replace(stmt, current, 1)
    open(upgrade_path, "w").write(text)


if __name__ == "__main__":
    if sys.argv[1] == "--refresh":
        refresh(sys.argv[2], sys.argv[3])
    else:
        main(sys.argv[1], sys.argv[2])
