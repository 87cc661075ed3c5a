"""A data directory or storage root that is a file is a clear setting error, exit 2 (issue 11)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.config import load_settings
from core.errors import ConfigError
from tests.support.common import REPO


@pytest.mark.parametrize("name", ["data_dir", "storage_root"])
def test_a_folder_setting_that_is_a_file_names_the_setting(tmp_path: Path, name: str) -> None:
    afile = tmp_path / "not-a-folder"
    afile.write_text("x")
    kw = {"data_dir": tmp_path / "data"} | {name: afile}
    with pytest.raises(ConfigError) as err:
        load_settings(**kw)
    assert f"bad setting '{name}' [TALVIX_{name.upper()}]" in str(err.value)
    assert "is a file, not a folder" in str(err.value)


def test_cli_with_a_data_dir_that_is_a_file_exits_2_with_one_line(tmp_path: Path) -> None:
    afile = tmp_path / "data"
    afile.write_text("x")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALVIX_")}
    env |= {"TALVIX_DATA_DIR": str(afile), "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-m", "cli.main", "status"], env=env, capture_output=True, text=True,
                         timeout=60, cwd=str(tmp_path))
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        f"talvix: error: bad setting 'data_dir' [TALVIX_DATA_DIR]: {afile} is a file, not a folder "
        "(point it at a folder; a missing one is created)"]
