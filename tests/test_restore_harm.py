"""Harm / benefit of restoration against a ground truth (normalize.harm): OCR tokens aligned to the
truth, each changed token counted as fixed, broken, still wrong or unaligned."""

from __future__ import annotations

import pytest

from sohoa.normalize.harm import HarmReport, align, harm_benefit, norm_token


def test_fixed_and_broken_are_told_apart():
    raw = ["Đọc lạp - Tư do - Hạnh phúc", "Ông Nishi và bà Lan"]
    restored = ["Độc lập - Tự do - Hạnh phúc", "Ống Nishi và bà Lan"]
    truth = "Độc lập - Tự do - Hạnh phúc\nÔng Nishi và bà Lan"
    r = harm_benefit(raw, restored, truth)
    assert (r.fixed, r.broken, r.still_wrong, r.missed, r.changed_unaligned) == (3, 1, 0, 0, 0)
    assert r.tokens == r.aligned == 11  # the dashes are not words
    assert r.broken_examples == {("ông", "ống", "ông"): 1}
    assert r.broken_per_fixed == pytest.approx(1 / 3)


def test_letters_misread_still_align_and_other_wrong_and_missed_are_counted():
    # `lự` (for `tự`) and `linh phUC` (for `Hạnh phúc`): a stretch the skeletons do not match
    raw = ["lự do - linh phUC quyên"]
    restored = ["tự do - lĩnh phúc quyên"]
    truth = "Tự do - Hạnh phúc quyền"
    r = harm_benefit(raw, restored, truth)
    assert r.fixed == 2  # lự → tự, phUC → phúc
    assert r.still_wrong == 1  # linh → lĩnh, still not hạnh
    assert r.missed == 1  # quyên left as it was
    assert r.broken == 0


def test_tokens_without_a_truth_partner_are_counted_apart():
    raw = ["ÄIPIPIE@W ga !", "Căn cứ Luật"]
    restored = ["ÄIPIPIE@W gà !", "Căn cứ Luật"]
    r = harm_benefit(raw, restored, "Căn cứ Luật")
    assert r.changed_unaligned == 1 and r.fixed == r.broken == 0
    assert r.tokens == 5 and r.aligned == 3


def test_a_restored_line_with_another_token_count_is_aligned_by_letters():
    r = harm_benefit(["quyet  dinh so 12"], ["quyết định số 12 thêm"], "quyết định số 12")
    assert r.fixed == 3 and r.broken == 0


def test_reports_add_up_and_mismatched_inputs_are_refused():
    total = HarmReport()
    total.add(harm_benefit(["Tư do"], ["Tự do"], "Tự do"))
    total.add(harm_benefit(["Ông ba"], ["Ống ba"], "Ông ba"))
    assert (total.fixed, total.broken, total.tokens) == (1, 1, 4)
    assert HarmReport().broken_per_fixed == 0.0
    with pytest.raises(ValueError, match="2 OCR lines but 1 restored"):
        harm_benefit(["a", "b"], ["a"], "a b")


def test_norm_and_align():
    assert norm_token("“Hoà,") == "hòa"
    assert align(["a", "xyz", "b"], ["a", "b"]) == [(0, 0), (2, 1)]
