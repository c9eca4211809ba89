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
