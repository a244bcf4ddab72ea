"""Verified, cached, atomic downloads through `keras.utils.get_file`."""

import hashlib
import os
import urllib.parse

import keras


def cache_dir():
    """kgan's cache folder: `$KGAN_HOME`, else `~/.cache/kgan`."""
    return os.environ.get("KGAN_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache", "kgan"
    )


def sha256_of(path):
    """The hex sha256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def hash_matches(path, sha256):
    """Whether a file's sha256 is `sha256`, or starts with it (a prefix of at
    least 8 hex digits, as torch hub file names carry); None matches anything."""
    if sha256 is None:
        return True
    if len(sha256) < 8:
        raise ValueError(f"Expected a sha256 or a prefix of >= 8 hex digits. Received: {sha256!r}")
    return sha256_of(path).startswith(sha256.lower())


class DownloadError(OSError):
    """A file could not be fetched or failed its checksum."""


def fetch(url, sha256, subdir="downloads", fname=None):
    """Returns the local path of `url`, downloading it once into the cache.

    The file is written under a temporary name, checked against `sha256`,
    then renamed into place: a cut transfer or a wrong file leaves nothing in
    the cache. A cached file is re-checked on every call.

    Args:
        url: `http(s)://` or `file://` address.
        sha256: the expected hex digest, or its first 8+ digits (None skips
            the check).
        subdir: folder under `cache_dir()`.
        fname: the cached file's name (default: the URL's last part).

    Returns:
        The path of the verified file.

    Raises:
        DownloadError: no connection (the message says where to put the file
            by hand), or a checksum mismatch (the bad file is removed).
    """
    fname = fname or os.path.basename(urllib.parse.urlsplit(url).path)
    directory = os.path.join(cache_dir(), subdir)
    os.makedirs(directory, exist_ok=True)
    target = os.path.join(directory, fname)
    if os.path.exists(target):
        if hash_matches(target, sha256):
            return target
        os.remove(target)
    partial = f"{fname}.part-{os.getpid()}"
    partial_path = os.path.join(directory, partial)
    try:
        keras.utils.get_file(
            partial, origin=url, cache_dir=directory, cache_subdir="", force_download=True
        )
    except BaseException as error:
        if os.path.exists(partial_path):
            os.remove(partial_path)
        if isinstance(error, KeyboardInterrupt):
            raise
        raise DownloadError(
            f"Could not download {url} ({error}). Without a network, fetch the "
            f"file elsewhere and put it at {target} (sha256 {sha256})."
        ) from error
    if not hash_matches(partial_path, sha256):
        actual = sha256_of(partial_path)
        os.remove(partial_path)
        raise DownloadError(
            f"Checksum mismatch for {url}: expected sha256 {sha256}, received "
            f"{actual}. The bad file was removed; nothing was cached."
        )
    os.replace(partial_path, target)
    return target
