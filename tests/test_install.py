"""A real wheel install: the package must carry everything it needs (templates included),
not find it through this checkout."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from brochure.paths import PROJECT_ROOT
from tests.conftest import OFFICE_FILES


def test_a_wheel_install_builds_with_its_own_templates(tmp_path):
    source = tmp_path / "src"
    for name in ("brochure", "templates"):
        shutil.copytree(
            PROJECT_ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
        )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(PROJECT_ROOT / name, source / name)
    wheels, site = tmp_path / "wheels", tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(wheels), str(source)], check=True)
    (wheel,) = wheels.glob("brochure-*.whl")
    subprocess.run([*pip, "install", "--no-deps", "--target", str(site), str(wheel)], check=True)

    # A folder with words but no templates, far from this checkout.
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(PROJECT_ROOT / "content.yml", work)
    shutil.copytree(PROJECT_ROOT / "translations", work / "translations")
    # -S: no site-packages processing, so the editable install of this checkout is not seen;
    # the dependencies come from this environment's site-packages, brochure from the wheel.
    env = {"PYTHONPATH": f"{site}:{sysconfig.get_paths()['purelib']}", "PATH": "/usr/bin:/bin"}
    code = (
        "import sys, brochure.paths as p, brochure.cli as c; "
        "print(p.default_templates(p.Path('content.yml'))); "
        "sys.exit(c.main(['build', '--out', 'out', '--workers', '1']))"
    )
    result = subprocess.run(
        [sys.executable, "-S", "-c", code], cwd=work, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    templates = Path(result.stdout.splitlines()[0])
    assert templates == site / "brochure" / "templates"
    assert (templates / "css" / "trifold.css").is_file()
    assert len(list((work / "out").rglob("*.pdf"))) == OFFICE_FILES
    assert (work / "out" / "index.html").is_file()
