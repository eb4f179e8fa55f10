"""What the PostgreSQL import formats as COPY text itself (rejects, name lookups, counts) round-trips exactly."""
from __future__ import annotations

import sqlalchemy as sa
from ingest_files import profile_count, rejects_of

from insighta_desktop.db.schema import profile_counts
from insighta_desktop.ingest.pipeline import Importer, ImportOptions

AWKWARD_RAWS = [
    'Tab\tName,robot,20,GH',  # a tab inside a field
    'Back\\slash \\N,robot,20,GH',  # backslashes, and what COPY reads as NULL
    '"Quoted, comma ""x""",robot,20,GH',
    'Carriage,robot,20,GH\r',  # the line's own CR is not kept
    '"Multi\nline",robot,20,GH',  # a line break inside a quoted field
    'Ünïcødé ñame,robot,20,GH',
]


def test_awkward_reject_lines_and_names_round_trip(db, tmp_path):
    names = ["Back\\slash O'Neil", "Ünïcødé Ñame", "Comma, Person", "Plain Person"]
    good = [f'"{name}",female,30,NG' for name in names]
    path = tmp_path / "awkward.csv"
    lines = ["name,gender,age,country_id", *good, *AWKWARD_RAWS, f'"{names[0].upper()}",male,40,KE']
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    summary = Importer(db).run(path, ImportOptions(rejects_path=tmp_path / "r.csv"))
    assert (summary.inserted, summary.skipped) == (4, len(AWKWARD_RAWS) + 1)
    rejects = rejects_of(db, summary.run_id)
    by_line = {line: (reason, raw) for line, reason, _detail, raw in rejects}
    stored = [raw for line, (_reason, raw) in sorted(by_line.items()) if line > 1 + len(good)]
    assert stored[:-1] == [raw.removesuffix("\r") for raw in AWKWARD_RAWS]
    assert by_line[max(by_line)] == ("duplicate_name", lines[-1])

    again = Importer(db).run(path, ImportOptions(rejects_path=tmp_path / "r2.csv"))
    assert again.inserted == 0 and again.reasons["duplicate_name"] == 5, "every stored name is found again"
    assert profile_count(db) == 4
    with db.connect() as conn:
        counts = dict(conn.execute(sa.select(profile_counts.c.gender, sa.func.sum(profile_counts.c.n))
                                   .group_by(profile_counts.c.gender)).all())
    assert counts == {"female": 4}
