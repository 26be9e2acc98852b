"""Bytes to text for text-like files (TXT, Markdown, HTML, manifests), never crashing, and
saying which decoding was used.

In order: a byte-order mark; UTF-16/32 without one, recognised by where its NUL bytes fall;
binary content refused; UTF-8; UTF-8 with the invalid bytes replaced when the file holds valid
multi-byte UTF-8 sequences not outnumbered four to one by invalid bytes (a damaged UTF-8 file is
still UTF-8, not a Cyrillic code page; a legacy code page yields next to none); else a legacy
code page. charset-normalizer proposes the code pages; for short texts it often finds several
equally likely ("Café naïve" is as plausible to it in cp775 as in cp1252), so its candidates are
kept to the encodings web pages use (the WHATWG list), those giving impossible words (a symbol
inside a word, two scripts in one word) are dropped, and of the rest the decoding py3langid is
surest reads as a language wins, the more common code page on a tie. Declared charsets (``<meta
charset>``) are not trusted: the bug this guards against is a page whose declaration is wrong.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from accord.errors import UnreadableFile

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Control bytes that text in an encoding accepted without a BOM never holds.
_BINARY_BYTES = bytes([*range(0, 9), 11, *range(14, 28)])
_SAMPLE = 64 * 1024
_HIGH_BYTES = bytes(range(0x80, 0x100))
# UTF-8 is kept (invalid bytes replaced) when valid multi-byte sequences hold at least this
# many bytes per invalid byte.
_UTF8_VALID_SHARE = 0.25
# Candidates of charset-normalizer this much messier than its best are not considered.
_CHAOS_MARGIN = 0.02
_WORD_INNER_PUNCTUATION = frozenset("'’ʼ‐‑-·")
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str  # as recorded for the document: "utf-8", "utf-16-le (no BOM)", ...
    replaced: int = 0  # characters that stand for bytes the encoding could not read


def decode_text(data: bytes) -> str:
    """The text of ``data`` (see :func:`decode`)."""
    return decode(data).text


def decode(data: bytes) -> Decoded:
    """Decode bytes of a text file.

    Raises:
        UnreadableFile: the bytes are binary (reason ``binary-file``).
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _with_replacement(data, encoding, encoding)
    sample = data[:_SAMPLE]
    wide = _utf16_or_32(sample)
    if wide is not None:
        decoded = _with_replacement(data, wide, f"{wide} (no BOM)")
        head = decoded.text[: _SAMPLE // 2]
        if len(_CONTROL.findall(head)) <= len(head) / 100:  # else binary, with NULs in a pattern
            return decoded
    if sample and len(sample) - len(sample.translate(None, _BINARY_BYTES)) > len(sample) / 100:
        raise UnreadableFile(
            "the file has a text extension but binary content.", reason="binary-file"
        )
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    utf8 = _with_replacement(data, "utf-8", "utf-8")
    # Bytes of valid multi-byte sequences (roughly: each invalid byte became one U+FFFD). Text
    # in a legacy code page has next to none; UTF-8 with some damage has many.
    valid = len(data) - len(data.translate(None, _HIGH_BYTES)) - utf8.replaced
    if valid >= 2 and valid >= _UTF8_VALID_SHARE * utf8.replaced:
        return utf8
    legacy = _legacy(data)
    return legacy if legacy is not None else utf8


def wide_encoding(head: bytes) -> str | None:
    """The UTF-16/32 codec of a file starting with ``head`` (by its BOM or its NUL pattern),
    None for the encodings whose words are separated by ASCII whitespace bytes."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return None if encoding == "utf-8-sig" else encoding
    return _utf16_or_32(head[:_SAMPLE])


def _with_replacement(data: bytes, codec: str, name: str) -> Decoded:
    text = data.decode(codec, errors="replace")
    # A U+FFFD written in a UTF-8 file is not a replacement: count only the new ones.
    written = data.count("\ufffd".encode()) if codec.startswith("utf-8") else 0
    replaced = max(text.count("\ufffd") - written, 0)
    return Decoded(text, _replaced_name(name) if replaced else name, replaced)


REPLACED = "invalid bytes replaced"


def _replaced_name(name: str) -> str:
    return name if REPLACED in name else f"{name} ({REPLACED})"


def has_replacements(encoding: str | None) -> bool:
    """Whether a recorded decoding replaced bytes it could not read."""
    return encoding is not None and REPLACED in encoding


def _utf16_or_32(sample: bytes) -> str | None:
    """UTF-16/32 without a BOM from the NUL pattern of mostly-Latin text: in UTF-16LE every
    other byte (the odd ones) is NUL, in UTF-32LE three of four. None when it is neither."""
    n = len(sample) - len(sample) % 4
    if n < 8:
        return None
    shares = [sample[k:n:4].count(0) / (n // 4) for k in range(4)]
    if min(shares[1:]) > 0.9 and shares[0] < 0.1:
        return "utf-32-le"
    if min(shares[:3]) > 0.9 and shares[3] < 0.1:
        return "utf-32-be"
    even, odd = (shares[0] + shares[2]) / 2, (shares[1] + shares[3]) / 2
    if odd > 0.3 and even < 0.05:
        return "utf-16-le"
    if even > 0.3 and odd < 0.05:
        return "utf-16-be"
    return None


def _legacy(data: bytes) -> Decoded | None:
    """The most plausible legacy code page among charset-normalizer's candidates: fewest
    impossible words, then the text py3langid is surest is a language, then the more common."""
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data, preemptive_behaviour=False))
    if not matches:
        return None
    least = min(m.chaos for m in matches)
    candidates: list[str] = []
    for match in matches:
        web = [n for n in POPULARITY if n in match.could_be_from_charset]
        if match.chaos <= least + _CHAOS_MARGIN and web and web[0] not in candidates:
            candidates.append(web[0])
    if not candidates:  # only encodings no web page uses: trust the detector
        codec = matches[0].encoding
        return Decoded(data.decode(codec, errors="replace"), f"{codec} (detected)")
    sample = data[:_SAMPLE]

    def rank(codec: str) -> tuple[int, float, int]:
        text = sample.decode(codec, errors="replace")
        return (_implausible(text), -_language_confidence(text), POPULARITY.index(codec))

    codec = min(candidates, key=rank)
    return _with_replacement(data, codec, f"{codec} (detected)")


_TAG = re.compile(r"<[^>]*>")


def _language_confidence(text: str) -> float:
    """py3langid's probability of its best language for the words that differ between
    decodings (those with non-ASCII letters): the ASCII rest, the same in every decoding, would
    only blur the comparison."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    global _IDENTIFIER
    if _IDENTIFIER is None:
        _IDENTIFIER = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    words = [w for w in _WORD.findall(_TAG.sub(" ", text)) if not w.isascii()]
    return float(_IDENTIFIER.classify(" ".join(words[:_LANGUAGE_WORDS]))[1])


_IDENTIFIER = None
_LANGUAGE_WORDS = 2000


# Legacy single-byte encodings of the WHATWG Encoding Standard (the ones browsers accept), by
# Python's name, most used on the web first: a tie goes to the more common one, and a text in a
# DOS code page such as cp775 is too rare to win one.
POPULARITY = (
    "cp1252",
    "cp1251",
    "cp1250",
    "cp1256",
    "cp1254",
    "iso8859_2",
    "cp1253",
    "cp1255",
    "cp1257",
    "iso8859_15",
    "koi8_r",
    "iso8859_7",
    "iso8859_5",
    "iso8859_9",
    "cp1258",
    "cp874",
    "koi8_u",
    "cp866",
    "iso8859_13",
    "iso8859_16",
    "iso8859_4",
    "iso8859_10",
    "iso8859_14",
    "iso8859_3",
    "iso8859_6",
    "iso8859_8",
    "mac_roman",
    "mac_cyrillic",
)


_WORD = re.compile(r"\S{2,}")


def _implausible(text: str) -> int:
    """Words that no language writes: a symbol touching a letter ("wspó³pracuj±"), punctuation
    between letters other than apostrophes and hyphens, or letters of two scripts ("naпve")."""
    return sum(_odd_word(word) for word in _WORD.findall(text) if not word.isascii())


def _odd_word(word: str) -> bool:
    scripts = set()
    for k, char in enumerate(word):
        if char.isalpha():
            scripts.add(unicodedata.name(char, "?").split(" ")[0])
            continue
        before = k > 0 and word[k - 1].isalpha()
        after = k < len(word) - 1 and word[k + 1].isalpha()
        kind = unicodedata.category(char)
        if (kind[0] == "S" or kind == "No") and (before or after):
            return True
        if kind[0] == "P" and before and after and char not in _WORD_INNER_PUNCTUATION:
            return True
    return len(scripts) > 1
