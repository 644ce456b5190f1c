"""A realistic demo warehouse, built through the domain services so the ledger stays true.

`seed(session)` fills an empty database: zones and locations (pick faces in serpentine pick
sequence, bulk, pack, ship, returns, quarantine), 500+ products with valid barcodes, stock booked as
receipts, totes, the demo users, 50 open orders (a few short of stock) and a dozen released to piece,
batch and zone waves (plus picking_demo's two training orders). It never commits: the caller owns the transaction.
Deterministic for a given `rng_seed` and `today`.
"""
from __future__ import annotations

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scanners import gtin_check_digit

from . import catalog, orders, picking_demo, receiving, shift_sim, stations, users, waves
from .errors import DomainError
from .floor_demo import seed_floor
from .models import Location, Order, OrderLine, PickTask, Product, Stock, Tote, User, Wave, Zone
from .states import LocationKind, OrderState, Role, Tracking, WaveStrategy

PIN = "1234"
USERS = (("P-0001", "Pat Picker", Role.PICKER), ("P-0002", "Robin Reyes", Role.PICKER),
         ("K-0001", "Kim Packer", Role.PACKER), ("S-0001", "Sam Supervisor", Role.SUPERVISOR),
         ("A-0001", "Alex Admin", Role.ADMIN))
GTIN_PREFIX = "4006381"  # GS1 company prefix: 7 digits + 5-digit item reference + check digit = GTIN-13
UPC_PREFIX = "061414"    # UPC-A: number system + manufacturer (6) + item (5) + check digit = 12 digits
FIRST_SKU = 10001
PRODUCT_COUNT = 520
ORDER_COUNT = 50
RELEASED_COUNT = 12
TOTE_COUNT = 200

ZONES = {"A": "Pick zone A (fast movers)", "B": "Pick zone B", "C": "Pick zone C (slow movers)",
         "BULK": "Bulk racking", "PACK": "Packing and shipping", "RET": "Returns", "QUA": "Quarantine"}
PICK_AISLES = {"A": 5, "B": 5, "C": 4}
BAYS, LEVELS = 8, 4
BULK_AISLES, BULK_BAYS = 4, 10
OTHER_LOCATIONS = ([(f"PACK-0{i}", "PACK", LocationKind.PACK) for i in range(1, 5)]
                   + [(f"SHIP-0{i}", "PACK", LocationKind.SHIP) for i in range(1, 3)]
                   + [("RET-01", "RET", LocationKind.RETURNS), ("QUA-01", "QUA", LocationKind.QUARANTINE)])

