#!/usr/bin/env python3
"""Straightforward reference of `revloop metrics sales --format csv` (issue 5 definitions), for the benchmark's check.

Usage: reference-sales.py FILE.csv FROM TO [GROUP_COLUMN]   (dates YYYY-MM-DD, inclusive)

Exact: amounts as Decimal, ratios as Fraction, rounded half-up only when printed. Assumes valid input.
"""
import csv
import sys
from collections import defaultdict
from datetime import date
from decimal import Decimal, ROUND_HALF_UP
from fractions import Fraction


def half_up(x, places):
    q = Decimal(1).scaleb(-places)
    return str((Decimal(x.numerator) / Decimal(x.denominator)).quantize(q, rounding=ROUND_HALF_UP)) if isinstance(x, Fraction) \
        else str(Decimal(x).quantize(q, rounding=ROUND_HALF_UP))


def main():
    path, frm, to = sys.argv[1], date.fromisoformat(sys.argv[2]), date.fromisoformat(sys.argv[3])
    group = sys.argv[4] if len(sys.argv) > 4 else None
    z = lambda: {"c": 0, "ca": Decimal(0), "w": 0, "wa": Decimal(0), "l": 0, "la": Decimal(0), "d": 0, "o": 0, "oa": Decimal(0)}
    sums = defaultdict(z)
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            created = date.fromisoformat(row["created"])
            closed = date.fromisoformat(row["closed"]) if row["closed"] else None
            amount = Decimal(row["amount"]) if row["amount"] else Decimal(0)
            keys = ["(all)"] + ([row[group] or "(none)"] if group else [])
            for k in keys:
                s = sums[k]
                if frm <= created <= to:
                    s["c"] += 1; s["ca"] += amount
                if closed and frm <= closed <= to:
                    if row["status"] == "won":
                        s["w"] += 1; s["wa"] += amount; s["d"] += (closed - created).days
                    elif row["status"] == "lost":
                        s["l"] += 1; s["la"] += amount
                if created <= to and (closed is None or closed > to):
                    s["o"] += 1; s["oa"] += amount
    out = ["group,created,pipeline_created,won,lost,win_rate,win_rate_value,won_amount,avg_deal_size,sales_cycle_days,open,open_amount"]
    names = ["(all)"] + sorted((k for k in sums if k != "(all)"), key=lambda s: s.encode("utf-8"))
    for k in names:
        s = sums[k]
        wl = s["w"] + s["l"]
        wla = s["wa"] + s["la"]
        out.append(",".join([
            k, str(s["c"]), half_up(s["ca"], 2), str(s["w"]), str(s["l"]),
            half_up(Fraction(s["w"], wl), 4) if wl else "",
            half_up(Fraction(s["wa"]) / Fraction(wla), 4) if wla else "",
            half_up(s["wa"], 2),
            half_up(Fraction(s["wa"]) / s["w"], 2) if s["w"] else "",
            half_up(Fraction(s["d"], s["w"]), 2) if s["w"] else "",
            str(s["o"]), half_up(s["oa"], 2)]))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
