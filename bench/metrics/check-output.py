#!/usr/bin/env python3
"""Sanity checks of one `metrics mrr --format csv` output (any engine).

    check-output.py OUTPUT.csv FROM TO

Checks: exact header; one row per month FROM..TO in order; money as -?D+.DD;
counts as integers; month-to-month continuity (mrr_start = previous mrr_end,
customers_start = previous customers_end); customers_end = customers_start +
new + reactivated - churned; MRR identity within printing rounding
(7 rounded terms, so |difference| <= 0.035). Exit 1 with messages on failure.
"""
import re
import sys
from decimal import Decimal

HEADER = ("month,mrr_start,new,expansion,reactivation,contraction,churn,mrr_end,"
          "customers_start,new_customers,reactivated_customers,churned_customers,customers_end")
MONEY = re.compile(r"^-?\d+\.\d{2}$")
INT = re.compile(r"^\d+$")


def months(frm, to):
    y, m = map(int, frm.split("-"))
    ty, tm = map(int, to.split("-"))
    while (y, m) <= (ty, tm):
        yield "%04d-%02d" % (y, m)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def main():
    path, frm, to = sys.argv[1:4]
    errors = []
    with open(path, encoding="utf-8", newline="") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or lines[0] != HEADER:
        errors.append("header differs: %r" % (lines[0] if lines else None))
    expected = list(months(frm, to))
    body = lines[1:]
    if [l.split(",")[0] for l in body] != expected:
        errors.append("months differ from %s..%s" % (frm, to))
    prev = None
    for n, line in enumerate(body, start=2):
        c = line.split(",")
        if len(c) != 13:
            errors.append("line %d: %d columns" % (n, len(c)))
            continue
        if not all(MONEY.match(x) for x in c[1:8]) or not all(INT.match(x) for x in c[8:13]):
            errors.append("line %d: bad number format: %s" % (n, line))
            continue
        ms, new, exp, rea, con, chu, me = (Decimal(x) for x in c[1:8])
        cs, nc, rc, cc, ce = (int(x) for x in c[8:13])
        if abs(ms + new + exp + rea - con - chu - me) > Decimal("0.035"):
            errors.append("line %d: MRR identity off by %s" % (n, ms + new + exp + rea - con - chu - me))
        if cs + nc + rc - cc != ce:
            errors.append("line %d: customer identity broken" % n)
        if min(ms, new, exp, rea, con, chu, me) < 0:
            errors.append("line %d: negative value" % n)
        if prev is not None and (prev[0] != ms or prev[1] != cs):
            errors.append("line %d: start differs from previous month's end" % n)
        prev = (me, ce)
    for e in errors[:20]:
        print("check-output: %s: %s" % (path, e), file=sys.stderr)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
