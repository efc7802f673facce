#!/usr/bin/env python3
"""Deterministic generator of the opportunities CSV of `revloop metrics sales` (issue 5).

Usage:
    generate-sales.py --rows N [--seed S] [--out FILE]   (default out: stdout)

Columns: opportunity_id,account_id,owner,product,region,segment,source,created,closed,status,amount,stage
Deals are created 2022-01-01 .. 2025-12-31 by 250 owners over 6 products, 5 regions, 3 segments and 8 sources
(about 3% of deals have no source); 25% are open (no closed date, 10% of them without an amount), 30% won and
45% lost, closed 0-364 days after creation; amounts 1,000.00-250,000.00 with cents. Output depends only on (N, seed).
"""
import argparse
import datetime as dt
import random
import sys

HEADER = "opportunity_id,account_id,owner,product,region,segment,source,created,closed,status,amount,stage\n"
EPOCH = dt.date(2022, 1, 1)
SPAN = (dt.date(2026, 1, 1) - EPOCH).days
DAYS = [(EPOCH + dt.timedelta(days=i)).isoformat() for i in range(SPAN + 366)]
OWNERS = [f"rep{i:03d}" for i in range(250)]
PRODUCTS = ["core", "analytics", "automation", "payments", "support", "services"]
REGIONS = ["NA", "LATAM", "EMEA", "APAC", "ANZ"]
SEGMENTS = ["smb", "mid", "enterprise"]
SOURCES = ["web", "partner", "outbound", "event", "referral", "paid", "webinar", "content"]
OPEN_STAGES = ["discovery", "qualification", "proposal", "negotiation"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    out = open(a.out, "w", newline="") if a.out else sys.stdout
    out.write(HEADER)
    buf = []
    for i in range(1, a.rows + 1):
        c = rnd.randrange(SPAN)
        r = rnd.random()
        amount = f"{rnd.randrange(100000, 25000000) / 100:.2f}"
        if r < 0.25:
            status, closed, stage = "open", "", rnd.choice(OPEN_STAGES)
            if rnd.random() < 0.1:
                amount = ""
        else:
            status = "won" if r < 0.55 else "lost"
            closed = DAYS[c + rnd.randrange(365)]
            stage = "closed_" + status
        source = "" if rnd.random() < 0.03 else rnd.choice(SOURCES)
        buf.append(f"{i},acc{rnd.randrange(a.rows // 3 + 1)},{rnd.choice(OWNERS)},{rnd.choice(PRODUCTS)},{rnd.choice(REGIONS)},"
                   f"{rnd.choice(SEGMENTS)},{source},{DAYS[c]},{closed},{status},{amount},{stage}\n")
        if len(buf) == 10000:
            out.write("".join(buf))
            buf.clear()
    out.write("".join(buf))
    if a.out:
        out.close()


if __name__ == "__main__":
    main()
