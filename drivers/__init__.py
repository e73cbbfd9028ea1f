"""Device drivers: protocol codecs, device classes and emulators. No hub imports."""
