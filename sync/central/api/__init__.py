"""Central's HTTP API: sync for hubs, shop for the web shop, admin for head office."""
