"""Every table of floorapp. Each area keeps its tables in a module of its own; importing this package
registers them all on one `Base.metadata` (what Alembic and `create_all` see)."""
from .base import Base, enum_column, utcnow
from .core import (
    Allocation, ApiToken, Barcode, Carton, CartonLine, FloorException, Location, Order, OrderLine, PickTask,
    PickTaskLine, PrintJob, Product, Scan, Stock, StockMove, Tote, User, Wave, Zone,
)
from .counting import CycleCount
from .picking import PickSerial, SortWork, TaskTote

__all__ = [
    "Allocation", "ApiToken", "Barcode", "Base", "Carton", "CartonLine", "CycleCount", "FloorException",
    "Location", "Order", "OrderLine", "PickSerial", "PickTask", "PickTaskLine", "PrintJob", "Product", "Scan", "Stock",
    "SortWork", "StockMove", "TaskTote", "Tote", "User", "Wave", "Zone", "enum_column", "utcnow",
]
