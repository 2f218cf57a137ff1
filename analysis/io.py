"""Reading answer files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

__all__ = ["REQUIRED_COLUMNS", "AnswerFileError", "read_answers_csv"]

REQUIRED_COLUMNS = ("id", "question", "text")
OPTIONAL_COLUMNS = ("language", "site", "channel")


class AnswerFileError(ValueError):
    """A bad answer file. ``row`` is the 1-based line number in the file (header = 1)."""

    def __init__(self, message: str, *, path: str = "", row: int | None = None):
        self.path, self.row = path, row
        where = f"{path}" + (f", row {row}" if row is not None else "")
        super().__init__(f"{where}: {message}" if where else message)


def read_answers_csv(path: str | Path) -> list[dict[str, str]]:
    """Read a UTF-8 CSV of answers with at least the columns ``id``, ``question``, ``text``.

    Optional columns ``language``, ``site``, ``channel`` are kept; others are ignored. An
    empty ``text`` is allowed (it becomes a non-answer); an empty ``id`` or ``question``,
    a duplicate ``id`` within a question, or a row with too many fields is an error.

    Raises
    ------
    AnswerFileError
        With the file and the row number (the header is row 1).

    Examples
    --------
    >>> import tempfile, os
    >>> tmp = tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8")
    >>> _ = tmp.write("id,question,text\\n1,resources,food bank\\n"); tmp.close()
    >>> read_answers_csv(tmp.name)[0]["text"]
    'food bank'
    >>> os.unlink(tmp.name)
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise AnswerFileError(f"cannot read the file ({exc.strerror})", path=str(path)) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n") + 1
        raise AnswerFileError("not valid UTF-8", path=str(path), row=row) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise AnswerFileError("the file is empty", path=str(path), row=1) from None
    except csv.Error as exc:
        raise AnswerFileError(f"bad CSV ({exc})", path=str(path), row=1) from None
    names = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise AnswerFileError(f"missing column(s): {', '.join(missing)}", path=str(path), row=1)
    keep = [c for c in REQUIRED_COLUMNS + OPTIONAL_COLUMNS if c in names]
    positions = {c: names.index(c) for c in keep}
    records: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    try:
        for values in reader:
            row = reader.line_num
            if not values or all(not v.strip() for v in values):
                continue
            if len(values) > len(names):
                raise AnswerFileError(
                    f"{len(values)} fields, the header has {len(names)}", path=str(path), row=row
                )
            values = values + [""] * (len(names) - len(values))
            record = {
                c: values[i].strip() if c != "text" else values[i] for c, i in positions.items()
            }
            for column in ("id", "question"):
                if not record[column]:
                    raise AnswerFileError(f"empty {column}", path=str(path), row=row)
            key = (record["question"], record["id"])
            if key in seen:
                raise AnswerFileError(
                    f"duplicate id {record['id']!r} for question {record['question']!r}",
                    path=str(path),
                    row=row,
                )
            seen.add(key)
            records.append(record)
    except csv.Error as exc:
        raise AnswerFileError(f"bad CSV ({exc})", path=str(path), row=reader.line_num) from None
    return records
