"""`crosspost auth CHANNEL` end to end over the sandbox: each network's sign-in in a real
process, its prompts answered on stdin, the test playing the browser; what lands in
the secret store, what the ledger records, and that no secret is ever printed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from helpers import X_CREDS, run, write_config
from signing import Signing, browse, no_secret_in, recorded_accounts, stored_env


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
