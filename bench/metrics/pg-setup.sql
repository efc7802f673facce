-- Schema and helpers for the PostgreSQL reference (pg-mrr.sh).
CREATE UNLOGGED TABLE items (
    customer_id     text,
    subscription_id text,
    "start"         timestamptz,
    "end"           timestamptz,
    amount          numeric,
    currency        text,
    "interval"      text,
    interval_count  integer,
    quantity        integer
);

-- lcm over a set of integers (lcm(numeric, numeric) exists since PostgreSQL 13).
CREATE AGGREGATE lcm_agg(numeric) (sfunc = lcm, stype = numeric, initcond = '1');

-- v / dd rounded half-up (away from zero) to cents, printed with 2 decimals.
-- div() truncates toward zero, so this is exact for any numeric v.
CREATE FUNCTION mrr_cents(v numeric, dd numeric) RETURNS numeric
    LANGUAGE sql IMMUTABLE STRICT
    RETURN sign(v) * div(abs(v) * 100 + dd / 2, dd);

CREATE FUNCTION mrr_money(v numeric, dd numeric) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT
    RETURN (CASE WHEN mrr_cents(v, dd) < 0 THEN '-' ELSE '' END)
           || div(abs(mrr_cents(v, dd)), 100)::text || '.'
           || lpad(mod(abs(mrr_cents(v, dd)), 100)::text, 2, '0');