COLOURS = ("Blue", "Red", "Black", "White", "Green", "Grey", "Navy", "Yellow", "Orange", "Teal", "Pink", "Sand")
# item, variants, weight g, (length, width, height) mm
COLOURED = (
    ("Enamel Mug", ("350ml", "500ml"), 300, (120, 90, 95)),
    ("Ceramic Bowl", ("15cm", "18cm"), 420, (180, 180, 70)),
    ("Cotton T-Shirt", ("S", "M", "L", "XL"), 180, (300, 250, 20)),
    ("Water Bottle", ("500ml", "750ml"), 220, (75, 75, 260)),
    ("Notebook A5", ("Lined", "Dotted"), 250, (210, 148, 15)),
    ("Backpack", ("20L", "30L"), 650, (450, 300, 150)),
    ("Compact Umbrella", ("",), 350, (280, 60, 60)),
    ("Yoga Mat", ("4mm", "6mm"), 1200, (610, 150, 150)),
    ("Lunch Box", ("1.2L",), 280, (200, 150, 70)),
    ("Silicone Spatula", ("",), 90, (280, 60, 20)),
    ("Microfibre Cloths", ("(5)",), 150, (300, 200, 20)),
    ("Cushion Cover", ("45x45cm",), 200, (300, 250, 15)),
    ("Beanie", ("One Size",), 110, (250, 200, 30)),
    ("Sports Socks", ("39-42 (3 pairs)", "43-46 (3 pairs)"), 160, (250, 120, 40)),
    ("Travel Mug", ("400ml",), 310, (90, 90, 200)),
    ("Storage Box", ("10L", "25L"), 800, (400, 300, 200)),
    ("Plant Pot", ("12cm", "17cm"), 450, (170, 170, 150)),
    ("Pencil Case", ("",), 120, (220, 90, 50)),
    ("Hand Towel", ("50x100cm",), 300, (300, 200, 40)),
    ("Bath Towel", ("70x140cm",), 550, (350, 250, 80)),
    ("Dog Lead", ("1.5m",), 180, (200, 120, 40)),
    ("Ring Binder", ("A4",), 400, (320, 290, 60)),
    ("Tea Towels", ("(2)",), 140, (250, 200, 20)),
    ("Bike Bell", ("",), 60, (80, 60, 60)),
    ("Shoelaces", ("90cm", "120cm"), 30, (150, 60, 10)),
    ("Cable Organiser", ("",), 70, (150, 100, 30)),
    ("Desk Organiser", ("",), 520, (300, 150, 120)),
    ("Picture Frame", ("10x15cm", "A4"), 380, (320, 240, 30)),
)
# name pattern, variants, weight g, dimensions mm, lot-tracked
PLAIN = (
    ("Nitrile Gloves {} (100)", ("S", "M", "L", "XL"), 600, (250, 130, 90), False),
    ("AA Batteries ({})", ("4", "8", "24"), 100, (90, 60, 20), False),
    ("AAA Batteries ({})", ("4", "8"), 60, (90, 50, 15), False),
    ("USB-C Cable {}", ("1m", "2m"), 60, (150, 100, 25), False),
    ("HDMI Cable {}", ("1.5m", "3m"), 120, (180, 120, 30), False),
    ("Packing Tape 48mm x 66m ({})", ("1", "6"), 190, (100, 100, 50), False),
    ("Cable Ties {} (100)", ("200mm", "300mm"), 150, (310, 60, 20), False),
    ("Wood Screws 4x{}mm (200)", ("30", "40", "50"), 700, (120, 80, 60), False),
    ("LED Bulb E27 {}", ("6W", "9W", "13W"), 60, (60, 60, 110), False),
    ("Kitchen Scale {}", ("5kg",), 900, (230, 180, 40), False),
    ("Stainless Steel Thermos {}", ("500ml", "1L"), 450, (80, 80, 280), False),
    ("Safety Glasses {}", ("Clear", "Tinted"), 50, (170, 70, 60), False),
    ("Work Gloves {}", ("M", "L", "XL"), 120, (260, 130, 30), False),
    ("Sticky Notes 76x76mm ({})", ("6", "12"), 300, (80, 80, 100), False),
    ("Ballpoint Pens Blue ({})", ("10", "50"), 120, (150, 80, 20), False),
    ("Shipping Labels 100x150mm ({})", ("500",), 1400, (160, 110, 110), False),
    ("Coffee Beans Espresso {}", ("250g", "1kg"), 1000, (200, 120, 70), True),
    ("Green Tea ({} bags)", ("20", "40"), 80, (140, 70, 70), True),
    ("Vitamin C Tablets ({})", ("60", "120"), 120, (60, 60, 110), True),
    ("Protein Bar Chocolate ({})", ("12",), 720, (200, 140, 60), True),
    ("Hand Sanitiser {}", ("100ml", "500ml"), 520, (70, 70, 200), True),
)

