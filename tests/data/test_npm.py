"""Tests for kgan.data._npm, the npm helpers of the emoji and OpenMoji data."""

import os

import pytest

from kgan.data import _npm


@pytest.fixture
def kgan_home(tmp_path, monkeypatch):
    home = tmp_path / "kgan_home"
    monkeypatch.setenv("KGAN_HOME", str(home))
    monkeypatch.delenv("KGAN_TEST_PACKAGE_DIR", raising=False)
    return home


def test_install_command_and_shell_quoting(kgan_home):
    prefix = os.path.join(str(kgan_home), "npm")
    assert _npm.npm_prefix() == prefix
    command = _npm.install_command("left-pad", "1.3.0")
    assert command == [
        "npm", "install", "--no-audit", "--no-fund", "--prefix", prefix,
        "left-pad@1.3.0",
    ]
    assert _npm.shell_command(["npm", "--prefix", "/my dir", "a'b"]) == (
        "npm --prefix \"/my dir\" \"a'b\""
    )


def test_package_dir_resolution(tmp_path, kgan_home, monkeypatch):
    default = kgan_home / "npm" / "node_modules" / "left-pad"
    assert _npm.npm_package_dir("left-pad", "KGAN_TEST_PACKAGE_DIR") == str(default)
    monkeypatch.setenv("KGAN_TEST_PACKAGE_DIR", str(tmp_path / "env"))
    assert _npm.npm_package_dir("left-pad", "KGAN_TEST_PACKAGE_DIR") == str(
        tmp_path / "env"
    )
    assert _npm.npm_package_dir(
        "left-pad", "KGAN_TEST_PACKAGE_DIR", tmp_path / "arg"
    ) == str(tmp_path / "arg")


def test_install_without_npm(kgan_home, monkeypatch):
    monkeypatch.setattr(_npm.shutil, "which", lambda name: None)
    with pytest.raises(FileNotFoundError, match="(?s)needs `npm`.*npm install --no-"):
        _npm.install_npm_package("left-pad", "1.3.0")
    assert not (kgan_home / "npm").exists()


def test_install_runs_npm_and_reports_failure(kgan_home, monkeypatch):
    calls = []

    class Result:
        returncode = 0
        stdout = stderr = ""

    def fake_run(command, **kwargs):
        calls.append(command)
        return Result()

    monkeypatch.setattr(_npm.shutil, "which", lambda name: "/usr/bin/npm")
    monkeypatch.setattr(_npm.subprocess, "run", fake_run)
    path = _npm.install_npm_package("left-pad", " 1.3.0 ")
    prefix = os.path.join(str(kgan_home), "npm")
    assert calls[0] == ["/usr/bin/npm", "install", "--no-audit", "--no-fund",
                        "--prefix", prefix, "left-pad@1.3.0"]
    assert path == os.path.join(prefix, "node_modules", "left-pad")
    assert os.path.isdir(prefix)
    Result.returncode, Result.stderr = 1, "npm error code E404"
    with pytest.raises(RuntimeError, match="exit status 1:\nnpm error code E404"):
        _npm.install_npm_package("left-pad", "99.0.0")
    with pytest.raises(ValueError, match="`version`.*'1.0.0'.*None"):
        _npm.install_npm_package("left-pad", None)
    assert _npm.check_version(" 2 ", "1.0.0") == "2"
