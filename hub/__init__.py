"""The in-store hub: catalog, lanes, sales, cash, refunds, shifts, users and the journal."""
