"""`crosspost auth CHANNEL` end to end over the sandbox: each network's sign-in in a real
process, its prompts answered on stdin, the test playing the browser; what lands in
the secret store, what the ledger records, and that no secret is ever printed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from helpers import X_CREDS, run, write_config
from signing import (
    Signing,
    browse,
    no_secret_in,
    recorded_accounts,
    stored_env,
    stored_team,
)


@pytest.fixture(autouse=True)
def environment_kept() -> Any:
    """An in-process `publish` reads HOME/env into os.environ: the next test's
    `crosspost auth` process must not inherit what this one stored."""
    import os

    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def auth(config: Path, sandbox: Any, channel: str, *args: str) -> Signing:
    return Signing("-c", config, "auth", channel, "--sandbox", sandbox.url, "--no-browser", *args)


# -- X: the PIN flow --------------------------------------------------------------------


def test_x_pin_flow_stores_the_four_keys_and_records_the_account(
    tmp_path: Path, sandbox: Any, isolated_home: Path
) -> None:
    config = write_config(tmp_path, "  x:\n    network: twitter\n" + X_CREDS)
    before = config.read_text()
    signing = auth(config, sandbox, "x")
    signing.expect(r"consumer key\) \(not shown\): ")
    signing.answer("ck-typed-11111111")
    signing.expect(r"API key secret \(not shown\): ")
    signing.answer("cs-typed-22222222")
    url = signing.url()
    assert re.match(rf"^{re.escape(sandbox.url)}/oauth/authenticate\?oauth_token=", url)
    # She clicks "Authorize app"; X shows the PIN.
    status, _, page = browse(url + "&answer=allow")
    assert status == 200
    pin = re.search(r'<code id="pin">(\d{7})</code>', page).group(1)  # type: ignore[union-attr]
    signing.expect(r"the PIN X shows: ")
    signing.answer(pin)
    code, out, err = signing.finish()
    assert code == 0, err
    assert "channel x now posts as @sandbox_0000777" in err
    assert "stored in HOME/env" in err
    stored = stored_env(isolated_home)
    assert stored["X_KEY"] == "ck-typed-11111111"
    assert stored["X_SECRET"] == "cs-typed-22222222"
    assert stored["X_TOKEN"].startswith("1500000000000000777-")
    assert len(stored["X_TOKEN_SECRET"]) > 20
    no_secret_in((out, err), stored.values())
    assert config.read_text() == before  # channels.yaml is never written
    account = recorded_accounts(isolated_home)["x"]
    assert (account.network, account.account) == ("twitter", "@sandbox_0000777")
    assert account.account_id == "1500000000000000777"
    # The stored token posts: publish reads it from HOME/env.
    from helpers import write_post

    result = run("-c", config, "publish", "--sandbox", sandbox.url, write_post(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert sandbox.posts("twitter")[0]["account"] == stored["X_TOKEN"]


def test_x_cancel_or_a_wrong_pin_stores_nothing(
    tmp_path: Path, sandbox: Any, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("X_KEY", "ck-env-33333333")
    monkeypatch.setenv("X_SECRET", "cs-env-44444444")
    config = write_config(tmp_path, "  x:\n    network: twitter\n" + X_CREDS)
    signing = auth(config, sandbox, "x")
    url = signing.url()  # the app keys came from the environment: not asked
    browse(url + "&answer=deny")
    signing.expect(r"the PIN X shows: ")
    signing.answer("1234567")
    code, out, err = signing.finish()
    assert code == 1
    assert err.count("error:") == 1 and "X refused the PIN" in err
    assert "nothing was stored" in err
    assert stored_env(isolated_home) == {}
    no_secret_in((out, err), ["ck-env-33333333", "cs-env-44444444"])


def test_x_that_does_not_answer_the_pin_exchange_times_out(
    tmp_path: Path, sandbox: Any, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("X_KEY", "ck-env-33333333")
    monkeypatch.setenv("X_SECRET", "cs-env-44444444")
    config = write_config(tmp_path, "  x:\n    network: twitter\n    timeout: 1\n" + X_CREDS)
    signing = auth(config, sandbox, "x")
    url = signing.url()
    pin = re.search(r'<code id="pin">(\d{7})</code>', browse(url + "&answer=allow")[2])
    assert pin is not None
    sandbox.latency("twitter", 4)  # X takes the request and says nothing for 4 s
    signing.expect(r"the PIN X shows: ")
    signing.answer(pin.group(1))
    code, _, err = signing.finish()
    assert code == 1
    assert "X did not answer within 1 s" in err and "nothing was stored" in err
    assert stored_env(isolated_home) == {}


# -- LinkedIn: authorization code through the local redirect ------------------------------

LI = (
    "  li:\n    network: linkedin\n    author: urn:li:organization:42\n"
    "    credentials:\n      access_token: ${LI_TOKEN}\n"
)
APP = {"LINKEDIN_CLIENT_ID": "li-app-55555555", "LINKEDIN_CLIENT_SECRET": "li-secret-66666666"}


def _query(url: str) -> dict[str, str]:
    from urllib.parse import parse_qs, urlsplit

    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_linkedin_redirect_stores_token_and_refresh_token_then_refresh_renews(
    tmp_path: Path, sandbox: Any, isolated_home: Path
) -> None:
    config = write_config(tmp_path, LI)
    signing = auth(config, sandbox, "li")
    signing.expect(r"Client ID: ")  # public: it is in the address the browser opens
    signing.answer(APP["LINKEDIN_CLIENT_ID"])
    signing.expect(r"Client Secret \(not shown\): ")
    signing.answer(APP["LINKEDIN_CLIENT_SECRET"])
    url = signing.url()
    asked = _query(url)
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/callback", asked["redirect_uri"])
    assert asked["scope"] == "w_organization_social r_organization_social"
    # The browser: LinkedIn's page redirects to the local listener, which answers it.
    status, landed, page = browse(url)
    assert status == 200 and landed.startswith(asked["redirect_uri"]) and "Signed in" in page
    code, out, err = signing.finish()
    assert code == 0, err
    # As LinkedIn names it (GET /rest/organizations/42), checked live before storing.
    assert "channel li now posts as Sandbox Org 42 (urn:li:organization:42)" in err
    stored = stored_env(isolated_home)
    assert stored["LI_TOKEN"].startswith("AQV")
    assert stored["LI_TOKEN_REFRESH"].startswith("AQX")
    assert {k: stored[k] for k in APP} == APP
    from datetime import UTC, datetime, timedelta

    ends = (datetime.now(UTC) + timedelta(days=60)).date().isoformat()
    assert f"`token_expires: {ends}` under channel li in channels.yaml (line 2)" in err
    no_secret_in((out, err), [v for k, v in stored.items() if k != "LINKEDIN_CLIENT_ID"])
    assert (
        recorded_accounts(isolated_home)["li"].account == "Sandbox Org 42 (urn:li:organization:42)"
    )

    # --refresh: no browser, no question (the app keys and refresh token are stored).
    code, out, err = auth(config, sandbox, "li", "--refresh").finish()
    assert code == 0, err
    renewed = stored_env(isolated_home)
    assert renewed["LI_TOKEN"] != stored["LI_TOKEN"] and renewed["LI_TOKEN"].startswith("AQV")
    assert renewed["LI_TOKEN_REFRESH"] == stored["LI_TOKEN_REFRESH"]
    assert "open this address" not in err
    no_secret_in((out, err), [v for k, v in renewed.items() if k != "LINKEDIN_CLIENT_ID"])


def _li_started(
    tmp_path: Path, sandbox: Any, monkeypatch: pytest.MonkeyPatch, *args: str
) -> tuple[Signing, str]:
    for name, value in APP.items():
        monkeypatch.setenv(name, value)
    signing = auth(write_config(tmp_path, LI), sandbox, "li", *args)
    return signing, signing.url()


def test_linkedin_a_token_of_another_member_is_refused(
    tmp_path: Path, sandbox: Any, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """She signs in to LinkedIn as herself for a channel that posts as her colleague:
    the live check after the sign-in compares the token's member with `author`."""
    for name, value in APP.items():
        monkeypatch.setenv(name, value)
    sandbox.memory("linkedin")["member"] = {"sub": "AbC123", "name": "Claire Martin"}
    config = write_config(tmp_path, LI.replace("urn:li:organization:42", "urn:li:person:XyZ789"))
    signing = auth(config, sandbox, "li")
    url = signing.url()
    assert _query(url)["scope"] == "openid profile w_member_social"
    browse(url)
    code, _, err = signing.finish()
    assert code == 1
    assert "member urn:li:person:AbC123's, but the channel posts as urn:li:person:XyZ789" in err
    assert "nothing was stored" in err and stored_env(isolated_home) == {}


