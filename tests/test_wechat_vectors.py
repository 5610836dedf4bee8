"""Every official encryption vector through the real endpoint (and the envelope itself)."""

from __future__ import annotations

import json

import pytest
import xmltodict
from sqlalchemy import select
from wechatpy.crypto import WeChatCrypto
from wechatpy.crypto.base import BasePrpCrypto

from bot.wechat_crypto import SafeModeEnvelope, sha1_signature
from storage.engine import create_engine, create_sessionmaker
from storage.models import InboundMessage
from tests.conftest import WECHAT_SAMPLES
from tests.shared_data import require_shared_data

require_shared_data()

VECTORS = json.loads((WECHAT_SAMPLES / "crypto-vectors.json").read_text(encoding="utf-8"))


def _settings_for(settings, token: str, key: str, appid: str):
    return settings.with_overrides(wechat_token=token, wechat_aes_key=key, wechat_appid=appid,
                                   timestamp_window_s=0)


async def _stored(database_url: str) -> list[InboundMessage]:
    engine = create_engine(database_url)
    async with create_sessionmaker(engine)() as session:
        rows = list((await session.scalars(select(InboundMessage))).all())
    await engine.dispose()
    return rows


def _decrypt_reply(token: str, key: str, appid: str, body: str) -> dict:
    fields = xmltodict.parse(body)["xml"]
    plain = WeChatCrypto(token, key, appid).decrypt_message(
        body, fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"]
    )
    return xmltodict.parse(plain)["xml"]


async def test_c1_official_compat_sample_is_decrypted_and_answered_encrypted(
    make_client, settings, database_url
):
    vector = VECTORS["C1"]
    app_settings = _settings_for(settings, vector["token"], vector["encoding_aes_key"],
                                 vector["appid"])
    client = await make_client(app_settings)
    body = (WECHAT_SAMPLES / vector["decrypt"]["body_file"]).read_bytes()
    response = await client.post("/wechat", params=vector["query_for_replay"], data=body)
    assert response.status == 200
    reply = _decrypt_reply(vector["token"], vector["encoding_aes_key"], vector["appid"],
                           await response.text())
    assert reply["ToUserName"] == "oyORnuP8q7ou2gfYjqLzSIWZf0rs"
    assert "申报" in reply["Content"]
    expected = (WECHAT_SAMPLES / vector["decrypt"]["expected_plaintext_file"]).read_text()
    stored = await _stored(database_url)
    assert [row.content for row in stored] == [xmltodict.parse(expected)["xml"]["Content"]]
    assert stored[0].msg_id == "6054768590064713728"


async def test_c1_tampered_msg_signature_is_refused(make_client, settings):
    vector = VECTORS["C1"]
    client = await make_client(_settings_for(settings, vector["token"],
                                             vector["encoding_aes_key"], vector["appid"]))
    query = {**vector["query_for_replay"], "msg_signature": "0" * 40}
    body = (WECHAT_SAMPLES / vector["decrypt"]["body_file"]).read_bytes()
    response = await client.post("/wechat", params=query, data=body)
    assert response.status == 403
    assert await response.text() == ""


def _safe_query(token: str, timestamp: str, nonce: str, encrypted: str) -> dict[str, str]:
    return {"signature": sha1_signature(token, timestamp, nonce), "timestamp": timestamp,
            "nonce": nonce, "encrypt_type": "aes",
            "msg_signature": sha1_signature(token, timestamp, nonce, encrypted)}


@pytest.mark.parametrize("case", ["encrypt_1", "encrypt_2"])
async def test_c2_java_vectors_reach_the_endpoint(
    make_client, settings, database_url, case, caplog
):
    vector = VECTORS["C2"]
    client = await make_client(_settings_for(settings, vector["token"],
                                             vector["encoding_aes_key"], vector["appid"]))
    encrypted = vector[case]["expected_encrypt"]
    query = _safe_query(vector["token"], vector["timestamp"], vector["nonce"], encrypted)
    assert query["msg_signature"] == vector[case]["derived_msg_signature"]
    body = vector["xml_format"].replace("%1$s", encrypted)
    response = await client.post("/wechat", params=query, data=body.encode())
    assert response.status == 200
    stored = await _stored(database_url)
    # encrypt_1 decrypts to plain text, encrypt_2 to a *reply* (no MsgId): both were
    # authenticated and decrypted, neither is an inbound message: success, nothing stored
    assert await response.text() == "success"
    assert stored == []
    reasons = {"encrypt_1": "bad_xml", "encrypt_2": "missing_msg_id"}
    assert reasons[case] in caplog.text


