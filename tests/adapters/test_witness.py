"""The workstation's witness file: the last head per database, never moved backwards."""

from __future__ import annotations

from pos_app.adapters.witness import Head, HeadFile


def test_heads_are_kept_per_database_and_only_move_forward(tmp_path):
    heads = HeadFile(tmp_path)
    heads.record("live", Head("WS01", 5, "a" * 64))
    heads.record("live", Head("WS01", 3, "b" * 64))  # a slower process finishing late
    heads.record("training", Head("WS01", 1, "c" * 64))
    assert heads.head("live", "WS01") == Head("WS01", 5, "a" * 64)
    assert HeadFile(tmp_path).heads("training") == {"WS01": Head("WS01", 1, "c" * 64)}
    assert heads.head("another", "WS01") is None


def test_each_head_is_one_appended_line_and_another_process_sees_it(tmp_path):
    mine, other = HeadFile(tmp_path), HeadFile(tmp_path)  # two processes of one machine
    mine.record("live", Head("WS01", 1, "a" * 64))
    assert other.head("live", "WS01") == Head("WS01", 1, "a" * 64)
    mine.record("live", Head("WS01", 2, "b" * 64))
    other.record("live", Head("WS02", 7, "c" * 64))
    assert other.head("live", "WS01") == Head("WS01", 2, "b" * 64)
    assert mine.heads("live") == {
        "WS01": Head("WS01", 2, "b" * 64),
        "WS02": Head("WS02", 7, "c" * 64),
    }
    assert len(mine.path("live").read_text().splitlines()) == 3
    assert mine.path("live").stat().st_mode & 0o777 == 0o600


def test_a_torn_line_is_skipped_and_a_long_journal_is_compacted(tmp_path):
    heads = HeadFile(tmp_path)
    heads.COMPACT_AT = 400
    heads.record("live", Head("WS01", 1, "a" * 64))
    with heads.path("live").open("a") as journal:
        journal.write('["WS01", 9, "tor\n')  # a write cut short by a crash
    for seq in range(2, 8):
        heads.record("live", Head("WS01", seq, f"{seq}" * 64))
    assert HeadFile(tmp_path).head("live", "WS01") == Head("WS01", 7, "7" * 64)
    assert len(heads.path("live").read_text().splitlines()) < 7  # rewritten, one per till


def test_the_previous_releases_whole_file_witness_is_still_read(tmp_path):
    folder = tmp_path / "heads"
    folder.mkdir()
    (folder / "live.json").write_text('{"WS01": [12, "' + "d" * 64 + '"]}')
    heads = HeadFile(tmp_path)
    assert heads.head("live", "WS01") == Head("WS01", 12, "d" * 64)
    heads.record("live", Head("WS01", 13, "e" * 64))
    assert HeadFile(tmp_path).head("live", "WS01") == Head("WS01", 13, "e" * 64)
