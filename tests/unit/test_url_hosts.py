"""Multi-host PostgreSQL URLs (issue 11 §4): parsed as libpq reads them, split into a read and a write engine,
and masked like any other URL."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from insighta_desktop.db.engine import create_engines_for, database_name, normalise_url
from insighta_desktop.db.url_hosts import hosts, hosts_label, needs_write_session, parse_url, target_session_attrs
from insighta_desktop.db.url_secrets import mask_url, redact_secrets, split_secrets


def test_host_port_pairs_in_the_netloc_become_host_parameters():
    url = parse_url("postgresql://reader:pw@db1:5432,db2:5433/insighta?target_session_attrs=prefer-standby")
    assert hosts(url) == ["db1:5432", "db2:5433"]
    assert url.database == "insighta" and url.username == "reader" and url.password == "pw"
    assert target_session_attrs(url) == "prefer-standby"
    engines = create_engines_for("postgresql://reader:pw@db1:5432,db2:5433/insighta?target_session_attrs=prefer-standby")
    read_args = engines.read.dialect.create_connect_args(engines.read.url)[1]
    write_args = engines.write.dialect.create_connect_args(engines.write.url)[1]
    assert (read_args["host"], read_args["port"]) == ("db1,db2", "5432,5433")  # what libpq gets
    assert read_args["target_session_attrs"] == "prefer-standby"
    assert (write_args["host"], write_args["port"]) == ("db1,db2", "5432,5433")
    assert write_args["target_session_attrs"] == "read-write"
    engines.dispose()


def test_hosts_without_ports_and_host_parameters():
    assert hosts(parse_url("postgresql://u@db1,db2/insighta")) == ["db1", "db2"]
    assert hosts(parse_url("postgresql://u@/insighta?host=db1:5432&host=db2")) == ["db1:5432", "db2"]
    assert hosts(parse_url("postgresql://u@db1:5433/insighta")) == ["db1:5433"]
    assert hosts_label(parse_url("postgresql://u@db1:5432,db2:5433/insighta")) == "db1, db2"


def test_one_engine_unless_libpq_may_settle_for_a_standby():
    for url, split in (("postgresql://u@db/insighta", False),
                       ("postgresql://u@db/insighta?target_session_attrs=read-write", False),
                       ("postgresql://u@db/insighta?target_session_attrs=prefer-standby", True),
                       ("postgresql://u@db1,db2/insighta", True),
                       ("postgresql://u@db1,db2/insighta?target_session_attrs=read-write", False),
                       ("sqlite:////tmp/x.db", False)):
        engines = create_engines_for(url)
        assert engines.split is split, url
        if url.startswith("postgresql"):
            assert needs_write_session(normalise_url(url)) is split
        engines.dispose()


def test_the_database_name_of_a_multi_host_url():
    assert database_name("postgresql://u@db1:5432,db2:5433/insighta") == "insighta"


def test_multi_host_secrets_are_masked_everywhere():
    typed = "postgresql://reader:s3cr%40t-pw@db1:5432,db2:5433/insighta?sslpassword=key-pw&target_session_attrs=any"
    shown = mask_url(typed)
    assert "s3cr" not in shown and "key-pw" not in shown
    assert shown == ("postgresql://reader:***@/insighta?host=db1:5432&host=db2:5433&sslpassword=***"
                     "&target_session_attrs=any")
    message = f"connection to {typed} failed for s3cr@t-pw"
    assert "s3cr" not in redact_secrets(message, typed)
    bare, secrets = split_secrets(normalise_url(typed))
    assert secrets.password == "s3cr@t-pw" and secrets.sslpassword == "key-pw"
    assert "s3cr" not in bare.render_as_string(hide_password=False)
    assert hosts(bare) == ["db1:5432", "db2:5433"]


host_names = st.from_regex(r"[a-z][a-z0-9-]{0,10}(\.[a-z]{2,5})?", fullmatch=True)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(host_names, st.integers(1, 65535)), min_size=2, max_size=4),
       st.text(st.characters(codec="ascii", categories=("L", "N")), min_size=4, max_size=12))
def test_any_host_list_parses_in_order_and_hides_its_password(pairs, password):
    netloc = ",".join(f"{h}:{p}" for h, p in pairs)
    typed = f"postgresql://u:{password}@{netloc}/db"
    assert hosts(parse_url(typed)) == [f"{h}:{p}" for h, p in pairs]
    assert f":{password}@" not in mask_url(typed)
