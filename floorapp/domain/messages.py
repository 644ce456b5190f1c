"""Every sentence the domain says to a person, in one place, to review and translate.

Floor messages say what is wrong and what to do, in one sentence each.
"""
from __future__ import annotations

# Picking
SCAN_LOCATION = "Go to {location} and scan the location."
WRONG_LOCATION = "Wrong location: this is {scanned}. Go to {expected}."
NOT_A_LOCATION = "{scanned} is not a location. Scan the location label at {expected}."
SCAN_PRODUCT = "Scan {sku} {name}."
WRONG_PRODUCT = "Wrong item: this is {scanned_sku} {scanned_name}. Scan {sku} {name}."
NOT_FOUND = "Barcode {scanned} not found. Scan the barcode on the item: {sku} {name}."
COUNT_MORE = "Picked {counted} of {qty}. Scan each item, or type how many and press Enter."
OVER_PICK = "Too many: only {qty} {sku} needed here, you have {counted}. Put {extra} back."
QTY_INVALID = "Type a quantity from 1 to {remaining}, or scan the item."
SCAN_TOTE = "Put {qty} x {sku} into a tote and scan the tote."
SCAN_SAME_TOTE = "Put {qty} x {sku} into tote {tote} and scan it."
WRONG_TOTE = "Wrong tote: {scanned} holds order {other}. Scan tote {tote}."
TOTE_IN_USE = "Tote {scanned} already holds order {other}. Take an empty tote."
NOT_A_TOTE = "{scanned} is not a tote. Scan a tote label."
LINE_DONE = "{qty} x {sku} in tote {tote}."
TASK_DONE = "All picked. Take tote {totes} to packing."
NO_WORK = "No pick work waiting. Ask your supervisor or try again in a minute."
TASK_NOT_YOURS = "This pick task belongs to someone else."
TASK_FINISHED = "This pick task is finished."

# Packing
PACK_SCAN_ORDER = "Scan a tote or an order number."
PACK_UNKNOWN = "{scanned} is not a tote or order waiting for packing. Scan the tote label."
PACK_NOTHING_TO_PACK = "Order {order} has nothing waiting to be packed."
PACK_SCAN_ITEM = "Scan each item of order {order}."
PACK_ITEM_OK = "{sku} {name}: {verified} of {qty} verified."
PACK_NOT_IN_ORDER = "Wrong item: {sku} {name} is not in order {order}. Put it aside."
PACK_TOO_MANY = "One too many: order {order} needs only {qty} x {sku}. Put it aside."
PACK_NOT_FOUND = "Barcode {scanned} not found. Scan the barcode on the item."
PACK_ALL_VERIFIED = "All items verified. Close the carton."
PACK_NOT_VERIFIED = "Verify every item before closing: {missing} still to scan."
PACK_CLOSED = "Carton closed. Order {order} is packed."

# Orders and stock
UNKNOWN_SKU = "Unknown SKU {sku}."
QTY_NOT_POSITIVE = "Quantity must be a whole number from 1 to 1000000."
TOO_LONG = "{field} is longer than {limit} characters."
MAX_QTY = 1_000_000
FIELD_MISSING = "{field} is required."
DUPLICATE_ORDER = "Order {external_id} already exists with different contents."
ORDER_NOT_FOUND = "No order {external_id}."
NOT_ENOUGH_STOCK = "Only {available} of {sku} at {location}."

# Login
BAD_LOGIN = "Badge or PIN not recognised. Try again."

# Scanners: camera frames, scanner stations and their agents
STATION_CODE_BAD = "Station {station!r} is not a station code: use letters, digits, '.', '_' or '-' (at most 40)."
STATION_SCAN_ID_BAD = "Each scan needs an id (1 to 64 characters) made by the agent."
STATION_SCAN_CODE_BAD = "A scan must be 1 to {limit} characters."
STATION_TOKEN_BAD = "Send this station's token as 'Authorization: Bearer <token>'."
STATION_TOKEN_OTHER = "This token belongs to station {station}, not to {asked}."
CAMERA_NOTHING = "No code in view yet. Hold the code inside the box, about a hand's width away."
CAMERA_TOO_FAST = "Too many pictures at once; the camera slows down."
TYPED_NOT_SCANNED = "That was typed, not scanned: tap Keypad to type a code."
