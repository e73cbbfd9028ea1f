// One websocket to the hub that reconnects by itself with back-off.
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000];

export class HubSocket {
  /** onEvent(msg) for every event; onState("open"|"down") when the link changes. */
  constructor(tokenFn, { onEvent, onState, onRejected }) {
    this.tokenFn = tokenFn;
    this.onEvent = onEvent;
    this.onState = onState;
    this.onRejected = onRejected;
    this.attempt = 0;
    this.ws = null;
    this.timer = null;
    this.stopped = false;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.ws) this.ws.close();
    this.ws = null;
  }

  get isOpen() {
    return !!this.ws && this.ws.readyState === WebSocket.OPEN;
  }

  connect() {
    clearTimeout(this.timer);
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const url = `${scheme}://${location.host}/api/v1/ws?token=${encodeURIComponent(this.tokenFn())}`;
    let ws;
    try {
      ws = new WebSocket(url);
    } catch (err) {
      this.retry();
      return;
    }
    this.ws = ws;
    window.__kioskSocket = ws; // lets tests and staff drop the link on purpose
    ws.onmessage = (e) => {
      let msg;
      try { msg = JSON.parse(e.data); } catch { return; }
      if (msg.type === "hello") {
        this.attempt = 0;
        this.onState("open");
      }
      this.onEvent(msg);
    };
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (e.code === 4401 || e.code === 4403) {
        this.onRejected(e.code);
        return;
      }
      this.onState("down");
      this.retry();
    };
    ws.onerror = () => {}; // onclose follows and does the work
  }

  retry() {
    if (this.stopped) return;
    const base = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt += 1;
    const delay = base / 2 + Math.random() * base / 2;
    this.timer = setTimeout(() => this.connect(), delay);
  }
}
