"""defcoop: a sourced knowledge graph of the Netherlands' bilateral defence cooperation."""

__version__ = "0.1.0"
