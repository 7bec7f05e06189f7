"""Stand-in render functions for PdfRenderer tests: module-level, so a spawned worker can import them."""

import time


def stuck(_html: str) -> bytes:
    time.sleep(120)
    return b""


def logged(log_path: str) -> bytes:
    """Note in the file (named by the "html") when this rendering starts and ends."""
    with open(log_path, "a") as log:
        log.write("start\n")
    time.sleep(0.3)
    with open(log_path, "a") as log:
        log.write("end\n")
    return b"%PDF-stand-in"
