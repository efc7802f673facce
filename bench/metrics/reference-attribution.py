#!/usr/bin/env python3
"""Straightforward float reference of `revloop metrics attribution` (issue 6 definitions) and a checker.

Usage: reference-attribution.py PATHS.csv MODEL REVLOOP_OUTPUT.csv

Computes every channel's credit in double precision (markov: the chain start -> channels -> conversion/null, each
removal solved separately by Gaussian elimination) and checks RevLoop's CSV: same channels in the same order,
every credit within 0.0001 (plus float noise) of the reference, and conversions and value adding up exactly to the
input totals (value rounded half-up to 4 decimals). Exit 0 when all hold; prints a one-line summary.
"""
import csv
import sys
from collections import defaultdict
from decimal import Decimal, ROUND_HALF_UP


def read(path):
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            yield [c.strip() for c in row["path"].split(">")], int(row["total_conversions"]), Decimal(row["total_conversion_value"] or "0"), int(row["total_null"] or "0")


def position(paths, model):
    conv, val = defaultdict(float), defaultdict(float)
    for p, c, v, _ in paths:
        n = len(p)
        if model == "first": w = [1.0] + [0.0] * (n - 1)
        elif model == "last": w = [0.0] * (n - 1) + [1.0]
        elif model == "linear": w = [1.0 / n] * n
        elif n == 1: w = [1.0]
        elif n == 2: w = [0.5, 0.5]
        else: w = [0.4] + [0.2 / (n - 2)] * (n - 2) + [0.4]
        for ch, x in zip(p, w):
            conv[ch] += c * x
            val[ch] += float(v) * x
    return conv, val


def solve(a, b):
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for col in range(n):
        piv = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[piv] = m[piv], m[col]
        d = m[col][col]
        m[col] = [x / d for x in m[col]]
        for r in range(n):
            if r != col and m[r][col] != 0:
                f = m[r][col]
                m[r] = [x - f * y for x, y in zip(m[r], m[col])]
    return [m[i][n] for i in range(n)]


def markov(paths, channels):
    t = defaultdict(lambda: defaultdict(float))
    for p, c, _, n in paths:
        w = c + n
        if w == 0: continue
        prev = "(start)"
        for ch in p:
            t[prev][ch] += w
            prev = ch
        t[prev]["(conversion)"] += c
        t[prev]["(null)"] += n

    def p_conv(removed):
        states = [ch for ch in channels if ch != removed]
        idx = {s: i for i, s in enumerate(states)}
        a = [[0.0] * len(states) for _ in states]
        b = [0.0] * len(states)
        for s in states:
            i = idx[s]
            a[i][i] = 1.0
            tot = sum(t[s].values())
            for to, w in t[s].items():
                if to == "(conversion)": b[i] += w / tot
                elif to in idx: a[i][idx[to]] -= w / tot
        x = solve(a, b)
        tot = sum(t["(start)"].values())
        return sum(w / tot * x[idx[to]] for to, w in t["(start)"].items() if to in idx)

    base = p_conv(None)
    return {ch: 1 - p_conv(ch) / base for ch in channels}


def main():
    paths_file, model, out_file = sys.argv[1:4]
    paths = list(read(paths_file))
    total_c = sum(c for _, c, _, _ in paths)
    total_v = sum(v for _, _, v, _ in paths)
    channels = sorted({ch for p, _, _, _ in paths for ch in p}, key=lambda s: s.encode("utf-8"))
    if model == "markov":
        re = markov(paths, channels)
        s = sum(re.values())
        conv = {ch: total_c * re[ch] / s for ch in channels}
        val = {ch: float(total_v) * re[ch] / s for ch in channels}
    else:
        conv, val = position(paths, model)
    with open(out_file, newline="") as f:
        rows = list(csv.reader(f))
    ok = rows[0] == ["channel", "conversions", "value"] and [r[0] for r in rows[1:]] == channels
    worst = 0.0
    for r in rows[1:]:
        ok = ok and all(len(x.split(".")[1]) == 4 for x in r[1:])
        worst = max(worst, abs(float(r[1]) - conv[r[0]]), abs(float(r[2]) - val[r[0]]))
    sum_c = sum(Decimal(r[1]) for r in rows[1:])
    sum_v = sum(Decimal(r[2]) for r in rows[1:])
    target_v = total_v.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    ok = ok and worst <= 0.0001 + 1e-6 and sum_c == total_c and sum_v == target_v
    print(f"{model}: {'OK' if ok else 'FAIL'} channels={len(channels)} max_abs_diff={worst:.2e} "
          f"conversions={sum_c}/{total_c} value={sum_v}/{target_v}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
