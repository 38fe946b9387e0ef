"""The starter CLI, one module per command group; `starter.py` assembles them."""
