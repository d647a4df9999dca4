#!/usr/bin/env python3
"""Harvests long identifiers from real code for PiiRealCodeTest (false positives on code).

Writes identifiers.txt.gz next to this script: one line per identifier, "<source>\t<identifier>",
sorted. Sources: the JDK's src.zip (.java), the running Python's standard library (.py) and an npm
node_modules tree (.js, .mjs, .cjs, .ts). An identifier is a maximal run of [A-Za-z0-9_$-] that
starts with a letter or '_' and is at least MIN_LEN characters long; JavaScript and Python files
also contribute their kebab-case words (CSS classes, package names, option keys). Hex strings,
numbers are not identifiers and are left out (no digit run of 8+, not only hex digits).
A token must occur twice or more in its source: an identifier is declared and used, while
data (base64 blobs, test vectors) occurs once. Each source contributes at most PER_SOURCE identifiers, chosen by a seeded shuffle.

    python3 harvest-identifiers.py [/path/to/src.zip] [/path/to/stdlib] [/path/to/node_modules]

Defaults: $JAVA_HOME/lib/src.zip (else /usr/lib/jvm/temurin-25-jdk-amd64/lib/src.zip), the running
Python's stdlib, /usr/lib/node_modules.
"""
import collections
import gzip
import os
import random
import re
import sys
import sysconfig
import zipfile

MIN_LEN = 16
PER_SOURCE = 8000
# not inside a number (0x0B4A_DD5A), an escape (\u00DCber) or base64 data (...AgAS0AAEGQ/wABq+...=)
TOKEN = re.compile(r"(?<![A-Za-z0-9_$\\+/])[A-Za-z_][A-Za-z0-9_$-]*[A-Za-z0-9_$](?![+/=]?[A-Za-z0-9+/])")
LONG_DIGITS = re.compile(r"[0-9]{8}")
HEX = re.compile(r"[0-9A-Fa-f_]+")


def keep(tok):
    if len(tok) < MIN_LEN or len(tok) > 64 or LONG_DIGITS.search(tok) or "--" in tok:
        return False
    # hex data (test vectors, hashes) is not an identifier
    return not (HEX.fullmatch(tok) and re.search(r"[0-9]", tok))


def from_text(text, out, kebab):
    """Counts the tokens of text into the Counter out."""
    for tok in TOKEN.findall(text):
        if not kebab and "-" in tok:
            # Java has no kebab-case identifiers: split a-b into its parts
            for part in tok.split("-"):
                if keep(part) and re.match(r"[A-Za-z_]", part):
                    out[part] += 1
        elif keep(tok):
            out[tok] += 1


def jdk(path):
    out = collections.Counter()
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith(".java"):
                from_text(z.read(name).decode("utf-8", "replace"), out, kebab=False)
    return {t for t, c in out.items() if c >= 2}


def tree(root, suffixes, kebab):
    out = collections.Counter()
    for dirpath, dirnames, files in os.walk(root):
        dirnames.sort()
        for f in sorted(files):
            if f.endswith(suffixes):
                try:
                    with open(os.path.join(dirpath, f), encoding="utf-8", errors="replace") as fh:
                        from_text(fh.read(), out, kebab)
                except OSError:
                    pass
    return {t for t, c in out.items() if c >= 2}


def sample(ids, seed):
    ids = sorted(ids)
    random.Random(seed).shuffle(ids)
    return sorted(ids[:PER_SOURCE])


def main():
    java_home = os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64")
    src_zip = sys.argv[1] if len(sys.argv) > 1 else os.path.join(java_home, "lib", "src.zip")
    stdlib = sys.argv[2] if len(sys.argv) > 2 else sysconfig.get_paths()["stdlib"]
    node = sys.argv[3] if len(sys.argv) > 3 else "/usr/lib/node_modules"
    rows = []
    for label, ids in (
        ("jdk", jdk(src_zip)),
        ("python", tree(stdlib, (".py",), kebab=True)),
        ("npm", tree(node, (".js", ".mjs", ".cjs", ".ts"), kebab=True)),
    ):
        picked = sample(ids, 19)
        print(f"{label}: {len(ids)} identifiers of {MIN_LEN}+ characters, kept {len(picked)}", file=sys.stderr)
        rows += [f"{label}\t{i}" for i in picked]
    dest = os.path.join(os.path.dirname(os.path.abspath(__file__)), "identifiers.txt.gz")
    with gzip.GzipFile(dest, "wb", mtime=0) as f:
        f.write(("\n".join(rows) + "\n").encode("utf-8"))
    print(f"wrote {dest}", file=sys.stderr)


if __name__ == "__main__":
    main()
