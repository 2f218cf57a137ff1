"""The community profile as a PDF, rendered on the server by WeasyPrint.

The PDF is the profile page itself: the same HTML and the print rules of ``reports.css``
(WeasyPrint lays out for ``print`` media, like the browser's "Save as PDF"). WeasyPrint fetches
nothing from the network: :class:`StaticOnlyFetcher` serves our own static files from disk
and refuses every other address (another host, ``file:``, ``data:``, a path outside
``/static/``), so a name in the page can never make the server fetch anything.

Text in the 12 languages needs fonts for their scripts (Arabic, Armenian, Khmer, CJK, ...):
the print CSS names the Noto families, which fontconfig finds on the machine (Debian:
``fonts-noto-core``, ``fonts-noto-cjk``); WeasyPrint needs Pango (``libpango-1.0-0``). It is
imported when a PDF is asked for, so the rest of the application runs without it.
"""

from __future__ import annotations

import mimetypes
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from werkzeug.security import safe_join

if TYPE_CHECKING:  # pragma: no cover
    from weasyprint import Document

#: The PDF's media type.
MEDIA_TYPE = "application/pdf"


class FetchRefusedError(ValueError):
    """WeasyPrint asked for an address that is not one of our static files."""


def static_fetcher(static_folder: str | Path, static_url_path: str, base_url: str) -> Any:
    """A WeasyPrint URL fetcher that serves only files under ``static_folder``.

    :param static_url_path: where the application serves them (``/static``).
    :param base_url: the page's address: only its scheme and host are accepted.
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    folder = str(Path(static_folder).resolve())
    prefix = static_url_path.rstrip("/") + "/"
    base = urlsplit(base_url)

    class StaticOnlyFetcher(URLFetcher):
        """Serves ``<base>/static/...`` from disk; refuses everything else (no network)."""

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            """The static file at ``url``; :class:`FetchRefusedError` for any other address."""
            parts = urlsplit(url)
            if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
                raise FetchRefusedError(f"refused: {parts.scheme}: address")
            path = unquote(parts.path)
            if not path.startswith(prefix):
                raise FetchRefusedError("refused: not a static file")
            found = safe_join(folder, path[len(prefix) :])
            if found is None or not Path(found).is_file():
                raise FetchRefusedError("refused: no such static file")
            media_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
            body = Path(found).read_bytes()
            return URLFetcherResponse(url, body, {"Content-Type": media_type})

    # fail_on_errors stays False: a refused address is left out of the PDF, not fatal.
    return StaticOnlyFetcher(allowed_protocols=("http", "https"))


def render_document(html: str, *, base_url: str, static_folder: str, static_url_path: str):
    """Lay out ``html`` (a page of ours) for print: a WeasyPrint ``Document``.

    :param base_url: the page's address, for its relative links (``request.host_url``).
    """
    from weasyprint import HTML

    fetcher = static_fetcher(static_folder, static_url_path, base_url)
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).render()


def write(document: Document) -> bytes:
    """The laid-out document as PDF bytes."""
    return document.write_pdf()


def filename(site_slug: str, day: date) -> str:
    """The download's name: ``fieldscan-profile-<site>-<YYYY-MM-DD>.pdf``."""
    return f"fieldscan-profile-{site_slug}-{day.isoformat()}.pdf"


def page_texts(document: Document) -> list[str]:
    """The text of each page of a laid-out document (for checks and tests)."""
    texts = []
    for page in document.pages:
        found: list[str] = []
        _collect(page._page_box, found)
        texts.append(" ".join(found))
    return texts


def _collect(box: Any, found: list[str]) -> None:
    text = getattr(box, "text", None)
    if isinstance(text, str):
        found.append(text)
    for child in getattr(box, "children", ()) or ():
        _collect(child, found)
