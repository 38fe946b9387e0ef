"""The engagement report: data model (`model`), pictures (`charts`), page and files (`render`)."""
