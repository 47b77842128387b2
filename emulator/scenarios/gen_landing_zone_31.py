"""Generates landing-zone-31.json: the reference 31-account landing zone (SPEC section 1).

Deterministic: the same script writes the same file, byte for byte. Run it with the
emulator's venv (it validates its output with the emulator's own scenario loader):

    emulator/.venv/bin/python emulator/scenarios/gen_landing_zone_31.py

What it guarantees, checked before writing:
- 31 ACTIVE accounts: the management account 123456789012 and 30 members with fixed IDs;
- 176 certificates, every account holding at least one;
- at the anchor, buckets CRITICAL 19 (EXPIRED, in use on ELBv2), REMOVE 5, HIGH 12,
  MEDIUM 27, OK 113, NOT_ISSUED 0;
- every offset at least 0.3 days from each boundary a day count can cross
  (0, 30, 31, 60, 61, 90, 91), so a run shortly after seeding gets the same buckets,
  while 30.5 (HIGH: 30 whole days left) and 90.5 (MEDIUM) test the floor rule;
- all three types, all seven key types, certificates (some CRITICAL) in us-east-1, and
  enough non-RSA_2048 certificates that omitting Includes.keyTypes visibly undercounts.
"""

from __future__ import annotations

import json
import math
import random
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "landing-zone-31.json"
sys.path.insert(0, str(HERE.parent))

MANAGEMENT = "123456789012"
TARGET = {"CRITICAL": 19, "REMOVE": 5, "HIGH": 12, "MEDIUM": 27, "OK": 113}
BOUNDARIES = (0, 30, 31, 60, 61, 90, 91)
MARGIN = 0.3

# (name, OU, certificates, extra opt-in region?)
ACCOUNTS = [
    ("management", None, 4, False),
    ("log-archive", "Security", 2, False),
    ("audit", "Security", 1, False),
    ("security-tooling", "Security", 3, False),
    ("network-hub", "Infrastructure", 9, True),
    ("shared-services", "Infrastructure", 8, False),
    ("identity-center", "Infrastructure", 3, False),
    ("backup-vault", "Infrastructure", 1, False),
    ("dns-hub", "Infrastructure", 4, False),
    ("prod-payments", "Workloads/Prod", 14, True),
    ("prod-checkout", "Workloads/Prod", 10, False),
    ("prod-customer-api", "Workloads/Prod", 10, True),
    ("prod-web", "Workloads/Prod", 14, True),
    ("prod-mobile-api", "Workloads/Prod", 9, False),
    ("prod-data-platform", "Workloads/Prod", 7, False),
    ("prod-search", "Workloads/Prod", 6, False),
    ("prod-notifications", "Workloads/Prod", 5, False),
    ("prod-partner-gateway", "Workloads/Prod", 8, False),
    ("marketing-web", "Workloads/Prod", 6, False),
    ("staging-payments", "Workloads/NonProd", 6, False),
    ("staging-web", "Workloads/NonProd", 6, False),
    ("staging-customer-api", "Workloads/NonProd", 5, False),
    ("dev-payments", "Workloads/NonProd", 4, False),
    ("dev-web", "Workloads/NonProd", 5, False),
    ("dev-data-platform", "Workloads/NonProd", 4, False),
    ("test-automation", "Workloads/NonProd", 3, False),
    ("sandbox-platform", "Sandbox", 2, False),
    ("sandbox-data", "Sandbox", 1, False),
    ("platform-eks", "Platform", 7, False),
    ("platform-cicd", "Platform", 5, False),
    ("analytics", "Platform", 4, False),
]

HOSTS = ["api", "www", "app", "admin", "auth", "static", "cdn", "portal", "grpc", "ws",
         "partners", "status", "docs", "hooks", "edge", "origin", "metrics", "login",
         "assets", "gateway", "events", "reports", "files", "mtls"]
