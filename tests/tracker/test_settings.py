"""Settings: defaults, precedence (init > env > .env > defaults), nesting, errors, redaction."""

from __future__ import annotations

from pathlib import Path

import pytest

from studies.settings import DEFAULT_STUDY_STORAGE, load_settings
from tracker import SettingsError, load_tracker_settings
from tracker.settings import DEFAULT_POINTS_PER_METRIC, DEFAULT_TRACKING_URI


def test_defaults_are_the_embedded_stores() -> None:
    settings = load_settings()
    assert settings.tracking.uri == DEFAULT_TRACKING_URI == "sqlite:///mlruns/mlflow.db"
    assert settings.studies.storage == DEFAULT_STUDY_STORAGE == "sqlite:///mlruns/studies.db"
    assert settings.steps.points_per_metric == DEFAULT_POINTS_PER_METRIC


def test_prepare_local_stores_is_relative_to_the_working_directory(tmp_path: Path) -> None:
    load_settings().prepare_local_stores()
    assert (tmp_path / "mlruns").is_dir()
    assert (tmp_path / "mlruns" / "artifacts").is_dir()


def test_env_with_prefix_and_nesting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUNETRACK_TRACKING__URI", "http://127.0.0.1:5000")
    monkeypatch.setenv("TUNETRACK_STEPS__POINTS_PER_METRIC", "123")
    settings = load_settings()
    assert settings.tracking.uri == "http://127.0.0.1:5000"
    assert settings.steps.points_per_metric == 123


def test_dotenv_is_read_and_env_beats_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("TUNETRACK_STUDIES__COST_RATE=2.5\nTUNETRACK_STEPS__FLUSH_INTERVAL_S=7\n")
    assert load_settings().studies.cost_rate == 2.5
    monkeypatch.setenv("TUNETRACK_STUDIES__COST_RATE", "4")
    settings = load_settings()
    assert settings.studies.cost_rate == 4.0
    assert settings.steps.flush_interval_s == 7.0


def test_init_beats_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUNETRACK_STUDIES__COST_RATE", "4")
    assert load_settings(studies={"cost_rate": 9.0}).studies.cost_rate == 9.0


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("TUNETRACK_STEPS__POINTZ", "3", "steps.pointz: unknown field"),
        ("TUNETRACK_STEPS__POINTS_PER_METRIC", "3", "steps.points_per_metric: Input should be greater than or equal to 10"),
        ("TUNETRACK_TRACKING__URI", "ftp://x", "tracking.uri"),
        ("TUNETRACK_STUDIES__STORAGE", "redis://x", "studies.storage"),
        ("TUNETRACK_STUDIES__COST_RATE", "-1", "studies.cost_rate"),
    ],
)
def test_bad_values_name_the_field(monkeypatch: pytest.MonkeyPatch, key: str, value: str, expected: str) -> None:
    monkeypatch.setenv(key, value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert expected in str(info.value)


def test_unknown_section_fails_loudly() -> None:
    with pytest.raises(SettingsError, match="trackin: unknown field"):
        load_settings(trackin={"uri": "sqlite:///x.db"})


def test_secrets_never_reach_a_dump(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUNETRACK_TRACKING__AWS_SECRET_ACCESS_KEY", "hunter2")
    settings = load_settings()
    assert settings.tracking.aws_secret_access_key.get_secret_value() == "hunter2"
    assert "hunter2" not in repr(settings)
    assert "hunter2" not in str(settings.redacted())


def test_tracker_root_alone_reads_its_sections_and_leaves_the_rest_of_a_shared_dotenv(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("TUNETRACK_STUDIES__COST_RATE=2.5\nTUNETRACK_STEPS__FLUSH_INTERVAL_S=7\n")
    settings = load_tracker_settings()
    assert settings.steps.flush_interval_s == 7.0
    assert not hasattr(settings, "studies")


def test_tracker_root_alone_still_refuses_unknown_fields_of_its_sections(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("TUNETRACK_STEPS__POINTZ=3\n")
    with pytest.raises(SettingsError, match="steps.pointz: unknown field"):
        load_tracker_settings()


def test_full_root_refuses_an_unknown_section_in_dotenv(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("TUNETRACK_STUDIEZ__COST_RATE=2.5\n")
    with pytest.raises(SettingsError, match="unknown field"):
        load_settings()
