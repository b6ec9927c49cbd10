"""Auth strategies: Basic by default, bearer, legacy tokens only for <= v2.10, lock-out safety."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from primero_helpers import BASE, make_client

from cpcase.adapters.primero import (
    ApiRequest,
    ApiResponse,
    BasicAuth,
    BearerAuth,
    FakePrimero,
    LegacyTokenAuth,
    MockTransport,
    PrimeroAuthError,
    PrimeroClient,
    PrimeroProtocolError,
    Secret,
    read_password,
    supports_legacy_tokens,
)
from cpcase.adapters.primero.auth import parse_version


def test_basic_header_sent(fake: FakePrimero) -> None:
    seen: list[ApiRequest] = []

    def spy(request: ApiRequest) -> ApiResponse:
        seen.append(request)
        return fake(request)

    client = PrimeroClient(
        base_url=BASE,
        auth=BasicAuth("cpcase-svc", "fake-primero-only"),
        transport=MockTransport(spy),
    )
    assert client.system_version() == "2.15.2.1"
    assert seen[0].header("Authorization") == "Basic Y3BjYXNlLXN2YzpmYWtlLXByaW1lcm8tb25seQ=="


def test_refused_credentials_latch_and_never_hit_the_server_again(fake: FakePrimero) -> None:
    client = make_client(fake, auth=BasicAuth("cpcase-svc", "wrong"))
    for _ in range(10):
        with pytest.raises(PrimeroAuthError):
            client.list_cases()
    assert fake.counters["failed_logins"] == 1  # not retried, then refused locally
    assert fake.counters["requests"] == 1


def test_latch_can_be_reset_after_fixing(fake: FakePrimero) -> None:
    auth = BasicAuth("cpcase-svc", "wrong")
    client = make_client(fake, auth=auth)
    with pytest.raises(PrimeroAuthError):
        client.list_cases()
    assert auth.failed
    auth.reset()
    with pytest.raises(PrimeroAuthError, match="HTTP 401"):
        client.list_cases()  # sent again after an explicit reset
    assert fake.counters["failed_logins"] == 2


def test_fake_locks_the_account_after_six_failures(fake: FakePrimero) -> None:
    for _ in range(6):
        with pytest.raises(PrimeroAuthError):
            make_client(fake, auth=BasicAuth("cpcase-svc", "wrong")).list_cases()
    good = make_client(fake)
    with pytest.raises(PrimeroAuthError, match="locked"):
        good.list_cases()


def test_bearer_token(fake: FakePrimero) -> None:
    idp = FakePrimero(bearer_tokens={"idp-token-1": "cpcase-svc"})
    ok = make_client(idp, auth=BearerAuth("idp-token-1"))
    assert ok.list_cases().total == 0
    bad = make_client(idp, auth=BearerAuth("nope"))
    with pytest.raises(PrimeroAuthError):
        bad.list_cases()
    assert "idp-token-1" not in repr(BearerAuth("idp-token-1"))


def test_legacy_token_login_reused_and_refreshed_once() -> None:
    fake = FakePrimero(version="2.10.7")
    client = make_client(fake, auth=LegacyTokenAuth(*fake.credentials))
    client.list_cases()
    client.list_cases()
    logins = [r for r in fake.log if r.path == "/api/v2/tokens"]
    assert len(logins) == 1  # one login, token reused
    fake.expire_tokens()
    client.list_cases()  # 401 -> one fresh login -> replay
    logins = [r for r in fake.log if r.path == "/api/v2/tokens"]
    assert len(logins) == 2
    assert [r.status for r in fake.log[-3:]] == [401, 200, 200]


def test_legacy_login_refused_is_never_retried() -> None:
    fake = FakePrimero(version="2.10.7")
    auth = LegacyTokenAuth("cpcase-svc", "wrong")
    client = make_client(fake, auth=auth)
    for _ in range(3):
        with pytest.raises(PrimeroAuthError):
            client.list_cases()
    assert fake.counters["failed_logins"] == 1


def test_legacy_login_on_v211_gives_no_token() -> None:
    fake = FakePrimero(version="2.15.2.1")
    client = make_client(fake, auth=LegacyTokenAuth(*fake.credentials))
    with pytest.raises(PrimeroProtocolError, match=r"v2\.11"):
        client.list_cases()


@pytest.mark.parametrize(
    ("version", "legacy"),
    [("2.10.7", True), ("2.9", True), ("2.11.0-rc2", False), ("2.15.2.1", False), ("v3.0", False)],
)
def test_version_detection(version: str, *, legacy: bool) -> None:
    assert supports_legacy_tokens(version) is legacy


def test_parse_version_rejects_garbage() -> None:
    with pytest.raises(ValueError, match="no version"):
        parse_version("unknown")


def test_password_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CPCASE_TEST_PW", "s3cret")
    secret = read_password(env="CPCASE_TEST_PW")
    assert secret.reveal() == "s3cret"
    assert "s3cret" not in repr(secret) + str(secret)
    monkeypatch.delenv("CPCASE_TEST_PW")
    with pytest.raises(PrimeroAuthError, match="CPCASE_TEST_PW") as info:
        read_password(env="CPCASE_TEST_PW")
    assert "s3cret" not in str(info.value)


@pytest.mark.skipif(os.name != "posix", reason="file permission bits are POSIX-only")
def test_password_file_must_be_private(tmp_path: Path) -> None:
    path = tmp_path / "pw"
    path.write_text("file-secret\nignored\n", encoding="utf-8")
    path.chmod(0o644)
    with pytest.raises(PrimeroAuthError, match="chmod 600"):
        read_password(file=path)
    path.chmod(0o600)
    assert read_password(file=path).reveal() == "file-secret"
    with pytest.raises(ValueError, match="exactly one"):
        read_password()
    with pytest.raises(PrimeroAuthError, match="cannot read"):
        read_password(file=tmp_path / "missing")


def test_secret_is_opaque() -> None:
    s = Secret("x")
    assert f"{s}" == "Secret('***')"
    assert bool(s)
    assert not Secret("")
