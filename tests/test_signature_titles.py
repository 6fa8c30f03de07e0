"""Signature titles lost under a seal: the area above a name-only signature block is re-read and
lines that closely match an authority or position are put back (ocr/sigblock.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sohoa.document import Block, Line, Word
from sohoa.extract.records import issuer_from_authority
from sohoa.ocr.sigblock import RECOVERED_CONF, recover_titles, snap

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "dev" / "real"


@pytest.mark.parametrize(("reading", "printed"), [
    ("ZZ-TIMCHÍNH PHÙ", "TM. CHÍNH PHỦ"),  # seal ring letters glued before the title
    ("TWCHÍNH PHÙ", "TM. CHÍNH PHỦ"),
    ("tHUYƯƠNG", "THỦ TƯỚNG"),
    ("T/M BAN THƯỜNG VỤ", "TM. BAN THƯỜNG VỤ"),
    ("KT. CHU TICH", "KT. CHỦ TỊCH"),
    ("PHO GIAM ĐOC", "PHÓ GIÁM ĐỐC"),
])
def test_garbled_title_lines_snap_to_their_printed_form(reading, printed):
    assert snap(reading)[0] == printed


@pytest.mark.parametrize("reading", ["S572 Ty vớn", "ấy =sốm VÀNn", "Nguyễn Xuân Phúc", "Công báo", "HN x", ""])
def test_seal_garbage_and_names_are_not_titles(reading):
    assert snap(reading) is None


def test_a_position_under_an_authority_prefers_its_head():
    assert snap("2 THỤ RƯỚNG")[0] == "THỦ TRƯỞNG"  # alone, the closer spelling
    assert snap("2 THỤ RƯỚNG", after="Chính phủ")[0] == "THỦ TƯỚNG"  # under TM. CHÍNH PHỦ


def _words(text: str, x0: int, y0: int, conf: float = 95.0) -> Line:
    words, x = [], x0
    for w in text.split():
        words.append(Word(w, (x, y0, x + 20 * len(w), y0 + 30), conf))
        x += 20 * len(w) + 15
    return Line(words=words, box=(x0, y0, x - 15, y0 + 30))


def _page() -> list[Block]:
    recipients = Block([_words("Nơi nhận:", 100, 900), _words("- Lưu: VT", 100, 940)], (100, 900, 700, 970), "recipients")
    body = Block([_words("Điều 3. Trách nhiệm thi hành", 100, 700)], (100, 700, 1500, 730), "body")
    name = Block([_words("Nguyễn Văn An", 1000, 1300)], (1000, 1300, 1330, 1330), "signature")
    return [body, recipients, name]


def test_titles_are_put_back_above_the_name_with_low_confidence():
    blocks = _page()
    seen: list[tuple[int, int]] = []

    def read(crop: np.ndarray) -> list[Line]:
        seen.append(crop.shape[:2])
        return [_words("Z2 TMsUY BAN NHAN DAN", 10, 40), _words("%% CHU TỊCH", 60, 90), _words("NÀ xé?", 0, 200)]

    image = np.full((2000, 1600), 255, np.uint8)
    assert recover_titles(blocks, image, read) == 2
    sig = blocks[2]
    assert [ln.text for ln in sig.lines] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Văn An"]
    assert all(w.conf == RECOVERED_CONF for ln in sig.lines[:2] for w in ln.words)
    assert sig.box[1] < 1300 and sig.lines[0].box[1] > 730  # below the body, above the name
    assert seen and all(h < 600 for h, _ in seen)  # the area, not the page


def test_a_block_that_has_its_titles_is_left_alone():
    blocks = _page()
    blocks[2].lines.insert(0, _words("CHỦ TỊCH", 1050, 1000))

    def read(crop: np.ndarray) -> list[Line]:
        raise AssertionError("no re-read expected")

    assert recover_titles(blocks, np.full((2000, 1600), 255, np.uint8), read) == 0


def test_issuer_of_a_last_page_from_the_authority():
    assert issuer_from_authority("TM. Chính phủ") == "Chính phủ"
    assert issuer_from_authority("TM. Ủy ban nhân dân tỉnh Kiên Giang") == "Ủy ban nhân dân tỉnh Kiên Giang"
    assert issuer_from_authority("T/M Ban Thường vụ") is None  # whose Ban Thường vụ?
    assert issuer_from_authority("KT. Chủ tịch") is None


@pytest.mark.slow
@pytest.mark.skipif(not (REAL / "nd28_2021_p8.jpg").exists(), reason="../shared/dev/real is not beside the checkout")
def test_real_last_page_under_a_seal_gets_its_signer_and_issuer():
    out = subprocess.run([sys.executable, "-m", "sohoa.pipeline.cli", "extract", str(REAL / "nd28_2021_p8.jpg"),
                          "--format", "json"], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    rec = json.loads(out)
    rec = rec[0] if isinstance(rec, list) else rec
    assert rec["issuer"] == "Chính phủ"
    assert rec["signers"][0]["authority"] == "TM. Chính phủ" and rec["signers"][0]["position"] == "Thủ tướng"
