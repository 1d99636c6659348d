"""The errors defcoop reports to a user: each names the file, line or parameter."""


class DefcoopError(Exception):
    """A problem with the user's input or environment; the CLI exits 2 with its message."""


class DataError(DefcoopError):
    """A data or ontology file could not be read or parsed."""
