#!/usr/bin/env python3
"""Check the hand-authored transcripts against labels.jsonl.

Parses every file by the turn rules in the authoring brief (independently of any project code):
  txt  - a line starting with a speaker prefix (optional [mm:ss]/[hh:mm:ss] stamp, a short label, ':' or '：')
         starts a turn; lines before the first prefixed line are headers; other lines continue the previous turn.
  srt/vtt - each cue is one turn; the speaker is at the start of the cue text ('坐席 王某：', '[坐席 王某] ',
         '<v 坐席>', '客户: ').
  json - each list item is one turn.
Then checks encoding, n_turns, that every labelled index exists and is spoken by collector_speaker, label ids,
and that the file-level label union matches the turn labels.

Usage: python3 check_transcripts.py [DIR]      (exit code 1 on any mismatch)
"""
import json
import re
import sys
from pathlib import Path

VIOLATIONS = {"threat_violence", "insult_abuse", "third_party_contact", "privacy_exposure",
              "impersonation_false_authority", "home_visit_stalking", "harassment_frequency",
              "illegal_fees", "suspicious_payment"}
TXT_PREFIX = re.compile(r"^(?:\[(?:\d{1,2}:)?\d{1,2}:\d{2}\]\s*)?([^\s:：\[\]<>]{1,12})\s*[:：]")
TIMING = re.compile(r"^\s*(?:\d{1,2}:)?\d{2}:\d{2}[.,]\d{3}\s*-->\s*(?:\d{1,2}:)?\d{2}:\d{2}[.,]\d{3}")
CUE_SPEAKER = [re.compile(r"^<v(?:\.[^\s>]+)?\s+([^>]+)>"),
               re.compile(r"^\[([^\]]+)\]\s*"),
               re.compile(r"^([^:：<\[]{1,12})[:：]")]


def read_text(path, encoding):
    raw = path.read_bytes()
    problems = []
    has_bom = raw.startswith(b"\xef\xbb\xbf")
    if encoding == "utf-8-sig" and not has_bom:
        problems.append("declared utf-8-sig but no BOM")
    if encoding == "utf-8" and has_bom:
        problems.append("declared utf-8 but has a BOM")
    if encoding == "gb18030":
        try:
            raw.decode("utf-8")
            problems.append("declared gb18030 but the bytes are valid UTF-8")
        except UnicodeDecodeError:
            pass
    return raw.decode(encoding), problems


def txt_turns(text):
    turns, headers = [], 0
    for line in text.splitlines():
        if not line.strip():
            continue
        m = TXT_PREFIX.match(line)
        if m:
            turns.append({"speaker": m.group(1), "text": line[m.end():].strip()})
        elif turns:
            turns[-1]["text"] += line.strip()
        else:
            headers += 1
    return turns, headers


def cue_speaker(first_line):
    for rx in CUE_SPEAKER:
        m = rx.match(first_line)
        if m:
            return m.group(1).strip()
    return None


def cue_turns(text, fmt):
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    turns = []
    if fmt == "vtt" and not blocks[0].startswith("WEBVTT"):
        raise ValueError("vtt without WEBVTT header")
    for block in blocks:
        lines = block.split("\n")
        pos = next((i for i, l in enumerate(lines[:2]) if TIMING.match(l)), None)
        if pos is None:
            continue  # WEBVTT header, NOTE or STYLE block
        body = lines[pos + 1:]
        if not body:
            raise ValueError(f"empty cue: {block!r}")
        turns.append({"speaker": cue_speaker(body[0]), "text": "".join(body)})
    return turns


def json_turns(text):
    items = json.loads(text)
    for it in items:
        for key in ("speaker", "start", "end", "text"):
            if key not in it:
                raise ValueError(f"item without {key}: {it}")
        if not it["start"] <= it["end"]:
            raise ValueError(f"start after end: {it}")
    return [{"speaker": it["speaker"], "text": it["text"]} for it in items]


def check(row, folder):
    errs = []
    path = folder / row["file"]
    if not path.exists():
        return ["missing file"]
    fmt = row["format"]
    if path.suffix.lstrip(".") != fmt:
        errs.append(f"extension does not match format {fmt}")
    try:
        text, problems = read_text(path, row["encoding"])
    except (UnicodeDecodeError, LookupError) as exc:
        return errs + [f"cannot decode as {row['encoding']}: {exc}"]
    errs += problems
    if text.startswith("\ufeff"):
        text = text[1:]
    headers = 0
    if fmt == "txt":
        turns, headers = txt_turns(text)
    elif fmt in ("srt", "vtt"):
        turns = cue_turns(text, fmt)
    elif fmt == "json":
        try:
            turns = json_turns(text)
        except ValueError as exc:
            return errs + [f"bad json transcript: {exc}"]
    else:
        return [f"unknown format {fmt}"]
    if len(turns) != row["n_turns"]:
        errs.append(f"n_turns {row['n_turns']} but parsed {len(turns)}")
    if not 15 <= len(turns) <= 80:
        errs.append(f"{len(turns)} turns, outside 15-80")
    speakers = sorted({t["speaker"] for t in turns}, key=str)
    if None in speakers:
        errs.append("a cue without a recognisable speaker")
    if len(speakers) > 3:
        errs.append(f"too many speakers (stray prefix?): {speakers}")
    if row["collector_speaker"] not in speakers:
        errs.append(f"collector_speaker {row['collector_speaker']!r} not among {speakers}")
    union = set()
    seen = set()
    for t in row["turns"]:
        i = t["index"]
        if i in seen:
            errs.append(f"index {i} listed twice")
        seen.add(i)
        if not 0 <= i < len(turns):
            errs.append(f"index {i} out of range")
            continue
        if turns[i]["speaker"] != row["collector_speaker"]:
            errs.append(f"index {i} spoken by {turns[i]['speaker']!r}, not the collector")
        bad = set(t["labels"]) - VIOLATIONS
        if bad or not t["labels"]:
            errs.append(f"index {i}: bad labels {t['labels']}")
        if t["labels"] != sorted(t["labels"]):
            errs.append(f"index {i}: labels not sorted")
        union |= set(t["labels"])
    expect = sorted(union) or ["compliant"]
    if row["labels"] != expect:
        errs.append(f"labels {row['labels']} but turns give {expect}")
    if not isinstance(row["debtor_abusive"], bool):
        errs.append("debtor_abusive not a bool")
    row["_speakers"], row["_headers"] = speakers, headers
    return errs


def main():
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
    rows = [json.loads(l) for l in (folder / "labels.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    listed = {r["file"] for r in rows}
    data_files = {p.name for p in folder.iterdir() if p.suffix in (".txt", ".srt", ".vtt", ".json")}
    failed = 0
    for extra in sorted(data_files - listed):
        print(f"NOT IN labels.jsonl: {extra}")
        failed += 1
    if len(listed) != len(rows):
        print("duplicate file rows in labels.jsonl")
        failed += 1
    for row in rows:
        errs = check(row, folder)
        status = "ok  " if not errs else "FAIL"
        print(f"{status} {row['file']:45s} {row['format']:4s} {row['encoding']:9s} turns={row['n_turns']:2d} "
              f"hdr={row.get('_headers', 0)} speakers={row.get('_speakers')} labels={','.join(row['labels'])}")
        for e in errs:
            print(f"     - {e}")
        failed += bool(errs)
    print(f"{len(rows)} files, {failed} problem(s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
