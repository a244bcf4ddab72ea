"""`kgan serve`: the Girl Friend Factory page, a local web demo of a tag-conditioned preset.

One page (`kgan/serve_page.html`, no external assets) and a JSON API:

- `GET /api/info`: the preset, its tag groups `{group: [value, ...]}` and the limits.
- `POST /api/generate {"n", "seed", "tags"}`: n faces with seeds seed, seed + 1, ...
  (seed left out: a random one), each `{"seed", "tags", "image"}`; `tags` lists
  every group, the ones left out drawn from the face's seed.
- `POST /api/vary {"seed", "tag_sets"}`, `POST /api/morph {"seed", "from", "to",
  "steps"}`, `POST /api/blend {"seeds", "weights", "tags"}`: `{"images": [...]}`.
- `GET /api/face.png?seed=S&tags=a,b`: one face as a PNG file.

Images are PNG data URLs. One face is one seed: every face is generated alone
(`generate(1, seed=s, tags=...)`), so a seed and its tags give the same bytes
whichever request or batch it came in. Requests are handled in threads; model
calls run one at a time under a lock. A bad request gets HTTP 400 (an unknown
path 404, a wrong method 405) with `{"error": "..."}`.
"""

import base64
import contextlib
import io
import json
import secrets
import sys
import threading
import traceback
import urllib.parse
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from importlib import resources

import numpy as np

from kgan.images import save_image

MAX_IMAGES = 64  # per request: faces, tag sets, morph steps, blended seeds
MAX_SEED = 2**53 - 1  # JavaScript's Number.MAX_SAFE_INTEGER
MAX_BODY_BYTES = 1 << 16


def png_bytes(image):
    """Encodes a uint8 image `[H, W, C]` as PNG bytes."""
    buffer = io.BytesIO()
    save_image(buffer, image)
    return buffer.getvalue()


def data_url(image):
    """A uint8 image `[H, W, C]` as a `data:image/png;base64,...` URL."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(image)).decode("ascii")


def _integer(params, key, low, high, default=None):
    value = params.get(key, default)
    if value is None:
        raise ValueError(f"Missing `{key}`: an integer in [{low}, {high}].")
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"Expected `{key}` as an integer in [{low}, {high}]. Received: {value!r}")
    return value


def _items(params, key, low=1, high=MAX_IMAGES):
    value = params.get(key)
    if not isinstance(value, list) or not low <= len(value) <= high:
        raise ValueError(f"Expected `{key}` as a list of {low} to {high} items. Received: {value!r}")
    return value


class Studio:
    """The model behind the page: checked requests in, PNG images out, one model call at a time.

    Args:
        model: a `ConditionalGAN` with grouped tags (`"group:value"` names).
        name: the preset's name, shown on the page.
    """

    def __init__(self, model, name=""):
        if getattr(model, "tag_groups", None) is None:
            raise ValueError(
                f"Expected a tag-conditioned model with grouped tags ('group:value', e.g. "
                f"cgan_avatars_64). Received: {name or type(model).__name__} has "
                f"tags {list(getattr(model, 'tag_names', None) or [])[:5]}"
            )
        self.model, self.name = model, name
        self.lock = threading.Lock()
        self.page = resources.files("kgan").joinpath("serve_page.html").read_bytes()
        with self.lock:  # JAX compiles on the first call: before the first request
            model.generate(1, seed=0)

    def _run(self, method, *args, **kwargs):
        with self.lock:
            return getattr(self.model, method)(*args, **kwargs)

    def _tags(self, value, key="tags"):
        if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
            raise ValueError(f"Expected `{key}` as a list of tag names. Received: {value!r}")
        groups = self.model.tag_groups
        for tag in value:
            group = tag.split(":", 1)[0]
            if ":" in tag and group not in groups:
                raise ValueError(
                    f"Unknown tag group {group!r} in `{key}` ({tag!r}). Groups: {list(groups)}"
                )
        self.model.encode_tags(value)  # unknown tags: a ValueError with suggestions
        return value

    def _faces(self, seeds, tags):
        """One face per seed, each generated alone: `{"seed", "tags" (all groups), "image"}`."""
        with self.lock:
            images = [self.model.generate(1, seed=seed, tags=tags)[0] for seed in seeds]
        faces = []
        for seed, image in zip(seeds, images):
            row = self.model.complete_tags(self.model.encode_tags(tags), seed)[0]
            names = [self.model.tag_names[i] for i in np.flatnonzero(row)]
            faces.append({"seed": seed, "tags": names, "image": image})
        return faces

    def page_html(self, params):
        return "text/html; charset=utf-8", self.page

    def info(self, params):
        return {
            "preset": self.name,
            "groups": {
                group: [self.model.tag_names[i].split(":", 1)[1] for i in columns]
                for group, columns in self.model.tag_groups.items()
            },
            "image_shape": list(self.model.image_shape),
            "max_images": MAX_IMAGES,
        }

    def generate(self, params):
        n = _integer(params, "n", 1, MAX_IMAGES, default=8)
        seed = _integer(params, "seed", 0, MAX_SEED - n + 1, default=secrets.randbelow(2**31))
        tags = self._tags(params.get("tags", []))
        faces = self._faces(range(seed, seed + n), tags)
        return {"seed": seed, "faces": [{**face, "image": data_url(face["image"])} for face in faces]}

    def face_png(self, params):
        """`GET /api/face.png?seed=S&tags=a,b`: the query's strings parsed first."""
        seed = params.get("seed", "")
        tags = [tag.strip() for tag in params.get("tags", "").split(",") if tag.strip()]
        seed = int(seed) if seed.isdigit() else seed or None
        [face] = self._faces([_integer({"seed": seed}, "seed", 0, MAX_SEED)], self._tags(tags))
        return "image/png", png_bytes(face["image"])

    def vary(self, params):
        seed = _integer(params, "seed", 0, MAX_SEED)
        tag_sets = [self._tags(tags, "tag_sets") for tags in _items(params, "tag_sets")]
        return self._images(self._run("vary_tags", seed, tag_sets, batch_size=1))

    def morph(self, params):
        seed = _integer(params, "seed", 0, MAX_SEED)
        start, end = (self._tags(params.get(key), key) for key in ("from", "to"))
        steps = _integer(params, "steps", 2, MAX_IMAGES, default=8)
        return self._images(self._run("morph", seed, start, end, steps, batch_size=1))

    def blend(self, params):
        seeds = [_integer({"seed": s}, "seed", 0, MAX_SEED) for s in _items(params, "seeds")]
        weights = _items(params, "weights")
        if not all(isinstance(w, (int, float)) and not isinstance(w, bool) for w in weights):
            raise ValueError(f"Expected `weights` as numbers. Received: {weights!r}")
        tags = self._tags(params.get("tags", []))
        return self._images(self._run("blend", seeds, weights, tags))

    def _images(self, images):
        return {"images": [data_url(image) for image in images]}


