"""Webhook benchmark: fangpin handling self-report steps vs a bare aiohttp + wechatpy echo.

Every server runs as its own process on 127.0.0.1; the load generator sends signed text
messages from `--concurrency` simulated users for `--seconds` each, and prints throughput,
p50/p99 latency and the ratio fangpin / reference. Targets: p99 < 300 ms at 50 users,
throughput ratio >= 0.3 on SQLite.

A third server puts the ratio in context: the echo server plus the writes a self-report step
makes (dedupe row, sender and dialog read, two transcript lines, dialog and message updates, one
commit) in plain sqlite3 on the event loop, with no ORM, no questionnaire and one fixed
template: the cost of storing a message before answering it, and nothing else.

    python bench/webhook.py [--concurrency 50] [--seconds 10] [--url URL --token T]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.wechat_crypto import sha1_signature  # noqa: E402
from bot.wechat_reply import cdata  # noqa: E402
from policy.idnumber import check_digit  # noqa: E402

TOKEN = "bench-token"
ID_BODY = "53012819900101123"
STEPS = ("申报", "王发红", ID_BODY + check_digit(ID_BODY), "红龙村7组", "一家五口", "1",
         "上个月", "两万五", "0", "3万", "4万", "跳过", "没有", "13812345678", "取消")

ECHO_SERVER = '''
import sys
from aiohttp import web
from wechatpy import parse_message, create_reply
from wechatpy.utils import check_signature
from wechatpy.exceptions import InvalidSignatureException

async def handle(request):
    q = request.query
    try:
        check_signature(sys.argv[2], q["signature"], q["timestamp"], q["nonce"])
    except InvalidSignatureException:
        raise web.HTTPForbidden()
    message = parse_message(await request.read())
    return web.Response(text=create_reply(message.content, message).render(),
                        content_type="application/xml")

app = web.Application()
app.router.add_post("/wechat", handle)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
'''

STORING_ECHO_SERVER = ECHO_SERVER.replace("async def handle", '''
import json, sqlite3, time
from jinja2 import Template

db = sqlite3.connect(sys.argv[3], isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=NORMAL")
db.executescript("""
create table inbound(id integer primary key, dedupe_key varchar(200) unique,
  openid varchar(64), msg_type varchar(32), content text, fields text, status varchar(16),
  reply_kind varchar(16), reply_text text, route varchar(64), received_at varchar,
  finished_at varchar);
create index ix_inbound_openid on inbound(openid);
create table users(id integer primary key, openid varchar(64) unique, role varchar(16));
create table dialogs(id integer primary key, openid varchar(64), step varchar(32),
  answers text, history text, status varchar(16), updated_at varchar);
create index ix_dialogs_openid on dialogs(openid);
create table turns(id integer primary key, session_id int, direction varchar(4),
  step varchar(32), text text, at varchar);
