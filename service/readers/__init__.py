"""Readers: bytes in → decoded text → typed records (transcript turns, contacts), with line-numbered errors.

- `encoding`: BOMs, UTF-8, GB18030/GBK, charset-normalizer as a last resort.
- `transcript`: plain text with speaker prefixes, SRT, WebVTT, JSON; format detection; `Turn`.
- `contacts`: CONTRACT §3 JSON and CSV call logs → `rules.contacts.Contact`.
"""

from service.readers.contacts import ContactLog, ContactLogError, read_contacts
from service.readers.encoding import Decoded, DecodeError, decode_bytes
from service.readers.transcript import Transcript, TranscriptError, Turn, detect_format, read_transcript

__all__ = [
    "ContactLog", "ContactLogError", "DecodeError", "Decoded", "Transcript", "TranscriptError", "Turn",
    "decode_bytes", "detect_format", "read_contacts", "read_transcript",
]
