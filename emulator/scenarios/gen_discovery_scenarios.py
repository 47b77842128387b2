"""Generates the discovery-path scenarios: lz-*.json (G1 fallbacks) and re-1200.json.

Deterministic; run with the emulator's venv (validates with the emulator's own loader):

    emulator/.venv/bin/python emulator/scenarios/gen_discovery_scenarios.py

The five lz-* scenarios share one small organization (5 accounts, 2 regions, 12
certificates: CRITICAL 2, REMOVE 1, HIGH 2, MEDIUM 2, OK 5) and differ only in what
Config and Resource Explorer offer, so certinv must reach the same buckets by whichever
path SPEC section 2's decision tree picks:

- lz-no-aggregator      no aggregator; AGGREGATOR index + organization default view -> P2
- lz-aggregator-denied  aggregator answers AccessDenied; index + view               -> P2
- lz-no-index           neither                                                      -> P3
- lz-local-index        no aggregator; a LOCAL index only (no aggregator index)      -> P3
- lz-stale              an aggregator that lags: two member accounts not aggregated,
                        one FAILED source, one certificate Config has not recorded
                        yet, one Config still lists after its deletion from ACM       -> P1
                        (and G2 sees the gap)

re-1200 holds 1,200 certificates (6 accounts x 2 regions x 100) behind an
organization-wide view and no aggregator: a single Search stops at 1,000.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

MANAGEMENT = "123456789012"
REGIONS = ["ap-southeast-2", "us-east-1"]
ORG_VIEW = {"name": "all-resources", "scope": "organization", "default": True}
AGG_INDEX = {"type": "AGGREGATOR"}

ACCOUNTS = [
    {"id": MANAGEMENT, "name": "management", "regions": REGIONS},
    {"id": "410000000001", "name": "prod-app", "regions": REGIONS, "ou": "Workloads/Prod"},
    {"id": "410000000002", "name": "dev-app", "regions": REGIONS, "ou": "Workloads/NonProd"},
    {"id": "410000000003", "name": "shared-network", "regions": REGIONS, "ou": "Infrastructure"},
    {"id": "410000000004", "name": "sandbox", "regions": REGIONS, "ou": "Sandbox"},
]
PROD, DEV, NET, SANDBOX = (a["id"] for a in ACCOUNTS[1:])


def _cert(account: str, region: str, domain: str, cert_type: str, key: str, expires: float,
          **extra) -> dict:
    cert = {"account": account, "region": region, "domain": domain, "type": cert_type,
            "key_algorithm": key, "expires_in_days": expires}
    cert.update(extra)
    cert.setdefault("tags", {"Owner": "team-" + next(a["name"] for a in ACCOUNTS if a["id"] == account)})
    return cert


ELB = {"in_use": ["elbv2"]}
BASE_CERTIFICATES = [
    _cert(MANAGEMENT, "ap-southeast-2", "sso.example.com", "AMAZON_ISSUED", "RSA_2048", 200.5, **ELB),
    _cert(MANAGEMENT, "us-east-1", "cdn.example.com", "AMAZON_ISSUED", "EC_prime256v1", 45.5),
    _cert(PROD, "ap-southeast-2", "api.prod.example.com", "IMPORTED", "RSA_2048", -3.5, **ELB),
    _cert(PROD, "ap-southeast-2", "www.prod.example.com", "AMAZON_ISSUED", "RSA_2048", 12.5,
          sans=["prod.example.com"], renewal_status="PENDING_AUTO_RENEWAL", **ELB),
    _cert(PROD, "us-east-1", "edge.prod.example.com", "IMPORTED", "EC_prime256v1", -10.25, **ELB),
    _cert(PROD, "us-east-1", "pay.prod.example.com", "AMAZON_ISSUED", "RSA_2048", 300.5,
          renewal_status="SUCCESS", **ELB),
    _cert(DEV, "ap-southeast-2", "api.dev.example.com", "IMPORTED", "RSA_2048", -40.5),
    _cert(DEV, "ap-southeast-2", "app.internal.dev.example.com", "PRIVATE", "RSA_4096", 75.5,
          valid_days=365),
    _cert(DEV, "us-east-1", "www.dev.example.com", "AMAZON_ISSUED", "RSA_2048", 150.5),
    _cert(NET, "ap-southeast-2", "vpn.internal.net.example.com", "PRIVATE", "EC_secp384r1", 700.5,
          valid_days=1095),
    _cert(NET, "us-east-1", "proxy.net.example.com", "IMPORTED", "RSA_3072", 20.5, **ELB),
    _cert(SANDBOX, "ap-southeast-2", "sandbox.example.com", "AMAZON_ISSUED", "RSA_2048", 120.5),
]
BASE_BUCKETS = {"CRITICAL": 2, "HIGH": 2, "MEDIUM": 2, "OK": 5, "REMOVE": 1, "NOT_ISSUED": 0}


def lz(name: str, description: str, seed: int, *, config=None, explorer=None,
       certificates=None, discovery=None, extra_expected=None) -> dict:
    doc = {"name": name, "description": description, "random_seed": seed,
           "accounts": ACCOUNTS}
    if config is not None:
        doc["config"] = config
    if explorer is not None:
        doc["resource_explorer"] = explorer
    doc["certificates"] = certificates if certificates is not None else BASE_CERTIFICATES
    doc["expected"] = {"discovery": discovery, **(extra_expected or {})}
    return doc


def stale_certificates() -> list[dict]:
    certs = [dict(c) for c in BASE_CERTIFICATES]
    # The CRITICAL one in us-east-1 is too new for Config: P1 alone misses a CRITICAL.
    edge = next(c for c in certs if c["domain"] == "edge.prod.example.com")
    edge["config_state"] = "not_yet_recorded"
    certs.append(_cert(PROD, "ap-southeast-2", "old-api.prod.example.com", "IMPORTED", "RSA_2048",
                       100.5, config_state="deleted"))
    return certs


def re_1200() -> dict:
    accounts = [{"id": MANAGEMENT, "name": "management", "regions": REGIONS}] + [
        {"id": f"5100000000{n:02d}", "name": f"workload-{n}", "regions": REGIONS, "ou": "Workloads"}
        for n in range(1, 6)]
    plan = [(200.5, "RSA_2048"), (45.5, "EC_prime256v1"), (10.5, "RSA_2048"), (-5.5, "RSA_2048"),
            (365.5, "EC_prime256v1"), (120.5, "RSA_2048")]
    certificates = []
    for i, account in enumerate(accounts):
        for j, region in enumerate(REGIONS):
            expires, key = plan[(i + j) % len(plan)]
            certificates.append({
                "account": account["id"], "region": region,
                "domain": f"svc.{account['name']}.{region.split('-')[0]}{j}.example.com",
                "type": "IMPORTED", "key_algorithm": key, "expires_in_days": expires,
                "count": 100, "tags": {"Owner": account["name"]},
            })
    return {
        "name": "re-1200",
        "description": "1,200 certificates (6 accounts x 2 regions x 100, via count) behind an "
                       "AGGREGATOR index and an organization-wide default view, no aggregator: "
                       "one Search stops at 1,000 (Count.Complete false); per-region or "
                       "per-account queries stay under the cap. Generated by "
                       "gen_discovery_scenarios.py.",
        "random_seed": 1200,
        "resource_explorer": {"index": AGG_INDEX, "view": ORG_VIEW},
        "accounts": accounts,
        "certificates": certificates,
        "expected": {"discovery": {"path": "P2", "reason": "no aggregator; organization view"}},
    }


def scenarios() -> list[dict]:
    org_agg = {"name": "org-aggregator", "type": "organization", "all_regions": True}
    rex = {"index": AGG_INDEX, "view": ORG_VIEW}
    return [
        lz("lz-no-aggregator",
           "5 accounts, 12 certificates; no Config aggregator, an AGGREGATOR index with an "
           "organization-wide default view: G1 falls back to P2. Generated by "
           "gen_discovery_scenarios.py.", 101, explorer=rex,
           discovery={"path": "P2", "reason": "no configuration aggregator in ap-southeast-2"}),
        lz("lz-aggregator-denied",
           "5 accounts, 12 certificates; the organization aggregator answers AccessDenied to "
           "every call on it (it is still listed), an AGGREGATOR index with an organization-wide "
           "default view: G1 falls back to P2. Generated by gen_discovery_scenarios.py.", 102,
           config={"aggregators": [dict(org_agg, access_denied=True)]}, explorer=rex,
           discovery={"path": "P2", "reason": "aggregator org-aggregator: AccessDeniedException"}),
        lz("lz-no-index",
           "5 accounts, 12 certificates; neither a Config aggregator nor a Resource Explorer "
           "index: G1 falls back to P3 (direct API). Generated by gen_discovery_scenarios.py.", 103,
           discovery={"path": "P3", "reason": "no aggregator, no Resource Explorer index"}),
        lz("lz-local-index",
           "5 accounts, 12 certificates; no Config aggregator and only a LOCAL Resource Explorer "
           "index in ap-southeast-2 (no aggregator index, no view): P2 is unusable, G1 falls "
           "back to P3. Generated by gen_discovery_scenarios.py.", 104,
           explorer={"index": {"type": "LOCAL"}, "view": None},
           discovery={"path": "P3", "reason": "no AGGREGATOR index (only LOCAL)"}),
        lz("lz-stale",
           "5 accounts, 12 certificates in ACM; the organization aggregator lags: dev-app and "
           "sandbox are not aggregated, shared-network/us-east-1 is a FAILED source, the "
           "CRITICAL edge.prod.example.com is not recorded yet, and old-api.prod.example.com, "
           "deleted from ACM, is still listed. P1 answers; G2 cross-validation sees the gap. "
           "Generated by gen_discovery_scenarios.py.", 105,
           config={"aggregators": [dict(org_agg, exclude_accounts=[DEV, SANDBOX],
                                        failed_sources=[{"account": NET, "region": "us-east-1"}])]},
           certificates=stale_certificates(),
           discovery={"path": "P1", "reason": "organization aggregator answers"}),
        re_1200(),
    ]


def annotate(doc: dict) -> dict:
    from certinv_emulator import scenario as sc

    parsed = sc.validate(doc)
    in_acm = [c for c in parsed.certificates if c.config_state != "deleted"]
    expected = doc["expected"]
    expected.update({
        "total": len(in_acm),
        "accounts": len({c.account for c in in_acm}),
        "accounts_expected": len(parsed.active_account_ids),
        "buckets": sc.expected_buckets(parsed),
        "default_listing_without_key_types": sum(c.key_algorithm in ("RSA_1024", "RSA_2048")
                                                 for c in in_acm),
    })
    if doc["name"].startswith("lz-"):
        assert expected["buckets"] == BASE_BUCKETS, expected["buckets"]
    for agg in parsed.aggregators:
        sources = sc.covered_sources(agg, parsed.accounts)
        failed = {(f.account, f.region) for f in agg.failed_sources}
        rows = [c for c in parsed.certificates
                if (c.account, c.region) in sources and (c.account, c.region) not in failed
                and c.config_state != "not_yet_recorded"]
        by_domain = {c.domain: c for c in parsed.certificates}
        expected["config"] = {
            "aggregator": agg.name, "account": agg.account, "region": agg.region,
            "access_denied": agg.access_denied,
            "sources": len(sources),
            "failed_sources": [{"account": a, "region": r} for a, r in sorted(failed)],
            "excluded_accounts": sorted(agg.exclude_accounts),
            "select_rows": None if agg.access_denied else len(rows),
            "select_buckets": None if agg.access_denied else
            {b: sum(sc.bucket_of(c) == b for c in rows) for b in BASE_BUCKETS},
            "not_yet_recorded": sorted(d for d, c in by_domain.items()
                                       if c.config_state == "not_yet_recorded"),
            "deleted_but_listed": sorted(d for d, c in by_domain.items()
                                         if c.config_state == "deleted"),
        }
        if not agg.access_denied:
            # SPEC G2 with L1 = the Select rows and L3 = ACM (ACTIVE accounts).
            l1 = {id(c) for c in rows}
            l3 = {id(c) for c in in_acm if c.account in parsed.active_account_ids}
            expected["config"]["g2_variance_percent"] = round(
                100 * (len(l1 - l3) + len(l3 - l1)) / len(l3), 2)
    ex = parsed.explorer
    if ex is not None and ex.index is not None:
        info: dict = {"index_account": ex.index.account, "index_region": ex.index.region,
                      "index_type": ex.index.type, "view": ex.view.name if ex.view else None}
        if ex.view is not None and ex.index.type == "AGGREGATOR":
            total = sum(c.account in parsed.active_account_ids and c.region not in ex.exclude_regions
                        for c in in_acm)
            info.update({"search_total": min(total, 1000), "search_complete": total <= 1000,
                         "in_view": total})
            if total > 1000:
                info["per_region"] = dict(sorted(Counter(c.region for c in in_acm).items()))
                info["per_account"] = dict(sorted(Counter(c.account for c in in_acm).items()))
        expected["resource_explorer"] = info
    return doc


def render(doc: dict) -> str:
    """Pretty at the top, one line per account and per certificate: small diffs."""
    def one(obj) -> str:
        return json.dumps(obj, separators=(", ", ": "))

    lines = ["{"]
    for key in ("name", "description", "random_seed", "config", "resource_explorer"):
        if key in doc:
            lines.append(f"  {json.dumps(key)}: {one(doc[key])},")
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
    for doc in scenarios():
        doc = annotate(doc)
        out = HERE / f"{doc['name']}.json"
        out.write_text(render(doc), encoding="utf-8")
        e = doc["expected"]
        print(f"wrote {out.name}: {e['total']} certificates; {e['discovery']['path']}; "
              f"config rows {e.get('config', {}).get('select_rows')}; "
              f"search {e.get('resource_explorer', {}).get('search_total')}")


if __name__ == "__main__":
    main()
