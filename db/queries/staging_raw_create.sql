-- Per-transaction staging for COPY (COPY cannot target tables under row-level security).
CREATE TEMP TABLE staging_raw (
    row_number        integer NOT NULL,
    raw_data          jsonb NOT NULL,
    status            text NOT NULL,
    validation_errors jsonb
) ON COMMIT DROP
