-- Statistics of the filled cleansing tables, so the assembly joins them by hash, not in nested loops.
ANALYZE cleanse_columns, cleanse_cells, cleanse_custom