KEYS_BY_TYPE = {
    "AMAZON_ISSUED": [("RSA_2048", 75), ("EC_prime256v1", 18), ("EC_secp384r1", 7)],
    "IMPORTED": [("RSA_2048", 63), ("RSA_4096", 12), ("EC_prime256v1", 10), ("RSA_3072", 6),
                 ("EC_secp384r1", 4), ("RSA_1024", 5)],
    "PRIVATE": [("RSA_2048", 50), ("EC_prime256v1", 20), ("RSA_4096", 10), ("RSA_3072", 10),
                ("EC_secp384r1", 5), ("EC_secp521r1", 5)],
}
VALID_DAYS = {"AMAZON_ISSUED": 395, "IMPORTED": 397, "PRIVATE": 365}


def weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    total = sum(w for _, w in pairs)
    pick = rng.uniform(0, total)
    for value, weight in pairs:
        pick -= weight
        if pick <= 0:
            return value
    return pairs[-1][0]


def safe_offset(rng: random.Random, low: float, high: float) -> float:
    while True:
        value = round(rng.uniform(low, high), 2)
        if all(abs(value - b) >= MARGIN for b in BOUNDARIES):
            return value


def account_ids(rng: random.Random) -> list[str]:
    ids = [MANAGEMENT]
    while len(ids) < len(ACCOUNTS):
        candidate = str(rng.randrange(100_000_000_000, 999_999_999_999))
        if candidate not in ids:
            ids.append(candidate)
    return ids


def offsets(rng: random.Random) -> dict[str, list[float]]:
    return {
        # Recently expired ones first: the ones a floor/round bug gets wrong.
        "CRITICAL": [-0.5, -1.5, -2.75] + [safe_offset(rng, -420, -3.5) for _ in range(16)],
        "REMOVE": [-0.7, -15.25, -60.5, -120.3, -301.8],
        "HIGH": [0.5, 30.5, 29.6, 1.25] + [safe_offset(rng, 0.35, 29.65) for _ in range(8)],
        "MEDIUM": [31.5, 60.5, 90.5, 89.6] + [safe_offset(rng, 31.35, 89.65) for _ in range(23)],
        "OK": [91.5, 91.75, 364.5, 1095.5]
        + [safe_offset(rng, 91.35, 200) for _ in range(40)]
        + [safe_offset(rng, 200, 396) for _ in range(62)]
        + [safe_offset(rng, 396, 1800) for _ in range(7)],
    }


