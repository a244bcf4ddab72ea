"""npm packages installed into kgan's cache folder (the emoji and OpenMoji data).

Nothing is downloaded from Python unless asked: `install_npm_package` runs
`npm install --no-audit --no-fund --prefix <cache>/npm <package>@<version>`,
and `npm_package_dir` finds a package that is already there (or elsewhere).
"""

import os
import shutil
import subprocess


def kgan_cache_dir():
    """kgan's cache folder, `kgan.zoo.download.cache_dir()`."""
    # Imported here: kgan.zoo imports models, which may import kgan.data.
    from kgan.zoo.download import cache_dir

    return cache_dir()


def npm_prefix():
    """The npm `--prefix` kgan installs packages under: `<cache>/npm`."""
    return os.path.join(kgan_cache_dir(), "npm")


def installed_dir(package):
    """Where `install_npm_package` puts `package`: `<prefix>/node_modules/<package>`."""
    return os.path.join(npm_prefix(), "node_modules", package)


def install_command(package, version):
    """The npm command (a list) that installs `package@version` under `npm_prefix()`."""
    return [
        "npm",
        "install",
        "--no-audit",
        "--no-fund",
        "--prefix",
        npm_prefix(),
        f"{package}@{version}",
    ]


def shell_command(command):
    """Joins a command for a message, double-quoting the parts a shell would split."""
    return " ".join(
        f'"{part}"' if any(c in part for c in " '\"") else part for part in command
    )


def npm_package_dir(package, env_var, package_dir=None):
    """The package directory: `package_dir`, else `$env_var`, else the cache's.

    The directory is not checked; the loaders do that.
    """
    if package_dir is not None:
        return os.fspath(package_dir)
    from_env = os.environ.get(env_var)
    if from_env:
        return from_env
    return installed_dir(package)


def check_version(version, example):
    """Returns `version` stripped; raises ValueError unless it is a non-empty str."""
    if not isinstance(version, str) or not version.strip():
        raise ValueError(
            "Argument `version` must be a non-empty str such as "
            f"{example!r}; received {version!r}."
        )
    return version.strip()


def install_npm_package(package, version):
    """Runs `install_command(package, version)`; returns the installed directory.

    Raises:
        ValueError: if `version` is not a non-empty str.
        FileNotFoundError: if `npm` is not on the PATH; the message gives the
            command to run once Node.js is installed.
        RuntimeError: if npm fails; the message holds the end of its output.
    """
    command = install_command(package, check_version(version, "1.0.0"))
    npm = shutil.which("npm")
    if npm is None:
        raise FileNotFoundError(
            f"Installing the {package} npm package needs `npm` (Node.js) "
            "on the PATH, which was not found. Install Node.js, then run:\n"
            f"    {shell_command(command)}"
        )
    os.makedirs(npm_prefix(), exist_ok=True)
    result = subprocess.run(
        [npm] + command[1:], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        output = (result.stderr or result.stdout or "").strip()[-2000:]
        raise RuntimeError(
            f"`{shell_command(command)}` failed with exit status "
            f"{result.returncode}:\n{output}"
        )
    return installed_dir(package)
