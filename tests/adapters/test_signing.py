"""A workstation's signing key: private on disk, stable across processes, unforgeable."""

from __future__ import annotations

import os
import stat

from pos_app.adapters.signing import Keyring, key_id_of, verify


def test_the_key_is_made_once_private_to_the_user_and_found_again(tmp_path):
    key = Keyring(tmp_path).key("WS01")
    path = tmp_path / "keys" / "WS01.ed25519"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    again = Keyring(tmp_path).key("WS01")  # another process, the same key
    assert (again.key_id, again.public_hex) == (key.key_id, key.public_hex)
    assert key.key_id == key_id_of(key.public_hex)
    assert Keyring(tmp_path).key("WS02").key_id != key.key_id


def test_a_signature_verifies_only_for_its_hash_and_its_key(tmp_path):
    key, other = Keyring(tmp_path).key("WS01"), Keyring(tmp_path).key("WS02")
    digest = "ab" * 32
    signature = key.sign(digest)
    assert verify(key.public_hex, signature, digest)
    assert not verify(key.public_hex, signature, "cd" * 32)
    assert not verify(other.public_hex, signature, digest)
    assert not verify(key.public_hex, None, digest)
    assert not verify(key.public_hex, "zz", digest)


def test_a_replaced_key_keeps_the_old_file_beside_it(tmp_path):
    keys = Keyring(tmp_path)
    old = keys.key("WS01")
    new = keys.replace("WS01")
    assert new.key_id != old.key_id
    assert (tmp_path / "keys" / f"WS01.{old.key_id}.revoked").exists()
    assert Keyring(tmp_path).key("WS01").key_id == new.key_id