def build() -> dict:
    rng = random.Random(20260531)
    ids = account_ids(rng)
    accounts = []
    for (name, ou, _count, opt_in), acc_id in zip(ACCOUNTS, ids):
        regions = ["ap-southeast-2", "us-east-1"] + (["ap-southeast-4"] if opt_in else [])
        account = {"id": acc_id, "name": name, "email": f"aws+{name}@example.com",
                   "status": "ACTIVE", "regions": regions}
        if ou:
            account["ou"] = ou
        accounts.append(account)

    # One slot per certificate, account by account; then a deterministic shuffle of the
    # bucket labels over the slots, keeping every bucket's offsets in a fixed order.
    slots = [(acc, i) for acc, (_n, _ou, count, _o) in zip(accounts, ACCOUNTS) for i in range(count)]
    labels = [b for b, n in TARGET.items() for _ in range(n)]
    assert len(slots) == len(labels) == 176, (len(slots), len(labels))
    rng.shuffle(labels)
    pool = offsets(rng)
    for values in pool.values():
        rng.shuffle(values)
    used_domains: set[str] = set()
    seen_per_bucket: Counter = Counter()
    certificates = []

    for (account, _i), bucket in zip(slots, labels):
        nth = seen_per_bucket[bucket]
        seen_per_bucket[bucket] += 1
        expires = pool[bucket][nth]
        name = account["name"]

        # Where: mostly Sydney, some us-east-1 (every fourth CRITICAL among them), a few
        # in Melbourne for the accounts that opted in.
        roll = rng.random()
        if bucket == "CRITICAL":
            region = "us-east-1" if nth % 4 == 0 else "ap-southeast-2"
        elif "ap-southeast-4" in account["regions"] and roll < 0.15:
            region = "ap-southeast-4"
        elif roll < 0.40:
            region = "us-east-1"
        else:
            region = "ap-southeast-2"

        # What: expired-and-in-use ones are mostly imported (nothing renews them).
        if bucket == "CRITICAL":
            cert_type = ["IMPORTED"] * 13 + ["AMAZON_ISSUED"] * 4 + ["PRIVATE"] * 2
            cert_type = cert_type[(nth * 7) % 19]
        elif bucket == "REMOVE":
            cert_type = ["IMPORTED", "AMAZON_ISSUED", "IMPORTED", "AMAZON_ISSUED", "IMPORTED"][nth]
        else:
            cert_type = weighted(rng, [("AMAZON_ISSUED", 55), ("IMPORTED", 30), ("PRIVATE", 15)])
        if expires > 396:
            cert_type = "PRIVATE"  # public certificates live at most 398 days; internal CAs longer
        key = weighted(rng, KEYS_BY_TYPE[cert_type])
        if bucket == "CRITICAL" and nth in (1, 6, 11, 15):
            key = {"IMPORTED": ["EC_prime256v1", "RSA_4096", "EC_secp384r1", "RSA_3072"][nth % 4],
                   "AMAZON_ISSUED": "EC_prime256v1",
                   "PRIVATE": "RSA_4096"}[cert_type]

        env, _, app = name.partition("-")
        if env not in ("prod", "staging", "dev", "test", "sandbox"):
            env, app = "shared", name
        zone = f"{app}.example.com" if env in ("prod", "shared") else f"{app}.{env}.example.com"
        if cert_type == "PRIVATE":
            zone = f"{app}.internal.example.com"
        domain = None
        for _ in range(50):
            host = rng.choice(HOSTS)
            candidate = f"*.{zone}" if host == "edge" and cert_type != "PRIVATE" else f"{host}.{zone}"
            if candidate not in used_domains:
                domain = candidate
                break
        if domain is None:
            domain = f"svc{len(used_domains)}.{zone}"
        used_domains.add(domain)
        sans = []
        if domain.startswith(("*.", "www.")):
            sans = [zone]
        elif rng.random() < 0.2:
            sans = [f"{rng.choice(HOSTS)}-v2.{zone}"]

        if bucket == "CRITICAL":
            in_use = True
        elif bucket == "REMOVE":
            in_use = False
        else:
            in_use = rng.random() < {"AMAZON_ISSUED": 0.7, "IMPORTED": 0.55, "PRIVATE": 0.5}[cert_type]

        cert = {"account": account["id"], "region": region, "domain": domain}
        if sans:
            cert["sans"] = sans
        cert["type"] = cert_type
        cert["key_algorithm"] = key
        cert["status"] = "EXPIRED" if expires <= 0 else "ISSUED"
        cert["expires_in_days"] = expires
        cert["valid_days"] = max(VALID_DAYS[cert_type], math.ceil(expires) + 30)
        if in_use:
            cert["in_use"] = ["elbv2"]
        if cert_type != "IMPORTED" and in_use:
            if expires <= 0:
                cert["renewal_status"] = "FAILED"
            elif expires < 60:
                cert["renewal_status"] = weighted(
                    rng, [("PENDING_AUTO_RENEWAL", 70), ("PENDING_VALIDATION", 15), ("FAILED", 15)])
            elif rng.random() < 0.25:
                cert["renewal_status"] = "SUCCESS"
        cert["tags"] = {
            "Owner": f"team-{app.split('-')[0]}",
            "Environment": env,
            "Application": app,
            "CostCentre": f"CC-{1000 + ACCOUNTS.index(next(a for a in ACCOUNTS if a[0] == name)) * 10}",
        }
        certificates.append(cert)

    # One domain served from two accounts, as a migration leaves behind (SPEC locate).
    web = next(c for c in certificates if c["account"] == accounts[12]["id"] and c["type"] != "PRIVATE")
    mkt = next(c for c in certificates if c["account"] == accounts[18]["id"] and c["type"] != "PRIVATE")
    web["domain"] = mkt["domain"] = "www.example.com"
    web["sans"] = mkt["sans"] = ["example.com"]

    return {
        "name": "landing-zone-31",
        "description": "The reference 31-account landing zone (SPEC section 1): 176 ACM certificates; "
                       "at the anchor CRITICAL 19, REMOVE 5, HIGH 12, MEDIUM 27, OK 113. "
                       "Generated by gen_landing_zone_31.py; edit that, not this.",
        "acm_page_size": 1000,
        "random_seed": 31,
        # SPEC P1 and P2 both work here: an organization aggregator covering every
        # account and region, and an aggregator index with an organization-wide default view.
        "config": {"aggregators": [{"name": "org-aggregator", "type": "organization",
                                    "all_regions": True}]},
        "resource_explorer": {"index": {"type": "AGGREGATOR"},
                              "view": {"name": "all-resources", "scope": "organization",
                                       "default": True}},
        "accounts": accounts,
        "certificates": certificates,
    }


