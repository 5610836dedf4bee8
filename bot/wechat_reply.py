"""Passive text replies as WeChat expects them (CDATA made safe for any user text)."""

from __future__ import annotations


def cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply_xml(account: str, openid: str, content: str, create_time: int) -> str:
    return (
        "<xml>"
        f"<ToUserName>{cdata(openid)}</ToUserName>"
        f"<FromUserName>{cdata(account)}</FromUserName>"
        f"<CreateTime>{create_time}</CreateTime>"
        "<MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{cdata(content)}</Content>"
        "</xml>"
    )