create index ix_turns_session on turns(session_id);
""")
QUESTION = Template("{{ name }}，请回答第 {{ n }} 个问题：家里一共几口人？"
                    "回复“返回”回到上一步，回复“取消”不报了。")
SENDER = ("select u.id, d.id, d.step, d.answers, d.history from users u left join dialogs d"
          " on d.openid = u.openid and d.status = 'active' where u.openid = ?")


def store_step(message, now):
    db.execute("BEGIN")
    inbound = db.execute(
        "insert into inbound(dedupe_key, openid, msg_type, content, fields, status,"
        " received_at) values (?, ?, ?, ?, ?, ?, ?)",
        (f"{message.source}:{message.id}", message.source, message.type, message.content,
         json.dumps({"Content": message.content}), "processing", now)).lastrowid
    sender = db.execute(SENDER, (message.source,)).fetchone()
    if sender is None:
        db.execute("insert into users(openid, role) values (?, 'farmer')", (message.source,))
        db.execute("insert into dialogs(openid, step, answers, history, status, updated_at)"
                   " values (?, 'name', '{}', '[]', 'active', ?)", (message.source, now))
        sender = db.execute(SENDER, (message.source,)).fetchone()
    _, dialog_id, step, answers, history = sender
    answers, history = json.loads(answers), json.loads(history)[-12:]
    answers[str(len(answers) % 12)] = message.content
    history.append({"step": step, "filled": [step]})
    text = QUESTION.render(name="王发红", n=len(answers))
    db.executemany(
        "insert into turns(session_id, direction, step, text, at) values (?, ?, ?, ?, ?)",
        [(dialog_id, "in", step, message.content, now), (dialog_id, "out", step, text, now)])
    db.execute("update dialogs set answers = ?, history = ?, updated_at = ? where id = ?",
               (json.dumps(answers, ensure_ascii=False), json.dumps(history, ensure_ascii=False),
                now, dialog_id))
    db.execute("update inbound set status = 'done', finished_at = ?, route = 'step',"
               " reply_kind = 'passive', reply_text = ? where id = ?", (now, text, inbound))
    db.execute("COMMIT")
    return text


async def handle''', 1).replace(
    "create_reply(message.content, message)",
    "create_reply(store_step(message, time.strftime('%Y-%m-%d %H:%M:%S')), message)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def message(openid: str, content: str, msg_id: int) -> bytes:
    return (f"<xml><ToUserName>{cdata('gh_bench')}</ToUserName>"
            f"<FromUserName>{cdata(openid)}</FromUserName><CreateTime>{int(time.time())}"
            f"</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>{cdata(content)}"
            f"</Content><MsgId>{msg_id}</MsgId></xml>").encode()


async def user(session, url, token, index, deadline, latencies, errors, ids):
    step = 0
    while time.perf_counter() < deadline:
        ts, nonce = str(int(time.time())), str(index)
        query = {"signature": sha1_signature(token, ts, nonce), "timestamp": ts, "nonce": nonce}
        body = message(f"bench-user-{os.getpid()}-{index}", STEPS[step % len(STEPS)], next(ids))
        started = time.perf_counter()
        try:
            async with session.post(url, params=query, data=body) as response:
                await response.read()
                ok = response.status == 200
        except aiohttp.ClientError:
            ok = False
        latencies.append(time.perf_counter() - started)
        errors[0] += 0 if ok else 1
        step += 1


async def load(url: str, token: str, concurrency: int, seconds: float) -> dict[str, float]:
    import itertools

    ids = itertools.count(int(time.time() * 1000))
    latencies: list[float] = []
    errors = [0]
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(*(user(session, url, token, n, deadline, latencies, errors, ids)
                               for n in range(concurrency)))
        elapsed = time.perf_counter() - started
    quantiles = statistics.quantiles(latencies, n=100)
    return {"requests": len(latencies), "errors": errors[0], "rps": len(latencies) / elapsed,
            "p50_ms": quantiles[49] * 1000, "p99_ms": quantiles[98] * 1000}


def wait_ready(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit("server did not start")


def start_fangpin(port: int, workdir: str) -> subprocess.Popen:
    env = {**os.environ, "FANGPIN_DEMO": "1", "FANGPIN_WECHAT_TOKEN": TOKEN,
           "FANGPIN_DATABASE_URL": f"sqlite+aiosqlite:///{workdir}/bench.db"}
    command = [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def show(name: str, result: dict[str, float]) -> None:
    print(f"{name:<28} {result['requests']:>7.0f} req  {result['errors']:>4.0f} errors  "
          f"{result['rps']:>8.1f} req/s  p50 {result['p50_ms']:>7.1f} ms  "
          f"p99 {result['p99_ms']:>7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--url", help="a running fangpin's /wechat URL (default: start one)")
    parser.add_argument("--token", default=TOKEN)
    args = parser.parse_args()
    processes: list[subprocess.Popen] = []
    try:
        echo_port, storing_port = free_port(), free_port()
        echo = subprocess.Popen([sys.executable, "-c", ECHO_SERVER, str(echo_port), TOKEN])
        processes.append(echo)
        wait_ready(echo_port, echo)
        with tempfile.TemporaryDirectory() as workdir:
            storing = subprocess.Popen([sys.executable, "-c", STORING_ECHO_SERVER,
                                        str(storing_port), TOKEN, f"{workdir}/storing.db"])
            processes.append(storing)
            wait_ready(storing_port, storing)
            url = args.url
            if url is None:
                port = free_port()
                processes.append(start_fangpin(port, workdir))
                wait_ready(port, processes[-1])
                url = f"http://127.0.0.1:{port}/wechat"
            print(f"{args.concurrency} concurrent users, {args.seconds:.0f} s each")
            reference = asyncio.run(load(f"http://127.0.0.1:{echo_port}/wechat", TOKEN,
                                         args.concurrency, args.seconds))
            show("reference (aiohttp+wechatpy)", reference)
            floor = asyncio.run(load(f"http://127.0.0.1:{storing_port}/wechat", TOKEN,
                                     args.concurrency, args.seconds))
            show("reference + sqlite3 writes", floor)
            fangpin = asyncio.run(load(url, args.token, args.concurrency, args.seconds))
            show("fangpin (self-report step)", fangpin)
            print(f"throughput ratio fangpin/reference: {fangpin['rps'] / reference['rps']:.2f}"
                  f"  (target >= 0.3); fangpin p99 {fangpin['p99_ms']:.0f} ms (target < 300)")
            print(f"throughput ratio (reference + sqlite3 writes)/reference: "
                  f"{floor['rps'] / reference['rps']:.2f}")
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


if __name__ == "__main__":
    main()
