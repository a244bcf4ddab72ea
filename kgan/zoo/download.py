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


class DownloadError(OSError):
    """A file could not be fetched or failed its checksum."""


def fetch(url, sha256, subdir="downloads", fname=None):
    """Returns the local path of `url`, downloading it once into the cache.

    The file is written under a temporary name, checked against `sha256`,
    then renamed into place: a cut transfer or a wrong file leaves nothing in
    the cache. A cached file is re-checked on every call.

    Args:
        url: `http(s)://` or `file://` address.
        sha256: the expected hex digest (None skips the check).
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
        if sha256 is None or sha256_of(target) == sha256:
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
    actual = sha256_of(partial_path)
    if sha256 is not None and actual != sha256:
        os.remove(partial_path)
        raise DownloadError(
            f"Checksum mismatch for {url}: expected sha256 {sha256}, received "
            f"{actual}. The bad file was removed; nothing was cached."
        )
    os.replace(partial_path, target)
    return target