# Customers: first names, last names, companies, streets, (city, region, postal code), street format.
COUNTRIES = {
    "US": (("Emily", "Jacob", "Olivia", "Michael", "Sophia", "Daniel", "Ava", "Ethan", "Mia", "Noah"),
           ("Johnson", "Martinez", "Walker", "Nguyen", "Brooks", "Carter", "Hughes", "Patel", "Rivera"),
           ("Brightside Cafe LLC", "Northwind Outfitters", "Cedar & Pine Co."),
           ("Maple Avenue", "Oak Street", "Main Street", "Lakeview Drive", "Elm Court", "Sunset Boulevard"),
           (("Portland", "OR", "97205"), ("Austin", "TX", "78701"), ("Columbus", "OH", "43215"),
            ("Denver", "CO", "80202"), ("Raleigh", "NC", "27601"), ("Madison", "WI", "53703")),
           "{n} {street}"),
    "DE": (("Lukas", "Anna", "Jonas", "Lea", "Felix", "Marie", "Paul", "Sophie", "Jürgen", "Katrin"),
           ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Hoffmann", "Schäfer"),
           ("Müller Werkzeuge GmbH", "Bäckerei Schulz", "Grünwald Büroservice KG"),
           ("Hauptstraße", "Bahnhofstraße", "Lindenweg", "Schillerstraße", "Gartenstraße", "Am Markt"),
           (("Berlin", "", "10115"), ("München", "", "80331"), ("Hamburg", "", "20095"),
            ("Köln", "", "50667"), ("Leipzig", "", "04109"), ("Freiburg", "", "79098")),
           "{street} {n}"),
    "GB": (("Oliver", "Amelia", "Harry", "Isla", "George", "Emily", "Jack", "Poppy", "Charlotte"),
           ("Smith", "Jones", "Taylor", "Davies", "Evans", "Wilson", "Thomas", "Roberts", "Wright"),
           ("Thistle & Rose Ltd", "Harbourside Books"),
           ("High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane", "Park Road"),
           (("Manchester", "", "M1 1AE"), ("Bristol", "", "BS1 4DJ"), ("Leeds", "", "LS1 4AP"),
            ("Edinburgh", "", "EH1 1YZ"), ("London", "", "EC1A 1BB"), ("Norwich", "", "NR2 1NR")),
           "{n} {street}"),
    "NL": (("Daan", "Emma", "Sem", "Julia", "Lucas", "Tess", "Finn", "Sanne", "Bram"),
           ("de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer"),
           ("Fietsenmakerij Dekker", "Koffiebranderij Het Anker BV"),
           ("Keizersgracht", "Stationsweg", "Dorpsstraat", "Kerkstraat", "Molenweg", "Prinsengracht"),
           (("Amsterdam", "", "1012 AB"), ("Utrecht", "", "3511 AX"), ("Rotterdam", "", "3011 AD"),
            ("Eindhoven", "", "5611 AZ"), ("Groningen", "", "9711 LM"), ("Haarlem", "", "2011 HB")),
           "{street} {n}"),
}
COUNTRY_WEIGHTS = (("US", 40), ("DE", 25), ("GB", 20), ("NL", 15))


@dataclass(frozen=True)
class DemoUser:
    badge: str
    name: str
    role: str
    pin: str


@dataclass
class DemoSummary:
    """What seed() made, for the CLI to print."""

    zones: int
    locations: int
    pick_locations: int
    products: int
    totes: int
    orders: int
    released_orders: int
    waves: int
    pick_tasks: int
    short_orders: list[str] = field(default_factory=list)  # partially allocated or backordered
    first_task_order: str = ""
    users: list[DemoUser] = field(default_factory=list)

    def describe(self) -> str:
        """A few lines of text for the CLI: what was made, and who can log in."""
        out = [f"{self.zones} zones, {self.locations} locations ({self.pick_locations} pick faces), "
               f"{self.products} products, {self.totes} totes",
               f"{self.orders} orders, {self.released_orders} released in {self.waves} waves "
               f"({self.pick_tasks} pick tasks); short of stock: {', '.join(self.short_orders) or '-'}",
               f"first pick task: order {self.first_task_order}", "", f"{'badge':<8} {'role':<11} {'PIN':<5} name"]
        out += [f"{u.badge:<8} {u.role:<11} {u.pin:<5} {u.name}" for u in self.users]
        return "\n".join(out)


def _gtin(prefix: str, item: int) -> str:
    body = f"{prefix}{item:05d}"
    return body + str(gtin_check_digit(body))


