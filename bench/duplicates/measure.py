"""Times the duplicate endpoints against a running server; prints a Markdown table. Sequential requests (one client)."""
import json, sqlite3, statistics, sys, time, urllib.request

db, base, token = sys.argv[1], sys.argv[2], sys.argv[3]
con = sqlite3.connect(db)

def call(method, path, body=None):
    req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    start = time.perf_counter()
    with urllib.request.urlopen(req) as r:
        data = r.read()
    return (time.perf_counter() - start) * 1000, json.loads(data) if data else None

def guid(blob):
    return blob if isinstance(blob, str) else str(__import__("uuid").UUID(bytes_le=blob))

def series(name, paths, method="GET", bodies=None):
    for p in paths[:5]:
        call(method, p, None if bodies is None else bodies[0])  # warm-up
    times = [call(method, p, None if bodies is None else bodies[i])[0] for i, p in enumerate(paths)]
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print(f"| {name} | {len(times)} | {statistics.median(times):.1f} | {p99:.1f} |")

contacts = [guid(r[0]) for r in con.execute("select Id from Contacts where DeletedAt is null and NormalizedEmail is not null order by random() limit 300")]
leads = [guid(r[0]) for r in con.execute("select Id from Leads where DeletedAt is null order by random() limit 300")]
accounts = [guid(r[0]) for r in con.execute("select Id from Accounts where DeletedAt is null order by random() limit 300")]
emails = [r[0] for r in con.execute("select Email from Contacts where DeletedAt is null and Email is not null order by random() limit 200")]
counts = {t: con.execute(f"select count(*) from {t} where DeletedAt is null").fetchone()[0] for t in ("Accounts", "Contacts", "Leads")}
print(f"Data: {counts['Accounts']:,} accounts, {counts['Contacts']:,} contacts, {counts['Leads']:,} leads\n")
print("| request | n | p50 ms | p99 ms |\n|---|---:|---:|---:|")
series("GET /accounts/{id}/duplicates", [f"/api/v1/accounts/{a}/duplicates" for a in accounts])
series("GET /contacts/{id}/duplicates", [f"/api/v1/contacts/{c}/duplicates" for c in contacts])
series("GET /leads/{id}/duplicates (leads + contacts)", [f"/api/v1/leads/{l}/duplicates" for l in leads])
series("POST /contacts (duplicate check, warn)", ["/api/v1/contacts"] * len(emails), "POST",
       [{"lastName": "Bench", "email": e, "phones": ["+49 30 1234567"]} for e in emails])

# The review page's grouping query, as the page runs it (GROUP BY over the rule's index), straight in SQLite.
for rule, sql in [("accounts-name", "select NormalizedName from Accounts where DeletedAt is null and NormalizedName is not null group by NormalizedName having count(*) > 1 order by NormalizedName limit 26"),
                  ("contacts-email", "select NormalizedEmail from Contacts where DeletedAt is null and NormalizedEmail is not null group by NormalizedEmail having count(*) > 1 order by NormalizedEmail limit 26")]:
    start = time.perf_counter(); groups = con.execute(sql).fetchall(); ms = (time.perf_counter() - start) * 1000
    print(f"| review page groups, {rule} (SQLite query) | 1 | {ms:.1f} | – | {len(groups)} groups")

# Merge the account with the most opportunities into another one: every child moves, one transaction.
big, = con.execute("select AccountId from Opportunities group by AccountId order by count(*) desc limit 1").fetchone()
big = guid(big)
other = next(a for a in accounts if a != big)
ms, result = call("POST", f"/api/v1/accounts/{other}/merge", {"duplicateId": big})
print(f"\nMerge of the account with the most children: {ms:.0f} ms, moved {json.dumps(result['moved'])}")
