"""Statements and the start of a COPY in one round trip (PostgreSQL).

psycopg's `Cursor.copy()` sends its COPY alone and waits for the server's answer before any data goes: a round trip
of its own, after any statement whose answer decides what the COPY sends (an import batch's existence lookup). Here
the statements and the COPY go as one simple query (statements separated by `;`): the server answers each of them
and then opens the COPY, so their answers arrive while the COPY waits for its rows. `psycopg.Copy` then sends the
rows and ends the COPY as usual.

The simple query protocol takes no parameters: values are quoted as literals by libpq (`escape_literal`).
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import errors, generators, pq


class Answer:
    """The rows one statement sent back, as text (the simple query protocol's format); None for SQL NULL."""

    def __init__(self, result: pq.abc.PGresult, encoding: str) -> None:
        self._result = result
        self._encoding = encoding

    @property
    def rows(self) -> list[tuple[str | None, ...]]:
        res, encoding = self._result, self._encoding
        return [tuple(None if (value := res.get_value(i, j)) is None else value.decode(encoding)
                      for j in range(res.nfields))
                for i in range(res.ntuples)]


def literal(conn: psycopg.Connection[Any], text: str) -> str:
    """`text` as an SQL string literal, quoted by libpq for this connection's encoding."""
    encoding = conn.info.encoding
    return bytes(pq.Escaping(conn.pgconn).escape_literal(text.encode(encoding))).decode(encoding)


@contextmanager
def copy_after(conn: psycopg.Connection[Any], statements: Sequence[str],
               copy_sql: str) -> Iterator[tuple[list[Answer], psycopg.Copy]]:
    """Send `statements` and `copy_sql` (a `COPY ... FROM STDIN`) in one round trip; yield the statements' answers
    and the started COPY, which ends (and raises the server's error, if any) when the block ends.

    The connection must be in autocommit mode and outside a pipeline (a COPY cannot run in one); a transaction
    is begun by a BEGIN among `statements`. If a statement fails, the server skips the rest, the COPY included:
    its error is raised and no COPY is open.
    """
    if conn.pgconn.pipeline_status != pq.PipelineStatus.OFF:
        raise errors.NotSupportedError("COPY cannot be used in pipeline mode")
    if not conn.autocommit:
        raise errors.ProgrammingError("copy_after needs an autocommit connection (BEGIN goes with the statements)")
    encoding = conn.info.encoding
    query = ";\n".join([*statements, copy_sql]).encode(encoding)
    with conn.lock:
        pgconn = conn.pgconn
        pgconn.send_query(query)
        results = conn.wait(generators.execute(pgconn))
        for result in results:
            if result.status == pq.ExecStatus.FATAL_ERROR:
                raise errors.error_from_result(result, encoding=encoding)
        if not results or results[-1].status != pq.ExecStatus.COPY_IN:
            raise errors.ProgrammingError("the last statement did not start a COPY FROM STDIN")
        answers = [Answer(result, encoding) for result in results[:-1]]
        with conn.cursor() as cur, psycopg.Copy(cur) as copy:
            yield answers, copy
