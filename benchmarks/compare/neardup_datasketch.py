#!/usr/bin/env python3
"""The reference for near-dedup: datasketch's MinHash + MinHashLSH with BigCode's settings.

Reads a corpus directory written by dev.kiln.bench.dedup.DedupQuality (ids.txt, docs/NNNNNN.txt),
and writes the ids it removes, one a line, to OUT. BigCode's near-deduplication settings: word
5-gram shingles of the text split on [^A-Za-z_0-9] (empty pieces skipped, as Kiln and the truth do;
a text with fewer words is one shingle), 256 permutations, datasketch's default sha1_hash32,
MinHashLSH(threshold=0.7) whose bands x rows come from datasketch's optimal_param with equal
weights (25 x 10, as BigCode's script), no verification of candidates, connected components by
union-find, the first document (input order) of each component kept. Signatures are computed in a
process pool (one process per core), as BigCode's script does with `datasets.map(num_proc=...)`.

  PYTHONPATH=/path/to/datasketch-src python3 neardup_datasketch.py CORPUS_DIR OUT
"""
import multiprocessing as mp
import os
import re
import sys
import time

try:
    from datasketch import MinHash, MinHashLSH
    import datasketch
except ImportError as e:  # the one-line error the house style asks for
    sys.exit("neardup_datasketch.py: datasketch is not importable (%s); put its source on PYTHONPATH" % e)

SPLIT = re.compile(r"[^A-Za-z_0-9]+")
NUM_PERM = 256
NGRAM = 5
THRESHOLD = 0.7


def shingles(text):
    words = [w for w in SPLIT.split(text) if w]
    if not words:
        return set()
    if len(words) < NGRAM:
        return {" ".join(words)}
    return {" ".join(words[i:i + NGRAM]) for i in range(len(words) - NGRAM + 1)}


def signature(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    m = MinHash(num_perm=NUM_PERM, seed=1)
    s = shingles(text)
    if s:
        m.update_batch([x.encode("utf-8") for x in s])
    return m.hashvalues, bool(s)


def main():
    corpus, out = sys.argv[1], sys.argv[2]
    t0 = time.time()
    with open(os.path.join(corpus, "ids.txt"), encoding="utf-8") as f:
        ids = f.read().split("\n")
    if ids and ids[-1] == "":
        ids.pop()
    paths = [os.path.join(corpus, "docs", "%06d.txt" % i) for i in range(len(ids))]
    with mp.Pool(os.cpu_count()) as pool:
        sigs = pool.map(signature, paths, chunksize=64)
    t1 = time.time()
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    minhashes = []
    for i, (hv, nonempty) in enumerate(sigs):
        m = MinHash(num_perm=NUM_PERM, seed=1, hashvalues=hv)
        minhashes.append(m)
        if nonempty:
            lsh.insert(i, m, check_duplication=False)
    parent = list(range(len(ids)))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, (hv, nonempty) in enumerate(sigs):
        if not nonempty:
            continue
        for j in lsh.query(minhashes[i]):
            a, b = find(i), find(j)
            if a != b:
                parent[max(a, b)] = min(a, b)
    removed = [ids[i] for i in range(len(ids)) if find(i) != i]
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(removed) + ("\n" if removed else ""))
    sys.stderr.write("datasketch %s: b=%d r=%d, %d docs, signatures %.2f s, LSH + clusters %.2f s\n"
                     % (getattr(datasketch, "__version__", "?"), lsh.b, lsh.r, len(ids), t1 - t0, time.time() - t1))


if __name__ == "__main__":
    main()
