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
    # The authors' release (Google Drive folder of tkarras/progressive_growing_of_gans).
    # Its sha256 is not published and the file could not be fetched here: the
    # converter records the hash it read in the preset's metadata.
    "progan_celebahq_1024": {
        "family": "ProGAN",
        "resolution": [1024, 1024, 3],
        "data": "CelebA-HQ (Karras et al. 2018), 30,000 faces",
        "license": "CC BY-NC 4.0 (weights, NVIDIA)",
        "published": "FID about 7.8 (StyleGAN paper, table 1, config A)",
        "source": {
            "url": "https://drive.usercontent.google.com/download?id=188K19ucknC6wg1R6jbuPEhTq9zoufOx4&export=download&confirm=t",
            "file": "karras2018iclr-celebahq-1024x1024.pkl",
            "sha256": None,
        },
        "converter": "progan_official",
    },
    # pytorch_GAN_zoo's torch hub files: the name carries the first 8 hex
    # digits of the sha256 (torch hub's check_hash), which is what is checked.
    "progan_celebahq_512": {
        "family": "ProGAN",
        "resolution": [512, 512, 3],
        "data": "CelebA-HQ (Karras et al. 2018), 30,000 faces",
        "license": "BSD-3-Clause (pytorch_GAN_zoo weights, Facebook Research)",
        "source": {
            "url": "https://dl.fbaipublicfiles.com/gan_zoo/PGAN/celebaHQ16_december_s7_i96000-9c72988c.pth",
            "file": "celebaHQ16_december_s7_i96000-9c72988c.pth",
            "sha256": "9c72988c",
        },
        "converter": "progan_pgan_zoo",
    },
    "progan_celebahq_256": {
        "family": "ProGAN",
        "resolution": [256, 256, 3],
        "data": "CelebA-HQ (Karras et al. 2018), 30,000 faces",
        "license": "BSD-3-Clause (pytorch_GAN_zoo weights, Facebook Research)",
        "source": {
            "url": "https://dl.fbaipublicfiles.com/gan_zoo/PGAN/celebaHQ_s6_i80000-6196db68.pth",
            "file": "celebaHQ_s6_i80000-6196db68.pth",
            "sha256": "6196db68",
        },
        "converter": "progan_pgan_zoo",
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
