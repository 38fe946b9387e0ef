CREATE TEMP TABLE staging_wave_assets (
    asset_id         uuid PRIMARY KEY,
    wave_number      integer,
    move_group       text,
    placement_reason text
) ON COMMIT DROP
