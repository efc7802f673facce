#!/usr/bin/env python3
"""Slow, literal reference for `metrics mrr` (METRICS.md sections 1-3), for checking
the SQL references on small files (tiny.csv, a few thousand customers).

    reference.py FILE.csv FROM TO      (FROM/TO = YYYY-MM, inclusive)

Deliberately written differently from the SQL: instants are parsed with
datetime, MRR is exact (fractions.Fraction), and every number is evaluated from
the definition ("MRR of a customer at an instant = sum over its rows active at
that instant", end of day d = the last instant before d+1 00:00 UTC) instead of
running sums: mrr_start/mrr_end/customers_* are evaluated directly at the
month boundaries, not rolled forward.
"""
import csv
import datetime as dt
import sys
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

FACTOR = {"month": Fraction(1), "quarter": Fraction(1, 3), "year": Fraction(1, 12),
          "week": Fraction(52, 12), "day": Fraction(365, 12)}
HEADER = ("month,mrr_start,new,expansion,reactivation,contraction,churn,mrr_end,"
          "customers_start,new_customers,reactivated_customers,churned_customers,customers_end")
UTC = dt.timezone.utc


def instant(s):
    if len(s) == 10:
        return dt.datetime.fromisoformat(s).replace(tzinfo=UTC)
    t = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    if t.tzinfo is None:
        raise ValueError("date-time without zone: " + s)
    return t.astimezone(UTC)


def money(x):
    """Round half-up (away from zero) to cents."""
    sign = -1 if x < 0 else 1
    c = (abs(x) * 100 + Fraction(1, 2)).__floor__()
    c *= sign
    return ("-" if c < 0 else "") + "%d.%02d" % (abs(c) // 100, abs(c) % 100)


def main():
    path, frm, to = sys.argv[1:4]
    rows = defaultdict(list)  # customer -> [(start, end|None, mrr)]
    with open(path, newline="", encoding="utf-8") as f:
        for line_no, rec in enumerate(csv.DictReader(f), start=2):
            ic = int(rec.get("interval_count") or 1)
            q = int(rec.get("quantity") or 1)
            mrr = Fraction(Decimal(rec["amount"])) * FACTOR[rec["interval"].lower()] / ic * q
            s = instant(rec["start"])
            e = instant(rec["end"]) if rec["end"] else None
            if not rec["customer_id"] or (e is not None and e < s):
                raise SystemExit("bad row at line %d" % line_no)
            rows[rec["customer_id"]].append((s, e, mrr))

    def eod(cust_rows, day):
        """MRR at the end of UTC day `day`."""
        nxt = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), UTC)
        return sum((m for s, e, m in cust_rows if s < nxt and (e is None or e >= nxt)), Fraction(0))

    fy, fm = map(int, frm.split("-"))
    ty, tm = map(int, to.split("-"))
    months = []
    y, m = fy, fm
    while (y, m) <= (ty, tm):
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    first_days = [dt.date(y, m, 1) for y, m in months]
    ny, nm = (ty + 1, 1) if tm == 12 else (ty, tm + 1)
    bounds = first_days + [dt.date(ny, nm, 1)]  # month i = [bounds[i], bounds[i+1])

    one = dt.timedelta(days=1)
    zero = Fraction(0)
    mrr_at = [zero] * len(bounds)   # MRR at end of day bounds[i]-1
    cust_at = [0] * len(bounds)
    mv = [[zero] * 5 for _ in months]  # new, expansion, reactivation, contraction, churn
    cnt = [[0] * 3 for _ in months]    # new, reactivated, churned
    for cust_rows in rows.values():
        for i, b in enumerate(bounds):
            v = eod(cust_rows, b - one)
            mrr_at[i] += v
            cust_at[i] += v > 0
        days = sorted({s.date() for s, _, _ in cust_rows} | {e.date() for _, e, _ in cust_rows if e})
        paid_before = False
        for d in days:
            before, after = eod(cust_rows, d - one), eod(cust_rows, d)
            for i in range(len(months)):
                if bounds[i] <= d < bounds[i + 1]:
                    if before == 0 and after > 0:
                        if paid_before:
                            mv[i][2] += after
                            cnt[i][1] += 1
                        else:
                            mv[i][0] += after
                            cnt[i][0] += 1
                    elif before > 0 and after > before:
                        mv[i][1] += after - before
                    elif before > 0 and 0 < after < before:
                        mv[i][3] += before - after
                    elif before > 0 and after <= 0:
                        mv[i][4] += before
                        cnt[i][2] += 1
            paid_before = paid_before or before > 0 or after > 0

    print(HEADER)
    for i, (y, m) in enumerate(months):
        n, ex, re_, co, ch = mv[i]
        assert mrr_at[i + 1] == mrr_at[i] + n + ex + re_ - co - ch, "identity broken in %d-%02d" % (y, m)
        assert cust_at[i + 1] == cust_at[i] + cnt[i][0] + cnt[i][1] - cnt[i][2]
        print("%d-%02d,%s,%s,%s,%s,%s,%s,%s,%d,%d,%d,%d,%d" % (
            y, m, money(mrr_at[i]), money(n), money(ex), money(re_), money(co), money(ch),
            money(mrr_at[i + 1]), cust_at[i], cnt[i][0], cnt[i][1], cnt[i][2], cust_at[i + 1]))


if __name__ == "__main__":
    main()
