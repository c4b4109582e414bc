"""Call transcripts → turns: plain text with speaker prefixes, SRT, WebVTT and JSON, with format detection.

Every parser returns `Turn`s in reading order (index from 0) with the speaker label as written, the
start/end time in seconds where the file gives one, and the 1-based source line. Errors are
`TranscriptError`s that name the line to fix.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from dataclasses import dataclass, field

from service.readers.encoding import DecodeError, decode_bytes
from service.readers.errors import LineError
from service.readers.jsonpos import array_item_lines
from service.roles import UNKNOWN, is_known_speaker_label

FORMATS: tuple[str, ...] = ("txt", "srt", "vtt", "json")
UNKNOWN_SPEAKER = "unknown"
MAX_LABEL_CHARS = 16
# A label seen this many times at the start of a line is a speaker even when no lexicon word names it.
MIN_REPEATS_FOR_NAMED_SPEAKER = 2
JSON_LIST_KEYS: tuple[str, ...] = ("turns", "segments", "utterances", "transcript", "dialogue", "messages")
JSON_SPEAKER_KEYS: tuple[str, ...] = ("speaker", "spk", "speaker_id", "speaker_name", "role", "name", "说话人", "角色")
JSON_TEXT_KEYS: tuple[str, ...] = ("text", "content", "utterance", "sentence", "transcript", "内容", "文本")
JSON_START_KEYS: tuple[str, ...] = ("start", "start_time", "begin", "开始", "开始时间")
JSON_END_KEYS: tuple[str, ...] = ("end", "end_time", "stop", "结束", "结束时间")

_CLOCK = re.compile(r"^(?:(\d{1,3}):)?(\d{1,4}):(\d{1,2})(?:[.,](\d{1,3}))?$")
_STAMP = r"\d{1,3}(?::\d{1,2}){1,2}(?:[.,]\d{1,3})?"
_LOOSE_STAMP = re.compile(r"^\s*[\[【(（]\s*(\d{1,3}[:：][^\]】)）\s]{0,12})\s*[\]】)）]\s*")
_BARE_STAMP = re.compile(rf"^\s*({_STAMP})\s+")
_LABEL_CHARS = r"[^:：\[\]【】<>()（）,，。.!！?？\"“”'‘’\n]"
_LABEL = rf"[^\s:：\[\]【】<>()（）,，。.!！?？\"“”'‘’\d]{_LABEL_CHARS}{{0,{MAX_LABEL_CHARS - 1}}}?"
_BRACKET_SPEAKER = re.compile(rf"^[\[【]\s*(?P<label>{_LABEL})\s*[\]】]\s*[:：]?\s*")
_COLON_SPEAKER = re.compile(rf"^[-–—>\s]*(?P<label>{_LABEL})\s*"
                            rf"(?:[\[【(（]\s*(?P<stamp>{_STAMP})\s*[\]】)）])?\s*[:：]\s*")
_VOICE = re.compile(r"<v(?:\.[^\s>]+)*\s+([^>]+)>")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>|<\d[\d:.]*>")
_TIMING = re.compile(r"^\s*(\S+)\s*-->\s*(\S+)")
_HEADER_KEY = re.compile(r"(?:时间|日期|时长|编号|号码|工号|姓名|名称|电话|手机|地址|金额|备注|标题|来源"
                         r"|文件|录音|案件|案号|机构|主题|记录|date|time|duration|title|file|id)$", re.IGNORECASE)
_DATE = re.compile(r"(20\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")


class TranscriptError(LineError):
    """A transcript that cannot be read."""


@dataclass
class Turn:
    """One speaker turn: who, when (seconds from the start of the call) and what was said."""

    index: int
    speaker: str
    text: str
    start: float | None = None
    end: float | None = None
    line: int | None = None
    role: str = UNKNOWN


@dataclass
class Transcript:
    """A parsed transcript: its format, the encoding it was read with, turns, and any header lines."""

    format: str
    encoding: str
    turns: list[Turn]
    headers: list[str] = field(default_factory=list)

    @property
    def speakers(self) -> list[str]:
        """Speaker labels in order of first appearance."""
        return list(dict.fromkeys(t.speaker for t in self.turns))


def parse_clock(value: str) -> float:
    """``mm:ss``, ``hh:mm:ss`` with optional ``,mmm``/``.mmm`` → seconds; raises ValueError otherwise."""
    m = _CLOCK.match(value.strip().replace("：", ":"))
    if m is None:
        raise ValueError(f"not a time stamp: {value!r}")
    hours, minutes, seconds, frac = m.groups()
    if int(seconds) >= 60 or (hours is not None and int(minutes) >= 60):
        raise ValueError(f"not a time stamp: {value!r}")
    total = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    return total + (int(frac) / 10 ** len(frac) if frac else 0.0)


def _join(left: str, right: str) -> str:
    if not left:
        return right
    if not right:
        return left
    sep = " " if left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum() else ""
    return left + sep + right


def _clean_label(label: str) -> str:
    return " ".join(label.split())


def _is_header_key(label: str) -> bool:
    return bool(_HEADER_KEY.search(label.replace(" ", "")))


def _accept_label(label: str, counts: Counter[str]) -> bool:
    if _is_header_key(label):
        return False
    return is_known_speaker_label(label) or counts[label] >= MIN_REPEATS_FOR_NAMED_SPEAKER


def call_date(headers: list[str]) -> str | None:
    """The first date (YYYY-MM-DD) written in the header lines, if any."""
    for line in headers:
        m = _DATE.search(line)
        if m:
            year, month, day = (int(x) for x in m.groups())
            if 1 <= month <= 12 and 1 <= day <= 31:
                return f"{year:04d}-{month:02d}-{day:02d}"
    return None


# ---------------------------------------------------------------- plain text


@dataclass
class _TxtPrefix:
    label: str
    text: str
    start: float | None


def _txt_prefix(line: str, line_no: int) -> _TxtPrefix | None:
    """Split ``[stamp] speaker：text`` (stamp optional, before or after the speaker); None without a speaker."""
    rest, start = line, None
    loose = _LOOSE_STAMP.match(rest)
    if loose:
        try:
            start = parse_clock(loose.group(1))
        except ValueError:
            raise TranscriptError(f"unparseable time stamp {loose.group(0).strip()!r}; "
                                  "expected [mm:ss] or [hh:mm:ss]", line_no) from None
        rest = rest[loose.end():]
    else:
        bare = _BARE_STAMP.match(rest)
        if bare:
            start = parse_clock(bare.group(1)) if _CLOCK.match(bare.group(1)) else None
            if start is not None:
                rest = rest[bare.end():]
    m = _BRACKET_SPEAKER.match(rest) or _COLON_SPEAKER.match(rest)
    if m is None:
        return None
    stamp = m.groupdict().get("stamp")
    if stamp and start is None:
        try:
            start = parse_clock(stamp)
        except ValueError:
            raise TranscriptError(f"unparseable time stamp {stamp!r}", line_no) from None
    return _TxtPrefix(_clean_label(m.group("label")), rest[m.end():].strip(), start)


def parse_txt(text: str) -> tuple[list[Turn], list[str]]:
    """Plain text: a line with a speaker prefix starts a turn; other lines continue it (or, before the first
    turn, are headers). Returns (turns, header lines)."""
    lines = text.splitlines()
    prefixes: list[_TxtPrefix | None] = []
    for no, line in enumerate(lines, start=1):
        try:
            prefixes.append(_txt_prefix(line, no) if line.strip() else None)
        except TranscriptError:
            prefixes.append(None)
    counts = Counter(p.label for p in prefixes if p is not None)
    turns: list[Turn] = []
    headers: list[str] = []
    for no, (line, prefix) in enumerate(zip(lines, prefixes, strict=True), start=1):
        if not line.strip():
            continue
        if prefix is None and _LOOSE_STAMP.match(line):
            _txt_prefix(line, no)  # re-raise a bad stamp on a line that looked like a turn
        if prefix is not None and _accept_label(prefix.label, counts):
            turns.append(Turn(len(turns), prefix.label, prefix.text, prefix.start, None, no))
        elif turns:
            stamp = _LOOSE_STAMP.match(line)
            turns[-1].text = _join(turns[-1].text, (line[stamp.end():] if stamp else line).strip())
        else:
            headers.append(line.strip())
    if not turns:
        raise TranscriptError("no speaker found: no line starts with a speaker prefix such as '坐席：', '客户:' "
                              "or 'A:' (use --format to choose another format)")
    return turns, headers


# ---------------------------------------------------------------- SRT / WebVTT


@dataclass
class _Cue:
    line: int
    start: float
    end: float
    lines: list[tuple[int, str]]


def _blocks(text: str) -> list[list[tuple[int, str]]]:
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for no, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            current.append((no, line.rstrip()))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _cue_timing(no: int, line: str) -> tuple[float, float]:
    m = _TIMING.match(line)
    try:
        if m is None:
            raise ValueError(line)
        start, end = parse_clock(m.group(1)), parse_clock(m.group(2))
    except ValueError:
        raise TranscriptError(f"unparseable cue timing {line.strip()!r}; expected "
                              "'00:00:01,000 --> 00:00:03,500'", no) from None
    if end < start:
        raise TranscriptError(f"cue ends before it starts: {line.strip()!r}", no)
    return start, end


def _cues(text: str) -> tuple[list[_Cue], list[str]]:
    cues: list[_Cue] = []
    headers: list[str] = []
    for block in _blocks(text):
        first = block[0][1].strip()
        if first.startswith("WEBVTT") or first.split(" ")[0] in ("NOTE", "STYLE", "REGION"):
            headers.extend(line for _, line in block)
            continue
        pos = next((i for i, (_, line) in enumerate(block[:2]) if "-->" in line), None)
        if pos is None:
            if cues:
                cues[-1].lines.extend(block)  # a stray blank line inside a cue's text
            else:
                headers.extend(line for _, line in block)
            continue
        no, line = block[pos]
        start, end = _cue_timing(no, line)
        cues.append(_Cue(no, start, end, block[pos + 1:]))
    return cues, headers


def _cue_speaker(line: str) -> tuple[str | None, str, bool]:
    """(label, rest of the line, certain) for the speaker forms a cue line may start with."""
    voice = _VOICE.search(line)
    if voice and not _TAG.sub("", line[:voice.start()]).strip():
        rest = _TAG.sub("", line[voice.end():])
        return _clean_label(voice.group(1)), html.unescape(rest).strip(), True
    plain = html.unescape(_TAG.sub("", line)).strip()
    m = _BRACKET_SPEAKER.match(plain) or _COLON_SPEAKER.match(plain)
    if m is None:
        return None, plain, False
    return _clean_label(m.group("label")), plain[m.end():].strip(), False


def parse_cues(text: str) -> tuple[list[Turn], list[str]]:
    """SRT or WebVTT: each cue is a turn; the speaker starts the cue text (``坐席 王某：``, ``[坐席 王某]``,
    ``<v 坐席>``). A cue without a speaker continues the previous turn; a later cue line that starts with
    a known speaker opens a new turn with the same timing. Returns (turns, header lines)."""
    cues, headers = _cues(text)
    if not cues:
        raise TranscriptError("no cues found: expected timing lines such as '00:00:01,000 --> 00:00:03,500'")
    parsed = [[(no, *_cue_speaker(line)) for no, line in cue.lines] for cue in cues]
    counts = Counter(label for lines in parsed for _, label, _, _ in lines[:1] if label)
    turns: list[Turn] = []
    for cue, lines in zip(cues, parsed, strict=True):
        for k, (no, label, rest, certain) in enumerate(lines):
            if label is not None and (certain or _accept_label(label, counts)):
                turns.append(Turn(len(turns), label, rest, cue.start, cue.end, no))
                continue
            raw = html.unescape(_TAG.sub("", cue.lines[k][1])).strip()
            if not turns:
                turns.append(Turn(0, UNKNOWN_SPEAKER, raw, cue.start, cue.end, no))
            else:
                turns[-1].text = _join(turns[-1].text, raw)
                turns[-1].end = max(turns[-1].end or cue.end, cue.end)
    if all(t.speaker == UNKNOWN_SPEAKER for t in turns):
        raise TranscriptError("no speaker found: no cue text starts with a speaker such as '坐席：', "
                              "'[坐席 王某]' or '<v 坐席>'", cues[0].line)
    return turns, headers


# ---------------------------------------------------------------- JSON


def _first(item: dict, keys: tuple[str, ...]) -> tuple[str | None, object]:
    for key in keys:
        if key in item:
            return key, item[key]
    return None, None


def _seconds(value: object, what: str, line: int | None, item: int) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise TranscriptError(f"item {item}: '{what}' must be seconds or 'hh:mm:ss', got {value!r}", line)
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        text = str(value).strip()
        try:
            seconds = float(text)
        except ValueError:
            try:
                seconds = parse_clock(text)
            except ValueError:
                raise TranscriptError(f"item {item}: unparseable '{what}' time {value!r}", line) from None
    if seconds < 0 or seconds != seconds:
        raise TranscriptError(f"item {item}: '{what}' must not be negative", line)
    return seconds


def parse_json(text: str) -> tuple[list[Turn], list[str]]:
    """A JSON list of ``{"speaker", "start", "end", "text"}`` (or an object holding it under ``turns``,
    ``segments`` …). Times are seconds or clock strings. Returns (turns, [])."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TranscriptError(f"not valid JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None
    key = None
    if isinstance(data, dict):
        key = next((k for k in JSON_LIST_KEYS if isinstance(data.get(k), list)), None)
        if key is None:
            raise TranscriptError("JSON transcript must be a list of {speaker, start, end, text} objects "
                                  f"(or an object with one of: {', '.join(JSON_LIST_KEYS)})")
        data = data[key]
    if not isinstance(data, list):
        raise TranscriptError("JSON transcript must be a list of {speaker, start, end, text} objects")
    if not data:
        raise TranscriptError("empty transcript: the JSON list has no turns")
    item_lines = array_item_lines(text, key) or [None] * len(data)
    if len(item_lines) != len(data):
        item_lines = [None] * len(data)
    if not any(isinstance(it, dict) and _first(it, JSON_SPEAKER_KEYS)[0] for it in data):
        raise TranscriptError("no speaker found: the JSON items have no 'speaker' field")
    turns: list[Turn] = []
    for i, (item, line) in enumerate(zip(data, item_lines, strict=True)):
        if not isinstance(item, dict):
            raise TranscriptError(f"item {i}: expected an object with speaker/start/end/text, "
                                  f"got {type(item).__name__}", line)
        skey, speaker = _first(item, JSON_SPEAKER_KEYS)
        if skey is None or speaker is None or str(speaker).strip() == "":
            raise TranscriptError(f"item {i}: missing 'speaker'", line)
        tkey, said = _first(item, JSON_TEXT_KEYS)
        if tkey is None:
            raise TranscriptError(f"item {i}: missing 'text'", line)
        if said is None:
            said = ""
        if not isinstance(said, str):
            raise TranscriptError(f"item {i}: 'text' must be a string", line)
        start = _seconds(_first(item, JSON_START_KEYS)[1], "start", line, i)
        end = _seconds(_first(item, JSON_END_KEYS)[1], "end", line, i)
        if start is not None and end is not None and end < start:
            raise TranscriptError(f"item {i}: 'end' ({end}) is before 'start' ({start})", line)
        turns.append(Turn(i, _clean_label(str(speaker)), said.strip(), start, end, line))
    return turns, []


