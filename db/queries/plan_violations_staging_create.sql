CREATE TEMP TABLE staging_plan_violations (
    rule        text NOT NULL,
    detail      text NOT NULL,
    move_groups text[] NOT NULL,
    asset_ids   uuid[] NOT NULL
) ON COMMIT DROP
