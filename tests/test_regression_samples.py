"""CI regression on the bundled scans: every field that was right when the baseline was
recorded must still be right. Improve the pipeline, then record the new baseline with
`scripts/update_regression_baseline.py` (it only ever lists what is right now)."""

from __future__ import annotations

import pytest

from tests.regression_samples import (
    BASELINE,
    DEGRADED_BASELINE,
    REAL,
    REAL_BASELINE,
    load_baseline,
    run_degraded,
    run_real,
    run_samples,
)


def _keeps_what_was_right(path, minimum: int, result: tuple[set[str], dict], what: str) -> None:
    baseline = load_baseline(path)
    assert len(baseline) >= minimum, f"{path} lists too little to guard anything"
    right_now, counts = result
    assert counts["files_failed"] == 0, counts
    lost = sorted(baseline - right_now)
    assert not lost, f"{what} that were right and are now wrong:\n" + "\n".join(lost)


@pytest.mark.slow
def test_no_field_that_was_right_becomes_wrong(tmp_path):
    _keeps_what_was_right(BASELINE, 20, run_samples(tmp_path / "archive.sqlite"), "fields")


@pytest.mark.slow
def test_damaged_scans_keep_what_they_got_right(tmp_path):
    """The image samples 1-bit at 100 dpi, as a grey photocopy and under red stamps (ocr.degrade):
    what was right when the baseline was recorded stays right."""
    _keeps_what_was_right(DEGRADED_BASELINE, 40, run_degraded(tmp_path), "fields of damaged scans")


@pytest.mark.slow
@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/dev/real is not beside the checkout")
def test_real_scans_keep_what_they_got_right(tmp_path):
    """Real scanned decree pages (arrival stamps, a seal over the signature, handwritten fill-ins):
    every field, reference and recipient right when the baseline was recorded stays right."""
    _keeps_what_was_right(REAL_BASELINE, 20, run_real(tmp_path), "fields of real scans")
