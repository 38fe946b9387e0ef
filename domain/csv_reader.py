"""Moved to `domain.readers`. These names stay importable only until `starter.py` and `domain/import_plan.py`
import from `domain.readers` (one `InputFileError` class for every format); then this module goes."""

from domain.readers import InputFileError, open_csv
from domain.readers.table import StreamTable as CsvTable

__all__ = ["CsvTable", "InputFileError", "open_csv"]
