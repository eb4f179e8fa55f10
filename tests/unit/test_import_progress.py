"""The child import's pure parts: the bytes-based ETA, the JSON-lines protocol, the options as JSON and the child's
command line (from source and in the PyInstaller bundle)."""
from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insighta_desktop.ingest.child_command import (
    OPTIONS_JSON_FLAG,
    PROGRESS_JSON_FLAG,
    cli_program,
    import_command,
    options_from_json,
    options_to_json,
)
from insighta_desktop.ingest.file_format import FileFormat
from insighta_desktop.ingest.pipeline import ImportOptions
from insighta_desktop.ingest.progress import EtaEstimator, ProgressTicker, parse_line, progress_line, summary_line
from insighta_desktop.ingest.summary import ImportProgress, ImportSummary, empty_reasons


def simulate(total: int, batch_bytes: int, rate_of, start: int = 0, jitter: float = 0.0, seed: int = 1):
    """An import committing `batch_bytes` at a time at rate_of(offset) bytes/s; yields (time, offset, true time left)
    sampled every 0.1 s, as the ticker asks."""
    rng = random.Random(seed)
    commits = []  # (time, offset)
    t, offset = 0.0, start
    while offset < total:
        step = min(batch_bytes, total - offset)
        t += step / rate_of(offset) * (1 + rng.uniform(-jitter, jitter))
        offset += step
        commits.append((t, offset))
    end = t
    estimator = EtaEstimator(start, total, 0.0)
    samples, i, now = [], 0, 0.0
    while now < end:
        while i < len(commits) and commits[i][0] <= now:
            estimator.observe(commits[i][1], commits[i][0])
            i += 1
        samples.append((now, estimator.done, estimator.eta(now), end - now))
        now += 0.1
    return samples


@pytest.mark.parametrize("batch_bytes", [4_000, 40_000, 400_000])
@pytest.mark.parametrize("jitter", [0.0, 0.3])
def test_eta_within_ten_percent_after_the_first_tenth(batch_bytes, jitter):
    total = 30_000_000
    checked = 0
    for _now, done, eta, truth in simulate(total, batch_bytes, lambda _o: 3_000_000.0, jitter=jitter):
        if done >= total * 0.1 and truth > 1.0:
            assert eta is not None and abs(eta - truth) <= 0.1 * truth, (done, eta, truth)
            checked += 1
    assert checked > 50


def test_eta_of_a_resumed_run_counts_only_this_session():
    total = 20_000_000
    samples = simulate(total, 100_000, lambda _o: 2_000_000.0, start=10_000_000)
    late = [(eta, truth) for _n, done, eta, truth in samples if done >= 11_000_000 and truth > 1.0]
    assert late and all(abs(eta - truth) <= 0.1 * truth for eta, truth in late)


def test_eta_counts_down_between_batches_and_is_none_before_any():
    estimator = EtaEstimator(0, 1000, started=0.0)
    assert estimator.eta(0.5) is None
    estimator.observe(100, 1.0)
    assert estimator.eta(1.0) == pytest.approx(9.0)
    assert estimator.eta(3.0) == pytest.approx(7.0)
    assert estimator.eta(100.0) == 0.0
    estimator.observe(50, 4.0)  # an older offset changes nothing
    assert estimator.eta(3.0) == pytest.approx(7.0)


def snapshot(**kw) -> ImportProgress:
    values = dict(bytes_done=10, bytes_total=100, total_rows=5, inserted=4, skipped=1, reasons=empty_reasons(),
                  elapsed_s=1.0, rows_per_s=5.0, eta_s=9.0, phase="importing", message="", run_id=7)
    values.update(kw)
    return ImportProgress(**values)


def test_lines_round_trip_and_stray_output_is_ignored():
    p = snapshot(message="naïve ✓")
    assert progress_line(p).isascii() and parse_line(progress_line(p)) == p
    s = ImportSummary(status="success", total_rows=3, inserted=2, skipped=1, reasons={"invalid_age": 1},
                      file_name="a.csv", run_id=4, run_status="completed")
    assert parse_line(summary_line(s).encode()) == s
    for junk in ("", "hello", "[1]", '{"event": "progress"}', '{"event": "other", "x": 1}', "{"):
        assert parse_line(junk) is None


def test_ticker_writes_at_a_steady_rate_between_batches():
    clock = [0.0]
    out = io.StringIO()
    ticker = ProgressTicker(out, period=0.01, clock=lambda: clock[0])
    with ticker:
        ticker(snapshot(phase="starting", bytes_done=0, run_id=3))
        clock[0] = 1.0
        ticker(snapshot(bytes_done=10))
        import time
        deadline = time.monotonic() + 5
        while out.getvalue().count("\n") < 6 and time.monotonic() < deadline:
            time.sleep(0.01)
            clock[0] += 0.01
    lines = [parse_line(line) for line in out.getvalue().splitlines()]
    assert lines[0].phase == "starting" and lines[0].run_id == 3
    ticks = [p for p in lines[1:] if isinstance(p, ImportProgress)]
    assert len(ticks) >= 5
    assert all(p.eta_s is not None for p in ticks[-3:])
    assert ticks[-1].eta_s <= ticks[-3].eta_s  # counting down between batches


@given(batch_size=st.integers(1, 10**6), resume=st.booleans(), parent=st.none() | st.integers(1, 10**9),
       rejects=st.none() | st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                                   min_size=1, max_size=30))
def test_options_json_round_trip(batch_size, resume, parent, rejects):
    options = ImportOptions(batch_size=batch_size, resume=resume, parent_run_id=parent,
                            rejects_path=Path(rejects) if rejects else None)
    assert options_from_json(options_to_json(options)) == options


def test_every_option_of_the_preview_reaches_the_child():
    options = ImportOptions(batch_size=3, file_format=FileFormat(encoding="utf-16-le", delimiter=";"),
                            columns={"name": "Full Name", "age": None}, on_duplicate="update", parent_run_id=12)
    assert options_from_json(options_to_json(options)) == options


def test_options_json_refuses_unknown_fields():
    with pytest.raises(ValueError, match="unknown import options: colour"):
        options_from_json(json.dumps({"colour": "red"}))


def test_command_from_source_and_from_the_bundle(tmp_path):
    assert cli_program(frozen=False, executable="/usr/bin/python3") == ["/usr/bin/python3", "-m",
                                                                       "insighta_desktop.cli"]
    assert cli_program(frozen=True, executable="/opt/insighta-desktop/insighta-desktop") == [
        "/opt/insighta-desktop/insighta"]
    assert cli_program(frozen=True, executable=r"C:\Apps\insighta-desktop.exe")[0].endswith("insighta.exe")
    cmd = import_command(tmp_path / "a b.csv", ImportOptions(batch_size=7), frozen=False, executable="py")
    assert cmd[:5] == ["py", "-m", "insighta_desktop.cli", "import", str(tmp_path / "a b.csv")]
    assert cmd[5] == PROGRESS_JSON_FLAG and cmd[6] == OPTIONS_JSON_FLAG
    assert options_from_json(cmd[7]).batch_size == 7
