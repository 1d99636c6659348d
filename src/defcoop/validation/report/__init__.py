"""The report model (data only), how its terms are named, and its renderers."""
