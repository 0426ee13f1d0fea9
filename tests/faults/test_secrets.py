"""A secret corpus never reaches any output or store: CLI output, logs, MCP results, MLflow, Optuna, artefacts.

Secrets: the PostgreSQL password in the study storage URL, an API key an objective's kwargs
reference as `${ENV}`, a password inside a URL in an objective's error message, an S3 secret
key in the settings. After a real study (CLI), status/list/best (CLI, JSON), a refused URL and
an MCP-style `start_study`, every byte of the stores, artefacts, logs and captured outputs is
searched for each secret.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.faults.conftest import Cli

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(300)]

PASSWORD = "S3cretPW9x"
API_KEY = "SECRETVALUE7q"
URL_PASSWORD = "URLPW4kk"
AWS_SECRET = "AKIAsecret55"
SECRETS = (PASSWORD, API_KEY, URL_PASSWORD, AWS_SECRET)


def _with_password(url: str) -> str:
    scheme, rest = url.split("://", 1)
    user_host = rest.split("@", 1)
    return f"{scheme}://{user_host[0]}:{PASSWORD}@{user_host[1]}"


def test_no_secret_reaches_any_output_or_store(tmp_path: Path, postgres_url: str) -> None:
    storage = _with_password(postgres_url)  # trust auth on 127.0.0.1: the password is accepted, unused
    cli = Cli(tmp_path, env={
        "TUNETRACK_STUDIES__STORAGE": storage,
        "TUNETRACK_TRACKING__AWS_SECRET_ACCESS_KEY": AWS_SECRET,
        "TT_FAULTS_API_KEY": API_KEY,
    })
    spec = {
        "name": "secrets",
        "objective": {"function": "tests.faults._objectives:with_secret",
                      "kwargs": {"auth": {"api_key": "${TT_FAULTS_API_KEY}"},
                                 "fail_url": f"https://bot:{URL_PASSWORD}@api.example.com/v1"}},
        "space": {"x": {"type": "float", "low": 0.0, "high": 1.0}},
        "sampler": {"type": "random", "seed": 1},
        "budget": {"n_trials": 4},
        "retries": 0,
    }
    # a literal secret in the kwargs is refused without being echoed
    literal = tmp_path / "literal.yaml"
    literal.write_text(yaml.safe_dump({**spec, "objective": {**spec["objective"], "kwargs": {
        "auth": {"api_key": API_KEY}}}}))
    # the URL in fail_url holds a password too: refused as a literal secret, so pass it by reference
    spec["objective"]["kwargs"]["fail_url"] = "${TT_FAULTS_FAIL_URL}"
    cli.env["TT_FAULTS_FAIL_URL"] = f"https://bot:{URL_PASSWORD}@api.example.com/v1"
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec))

    outputs = []
    for args in (["study", "start", str(literal)], ["study", "start", str(path)], ["study", "status", "secrets"],
                 ["study", "status", "secrets", "--json"], ["study", "list", "--json"], ["study", "best", "secrets"],
                 ["runs", "--json"]):
        done = cli.run(*args)
        outputs.append(done.stdout + done.stderr)
        assert "Traceback" not in done.stderr, done.stderr
    assert "kwargs.auth.api_key" in outputs[0]  # refused, field named
    refused = Cli(tmp_path, env={"TUNETRACK_STUDIES__STORAGE": storage.replace("postgresql", "postgres")})
    done = refused.run("study", "list")
    assert done.returncode != 0 and "studies.storage" in done.stderr
    outputs.append(done.stdout + done.stderr)

    # the agent tool returns the storage URL: masked
    import os

    from studies.agent import start_study
    from studies.settings import load_settings

    os.environ["TUNETRACK_STUDIES__STORAGE"] = storage
    try:
        settings = load_settings(agent={"allowed_objectives": ["*"]}).resolved()
        answer = start_study(name="secrets", n_trials=4, settings=settings)  # target reached: nothing to run
    finally:
        del os.environ["TUNETRACK_STUDIES__STORAGE"]
    outputs.append(answer.model_dump_json())
    assert answer.ok, answer.text
    from studies.runner import pid_alive
    from tests.faults.conftest import wait_for

    wait_for(lambda: not pid_alive(answer.result.runner_pid), 120, "the detached runner to finish")

    haystacks: dict[str, bytes] = {f"output {k}": text.encode() for k, text in enumerate(outputs)}
    for file in tmp_path.rglob("*"):
        if file.is_file() and file.suffix != ".yaml":  # the spec files the test wrote are inputs
            haystacks[str(file)] = file.read_bytes()
    import sqlalchemy

    engine = sqlalchemy.create_engine(postgres_url)
    with engine.connect() as connection:
        for table in ("study_user_attributes", "study_system_attributes", "trial_user_attributes",
                      "trial_system_attributes", "trial_params", "studies"):
            rows = connection.exec_driver_sql(f"SELECT * FROM {table}").fetchall()
            haystacks[f"postgres {table}"] = json.dumps([list(map(str, r)) for r in rows]).encode()
    engine.dispose()
    assert any(b"cannot reach" in h for h in haystacks.values())  # the failing trial's message was stored...
    leaks = [(where, secret) for where, blob in haystacks.items() for secret in SECRETS if secret.encode() in blob]
    assert leaks == []  # ...masked, like every other secret
