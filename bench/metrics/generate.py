#!/usr/bin/env python3
"""Deterministic generator of canonical subscription item periods (METRICS.md section 1).

Usage:
    generate.py --customers N [--seed S] [--out FILE]   (default out: stdout)

Writes the canonical CSV
    customer_id,subscription_id,start,end,amount,currency,interval,interval_count,quantity
for N customers whose histories lie in 2021-01-01 .. 2025-12-31 (a few scheduled
cancellations end in 2026; rows still running at the horizon have an empty end).

Per customer (about 3 item periods on average):
  - optional free trial row (amount 0) that converts (next row opens at the same
    instant) or simply ends;
  - a main subscription whose price changes over time: upgrades and downgrades
    close one row and open the next at the same instant (same subscription_id);
  - occasional same-day changes (intraday, collapsed by daily movements),
    moves to a free plan (amount 0, i.e. churn), churn and later reactivation
    with a new subscription_id;
  - sometimes a concurrent add-on subscription (expansion / contraction);
  - instants are dates (2023-04-05) or UTC date-times (2023-04-05T13:20:00Z);
  - intervals month / year / quarter / week (and rarely day), interval_count 1
    and sometimes 6, quantity 1..20, amounts with cents, currency USD.

Output depends only on (N, seed). Python 3 stdlib only.
"""
import argparse
import datetime as _dt
import random
import sys

HEADER = "customer_id,subscription_id,start,end,amount,currency,interval,interval_count,quantity\n"
EPOCH = _dt.date(2021, 1, 1)
HORIZON = (_dt.date(2026, 1, 1) - EPOCH).days  # 1826: first day after the 5-year window
EXTRA_DAYS = 400  # room for scheduled cancellations after the horizon
DAYS = [(EPOCH + _dt.timedelta(days=i)).isoformat() for i in range(HORIZON + EXTRA_DAYS)]

# interval -> (relative weight, typical price per interval in cents (lo, hi))
INTERVALS = [
    ("month", 60, (500, 40000)),
    ("year", 20, (5000, 400000)),
    ("quarter", 10, (1500, 120000)),
    ("week", 9, (100, 10000)),
    ("day", 1, (10, 2000)),
]
_IV_CUM = []
_acc = 0
for _name, _w, _rng in INTERVALS:
    _acc += _w
    _IV_CUM.append((_acc, _name, _rng))