# ---------------------------------------------------------------- detection and entry point

_PARSERS = {"txt": parse_txt, "srt": parse_cues, "vtt": parse_cues, "json": parse_json}


def detect_format(text: str) -> str:
    """Guess the format from the content: WEBVTT header → vtt; a JSON array/object → json; cue timing lines
    (``-->``) → srt (vtt when they use ``.`` milliseconds); speaker-prefixed lines → txt."""
    head = text.lstrip("\ufeff \t\r\n")
    if not head:
        raise TranscriptError("empty file")
    if head.startswith("WEBVTT"):
        return "vtt"
    if head.startswith("{") or re.match(r"\[\s*(?:[{\]\"]|$)", head):
        return "json"
    lines = head.splitlines()[:400]
    timings = [line for line in lines if _TIMING.match(line) and "-->" in line]
    if timings:
        return "srt" if any("," in t for t in timings) else "vtt"
    counts: Counter[str] = Counter()
    for no, line in enumerate(lines, start=1):
        try:
            prefix = _txt_prefix(line, no)
        except TranscriptError:
            continue
        if prefix is not None:
            counts[prefix.label] += 1
    if any(_accept_label(label, counts) for label in counts):
        return "txt"
    raise TranscriptError("unknown format: not WebVTT, SRT or JSON, and no line starts with a speaker prefix "
                          "such as '坐席：' or 'A:' (choose one with --format txt|srt|vtt|json)")


def parse_transcript(text: str, fmt: str = "auto") -> Transcript:
    """Parse decoded text in ``fmt`` (or the detected format) into a `Transcript`."""
    if fmt not in (*FORMATS, "auto"):
        raise TranscriptError(f"unknown format {fmt!r}; expected auto, {', '.join(FORMATS)}")
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise TranscriptError("empty file")
    chosen = detect_format(text) if fmt == "auto" else fmt
    turns, headers = _PARSERS[chosen](text)
    return Transcript(chosen, "", turns, headers)


def read_transcript(data: bytes, fmt: str = "auto") -> Transcript:
    """Decode a transcript file's bytes (UTF-8, UTF-8 BOM, UTF-16, GB18030/GBK) and parse it."""
    try:
        decoded = decode_bytes(data)
    except DecodeError as exc:
        raise TranscriptError(str(exc)) from None
    transcript = parse_transcript(decoded.text, fmt)
    transcript.encoding = decoded.encoding
    return transcript
