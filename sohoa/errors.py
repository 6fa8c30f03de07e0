"""Exit codes and one exception class per failure, each with remediation text."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    ok = 0
    some_files_failed = 1
    bad_args = 2
    missing_dependency = 3
    input_file = 4  # a single-file command (ocr/extract) could not read its input
    database = 5
    interrupted = 130


class SohoaError(Exception):
    """Base: `str(err)` names the file and the cause; `remedy` says what to do."""

    exit_code = ExitCode.input_file
    kind = "error"
    remedy = ""

    def __init__(self, message: str, path: str | None = None, remedy: str | None = None):
        self.path = path
        if remedy is not None:
            self.remedy = remedy
        super().__init__(f"{path}: {message}" if path else message)

    def report(self) -> str:
        return f"{self}" + (f" — {self.remedy}" if self.remedy else "")


class MissingDependencyError(SohoaError):
    exit_code = ExitCode.missing_dependency
    kind = "missing_dependency"


class EmptyFileError(SohoaError):
    kind = "empty_file"
    remedy = "the file has zero bytes; re-scan or re-copy it"


class UnreadableFileError(SohoaError):
    kind = "unreadable"
    remedy = "check the file's permissions and that the disk is readable"


class CorruptFileError(SohoaError):
    kind = "corrupt"
    remedy = "the file is damaged or truncated; re-export or re-scan it"


class EncryptedPdfError(SohoaError):
    kind = "encrypted_pdf"
    remedy = "remove the password (e.g. `qpdf --decrypt in.pdf out.pdf`) and run again"


class SignedPdfError(SohoaError):
    kind = "signed_pdf"
    remedy = ("a searchable PDF would be a rewritten copy whose signature no longer verifies; keep the "
              "signed original, run without --pdf-out, or pass --invalidate-signatures (setting "
              "output.invalidate_signatures) to write the copy anyway")


class UnsupportedFileError(SohoaError):
    kind = "unsupported"
    remedy = "sohoa reads PDF, TIFF, PNG, JPEG and .txt files"


class ImageTooLargeError(SohoaError):
    kind = "image_too_large"
    remedy = "the image exceeds the pixel limit (decompression-bomb guard); raise --max-pixels if it is genuine"


class TooLargeError(SohoaError):
    kind = "too_large"
    remedy = ("the file is over a size limit that bounds a worker's memory and time; split it, or raise "
              "`limits.max_text_mb` / `limits.max_pages` in sohoa.toml if it is genuine")


class OcrEngineError(SohoaError):
    kind = "ocr_engine"
    remedy = "Tesseract failed on this page; check the image, or re-run with --jobs 1 to see the engine's message"


class DatabaseError(SohoaError):
    exit_code = ExitCode.database
    kind = "database"
    remedy = "check that the archive path is writable and not used by another program"


TESSERACT_INSTALL = (
    "Tesseract with Vietnamese data is required: sudo apt-get install tesseract-ocr tesseract-ocr-vie "
    "(macOS: brew install tesseract tesseract-lang)"
)
POPPLER_INSTALL = "poppler is required for PDFs: sudo apt-get install poppler-utils (macOS: brew install poppler)"


class BadArgumentsError(SohoaError):
    """A command line or configuration problem found after argparse (e.g. an input path that does not exist)."""

    exit_code = ExitCode.bad_args
    kind = "bad_arguments"


class InternalError(SohoaError):
    """An unexpected exception: a bug in sohoa, not a problem of the input."""

    exit_code = ExitCode.some_files_failed
    kind = "internal"
    remedy = ("this is a bug in sohoa: please report it at the project's issue tracker with the file "
              "and the output of `sohoa --version`")


class WorkerCrashError(SohoaError):
    kind = "worker_crash"
    remedy = "a worker process died on this file (crash or out of memory); check the file, or run with --jobs 1"