_IV_TOTAL = _acc


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--customers", "-n", type=int, required=True)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", "-o", default="-")
    a = ap.parse_args()

    rnd = random.Random(a.seed)
    r = rnd.random
    ri = rnd.randrange
    expo = rnd.expovariate

    out = sys.stdout if a.out == "-" else open(a.out, "w", encoding="utf-8", newline="\n", buffering=1 << 22)
    out.write(HEADER)
    buf = []
    app = buf.append

    def instant(day):
        """Boundary instant string on `day`: a date (midnight UTC) or a UTC date-time."""
        if r() < 0.22:
            s = ri(86400)
            return "%sT%02d:%02d:%02dZ" % (DAYS[day], s // 3600, (s // 60) % 60, (s % 4) * 15)
        return DAYS[day]

    def new_plan():
        x = ri(_IV_TOTAL)
        for cum, name, rng in _IV_CUM:
            if x < cum:
                break
        ic = 6 if (r() < 0.05 and name != "day") else 1
        cents = ri(rng[0], rng[1])
        if r() < 0.3:
            cents = (cents // 100) * 100 - 1 if cents >= 200 else cents  # x.99 prices
        if ic == 6:
            cents *= 5
        q = 1 if r() < 0.6 else ri(2, 21)
        return [name, ic, cents, q]

    def money(c):
        if c % 100 == 0 and (c // 100) % 3 == 0:
            return str(c // 100)
        return "%d.%02d" % (c // 100, c % 100)

    def emit(cid, sid, start, end, plan):
        app("%s,%s,%s,%s,%s,USD,%s,%d,%d\n" % (cid, sid, start, end, money(plan[2]), plan[0], plan[1], plan[3]))

    def lifecycle(cid, sid_base, sub_no, day, start_s, allow_trial, main):
        """Emit rows of one subscription lineage starting on `day`; returns (sub_no, end_day or None)."""
        sid = "%s_%d" % (sid_base, sub_no)
        if allow_trial and r() < 0.15:
            tlen = 7 if r() < 0.4 else 14
            tend = day + tlen
            if tend >= HORIZON:
                emit(cid, sid, start_s, "", ["month", 1, 0, 1])
                return sub_no, None
            tend_s = instant(tend)
            emit(cid, sid, start_s, tend_s, ["month", 1, 0, 1])
            if r() < 0.3:  # trial did not convert
                return sub_no, tend
            day, start_s = tend, tend_s
        plan = new_plan()
        while True:
            x = r()
            if x < 0.03:
                length = 0  # change on the same day (collapses into one daily movement)
            else:
                length = int(expo(1.0 / (210 if main else 250))) + 1
            end = day + length
            if end >= HORIZON:
                if r() < 0.05:  # scheduled cancellation after the horizon
                    emit(cid, sid, start_s, instant(HORIZON + ri(EXTRA_DAYS)), plan)
                    return sub_no, None
                emit(cid, sid, start_s, "", plan)
                return sub_no, None
            if length == 0:
                s = ri(1, 86400)
                end_s = "%sT%02d:%02d:%02dZ" % (DAYS[day], s // 3600, (s // 60) % 60, 0)
                if end_s <= start_s:  # keep end strictly after start
                    end_s = DAYS[day] + "T23:59:59Z"
                    if end_s <= start_s:
                        end = day + 1
                        end_s = DAYS[end]
            else:
                end_s = instant(end)
            emit(cid, sid, start_s, end_s, plan)
            ev = r()
            if ev < 0.34:  # upgrade
                plan = list(plan)
                if r() < 0.5 and plan[3] < 20:
                    plan[3] = min(20, plan[3] + ri(1, 5))
                else:
                    plan[2] = plan[2] + ri(100, max(101, plan[2]))
            elif ev < 0.52:  # downgrade
                plan = list(plan)
                if plan[3] > 1 and r() < 0.5:
                    plan[3] = ri(1, plan[3])
                elif r() < 0.12:
                    plan[2] = 0  # moved to a free plan: churn
                else:
                    plan[2] = max(1, plan[2] - ri(1, max(2, plan[2] // 2)))
            elif ev < 0.58:  # plan switch: other interval, any direction
                plan = new_plan()
            else:  # churn (subscription ends)
                return sub_no, end
            day, start_s = end, end_s

    n = a.customers
    width = max(7, len(str(n)))
    cfmt = "cus_%0" + str(width) + "d"
    for i in range(1, n + 1):
        cid = cfmt % i
        sid_base = "sub_" + cid[4:]
        # business grows over time: more customers start later
        day = int(HORIZON * (r() ** 0.85))
        if day >= HORIZON:
            day = HORIZON - 1
        sub_no = 1
        start_s = instant(day)
        add_on = r() < 0.15
        first_day = day
        while True:
            sub_no, end = lifecycle(cid, sid_base, sub_no, day, start_s, sub_no == 1, True)
            if end is None or r() >= 0.45:
                break
            gap = int(expo(1.0 / 150)) + 1  # reactivation after a gap
            day = end + gap
            if day >= HORIZON:
                break
            sub_no += 1
            start_s = instant(day)
        if add_on:
            aday = first_day + ri(0, 400)
            if aday < HORIZON:
                sub_no += 1
                lifecycle(cid, sid_base, sub_no, aday, instant(aday), False, False)
        if len(buf) >= 200000:
            out.write("".join(buf))
            buf.clear()
    out.write("".join(buf))
    buf.clear()
    if out is not sys.stdout:
        out.close()
    else:
        out.flush()


if __name__ == "__main__":
    main()