@pytest.mark.parametrize("vector_name", ["C2"])
def test_c2_envelope_reproduces_fixed_prefix_ciphertexts(monkeypatch, vector_name):
    vector = VECTORS[vector_name]
    monkeypatch.setattr(BasePrpCrypto, "get_random_string", lambda self: vector["random_prefix"])
    envelope = SafeModeEnvelope(vector["token"], vector["encoding_aes_key"], vector["appid"])
    for case in ("encrypt_1", "encrypt_2"):
        out = envelope.encrypt(vector[case]["plaintext"], vector["timestamp"], vector["nonce"])
        assert xmltodict.parse(out)["xml"]["Encrypt"] == vector[case]["expected_encrypt"]


async def test_c3_corp_echostr_is_decrypted_for_its_id_and_answered_success(
    make_client, settings, database_url
):
    vector = VECTORS["C3"]
    client = await make_client(_settings_for(settings, vector["token"],
                                             vector["encoding_aes_key"], vector["corp_id"]))
    query = _safe_query(vector["token"], vector["timestamp"], vector["nonce"], vector["echostr"])
    assert query["msg_signature"] == vector["msg_signature"]
    body = f"<xml><ToUserName>x</ToUserName><Encrypt>{vector['echostr']}</Encrypt></xml>"
    response = await client.post("/wechat", params=query, data=body.encode())
    assert (response.status, await response.text()) == (200, "success")
    assert await _stored(database_url) == []
    envelope = SafeModeEnvelope(vector["token"], vector["encoding_aes_key"], vector["corp_id"])
    plain = envelope.decrypt(vector["echostr"], vector["msg_signature"], vector["timestamp"],
                             vector["nonce"])
    assert plain.decode() == vector["expected_echo_plaintext"]


async def test_c4_wechatpy_vectors(make_client, settings, database_url, monkeypatch):
    vector = VECTORS["C4"]
    appid = vector["appid_or_corp_id"]
    client = await make_client(_settings_for(settings, vector["token"],
                                             vector["encoding_aes_key"], appid))
    spec = vector["decrypt_message"]
    query = {**_safe_query(vector["token"], spec["timestamp"], spec["nonce"], ""),
             "msg_signature": spec["msg_signature"]}
    body = (WECHAT_SAMPLES / spec["body_file"]).read_bytes()
    response = await client.post("/wechat", params=query, data=body)
    assert response.status == 200
    stored = await _stored(database_url)
    assert [(row.openid, row.content) for row in stored] == [
        (spec["asserted_by_source"]["FromUserName"], spec["asserted_by_source"]["Content"])
    ]
    wrong = await client.post("/wechat", params={**query, "nonce": "1"}, data=body)
    assert wrong.status == 403
    spec = vector["encrypt_message"]
    monkeypatch.setattr(BasePrpCrypto, "get_random_string", lambda self: spec["random_prefix"])
    envelope = SafeModeEnvelope(vector["token"], vector["encoding_aes_key"], appid)
    plain = (WECHAT_SAMPLES / spec["input_file"]).read_text()
    expected = (WECHAT_SAMPLES / spec["expected_output_file"]).read_text()
    assert envelope.encrypt(plain, spec["timestamp"], spec["nonce"]) == expected


async def test_c5_padding_trap_decrypts_and_is_answered(make_client, settings, database_url):
    vector = VECTORS["C5"]
    token, timestamp, nonce = "c5-token", "1700000000", "42"
    client = await make_client(_settings_for(settings, token, vector["encoding_aes_key"],
                                             vector["expected_receiver_id"]))
    query = _safe_query(token, timestamp, nonce, vector["ciphertext"])
    body = f"<xml><ToUserName>x</ToUserName><Encrypt>{vector['ciphertext']}</Encrypt></xml>"
    response = await client.post("/wechat", params=query, data=body.encode())
    assert (response.status, await response.text()) == (200, "success")
    envelope = SafeModeEnvelope(token, vector["encoding_aes_key"], vector["expected_receiver_id"])
    plain = envelope.decrypt(vector["ciphertext"], query["msg_signature"], timestamp, nonce)
    assert plain.decode() == vector["expected_message"]


async def test_wrong_appid_in_envelope_is_answered_without_processing(
    make_client, settings, database_url
):
    vector = VECTORS["C1"]
    client = await make_client(_settings_for(settings, vector["token"],
                                             vector["encoding_aes_key"], "wx_someone_else"))
    body = (WECHAT_SAMPLES / vector["decrypt"]["body_file"]).read_bytes()
    response = await client.post("/wechat", params=vector["query_for_replay"], data=body)
    assert (response.status, await response.text()) == (200, "success")
    assert await _stored(database_url) == []