def check_and_annotate(doc: dict) -> dict:
    from certinv_emulator import scenario as sc

    parsed = sc.validate(doc)
    buckets = sc.expected_buckets(parsed)
    assert buckets == {**TARGET, "NOT_ISSUED": 0}, buckets
    assert len(parsed.accounts) == 31 and all(a.status == "ACTIVE" for a in parsed.accounts)
    holders = Counter(c.account for c in parsed.certificates)
    assert len(holders) == 31, "every account holds at least one certificate"
    keys = Counter(c.key_algorithm for c in parsed.certificates)
    assert set(keys) == set(sc.KEY_TYPES), keys
    assert set(Counter(c.type for c in parsed.certificates)) == set(sc.CERT_TYPES)
    critical = [c for c in parsed.certificates if sc.bucket_of(c) == "CRITICAL"]
    assert all(c.status == "EXPIRED" and c.in_use == ["elbv2"] for c in critical)
    assert sum(c.region == "us-east-1" for c in critical) >= 3
    assert sum(c.key_algorithm not in ("RSA_1024", "RSA_2048") for c in critical) >= 3
    for c in parsed.certificates:
        assert all(abs(c.expires_in_days - b) >= MARGIN for b in BOUNDARIES), c

    assert [a.name for a in parsed.aggregators] == ["org-aggregator"]
    assert parsed.explorer and parsed.explorer.index.type == "AGGREGATOR"
    sources = sc.covered_sources(parsed.aggregators[0], parsed.accounts)
    default_visible = sum(keys[k] for k in ("RSA_1024", "RSA_2048"))
    doc["expected"] = {
        "total": len(parsed.certificates),
        "accounts": len(holders),
        "accounts_expected": 31,
        "buckets": buckets,
        "key_algorithms": dict(sorted(keys.items())),
        "default_listing_without_key_types": default_visible,
        "critical_by_region": dict(sorted(Counter(c.region for c in critical).items())),
        "in_use": sum(bool(c.in_use) for c in parsed.certificates),
        "config": {"aggregator": "org-aggregator", "account": MANAGEMENT,
                   "region": "ap-southeast-2", "sources": len(sources), "failed_sources": 0,
                   "select_rows": len(parsed.certificates)},
        "resource_explorer": {"index_region": "ap-southeast-2", "index_type": "AGGREGATOR",
                              "view": "all-resources", "search_total": len(parsed.certificates),
                              "search_complete": True},
    }
    return doc


def render(doc: dict) -> str:
    """Pretty at the top, one line per account and per certificate: small diffs."""
    def one(obj: dict) -> str:
        return json.dumps(obj, separators=(", ", ": "))

    lines = ["{"]
    for key in ("name", "description", "acm_page_size", "random_seed", "config",
                "resource_explorer"):
        lines.append(f"  {json.dumps(key)}: {json.dumps(doc[key])},")
    lines.append('  "accounts": [')
    lines.append(",\n".join(f"    {one(a)}" for a in doc["accounts"]))
    lines.append("  ],")
    lines.append('  "certificates": [')
    lines.append(",\n".join(f"    {one(c)}" for c in doc["certificates"]))
    lines.append("  ],")
    lines.append(f'  "expected": {json.dumps(doc["expected"], indent=2).replace(chr(10), chr(10) + "  ")}')
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> None:
    doc = check_and_annotate(build())
    OUT.write_text(render(doc), encoding="utf-8")
    e = doc["expected"]
    print(f"wrote {OUT.name}: {e['total']} certificates in {e['accounts']} accounts; "
          f"buckets {e['buckets']}; key types {e['key_algorithms']}")


if __name__ == "__main__":
    main()