ROUTES = {  # path: (method, Studio method)
    "/": ("GET", "page_html"),
    "/api/info": ("GET", "info"),
    "/api/face.png": ("GET", "face_png"),
    "/api/generate": ("POST", "generate"),
    "/api/vary": ("POST", "vary"),
    "/api/morph": ("POST", "morph"),
    "/api/blend": ("POST", "blend"),
}


class _HTTPError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class _Handler(BaseHTTPRequestHandler):
    server_version = "kgan"

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def _dispatch(self, method):
        url = urllib.parse.urlsplit(self.path)
        try:
            if url.path not in ROUTES:
                raise _HTTPError(404, f"No such page or endpoint: {url.path}")
            expected, name = ROUTES[url.path]
            if method != expected:
                raise _HTTPError(405, f"{url.path} takes {expected}, not {method}")
            params = self._body() if method == "POST" else dict(urllib.parse.parse_qsl(url.query))
            result = getattr(self.server.studio, name)(params)
        except _HTTPError as error:
            return self._json(error.status, {"error": str(error)})
        except ValueError as error:  # checks here and the model's own (unknown tags, weights)
            return self._json(400, {"error": str(error)})
        except Exception as error:
            traceback.print_exc()
            return self._json(500, {"error": f"{type(error).__name__}: {error}"})
        if isinstance(result, dict):
            return self._json(200, result)
        self._send(200, *result)

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            raise _HTTPError(400, f"Request body of {length} bytes; at most {MAX_BODY_BYTES}")
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError as error:
            raise _HTTPError(400, f"Malformed JSON body: {error}")
        if not isinstance(body, dict):
            raise _HTTPError(400, f"Expected a JSON object. Received: {type(body).__name__}")
        return body

    def _json(self, status, payload):
        self._send(status, "application/json", json.dumps(payload).encode())

    def _send(self, status, content_type, body):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        if self.server.verbose:
            super().log_message(format, *args)


class FaceServer(ThreadingHTTPServer):
    """The page's HTTP server: one thread per request, a `Studio` behind it.

    Args:
        model: a `ConditionalGAN` with grouped tags.
        host: the address to listen on.
        port: the port (0: a free one, see `url`).
        name: the preset's name, shown on the page.
        verbose: log each request to stderr.
    """

    daemon_threads = True
    request_queue_size = 128  # many clients connecting at once

    def __init__(self, model, host="127.0.0.1", port=0, name="", verbose=False):
        self.studio = Studio(model, name)
        self.verbose = verbose
        super().__init__((host, port), _Handler)

    @property
    def url(self):
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"


@contextlib.contextmanager
def running(model, host="127.0.0.1", port=0, name=""):
    """A `FaceServer` serving from a background thread, stopped on exit.

    Example:
    >>> with running(kgan.zoo.load("cgan_avatars_64")) as server:
    ...     urllib.request.urlopen(server.url + "api/info").read()
    """
    server = FaceServer(model, host, port, name)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def serve(model, host="127.0.0.1", port=8000, name=""):
    """Serves the page until Ctrl+C (the `kgan serve` command)."""
    with FaceServer(model, host, port, name, verbose=True) as server:
        print(f"Serving {name or 'the model'} at {server.url} (Ctrl+C to stop)", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            print("Stopped.", file=sys.stderr)