def _ascii(text: str) -> str:
    text = text.replace("ß", "ss").replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _locations(session: Session) -> tuple[list[str], list[str]]:
    """Pick faces walk each zone's aisles in a serpentine; returns (pick codes, bulk codes) in sequence."""
    seq, pick, bulk = 0, [], []
    for zone, aisles in PICK_AISLES.items():
        for aisle in range(1, aisles + 1):
            bays = range(1, BAYS + 1) if aisle % 2 else range(BAYS, 0, -1)
            for bay in bays:
                for level in range(1, LEVELS + 1):
                    seq += 10
                    code = f"{zone}-{aisle:02d}-{bay:02d}-{level}"
                    catalog.upsert_location(session, code, {"zone": zone, "pick_sequence": seq, "kind": "pick"})
                    pick.append(code)
    for aisle in range(1, BULK_AISLES + 1):
        bays = range(1, BULK_BAYS + 1) if aisle % 2 else range(BULK_BAYS, 0, -1)
        for bay in bays:
            seq += 10
            code = f"BULK-{aisle:02d}-{bay:02d}"
            catalog.upsert_location(session, code, {"zone": "BULK", "pick_sequence": seq, "kind": "bulk"})
            bulk.append(code)
    for code, zone, kind in OTHER_LOCATIONS:
        seq += 10
        catalog.upsert_location(session, code, {"zone": zone, "pick_sequence": seq, "kind": kind.value})
    for zone in session.scalars(select(Zone)):
        zone.name = ZONES.get(zone.code, zone.name)
    return pick, bulk


def _product_specs(rng: random.Random) -> list[dict]:
    """PRODUCT_COUNT distinct products: every plain item, topped up with coloured ones."""
    specs = [dict(name=pattern.format(v), weight=w, dims=d, lot=lot)
             for pattern, variants, w, d, lot in PLAIN for v in variants]
    coloured = [dict(name=" ".join(p for p in (c, item, v) if p), weight=w, dims=d, lot=False)
                for item, variants, w, d in COLOURED for c in COLOURS for v in variants]
    rng.shuffle(coloured)
    specs += coloured[:PRODUCT_COUNT - len(specs)]
    rng.shuffle(specs)
    return specs


def _products(session: Session, rng: random.Random) -> list[Product]:
    products = []
    for i, spec in enumerate(_product_specs(rng)):
        number = FIRST_SKU + i
        jitter = lambda v: max(1, round(v * rng.uniform(0.9, 1.1)))  # noqa: E731
        barcodes = []
        roll = rng.random()
        if roll < 0.75:
            barcodes.append({"code": _gtin(GTIN_PREFIX, i + 1), "kind": "gtin13"})
        if roll >= 0.6:
            barcodes.append({"code": _gtin(UPC_PREFIX, i + 1), "kind": "upca"})
        barcodes.append({"code": f"FA{number}", "kind": "code128"})
        length, width, height = (jitter(v) for v in spec["dims"])
        product, _ = catalog.upsert_product(session, f"SKU-{number}", {
            "name": spec["name"], "weight_g": jitter(spec["weight"]), "length_mm": length, "width_mm": width,
            "height_mm": height, "tracking": "lot" if spec["lot"] else "none", "barcodes": barcodes})
        products.append(product)
    return products


@dataclass
class _Plan:
    ordinary: list[Product]    # plenty of stock
    easy: list[Product]        # pick face with stock, not lot-tracked: for the first, small order
    scarce: list[Product]      # one or two units only
    missing: list[Product]     # none at all


