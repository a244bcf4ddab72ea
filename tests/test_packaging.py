"""A non-editable install carries the presets, the FID classifiers and the facesjs script."""

import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_wheel_install_loads_a_bundled_preset(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
         "-q", "-w", str(tmp_path / "wheel")],
        check=True, capture_output=True,
    )
    (wheel,) = (tmp_path / "wheel").glob("kgan-*.whl")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(tmp_path / "site"), str(wheel)],
        check=True, capture_output=True,
    )
    script = (
        "import kgan, os, sys; "
        "assert kgan.__file__.startswith(sys.argv[1]), kgan.__file__; "
        "from kgan.zoo import registry; "
        "names = registry.bundled_names(); assert 'dcgan_fashion_mnist' in names, names; "
        "print(kgan.zoo.load('dcgan_fashion_mnist').generate(2, seed=0).shape); "
        "kgan.metrics.fashion_mnist_features()"
    )
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "site"))
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "site")],
        cwd=tmp_path, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "(2, 28, 28, 1)" in result.stdout
    # kgan.data.aging_faces runs this node script from the installed package.
    assert (tmp_path / "site" / "kgan" / "data" / "aging_faces.mjs").is_file()
    # `kgan serve` reads its page from the installed package.
    assert (tmp_path / "site" / "kgan" / "serve_page.html").is_file()
