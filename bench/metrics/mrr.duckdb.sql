-- Monthly MRR movements (METRICS.md sections 2-3), DuckDB dialect.
-- Input: table `items` (loaded from the canonical CSV by duckdb-mrr.mjs; start/end
-- TIMESTAMPTZ, amount DECIMAL(18,6)). Placeholders: ${FROM} / ${TO} = first day of
-- the first / last reported month ('YYYY-MM-01').
--
-- Exact arithmetic: one row's MRR = amount * quantity * K / (12 * interval_count)
-- with K = month 12, quarter 4, year 1, week 52, day 365. With L = lcm of all
-- interval_counts and D = 10^6 * 12 * L, every row's MRR is an integer number of
-- 1/D units: v = amount*10^6 * quantity * K * (L / interval_count) (HUGEINT).
-- Sums stay exact; we round half-up to cents only when printing
-- (macros cents/money are created by duckdb-mrr.mjs).
WITH
p AS (
    SELECT CAST(coalesce(list_reduce(list(DISTINCT coalesce(interval_count, 1)), (a, b) -> lcm(a, b)), 1) AS HUGEINT) AS l
    FROM items
),
r AS (
    SELECT customer_id,
           CAST("start" AS DATE) AS sd,   -- UTC day (TimeZone is set to UTC)
           CAST("end" AS DATE) AS ed,
           CAST(amount * 1000000 AS HUGEINT)
             * coalesce(quantity, 1)
             * CASE lower("interval") WHEN 'month' THEN 12 WHEN 'quarter' THEN 4 WHEN 'year' THEN 1
                                      WHEN 'week' THEN 52 WHEN 'day' THEN 365 END
             * (p.l // coalesce(interval_count, 1)) AS v
    FROM items, p
),
ev AS (
    SELECT customer_id, sd AS d, v AS delta FROM r WHERE v <> 0
    UNION ALL
    SELECT customer_id, ed AS d, -v AS delta FROM r WHERE v <> 0 AND ed IS NOT NULL
),
daily AS (   -- net change of end-of-day MRR per customer and UTC day
    SELECT customer_id, d, sum(delta) AS delta
    FROM ev GROUP BY customer_id, d
    HAVING sum(delta) <> 0
),
st AS (
    SELECT customer_id, d, delta,
           sum(delta) OVER (PARTITION BY customer_id ORDER BY d ROWS UNBOUNDED PRECEDING) AS after
    FROM daily
),
st2 AS (
    SELECT d, delta, after, after - delta AS before,
           -- first day the customer ended with MRR > 0: 'new' on that day, 'reactivation' later
           min(CASE WHEN after > 0 THEN d END) OVER (PARTITION BY customer_id) AS first_paid
    FROM st
),
mv AS (
    SELECT date_trunc('month', d) AS m, delta,
           CASE WHEN before = 0 AND after > 0 THEN (CASE WHEN d = first_paid THEN 'N' ELSE 'R' END)
                WHEN before > 0 AND after > before THEN 'E'
                WHEN before > 0 AND after > 0 THEN 'C'
                WHEN before > 0 THEN 'X'
           END AS k,
           abs(delta) AS amt   -- size of the movement: new/reactivation = after, churn = before
    FROM st2
),
agg_k AS (
    SELECT m, k, sum(delta) AS net, sum(amt) AS amt, count(*) AS n
    FROM mv GROUP BY m, k
),
agg AS (
    SELECT m,
           sum(net) AS net,
           coalesce(sum(amt) FILTER (WHERE k = 'N'), 0) AS new_v,
           coalesce(sum(amt) FILTER (WHERE k = 'E'), 0) AS exp_v,
           coalesce(sum(amt) FILTER (WHERE k = 'R'), 0) AS react_v,
           coalesce(sum(amt) FILTER (WHERE k = 'C'), 0) AS contr_v,
           coalesce(sum(amt) FILTER (WHERE k = 'X'), 0) AS churn_v,
           coalesce(sum(n) FILTER (WHERE k = 'N'), 0) AS new_c,
           coalesce(sum(n) FILTER (WHERE k = 'R'), 0) AS react_c,
           coalesce(sum(n) FILTER (WHERE k = 'X'), 0) AS churn_c
    FROM agg_k GROUP BY m
),
base AS (   -- state at the end of the day before the first reported month
    SELECT coalesce(sum(net), 0) AS mrr0, coalesce(sum(new_c + react_c - churn_c), 0) AS cust0
    FROM agg WHERE m < DATE '${FROM}'
),
months AS (
    SELECT CAST(range AS DATE) AS m
    FROM range(DATE '${FROM}', DATE '${TO}' + INTERVAL 1 MONTH, INTERVAL 1 MONTH)
),
t AS (
    SELECT months.m,
           coalesce(agg.net, 0) AS net,
           coalesce(new_v, 0) AS new_v, coalesce(exp_v, 0) AS exp_v, coalesce(react_v, 0) AS react_v,
           coalesce(contr_v, 0) AS contr_v, coalesce(churn_v, 0) AS churn_v,
           coalesce(new_c, 0) AS new_c, coalesce(react_c, 0) AS react_c, coalesce(churn_c, 0) AS churn_c
    FROM months LEFT JOIN agg ON agg.m = months.m
),
roll AS (
    SELECT t.*,
           base.mrr0 + sum(net) OVER w AS mrr_end,
           base.cust0 + sum(new_c + react_c - churn_c) OVER w AS cust_end
    FROM t, base
    WINDOW w AS (ORDER BY t.m ROWS UNBOUNDED PRECEDING)
),
fmt AS (
    SELECT roll.*, (SELECT 1000000 * 12 * l FROM p) AS dd FROM roll
)
SELECT strftime(m, '%Y-%m') AS month,
       money(cents(mrr_end - net, dd)) AS mrr_start,
       money(cents(new_v, dd)) AS new,
       money(cents(exp_v, dd)) AS expansion,
       money(cents(react_v, dd)) AS reactivation,
       money(cents(contr_v, dd)) AS contraction,
       money(cents(churn_v, dd)) AS churn,
       money(cents(mrr_end, dd)) AS mrr_end,
       CAST(cust_end - (new_c + react_c - churn_c) AS VARCHAR) AS customers_start,
       CAST(new_c AS VARCHAR) AS new_customers,
       CAST(react_c AS VARCHAR) AS reactivated_customers,
       CAST(churn_c AS VARCHAR) AS churned_customers,
       CAST(cust_end AS VARCHAR) AS customers_end
FROM fmt
ORDER BY m
