-- Per-transaction tables of the set-based cleansing (raw_records_cleanse.sql): the approved mappings,
-- and the outcome of every distinct cell that cleansing does not keep exactly as written. Cells are
-- found by hash indexes: a hash index keeps a 4-byte hash of any value, where a b-tree entry of a
-- cell over about 2.7 KB would not fit (ADR-0016). Each (target, text, os_version) and
-- (column_name, text) is written once: the cells come from SELECT DISTINCT.
CREATE TEMP TABLE cleanse_columns (
    target text PRIMARY KEY,
    source text NOT NULL,
    ord    integer NOT NULL          -- the target's place in domain.asset_fields.ASSET_IMPORT_FIELDS
) ON COMMIT DROP;
CREATE TEMP TABLE cleanse_cells (
    target      text NOT NULL,
    text        text NOT NULL,        -- the cell as stored
    os_version  text NOT NULL,        -- the OS column's cell is read with its row's OS-version cell
    vals        jsonb NOT NULL,       -- asset values the cell sets
    changes     jsonb NOT NULL,       -- the changes it records, in order
    error       text,
    placeholder boolean NOT NULL
) ON COMMIT DROP;
CREATE INDEX ON cleanse_cells USING hash (text);
CREATE TEMP TABLE cleanse_custom (
    column_name text NOT NULL,
    text        text NOT NULL,
    kept        text,                 -- NULL: dropped
    change      jsonb
) ON COMMIT DROP;
CREATE INDEX ON cleanse_custom USING hash (text)
