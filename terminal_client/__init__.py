"""The cashier terminal (Textual), talking to the hub over HTTP and the websocket."""
