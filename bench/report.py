"""The printed tables."""


def fmt(value, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(title: str, columns: list, rows: list) -> str:
    """A plain-text table: `columns` are (header, key) pairs, `rows` dicts."""
    cells = [[fmt(row.get(key)) for _, key in columns] for row in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h)
              for i, (h, _) in enumerate(columns)]
    lines = [title, "  ".join(h.ljust(w) for (h, _), w in zip(columns, widths)),
             "  ".join("-" * w for w in widths)]
    for c in cells:
        lines.append("  ".join(v.rjust(w) if i else v.ljust(w)
                               for i, (v, w) in enumerate(zip(c, widths))))
    return "\n".join(lines)
