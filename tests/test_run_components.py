"""The stage registry, plus small stages the batch tests plug in by `module:function` name
(worker processes import them by that name, like a user's own component)."""

from __future__ import annotations

import os
import re
import time

import pytest

from sohoa.document import Document
from sohoa.pipeline.components import DocState, process_document, register, registered, resolve
from sohoa.pipeline.config import ConfigError, Settings, load_settings
from sohoa.record import Record

# -- stages used by the batch tests --------------------------------------------------------------

_CODE = re.compile(r"Số:? (\d+)-([A-ZĐ]+/[A-ZĐa-z]+)")


def code_records(state: DocState, settings: Settings) -> None:
    """A stand-in extractor for archive tests: one record per `NN-XX/YY` code found in the text,
    so the archive's tables can be checked without depending on the real extractor's accuracy."""
    text = state.doc.text(restored=True)
    records = []
    for m in _CODE.finditer(text):
        records.append(Record.from_dict({
            "doc_type": "Kế hoạch", "number": m.group(1), "symbol": m.group(2), "code": f"{m.group(1)}-{m.group(2)}",
            "issuer": "Ban Tuyên giáo Tỉnh ủy", "place": "Kiên Giang", "date": "2021-06-08",
            "subject": text.split("\n")[0][:80],
            "recipients": ["Các sở, ban, ngành tỉnh", "Lưu VT"],
            "signers": [{"authority": "T/M Ban Thường vụ", "position": "Phó Bí thư", "name": "Nguyễn Văn A"}],
            "references": [{"doc_type": "Chỉ thị", "code": "07-CT/TU", "date": "2021-06-04", "issuer": None}],
            "tasks": [{"assignee": "Sở Y tế", "role": "chủ trì", "partners": ["Công an tỉnh"],
                       "action": "triển khai", "deadline": "2021-08"}],
            "deadlines": [{"text": "trong tháng 8-2021", "date": "2021-08"}],
            "source": {"file": state.doc.path, "pages": [1, len(state.doc.pages)], "fields": {}},
        }))
    state.records = records


def record_pid(state: DocState, settings: Settings) -> None:
    state.reports["pid"] = os.getpid()


def slow(state: DocState, settings: Settings) -> None:
    time.sleep(0.15)


def sleep_on_marker(state: DocState, settings: Settings) -> None:
    if "SLEEP" in state.doc.text(restored=False):
        time.sleep(60)


def crash_on_marker(state: DocState, settings: Settings) -> None:
    """Kill the worker process outright (like a segfault in a native library) on CRASH files."""
    if "CRASH" in state.doc.text(restored=False):
        os._exit(3)


def raise_on_marker(state: DocState, settings: Settings) -> None:
    if "BOOM" in state.doc.text(restored=False):
        raise ValueError("boom marker found")


HERE = __name__


def stages(*names: str) -> list[str]:
    return [n if n in registered() else f"{HERE}:{n}" for n in names]


# -- tests ----------------------------------------------------------------------------------------

def test_builtin_stages_are_registered():
    assert {"ocr", "restore", "extract"} <= set(registered())


def test_register_adds_a_named_stage_run_in_config_order():
    calls: list[str] = []

    @register("test_first")
    def first(state, settings):
        calls.append("first")

    @register("test_second")
    def second(state, settings):
        calls.append("second")

    settings = load_settings(overrides={"stages": ["test_second", "test_first"]})
    process_document(Document.from_text("x.txt", "a"), settings)
    assert calls == ["second", "first"]


def test_stage_by_import_path_and_timings():
    settings = load_settings(overrides={"stages": stages("ocr", "code_records")})
    state = process_document(Document.from_text("x.txt", "Số 46-KH/BTGTU\nnội dung"), settings)
    assert [r.code for r in state.records] == ["46-KH/BTGTU"]
    assert set(state.timings) == {"ocr", f"{HERE}:code_records"}


def test_unknown_stage_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown stage"):
        load_settings(overrides={"stages": ["ocr", "no_such_stage"]})
    with pytest.raises(KeyError):
        resolve("no.such.module:fn")


def test_restore_can_be_switched_off():
    settings = load_settings(overrides={"restore.enabled": False, "stages": ["restore"]})
    state = process_document(Document.from_text("x.txt", "Chi thi so 07"), settings)
    assert all(ln.restored is None for ln in state.doc.pages[0].lines)
    assert "restore" not in state.reports
