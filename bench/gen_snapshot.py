#!/usr/bin/env python3
"""Make a large certinv/v1 snapshot by replicating the records of a real one.

    python3 bench/gen_snapshot.py SEED_REPORT.json N OUT.json

SEED_REPORT.json is a report certinv wrote (`certinv inventory --output json`);
its certificates are repeated, in order, until there are N, each copy with its
own ARN (the certificate ID is replaced by a unique, UUID-shaped one), so the
result is a valid `certinv/v1` report whose record shapes are exactly what certinv
writes. `summary` is recomputed from the buckets the seed report gave; the reader
recomputes it anyway. N = 0 writes an empty report.
Stdlib only; ~1 s per 100,000 records.
"""

from __future__ import annotations

import json
import sys
from collections import Counter


def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    seed_path, n, out_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    seed = json.load(open(seed_path, encoding="utf-8"))
    if seed.get("schema") != "certinv/v1":
        raise SystemExit(f"{seed_path} is not a certinv/v1 report")
    base = seed["certificates"]
    if n and not base:
        raise SystemExit("the seed report has no certificates")

    # Each template is the record's JSON with the ARN cut out, so a copy is a
    # string join rather than a json.dumps.
    templates = []
    for c in base:
        arn = c["arn"]
        prefix = arn.rsplit("/", 1)[0] + "/"
        text = json.dumps(c, separators=(",", ":"), ensure_ascii=False)
        quoted = json.dumps(arn)
        head, tail = text.split(quoted, 1)
        templates.append((head + '"' + prefix, '"' + tail, c.get("bucket"), c["account_id"]))

    buckets = Counter()
    accounts = set()
    for i in range(n):
        t = templates[i % len(templates)]
        buckets[t[2]] += 1
        accounts.add(t[3])
    summary = {
        "total": n,
        "accounts": len(accounts),
        "buckets": {b: buckets.get(b, 0)
                    for b in ("CRITICAL", "HIGH", "MEDIUM", "OK", "REMOVE", "NOT_ISSUED")},
    }
    header = {k: v for k, v in seed.items() if k not in ("certificates", "summary")}
    header["summary"] = summary

    with open(out_path, "w", encoding="utf-8") as out:
        head = json.dumps(header, separators=(",", ":"), ensure_ascii=False)
        out.write(head[:-1] + ',"certificates":[')
        chunk = []
        for i in range(n):
            head_part, tail_part, _, _ = templates[i % len(templates)]
            cert_id = f"{i // 65536:08x}-{i % 65536:04x}-4000-8000-{i % len(templates):012x}"
            chunk.append(head_part + cert_id + tail_part)
            if len(chunk) == 10000:
                out.write(("," if i >= 10000 else "") + ",\n".join(chunk))
                chunk = []
        if chunk:
            out.write(("," if n > len(chunk) else "") + ",\n".join(chunk))
        out.write("]}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
