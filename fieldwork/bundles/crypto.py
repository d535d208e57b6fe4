"""The cryptographic primitives bundles and key files use, all from ``cryptography``.

Nothing here is home-made: AES-256-GCM seals each entry (confidentiality and
integrity in one), RSA-OAEP with SHA-256 wraps a bundle's fresh AES key for the
inspectorate, Ed25519 signs, and scrypt turns a passphrase into a key. This
module only fixes the parameters and the byte layouts, so every caller uses them
the same way.
"""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # GCM's standard nonce; random, and a key never seals more than a few entries
SALT_BYTES = 16
RSA_BITS = 3072  # NIST's 128-bit security level, matching AES-256's margin for the next decades

#: scrypt's cost for passphrases: N=2**17, r=8, p=1 (OWASP's recommendation), about 0.7 s and
#: 128 MiB here. A reader accepts only what Fieldwork writes: r and p exactly, N a power of two
#: between the bounds (tests write the cheapest), checked before scrypt runs.
SCRYPT_N = 2**17
SCRYPT_R = 8
SCRYPT_P = 1
SCRYPT_N_MIN = 2**14
SCRYPT_N_MAX = 2**17

PublicKey = rsa.RSAPublicKey | ed25519.Ed25519PublicKey
PrivateKey = rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey

__all__ = [
    "InvalidSignature",
    "InvalidTag",
    "b64",
    "unb64",
    "new_key",
    "seal",
    "unseal",
    "wrap_key",
    "unwrap_key",
    "derive_key",
    "check_scrypt_cost",
    "sign",
    "verify",
    "fingerprint",
    "public_pem",
    "load_public_pem",
    "private_der",
    "load_private_der",
    "new_signing_key",
    "new_encryption_key",
]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    """Strict base64; ValueError on anything else."""
    return base64.b64decode(text.encode("ascii"), validate=True)


def new_key() -> bytes:
    """A fresh random AES-256 key."""
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """AES-256-GCM: a random nonce followed by the ciphertext and its tag."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def unseal(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    """Open what ``seal`` made; ``InvalidTag`` if the key, the data or the AAD differ."""
    if len(sealed) < NONCE_BYTES + 16:
        raise InvalidTag
    return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)


_OAEP = padding.OAEP(
    mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None
)


def wrap_key(public_key: rsa.RSAPublicKey, key: bytes) -> bytes:
    return public_key.encrypt(key, _OAEP)


def unwrap_key(private_key: rsa.RSAPrivateKey, wrapped: bytes) -> bytes:
    """ValueError if the wrapped key was not made for this private key."""
    return private_key.decrypt(wrapped, _OAEP)


def check_scrypt_cost(n: object, r: object, p: object) -> None:
    """ValueError unless (n, r, p) is a cost Fieldwork writes: at most 128 MiB and a second."""
    valid = (
        type(n) is int
        and SCRYPT_N_MIN <= n <= SCRYPT_N_MAX
        and n & (n - 1) == 0
        and r == SCRYPT_R
        and p == SCRYPT_P
    )
    if not valid:
        raise ValueError(
            f"asks for scrypt cost N={n}, r={r}, p={p}; Fieldwork writes only N between "
            f"2^14 and 2^17 with r={SCRYPT_R}, p={SCRYPT_P}, so it was not run"
        )


def derive_key(
    passphrase: str, salt: bytes, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P
) -> bytes:
    """An AES-256 key from a passphrase, through scrypt (only at a cost Fieldwork writes)."""
    check_scrypt_cost(n, r, p)
    return Scrypt(salt=salt, length=KEY_BYTES, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def sign(private_key: ed25519.Ed25519PrivateKey, data: bytes) -> bytes:
    return private_key.sign(data)


def verify(public_key: ed25519.Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


def fingerprint(public_key: PublicKey) -> str:
    """SHA-256 of the key's DER SubjectPublicKeyInfo, in hex: the key's id everywhere."""
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def public_pem(public_key: PublicKey) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def load_public_pem(text: str) -> PublicKey:
    """ValueError if the text is not an RSA or Ed25519 public key."""
    key = serialization.load_pem_public_key(text.encode("ascii"))
    if not isinstance(key, rsa.RSAPublicKey | ed25519.Ed25519PublicKey):
        raise ValueError(f"unsupported key type {type(key).__name__}")
    return key


def private_der(private_key: PrivateKey) -> bytes:
    """Unencrypted PKCS#8 DER: only ever stored sealed."""
    return private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_private_der(der: bytes) -> PrivateKey:
    key = serialization.load_der_private_key(der, password=None)
    if not isinstance(key, rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey):
        raise ValueError(f"unsupported key type {type(key).__name__}")
    return key


def new_signing_key() -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.generate()


def new_encryption_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
