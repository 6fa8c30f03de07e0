"""Unsupervised adaptation to one input's own OCR confusions (normalize.adapt, Restorer._decode_adapted)."""

from __future__ import annotations

import pytest

from sohoa.normalize import adapt
from sohoa.normalize.channel import Channel, ChannelParams
from sohoa.normalize.restorer import Restorer, get_restorer
from sohoa.resources import check

# the style of a scan read without Vietnamese: marks lost, letters and digits for marked vowels
GARBLED = [
    "Ban Tuyen gido tinh fly ban hanh K6 hoach s6 12-KH/BTGTU tuyen truyen nhu sau:",
    "phat huy vai trO, trach nhiem cua cac cap fly, to chirc clang, co quan, don vi",
    "Ban Thuong vu Tinh fly ye thirc hien c6ng tac tuyen truyen, tao su th6ng nhAt",
    "cac cap fly clang can tap trung lanh dao, chi dao thuc hien nhi6m vu",
]


@pytest.fixture(scope="module")
def trained() -> ChannelParams:
    return ChannelParams.load(str(check("models") / "restore_channel.json"))


def test_too_little_evidence_learns_nothing(trained: ChannelParams) -> None:
    assert adapt.adapted_params(trained, [("ủy", "fly")] * (adapt.ADAPT_MIN_PAIRS - 1)) is None


def test_a_recurring_confusion_becomes_cheaper_and_none_dearer(trained: ChannelParams) -> None:
    pairs = [("ủy", "fly")] * 6 + [("của", "cua"), ("đảng", "clang"), ("chức", "chirc")] * 15
    params = adapt.adapted_params(trained, pairs)
    assert params is not None
    before, after = Channel(trained), Channel(params)
    assert after.cost("ủy", "fly") < before.cost("ủy", "fly")
    for c, outs in trained.learned.items():  # the evidence only ever makes a confusion cheaper
        for o, p in outs.items():
            assert params.learned[c][o] >= p
    # by at most ADAPT_MAX_GAIN nats over the trained channel
    for c, outs in params.learned.items():
        for o in outs:
            assert after._seg_cost(c, o) >= before._seg_cost(c, o) - adapt.ADAPT_MAX_GAIN - 1e-9


def _count_second_passes(monkeypatch: pytest.MonkeyPatch, r: Restorer) -> list[int]:
    calls: list[int] = []
    original = Restorer._decode_adapted

    def counting(self, lines, channel, first):
        calls.append(len(lines))
        return original(self, lines, channel, first)

    monkeypatch.setattr(Restorer, "_decode_adapted", counting)
    return calls


def test_a_garbled_text_with_enough_evidence_is_decoded_again_and_keeps_what_was_right(
        monkeypatch: pytest.MonkeyPatch) -> None:
    r = get_restorer()
    calls = _count_second_passes(monkeypatch, r)
    out = r.restore_lines(GARBLED * 10)
    assert calls == [40]
    assert out[:4] == out[4:8]
    assert "tỉnh ủy ban hành Kế hoạch" in out[0] and "tổ chức đảng" in out[1] and "Tỉnh ủy" in out[2]
    # the trained channel and its memos are back afterwards
    assert r.channel.p is get_restorer().channel.p and not r._carry


@pytest.mark.parametrize("lines", [
    ["Ủy ban nhân dân tỉnh đề nghị các sở, ban, ngành thực hiện nghiêm túc kế hoạch này."] * 50,
    ["Uy ban nhan dan tinh de nghi cac so, ban, nganh thuc hien nghiem tuc ke hoach nay."] * 50,
])
def test_clean_and_plain_accentless_text_is_decoded_once(monkeypatch: pytest.MonkeyPatch, lines: list[str]) -> None:
    r = get_restorer()
    calls = _count_second_passes(monkeypatch, r)
    r.restore_lines(lines)
    assert calls == []


def test_letters_that_spell_no_syllable_are_searched_by_one_edit() -> None:
    # `Lugt`: no confusion the channel knows leads from it to `luật`; letters that spell no syllable
    # at all get the one-edit neighbourhood in a line being restored, not only when nothing is close
    gen = get_restorer().gen
    lex = get_restorer().lm.vocab
    for mode in ("accentless", "garbled"):
        ids, _ = gen.generate("lugt", mode)
        assert "luật" in [lex[i] for i in ids]
    # a syllable-shaped word keeps the narrower search (its candidates are the channel's)
    ids, _ = gen.generate("luat", "accentless")
    assert "luật" in [lex[i] for i in ids]
