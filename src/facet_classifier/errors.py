"""One exception type for problems the user can fix; the CLI prints it as one line, no traceback."""


class UserError(Exception):
    """Bad input or configuration: reported as a single line with a non-zero exit status."""
