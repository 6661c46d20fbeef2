"""One error type for everything a person can fix: content, templates, fit, set-up."""


class BrochureError(Exception):
    """A problem the user can fix; its lines are printed as they are, without a traceback."""

    #: Whether the output folder is exactly as it was (the command line then says so).
    wrote_nothing = True
    #: Files a failed render tried to read: `serve` watches them, so adding a missing
    #: picture rebuilds at once.
    tried: tuple[str, ...] = ()

    def __init__(self, lines: list[str] | str):
        self.lines = [lines] if isinstance(lines, str) else list(lines)
        super().__init__("\n".join(self.lines))
