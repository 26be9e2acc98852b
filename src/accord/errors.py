"""Errors Accord raises, each with a stable ``reason`` code.

The tree::

    AccordError
    ├── ConfigError            bad settings file or option value
    ├── CodebookError          codebook YAML that does not validate
    ├── ManifestError          manifest that cannot be read at all
    ├── StoreError             store missing, locked or of an unknown schema
    │   ├── StoreNotFound
    │   └── SchemaTooNew
    ├── IngestError            one input file could not be ingested (recorded, run goes on)
    │   ├── UnsupportedFormat
    │   ├── EncryptedPdf
    │   ├── NoExtractableText
    │   └── UnreadableFile
    ├── CollectError           a manifest URL could not be downloaded
    ├── ValidationDataError    gold labels that cannot be read or matched
    ├── AnalysisError          too little coded data to analyse
    ├── ExecutionError         a scheduler that cannot be reached, or work that failed on it
    └── ReportError

Batch stages catch ``IngestError`` per item and record it as a skipped file; everything else
reaches the command line, which prints ``message`` and ``hint`` without a traceback.
"""

from __future__ import annotations


class AccordError(Exception):
    """Base of every error Accord raises on purpose."""

    reason = "error"

    def __init__(self, message: str, *, hint: str | None = None, reason: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        if reason is not None:
            self.reason = reason

    def __reduce__(self):  # keep hint and reason when crossing a process boundary
        return (self.__class__, (self.message,), {"hint": self.hint, "reason": self.reason})


class ConfigError(AccordError):
    reason = "bad-config"


class CodebookError(AccordError):
    reason = "bad-codebook"


class ManifestError(AccordError):
    reason = "bad-manifest"


class StoreError(AccordError):
    reason = "store-error"


class StoreNotFound(StoreError):
    reason = "store-not-found"


class SchemaTooNew(StoreError):
    reason = "schema-too-new"


class IngestError(AccordError):
    reason = "ingest-failed"


class UnsupportedFormat(IngestError):
    reason = "unsupported-format"


class EncryptedPdf(IngestError):
    reason = "pdf-encrypted"


class NoExtractableText(IngestError):
    reason = "no-text"


class UnreadableFile(IngestError):
    reason = "unreadable"


class CollectError(AccordError):
    reason = "download-failed"


class ValidationDataError(AccordError):
    reason = "bad-gold"


class TrainingDataError(AccordError):
    reason = "too-few-labels"


class AnalysisError(AccordError):
    reason = "analysis-failed"


class ExecutionError(AccordError):
    reason = "execution-failed"


class ReportError(AccordError):
    reason = "report-failed"
