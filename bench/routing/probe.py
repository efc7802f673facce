#!/usr/bin/env python3
"""Routing probe: makes sure a rule routes inbound demo requests (load balanced over the first team with reps), then
sends one demo_request of a new person every PROBE_MS for SECONDS and times it until its lead is assigned. Assignment
happens in the request that stores the lead, so the clock stops at the answer; a GET of the lead's routing afterwards
(not timed) checks that a rep got it.
Usage: probe.py BASE_URL TOKEN SECONDS PROBE_MS"""
import http.client, json, sys, time, urllib.parse, uuid

base, token, seconds, probe_ms = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
url = urllib.parse.urlparse(base)
headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
c = http.client.HTTPConnection(url.hostname, url.port, timeout=120)

def call(method, path, body=None):
    c.request(method, path, json.dumps(body).encode() if body is not None else None, headers)
    r = c.getresponse(); data = r.read()
    return r.status, json.loads(data) if data else None

_, reps = call("GET", "/api/v1/routing-reps")
team = next(r["teamId"] for r in reps if r["teamId"])
status, rule = call("POST", "/api/v1/routing-rules", {"name": f"Bench demo requests {uuid.uuid4().hex[:6]}", "action": "load_balanced", "teamId": team,
                                                       "sources": ["inbound"], "position": 1})
if status != 201: sys.exit(f"rule not created: {status} {rule}")
run = uuid.uuid4().hex[:8]
latencies, errors, i = [], [], 0
end = time.perf_counter() + seconds
while time.perf_counter() < end:
    i += 1
    body = {"events": [{"id": f"{run}-route-{i}", "type": "demo_request", "email": f"route-{run}-{i}@route-{i}.example",
                        "person": {"firstName": "Rae", "lastName": f"Route{i}", "company": f"Route {run} {i}"}}]}
    t = time.perf_counter()
    status, res = call("POST", "/api/v1/events", body)
    latencies.append(time.perf_counter() - t)
    if status != 200 or len(res["createdLeads"]) != 1: errors.append(f"{status} {res}"); continue
    _, routing = call("GET", f"/api/v1/leads/{res['createdLeads'][0]['leadId']}/routing")
    if not routing or routing[0]["ownerId"] is None: errors.append(f"not assigned: {routing}")
    time.sleep(probe_ms / 1000)
call("DELETE", f"/api/v1/routing-rules/{rule['id']}")
if errors: print("errors:", *errors[:5], sep="\n  "); sys.exit(1)
lat = sorted(latencies)
pct = lambda q: lat[min(len(lat) - 1, int(round(q * (len(lat) - 1))))] * 1000
print(f"demo_request -> lead assigned to a rep (load balanced, one request): n={len(lat)} p50 {pct(0.5):.0f} ms, p99 {pct(0.99):.0f} ms, max {lat[-1] * 1000:.0f} ms")