def test_linkedin_state_mismatch_exits_2_and_stores_nothing(
    tmp_path: Path, sandbox: Any, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    signing, url = _li_started(tmp_path, sandbox, monkeypatch)
    callback = _query(url)["redirect_uri"]
    status, _, page = browse(f"{callback}?code=forged-code&state=not-the-one")
    assert status == 400 and "not for the sign-in" in page
    code, _, err = signing.finish()
    assert code == 2
    assert err.count("error:") == 1
    assert "the sign-in answer did not match this request (state mismatch)" in err
    assert "crosspost auth li" in err
    assert stored_env(isolated_home) == {}
    assert "li" not in recorded_accounts(isolated_home)


def test_linkedin_cancel_is_a_refused_sign_in(
    tmp_path: Path, sandbox: Any, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    signing, url = _li_started(tmp_path, sandbox, monkeypatch)
    status, _, page = browse(url + "&answer=deny")
    assert status == 200 and "refused" in page
    code, _, err = signing.finish()
    assert code == 1
    assert "sign-in was refused" in err and err.count("error:") == 1
    assert stored_env(isolated_home) == {}


def test_linkedin_no_redirect_times_out(
    tmp_path: Path, sandbox: Any, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    signing, _ = _li_started(tmp_path, sandbox, monkeypatch, "--wait", "1")
    code, _, err = signing.finish()  # she closed the browser: nothing comes back
    assert code == 1
    assert "no answer from the browser within 1 s" in err and err.count("error:") == 1
    assert stored_env(isolated_home) == {}


def test_linkedin_app_without_refresh_tokens(
    tmp_path: Path, sandbox: Any, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINKEDIN_CLIENT_ID", "basic-app-77777777")
    monkeypatch.setenv("LINKEDIN_CLIENT_SECRET", "li-secret-88888888")
    config = write_config(tmp_path, LI)
    signing = auth(config, sandbox, "li")
    browse(signing.url())
    code, _, err = signing.finish()
    assert code == 0, err
    assert "LinkedIn gave no refresh token" in err
    assert set(stored_env(isolated_home)) == {"LI_TOKEN"}  # the app keys were not typed
    code, _, err = auth(config, sandbox, "li", "--refresh").finish()
    assert code == 2 and "has no refresh token stored (LI_TOKEN_REFRESH)" in err


def test_a_channel_without_the_reference_says_which_line_to_add(
    tmp_path: Path, sandbox: Any, isolated_home: Path
) -> None:
    config = write_config(
        tmp_path, "  li:\n    network: linkedin\n    author: urn:li:organization:42\n"
    )
    result = run("-c", config, "auth", "li", "--sandbox", sandbox.url, "--no-browser")
    assert result.exit_code == 2
    # channels.yaml's own check names the line, before anything is asked.
    assert "channels.yaml:2: channels.li.credentials: missing access_token" in result.stderr
    assert stored_env(isolated_home) == {}


# -- Facebook: a user token made long-lived, then the Page's token --------------------------

FB = (
    "  fb:\n    network: facebook\n    page_id: '111'\n"
    "    credentials:\n      page_token: ${FB_TOKEN}\n"
)


def _facebook(tmp_path: Path, sandbox: Any, page: str) -> tuple[int, str, str, Path]:
    config = write_config(tmp_path, FB)
    signing = auth(config, sandbox, "fb")
    signing.expect(r"App ID: ")
    signing.answer("123456789")
    signing.expect(r"App secret \(not shown\): ")
    signing.answer("fb-app-secret-99999999")
    signing.expect(r"user access token \(not shown\): ")
    signing.answer("EAAuser-token-10101010")
    signing.expect(r"the Page this channel posts to \(1-2\): ")
    signing.answer(page)
    code, out, err = signing.finish()
    return code, out, err, config


def _page_tokens(sandbox: Any) -> dict[str, str]:
    return dict(sandbox._store.memory("facebook")["page_tokens"])


def test_facebook_exchange_and_page_choice_store_the_page_token(
    tmp_path: Path, sandbox: Any, isolated_home: Path
) -> None:
    code, out, err, config = _facebook(tmp_path, sandbox, "1")
    assert code == 0, err
    assert "1. École Sandbox (Page 111)" in err and "2. Robotics Lab (Page 222)" in err
    assert "channel fb now posts as Page École Sandbox" in err
    stored = stored_env(isolated_home)
    assert _page_tokens(sandbox)[stored["FB_TOKEN"]] == "111"
    assert stored["FACEBOOK_APP_ID"] == "123456789"
    assert stored["FACEBOOK_APP_SECRET"] == "fb-app-secret-99999999"
    # No Page's token, nor the user's, nor the app secret is ever shown.
    no_secret_in(
        (out, err), [*_page_tokens(sandbox), "EAAuser-token-10101010", "fb-app-secret-99999999"]
    )
    account = recorded_accounts(isolated_home)["fb"]
    assert (account.account, account.account_id) == ("Page École Sandbox", "111")
    from helpers import write_post

    result = run("-c", config, "publish", "--sandbox", sandbox.url, write_post(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert sandbox.posts("facebook")[0]["account"] == "111"


def test_facebook_token_for_the_wrong_page_exits_2_and_stores_nothing(
    tmp_path: Path, sandbox: Any, isolated_home: Path
) -> None:
    code, out, err, _ = _facebook(tmp_path, sandbox, "2")
    assert code == 2
    assert err.count("error:") == 1
    assert "Robotics Lab (Page 222) is not the Page of channel fb (page_id 111)" in err
    assert "nothing was stored" in err
    assert stored_env(isolated_home) == {}
    assert "fb" not in recorded_accounts(isolated_home)
    no_secret_in((out, err), [*_page_tokens(sandbox), "fb-app-secret-99999999"])


# -- Mastodon: the app registered on the instance, then authorization code ----------------


def test_mastodon_registers_the_app_and_stores_the_token(
    tmp_path: Path, sandbox: Any, isolated_home: Path
) -> None:
    config = write_config(
        tmp_path,
        f"  toot:\n    network: mastodon\n    api_url: {sandbox.url}\n"
        "    credentials:\n      access_token: ${MASTODON_TOKEN}\n",
    )
    signing = auth(config, sandbox, "toot")
    url = signing.url()
    asked = _query(url)
    assert url.startswith(f"{sandbox.url}/oauth/authorize?")
    assert asked["scope"] == "write:statuses write:media read:statuses read:accounts"
    status, landed, _ = browse(url)
    assert status == 200 and landed.startswith(asked["redirect_uri"])
    code, out, err = signing.finish()
    assert code == 0, err
    host = sandbox.url.removeprefix("http://")
    assert f"channel toot now posts as @crosspost@{host}" in err
    stored = stored_env(isolated_home)
    assert set(stored) == {"MASTODON_TOKEN"}
    no_secret_in((out, err), stored.values())
    assert recorded_accounts(isolated_home)["toot"].account == f"@crosspost@{host}"


def test_mastodon_denied_stores_nothing(tmp_path: Path, sandbox: Any, isolated_home: Path) -> None:
    config = write_config(
        tmp_path,
        f"  toot:\n    network: mastodon\n    api_url: {sandbox.url}\n"
        "    credentials:\n      access_token: ${MASTODON_TOKEN}\n",
    )
    signing = auth(config, sandbox, "toot")
    browse(signing.url() + "&answer=deny")
    code, _, err = signing.finish()
    assert code == 1 and "sign-in was refused" in err
    assert stored_env(isolated_home) == {}


# -- Bluesky: an app password, never the account's own ---------------------------------------

BSKY = (
    "  bsky:\n    network: bluesky\n    handle: school.bsky.social\n"
    "    credentials:\n      app_password: ${BSKY_APP_PASSWORD}\n"
)


def test_bluesky_app_password_is_checked_with_a_session_and_stored(
    tmp_path: Path, sandbox: Any, isolated_home: Path
) -> None:
    config = write_config(tmp_path, BSKY)
    signing = auth(config, sandbox, "bsky")
    signing.expect(r"the app password \(not shown\): ")
    signing.answer("abcd-efgh-ijkl-mnop")
    code, out, err = signing.finish()
    assert code == 0, err
    assert re.search(r"channel bsky now posts as @school\.bsky\.social \(did:plc:\w+\)", err)
    assert stored_env(isolated_home) == {"BSKY_APP_PASSWORD": "abcd-efgh-ijkl-mnop"}
    no_secret_in((out, err), ["abcd-efgh-ijkl-mnop"])
    # The check's session is kept for the runs (no second login: Bluesky limits them).
    assert (isolated_home / "networks" / "bsky" / "sandbox" / "session").exists()
    assert recorded_accounts(isolated_home)["bsky"].account.startswith("@school.bsky.social")


def test_bluesky_refuses_what_looks_like_the_account_password(
    tmp_path: Path, sandbox: Any, isolated_home: Path
) -> None:
    signing = auth(write_config(tmp_path, BSKY), sandbox, "bsky")
    signing.expect(r"the app password \(not shown\): ")
    signing.answer("MyRealPassw0rd!")
    code, out, err = signing.finish()
    assert code == 2
    assert "it may be the account's own password, which crosspost never takes" in err
    assert stored_env(isolated_home) == {}
    assert sandbox.requests("bluesky") == []  # it never left the machine
    no_secret_in((out, err), ["MyRealPassw0rd!"])


# -- bit.ly: the generic token, checked on /v4/user ----------------------------------------

SHORTENED = "shortener:\n  service: bitly\n  token: ${BITLY_TOKEN}\nchannels:\n" + (
    "  xing:\n    network: manual\n    site: Xing\n    instructions: paste it\n"
)


def test_bitly_token_is_checked_then_stored(
    tmp_path: Path, sandbox: Any, isolated_home: Path
) -> None:
    config = tmp_path / "channels.yaml"
    config.write_text(SHORTENED)
    token = "0123456789abcdef0123456789abcdef01234567"
    signing = auth(config, sandbox, "bitly")
    signing.expect(r"the bit.ly access token \(not shown\): ")
    signing.answer(token)
    code, out, err = signing.finish()
    assert code == 0, err
    assert "the shortener now uses bit.ly as sandbox-school (BITLY_TOKEN stored in HOME/env)" in err
    assert stored_env(isolated_home) == {"BITLY_TOKEN": token}
    no_secret_in((out, err), [token])


def test_bitly_bad_token_stores_nothing(tmp_path: Path, sandbox: Any, isolated_home: Path) -> None:
    config = tmp_path / "channels.yaml"
    config.write_text(SHORTENED)
    signing = auth(config, sandbox, "bitly")
    signing.expect(r"access token \(not shown\): ")
    signing.answer("not-a-bitly-token-12345")
    code, out, err = signing.finish()
    assert code == 1
    assert err.count("error:") == 1 and "bit.ly refused that token" in err
    assert stored_env(isolated_home) == {}
    no_secret_in((out, err), ["not-a-bitly-token-12345"])


# -- the team file ----------------------------------------------------------------------------


def test_stored_in_the_team_file_when_the_team_has_one(
    tmp_path: Path, sandbox: Any, isolated_home: Path
) -> None:
    config = write_config(tmp_path, BSKY)
    assert run("-c", config, "secrets", "init", "--name", "alice").exit_code == 0
    signing = auth(config, sandbox, "bsky", "--to", "team")
    signing.expect(r"the app password \(not shown\): ")
    signing.answer("abcd-efgh-ijkl-mnop")
    code, _, err = signing.finish()
    assert code == 0, err
    assert "stored in the team file" in err
    assert stored_team(tmp_path / "secrets.age", isolated_home) == {
        "BSKY_APP_PASSWORD": "abcd-efgh-ijkl-mnop"
    }
    assert stored_env(isolated_home) == {}
    assert b"abcd-efgh-ijkl-mnop" not in (tmp_path / "secrets.age").read_bytes()


def test_the_sandbox_log_keeps_no_token_of_a_sign_in(
    tmp_path: Path, sandbox: Any, isolated_home: Path
) -> None:
    code, _, err, _ = _facebook(tmp_path, sandbox, "1")
    assert code == 0, err
    logged = str(sandbox.requests("facebook"))
    assert "EAAuser-token-10101010" not in logged and "fb-app-secret-99999999" not in logged
