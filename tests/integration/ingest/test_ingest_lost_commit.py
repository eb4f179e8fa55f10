"""A batch whose commit succeeded but whose answer was lost is recognised on its next attempt by the run's committed
offset (SQLite: the claim before the batch; PostgreSQL: the check sent with the commit) and never written twice."""
from __future__ import annotations

import pytest
from ingest_files import distinct_name_keys, planned_file, profile_count, rejects_of, write_csv

from insighta_desktop.db.profile_store import ProfileWrite
from insighta_desktop.ingest.pipeline import Importer, ImportOptions
from insighta_desktop.ingest.writer import BatchWriter


@pytest.mark.parametrize("lost", [1, 4], ids=["first-batch", "later-batch"])
def test_a_commit_whose_answer_was_lost_is_not_written_again(db, tmp_path, monkeypatch, lost):
    plan = planned_file(1000)
    path = write_csv(tmp_path / "lost.csv", plan.rows)
    commit = ProfileWrite.commit
    commits: list[int] = []

    def commit_then_lose_the_answer(self: ProfileWrite) -> None:
        commit(self)
        commits.append(1)
        if len(commits) == lost:
            raise ConnectionError("the server's answer to COMMIT was lost")

    monkeypatch.setattr(ProfileWrite, "commit", commit_then_lose_the_answer)
    recognised = BatchWriter._rejects_committed_earlier
    committed_earlier: list[int] = []

    def spy(self: BatchWriter, batch):
        committed_earlier.append(batch.last_line)
        return recognised(self, batch)

    monkeypatch.setattr(BatchWriter, "_rejects_committed_earlier", spy)
    options = ImportOptions(batch_size=100, rejects_path=tmp_path / "lost.rejects.csv", retry_initial_delay=0.01,
                            progress_interval=0)
    summary = Importer(db).run(path, options)

    assert summary.status == "success"
    assert len(committed_earlier) == 1, "the retry recognised its batch as committed"
    assert len(commits) == 10, "each batch committed once: the retry found its batch committed and wrote nothing"
    assert (summary.total_rows, summary.inserted) == (plan.total, plan.inserted)
    assert {k: v for k, v in summary.reasons.items() if v} == plan.reasons
    assert profile_count(db) == plan.inserted == distinct_name_keys(db)
    rejects = rejects_of(db, summary.run_id)
    assert len(rejects) == plan.total - plan.inserted
    assert len({line for line, *_ in rejects}) == len(rejects), "no reject recorded twice"
    with open(tmp_path / "lost.rejects.csv", encoding="utf-8") as fh:
        assert sum(1 for _ in fh) == len(rejects) + 1
