"""Sample training files the data-checker tests upload."""

import json


def chat(user: str, reply: str) -> str:
    messages = [{"role": "user", "content": user}, {"role": "assistant", "content": reply}]
    return json.dumps({"messages": messages})


def ticket_lines(count: int) -> list[str]:
    return [chat(f"Ticket {i}: the export of report {i * 7} fails after upgrade {i}.",
                 "bug" if i % 2 else "question") for i in range(count)]


def tickets(count: int) -> bytes:
    return ("\n".join(ticket_lines(count)) + "\n").encode()


def broken_sample() -> bytes:
    """12 readable examples (one exact repeat, one near repeat) and two broken lines (9 and 14)."""
    lines = ticket_lines(10)
    lines.insert(3, lines[1])                                          # line 4 repeats line 2
    lines.insert(6, lines[2].replace("Ticket", "TICKET  "))           # line 7 nearly repeats line 3
    lines.insert(8, '{"messages": [{"role": "user", "content": "hi"}')  # line 9: bad JSON
    lines.append(chat("What is 2+2?", "  "))                           # line 14: empty reply
    return ("\n".join(lines) + "\n").encode()
