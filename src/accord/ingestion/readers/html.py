"""HTML pages with trafilatura: main content only, headings kept."""

from __future__ import annotations

from accord.errors import NoExtractableText, UnreadableFile
from accord.ingestion.limits import DEFAULT_LIMITS, ReadLimits
from accord.ingestion.readers import Extracted
from accord.ingestion.readers.decoding import decode
from accord.ingestion.readers.text import strip_markdown


def read_html(data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> Extracted:
    import trafilatura

    decoded = decode(data)
    html = decoded.text
    try:
        markdown = trafilatura.extract(
            html,
            output_format="markdown",
            include_formatting=True,
            include_tables=True,
            include_comments=False,
            favor_recall=True,
            deduplicate=False,
        )
        metadata = trafilatura.extract_metadata(html)
    except (ValueError, TypeError) as exc:
        raise UnreadableFile(
            f"the HTML could not be parsed ({exc}).", reason="html-corrupt"
        ) from exc
    if not markdown or not markdown.strip():
        raise NoExtractableText("the HTML page has no main text.", reason="no-text")
    text, headings = strip_markdown(markdown)
    title = metadata.title if metadata is not None and metadata.title else None
    return Extracted("html", [text], title, headings, decoded.encoding)
