"""The import pipeline on SQLite and PostgreSQL: real sample files, encodings, malformed input, duplicates."""
from __future__ import annotations

import csv
import threading

import pytest
import sqlalchemy as sa
from ingest_files import distinct_name_keys, planned_file, profile_count, rejects_of, seed_csv, write_csv

from insighta_desktop.db.schema import import_runs, profiles
from insighta_desktop.ingest.errors import ImportRefused
from insighta_desktop.ingest.pipeline import Importer, ImportOptions
from insighta_desktop.ingest.runs import get_run


def run(engine, path, tmp_path, **options):
    options.setdefault("rejects_path", tmp_path / f"{path.stem}.rejects.csv")
    return Importer(engine).run(path, ImportOptions(**options))


def nonzero(reasons):
    return {k: v for k, v in reasons.items() if v}


def test_sample_files_give_exact_counts(db, sample_data_dir, tmp_path):
    samples = sample_data_dir / "csv_samples"
    valid = run(db, samples / "valid-import.csv", tmp_path)
    assert (valid.status, valid.total_rows, valid.inserted, valid.skipped) == ("success", 10, 10, 0)

    again = run(db, samples / "duplicate-import.csv", tmp_path)
    assert (again.total_rows, again.inserted, again.skipped) == (5, 0, 5)
    assert nonzero(again.reasons) == {"duplicate_name": 5}
    assert {detail for _, _, detail, _ in rejects_of(db, again.run_id)} == {"already in the database"}

    mixed = run(db, samples / "mixed-import.csv", tmp_path, batch_size=3)
    assert (mixed.total_rows, mixed.inserted, mixed.skipped) == (9, 5, 4)
    assert nonzero(mixed.reasons) == {"missing_fields": 1, "invalid_age": 2, "duplicate_name": 1}
    assert rejects_of(db, mixed.run_id)[-1][:3] == (9, "duplicate_name", "repeats line 7")
    assert profile_count(db) == 15
    with open(mixed.rejects_path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["line_number"], r["reason"]) for r in rows] == [
        ("3", "missing_fields"), ("4", "invalid_age"), ("5", "invalid_age"), ("9", "duplicate_name")]
    assert rows[1]["raw_line"] == "Chidinma Eze,female,-3,NG,0.87,0.79"


def test_seed_profiles_import_once_then_all_duplicates(db, sample_data_dir, tmp_path):
    path, count = seed_csv(sample_data_dir, tmp_path / "seed.csv")
    first = run(db, path, tmp_path, batch_size=500)
    assert (first.total_rows, first.inserted, first.skipped) == (count, 2026, 0)
    assert first.corrected == {"age_group": 0, "country_name": 0}
    second = run(db, path, tmp_path)
    assert (second.total_rows, second.inserted, second.skipped) == (2026, 0, 2026)
    assert nonzero(second.reasons) == {"duplicate_name": 2026}
    assert profile_count(db) == 2026 == distinct_name_keys(db)
    with db.connect() as conn:
        stored = set(conn.execute(sa.select(profiles.c.name)).scalars())
    non_ascii = {name for name in stored if not name.isascii()}
    assert non_ascii, "the seed data has names that are not ASCII"
    assert not any("Ã" in name for name in non_ascii), "UTF-8 names must not turn into mojibake"


def test_encodings_and_line_endings(db, tmp_path):
    bom = tmp_path / "bom.csv"
    bom.write_bytes("\ufeffName , SEX,age,Country\r\nSidibé Awa,F,twenty-five,Mali\r\nBob Ray,m, 30 ,nga\r\n"
                    .encode("utf-8"))
    latin = tmp_path / "latin.csv"
    latin.write_bytes("name,gender,age,country_id\nAnn Lee,female,25,NG\nSidibé Moussa,male,30,ML\n"
                      .encode("latin-1"))
    smart = tmp_path / "cp1252.csv"
    smart.write_bytes("name,gender,age,country_id\r\n“Kofi” Annan,male,70,GH\r\nAma O’Neil,female,33,GH\r\n"
                      .encode("cp1252"))
    results = {p.name: run(db, p, tmp_path) for p in (bom, latin, smart)}
    assert results["bom.csv"].encoding == "utf-8-sig"
    assert results["latin.csv"].encoding == "cp1252"
    assert results["cp1252.csv"].encoding == "cp1252"
    assert all(s.inserted == 2 and s.skipped == 0 for s in results.values())
    with db.connect() as conn:
        names = dict(conn.execute(sa.select(profiles.c.name, profiles.c.age)).all())
    assert names["Sidibé Awa"] == 25 and names["Bob Ray"] == 30
    assert "Sidibé Moussa" in names and "“Kofi” Annan" in names and "Ama O’Neil" in names


