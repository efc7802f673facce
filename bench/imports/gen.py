#!/usr/bin/env python3
"""Deterministic CSVs for the import benchmark: ACCOUNTS accounts and ROWS opportunities (seed 7).

    gen.py accounts 10000 > accounts.csv
    gen.py opportunities 1000000 10000 > opportunities.csv   # rows, then the number of accounts they point at
"""
import random
import sys
import uuid


def account_id(i):
    return str(uuid.UUID(int=(0x0190_0000_0000_7000_8000_0000_0000_0000 | i)))


def accounts(n):
    rng = random.Random(7)
    out = sys.stdout
    out.write("id,name,domain,industry,employees,country,owner_email\n")
    for i in range(n):
        out.write(f"{account_id(i)},Company {i:07d},company{i}.example,{rng.choice(['Software', 'Retail', 'Finance', 'Health'])},"
                  f"{rng.randint(5, 5000)},{rng.choice(['US', 'DE', 'GB', 'FR', 'JP'])},owner{rng.randint(1, 5)}@bench.example\n")


def opportunities(n, n_accounts):
    rng = random.Random(7)
    stages = ["Discovery", "Proposal", "Negotiation", "Closed won", "Closed lost"]
    out = sys.stdout
    out.write("name,account_id,stage,amount,currency,close_date,owner_email,type,forecast_category,source,region,lost_reason,external_id\n")
    for i in range(n):
        stage = rng.choice(stages)
        kind = rng.choice(["new_business", "expansion", "renewal"])
        forecast = rng.choice(["pipeline", "best_case", "commit"])
        lost = "Price" if stage == "Closed lost" else ""
        out.write(f"Deal {i:07d},{account_id(rng.randrange(n_accounts))},{stage},{rng.randint(1000, 500000)}.{rng.randint(0, 99):02d},"
                  f"{rng.choice(['USD', 'EUR', 'GBP'])},2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d},owner{rng.randint(1, 5)}@bench.example,"
                  f"{kind},{forecast},{rng.choice(['inbound', 'outbound', 'partner'])},{rng.choice(['NA', 'EMEA', 'APAC'])},{lost},SF-{i:08d}\n")


if __name__ == "__main__":
    if sys.argv[1] == "accounts":
        accounts(int(sys.argv[2]))
    else:
        opportunities(int(sys.argv[2]), int(sys.argv[3]))
