"""An admin uploads an order file in Chromium: bad rows are listed by row and column and nothing is
imported; "Import the good rows" then imports exactly the orders whose rows are all good."""
from __future__ import annotations

from playwright.sync_api import expect

from .floor import log_in

HEADER = ("external_id,customer_name,customer_email,ship_to_name,ship_to_line1,ship_to_line2,ship_to_city,"
          "ship_to_region,ship_to_postal_code,ship_to_country,priority,ship_by,sku,qty\n")
ROW = "{id},Ada Lovelace,ada@example.com,Ada Lovelace,1 Main St,,Springfield,IL,62701,{country},normal,,{sku},{qty}\n"


def test_upload_with_bad_rows_then_import_the_good_ones(browser, live_server):
    sku = live_server.query("SELECT sku FROM products ORDER BY id LIMIT 1")[0][0]
    text = HEADER + "".join([
        ROW.format(id="WEB-OK-1", country="US", sku=sku, qty=1),       # row 2
        ROW.format(id="WEB-BAD-1", country="US", sku="NO-SUCH", qty=1),  # row 3
        ROW.format(id="WEB-BAD-2", country="USA", sku=sku, qty=2),     # row 4
        ROW.format(id="WEB-OK-2", country="US", sku=sku, qty=3),       # row 5
    ])
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    try:
        log_in(page, live_server.url, "A-0001")
        page.click("header a.admin-link")
        expect(page.locator("h1")).to_have_text("Import orders")
        page.set_input_files("input[name=file]", files=[{"name": "shop-orders.csv", "mimeType": "text/csv",
                                                         "buffer": text.encode()}])
        page.click("button:has-text('Check and import')")
        job = page.locator("#import-job")
        expect(job).to_have_attribute("data-state", "refused", timeout=30_000)
        expect(job.locator(".feedback")).to_contain_text("Nothing imported: 2 problem(s)")
        rows = job.locator("table.problems tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.nth(0)).to_have_text("3sku" + "Unknown SKU NO-SUCH.")
        expect(rows.nth(1)).to_contain_text("ship_to_country")
        assert rows.nth(1).get_attribute("data-row") == "4"
        assert live_server.query("SELECT count(*) FROM orders WHERE external_id LIKE 'WEB-%'")[0][0] == 0

        page.click("button:has-text('Import the good rows')")
        job = page.locator("#import-job")
        expect(job).to_have_attribute("data-state", "done", timeout=30_000)
        expect(job.locator(".feedback")).to_contain_text("Imported 2 new order(s)")
        expect(job.locator("progress")).to_have_attribute("value", "100")
        imported = live_server.query("SELECT external_id FROM orders WHERE external_id LIKE 'WEB-%' ORDER BY 1")
        assert [r[0] for r in imported] == ["WEB-OK-1", "WEB-OK-2"]
    finally:
        context.close()
