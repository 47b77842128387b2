#!/usr/bin/env python3
"""Generate the benchmark's scale scenarios (emulator/README.md's schema).

    python3 bench/gen_scenarios.py OUT_DIR

writes, deterministically:

- scale-300x3.json   300 ACTIVE accounts x 3 regions (ap-southeast-2, us-east-1,
                     eu-west-1), 3,000 certificates (10 per account: 4 + 3 + 3),
                     an organization aggregator `org-aggregator` and an AGGREGATOR
                     index with an organization-scoped default view `all-resources`,
                     so the same scenario serves P1, P2 and P3.
- scale-2000.json    2,000 ACTIVE accounts x 2 regions (ap-southeast-2, us-east-1),
                     20,000 certificates (10 per account: 5 + 5) and the same
                     organization aggregator (for P1).

Certificates vary in type, key type and expiry so every bucket is populated;
a few per scenario are in use (each of those builds an ALB in the emulator, so
they are kept rare). Entries use `count`, so the files stay small.
Only the standard library is used: the bench runs this with any python3.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

MANAGEMENT = "123456789012"

KEY_TYPES = ["RSA_2048", "EC_prime256v1", "RSA_2048", "RSA_4096", "EC_secp384r1",
             "RSA_3072", "RSA_2048", "EC_prime256v1", "RSA_1024", "EC_secp521r1"]
CERT_TYPES = ["IMPORTED", "AMAZON_ISSUED", "PRIVATE"]
# Offsets (days from the anchor) away from every bucket boundary by >= 0.3 days:
# REMOVE, HIGH, MEDIUM, OK, OK, OK.
OFFSETS = [-40.5, 12.5, 55.5, 200.5, 320.5, 150.5]


def account_id(i: int) -> str:
    return MANAGEMENT if i == 0 else f"6{i:011d}"


def build(name: str, n_accounts: int, regions: list[str], per_region: list[int],
          seed: int, in_use_every: int, description: str) -> dict:
    accounts = []
    certs = []
    for i in range(n_accounts):
        aid = account_id(i)
        aname = "management" if i == 0 else f"workload-{i:04d}"
        acct = {"id": aid, "name": aname, "regions": list(regions)}
        if i:
            acct["ou"] = f"Workloads/Group{i % 8}"
        accounts.append(acct)
        for r_idx, (region, n) in enumerate(zip(regions, per_region)):
            if n <= 0:
                continue
            k = i * len(regions) + r_idx
            base = {
                "account": aid,
                "region": region,
                "type": CERT_TYPES[k % len(CERT_TYPES)],
                "key_algorithm": KEY_TYPES[k % len(KEY_TYPES)],
                "expires_in_days": OFFSETS[k % len(OFFSETS)],
                "tags": {"Owner": aname},
            }
            # One certificate of some pairs is in use (an ALB is built for it);
            # when it is expired, it is CRITICAL.
            used = 0
            if in_use_every and k % in_use_every == 0:
                certs.append(dict(base, domain=f"live.{aname}.r{r_idx}.example.com",
                                  in_use=["elbv2"]))
                used = 1
            if n - used > 0:
                entry = dict(base, domain=f"svc.{aname}.r{r_idx}.example.com")
                if n - used > 1:
                    entry["count"] = n - used
                certs.append(entry)
    return {
        "name": name,
        "description": description,
        "random_seed": seed,
        "accounts": accounts,
        "certificates": certs,
        "config": {"aggregators": [{"name": "org-aggregator", "account": MANAGEMENT,
                                    "region": "ap-southeast-2", "type": "organization",
                                    "all_regions": True}]},
    }


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)

    s300 = build("scale-300x3", 300, ["ap-southeast-2", "us-east-1", "eu-west-1"], [4, 3, 3],
                 seed=300, in_use_every=60,
                 description="bench: 300 accounts x 3 regions, 3,000 certificates; "
                             "org aggregator + AGGREGATOR index with an organization view")
    s300["resource_explorer"] = {
        "index": {"account": MANAGEMENT, "region": "ap-southeast-2", "type": "AGGREGATOR"},
        "view": {"name": "all-resources", "scope": "organization", "default": True},
    }
    s2000 = build("scale-2000", 2000, ["ap-southeast-2", "us-east-1"], [5, 5],
                  seed=2000, in_use_every=400,
                  description="bench: 2,000 accounts x 2 regions, 20,000 certificates; "
                              "org aggregator")
    for s in (s300, s2000):
        path = out / f"{s['name']}.json"
        path.write_text(json.dumps(s, indent=0) + "\n")
        total = sum(c.get("count", 1) for c in s["certificates"])
        print(f"{path}: {len(s['accounts'])} accounts, {total} certificates")
    return 0


if __name__ == "__main__":
    sys.exit(main())
