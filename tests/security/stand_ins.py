"""Stand-in render functions for fuzzing: module-level and import-light, so a spawned worker can load it."""


def instant_pdf(_html: str) -> bytes:
    """A PDF's first bytes at once: the fuzzer checks the API's contract, not WeasyPrint's speed."""
    return b"%PDF-1.7\n% stand-in\n"
