#!/usr/bin/env python3
"""Deterministic generator of the conversion paths CSV of `revloop metrics attribution` (issue 6).

Usage:
    generate-paths.py --touchpoints N [--seed S] [--out FILE]   (default out: stdout)

Header path,total_conversions,total_conversion_value,total_null; paths over 20 channels joined by " > ", 1-16
touches (mean about 5, repeats allowed), rows written until N touchpoints. A row's conversions are 0-3 (more likely
on paths that touch demo_request or sales_call), nulls 0-20, value = conversions x a price with cents.
Output depends only on (N, seed).
"""
import argparse
import random
import sys

CHANNELS = ["paid_search", "organic_search", "display", "paid_social", "organic_social", "email", "newsletter",
            "webinar", "event", "partner", "referral", "direct", "content", "review_site", "retargeting",
            "affiliate", "podcast", "sales_call", "demo_request", "community"]
WEIGHTS = [9, 8, 5, 6, 4, 7, 3, 3, 2, 3, 2, 6, 4, 2, 5, 2, 1, 2, 2, 1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--touchpoints", type=int, required=True)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    out = open(a.out, "w", newline="") if a.out else sys.stdout
    out.write("path,total_conversions,total_conversion_value,total_null\n")
    touches = 0
    buf = []
    while touches < a.touchpoints:
        n = min(1 + int(rnd.expovariate(0.25)), 16, a.touchpoints - touches)
        path = rnd.choices(CHANNELS, WEIGHTS, k=n)
        touches += n
        hot = "demo_request" in path or "sales_call" in path
        conv = rnd.choice([0, 0, 1, 1, 2, 3]) if hot else rnd.choice([0, 0, 0, 0, 0, 1, 1, 2])
        value = f"{conv * rnd.randrange(1000, 500000) / 100:.2f}" if conv else "0"
        buf.append(f"{' > '.join(path)},{conv},{value},{rnd.randrange(21)}\n")
        if len(buf) == 10000:
            out.write("".join(buf))
            buf.clear()
    out.write("".join(buf))
    if a.out:
        out.close()


if __name__ == "__main__":
    main()
