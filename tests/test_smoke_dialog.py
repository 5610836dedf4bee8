from tests.conftest import TOKEN
from tests.wechat_requests import say, text_xml


async def test_text_reaches_help(make_client, settings):
    client = await make_client(settings)
    reply = await say(client, TOKEN, text_xml("o-farmer-1", "你好"))
    assert "申报" in reply
