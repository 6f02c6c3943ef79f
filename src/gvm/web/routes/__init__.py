"""The page routers, one module per area of the register."""
