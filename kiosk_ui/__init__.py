"""The self-service kiosk and phone pay page: static files served by the hub."""
