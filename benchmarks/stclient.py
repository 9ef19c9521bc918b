"""A reader without a browser: Streamlit's own websocket protocol (BackMsg out, ForwardMsg in) spoken from Python.

One `StreamlitClient` is one browser tab: it fetches the XSRF cookie (and, behind nginx, the sticky-session
cookie) over HTTP, opens `/_stcore/stream`, and asks for script runs as the frontend does, with the page's
script hash, the query string and the state of every widget the last run drew. Widgets are named by their
key (or, without one, their label). Synchronous (websocket-client and requests), so it runs under Locust's
gevent as well as in plain threads. Used by benchmarks/readers.py (the load test's readers) and tests/test_deploy.py.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
import websocket
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

XSRF_COOKIE = "_streamlit_xsrf"
# ForwardMsg.script_finished values that end a run the reader asked for (not a compile error).
_FINISHED = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_EARLY_FOR_RERUN}
_ERROR_ALERT = Alert.Format.ERROR


@dataclass
class Run:
    """One script run as the server sent it: seconds from request to `script_finished`, and what it drew."""

    seconds: float
    status: int
    widgets: dict[str, tuple[str, str]] = field(default_factory=dict)  # key or label -> (element type, widget id)
    options: dict[str, list[str]] = field(default_factory=dict)  # key or label -> a select widget's options
    downloads: dict[str, str] = field(default_factory=dict)  # key or label -> a download button's deferred file id
    texts: list[str] = field(default_factory=list)  # headings, markdown, alerts, metric labels and values, in order
    elements: Counter[str] = field(default_factory=Counter)  # element type (plotly_chart, arrow_data_frame, ...) -> count
    errors: list[str] = field(default_factory=list)  # exceptions, error alerts, a run that did not finish


def _widget_name(element_id: str, label: str) -> str:
    """Widget ids look like `$$ID-<hash>-<key>`; the key names the widget when it has one, else its label."""
    key = element_id.split("-", 2)[2] if element_id.count("-") >= 2 else "None"
    return label if key == "None" else key


def _element_texts(kind: str, element) -> list[str]:
    if kind in ("markdown", "heading"):
        return [element.body]
    if kind == "alert":
        return [element.body]
    if kind == "metric":
        return [f"{element.label}: {element.body}"]
    return []


class StreamlitClient:
    """One simulated browser tab on `base_url` (http://127.0.0.1:8501 or a proxy in front of replicas)."""

    def __init__(self, base_url: str, timeout: float = 120.0, user_agent: str = "inf-watch-protocol-load") -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.http = requests.Session()
        self.http.headers["User-Agent"] = user_agent
        self.ws: websocket.WebSocket | None = None
        self.session_id = ""
        self.replica = ""
        self.pages: dict[str, str] = {}  # url path ("" for the home page) -> page script hash
        self.page_hash = ""
        self.page_name = ""
        self.query_string = ""
        self.widgets: dict[str, tuple[str, str]] = {}  # from the last run
        self.options: dict[str, list[str]] = {}  # from the last run
        self.downloads: dict[str, str] = {}  # from the last run
        self.values: dict[str, WidgetState] = {}  # widget id -> the state this reader set

    # ------------------------------------------------------------------ connection

    def connect(self) -> None:
        """HTTP first (cookies), then the websocket, carrying the XSRF token as the frontend does."""
        response = self.http.get(f"{self.base_url}/_stcore/health", timeout=self.timeout)
        response.raise_for_status()
        self.replica = response.headers.get("X-Inf-Watch-Replica", "")  # set by deploy/nginx.conf
        xsrf = self.http.cookies.get(XSRF_COOKIE, "")
        parts = urlsplit(self.base_url)
        cookies = "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)
        self.ws = websocket.create_connection(
            f"ws://{parts.netloc}{parts.path}/_stcore/stream",
            subprotocols=["streamlit", xsrf] if xsrf else ["streamlit"],
            origin=f"{parts.scheme}://{parts.netloc}",
            cookie=cookies or None,
            header=[f"User-Agent: {self.http.headers['User-Agent']}"],
            timeout=self.timeout,
            enable_multithread=False,
        )

    def close(self) -> None:
        if self.ws is not None:
            self.ws.close()
            self.ws = None
        self.http.close()

    # ------------------------------------------------------------------ runs

    def open_page(self, url_path: str = "", query_string: str | None = None) -> Run:
        """Go to a page (by its url path; "" is the home page), as a click in the sidebar does."""
        if query_string is not None:
            self.query_string = query_string
        if url_path not in self.pages and self.pages:
            raise KeyError(f"no page {url_path!r}; pages: {sorted(self.pages)}")
        # Before the first run the hashes are unknown: the frontend then names the page by its url path.
        self.page_hash, self.page_name = self.pages.get(url_path, ""), url_path
        return self.rerun()

    def set_widget(self, name: str, value) -> Run:
        """Change one widget of the last run (by key or label) and rerun, as a reader's change does."""
        kind, widget_id = self.widgets[name]
        self.values[widget_id] = _widget_state(widget_id, kind, value)
        return self.rerun()

    def rerun(self) -> Run:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = self.page_hash
        state.page_name = "" if self.page_hash else self.page_name
        # The frontend sends the state of every widget on screen; those the reader never touched keep their default.
        shown = {widget_id for _, widget_id in self.widgets.values()}
        state.widget_states.widgets.extend(v for k, v in self.values.items() if k in shown)
        started = time.perf_counter()
        self._send(msg)
        return self._collect(started)

    def _send(self, msg: BackMsg) -> None:
        if self.ws is None:
            raise RuntimeError("not connected")
        self.ws.send_binary(msg.SerializeToString())

    def _receive(self) -> ForwardMsg:
        if self.ws is None:
            raise RuntimeError("not connected")
        msg = ForwardMsg()
        msg.ParseFromString(self.ws.recv())
        return msg

    def _collect(self, started: float) -> Run:
        run = Run(0.0, -1)
        while True:
            msg = self._receive()
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                self.session_id = msg.new_session.initialize.session_id
            elif kind == "navigation":
                self.pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
                self.page_hash = msg.navigation.page_script_hash or self.page_hash
            elif kind == "page_info_changed":  # the app wrote st.query_params: the address bar now holds them
                self.query_string = msg.page_info_changed.query_string
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                self._read_element(msg.delta.new_element, run)
            elif kind == "script_finished":
                run.seconds, run.status = time.perf_counter() - started, msg.script_finished
                if run.status not in _FINISHED:
                    run.errors.append(f"script finished with status {run.status}")
                self.widgets, self.options, self.downloads = run.widgets, run.options, run.downloads
                return run

    @staticmethod
    def _read_element(element, run: Run) -> None:
        kind = element.WhichOneof("type")
        body = getattr(element, kind)
        if kind == "exception":
            run.errors.append(f"{body.type}: {body.message}")
        elif kind == "alert" and body.format == _ERROR_ALERT and body.body.startswith("Something went wrong"):
            run.errors.append(body.body)
        run.texts.extend(_element_texts(kind, body))
        run.elements[kind] += 1
        widget_id = getattr(body, "id", "") if kind not in ("markdown", "heading", "alert", "metric") else ""
        if widget_id.startswith("$$ID-"):
            name = _widget_name(widget_id, getattr(body, "label", ""))
            run.widgets[name] = (kind, widget_id)
            run.options[name] = [o for o in getattr(body, "options", ()) if isinstance(o, str)]
            if kind == "download_button" and body.deferred_file_id:
                run.downloads[name] = body.deferred_file_id

    # ------------------------------------------------------------------ downloads

    def download(self, name: str) -> tuple[float, bytes]:
        """Click the download button `name` of the last run, as the frontend does for a file written on click: ask the
        server to write it (a backend operation, no rerun), then fetch it. Returns (seconds to the last byte, the file)."""
        started = time.perf_counter()
        data = self.fetch(self.request_file(name))
        return time.perf_counter() - started, data

    def request_file(self, name: str) -> str:
        """The first half of a click on the download button `name`: the server writes the file; returns its address."""
        msg = BackMsg()
        request = msg.backend_operation_request
        request.request_id = f"download-{time.monotonic_ns()}"
        request.session_id = self.session_id
        request.deferred_file.file_id = self.downloads[name]
        self._send(msg)
        while (reply := self._receive()).WhichOneof("type") != "backend_operation_response":
            pass
        response = reply.backend_operation_response
        if response.error_msg:
            raise RuntimeError(f"download {name!r}: {response.error_msg}")
        url = response.deferred_file.url
        return url if url.startswith("http") else f"{self.base_url}/{url.lstrip('/')}"

    def fetch(self, url: str) -> bytes:
        """The second half: the browser fetches the file the server wrote (an HTTP error raises)."""
        got = self.http.get(url, timeout=self.timeout)
        got.raise_for_status()
        return got.content

    # ------------------------------------------------------------------ uploads

    def upload(self, name: str, file_name: str, data: bytes) -> Run:
        """Upload `data` through the file_uploader `name`, as the widget does: ask for a URL, PUT the file, rerun."""
        msg = BackMsg()
        msg.file_urls_request.request_id = f"upload-{time.monotonic_ns()}"
        msg.file_urls_request.file_names.append(file_name)
        msg.file_urls_request.session_id = self.session_id
        self._send(msg)
        while (reply := self._receive()).WhichOneof("type") != "file_urls_response":
            pass
        if reply.file_urls_response.error_msg:
            raise RuntimeError(reply.file_urls_response.error_msg)
        urls = reply.file_urls_response.file_urls[0]
        upload_url = urls.upload_url if urls.upload_url.startswith("http") else f"{self.base_url}/{urls.upload_url.lstrip('/')}"
        response = self.http.put(
            upload_url,
            files={"file": (file_name, data, "text/csv")},
            headers={"X-Xsrftoken": self.http.cookies.get(XSRF_COOKIE, "")},
            timeout=self.timeout,
        )
        response.raise_for_status()
        kind, widget_id = self.widgets[name]
        state = WidgetState(id=widget_id)
        info = state.file_uploader_state_value.uploaded_file_info.add()
        info.name, info.size, info.file_id = file_name, len(data), urls.file_id
        info.file_urls.CopyFrom(urls)
        self.values[widget_id] = state
        return self.rerun()


def _widget_state(widget_id: str, kind: str, value) -> WidgetState:
    """The WidgetState the frontend would send for `value` in a widget of this element type."""
    state = WidgetState(id=widget_id)
    if kind in ("multiselect", "date_input"):
        state.string_array_value.data.extend(str(v) for v in value)
    elif kind in ("selectbox", "radio", "text_input", "text_area"):
        state.string_value = str(value)
    elif kind == "number_input":
        state.double_value = float(value)
    elif kind in ("button", "download_button"):
        state.trigger_value = bool(value)
    elif kind == "checkbox":
        state.bool_value = bool(value)
    else:
        raise ValueError(f"setting a {kind} is not supported")
    return state
