"""`insighta pack export | info` against a real database on both back ends."""
from __future__ import annotations

import pytest

from insighta_desktop.cli import main as cli_main
from insighta_desktop.interviews import repository
from insighta_desktop.packs import open_pack
from tests.integration.packs.packdata import PASSPHRASE, fill_source


def passphrase_file(tmp_path, text=PASSPHRASE):
    path = tmp_path / "passphrase.txt"
    path.write_text(text + "\n", encoding="utf-8")
    return str(path)


def test_cli_exports_chosen_interviews_and_info_lists_them(db, db_url, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("INSIGHTA_HOME", str(tmp_path / "home"))
    ids = fill_source(db)
    chosen = ids[1:4]
    out = tmp_path / "out" / "week-47"
    assert cli_main(["pack", "export", "--db", db_url, "--interviews", *chosen, "--out", str(out),
                     "--passphrase-file", passphrase_file(tmp_path)]) == 0
    written = out.with_suffix(".insighta-pack")
    assert f"Wrote {written}" in capsys.readouterr().out
    pack = open_pack(written, PASSPHRASE)
    try:
        assert pack.interview_ids == chosen
        assert pack.manifest.source_backend == db.dialect.name
    finally:
        pack.close()
    assert cli_main(["pack", "info", str(written)]) == 0  # without the passphrase: no names, no transcripts
    out_text = capsys.readouterr().out
    assert "Contents: 3 interviews" in out_text and "add --passphrase-file F to list the interviews" in out_text
    names = [repository.get_interview(db, i).summary.candidate_name for i in chosen]
    assert not [name for name in names if name in out_text]
    assert cli_main(["pack", "info", str(written), "--passphrase-file", passphrase_file(tmp_path)]) == 0
    out_text = capsys.readouterr().out
    for interview_id, name in zip(chosen, names, strict=True):
        assert f"{interview_id}  {name}" in out_text


def test_cli_export_names_what_is_wrong(db, db_url, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("INSIGHTA_HOME", str(tmp_path / "home"))
    fill_source(db)
    secret = passphrase_file(tmp_path)
    out = str(tmp_path / "x.insighta-pack")
    assert cli_main(["pack", "export", "--db", db_url, "--interviews", "nope", "--out", out,
                     "--passphrase-file", secret]) == 2
    assert "No interview with id nope" in capsys.readouterr().err
    assert cli_main(["pack", "export", "--db", db_url, "--out", out, "--passphrase-file", secret]) == 2
    assert "name at least one interview" in capsys.readouterr().err
    assert not (tmp_path / "x.insighta-pack").exists()


def test_cli_packs_a_search_result_as_the_search_service_returns_it(db, db_url, tmp_path, capsys, monkeypatch):
    from insighta_desktop.profiles.filters import PageRequest
    from insighta_desktop.profiles.search import ProfileSearch

    monkeypatch.setenv("INSIGHTA_HOME", str(tmp_path / "home"))
    ids = fill_source(db)
    query = "women"
    expected = ProfileSearch(db).search_text(query, PageRequest(limit=1000))
    assert expected.rows  # the demo set has women, so the comparison below is not empty against empty
    out = tmp_path / "search.insighta-pack"
    secret = passphrase_file(tmp_path)
    assert cli_main(["pack", "export", "--db", db_url, "--interviews", ids[0], "--search", query,
                     "--out", str(out), "--passphrase-file", secret]) == 0
    assert f'{len(expected.rows)} profiles for "women"' in capsys.readouterr().out
    pack = open_pack(out, PASSPHRASE)
    try:
        from insighta_desktop.profiles.browse import browse_profiles

        packed = browse_profiles(pack.engine, limit=5000).rows
        assert sorted(p.id for p in packed) == sorted(p.id for p in expected.rows)
        assert {p.gender for p in packed} == {"female"}
        assert pack.manifest.search.query == query and pack.manifest.search.total_matches == expected.total
        assert pack.manifest.search.filters["gender"] == "female"
    finally:
        pack.close()
    assert cli_main(["pack", "export", "--db", db_url, "--search", "zzz qqq", "--out", str(out),
                     "--passphrase-file", secret]) == 2
    assert "cannot be packed" in capsys.readouterr().err


def test_snapshot_keeps_at_most_the_limit_in_search_order(db, tmp_path):
    from insighta_desktop.packs import snapshot_search
    from insighta_desktop.profiles.filters import PageRequest
    from insighta_desktop.profiles.search import ProfileSearch

    fill_source(db)
    full = ProfileSearch(db).search_text("adults", PageRequest(limit=1000))
    assert len(full.rows) > 7
    snapshot = snapshot_search(ProfileSearch(db), "adults", limit=7)
    assert [p.id for p in snapshot.profiles] == [p.id for p in full.rows[:7]]
    assert snapshot.total_matches == full.total


def test_cli_takes_the_passphrase_from_a_file_never_from_the_command_line(sqlite_engine, tmp_path, capsys,
                                                                          monkeypatch):
    monkeypatch.setenv("INSIGHTA_HOME", str(tmp_path / "home"))
    url = sqlite_engine.url.render_as_string(hide_password=False)
    ids = fill_source(sqlite_engine)
    out = tmp_path / "x.insighta-pack"
    base = ["pack", "export", "--db", url, "--interviews", ids[0], "--out", str(out)]
    for option in (["--passphrase", PASSPHRASE], [f"--passphrase={PASSPHRASE}"]):  # nor as --passphrase-file
        with pytest.raises(SystemExit):
            cli_main([*base, *option])
        err = capsys.readouterr().err
        assert PASSPHRASE not in err, err  # not even echoed back in the error
        assert "the passphrase is never taken on the command line" in err
    assert cli_main(base) == 2  # stdin is not a terminal here, so nothing can be asked
    assert "give the passphrase with --passphrase-file F (it is never taken on the command line)" in \
        capsys.readouterr().err
    assert cli_main([*base, "--passphrase-file", passphrase_file(tmp_path, "short")]) == 2
    assert "Choose a passphrase of at least 10 characters" in capsys.readouterr().err
    (tmp_path / "empty.txt").write_text("")
    assert cli_main([*base, "--passphrase-file", str(tmp_path / "empty.txt")]) == 2
    assert "is empty: its first line is the passphrase" in capsys.readouterr().err
    assert cli_main([*base, "--passphrase-file", str(tmp_path / "nope.txt")]) == 2
    assert "cannot read the passphrase file" in capsys.readouterr().err
    assert cli_main([*base, "--passphrase-file", passphrase_file(tmp_path), "--expires", "2020-01-31"]) == 2
    assert "--expires 2020-01-31 is in the past" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli_main([*base, "--passphrase-file", passphrase_file(tmp_path), "--expires", "31/01/2027"])
    assert "'31/01/2027' is not a date as YYYY-MM-DD" in capsys.readouterr().err
    assert not out.exists()


def _converse(command: list[str], env: dict[str, str], answers: list[tuple[bytes, bytes]]) -> tuple[int, bytes]:
    """Run `command` on a pseudo-terminal, answering each prompt in turn; return its exit code and output."""
    import os
    import pty
    import select
    import time

    pid, fd = pty.fork()
    if pid == 0:  # the child: straight into the command, with the pty as its terminal
        os.execve(command[0], command, env)
    output = b""
    deadline = time.monotonic() + 120
    pending = list(answers)
    while True:
        if pending and pending[0][0] in output:
            os.write(fd, pending.pop(0)[1])
            output = output.replace(b":", b";", 1)  # consume that prompt
        ready, _, _ = select.select([fd], [], [], 1.0)
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            raise AssertionError(f"no end of the conversation: {output!r}")
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), output


def test_cli_asks_for_the_passphrase_twice_on_a_terminal_without_echo(sqlite_engine, tmp_path):
    import os
    import sys

    url = sqlite_engine.url.render_as_string(hide_password=False)
    ids = fill_source(sqlite_engine)
    out = tmp_path / "asked.insighta-pack"
    command = [sys.executable, "-c", "import sys; from insighta_desktop.cli import main; sys.exit(main())",
               "pack", "export", "--db", url, "--interviews", ids[0], "--out", str(out)]
    env = {**os.environ, "INSIGHTA_HOME": str(tmp_path / "home")}
    answer = PASSPHRASE.encode() + b"\n"
    code, output = _converse(command, env, [(b"Pack passphrase:", answer), (b"The same passphrase again:", answer)])
    assert code == 0, output
    assert b"Wrote " in output and PASSPHRASE.encode() not in output  # typed, never shown
    open_pack(out, PASSPHRASE).close()

    code, output = _converse(command, env, [(b"Pack passphrase:", answer),
                                            (b"The same passphrase again:", b"something else entirely\n")])
    assert code == 2 and b"the two passphrases differ; nothing was written" in output
