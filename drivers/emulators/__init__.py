"""Real-protocol emulators of store devices, for tests and the demo."""
