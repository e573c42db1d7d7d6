"""A SQLite database stays shared between processes when one process makes a second engine on it
(`tally serve` does, for its start-up checks): what one process committed, the others see."""

import subprocess
import sys

from sqlalchemy import text

from storage.engine import make_engine

READ_BACK = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("select count(*) from t").fetchone()[0])
"""


def test_a_second_engine_in_one_process_keeps_the_first_ones_writes_visible(tmp_path):
    url = f"sqlite:///{tmp_path / 'tally.sqlite3'}"
    first = make_engine(url)
    with first.begin() as conn:
        conn.execute(text("create table t (x integer)"))
    held = first.connect()  # an open connection, as a running server keeps in its pool
    held.execute(text("insert into t values (1)"))
    held.commit()
    make_engine(url).dispose()  # a second engine on the same file, as start-up checks make
    assert _count_in_another_process(tmp_path) == "1"  # a shell command reads and goes away
    held.execute(text("insert into t values (2)"))
    held.commit()
    seen = _count_in_another_process(tmp_path)
    held.close()
    first.dispose()
    assert seen == "2"


def _count_in_another_process(folder) -> str:
    return subprocess.run([sys.executable, "-c", READ_BACK, str(folder / "tally.sqlite3")],
                          capture_output=True, text=True, check=True).stdout.strip()
