"""Downloads against a local HTTP server on 127.0.0.1 and file:// URLs."""

import hashlib
import http.server
import os
import threading

import pytest

from kgan.zoo import DownloadError
from kgan.zoo import fetch

PAYLOAD = os.urandom(200_000)
SHA = hashlib.sha256(PAYLOAD).hexdigest()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        self.server.requests.append(self.path)
        if self.path == "/file.bin":
            self.send_response(200)
            self.send_header("Content-Length", str(len(PAYLOAD)))
            self.end_headers()
            self.wfile.write(PAYLOAD)
        elif self.path == "/cut.bin":  # announces everything, sends half, hangs up
            self.send_response(200)
            self.send_header("Content-Length", str(len(PAYLOAD)))
            self.end_headers()
            self.wfile.write(PAYLOAD[: len(PAYLOAD) // 2])
            self.wfile.flush()
            self.close_connection = True
        else:
            self.send_error(404)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.requests = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KGAN_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


def url(server, path):
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


def files_in(folder):
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


def test_first_download_then_cache_hit_with_the_server_gone(server, cache):
    address = url(server, "/file.bin")
    path = fetch(address, SHA)
    with open(path, "rb") as file:
        assert file.read() == PAYLOAD
    server.shutdown()
    server.server_close()
    assert fetch(address, SHA) == path  # no server: served from the cache
    assert server.requests == ["/file.bin"]


def test_hash_mismatch_leaves_nothing(server, cache):
    with pytest.raises(DownloadError, match=f"expected sha256 {'0' * 64}, received {SHA}.*removed"):
        fetch(url(server, "/file.bin"), "0" * 64)
    assert files_in(cache) == []


def test_cut_transfer_leaves_nothing(server, cache):
    with pytest.raises(DownloadError, match="cut.bin"):
        fetch(url(server, "/cut.bin"), SHA)
    assert files_in(cache) == []


def test_no_network_says_where_to_put_the_file(cache):
    address = "http://127.0.0.1:9/weights.h5"  # discard port: connection refused
    with pytest.raises(DownloadError) as error:
        fetch(address, SHA)
    message = str(error.value)
    assert address in message
    assert os.path.join(str(cache), "downloads", "weights.h5") in message


def test_a_bad_cached_file_is_fetched_again(server, cache):
    address = url(server, "/file.bin")
    path = fetch(address, SHA)
    with open(path, "wb") as file:
        file.write(b"corrupt")
    assert open(fetch(address, SHA), "rb").read() == PAYLOAD
    assert len(server.requests) == 2


def test_file_urls(tmp_path):
    source = tmp_path / "local.bin"
    source.write_bytes(PAYLOAD)
    path = fetch(source.as_uri(), SHA, fname="copy.bin")
    assert open(path, "rb").read() == PAYLOAD