def test_broken_utf8_line_is_malformed_and_names_stay_intact(db, tmp_path):
    path = tmp_path / "broken.csv"
    path.write_bytes("name,gender,age,country_id\nJosé Ruiz,male,25,NG\n".encode()
                     + b"Bad \xe9 Byte,male,30,ML\nOk Name,female,3,GH\n")
    summary = run(db, path, tmp_path)
    assert summary.encoding == "utf-8"
    assert (summary.inserted, nonzero(summary.reasons)) == (2, {"malformed_row": 1})
    assert rejects_of(db, summary.run_id)[0][:3] == (3, "malformed_row",
                                                     "broken encoding: bytes that are not valid UTF-8")


def test_malformed_rows(db, tmp_path):
    path = tmp_path / "malformed.csv"
    big = "x" * 1_000_000
    path.write_text("name,gender,age,country_id\n"
                    "Short Row,male,1\n"
                    "Long Row,male,2,NG,extra\n"
                    "Nul\x00Byte,male,3,NG\n"
                    f'Big Field,male,4,"{big}"\n'
                    '"Open Quote,male,5,NG\n'
                    "After Quote,male,6,NG\n"
                    "Last One,female,7,GH\n", encoding="utf-8")
    summary = run(db, path, tmp_path)
    assert (summary.total_rows, summary.inserted) == (7, 2)
    assert nonzero(summary.reasons) == {"malformed_row": 5}
    details = {line: detail for line, _, detail, _ in rejects_of(db, summary.run_id)}
    assert details[2] == "expected 4 fields, found 3"
    assert details[4] == "NUL byte in the line"
    assert details[6] == "unterminated quote"
    assert "longer than" in details[5]


@pytest.mark.parametrize("content, code", [
    (b"", "empty_file"),
    (b"name,gender,age,country_id\n", "header_only"),
    (b"name,gender,age,country_id\r\n\r\n", "header_only"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "not_text"),
    (b"name,sex,years\nAnn,f,3\n", "missing_columns"),
])
def test_files_refused_before_anything_is_written(db, tmp_path, content, code):
    path = tmp_path / "refused.csv"
    path.write_bytes(content)
    with pytest.raises(ImportRefused) as caught:
        run(db, path, tmp_path)
    assert caught.value.code == code
    if code == "missing_columns":
        assert "country_id" in caught.value.message
    with db.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(import_runs)).scalar_one() == 0
    assert profile_count(db) == 0


def test_planned_file_counts_across_batches(db, tmp_path):
    plan = planned_file(1000)
    path = write_csv(tmp_path / "planned.csv", plan.rows)
    summary = run(db, path, tmp_path, batch_size=64)
    assert summary.total_rows == plan.total == summary.inserted + summary.skipped
    assert summary.inserted == plan.inserted
    assert nonzero(summary.reasons) == plan.reasons
    assert profile_count(db) == plan.inserted
    record = get_run(db, summary.run_id)
    assert (record.status, record.total_rows, record.inserted) == ("completed", plan.total, plan.inserted)
    assert record.last_offset == path.stat().st_size


def test_a_rejected_row_does_not_claim_its_name(db, tmp_path):
    path = write_csv(tmp_path / "claim.csv", [
        ["Ada Obi", "robot", "30", "NG", "", ""],
        ["Ada Obi", "female", "30", "NG", "", ""],
        ["ADA OBI", "female", "31", "NG", "", ""],
    ])
    summary = run(db, path, tmp_path)
    assert (summary.inserted, nonzero(summary.reasons)) == (1, {"invalid_gender": 1, "duplicate_name": 1})
    assert rejects_of(db, summary.run_id)[1][:3] == (4, "duplicate_name", "repeats line 3")


def test_rejects_csv_neutralises_formulas(db, tmp_path):
    path = write_csv(tmp_path / "formula.csv", [["=1+2", "robot", "1", "NG", "", ""],
                                                 ["@SUM(A1)", "male", "x", "NG", "", ""],
                                                 ["-Neg", "male", "x", "NG", "", ""]])
    summary = run(db, path, tmp_path)
    with open(summary.rejects_path, newline="", encoding="utf-8") as fh:
        raws = [row["raw_line"] for row in csv.DictReader(fh)]
    assert raws == ["'=1+2,robot,1,NG,,", "'@SUM(A1),male,x,NG,,", "'-Neg,male,x,NG,,"]


def test_two_imports_at_once_insert_each_name_once(db, tmp_path):
    plan = planned_file(3000)
    first = write_csv(tmp_path / "a.csv", plan.rows)
    second = write_csv(tmp_path / "b.csv", list(reversed(plan.rows)))
    results = {}

    def work(path):
        results[path.name] = Importer(db).run(path, ImportOptions(batch_size=250,
                                                                  rejects_path=tmp_path / f"{path.stem}.rej.csv"))

    threads = [threading.Thread(target=work, args=(p,)) for p in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    a, b = results["a.csv"], results["b.csv"]
    assert a.status == b.status == "success"
    assert a.inserted + b.inserted == plan.inserted == profile_count(db) == distinct_name_keys(db)
    assert a.total_rows == b.total_rows == plan.total
