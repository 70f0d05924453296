"""The EQ-5D-5L value set the web app computes the index with: configured by a setting, read once at start-up, a
file that cannot be used stops it with the setting named."""

from __future__ import annotations

from pathlib import Path

import pytest

from sijpath.errors import SijpathError
from sijpath.wiring.server import load_eq5d_value_set, settings_from
from tests.outcomes.conftest import INVENTED_VALUE_SET


def test_the_variable_names_the_value_set_file_and_start_up_loads_it(tmp_path: Path) -> None:
    path = tmp_path / "value-set.toml"
    path.write_text(INVENTED_VALUE_SET, encoding="utf-8")
    settings = settings_from({"SIJPATH_EQ5D_VALUE_SET": str(path)}, data_dir=tmp_path)
    assert settings.eq5d_value_set == path
    loaded = load_eq5d_value_set(settings.eq5d_value_set)
    assert loaded is not None
    assert loaded.id == "invented-test"


def test_no_setting_means_no_value_set() -> None:
    assert load_eq5d_value_set(None) is None


def test_a_missing_file_is_refused_naming_the_setting(tmp_path: Path) -> None:
    with pytest.raises(SijpathError, match="eq5d_value_set: cannot read"):
        load_eq5d_value_set(tmp_path / "absent.toml")


def test_a_value_set_with_a_bad_decrement_is_refused_naming_the_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(INVENTED_VALUE_SET.replace("mobility = [0, 0.05", "mobility = [0, 'x'"), encoding="utf-8")
    with pytest.raises(SijpathError) as caught:
        load_eq5d_value_set(path)
    assert "mobility" in str(caught.value)
