-- The billing sink: one row per call (call id is the key), written by the CDR stream consumer.
-- Times are epoch ms as on the wire; money is integer micro-euro incl. VAT (ARCHITECTURE.md).
CREATE TABLE cdrs (
  call_id text PRIMARY KEY,
  schema_version int NOT NULL,
  brand text NOT NULL,
  carrier_code text NOT NULL,
  product text NOT NULL,
  account_id text NOT NULL,
  caller text NOT NULL,
  dialed text NOT NULL,
  dest_e164 text NOT NULL,
  dest_country text NOT NULL,
  dest_type text NOT NULL,
  dest_zone text NOT NULL,
  tariff_id text NOT NULL,
  price_per_min_micro bigint NOT NULL,
  first_increment_s int NOT NULL,
  next_increment_s int NOT NULL,
  connect_fee_micro bigint NOT NULL,
  vat_rate_bp int NOT NULL,
  tariff jsonb NOT NULL,
  started_ms bigint NOT NULL,
  announcement_end_ms bigint NOT NULL,
  answer_ms bigint NOT NULL,
  end_ms bigint NOT NULL,
  duration_s int NOT NULL,
  billable_start_ms bigint NOT NULL,
  billed_s int NOT NULL,
  amount_micro bigint NOT NULL,
  vat_micro bigint NOT NULL,
  disposition text NOT NULL,
  q850 int NOT NULL,
  sip_code int NOT NULL,
  attempts jsonb NOT NULL,
  legs jsonb NOT NULL,
  node text NOT NULL,
  pdd_ms int NOT NULL,
  closed_by_timeout boolean NOT NULL,
  reservation_id text NOT NULL,
  settlement text NOT NULL,
  leg text NOT NULL,
  stream_seq bigint NOT NULL,
  shortened boolean NOT NULL DEFAULT false,
  inserted_at timestamptz NOT NULL DEFAULT now(),
  -- when the invoice (or prepaid statement) covering this call was sent: the retention clock
  invoiced_at timestamptz
);
CREATE INDEX cdrs_account_started ON cdrs (account_id, started_ms);
CREATE INDEX cdrs_brand_started ON cdrs (brand, started_ms);
CREATE INDEX cdrs_invoiced ON cdrs (invoiced_at) WHERE invoiced_at IS NOT NULL;

-- Invoices sent (postpaid bills and prepaid statements): retention runs 6 months from sent_at.
CREATE TABLE invoices (
  invoice_id text PRIMARY KEY,
  account_id text NOT NULL,
  period_from_ms bigint NOT NULL,
  period_to_ms bigint NOT NULL,
  sent_at timestamptz NOT NULL,
  calls int NOT NULL,
  amount_micro bigint NOT NULL
);

-- Dispute holds (seed 002 §11.2, 004 §9.2/§12.3): an account's records stay until resolved.
CREATE TABLE holds (
  id bigserial PRIMARY KEY,
  account_id text NOT NULL,
  reason text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  released_at timestamptz
);
CREATE UNIQUE INDEX holds_active ON holds (account_id) WHERE released_at IS NULL;

-- Customer's choice of shortened storage (seed 001 §9.3, 004 §12.2; DOMAIN.md §4).
CREATE TABLE privacy (
  account_id text PRIMARY KEY,
  shorten boolean NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Calls erased on request or by retention: never written again by a redelivered Cdr.
CREATE TABLE erased (
  call_id text PRIMARY KEY,
  erased_at timestamptz NOT NULL DEFAULT now(),
  why text NOT NULL
);

CREATE TABLE audit (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  action text NOT NULL,
  account_id text,
  rows int NOT NULL,
  details jsonb NOT NULL
);

-- A number minus its last three digits (TTDSG § 11(1), DOMAIN.md §4).
CREATE FUNCTION shorten_number(n text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN length(n) <= 3 THEN repeat('x', length(n)) ELSE left(n, length(n) - 3) || 'xxx' END
$$;

-- Invoice views: answered, billed calls per account / per brand and month (Europe/Berlin).
CREATE VIEW invoice_account_monthly AS
  SELECT account_id, brand,
         date_trunc('month', to_timestamp(started_ms / 1000.0) AT TIME ZONE 'Europe/Berlin')::date AS month,
         count(*) AS calls, sum(billed_s) AS billed_s, sum(amount_micro) AS amount_micro, sum(vat_micro) AS vat_micro
    FROM cdrs WHERE billed_s > 0 OR amount_micro > 0
   GROUP BY 1, 2, 3;
CREATE VIEW invoice_brand_monthly AS
  SELECT brand,
         date_trunc('month', to_timestamp(started_ms / 1000.0) AT TIME ZONE 'Europe/Berlin')::date AS month,
         count(*) AS calls, count(DISTINCT account_id) AS accounts,
         sum(billed_s) AS billed_s, sum(amount_micro) AS amount_micro, sum(vat_micro) AS vat_micro
    FROM cdrs WHERE billed_s > 0 OR amount_micro > 0
   GROUP BY 1, 2;
