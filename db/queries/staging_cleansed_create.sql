CREATE TEMP TABLE staging_cleansed (
    row_number        integer NOT NULL,
    cleansed_data     jsonb,
    cleansing_changes jsonb NOT NULL,
    natural_key       text,
    status            text NOT NULL,
    validation_errors jsonb
) ON COMMIT DROP
