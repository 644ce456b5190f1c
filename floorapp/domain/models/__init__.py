"""Every table of floorapp. Each area keeps its tables in a module of its own; importing this package
registers them all on one `Base.metadata` (what Alembic and `create_all` see)."""
from .base import Base, enum_column, utcnow
from .core import (
    Allocation, ApiToken, Barcode, Carton, CartonLine, FloorException, Location, Order, OrderLine, PickTask,
    PickTaskLine, PrintJob, Product, Scan, Stock, StockMove, Tote, User, Wave, Zone,
)
from .counting import CycleCount
from .floor import (
    CountLine, ExpectedReceipt, ExpectedReceiptLine, PickFace, ProductPlanning, ReceivingTask,
    ReplenishmentTask, ReturnLine, ReturnTask,
)
from .packing import BoxType, Carrier, PackShortage, Printer, Sequence, Station, StoredDocument
from .supervising import SupervisorAction
from .integration import EmailTemplate, ImportJob, OutboxMessage, WebhookSubscription
from .scanning import StationScan, StationToken
from .picking import PickSerial, SortWork, TaskTote

__all__ = [
    "Allocation", "ApiToken", "Barcode", "Base", "BoxType", "Carrier", "Carton", "CartonLine", "CountLine",
    "CycleCount", "EmailTemplate", "ExpectedReceipt", "ExpectedReceiptLine", "FloorException", "ImportJob",
    "Location", "Order", "OrderLine", "OutboxMessage", "PackShortage", "PickFace", "PickSerial", "PickTask",
    "PickTaskLine", "PrintJob", "Printer", "Product", "ProductPlanning", "ReceivingTask",
    "ReplenishmentTask", "ReturnLine", "ReturnTask", "Scan", "Sequence", "SortWork", "Station",
    "StationScan", "StationToken", "Stock", "StockMove", "StoredDocument", "SupervisorAction", "TaskTote",
    "Tote", "User", "Wave", "WebhookSubscription", "Zone", "enum_column", "utcnow",
]
