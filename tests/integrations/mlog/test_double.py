"""The test double speaks MLog's register call as documented (so the adapter's tests mean
something): faults 400, 401, 404, 413 and the success body."""

from __future__ import annotations

import json

import pytest
import requests

from sgsc.integrations.doubles.mlog_server import MLogDouble

EVENT = {"event_type": "SGSC.Test.Ping", "event_time": "2016-11-28T23:12:37.334+02:00"}


@pytest.fixture
def post(mlog_double: MLogDouble):  # type: ignore[no-untyped-def]
    credentials = mlog_double.client_credentials()

    def send(body: bytes, *, cert: tuple[str, str] | None = (credentials.cert_file,
                                                          credentials.key_file),
             path: str = "/register") -> requests.Response:
        return requests.post(mlog_double.url + path, data=body, cert=cert,
                             verify=mlog_double.ca_file, timeout=10)

    return send


def test_one_event_and_a_batch_get_a_uid(post, mlog_double: MLogDouble) -> None:  # type: ignore[no-untyped-def]
    single = post(json.dumps(EVENT).encode())
    assert single.status_code == 200
    answer = single.json()
    assert answer["status"] == "200" and answer["message"] == "OK" and answer["UID"]
    batch = post(b"\n".join(json.dumps({**EVENT, "n": n}).encode() for n in range(3)))
    assert batch.status_code == 200
    assert [received.uid for received in mlog_double.received] == [answer["UID"],
                                                                 batch.json()["UID"]]
    assert [event.get("n") for event in mlog_double.events] == [None, 0, 1, 2]


@pytest.mark.parametrize("body", [
    b"{not json", b"[]", json.dumps([EVENT]).encode(), b"",
    json.dumps({"event_type": "X.Y.Z"}).encode(),
    json.dumps({**EVENT, "event_time": "28.11.2016"}).encode(),
    json.dumps({**EVENT, "_private": "x"}).encode(),
    json.dumps({**EVENT, "event_details": "x" * 40_000}).encode(),
])
def test_what_mlog_refuses_gets_400(post, mlog_double: MLogDouble, body: bytes) -> None:  # type: ignore[no-untyped-def]
    response = post(body)
    assert response.status_code == 400
    assert response.json()["message"]
    assert mlog_double.received == []


def test_an_unknown_client_gets_401(post, mlog_double: MLogDouble) -> None:  # type: ignore[no-untyped-def]
    stranger = mlog_double.client_credentials("stranger", registered=False)
    assert post(json.dumps(EVENT).encode(),
                cert=(stranger.cert_file, stranger.key_file)).status_code == 401
    assert post(json.dumps(EVENT).encode(), cert=None).status_code == 401
    assert mlog_double.received == []


def test_over_the_limit_gets_413_and_elsewhere_404(post, mlog_double: MLogDouble) -> None:  # type: ignore[no-untyped-def]
    big = b"\n".join([json.dumps({**EVENT, "text": "x" * 30_000}).encode()] * 9)
    assert len(big) > 256 * 1024
    assert post(big).status_code == 413
    assert post(json.dumps(EVENT).encode(), path="/query").status_code == 404
    assert mlog_double.received == []


def test_down_and_up_again(post, mlog_double: MLogDouble) -> None:  # type: ignore[no-untyped-def]
    mlog_double.go_down("503")
    assert post(json.dumps(EVENT).encode()).status_code == 503
    mlog_double.go_down("refuse")
    with pytest.raises(requests.ConnectionError):
        post(json.dumps(EVENT).encode())
    mlog_double.go_up()
    assert post(json.dumps(EVENT).encode()).status_code == 200