def _stock(session: Session, rng: random.Random, products: list[Product], pick: list[str], bulk: list[str],
           today: dt.date, user_id: int) -> _Plan:
    """Book every unit as a receipt: pick faces (a few shared), bulk pallets, lots with expiry dates."""
    pool = products[:]
    rng.shuffle(pool)
    lotted = [p for p in pool if p.tracking == Tracking.LOT]
    plain = [p for p in pool if p.tracking != Tracking.LOT]
    missing, scarce, bulk_only, faced = plain[:15], plain[15:27], plain[27:72], plain[72:] + lotted
    faces = pick[:]
    rng.shuffle(faces)
    scarce_faces, free = faces[:len(scarce)], faces[len(scarce):]
    single = free[:len(free) - 30]  # 30 faces stay empty; a few others hold two products
    slots = single + rng.sample(single, max(0, len(faced) - len(single)))
    lines: list[dict] = []
    for product, face in zip(scarce, scarce_faces):
        lines.append({"sku": product.sku, "location": face, "qty": rng.randint(1, 2)})
    for n, (product, face) in enumerate(zip(faced, slots)):
        if product.tracking == Tracking.LOT:
            lot_base = f"L{today:%y}{n:03d}"
            soon = today + dt.timedelta(days=rng.randint(30, 120))
            later = today + dt.timedelta(days=rng.randint(200, 420))
            lines.append({"sku": product.sku, "location": face, "qty": rng.randint(5, 30), "lot": lot_base + "A",
                          "expiry": soon.isoformat()})
            lines.append({"sku": product.sku, "location": rng.choice(bulk), "qty": rng.randint(40, 120),
                          "lot": lot_base + "B", "expiry": later.isoformat()})
            continue
        lines.append({"sku": product.sku, "location": face, "qty": rng.randint(5, 60)})
        if rng.random() < 0.45:
            lines.append({"sku": product.sku, "location": rng.choice(bulk), "qty": rng.randint(4, 20) * 12})
    for product in bulk_only:
        lines.append({"sku": product.sku, "location": rng.choice(bulk), "qty": rng.randint(2, 15) * 12})
    # Speed only: the (empty) stock rows exist up front, so receive() need not flush once per new row.
    # Every unit is still booked by receive() as a receipt move.
    by_sku, by_code = {p.sku: p for p in products}, {loc.code: loc for loc in session.scalars(select(Location))}
    keys = dict.fromkeys((line["sku"], line["location"], line.get("lot", "")) for line in lines)
    session.add_all(Stock(product=by_sku[sku], location=by_code[code], lot=lot, on_hand=0, reserved=0)
                    for sku, code, lot in keys)
    session.flush()
    with session.no_autoflush:  # receive() flushes when it must; this skips an autoflush per line
        receiving.receive(session, {"lines": lines}, user_id=user_id, reference="Opening stock (demo)")
    easy = [p for p in faced if p.tracking != Tracking.LOT]
    return _Plan(ordinary=faced + bulk_only, easy=easy, scarce=scarce, missing=missing)


def _customer(rng: random.Random) -> tuple[dict, dict]:
    country = rng.choices([c for c, _ in COUNTRY_WEIGHTS], [w for _, w in COUNTRY_WEIGHTS])[0]
    firsts, lasts, companies, streets, cities, fmt = COUNTRIES[country]
    first, last = rng.choice(firsts), rng.choice(lasts)
    person = f"{first} {last}"
    company = rng.choice(companies) if rng.random() < 0.2 else ""
    city, region, postal = rng.choice(cities)
    line2 = rng.choice(("Apt 4B", "Unit 3", "2nd floor", "c/o Reception")) if rng.random() < 0.25 else ""
    email = _ascii(f"{first}.{last}".lower().replace(" ", "")) + "@example.com"
    ship_to = {"name": company or person, "line1": fmt.format(n=rng.randint(1, 240), street=rng.choice(streets)),
               "line2": f"Attn. {person}" if company else line2, "city": city, "region": region,
               "postal_code": postal, "country": country}
    return {"name": company or person, "email": email}, ship_to


def _qty(rng: random.Random) -> int:
    return rng.choices((1, 2, 3, 4, 5, 6, 10, 12), (45, 25, 12, 7, 5, 2, 2, 2))[0]


REQUESTED_CARRIERS = ("UPS", "DHL", "UPS", "Local courier", "")  # what shops ask for; "" = any carrier


def requested_carrier(number: int) -> str:
    """The demo order's carrier, from its number (not the random generator, so the rest of the demo stays
    the same)."""
    return REQUESTED_CARRIERS[number % len(REQUESTED_CARRIERS)]


