// The simulator page: every action goes to /simulator/api/send, which posts it to the real
// /wechat as the platform would; outbox deliveries are polled from the WeChat API stand-in.
(function () {
  "use strict";

  var POLL_MS = 1500;
  var personaSelect = document.getElementById("persona");
  var personaInfo = document.getElementById("persona-info");
  var messages = document.getElementById("messages");
  var input = document.getElementById("input");
  var statusLine = document.getElementById("status");
  var transcripts = {};   // openid -> [{classes, label, text}]
  var deliveredNext = {}; // openid -> index of the next stand-in delivery to show
  var personas = {};      // openid -> persona from the API
  var queue = Promise.resolve();
  var pending = 0;
  var polling = false;

  function current() {
    return personaSelect.value;
  }

  function render(entry) {
    var bubble = document.createElement("div");
    bubble.className = "bubble " + entry.classes;
    if (entry.label) {
      var tag = document.createElement("span");
      tag.className = "tag";
      tag.textContent = entry.label;
      bubble.appendChild(tag);
    }
    var text = document.createElement("span");
    text.className = "text";
    text.textContent = entry.text;
    bubble.appendChild(text);
    messages.appendChild(bubble);
    messages.scrollTop = messages.scrollHeight;
  }

  function add(openid, classes, text, label) {
    var entry = { classes: classes, text: text, label: label || "" };
    (transcripts[openid] = transcripts[openid] || []).push(entry);
    if (openid === current()) {
      render(entry);
    }
  }

  function showTranscript() {
    messages.textContent = "";
    (transcripts[current()] || []).forEach(render);
  }

  function setStatus(text) {
    statusLine.textContent = text;
  }

  function describe(persona) {
    if (!persona) {
      return "";
    }
    return [persona.role, persona.area, persona.openid].filter(Boolean).join(" · ");
  }

  function readJson(response) {
    return response.json().catch(function () {
      return { error: "服务返回了无法读取的内容（HTTP " + response.status + "）" };
    });
  }

  function post(openid, payload) {
    payload.openid = openid;
    return fetch("/simulator/api/send", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(payload)
    }).then(function (response) {
      return readJson(response).then(function (data) {
        if (!response.ok || data.error) {
          add(openid, "system error", data.error || ("发送失败（HTTP " + response.status + "）"));
        } else if (data.reply) {
          add(openid, "bot reply", data.reply);
        }
      });
    }).catch(function () {
      add(openid, "system error", "连不上服务，请确认 fangpin serve 还在运行。");
    });
  }

  function send(payload, shown) {
    var openid = current();
    if (!openid) {
      setStatus("请先选择一个身份");
      return;
    }
    add(openid, shown.classes, shown.text);
    pending += 1;
    setStatus("发送中…");
    queue = queue.then(function () {
      return post(openid, payload);
    }).then(function () {
      pending -= 1;
      messages.setAttribute("data-sent", String(Number(messages.getAttribute("data-sent")) + 1));
      setStatus(pending ? "发送中…" : "");
      poll();
    });
  }

  function sendText() {
    var text = input.value;
    if (!text.trim()) {
      setStatus("请先输入文字");
      return;
    }
    input.value = "";
    send({ kind: "text", content: text }, { classes: "user", text: text });
  }

  function sendVoice() {
    var text = input.value.trim();
    input.value = "";
    send({ kind: "voice", content: text },
         { classes: "user voice", text: "🎤 语音" + (text ? "：" + text : "（没听清）") });
  }

  function sendPhoto() {
    send({ kind: "image" }, { classes: "user photo", text: "📷 [照片]" });
  }

  function poll() {
    var openid = current();
    if (!openid || polling) {
      return;
    }
    polling = true;
    var after = deliveredNext[openid] || 0;
    var url = "/simulator/api/delivered?openid=" + encodeURIComponent(openid) + "&after=" + after;
    fetch(url).then(readJson).then(function (data) {
      if (data.messages && (deliveredNext[openid] || 0) === after) {
        data.messages.forEach(function (message) {
          add(openid, "bot delivered " + message.kind, message.text, message.label);
        });
        deliveredNext[openid] = data.next;
      }
    }).catch(function () {
      setStatus("暂时连不上服务");
    }).then(function () {
      polling = false;
    });
  }

  function choosePersona() {
    personaInfo.textContent = describe(personas[current()]);
    showTranscript();
    poll();
  }

  function addOption(value, label) {
    var option = document.createElement("option");
    option.value = value;
    option.textContent = label;
    personaSelect.appendChild(option);
  }

  function loadPersonas() {
    fetch("/simulator/api/personas").then(readJson).then(function (data) {
      personaSelect.textContent = "";
      var list = data.personas || [];
      list.forEach(function (persona) {
        personas[persona.openid] = persona;
        addOption(persona.openid, persona.display_name + " · " + persona.role);
      });
      var wanted = new URLSearchParams(window.location.search).get("openid");
      if (wanted && !personas[wanted]) {
        addOption(wanted, wanted + "（自定义）");
      }
      if (!personaSelect.options.length) {
        addOption("", "没有演示身份");
        personaInfo.textContent = "数据库里没有 demo- 开头的用户：请先生成演示数据，" +
          "或在地址后加 ?openid=任意名字。";
        return;
      }
      personaSelect.value = wanted || personaSelect.options[0].value;
      choosePersona();
    }).catch(function () {
      personaInfo.textContent = "读取演示身份失败，请刷新页面。";
    });
  }

  document.getElementById("send").addEventListener("click", sendText);
  document.getElementById("voice").addEventListener("click", sendVoice);
  document.getElementById("photo").addEventListener("click", sendPhoto);
  document.getElementById("subscribe").addEventListener("click", function () {
    send({ kind: "subscribe" }, { classes: "user event", text: "（关注了公众号）" });
  });
  Array.prototype.forEach.call(document.querySelectorAll("#menu [data-key]"), function (button) {
    button.addEventListener("click", function () {
      send({ kind: "click", key: button.getAttribute("data-key") },
           { classes: "user event", text: "［菜单］" + button.textContent });
    });
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.isComposing) {
      event.preventDefault();
      sendText();
    }
  });
  personaSelect.addEventListener("change", choosePersona);
  window.setInterval(poll, POLL_MS);
  loadPersonas();
}());
