"""The named presets: bundled with kgan, or converted from third-party weights."""

import importlib.resources

# Bundled presets live in kgan/presets/<name>/ (small weights, shipped in the
# wheel). Converted presets name their source and the converter that turns it
# into a kgan preset once, into the cache.
CONVERTED = {
    "dcgan_digiface_64": {
        "family": "DCGAN",
        "resolution": [64, 64, 3],
        "data": "DigiFace1M synthetic faces (Microsoft; research-only data licence)",
        "license": "MIT (weights, PyPI gan-face-generate 1.1.1)",
        "source": {
            "pypi": "gan-face-generate==1.1.1",
            "module": "gan_face_generate",
            "file": "gan_face_generate/weights.tar",
            "sha256": "0c3b90b138cfc4e8a73310b9fd5ce2a8f1f3a542a037de277412307fcd28771f",
        },
        "converter": "gan_face_generate",
    },
}


def bundled_root():
    """The folder of the presets shipped inside the kgan package."""
    return importlib.resources.files("kgan") / "presets"


def bundled_names():
    root = bundled_root()
    if not root.is_dir():
        return []
    return sorted(
        entry.name
        for entry in root.iterdir()
        if entry.is_dir() and (entry / "metadata.json").is_file()
    )


def names():
    """Every preset name, sorted."""
    return sorted(set(bundled_names()) | set(CONVERTED))