def _orders(session: Session, rng: random.Random, plan: _Plan, today: dt.date) -> list[Order]:
    short_numbers = {7, 13, 21, 34, 46}  # orders that need the scarce or missing products
    rush_numbers = {n for n in range(2, ORDER_COUNT + 1) if rng.random() < 0.15} | {1}
    scarce, missing = plan.scarce[:], plan.missing[:]
    made = []
    for n in range(1, ORDER_COUNT + 1):
        customer, ship_to = _customer(rng)
        if n == 1:  # the first pick task of the demo: small, fully allocated, no lots
            picks = rng.sample(plan.easy, 2)
            lines = [(picks[0], 1), (picks[1], 2)]
        else:
            size = rng.choices(range(1, 9), (30, 24, 16, 10, 8, 5, 4, 3))[0]
            lines = [(p, _qty(rng)) for p in rng.sample(plan.ordinary, size)]
            if n == 21:  # nothing in stock: the whole order waits
                lines = [(missing.pop(), rng.randint(1, 3)) for _ in range(2)]
            elif n in short_numbers:
                lines.append((scarce.pop(), rng.randint(3, 5)))
                if n == 34:
                    lines.append((missing.pop(), 2))
        ship_by = today + dt.timedelta(days=rng.choice((-1, 0, 0, 1, 1, 2, 3, 5)))
        if n in rush_numbers:
            ship_by = min(ship_by, today + dt.timedelta(days=1))
        payload = {"external_id": f"SO-{1000 + n}", "customer": customer, "ship_to": ship_to,
                   "priority": "rush" if n in rush_numbers else "normal",
                   "ship_by": ship_by.isoformat(), "carrier": requested_carrier(n),
                   "lines": [{"sku": p.sku, "qty": q} for p, q in lines]}
        order, _ = orders.create_order(session, payload)
        made.append(order)
    return made


def _users(session: Session) -> dict[str, int]:
    return {badge: users.add_user(session, name=name, badge=badge, pin=PIN, role=role).id
            for badge, name, role in USERS}


def seed(session: Session, *, rng_seed: int = 7, today: dt.date | None = None, shift: bool = False) -> DemoSummary:
    """Fill an empty database with the demo warehouse. Never commits: the caller does."""
    if any(session.scalar(select(model.id).limit(1)) for model in (Product, Location, Order, User)):
        raise DomainError("The database already holds data; the demo only seeds an empty one.")
    today = today or dt.date.today()
    rng = random.Random(rng_seed)
    user_ids = _users(session)
    pick, bulk = _locations(session)
    products = _products(session, rng)
    plan = _stock(session, rng, products, pick, bulk, today, user_ids["S-0001"])
    session.add_all(Tote(code=f"T-{i:04d}") for i in range(1, TOTE_COUNT + 1))
    made = _orders(session, rng, plan, today)

    first = made[0]
    if first.status != OrderState.ALLOCATED:
        raise DomainError("Demo seed: the first order could not be fully allocated.")
    ready = [o for o in made[1:] if o.status == OrderState.ALLOCATED]
    chosen = [first] + ready[:RELEASED_COUNT - 1]
    supervisor = user_ids["S-0001"]
    waves.release(session, chosen[:6], strategy=WaveStrategy.PIECE, user_id=supervisor)
    picking_demo.release_demo_waves(session, chosen[6:], user_id=supervisor, today=today)  # batch, zone, scenarios
    stations.seed_demo(session)  # pack stations, printers, box types, carriers (issue 5)
    session.flush()
    seed_floor(session)  # pick faces, a dock, an expected receipt, a shipped order, a count (floor_demo.py)
    if shift:  # a simulated morning shift for the floor board (floorapp demo asks for it)
        shift_sim.simulate(session)

    count = lambda model, *where: session.scalar(select(func.count()).select_from(model).where(*where))  # noqa: E731
    short = session.scalars(select(Order.external_id).where(
        Order.id.in_(select(OrderLine.order_id).where(OrderLine.backordered > 0))).order_by(Order.id)).all()
    return DemoSummary(
        zones=count(Zone), locations=count(Location),
        pick_locations=count(Location, Location.kind == LocationKind.PICK),
        products=count(Product), totes=count(Tote), orders=count(Order),
        released_orders=count(Order, Order.status == OrderState.RELEASED), waves=count(Wave),
        pick_tasks=count(PickTask), short_orders=list(short), first_task_order=first.external_id,
        users=[DemoUser(badge, name, role.value, PIN) for badge, name, role in USERS])
