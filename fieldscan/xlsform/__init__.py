"""XLSForm import: ODK/Kobo forms read and judged by pyxform, mapped onto fieldscan surveys.

- :mod:`~fieldscan.xlsform.safety` — size, zip-bomb, XML-entity and CSV checks first;
- :mod:`~fieldscan.xlsform.reading` — pyxform reads and validates the form;
- :mod:`~fieldscan.xlsform.languages`, :mod:`~fieldscan.xlsform.mapping`,
  :mod:`~fieldscan.xlsform.references` — pyxform's JSON onto the survey format;
- :mod:`~fieldscan.xlsform.importer` — the pure service, :func:`import_xlsform`;
- :mod:`~fieldscan.xlsform.services`, ``cli``, ``routes`` — storing, the command, the page.

See docs/xlsform-import.md for the mapping, the degradations and the limits.
"""

from __future__ import annotations

from fieldscan.xlsform.importer import ImportResult, import_xlsform

__all__ = ["ImportResult", "import_xlsform"]
