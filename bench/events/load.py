#!/usr/bin/env python3
"""Event ingestion load: batches of BATCH events posted by WORKERS connections to /api/v1/events, and meanwhile one
demo_request a PROBE_MS from a new email (which creates a lead in that request), timed end to end.
Usage: load.py BASE_URL TOKEN EVENTS BATCH WORKERS PROBE_MS"""
import http.client, json, random, statistics, sys, threading, time, urllib.parse, uuid

base, token, total, batch, workers, probe_ms = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
url = urllib.parse.urlparse(base)
headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
rnd = random.Random(42)
run = uuid.uuid4().hex[:8]
pages = ["/", "/pricing", "/product", "/blog/launch", "/docs/start", "/customers", "/webinar"]

def event(i):
    kind = rnd.random()
    e = {"id": f"{run}-{i}", "occurredAt": None}
    if kind < 0.60:
        e.update(type="page_view", visitorId=f"v{rnd.randrange(50_000)}", url="https://www.example.com" + rnd.choice(pages) + ("?utm_campaign=q4-launch" if rnd.random() < 0.1 else ""))
    elif kind < 0.75:
        e.update(type=rnd.choice(["email_open", "email_click"]), email=f"person{rnd.randrange(20_000)}@example-{rnd.randrange(500)}.com")
    elif kind < 0.90:
        e.update(type="product_usage", visitorId=f"v{rnd.randrange(50_000)}", feature=rnd.choice(["reports", "api", "sso", "forecast"]))
    elif kind < 0.99:
        e.update(type="content_download", visitorId=f"v{rnd.randrange(50_000)}", url="https://www.example.com/ebook")
    else:
        e.update(type="form_submit", visitorId=f"v{rnd.randrange(50_000)}", email=f"new-{run}-{i}@company-{rnd.randrange(5000)}.com",
                 person={"firstName": "Pat", "lastName": f"Form{i}", "company": f"Company {rnd.randrange(5000)}"})
    del e["occurredAt"]
    return e

bodies = [json.dumps({"events": [event(i) for i in range(s, min(s + batch, total))]}).encode() for s in range(0, total, batch)]
lock = threading.Lock()
queue = list(range(len(bodies)))
accepted = rejected = 0
errors = []
done = threading.Event()

def conn():
    return http.client.HTTPConnection(url.hostname, url.port, timeout=120)

def worker():
    global accepted, rejected
    c = conn()
    while True:
        with lock:
            if not queue: return
            n = queue.pop(0)
        c.request("POST", "/api/v1/events", bodies[n], headers)
        r = c.getresponse(); body = r.read()
        if r.status not in (200, 207):
            errors.append(f"{r.status} {body[:300]!r}"); return
        res = json.loads(body)
        with lock:
            accepted += res["accepted"]; rejected += len(res["rejected"])

latencies = []
def probe():
    c = conn(); i = 0
    while not done.is_set():
        i += 1
        body = json.dumps({"events": [{"id": f"{run}-probe-{i}", "type": "demo_request", "email": f"probe-{run}-{i}@probe-{i % 300}.com",
                                       "person": {"firstName": "Dee", "lastName": f"Probe{i}"}}]}).encode()
        t = time.perf_counter()
        c.request("POST", "/api/v1/events", body, headers)
        r = c.getresponse(); res = json.loads(r.read())
        latencies.append(time.perf_counter() - t)
        if r.status != 200 or len(res["createdLeads"]) != 1: errors.append(f"probe {r.status} {res}")
        time.sleep(probe_ms / 1000)

p = threading.Thread(target=probe); p.start()
threads = [threading.Thread(target=worker) for _ in range(workers)]
start = time.perf_counter()
for t in threads: t.start()
for t in threads: t.join()
elapsed = time.perf_counter() - start
done.set(); p.join()
if errors: print("errors:", *errors[:5], sep="\n  "); sys.exit(1)
lat = sorted(latencies)
pct = lambda q: lat[min(len(lat) - 1, int(round(q * (len(lat) - 1))))] * 1000
print(f"events sent: {total:,} in batches of {batch:,} over {workers} connection(s); accepted {accepted:,}, rejected {rejected:,}")
print(f"sustained ingestion: {accepted / elapsed:,.0f} events/s ({elapsed:.1f} s)")
print(f"demo_request -> lead stored (one request, under that load): n={len(lat)} p50 {pct(0.5):.0f} ms, p99 {pct(0.99):.0f} ms, max {lat[-1] * 1000:.0f} ms")
