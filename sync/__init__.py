"""Hub ⇄ central sync: outbox pusher, change puller, wire schemas; central/ is the service."""
