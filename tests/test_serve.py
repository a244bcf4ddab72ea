"""The JSON API of `kgan serve` over HTTP: every endpoint, its 400s, and many clients at once."""

import base64
import io
import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from PIL import Image

import kgan
from kgan import serve

PRESET = "cgan_avatars_64"


@pytest.fixture(scope="module")
def model():
    return kgan.zoo.load(PRESET)


@pytest.fixture(scope="module")
def url(model):
    with serve.running(model, name=PRESET) as server:
        yield server.url


def request(url, path, body=None):
    """`(status, payload)` of a GET, or a POST of `body` (JSON-encoded unless bytes)."""
    data = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
    try:
        response = urllib.request.urlopen(urllib.request.Request(url + path.lstrip("/"), data=data))
    except urllib.error.HTTPError as error:
        response = error
    with response:
        content = response.read()
        is_json = response.headers["Content-Type"] == "application/json"
        return response.status, json.loads(content) if is_json else content


def pixels(png):
    """A PNG (bytes or data URL) as a uint8 array `[H, W, 3]`."""
    if isinstance(png, str):
        png = base64.b64decode(png.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(png)))


def test_page_is_one_self_contained_file(url):
    status, page = request(url, "/")
    assert status == 200
    assert b"Girl Friend Factory" in page
    for external in (b"http:", b"https:", b" src=", b"@import"):
        assert external not in page


def test_info_lists_the_tag_groups(url, model):
    status, info = request(url, "/api/info")
    assert status == 200
    assert info["preset"] == PRESET and info["image_shape"] == [64, 64, 3]
    assert [f"{g}:{v}" for g, values in info["groups"].items() for v in values] == list(model.tag_names)


def test_generate_gives_one_face_per_seed(url, model):
    tags = ["hair_color:blonde", "sunglasses"]
    status, result = request(url, "/api/generate", {"n": 3, "seed": 40, "tags": tags})
    assert status == 200
    faces = result["faces"]
    assert [f["seed"] for f in faces] == [40, 41, 42]
    for face in faces:
        assert "hair_color:blonde" in face["tags"] and "glasses:sunglasses" in face["tags"]
        assert len(face["tags"]) == len(model.tag_groups)  # every group: the rest from the seed
    np.testing.assert_array_equal(pixels(faces[1]["image"]), model.generate(1, seed=41, tags=tags)[0])
    # The same face alone, again, by its full tags and as a PNG file: the same bytes.
    _, alone = request(url, "/api/generate", {"n": 1, "seed": 41, "tags": tags})
    _, by_full_tags = request(url, "/api/generate", {"n": 1, "seed": 41, "tags": faces[1]["tags"]})
    assert alone["faces"][0]["image"] == by_full_tags["faces"][0]["image"] == faces[1]["image"]
    status, png = request(url, f"/api/face.png?seed=41&tags={','.join(faces[1]['tags'])}")
    assert status == 200 and png == base64.b64decode(faces[1]["image"].split(",", 1)[1])


def test_generate_without_a_seed_draws_one(url):
    status, result = request(url, "/api/generate", {"n": 2})
    assert status == 200 and [f["seed"] for f in result["faces"]] == [result["seed"], result["seed"] + 1]


def test_vary_morph_and_blend_are_the_models(url, model):
    tag_sets = [["blonde"], ["black", "sunglasses"]]
    _, varied = request(url, "/api/vary", {"seed": 3, "tag_sets": tag_sets})
    _, morphed = request(url, "/api/morph", {"seed": 3, "from": ["blonde"], "to": ["pink"], "steps": 3})
    _, blended = request(url, "/api/blend", {"seeds": [3, 9], "weights": [0.7, 0.3], "tags": ["red"]})
    for result, expected in (
        (varied, model.vary_tags(3, tag_sets, batch_size=1)),
        (morphed, model.morph(3, ["blonde"], ["pink"], steps=3, batch_size=1)),
        (blended, model.blend([3, 9], [0.7, 0.3], ["red"])),
    ):
        np.testing.assert_array_equal(np.stack([pixels(i) for i in result["images"]]), expected)


BAD_REQUESTS = {
    "unknown tag": ("/api/generate", {"tags": ["hair_color:rainbow"]}, "rainbow"),
    "unknown tag group": ("/api/generate", {"tags": ["hat:red"]}, "Unknown tag group 'hat'"),
    "tags not a list": ("/api/generate", {"tags": "blonde"}, "list of tag names"),
    "n too large": ("/api/generate", {"n": serve.MAX_IMAGES + 1}, "`n`"),
    "n zero": ("/api/generate", {"n": 0}, "`n`"),
    "seed not an integer": ("/api/generate", {"seed": "abc"}, "`seed`"),
    "seed a float": ("/api/generate", {"seed": 1.5}, "`seed`"),
    "seed a bool": ("/api/generate", {"seed": True}, "`seed`"),
    "seed negative": ("/api/generate", {"seed": -1}, "`seed`"),
    "malformed JSON": ("/api/generate", b"{nope", "Malformed JSON"),
    "JSON not an object": ("/api/generate", [1, 2], "JSON object"),
    "vary without tag sets": ("/api/vary", {"seed": 1}, "`tag_sets`"),
    "vary bad tag set": ("/api/vary", {"seed": 1, "tag_sets": [["blonde"], "x"]}, "`tag_sets`"),
    "morph one step": ("/api/morph", {"seed": 1, "from": [], "to": [], "steps": 1}, "`steps`"),
    "morph no end": ("/api/morph", {"seed": 1, "from": []}, "`to`"),
    "blend weights per seed": ("/api/blend", {"seeds": [1, 2], "weights": [1]}, "one weight per seed"),
    "blend negative weight": ("/api/blend", {"seeds": [1, 2], "weights": [1, -1]}, "non-negative"),
    "blend weight not a number": ("/api/blend", {"seeds": [1, 2], "weights": [1, "x"]}, "numbers"),
    "png seed not an integer": ("/api/face.png?seed=abc", None, "`seed`"),
    "png without seed": ("/api/face.png?tags=blonde", None, "Missing `seed`"),
    "png unknown tag": ("/api/face.png?seed=1&tags=blnde", None, "blonde"),
}


@pytest.mark.parametrize("case", BAD_REQUESTS, ids=list(BAD_REQUESTS))
def test_a_bad_request_is_a_400_with_a_message(url, case):
    path, body, message = BAD_REQUESTS[case]
    status, result = request(url, path, body)
    assert status == 400
    assert message in result["error"]


def test_unknown_paths_and_wrong_methods(url):
    assert request(url, "/nowhere") == (404, {"error": "No such page or endpoint: /nowhere"})
    assert request(url, "/api/nowhere", {})[0] == 404
    assert request(url, "/api/generate")[0] == 405
    assert request(url, "/api/info", {})[0] == 405


def test_still_serving_after_errors(url):
    for path, body, _ in BAD_REQUESTS.values():
        request(url, path, body)
    status, result = request(url, "/api/generate", {"n": 1, "seed": 0})
    assert status == 200 and len(result["faces"]) == 1


def test_fifty_concurrent_generate_requests(url):
    def generate(i):
        return request(url, "/api/generate", {"n": 1, "seed": i % 5, "tags": ["blonde"]})

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(generate, range(50)))
    assert [status for status, _ in results] == [200] * 50
    images = [result["faces"][0]["image"] for _, result in results]
    assert all(images[i] == images[i % 5] for i in range(50))  # the same seed, the same bytes

