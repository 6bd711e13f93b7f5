"""A local Kavenegar for the tests: Kavenegar's REST API as https://kavenegar.com/rest.html
documents it, served on 127.0.0.1 (Odoo's test mode refuses requests to any other host).

``/v1/{API-KEY}/{method}.json`` with form parameters answers
``{"return": {"status", "message"}, "entries": [...]}``: ``sms/send`` with comma-separated receptors,
``sms/sendarray`` with JSON arrays (POST only, arrays of one length), ``sms/status`` with
comma-separated message ids; 200 receptors and 500 ids per call at most (error 414).
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

API_KEY = "4A5B6C7D8E9F0A1B2C3D4E5F6A7B8C9D"
SENDER = "10004346"
STATUS_TEXTS = {
    1: "در صف ارسال",
    4: "ارسال شده به مخابرات",
    5: "ارسال شده به مخابرات",
    10: "رسیده به گیرنده",
    11: "نرسیده به گیرنده",
    13: "لغو شده",
    14: "بلاک شده",
    100: "شناسه نامعتبر",
}
ERROR_TEXTS = {
    401: "حساب کاربری غیرفعال شده است",
    403: "کد شناسائی API-Key معتبر نمی‌باشد",
    405: "متد Get/Post اشتباه است",
    409: "سرور قادر به پاسخگوئی نیست بعدا تلاش کنید",
    411: "دریافت کننده نامعتبر است",
    412: "ارسال کننده نامعتبر است",
    413: "پیام خالی است و یا طول پیام بیش از حد مجاز می‌باشد",
    414: "حجم درخواست بیشتر از حد مجاز است",
    418: "اعتبار حساب شما کافی نیست",
    419: "طول آرایه متن و گیرنده و فرستنده هم اندازه نیست",
}


class FakeKavenegar:
    """Kavenegar's REST API on 127.0.0.1 (a free port), in a thread. ``calls`` lists what it was
    asked: ``(http_method, api_method, params)``; ``error`` makes every call answer that error
    code, ``raw`` that (HTTP status, body) instead of Kavenegar's JSON; ``invalid_receptors`` are
    refused with 411; ``statuses`` are sms/status' answers (100 for the ids it does not know)."""

    def __init__(self, api_key=API_KEY):
        self.api_key = api_key
        self.calls = []
        self.error = None
        self.raw = None
        self.invalid_receptors = set()
        self.statuses = {}
        self.next_id = 8792343
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05})
        self.thread.daemon = True
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1"

    def close(self):
        if self.thread.is_alive():
            self.server.shutdown()
            self.thread.join()
            self.server.server_close()

    def calls_to(self, api_method):
        return [params for _verb, method, params in self.calls if method == api_method]

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass  # the test's output stays clean

            def do_GET(self):
                self._answer("GET", parse_qs(urlsplit(self.path).query, keep_blank_values=True))

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                self._answer("POST", parse_qs(body, keep_blank_values=True))

            def _answer(self, verb, query):
                params = {name: values[-1] for name, values in query.items()}
                parts = urlsplit(self.path).path.strip("/").split("/")  # v1, key, sms, send.json
                api_method = "/".join(parts[2:]).removesuffix(".json")
                with fake.lock:
                    fake.calls.append((verb, api_method, params))
                    status, entries = fake._reply(
                        verb, parts[1] if len(parts) > 1 else "", api_method, params
                    )
                payload = {
                    "return": {
                        "status": status,
                        "message": "تایید شد" if status == 200 else ERROR_TEXTS[status],
                    },
                    "entries": entries,
                }
                data = json.dumps(payload).encode()
                if fake.raw:
                    status, data = fake.raw
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def _reply(self, verb, key, api_method, params):
        if key != self.api_key:
            return 403, None
        if self.error:
            return self.error, None
        if api_method == "sms/send":
            receptors = params["receptor"].split(",")
            messages = [params["message"]] * len(receptors)
            senders = [params.get("sender", SENDER)] * len(receptors)
        elif api_method == "sms/sendarray":
            if verb != "POST":
                return 405, None
            receptors, senders, messages = (
                json.loads(params[name]) for name in ("receptor", "sender", "message")
            )
            if not len(receptors) == len(senders) == len(messages):
                return 419, None
        elif api_method == "sms/status":
            ids = params["messageid"].split(",")
            if len(ids) > 500:
                return 414, None
            entries = []
            for message_id in ids:
                status = self.statuses.get(message_id, 100)
                entries.append(
                    {"messageid": int(message_id), "status": status, "statustext": STATUS_TEXTS[status]}
                )
            return 200, entries
        else:
            return 405, None
        if len(receptors) > 200:
            return 414, None
        if self.invalid_receptors & set(receptors):
            return 411, None
        entries = []
        for receptor, sender, message in zip(receptors, senders, messages, strict=True):
            self.next_id += 1
            entries.append(
                {
                    "messageid": self.next_id,
                    "message": message,
                    "status": 1,
                    "statustext": STATUS_TEXTS[1],
                    "sender": sender,
                    "receptor": receptor,
                    "date": 1356619709,
                    "cost": 120,
                }
            )
        return 200, entries
