#!/usr/bin/env bash
# Writes N accounts (default 100000) as CSV to stdout, deterministically: the same N gives byte-identical output.
# Ids are fixed (so re-runs and parents are reproducible); every 10th account has the account 7 rows earlier as its
# parent; owners rotate over owner1..owner5@bench.example (create those users first); values come from a Park-Miller generator.
set -euo pipefail
n=${1:-100000}
awk -v n="$n" 'BEGIN {
  split("Software,Manufacturing,Retail,Banking,Healthcare,Energy,Media,Logistics,Education,Telecom", industry, ",");
  split("EMEA,NA,APAC,LATAM", region, ",");
  split("DE,US,GB,FR,JP,BR,NL,SE,IN,AU", country, ",");
  split("Alpha,Beta,Gamma,Delta,Omega,Nova,Vertex,Summit,Harbor,Quantum,Apex,Nimbus", word, ",");
  seed = 42;  # Park-Miller: exact in awk doubles, so every awk gives the same file
  print "id,name,domain,industry,employees,segment,region,country,parent_account_id,owner_email";
  for (i = 1; i <= n; i++) {
    seed = (seed * 16807) % 2147483647;
    r = seed;
    id = sprintf("00000000-0000-7000-8000-%012d", i);
    parent = (i % 10 == 0 && i > 7) ? sprintf("00000000-0000-7000-8000-%012d", i - 7) : "";
    owner = (i % 4 == 0) ? "" : sprintf("owner%d@bench.example", (r % 5) + 1);
    employees = (r % 3 == 0) ? "" : (r % 20000) + 1;
    name = word[(r % 12) + 1] " " word[(int(r / 12) % 12) + 1] " " i;
    if (i % 25 == 0) name = "\"" name ", Inc.\"";
    printf "%s,%s,company%d.example,%s,%s,,%s,%s,%s,%s\n", id, name, i, industry[(int(r / 7) % 10) + 1], employees,
      region[(int(r / 3) % 4) + 1], country[(int(r / 11) % 10) + 1], parent, owner;
  }
}'
