"""Each workstation's Ed25519 key: it signs every audit event the workstation appends.

The private key lives in the workstation's data folder (folder 0700, file 0600), never
in the database, so someone with full SQL access but without the key cannot forge or
rewrite an event: `check` verifies the signatures against the public keys the chains
enrolled. A key is created the first time a workstation id needs one; the command line
and the window find it the same way, so scripts keep working unchanged.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

KEY_FOLDER = "keys"


@dataclass(frozen=True)
class WorkstationKey:
    """A workstation's signing key and the id its events name it by."""

    workstation: str
    private: Ed25519PrivateKey
    public_hex: str

    @property
    def key_id(self) -> str:
        return key_id_of(self.public_hex)

    def sign(self, digest: str) -> str:
        """The signature (hex) over an event's hash."""
        return self.private.sign(digest.encode("ascii")).hex()


def key_id_of(public_hex: str) -> str:
    """A short, stable name for a public key: the first 16 bytes of its SHA-256."""
    return hashlib.sha256(bytes.fromhex(public_hex)).hexdigest()[:32]


def verify(public_hex: str, signature_hex: str | None, digest: str) -> bool:
    """Whether `signature_hex` is the key's signature over the event hash `digest`."""
    if not signature_hex:
        return False
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex))
        key.verify(bytes.fromhex(signature_hex), digest.encode("ascii"))
    except (InvalidSignature, ValueError):
        return False
    return True


class Keyring:
    """The keys kept in one data folder, one per workstation id, loaded once per process."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._keys: dict[str, WorkstationKey] = {}
        self.enrolled: set[tuple[str, str, str]] = set()  # (database, workstation, key id)

    def path(self, workstation: str) -> Path:
        return self.folder / KEY_FOLDER / f"{workstation}.ed25519"

    def key(self, workstation: str) -> WorkstationKey:
        """The workstation's key, created (and kept private) the first time it is needed."""
        if workstation not in self._keys:
            self._keys[workstation] = _load_or_create(self.path(workstation), workstation)
        return self._keys[workstation]

    def replace(self, workstation: str) -> WorkstationKey:
        """A new key for the workstation (its old one was revoked); the old file is kept
        beside it, renamed, so nothing it signed becomes unverifiable."""
        old = self.key(workstation)
        path = self.path(workstation)
        os.replace(path, path.with_name(f"{workstation}.{old.key_id}.revoked"))
        self._keys.pop(workstation)
        return self.key(workstation)


def _load_or_create(path: Path, workstation: str) -> WorkstationKey:
    if not path.exists():
        _create(path)
    private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(private, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 key")
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return WorkstationKey(workstation, private, public.hex())


def _create(path: Path) -> None:
    """Write a new key without ever replacing one: of two processes racing, one key wins."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.chmod(temporary, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pem)
        with suppress(FileExistsError):  # another process made the key first: keep it
            os.link(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
