#!/usr/bin/env python3
"""Prints mock-segment's /admin/events (JSON on stdin) as a readable table."""
import json
import sys

COLUMNS = [
    ("event", lambda e: e.get("event") or e.get("type", "")),
    ("command", lambda e: e.get("properties", {}).get("command", "")),
    ("step", lambda e: e.get("properties", {}).get("step", "")),
    ("direction", lambda e: e.get("properties", {}).get("direction", "")),
    ("succeeded", lambda e: e.get("properties", {}).get("succeeded", "")),
    ("exit_code", lambda e: e.get("properties", {}).get("exit_code", "")),
    ("duration_ms", lambda e: e.get("properties", {}).get("duration_ms", "")),
    ("error_class", lambda e: e.get("properties", {}).get("error_class", "")),
    ("sequence", lambda e: e.get("properties", {}).get("sequence", "")),
]


def main() -> int:
    data = json.load(sys.stdin)
    events = data.get("events", data) if isinstance(data, dict) else data
    def text(value):
        return value if isinstance(value, str) else json.dumps(value)

    rows = [[text(get(e)) for _, get in COLUMNS] for e in events]
    # Drop columns that are empty for every row, so the table fits the events shown.
    keep = [i for i, (name, _) in enumerate(COLUMNS) if any(r[i] for r in rows)] or [0, 1]
    header = [COLUMNS[i][0] for i in keep]
    table = [header] + [[r[i] for i in keep] for r in rows]
    widths = [max(len(row[c]) for row in table) for c in range(len(keep))]
    for n, row in enumerate(table):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
    print(f"({len(rows)} events)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
