"""Decoding text-like files (issue 11, item 13), each case as the issue found it."""

from __future__ import annotations

import random

import numpy as np
import pytest

import accord
from accord.errors import UnreadableFile
from accord.ingestion.readers.decoding import decode
from accord.ingestion.readers.html import read_html
from fixtures.texts import EDUCATION, HEALTH


def page(body: str, charset: str = "utf-8") -> str:
    return (
        f'<!doctype html><html><head><meta charset="{charset}"><title>Note</title></head>'
        f"<body><main><h1>Policy note</h1><p>{body}</p><p>{HEALTH}</p></main></body></html>"
    )


@pytest.mark.parametrize("charset", ["utf-8", "windows-1257", "koi8-r"])
def test_a_latin1_page_with_a_wrong_charset_is_read_right(charset):
    """Was stored as "Cafķ na’ve rķsumķ" (charset-normalizer's first choice, cp775)."""
    extracted = read_html(page("Café naïve résumé", charset).encode("latin-1"))
    assert "Café naïve résumé" in extracted.pages[0]
    assert extracted.encoding == "cp1252 (detected)"


def test_damaged_utf8_html_stays_utf8_not_a_cyrillic_code_page():
    text = "Les États membres coopèrent à la sécurité des systèmes d’intelligence artificielle."
    data = page(text).encode()
    data = data.replace("coopèrent".encode(), b"coop\xe8rent")  # one Latin-1 byte among UTF-8
    decoded = decode(data)
    assert decoded.encoding == "utf-8 (invalid bytes replaced)" and decoded.replaced == 1
    assert "Les États membres coop\ufffdrent à la sécurité" in decoded.text


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le"])
def test_utf16_and_32_without_a_bom_are_text_not_binary(codec):
    """UTF-16 without a byte-order mark was skipped as binary-file."""
    text = f"{HEALTH}\n\n{EDUCATION} – naïve résumé"
    decoded = decode(text.encode(codec))
    assert (decoded.text, decoded.encoding) == (text, f"{codec} (no BOM)")


def test_binary_with_a_nul_pattern_is_still_binary():
    numbers = np.arange(2000, dtype="<u2") % 200  # 16-bit integers: every other byte NUL
    with pytest.raises(UnreadableFile) as info:
        decode(numbers.tobytes())
    assert info.value.reason == "binary-file"


@pytest.mark.parametrize("seed", range(12))
def test_22_random_bytes_in_an_867_byte_page_still_decode(seed):
    """Such a page was skipped: "the text encoding could not be detected"."""
    rng = random.Random(seed)
    original = page(f"Café naïve résumé. {EDUCATION} {EDUCATION}").encode()[:867]
    data = bytearray(original)
    for _ in range(22):
        data[rng.randrange(len(data))] = rng.randrange(256)
    decoded = decode(bytes(data))
    words = original.decode("utf-8", "ignore").split()
    assert len(original) == 867 and sum(w in decoded.text for w in words) > 0.8 * len(words)
    assert decoded.encoding == "utf-8 (invalid bytes replaced)"


def test_legacy_code_pages_of_other_scripts_are_detected():
    russian = "Государства-члены сотрудничают в области безопасности систем."
    polish = "Państwa członkowskie współpracują w zakresie bezpieczeństwa systemów."
    for text, codec in ((russian, "cp1251"), (russian, "koi8_r"), (polish, "cp1250")):
        decoded = decode(text.encode(codec))
        assert (decoded.text, decoded.encoding) == (text, f"{codec} (detected)")


def test_the_decoding_is_recorded_and_shown(store, tmp_path):
    (tmp_path / "latin.txt").write_bytes(f"Café naïve résumé. {HEALTH}".encode("latin-1"))
    (tmp_path / "damaged.txt").write_bytes(f"Über {EDUCATION}".encode() + b" \xff end.")
    (tmp_path / "wide.txt").write_bytes(f"{HEALTH} résumé".encode("utf-16-le"))
    accord.ingest(store, tmp_path)
    rows = store.db.execute("SELECT source, encoding, flags FROM documents ORDER BY source")
    found = {r[0].rsplit("/", 1)[-1]: (r[1], "invalid-bytes-replaced" in r[2]) for r in rows}
    assert found == {
        "damaged.txt": ("utf-8 (invalid bytes replaced)", True),
        "latin.txt": ("cp1252 (detected)", False),
        "wide.txt": ("utf-16-le (no BOM)", False),
    }
    shown = {row["value"] for row in accord.info(store)["decodings"]}
    assert shown == {"utf-8 (invalid bytes replaced)", "cp1252 (detected)", "utf-16-le (no BOM)"}
