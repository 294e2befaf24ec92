"""Demo-shaped catalog files (the groups, codes and sizes of catalog/demo.py), written by hand."""

GROUPS = [
    ["code", "name", "parent"],
    ["food", "Food", ""],
    ["dairy", "Dairy", "food"],
    ["bakery", "Bakery", "food"],
    ["clothes", "Clothes", ""],
    ["t-shirts", "T-shirts", "clothes"],
    ["services", "Services", ""],
]
PRODUCTS = [
    ["code", "article", "name", "kind", "group", "unit", "vat_rate", "barcode", "weight", "vendor"],
    ["DEMO-0001", "ART-0001", "Dairy item 1", "goods", "dairy", "pc", "20", "4600000000001", "500", "Demo vendor"],
    ["DEMO-0002", "ART-0002", "Bakery item 2", "goods", "bakery", "pc", "10", "4600000000002", "250.5", "Demo vendor"],
    ["DEMO-0003", "ART-0003", "T-shirts item 3", "goods", "t-shirts", "pc", "20", "4600000000003", "", "Demo vendor"],
    ["DEMO-0004", "ART-0004", "Services item 4", "service", "services", "pc", "none", "", "", ""],
]
CHARACTERISTICS = [
    ["product", "name", "barcode"],
    ["DEMO-0003", "S", "4600000000031"],
    ["DEMO-0003", "M", "4600000000032"],
    ["DEMO-0003", "L", "4600000000033"],
]
PRICES = [
    ["product", "characteristic", "price_type", "price"],
    ["DEMO-0001", "", "retail", "120.00"],
    ["DEMO-0001", "", "wholesale", "102.00"],
    ["DEMO-0002", "", "retail", "55,50"],
    ["DEMO-0003", "S", "retail", "900"],
    ["DEMO-0003", "M", "retail", "900"],
    ["DEMO-0003", "L", "retail", "950"],
    ["DEMO-0004", "", "retail", "3000"],
]
STOCK = [
    ["product", "characteristic", "warehouse", "quantity"],
    ["DEMO-0001", "", "main", "10"],
    ["DEMO-0001", "", "north", "0"],
    ["DEMO-0002", "", "main", "7.5"],
    ["DEMO-0003", "S", "main", "3"],
    ["DEMO-0003", "M", "shop", "4"],
]

IN_ORDER = [
    ("productgroup", GROUPS),
    ("product", PRODUCTS),
    ("characteristic", CHARACTERISTICS),
    ("price", PRICES),
    ("stockbalance", STOCK),
]
