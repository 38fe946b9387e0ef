-- Per-transaction staging of values computed in Python for a batch of assets (COPY target).
CREATE TEMP TABLE staging_asset_values (asset_id uuid PRIMARY KEY, v jsonb NOT NULL) ON COMMIT DROP
